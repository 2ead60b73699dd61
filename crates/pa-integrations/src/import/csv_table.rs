//! A CSV file with a header, read into named columns, with errors that name the file, the line
//! and the problem. Shared by the CSV importers.

use std::io::Read;

use crate::error::{Error, Result};

/// How a CSV file is written.
pub(crate) struct Dialect {
    /// The field separator.
    pub(crate) delimiter: u8,
    /// Rows may have fewer or more fields than the header (a bank's footer lines).
    pub(crate) flexible: bool,
    /// Lines before the header that the caller removed, so that line numbers stay the file's.
    pub(crate) skipped_lines: u64,
}

impl Default for Dialect {
    fn default() -> Self {
        Self {
            delimiter: b',',
            flexible: false,
            skipped_lines: 0,
        }
    }
}

/// Rows of a CSV file, with the positions of the columns the importer asked for.
pub(crate) struct Table {
    source: String,
    rows: Vec<(u64, csv::StringRecord)>,
    columns: Vec<Option<usize>>,
}

/// One row: its line number and fields by column request order.
pub(crate) struct Row<'a> {
    table: &'a Table,
    /// 1-based line number in the file.
    pub(crate) line: u64,
    record: &'a csv::StringRecord,
}

impl Table {
    /// Reads `input`; `required` columns must be in the header (any order, any case), `optional`
    /// ones may be. Columns are then addressed by their index in `required ++ optional`.
    pub(crate) fn read(
        input: impl Read,
        source: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Table> {
        Self::read_with(input, source, required, optional, &Dialect::default())
    }

    /// As [`Table::read`], for files in another [`Dialect`].
    pub(crate) fn read_with(
        input: impl Read,
        source: &str,
        required: &[&str],
        optional: &[&str],
        dialect: &Dialect,
    ) -> Result<Table> {
        let offset = dialect.skipped_lines;
        let err = |line: Option<u64>, reason: String| {
            Error::parse(source, line.map(|l| l + offset), reason)
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .trim(csv::Trim::All)
            .delimiter(dialect.delimiter)
            .flexible(dialect.flexible)
            .from_reader(input);
        let headers = reader
            .headers()
            .map_err(|e| err(Some(1), csv_reason(&e)))?
            .clone();
        if headers.is_empty() || headers.iter().all(str::is_empty) {
            return Err(err(
                None,
                format!(
                    "the file is empty: expected a header line '{}'",
                    required.join(",")
                ),
            ));
        }
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
        };
        let missing: Vec<&str> = required
            .iter()
            .copied()
            .filter(|c| find(c).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(err(
                Some(1),
                format!(
                    "the header must name the columns '{}' (missing '{}'), found '{}'",
                    required.join(","),
                    missing.join("', '"),
                    headers.iter().collect::<Vec<_>>().join(",")
                ),
            ));
        }
        let columns = required.iter().chain(optional).map(|c| find(c)).collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| err(e.position().map(|p| p.line()), csv_reason(&e)))?;
            let line = record.position().map_or(0, |p| p.line()) + offset;
            rows.push((line, record));
        }
        if rows.is_empty() {
            return Err(err(None, "no data rows after the header".into()));
        }
        Ok(Table {
            source: source.to_owned(),
            rows,
            columns,
        })
    }

    /// The rows, in file order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|(line, record)| Row {
            table: self,
            line: *line,
            record,
        })
    }

    /// The file name or label, for error messages.
    pub(crate) fn source(&self) -> &str {
        &self.source
    }
}

impl Row<'_> {
    /// Field `i` (in request order), trimmed; empty when the column is absent.
    pub(crate) fn get(&self, i: usize) -> &str {
        self.table
            .columns
            .get(i)
            .copied()
            .flatten()
            .and_then(|c| self.record.get(c))
            .unwrap_or_default()
    }

    /// A parse error on this row.
    pub(crate) fn error(&self, reason: impl Into<String>) -> Error {
        Error::parse(self.table.source.clone(), Some(self.line), reason)
    }

    /// Maps a pa-core error about this row's data to a parse error naming the line.
    pub(crate) fn core(&self, e: pa_core::Error) -> Error {
        self.error(e.to_string())
    }
}

/// A plain message for a csv error.
pub(crate) fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields, found {len}"),
        csv::ErrorKind::Utf8 { .. } => "the text is not valid UTF-8".into(),
        _ => e.to_string(),
    }
}
