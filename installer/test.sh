#!/usr/bin/env bash
# The README's second command: install every dependency the build and the tests need, build
# with warnings as errors, and run the whole suite. GUI tests run on Qt's offscreen platform.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash installer/install-deps.sh
cmake --preset ci
cmake --build --preset ci -j"$(nproc)"

export QT_QPA_PLATFORM=offscreen
# Tests write their stores under a private temporary folder, never the user's app data.
export XDG_DATA_HOME="$(mktemp -d)"
export XDG_CONFIG_HOME="$XDG_DATA_HOME/config"
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
ctest --preset ci -j"$(nproc)" "$@"
