"""pipeline.core.debian_pythons: which suite, the mmdebstrap and patchelf calls, the relocation."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core import debian_pythons


def test_a_minor_no_suite_carries_is_one_line_naming_other_ways() -> None:
    with pytest.raises(debian_pythons.CannotInstall, match="pyenv install 3.12"):
        debian_pythons.suite("3.12")


def test_only_a_suite_past_its_valid_until_waives_the_date(tmp_path: Path) -> None:
    forky = debian_pythons.mmdebstrap_command("3.15", tmp_path, "deb http://m.invalid forky main")
    trixie = debian_pythons.mmdebstrap_command("3.13", tmp_path, "deb http://m.invalid trixie main")
    waiver = '--aptopt=Acquire::Check-Valid-Until "false"'
    assert waiver in forky and waiver not in trixie
    assert "--include=python3.15,python3.15-venv,python3.15-dev" in forky
    assert forky[-3:] == ["forky", str(tmp_path), "deb http://m.invalid forky main"]


def test_patchelf_points_at_the_loader_where_the_tree_will_live(tmp_path: Path) -> None:
    command = debian_pythons.patchelf_command(tmp_path / "staging", tmp_path / "3.15.0", "3.15")
    assert command[:3] == ["patchelf", "--set-interpreter",
                           str(tmp_path / "3.15.0" / "usr/lib64/ld-linux-x86-64.so.2")]
    assert "--force-rpath" in command  # DT_RPATH also serves the extension modules it loads
    assert command[-1] == str(tmp_path / "staging" / "usr/bin/python3.15")


def test_relocate_moves_the_wheel_folder_and_adds_include(tmp_path: Path) -> None:
    stdlib = tmp_path / "usr" / "lib" / "python3.15"
    stdlib.mkdir(parents=True)
    data = stdlib / "_sysconfigdata__x86_64-linux-gnu.py"
    data.write_text("build_time_vars = {'WHEEL_PKG_DIR': '/usr/share/python-wheels/', 'x': 1}\n")
    debian_pythons.relocate(tmp_path, Path("/opt/py/3.15.0"), "3.15")
    assert "'WHEEL_PKG_DIR': '/opt/py/3.15.0/usr/share/python-wheels/'" in data.read_text()
    assert (tmp_path / "include").readlink() == Path("usr/include")


def test_the_version_is_read_from_dpkg(tmp_path: Path) -> None:
    status = tmp_path / "var" / "lib" / "dpkg" / "status"
    status.parent.mkdir(parents=True)
    status.write_text("Package: python3.15\nVersion: 3.15.0-1\n\n"
                      "Package: python3.15-minimal\nStatus: install ok installed\n"
                      "Version: 3.15.0-1\n")
    assert debian_pythons.installed_version(tmp_path, "3.15") == "3.15.0"
    with pytest.raises(debian_pythons.CannotInstall, match="python3.14-minimal"):
        debian_pythons.installed_version(tmp_path, "3.14")


def test_a_version_that_is_not_x_y_z_is_refused(tmp_path: Path) -> None:
    assert debian_pythons.version_dir(tmp_path, "3.15.0") == tmp_path / "3.15.0"
    with pytest.raises(debian_pythons.CannotInstall):
        debian_pythons.version_dir(tmp_path, "3.15.0rc1")
