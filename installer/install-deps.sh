#!/usr/bin/env bash
# Installs every Debian (bookworm) package LeadDesk needs to build, run and test.
# Idempotent: packages already present are skipped, so a second run is quick.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git clang-format
  # Qt 6.4 (DESIGN §4)
  qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qt6-charts-dev qt6-httpserver-dev
  qt6-websockets-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev libvulkan-dev
  libqt6opengl6-dev qtkeychain-qt6-dev
  # engine libraries
  libpqxx-dev libspdlog-dev libfmt-dev libphonenumber-dev libprotobuf-dev libsodium-dev
  libcurl4-openssl-dev
  libcsv-dev libsqlite3-dev sqlite3
  # tests: real PostgreSQL, X server, keyring, fonts for the GUI
  postgresql xvfb xauth x11-utils dbus dbus-x11 gnome-keyring libsecret-tools
  fonts-dejavu-core tzdata
  # benchmarks: the HTTP load generator
  wrk
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
