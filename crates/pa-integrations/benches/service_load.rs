//! Issue 19's load benchmark: pa as the store of a service for many people, on PostgreSQL and, side
//! by side, on one SQLite file.
//!
//! `PA_BENCH_PEOPLE` people (default 1,000) each get a demo-sized year (seed = their number), in
//! a fresh PostgreSQL database and in one SQLite file. Then N = 10, 50 and 200 concurrent sessions
//! (threads sharing one `Assistant`, as a service's workers do) each run, for
//! `PA_BENCH_SECONDS` (default 10) per N, a mix on a random person: today's briefing, the weekly
//! review, a small write (a habit check-in and a new task, two batches) and a PMC read.
//! Reported: throughput and p50/p95/p99 latency per operation, in-process.
//!
//! ```sh
//! url=$(scripts/pg-cluster start /tmp/pa-bench)
//! PA_TEST_POSTGRES=$url cargo bench -p pa-integrations --features testing --bench service_load
//! scripts/pg-cluster stop /tmp/pa-bench
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pa_core::fitness::pmc::PmcOptions;
use pa_core::habits::EntryValue;
use pa_core::ports::{FitnessRepository, FixedClock};
use pa_core::time::Day;
use pa_integrations::assistant::{Access, Assistant, Location, NewTask};
use rand::{Rng, SeedableRng};

const OPS: [&str; 4] = [
    "briefing",
    "weekly review",
    "write (check-in + task)",
    "PMC",
];

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn day() -> Day {
    "2026-11-20".parse().unwrap()
}

fn open(location: &Location) -> Assistant {
    Assistant::open(location, Access::Create)
        .unwrap()
        .with_clock(Arc::new(FixedClock(
            "2026-11-20T08:00:00Z".parse().unwrap(),
        )))
}

/// Fills the store with `people` demo years, on `threads` threads; how long it took.
fn fill(pa: &Assistant, people: u64, threads: u64) -> Duration {
    let started = Instant::now();
    let next = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= people {
                        break;
                    }
                    let me = pa.person(&format!("p{i:05}"), true).unwrap();
                    me.load_demo(Some(day()), i + 1).unwrap();
                }
            });
        }
    });
    started.elapsed()
}

/// Latencies of each operation, in microseconds.
type Samples = BTreeMap<&'static str, Vec<u64>>;

fn session(pa: &Assistant, people: u64, until: Instant, seed: u64) -> Samples {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut samples: Samples = OPS.iter().map(|op| (*op, Vec::new())).collect();
    let mut n = 0u64;
    while Instant::now() < until {
        let me = pa
            .person(&format!("p{:05}", rng.random_range(0..people)), false)
            .unwrap();
        // Each session starts at another operation, so every one is measured at every N.
        let op = OPS[((n + seed) % OPS.len() as u64) as usize];
        n += 1;
        let started = Instant::now();
        match op {
            "briefing" => drop(me.briefing(Some(day()), None).unwrap()),
            "weekly review" => drop(me.weekly_review(Some(day().week()), None).unwrap()),
            "PMC" => drop(me.pmc(day(), &PmcOptions::default()).unwrap()),
            _ => {
                me.check_habit("Read", Some(day()), EntryValue::Yes)
                    .unwrap();
                me.add_task(NewTask {
                    title: format!("Task {n} of session {seed}"),
                    ..NewTask::default()
                })
                .unwrap();
            }
        }
        samples
            .get_mut(op)
            .unwrap()
            .push(started.elapsed().as_micros() as u64);
    }
    samples
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn drive(name: &str, pa: &Assistant, people: u64, sessions: u64, seconds: u64) {
    let until = Instant::now() + Duration::from_secs(seconds);
    let all: Vec<Samples> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..sessions)
            .map(|i| s.spawn(move || session(pa, people, until, i)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for op in OPS {
        let mut xs: Vec<u64> = all.iter().flat_map(|s| s[op].iter().copied()).collect();
        xs.sort_unstable();
        println!(
            "| {name} | {sessions} | {op} | {:.0} | {:.1} | {:.1} | {:.1} |",
            xs.len() as f64 / seconds as f64,
            percentile(&xs, 0.50),
            percentile(&xs, 0.95),
            percentile(&xs, 0.99),
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing and runs nothing.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let people = env("PA_BENCH_PEOPLE", 1000);
    let seconds = env("PA_BENCH_SECONDS", 10);
    let Some(url) = pa_integrations::storage::postgres::testing::fresh_database("service_load")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let stores = [
        ("PostgreSQL", open(&Location::Postgres(url))),
        ("SQLite", open(&Location::File(dir.path().join("pa.db")))),
    ];
    for (name, pa) in &stores {
        let took = fill(pa, people, 4);
        println!(
            "{name}: {people} people, a demo year each, written in {:.1} s ({:.0} ms a person)",
            took.as_secs_f64(),
            took.as_secs_f64() * 1000.0 / people as f64
        );
    }
    println!("\n| store | sessions | operation | per second | p50 ms | p95 ms | p99 ms |");
    println!("|---|---|---|---|---|---|---|");
    for sessions in [10, 50, 200] {
        for (name, pa) in &stores {
            drive(name, pa, people, sessions, seconds);
        }
    }
}
