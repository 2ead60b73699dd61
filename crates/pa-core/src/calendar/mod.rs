//! Calendar events, their recurrence, and the views over them: a day's agenda, free/busy, and
//! hours per calendar per week.
//!
//! Conventions: a timed event has a start and end instant with the zone it was made in; an
//! all-day event has dates, the end exclusive (as in iCalendar). Recurrence is expanded in the
//! event's zone ([`recurrence`]). Free/busy counts timed events that are not cancelled; all-day
//! events do not block time. Views take the user's zone, which decides where days and weeks begin.

pub mod recurrence;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::ExternalRef;
use crate::time::{Day, Week, ZonedInstant};
use recurrence::{Recurrence, resolve_local};

/// When an event happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventTime {
    /// From `start` to `end`.
    Timed {
        /// Start, with its zone.
        start: ZonedInstant,
        /// End (after the start).
        end: ZonedInstant,
    },
    /// Whole days from `start` up to, not including, `end`.
    AllDay {
        /// First day.
        start: Day,
        /// The day after the last day.
        end: Day,
    },
}

/// Whether an event takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// It takes place.
    #[default]
    Confirmed,
    /// It may take place.
    Tentative,
    /// It does not take place.
    Cancelled,
}

/// A change to one occurrence of a recurring event (RECURRENCE-ID).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// The original wall-clock start of the occurrence it replaces, in the event's zone.
    pub recurrence_id: NaiveDateTime,
    /// The new time; `None` keeps the original.
    pub time: Option<EventTime>,
    /// A new title; `None` keeps the event's.
    pub title: Option<String>,
    /// A new status (`Cancelled` removes the occurrence).
    pub status: Option<EventStatus>,
    /// RFC 5545 `RANGE=THISANDFUTURE`: later occurrences change too, each moved by the same
    /// wall-clock offset, given the new duration, title and status (until a later such change).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub this_and_future: bool,
}

impl Override {
    /// The wall-clock shift and the new duration this change gives, with `zone` the event's zone
    /// (`None` for all-day events).
    fn reshape(&self, zone: Option<Tz>) -> Option<(Duration, Duration)> {
        match (self.time?, zone) {
            (EventTime::Timed { start, end }, Some(tz)) => {
                let local = start.utc.with_timezone(&tz).naive_local();
                Some((local - self.recurrence_id, end.utc - start.utc))
            }
            (EventTime::AllDay { start, end }, None) => Some((
                start.naive().and_hms_opt(0, 0, 0).unwrap_or_default() - self.recurrence_id,
                Duration::days(start.days_until(end)),
            )),
            _ => None,
        }
    }
}

