//! Hostile input for every reader: random bytes, and valid files cut short or with bytes flipped,
//! must give a result or an error — never a panic, a hang or unbounded memory. (Always-on
//! property tests; they run the same inputs a fuzzer would start from.)

use proptest::prelude::*;

use super::{ImportOptions, bank_csv, fit, garmin_csv, gpx, ics, ofx, tcx};

const GPX: &str = r#"<?xml version="1.0"?><gpx version="1.1"><trk><name>A &amp; B</name><trkseg>
<trkpt lat="46.0" lon="14.0"><ele>300</ele><time>2026-03-01T07:00:00Z</time><extensions><hr>140</hr></extensions></trkpt>
<trkpt lat="46.001" lon="14.0"><ele>305</ele><time>2026-03-01T07:00:30Z</time></trkpt></trkseg></trk></gpx>"#;

const TCX: &str = r#"<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>2026-03-01T07:00:00Z</Id>
<Lap StartTime="2026-03-01T07:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds><Track>
<Trackpoint><Time>2026-03-01T07:00:00Z</Time><DistanceMeters>0</DistanceMeters><HeartRateBpm><Value>120</Value></HeartRateBpm></Trackpoint>
<Trackpoint><Time>2026-03-01T07:01:00Z</Time><DistanceMeters>200</DistanceMeters></Trackpoint>
</Track></Lap></Activity></Activities></TrainingCenterDatabase>"#;

const OFX: &str = "OFXHEADER:100\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>1<ACCTID>123456<ACCTTYPE>CHECKING</BANKACCTFROM>\
<BANKTRANLIST><STMTTRN><DTPOSTED>20260301<TRNAMT>-6.60<FITID>A1<NAME>X &amp; Y</STMTTRN></BANKTRANLIST>\
<LEDGERBAL><BALAMT>10<DTASOF>20260301</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>";

const ICS: &str = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Own\r\nBEGIN:STANDARD\r\n\
DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nTZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\n\
DTSTART;TZID=Own:20260302T090000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n\
EXDATE;TZID=Own:20260309T090000\r\nRDATE;VALUE=PERIOD:20260320T100000Z/PT2H\r\nSUMMARY:A\\, b\r\n\
END:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;RANGE=THISANDFUTURE:20260316T080000Z\r\n\
DTSTART:20260316T100000Z\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nUID:t\r\nDTSTAMP:20260101T000000Z\r\n\
DUE:20260401\r\nSUMMARY:T\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";

const BANK_MAPPING: &str = r#"{"account": {"id": "a", "name": "A", "type": "credit", "currency": "EUR"},
  "delimiter": ";", "skip_lines": 1, "decimal_separator": ",", "thousands_separator": ".",
  "date": {"column": "Datum", "format": "%d.%m.%Y"}, "amount": {"debit": "Soll", "credit": "Haben"},
  "description": ["Text"], "balance": "Saldo"}"#;

const BANK: &str = "Konto 1234\nDatum;Text;Soll;Haben;Saldo\n01.03.2026;Miete;1.250,00;;-1.250,00\n\
02.03.2026;Gehalt;;3.000,00;1.750,00\n;;;;\n";

const GARMIN: &str = "Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR\n\
Running,2026-03-01 07:00:00,false,Run,10.0,\"1,000\",00:50:00,150\n";

fn all_readers(bytes: &[u8]) {
    let o = ImportOptions::default();
    let _ = gpx::read(bytes, "f", &o);
    let _ = tcx::read(bytes, "f", &o);
    let _ = ofx::read(bytes, "f", &o);
    let _ = fit::read(bytes, "f", &o);
    let _ = ics::read(bytes, "f", &o);
    let _ = garmin_csv::read(bytes, "f", &o);
    if let Ok(m) = bank_csv::BankCsvMapping::from_json(BANK_MAPPING, "m") {
        let _ = bank_csv::read(bytes, "f", &m);
    }
    let _ = super::detect(bytes);
}

