"""The WSGI entry point servers import: `app.wsgi:app`."""

from app import create_app

app = create_app()
