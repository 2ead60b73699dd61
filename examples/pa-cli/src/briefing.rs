//! `pa demo`, `pa today`, `pa week`: the daily briefing and the weekly review from the store.

use std::fmt::Write as _;
use std::io::Write;

use anyhow::Result;
use chrono_tz::Tz;
use clap::Args;
use pa_core::calendar::EventTime;
use pa_core::review::briefing::Briefing;
use pa_core::time::{Day, Week, parse_zone};

use crate::output::Format;
use crate::output::clean;
use crate::{Context, StoreArgs};

/// Which day, and in which zone.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pa today
  pa today --tz Europe/Berlin --format json
  pa today --day 2026-11-20")]
pub(crate) struct DayArgs {
    /// The day (YYYY-MM-DD); default: today in the zone. A past day is judged at 08:00 that
    /// morning.
    #[arg(long, value_name = "YYYY-MM-DD")]
    day: Option<String>,
    /// IANA time zone of the day; default: the person's (`pa profile`), else UTC.
    #[arg(long, env = "PA_ZONE", value_name = "ZONE")]
    tz: Option<String>,
}

/// `pa demo`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pa demo                      # into the default store, then today's briefing
  pa --db /tmp/demo.db demo --seed 7 --day 2026-11-20
  pa demo --quiet --format json")]
pub(crate) struct DemoArgs {
    /// Seed of the generated year (the same seed gives the same data).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    when: DayArgs,
}

/// `pa week`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  pa week
  pa week --week 47-26 --format json")]
pub(crate) struct WeekArgs {
    /// The ISO week as W-YY (`3-26` is week 3 of 2026); default: the current week in the zone.
    #[arg(long, value_name = "W-YY")]
    week: Option<String>,
    /// IANA time zone; default: the person's (`pa profile`), else UTC.
    #[arg(long, env = "PA_ZONE", value_name = "ZONE")]
    tz: Option<String>,
}

/// A `--tz` flag's zone; `None` leaves the choice to the person's profile.
pub(crate) fn zone_arg(tz: Option<&str>) -> Result<Option<Tz>> {
    Ok(tz.map(parse_zone).transpose()?)
}

/// A day flag (`--day`) read as YYYY-MM-DD, its errors naming the flag.
pub(crate) fn day_arg(text: Option<&str>, flag: &str) -> Result<Option<Day>> {
    Ok(text
        .map(|t| {
            t.parse()
                .map_err(|e: pa_core::Error| pa_core::Error::invalid(flag, e.to_string()))
        })
        .transpose()?)
}

/// Fills the store with a generated year ending on the day, then prints that day's briefing.
pub(crate) fn demo(args: DemoArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    let tz = zone_arg(args.when.tz.as_deref())?;
    let day = day_arg(args.when.day.as_deref(), "--day")?;
    let started = std::time::Instant::now();
    let handle = crate::store::writer(store)?;
    let day = match day {
        Some(d) => d,
        None => handle.today(tz)?,
    };
    let report = handle.load_demo(Some(day), args.seed)?;
    ctx.note(format!(
        "demo year written in {:.1} s: {} added, {} updated, {} unchanged",
        started.elapsed().as_secs_f64(),
        report.added,
        report.updated,
        report.unchanged
    ));
    let zone = handle.zone(tz)?;
    print_briefing(&handle.briefing(Some(day), tz)?, zone, ctx)
}

/// `pa today`.
pub(crate) fn today(args: DayArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    let tz = zone_arg(args.tz.as_deref())?;
    let day = day_arg(args.day.as_deref(), "--day")?;
    if matches!(ctx.format, Format::Csv | Format::Ics) {
        return Err(crate::output::not_table("pa today"));
    }
    let handle = crate::store::reader(store)?;
    let zone = handle.zone(tz)?;
    print_briefing(&handle.briefing(day, tz)?, zone, ctx)
}

