//! iCalendar files (RFC 5545): VEVENTs become calendar events, VTODOs tasks; [`write`] turns events
//! back into a file that reads back to the same events.
//!
//! Parsing (folded lines, escapes, parameters, values) is calcard's; this module maps the
//! components onto pa-core's model:
//! - times with a TZID are wall-clock times in that zone ([`zone`] maps the name to an IANA zone),
//!   `…Z` times are UTC, floating times are read in [`ImportOptions::zone`], and dates are all-day;
//! - a VEVENT without DTEND or DURATION lasts one day if it starts on a date, and is an instant if
//!   it starts at a time (RFC 5545 §3.6.1);
//! - RRULE, RDATE (dates, times or periods; a period's start is kept) and EXDATE become the
//!   event's recurrence, written in the event's own zone; a VEVENT with a RECURRENCE-ID changes one
//!   occurrence of the event with the same UID (with RANGE=THISANDFUTURE, that one and the later
//!   ones), and one whose event is not in the file is kept as an event of its own;
//! - an event is identified by its UID (`ics` / UID), so importing a file again, or a newer export
//!   of the same calendar, updates rather than duplicates; the calendar is the file's
//!   X-WR-CALNAME, or the file's name.

mod write;
mod zone;

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarEntry, ICalendarParameterName,
    ICalendarPeriod, ICalendarProperty, ICalendarStatus, ICalendarValue,
};
use calcard::{Entry, Parser};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use pa_core::calendar::recurrence::{Recurrence, resolve_local};
use pa_core::calendar::{Event, EventStatus, EventTime, Override};
use pa_core::ids::{EventId, ExternalRef, TaskId};
use pa_core::ports::StoredEvent;
use pa_core::tasks::{Due, Priority, Task, TaskStatus};
use pa_core::time::{Day, ZonedInstant};

use super::{ImportOptions, Parsed, stable_hash};
use crate::error::{Error, Result};

pub use write::write;

/// Reads an iCalendar file.
pub fn read(bytes: &[u8], name: &str, options: &ImportOptions) -> Result<Parsed> {
    let mut parsed = Parsed::default();
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            parsed
                .warnings
                .push("not valid UTF-8: undecodable bytes were replaced".into());
            String::from_utf8_lossy(bytes)
        }
    };
    let stem = std::path::Path::new(name)
        .file_stem()
        .map_or_else(|| name.to_owned(), |s| s.to_string_lossy().into_owned());
    let mut parser = Parser::new(&text);
    let (mut calendars, mut invalid) = (0usize, 0usize);
    loop {
        match parser.entry() {
            Entry::ICalendar(cal) => {
                calendars += 1;
                Reader {
                    cal: &cal,
                    name: &stem,
                    options,
                    zones: FxHashMap::default(),
                    parsed: &mut parsed,
                }
                .read();
            }
            Entry::Eof => break,
            Entry::TooManyComponents => {
                return Err(Error::parse(
                    name,
                    None,
                    "too many components to be a calendar",
                ));
            }
            Entry::UnterminatedComponent(c) => {
                return Err(Error::parse(
                    name,
                    None,
                    format!("the file ends inside a {c} (truncated?)"),
                ));
            }
            Entry::UnexpectedComponentEnd { expected, found } => {
                return Err(Error::parse(
                    name,
                    None,
                    format!(
                        "END:{} where END:{} was expected",
                        found.as_str(),
                        expected.as_str()
                    ),
                ));
            }
            Entry::InvalidLine(_) => invalid += 1,
            _ => {}
        }
    }
    // calcard closes what a truncated file left open; a whole file ends with END:VCALENDAR.
    let last = text.lines().rev().map(str::trim).find(|l| !l.is_empty());
    if calendars > 0 && !last.is_some_and(|l| l.eq_ignore_ascii_case("END:VCALENDAR")) {
        return Err(Error::parse(
            name,
            None,
            "the file does not end with END:VCALENDAR (truncated?)",
        ));
    }
    if calendars == 0 {
        return Err(Error::parse(
            name,
            None,
            "no BEGIN:VCALENDAR … END:VCALENDAR in the file",
        ));
    }
    if invalid > 0 {
        parsed.warnings.push(format!(
            "{invalid} line(s) that are not iCalendar were ignored"
        ));
    }
    Ok(parsed)
}

