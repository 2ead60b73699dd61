//! OFX / QFX: any bytes give a statement or a typed error.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pa_integrations::import::{ImportOptions, ofx};

fuzz_target!(|data: &[u8]| {
    let _ = ofx::read(data, "fuzz.ofx", &ImportOptions::default());
});
