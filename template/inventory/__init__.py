"""A foreign API, the one service that is not echo: `.ci/run` renders the template as
`inventory-api`, puts this app/ and tests/ in place of the echo example's, and runs the whole
pipeline on it (template/foreign.py). Nothing outside app/ and tests/ changes.
"""
