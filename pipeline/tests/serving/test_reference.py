"""The API reference page in process: served where it should be, under its own CSP."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from flask import Flask


def test_the_page_allows_exactly_its_inline_code(make_app: Callable[..., Flask]) -> None:
    page = make_app().test_client().get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    policies = page.headers.getlist("Content-Security-Policy")
    assert len(policies) == 1  # the stack's default-src 'none' policy would block the page
    html = page.get_data(as_text=True)
    for body in re.findall(r"<script>(.*?)</script>", html, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policies[0]
    assert "https:" not in policies[0] and "'unsafe-inline'" not in policies[0]
    assert "cdn" not in html and 'src="/docs/assets/swagger-ui-bundle.js"' in html


def test_the_assets_are_swagger_uis_own(make_app: Callable[..., Flask]) -> None:
    with make_app().test_client().get("/docs/assets/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and "javascript" in (asset.mimetype or "")
        assert b"SwaggerUIBundle" in asset.get_data()


def test_production_serves_it_only_when_asked(make_app: Callable[..., Flask]) -> None:
    production = {"MODE_CONFIG": "Production", "TRUSTED_HOSTS": "localhost"}
    assert make_app(**production).test_client().get("/docs").status_code == 404
    asked = make_app(**production, API_REFERENCE="true").test_client()
    assert asked.get("/docs").status_code == 200
