"""The inventory API's own settings: each field is one environment variable, named in capitals."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr

from serving.settings import REQUIRED_IN_PRODUCTION, ApiSettings


class Settings(ApiSettings):
    """What the inventory reads at start-up; Production refuses to start without the key."""

    # The key every write must carry in X-API-Key (tests/probes.toml names it for the pipeline).
    inventory_api_key: Annotated[SecretStr, REQUIRED_IN_PRODUCTION] = SecretStr("")
    # How many items the inventory keeps before it refuses more (409).
    inventory_capacity: int = Field(default=100_000, ge=1, le=1_000_000)
    # The SQLite file every worker shares; in the temp dir, which Cloud Foundry and the
    # pipeline's containers keep writable.
    inventory_database: Path = Path(tempfile.gettempdir()) / "inventory-api.sqlite3"
