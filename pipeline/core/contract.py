"""The service's OpenAPI document as the pipeline reads it: which answers each operation documents.

Every stage that calls the running service judges an answer by the contract, not by 200: an
answer succeeds when the operation documents its status (exactly, as a range such as 4XX, or
as `default`) and it is not a server error. The safe requests, GET and HEAD of every operation
whose parameters are all optional, are what a check of a live deployment may send on its own.
Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_TEMPLATE = re.compile(r"\{([^{}/]+)\}")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class ContractError(ValueError):
    """The document is not an OpenAPI document the pipeline can read."""


@dataclass(frozen=True)
class Operation:
    """One method on one path template, with the statuses it documents."""

    method: str
    template: str
    statuses: frozenset[str]
    required: frozenset[str]  # names of required parameters (path, query, header)
    takes_body: bool
    parameters: tuple[Mapping[str, Any], ...] = ()

    @property
    def pattern(self) -> re.Pattern[str]:
        """The template as a regex over a raw request path: one segment per parameter."""
        parts = _TEMPLATE.split(self.template)
        regex = "".join(re.escape(part) if index % 2 == 0 else "[^/]+"
                        for index, part in enumerate(parts))
        return re.compile(f"^{regex}$")

    def documents(self, status: int) -> bool:
        """Tell whether `status` is one of this operation's documented answers."""
        return (str(status) in self.statuses or f"{str(status)[0]}XX" in self.statuses
                or "default" in self.statuses)

    def succeeds(self, status: int) -> bool:
        """A documented answer that is not a server error."""
        return status < 500 and self.documents(status)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"

    def mismatch(self) -> str | None:
        """Say how the route's variables and the declared path parameters differ, if they do."""
        route = set(_TEMPLATE.findall(self.template))
        declared = {str(p.get("name")) for p in self.parameters
                    if isinstance(p, Mapping) and p.get("in") == "path"}
        if route == declared:
            return None
        return (f"{self}: the route's variables {sorted(route)} are not the declared path"
                f" parameters {sorted(declared)}: name the path model's fields after the"
                " route's <variables> (or the route's after the fields)")

    def answer_problem(self, status: int, content_type: str | None, body: bytes) -> str | None:
        """Say what is wrong with an answer by the contract and HTTP, or None when nothing is."""
        if not self.documents(status):
            return (f"{self} answered {status}, which its contract does not document: declare"
                    f" it on the view (@api.doc(responses=[{status}])) or answer a documented"
                    " status")
        if status in (204, 304) and (body or content_type):
            return (f"{self} answered {status} with a body or a Content-Type ({content_type}):"
                    f" a {status} has neither; return ('', {status})")
        return None


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    """Follow one local `$ref` (#/components/...), as parameters and bodies often use."""
    if isinstance(node, Mapping) and "$ref" in node:
        target: Any = document
        for key in str(node["$ref"]).removeprefix("#/").split("/"):
            if not isinstance(target, Mapping) or key not in target:
                raise ContractError(f"unresolvable reference {node['$ref']}")
            target = target[key]
        return target
    return node


@dataclass(frozen=True)
class Contract:
    """Every operation of one OpenAPI document, most specific path first."""

    operations: tuple[Operation, ...]
    title: str = ""

    @classmethod
    def parse(cls, document: Any) -> Contract:
        """Read the operations out of a parsed OpenAPI 3.x document."""
        if not isinstance(document, Mapping) or not str(document.get("openapi", "")).startswith(
                "3."):
            raise ContractError("not an OpenAPI 3 document")
        operations = []
        for template, item in dict(document.get("paths") or {}).items():
            shared = list(item.get("parameters", []))
            for method in _METHODS:
                if method in item:
                    operations.append(_operation(document, template, method, item[method],
                                                 shared))
        # Concrete paths before templated ones (OpenAPI 3.1, "Path Templating Matching").
        operations.sort(key=lambda op: (op.template.count("{"), op.template))
        return cls(tuple(operations), str((document.get("info") or {}).get("title", "")))

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation a request goes to, or None when the contract has none."""
        route = path.split("?", 1)[0]
        lookup = "GET" if method == "HEAD" else method  # HEAD is GET without a body
        for operation in self.operations:
            if operation.method == lookup and operation.pattern.match(route):
                return operation
        return None

    def succeeds(self, method: str, path: str, status: int) -> bool:
        """Tell whether an answer is one the contract documents for that request."""
        operation = self.operation(method, path)
        return operation is not None and operation.succeeds(status)

    def mismatches(self) -> list[str]:
        """Every operation whose route and declared path parameters disagree, said how."""
        return [problem for problem in map(Operation.mismatch, self.operations) if problem]

    def safe_requests(self) -> Iterator[tuple[str, str]]:
        """GET and HEAD of every GET operation that needs no parameter: what a live check sends."""
        for operation in self.operations:
            if operation.method == "GET" and not operation.required:
                yield "GET", operation.template
                yield "HEAD", operation.template

    def templated(self) -> Iterator[tuple[Operation, str]]:
        """Each operation with a path parameter, and that parameter's name."""
        for operation in self.operations:
            for name in _TEMPLATE.findall(operation.template):
                yield operation, name


def _operation(document: Mapping[str, Any], template: str, method: str, raw: Any,
               shared: list[Any]) -> Operation:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("responses"), Mapping):
        raise ContractError(f"{method.upper()} {template} documents no responses")
    parameters = tuple(_resolve(document, p) for p in [*shared, *raw.get("parameters", [])])
    required = frozenset(str(p.get("name")) for p in parameters
                         if isinstance(p, Mapping) and (p.get("required") or p.get("in") == "path"))
    return Operation(method.upper(), template, frozenset(str(s) for s in raw["responses"]),
                     required, "requestBody" in raw, parameters)
