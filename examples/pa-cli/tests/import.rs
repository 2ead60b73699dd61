//! End-to-end tests of `pa import` on small GPX/TCX files written here, and on the shared
//! fixtures when `../shared/fixtures` is present.
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

mod common;

use common::{json, pa, store, write};
use predicates::prelude::*;

const GPX: &str = r#"<?xml version="1.0"?>
<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"
     xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
  <trk><name>Loop</name><type>running</type><trkseg>
    <trkpt lat="46.0" lon="14.0"><ele>300</ele><time>2026-03-01T07:00:00Z</time>
      <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>
    <trkpt lat="46.001" lon="14.0"><ele>305</ele><time>2026-03-01T07:00:30Z</time></trkpt>
    <trkpt lat="46.002" lon="14.0"><ele>310</ele><time>2026-03-01T07:01:00Z</time></trkpt>
  </trkseg></trk>
</gpx>"#;

/// The same run as TCX: one activity, since both start at the same instant.
const TCX: &str = r#"<?xml version="1.0"?>
<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">
  <Activities><Activity Sport="Running"><Id>2026-03-01T07:00:00Z</Id>
    <Lap StartTime="2026-03-01T07:00:00Z"><TotalTimeSeconds>60</TotalTimeSeconds><Track>
      <Trackpoint><Time>2026-03-01T07:00:00Z</Time><DistanceMeters>0</DistanceMeters></Trackpoint>
      <Trackpoint><Time>2026-03-01T07:01:00Z</Time><DistanceMeters>222.6</DistanceMeters></Trackpoint>
    </Track></Lap></Activity></Activities>
</TrainingCenterDatabase>"#;

/// Everything the store holds as JSON Lines values; nothing when no store was made.
fn export(db: &str) -> Vec<serde_json::Value> {
    if !std::path::Path::new(db).exists() {
        return Vec::new();
    }
    let out = pa().args(["--db", db, "export"]).assert().success();
    String::from_utf8_lossy(&out.get_output().stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn import_then_reimport_changes_nothing() {
    let (dir, db) = store();
    let db = db.as_str();
    let gpx = write(&dir, "run.xml", GPX); // the name does not matter: content decides
    let report = json(&["--db", db, "import", &gpx]);
    assert_eq!(report[0]["format"], "gpx");
    assert_eq!(report[0]["added"], 1);
    let report = json(&["--db", db, "import", &gpx]);
    assert_eq!(report[0]["unchanged"], 1);
    assert_eq!(report[0]["added"], 0);
    let lines = export(db);
    let activity = lines.iter().find(|l| l["kind"] == "activity").unwrap();
    assert_eq!(activity["record"]["name"], "Loop");
    assert_eq!(activity["record"]["sport"], "run");
    assert_eq!(activity["record"]["elapsed_s"], 60.0);
    // The TCX of the same run is the same activity: updated, not added.
    let tcx = write(&dir, "run.tcx", TCX);
    pa().args(["--db", db, "--format", "csv", "import", &tcx])
        .assert()
        .success()
        .stdout(predicate::str::contains(",tcx,1,0,1,0,0"));
    assert_eq!(
        export(db)
            .iter()
            .filter(|l| l["kind"] == "activity")
            .count(),
        1
    );
}

#[test]
fn keep_going_imports_what_it_can_and_says_what_it_could_not() {
    let (dir, db) = store();
    let db = db.as_str();
    let good = write(&dir, "good.gpx", GPX);
    let broken = write(&dir, "broken.gpx", &GPX[..GPX.len() / 2]);
    let missing = dir.path().join("missing.fit").display().to_string();
    let out = pa()
        .args([
            "--db",
            db,
            "--format",
            "json",
            "import",
            "--keep-going",
            &broken,
            &good,
            &missing,
        ])
        .assert()
        .code(65)
        .stderr(predicate::str::contains(format!(
            "error: {missing}: cannot read or write {missing}: No such file or directory"
        )))
        .stderr(predicate::str::contains("broken.gpx"))
        .stderr(predicate::str::contains(
            "invalid files: 2 of 3 could not be read; the others were imported",
        ));
    let reports: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let outcome: Vec<(serde_json::Value, serde_json::Value, bool)> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["format"].clone(),
                r["added"].clone(),
                r.get("error").is_some(),
            )
        })
        .collect();
    assert_eq!(
        outcome,
        vec![
            (serde_json::Value::Null, 0.into(), true),
            ("gpx".into(), 1.into(), false),
            (serde_json::Value::Null, 0.into(), true),
        ]
    );
    assert_eq!(
        export(db)
            .iter()
            .filter(|l| l["kind"] == "activity")
            .count(),
        1,
        "the good file was imported"
    );
}

