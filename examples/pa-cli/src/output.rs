//! Rendering rows as a table, JSON or CSV.

use std::io::Write;

use anyhow::Result;
use comfy_table::{Cell, CellAlignment, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns for reading.
    Table,
    /// A JSON array of objects.
    Json,
    /// CSV with a header line.
    Csv,
    /// iCalendar: only `pa export --kind events` writes it.
    Ics,
}

/// The error for a format a command does not write (`pa today --format csv`).
pub(crate) fn not_table(command: &str) -> anyhow::Error {
    pa_core::Error::invalid(
        "--format",
        format!("{command} writes a table or JSON (--format table|json)"),
    )
    .into()
}

/// The error for `--format ics` where no calendar is written.
pub(crate) fn not_ics() -> anyhow::Error {
    pa_core::Error::invalid(
        "--format ics",
        "only `pa export --kind events` writes iCalendar; use table, json or csv here",
    )
    .into()
}

/// Writes `rows` in `format`. `table_row` renders one row's cells for the table form; JSON and CSV
/// use the serde field names as keys and header.
pub(crate) fn write_rows<T: Serialize>(
    out: &mut impl Write,
    format: Format,
    headers: &[&str],
    rows: &[T],
    table_row: impl Fn(&T) -> Vec<String>,
) -> Result<()> {
    match format {
        Format::Ics => return Err(not_ics()),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, rows)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut *out);
            if rows.is_empty() {
                w.write_record(headers)?;
            }
            for row in rows {
                w.serialize(row)?;
            }
            w.flush()?;
        }
        Format::Table => {
            let mut table = Table::new();
            table
                .load_style(UTF8_FULL_CONDENSED)
                .set_header(headers.to_vec());
            for row in rows {
                table.add_row(table_row(row).into_iter().enumerate().map(|(i, c)| {
                    let cell = Cell::new(c);
                    if i == 0 {
                        cell
                    } else {
                        cell.set_alignment(CellAlignment::Right)
                    }
                }));
            }
            writeln!(out, "{table}")?;
        }
    }
    Ok(())
}
