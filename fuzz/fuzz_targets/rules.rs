//! Recurrence rules and schedules as a person or a script writes them: any text is a rule that
//! expands (bounded) over ten years in a zone with DST, or a typed error.
#![no_main]
use chrono::{NaiveDate, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use pa_core::calendar::recurrence::Recurrence;
use pa_core::tasks::schedule::Schedule;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (Some(start), Some(from), Some(to)) = (
        NaiveDate::from_ymd_opt(2026, 3, 29).and_then(|d| d.and_hms_opt(2, 30, 0)),
        Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).single(),
    ) else {
        return;
    };
    let zone = chrono_tz::Europe::Berlin;
    if let Ok(rule) = Recurrence::rule(text) {
        let _ = rule.expand(start, zone, from, to);
    }
    if let Ok(schedule) = text.parse::<Schedule>() {
        let _ = schedule.runs(zone, from, to, 10_000);
    }
});
