"""The ceiling for a Flask service: one bare route, no checks, no headers, no log line."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import Flask, request

app = Flask(__name__)
app.json.sort_keys = False  # type: ignore[attr-defined]


@app.post("/echo/<item>")
def echo(item: str) -> dict[str, Any]:
    """Answer the service's body shape as Flask's quickstart writes a JSON route."""
    return {
        "message": "echo",
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "echo": {"item": item, "lang": request.args.get("lang", "none"), "payload": None},
        "_links": {"index": {"href": "/", "method": "GET"}},
    }
