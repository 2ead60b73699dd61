//! `pa`: the command-line front end of the pa library.
//!
//! Exit codes (sysexits where one fits): 0 success; 1 an unexpected failure; 2 bad command-line
//! usage; 65 malformed input data or a damaged store; 66 an input file or the store cannot be read
//! or does not exist, or no record has the name or id given; 67 no such person; 69 a service unavailable; 73 an output file cannot be
//! made; 74 the store's I/O failed; 75 a temporary failure (retry); 77 permission or sign-in
//! needed; 130 cancelled. The mapping is one exhaustive match on `pa_integrations::ErrorKind`.

// glibc maps every block over 128 KiB afresh, so decoding a large FIT file (streams of tens of
// thousands of samples) paid a page fault per page on each; mimalloc keeps its pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod briefing;
mod calendar;
mod chart;
mod config;
mod event;
mod finance;
mod habit;
mod habits;
mod import;
mod journal;
mod log;
mod money;
mod output;
mod plot;
mod profile;
mod store;
mod sync;
mod task;
mod training;
mod write;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use output::Format;

const AFTER_HELP: &str = "\
Exit codes:
  0   success
  1   unexpected failure
  2   bad command-line usage
  65  malformed input data (the message names the file, line and problem), or a damaged store
  66  an input file or the store cannot be read, or does not exist, or no habit, task, event or
      reminder has the name or id given
  67  no such person in the store (--user)
  69  a service cannot be reached or refused the request
  73  an output file cannot be made there (it is the store, exists: --force, no folder)
  74  the store failed to read or write (its database or the disk)
  75  a temporary failure: rate limited or a conflict; try again
  77  permission: a read-only store, a wrong passphrase, a service to sign in to again
  130 cancelled";

/// pa: your training, health, money, habits and calendar in one local store.
#[derive(Debug, Parser)]
#[command(name = "pa", version, about, after_help = AFTER_HELP)]
struct Cli {
    /// Output format: a table for people, JSON or CSV for scripts.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Print no warnings or notes on stderr; errors are still printed.
    #[arg(long, short, global = true)]
    quiet: bool,

    /// Replace an existing output file (`--out`, `--chart`); without it pa refuses to.
    #[arg(long, global = true)]
    force: bool,

    /// The store: a SQLite file, or a PostgreSQL database URL (postgres://user@host:port/db);
    /// default: pa/pa.db in your data directory.
    #[arg(long, global = true, env = "PA_DB", value_name = "PATH")]
    db: Option<std::path::PathBuf>,

    /// Whose data, in a store shared by several people.
    #[arg(
        long,
        global = true,
        env = "PA_USER",
        default_value = "me",
        value_name = "NAME"
    )]
    user: String,

    /// The instant pa takes as now (RFC 3339), for scripts and reproducible runs; default: the
    /// system clock.
    #[arg(long, global = true, env = "PA_NOW", value_name = "INSTANT")]
    now: Option<chrono::DateTime<chrono::Utc>>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fill the store with a generated demo year (deterministic with --seed) and show today.
    Demo(briefing::DemoArgs),
    /// Today's briefing: agenda, tasks, habits, training form, sleep, money, reminders.
    Today(briefing::DayArgs),
    /// The weekly review.
    Week(briefing::WeekArgs),
    /// Charts of the store: pmc, networth, habits, sleep (SVG).
    Chart(plot::ChartArgs),
    /// The effective configuration (file, environment, .env) and where it lives.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Shell completions: `pa completions bash > ~/.local/share/bash-completion/completions/pa`.
    #[command(after_help = "Examples:
  pa completions bash > ~/.local/share/bash-completion/completions/pa
  pa completions zsh > ~/.zfunc/_pa")]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Training load and form.
    #[command(subcommand)]
    Training(training::TrainingCommand),
    /// Net worth and cash flow.
    #[command(subcommand)]
    Finance(finance::FinanceCommand),
    /// Habit strength and streaks.
    #[command(subcommand)]
    Habits(habits::HabitsCommand),
    /// Calendar recurrence.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Import activity files (FIT, GPX, TCX) and statements (OFX, QFX); re-importing changes nothing.
    Import(import::ImportArgs),
    /// Write all of a person's stored data as JSON Lines, or one kind as JSON or CSV (`--kind`).
    Export(store::ExportArgs),
    /// Read JSON Lines written by `pa export` into the store (all or nothing; re-importing changes nothing).
    ImportJsonl(store::ImportArgs),
    /// Copy the store to a new file while it stays in use; the copy is checked.
    Backup(store::BackupArgs),
    /// Check the store for damage: SQLite's integrity check and every record read back.
    Check(store::CheckArgs),
    /// Your zone, currency and athlete thresholds, kept in the store for every front end.
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Keep habits and check them in: add, check, undo, edit, archive, list.
    #[command(subcommand)]
    Habit(habit::HabitCommand),
    /// Tasks: add, done, reopen, cancel, edit, rm, list.
    #[command(subcommand)]
    Task(task::TaskCommand),
    /// Calendar events: add, edit (the series or one occurrence), rm.
    #[command(subcommand)]
    Event(event::EventCommand),
    /// Reminders: add, list, done, snooze, rm.
    #[command(subcommand)]
    Remind(event::RemindCommand),
    /// Writes a note or journal entry.
    Note(journal::NoteArgs),
    /// The day's check-in: mood, energy, a note.
    Checkin(journal::CheckinArgs),
    /// Something the assistant should remember about you.
    Remember(journal::RememberArgs),
    /// Money spent, entered by hand.
    #[command(subcommand)]
    Expense(money::ExpenseCommand),
    /// Budgets per category and month.
    #[command(subcommand)]
    Budget(money::BudgetCommand),
    /// Bills: what is paid, how often, when next.
    #[command(subcommand)]
    Bill(money::BillCommand),
    /// Training and body entered by hand: an activity, a weigh-in.
    #[command(subcommand)]
    Log(log::LogCommand),
    /// Plans a workout.
    #[command(subcommand)]
    Plan(log::PlanCommand),
    /// Link an account: its token is sealed in the store's vault.
    #[command(subcommand)]
    Auth(sync::AuthCommand),
    /// Link a bank through Plaid: print a Link token, or exchange Link's public token.
    #[command(subcommand)]
    Link(sync::LinkCommand),
    /// Sync with Google Calendar, Plaid and the Airtable dashboard, or show where syncs stand.
    Sync(Box<sync::SyncArgs>),
}

