//! Benchmarks of the training calculations against the targets:
//! PMC over 3,650 days ≤ 20 µs; NP over 18,000 samples (5 h at 1 Hz) ≤ 100 µs; TRIMP likewise.
//! `benches/pmc_pandas.py` times pandas on the same series for the side-by-side ratio.

#![allow(clippy::expect_used)] // fixed inputs: a failure here is a broken benchmark

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pa_core::fitness::load::{
    HeartRateProfile, NpConvention, PowerThreshold, Sex, ThresholdKind, TrimpConvention,
    normalized_graded_speed, normalized_power, power_load, trimp_per_sample,
};
use pa_core::fitness::pmc::{DailyLoads, PmcOptions, compute, compute_dense};
use pa_core::time::Day;

/// A deterministic pseudo-random sequence (xorshift), so runs compare like with like.
fn noise(n: usize, seed: u64) -> Vec<f64> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % 10_000) as f64 / 10_000.0
        })
        .collect()
}

/// The same series `benches/pmc_pandas.py` builds: a weekly pattern with a rest day, plus noise.
pub fn ten_years_of_loads() -> Vec<f64> {
    noise(3650, 42)
        .iter()
        .enumerate()
        .map(|(i, r)| if i % 7 == 0 { 0.0 } else { 40.0 + 120.0 * r })
        .collect()
}

fn bench(c: &mut Criterion) {
    let start = Day::from_ymd(2016, 1, 1).expect("valid date");
    let loads = ten_years_of_loads();
    let opts = PmcOptions::default();
    c.bench_function("pmc_3650_days", |b| {
        b.iter(|| compute_dense(black_box(start), black_box(&loads), &opts))
    });

    // The path of CSV rows, Python lists and stored activities: dated entries, summed per day.
    let entries: Vec<(Day, f64)> = (0..3650)
        .map(|i| start.add_days(i))
        .collect::<Result<Vec<_>, _>>()
        .expect("valid dates")
        .into_iter()
        .zip(loads.iter().copied())
        .collect();
    c.bench_function("pmc_3650_entries", |b| {
        b.iter(|| {
            let series = DailyLoads::from_entries(black_box(entries.iter().copied()))?;
            compute(&series, &opts)
        })
    });

    let power: Vec<f64> = noise(18_000, 7).iter().map(|r| 150.0 + 200.0 * r).collect();
    c.bench_function("np_coggan_18000", |b| {
        b.iter(|| normalized_power(black_box(&power), NpConvention::Coggan))
    });
    let ftp = PowerThreshold {
        kind: ThresholdKind::Ftp,
        watts: 250.0,
    };
    c.bench_function("np_if_tss_18000", |b| {
        b.iter(|| power_load(black_box(&power), ftp, NpConvention::Coggan))
    });
    c.bench_function("np_goldencheetah_18000", |b| {
        b.iter(|| normalized_power(black_box(&power), NpConvention::GoldenCheetah))
    });

    let hr: Vec<f64> = noise(18_000, 9).iter().map(|r| 110.0 + 60.0 * r).collect();
    let profile =
        HeartRateProfile::new(50.0, 190.0, Some(170.0), Sex::Male).expect("valid profile");
    c.bench_function("trimp_18000", |b| {
        b.iter(|| trimp_per_sample(black_box(&hr), 1.0, &profile, TrimpConvention::Banister))
    });

    let speed: Vec<f64> = noise(18_000, 11).iter().map(|r| 2.5 + r).collect();
    let alt: Vec<f64> = (0..18_000)
        .map(|i| 100.0 + 20.0 * (i as f64 / 300.0).sin())
        .collect();
    c.bench_function("ngp_18000", |b| {
        b.iter(|| normalized_graded_speed(black_box(&speed), Some(&alt)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
