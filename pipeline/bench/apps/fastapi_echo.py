"""The echo endpoint written for FastAPI, as a reference point: same rules, same body."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import FastAPI, HTTPException, Path, Query

from app.validation import ITEM_MAX, ITEM_PATTERN, LANG_MAX, LANG_PATTERN

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.post("/echo/{item}")
def echo(
    item: Annotated[str, Path(max_length=ITEM_MAX, pattern=f"^{ITEM_PATTERN}$")],
    lang: Annotated[str | None, Query(max_length=LANG_MAX, pattern=f"^{LANG_PATTERN}$")] = None,
) -> dict:
    """Echo like the Flask service does, with FastAPI's own validation."""
    if not item:
        raise HTTPException(status_code=400, detail="item")
    return {
        "message": "echo",
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "echo": {"item": item, "lang": lang or "none", "payload": None},
        "_links": {"index": {"href": "/", "method": "GET"}},
    }