/// A calendar event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The calendar it belongs to ("Work").
    pub calendar: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// When (the first occurrence, for a recurring event).
    pub time: EventTime,
    /// Status.
    pub status: EventStatus,
    /// The source record.
    pub external: Option<ExternalRef>,
    /// The source's version tag, for sync.
    pub etag: Option<String>,
    /// Recurrence, if it repeats.
    pub recurrence: Option<Recurrence>,
    /// Changed occurrences.
    pub overrides: Vec<Override>,
    /// What kind of entry the source says it is, when not an ordinary event (Google's
    /// `eventType`: `birthday`, `focusTime`, `fromGmail`, `outOfOffice`, `workingLocation`), so
    /// a front end can show or hide such entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Event {
    /// A one-off timed event.
    pub fn timed(
        calendar: impl Into<String>,
        title: impl Into<String>,
        start: ZonedInstant,
        end: ZonedInstant,
    ) -> Result<Self> {
        if end.utc < start.utc {
            return Err(Error::invalid(
                "event",
                format!("ends at {end} before its start {start}"),
            ));
        }
        Ok(Self::with_time(
            calendar,
            title,
            EventTime::Timed { start, end },
        ))
    }

    /// A one-off all-day event over `start..end` (end exclusive).
    pub fn all_day(
        calendar: impl Into<String>,
        title: impl Into<String>,
        start: Day,
        end: Day,
    ) -> Result<Self> {
        if end <= start {
            return Err(Error::invalid(
                "event",
                format!("all-day end {end} is not after its start {start}"),
            ));
        }
        Ok(Self::with_time(
            calendar,
            title,
            EventTime::AllDay { start, end },
        ))
    }

    /// The first and last local days it touches: for a recurring event, to the end of its last
    /// occurrence (overrides included), or `None` as the last day when it repeats forever. Timed
    /// events are placed in their own zone; days are widened by one on each side so that a view
    /// in any zone finds them (views filter exactly).
    pub fn days(&self) -> Result<(Day, Option<Day>)> {
        let (first, last) = match self.time {
            EventTime::Timed { start, end } => (start.local_day(), end.local_day()),
            EventTime::AllDay { start, end } => (start, end.pred()?.max(start)),
        };
        let Some(rec) = &self.recurrence else {
            return Ok((first.pred()?, Some(last.succ()?)));
        };
        let (start_local, length_days) = match self.time {
            EventTime::Timed { start, end } => (
                start.local().naive_local(),
                (end.utc - start.utc).num_days() + 1,
            ),
            EventTime::AllDay { start, end } => (
                start.naive().and_hms_opt(0, 0, 0).unwrap_or_default(),
                start.days_until(end),
            ),
        };
        let zone = match self.time {
            EventTime::Timed { start, .. } => start.zone,
            EventTime::AllDay { .. } => chrono_tz::UTC,
        };
        let Some(last_start) = rec.last_start(start_local, zone)? else {
            return Ok((first.pred()?, None));
        };
        let mut end = Day::from_naive(last_start.date()).add_days(length_days)?;
        for o in &self.overrides {
            let moved = match o.time {
                Some(EventTime::Timed { end: e, .. }) => e.local_day(),
                Some(EventTime::AllDay { end: e, .. }) => e,
                None => continue,
            };
            end = end.max(moved);
        }
        Ok((first.pred()?, Some(end.succ()?)))
    }

    /// Checks the time runs forward and the recurrence parses.
    pub fn validate(&self) -> Result<()> {
        let backwards = match self.time {
            // A timed event may be an instant (RFC 5545: DTSTART without DTEND or DURATION).
            EventTime::Timed { start, end } => end.utc < start.utc,
            EventTime::AllDay { start, end } => end <= start,
        };
        if backwards {
            return Err(Error::invalid(
                format!("event '{}'", self.title),
                "ends before its start (or, for an all-day event, on its first day)",
            ));
        }
        if let Some(r) = &self.recurrence {
            r.validate()?;
        }
        Ok(())
    }

    fn with_time(calendar: impl Into<String>, title: impl Into<String>, time: EventTime) -> Self {
        Self {
            calendar: calendar.into(),
            title: title.into(),
            description: None,
            location: None,
            time,
            status: EventStatus::Confirmed,
            external: None,
            etag: None,
            recurrence: None,
            overrides: Vec::new(),
            kind: None,
        }
    }
}

/// One occurrence of an event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Occurrence {
    /// The event's calendar.
    pub calendar: String,
    /// Title (an override's, if changed).
    pub title: String,
    /// When.
    pub time: EventTime,
    /// Status.
    pub status: EventStatus,
    /// Changed by an override.
    pub overridden: bool,
}

impl Occurrence {
    /// The span as instants; all-day occurrences span their days' midnights in `zone`.
    pub fn span(&self, zone: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>)> {
        match self.time {
            EventTime::Timed { start, end } => Ok((start.utc, end.utc)),
            EventTime::AllDay { start, end } => Ok((midnight(start, zone)?, midnight(end, zone)?)),
        }
    }
}

fn midnight(day: Day, zone: Tz) -> Result<DateTime<Utc>> {
    Ok(
        resolve_local(day.naive().and_hms_opt(0, 0, 0).unwrap_or_default(), zone)?
            .with_timezone(&Utc),
    )
}

