//! ICS: any bytes give events and tasks or a typed error, and expanding what was read over ten
//! years ends (every rule is bounded).
#![no_main]
use libfuzzer_sys::fuzz_target;
use pa_core::calendar::expand;
use pa_core::ports::Doc;
use pa_integrations::import::{ImportOptions, ics};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = ics::read(data, "fuzz.ics", &ImportOptions::default()) else {
        return;
    };
    let (Ok(from), Ok(to)) = ("2020-01-01T00:00:00Z".parse(), "2030-01-01T00:00:00Z".parse()) else {
        return;
    };
    for d in &p.batch.records {
        if let Doc::Event(e) = d {
            let _ = expand(&e.record, from, to, chrono_tz::UTC);
        }
    }
});
