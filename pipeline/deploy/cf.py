"""Cloud Foundry through the cf CLI: commands that must succeed, and Cloud Controller reads.

Only stdout is parsed: cf writes warnings and errors to stderr (cli util/ui/ui_v7.go
DisplayWarnings, util/ui/ui.go DisplayError), and a warning must never land inside a GUID.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from pipeline.core import cmd
from pipeline.deploy.settings import DeployError

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_PAGES = 100  # a list longer than 100 pages means something is wrong, not a longer wait
Resource = dict[str, Any]


def last_line(result: cmd.Result) -> str:
    """The cause cf gave, in one line: its error is the last thing on stderr, after any warnings
    (cli util/ui/ui.go DisplayError), minus the TIP and "Use 'cf logs'" advice lines that
    command/translatableerror messages append."""
    lines = [line.strip() for line in result.stderr.splitlines()
             if line.strip() and not line.strip().startswith(("TIP:", "Use '"))]
    return lines[-1][:300] if lines else f"exit {result.returncode}"


def require(resource: Any, path: str, *keys: str) -> Any:
    """Read one nested field, or stop naming the field Cloud Controller left out."""
    value = resource
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            raise DeployError(f"Cloud Controller answered {path} without {'.'.join(keys)}")
        value = value[key]
    return value


def require_int(resource: Any, path: str, *keys: str) -> int:
    """Read one nested integer field (a revision's version), or stop naming it."""
    value = require(resource, path, *keys)
    if not isinstance(value, int) or isinstance(value, bool):
        raise DeployError(f"Cloud Controller answered {path} with a non-integer {'.'.join(keys)}")
    return value


class Cf:
    """Runs cf through pipeline.core.cmd; every failure becomes one DeployError line."""

    def __init__(self, log: Callable[[str], None] | None = None) -> None:
        self._log = log or (lambda _line: None)

    def _cf(self, args: Sequence[str], env: Mapping[str, str] | None = None) -> cmd.Result:
        self._log(shlex.join(["cf", *args]))  # argv holds no secret: they travel in env
        return cmd.run(["cf", *args], env=env, check=False)

    def attempt(self, *args: str) -> cmd.Result:
        """Run `cf ARGS` whose failure the caller reads (cf's own words: last_line)."""
        return self._cf(args)

    def run(self, *args: str, env: Mapping[str, str] | None = None, doing: str = "") -> str:
        """Run `cf ARGS` that must succeed; return its stdout."""
        result = self._cf(args, env)
        if not result.ok:
            raise DeployError(f"{doing or 'cf ' + args[0]} failed: {last_line(result)}")
        return result.stdout

    def app_guid(self, name: str) -> str | None:
        """The app's GUID, or None only when cf says the app does not exist.

        cli command/v7/app_command.go displayAppGUID prints the GUID alone on stdout; a missing
        app is "App 'NAME' not found." (command/translatableerror/application_not_found_error.go).
        """
        result = self._cf(["app", name, "--guid"])
        if not result.ok:
            if last_line(result) == f"App '{name}' not found.":
                return None
            raise DeployError(f"cannot tell whether {name} exists: {last_line(result)}")
        guid = result.stdout.strip()
        if not GUID.match(guid):
            raise DeployError(f"`cf app {name} --guid` printed no GUID: {guid[:80]!r}")
        return guid

    def get(self, path: str) -> Resource:
        """GET a Cloud Controller path; an HTTP error is a failure.

        Without -f, cf curl exits 0 on 4xx/5xx and prints the error body; with -f it exits 22
        (cli command/v7/curl_command.go, actor/v7action/curl.go).
        """
        stdout = self.run("curl", "-f", path, doing=f"cf curl {path}")
        try:
            body = json.loads(stdout)
        except json.JSONDecodeError:
            raise DeployError(f"cf curl {path} did not print JSON: {stdout[:80]!r}") from None
        if not isinstance(body, dict):
            raise DeployError(f"cf curl {path} printed {type(body).__name__}, not an object")
        return body

    def resources(self, path: str) -> list[Resource]:
        """Every resource of a v3 list, following pagination.next (cc app/presenters/v3/
        paginated_list_presenter.rb: next is null on the last page)."""
        found: list[Resource] = []
        next_path: str | None = path
        for _ in range(MAX_PAGES):
            if next_path is None:
                return found
            body = self.get(next_path)
            page = require(body, next_path, "resources")
            if not isinstance(page, list):
                raise DeployError(f"Cloud Controller answered {next_path} with resources "
                                  "that are not a list")
            found.extend(page)
            following = require(body, next_path, "pagination", "next")
            next_path = _path_of(require(following, next_path, "href")) if following else None
        raise DeployError(f"Cloud Controller listed more than {MAX_PAGES} pages for {path}")

    def feature_enabled(self, name: str) -> bool:
        """Read a feature flag from `cf feature-flag NAME` (cli command/v7/feature_flag_command.go
        prints a Features/State table; command/v7/shared/display_feature.go: enabled/disabled)."""
        stdout = self.run("feature-flag", name)
        for line in stdout.splitlines():
            words = line.split()
            if len(words) == 2 and words[0] == name and words[1] in ("enabled", "disabled"):
                return words[1] == "enabled"
        raise DeployError(f"`cf feature-flag {name}` printed no state for {name}")


def _path_of(href: str) -> str:
    """cf curl takes a path; pagination links are absolute URLs."""
    parts = urlsplit(href)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
