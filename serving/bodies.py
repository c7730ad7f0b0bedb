"""A request's body as JSON, read strictly, for any route of the API that takes one."""

from __future__ import annotations

import json
import math
from typing import Any

from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from serving.context import current_request

JSON = "application/json"
_NO_BODY = (None, "", "0")


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):  # 1e999 parses to inf, which no JSON response can carry
        raise ValueError("number out of range")
    return value


def _not_json(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> Any:
    """Decode strict JSON: UTF-8, no NaN or Infinity, no number too large for a float."""
    try:
        return json.loads(raw.decode("utf-8"), parse_float=_finite, parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("the body must be UTF-8 JSON") from None


def json_body(*, null: bool = True) -> Any | None:
    """The body as JSON, or None when there is none; any other media type is a 415.

    A body of JSON `null` is None as well, which an API whose contract takes only objects
    cannot tell from no body: with `null=False` it is refused with a 400 instead.
    """
    req = current_request()
    environ = req.environ
    # RFC 9112 section 6.3: with neither Content-Length nor Transfer-Encoding there is no body,
    # and most requests send none, so they skip building a body stream. The edge hands every
    # request over with its buffered body's length, "0" when there is none.
    if "HTTP_TRANSFER_ENCODING" not in environ and environ.get("CONTENT_LENGTH") in _NO_BODY:
        return None
    raw = req.get_data(cache=False)  # enforces MAX_CONTENT_LENGTH with a 413
    if not raw:
        return None
    if req.mimetype != JSON:
        raise UnsupportedMediaType(f"a request body must be {JSON}")
    body = parse_json(raw)
    if body is None and not null:
        raise BadRequest("the body must not be JSON null")
    return body
