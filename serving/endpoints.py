"""The stack's own endpoints: the health probe platforms poll, and where the contract is served."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

HEALTH_PATH = "/healthz"
OPENAPI_PATH = "/openapi.json"  # served by APIFlask, completed by serving/openapi.py

bp = Blueprint("serving", __name__)


@bp.get(HEALTH_PATH)
def healthz() -> Response:
    """Answer liveness probes without touching anything that could be slow."""
    return jsonify(status="ok")
