"""Test doubles on PATH for the deploy stage: cf (with its Cloud Controller) and the router."""
