//! `pa finance …`: net worth and cash flow from CSV files.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use pa_core::finance::cashflow::{CashflowOptions, cash_flow};
use pa_core::finance::networth::{Period, net_worth, net_worth_in};
use pa_core::money::parse_currency;
use pa_core::time::Day;
use pa_integrations::import::finance::{read_accounts, read_balances, read_fx, read_transactions};
use serde::Serialize;

use crate::Context;
use crate::output::{Format, write_rows};

/// The bundled samples: one household's year (see `data/make_finance_sample.py`).
const SAMPLE_BALANCES: &str = include_str!("../data/sample-balances.csv");
const SAMPLE_TRANSACTIONS: &str = include_str!("../data/sample-transactions.csv");

#[derive(Debug, Subcommand)]
pub(crate) enum FinanceCommand {
    /// Net worth per day: assets − liabilities, carrying each account's last balance forward.
    #[command(after_help = NETWORTH_HELP)]
    Networth(NetworthArgs),
    /// Income, spending and net by month, category or merchant.
    #[command(after_help = CASHFLOW_HELP)]
    Cashflow(CashflowArgs),
}

const NETWORTH_HELP: &str = "\
Input: CSV with the header date,account,type,balance,currency. type is depository, credit, loan,
investment or other; credit and loan balances are the amount owed, as positive numbers. Balances
are carried forward until the next one. Amounts are exact decimals (1234.56).

Several currencies are reported side by side unless --fx and --currency convert them: the FX file
has the header date,currency,rate (1 currency = rate of the target, from that date on).

Examples:
  pa finance networth --sample
  pa finance networth --balances balances.csv --from 2026-01-01 --format json
  pa finance networth --balances b.csv --fx rates.csv --currency EUR --chart networth.svg";

const CASHFLOW_HELP: &str = "\
Input: CSV with the header date,account,amount,currency and optionally merchant,category,
description,pending,transfer,id. amount is signed: negative = money out. category is a path
such as Food/Groceries; sums include sub-categories. Transfers between your own accounts (flagged,
or an equal outflow and inflow on two accounts within 3 days) are left out; a pending transaction
replaced by its posted one counts once.

