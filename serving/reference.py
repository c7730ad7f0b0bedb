"""The interactive API reference: APIFlask's own Swagger UI page, every asset from this origin.

Swagger UI's files come from the flask-swagger-ui package (its `dist/`), served here, so the
page fetches nothing from a CDN. The stack's CSP (`default-src 'none'`) would block the page,
so the page carries its own: scripts and styles from this origin plus the hashes of the
template's inline script and style, requests to this origin only.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.resources
import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, send_from_directory

REFERENCE_PATH = "/docs"
ASSETS = importlib.resources.files("flask_swagger_ui") / "dist"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)

bp = Blueprint("reference", __name__)


@bp.get(f"{REFERENCE_PATH}/assets/<path:name>")
def asset(name: str) -> Response:
    """One of Swagger UI's own files."""
    return send_from_directory(str(ASSETS), name)


def _hashes(html: str, kind: str) -> str:
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for tag, body in _INLINE.findall(html) if tag == kind)


def page(view: Callable[..., Any]) -> Callable[..., Response]:
    """APIFlask's docs view, answered as HTML under a CSP that allows exactly this page."""

    @functools.wraps(view)
    def answer(*args: Any, **kwargs: Any) -> Response:
        html = str(view(*args, **kwargs))
        response = Response(html, mimetype="text/html")
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; script-src 'self' {_hashes(html, 'script')};"
            f" style-src 'self' {_hashes(html, 'style')}; img-src 'self' data:;"
            " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
        return response

    return answer


def init_app(app: Flask) -> None:
    """Point APIFlask's Swagger UI page at the local assets and serve them."""
    app.register_blueprint(bp)
    assets = f"{REFERENCE_PATH}/assets"
    app.config.update(
        SWAGGER_UI_CSS=f"{assets}/swagger-ui.css",
        SWAGGER_UI_BUNDLE_JS=f"{assets}/swagger-ui-bundle.js",
        SWAGGER_UI_STANDALONE_PRESET_JS=f"{assets}/swagger-ui-standalone-preset.js",
        DOCS_FAVICON=f"{assets}/favicon-32x32.png",
        DOCS_DECORATORS=[page],
    )
