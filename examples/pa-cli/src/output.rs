//! Rendering rows as a table, JSON or CSV, and text from outside made safe for a terminal.

use std::borrow::Cow;
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
                    let cell = Cell::new(clean(&c));
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

/// Whether `c` must not reach a terminal as it is: control characters (C0, DEL, C1: ESC starts
/// the sequences that retitle windows or clear screens) and the bidirectional overrides that
/// make text display in another order than it is stored.
fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text from outside (a title, a name, a file name) for a terminal: every control character,
/// line breaks included, is written as a visible escape (`\u{1b}`), so it can neither drive the
/// terminal nor fake a line of output. Used whether colour is on or not.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// [`clean`] for a whole message of several lines: its line breaks are kept.
pub(crate) fn clean_lines(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let bad = |c: char| unsafe_char(c) && !(keep_lines && c == '\n');
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_sequences_become_visible_text() {
        let title = "Standup\u{1b}]0;pwned\u{7}\u{1b}[2J\nfake line\u{9b}\u{202e}gnp.exe";
        assert_eq!(
            clean(title),
            "Standup\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{a}fake line\\u{9b}\\u{202e}gnp.exe"
        );
        assert_eq!(clean_lines("a\nb\u{1b}"), "a\nb\\u{1b}");
        assert!(matches!(
            clean("Café ☕ 東京"),
            Cow::Borrowed("Café ☕ 東京")
        ));
    }
}