/// `pa week`.
pub(crate) fn week(args: WeekArgs, store: &StoreArgs, ctx: Context) -> Result<()> {
    let tz = zone_arg(args.tz.as_deref())?;
    let week: Option<Week> = match &args.week {
        Some(w) => Some(
            w.parse()
                .map_err(|e: pa_core::Error| pa_core::Error::invalid("--week", e.to_string()))?,
        ),
        None => None,
    };
    if matches!(ctx.format, Format::Csv | Format::Ics) {
        return Err(crate::output::not_table("pa week"));
    }
    let handle = crate::store::reader(store)?;
    let review = handle.weekly_review(week, tz)?;
    let mut out = std::io::stdout().lock();
    match ctx.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &review)?;
            writeln!(out)?;
        }
        Format::Csv | Format::Ics => return Err(crate::output::not_table("pa week")),
        Format::Table => {
            let mut s = String::new();
            let so_far = if review.in_progress {
                format!(
                    ", under way: through {} {}",
                    review.through.naive().format("%A"),
                    review.through
                )
            } else {
                String::new()
            };
            writeln!(
                s,
                "Week {} ({} to {}{so_far})",
                review.label, review.first_day, review.last_day
            )?;
            let t = &review.training;
            let upcoming = if t.upcoming > 0 {
                format!(", {} still to come", t.upcoming)
            } else {
                String::new()
            };
            let changed = if t.changed > 0 {
                format!(" ({} changed from the plan)", t.changed)
            } else {
                String::new()
            };
            writeln!(
                s,
                "Training: {} planned sessions done{changed}, {} missed, {} extra{upcoming}; {:.1} h, {:.0} km, load {:.0}",
                t.completed + t.changed,
                t.missed,
                t.extra,
                t.actual.duration_s / 3600.0,
                t.actual.distance_m / 1000.0,
                t.actual.load
            )?;
            if t.planned.duration_s > 0.0 || t.planned.load > 0.0 {
                let adherence = t
                    .adherence_pct
                    .map_or_else(String::new, |p| format!("; {p:.0}% done as planned"));
                let km = if t.planned.distance_m > 0.0 {
                    format!(", {:.0} km", t.planned.distance_m / 1000.0)
                } else {
                    String::new()
                };
                writeln!(
                    s,
                    "Planned: {:.1} h{km}, load {:.0}{adherence}",
                    t.planned.duration_s / 3600.0,
                    t.planned.load
                )?;
            }
            if let (Some(ctl), Some(atl), Some(tsb)) = (t.ctl, t.atl, t.tsb) {
                let reading = t.form.map_or("", |f| f.describe());
                let on = if review.in_progress {
                    "today"
                } else {
                    "Sunday"
                };
                writeln!(
                    s,
                    "Form {on}: CTL {ctl:.1}, ATL {atl:.1}, TSB {tsb:.1} ({reading})"
                )?;
            }
            let h = &review.health;
            if let Some(sleep) = h.avg_sleep_hours {
                writeln!(s, "Sleep: {sleep:.1} h a night on average")?;
            }
            if let Some(kg) = h.weight_kg {
                writeln!(s, "Weight: {kg} kg (the week's last weigh-in)")?;
            }
            if let Some(mood) = review.mood_avg {
                writeln!(s, "Mood: {mood:.1} of 5 on average")?;
            }
            for habit in &review.habits {
                writeln!(
                    s,
                    "Habit {}: {} done, streak {} → {}",
                    clean(&habit.name),
                    habit
                        .completion_pct
                        .map_or("–".into(), |p| format!("{p:.0}%")),
                    habit.streak_before,
                    habit.streak_after
                )?;
            }
            writeln!(
                s,
                "Tasks: {} done, {} added, {} overdue",
                review.tasks.done, review.tasks.added, review.tasks.overdue
            )?;
            for c in &review.calendar {
                writeln!(s, "Calendar {}: {:.1} h", clean(&c.calendar), c.hours)?;
            }
            for c in &review.spending {
                writeln!(
                    s,
                    "Spent on {}: {} {}",
                    clean(&c.category.to_string()),
                    c.spent,
                    c.currency.code()
                )?;
            }
            for b in &review.budgets {
                let warning = b.warning().map_or_else(String::new, |w| format!("; {w}"));
                writeln!(
                    s,
                    "Budget {} {}: {} of {} {} spent{warning}",
                    clean(&b.category.to_string()),
                    b.month,
                    b.spent.amount(),
                    b.budgeted.amount(),
                    b.budgeted.currency().code()
                )?;
            }
            for n in &review.net_worth {
                writeln!(
                    s,
                    "Net worth: {} {} ({:+} this week)",
                    n.end,
                    n.currency.code(),
                    n.change
                )?;
            }
            for n in &review.notes {
                writeln!(s, "Note: {}", clean(n))?;
            }
            out.write_all(s.as_bytes())?;
        }
    }
    Ok(())
}

fn print_briefing(b: &Briefing, tz: Tz, ctx: Context) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match ctx.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, b)?;
            writeln!(out)?;
            Ok(())
        }
        Format::Csv | Format::Ics => Err(crate::output::not_table("pa today")),
        Format::Table => {
            drop(out);
            // Colour on a terminal only; anstream strips it otherwise and honours NO_COLOR and
            // CLICOLOR_FORCE.
            let mut colour = anstream::stdout().lock();
            colour.write_all(render(b, tz)?.as_bytes())?;
            Ok(())
        }
    }
}

const HEADING: anstyle::Style = anstyle::Style::new().bold();
const GOOD: anstyle::Style =
    anstyle::Style::new().fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Green)));
const WARN: anstyle::Style =
    anstyle::Style::new().fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Yellow)));
const BAD: anstyle::Style =
    anstyle::Style::new().fg_color(Some(anstyle::Color::Ansi(anstyle::AnsiColor::Red)));

