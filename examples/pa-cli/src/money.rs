//! `pa expense …` and `pa budget …`: money written by hand.

use anyhow::Result;
use clap::{Args, Subcommand};
use pa_core::finance::Category;
use pa_core::money::{Money, parse_currency};
use pa_core::time::Month;
use pa_integrations::assistant::{NewBill, NewExpense};

use crate::write::{WriteOpts, Writer, external, named, print, when_help};
use crate::{Context, StoreArgs};

/// `pa expense …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ExpenseCommand {
    /// Records money spent (on your cash account in its currency; budgets and the week count it).
    #[command(after_help = concat!("Examples:
  pa expense add 12.50 Groceries at the market --category Food/Groceries
  pa expense add 4.20 Flat white --category Food/Coffee --day yesterday --currency EUR

", when_help!()))]
    Add(ExpenseArgs),
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub(crate) struct ExpenseArgs {
    /// The amount spent (above zero; exact decimals).
    amount: String,
    /// What it was for (the words are joined).
    #[arg(num_args = 0..)]
    description: Vec<String>,
    /// The category path (Food/Groceries).
    #[arg(long)]
    category: Option<String>,
    /// The currency (default: your profile's).
    #[arg(long)]
    currency: Option<String>,
    /// The day (default: today).
    #[arg(long)]
    day: Option<String>,
    /// Where.
    #[arg(long)]
    merchant: Option<String>,
    /// The source's id (SOURCE:ID): adding it again changes nothing.
    #[arg(long, value_name = "SOURCE:ID")]
    external: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

/// `pa bill …`.
#[derive(Debug, Subcommand)]
pub(crate) enum BillCommand {
    /// Adds a bill: what is paid, how often, when next.
    #[command(after_help = concat!("Examples:
  pa bill add Rent 950 --every monthly --next 2026-12-28 --category Housing/Rent
  pa bill add \"Car insurance\" 420 --every yearly --next 2027-03-01

", when_help!()))]
    Add(BillArgs),
    /// Every bill, soonest due first.
    List,
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub(crate) struct BillArgs {
    /// What you call it.
    name: String,
    /// The expected payment.
    amount: String,
    /// weekly, biweekly, monthly, quarterly or yearly.
    #[arg(long, default_value = "monthly")]
    every: String,
    /// The next day it is due.
    #[arg(long)]
    next: String,
    /// The category path.
    #[arg(long)]
    category: Option<String>,
    /// The currency (default: your profile's).
    #[arg(long)]
    currency: Option<String>,
    /// The merchant on the statement.
    #[arg(long)]
    merchant: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

/// `pa budget …`.
#[derive(Debug, Subcommand)]
pub(crate) enum BudgetCommand {
    /// Sets a category's budget for a month (its subcategories count towards it).
    #[command(after_help = "Examples:
  pa budget set Food 400
  pa budget set Food/Restaurants 120 --month 2027-01 --currency EUR")]
    Set(BudgetArgs),
}

#[derive(Debug, Args)]
#[command(allow_negative_numbers = true)]
pub(crate) struct BudgetArgs {
    /// The category path.
    category: String,
    /// The amount for the month.
    amount: String,
    /// The month, YYYY-MM (default: this month).
    #[arg(long)]
    month: Option<String>,
    /// The currency (default: your profile's).
    #[arg(long)]
    currency: Option<String>,
    #[command(flatten)]
    opts: WriteOpts,
}

fn money(w: &Writer, amount: &str, currency: Option<&str>) -> Result<Money> {
    let code = currency
        .map(|c| named("--currency", parse_currency(c)))
        .transpose()?;
    let currency = w.person.currency(code)?;
    named("amount", Money::parse(amount, currency))
}

pub(crate) fn expense(cmd: ExpenseCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    let ExpenseCommand::Add(args) = cmd;
    let w = Writer::open(store, &args.opts)?;
    let new = NewExpense {
        day: w.day_opt(args.day.as_deref(), "--day")?,
        amount: money(&w, &args.amount, args.currency.as_deref())?,
        category: args
            .category
            .map(|c| named("--category", c.parse::<Category>()))
            .transpose()?,
        description: args.description.join(" "),
        merchant: args.merchant,
        external: external(args.external.as_deref())?,
    };
    print(ctx, "expense", &w.person.add_expense(new)?, |t| {
        let category = t
            .category
            .as_ref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        format!(
            "{}: {} {} on {}{category} {}",
            t.id,
            t.amount.amount().abs(),
            t.amount.currency().code(),
            t.posted,
            t.description
        )
    })
}

pub(crate) fn budget(cmd: BudgetCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    let BudgetCommand::Set(args) = cmd;
    let w = Writer::open(store, &args.opts)?;
    let month = match &args.month {
        Some(m) => named("--month", m.parse::<Month>())?,
        None => w.today.month(),
    };
    let category = named("category", args.category.parse::<Category>())?;
    let amount = money(&w, &args.amount, args.currency.as_deref())?;
    print(
        ctx,
        "budget",
        &w.person.set_budget(category, month, amount)?,
        |b| {
            format!(
                "{} {}: {} {}",
                b.category,
                b.month,
                b.amount.amount(),
                b.amount.currency().code()
            )
        },
    )
}

fn describe_bill(b: &pa_core::finance::Bill) -> String {
    format!(
        "{}: {} {} {} {}, next due {}",
        b.id,
        b.name,
        b.amount.amount(),
        b.amount.currency().code(),
        crate::task::name(&b.cadence),
        b.next_due
    )
}

pub(crate) fn bill(cmd: BillCommand, store: &StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        BillCommand::Add(args) => {
            let w = Writer::open(store, &args.opts)?;
            let new = NewBill {
                name: args.name,
                amount: money(&w, &args.amount, args.currency.as_deref())?,
                cadence: named("--every", args.every.parse())?,
                next_due: w.day(&args.next, "--next")?,
                category: args
                    .category
                    .map(|c| named("--category", c.parse::<Category>()))
                    .transpose()?,
                merchant: args.merchant,
            };
            print(ctx, "bill", &w.person.add_bill(new)?, describe_bill)
        }
        BillCommand::List => {
            if ctx.format == crate::output::Format::Ics {
                return Err(crate::output::not_ics());
            }
            let bills = crate::store::reader(store)?.bills()?;
            crate::output::write_rows(
                &mut std::io::stdout().lock(),
                ctx.format,
                &["id", "name", "amount", "currency", "cadence", "next_due"],
                &bills
                    .iter()
                    .map(|b| BillRow {
                        id: b.id.to_string(),
                        name: b.name.clone(),
                        amount: b.amount.amount().to_string(),
                        currency: b.amount.currency().code().to_owned(),
                        cadence: crate::task::name(&b.cadence),
                        next_due: b.next_due.to_string(),
                    })
                    .collect::<Vec<_>>(),
                |r| {
                    vec![
                        r.id.clone(),
                        r.name.clone(),
                        r.amount.clone(),
                        r.currency.clone(),
                        r.cadence.clone(),
                        r.next_due.clone(),
                    ]
                },
            )
        }
    }
}

#[derive(serde::Serialize)]
struct BillRow {
    id: String,
    name: String,
    amount: String,
    currency: String,
    cadence: String,
    next_due: String,
}
