# shellcheck shell=bash
# Sourced by .ci/run: run the shell commands the README shows, exactly as a reader would paste them.
readme_command() {
  # Print the ```sh block that follows the README's `<!-- ci: NAME -->` marker; fail if none does.
  awk -v want="<!-- ci: $1 -->" '
    $0 == want {armed = 1; next}
    armed && /^```sh$/ {grab = 1; armed = 0; next}
    grab && /^```/ {found = 1; exit}
    grab {print}
    END {exit !found}' README.md
}
