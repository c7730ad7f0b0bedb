"""`python -m app`: the production server, never the Flask development server."""

import sys

from app.server import main

sys.exit(main())
