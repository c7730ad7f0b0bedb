"""Install a supported Python this machine lacks from Debian's own packages, where pyenv's go.

Standard library only: `nox -s pythons` runs it in nox's process, before any environment exists.

Why this route: where python.org and GitHub are unreachable (uv's and pyenv's sources), Debian's
archive still is, and its newer suites carry the newer CPythons as packages built and signed by
Debian. Their binaries need their suite's newer C library, so they cannot run as they are on an
older Debian. mmdebstrap writes a minimal root file system of that suite (the tool the local base
image uses), and two relocations make its interpreter run on this host with that root file
system's own C library and libraries, never the host's: patchelf points the executable at the root
file system's dynamic loader and library folder (DT_RPATH, which also applies to every extension
module it loads), and the wheel folder Debian's ensurepip reads, an absolute path in sysconfig,
is pointed into it too. The tree lands in pyenv's versions folder, where interpreters.py finds
it. These interpreters run tests; nothing that ships is built from them.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

# The Debian suite that carries each minor; a supported minor missing here has no Debian route.
# forky is Debian's testing suite, the only one carrying 3.14 and 3.15 that this mirror keeps
# whole (sid's pool lacks them).
SUITES = {"3.11": "bookworm", "3.13": "trixie", "3.14": "forky", "3.15": "forky"}
# A testing suite's Release file carries a Valid-Until date; a mirror that stopped syncing serves
# one past it. apt still checks the signature; only the freshness date is waived, and only for
# these suites, which build nothing that ships.
PAST_VALID_UNTIL = frozenset({"forky"})
TOOLS = ("mmdebstrap", "patchelf")
LOADER = "usr/lib64/ld-linux-x86-64.so.2"
LIBRARIES = "$ORIGIN/../lib/x86_64-linux-gnu"  # usr/bin/../lib/...: the root file system's own
# Run by the installed interpreter: the modules a test run needs that load a shared library.
SELF_CHECK = ("import ctypes, decimal, hashlib, lzma, sqlite3, ssl, sys, venv, zlib; "
              "print(sys.version.split()[0], ssl.OPENSSL_VERSION)")
_WHEELS = re.compile(r"'WHEEL_PKG_DIR': '/usr/share/python-wheels/?'")


class CannotInstall(RuntimeError):
    """One line naming why a Python cannot be installed here, and what to do instead."""


def missing_tools() -> list[str]:
    """The host commands the install needs and PATH lacks."""
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def suite(minor: str) -> str:
    """The Debian suite to take this minor from, or CannotInstall."""
    if minor not in SUITES:
        raise CannotInstall(
            f"no Debian suite carries Python {minor}: install it with `pyenv install {minor}` "
            f"or `uv python install {minor}` where python.org or GitHub is reachable")
    return SUITES[minor]


def mmdebstrap_command(minor: str, target: Path, entry: str) -> list[str]:
    """The call that writes the suite's minimal root file system with this Python into target."""
    name = suite(minor)
    options = ['--aptopt=Acquire::Check-Valid-Until "false"'] if name in PAST_VALID_UNTIL else []
    packages = f"python{minor},python{minor}-venv,python{minor}-dev"
    return ["mmdebstrap", "--quiet", "--variant=minbase", *options, f"--include={packages}",
            name, str(target), entry]


def patchelf_command(root: Path, home: Path, minor: str) -> list[str]:
    """The call making root's interpreter, once moved to home, load home's C library, not ours."""
    return ["patchelf", "--set-interpreter", str(home / LOADER), "--force-rpath",
            "--set-rpath", LIBRARIES, str(root / "usr" / "bin" / f"python{minor}")]


def relocate(root: Path, home: Path, minor: str) -> None:
    """Point what Debian wrote as absolute /usr paths into home, where root will be moved."""
    # pyenv's layout, which interpreters.py and build tools expect: bin/, lib/ (Debian's merged
    # /usr already links those two) and include/, where sysconfig looks for Python.h.
    include = root / "include"
    if not include.exists():
        include.symlink_to("usr/include")
    wheels = f"'WHEEL_PKG_DIR': '{home}/usr/share/python-wheels/'".replace("\\", "\\\\")
    for data in (root / "usr" / "lib" / f"python{minor}").glob("_sysconfigdata_*.py"):
        text = data.read_text(encoding="utf-8")
        data.write_text(_WHEELS.sub(wheels, text), encoding="utf-8")


def installed_version(root: Path, minor: str) -> str:
    """The upstream X.Y.Z of the python{minor}-minimal package dpkg installed in root."""
    status = (root / "var" / "lib" / "dpkg" / "status").read_text(encoding="utf-8")
    for stanza in status.split("\n\n"):
        if re.search(rf"^Package: python{re.escape(minor)}-minimal$", stanza, re.MULTILINE):
            match = re.search(r"^Version: (?:\d+:)?(\d+\.\d+\.\d+)", stanza, re.MULTILINE)
            if match:
                return match.group(1)
    raise CannotInstall(f"python{minor}-minimal is not installed in {root}: its version is unknown")


def version_dir(versions: Path, version: str) -> Path:
    """Where pyenv keeps this X.Y.Z, which is where interpreters.pyenv_bin looks."""
    if not re.fullmatch(r"\d+\.\d+\.\d+", version):
        raise CannotInstall(f"the installed interpreter reported {version!r}, not X.Y.Z")
    return versions / version
