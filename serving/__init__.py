"""The serving stack: the Flask app built around the API in app/, as the template serves it.

app/ is yours: its models and views. This package is the template's and comes with its
updates: settings from the environment, the JSON error contract, request limits and the Host
check, hardening headers, request ids and the access log, the health probe and the served
OpenAPI document. `create_app` puts them together; `python -m serving` runs it in production.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol

from apiflask import APIBlueprint, APIFlask
from flask import Blueprint, Flask, Response
from werkzeug.datastructures import ImmutableDict

from serving import access_log, endpoints, errors, openapi, reference, stack
from serving.bodies import JsonRequest
from serving.config import load_settings, read_environment
from serving.converters import AnyBytesPath
from serving.json_provider import OrjsonProvider
from serving.project import API_PACKAGE, project
from serving.settings import EXTENSION, declared

RELEASE_NOTES = "CHANGELOG.md"


class Api(Protocol):  # pylint: disable=too-few-public-methods  # a shape, not a class
    """What the stack needs from an API package: its views, declared with their models."""

    api: APIBlueprint


class LegacyApi(Protocol):  # pylint: disable=too-few-public-methods  # a shape, not a class
    """The interface before models: Flask routes and their hand-written OpenAPI paths."""

    blueprint: Blueprint
    contract: Mapping[str, Any]


class _Response(Response):
    """A JSON API answers JSON or nothing: a bare ('', 204) goes out with no text/html type."""

    default_mimetype = None


class _App(APIFlask):
    """APIFlask without automatic OPTIONS, already for the routes it adds as it starts."""

    response_class = _Response

    default_config = ImmutableDict({**APIFlask.default_config,
                                    "PROVIDE_AUTOMATIC_OPTIONS": False})  # not in the contract


def create_app(config: Mapping[str, str] | None = None,
               api: Api | LegacyApi | None = None) -> Flask:
    """Build the app from environment variables; `config` overrides some, as tests do.

    `api` defaults to the app/ package; the stack's own tests pass a small API of their own.
    """
    variables = {**read_environment(), **(config or {})}
    loaded = load_settings(variables)
    settings = loaded.flask_config()
    served: Any = api or importlib.import_module(API_PACKAGE)
    own = declared(served).from_variables(variables, loaded.production)
    facts = project()
    flask_app = _App(API_PACKAGE, title=facts.name, version=facts.version,
                     spec_path=endpoints.OPENAPI_PATH, json_errors=False,
                     docs_path=reference.REFERENCE_PATH if settings["API_REFERENCE"] else None,
                     docs_oauth2_redirect_path=None)
    flask_app.config.update(settings)
    flask_app.extensions[EXTENSION] = own  # what Settings.current() returns
    flask_app.request_class = JsonRequest  # strict JSON for every body model
    flask_app.json = OrjsonProvider(flask_app)  # key order kept as written: sort_keys is False
    flask_app.url_map.converters["path"] = AnyBytesPath  # before any rule is added
    errors.init_app(flask_app)
    flask_app.register_blueprint(endpoints.bp)
    if flask_app.config["API_REFERENCE"]:
        reference.init_app(flask_app)
    if hasattr(served, "api"):
        flask_app.register_blueprint(served.api)
        openapi.init_app(flask_app, facts)
    else:
        logging.getLogger(__name__).warning(
            "deprecated: app/ exports `blueprint` and `contract`; declare views with models"
            " instead (%s says how)", RELEASE_NOTES)
        flask_app.register_blueprint(served.blueprint)
        openapi.init_app(flask_app, facts, served.contract)
    access_log.init_app(flask_app)
    stack.init_app(flask_app)  # wraps last, so it is the outermost WSGI layer
    return flask_app
