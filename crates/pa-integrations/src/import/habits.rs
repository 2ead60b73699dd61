//! Habit check-ins from CSV: header `date,value` (any order and case, other columns ignored);
//! `value` is yes, no, skip or an amount ≥ 0. Errors name the file, line and problem.

use std::io::Read;

use pa_core::habits::{EntryValue, HabitEntry};
use pa_core::time::Day;

use super::csv_table::Table;
use crate::error::Result;

/// Reads habit entries from CSV text; `source` labels errors.
pub fn read_entries(input: impl Read, source: &str) -> Result<Vec<HabitEntry>> {
    let table = Table::read(input, source, &["date", "value"], &[])?;
    table
        .rows()
        .map(|row| {
            let text = row.get(0);
            let day: Day = text
                .parse()
                .map_err(|_| row.error(format!("bad date '{text}': expected YYYY-MM-DD")))?;
            let value: EntryValue = row.get(1).parse().map_err(|e| row.core(e))?;
            Ok(HabitEntry { day, value })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_names_bad_lines() {
        let e = read_entries(
            "date,value\n2026-01-01,yes\n2026-01-02,skip\n2026-01-03,2.5\n".as_bytes(),
            "h.csv",
        )
        .unwrap();
        assert_eq!(e[2].value, EntryValue::Amount(2.5));
        let err = read_entries("date,value\n2026-01-01,perhaps\n".as_bytes(), "h.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "h.csv, line 2: invalid entry: 'perhaps' is not yes, no, skip or an amount ≥ 0"
        );
    }
}
