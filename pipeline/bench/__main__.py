"""`python -m pipeline.bench`: see pipeline/bench/suite.py."""

import sys

from pipeline.bench.suite import main

sys.exit(main())
