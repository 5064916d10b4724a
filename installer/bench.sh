#!/usr/bin/env bash
# Runs the benchmarks on a release build and prints the README's performance tables.
#   installer/bench.sh [rows]   (default 1,000,000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-1000000}"
bash installer/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target bench_import bench_mainwindow -j"$(nproc)"
build/release/tests/bench/bench_import "$rows"
build/release/tests/bench/bench_mainwindow --leads "$rows"
