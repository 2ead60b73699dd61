//! Daily training loads from CSV: a header with `date` and `load` columns (any order, any case,
//! other columns ignored), one row per activity or day. Several rows on one date add up; missing
//! dates are rest days. Dates are ISO (`YYYY-MM-DD`); loads are decimal numbers ≥ 0 (`NaN` and
//! `inf` are accepted and counted as 0 with a warning by the PMC).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use pa_core::fitness::pmc::DailyLoads;
use pa_core::time::Day;

use super::csv_table::Table;
use crate::error::{Error, Result};

/// Reads `(day, load)` entries from CSV text; `source_name` labels errors.
pub fn read_entries(input: impl Read, source_name: &str) -> Result<Vec<(Day, f64)>> {
    let table = Table::read(input, source_name, &["date", "load"], &[])?;
    let mut entries = Vec::new();
    for row in table.rows() {
        let date_text = row.get(0);
        let day: Day = date_text
            .parse()
            .map_err(|_| row.error(format!("bad date '{date_text}': expected YYYY-MM-DD")))?;
        let load_text = row.get(1);
        let load: f64 = load_text
            .parse()
            .map_err(|_| row.error(format!("load '{load_text}' is not a number")))?;
        if load < 0.0 {
            return Err(row.error(format!("load {load_text} is negative")));
        }
        entries.push((day, load));
    }
    Ok(entries)
}

/// Reads a daily-load CSV from text into a dense series.
pub fn read_daily_loads(input: impl Read, source_name: &str) -> Result<DailyLoads> {
    let entries = read_entries(input, source_name)?;
    DailyLoads::from_entries(entries).map_err(|e| Error::parse(source_name, None, e.to_string()))
}

/// Reads a daily-load CSV file.
pub fn load_file(path: &Path) -> Result<DailyLoads> {
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })?;
    read_daily_loads(std::io::BufReader::new(file), &path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<DailyLoads> {
        read_daily_loads(text.as_bytes(), "loads.csv")
    }

    fn message(text: &str) -> String {
        read(text).unwrap_err().to_string()
    }

    #[test]
    fn sums_and_fills_rest_days() {
        let s = read("date,load\n2026-01-01,50\n2026-01-03,20\n2026-01-01,25.5\n").unwrap();
        assert_eq!(s.start().to_string(), "2026-01-01");
        assert_eq!(s.loads(), &[75.5, 0.0, 20.0]);
    }

    #[test]
    fn header_in_any_order_and_case_with_extra_columns() {
        let s = read("\u{feff}Sport, Load ,DATE\nrun,40,2026-02-01\n").unwrap();
        assert_eq!(s.loads(), &[40.0]);
    }

    #[test]
    fn errors_name_the_line_and_problem() {
        assert_eq!(
            message(""),
            "loads.csv: the file is empty: expected a header line 'date,load'"
        );
        assert_eq!(
            message("day,tss\n2026-01-01,5\n"),
            "loads.csv, line 1: the header must name the columns 'date,load' (missing 'date', 'load'), found 'day,tss'"
        );
        assert_eq!(
            message("date,load\n2026-01-01,5\n2026-13-01,5\n"),
            "loads.csv, line 3: bad date '2026-13-01': expected YYYY-MM-DD"
        );
        assert_eq!(
            message("date,load\n2026-01-01,abc\n"),
            "loads.csv, line 2: load 'abc' is not a number"
        );
        assert_eq!(
            message("date,load\n2026-01-01,-3\n"),
            "loads.csv, line 2: load -3 is negative"
        );
        assert_eq!(
            message("date,load\n"),
            "loads.csv: no data rows after the header"
        );
        assert_eq!(
            message("date,load\n2026-01-01,1,2\n"),
            "loads.csv, line 2: expected 2 fields, found 3"
        );
        assert!(message("date,load\n2026-01-01,\u{0}\u{ff}\n").contains("line 2"));
    }

    #[test]
    fn missing_file_is_an_io_error() {
        assert!(matches!(
            load_file(Path::new("/nonexistent/loads.csv")),
            Err(Error::Io { .. })
        ));
    }
}
