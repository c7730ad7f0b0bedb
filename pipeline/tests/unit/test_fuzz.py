"""The fuzz stage's verdicts: only the service fails it; the tools' crashes are retried, then named.

schemathesis is replaced by a fake runner that writes the JSON run report schemathesis 4.32 writes
(cli/json_report.py `build_document`) and a log, as the real crash did (a `SystemError` inside
hypothesis, counted by schemathesis as an error of the run, exit 1).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.service import free_port
from pipeline.dynamic import fuzz, verdict

CRASH_LOG = ("Traceback (most recent call last):\n  File \"hypothesis/internal/reflection.py\"\n"
             "SystemError: AST constructor recursion depth mismatch (before=18, after=15)\n")


def report(*, errors: tuple[str, ...] = (), failures: tuple[str, ...] = (), tested: int = 5,
           selected: int = 5, generated: int = 4000, complete: bool = True) -> dict[str, Any]:
    """A run report with the fields the verdict reads."""
    return {
        "complete": complete, "stop_reason": "completed" if complete else "error",
        "operations": {"total": selected, "selected": selected, "tested": tested},
        "test_cases": {"generated": generated},
        "failures": [{"title": title, "count": 2} for title in failures],
        "errors": [{"title": title, "count": 1} for title in errors],
    }


class FakeTool:  # pylint: disable=too-few-public-methods  # a ToolRunner: a call, no more
    """Answers each run with the next scripted (exit code, report or None, log text)."""

    def __init__(self, *runs: tuple[int, dict[str, Any] | None, str]) -> None:
        self.runs = list(runs)
        self.seeds: list[str] = []

    def __call__(self, argv: list[str], log: Path) -> int:
        self.seeds.append(argv[argv.index("--seed") + 1])
        returncode, document, output = self.runs.pop(0)
        log.write_text(output, encoding="utf-8")
        if document is not None:
            target = Path(argv[argv.index("--report-json-path") + 1])
            target.write_text(json.dumps(document), encoding="utf-8")
        return returncode


@pytest.fixture(autouse=True)
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Reports and logs go to a temporary directory."""
    monkeypatch.setattr(fuzz, "REPORTS", tmp_path)
    return tmp_path


def run(tool: FakeTool, examples: int = 300) -> tuple[int, str]:
    """Fuzz a fake target with seeds 11 then 22."""
    return fuzz.fuzz(Path("openapi.json"), "http://127.0.0.1:1", examples, [11, 22],
                     runner=tool)


def test_a_clean_run_passes_once() -> None:
    tool = FakeTool((0, report(), "No issues found\n"))
    assert run(tool) == (0, "fuzz: passed with seed 11: 5 operations, 4000 test cases")
    assert tool.seeds == ["11"]


def test_a_tool_crash_is_retried_once_with_a_fresh_seed(capsys: pytest.CaptureFixture[str]) -> None:
    tool = FakeTool((1, report(errors=("Runtime Error",)), CRASH_LOG), (0, report(), "ok\n"))
    code, _ = run(tool)
    printed = capsys.readouterr().out
    assert code == 0 and tool.seeds == ["11", "22"]
    assert "crashed with seed 11, which says nothing about the service" in printed
    assert "SystemError: AST constructor recursion depth mismatch" in printed
    assert "retrying once with seed 22" in printed


def test_two_crashes_in_a_row_are_a_tool_failure_in_one_line(reports: Path) -> None:
    crash = (1, report(errors=("Runtime Error",)), CRASH_LOG * 2000)  # about 200 KB, as seen
    code, line = run(FakeTool(crash, crash))
    assert code == 2 and "\n" not in line
    assert line.startswith("fuzz: tool failure, not a finding: the fuzzing tools crashed twice "
                           "(seeds 11, 22): Runtime Error (SystemError: AST constructor")
    assert f"{reports / 'schemathesis-11.log'}, {reports / 'schemathesis-22.log'}" in line
    assert len(line) < 1000
    assert (reports / "schemathesis-22.log").stat().st_size > 200_000  # all of it, kept


def test_a_tool_that_dies_without_its_report_is_a_crash() -> None:
    code, line = run(FakeTool((139, None, "Segmentation fault\n"), (139, None, "")))
    assert code == 2 and "exited 139 without its run report" in line


def test_a_finding_fails_as_a_finding_without_a_retry() -> None:
    tool = FakeTool((1, report(failures=("Server error",)), "Server error\n"))
    code, line = run(tool)
    assert (code, tool.seeds) == (1, ["11"])
    assert line.startswith("fuzz: finding in the service: Server error x2 (replay: nox -s fuzz "
                           "-- --seed 11;")


def test_a_service_that_stops_answering_is_a_finding_not_a_crash() -> None:
    code, line = run(FakeTool((1, report(errors=("Network Error",)), "Connection refused\n")))
    assert code == 1 and "finding in the service: Network Error x1" in line


@pytest.mark.parametrize(("document", "says"), [
    (report(tested=3), "tested 3 of 5 selected operations"),
    (report(tested=0, selected=0), "tested 0 of 0 selected operations"),
    (report(generated=1499), "generated 1499 test cases, fewer than 300 for each of 5"),
])
def test_a_run_that_exercised_too_little_fails(document: dict[str, Any], says: str) -> None:
    code, line = run(FakeTool((0, document, "")))
    assert code == 1 and f"exercised too little to count: {says}" in line


def test_the_terminal_gets_a_bounded_echo_and_the_log_everything(tmp_path: Path) -> None:
    terminal = io.StringIO()
    lines = 4 * fuzz.ECHO_LIMIT // 20
    script = f"for i in range({lines}): print('x' * 19)"
    code = fuzz.stream([sys.executable, "-c", script], tmp_path / "out.log", terminal)
    assert code == 0
    echoed = terminal.getvalue()
    assert len(echoed) < fuzz.ECHO_LIMIT + 200 and echoed.endswith(f"{tmp_path / 'out.log'})\n")
    assert (tmp_path / "out.log").read_text().count("\n") == lines


@pytest.mark.parametrize(("version", "affected"), [
    ((3, 11, 7), True), ((3, 11, 8), False), ((3, 12, 1), True), ((3, 12, 2), False),
    ((3, 13, 0), False),
])
def test_the_known_interpreter_crash_names_its_fixed_release(version: tuple[int, ...],
                                                             affected: bool) -> None:
    hint = verdict.known_crash(version)
    assert (hint is not None) == affected
    if hint:
        assert "gh-106905" in hint and "or newer" in hint


def test_an_unreachable_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert fuzz.main(["--url", url]) == 1
    assert capsys.readouterr().err == (f"fuzz: {url} cannot be reached ([Errno 111] Connection "
                                       "refused): start the service there or pass the right "
                                       "--url\n")
