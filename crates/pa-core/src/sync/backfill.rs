//! Walking days in ranges for sources that answer by date range (Garmin Connect: at most 28 days
//! a call), each range written with its cursor so that a stopped walk resumes after its last
//! range.
//!
//! The cursor is the last day done (`2026-11-30`), or, while a backfill from a chosen day runs,
//! `backfill:{from}:{last day done}`: the same backfill asked for again resumes after the last
//! range written; a plain sync first finishes an unfinished backfill, and otherwise starts
//! `overlap` days before the last day done (for data the service finishes later).

use crate::error::Result;
use crate::time::Day;

/// How a walk goes: where it starts, and the backfill it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walk {
    /// The first day to read.
    pub from: Day,
    /// The day the backfill began, while one runs.
    pub backfill: Option<Day>,
}

/// How far a walk reaches back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// Days a first walk without a start day reads, today included.
    pub first_days: i64,
    /// Days before the last day done a plain walk starts again.
    pub overlap: i64,
}

/// Where to go on from the stored `cursor`, given a requested start day `since` and `today`.
pub fn resume(cursor: Option<&str>, since: Option<Day>, today: Day, reach: Reach) -> Result<Walk> {
    let day = |t: &str| t.parse::<Day>().ok();
    let backfill = cursor.and_then(|c| {
        let (from, done) = c.strip_prefix("backfill:")?.split_once(':')?;
        Some((day(from)?, day(done)?))
    });
    let walk = |from, backfill| Walk { from, backfill };
    Ok(match (since, backfill, cursor.and_then(day)) {
        // The same backfill again: on after the last range written.
        (Some(s), Some((from, done)), _) if s == from => walk(done.succ()?, Some(s)),
        (Some(s), _, _) => walk(s, Some(s)),
        // An unfinished backfill is finished first.
        (None, Some((from, done)), _) => walk(done.succ()?, Some(from)),
        (None, None, Some(done)) => walk(done.add_days(-reach.overlap)?, None),
        (None, None, None) => walk(today.add_days(1 - reach.first_days)?, None),
    })
}

/// The range of at most `max_days` days from `from`, not past `today`.
pub fn range(from: Day, today: Day, max_days: i64) -> Result<(Day, Day)> {
    Ok((from, from.add_days(max_days - 1)?.min(today)))
}

/// The cursor to store once the range ending on `done` is written.
pub fn cursor(walk: &Walk, done: Day, today: Day) -> String {
    match walk.backfill {
        Some(b) if done < today => format!("backfill:{b}:{done}"),
        _ => done.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(t: &str) -> Day {
        t.parse().unwrap()
    }

    const REACH: Reach = Reach {
        first_days: 29,
        overlap: 2,
    };

    #[test]
    fn the_cursor_says_where_to_go_on() {
        let today = d("2026-12-05");
        let walk = |from: &str, backfill: Option<&str>| Walk {
            from: d(from),
            backfill: backfill.map(d),
        };
        assert_eq!(
            resume(None, None, today, REACH).unwrap(),
            walk("2026-11-07", None)
        );
        assert_eq!(
            resume(Some("2026-12-01"), None, today, REACH).unwrap(),
            walk("2026-11-29", None)
        );
        let since = Some(d("2025-12-01"));
        assert_eq!(
            resume(Some("2026-12-01"), since, today, REACH).unwrap(),
            walk("2025-12-01", Some("2025-12-01"))
        );
        // A stopped backfill resumes after its last range, asked again or not.
        let stopped = Some("backfill:2025-12-01:2026-03-20");
        assert_eq!(
            resume(stopped, since, today, REACH).unwrap(),
            walk("2026-03-21", Some("2025-12-01"))
        );
        assert_eq!(
            resume(stopped, None, today, REACH).unwrap(),
            walk("2026-03-21", Some("2025-12-01"))
        );
        // Another backfill starts where it is asked to.
        assert_eq!(
            resume(stopped, Some(d("2024-01-01")), today, REACH).unwrap(),
            walk("2024-01-01", Some("2024-01-01"))
        );
    }

    #[test]
    fn ranges_and_cursors() {
        let today = d("2026-12-05");
        assert_eq!(
            range(d("2026-11-01"), today, 28).unwrap(),
            (d("2026-11-01"), d("2026-11-28"))
        );
        assert_eq!(
            range(d("2026-11-29"), today, 28).unwrap(),
            (d("2026-11-29"), today)
        );
        let b = Walk {
            from: d("2026-01-01"),
            backfill: Some(d("2026-01-01")),
        };
        assert_eq!(
            cursor(&b, d("2026-01-28"), today),
            "backfill:2026-01-01:2026-01-28"
        );
        assert_eq!(
            cursor(&b, today, today),
            "2026-12-05",
            "a finished backfill is a plain cursor"
        );
    }
}
