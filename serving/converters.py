"""URL converters the stack gives every API in place of Werkzeug's defaults."""

from __future__ import annotations

from werkzeug.routing import PathConverter


class AnyBytesPath(PathConverter):
    """Werkzeug's `path`, matching line breaks too.

    Werkzeug's `path` regex is `[^/].*?`, and `.` stops at a line feed, so `/echo/a%0Ab` matched
    no rule and answered 404, where the contract promises the route's own 400. With
    `(?s:.)` every decoded character reaches the route, which validates it as it documents.
    """

    regex = "[^/](?s:.)*?"
