"""Schema fuzzing: schemathesis drives every operation of the served OpenAPI document.

Usage: python -m pipeline.dynamic.fuzz [--url URL] [--examples N] [--seed N] [OPTION...]
Without --url it starts `python -m serving` on a free loopback port. The document is fetched
from the server and saved, so the run covers /openapi.json too (schemathesis skips the URL it
loaded the schema from). Each run draws a fresh seed and prints it, so a failure found once can
be replayed with `--seed`. Any other option goes to `schemathesis run` as it is (for example
`--exclude-path /admin` or `--phases examples,fuzzing`), to tune the run for your API.

Only the service fails the run: a crash inside the fuzzing tools is retried once with a fresh
seed, and two in a row end as a tool failure in one line, the full output kept in build/fuzz/.
A run that tested fewer operations or examples than configured fails too (pipeline/dynamic/
verdict.py), so a tool that silently does nothing never passes.
"""

from __future__ import annotations

import argparse
import json
import secrets
# Not pipeline.core.cmd: schemathesis reports progress for minutes, so its output streams live
# instead of being captured until it ends.
import subprocess  # nosec B404 - runs schemathesis with a fixed argv
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from pipeline.core import probes
from pipeline.core.paths import FUZZ_DIR
from pipeline.core.service import ServerNotReady, serve
from pipeline.core.httpclient import call
from pipeline.dynamic.verdict import Verdict, judge, known_crash

