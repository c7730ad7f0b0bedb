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
# The dependency layer depends on the lock and the wheels only, so code edits rebuild in seconds.
COPY requirements.txt /build/requirements.txt
COPY build/wheels/ /build/wheels/
# A venv without pip: the base's pip installs into it, so no package manager ships in the image.
RUN python3 -m venv --without-pip /opt/venv \
 && python3 -m pip --python /opt/venv/bin/python install --no-index --find-links /build/wheels \
        --require-hashes --only-binary=:all: -r /build/requirements.txt \
 && find /opt/venv -name '__pycache__' -prune -exec rm -rf {} +
# The service: the serving stack, the API it serves, and pyproject.toml, which names them both.
COPY pyproject.toml /srv/pyproject.toml
COPY serving/ /srv/serving/
COPY app/ /srv/app/
# Compile once here: the container runs with a read-only root file system. Hash-based .pyc files
# (PEP 552) carry no timestamps, so two builds of one commit write the same bytes; "unchecked"
# because nothing in a read-only image can change a source behind its .pyc.
RUN python3 -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/venv /srv/serving /srv/app

FROM ${BASE_IMAGE}
ARG BASE_NAME=unknown
ARG BASE_DIGEST=unknown
ARG VERSION=unknown
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=unknown
ARG TITLE=unknown
ARG DESCRIPTION=unknown
LABEL org.opencontainers.image.title="${TITLE}" \
      org.opencontainers.image.description="${DESCRIPTION}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="${BASE_NAME}" \
      org.opencontainers.image.base.digest="${BASE_DIGEST}"
ENV PATH=/opt/venv/bin:${PATH} \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MODE_CONFIG=Production \
    HOST=0.0.0.0 \
    PORT=8080
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv /srv
COPY build/sbom.cdx.json /srv/sbom.cdx.json
WORKDIR /srv
USER 10001:10001
EXPOSE 8080
# No curl in slim images: the service ships its own probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/opt/venv/bin/python", "-m", "serving.healthcheck"]
# Exec form: the server is PID 1 and receives SIGTERM directly.
ENTRYPOINT ["/opt/venv/bin/python", "-m", "serving"]
