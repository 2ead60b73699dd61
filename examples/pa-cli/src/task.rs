//! `pa task …`: add, finish and list tasks (todo.txt and taskwarrior in spirit).

use anyhow::Result;
use chrono_tz::Tz;
use clap::{Args, Subcommand};
use pa_core::tasks::{Due, Priority, Task};
use pa_core::when::When;
use pa_integrations::assistant::{NewTask, TaskChanges, TaskFilter};

use crate::output::{Format, write_rows};
use crate::write::{WriteOpts, Writer, external, print, when_help};
use crate::{Context, StoreArgs};

/// `pa task …`.
#[derive(Debug, Subcommand)]
pub(crate) enum TaskCommand {
    /// Adds a task.
    #[command(after_help = concat!("Examples:
  pa task add Renew passport --due fri --priority high --project Admin --tag errand
  pa task add \"Call the plumber\" --due \"tomorrow 09:00\"

", when_help!()))]
    Add(AddArgs),
    /// Marks an open task done (by id, title, or a part of the title naming one task).
    Done(RefArgs),
    /// Opens a done or cancelled task again.
    Reopen(RefArgs),
    /// Cancels an open task (it is kept, no longer open).
    Cancel(RefArgs),
    /// Deletes a task.
    Rm(RefArgs),
    /// Changes an open task.
    #[command(after_help = concat!("Examples:
  pa task edit passport --due +1w
  pa task edit t-2sr2z014 --priority urgent --due none

", when_help!()))]
    Edit(EditArgs),
    /// Open tasks (--all: every task), most urgent first.
    List(ListArgs),
}

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The title (the words are joined).
    #[arg(required = true, num_args = 1..)]
    title: Vec<String>,
    /// Due: a day or a time.
    #[arg(long)]
    due: Option<String>,
    /// low, medium, high, urgent (or L, M, H).
    #[arg(long, default_value = "medium")]
    priority: String,
    /// The project, by name (made if new) or id.
    #[arg(long)]
    project: Option<String>,
    /// A tag (repeat for more).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Notes.
    #[arg(long, default_value = "")]
    notes: String,
    /// The source's id (SOURCE:ID): adding it again changes nothing.
    #[arg(long, value_name = "SOURCE:ID")]
    external: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct RefArgs {
    /// The task: its id, its title, or a part of the title naming one task.
    #[arg(required = true, num_args = 1..)]
    task: Vec<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    /// The task: its id, its title, or a part of the title naming one task.
    task: String,
    /// A new title.
    #[arg(long)]
    title: Option<String>,
    /// A new due day or time; `none` removes it.
    #[arg(long)]
    due: Option<String>,
    /// A new priority.
    #[arg(long)]
    priority: Option<String>,
    /// A new project; `none` removes it.
    #[arg(long)]
    project: Option<String>,
    /// The tags (replace the task's; repeat for more).
    #[arg(long = "tag")]
    tags: Option<Vec<String>>,
    /// New notes.
    #[arg(long)]
    notes: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Done and cancelled tasks too.
    #[arg(long)]
    all: bool,
    /// Only this project's.
    #[arg(long)]
    project: Option<String>,
    /// Only with this tag.
    #[arg(long)]
    tag: Option<String>,
    /// Only due on or before this day.
    #[arg(long, value_name = "DAY")]
    due_by: Option<String>,
    /// The zone to read days in.
    #[arg(long, value_name = "ZONE")]
    tz: Option<String>,
}

fn due(w: &Writer, text: &str) -> Result<Due> {
    Ok(match w.when(text, "--due")? {
        When::Day(day) => Due::Day { day },
        When::At(at) => Due::At { at },
    })
}

fn show_due(d: &Due, zone: Tz) -> String {
    match d {
        Due::Day { day } => day.to_string(),
        Due::At { at } => at
            .utc
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    }
}

fn describe(t: &Task, zone: Tz) -> String {
    let mut s = format!("{}: {}", t.id, t.title);
    if let Some(d) = &t.due {
        s.push_str(&format!(", due {}", show_due(d, zone)));
    }
    s.push_str(&format!(", {}", name(&t.priority)));
    if !t.status.is_open() {
        s.push_str(&format!(", {}", name(&t.status)));
    }
    s
}

