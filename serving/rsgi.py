"""What `python -m serving` serves: `serving.rsgi:app`, the Flask app behind the edge."""

from serving import create_app
from serving.stack import behind_edge

flask_app = create_app()
app = behind_edge(flask_app)
