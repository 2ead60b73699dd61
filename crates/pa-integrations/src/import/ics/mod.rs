//! iCalendar files (RFC 5545): VEVENTs become calendar events, VTODOs tasks; [`write()`] turns events
//! back into a file that reads back to the same events.
//!
//! `content` reads the lines into components (folding, escapes, quoted parameters) and this
//! module maps them onto pa-core's model:
//! - times with a TZID are wall-clock times in that zone (`zone` maps the name to an IANA zone),
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

mod content;
mod write;
mod zone;

use std::borrow::Cow;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use pa_core::calendar::recurrence::{Recurrence, resolve_local};
use pa_core::calendar::{Event, EventStatus, EventTime, Override};
use pa_core::ids::{EventId, ExternalRef, TaskId};
use pa_core::ports::StoredEvent;
use pa_core::tasks::{Due, Priority, Task, TaskStatus};
use pa_core::time::{Day, ZonedInstant};
use rustc_hash::FxHashMap;

use super::{ImportOptions, Parsed, stable_hash};
use crate::error::{Error, Result};
use content::{Component, ContentError, Property};

pub use write::write;

/// Reads an iCalendar file.
pub fn read(bytes: &[u8], name: &str, options: &ImportOptions) -> Result<Parsed> {
    let mut parsed = Parsed::default();
    // RFC 5545 text is UTF-8 and has no NUL; a file that breaks either is damaged or not a
    // calendar, and is refused whole (as GPX and TCX are) rather than imported with guesses.
    let line_of = |at: usize| Some(bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1);
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::parse(name, line_of(e.valid_up_to()), "not valid UTF-8 text"))?;
    if let Some(at) = bytes.iter().position(|b| *b == 0) {
        return Err(Error::parse(
            name,
            line_of(at),
            "a NUL byte: not calendar text",
        ));
    }
    let stem = std::path::Path::new(name)
        .file_stem()
        .map_or_else(|| name.to_owned(), |s| s.to_string_lossy().into_owned());
    let doc = content::parse(text).map_err(|e| match e {
        ContentError::Truncated(kind) => Error::parse(
            name,
            None,
            format!("the file ends inside a {kind} (truncated?)"),
        ),
        ContentError::TooDeep => Error::parse(name, None, "components nested too deeply"),
    })?;
    let mut calendars = 0;
    for cal in doc.roots.iter().filter(|c| c.kind == "VCALENDAR") {
        calendars += 1;
        Reader {
            cal,
            name: &stem,
            options,
            zones: FxHashMap::default(),
            parsed: &mut parsed,
        }
        .read();
    }
    if calendars == 0 {
        return Err(Error::parse(
            name,
            None,
            "no BEGIN:VCALENDAR … END:VCALENDAR in the file",
        ));
    }
    let invalid = doc.invalid_lines;
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
    cal: &'a Component<'a>,
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

