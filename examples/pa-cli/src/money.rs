//! `pa expense …` and `pa budget …`: money written by hand.

use anyhow::Result;
use clap::{Args, Subcommand};
use pa_core::finance::Category;
use pa_core::money::{Money, parse_currency};
use pa_core::time::Month;
use pa_integrations::assistant::NewExpense;

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
