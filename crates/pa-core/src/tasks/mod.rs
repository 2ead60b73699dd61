//! Tasks, projects and reminders, and the views an assistant needs: due today, overdue, upcoming;
//! project rollups; reminders due. Schedules for recurring jobs are in [`schedule`].
//!
//! Due rules, with `now` and the user's zone as arguments: a task due on a day is overdue once that
//! day has ended in the user's zone; a task due at an instant is overdue once the instant has
//! passed. "Due today" is an open task due today that is not yet overdue; "upcoming" is due within
//! the next N days, today excluded. Done and cancelled tasks are in no view.

pub mod schedule;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{ExternalRef, ProjectId, ReminderId, TaskId};
use crate::time::{Day, ZonedInstant};

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    Todo,
    /// In progress.
    Doing,
    /// Finished.
    Done,
    /// Dropped.
    Cancelled,
}

impl TaskStatus {
    /// Still to be done (todo or doing).
    pub fn is_open(self) -> bool {
        matches!(self, TaskStatus::Todo | TaskStatus::Doing)
    }
}

/// How urgent a task is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Whenever.
    Low,
    /// Normal.
    #[default]
    Medium,
    /// Soon.
    High,
    /// Now.
    Urgent,
}

impl std::str::FromStr for Priority {
    type Err = Error;
    /// `low`, `medium`, `high`, `urgent`, or taskwarrior's `L`, `M`, `H`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" | "l" => Ok(Priority::Low),
            "medium" | "m" => Ok(Priority::Medium),
            "high" | "h" => Ok(Priority::High),
            "urgent" | "u" => Ok(Priority::Urgent),
            _ => Err(Error::invalid(
                "priority",
                format!("'{s}' is not low, medium, high or urgent"),
            )),
        }
    }
}

/// When a task is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Due {
    /// By the end of a day (in the user's zone).
    Day {
        /// The day.
        day: Day,
    },
    /// By an instant.
    At {
        /// The instant, with its zone.
        at: ZonedInstant,
    },
}

impl Due {
    /// The day it falls on in `zone`.
    pub fn day(&self, zone: Tz) -> Day {
        match self {
            Due::Day { day } => *day,
            Due::At { at } => ZonedInstant::new(at.utc, zone).local_day(),
        }
    }

    /// Passed at `now`, judged in `zone`.
    pub fn is_past(&self, now: DateTime<Utc>, zone: Tz) -> bool {
        match self {
            Due::Day { day } => *day < ZonedInstant::new(now, zone).local_day(),
            Due::At { at } => at.utc < now,
        }
    }
}

/// A task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// pa's id.
    pub id: TaskId,
    /// The source record.
    pub external: Option<ExternalRef>,
    /// Title.
    pub title: String,
    /// Notes.
    pub notes: String,
    /// Status.
    pub status: TaskStatus,
    /// Priority.
    pub priority: Priority,
    /// Due date or time.
    pub due: Option<Due>,
    /// The day it is planned to be worked on.
    pub scheduled: Option<Day>,
    /// The project.
    pub project: Option<ProjectId>,
    /// Tags.
    pub tags: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was finished.
    pub completed_at: Option<DateTime<Utc>>,
}

impl Task {
    /// An open task with the required fields.
    pub fn new(id: TaskId, title: impl Into<String>, created_at: DateTime<Utc>) -> Self {
        Self {
            id,
            external: None,
            title: title.into(),
            notes: String::new(),
            status: TaskStatus::Todo,
            priority: Priority::Medium,
            due: None,
            scheduled: None,
            project: None,
            tags: Vec::new(),
            created_at,
            completed_at: None,
        }
    }

    /// Checks the title and that a done task has a completion time not before its creation.
    pub fn validate(&self) -> Result<()> {
        if self.title.trim().is_empty() {
            return Err(Error::invalid(
                format!("task {}", self.id),
                "title is empty",
            ));
        }
        if let Some(c) = self.completed_at
            && c < self.created_at
        {
            return Err(Error::invalid(
                format!("task {}", self.id),
                "completed before it was created",
            ));
        }
        Ok(())
    }

    /// Marks the task done at `now`. Completing a done task keeps its first completion time,
    /// so a repeated "done" changes nothing.
    pub fn complete(&mut self, now: DateTime<Utc>) {
        if self.status != TaskStatus::Done {
            self.status = TaskStatus::Done;
            self.completed_at = Some(now.max(self.created_at));
        }
    }

    /// Drops the task at `now` (kept, no longer open); the time is kept as when it closed.
    pub fn cancel(&mut self, now: DateTime<Utc>) {
        if self.status != TaskStatus::Cancelled {
            self.status = TaskStatus::Cancelled;
            self.completed_at = Some(now.max(self.created_at));
        }
    }

    /// Opens a done or cancelled task again; an open task stays as it is.
    pub fn reopen(&mut self) {
        if !self.status.is_open() {
            self.status = TaskStatus::Todo;
            self.completed_at = None;
        }
    }
}

