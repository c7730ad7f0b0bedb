"""The template's own parts, which no service is rendered with (copier.yml excludes this folder).

Its self-render check, the foreign-API service it renders in CI, its update gates and its nox
sessions (sessions.py) exist only to test the template; a service carries what serves it.
"""
