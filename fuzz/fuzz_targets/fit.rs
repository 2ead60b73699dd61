//! FIT: any bytes give activities or a typed error. Half of the inputs are given a valid header
//! and CRCs first, so that mutations reach the message decoder instead of stopping at the CRC.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pa_integrations::import::{ImportOptions, fit};

const CRC: crc::Crc<u16> = crc::Crc::<u16>::new(&crc::CRC_16_ARC);

fuzz_target!(|data: &[u8]| {
    let o = ImportOptions::default();
    let _ = fit::read(data, "fuzz.fit", &o);
    if data.len() >= 16 && data[0] == 14 {
        let mut b = data.to_vec();
        let size = (b.len() - 16) as u32;
        b[4..8].copy_from_slice(&size.to_le_bytes());
        b[8..12].copy_from_slice(b".FIT");
        let header = CRC.checksum(&b[..12]);
        b[12..14].copy_from_slice(&header.to_le_bytes());
        let end = b.len() - 2;
        let file = CRC.checksum(&b[..end]);
        b[end..].copy_from_slice(&file.to_le_bytes());
        let _ = fit::read(&b, "fuzz.fit", &o);
    }
});
