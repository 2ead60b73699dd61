//! Calendar events (one-off or repeating; a series or one occurrence) and reminders.

use chrono::NaiveDateTime;
use pa_core::calendar::recurrence::Recurrence;
use pa_core::calendar::{Event, EventTime, Override};
use pa_core::ids::{EventId, ExternalRef, ReminderId};
use pa_core::ports::{StoredEvent, UserStore};
use pa_core::tasks::schedule::Schedule;
use pa_core::tasks::{Channel, Reminder};
use pa_core::time::{Day, ZonedInstant};

use super::{Change, Written, one};
use crate::assistant::Person;
use crate::error::{Error, Result};

/// An event to add.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The calendar ("Personal").
    pub calendar: String,
    /// Title.
    pub title: String,
    /// When (the first occurrence of a repeating event).
    pub time: EventTime,
    /// An RFC 5545 RRULE (`FREQ=WEEKLY;BYDAY=TU`) to repeat by.
    pub rrule: Option<String>,
    /// Where.
    pub location: Option<String>,
    /// The source's id: adding the same external event again changes nothing.
    pub external: Option<ExternalRef>,
}

/// Changes to an event: each part given replaces its own.
#[derive(Debug, Clone, Default)]
pub struct EventChanges {
    /// A new title.
    pub title: Option<String>,
    /// A new time.
    pub time: Option<EventTime>,
    /// A new place (series only).
    pub location: Option<Option<String>>,
}

/// What an edit or deletion of a repeating event applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EditScope {
    /// The event and all its occurrences.
    #[default]
    Series,
    /// The one occurrence on this day (in the event's zone).
    Occurrence(Day),
}

impl Person {
    /// The event `reference` names: its id, its title, or a part of its title naming one event.
    pub fn event(&self, reference: &str) -> Result<StoredEvent> {
        let all = self.handle.records::<StoredEvent>(None)?;
        one(
            &all,
            "event",
            reference,
            |e| e.id.as_str(),
            |e| &e.record.title,
            true,
        )
        .cloned()
    }

    /// Adds an event; an RRULE pa refuses is an error naming it.
    pub fn add_event(&self, new: NewEvent) -> Result<Written<StoredEvent>> {
        if let Some(ext) = &new.external
            && let Some(same) = self
                .handle
                .records::<StoredEvent>(None)?
                .into_iter()
                .find(|e| e.record.external.as_ref() == Some(ext))
        {
            return Ok(Written {
                change: Change::Unchanged,
                record: same,
            });
        }
        let mut event = match new.time {
            EventTime::Timed { start, end } => {
                Event::timed(&new.calendar, new.title.trim(), start, end)?
            }
            EventTime::AllDay { start, end } => {
                Event::all_day(&new.calendar, new.title.trim(), start, end)?
            }
        };
        event.location = new.location;
        event.external = new.external;
        event.recurrence = new.rrule.as_deref().map(Recurrence::rule).transpose()?;
        event.validate()?;
        let id = EventId::new(self.mint::<StoredEvent>("e", &new.title)?)?;
        self.put(StoredEvent { id, record: event })
    }

    /// Changes the event `reference` names: the series, or one occurrence (kept as an
    /// override, so a synced event keeps its identity and its other occurrences).
    pub fn edit_event(
        &self,
        reference: &str,
        changes: EventChanges,
        scope: EditScope,
    ) -> Result<Written<StoredEvent>> {
        let mut stored = self.event(reference)?;
        let e = &mut stored.record;
        match scope {
            EditScope::Series => {
                if let Some(title) = changes.title {
                    e.title = title;
                }
                if let Some(time) = changes.time {
                    e.time = time;
                }
                if let Some(location) = changes.location {
                    e.location = location;
                }
            }
            EditScope::Occurrence(day) => {
                let recurrence_id = occurrence_start(e, day)?;
                e.overrides.retain(|o| o.recurrence_id != recurrence_id);
                e.overrides.push(Override {
                    recurrence_id,
                    time: changes.time,
                    title: changes.title,
                    status: None,
                    this_and_future: false,
                });
            }
        }
        e.validate()?;
        self.put(stored)
    }

    /// Deletes the event `reference` names, or only its occurrence on a day (an exception date).
    pub fn delete_event(&self, reference: &str, scope: EditScope) -> Result<Written<StoredEvent>> {
        let mut stored = self.event(reference)?;
        match scope {
            EditScope::Series => self.remove(stored),
            EditScope::Occurrence(day) => {
                let start = occurrence_start(&stored.record, day)?;
                let r = stored
                    .record
                    .recurrence
                    .get_or_insert_with(Recurrence::default);
                if !r.exdates.contains(&start) {
                    r.exdates.push(start);
                }
                self.put(stored)
            }
        }
    }

