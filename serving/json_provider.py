"""Flask's JSON through orjson: the same documents, serialised in Rust instead of Python."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Flask
from flask.json.provider import DefaultJSONProvider, JSONProvider
from werkzeug.sansio.response import Response  # what JSONProvider.response promises

# Flask's own responses end with a newline; orjson adds it without a copy.
_RESPONSE = orjson.OPT_APPEND_NEWLINE


class OrjsonProvider(JSONProvider):
    """Serialise with orjson, in insertion order (sort_keys stays False), compact, UTF-8.

    orjson refuses what it cannot encode exactly (integers beyond 64 bits, lone surrogates,
    types it does not know); those documents fall back to Flask's default provider, so every
    response the stdlib encoder could build is still built.
    """

    sort_keys = False  # read by code that expects Flask's DefaultJSONProvider

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        self._response_class = app.response_class
        self._fallback = DefaultJSONProvider(app)
        self._fallback.sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Serialise to text; keyword arguments are stdlib-only, so they take the fallback."""
        if kwargs:
            return self._fallback.dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj).decode()
        except orjson.JSONEncodeError:
            return self._fallback.dumps(obj)

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse with the stdlib, whose rules serving/bodies.py is written against."""
        return self._fallback.loads(s, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        """Build the JSON response from bytes, skipping the text round trip."""
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, option=_RESPONSE)
        except orjson.JSONEncodeError:
            return self._fallback.response(obj)
        return self._response_class(body, mimetype="application/json")
