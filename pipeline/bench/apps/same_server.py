"""Serve another WSGI app on exactly the Granian server `python -m serving` builds.

Usage: python -m pipeline.bench.apps.same_server MODULE:APP
Only the app differs, so the comparison with the service measures the app's own cost: the same
Granian settings. When the service's server speaks RSGI (its WSGI
app behind the edge, serving/rsgi.py), the contender goes behind the same edge (behind_edge.py).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from granian.constants import Interfaces

from serving.config import load_settings, read_environment
from serving.server import build_server, serve

TARGET = "BENCH_WSGI_TARGET"  # MODULE:APP, for behind_edge.py


def main(target: str) -> None:
    """Serve `target` as `python -m serving` serves its app: behind the edge."""
    settings = load_settings(read_environment())
    # granian.server.Server is picked at import time, so mypy cannot see its attributes.
    server: Any = build_server(settings)
    if server.interface == Interfaces.WSGI:
        serve(settings, target)
    else:  # the service runs behind an RSGI edge (serving/rsgi.py): so does the contender
        os.environ[TARGET] = target
        serve(settings, "pipeline.bench.apps.behind_edge:app")


if __name__ == "__main__":
    main(sys.argv[1])
