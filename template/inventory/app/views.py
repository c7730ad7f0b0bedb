"""The inventory API's views: each declares its models, the stack validates and documents them."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint
from werkzeug.exceptions import Conflict, NotFound

from .auth import require_key
from .models import Created, Item, Items, ItemPath, ListQuery, NewItem
from .store import STORE, Full

api = APIBlueprint("inventory", __name__, tag="Items")


@api.get("/items")
@api.input(ListQuery, location="query")
@api.output(Items)
def list_items(query_data: ListQuery) -> dict[str, Any]:
    """The first items, as many as `limit` asks (20 by default)."""
    items = STORE.first(int(query_data.limit))
    return {"items": items, "count": len(items)}


@api.get("/items/<item>")
@api.input(ItemPath, location="path")
@api.output(Item)
@api.doc(responses=[404])
def read_item(item: str, path_data: ItemPath) -> dict[str, Any]:
    """One item by its id."""
    del item  # validated as path_data.item
    found = STORE.get(int(path_data.item))
    if found is None:
        raise NotFound(f"no item {path_data.item}")
    return found


@api.post("/items")
@api.input(NewItem, location="json")
@api.output(Item, status_code=201, headers=Created)
@api.doc(responses=[401, 409])
def add_item(json_data: NewItem) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Add an item; the answer says where it lives."""
    require_key()
    try:
        item = STORE.add(json_data.model_dump())
    except Full as full:
        raise Conflict(str(full)) from None
    return item, 201, {"Location": f"/items/{item['id']}"}
