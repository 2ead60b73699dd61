//! Events → iCalendar, written with calcard so that escaping, folding and the VTIMEZONE
//! definitions (generated from the IANA rules for every zone used) follow RFC 5545. One VCALENDAR
//! per calendar, named by X-WR-CALNAME, so that reading the file back gives the same calendars.

use std::collections::BTreeMap;

use calcard::common::PartialDateTime;
use calcard::icalendar::{
    ICalendar, ICalendarComponent, ICalendarComponentType, ICalendarParameter, ICalendarProperty,
    ICalendarStatus, ICalendarValue, ICalendarValueType,
};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use pa_core::calendar::{EventStatus, EventTime};
use pa_core::ports::StoredEvent;

use crate::error::{Error, Result};

/// `events` as an iCalendar file. Each event's UID is the one it was imported with, or
/// `<pa id>@pa` for events made elsewhere; `stamp` is written as every DTSTAMP.
pub fn write(events: &[StoredEvent], stamp: DateTime<Utc>) -> Result<String> {
    let mut by_calendar: BTreeMap<&str, Vec<&StoredEvent>> = BTreeMap::new();
    for e in events {
        by_calendar.entry(&e.record.calendar).or_default().push(e);
    }
    let mut out = String::new();
    for (name, mut events) in by_calendar {
        events.sort_by(|a, b| a.id.cmp(&b.id));
        let mut cal = ICalendar {
            components: vec![ICalendarComponent::new(ICalendarComponentType::VCalendar)],
        };
        let root = &mut cal.components[0];
        root.add_property(ICalendarProperty::Version, "2.0");
        root.add_property(ICalendarProperty::Prodid, "-//pa//pa calendar export//EN");
        root.add_property(ICalendarProperty::Other("X-WR-CALNAME".into()), name);
        for e in events {
            for c in components(e, stamp)? {
                let id = cal.components.len() as u32;
                cal.components.push(c);
                cal.components[0].component_ids.push(id);
            }
        }
        cal.add_missing_timezones();
        out.push_str(&cal.to_string());
    }
    Ok(out)
}

fn uid(e: &StoredEvent) -> String {
    match &e.record.external {
        Some(x) if x.source() == "ics" => x.external_id().to_owned(),
        _ => format!("{}@pa", e.id),
    }
}

/// The master VEVENT and one per changed occurrence.
fn components(e: &StoredEvent, stamp: DateTime<Utc>) -> Result<Vec<ICalendarComponent>> {
    let ev = &e.record;
    let uid = uid(e);
    let zone = match ev.time {
        EventTime::Timed { start, .. } => Some(start.zone),
        EventTime::AllDay { .. } => None,
    };
    let mut master = ICalendarComponent::new(ICalendarComponentType::VEvent);
    master.add_uid(&uid);
    master.add_dtstamp(utc(stamp.naive_utc()));
    add_time(&mut master, ev.time);
    master.add_property(ICalendarProperty::Summary, ev.title.as_str());
    if let Some(d) = &ev.description {
        master.add_property(ICalendarProperty::Description, d.as_str());
    }
    if let Some(l) = &ev.location {
        master.add_property(ICalendarProperty::Location, l.as_str());
    }
    master.add_property(ICalendarProperty::Status, status(ev.status));
    if let Some(r) = &ev.recurrence {
        for rule in &r.rrules {
            master.entries.push(rrule(rule)?);
        }
        for (name, list) in [
            (ICalendarProperty::Rdate, &r.rdates),
            (ICalendarProperty::Exdate, &r.exdates),
        ] {
            for t in list {
                add_local(&mut master, name.clone(), *t, zone);
            }
        }
    }
    let mut out = vec![master];
    for o in &ev.overrides {
        let mut c = ICalendarComponent::new(ICalendarComponentType::VEvent);
        c.add_uid(&uid);
        c.add_dtstamp(utc(stamp.naive_utc()));
        add_local(
            &mut c,
            ICalendarProperty::RecurrenceId,
            o.recurrence_id,
            zone,
        );
        if o.this_and_future
            && let Some(id) = c.entries.last_mut()
        {
            id.params.push(ICalendarParameter::range(true));
        }
        if let Some(t) = o.time {
            add_time(&mut c, t);
        }
        c.add_property(
            ICalendarProperty::Summary,
            o.title.as_deref().unwrap_or(&ev.title),
        );
        c.add_property(
            ICalendarProperty::Status,
            status(o.status.unwrap_or(ev.status)),
        );
        out.push(c);
    }
    Ok(out)
}

