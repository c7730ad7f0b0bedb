# shellcheck shell=bash
# Sourced by .ci/run: run the shell commands the README shows, exactly as a reader would paste them.
readme_command() {
  # Print the Nth ```sh block of README.md (1-based).
  awk -v want="$1" '/^```sh$/ {n++; grab = (n == want); next} /^```/ {grab = 0} grab' README.md
}
