//! Training calculations.

use pa_core::fitness::pmc::{DailyLoads, PmcDay, PmcOptions, PmcVariant, compute};
use pa_core::time::Day;

use crate::PaError;

uniffi::custom_type!(Day, String, {
    remote,
    try_lift: |s| Ok(s.parse::<Day>()?),
    lower: |d| d.to_string(),
});

#[uniffi::remote(Enum)]
enum PmcVariant {
    GoldenCheetah,
    TrainingPeaks,
    IntervalsIcu,
}

#[uniffi::remote(Record)]
struct PmcOptions {
    variant: PmcVariant,
    ctl_days: f64,
    atl_days: f64,
    ctl0: f64,
    atl0: f64,
}

#[uniffi::remote(Record)]
struct PmcDay {
    day: Day,
    load: f64,
    ctl: f64,
    atl: f64,
    tsb: f64,
    ramp: f64,
}

/// One load on one day; several entries on a day add up.
#[derive(Debug, Clone, uniffi::Record)]
pub struct LoadEntry {
    /// The day, as an ISO date string on the foreign side.
    pub day: Day,
    /// The load (TSS-like), ≥ 0.
    pub load: f64,
}

/// The Performance Manager Chart of the entries: one row per calendar day.
#[uniffi::export]
pub fn pmc(entries: Vec<LoadEntry>, options: PmcOptions) -> Result<Vec<PmcDay>, PaError> {
    let series = DailyLoads::from_entries(entries.into_iter().map(|e| (e.day, e.load)))?;
    Ok(compute(&series, &options)?.rows().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(day: &str, load: f64) -> LoadEntry {
        LoadEntry {
            day: day.parse().unwrap(),
            load,
        }
    }

    #[test]
    fn delegates_to_the_core() {
        let rows = pmc(
            vec![entry("2026-01-01", 100.0), entry("2026-01-03", 10.0)],
            PmcOptions::default(),
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].load, 0.0);
    }

    #[test]
    fn errors_map_to_invalid_input() {
        let err = pmc(vec![entry("2026-01-01", -1.0)], PmcOptions::default()).unwrap_err();
        assert!(
            matches!(err, PaError::InvalidInput { ref reason } if reason.contains("negative")),
            "{err:?}"
        );
        let bad = PmcOptions {
            ctl_days: 0.0,
            ..PmcOptions::default()
        };
        assert!(matches!(
            pmc(vec![entry("2026-01-01", 1.0)], bad),
            Err(PaError::InvalidInput { .. })
        ));
        assert!(!crate::version().is_empty());
    }
}
