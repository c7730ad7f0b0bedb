"""The echo API's input rules, defined once so the routes and the contract cannot disagree."""

from __future__ import annotations

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

PAYLOAD_MAX_FIELDS = 8
PAYLOAD_KEY_PATTERN = r"[A-Za-z0-9_.-]{1,32}"
PAYLOAD_VALUE_MAX = 128

_ITEM = re.compile(ITEM_PATTERN)
_LANG = re.compile(LANG_PATTERN)
_PAYLOAD_KEY = re.compile(PAYLOAD_KEY_PATTERN)


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


def valid_payload(value: Any) -> dict[str, Any]:
    """Return the decoded body if it is a flat JSON object with bounded keys and values."""
    if not isinstance(value, dict) or len(value) > PAYLOAD_MAX_FIELDS:
        raise BadRequest(f"body must be a JSON object of at most {PAYLOAD_MAX_FIELDS} fields")
    if not all(_valid_field(k, v) for k, v in value.items()):
        raise BadRequest(
            "body fields must be named with 1-32 of A-Z a-z 0-9 _ . - and hold null, a boolean,"
            f" a number or a string of at most {PAYLOAD_VALUE_MAX} characters"
        )
    return value
