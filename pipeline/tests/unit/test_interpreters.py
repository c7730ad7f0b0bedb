"""pipeline.core.interpreters: unselected pyenv Pythons are found; no download is tried in vain."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from pipeline.core import interpreters


def _python(directory: Path, minor: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    exe = directory / f"python{minor}"
    exe.write_text("#!/bin/sh\n", encoding="utf-8")
    exe.chmod(0o755)
    return directory


def test_unselected_pyenv_versions_are_found_newest_patch_first(tmp_path: Path) -> None:
    root = tmp_path / "pyenv"
    _python(root / "versions" / "3.12.1" / "bin", "3.12")
    newest = _python(root / "versions" / "3.12.10" / "bin", "3.12")
    _python(root / "versions" / "3.12-dev" / "bin", "3.12")  # not a release: ignored
    (root / "versions" / "3.13.0" / "bin").mkdir(parents=True)  # no interpreter inside
    env = {"PYENV_ROOT": str(root), "PATH": ""}
    assert interpreters.locate(["3.11", "3.12", "3.13"], env) == {"3.12": newest}


def test_a_real_interpreter_on_path_wins_and_pyenv_shims_do_not_count(tmp_path: Path) -> None:
    root = tmp_path / "pyenv"
    shims = _python(root / "shims", "3.12")  # answers only when 3.12 is selected
    system = _python(tmp_path / "usr" / "bin", "3.11")
    pyenv_312 = _python(root / "versions" / "3.12.1" / "bin", "3.12")
    _python(root / "versions" / "3.11.7" / "bin", "3.11")
    env = {"PYENV_ROOT": str(root), "PATH": os.pathsep.join([str(shims), str(system)])}
    assert interpreters.locate(["3.11", "3.12"], env) == {"3.11": system, "3.12": pyenv_312}


def test_found_directories_are_appended_once_so_path_keeps_its_choice(tmp_path: Path) -> None:
    env = {"PATH": os.pathsep.join(["/usr/bin", str(tmp_path)])}
    extra = tmp_path / "3.12" / "bin"
    path = interpreters.extended_path({"3.11": tmp_path, "3.12": extra}, env)
    assert path.split(os.pathsep) == ["/usr/bin", str(tmp_path), str(extra)]


def test_download_never_and_uv_offline_need_no_network() -> None:
    assert interpreters.why_no_download(["-s", "tests", "--download-python", "never"], {}) == (
        "--download-python never")
    assert interpreters.why_no_download(["--download-python=never"], {}) == (
        "--download-python never")
    assert interpreters.why_no_download([], {"NOX_DOWNLOAD_PYTHON": "never"}) == (
        "--download-python never")
    assert interpreters.why_no_download([], {"UV_OFFLINE": "1"}) == "UV_OFFLINE is set"


def test_an_unreachable_download_host_is_named() -> None:
    with socket.socket() as closed:  # a loopback port that nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    mirror = {"UV_PYTHON_INSTALL_MIRROR": f"https://127.0.0.1:{port}/pbs"}
    assert interpreters.why_no_download([], mirror) == f"127.0.0.1:{port} is unreachable (offline)"


def test_a_reachable_download_host_lets_nox_download() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert interpreters.why_no_download([], {"HTTPS_PROXY": f"127.0.0.1:{port}"}) is None


@pytest.mark.parametrize(("env", "host"), [
    ({}, ("releases.astral.sh", 443)),
    ({"UV_PYTHON_INSTALL_MIRROR": "https://mirror.example:8443/pbs"}, ("mirror.example", 8443)),
    ({"https_proxy": "http://proxy.example:3128"}, ("proxy.example", 3128)),
])
def test_the_probe_asks_the_host_a_download_would_contact(
        env: dict[str, str], host: tuple[str, int]) -> None:
    assert interpreters.download_host(env) == host


def test_the_message_names_both_ways_to_install() -> None:
    assert "uv python install 3.13" in interpreters.how_to_get("3.13")
    assert "pyenv install 3.13" in interpreters.how_to_get("3.13")
