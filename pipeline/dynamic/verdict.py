"""What one schemathesis run says about the service: passed, a finding, a tool crash, too little.

Read from schemathesis's own JSON run report (`--report json`, schemathesis 4.32
cli/json_report.py), not from its exit code: a Python exception inside the fuzzing tools (a
`SystemError` out of hypothesis, say) is counted as an error of the run and exits 1, exactly
like a failure the service caused.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Error titles that describe the service, not the tool (schemathesis engine/errors.py `title`):
# it refused connections, hung, broke its own schema. Anything else ("Runtime Error",
# "Test Execution Error", ...) is the tool's own exception.
SERVICE_ERRORS = frozenset({
    "Network Error", "Unhealthy API", "Unresponsive Operation", "Server Unavailable",
    "Schema Error", "Schema Loading Error", "Invalid Link Definition",
    "Invalid OpenAPI Links Definition", "Failed Health Check",
})
_EXCEPTION_LINE = re.compile(r"^\s*([A-Za-z_][\w.]*(?:Error|Exception)): (\S.*)$")


@dataclass(frozen=True)
class Verdict:
    """One run's outcome: `kind` is passed, finding, crash or short; `detail` says what."""

    kind: str
    detail: str

    @property
    def passed(self) -> bool:
        """Tell whether the run counts as a pass."""
        return self.kind == "passed"


def first_exception(log: Path) -> str:
    """The first `SomeError: message` line of a run's output, or a placeholder."""
    with log.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            match = _EXCEPTION_LINE.match(line)
            if match:
                return f"{match[1]}: {match[2][:200]}"
    return "no exception line in its output"


def judge(report: Path, log: Path, returncode: int, examples: int) -> Verdict:
    """Classify one run from its JSON report, its output log and its exit code."""
    if not report.is_file():
        return Verdict("crash", f"exited {returncode} without its run report "
                                f"({first_exception(log)})")
    document: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    tool_errors = [error["title"] for error in document.get("errors", [])
                   if error["title"] not in SERVICE_ERRORS]
    if tool_errors or not document.get("complete") or returncode not in (0, 1):
        what = ", ".join(tool_errors) or f"stopped: {document.get('stop_reason')}"
        return Verdict("crash", f"{what} ({first_exception(log)})")
    failures = [f"{group['title']} x{group['count']}" for group in document.get("failures", [])]
    service_errors = [f"{error['title']} x{error['count']}" for error in document["errors"]]
    if failures or service_errors or returncode:
        return Verdict("finding", "; ".join(failures + service_errors) or f"exit {returncode}")
    return _coverage(document, examples)


def _coverage(document: dict[str, Any], examples: int) -> Verdict:
    """A run that tested every selected operation with the configured examples each passes."""
    operations = document.get("operations") or {}
    selected, tested = operations.get("selected", 0), operations.get("tested", 0)
    generated = document.get("test_cases", {}).get("generated", 0)
    if not selected or tested < selected:
        return Verdict("short", f"tested {tested} of {selected} selected operations")
    if generated < examples * tested:
        return Verdict("short", f"generated {generated} test cases, fewer than {examples} for "
                                f"each of {tested} operations")
    return Verdict("passed", f"{tested} operations, {generated} test cases")


# CPython gh-106905: the AST constructor's recursion counter is shared by every thread, and a
# garbage collection inside ast.parse lets another thread move it; hypothesis parses source in
# each of schemathesis's worker threads. Fixed in 3.11.8 and 3.12.2 (CPython PR 113035).
_AST_RACE_FIXED_IN = {(3, 11): (3, 11, 8), (3, 12): (3, 12, 2)}


def known_crash(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> str | None:
    """Name the interpreter bug behind a crash this Python is known for, with its fix."""
    fixed = _AST_RACE_FIXED_IN.get((version[0], version[1]))
    if fixed is None or version >= fixed:
        return None
    return (f"Python {'.'.join(map(str, version))} has CPython gh-106905 (`SystemError: AST "
            f"constructor recursion depth mismatch` in threads): run nox on Python "
            f"{'.'.join(map(str, fixed))} or newer")
