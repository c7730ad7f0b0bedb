"""Shared plumbing every stage uses: paths, project facts, settings, HTTP, the local service."""
