#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a throwaway, unlocked gnome-keyring, so code
# that keeps secrets in the keychain (QtKeychain over the Secret Service) meets a real one: the
# test suite, or the desktop app on a headless machine. The keyring's files go to
# $XDG_DATA_HOME/keyrings (set XDG_DATA_HOME to a temporary folder to leave nothing behind).
#   installer/keyring-session.sh COMMAND [ARGS...]
set -euo pipefail
if [[ $# -eq 0 ]]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
exec dbus-run-session -- bash -c '
  set -euo pipefail
  # An empty password on stdin creates and unlocks the login keyring.
  eval "$(printf "\n" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  exec "$@"' keyring-session "$@"