/// `text` in `style` (the escapes are stripped later where colour is off).
fn paint(style: anstyle::Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// The briefing for people: one short section per subject, empty ones left out.
fn render(b: &Briefing, tz: Tz) -> Result<String> {
    let mut s = String::new();
    let title = format!("{} ({tz})", b.day.naive().format("%A %-d %B %Y"));
    writeln!(s, "{}", paint(HEADING, &title))?;
    if !b.agenda.is_empty() {
        writeln!(s, "\n{}", paint(HEADING, "Agenda"))?;
        for o in &b.agenda {
            let when = match o.time {
                EventTime::Timed { start, end } => format!(
                    "{}–{}",
                    start.utc.with_timezone(&tz).format("%H:%M"),
                    end.utc.with_timezone(&tz).format("%H:%M")
                ),
                EventTime::AllDay { .. } => "all day".into(),
            };
            writeln!(
                s,
                "  {when:<13} {} ({})",
                clean(&o.title),
                clean(&o.calendar)
            )?;
        }
    }
    if !b.tasks_due.is_empty() || !b.tasks_overdue.is_empty() {
        writeln!(s, "\n{}", paint(HEADING, "Tasks"))?;
        for t in &b.tasks_due {
            writeln!(s, "  today    {}", clean(&t.title))?;
        }
        // The oldest few overdue tasks; the JSON form has them all.
        const SHOWN: usize = 5;
        for t in b.tasks_overdue.iter().take(SHOWN) {
            writeln!(s, "  {}  {}", paint(BAD, "overdue"), clean(&t.title))?;
        }
        if b.tasks_overdue.len() > SHOWN {
            writeln!(s, "  … and {} more overdue", b.tasks_overdue.len() - SHOWN)?;
        }
    }
    if !b.habits.is_empty() {
        writeln!(s, "\n{}", paint(HEADING, "Habits"))?;
        for h in &b.habits {
            writeln!(
                s,
                "  {} {:<12} streak {} (longest {})",
                if h.done_today {
                    paint(GOOD, "done")
                } else {
                    paint(WARN, "due ")
                },
                clean(&h.name),
                h.current_streak,
                h.longest_streak
            )?;
        }
    }
    if let Some(f) = &b.form {
        writeln!(s, "\n{}", paint(HEADING, "Training form"))?;
        let style = match f.form {
            pa_core::fitness::pmc::Form::Overreaching => BAD,
            pa_core::fitness::pmc::Form::Fresh => WARN,
            _ => GOOD,
        };
        writeln!(
            s,
            "  fitness (CTL) {:.1}, fatigue (ATL) {:.1}, form (TSB) {:.1}: {}",
            f.ctl,
            f.atl,
            f.tsb,
            paint(style, &f.reading)
        )?;
    }
    if let Some(n) = &b.sleep {
        writeln!(s, "\n{}", paint(HEADING, "Last night"))?;
        let mut parts = Vec::new();
        if let Some(t) = n.total_s {
            parts.push(format!(
                "{} h {:02} min asleep",
                (t / 3600.0) as u64,
                ((t % 3600.0) / 60.0) as u64
            ));
        }
        if let Some(score) = n.score {
            parts.push(format!("score {score:.0}"));
        }
        if let Some(hr) = n.resting_hr_bpm {
            parts.push(format!("resting HR {hr:.0}"));
        }
        if let Some(h) = &n.hrv {
            parts.push(format!("HRV {:?}", h.status).to_lowercase());
        }
        writeln!(s, "  {}", parts.join(", "))?;
    }
    if !b.budgets.is_empty() || !b.net_worth.is_empty() {
        writeln!(s, "\n{}", paint(HEADING, "Money"))?;
        for bs in &b.budgets {
            let warning = bs.warning().map_or_else(String::new, |w| format!(" ({w})"));
            writeln!(
                s,
                "  {}: {} of {} spent, {} projected{warning}",
                clean(&bs.category.to_string()),
                bs.spent,
                bs.budgeted,
                bs.projected
            )?;
        }
        for n in &b.net_worth {
            let change =
                |c: Option<rust_decimal::Decimal>| c.map_or("–".into(), |c| format!("{c:+}"));
            writeln!(
                s,
                "  net worth {} {} (week {}, month {})",
                n.net_worth.round_dp(2),
                n.currency,
                change(n.change_week.map(|c| c.round_dp(2))),
                change(n.change_month.map(|c| c.round_dp(2)))
            )?;
        }
    }
    if !b.reminders.is_empty() {
        writeln!(s, "\n{}", paint(HEADING, "Reminders"))?;
        for r in &b.reminders {
            writeln!(s, "  {}", clean(&r.message))?;
        }
    }
    if !b.notes.is_empty() {
        writeln!(s, "\n{}", paint(WARN, "Notes"))?;
        for n in &b.notes {
            writeln!(s, "  {}", clean(n))?;
        }
    }
    Ok(s)
}
