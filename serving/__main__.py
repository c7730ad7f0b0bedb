"""`python -m serving`: the production server, never the Flask development server."""

import sys

from serving.server import main

sys.exit(main())
