"""The echo API: this template's example service, the part of it you replace with your own.

The serving stack (serving/) serves whatever this package offers under two names: `blueprint`,
the Flask routes, and `contract`, the OpenAPI paths and components those routes answer by.
README.md, "Your own service", says what else is yours to change (tests/, tests/probes.toml).
"""

from app.contract import contract
from app.routes import blueprint

__all__ = ["blueprint", "contract"]
