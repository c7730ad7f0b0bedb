"""pipeline.container.rootfs: the apt sources and the mmdebstrap call of the air-gapped base."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.container import rootfs


def test_deb822_sources_move_to_the_suite_asked_for(tmp_path: Path) -> None:
    sources = tmp_path / "debian.sources"
    sources.write_text(
        "Types: deb\nURIs: http://mirror.invalid/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main\n\nTypes: deb-src\nURIs: http://mirror.invalid/debian\n"
        "Suites: bookworm\nComponents: main\n\nTypes: deb\nURIs: http://mirror.invalid/old\n"
        "Suites: bullseye\nComponents: main\n")
    assert rootfs.mirror_entries("trixie", (sources,)) == [
        "deb http://mirror.invalid/debian trixie main",
        "deb http://mirror.invalid/debian trixie-updates main",
        "deb http://mirror.invalid/old trixie main",
    ]
    forky = rootfs.archive_entry("forky", (sources,))
    assert forky == "deb http://mirror.invalid/debian forky main"
    with pytest.raises(RuntimeError, match="no apt source"):
        rootfs.mirror_entries("trixie", (tmp_path / "absent.sources",))


def test_one_line_sources_are_read_too(tmp_path: Path) -> None:
    sources = tmp_path / "sources.list"
    sources.write_text("# comment\ndeb http://mirror.invalid/debian bookworm main\n"
                       "deb http://mirror.invalid/debian-security bookworm-security main\n")
    assert rootfs.mirror_entries("bookworm", (sources,)) == [
        "deb http://mirror.invalid/debian bookworm main",
        "deb http://mirror.invalid/debian-security bookworm-security main"]


def test_the_fresh_machine_has_python_and_git_only() -> None:
    image = rootfs.IMAGES["fresh-machine"]
    assert image.ref.startswith("local/") and set(image.packages.split(",")) == {
        "python3", "python3-venv", "git"}


def test_the_local_base_is_the_runtime_minor_on_trixie() -> None:
    assert rootfs.IMAGES["python"].ref == "local/python:3.13-trixie"
    assert rootfs.IMAGES["python"].suite == "trixie"


def test_mmdebstrap_writes_a_minimal_tarball(tmp_path: Path) -> None:
    image = rootfs.Image("local/x:1", "trixie", "python3,git")
    command = rootfs.mmdebstrap_command(tmp_path / "r.tar", ["deb http://m.invalid trixie main"],
                                        image)
    assert command[:3] == ["mmdebstrap", "--quiet", "--variant=minbase"]
    assert "--include=python3,git" in command
    assert command[-3:] == ["trixie", str(tmp_path / "r.tar"), "deb http://m.invalid trixie main"]