/// A serde unit variant's name (`high`, `done`).
pub(crate) fn name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub(crate) fn run(cmd: TaskCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    type Op = fn(
        &pa_integrations::assistant::Person,
        &str,
    ) -> pa_integrations::Result<pa_integrations::assistant::Written<Task>>;
    let by_ref = |args: RefArgs, op: Op| -> Result<()> {
        let w = Writer::open(store, &args.opts)?;
        let done = op(&w.person, &args.task.join(" "))?;
        print(ctx, "task", &done, |t| describe(t, w.zone))
    };
    match cmd {
        TaskCommand::Add(args) => {
            let w = Writer::open(store, &args.opts)?;
            let new = NewTask {
                title: args.title.join(" "),
                notes: args.notes,
                due: args.due.as_deref().map(|d| due(&w, d)).transpose()?,
                scheduled: None,
                priority: crate::write::named("--priority", args.priority.parse::<Priority>())?,
                project: args.project,
                tags: args.tags,
                external: external(args.external.as_deref())?,
            };
            print(ctx, "task", &w.person.add_task(new)?, |t| {
                describe(t, w.zone)
            })
        }
        TaskCommand::Done(args) => by_ref(args, |p, r| p.complete_task(r)),
        TaskCommand::Reopen(args) => by_ref(args, |p, r| p.reopen_task(r)),
        TaskCommand::Cancel(args) => by_ref(args, |p, r| p.cancel_task(r)),
        TaskCommand::Rm(args) => by_ref(args, |p, r| p.delete_task(r)),
        TaskCommand::Edit(args) => {
            let w = Writer::open(store, &args.opts)?;
            let none_or = |v: Option<String>| v.map(|v| (v != "none").then_some(v));
            let changes = TaskChanges {
                title: args.title,
                notes: args.notes,
                due: match none_or(args.due) {
                    Some(Some(d)) => Some(Some(due(&w, &d)?)),
                    Some(None) => Some(None),
                    None => None,
                },
                priority: args
                    .priority
                    .map(|p| crate::write::named("--priority", p.parse::<Priority>()))
                    .transpose()?,
                project: none_or(args.project),
                tags: args.tags,
            };
            print(
                ctx,
                "task",
                &w.person.edit_task(&args.task, changes)?,
                |t| describe(t, w.zone),
            )
        }
        TaskCommand::List(args) => list(args, store, ctx),
    }
}

fn list(args: ListArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    if ctx.format == Format::Ics {
        return Err(crate::output::not_ics());
    }
    let person = crate::store::reader(store)?;
    let zone = person.zone(crate::briefing::zone_arg(args.tz.as_deref())?)?;
    let today = person.today(Some(zone))?;
    let due_by = args
        .due_by
        .as_deref()
        .map(|d| crate::write::named("--due-by", pa_core::when::parse_day(d, today)))
        .transpose()?;
    let tasks = person.tasks(&TaskFilter {
        all: args.all,
        project: args.project,
        tag: args.tag,
        due_by,
    })?;
    let projects = person.projects()?;
    let rows: Vec<TaskRow> = tasks
        .iter()
        .map(|t| TaskRow {
            id: t.id.to_string(),
            title: t.title.clone(),
            due: t
                .due
                .as_ref()
                .map(|d| show_due(d, zone))
                .unwrap_or_default(),
            priority: name(&t.priority),
            project: t
                .project
                .as_ref()
                .and_then(|p| projects.iter().find(|x| &x.id == p))
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            tags: t.tags.join(" "),
            status: name(&t.status),
        })
        .collect();
    write_rows(
        &mut std::io::stdout().lock(),
        ctx.format,
        &[
            "id", "title", "due", "priority", "project", "tags", "status",
        ],
        &rows,
        |r| {
            vec![
                r.id.clone(),
                r.title.clone(),
                r.due.clone(),
                r.priority.clone(),
                r.project.clone(),
                r.tags.clone(),
                r.status.clone(),
            ]
        },
    )
}

#[derive(serde::Serialize)]
struct TaskRow {
    id: String,
    title: String,
    due: String,
    priority: String,
    project: String,
    tags: String,
    status: String,
}
