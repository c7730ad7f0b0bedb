"""pipeline.container.rootfs: the apt sources and the mmdebstrap call of the air-gapped base."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.container import rootfs


def test_deb822_sources_give_bookworm_entries_only(tmp_path: Path) -> None:
    sources = tmp_path / "debian.sources"
    sources.write_text(
        "Types: deb\nURIs: http://mirror.invalid/debian\nSuites: bookworm bookworm-updates\n"
        "Components: main\n\nTypes: deb-src\nURIs: http://mirror.invalid/debian\n"
        "Suites: bookworm\nComponents: main\n\nTypes: deb\nURIs: http://mirror.invalid/old\n"
        "Suites: bullseye\nComponents: main\n")
    assert rootfs.mirror_entries((sources,)) == [
        "deb http://mirror.invalid/debian bookworm main",
        "deb http://mirror.invalid/debian bookworm-updates main",
    ]
    with pytest.raises(RuntimeError, match="no apt source"):
        rootfs.mirror_entries((tmp_path / "absent.sources",))


def test_one_line_sources_are_read_too(tmp_path: Path) -> None:
    sources = tmp_path / "sources.list"
    sources.write_text("# comment\ndeb http://mirror.invalid/debian bookworm main\n"
                       "deb http://mirror.invalid/debian bullseye main\n")
    assert rootfs.mirror_entries((sources,)) == ["deb http://mirror.invalid/debian bookworm main"]


def test_the_fresh_machine_has_python_and_git_only() -> None:
    image, packages = rootfs.IMAGES["fresh-machine"]
    assert image.startswith("local/") and set(packages.split(",")) == {
        "python3", "python3-venv", "git"}


def test_mmdebstrap_writes_a_minimal_tarball(tmp_path: Path) -> None:
    command = rootfs.mmdebstrap_command(tmp_path / "r.tar", ["deb http://m.invalid bookworm main"],
                                        "python3,git")
    assert command[:3] == ["mmdebstrap", "--quiet", "--variant=minbase"]
    assert "--include=python3,git" in command
    assert command[-2:] == [str(tmp_path / "r.tar"), "deb http://m.invalid bookworm main"]