/// A date-time value as written.
#[derive(Debug, Clone, Copy, PartialEq)]
enum When {
    /// An all-day date.
    Date(NaiveDate),
    /// A wall-clock time in a zone (UTC for `…Z` values).
    Local(NaiveDateTime, Tz),
}

impl When {
    fn instant(self) -> Kept<DateTime<Utc>> {
        match self {
            When::Date(d) => Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
            When::Local(t, tz) => resolve_local(t, tz)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| e.to_string()),
        }
    }

    /// The value as a wall-clock time in `tz` (an occurrence id in an event's own terms).
    fn in_zone(self, tz: Option<Tz>) -> Kept<NaiveDateTime> {
        match (self, tz) {
            (When::Date(d), _) => Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default()),
            (When::Local(_, own), Some(tz)) if own != tz => {
                Ok(self.instant()?.with_timezone(&tz).naive_local())
            }
            (When::Local(t, _), _) => Ok(t),
        }
    }
}

struct Reader<'a> {
    cal: &'a ICalendar,
    name: &'a str,
    options: &'a ImportOptions,
    zones: FxHashMap<String, Kept<Tz>>,
    parsed: &'a mut Parsed,
}

/// Why a component cannot be kept (reported as a skip, not an error: the rest of the file goes on).
type Why = String;
/// A result whose error is a [`Why`].
type Kept<T> = std::result::Result<T, Why>;
/// An RDATE or EXDATE value, with the end of a PERIOD value.
type Dated = (When, Option<DateTime<Utc>>);