fn mutate(base: &[u8], cut: usize, flips: &[(usize, u8)]) -> Vec<u8> {
    let mut b = base[..cut.min(base.len())].to_vec();
    for (i, v) in flips {
        if !b.is_empty() {
            let n = b.len();
            b[i % n] = *v;
        }
    }
    b
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        all_readers(&bytes);
    }

    #[test]
    fn damaged_files_never_panic(
        which in 0usize..6,
        cut in 0usize..1200,
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..8),
    ) {
        let base = [GPX, TCX, OFX, ICS, BANK, GARMIN][which].as_bytes();
        all_readers(&mutate(base, cut, &flips));
    }

    #[test]
    fn damaged_fit_headers_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..256),
        size in prop_oneof![Just(12u8), Just(14u8)],
        declared in any::<u32>(),
    ) {
        // A FIT header claiming any data size over arbitrary bytes.
        let mut b = vec![size, 0x20, 0x08, 0x08];
        b.extend_from_slice(&declared.to_le_bytes());
        b.extend_from_slice(b".FIT");
        if size == 14 {
            b.extend_from_slice(&[0, 0]);
        }
        b.extend_from_slice(&body);
        let _ = fit::read(&b, "f.fit", &ImportOptions::default());
    }
}

#[test]
fn deep_nesting_and_huge_text_are_bounded() {
    let deep = "<gpx>".to_owned() + &"<trk>".repeat(10_000);
    assert!(gpx::read(deep.as_bytes(), "deep.gpx", &ImportOptions::default()).is_err());
    let ofx_deep = "<OFX>".to_owned() + &"<STMTRS>".repeat(10_000);
    assert!(ofx::read(ofx_deep.as_bytes(), "deep.ofx", &ImportOptions::default()).is_err());
    let ics_deep = "BEGIN:VCALENDAR\r\n".to_owned() + &"BEGIN:VEVENT\r\n".repeat(10_000);
    let _ = ics::read(ics_deep.as_bytes(), "deep.ics", &ImportOptions::default());
    // A rule that would run forever, in a calendar: expanded lazily, never listed whole.
    let forever = ICS.replace("FREQ=WEEKLY;COUNT=3", "FREQ=SECONDLY");
    let _ = ics::read(forever.as_bytes(), "forever.ics", &ImportOptions::default());
    // A million-character name is read, not choked on.
    let long = GPX.replace("A &amp; B", &"n".repeat(1_000_000));
    assert!(gpx::read(long.as_bytes(), "long.gpx", &ImportOptions::default()).is_ok());
}

/// The shared fixtures, cut and flipped at seeded random places (skipped when absent).
#[test]
fn damaged_fixtures_never_panic() {
    use rand::{Rng, SeedableRng};
    let Some(root) = crate::import::shared_fixtures("") else {
        return;
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
    for sub in ["gpx", "tcx", "fit", "ofx", "ics"] {
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            if bytes.len() > 200_000 {
                continue;
            }
            for _ in 0..48 {
                let cut = rng.random_range(0..=bytes.len());
                let flips: Vec<(usize, u8)> = (0..rng.random_range(0..6))
                    .map(|_| (rng.random_range(0..usize::MAX), rng.random()))
                    .collect();
                all_readers(&mutate(&bytes, cut, &flips));
            }
        }
    }
}

#[test]
fn the_csv_samples_are_read_whole() {
    let m = bank_csv::BankCsvMapping::from_json(BANK_MAPPING, "m").unwrap();
    let p = bank_csv::read(BANK.as_bytes(), "b.csv", &m).unwrap();
    assert_eq!((p.batch.transactions.len(), p.skipped.len()), (2, 1));
    let p = garmin_csv::read(GARMIN.as_bytes(), "g.csv", &ImportOptions::default()).unwrap();
    assert_eq!(p.batch.activities.len(), 1);
}

#[test]
fn a_rule_without_end_is_kept_and_never_listed_whole() {
    let forever = ICS.replace("FREQ=WEEKLY;COUNT=3", "FREQ=SECONDLY");
    let p = ics::read(forever.as_bytes(), "forever.ics", &ImportOptions::default()).unwrap();
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    assert_eq!(p.batch.records.len(), 2);
}

/// Found by cargo-fuzz: the rrule crate panicked on a rule with a multi-byte character.
#[test]
fn a_rule_with_other_than_ascii_is_skipped() {
    let bad = ICS.replace("FREQ=WEEKLY;COUNT=3", "FREQ=WEEKLY;BYDAY=1\u{fffd}");
    let p = ics::read(bad.as_bytes(), "bad.ics", &ImportOptions::default()).unwrap();
    assert!(
        p.skipped.iter().any(|s| s.reason.contains("ASCII")),
        "{:?}",
        p.skipped
    );
}
