"""Find every supported Python on this machine, and say fast when a missing one cannot be fetched.

Standard library only: the noxfile imports this at load time, before any session has installed
anything. nox (through python-discovery) searches PATH, but pyenv's shims answer only for the
selected versions, so a pyenv-installed 3.12 that is not selected stays invisible to it; and nox's
default `--download-python auto` spends seconds failing to download where no download can work.
"""

from __future__ import annotations

import os
import re
import socket
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

# Where `uv python install` fetches python-build-standalone from (`uv python list --show-urls`);
# UV_PYTHON_INSTALL_MIRROR replaces it.
DOWNLOAD_HOST = "releases.astral.sh"
PROBE_TIMEOUT_S = 0.5
_PATCH = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _shims(env: Mapping[str, str]) -> Path:
    return pyenv_root(env) / "shims"


def pyenv_root(env: Mapping[str, str]) -> Path:
    """pyenv's folder: $PYENV_ROOT, else ~/.pyenv."""
    return Path(env.get("PYENV_ROOT") or Path.home() / ".pyenv")


def on_path(minor: str, env: Mapping[str, str]) -> Path | None:
    """The first `pythonX.Y` on PATH that is a real interpreter, not a pyenv shim."""
    for entry in env.get("PATH", "").split(os.pathsep):
        if entry and Path(entry) != _shims(env) and _executable(Path(entry) / f"python{minor}"):
            return Path(entry)
    return None


def pyenv_bin(minor: str, env: Mapping[str, str]) -> Path | None:
    """The bin/ of the newest pyenv-installed X.Y.Z for this minor, selected or not."""
    versions = pyenv_root(env) / "versions"
    candidates = []
    for child in versions.glob(f"{minor}.*") if versions.is_dir() else ():
        match = _PATCH.match(child.name)
        if match and _executable(child / "bin" / f"python{minor}"):
            candidates.append((tuple(map(int, match.groups())), child / "bin"))
    return max(candidates)[1] if candidates else None


def locate(minors: Sequence[str], env: Mapping[str, str]) -> dict[str, Path]:
    """Map each minor version found to the directory holding its `pythonX.Y`."""
    found = {}
    for minor in minors:
        where = on_path(minor, env) or pyenv_bin(minor, env)
        if where is not None:
            found[minor] = where
    return found


def extended_path(found: Mapping[str, Path], env: Mapping[str, str]) -> str:
    """PATH with each found interpreter's directory appended, so nox's discovery sees it.

    Appended, not prepended: what PATH already chose (the active `python3`) keeps winning.
    """
    entries = [entry for entry in env.get("PATH", "").split(os.pathsep) if entry]
    entries += [str(path) for path in found.values() if str(path) not in entries]
    return os.pathsep.join(entries)


def _download_value(argv: Sequence[str], env: Mapping[str, str]) -> str:
    for index, arg in enumerate(argv):
        if arg == "--download-python" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--download-python="):
            return arg.partition("=")[2]
    return env.get("NOX_DOWNLOAD_PYTHON", "auto")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def download_host(env: Mapping[str, str]) -> tuple[str, int]:
    """The host a Python download would contact first: the HTTPS proxy, the mirror or uv's."""
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        if env.get(name):
            proxy = urlsplit(env[name] if "://" in env[name] else f"http://{env[name]}")
            return proxy.hostname or "", proxy.port or 80
    mirror = urlsplit(env.get("UV_PYTHON_INSTALL_MIRROR", ""))
    return (mirror.hostname or DOWNLOAD_HOST), (mirror.port or 443)


def why_no_download(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """Say why downloading a missing Python cannot work here, or None when it might."""
    if _download_value(argv, env) == "never":
        return "--download-python never"
    if env.get("UV_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return "UV_OFFLINE is set"
    host, port = download_host(env)
    if not _reachable(host, port):
        return f"{host}:{port} is unreachable (offline)"
    return None


def how_to_get(minor: str) -> str:
    """One line naming the ways to install a missing Python."""
    return (f"`nox -s pythons` installs it from Debian's packages (or `uv python install {minor}`, "
            f"`pyenv install {minor}`), or run nox online, where it downloads one")
