"""The stack's own endpoints: the health probe platforms poll and the contract clients read."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

HEALTH_PATH = "/healthz"
OPENAPI_PATH = "/openapi.json"

bp = Blueprint("serving", __name__)


@bp.get(HEALTH_PATH)
def healthz() -> Response:
    """Answer liveness probes without touching anything that could be slow."""
    return jsonify(status="ok")


@bp.get(OPENAPI_PATH)
def openapi() -> Response:
    """Serve the contract that fuzzing and the pipeline's checks hold the service to."""
    return jsonify(current_app.extensions["openapi"])
