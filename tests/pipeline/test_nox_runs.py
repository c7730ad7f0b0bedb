"""pipeline.bench.nox_runs: the pipeline benchmark reads nox's own log."""

from __future__ import annotations

from pathlib import Path

from pipeline.bench import nox_runs


def test_logged_commands_skip_nox_chatter(tmp_path: Path) -> None:
    log = ("nox > Running session tests-3.12\nnox > Reusing existing virtual environment at x\n"
           "nox > uv pip install -r r.txt\nnox > coverage run -m pytest tests/unit\n"
           "nox > Session tests-3.12 was successful in 5 seconds.\n")
    assert nox_runs.logged_commands(log, tmp_path) == [
        (tmp_path / "tests-3-12", ["coverage", "run", "-m", "pytest", "tests/unit"])]
