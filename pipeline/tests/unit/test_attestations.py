"""pipeline.container.attestations: in-toto statements and the SLSA v1 provenance predicate."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from pipeline.container import attestations, oci

IMAGE = oci.DigestRef("ghcr.io/acme/echo", "sha256:" + "12" * 32)
FACTS = attestations.BuildFacts(
    source="https://github.com/acme/echo", commit="c0ffee" * 6 + "abcd",
    base_image="python:3.11-slim-bookworm@sha256:" + "34" * 32, base_digest="sha256:" + "34" * 32,
    lock_sha256="56" * 32, invocation="1234")


def test_statement_is_about_exactly_the_image_digest() -> None:
    statement = json.loads(attestations.statement(IMAGE, attestations.SBOM, {"bomFormat": "x"}))
    assert statement == {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "ghcr.io/acme/echo", "digest": {"sha256": "12" * 32}}],
        "predicateType": "https://cyclonedx.org/bom", "predicate": {"bomFormat": "x"}}


def test_provenance_records_commit_builder_base_and_lock() -> None:
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    predicate = attestations.provenance(FACTS, "https://github.com/acme/echo/ci.yml@main", started)
    definition = predicate["buildDefinition"]
    assert definition["externalParameters"]["revision"] == FACTS.commit
    assert definition["resolvedDependencies"] == [
        {"uri": "git+https://github.com/acme/echo", "digest": {"gitCommit": FACTS.commit}},
        {"uri": "oci://python:3.11-slim-bookworm", "digest": {"sha256": "34" * 32}},
        {"uri": "requirements.txt", "digest": {"sha256": "56" * 32}}]
    assert predicate["runDetails"]["builder"]["id"] == "https://github.com/acme/echo/ci.yml@main"
    assert predicate["runDetails"]["metadata"]["startedOn"] == "2026-01-02T03:04:05Z"


def test_the_builder_is_the_workflow_on_github_and_the_session_elsewhere() -> None:
    env = {"GITHUB_WORKFLOW_REF": "acme/echo/.github/workflows/ci.yml@refs/heads/main"}
    assert attestations.builder_id(env) == \
        "https://github.com/acme/echo/.github/workflows/ci.yml@refs/heads/main"
    assert attestations.builder_id({}).startswith("nox -s docker_push on ")
