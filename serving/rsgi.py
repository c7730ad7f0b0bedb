"""What `python -m serving` serves: `serving.rsgi:app`, the Flask app behind the edge."""

from serving import create_app
from serving.edge import BODY_READ_TIMEOUT_S, Edge

flask_app = create_app()
app = Edge(flask_app, flask_app.config["MAX_CONTENT_LENGTH"], BODY_READ_TIMEOUT_S)