/// Global settings every command sees.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context {
    pub(crate) format: Format,
    pub(crate) quiet: bool,
    pub(crate) force: bool,
}

/// Where the store is and whose data to use.
#[derive(Debug, Clone)]
pub(crate) struct StoreArgs {
    pub(crate) db: Option<std::path::PathBuf>,
    pub(crate) user: String,
    pub(crate) now: Option<chrono::DateTime<chrono::Utc>>,
}

impl Context {
    /// Prints a warning on stderr unless `--quiet`.
    pub(crate) fn warn(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("warning: {}", output::clean_lines(&message.to_string()));
        }
    }

    /// Prints a note (what was written where) on stderr unless `--quiet`.
    pub(crate) fn note(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            eprintln!("{}", output::clean_lines(&message.to_string()));
        }
    }

    /// What an output file does to an existing file at its path.
    pub(crate) fn existing(&self) -> pa_integrations::output::Existing {
        if self.force {
            pa_integrations::output::Existing::Replace
        } else {
            pa_integrations::output::Existing::Refuse
        }
    }
}

fn exit_code(err: &anyhow::Error) -> u8 {
    use pa_integrations::ErrorKind as K;
    match err
        .downcast_ref::<pa_integrations::Error>()
        .map(pa_integrations::Error::kind)
    {
        // Exhaustive: a new kind of error gets its code here before pa compiles.
        Some(kind) => match kind {
            K::InvalidInput | K::Parse | K::Corrupt => 65,
            K::NotFound => 66,
            K::UnknownUser => 67,
            K::Network | K::Provider => 69,
            K::Output => 73,
            K::Io => 74,
            K::RateLimited | K::Conflict => 75,
            K::Auth | K::ReadOnly => 77,
            K::Cancelled => 130,
        },
        None if err.downcast_ref::<pa_core::Error>().is_some() => 65,
        None => 1,
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|e| {
        let io = e.downcast_ref::<std::io::Error>().map(std::io::Error::kind);
        let json = e
            .downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind);
        let csv = e.downcast_ref::<csv::Error>().and_then(|c| match c.kind() {
            csv::ErrorKind::Io(io) => Some(io.kind()),
            _ => None,
        });
        [io, json, csv].contains(&Some(BrokenPipe))
    })
}

