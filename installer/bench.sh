#!/usr/bin/env bash
# Runs the benchmarks on a release build and prints the README's performance tables.
#   installer/bench.sh [rows]   (default 1,000,000)
# The store benchmarks share one demo store of `rows` leads (five messages each), generated once
# into $LEADDESK_BENCH_DIR (default build/bench-stores); each works on its own copy of it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rows="${1:-1000000}"
bash installer/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target leaddeskctl bench_import bench_mainwindow \
  bench_receiver bench_rescore bench_dashboard bench_sla
bin=build/release/tests/bench
work="${LEADDESK_BENCH_DIR:-$root/build/bench-stores}"
demo="$work/demo-$rows"
if [[ ! -f "$demo.READY" ]]; then # the marker the store benchmarks wait for
  rm -rf "$demo" && mkdir -p "$demo"
  build/release/app/leaddeskctl --data-dir "$demo" demo --leads "$rows" --seed 1
  touch "$demo.READY"
fi
copy() { rm -rf "$work/$1" && mkdir -p "$work/$1" && cp "$demo"/leaddesk.sqlite* "$work/$1/"; }

"$bin/bench_import" "$rows"
"$bin/bench_receiver" --seconds 30
"$bin/bench_mainwindow" --leads "$rows"
"$bin/bench_dashboard" --source "$demo" --work "$work/dashboard"
"$bin/bench_rescore" --source "$demo" --store "$work/rescore" --fresh
copy sla && "$bin/bench_sla" "$work/sla/leaddesk.sqlite"
