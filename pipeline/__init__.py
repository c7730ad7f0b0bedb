"""Helpers behind the nox sessions: one module per pipeline stage, shared by sessions and tests."""
