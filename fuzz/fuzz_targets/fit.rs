//! FIT: any bytes give activities or a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pa_integrations::import::{ImportOptions, fit};

fuzz_target!(|data: &[u8]| {
    let _ = fit::read(data, "fuzz.fit", &ImportOptions::default());
});
