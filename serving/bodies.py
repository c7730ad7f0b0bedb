"""A request's body as JSON, read strictly, for any route of the API that takes one."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from serving.context import current_request

JSON = "application/json"
_NO_BODY = (None, "", "0")
_NOT_READ = object()


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


class JsonRequest(Request):
    """Flask's request whose `get_json` is `json_body`: strict, None when there is no body.

    The API's body models are validated from it (APIFlask reads bodies with `get_json`), so a
    body no model could be (NaN, a huge number, JSON null, not UTF-8) is a 400 before any
    model runs, and the parsed body is kept for `has_body`.
    """

    _json: Any = _NOT_READ

    def get_json(self, force: bool = False, silent: bool = False,
                 cache: bool = True) -> Any:
        """The body as strict JSON, read once; the arguments are Flask's and change nothing."""
        del force, silent, cache  # the JSON API's rule is the same whatever the caller asks
        if self._json is _NOT_READ:
            self._json = json_body(null=False)
        return self._json


def has_body() -> bool:
    """Tell whether the request carried a JSON body, for views whose body is optional."""
    return current_request().get_json() is not None