impl Reader<'_> {
    fn read(mut self) {
        let calendar = self
            .cal
            .components
            .first()
            .and_then(|c| text(c, &ICalendarProperty::Other("X-WR-CALNAME".into())))
            .map_or_else(|| self.name.to_owned(), str::to_owned);
        // Masters in file order (a later copy of a UID replaces an earlier one in its place),
        // their changed occurrences, and to-dos.
        let mut masters: Vec<(Cow<'_, str>, &ICalendarComponent)> = Vec::new();
        let mut by_uid: FxHashMap<Cow<'_, str>, usize> = FxHashMap::default();
        let mut changes: Vec<(Cow<'_, str>, &ICalendarComponent)> = Vec::new();
        let mut todos = Vec::new();
        for c in &self.cal.components {
            match c.component_type {
                ICalendarComponentType::VEvent => {
                    let uid = c
                        .uid()
                        .map_or_else(|| Cow::Owned(fallback_uid(c)), Cow::Borrowed);
                    if c.property(&ICalendarProperty::RecurrenceId).is_some() {
                        changes.push((uid, c));
                    } else if let Some(&i) = by_uid.get(&uid) {
                        if sequence(masters[i].1) > sequence(c) {
                            self.parsed.warnings.push(format!(
                                "event {uid} is in the file twice: the later SEQUENCE is kept"
                            ));
                        } else {
                            self.parsed.warnings.push(format!(
                                "event {uid} is in the file twice: the later one is kept"
                            ));
                            masters[i].1 = c;
                        }
                    } else {
                        by_uid.insert(uid.clone(), masters.len());
                        masters.push((uid, c));
                    }
                }
                ICalendarComponentType::VTodo => todos.push(c),
                _ => {}
            }
        }
        let mut events: Vec<(Cow<'_, str>, Option<Event>)> = Vec::with_capacity(masters.len());
        for (uid, c) in masters {
            match self.event(&calendar, c) {
                Ok(e) => events.push((uid, Some(e))),
                Err(why) => {
                    self.parsed.skip(format!("event {uid}"), why);
                    events.push((uid, None));
                }
            }
        }
        let mut orphans = Vec::new();
        for (uid, c) in changes {
            let master = by_uid
                .get(&uid)
                .and_then(|&i| events.get_mut(i))
                .and_then(|(_, e)| e.as_mut());
            let Some(master) = master else {
                orphans.push((uid, c));
                continue;
            };
            if let Err(why) = self.change(master, c) {
                self.parsed
                    .skip(format!("change to an occurrence of event {uid}"), why);
            }
        }
        for (uid, event) in events {
            if let Some(event) = event {
                self.keep(&uid, &uid, event);
            }
        }
        // A changed occurrence whose event is not here: an event of its own.
        for (uid, c) in orphans {
            let id = self
                .when(c, &ICalendarProperty::RecurrenceId)
                .ok()
                .flatten()
                .map_or_else(
                    || uid.to_string(),
                    |w| format!("{uid}/{}", occurrence_label(w)),
                );
            match self.event(&calendar, c) {
                // A RECURRENCE-ID names one occurrence: it does not recur itself.
                Ok(e) => self.keep(
                    &id,
                    &uid,
                    Event {
                        recurrence: None,
                        ..e
                    },
                ),
                Err(why) => self.parsed.skip(format!("event {uid}"), why),
            }
        }
        for c in todos {
            let uid = c.uid().map_or_else(|| fallback_uid(c), str::to_owned);
            match self.task(&uid, c) {
                Ok(t) => self.parsed.batch.records.push(t.into()),
                Err(why) => self.parsed.skip(format!("to-do {uid}"), why),
            }
        }
    }

    fn keep(&mut self, id: &str, uid: &str, mut event: Event) {
        let made = (|| -> pa_core::Result<StoredEvent> {
            event.external = Some(ExternalRef::new("ics", short(id))?);
            let id = EventId::new(format!("ics-{}", short(id)))?;
            event.validate()?;
            Ok(StoredEvent { id, record: event })
        })();
        match made {
            Ok(e) => self.parsed.batch.records.push(e.into()),
            Err(e) => self.parsed.skip(format!("event {uid}"), e.to_string()),
        }
    }

    fn zone(&mut self, name: &str) -> Kept<Tz> {
        if let Some(z) = self.zones.get(name) {
            return z.clone();
        }
        let z = zone::resolve(self.cal, name);
        self.zones.insert(name.to_owned(), z.clone());
        z
    }

    /// A date or date-time value of `entry`.
    fn value(&mut self, entry: &ICalendarEntry, v: &PartialDateTime) -> Kept<When> {
        let dt = v
            .to_date_time()
            .ok_or_else(|| format!("{} is not a valid date or time", entry.name.as_str()))?;
        if v.hour.is_none() {
            return Ok(When::Date(dt.date_time.date()));
        }
        if let Some(off) = dt.offset {
            let utc = dt.date_time - Duration::seconds(i64::from(off.local_minus_utc()));
            return Ok(When::Local(utc, chrono_tz::UTC));
        }
        match entry.tz_id() {
            Some(name) => Ok(When::Local(dt.date_time, self.zone(name)?)),
            None => Ok(When::Local(dt.date_time, self.options.zone)),
        }
    }

    fn when(&mut self, c: &ICalendarComponent, name: &ICalendarProperty) -> Kept<Option<When>> {
        let Some(entry) = c.property(name) else {
            return Ok(None);
        };
        match entry.values.first() {
            Some(ICalendarValue::PartialDateTime(v)) => self.value(entry, v).map(Some),
            _ => Err(format!("{} has no date or time", name.as_str())),
        }
    }

    /// Every date or time in the entries named `name` (RDATE, EXDATE).
    fn all(&mut self, c: &ICalendarComponent, name: &ICalendarProperty) -> Kept<Vec<Dated>> {
        let mut out = Vec::new();
        for entry in c.entries.iter().filter(|e| &e.name == name) {
            for v in &entry.values {
                let item = match v {
                    ICalendarValue::PartialDateTime(v) => (self.value(entry, v)?, None),
                    ICalendarValue::Period(ICalendarPeriod::Range { start, end }) => {
                        let start = self.value(entry, start)?;
                        let end = self.value(entry, end)?.instant()?;
                        (start, Some(end))
                    }
                    ICalendarValue::Period(ICalendarPeriod::Duration { start, duration }) => {
                        let start = self.value(entry, start)?;
                        let length = Duration::seconds(duration.as_seconds());
                        (start, Some(start.instant()? + length))
                    }
                    _ => continue,
                };
                out.push(item);
            }
        }
        Ok(out)
    }

    fn time(&mut self, c: &ICalendarComponent, default: Option<Duration>) -> Kept<EventTime> {
        let start = self
            .when(c, &ICalendarProperty::Dtstart)?
            .ok_or("it has no DTSTART")?;
        let end = self.when(c, &ICalendarProperty::Dtend)?;
        let duration = c
            .property(&ICalendarProperty::Duration)
            .and_then(|e| e.values.first())
            .and_then(|v| match v {
                ICalendarValue::Duration(d) => Some(Duration::seconds(if d.neg {
                    -d.as_seconds()
                } else {
                    d.as_seconds()
                })),
                _ => None,
            });
        Ok(match start {
            When::Date(s) => {
                let end = match (end, duration) {
                    (Some(When::Date(e)), _) => e,
                    (Some(When::Local(e, _)), _) => e.date(),
                    (None, Some(d)) => s + Duration::days(d.num_days()),
                    (None, None) => {
                        s + default.map_or(Duration::days(1), |d| Duration::days(d.num_days()))
                    }
                };
                let end = if end <= s { s + Duration::days(1) } else { end };
                EventTime::AllDay {
                    start: Day::from_naive(s),
                    end: Day::from_naive(end),
                }
            }
            When::Local(_, tz) => {
                let s = start.instant()?;
                let e = match (end, duration) {
                    (Some(w @ When::Local(..)), _) => w.instant()?,
                    (Some(When::Date(d)), _) => {
                        When::Local(d.and_hms_opt(0, 0, 0).unwrap_or_default(), tz).instant()?
                    }
                    (None, Some(d)) => s + d,
                    (None, None) => s + default.unwrap_or_default(),
                };
                if e < s {
                    return Err("it ends before it starts".into());
                }
                EventTime::Timed {
                    start: ZonedInstant::new(s, tz),
                    end: ZonedInstant::new(e, tz),
                }
            }
        })
    }

    fn event(&mut self, calendar: &str, c: &ICalendarComponent) -> Kept<Event> {
        let time = self.time(c, None)?;
        let zone = match time {
            EventTime::Timed { start, .. } => Some(start.zone),
            EventTime::AllDay { .. } => None,
        };
        let rrules = c
            .entries
            .iter()
            .filter(|e| e.name == ICalendarProperty::Rrule)
            .flat_map(|e| e.values.iter())
            .filter(|v| v.as_text().is_none_or(|t| !t.trim().is_empty()))
            .map(|v| match v {
                ICalendarValue::RecurrenceRule(r) => Ok(r.to_string()),
                other => Err(format!(
                    "RRULE '{}' is not a recurrence rule",
                    other.as_text().unwrap_or("?")
                )),
            })
            .collect::<Kept<Vec<String>>>()?;
        let rdates = self.all(c, &ICalendarProperty::Rdate)?;
        let exdates = self.all(c, &ICalendarProperty::Exdate)?;
        let recurrence = if rrules.is_empty() && rdates.is_empty() {
            None
        } else {
            let local = |w: &[Dated]| {
                w.iter()
                    .map(|(w, _)| w.in_zone(zone))
                    .collect::<Kept<Vec<NaiveDateTime>>>()
            };
            Some(Recurrence {
                rrules,
                rdates: local(&rdates)?,
                exdates: local(&exdates)?,
            })
        };
        // An RDATE period lasts as long as it says: an occurrence of its own length.
        let mut overrides = Vec::new();
        if let EventTime::Timed { start, end } = time {
            for (w, period_end) in &rdates {
                let Some(period_end) = *period_end else {
                    continue;
                };
                let s = w.instant()?;
                if period_end < s {
                    return Err("an RDATE period ends before it starts".into());
                }
                if period_end - s != end.utc - start.utc {
                    overrides.push(Override {
                        recurrence_id: w.in_zone(zone)?,
                        time: Some(EventTime::Timed {
                            start: ZonedInstant::new(s, start.zone),
                            end: ZonedInstant::new(period_end, start.zone),
                        }),
                        title: None,
                        status: None,
                        this_and_future: false,
                    });
                }
            }
        }
        let mut e = Event {
            calendar: calendar.to_owned(),
            title: text(c, &ICalendarProperty::Summary)
                .unwrap_or_default()
                .to_owned(),
            description: text(c, &ICalendarProperty::Description).map(str::to_owned),
            location: text(c, &ICalendarProperty::Location).map(str::to_owned),
            time,
            status: status(c).unwrap_or_default(),
            external: None,
            etag: None,
            recurrence,
            overrides,
        };
        // The recurrence is checked with the whole event when it is kept.
        e.description = e.description.filter(|d| !d.is_empty());
        e.location = e.location.filter(|d| !d.is_empty());
        Ok(e)
    }

    /// Applies the VEVENT `c`, which changes one occurrence, to `master`.
    fn change(&mut self, master: &mut Event, c: &ICalendarComponent) -> Kept<()> {
        let zone = match master.time {
            EventTime::Timed { start, .. } => Some(start.zone),
            EventTime::AllDay { .. } => None,
        };
        // RANGE=THISANDFUTURE is the only range RFC 5545 allows.
        let this_and_future = c
            .property(&ICalendarProperty::RecurrenceId)
            .is_some_and(|e| {
                e.parameters(&ICalendarParameterName::Range)
                    .next()
                    .is_some()
            });
        let id = self
            .when(c, &ICalendarProperty::RecurrenceId)?
            .ok_or("RECURRENCE-ID has no value")?
            .in_zone(zone)?;
        let duration = match master.time {
            EventTime::Timed { start, end } => end.utc - start.utc,
            EventTime::AllDay { start, end } => Duration::days(start.days_until(end)),
        };
        let time = if c.property(&ICalendarProperty::Dtstart).is_some() {
            Some(self.time(c, Some(duration))?)
        } else {
            None
        };
        let title = text(c, &ICalendarProperty::Summary).map(str::to_owned);
        let st = status(c);
        master.overrides.retain(|o| o.recurrence_id != id);
        master.overrides.push(Override {
            recurrence_id: id,
            time,
            title: title.filter(|t| *t != master.title),
            status: st.filter(|s| *s != master.status),
            this_and_future,
        });
        master.overrides.sort_by_key(|o| o.recurrence_id);
        Ok(())
    }

    fn task(&mut self, uid: &str, c: &ICalendarComponent) -> Kept<Task> {
        let instant = |r: &mut Self, p: &ICalendarProperty| -> Kept<Option<DateTime<Utc>>> {
            r.when(c, p)?.map(When::instant).transpose()
        };
        let created = match instant(self, &ICalendarProperty::Created)? {
            Some(t) => t,
            None => instant(self, &ICalendarProperty::Dtstamp)?
                .ok_or("it has neither CREATED nor DTSTAMP")?,
        };
        let id = TaskId::new(format!("ics-{}", short(uid))).map_err(|e| e.to_string())?;
        let mut t = Task::new(
            id,
            text(c, &ICalendarProperty::Summary).unwrap_or_default(),
            created,
        );
        t.external = Some(ExternalRef::new("ics", short(uid)).map_err(|e| e.to_string())?);
        t.notes = text(c, &ICalendarProperty::Description)
            .unwrap_or_default()
            .to_owned();
        t.status = match c.status() {
            Some(ICalendarStatus::InProcess) => TaskStatus::Doing,
            Some(ICalendarStatus::Completed) => TaskStatus::Done,
            Some(ICalendarStatus::Cancelled) => TaskStatus::Cancelled,
            _ => TaskStatus::Todo,
        };
        // RFC 5545 §3.8.1.9: 1 is the highest, 9 the lowest, 0 undefined.
        t.priority = match c
            .property(&ICalendarProperty::Priority)
            .and_then(|e| e.values.first())
            .and_then(ICalendarValue::as_integer)
        {
            Some(1) => Priority::Urgent,
            Some(2..=4) => Priority::High,
            Some(6..=9) => Priority::Low,
            _ => Priority::Medium,
        };
        t.due = match self.when(c, &ICalendarProperty::Due)? {
            Some(When::Date(d)) => Some(Due::Day {
                day: Day::from_naive(d),
            }),
            Some(w @ When::Local(_, tz)) => Some(Due::At {
                at: ZonedInstant::new(w.instant()?, tz),
            }),
            None => None,
        };
        t.completed_at = instant(self, &ICalendarProperty::Completed)?;
        if t.status == TaskStatus::Done && t.completed_at.is_none() {
            t.completed_at = instant(self, &ICalendarProperty::LastModified)?;
        }
        t.tags = c
            .entries
            .iter()
            .filter(|e| e.name == ICalendarProperty::Categories)
            .flat_map(|e| e.values.iter())
            .filter_map(|v| v.as_text())
            .map(str::to_owned)
            .collect();
        t.validate().map_err(|e| e.to_string())?;
        Ok(t)
    }
}

fn text<'a>(c: &'a ICalendarComponent, name: &ICalendarProperty) -> Option<&'a str> {
    c.property(name)
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_text())
}

