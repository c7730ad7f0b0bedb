"""Serve another WSGI app on exactly the Granian server `python -m app` builds.

Usage: python -m pipeline.bench.apps.same_server MODULE:APP
Only the app differs, so the comparison with the service measures the app's own cost.
"""

from __future__ import annotations

import sys
from typing import Any

from app.config import load_settings, read_environment
from app.server import build_server


def main(target: str) -> None:
    """Build the service's server from the environment and point it at `target`."""
    # granian.server.Server is picked at import time, so mypy cannot see its attributes.
    server: Any = build_server(load_settings(read_environment()))
    server.target = target
    server.serve()


if __name__ == "__main__":
    main(sys.argv[1])
