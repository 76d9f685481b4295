#!/usr/bin/env bash
# Runs shellcheck over every shell script under hack/ and .ci/: the *.sh files, and the ones
# without an extension whose first line starts sh or bash. Settings are in .shellcheckrc.
# Needs Debian's shellcheck package (apt-get install shellcheck). Env: none.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null || { echo 'shellcheck is not installed: apt-get install shellcheck' >&2; exit 1; }

scripts=()
while IFS= read -r -d '' file; do
  case ${file##*/} in
    *.sh) scripts+=("$file") ;;
    *.*) ;;
    *) head -n1 "$file" | grep -qE '^#!.*[/ ](ba)?sh$' && scripts+=("$file") ;;
  esac
done < <(find hack .ci -type f -print0 | sort -z)
shellcheck "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts clean"
