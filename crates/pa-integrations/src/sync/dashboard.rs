//! The dashboard mirror (seed 000's Airtable base): a rolling window of the store (90 days by
//! default) shown in a sink's tables, with Day (ISO date) and Week (`W-YY`) rows that the other
//! tables link to. The store stays the truth: rows that leave the window are deleted remotely and
//! kept locally.
//!
//! A run renders each table's rows from the store, lists the table, plans with
//! [`pa_core::sync::mirror::plan`] and executes the plan: parents before children for upserts
//! (so links resolve to record ids), children before parents for deletions. A run with nothing
//! changed makes list requests only. Every run leaves a sync-run row (`source` `airtable`).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use pa_core::calendar::{EventTime, expand};
use pa_core::fitness::adherence::{AdherenceOptions, match_workouts};
use pa_core::fitness::pmc::PmcOptions;
use pa_core::fitness::{Activity, BodyComposition, DailyHealth, TrainingPlan};
use pa_core::ports::sink::{MirrorRow, Sink};
use pa_core::ports::{
    PortError, ReviewRepository, StoredEvent, SyncOutcome, SyncRun, Units, UserStore, WriteBatch,
};
use pa_core::review::WeeklyReview;
use pa_core::sync::mirror::{self, MirrorOptions, MirrorPlan};
use pa_core::tasks::{Project, Task};
use pa_core::time::{Day, Week};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::{Error, Result};

/// The sink's table names (the seed's environment names are the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    /// `AIRTABLE_DAY`.
    pub day: String,
    /// `AIRTABLE_WEEK`.
    pub week: String,
    /// `AIRTABLE_CALENDAR_EVENTS`.
    pub events: String,
    /// `AIRTABLE_TRAINING_SESSIONS`.
    pub sessions: String,
    /// `AIRTABLE_HEALTH_METRICS`.
    pub health: String,
    /// `AIRTABLE_BODY_METRICS`.
    pub body: String,
    /// `AIRTABLE_TRAINING_PLANS`.
    pub plans: String,
    /// Tasks (open ones, and those due or done in the window), when named.
    pub tasks: Option<String>,
    /// Projects that are not archived, when named.
    pub projects: Option<String>,
    /// One weekly review per week of the window, when named.
    pub reviews: Option<String>,
    /// The sync runs of the window (seed 000's Sync Logs), when named.
    pub sync_log: Option<String>,
}

impl Tables {
    /// The roles a table name is given for, as [`Tables::set`] takes them.
    pub const ROLES: [&'static str; 11] = [
        "day", "week", "events", "sessions", "health", "body", "plans", "tasks", "projects",
        "reviews", "sync_log",
    ];

