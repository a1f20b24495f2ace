#!/usr/bin/env bash
# Writes the golden files of the CLI's help texts (tests/golden/help/), which Golden.* in the end-to-end
# tests compare the plugin against: the CLI changes only on purpose. Run after a deliberate change:
#   tests/golden/update.sh [PLUGIN=build/test-release/plugin/docker-agentchat]
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
plugin=$(readlink -f "${1:-$here/../../build/test-release/plugin/docker-agentchat}")
out=$here/help
rm -rf "$out"
mkdir -p "$out"
subcommands() { "$plugin" "$@" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && /^  [a-z]/ {print $1}'; }
"$plugin" --help >"$out/docker-agentchat.txt"
for command in $(subcommands); do
  "$plugin" "$command" --help >"$out/$command.txt"
  for sub in $(subcommands "$command"); do "$plugin" "$command" "$sub" --help >"$out/$command-$sub.txt"; done
done
ls "$out" | wc -l | xargs echo "golden help texts written:"
