//! GPX and TCX (one XML reader underneath): any bytes give activities or a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pa_integrations::import::{ImportOptions, gpx, tcx};

fuzz_target!(|data: &[u8]| {
    let o = ImportOptions::default();
    let _ = gpx::read(data, "fuzz.gpx", &o);
    let _ = tcx::read(data, "fuzz.tcx", &o);
});