fn status(s: EventStatus) -> ICalendarStatus {
    match s {
        EventStatus::Confirmed => ICalendarStatus::Confirmed,
        EventStatus::Tentative => ICalendarStatus::Tentative,
        EventStatus::Cancelled => ICalendarStatus::Cancelled,
    }
}

fn add_time(c: &mut ICalendarComponent, t: EventTime) {
    match t {
        EventTime::Timed { start, end } => {
            for (name, z) in [
                (ICalendarProperty::Dtstart, start),
                (ICalendarProperty::Dtend, end),
            ] {
                add_local(c, name, z.local().naive_local(), Some(z.zone));
            }
        }
        EventTime::AllDay { start, end } => {
            add_date(c, ICalendarProperty::Dtstart, start.naive());
            add_date(c, ICalendarProperty::Dtend, end.naive());
        }
    }
}

/// A wall-clock time in `zone` (UTC as `…Z`), or a date when the event is all-day.
fn add_local(
    c: &mut ICalendarComponent,
    name: ICalendarProperty,
    t: NaiveDateTime,
    zone: Option<Tz>,
) {
    match zone {
        None => add_date(c, name, t.date()),
        Some(chrono_tz::UTC) => c.add_property(name, utc(t)),
        Some(tz) => c.add_property_with_params(
            name,
            [ICalendarParameter::tzid(tz.name().to_owned())],
            local(t),
        ),
    }
}

fn add_date(c: &mut ICalendarComponent, name: ICalendarProperty, d: NaiveDate) {
    c.add_property_with_params(
        name,
        [ICalendarParameter::value(ICalendarValueType::Date)],
        PartialDateTime {
            year: u16::try_from(d.year()).ok(),
            month: u8::try_from(d.month()).ok(),
            day: u8::try_from(d.day()).ok(),
            ..PartialDateTime::default()
        },
    );
}

fn local(t: NaiveDateTime) -> PartialDateTime {
    PartialDateTime {
        year: u16::try_from(t.year()).ok(),
        month: u8::try_from(t.month()).ok(),
        day: u8::try_from(t.day()).ok(),
        hour: u8::try_from(t.hour()).ok(),
        minute: u8::try_from(t.minute()).ok(),
        second: u8::try_from(t.second()).ok(),
        ..PartialDateTime::default()
    }
}

fn utc(t: NaiveDateTime) -> PartialDateTime {
    PartialDateTime {
        tz_hour: Some(0),
        tz_minute: Some(0),
        ..local(t)
    }
}

/// An RRULE entry, read by calcard from the rule's text so that it is written back in calcard's
/// own form.
fn rrule(rule: &str) -> Result<calcard::icalendar::ICalendarEntry> {
    let text = format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nRRULE:{rule}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    let bad = || {
        Error::Core(pa_core::Error::invalid(
            "RRULE",
            format!("'{rule}' cannot be written"),
        ))
    };
    let cal = ICalendar::parse(&text).map_err(|_| bad())?;
    cal.components
        .iter()
        .flat_map(|c| c.entries.iter())
        .find(|e| {
            e.name == ICalendarProperty::Rrule
                && matches!(e.values.first(), Some(ICalendarValue::RecurrenceRule(_)))
        })
        .cloned()
        .ok_or_else(bad)
}
