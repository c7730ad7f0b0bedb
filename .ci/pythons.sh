# shellcheck shell=bash
# Sourced by .ci/run: make every supported Python visible to nox and uv.
# pyenv shims answer only for the selected versions, so select the newest 3.11, 3.12 and 3.13
# that pyenv has (3.11 first: it is the default `python3`). Without pyenv, PATH is used as is.
if command -v pyenv >/dev/null 2>&1; then
  PYENV_VERSION=$(
    for minor in 3.11 3.12 3.13; do
      pyenv versions --bare | grep -E "^${minor//./\\.}\.[0-9]+$" | sort -V | tail -n 1
    done | paste -sd: -
  )
  export PYENV_VERSION
fi