REPORTS = FUZZ_DIR
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Examples per operation. Measured with the line-feed fix undone (`/echo/a%0Ab`
# answered 404): schemathesis 4.32 missed it at 25, 100 and 300 examples (seeds 11, 22, 33,
# fuzzing and coverage phases) and in a whole run of 300 (4,011 cases); what pins that class
# is the contract tests' hostile path values (pipeline/tests/http/test_contract.py). Its
# coverage phase found the JSON-null body at any count, and the gates' planted crash falls at
# 50. 300 is the run the service's targets are set for, so the pipeline's fuzz is that run:
# 88 s on a quiet machine, 69 s of it the stateful phase.
EXAMPLES = 300
# A normal run prints about 2 KB; a crash inside hypothesis printed 200 KB of tracebacks. Past
# this much the terminal gets a pointer to the log, which keeps everything.
ECHO_LIMIT = 16_000

# Runs one schemathesis argv, its output going to the log (and, within reason, the terminal);
# returns the exit code. Tests pass a fake that writes the run report a scenario needs.
ToolRunner = Callable[[list[str], Path], int]


def configuration(credential: probes.Credential | None, directory: Path | None = None) -> Path:
    """CONFIG, plus the credential header when tests/probes.toml declares one: the file names
    the variable and schemathesis reads its value from the environment (never argv or a file)."""
    if credential is None:
        return CONFIG
    directory = directory or REPORTS  # read at call time: tests point REPORTS elsewhere
    directory.mkdir(parents=True, exist_ok=True)
    written = directory / CONFIG.name
    header = json.dumps(credential.header)
    written.write_text(f'headers = {{ {header} = "${{{credential.setting}}}" }}\n\n'
                       + CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    return written


def schemathesis_command(schema: Path, url: str, examples: int, seed: int,
                         extra: Sequence[str] = ()) -> list[str]:
    """Every check, positive and negative data, at least `examples` per operation."""
    binary = Path(sys.executable).with_name("schemathesis")
    config = configuration(probes.load().credential)
    return [
        str(binary), "--config-file", str(config), "run", str(schema), "--url", url,
        "--checks", "all", "--mode", "all",
        "--max-examples", str(examples), "--seed", str(seed), "--workers", "2",
        "--request-timeout", "5", "--report", "junit,json", "--report-dir", str(REPORTS),
        "--report-json-path", str(report_path(seed)), "--no-color", *extra,
    ]


def report_path(seed: int) -> Path:
    """schemathesis's JSON run report for one seed."""
    return REPORTS / f"run-{seed}.json"


def log_path(seed: int) -> Path:
    """Everything schemathesis printed for one seed."""
    return REPORTS / f"schemathesis-{seed}.log"


def stream(argv: list[str], log: Path, terminal: TextIO = sys.stdout) -> int:
    """Run schemathesis, every line to the log and the first ECHO_LIMIT bytes to the terminal."""
    echoed = 0
    with log.open("w", encoding="utf-8") as kept, subprocess.Popen(  # nosec B603
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            errors="replace") as process:
        assert process.stdout is not None  # nosec B101 - stdout=PIPE above
        for line in process.stdout:
            kept.write(line)
            if echoed < ECHO_LIMIT <= echoed + len(line):
                terminal.write(f"... (the rest is in {log})\n")
            elif echoed < ECHO_LIMIT:
                terminal.write(line)
                terminal.flush()
            echoed += len(line)
    return process.returncode


def fuzz(schema: Path, url: str, examples: int, seeds: Sequence[int],
         extra: Sequence[str] = (), runner: ToolRunner = stream) -> tuple[int, str]:
    """Run with the first seed, again with the second only if the tools crashed; exit code, line."""
    crashes: list[tuple[int, Verdict]] = []
    for seed in seeds[:2]:
        print(f"fuzz: {url} with {examples} examples per operation, seed {seed} "
              f"(replay: nox -s fuzz -- --seed {seed})", flush=True)
        report_path(seed).unlink(missing_ok=True)
        returncode = runner(schemathesis_command(schema, url, examples, seed, extra),
                            log_path(seed))
        verdict = judge(report_path(seed), log_path(seed), returncode, examples)
        if verdict.kind != "crash":
            return _outcome(verdict, seed)
        crashes.append((seed, verdict))
        if len(crashes) < 2:
            print(f"fuzz: the fuzzing tools crashed with seed {seed}, which says nothing about "
                  f"the service: {verdict.detail}; retrying once with seed {seeds[1]}",
                  flush=True)
    logs = ", ".join(str(log_path(seed)) for seed, _ in crashes)
    hint = known_crash() or "see the logs, and report it to schemathesis if it is theirs"
    return 2, (f"fuzz: tool failure, not a finding: the fuzzing tools crashed twice (seeds "
               f"{', '.join(str(seed) for seed, _ in crashes)}): {crashes[-1][1].detail}; "
               f"{hint}; full output in {logs}")


def _outcome(verdict: Verdict, seed: int) -> tuple[int, str]:
    replay = f"replay: nox -s fuzz -- --seed {seed}; full output in {log_path(seed)}"
    if verdict.kind == "passed":
        return 0, f"fuzz: passed with seed {seed}: {verdict.detail}"
    if verdict.kind == "finding":
        return 1, f"fuzz: finding in the service: {verdict.detail} ({replay})"
    return 1, (f"fuzz: the run exercised too little to count: {verdict.detail} (lower "
               f"--examples or select fewer operations if that is intended; {replay})")


def main(argv: list[str] | None = None) -> int:
    """Fuzz the target: 0 passed, 1 a finding or too little tested, 2 the tools crashed twice."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running server; default: start one")
    parser.add_argument("--examples", type=int, default=EXAMPLES)
    parser.add_argument("--seed", type=int, help="replay a run (default: a fresh seed)")
    args, extra = parser.parse_known_args(argv)
    seed = secrets.randbelow(2**31) if args.seed is None else args.seed
    seeds = [seed, secrets.randbelow(2**31)]
    REPORTS.mkdir(parents=True, exist_ok=True)
    probes.load().headers()  # the run's credential, in the environment before any server starts
    with ExitStack() as stack:
        try:
            url = args.url or stack.enter_context(serve(REPORTS / "server.log")).url
        except ServerNotReady as failure:
            print(f"fuzz: the server did not start: {failure}", file=sys.stderr)
            return 1
        try:
            reply = call(url, "GET", "/openapi.json")
        except OSError as failure:  # refused, unresolvable, timed out
            print(f"fuzz: {url} cannot be reached ({failure}): start the service there or "
                  "pass the right --url", file=sys.stderr)
            return 1
        if reply.status != 200:
            print(f"fuzz: {url}/openapi.json answered {reply.status}", file=sys.stderr)
            return 1
        schema = REPORTS / "openapi.json"
        schema.write_bytes(reply.body)
        code, line = fuzz(schema, url, args.examples, seeds, extra)
    print(line, file=sys.stderr if code else sys.stdout)
    if not args.url:  # the server this run started: its access log says how far writes got
        answered = writes_answered(REPORTS / "server.log")
        each = ", ".join(f"{route}: {count}" for route, count in sorted(answered.items()))
        print(f"fuzz: {answered.total()} writes answered 2xx, past validation and "
              f"authentication ({each or 'none'})", flush=True)
    return code


def writes_answered(log: Path) -> Counter[str]:
    """Count the 2xx answers to requests that change state, by method and path, from the
    server's JSON access log."""
    counted: Counter[str] = Counter()
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if (isinstance(entry, dict) and entry.get("method") not in (None, "GET", "HEAD", "OPTIONS")
                and isinstance(entry.get("status"), int) and 200 <= entry["status"] < 300):
            counted[f"{entry['method']} {entry.get('path', '?')}"] += 1
    return counted


if __name__ == "__main__":
    sys.exit(main())
