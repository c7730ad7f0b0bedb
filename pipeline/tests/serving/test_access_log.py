"""The access line: exactly what the JSON formatter would write, on hostile input too."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess  # nosec B404 - runs this interpreter on a fixed script
import sys
import time

import pytest

from pipeline.core.paths import ROOT
from serving.access_log import (
    ACCESS_LOGGER, BATCH_DELAY_S, Access, JsonFormatter, configure_logging,
)

HOSTILE = ["/things/x", '/"quoted"\\', "/caf\u00e9/\u2028/\U0001f600", "/\x00\x1f\x7f", "/\ud800",
           "G\u00c9T", ""]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_line_is_json_dumps_of_the_formatters_entry(text: str) -> None:
    access = Access(method=text[:16], path=text, status=413, duration_ms=round(1 / 3, 3),
                    request_id="req-0000001", client=text)
    created = time.time()
    record = logging.LogRecord(ACCESS_LOGGER, logging.INFO, __file__, 1, "request", None, None)
    record.created = created
    record.fields = access._asdict()
    assert access.line(created) == JsonFormatter().format(record) + "\n"
    assert json.loads(access.line(created))["path"] == text


def test_every_line_is_written_whole_and_flushed(capsys: pytest.CaptureFixture[str]) -> None:
    Access("POST", "/a", 200, 0.0, "r" * 32).write()
    Access("GET", "/b", 404, 1e-05, "s" * 32).write()
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["path"] for line in lines] == ["/a", "/b"]
    assert json.loads(lines[1])["duration_ms"] == 1e-05


def _lines_of(output: str) -> list[str]:
    return [json.loads(line)["path"] for line in output.splitlines()]


def test_under_an_event_loop_lines_wait_for_one_write(capsys: pytest.CaptureFixture[str]) -> None:
    async def serve() -> list[str]:
        Access("POST", "/a", 200, 0.0, "r" * 32).write()
        Access("GET", "/b", 200, 0.0, "s" * 32).write()
        waiting = capsys.readouterr().out
        await asyncio.sleep(BATCH_DELAY_S * 2)
        return [waiting, capsys.readouterr().out]

    waiting, written = asyncio.run(serve())
    assert (waiting, _lines_of(written)) == ("", ["/a", "/b"])


def test_a_log_record_comes_after_the_lines_waiting_before_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO")

    async def serve() -> None:
        Access("POST", "/first", 200, 0.0, "r" * 32).write()
        logging.getLogger("serving").warning("then this")

    asyncio.run(serve())
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [entry.get("path", entry["message"]) for entry in out] == ["/first", "then this"]


# Lines written under a running loop, then the process ends before the batch's delay is up:
# first a forked child, as Granian starts its workers, then the process itself.
_ENDINGS = {"returns": "", "raises": "raise RuntimeError('the worker dies')"}
_CHILD = """
import asyncio, multiprocessing
from serving.access_log import Access

async def serve(who):
    for n in range(40):
        Access("GET", f"/{{who}}/{{n}}", 200, 0.0, "r" * 32).write()
    {ending}

def worker(who):
    asyncio.run(serve(who))

if __name__ == "__main__":
    child = multiprocessing.get_context("fork").Process(target=worker, args=("fork",))
    child.start()
    child.join()
    worker("process")
"""


@pytest.mark.parametrize("ending", sorted(_ENDINGS))
def test_no_line_is_lost_when_a_process_ends(ending: str) -> None:
    script = _CHILD.format(ending=_ENDINGS[ending])
    result = subprocess.run(  # nosec B603 - this interpreter, a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, cwd=ROOT,
        check=False)
    assert _lines_of(result.stdout) == [f"/{who}/{n}" for who in ("fork", "process")
                                        for n in range(40)], result.stderr[-500:]
