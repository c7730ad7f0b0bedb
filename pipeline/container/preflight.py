"""What a container session needs from the machine, checked before any work, each in one line.

nox can install Python packages, not a Docker engine or Debian tools: a session that lacks one
stops here with what to install, instead of on a tool's own error halfway through.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable

from pipeline.container import images
from pipeline.core import cmd

# How to get each system tool a container session runs (all Debian packages on this pipeline's
# machines; Docker Desktop or the distribution's package elsewhere).
INSTALL = {
    "docker": "install Docker (Debian: apt-get install docker.io) or set DOCKER to a client",
    "buildah": "install buildah (Debian: apt-get install buildah) or set IMAGE_BUILDER=docker",
    "skopeo": "install skopeo (Debian: apt-get install skopeo)",
    "mmdebstrap": "install mmdebstrap (Debian: apt-get install mmdebstrap)",
    "gpg": "install GnuPG (Debian: apt-get install gnupg), or unset IMAGE_SIGNING_KEY",
}


def missing_tools(names: Iterable[str]) -> str | None:
    """One line naming each tool that is not on PATH and how to install it, or None."""
    absent = [name for name in names if shutil.which(name) is None]
    if not absent:
        return None
    return "; ".join(f"`{name}` is not installed: {INSTALL[name]}" for name in absent)


def docker_problem() -> str | None:
    """Why Docker cannot run images here (no client, no engine), or None when it can."""
    client = images.docker()
    if shutil.which(client) is None:
        return f"no docker client `{client}`: {INSTALL['docker']}"
    result = cmd.run([client, "version", "--format", "{{.Server.Version}}"], check=False)
    if not result.ok:
        reason = (result.stderr.strip().splitlines() or ["no answer"])[-1][:200]
        return (f"the Docker engine is not reachable ({reason}): start it (`dockerd`, or "
                "Docker Desktop) or point DOCKER_HOST at one")
    return None


def missing_images(tags: Iterable[str]) -> list[str]:
    """The tags Docker does not hold."""
    return [tag for tag in tags
            if not cmd.run([images.docker(), "image", "inspect", "--format", "{{.Id}}", tag],
                           check=False).ok]
