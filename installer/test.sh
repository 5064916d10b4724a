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
# The keychain tests talk to a real Secret Service: a private D-Bus session with a throwaway
# gnome-keyring, required (a missing keyring fails the test rather than skipping it).
export LEADDESK_REQUIRE_KEYRING=1
bash installer/keyring-session.sh ctest --preset ci -j"$(nproc)" "$@"