fn by_urgency(a: &&Task, b: &&Task) -> std::cmp::Ordering {
    let key = |t: &Task| {
        t.due.map(|d| match d {
            Due::Day { day } => (day, None),
            Due::At { at } => (at.local_day(), Some(at.utc)),
        })
    };
    key(a)
        .cmp(&key(b))
        .then(b.priority.cmp(&a.priority))
        .then(a.title.cmp(&b.title))
}

/// Open tasks due today (in `zone`) and not yet overdue, soonest and most urgent first.
pub fn due_today(tasks: &[Task], now: DateTime<Utc>, zone: Tz) -> Vec<&Task> {
    let today = ZonedInstant::new(now, zone).local_day();
    let mut v: Vec<&Task> = tasks
        .iter()
        .filter(|t| {
            t.status.is_open()
                && t.due
                    .is_some_and(|d| d.day(zone) == today && !d.is_past(now, zone))
        })
        .collect();
    v.sort_by(by_urgency);
    v
}

/// Open tasks whose due time has passed, oldest first.
pub fn overdue(tasks: &[Task], now: DateTime<Utc>, zone: Tz) -> Vec<&Task> {
    let mut v: Vec<&Task> = tasks
        .iter()
        .filter(|t| t.status.is_open() && t.due.is_some_and(|d| d.is_past(now, zone)))
        .collect();
    v.sort_by(by_urgency);
    v
}

/// Open tasks due in the next `days` days after today.
pub fn upcoming(tasks: &[Task], now: DateTime<Utc>, zone: Tz, days: u32) -> Result<Vec<&Task>> {
    let today = ZonedInstant::new(now, zone).local_day();
    let last = today.add_days(i64::from(days))?;
    let mut v: Vec<&Task> = tasks
        .iter()
        .filter(|t| {
            t.status.is_open()
                && t.due.is_some_and(|d| {
                    let day = d.day(zone);
                    day > today && day <= last
                })
        })
        .collect();
    v.sort_by(by_urgency);
    Ok(v)
}

/// A project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// pa's id.
    pub id: ProjectId,
    /// Name.
    pub name: String,
    /// Archived projects are kept but hidden.
    pub archived: bool,
}

/// A project's progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectRollup {
    /// The project.
    pub project: ProjectId,
    /// Open tasks.
    pub open: u32,
    /// Done tasks.
    pub done: u32,
    /// Done / (open + done) in percent (cancelled tasks left out); `None` without tasks.
    pub percent_complete: Option<f64>,
    /// Open tasks past due.
    pub overdue: u32,
}

/// Rollups for each project, in the order given.
pub fn project_rollups(
    projects: &[Project],
    tasks: &[Task],
    now: DateTime<Utc>,
    zone: Tz,
) -> Vec<ProjectRollup> {
    projects
        .iter()
        .map(|p| {
            let mine = tasks.iter().filter(|t| t.project.as_ref() == Some(&p.id));
            let (mut open, mut done, mut late) = (0, 0, 0);
            for t in mine {
                if t.status.is_open() {
                    open += 1;
                    if t.due.is_some_and(|d| d.is_past(now, zone)) {
                        late += 1;
                    }
                } else if t.status == TaskStatus::Done {
                    done += 1;
                }
            }
            let total = open + done;
            ProjectRollup {
                project: p.id.clone(),
                open,
                done,
                percent_complete: (total > 0).then(|| 100.0 * f64::from(done) / f64::from(total)),
                overdue: late,
            }
        })
        .collect()
}

/// Where a reminder goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Text message.
    Sms,
    /// Email.
    Email,
    /// In the app.
    InApp,
    /// Push notification.
    Push,
}

/// A reminder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reminder {
    /// pa's id.
    pub id: ReminderId,
    /// The task it is about, if any.
    pub task: Option<TaskId>,
    /// What to say.
    pub message: String,
    /// When.
    pub remind_at: ZonedInstant,
    /// Where.
    pub channels: Vec<Channel>,
    /// Already sent.
    pub sent: bool,
    /// Repeats on this schedule (in the zone of `remind_at`): `remind_at` is the next run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<schedule::Schedule>,
}

impl Reminder {
    /// Marks the reminder sent at `now`. A scheduled one moves on to its next run after `now`
    /// (and after its own time) and stays due then; it is sent for good only when the schedule
    /// has no more runs.
    pub fn mark_sent(&mut self, now: DateTime<Utc>) -> Result<()> {
        if let Some(s) = &self.schedule {
            let after = now.max(self.remind_at.utc);
            if let Some(next) = s.next_run(self.remind_at.zone, after)? {
                self.remind_at = ZonedInstant::new(next.with_timezone(&Utc), self.remind_at.zone);
                self.sent = false;
                return Ok(());
            }
        }
        self.sent = true;
        Ok(())
    }
}