/// Every occurrence of `events` overlapping the days `[from, to]` in `zone`, recurring events
/// expanded, by start: all-day before timed at the same instant, ties in the order given.
pub fn occurrences_between<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    from: Day,
    to: Day,
    zone: Tz,
) -> Result<Vec<Occurrence>> {
    let (start, end) = (midnight(from, zone)?, midnight(to.succ()?, zone)?);
    let mut keyed = Vec::new();
    for e in events {
        for o in expand(e, start, end, zone)? {
            let key = (o.span(zone)?.0, matches!(o.time, EventTime::Timed { .. }));
            keyed.push((key, o));
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    Ok(keyed.into_iter().map(|(_, o)| o).collect())
}

/// Most occurrences of one event an agenda lists: a series that repeats more often within the
/// window (a rule of every few minutes or seconds) shows its first ones and a note says how many
/// there are, so that one event cannot bury the day or flood a terminal.
pub const AGENDA_SERIES_CAP: usize = 12;

/// An agenda: occurrences by start, and notes on what it leaves out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Agenda {
    /// The occurrences, all-day before timed at the same instant, by start.
    pub occurrences: Vec<Occurrence>,
    /// Events that could not be expanded, and series cut to [`AGENDA_SERIES_CAP`], in plain words.
    pub notes: Vec<String>,
}

/// The agenda of the days `[from, to]` in `zone`, as [`occurrences_between`] lists it, except
/// that no single event can fail or flood it: an event that cannot be expanded is left out with a
/// note saying why, and a series with more than [`AGENDA_SERIES_CAP`] occurrences in the window
/// shows its first ones with a note giving the count. For briefings and reviews; listings that
/// must be complete use [`occurrences_between`].
pub fn agenda_between<'a>(
    events: impl IntoIterator<Item = &'a Event>,
    from: Day,
    to: Day,
    zone: Tz,
) -> Result<Agenda> {
    let (start, end) = (midnight(from, zone)?, midnight(to.succ()?, zone)?);
    let mut keyed = Vec::new();
    let mut notes = Vec::new();
    for e in events {
        match expand(e, start, end, zone) {
            Ok(mut found) => {
                if found.len() > AGENDA_SERIES_CAP {
                    notes.push(format!(
                        "'{}' occurs {} times in this window; the first {AGENDA_SERIES_CAP} are listed",
                        e.title,
                        found.len()
                    ));
                    found.truncate(AGENDA_SERIES_CAP);
                }
                for o in found {
                    let key = (o.span(zone)?.0, matches!(o.time, EventTime::Timed { .. }));
                    keyed.push((key, o));
                }
            }
            Err(err) => notes.push(format!("'{}' is left out: {err}", e.title)),
        }
    }
    keyed.sort_by_key(|(k, _)| *k);
    Ok(Agenda {
        occurrences: keyed.into_iter().map(|(_, o)| o).collect(),
        notes,
    })
}

