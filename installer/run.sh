#!/usr/bin/env bash
# The README's first command: install what LeadDesk needs, build it (release), and start the
# desktop app on its embedded default store (SQLite in the app-data folder), filled with a demo
# data set on first start. Extra arguments go to leaddesk (e.g. --data-dir DIR).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash installer/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target leaddesk leaddeskctl -j"$(nproc)"

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
  echo "run: no display found; starting LeadDesk on a virtual X server (Xvfb :99)" >&2
  Xvfb :99 -screen 0 1440x900x24 >/dev/null 2>&1 &
  export DISPLAY=:99
  sleep 1
fi
exec build/release/app/leaddesk --demo "$@"
