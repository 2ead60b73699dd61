#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) each, seeded with the shared fixtures (copied
# into the git-ignored corpus/ at run time, never committed) and with the project's own samples.
# Needs a nightly toolchain and cargo-fuzz: rustup toolchain install nightly; cargo install cargo-fuzz
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
fixtures="../../shared/fixtures"
seed() { # target, fixture folders...
    local t="$1"; shift
    mkdir -p "corpus/$t"
    for d in "$@"; do
        if [ -d "$fixtures/$d" ]; then cp -f "$fixtures/$d"/* "corpus/$t/" 2>/dev/null || true; fi
    done
}
seed fit fit
seed xml gpx tcx
seed ofx ofx
seed ics ics
seed csv fit   # the FIT folder holds a CSV of records
[ -d "$fixtures" ] || echo "note: $fixtures is absent; the targets start from an empty corpus"
for t in fit xml ofx ics csv; do
    echo "== $t for ${seconds}s"
    # -rss_limit_mb: memory per input stays bounded; -timeout: no input may hang.
    cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|crash-|timeout-|oom-" || true
done
