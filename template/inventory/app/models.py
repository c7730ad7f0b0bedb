"""What an item is and what a request may ask, as Pydantic models: the rules, written once."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

NAME_MAX = 64
QUANTITY_MAX = 1_000_000
LIMIT_MAX = 100


def _whole(value: object) -> object:
    """JSON Schema's integer is any number without a fraction, 7.0 too (schemathesis sends it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# The bounds before the validator: after it, pydantic documents them as `ge`/`le`, which JSON
# Schema does not know, and schemathesis sent -191 as valid.
Quantity = Annotated[int, Field(ge=0, le=QUANTITY_MAX), BeforeValidator(_whole)]


# Path and query values are text: a pattern says exactly which texts are numbers here, where
# int parsing would also take "+1", " 1" or "1_0".
class ItemPath(BaseModel):
    """An item's id in the path: a positive whole number of at most 9 digits."""

    item: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,8}$")]


class ListQuery(BaseModel):
    """How many items to list, 1 to LIMIT_MAX (20 when absent)."""

    limit: Annotated[str, StringConstraints(pattern=r"^(?:100|[1-9][0-9]?)$")] = "20"


class Created(BaseModel):
    """The headers of a 201."""

    location: str = Field(alias="Location", description="Where the new item lives.")


class NewItem(BaseModel):
    """An item to add: exactly a name and a quantity. Strict: "7" is not a quantity."""

    model_config = ConfigDict(strict=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    quantity: Quantity


class Item(BaseModel):
    """An item as kept."""

    id: Annotated[int, Field(ge=1)]
    name: Annotated[str, Field(min_length=1, max_length=NAME_MAX)]
    quantity: Annotated[int, Field(ge=0, le=QUANTITY_MAX)]


class Items(BaseModel):
    """The first items."""

    items: Annotated[list[Item], Field(max_length=LIMIT_MAX)]
    count: Annotated[int, Field(ge=0)]
