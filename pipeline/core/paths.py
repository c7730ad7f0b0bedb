"""Where things live: the repository and every artefact a stage writes, named once."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCK_DIR = ROOT / "requirements"
RUNTIME_LOCK = ROOT / "requirements.txt"
MANIFEST = ROOT / "manifest.yml"
ANSWERS_FILE = ROOT / ".copier-answers.yml"  # a service made from the template has it
PROBES = ROOT / "tests" / "probes.toml"  # the owner's: what the pipeline sends to the service
FAKES = ROOT / "pipeline" / "tests" / "fakes"  # the recording cf double, put first on PATH
# The tests marked `live` are in these: safe against a live deployment (nox -s canary, deploy).
LIVE_TESTS = ("tests/canary", "pipeline/tests/http")

BUILD_DIR = ROOT / "build"  # git-ignored: everything below is regenerated
WHEELS_DIR = BUILD_DIR / "wheels"
SBOM_FILE = BUILD_DIR / "sbom.cdx.json"
IMAGE_REF_FILE = BUILD_DIR / "image-ref.txt"
SIGNATURE_STORE = BUILD_DIR / "signatures"  # skopeo lookaside: image signatures
DOCKER_MANIFEST = BUILD_DIR / "manifest.docker.yml"
TEMPLATE_NOTES = BUILD_DIR / "template-notes.md"  # `nox -s update`: for the pull request
DEPLOY_REPORT = BUILD_DIR / "deploy-report.json"  # the deploy stage's steps, for the job summary
FUZZ_DIR = BUILD_DIR / "fuzz"
BENCH_PARTIAL_DIR = BUILD_DIR / "bench"  # `bench --only` runs, so they never replace a full run
BENCH_DIR = ROOT / "docs" / "bench"  # committed: full runs only