impl<'a> Reader<'a> {
    fn read(mut self) {
        let calendar = self
            .cal
            .text("X-WR-CALNAME")
            .map_or_else(|| self.name.to_owned(), Cow::into_owned);
        // Masters in file order (a later copy of a UID replaces an earlier one in its place),
        // their changed occurrences, and to-dos.
        let cal = self.cal;
        let mut masters: Vec<(Cow<'_, str>, &Component<'_>)> = Vec::new();
        let mut by_uid: FxHashMap<Cow<'_, str>, usize> = FxHashMap::default();
        let mut changes: Vec<(Cow<'_, str>, &Component<'_>)> = Vec::new();
        let mut todos = Vec::new();
        for c in &cal.children {
            match c.kind.as_ref() {
                "VEVENT" => {
                    let uid = uid(c);
                    if c.prop("RECURRENCE-ID").is_some() {
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
                "VTODO" => todos.push(c),
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
            let id = self.when(c, "RECURRENCE-ID").ok().flatten().map_or_else(
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
            let uid = uid(c);
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
        let z = zone::resolve(&self.cal.children, name);
        self.zones.insert(name.to_owned(), z.clone());
        z
    }

    /// A date or date-time value of `p` (one of its values, for lists).
    fn value(&mut self, p: &Property<'_>, v: &str) -> Kept<When> {
        let bad = || format!("{} '{v}' is not a date or a date-time", p.name);
        let v = v.trim();
        let (t, utc) = match v.strip_suffix(['Z', 'z']) {
            Some(t) => (t, true),
            None => (v, false),
        };
        let parsed = content::date_time(t).ok_or_else(bad)?;
        if t.len() == 8 {
            return Ok(When::Date(parsed.date()));
        }
        if utc {
            return Ok(When::Local(parsed, chrono_tz::UTC));
        }
        let t = parsed;
        match p.param("TZID") {
            Some(name) => Ok(When::Local(t, self.zone(name)?)),
            None => Ok(When::Local(t, self.options.zone)),
        }
    }

    fn when(&mut self, c: &Component<'_>, name: &str) -> Kept<Option<When>> {
        let Some(p) = c.prop(name) else {
            return Ok(None);
        };
        self.value(p, &p.value).map(Some)
    }

    /// Every date or time in the properties named `name` (RDATE, EXDATE), with a period's end.
    fn all(&mut self, c: &Component<'_>, name: &str) -> Kept<Vec<Dated>> {
        let mut out = Vec::new();
        for p in c.props(name) {
            for v in p.list() {
                let item = match v.split_once('/') {
                    None => (self.value(p, v)?, None),
                    Some((start, rest)) => {
                        let start = self.value(p, start)?;
                        let end = match duration(rest) {
                            Some(d) => start.instant()? + d,
                            None => self.value(p, rest)?.instant()?,
                        };
                        (start, Some(end))
                    }
                };
                out.push(item);
            }
        }
        Ok(out)
    }

    fn time(&mut self, c: &Component<'_>, default: Option<Duration>) -> Kept<EventTime> {
        let start = self.when(c, "DTSTART")?.ok_or("it has no DTSTART")?;
        let end = self.when(c, "DTEND")?;
        let duration = match c.prop("DURATION") {
            Some(p) => Some(
                duration(&p.value)
                    .ok_or_else(|| format!("DURATION '{}' is not a duration", p.value))?,
            ),
            None => None,
        };
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

    fn event(&mut self, calendar: &str, c: &Component<'_>) -> Kept<Event> {
        let time = self.time(c, None)?;
        let zone = match time {
            EventTime::Timed { start, .. } => Some(start.zone),
            EventTime::AllDay { .. } => None,
        };
        let rrules: Vec<String> = c
            .props("RRULE")
            .map(|p| p.value.trim())
            .filter(|v| !v.is_empty())
            .map(canonical_rule)
            .collect();
        let rdates = self.all(c, "RDATE")?;
        let exdates = self.all(c, "EXDATE")?;
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
            title: c.text("SUMMARY").unwrap_or_default().into_owned(),
            description: c.text("DESCRIPTION").map(Cow::into_owned),
            location: c.text("LOCATION").map(Cow::into_owned),
            time,
            status: status(c).unwrap_or_default(),
            external: None,
            etag: None,
            recurrence,
            overrides,
            kind: None,
        };
        // The recurrence is checked with the whole event when it is kept.
        e.description = e.description.filter(|d| !d.is_empty());
        e.location = e.location.filter(|d| !d.is_empty());
        Ok(e)
    }

    /// Applies the VEVENT `c`, which changes one occurrence, to `master`.
    fn change(&mut self, master: &mut Event, c: &Component<'_>) -> Kept<()> {
        let zone = match master.time {
            EventTime::Timed { start, .. } => Some(start.zone),
            EventTime::AllDay { .. } => None,
        };
        // RANGE=THISANDFUTURE is the only range RFC 5545 allows.
        let this_and_future = c
            .prop("RECURRENCE-ID")
            .and_then(|p| p.param("RANGE"))
            .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));
        let id = self
            .when(c, "RECURRENCE-ID")?
            .ok_or("RECURRENCE-ID has no value")?
            .in_zone(zone)?;
        let duration = match master.time {
            EventTime::Timed { start, end } => end.utc - start.utc,
            EventTime::AllDay { start, end } => Duration::days(start.days_until(end)),
        };
        let time = if c.prop("DTSTART").is_some() {
            Some(self.time(c, Some(duration))?)
        } else {
            None
        };
        let title = c.text("SUMMARY").map(Cow::into_owned);
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

    fn task(&mut self, uid: &str, c: &Component<'_>) -> Kept<Task> {
        let instant = |r: &mut Self, p: &str| -> Kept<Option<DateTime<Utc>>> {
            r.when(c, p)?.map(When::instant).transpose()
        };
        let created = match instant(self, "CREATED")? {
            Some(t) => t,
            None => instant(self, "DTSTAMP")?.ok_or("it has neither CREATED nor DTSTAMP")?,
        };
        let id = TaskId::new(format!("ics-{}", short(uid))).map_err(|e| e.to_string())?;
        let mut t = Task::new(id, c.text("SUMMARY").unwrap_or_default(), created);
        t.external = Some(ExternalRef::new("ics", short(uid)).map_err(|e| e.to_string())?);
        t.notes = c.text("DESCRIPTION").unwrap_or_default().into_owned();
        t.status = match c.text("STATUS").as_deref().map(str::trim) {
            Some(s) if s.eq_ignore_ascii_case("IN-PROCESS") => TaskStatus::Doing,
            Some(s) if s.eq_ignore_ascii_case("COMPLETED") => TaskStatus::Done,
            Some(s) if s.eq_ignore_ascii_case("CANCELLED") => TaskStatus::Cancelled,
            _ => TaskStatus::Todo,
        };
        // RFC 5545 §3.8.1.9: 1 is the highest, 9 the lowest, 0 undefined.
        t.priority = match c
            .prop("PRIORITY")
            .and_then(|p| p.value.trim().parse::<u8>().ok())
        {
            Some(1) => Priority::Urgent,
            Some(2..=4) => Priority::High,
            Some(6..=9) => Priority::Low,
            _ => Priority::Medium,
        };
        t.due = match self.when(c, "DUE")? {
            Some(When::Date(d)) => Some(Due::Day {
                day: Day::from_naive(d),
            }),
            Some(w @ When::Local(_, tz)) => Some(Due::At {
                at: ZonedInstant::new(w.instant()?, tz),
            }),
            None => None,
        };
        t.completed_at = instant(self, "COMPLETED")?;
        if t.status == TaskStatus::Done && t.completed_at.is_none() {
            t.completed_at = instant(self, "LAST-MODIFIED")?;
        }
        t.tags = c
            .props("CATEGORIES")
            .flat_map(Property::list)
            .map(|t| content::unescape(t).into_owned())
            .collect();
        t.validate().map_err(|e| e.to_string())?;
        Ok(t)
    }
}

/// The UID, or one made for a component without (see [`fallback_uid`]).
fn uid<'c>(c: &'c Component<'_>) -> Cow<'c, str> {
    match c.text("UID") {
        Some(u) if !u.trim().is_empty() => u,
        _ => Cow::Owned(fallback_uid(c)),
    }
}

fn status(c: &Component<'_>) -> Option<EventStatus> {
    let s = c.text("STATUS")?;
    let s = s.trim();
    Some(if s.eq_ignore_ascii_case("TENTATIVE") {
        EventStatus::Tentative
    } else if s.eq_ignore_ascii_case("CANCELLED") {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    })
}

fn sequence(c: &Component<'_>) -> i64 {
    c.prop("SEQUENCE")
        .and_then(|p| p.value.trim().parse().ok())
        .unwrap_or(0)
}

/// A UID for a component without one (RFC 5545 requires it; some exporters forget): a digest of
/// its start, title, description and location, so that importing the file again finds the same
/// event while two different events on one day stay two.
fn fallback_uid(c: &Component<'_>) -> String {
    let start = c.prop("DTSTART").map_or_else(String::new, |p| {
        let v = p.value.trim().trim_end_matches(['Z', 'z']);
        if v.len() == 8 {
            format!("{v}T000000")
        } else {
            v.to_owned()
        }
    });
    let fields = ["SUMMARY", "DESCRIPTION", "LOCATION"]
        .map(|p| c.text(p).unwrap_or_default().into_owned())
        .join("\u{1f}");
    format!("no-uid/{start}/{:016x}", stable_hash(&fields))
}

/// A rule with its parts upper case, without `+` signs and in one order (the order the exporter writes them), so
/// that the same rule read from any calendar, or from pa's own export, is the same text.
fn canonical_rule(rule: &str) -> String {
    const ORDER: [&str; 16] = [
        "FREQ",
        "UNTIL",
        "COUNT",
        "INTERVAL",
        "BYSECOND",
        "BYMINUTE",
        "BYHOUR",
        "BYDAY",
        "BYMONTHDAY",
        "BYYEARDAY",
        "BYWEEKNO",
        "BYMONTH",
        "BYSETPOS",
        "WKST",
        "RSCALE",
        "SKIP",
    ];
    let mut parts: Vec<(usize, String)> = rule
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            // `BYDAY=+3WE` is `3WE`.
            let p = p.to_ascii_uppercase().replace("=+", "=").replace(",+", ",");
            let name = p.split('=').next().unwrap_or_default();
            (
                ORDER.iter().position(|o| *o == name).unwrap_or(ORDER.len()),
                p,
            )
        })
        .collect();
    parts.sort_by_key(|(i, _)| *i);
    parts
        .into_iter()
        .map(|(_, p)| p)
        .collect::<Vec<_>>()
        .join(";")
}

/// An RFC 5545 duration (`P1W`, `-PT15M`, `P1DT2H`), or `None`.
fn duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let t = t.strip_prefix(['P', 'p'])?;
    let (mut total, mut number, mut in_time, mut any) = (0i64, None::<i64>, false, false);
    for c in t.chars() {
        match c.to_ascii_uppercase() {
            'T' if number.is_none() => in_time = true,
            d if d.is_ascii_digit() => {
                let digit = i64::from(d.to_digit(10)?);
                number = Some(number.unwrap_or(0).checked_mul(10)?.checked_add(digit)?);
            }
            unit => {
                let n = number.take()?;
                let seconds = match (unit, in_time) {
                    ('W', false) => 604_800,
                    ('D', false) => 86_400,
                    ('H', true) => 3_600,
                    ('M', true) => 60,
                    ('S', true) => 1,
                    _ => return None,
                };
                total = total.checked_add(n.checked_mul(seconds)?)?;
                any = true;
            }
        }
    }
    if number.is_some() || !any {
        return None;
    }
    let d = Duration::try_seconds(total)?;
    Some(if negative { -d } else { d })
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
