"""The template's own tests: unit/ runs in `nox -s template`, gates/ in `nox -s gates`."""