    /// Names the table of `role` (one of [`Tables::ROLES`]); the optional tables are mirrored
    /// once named.
    pub fn set(&mut self, role: &str, name: impl Into<String>) -> pa_core::Result<()> {
        let name = name.into();
        match role {
            "day" => self.day = name,
            "week" => self.week = name,
            "events" => self.events = name,
            "sessions" => self.sessions = name,
            "health" => self.health = name,
            "body" => self.body = name,
            "plans" => self.plans = name,
            "tasks" => self.tasks = Some(name),
            "projects" => self.projects = Some(name),
            "reviews" => self.reviews = Some(name),
            "sync_log" => self.sync_log = Some(name),
            other => {
                return Err(pa_core::Error::invalid(
                    "tables",
                    format!(
                        "'{}' is not a table role ({})",
                        other.escape_debug(),
                        Self::ROLES.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Default for Tables {
    fn default() -> Self {
        Self {
            day: "Day".into(),
            week: "Week".into(),
            events: "Calendar Events".into(),
            sessions: "Training Sessions".into(),
            health: "Health Metrics".into(),
            body: "Body Metrics".into(),
            plans: "Training Plans".into(),
            tasks: None,
            projects: None,
            reviews: None,
            sync_log: None,
        }
    }
}

/// How the dashboard is mirrored.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardConfig {
    /// Table names.
    pub tables: Tables,
    /// Days shown, ending today.
    pub window_days: u32,
    /// Units of distances, weights and heights.
    pub units: Units,
    /// Field names to use instead of pa's (`"Distance (mi)" → "Miles"`).
    pub rename: BTreeMap<String, String>,
    /// Allow a run that deletes most of a table.
    pub force: bool,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        Self {
            tables: Tables::default(),
            window_days: 90,
            units: Units::Metric,
            rename: BTreeMap::new(),
            force: false,
        }
    }
}

/// What a run did to one table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TableReport {
    /// The table.
    pub table: String,
    /// Rows created.
    pub created: usize,
    /// Rows updated.
    pub updated: usize,
    /// Rows deleted (left the window, or surplus copies of a key).
    pub deleted: usize,
    /// Rows already as they should be.
    pub unchanged: usize,
    /// Rows of the person's own, left alone.
    pub foreign: usize,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DashboardReport {
    /// The window shown.
    pub from: Option<Day>,
    /// Its last day.
    pub to: Option<Day>,
    /// Per table, parents first.
    pub tables: Vec<TableReport>,
    /// Write requests sent (upserts and deletes).
    pub writes: usize,
}

/// A flag a caller sets to stop a run between requests.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Asks the run to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether it was asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Where a run is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The table being written.
    pub table: String,
    /// Requests of this table done.
    pub done: usize,
    /// Requests of this table in all.
    pub total: usize,
}

/// The rows of every table, rendered from the store. Links are filled in stage by stage, once
/// the parents' record ids are known.
struct Data {
    from: Day,
    to: Day,
    zone: Tz,
    events: Vec<StoredEvent>,
    activities: Vec<Activity>,
    health: Vec<DailyHealth>,
    body: Vec<(String, BodyComposition)>,
    plans: Vec<TrainingPlan>,
    tasks: Vec<Task>,
    projects: Vec<Project>,
    reviews: Vec<WeeklyReview>,
    runs: Vec<SyncRun>,
}

/// The owned fields of each table, in pa's names: every row carries all of them (empty when the
/// record has no value), so a listing reads the same set.
mod fields {
    pub(super) const WEEK: &[&str] = &["Name", "Start"];
    pub(super) const DAY: &[&str] = &["Date", "Week"];
    pub(super) const EVENT: &[&str] = &[
        "Name", "Calendar", "Start", "End", "All Day", "Location", "Status", "Type", "Day",
    ];
    pub(super) const HEALTH: &[&str] = &[
        "Date",
        "Sleep (h)",
        "Resting HR",
        "HRV (ms)",
        "Steps",
        "Stress",
        "Body Battery High",
        "Body Battery Low",
        "Day",
    ];
    pub(super) const SESSION_METRIC: &[&str] = &[
        "Name",
        "Sport",
        "Date",
        "Start",
        "Duration (min)",
        "Distance (km)",
        "Elevation (m)",
        "Avg HR",
        "TSS",
        "Day",
        "Week",
    ];
    pub(super) const SESSION_STATUTE: &[&str] = &[
        "Name",
        "Sport",
        "Date",
        "Start",
        "Duration (min)",
        "Distance (mi)",
        "Elevation (ft)",
        "Avg HR",
        "TSS",
        "Day",
        "Week",
    ];
    pub(super) const BODY_METRIC: &[&str] = &[
        "Date",
        "Weight (kg)",
        "Body Fat %",
        "Muscle Mass (kg)",
        "BMI",
        "Day",
    ];
    pub(super) const BODY_STATUTE: &[&str] = &[
        "Date",
        "Weight (lb)",
        "Body Fat %",
        "Muscle Mass (lb)",
        "BMI",
        "Day",
    ];
    pub(super) const PROJECT: &[&str] = &["Name", "Archived"];
    pub(super) const TASK: &[&str] = &[
        "Name",
        "Status",
        "Priority",
        "Due",
        "Project",
        "Done",
        "Completed",
    ];
    pub(super) const REVIEW: &[&str] = &[
        "Name",
        "Week",
        "Completed",
        "Missed",
        "Training Hours",
        "Planned Hours",
        "Load",
        "Adherence %",
        "CTL",
        "Avg Sleep (h)",
        "Resting HR",
        "Tasks Done",
        "Tasks Overdue",
        "Mood",
    ];
    pub(super) const SYNC_LOG: &[&str] = &[
        "Source", "Started", "Finished", "Outcome", "Added", "Updated", "Deleted", "Error",
    ];
    pub(super) const PLAN: &[&str] = &[
        "Name",
        "Sport",
        "Date",
        "Planned Duration (min)",
        "Planned Distance",
        "Planned TSS",
        "Status",
        "Day",
        "Week",
        "Actual",
    ];
}

/// A number rounded for display (the store keeps the exact value).
fn round(x: f64, places: i32) -> Value {
    let f = 10f64.powi(places);
    json!((x * f).round() / f)
}

/// [`round`] of a value that may be missing (an empty cell).
fn num(x: Option<f64>, places: i32) -> Value {
    x.map_or(Value::Null, |v| round(v, places))
}

fn link(ids: &HashMap<String, String>, key: &str) -> Value {
    ids.get(key).map_or(Value::Null, |id| json!([id]))
}

fn day_key(d: Day) -> String {
    format!("day:{d}")
}

fn week_key(w: Week) -> String {
    format!("week:{w}")
}

/// A row with every owned field, empty where `values` has none.
fn row(key: String, names: &[&str], values: Vec<(&str, Value)>) -> MirrorRow {
    let mut fields: BTreeMap<String, Value> = names
        .iter()
        .map(|n| ((*n).to_owned(), Value::Null))
        .collect();
    for (k, v) in values {
        fields.insert(k.to_owned(), v);
    }
    MirrorRow { key, fields }
}

impl Data {
    fn days(&self) -> impl Iterator<Item = Day> + '_ {
        let n = self.from.days_until(self.to);
        (0..=n).filter_map(move |i| self.from.add_days(i).ok())
    }

    fn weeks(&self) -> Vec<MirrorRow> {
        let mut weeks: Vec<Week> = self.days().map(Day::week).collect();
        weeks.dedup();
        weeks
            .into_iter()
            .map(|w| {
                row(
                    week_key(w),
                    fields::WEEK,
                    vec![
                        ("Name", json!(w.label())),
                        ("Start", json!(w.first_day().to_string())),
                    ],
                )
            })
            .collect()
    }

    fn day_rows(&self, weeks: &HashMap<String, String>) -> Vec<MirrorRow> {
        self.days()
            .map(|d| {
                row(
                    day_key(d),
                    fields::DAY,
                    vec![
                        ("Date", json!(d.to_string())),
                        ("Week", link(weeks, &week_key(d.week()))),
                    ],
                )
            })
            .collect()
    }

    fn event_rows(&self, days: &HashMap<String, String>) -> Result<Vec<MirrorRow>> {
        let start = midnight(self.from, self.zone)?;
        let end = midnight(self.to.succ()?, self.zone)?;
        let mut rows = Vec::new();
        for e in &self.events {
            for o in expand(&e.record, start, end, self.zone)? {
                let (first, all_day, s, en) = match o.time {
                    EventTime::Timed { start, end } => (
                        start.local_day(),
                        false,
                        json!(start.utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                        json!(end.utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                    ),
                    EventTime::AllDay { start, end } => (
                        start,
                        true,
                        json!(start.to_string()),
                        json!(end.pred().unwrap_or(end).to_string()),
                    ),
                };
                let key = if e.record.recurrence.is_some() {
                    format!("event:{}@{}", e.id, s.as_str().unwrap_or_default())
                } else {
                    format!("event:{}", e.id)
                };
                rows.push(row(
                    key,
                    fields::EVENT,
                    vec![
                        ("Name", json!(o.title)),
                        ("Calendar", json!(o.calendar)),
                        ("Start", s),
                        ("End", en),
                        ("All Day", json!(all_day)),
                        ("Location", json!(e.record.location)),
                        ("Status", json!(format!("{:?}", o.status).to_lowercase())),
                        ("Type", json!(e.record.kind)),
                        ("Day", link(days, &day_key(first))),
                    ],
                ));
            }
        }
        // One row per key: a recurring event whose occurrences share a start keeps the first.
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        rows.dedup_by(|a, b| a.key == b.key);
        Ok(rows)
    }

    fn session_rows(
        &self,
        units: Units,
        days: &HashMap<String, String>,
        weeks: &HashMap<String, String>,
    ) -> Vec<MirrorRow> {
        let statute = units == Units::Statute;
        let names = if statute {
            fields::SESSION_STATUTE
        } else {
            fields::SESSION_METRIC
        };
        self.activities
            .iter()
            .map(|a| {
                let day = a.start.local_day();
                let (distance, elevation) = if statute {
                    ("Distance (mi)", "Elevation (ft)")
                } else {
                    ("Distance (km)", "Elevation (m)")
                };
                let distance = a
                    .distance_m
                    .map(|m| (distance, round(m / units.long_m(), 2)));
                let elevation = a
                    .elevation_gain_m
                    .map(|m| (elevation, round(m / units.height_m(), 0)));
                let mut values = vec![
                    (
                        "Name",
                        json!(a.name.clone().unwrap_or_else(|| a.sport.to_string())),
                    ),
                    ("Sport", json!(a.sport.to_string())),
                    ("Date", json!(day.to_string())),
                    (
                        "Start",
                        json!(
                            a.start
                                .utc
                                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        ),
                    ),
                    ("Duration (min)", round(a.duration_s() / 60.0, 1)),
                    ("Avg HR", num(a.avg_hr_bpm, 0)),
                    ("TSS", num(a.training_load, 1)),
                    ("Day", link(days, &day_key(day))),
                    ("Week", link(weeks, &week_key(day.week()))),
                ];
                values.extend(distance);
                values.extend(elevation);
                row(format!("activity:{}", a.id), names, values)
            })
            .collect()
    }

    fn health_rows(&self, days: &HashMap<String, String>) -> Vec<MirrorRow> {
        self.health
            .iter()
            .map(|h| {
                row(
                    format!("health:{}", h.day),
                    fields::HEALTH,
                    vec![
                        ("Date", json!(h.day.to_string())),
                        (
                            "Sleep (h)",
                            num(h.sleep.as_ref().map(|s| s.total_s / 3600.0), 2),
                        ),
                        ("Resting HR", num(h.resting_hr_bpm, 0)),
                        ("HRV (ms)", num(h.hrv_rmssd_ms, 0)),
                        ("Steps", h.steps.map_or(Value::Null, |s| json!(s))),
                        ("Stress", num(h.stress_avg, 0)),
                        ("Body Battery High", num(h.body_battery_high, 0)),
                        ("Body Battery Low", num(h.body_battery_low, 0)),
                        ("Day", link(days, &day_key(h.day))),
                    ],
                )
            })
            .collect()
    }

    fn body_rows(&self, units: Units, days: &HashMap<String, String>) -> Vec<MirrorRow> {
        let statute = units == Units::Statute;
        let (names, weight, muscle) = if statute {
            (fields::BODY_STATUTE, "Weight (lb)", "Muscle Mass (lb)")
        } else {
            (fields::BODY_METRIC, "Weight (kg)", "Muscle Mass (kg)")
        };
        let per = units.weight_kg();
        self.body
            .iter()
            .map(|(key, b)| {
                let day = b.measured_at.local_day();
                row(
                    format!("body:{key}"),
                    names,
                    vec![
                        ("Date", json!(day.to_string())),
                        (weight, round(b.weight_kg / per, 1)),
                        ("Body Fat %", num(b.body_fat_pct, 1)),
                        (
                            muscle,
                            b.muscle_mass_kg.map_or(Value::Null, |v| round(v / per, 1)),
                        ),
                        ("BMI", num(b.bmi, 1)),
                        ("Day", link(days, &day_key(day))),
                    ],
                )
            })
            .collect()
    }

    fn plan_rows(
        &self,
        units: Units,
        days: &HashMap<String, String>,
        weeks: &HashMap<String, String>,
        sessions: &HashMap<String, String>,
    ) -> Result<Vec<MirrorRow>> {
        let workouts: Vec<_> = self
            .plans
            .iter()
            .flat_map(|p| p.workouts.iter())
            .filter(|w| w.day >= self.from && w.day <= self.to)
            .cloned()
            .collect();
        let matching = match_workouts(&workouts, &self.activities, &AdherenceOptions::default())?;
        let by_workout: HashMap<_, _> = matching
            .matches
            .iter()
            .map(|m| (m.workout.clone(), m))
            .collect();
        Ok(workouts
            .iter()
            .map(|w| {
                let matched = by_workout.get(&w.id);
                let actual = matched
                    .and_then(|m| m.activity.as_ref())
                    .map_or(Value::Null, |a| link(sessions, &format!("activity:{a}")));
                let distance = w
                    .distance_m
                    .map_or(Value::Null, |m| round(m / units.long_m(), 2));
                row(
                    format!("workout:{}", w.id),
                    fields::PLAN,
                    vec![
                        ("Name", json!(w.description)),
                        ("Sport", json!(w.sport.to_string())),
                        ("Date", json!(w.day.to_string())),
                        (
                            "Planned Duration (min)",
                            w.duration_s.map_or(Value::Null, |s| round(s / 60.0, 0)),
                        ),
                        ("Planned Distance", distance),
                        ("Planned TSS", num(w.load, 0)),
                        (
                            "Status",
                            matched.map_or(Value::Null, |m| {
                                json!(format!("{:?}", m.status).to_lowercase())
                            }),
                        ),
                        ("Day", link(days, &day_key(w.day))),
                        ("Week", link(weeks, &week_key(w.day.week()))),
                        ("Actual", actual),
                    ],
                )
            })
            .collect())
    }
}

impl Data {
    fn project_rows(&self) -> Vec<MirrorRow> {
        self.projects
            .iter()
            .filter(|p| !p.archived)
            .map(|p| {
                row(
                    format!("project:{}", p.id),
                    fields::PROJECT,
                    vec![("Name", json!(p.name)), ("Archived", json!(p.archived))],
                )
            })
            .collect()
    }

    fn task_rows(&self, projects: &HashMap<String, String>) -> Vec<MirrorRow> {
        let in_window = |d: Day| d >= self.from && d <= self.to;
        self.tasks
            .iter()
            .filter(|t| {
                let due = t.due.as_ref().map(|d| d.day(self.zone));
                let done = t
                    .completed_at
                    .map(|c| pa_core::time::ZonedInstant::new(c, self.zone).local_day());
                t.status.is_open() || due.is_some_and(in_window) || done.is_some_and(in_window)
            })
            .map(|t| {
                let lower = |x: String| x.to_lowercase();
                row(
                    format!("task:{}", t.id),
                    fields::TASK,
                    vec![
                        ("Name", json!(t.title)),
                        ("Status", json!(lower(format!("{:?}", t.status)))),
                        ("Priority", json!(lower(format!("{:?}", t.priority)))),
                        (
                            "Due",
                            t.due
                                .as_ref()
                                .map_or(Value::Null, |d| json!(d.day(self.zone).to_string())),
                        ),
                        (
                            "Project",
                            t.project
                                .as_ref()
                                .map_or(Value::Null, |p| link(projects, &format!("project:{p}"))),
                        ),
                        ("Done", json!(!t.status.is_open())),
                        (
                            "Completed",
                            t.completed_at.map_or(Value::Null, |c| {
                                json!(c.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                            }),
                        ),
                    ],
                )
            })
            .collect()
    }

    fn review_rows(&self, weeks: &HashMap<String, String>) -> Vec<MirrorRow> {
        self.reviews
            .iter()
            .map(|r| {
                let t = &r.training;
                row(
                    format!("review:{}", r.week),
                    fields::REVIEW,
                    vec![
                        ("Name", json!(format!("Review {}", r.label))),
                        ("Week", link(weeks, &week_key(r.week))),
                        ("Completed", json!(t.completed)),
                        ("Missed", json!(t.missed)),
                        ("Training Hours", round(t.actual.duration_s / 3600.0, 1)),
                        ("Planned Hours", round(t.planned.duration_s / 3600.0, 1)),
                        ("Load", round(t.actual.load, 0)),
                        ("Adherence %", num(t.adherence_pct, 0)),
                        ("CTL", num(t.ctl, 1)),
                        ("Avg Sleep (h)", num(r.health.avg_sleep_hours, 2)),
                        ("Resting HR", num(r.health.avg_resting_hr, 0)),
                        ("Tasks Done", json!(r.tasks.done)),
                        ("Tasks Overdue", json!(r.tasks.overdue)),
                        ("Mood", num(r.mood_avg, 1)),
                    ],
                )
            })
            .collect()
    }

    fn run_rows(&self) -> Vec<MirrorRow> {
        let at = |t: DateTime<Utc>| json!(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        self.runs
            .iter()
            .map(|r| {
                row(
                    format!("run:{}@{}", r.source, r.started.timestamp_micros()),
                    fields::SYNC_LOG,
                    vec![
                        ("Source", json!(r.source)),
                        ("Started", at(r.started)),
                        ("Finished", r.finished.map_or(Value::Null, at)),
                        ("Outcome", json!(r.outcome.as_str())),
                        ("Added", json!(r.added)),
                        ("Updated", json!(r.updated)),
                        ("Deleted", json!(r.deleted)),
                        ("Error", json!(r.error)),
                    ],
                )
            })
            .collect()
    }
}

/// The first instant of `day` in `zone` (the first after a gap when midnight is skipped).
fn midnight(day: Day, zone: Tz) -> Result<DateTime<Utc>> {
    let local = day.naive().and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(pa_core::calendar::recurrence::resolve_local(local, zone)?.with_timezone(&Utc))
}

/// Renames pa's field names to the configured ones.
fn renamed(rows: Vec<MirrorRow>, rename: &BTreeMap<String, String>) -> Vec<MirrorRow> {
    if rename.is_empty() {
        return rows;
    }
    rows.into_iter()
        .map(|r| MirrorRow {
            key: r.key,
            fields: r
                .fields
                .into_iter()
                .map(|(k, v)| (rename.get(&k).cloned().unwrap_or(k), v))
                .collect(),
        })
        .collect()
}

/// One run's state as it goes from table to table.
struct Pass<'p> {
    report: DashboardReport,
    /// Each table's plan, for the deletions made at the end (children first).
    deletions: Vec<(String, MirrorPlan)>,
    progress: &'p mut (dyn FnMut(&Progress) + Send),
    /// Whether plans that empty or mostly delete a table are refused (unless forced).
    guarded: bool,
}

impl Data {
    /// Whether the store holds nothing for the window's data tables.
    fn is_empty(&self) -> bool {
        self.events.is_empty()
            && self.activities.is_empty()
            && self.health.is_empty()
            && self.body.is_empty()
            && self.plans.is_empty()
    }
}

/// Runs the mirror of `store` into `sink` for the window ending `today` (in `zone`).
pub struct Dashboard<'a, S> {
    /// The person's store.
    pub store: &'a S,
    /// The sink.
    pub sink: &'a dyn Sink,
    /// How.
    pub config: &'a DashboardConfig,
    /// The person's zone.
    pub zone: Tz,
    /// Stops the run between requests.
    pub cancel: Cancel,
}

impl<S> Dashboard<'_, S>
where
    S: UserStore,
    Error: From<S::Error>,
{
    fn load(&self, today: Day, now: DateTime<Utc>) -> Result<Data> {
        let t = &self.config.tables;
        let days = i64::from(self.config.window_days.max(1));
        let from = today.add_days(1 - days)?;
        let span = Some((from, today));
        let body = self
            .store
            .records::<BodyComposition>(span)?
            .into_iter()
            .map(|b| (pa_core::ports::Record::key(&b), b))
            .collect();
        Ok(Data {
            from,
            to: today,
            zone: self.zone,
            events: self.store.records::<StoredEvent>(span)?,
            activities: self.store.activities(from, today)?,
            health: self.store.daily_health(from, today)?,
            body,
            plans: self.store.records::<TrainingPlan>(span)?,
            tasks: match t.tasks {
                Some(_) => self.store.records::<Task>(None)?,
                None => Vec::new(),
            },
            projects: match (&t.projects, &t.tasks) {
                (None, None) => Vec::new(),
                _ => self.store.records::<Project>(None)?,
            },
            reviews: match t.reviews {
                Some(_) => {
                    let mut weeks: Vec<Week> = (0..days)
                        .filter_map(|i| from.add_days(i).ok())
                        .map(Day::week)
                        .collect();
                    weeks.dedup();
                    weeks
                        .into_iter()
                        .map(|w| {
                            self.store
                                .weekly_review(w, self.zone, now, PmcOptions::default())
                        })
                        .collect::<std::result::Result<_, _>>()?
                }
                None => Vec::new(),
            },
            runs: match t.sync_log {
                // The runs of the window, but not this one (still running).
                Some(_) => self
                    .store
                    .sync_runs(None, 10_000)?
                    .into_iter()
                    .filter(|r| r.outcome != SyncOutcome::Running)
                    .filter(|r| {
                        let d = pa_core::time::ZonedInstant::new(r.started, self.zone).local_day();
                        d >= from && d <= today
                    })
                    .collect(),
                None => Vec::new(),
            },
        })
    }

    /// Mirrors the window ending `today`; `now` stamps the sync-run row. A failure still writes
    /// the row (outcome and error) before it is returned.
    pub async fn run(
        &self,
        today: Day,
        now: DateTime<Utc>,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<DashboardReport> {
        let started = now;
        let mut running = SyncRun {
            source: "airtable".into(),
            started,
            finished: None,
            added: 0,
            updated: 0,
            deleted: 0,
            outcome: SyncOutcome::Running,
            error: None,
        };
        self.store.apply(&WriteBatch {
            sync_runs: vec![running.clone()],
            ..WriteBatch::default()
        })?;
        let result = self.mirror(today, now, progress).await;
        running.finished = Some(now.max(Utc::now()));
        match &result {
            Ok(report) => {
                running.outcome = SyncOutcome::Succeeded;
                for t in &report.tables {
                    running.added += t.created as u64;
                    running.updated += t.updated as u64;
                    running.deleted += t.deleted as u64;
                }
            }
            Err(e) => {
                running.outcome = SyncOutcome::Failed;
                running.error = Some(e.to_string());
            }
        }
        self.store.apply(&WriteBatch {
            sync_runs: vec![running],
            ..WriteBatch::default()
        })?;
        result
    }

    async fn mirror(
        &self,
        today: Day,
        now: DateTime<Utc>,
        progress: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<DashboardReport> {
        let data = self.load(today, now)?;
        let t = &self.config.tables;
        let mut pass = Pass {
            report: DashboardReport {
                from: Some(data.from),
                to: Some(today),
                ..DashboardReport::default()
            },
            deletions: Vec::new(),
            progress,
            // Day and Week rows follow from the dates alone: a plan that empties or mostly
            // deletes them means a misconfigured window, and is refused unless forced.
            guarded: true,
        };
        let weeks = self.table(&mut pass, &t.week, data.weeks()).await?;
        let days = self.table(&mut pass, &t.day, data.day_rows(&weeks)).await?;
        // A data table may empty out as the window moves on (no weigh-in for three months);
        // that is refused only when the store holds nothing at all for the window (a wiped
        // store, another person).
        pass.guarded = data.is_empty();
        self.table(&mut pass, &t.events, data.event_rows(&days)?)
            .await?;
        let units = self.config.units;
        let sessions = self
            .table(
                &mut pass,
                &t.sessions,
                data.session_rows(units, &days, &weeks),
            )
            .await?;
        self.table(&mut pass, &t.health, data.health_rows(&days))
            .await?;
        self.table(&mut pass, &t.body, data.body_rows(units, &days))
            .await?;
        let plans = data.plan_rows(units, &days, &weeks, &sessions)?;
        self.table(&mut pass, &t.plans, plans).await?;
        let projects = match &t.projects {
            Some(table) => self.table(&mut pass, table, data.project_rows()).await?,
            None => HashMap::new(),
        };
        if let Some(table) = &t.tasks {
            self.table(&mut pass, table, data.task_rows(&projects))
                .await?;
        }
        if let Some(table) = &t.reviews {
            self.table(&mut pass, table, data.review_rows(&weeks))
                .await?;
        }
        if let Some(table) = &t.sync_log {
            self.table(&mut pass, table, data.run_rows()).await?;
        }
        let Pass {
            mut report,
            deletions,
            progress,
            ..
        } = pass;
        // Deletions last, children first.
        for (table, plan) in deletions.iter().rev() {
            let total = plan.deletes.len();
            for (i, ids) in plan.deletes.iter().enumerate() {
                self.check()?;
                self.sink.delete(table, ids).await.map_err(port)?;
                report.writes += 1;
                progress(&Progress {
                    table: table.clone(),
                    done: i + 1,
                    total,
                });
            }
        }
        Ok(report)
    }

    fn check(&self) -> Result<()> {
        if self.cancel.is_cancelled() {
            Err(port(PortError::Cancelled))
        } else {
            Ok(())
        }
    }

    /// Plans one table and sends its collapses and upserts; returns every pa key's record id.
    async fn table(
        &self,
        pass: &mut Pass<'_>,
        table: &str,
        desired: Vec<MirrorRow>,
    ) -> Result<HashMap<String, String>> {
        self.check()?;
        let desired = renamed(desired, &self.config.rename);
        let owned: Vec<String> = desired
            .first()
            .map(|r| r.fields.keys().cloned().collect())
            .unwrap_or_default();
        let remote = self.sink.list(table, &owned).await.map_err(port)?;
        let options = MirrorOptions {
            batch_limit: self.sink.batch_limit(),
            force: self.config.force || !pass.guarded,
            ..MirrorOptions::default()
        };
        let plan = mirror::plan(&desired, &remote, &[], options).map_err(|e| match e {
            // Refusals name the table they are about.
            pa_core::Error::InvalidInput { reason, .. } => {
                pa_core::Error::invalid(format!("{table} table"), reason)
            }
            other => other,
        })?;
        // Record ids of the rows the plan keeps (surplus copies are deleted below).
        let surplus: std::collections::HashSet<&String> = plan.collapse.iter().flatten().collect();
        let mut ids: HashMap<String, String> = remote
            .iter()
            .filter(|r| !surplus.contains(&r.remote_id))
            .filter_map(|r| Some((r.key.clone()?, r.remote_id.clone())))
            .collect();
        let total = plan.collapse.len() + plan.upserts.len();
        let mut done = 0;
        for copies in &plan.collapse {
            self.check()?;
            self.sink.delete(table, copies).await.map_err(port)?;
            pass.report.writes += 1;
            done += 1;
            (pass.progress)(&Progress {
                table: table.to_owned(),
                done,
                total,
            });
        }
        for batch in &plan.upserts {
            self.check()?;
            for m in self.sink.upsert(table, batch).await.map_err(port)? {
                ids.insert(m.key, m.remote_id);
            }
            pass.report.writes += 1;
            done += 1;
            (pass.progress)(&Progress {
                table: table.to_owned(),
                done,
                total,
            });
        }
        pass.report.tables.push(TableReport {
            table: table.to_owned(),
            created: plan.created,
            updated: plan.updated,
            deleted: plan.deleted(),
            unchanged: plan.unchanged,
            foreign: plan.foreign,
        });
        pass.deletions.push((table.to_owned(), plan));
        Ok(ids)
    }
}

fn port(e: PortError) -> Error {
    Error::from_port("airtable", e)
}

#[cfg(test)]
mod tests;
