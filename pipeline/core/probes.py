"""What the pipeline sends to the service besides what its contract says: tests/probes.toml.

The file is the owner's (README, "Your own service"). `work` is the API's typical request:
`load`, `bench` and the edge tests send it over and over. `live` lists the requests that are
safe to send to a live deployment besides GET and HEAD, which the canary sends on its own.
`peer` lists other implementations of the same API that `nox -s bench` measures beside the
service. `credential` names the header the API's writes need and the setting (an environment
variable) holding its value, so tests, fuzz and load get past authentication. Standard library
only (tomllib): the noxfile may read it at load.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tomllib
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.core.paths import PROBES

SAFE_METHODS = frozenset({"GET", "HEAD"})
_METHOD = re.compile(r"^[A-Z]+$")  # RFC 9110 section 9.1: methods are case-sensitive tokens


class ProbesError(ValueError):
    """tests/probes.toml is missing something or holds a value the pipeline cannot send."""


@dataclass(frozen=True)
class Request:
    """One request as the pipeline sends it: method, path with query, headers, body."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    @property
    def route(self) -> str:
        """The path without its query string, as the contract names it."""
        return self.path.split("?", 1)[0]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Peer:
    """Another implementation of the API, started by argv ({python} and {port} filled in)."""

    key: str
    name: str
    does: str
    argv: tuple[str, ...]
    same_work: bool = False


@dataclass(frozen=True)
class Credential:
    """The header an API's writes need, and the setting whose value it carries."""

    header: str
    setting: str

    def provide(self, env: MutableMapping[str, str]) -> dict[str, str]:
        """The header to send; an unset setting gets a fresh random value for this run, in
        `env` so the servers the pipeline starts inherit it (never in argv or a log)."""
        if not env.get(self.setting, "").strip():
            env[self.setting] = secrets.token_urlsafe(24)
        return {self.header: env[self.setting]}


@dataclass(frozen=True)
class Probes:
    """Everything tests/probes.toml declares."""

    work: Request
    live: tuple[Request, ...] = ()
    peers: tuple[Peer, ...] = ()
    credential: Credential | None = None

    def headers(self, env: MutableMapping[str, str] | None = None) -> dict[str, str]:
        """The credential header, provided (see Credential.provide), or none declared."""
        return {} if self.credential is None else self.credential.provide(
            os.environ if env is None else env)

    def live_safe(self, method: str, path: str) -> bool:
        """Tell whether a request may go to a live deployment: GET, HEAD, or declared live."""
        return method in SAFE_METHODS or any(
            probe.method == method and probe.path == path for probe in self.live)

    def live_guard(self, url: str) -> Callable[[str, str, str], str | None]:
        """A pipeline.core.httpclient guard: refuse what is not live-safe before it reaches url."""
        live = url.rstrip("/")

        def only_safe(base: str, method: str, path: str) -> str | None:
            if base != live or self.live_safe(method, path):
                return None
            return (f"refusing {method} {path} against the live deployment {live}: only GET, "
                    "HEAD and the requests tests/probes.toml declares under [[live]] may go there")

        return only_safe


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise ProbesError(f"{where}.{key} must be a non-empty string")
    return value


def request(table: Any, where: str) -> Request:
    """Read one request table: method, path, and optionally headers and `json` or `body`."""
    if not isinstance(table, Mapping):
        raise ProbesError(f"{where} must be a table with method and path")
    method = _text(table, "method", where)
    path = _text(table, "path", where)
    if not _METHOD.match(method):
        raise ProbesError(f"{where}.method must be an upper-case HTTP method, got {method!r}")
    if not path.startswith("/") or any(ch.isspace() for ch in path):
        raise ProbesError(f"{where}.path must start with / and hold no spaces, got {path!r}")
    headers = table.get("headers", {})
    if not isinstance(headers, Mapping) or not all(
            isinstance(v, str) for v in headers.values()):
        raise ProbesError(f"{where}.headers must be a table of strings")
    if "json" in table and "body" in table:
        raise ProbesError(f"{where} has both json and body: give one")
    body: bytes | None = None
    if "json" in table:
        body = json.dumps(table["json"]).encode()
        headers = {"Content-Type": "application/json", **headers}
    elif "body" in table:
        body = _text(table, "body", where).encode()
    return Request(method, path, dict(headers), body)


def _peer(table: Any, where: str) -> Peer:
    if not isinstance(table, Mapping):
        raise ProbesError(f"{where} must be a table")
    argv = table.get("argv")
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        raise ProbesError(f"{where}.argv must be a list of strings")
    if not any("{port}" in arg for arg in argv):
        raise ProbesError(f"{where}.argv must listen on {{port}}")
    return Peer(_text(table, "key", where), _text(table, "name", where),
                str(table.get("does", "")), tuple(argv), table.get("same_work") is True)


def parse(document: Mapping[str, Any], source: str = PROBES.name) -> Probes:
    """Read the declarations; any mistake is one ProbesError naming its key."""
    if "work" not in document:
        raise ProbesError(f"{source} must declare [work], the API's typical request")
    live = document.get("live", [])
    peers = document.get("peer", [])
    if not isinstance(live, list) or not isinstance(peers, list):
        raise ProbesError(f"{source}: live and peer must be arrays of tables ([[live]], [[peer]])")
    return Probes(
        work=request(document["work"], "work"),
        live=tuple(request(entry, f"live[{index}]") for index, entry in enumerate(live)),
        peers=tuple(_peer(entry, f"peer[{index}]") for index, entry in enumerate(peers)),
        credential=_credential(document["credential"]) if "credential" in document else None,
    )


def _credential(table: Any) -> Credential:
    if not isinstance(table, Mapping):
        raise ProbesError("credential must be a table with header and setting")
    setting = _text(table, "setting", "credential")
    if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", setting):
        raise ProbesError(f"credential.setting must be an environment variable name in capitals "
                          f"(a field of app/settings.py), got {setting!r}")
    return Credential(_text(table, "header", "credential"), setting)


def load(path: Path = PROBES) -> Probes:
    """Read tests/probes.toml; a missing or malformed file is one ProbesError line."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        raise ProbesError(f"{path.name} is missing: the pipeline needs [work], the API's "
                          "typical request (README, \"Your own service\")") from None
    except tomllib.TOMLDecodeError as error:
        raise ProbesError(f"{path.name} is not valid TOML: {error}") from None
    return parse(document, path.name)