fn main() -> ExitCode {
    // A .env file fills in environment variables that are not set; it never overrides one.
    let _ = dotenvy::dotenv();
    let loaded = config::load(config::path().as_deref());
    let command = match &loaded {
        Ok(c) => c.apply(Cli::command()),
        Err(_) => Cli::command(),
    };
    let matches = command.get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let config = match loaded {
        Ok(c) => c,
        // Where the file is must still be found when the file is what is wrong.
        Err(_) if matches!(cli.command, Command::Config(config::ConfigCommand::Path)) => {
            config::Config::default()
        }
        Err(err) => {
            eprintln!("error: {}", output::clean_lines(&format!("{err:#}")));
            return ExitCode::from(exit_code(&err));
        }
    };
    let ctx = Context {
        format: cli.format,
        quiet: cli.quiet,
        force: cli.force,
    };
    let store_args = StoreArgs {
        db: cli.db,
        user: cli.user,
        now: cli.now,
    };
    let result = match cli.command {
        _ if ctx.format == Format::Ics && !matches!(cli.command, Command::Export(_)) => {
            Err(output::not_ics())
        }
        Command::Demo(args) => briefing::demo(args, &store_args, ctx),
        Command::Today(args) => briefing::today(args, &store_args, ctx),
        Command::Week(args) => briefing::week(args, &store_args, ctx),
        Command::Chart(args) => plot::run(args, &store_args, ctx),
        Command::Config(cmd) => config::run(cmd, &config, ctx.format),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "pa", &mut std::io::stdout());
            Ok(())
        }
        Command::Training(cmd) => training::run(cmd, &store_args, ctx),
        Command::Finance(cmd) => finance::run(cmd, &store_args, ctx),
        Command::Habits(cmd) => habits::run(cmd, &store_args, ctx),
        Command::Calendar(cmd) => calendar::run(cmd, &store_args, ctx),
        Command::Import(args) => import::run(args, &store_args, ctx),
        Command::Export(args) => store::export(args, &store_args, ctx),
        Command::ImportJsonl(args) => store::import(args, &store_args, ctx),
        Command::Backup(args) => store::backup(args, &store_args, ctx),
        Command::Check(args) => store::check(args, &store_args, ctx),
        Command::Profile(cmd) => profile::run(cmd, &store_args, ctx),
        Command::Habit(cmd) => habit::run(cmd, &store_args, ctx),
        Command::Task(cmd) => task::run(cmd, &store_args, ctx),
        Command::Event(cmd) => event::run(cmd, &store_args, ctx),
        Command::Remind(cmd) => event::remind(cmd, &store_args, ctx),
        Command::Note(args) => journal::note(args, &store_args, ctx),
        Command::Checkin(args) => journal::checkin(args, &store_args, ctx),
        Command::Remember(args) => journal::remember(args, &store_args, ctx),
        Command::Expense(cmd) => money::expense(cmd, &store_args, ctx),
        Command::Budget(cmd) => money::budget(cmd, &store_args, ctx),
        Command::Bill(cmd) => money::bill(cmd, &store_args, ctx),
        Command::Log(cmd) => log::log(cmd, &store_args, ctx),
        Command::Plan(cmd) => log::plan(cmd, &store_args, ctx),
        Command::Auth(cmd) => sync::auth(cmd, &store_args, ctx),
        Command::Link(cmd) => sync::link(cmd, &store_args, ctx),
        Command::Sync(args) => sync::run(*args, &store_args, ctx),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`pa … | head`) is the reader's choice, not a failure.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", output::clean_lines(&format!("{err:#}")));
            ExitCode::from(exit_code(&err))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One exit code per kind of error, as `pa --help` lists them.
    #[test]
    fn each_kind_has_its_exit_code() {
        use pa_integrations::Error;
        let service = || "plaid".to_owned();
        let cases: Vec<(Error, u8)> = vec![
            (pa_core::Error::invalid("x", "y").into(), 65),
            (Error::parse("f", Some(1), "bad"), 65),
            (
                Error::NoStore {
                    path: "x.db".into(),
                },
                66,
            ),
            (
                Error::UnknownUser {
                    user: "bobb".into(),
                },
                67,
            ),
            (
                Error::Network {
                    service: service(),
                    reason: "down".into(),
                },
                69,
            ),
            (
                Error::Provider {
                    service: service(),
                    status: Some(500),
                    reason: "oops".into(),
                },
                69,
            ),
            (
                Error::Output {
                    path: "o".into(),
                    reason: "exists".into(),
                },
                73,
            ),
            (Error::Closed, 74),
            (
                Error::RateLimited {
                    service: service(),
                    retry_after: None,
                },
                75,
            ),
            (
                Error::Auth {
                    service: service(),
                    reason: "relink".into(),
                },
                77,
            ),
            (Error::Cancelled, 130),
        ];
        for (e, code) in cases {
            let text = e.to_string();
            assert_eq!(exit_code(&anyhow::Error::from(e)), code, "{text}");
        }
        assert_eq!(exit_code(&anyhow::anyhow!("something else")), 1);
    }
}
