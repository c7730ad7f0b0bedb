"""Input rules, defined once so the routes and the OpenAPI contract cannot disagree."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from werkzeug.exceptions import BadRequest

ITEM_MAX = 64
# RFC 3986 unreserved characters, starting with an alphanumeric so "." and ".." never reach us.
ITEM_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,63}"

LANG_MAX = 35  # RFC 5646 section 4.4.1: 35 characters hold any tag worth supporting.
# Well-formed BCP 47 (RFC 5646 section 2.1) minus the irregular grandfathered tags.
_LANGUAGE = r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
_SCRIPT = r"(?:-[A-Za-z]{4})?"
_REGION = r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
_VARIANTS = r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
_EXTENSIONS = r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
_PRIVATE = r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
LANG_PATTERN = (
    rf"(?:{_LANGUAGE}{_SCRIPT}{_REGION}{_VARIANTS}{_EXTENSIONS}{_PRIVATE}"
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+)"
)

REQUEST_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{7,127}"
PAYLOAD_MAX_FIELDS = 8
PAYLOAD_KEY_PATTERN = r"[A-Za-z0-9_.-]{1,32}"
PAYLOAD_VALUE_MAX = 128

_ITEM = re.compile(ITEM_PATTERN)
_LANG = re.compile(LANG_PATTERN)
_REQUEST_ID = re.compile(REQUEST_ID_PATTERN)
_PAYLOAD_KEY = re.compile(PAYLOAD_KEY_PATTERN)


def anchored(pattern: str) -> str:
    """Return the ECMA-262 form for OpenAPI, where patterns are not implicitly anchored."""
    return f"^{pattern}$"


def valid_item(item: str) -> str:
    """Return the path item unchanged, or refuse it with a 400 that says the rule."""
    if len(item) > ITEM_MAX or not _ITEM.fullmatch(item):
        raise BadRequest(f"item must be 1-{ITEM_MAX} characters of A-Z a-z 0-9 . _ ~ -")
    return item


def valid_lang(lang: str) -> str:
    """Return a well-formed BCP 47 tag unchanged, or refuse it with a 400."""
    if len(lang) > LANG_MAX or not _LANG.fullmatch(lang):
        raise BadRequest(f"lang must be a BCP 47 language tag of at most {LANG_MAX} characters")
    return lang


def valid_request_id(value: str | None) -> bool:
    """Tell whether a client's X-Request-ID is safe to log and echo back."""
    return value is not None and _REQUEST_ID.fullmatch(value) is not None


def _reject_number(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):  # 1e999 parses to inf, which no JSON response can carry
        raise ValueError("number out of range")
    return value


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _short_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return len(text) <= PAYLOAD_VALUE_MAX


def _valid_field(key: str, value: Any) -> bool:
    if not _PAYLOAD_KEY.fullmatch(key):
        return False
    if isinstance(value, str):
        # "\ud800" decodes to a lone surrogate, which no UTF-8 response can carry.
        return _short_utf8(value)
    return value is None or isinstance(value, (bool, int, float))


def parse_payload(raw: bytes) -> dict[str, Any]:
    """Decode the optional echo body: a flat JSON object with bounded keys and values."""
    try:
        value = json.loads(
            raw.decode("utf-8"), parse_float=_reject_number, parse_constant=_reject_constant
        )
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadRequest("body must be a UTF-8 JSON object") from None
    if not isinstance(value, dict) or len(value) > PAYLOAD_MAX_FIELDS:
        raise BadRequest(f"body must be a JSON object of at most {PAYLOAD_MAX_FIELDS} fields")
    if not all(_valid_field(k, v) for k, v in value.items()):
        raise BadRequest(
            "body fields must be named with 1-32 of A-Z a-z 0-9 _ . - and hold null, a boolean,"
            f" a number or a string of at most {PAYLOAD_VALUE_MAX} characters"
        )
    return value