#[test]
fn bad_files_write_nothing() {
    let (dir, db) = store();
    let db = db.as_str();
    let good = write(&dir, "good.gpx", GPX);
    let broken = write(&dir, "broken.gpx", &GPX[..GPX.len() / 2]);
    pa().args(["--db", db, "import", &good, &broken])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("broken.gpx"));
    let unknown = write(&dir, "notes.txt", "just some text");
    pa().args(["--db", db, "import", &unknown])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("not a file pa can import"));
    pa().args(["--db", db, "import", "/nonexistent/ride.fit"])
        .assert()
        .code(66);
    pa().args(["--db", db, "import", "--dry-run", &good])
        .assert()
        .success();
    assert!(
        export(db).iter().all(|l| l["kind"] != "activity"),
        "neither the bad batch nor the dry run wrote anything"
    );
    pa().args(["--db", db, "import", "--zone", "Mars/Olympus", &good])
        .assert()
        .code(65);
}

#[test]
fn shared_fixtures_import_and_reimport_unchanged() {
    let Some(fixtures) = common::fixtures() else {
        return;
    };
    let (_dir, db) = store();
    let db = db.as_str();
    let mut files: Vec<String> = Vec::new();
    for sub in ["gpx", "tcx", "fit", "ofx"] {
        for e in std::fs::read_dir(fixtures.join(sub)).unwrap() {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".csv") {
                continue;
            }
            // The damaged FIT files are refused, and nothing of the command is written.
            if name.contains("unexpected-eof") || name.contains("filecrc") {
                pa().args(["--db", db, "import", path.to_str().unwrap()])
                    .assert()
                    .code(65)
                    .stderr(predicate::str::contains(name.as_str()));
                continue;
            }
            files.push(path.display().to_string());
        }
    }
    let mut args = vec!["--db", db, "--format", "json", "-q", "import"];
    args.extend(files.iter().map(String::as_str));
    let first = pa().args(&args).assert().success();
    let first: serde_json::Value = serde_json::from_slice(&first.get_output().stdout).unwrap();
    for r in first.as_array().unwrap() {
        // route.gpx holds only a route: nothing to add, and it says why.
        let added = r["added"].as_u64().unwrap();
        assert!(
            added > 0 || !r["skipped"].as_array().unwrap().is_empty(),
            "{r}"
        );
    }
    let lines = export(db);
    let count = |kind: &str| lines.iter().filter(|l| l["kind"] == kind).count();
    assert_eq!(
        count("activity"),
        24,
        "7 + 1 + 2 GPX tracks with times, 2 TCX activities, 12 FIT sessions (4 in the multisport file)"
    );
    assert_eq!(
        count("account"),
        12,
        "the accounts of the 11 OFX files (two in one)"
    );
    assert!(
        lines
            .iter()
            .filter(|l| l["kind"] == "account")
            .all(|l| l["record"]["mask"].as_str().is_some_and(|m| m.len() <= 4)),
        "only masks are stored"
    );
    let second = pa().args(&args).assert().success();
    let second: serde_json::Value = serde_json::from_slice(&second.get_output().stdout).unwrap();
    for r in second.as_array().unwrap() {
        assert_eq!(r["added"], 0, "{r}");
        assert_eq!(r["updated"], 0, "{r}");
    }
}

#[test]
fn export_one_kind_as_json_or_csv() {
    let (dir, db) = store();
    let db = db.as_str();
    let gpx = write(&dir, "run.gpx", GPX);
    let ofx = write(
        &dir,
        "bank.ofx",
        "<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><BANKID>1<ACCTID>DE0012345678<ACCTTYPE>CHECKING</BANKACCTFROM>\
<BANKTRANLIST><STMTTRN><DTPOSTED>20260301<TRNAMT>-6.60<FITID>A1<NAME>Caf\u{e9} &amp; Co</STMTTRN></BANKTRANLIST>\
<LEDGERBAL><BALAMT>10.05<DTASOF>20260301</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>",
    );
    pa().args(["--db", db, "-q", "import", &gpx, &ofx])
        .assert()
        .success();
    let csv = pa()
        .args([
            "--db",
            db,
            "--format",
            "csv",
            "export",
            "--kind",
            "activities",
        ])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&csv.get_output().stdout).into_owned();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,sport,start,zone,elapsed_s")
    );
    assert!(
        lines
            .next()
            .unwrap()
            .contains(",run,2026-03-01T07:00:00+00:00,UTC,60.0,")
    );
    let tx = pa()
        .args([
            "--db",
            db,
            "--format",
            "json",
            "export",
            "--kind",
            "transactions",
        ])
        .assert()
        .success();
    let tx: serde_json::Value = serde_json::from_slice(&tx.get_output().stdout).unwrap();
    assert_eq!(
        tx[0]["amount"]["amount"], "-6.60",
        "exact decimal, entity field names"
    );
    assert_eq!(tx[0]["merchant"], "Café & Co");
    let accounts = pa()
        .args([
            "--db", db, "--format", "csv", "export", "--kind", "accounts",
        ])
        .assert()
        .success();
    let accounts = String::from_utf8_lossy(&accounts.get_output().stdout).into_owned();
    assert!(accounts.contains(",EUR,5678,"), "{accounts}");
    assert!(!accounts.contains("12345678"), "never the full number");
    pa().args([
        "--db", db, "--format", "csv", "export", "--kind", "balances",
    ])
    .assert()
    .success()
    .stdout(predicate::str::contains(",2026-03-01,10.05,,,EUR"));
    pa().args(["--db", db, "export", "--kind", "planets"])
        .assert()
        .code(2);
}

