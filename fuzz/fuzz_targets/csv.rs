//! Bank CSV (through a mapping with every option in use) and Garmin's activities CSV.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pa_integrations::import::bank_csv::{self, BankCsvMapping};
use pa_integrations::import::{ImportOptions, garmin_csv};

const MAPPING: &str = r#"{"account": {"id": "a", "name": "A", "type": "credit", "currency": "EUR"},
  "encoding": "windows-1252", "delimiter": ";", "skip_lines": 1, "decimal_separator": ",",
  "thousands_separator": ".", "date": {"column": "Datum", "format": "%d.%m.%Y"},
  "amount": {"debit": "Soll", "credit": "Haben"}, "description": ["Text"], "balance": "Saldo"}"#;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = BankCsvMapping::from_json(MAPPING, "m.json") {
        let _ = bank_csv::read(data, "fuzz.csv", &m);
    }
    let _ = garmin_csv::read(data, "fuzz.csv", &ImportOptions::default());
});
