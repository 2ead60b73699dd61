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
# Rules and schedules: a few of each form, written here.
mkdir -p corpus/rules
i=0
for r in "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=10" "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231T000000Z" \
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29" "FREQ=DAILY;INTERVAL=3;BYHOUR=2;BYMINUTE=30" \
    "RRULE:FREQ=MINUTELY;BYSETPOS=1,-1;WKST=SU" "0 9 * * MON-FRI" "*/15 2 * * *" "0 0 L * *"; do
    printf '%s' "$r" > "corpus/rules/seed-$i"; i=$((i + 1))
done
# JSON Lines: the demo year as `pa export` writes it, in chunks of 20 lines.
mkdir -p corpus/jsonl
if [ ! -e corpus/jsonl/demo-aa ]; then
    db="$(mktemp -d)/pa.db"
    (cd .. && cargo run --quiet -p pa-cli -- --db "$db" --quiet demo >/dev/null &&
        cargo run --quiet -p pa-cli -- --db "$db" --quiet export) | split -l 20 - corpus/jsonl/demo-
    rm -rf "$(dirname "$db")"
fi
[ -d "$fixtures" ] || echo "note: $fixtures is absent; the targets start from an empty corpus"
for t in fit xml ofx ics csv rules jsonl; do
    echo "== $t for ${seconds}s"
    # -rss_limit_mb: memory per input stays bounded; -timeout: no input may hang.
    cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 2>&1 | grep -E "stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|crash-|timeout-|oom-" || true
done
