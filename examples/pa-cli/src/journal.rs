//! `pa note`, `pa checkin`, `pa remember`: the journal, the day's check-in, what to remember.

use anyhow::Result;
use clap::Args;

use crate::write::{WriteOpts, Writer, print, when_help};
use crate::{Context, StoreArgs};

/// `pa note`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pa note \"A bike trip in spring\" --title Idea
  pa note \"Slept badly, long day\" --tag journal")]
pub(crate) struct NoteArgs {
    /// The text (the words are joined).
    #[arg(required = true, num_args = 1..)]
    text: Vec<String>,
    /// A title.
    #[arg(long, default_value = "")]
    title: String,
    /// A tag (repeat for more; `journal` for a journal entry).
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

/// `pa checkin`.
#[derive(Debug, Args)]
#[command(after_help = concat!("Examples:
  pa checkin --mood 4 --energy 3 --note \"Good sleep\"
  pa checkin --mood 2 --day yesterday

", when_help!()))]
pub(crate) struct CheckinArgs {
    /// Mood, 1 (low) to 5 (great).
    #[arg(long)]
    mood: Option<u8>,
    /// Energy, 1 to 5.
    #[arg(long)]
    energy: Option<u8>,
    /// Notes on the day.
    #[arg(long)]
    note: Option<String>,
    /// The day (default: today).
    #[arg(long)]
    day: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

/// `pa remember`.
#[derive(Debug, Args)]
#[command(after_help = "Example:
  pa remember \"Allergic to penicillin\" --importance 5 --tag health")]
pub(crate) struct RememberArgs {
    /// What to remember (the words are joined).
    #[arg(required = true, num_args = 1..)]
    text: Vec<String>,
    /// 1 (trivia) to 5 (essential).
    #[arg(long, default_value_t = 3)]
    importance: u8,
    /// A tag (repeat for more).
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

pub(crate) fn note(args: NoteArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    let w = Writer::open(store, &args.opts)?;
    let done = w
        .person
        .add_note(&args.title, &args.text.join(" "), args.tags)?;
    print(ctx, "note", &done, |n| {
        let title = if n.title.is_empty() {
            &n.body
        } else {
            &n.title
        };
        format!("{}: {title}", n.id)
    })
}

pub(crate) fn checkin(args: CheckinArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    let w = Writer::open(store, &args.opts)?;
    let day = w.day_opt(args.day.as_deref(), "--day")?;
    let done = w
        .person
        .check_in(day, args.mood, args.energy, args.note.as_deref())?;
    print(ctx, "check-in", &done, |c| {
        let part =
            |label: &str, v: Option<u8>| v.map(|v| format!(", {label} {v}/5")).unwrap_or_default();
        format!(
            "{}{}{}",
            c.day,
            part("mood", c.mood),
            part("energy", c.energy)
        )
    })
}

pub(crate) fn remember(args: RememberArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    let w = Writer::open(store, &args.opts)?;
    let done = w
        .person
        .remember(&args.text.join(" "), args.tags, args.importance)?;
    print(ctx, "memory", &done, |m| {
        format!("{}: {} (importance {})", m.id, m.content, m.importance)
    })
}
