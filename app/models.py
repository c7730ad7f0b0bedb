"""The echo API's inputs and answers as Pydantic models: its rules and its contract, written once.

The stack validates each request against these models before a view runs (a 400 naming the
field, never echoing the input) and generates the OpenAPI document from them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, StringConstraints

ITEM_MAX = 64
# RFC 3986 unreserved characters, starting with an alphanumeric so "." and ".." never reach us.
ITEM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$"

LANG_MAX = 35  # RFC 5646 section 4.4.1: 35 characters hold any tag worth supporting.
# Well-formed BCP 47 (RFC 5646 section 2.1) minus the irregular grandfathered tags.
_LANGUAGE = r"(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})"
_SCRIPT = r"(?:-[A-Za-z]{4})?"
_REGION = r"(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"
_VARIANTS = r"(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
_EXTENSIONS = r"(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*"
_PRIVATE = r"(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?"
LANG_PATTERN = (
    rf"^(?:{_LANGUAGE}{_SCRIPT}{_REGION}{_VARIANTS}{_EXTENSIONS}{_PRIVATE}"
    r"|[Xx](?:-[A-Za-z0-9]{1,8})+)$"
)

PAYLOAD_MAX_FIELDS = 8
PAYLOAD_VALUE_MAX = 128

Item = Annotated[str, StringConstraints(max_length=ITEM_MAX, pattern=ITEM_PATTERN)]
Lang = Annotated[str, StringConstraints(max_length=LANG_MAX, pattern=LANG_PATTERN)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
# bool before int and int before float: each JSON value keeps its own type in the echo.
Scalar = Annotated[str, StringConstraints(max_length=PAYLOAD_VALUE_MAX)] | bool | int | float | None
# Pydantic documents the key pattern as patternProperties, which lets any other key through:
# additionalProperties false says what the model enforces.
Fields = Annotated[dict[Key, Scalar], Field(max_length=PAYLOAD_MAX_FIELDS,
                                            json_schema_extra={"additionalProperties": False})]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class ItemPath(BaseModel):
    """The echoed item, one path segment of URL-safe characters."""

    item: Item


class LangQuery(BaseModel):
    """The optional language tag."""

    lang: Lang | None = Field(
        None, description='A well-formed BCP 47 language tag; echoed as "none" when absent.')


# pylint cannot infer a subscripted RootModel's methods.
class Payload(RootModel[dict[Key, Scalar]]):  # pylint: disable=too-few-public-methods
    """A flat JSON object of at most 8 named scalars; strict, so "1" never becomes 1."""

    model_config = ConfigDict(strict=True)
    root: Fields


class Link(BaseModel):
    """A link a client follows instead of hard-coding the URL."""

    href: Annotated[str, Field(json_schema_extra={"format": "uri-reference"})]
    method: Literal["GET", "POST"]


class TemplatedLink(BaseModel):
    """A link whose href is an RFC 6570 template such as /echo/{item}."""

    href: Annotated[str, Field(json_schema_extra={"format": "uri-template"})]
    method: Literal["GET", "POST"]
    templated: Literal[True]


class IndexLinks(BaseModel):
    """Every endpoint of the service."""

    self: Link
    echo: Link
    echo_item: TemplatedLink
    health: Link
    openapi: Link


class Index(BaseModel):
    """The index: links to every endpoint."""

    message: Literal["echo service index"]
    timestamp: Timestamp
    links: IndexLinks = Field(alias="_links")


class Echoed(BaseModel):
    """What the request carried, "none" or null where it carried nothing."""

    item: Annotated[str, Field(max_length=ITEM_MAX)]
    lang: Annotated[str, Field(max_length=LANG_MAX)]
    payload: Fields | None


class EchoLinks(BaseModel):
    """Where to go next."""

    index: Link


class Echo(BaseModel):
    """The echo of one request."""

    message: Literal["echo"]
    timestamp: Timestamp
    echo: Echoed
    links: EchoLinks = Field(alias="_links")
