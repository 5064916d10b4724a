#!/usr/bin/env bash
# Checks that every C++ source follows .clang-format (clang-format 14, Debian bookworm's).
#   installer/check-format.sh          report the files that differ (exit 1 if any)
#   installer/check-format.sh --fix    reformat them in place
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mapfile -t files < <(find app core sync ui tests -type f \( -name '*.cpp' -o -name '*.h' \) | sort)
if [[ "${1:-}" == "--fix" ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
status=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (installer/check-format.sh --fix)"
    status=1
  fi
done
exit "$status"
