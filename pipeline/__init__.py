"""Helpers behind the nox sessions: core/ is shared plumbing, every other folder one stage."""
