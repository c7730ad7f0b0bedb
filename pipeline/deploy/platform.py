"""Which deployment the platform can run: cf's version and Cloud Controller's, read before a push.

Canary deployments need cf CLI v8.8.0 and CAPI 3.173.0 (docs-dev-guide deploy-apps/
rolling-deploy.html.md.erb, "Prerequisites"; cloud_controller_ng added the canary strategy while
config/version read 3.173.0), and instance steps need CAPI 3.189.0 (cli api/cloudcontroller/
ccversion/minimum_version.go MinVersionCanarySteps, which push checks before sending
--instance-steps). Older platforms deploy rolling and roll back with `cf rollback`, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.deploy.cf import Cf, require
from pipeline.deploy.settings import DeployError

Version = tuple[int, int, int]
CANARY_CLI: Version = (8, 8, 0)
CANARY_CAPI: Version = (3, 173, 0)
STEPS_CAPI: Version = (3, 189, 0)
# cli command/common/version_command.go prints "{{.BinaryName}} version {{.VersionString}}",
# version/version.go: MAJOR.MINOR.PATCH, then "+sha.date" when linked in.
_CF_VERSION = re.compile(r"\bversion\s+v?(\d+)\.(\d+)\.(\d+)")
_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


def text(version: Version) -> str:
    """A version as people write it."""
    return ".".join(map(str, version))


def cli_version(cf: Cf) -> Version:
    """cf's own version, from `cf version`."""
    printed = cf.run("version")
    found = _CF_VERSION.search(printed)
    if not found:
        raise DeployError(f"`cf version` printed no version: {printed.strip()[:80]!r}")
    return int(found[1]), int(found[2]), int(found[3])


def api_version(cf: Cf) -> Version:
    """Cloud Controller's v3 version, from its root document (cc app/controllers/runtime/
    root_controller.rb; cli api/cloudcontroller/ccv3/root.go reads the same field)."""
    raw = require(cf.get("/"), "/", "links", "cloud_controller_v3", "meta", "version")
    found = _SEMVER.match(str(raw))
    if not found:
        raise DeployError(f"Cloud Controller's root document gives version {str(raw)[:40]!r}")
    return int(found[1]), int(found[2]), int(found[3])


@dataclass(frozen=True)
class Plan:
    """The strategy chosen, the instance steps sent with it, and why, in one line."""

    strategy: str  # "canary" or "rolling"
    steps: tuple[int, ...]
    why: str

    @property
    def canary(self) -> bool:
        """Whether Cloud Foundry runs this deployment as a paused canary."""
        return self.strategy == "canary"


def choose(cli: Version, api: Version, steps: tuple[int, ...]) -> Plan:
    """Canary where both versions allow it, with the steps where the API takes them."""
    found = f"cf {text(cli)}, Cloud Controller {text(api)}"
    if cli < CANARY_CLI or api < CANARY_CAPI:
        return Plan("rolling", (), f"strategy rolling with cf rollback: {found}, and canary "
                                   f"deployments need cf {text(CANARY_CLI)} and Cloud Controller "
                                   f"{text(CANARY_CAPI)}")
    if not steps:
        return Plan("canary", (), f"strategy canary: {found}; no CANARY_STEPS, so Cloud "
                                  "Controller's one canary instance, then every instance")
    if api < STEPS_CAPI:
        return Plan("canary", (), f"strategy canary: {found}; CANARY_STEPS "
                                  f"{','.join(map(str, steps))} not sent, instance steps need "
                                  f"Cloud Controller {text(STEPS_CAPI)}: one canary instance, "
                                  "then every instance")
    return Plan("canary", steps, f"strategy canary: {found}; instance steps "
                                 f"{','.join(map(str, steps))}")