/// The occurrences of `event` that overlap `[from, to)`, in start order. All-day events are
/// placed in `zone` for the window test.
pub fn expand(
    event: &Event,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
) -> Result<Vec<Occurrence>> {
    if to <= from {
        return Err(Error::invalid("window", "must end after it starts"));
    }
    let base = Occurrence {
        calendar: event.calendar.clone(),
        title: event.title.clone(),
        time: event.time,
        status: event.status,
        overridden: false,
    };
    let Some(rec) = &event.recurrence else {
        let (s, e) = base.span(zone)?;
        return Ok(if within(s, e, from, to) {
            vec![base]
        } else {
            Vec::new()
        });
    };
    let zone_of_event = match event.time {
        EventTime::Timed { start, .. } => Some(start.zone),
        EventTime::AllDay { .. } => None,
    };
    // Changes to this and later occurrences, in order; the expansion window widens by how far
    // they move occurrences and how long they make them.
    let mut ranges: Vec<(&Override, Duration, Duration)> = event
        .overrides
        .iter()
        .filter(|o| o.this_and_future)
        .filter_map(|o| o.reshape(zone_of_event).map(|(s, d)| (o, s, d)))
        .collect();
    ranges.sort_by_key(|(o, ..)| o.recurrence_id);
    let slack = ranges
        .iter()
        .map(|(_, s, d)| s.abs() + d.abs())
        .max()
        .unwrap_or_default();
    // Occurrences are found by start; widen the window by the duration so that one that started
    // before `from` but is still going is kept.
    let (mut starts, duration): (Vec<NaiveDateTime>, Duration) = match event.time {
        EventTime::Timed { start, end } => {
            let tz = start.zone;
            let d = end.utc - start.utc;
            let found = rec.expand(
                start.local().naive_local(),
                tz,
                from - d - slack,
                to + slack,
            )?;
            (found.iter().map(|t| t.naive_local()).collect(), d)
        }
        EventTime::AllDay { start, end } => {
            // Dates recur as floating midnights; expanding in UTC keeps them on their dates.
            let d = Duration::days(start.days_until(end));
            let utc_from = from - d - Duration::days(1) - slack;
            let utc_to = to + Duration::days(1) + slack;
            let found = rec.expand(
                start.naive().and_hms_opt(0, 0, 0).unwrap_or_default(),
                chrono_tz::UTC,
                utc_from,
                utc_to,
            )?;
            (found.iter().map(|t| t.naive_local()).collect(), d)
        }
    };
    // The event's own start is its first occurrence (RFC 5545 §3.8.5.3), whether or not the rule
    // would produce it; the window test below drops it when it is outside.
    let own_start = match event.time {
        EventTime::Timed { start, .. } => start.local().naive_local(),
        EventTime::AllDay { start, .. } => start.naive().and_hms_opt(0, 0, 0).unwrap_or_default(),
    };
    if !starts.contains(&own_start) && !rec.exdates.contains(&own_start) {
        starts.insert(0, own_start);
    }
    let mut out = Vec::new();
    let make = |local: NaiveDateTime| -> Result<EventTime> {
        Ok(match event.time {
            EventTime::Timed { start, .. } => {
                let s = resolve_local(local, start.zone)?.with_timezone(&Utc);
                EventTime::Timed {
                    start: ZonedInstant::new(s, start.zone),
                    end: ZonedInstant::new(s + duration, start.zone),
                }
            }
            EventTime::AllDay { .. } => {
                let s = Day::from_naive(local.date());
                EventTime::AllDay {
                    start: s,
                    end: s.add_days(duration.num_days())?,
                }
            }
        })
    };
    for local in &starts {
        let mut occ = Occurrence {
            time: make(*local)?,
            ..base.clone()
        };
        if let Some(o) = event.overrides.iter().find(|o| o.recurrence_id == *local) {
            apply(&mut occ, o);
        } else if let Some((o, shift, length)) =
            ranges.iter().rev().find(|(o, ..)| o.recurrence_id < *local)
        {
            occ.time = match event.time {
                EventTime::Timed { start, .. } => {
                    let s = resolve_local(*local + *shift, start.zone)?.with_timezone(&Utc);
                    EventTime::Timed {
                        start: ZonedInstant::new(s, start.zone),
                        end: ZonedInstant::new(s + *length, start.zone),
                    }
                }
                EventTime::AllDay { .. } => {
                    let s = Day::from_naive((*local + *shift).date());
                    EventTime::AllDay {
                        start: s,
                        end: s.add_days(length.num_days())?,
                    }
                }
            };
            apply(
                &mut occ,
                &Override {
                    time: None,
                    ..(*o).clone()
                },
            );
        }
        out.push(occ);
    }
    // Overrides that move an occurrence from outside the window into it.
    for o in &event.overrides {
        if starts.contains(&o.recurrence_id) || o.time.is_none() {
            continue;
        }
        let original = make(o.recurrence_id)?;
        let (os, _) = Occurrence {
            time: original,
            ..base.clone()
        }
        .span(zone)?;
        let exists = o.recurrence_id == own_start && !rec.exdates.contains(&own_start)
            || match event.time {
                EventTime::Timed { start, .. } => !rec
                    .expand(
                        start.local().naive_local(),
                        start.zone,
                        os,
                        os + Duration::seconds(1),
                    )?
                    .is_empty(),
                EventTime::AllDay { start, .. } => !rec
                    .expand(
                        start.naive().and_hms_opt(0, 0, 0).unwrap_or_default(),
                        chrono_tz::UTC,
                        Utc.from_utc_datetime(&o.recurrence_id),
                        Utc.from_utc_datetime(&o.recurrence_id) + Duration::seconds(1),
                    )?
                    .is_empty(),
            };
        if exists {
            let mut occ = Occurrence {
                time: original,
                ..base.clone()
            };
            apply(&mut occ, o);
            out.push(occ);
        }
    }
    let mut kept = Vec::with_capacity(out.len());
    for occ in out {
        let (s, e) = occ.span(zone)?;
        if within(s, e, from, to) && occ.status != EventStatus::Cancelled {
            kept.push((s, occ));
        }
    }
    kept.sort_by_key(|(s, _)| *s);
    Ok(kept.into_iter().map(|(_, o)| o).collect())
}

use chrono::TimeZone;

