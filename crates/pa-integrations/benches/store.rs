//! The store on a realistic ten-year dataset (`demo::Size::TEN_YEARS`), against the issue's
//! targets: full import ≤ 1.5 s; file ≤ 20 MB; net worth series ≤ 2 ms; PMC ≤ 2 ms; weekly
//! review ≤ 5 ms, each read from the store.

#![allow(clippy::expect_used)] // fixed inputs: a failure here is a broken benchmark

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use pa_core::fitness::pmc::PmcOptions;
use pa_core::ids::UserId;
use pa_core::ports::{FinanceRepository, FitnessRepository, ReviewRepository, UserStore};
use pa_core::time::{Day, Week};
use pa_integrations::demo::{Size, generate};
use pa_integrations::storage::sqlite::Store;

fn last_day() -> Day {
    "2026-11-15".parse().expect("day")
}

fn bench(c: &mut Criterion) {
    let batch = generate(Size::TEN_YEARS, last_day(), 1).expect("dataset");
    let me = UserId::new("me").expect("id");
    let mut group = c.benchmark_group("store_10y");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("import", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("dir");
                let store = Store::open(&dir.path().join("pa.db")).expect("open");
                store.create_user(&me).expect("user");
                (dir, store)
            },
            |(dir, store)| {
                let report = store
                    .user(&me)
                    .expect("user")
                    .apply(&batch)
                    .expect("import");
                black_box(report);
                (dir, store)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();

    // One store for the reads; its size once closed (the WAL checkpointed into the file).
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("pa.db");
    {
        let store = Store::open(&path).expect("open");
        store.create_user(&me).expect("user");
        store
            .user(&me)
            .expect("user")
            .apply(&batch)
            .expect("import");
    }
    let bytes = std::fs::metadata(&path).expect("size").len();
    println!(
        "store_10y/file_size: {:.1} MB ({bytes} bytes)",
        bytes as f64 / 1e6
    );
    let store = Store::open(&path).expect("open");
    let user = store.user(&me).expect("user");
    let (last, first) = (last_day(), last_day().add_days(-3649).expect("day"));
    let year_ago = last.add_days(-364).expect("day");
    let week: Week = last.week();
    let zone = chrono_tz::Europe::Berlin;

    let mut reads = c.benchmark_group("store_10y_reads");
    reads.bench_function("net_worth_10y", |b| {
        b.iter(|| black_box(user.net_worth(first, last, None).expect("nw")));
    });
    reads.bench_function("net_worth_1y", |b| {
        b.iter(|| black_box(user.net_worth(year_ago, last, None).expect("nw")));
    });
    reads.bench_function("pmc_10y", |b| {
        b.iter(|| black_box(user.pmc(last, &PmcOptions::default()).expect("pmc")));
    });
    let after_the_week = "2026-11-20T00:00:00Z".parse().expect("instant");
    reads.bench_function("weekly_review", |b| {
        b.iter(|| {
            black_box(
                user.weekly_review(week, zone, after_the_week, PmcOptions::default())
                    .expect("review"),
            )
        });
    });
    reads.bench_function("daily_loads_10y", |b| {
        b.iter(|| black_box(user.daily_loads(first, last).expect("loads")));
    });
    reads.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
