# shellcheck shell=bash
# Sourced by .ci/run: install and start what the container, registry and workflow stages need,
# and stop on exit only what this script started.

CI_STARTED_PIDS=()
CI_CONTAINERS=()
CI_TMP=$(mktemp -d)

ci_cleanup() {
  local pid name
  for name in "${CI_CONTAINERS[@]}"; do
    "${DOCKER:-docker}" rm --force "$name" >/dev/null 2>&1 || true
  done
  for pid in "${CI_STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$CI_TMP"
}
trap ci_cleanup EXIT

ensure_packages() {
  # docker.io: the engine and a BuildKit-capable client; docker-registry: a real OCI registry;
  # mmdebstrap: the air-gapped base image, and with patchelf the Pythons of `nox -s pythons`;
  # wrk: load for the benchmark.
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
  command -v patchelf >/dev/null 2>&1 || missing+=(patchelf)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)  # the benchmark's load generator
  # skopeo signs and verifies images, gpg/gpgv the key and the attestations.
  command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
  command -v buildah >/dev/null 2>&1 || missing+=(buildah)  # reproducible builds (--timestamp)
  command -v gpgv >/dev/null 2>&1 || missing+=(gpgv gnupg)
  # The API reference page's browser test (nox -s browser): headless Chromium and its driver.
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

choose_docker_client() {
  # The first docker on PATH may be a client without buildx; Debian's has BuildKit built in.
  if ! docker buildx version >/dev/null 2>&1 && [ -x /usr/bin/docker ]; then
    export DOCKER=/usr/bin/docker
  fi
  export DOCKER="${DOCKER:-docker}"
}

ensure_docker_engine() {
  if "$DOCKER" info >/dev/null 2>&1; then
    return
  fi
  dockerd >"$CI_TMP/dockerd.log" 2>&1 &
  CI_STARTED_PIDS+=($!)
  wait_until 60 1 "$DOCKER" info && return
  echo "dockerd did not start:" >&2
  tail -20 "$CI_TMP/dockerd.log" >&2
  return 1
}

start_registry() {
  # A throwaway registry on loopback (pipeline/container/registry.py writes its config); its
  # storage goes away with CI_TMP.
  python3 -m pipeline.container.registry "$CI_TMP/registry" --address-file "$CI_TMP/registry.address" \
    >"$CI_TMP/registry.log" 2>&1 &
  CI_STARTED_PIDS+=($!)
  if wait_until 100 0.1 test -s "$CI_TMP/registry.address"; then
    REGISTRY=$(cat "$CI_TMP/registry.address")
    export REGISTRY
    return
  fi
  echo "docker-registry did not start:" >&2
  cat "$CI_TMP/registry.log" "$CI_TMP/registry/registry.log" >&2 2>/dev/null
  return 1
}

wait_until() {
  # wait_until TRIES DELAY COMMAND...: retry COMMAND until it succeeds; fail after TRIES.
  local tries=$1 delay=$2 _
  shift 2
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    sleep "$delay"
  done
  return 1
}

free_port() {
  python3 -c 'from pipeline.core.service import free_port; print(free_port())'
}

image_of() {
  # image_of NAME: the local image pipeline/container/rootfs.py builds under that name.
  python3 -c 'import sys; from pipeline.container.rootfs import IMAGES; print(IMAGES[sys.argv[1]].ref)' "$1"
}

ensure_image() {
  # ensure_image NAME: build a local image from the apt mirror unless Docker has it already
  # (python, the air-gapped base; fresh-machine).
  if ! "$DOCKER" image inspect "$(image_of "$1")" >/dev/null 2>&1; then
    "${NOX[@]}" -s base_image -- "$1"
  fi
}

fresh_machine() {
  # fresh_machine SCRIPT: run SCRIPT in a clean clone of HEAD inside the fresh-machine image,
  # as a reader would on a machine holding only python3 and git. Its network is the host's, and
  # the host's CA bundle is the only thing lent to it: HTTPS here goes through a proxy with its
  # own CA, and no check may be turned off to get past it.
  local clone="$CI_TMP/fresh-machine"
  git clone --quiet . "$clone"
  "$DOCKER" run --rm --network host --volume "$clone:/home/reader/service" \
    --workdir /home/reader/service \
    --volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
    --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
    --env PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    "$(image_of fresh-machine)" bash -euo pipefail -c "$1"
}

run_container() {
  # run_container IMAGE: start it hardened (pipeline/container/containers.py), wait for /healthz,
  # set CONTAINER_URL. Not for $(...): the container must be recorded in this shell for cleanup.
  local name url
  read -r name url < <(python3 -m pipeline.container.containers start "$1" || echo "- -")
  if [ "$name" = - ]; then
    return 1
  fi
  CI_CONTAINERS+=("$name")
  export CONTAINER_URL="$url"
}