/// Whether `[s, e)` overlaps the window `[from, to)`; an instant (`s == e`) does when it falls in it.
fn within(s: DateTime<Utc>, e: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    s < to && (e > from || (s == e && s >= from))
}

fn apply(occ: &mut Occurrence, o: &Override) {
    if let Some(t) = o.time {
        occ.time = t;
    }
    if let Some(t) = &o.title {
        occ.title.clone_from(t);
    }
    if let Some(s) = o.status {
        occ.status = s;
    }
    occ.overridden = true;
}

/// Everything on `day` in `zone`: all-day occurrences first, then timed ones by start.
pub fn agenda(events: &[Event], day: Day, zone: Tz) -> Result<Vec<Occurrence>> {
    let (from, to) = (midnight(day, zone)?, midnight(day.succ()?, zone)?);
    let mut all: Vec<Occurrence> = Vec::new();
    for e in events {
        all.extend(expand(e, from, to, zone)?);
    }
    all.sort_by_key(|o| match o.time {
        EventTime::AllDay { .. } => (0, DateTime::<Utc>::MIN_UTC),
        EventTime::Timed { start, .. } => (1, start.utc),
    });
    Ok(all)
}

/// Busy time in `[from, to)`: the merged spans of timed, non-cancelled occurrences, clipped to the
/// window.
pub fn busy(
    events: &[Event],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let mut spans = Vec::new();
    for e in events {
        for o in expand(e, from, to, chrono_tz::UTC)? {
            if let EventTime::Timed { start, end } = o.time {
                spans.push((start.utc.max(from), end.utc.min(to)));
            }
        }
    }
    spans.sort();
    let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    for (s, e) in spans {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    Ok(merged)
}

/// Free gaps of at least `min` in `[from, to)`: the complement of [`busy`].
pub fn free(
    events: &[Event],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    min: Duration,
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>> {
    let mut out = Vec::new();
    let mut cursor = from;
    for (s, e) in busy(events, from, to)? {
        if s - cursor >= min {
            out.push((cursor, s));
        }
        cursor = cursor.max(e);
    }
    if to - cursor >= min {
        out.push((cursor, to));
    }
    Ok(out)
}

/// Hours of timed, non-cancelled occurrences per calendar per ISO week (weeks begin on Monday
/// midnight in `zone`), over the weeks from `first` to `last`. An occurrence across a week
/// boundary is split. An event that cannot be expanded is left out and a note saying why is
/// added to `notes`.
pub fn hours_per_week(
    events: &[Event],
    first: Week,
    last: Week,
    zone: Tz,
    notes: &mut Vec<String>,
) -> Result<BTreeMap<(String, Week), f64>> {
    let from = midnight(first.first_day(), zone)?;
    let to = midnight(last.last_day().succ()?, zone)?;
    let mut out: BTreeMap<(String, Week), f64> = BTreeMap::new();
    for e in events {
        let found = match expand(e, from, to, zone) {
            Ok(found) => found,
            Err(err) => {
                notes.push(format!("'{}' is left out: {err}", e.title));
                continue;
            }
        };
        for o in found {
            let EventTime::Timed { start, end } = o.time else {
                continue;
            };
            let mut s = start.utc.max(from);
            let end = end.utc.min(to);
            while s < end {
                let week = ZonedInstant::new(s, zone).local_day().week();
                let week_end = midnight(week.last_day().succ()?, zone)?;
                let piece_end = end.min(week_end);
                *out.entry((o.calendar.clone(), week)).or_insert(0.0) +=
                    (piece_end - s).num_seconds() as f64 / 3600.0;
                s = piece_end;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_zone;

    fn berlin() -> Tz {
        parse_zone("Europe/Berlin").unwrap()
    }

    fn at(local: &str) -> ZonedInstant {
        ZonedInstant::from_local(
            NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").unwrap(),
            berlin(),
        )
        .unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn standup() -> Event {
        let mut e = Event::timed(
            "Work",
            "Standup",
            at("2026-03-02T09:00"),
            at("2026-03-02T09:15"),
        )
        .unwrap();
        e.recurrence = Some(Recurrence::rule("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR").unwrap());
        e
    }

    #[test]
    fn the_start_is_an_occurrence_even_off_the_rule() {
        // Wednesday 2026-03-04, but the rule says Tuesdays.
        let mut e = Event::timed(
            "Work",
            "1:1",
            at("2026-03-04T10:00"),
            at("2026-03-04T10:30"),
        )
        .unwrap();
        e.recurrence = Some(Recurrence::rule("FREQ=WEEKLY;BYDAY=TU;COUNT=2").unwrap());
        let got = expand(
            &e,
            utc("2026-03-01T00:00:00Z"),
            utc("2026-04-01T00:00:00Z"),
            berlin(),
        )
        .unwrap();
        let days: Vec<String> = got
            .iter()
            .map(|o| o.span(berlin()).unwrap().0.format("%d").to_string())
            .collect();
        assert_eq!(days, ["04", "10", "17"]);
        // Unless it is excluded.
        e.recurrence
            .as_mut()
            .unwrap()
            .exdates
            .push(NaiveDateTime::parse_from_str("2026-03-04T10:00", "%Y-%m-%dT%H:%M").unwrap());
        let got = expand(
            &e,
            utc("2026-03-01T00:00:00Z"),
            utc("2026-04-01T00:00:00Z"),
            berlin(),
        )
        .unwrap();
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn an_instant_is_an_event_in_the_window_it_falls_in() {
        let t = at("2026-03-02T09:00");
        let mut e = Event::timed("Work", "Deadline", t, t).unwrap();
        assert!(Event::timed("Work", "Backwards", t, at("2026-03-02T08:00")).is_err());
        e.recurrence = Some(Recurrence::rule("FREQ=DAILY;COUNT=3").unwrap());
        e.validate().unwrap();
        // 08:00 UTC is 09:00 in Berlin: the window that starts at the instant holds it, the one
        // that ends there does not.
        let got = expand(
            &e,
            utc("2026-03-03T08:00:00Z"),
            utc("2026-03-04T08:00:00Z"),
            berlin(),
        );
        assert_eq!(got.unwrap().len(), 1);
        let got = expand(
            &e,
            utc("2026-03-01T08:00:00Z"),
            utc("2026-03-02T08:00:00Z"),
            berlin(),
        );
        assert!(got.unwrap().is_empty());
    }

    #[test]
    fn overrides_move_and_cancel_occurrences() {
        let mut e = standup();
        let local = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        e.overrides.push(Override {
            recurrence_id: local("2026-03-03T09:00"),
            time: None,
            title: None,
            status: Some(EventStatus::Cancelled),
            this_and_future: false,
        });
        e.overrides.push(Override {
            recurrence_id: local("2026-03-04T09:00"),
            time: Some(EventTime::Timed {
                start: at("2026-03-04T11:00"),
                end: at("2026-03-04T11:30"),
            }),
            title: Some("Standup (moved)".into()),
            status: None,
            this_and_future: false,
        });
        let occ = expand(
            &e,
            utc("2026-03-02T00:00:00Z"),
            utc("2026-03-07T00:00:00Z"),
            berlin(),
        )
        .unwrap();
        let got: Vec<(String, String)> = occ
            .iter()
            .map(|o| match o.time {
                EventTime::Timed { start, .. } => (start.to_string(), o.title.clone()),
                EventTime::AllDay { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(got.len(), 4);
        assert_eq!(
            got[1],
            (
                "2026-03-04T11:00:00+01:00[Europe/Berlin]".to_owned(),
                "Standup (moved)".to_owned()
            )
        );
        assert!(occ[1].overridden);
    }

    #[test]
    fn agenda_busy_free_and_hours() {
        let lunch = Event::timed(
            "Personal",
            "Lunch",
            at("2026-03-02T12:00"),
            at("2026-03-02T13:00"),
        )
        .unwrap();
        let overlap = Event::timed(
            "Work",
            "Review",
            at("2026-03-02T12:30"),
            at("2026-03-02T14:00"),
        )
        .unwrap();
        let holiday = Event::all_day(
            "Personal",
            "Holiday",
            "2026-03-02".parse().unwrap(),
            "2026-03-03".parse().unwrap(),
        )
        .unwrap();
        let events = vec![standup(), lunch, overlap, holiday];
        let day = agenda(&events, "2026-03-02".parse().unwrap(), berlin()).unwrap();
        let titles: Vec<&str> = day.iter().map(|o| o.title.as_str()).collect();
        assert_eq!(titles, ["Holiday", "Standup", "Lunch", "Review"]);
        let b = busy(
            &events,
            utc("2026-03-02T07:00:00Z"),
            utc("2026-03-02T17:00:00Z"),
        )
        .unwrap();
        assert_eq!(
            b,
            vec![
                (utc("2026-03-02T08:00:00Z"), utc("2026-03-02T08:15:00Z")),
                (utc("2026-03-02T11:00:00Z"), utc("2026-03-02T13:00:00Z"))
            ]
        );
        let f = free(
            &events,
            utc("2026-03-02T07:00:00Z"),
            utc("2026-03-02T17:00:00Z"),
            Duration::minutes(60),
        )
        .unwrap();
        assert_eq!(
            f,
            vec![
                (utc("2026-03-02T07:00:00Z"), utc("2026-03-02T08:00:00Z")),
                (utc("2026-03-02T08:15:00Z"), utc("2026-03-02T11:00:00Z")),
                (utc("2026-03-02T13:00:00Z"), utc("2026-03-02T17:00:00Z"))
            ]
        );
        let w = Week::new(2026, 10).unwrap();
        let hours = hours_per_week(&events, w, w, berlin(), &mut Vec::new()).unwrap();
        assert!((hours[&("Work".to_owned(), w)] - (5.0 * 0.25 + 1.5)).abs() < 1e-9);
        assert!((hours[&("Personal".to_owned(), w)] - 1.0).abs() < 1e-9);
    }

    #[test]
    fn all_day_recurrence_stays_on_its_dates() {
        let mut bins = Event::all_day(
            "Home",
            "Bins",
            "2026-01-05".parse().unwrap(),
            "2026-01-06".parse().unwrap(),
        )
        .unwrap();
        bins.recurrence = Some(Recurrence::rule("FREQ=WEEKLY;INTERVAL=2").unwrap());
        let tokyo = parse_zone("Asia/Tokyo").unwrap();
        let occ = expand(
            &bins,
            utc("2026-01-01T00:00:00Z"),
            utc("2026-02-01T00:00:00Z"),
            tokyo,
        )
        .unwrap();
        let days: Vec<String> = occ
            .iter()
            .map(|o| match o.time {
                EventTime::AllDay { start, .. } => start.to_string(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(days, ["2026-01-05", "2026-01-19"]);
        assert!(Event::timed("x", "bad", at("2026-01-01T10:00"), at("2026-01-01T09:00")).is_err());
        assert!(
            expand(
                &bins,
                utc("2026-02-01T00:00:00Z"),
                utc("2026-01-01T00:00:00Z"),
                tokyo
            )
            .is_err()
        );
    }

    #[test]
    fn days_reach_the_last_occurrence() {
        let berlin = crate::time::parse_zone("Europe/Berlin").unwrap();
        let at = |s: &str| ZonedInstant::new(s.parse().unwrap(), berlin);
        let mut e = Event::timed(
            "Work",
            "Standup",
            at("2026-03-02T08:00:00Z"),
            at("2026-03-02T08:15:00Z"),
        )
        .unwrap();
        let day = |s: &str| -> Day { s.parse().unwrap() };
        assert_eq!(
            e.days().unwrap(),
            (day("2026-03-01"), Some(day("2026-03-03")))
        );
        e.recurrence = Some(Recurrence::rule("FREQ=WEEKLY;COUNT=3").unwrap());
        // Last start 03-16; one day of length; widened by a day.
        assert_eq!(e.days().unwrap().1, Some(day("2026-03-18")));
        e.recurrence = Some(Recurrence::rule("FREQ=DAILY;UNTIL=20260310T235959Z").unwrap());
        assert_eq!(e.days().unwrap().1, Some(day("2026-03-12")));
        e.overrides.push(Override {
            recurrence_id: "2026-03-05T09:00:00".parse().unwrap(),
            time: Some(EventTime::Timed {
                start: at("2026-04-01T08:00:00Z"),
                end: at("2026-04-01T09:00:00Z"),
            }),
            title: None,
            status: None,
            this_and_future: false,
        });
        assert_eq!(
            e.days().unwrap().1,
            Some(day("2026-04-02")),
            "a moved occurrence counts"
        );
        e.recurrence = Some(Recurrence::rule("FREQ=WEEKLY").unwrap());
        assert_eq!(e.days().unwrap(), (day("2026-03-01"), None), "forever");
    }
}
