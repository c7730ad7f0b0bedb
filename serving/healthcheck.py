"""`python -m serving.healthcheck`: the container's HEALTHCHECK, for images without curl."""

from __future__ import annotations

import http.client
import os
import sys

from serving.endpoints import HEALTH_PATH


def probe(port: int, timeout: float = 2.0) -> bool:
    """Tell whether /healthz on the local server answers 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", HEALTH_PATH)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(0 if probe(int(os.environ.get("PORT", "8080"))) else 1)
