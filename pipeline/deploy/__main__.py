"""`python -m pipeline.deploy [--dry-run]`: the deploy stage, as `nox -s deploy` runs it.

It runs in the session's own environment (PyYAML, pytest and the service's dependencies are
there, never in nox's process), prints each cf command as it starts and one line at the end:
what was deployed, or why not. Exit 1 on any failure, with that line and no traceback.
"""

from __future__ import annotations

import argparse
import sys

from pipeline.container import verify
from pipeline.deploy import rollout
from pipeline.deploy.settings import DeploySettings


def _say(line: str) -> None:
    print(f"deploy: {line}", flush=True)


def _verify(settings: DeploySettings) -> None:
    """Docker mode deploys only an image this pipeline signed and attested; stop otherwise."""
    if settings.image_ref:
        try:
            _say(verify.before_deploy(settings.image_ref))
        except verify.Refused as refusal:
            raise rollout.DeployError(f"refusing to deploy: {refusal}") from None


def main(argv: list[str] | None = None) -> int:
    """Deploy (or print the dry run); 0 when deployed, 1 with one line when not."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.deploy", description=__doc__)
    parser.add_argument("--dry-run", action="store_true",
                        help="print the commands a deploy would run and run none")
    args = parser.parse_args(argv)
    try:
        outcome = (rollout.dry_run() if args.dry_run
                   else rollout.run(verify=_verify, log=_say))
    except rollout.DeployError as error:
        print(f"deploy failed: {error}", file=sys.stderr, flush=True)
        return 1
    print(outcome, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
