"""A contender's WSGI app behind the service's RSGI edge, built as serving/rsgi.py builds it."""

from __future__ import annotations

import importlib
import os

from pipeline.bench.apps.same_server import TARGET
from serving.config import load_settings, read_environment
from serving.edge import BODY_READ_TIMEOUT_S, Edge

_module, _, _name = os.environ[TARGET].partition(":")
app = Edge(getattr(importlib.import_module(_module), _name),
           load_settings(read_environment()).max_body_bytes, BODY_READ_TIMEOUT_S)
