"""The ceiling for a Flask service: one bare route answering the service's own body, no work.

Any method and path: the bench sends it the service's work request. The body is the service's
answer to that request (recorded by pipeline/bench/servers.py), returned as a dict, so Flask
serialises it per request as its quickstart's JSON routes do.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from pipeline.bench.servers import body_file

BODY: dict[str, Any] = json.loads(body_file().read_bytes())

app = Flask(__name__)
app.json.sort_keys = False  # type: ignore[attr-defined]


@app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def answer(path: str) -> dict[str, Any]:  # pylint: disable=unused-argument  # any path will do
    """Answer the service's body shape as Flask's quickstart writes a JSON route."""
    return BODY