    /// Every reminder, soonest first.
    pub fn reminders(&self) -> Result<Vec<Reminder>> {
        let mut all = self.handle.records::<Reminder>(None)?;
        all.sort_by(|a, b| a.remind_at.utc.cmp(&b.remind_at.utc).then(a.id.cmp(&b.id)));
        Ok(all)
    }

    fn reminder(&self, id: &str) -> Result<Reminder> {
        self.handle
            .record::<Reminder>(id.trim())?
            .ok_or_else(|| Error::NotFound {
                what: format!("reminder '{}'", id.trim()),
            })
    }

    /// Adds a reminder of `message` at `at`, optionally about the task `task` names.
    pub fn add_reminder(
        &self,
        message: &str,
        at: ZonedInstant,
        task: Option<&str>,
    ) -> Result<Written<Reminder>> {
        self.new_reminder(message, at, None, task)
    }

    /// Adds a reminder that repeats on `schedule` (in the person's zone), first due at the
    /// schedule's next run; marking it sent moves it on to the run after.
    pub fn add_recurring_reminder(
        &self,
        message: &str,
        schedule: Schedule,
        task: Option<&str>,
    ) -> Result<Written<Reminder>> {
        let zone = self.zone(None)?;
        let Some(first) = schedule.next_run(zone, self.now())? else {
            return Err(pa_core::Error::invalid(
                "schedule",
                "has no run after now, so the reminder would never be due",
            )
            .into());
        };
        let at = ZonedInstant::new(first.to_utc(), zone);
        self.new_reminder(message, at, Some(schedule), task)
    }

    fn new_reminder(
        &self,
        message: &str,
        at: ZonedInstant,
        schedule: Option<Schedule>,
        task: Option<&str>,
    ) -> Result<Written<Reminder>> {
        if message.trim().is_empty() {
            return Err(pa_core::Error::invalid("reminder", "message must not be blank").into());
        }
        let task = match task {
            Some(t) => Some(self.task(t)?.id),
            None => None,
        };
        let id = ReminderId::new(self.mint::<Reminder>("r", message)?)?;
        self.put(Reminder {
            id,
            task,
            message: message.trim().to_owned(),
            remind_at: at,
            channels: vec![Channel::InApp],
            sent: false,
            schedule,
        })
    }

    /// Marks the reminder sent; a recurring one moves on to its next run instead.
    pub fn mark_reminder_sent(&self, id: &str) -> Result<Written<Reminder>> {
        let mut r = self.reminder(id)?;
        r.mark_sent(self.now())?;
        self.put(r)
    }

    /// Moves the reminder to `until` and makes it due again.
    pub fn snooze_reminder(&self, id: &str, until: ZonedInstant) -> Result<Written<Reminder>> {
        let mut r = self.reminder(id)?;
        if until.utc <= self.now() {
            return Err(pa_core::Error::invalid(
                format!("reminder {}", r.id),
                format!("cannot be snoozed to {until}, which is not in the future"),
            )
            .into());
        }
        r.remind_at = until;
        r.sent = false;
        self.put(r)
    }

    /// Deletes the reminder.
    pub fn delete_reminder(&self, id: &str) -> Result<Written<Reminder>> {
        let r = self.reminder(id)?;
        self.remove(r)
    }
}

/// The wall-clock start (in the event's zone) of its occurrence on `day`: what an override or an
/// exception date names it by. An error when the event has none that day.
fn occurrence_start(event: &Event, day: Day) -> Result<NaiveDateTime> {
    let (zone, time_of_day) = match event.time {
        EventTime::Timed { start, .. } => (start.zone, start.local().time()),
        EventTime::AllDay { .. } => (chrono_tz::UTC, chrono::NaiveTime::MIN),
    };
    let original = Event {
        overrides: Vec::new(),
        ..event.clone()
    };
    let found = pa_core::calendar::occurrences_between([&original], day, day, zone)?
        .into_iter()
        .any(|o| match o.time {
            EventTime::Timed { start, .. } => start.local_day() == day,
            EventTime::AllDay { start, .. } => start == day,
        });
    if !found || event.recurrence.is_none() {
        return Err(pa_core::Error::invalid(
            format!("event '{}'", event.title),
            format!("has no occurrence on {day} to change (edit the series instead)"),
        )
        .into());
    }
    Ok(day.naive().and_time(time_of_day))
}
