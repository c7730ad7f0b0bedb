"""The serving stack: the Flask app built around the API in app/, as the template serves it.

app/ is yours: its routes and their contract. This package is the template's and comes with
its updates: settings from the environment, the JSON error contract, request limits and the
Host check, hardening headers, request ids and the access log, the health probe and the served
OpenAPI document. `create_app` puts them together; `python -m serving` runs it in production.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, Protocol

from flask import Blueprint, Flask

from serving import access_log, endpoints, errors, stack
from serving.config import load_settings, read_environment
from serving.converters import AnyBytesPath
from serving.json_provider import OrjsonProvider
from serving.openapi import document
from serving.project import API_PACKAGE, project
from serving.settings import EXTENSION, declared


class Api(Protocol):  # pylint: disable=too-few-public-methods  # a shape, not a class
    """What the stack needs from an API package: its routes and their OpenAPI paths."""

    blueprint: Blueprint
    contract: Mapping[str, Any]


def create_app(config: Mapping[str, str] | None = None, api: Api | None = None) -> Flask:
    """Build the app from environment variables; `config` overrides some, as tests do.

    `api` defaults to the app/ package; the stack's own tests pass a small API of their own.
    """
    variables = {**read_environment(), **(config or {})}
    settings = load_settings(variables)
    served: Api = api or importlib.import_module(API_PACKAGE)
    own = declared(served).from_variables(variables, settings.production)
    facts = project()
    flask_app = Flask(API_PACKAGE)
    flask_app.config.update(settings.flask_config())
    flask_app.extensions[EXTENSION] = own  # what Settings.current() returns
    flask_app.config.update(PROVIDE_AUTOMATIC_OPTIONS=False)  # OPTIONS is not in the contract
    flask_app.json = OrjsonProvider(flask_app)  # key order kept as written: sort_keys is False
    flask_app.url_map.converters["path"] = AnyBytesPath  # before any rule is added
    flask_app.extensions["openapi"] = document(served.contract, facts)
    errors.init_app(flask_app)
    flask_app.register_blueprint(endpoints.bp)
    flask_app.register_blueprint(served.blueprint)
    access_log.init_app(flask_app)
    stack.init_app(flask_app)  # wraps last, so it is the outermost WSGI layer
    return flask_app