const ICS: &str = "BEGIN:VCALENDAR\r
X-WR-CALNAME:Work\r
BEGIN:VEVENT\r
UID:standup\r
DTSTART;TZID=Europe/Berlin:20260302T090000\r
DTEND;TZID=Europe/Berlin:20260302T091500\r
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4\r
EXDATE;TZID=Europe/Berlin:20260316T090000\r
SUMMARY:Standup\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup\r
RECURRENCE-ID;TZID=Europe/Berlin:20260309T090000\r
DTSTART;TZID=Europe/Berlin:20260309T110000\r
DTEND;TZID=Europe/Berlin:20260309T111500\r
SUMMARY:Standup (late)\r
END:VEVENT\r
BEGIN:VTODO\r
UID:taxes\r
DTSTAMP:20260101T000000Z\r
SUMMARY:File taxes\r
END:VTODO\r
END:VCALENDAR\r
";

/// The stored events' occurrences in March 2026; none when no store was made.
fn occurrences(db: &str) -> Vec<serde_json::Value> {
    if !std::path::Path::new(db).exists() {
        return Vec::new();
    }
    let out = pa()
        .args([
            "--db",
            db,
            "--format",
            "json",
            "calendar",
            "occurrences",
            "--from",
            "2026-03-01",
            "--to",
            "2026-04-01",
            "--tz",
            "Europe/Berlin",
        ])
        .assert()
        .success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

#[test]
fn a_calendar_imports_lists_and_exports_to_the_same_calendar() {
    let (dir, db) = store();
    let db = db.as_str();
    let ics = write(&dir, "work.ics", ICS);
    let report = json(&["--db", db, "import", &ics]);
    assert_eq!(report[0]["format"], "ics");
    assert_eq!(report[0]["added"], 2, "{report}"); // the event and the to-do
    let got = occurrences(db);
    let starts: Vec<&str> = got.iter().map(|o| o["start"].as_str().unwrap()).collect();
    assert_eq!(
        starts,
        [
            "2026-03-02T09:00:00+01:00",
            "2026-03-09T11:00:00+01:00",
            "2026-03-23T09:00:00+01:00"
        ]
    );
    assert_eq!(got[1]["title"], "Standup (late)");
    assert_eq!(got[0]["source_id"], "standup");

    // Export, then import the export into a new store: the same occurrences.
    let out = pa()
        .args(["--db", db, "--format", "ics", "export", "--kind", "events"])
        .assert()
        .success();
    let exported = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(exported.starts_with("BEGIN:VCALENDAR"), "{exported}");
    assert!(exported.contains("BEGIN:VTIMEZONE"), "{exported}");
    let copy = write(&dir, "copy.ics", &exported);
    let db2 = dir.path().join("pa2.db");
    let db2 = db2.to_str().unwrap();
    pa().args(["--db", db2, "-q", "import", &copy])
        .assert()
        .success();
    assert_eq!(occurrences(db2), got);
    // Importing the export into the first store changes nothing.
    let report = json(&["--db", db, "import", &copy]);
    assert_eq!(
        (report[0]["added"].as_u64(), report[0]["updated"].as_u64()),
        (Some(0), Some(0)),
        "{report}"
    );

    // iCalendar is only for events.
    pa().args([
        "--db", db, "--format", "ics", "export", "--kind", "accounts",
    ])
    .assert()
    .failure()
    .stderr(predicate::str::contains("--format ics"));
    pa().args(["--format", "ics", "training", "pmc", "--sample"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("only `pa export --kind events`"));
}

#[test]
fn a_truncated_calendar_is_refused_and_writes_nothing() {
    let (dir, db) = store();
    let db = db.as_str();
    let cut = &ICS[..ICS.len() / 2];
    let bad = write(&dir, "cut.ics", cut);
    let good = write(&dir, "work.ics", ICS);
    pa().args(["--db", db, "import", &good, &bad])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("cut.ics").and(predicate::str::contains("truncated")));
    pa().args(["--db", db, "-q", "import", "--dry-run", &good])
        .assert()
        .success();
    assert!(occurrences(db).is_empty());
}

#[test]
fn a_bank_csv_imports_with_its_mapping_once() {
    let (dir, db) = store();
    let db = db.as_str();
    let mapping = write(
        &dir,
        "bank.json",
        r#"{"account": {"id": "giro", "name": "Giro", "type": "depository", "currency": "EUR"},
            "delimiter": ";", "decimal_separator": ",", "thousands_separator": ".",
            "date": {"column": "Datum", "format": "%d.%m.%Y"},
            "amount": {"column": "Betrag"}, "description": ["Text"], "balance": "Saldo"}"#,
    );
    let csv = write(
        &dir,
        "march.csv",
        "Datum;Text;Betrag;Saldo\n01.03.2026;Gehalt;3.000,00;3.100,00\n02.03.2026;Miete;-1.250,00;1.850,00\n",
    );
    let run = |file: &str| {
        let out = pa()
            .args([
                "--db",
                db,
                "--format",
                "json",
                "import",
                "--bank-csv",
                &mapping,
                file,
            ])
            .assert()
            .success();
        serde_json::from_slice::<serde_json::Value>(&out.get_output().stdout).unwrap()
    };
    let first = run(&csv);
    assert_eq!(first[0]["format"], "bank-csv");
    // The account, two transactions, two closing balances.
    assert_eq!(first[0]["added"], 5, "{first}");
    let again = run(&csv);
    assert_eq!(again[0]["added"], 0, "{again}");
    let exported = export(db);
    let balances: Vec<&serde_json::Value> =
        exported.iter().filter(|l| l["kind"] == "balance").collect();
    assert_eq!(balances.len(), 2, "{exported:?}");
    // Without a mapping a bank CSV is not guessed at.
    pa().args(["--db", db, "import", &csv])
        .assert()
        .code(65)
        .stderr(predicate::str::contains("--bank-csv"));
}

