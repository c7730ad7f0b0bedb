# The service's image. Build it with `nox -s docker_build`, which first downloads the locked,
# hash-checked wheels on the host into build/wheels: the build itself needs no network, so it works
# offline and behind TLS-intercepting proxies without ever weakening certificate checks.

# The base: the pinned official stage below, or any Debian-like image with the same Python and pip
# named by BASE_IMAGE (`nox -s base_image` makes local/python:3.13-trixie with no registry).
# Builders skip the stage that is not used, so the air-gapped build never pulls it. The default
# names the stage for a plain `docker build`; `nox -s docker_build` passes the pinned reference
# itself, read from the FROM line below, because buildah 1.28 does not resolve a stage via ARG.
ARG BASE_IMAGE=official-base

# Pinned by digest, so the same commit always builds on the same bytes; Dependabot's docker
# ecosystem proposes the next digest. This index digest of python:3.13-slim-trixie (3.13.14) is
# the one docker-library/repo-info records in repos/python/remote/3.13-slim-trixie.md. The minor
# is [tool.pipeline] runtime-python in pyproject.toml (pipeline/core/python_versions.py checks).
FROM python:3.13-slim-trixie@sha256:9662417aace5ae7b8e2609cce472b72a8958e134ba372808abe9cc1a0c0125e6 AS official-base

FROM ${BASE_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
# The dependency layer depends on the lock and the wheels only, so code edits never rebuild it.
COPY requirements.txt /build/requirements.txt
COPY build/wheels/ /build/wheels/
# A venv without pip: the base's pip installs into it, so no package manager ships in the image.
# Compile once at build time: the container runs with a read-only root file system. Hash-based
# .pyc files (PEP 552) carry no timestamps, so two builds of one commit write the same bytes;
# "unchecked" because nothing in a read-only image can change a source behind its .pyc.
RUN python3 -m venv --without-pip /opt/venv \
 && python3 -m pip --python /opt/venv/bin/python install --no-index --find-links /build/wheels \
        --require-hashes --only-binary=:all: -r /build/requirements.txt \
 && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} + \
 && python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/venv

FROM ${BASE_IMAGE}
# Ordered by how often each part changes, so a code change rebuilds only the last layers: the
# dependencies first, then the settings, then the service's code.
ENV PATH=/opt/venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MODE_CONFIG=Production \
    HOST=0.0.0.0 \
    PORT=8080
COPY --from=build /opt/venv /opt/venv
COPY build/sbom.cdx.json /srv/sbom.cdx.json
WORKDIR /srv
EXPOSE 8080
# No curl in slim images: the service ships its own probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/opt/venv/bin/python", "-m", "serving.healthcheck"]
# Exec form: the server is PID 1 and receives SIGTERM directly.
ENTRYPOINT ["/opt/venv/bin/python", "-m", "serving"]
# The service: the serving stack, the API it serves, and pyproject.toml, which names them both.
# Its OCI labels (commit, version, base) are set by `nox -s docker_build` when the image is
# written (pipeline/container/build.py), so a new commit rebuilds no layer for them.
COPY pyproject.toml /srv/pyproject.toml
COPY serving/ /srv/serving/
COPY app/ /srv/app/
RUN python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash /srv/serving /srv/app
USER 10001:10001
