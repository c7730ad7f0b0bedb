"""`nox -s bench`: servers, the pipeline itself and the image, measured side by side in one run."""