fn status(c: &ICalendarComponent) -> Option<EventStatus> {
    match c.status()? {
        ICalendarStatus::Tentative => Some(EventStatus::Tentative),
        ICalendarStatus::Cancelled => Some(EventStatus::Cancelled),
        _ => Some(EventStatus::Confirmed),
    }
}

fn sequence(c: &ICalendarComponent) -> i64 {
    c.property(&ICalendarProperty::Sequence)
        .and_then(|e| e.values.first())
        .and_then(ICalendarValue::as_integer)
        .unwrap_or(0)
}

/// A UID for a component without one (RFC 5545 requires it; some exporters forget): a digest of
/// its start, title, description and location, so that importing the file again finds the same
/// event while two different events on one day stay two.
fn fallback_uid(c: &ICalendarComponent) -> String {
    let start = c
        .property(&ICalendarProperty::Dtstart)
        .and_then(|e| e.values.first())
        .and_then(|v| v.as_partial_date_time())
        .and_then(PartialDateTime::to_date_time)
        .map_or_else(String::new, |d| {
            d.date_time.format("%Y%m%dT%H%M%S").to_string()
        });
    let fields = [
        ICalendarProperty::Summary,
        ICalendarProperty::Description,
        ICalendarProperty::Location,
    ]
    .map(|p| text(c, &p).unwrap_or_default().to_owned())
    .join("\u{1f}");
    format!("no-uid/{start}/{:016x}", stable_hash(&fields))
}

fn occurrence_label(w: When) -> String {
    match w {
        When::Date(d) => d.format("%Y%m%d").to_string(),
        When::Local(t, _) => t.format("%Y%m%dT%H%M%S").to_string(),
    }
}

/// `id` if it fits in an id (with room for a prefix), else a stable digest of it: UIDs are
/// usually short, but nothing bounds them.
fn short(id: &str) -> String {
    if id.len() <= 200 && !id.chars().any(char::is_control) {
        return id.to_owned();
    }
    let head: String = id.chars().filter(|c| !c.is_control()).take(64).collect();
    format!("{head}…{:016x}", stable_hash(id))
}

#[cfg(test)]
mod tests;
