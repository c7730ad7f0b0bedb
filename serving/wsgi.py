"""The WSGI entry point other servers import: `serving.wsgi:app` (Flask's dev server, the bench)."""

from serving import create_app

app = create_app()
