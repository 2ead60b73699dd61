//! Training flows across crates: CSV → daily loads → PMC; activities in several zones → PMC.

use pa_core::fitness::load::{NpConvention, PowerThreshold, ThresholdKind, power_load};
use pa_core::fitness::pmc::{self, DailyLoads, PmcOptions, PmcVariant};
use pa_core::fitness::{Activity, Sport};
use pa_core::ids::ActivityId;
use pa_core::time::{Day, ZonedInstant, parse_zone};
use pa_integrations::import::loads::read_daily_loads;
use proptest::prelude::*;

fn day(s: &str) -> Day {
    s.parse().unwrap()
}

#[test]
fn csv_to_pmc_equals_the_core_on_the_same_entries() {
    let csv = "date,load\n2026-03-01,80\n2026-03-03,120\n2026-03-01,15\n2026-03-08,200\n";
    let series = read_daily_loads(csv.as_bytes(), "test").unwrap();
    let from_csv = pmc::compute(&series, &PmcOptions::default()).unwrap();
    let direct = DailyLoads::from_entries([
        (day("2026-03-01"), 95.0),
        (day("2026-03-03"), 120.0),
        (day("2026-03-08"), 200.0),
    ])
    .unwrap();
    assert_eq!(
        from_csv,
        pmc::compute(&direct, &PmcOptions::default()).unwrap()
    );
    assert_eq!(from_csv.len(), 8);
}

#[test]
fn activities_count_on_their_local_start_day() {
    // Both start at 2026-03-01T23:30Z: Sunday night in London, Monday morning in Tokyo.
    let start = "2026-03-01T23:30:00Z".parse().unwrap();
    let power = vec![250.0; 3600];
    let tss = power_load(
        &power,
        PowerThreshold {
            kind: ThresholdKind::Ftp,
            watts: 250.0,
        },
        NpConvention::Coggan,
    )
    .unwrap()
    .tss;
    let mk = |id: &str, zone: &str| {
        let mut a = Activity::new(
            ActivityId::new(id).unwrap(),
            Sport::Ride,
            ZonedInstant::new(start, parse_zone(zone).unwrap()),
            3600.0,
        );
        a.training_load = Some(tss);
        a
    };
    let acts = [mk("london", "Europe/London"), mk("tokyo", "Asia/Tokyo")];
    let series = DailyLoads::from_activities(&acts).unwrap();
    assert_eq!(series.start(), day("2026-03-01"));
    assert_eq!(series.loads().len(), 2);
    assert!((series.loads()[0] - 100.0).abs() < 1e-9 && (series.loads()[1] - 100.0).abs() < 1e-9);
    let chart = pmc::compute(&series, &PmcOptions::for_variant(PmcVariant::IntervalsIcu)).unwrap();
    assert!(chart.tsb()[1] < 0.0);
}

proptest! {
    /// Whatever order and duplication the rows come in, the CSV path equals summing in the core.
    #[test]
    fn csv_rows_in_any_order_sum_per_day(rows in proptest::collection::vec((0i64..60, 0u32..4000), 1..80)) {
        let base = day("2026-01-01");
        let mut csv = String::from("date,load\n");
        let mut entries = Vec::new();
        for (offset, tenths) in &rows {
            let d = base.add_days(*offset).unwrap();
            let load = f64::from(*tenths) / 10.0;
            csv.push_str(&format!("{d},{load}\n"));
            entries.push((d, load));
        }
        let a = read_daily_loads(csv.as_bytes(), "prop").unwrap();
        let b = DailyLoads::from_entries(entries).unwrap();
        prop_assert_eq!(a.start(), b.start());
        prop_assert_eq!(a.loads().len(), b.loads().len());
        for (x, y) in a.loads().iter().zip(b.loads()) {
            prop_assert!((x - y).abs() < 1e-9);
        }
    }
}
