"""The echo service: a Flask application factory configured from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from flask import Flask

from app import access_log, errors, routes, security
from app.config import load_settings, read_environment
from app.json_provider import OrjsonProvider
from app.openapi import build_document

__version__ = "1.0.0"


def create_app(config: Mapping[str, str] | None = None) -> Flask:
    """Build the app from environment variables; `config` overrides some, as tests do."""
    settings = load_settings({**read_environment(), **(config or {})})
    app = Flask(__name__)
    app.config.update(settings.flask_config())
    app.config.update(PROVIDE_AUTOMATIC_OPTIONS=False)  # OPTIONS is not in the contract
    app.json = OrjsonProvider(app)  # key order kept as written: sort_keys stays False
    app.extensions["openapi"] = build_document(__version__)
    errors.init_app(app)
    app.register_blueprint(routes.bp)
    security.init_app(app)
    access_log.init_app(app)  # wraps last, so it is the outermost WSGI layer
    return app
