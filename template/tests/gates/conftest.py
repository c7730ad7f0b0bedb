"""The pipeline gates' `tree` fixture, for the template gate that runs in a copy of this tree."""

from pipeline.tests.gates.conftest import tree

__all__ = ["tree"]