#[test]
fn garmin_summaries_never_overwrite_an_activity_from_its_file() {
    let (dir, db) = store();
    let db = db.as_str();
    let gpx = write(&dir, "run.gpx", GPX);
    // The GPX run, and another, in Garmin's list (07:00 UTC: the zone is UTC by default).
    let csv = write(
        &dir,
        "Activities.csv",
        "Activity Type,Date,Favorite,Title,Distance,Calories,Time,Avg HR,Max HR\n\
Running,2026-03-01 07:00:00,false,Loop,0.22,20,00:01:00,140,140\n\
Cycling,2026-03-02 07:00:00,false,Ride,20.0,400,00:45:00,130,150\n",
    );
    pa().args(["--db", db, "-q", "import", &gpx])
        .assert()
        .success();
    let report = json(&["--db", db, "import", &csv]);
    assert_eq!(report[0]["format"], "garmin-csv");
    assert_eq!(report[0]["added"], 1, "{report}");
    assert_eq!(
        report[0]["skipped"].as_array().unwrap().len(),
        1,
        "{report}"
    );
    let activities: Vec<serde_json::Value> = export(db)
        .into_iter()
        .filter(|l| l["kind"] == "activity")
        .map(|l| l["record"].clone())
        .collect();
    assert_eq!(activities.len(), 2);
    // The run kept its track from the GPX file.
    assert!(
        activities.iter().any(|a| a["streams"].is_object()),
        "{activities:?}"
    );
}

#[test]
fn thresholds_score_activities_on_import() {
    let (dir, db) = store();
    let db = db.as_str();
    let gpx = write(&dir, "run.gpx", GPX);
    pa().args([
        "--db",
        db,
        "-q",
        "import",
        &gpx,
        "--hr-rest",
        "50",
        "--hr-max",
        "190",
        "--lthr",
        "170",
    ])
    .assert()
    .success();
    let activity = export(db)
        .into_iter()
        .find(|l| l["kind"] == "activity")
        .unwrap()["record"]
        .clone();
    // 30 s at 140 bpm (the first point's heart rate holds until the next point, which has none).
    let trimp = activity["trimp"].as_f64().unwrap();
    let x: f64 = (140.0 - 50.0) / (190.0 - 50.0);
    let want = 0.5 * x * 0.64 * (1.92 * x).exp();
    assert!((trimp - want).abs() < 1e-9, "{trimp} vs {want}");
    assert!(
        activity["training_load"].as_f64().unwrap() > 0.0,
        "{activity}"
    );
    // Half a profile is refused before anything is read.
    pa().args(["--db", db, "import", &gpx, "--hr-rest", "50"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--hr-max"));
    pa().args(["--db", db, "import", &gpx, "--ftp", "0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--ftp"));
}
