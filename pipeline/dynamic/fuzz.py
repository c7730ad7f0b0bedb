"""Schema fuzzing: schemathesis drives every operation of the served OpenAPI document.

Usage: python -m pipeline.dynamic.fuzz [--url URL] [--examples N]. Without --url it starts
`python -m app` on a free loopback port. The document is fetched from the server and saved, so
the run covers /openapi.json too (schemathesis skips the URL it loaded the schema from).
"""

from __future__ import annotations

import argparse
# Not pipeline.core.cmd: schemathesis reports progress for minutes, so its output streams live
# instead of being captured until it ends.
import subprocess  # nosec B404 - runs schemathesis with a fixed argv
import sys
from contextlib import ExitStack
from pathlib import Path

from pipeline.core.paths import FUZZ_DIR
from pipeline.core.service import serve
from pipeline.core.httpclient import call

REPORTS = FUZZ_DIR


def schemathesis_command(schema: Path, url: str, examples: int) -> list[str]:
    """Every check, positive and negative data, at least `examples` per operation."""
    binary = Path(sys.executable).with_name("schemathesis")
    return [
        str(binary), "run", str(schema), "--url", url, "--checks", "all", "--mode", "all",
        "--max-examples", str(examples), "--workers", "2", "--request-timeout", "5",
        "--report", "junit", "--report-dir", str(REPORTS), "--no-color",
    ]


def main(argv: list[str] | None = None) -> int:
    """Fuzz the target and return schemathesis's exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="a running server; default: start one")
    parser.add_argument("--examples", type=int, default=200)
    args = parser.parse_args(argv)
    REPORTS.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        url = args.url or stack.enter_context(serve(REPORTS / "server.log")).url
        reply = call(url, "GET", "/openapi.json")
        if reply.status != 200:
            print(f"fuzz: {url}/openapi.json answered {reply.status}", file=sys.stderr)
            return 1
        schema = REPORTS / "openapi.json"
        schema.write_bytes(reply.body)
        print(f"fuzz: {url} with {args.examples} examples per operation", flush=True)
        return subprocess.run(  # nosec B603
            schemathesis_command(schema, url, args.examples), check=False
        ).returncode


if __name__ == "__main__":
    sys.exit(main())
