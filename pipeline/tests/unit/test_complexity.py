"""pipeline.lint.complexity: the mccabe gate fails where `python -m mccabe` would exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.lint import complexity

TANGLED = "def tangled(x):\n" + "".join(
    f"    if x == {i}:\n        return {i}\n" for i in range(11)) + "    return -1\n"


def test_a_function_above_the_limit_is_named_with_its_line(tmp_path: Path) -> None:
    source = tmp_path / "pkg" / "mod.py"
    source.parent.mkdir()
    source.write_text("def simple():\n    return 1\n\n\n" + TANGLED, encoding="utf-8")
    assert complexity.too_complex(source, 10) == [
        f"{source}:5: tangled has complexity 12 > 10"]
    assert complexity.too_complex(source, 12) == []
    assert complexity.python_files([str(tmp_path)]) == [source]


def test_main_exits_1_on_an_offender_and_0_otherwise(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "mod.py"
    source.write_text(TANGLED, encoding="utf-8")
    assert complexity.main(["--max-complexity=10", str(source)]) == 1
    assert "tangled has complexity 12" in capsys.readouterr().out
    assert complexity.main(["--max-complexity=12", str(source)]) == 0
    assert "every function is at most 12" in capsys.readouterr().out