Examples:
  pa finance cashflow --sample
  pa finance cashflow --transactions tx.csv --by category --format csv
  pa finance cashflow --transactions tx.csv --accounts accounts.csv --by merchant";

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").args(["balances", "sample"])))]
pub(crate) struct NetworthArgs {
    /// CSV file of balances (header: date,account,type,balance,currency).
    #[arg(long, value_name = "FILE.csv")]
    balances: Option<PathBuf>,
    /// Use the bundled sample year instead of a file; with neither, the store's data.
    #[arg(long)]
    sample: bool,
    /// First day (default: the first balance).
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: Option<String>,
    /// Last day (default: the last balance).
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: Option<String>,
    /// FX rates file (header: date,currency,rate); needs --currency.
    #[arg(long, value_name = "FILE.csv", requires = "currency")]
    fx: Option<PathBuf>,
    /// Currency to convert everything into; needs --fx.
    #[arg(long, value_name = "CODE", requires = "fx")]
    currency: Option<String>,
    /// Also draw the chart to this SVG file (one currency).
    #[arg(long, value_name = "OUT.svg")]
    chart: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum By {
    Month,
    Category,
    Merchant,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").args(["transactions", "sample"])))]
pub(crate) struct CashflowArgs {
    /// CSV file of transactions (header: date,account,amount,currency,…).
    #[arg(long, value_name = "FILE.csv")]
    transactions: Option<PathBuf>,
    /// Use the bundled sample year instead of a file; with neither, the store's data.
    #[arg(long)]
    sample: bool,
    /// CSV file of accounts (header: account,type,currency); transactions on other accounts are errors.
    #[arg(long, value_name = "FILE.csv")]
    accounts: Option<PathBuf>,
    /// How to group.
    #[arg(long, value_enum, default_value_t = By::Month)]
    by: By,
    /// Only exclude transactions flagged as transfers; do not detect pairs.
    #[arg(long)]
    no_transfer_detection: bool,
    /// How many merchants to list with --by merchant.
    #[arg(long, value_name = "N", default_value_t = 10)]
    top: usize,
}

pub(crate) fn run(cmd: FinanceCommand, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    match cmd {
        FinanceCommand::Networth(args) => networth(args, store, ctx),
        FinanceCommand::Cashflow(args) => cashflow(args, store, ctx),
    }
}

/// Everything the store holds of one kind of money data, for commands given no file.
fn from_store<T>(
    store: &crate::StoreArgs,
    read: impl FnOnce(&pa_integrations::assistant::Person) -> Result<T>,
) -> Result<T> {
    let handle = crate::store::reader(store)?;
    read(&handle)
}

fn read_file(path: &PathBuf) -> Result<std::io::BufReader<std::fs::File>> {
    let f = std::fs::File::open(path).map_err(|source| pa_integrations::Error::Io {
        path: path.clone(),
        source,
    })?;
    Ok(std::io::BufReader::new(f))
}

fn parse_day(text: &Option<String>) -> Result<Option<Day>> {
    Ok(match text {
        Some(t) => Some(t.parse::<Day>()?),
        None => None,
    })
}

#[derive(Serialize)]
struct NetWorthRow {
    date: String,
    currency: String,
    assets: String,
    liabilities: String,
    net_worth: String,
}

fn networth(args: NetworthArgs, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    use pa_core::ports::UserStore;
    let file = match &args.balances {
        Some(path) => read_balances(read_file(path)?, &path.display().to_string())?,
        None if args.sample => read_balances(SAMPLE_BALANCES.as_bytes(), "bundled sample")?,
        None => from_store(store, |h| {
            Ok(pa_integrations::import::finance::Balances {
                accounts: h.accounts()?,
                snapshots: h.balances(Day::EARLIEST, Day::LATEST)?,
            })
        })?,
    };
    let first = file.snapshots.iter().map(|s| s.day).min();
    let last = file.snapshots.iter().map(|s| s.day).max();
    let (Some(from), Some(to)) = (
        parse_day(&args.from)?.or(first),
        parse_day(&args.to)?.or(last),
    ) else {
        return Err(pa_core::Error::invalid(
            "balances",
            "none to report: give --balances FILE.csv or --sample, or import statements first",
        )
        .into());
    };
    let series = match (&args.fx, &args.currency) {
        (Some(fx_path), Some(code)) => {
            let target = parse_currency(code)?;
            let fx = read_fx(read_file(fx_path)?, &fx_path.display().to_string(), target)?;
            net_worth_in(&file.accounts, &file.snapshots, from, to, &fx)?
        }
        _ => net_worth(&file.accounts, &file.snapshots, from, to)?,
    };
    let rows: Vec<NetWorthRow> = series
        .rows
        .iter()
        .map(|r| NetWorthRow {
            date: r.day.to_string(),
            currency: r.currency.code().to_owned(),
            assets: r.assets.to_string(),
            liabilities: r.liabilities.to_string(),
            net_worth: r.net_worth.to_string(),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    write_rows(
        &mut out,
        ctx.format,
        &["date", "currency", "assets", "liabilities", "net_worth"],
        &rows,
        |r| {
            vec![
                r.date.clone(),
                r.currency.clone(),
                r.assets.clone(),
                r.liabilities.clone(),
                r.net_worth.clone(),
            ]
        },
    )?;
    if ctx.format == Format::Table {
        for &c in &series.currencies {
            if let Some(r) = series.on(to, c) {
                let change = |p: Period| {
                    series
                        .change(to, c, p)
                        .map_or("n/a".to_owned(), |d| format!("{d:+}"))
                };
                writeln!(
                    out,
                    "{}: net worth {} {} (week {}, month {}, year {})",
                    to,
                    r.net_worth,
                    c.code(),
                    change(Period::Week),
                    change(Period::Month),
                    change(Period::Year)
                )?;
            }
        }
    }
    if let Some(path) = &args.chart {
        let mut svg = String::new();
        crate::chart::networth_svg(&series, series.single_currency()?, &mut svg)?;
        crate::plot::save(&svg, path, store, ctx)?;
    }
    Ok(())
}

#[derive(Serialize)]
struct MonthRow {
    month: String,
    currency: String,
    income: String,
    spending: String,
    net: String,
    savings_rate: Option<String>,
}

#[derive(Serialize)]
struct CategoryRow {
    category: String,
    currency: String,
    income: String,
    spending: String,
    net: String,
    count: u32,
}

#[derive(Serialize)]
struct MerchantRow {
    merchant: String,
    currency: String,
    spending: String,
    count: u32,
}

fn cashflow(args: CashflowArgs, store: &crate::StoreArgs, ctx: Context) -> Result<()> {
    use pa_core::ports::UserStore;
    let file = match &args.transactions {
        Some(path) => read_transactions(read_file(path)?, &path.display().to_string())?,
        None if args.sample => read_transactions(SAMPLE_TRANSACTIONS.as_bytes(), "bundled sample")?,
        None => from_store(store, |h| {
            Ok(pa_integrations::import::finance::Transactions {
                accounts: h.accounts()?,
                transactions: h.transactions(Day::EARLIEST, Day::LATEST)?,
            })
        })?,
    };
    let accounts = match &args.accounts {
        Some(path) => read_accounts(read_file(path)?, &path.display().to_string())?,
        None => file.accounts,
    };
    let options = CashflowOptions {
        detect_transfers: !args.no_transfer_detection,
        top_merchants: args.top,
        ..CashflowOptions::default()
    };
    let report = cash_flow(&accounts, &file.transactions, &options)?;
    if !ctx.quiet && report.transfers_excluded > 0 && ctx.format == Format::Table {
        eprintln!(
            "note: {} transactions left out as transfers between your accounts",
            report.transfers_excluded
        );
    }
    let mut out = std::io::stdout().lock();
    match args.by {
        By::Month => {
            let rows: Vec<MonthRow> = report
                .by_month
                .iter()
                .map(|m| MonthRow {
                    month: m.month.to_string(),
                    currency: m.currency.code().to_owned(),
                    income: m.income.to_string(),
                    spending: m.spending.to_string(),
                    net: m.net.to_string(),
                    savings_rate: m.savings_rate.map(|r| r.to_string()),
                })
                .collect();
            write_rows(
                &mut out,
                ctx.format,
                &[
                    "month",
                    "currency",
                    "income",
                    "spending",
                    "net",
                    "savings_rate",
                ],
                &rows,
                |r| {
                    let rate = r
                        .savings_rate
                        .as_deref()
                        .and_then(|s| s.parse::<f64>().ok())
                        .map_or(String::new(), |x| format!("{:.1} %", x * 100.0));
                    vec![
                        r.month.clone(),
                        r.currency.clone(),
                        r.income.clone(),
                        r.spending.clone(),
                        r.net.clone(),
                        rate,
                    ]
                },
            )?;
        }
        By::Category => {
            let rows: Vec<CategoryRow> = report
                .by_category
                .iter()
                .map(|c| CategoryRow {
                    category: c.category.to_string(),
                    currency: c.currency.code().to_owned(),
                    income: c.income.to_string(),
                    spending: c.spending.to_string(),
                    net: c.net.to_string(),
                    count: c.count,
                })
                .collect();
            write_rows(
                &mut out,
                ctx.format,
                &["category", "currency", "income", "spending", "net", "count"],
                &rows,
                |r| {
                    let indent = "  ".repeat(r.category.matches('/').count());
                    let leaf = r.category.rsplit('/').next().unwrap_or(&r.category);
                    vec![
                        format!("{indent}{leaf}"),
                        r.currency.clone(),
                        r.income.clone(),
                        r.spending.clone(),
                        r.net.clone(),
                        r.count.to_string(),
                    ]
                },
            )?;
        }
        By::Merchant => {
            let rows: Vec<MerchantRow> = report
                .top_merchants
                .iter()
                .map(|m| MerchantRow {
                    merchant: m.merchant.clone(),
                    currency: m.currency.code().to_owned(),
                    spending: m.spending.to_string(),
                    count: m.count,
                })
                .collect();
            write_rows(
                &mut out,
                ctx.format,
                &["merchant", "currency", "spending", "count"],
                &rows,
                |r| {
                    vec![
                        r.merchant.clone(),
                        r.currency.clone(),
                        r.spending.clone(),
                        r.count.to_string(),
                    ]
                },
            )?;
        }
    }
    Ok(())
}
