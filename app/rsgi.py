"""The RSGI entry point `python -m app` serves: `app.rsgi:app`, the Flask app behind the edge."""

from app import create_app
from app.edge import BODY_READ_TIMEOUT_S, Edge

flask_app = create_app()
app = Edge(flask_app, flask_app.config["MAX_CONTENT_LENGTH"], BODY_READ_TIMEOUT_S)
