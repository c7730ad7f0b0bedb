"""The echo API: this template's example service, the part of it you replace with your own.

The serving stack (serving/) serves the `api` this package exports: an APIFlask blueprint whose
views declare their inputs and answers as Pydantic models (app/models.py). The stack validates
requests against them and generates the OpenAPI document; app/README.md says how to add an
endpoint, a dependency or a backing service.
"""

from app.views import api

__all__ = ["api"]
