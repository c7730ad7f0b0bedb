"""Writes need the API key: X-API-Key compared in constant time with the configured one."""

from __future__ import annotations

import hmac

from flask import request
from werkzeug.exceptions import Unauthorized

from .settings import Settings

HEADER = "X-API-Key"


def require_key() -> None:
    """Refuse (401) a request without the key; with no key configured, refuse every write."""
    expected = Settings.current().inventory_api_key.get_secret_value().encode()
    given = request.headers.get(HEADER, "").encode()
    # compare_digest takes as long for a near miss as for a wild guess: no timing oracle.
    if not expected or not hmac.compare_digest(given, expected):
        raise Unauthorized(f"this write needs the API key in {HEADER}")
