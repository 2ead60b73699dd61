//! Weekly and monthly totals per sport.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Activity, Sport};
use crate::time::{Day, Month, Week};

/// The totals of one sport in one period (a [`Week`] or a [`Month`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollup<P> {
    /// The period.
    pub period: P,
    /// The sport.
    pub sport: Sport,
    /// Number of activities.
    pub count: u32,
    /// Metres.
    pub distance_m: f64,
    /// Seconds of moving time (elapsed where moving time is unknown).
    pub duration_s: f64,
    /// Metres climbed.
    pub elevation_gain_m: f64,
    /// Training load.
    pub load: f64,
}

fn rollup<P: Ord + Copy>(activities: &[Activity], key: impl Fn(Day) -> P) -> Vec<Rollup<P>> {
    let mut map: BTreeMap<(P, Sport), Rollup<P>> = BTreeMap::new();
    for a in activities {
        let period = key(a.day());
        let r = map.entry((period, a.sport)).or_insert_with(|| Rollup {
            period,
            sport: a.sport,
            count: 0,
            distance_m: 0.0,
            duration_s: 0.0,
            elevation_gain_m: 0.0,
            load: 0.0,
        });
        r.count += 1;
        r.distance_m += a.distance_m.unwrap_or(0.0);
        r.duration_s += a.duration_s();
        r.elevation_gain_m += a.elevation_gain_m.unwrap_or(0.0);
        r.load += a.training_load.unwrap_or(0.0);
    }
    map.into_values().collect()
}

/// Totals per ISO week and sport, ordered by week then sport. Activities count on their local start day.
pub fn weekly(activities: &[Activity]) -> Vec<Rollup<Week>> {
    rollup(activities, Day::week)
}

/// Totals per calendar month and sport, ordered by month then sport.
pub fn monthly(activities: &[Activity]) -> Vec<Rollup<Month>> {
    rollup(activities, Day::month)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::ActivityId;
    use crate::time::{ZonedInstant, parse_zone};

    fn act(id: &str, utc: &str, zone: &str, sport: Sport, km: f64) -> Activity {
        let start = ZonedInstant::new(utc.parse().unwrap(), parse_zone(zone).unwrap());
        let mut a = Activity::new(ActivityId::new(id).unwrap(), sport, start, 3600.0);
        a.distance_m = Some(km * 1000.0);
        a.moving_s = Some(3000.0);
        a.training_load = Some(50.0);
        a
    }

    #[test]
    fn buckets_by_local_day() {
        let acts = vec![
            // Sunday 2026-03-08 23:30 in New York = Monday 04:30 UTC: still week 10 locally.
            act(
                "a",
                "2026-03-09T03:30:00Z",
                "America/New_York",
                Sport::Run,
                10.0,
            ),
            act("b", "2026-03-03T06:00:00Z", "UTC", Sport::Run, 5.0),
            act("c", "2026-03-10T06:00:00Z", "UTC", Sport::Run, 8.0),
            act("d", "2026-03-10T08:00:00Z", "UTC", Sport::Ride, 40.0),
            act("e", "2026-04-01T08:00:00Z", "UTC", Sport::Ride, 20.0),
        ];
        let w = weekly(&acts);
        let summary: Vec<(String, Sport, u32, f64)> = w
            .iter()
            .map(|r| (r.period.label(), r.sport, r.count, r.distance_m))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("10-26".into(), Sport::Run, 2, 15_000.0),
                ("11-26".into(), Sport::Run, 1, 8_000.0),
                ("11-26".into(), Sport::Ride, 1, 40_000.0),
                ("14-26".into(), Sport::Ride, 1, 20_000.0),
            ]
        );
        assert_eq!(w[0].duration_s, 6000.0);
        assert_eq!(w[0].load, 100.0);
        let m = monthly(&acts);
        assert_eq!(m.len(), 3);
        assert_eq!(
            (m[0].period.to_string(), m[0].sport, m[0].count),
            ("2026-03".into(), Sport::Run, 3)
        );
    }
}