/// Reminders not yet sent whose time has come, oldest first.
pub fn reminders_due(reminders: &[Reminder], now: DateTime<Utc>) -> Vec<&Reminder> {
    let mut v: Vec<&Reminder> = reminders
        .iter()
        .filter(|r| !r.sent && r.remind_at.utc <= now)
        .collect();
    v.sort_by_key(|r| r.remind_at.utc);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_zone;

    fn ny() -> Tz {
        parse_zone("America/New_York").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn task(id: &str, due: Option<Due>) -> Task {
        let mut t = Task::new(TaskId::new(id).unwrap(), id, utc("2026-01-01T00:00:00Z"));
        t.due = due;
        t
    }

    fn on(d: &str) -> Option<Due> {
        Some(Due::Day {
            day: d.parse().unwrap(),
        })
    }

    fn at(s: &str) -> Option<Due> {
        Some(Due::At {
            at: ZonedInstant::new(utc(s), ny()),
        })
    }

    #[test]
    fn a_scheduled_reminder_moves_to_its_next_run() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let at = |s: &str| ZonedInstant::new(utc(s), berlin);
        let mut r = Reminder {
            id: ReminderId::new("r-1").unwrap(),
            task: None,
            message: "Water the plants".into(),
            remind_at: at("2026-12-04T08:00:00Z"),
            channels: vec![Channel::InApp],
            sent: false,
            schedule: Some("weekly mon,fri 09:00".parse().unwrap()),
        };
        // Sent on Friday a little late: next Monday 09:00 Berlin.
        r.mark_sent(utc("2026-12-04T08:30:00Z")).unwrap();
        assert_eq!((r.remind_at, r.sent), (at("2026-12-07T08:00:00Z"), false));
        // A one-off reminder is simply sent.
        r.schedule = None;
        r.mark_sent(utc("2026-12-07T08:00:00Z")).unwrap();
        assert!(r.sent);
    }

    #[test]
    fn done_cancel_reopen() {
        use chrono::TimeZone;
        let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let t1 = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap();
        let mut t = Task::new(TaskId::new("t-1").unwrap(), "Passport", t0);
        t.complete(t1);
        t.complete(Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap());
        assert_eq!((t.status, t.completed_at), (TaskStatus::Done, Some(t1)));
        t.reopen();
        assert_eq!((t.status, t.completed_at), (TaskStatus::Todo, None));
        // A clock behind the creation time cannot make an invalid task.
        t.cancel(Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap());
        assert_eq!(
            (t.status, t.completed_at),
            (TaskStatus::Cancelled, Some(t0))
        );
        assert_eq!(t.validate(), Ok(()));
    }

    #[test]
    fn views_follow_the_users_zone() {
        // 2026-03-10 23:30 in New York is 2026-03-11 03:30 UTC.
        let now = utc("2026-03-11T03:30:00Z");
        let mut done = task("done", on("2026-03-10"));
        done.complete(now);
        let tasks = vec![
            task("today-day", on("2026-03-10")),
            task("today-later", at("2026-03-11T03:45:00Z")), // 23:45 EDT
            task("today-past", at("2026-03-10T20:00:00Z")),
            task("yesterday", on("2026-03-09")),
            task("next-week", on("2026-03-16")),
            task("far", on("2026-04-20")),
            task("none", None),
            done,
        ];
        let ids = |v: Vec<&Task>| {
            v.iter()
                .map(|t| t.id.as_str().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(due_today(&tasks, now, ny())),
            ["today-day", "today-later"]
        );
        assert_eq!(ids(overdue(&tasks, now, ny())), ["yesterday", "today-past"]);
        assert_eq!(ids(upcoming(&tasks, now, ny(), 7).unwrap()), ["next-week"]);
    }

    #[test]
    fn rollups_and_reminders() {
        let p = Project {
            id: ProjectId::new("p").unwrap(),
            name: "Move".into(),
            archived: false,
        };
        let now = utc("2026-03-11T12:00:00Z");
        let mut tasks: Vec<Task> = (0..4)
            .map(|i| task(&format!("t{i}"), on("2026-03-01")))
            .collect();
        for t in &mut tasks {
            t.project = Some(p.id.clone());
        }
        tasks[0].complete(now);
        tasks[1].status = TaskStatus::Cancelled;
        tasks[2].due = on("2026-03-20");
        let r = &project_rollups(&[p], &tasks, now, ny())[0];
        assert_eq!((r.open, r.done, r.overdue), (2, 1, 1));
        assert!((r.percent_complete.unwrap() - 100.0 / 3.0).abs() < 1e-9);
        let rem = |id: &str, when: &str, sent: bool| Reminder {
            id: ReminderId::new(id).unwrap(),
            task: None,
            message: id.into(),
            remind_at: ZonedInstant::new(utc(when), ny()),
            channels: vec![Channel::Push],
            sent,
            schedule: None,
        };
        let rs = vec![
            rem("later", "2026-03-12T00:00:00Z", false),
            rem("b", "2026-03-11T11:00:00Z", false),
            rem("a", "2026-03-11T10:00:00Z", false),
            rem("sent", "2026-03-11T09:00:00Z", true),
        ];
        assert_eq!(
            reminders_due(&rs, now)
                .iter()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
        let mut bad = task("x", None);
        bad.completed_at = Some(utc("2025-01-01T00:00:00Z"));
        assert!(bad.validate().is_err());
    }
}
