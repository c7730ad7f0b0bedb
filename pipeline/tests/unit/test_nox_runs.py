"""pipeline.bench.nox_runs: the pipeline benchmark reads nox's own log."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.bench import nox_runs


def test_logged_commands_skip_nox_chatter(tmp_path: Path) -> None:
    log = ("nox > Running session tests-3.12\nnox > Reusing existing virtual environment at x\n"
           "nox > uv pip install -r r.txt\nnox > coverage run -m pytest tests/unit\n"
           "nox > Session tests-3.12 was successful in 5 seconds.\n")
    assert nox_runs.logged_commands(log, tmp_path) == [
        (tmp_path / "tests-3-12", ["coverage", "run", "-m", "pytest", "tests/unit"])]


def test_timed_counts_the_child_cpu_and_keeps_its_output(tmp_path: Path) -> None:
    burn = "import sys; sum(range(3_000_000)); print('out'); sys.exit(3)"
    timing = nox_runs.timed([sys.executable, "-c", burn], tmp_path)
    assert timing.returncode == 3 and timing.output == "out\n"
    assert 0 < timing.cpu_s <= timing.wall_s * 2 + 0.5


def test_the_tools_replay_in_their_own_environment(tmp_path: Path) -> None:
    venv = tmp_path / "lint"
    (venv / "bin").mkdir(parents=True)
    tool = venv / "bin" / "probe"
    tool.write_text(f"#!{sys.executable}\nimport os\n"
                    "assert os.environ['VIRTUAL_ENV'].endswith('lint')\n", encoding="utf-8")
    tool.chmod(0o755)
    timing = nox_runs.tools_time(tmp_path, [(venv, ["probe"]), (venv, ["probe"])])
    assert timing.wall_s > 0 and timing.cpu_s > 0 and timing.returncode == 0
    failing = nox_runs.tools_time(tmp_path, [(tmp_path / "other", [str(tool)])])
    assert failing.returncode == 1  # the probe's assertion: VIRTUAL_ENV is not .../lint
