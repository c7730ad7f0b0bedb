"""`python3 -m pipeline.tests.fakes.record LOG SETTING`: what .ci/run asserts of a deploy against
the cf double, from its call log: the API's secrets went to a user-provided service instance,
and no argv holds the value of the environment variable SETTING."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def verdict(log: Path, setting: str) -> tuple[bool, str]:
    """Whether the log passes, and the line that says why."""
    calls = [json.loads(line)["argv"] for line in log.read_text(encoding="utf-8").splitlines()]
    secret = os.environ.get(setting, "")
    if not secret:
        return False, f"{setting} is not set, so nothing can be checked"
    if any(secret in " ".join(argv) for argv in calls):
        return False, f"a recorded cf argv holds the value of {setting}"
    kept = [argv for argv in calls if argv[0] in ("create-user-provided-service",
                                                  "update-user-provided-service")]
    if not kept:
        return False, "no cf create- or update-user-provided-service was recorded"
    said = "; ".join(" ".join(["cf", *argv[:3], "FILE"]) for argv in kept)
    return True, f"the secrets went to the user-provided service ({said}); no argv holds {setting}"


def main(argv: list[str]) -> int:
    """Print the verdict; exit 1 when it fails."""
    if len(argv) != 2:
        print("usage: python3 -m pipeline.tests.fakes.record LOG SETTING", file=sys.stderr)
        return 2
    passed, line = verdict(Path(argv[0]), argv[1])
    print(line, file=sys.stdout if passed else sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
