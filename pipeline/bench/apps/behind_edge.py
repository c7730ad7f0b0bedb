"""A contender's WSGI app behind the service's RSGI edge, built the way app/rsgi.py builds it."""

from __future__ import annotations

import importlib
import os

from app.config import load_settings, read_environment
from pipeline.bench.apps.same_server import TARGET

# Imported by name: app/edge.py exists once the service runs behind its RSGI edge (issue 11),
# and same_server.py only points Granian here when the service's server speaks RSGI.
_edge = importlib.import_module("app.edge")
_module, _, _name = os.environ[TARGET].partition(":")
app = _edge.Edge(getattr(importlib.import_module(_module), _name),
                 load_settings(read_environment()).max_body_bytes, _edge.BODY_READ_TIMEOUT_S)
