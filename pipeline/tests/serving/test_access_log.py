"""The access line: exactly what the JSON formatter would write, on hostile input too."""

from __future__ import annotations

import json
import logging
import time

import pytest

from serving.access_log import ACCESS_LOGGER, Access, JsonFormatter

HOSTILE = ["/things/x", '/"quoted"\\', "/caf\u00e9/\u2028/\U0001f600", "/\x00\x1f\x7f", "/\ud800",
           "G\u00c9T", ""]


@pytest.mark.parametrize("text", HOSTILE)
def test_the_line_is_json_dumps_of_the_formatters_entry(text: str) -> None:
    access = Access(method=text[:16], path=text, status=413, duration_ms=round(1 / 3, 3),
                    request_id="req-0000001")
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
