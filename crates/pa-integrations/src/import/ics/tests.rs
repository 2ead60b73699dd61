use super::*;
use pa_core::calendar::expand;
use pa_core::ports::Doc;

fn opts() -> ImportOptions {
    ImportOptions::default()
}

fn events(p: &Parsed) -> Vec<StoredEvent> {
    p.batch
        .records
        .iter()
        .filter_map(|d| match d {
            Doc::Event(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

fn tasks(p: &Parsed) -> Vec<Task> {
    p.batch
        .records
        .iter()
        .filter_map(|d| match d {
            Doc::Task(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const SAMPLE: &str = "BEGIN:VCALENDAR\r
VERSION:2.0\r
X-WR-CALNAME:Work\r
BEGIN:VEVENT\r
UID:standup@example.com\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=Europe/Berlin:20260302T090000\r
DTEND;TZID=Europe/Berlin:20260302T091500\r
RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260401T000000Z\r
EXDATE;TZID=Europe/Berlin:20260304T090000\r
RDATE:20260307T080000Z\r
SUMMARY:Stand\\, up\\; daily\r
DESCRIPTION:Line one\\nline two that is long enough to be folded by a writer that f\r
 olds at seventy-five octets\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup@example.com\r
DTSTAMP:20260101T000000Z\r
RECURRENCE-ID;TZID=Europe/Berlin:20260309T090000\r
DTSTART;TZID=Europe/Berlin:20260309T100000\r
DTEND;TZID=Europe/Berlin:20260309T101500\r
SUMMARY:Standup (moved)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:standup@example.com\r
DTSTAMP:20260101T000000Z\r
RECURRENCE-ID:20260311T080000Z\r
STATUS:CANCELLED\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:holiday\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260406\r
SUMMARY:Easter Monday\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:deadline\r
DTSTAMP:20260101T000000Z\r
DTSTART;TZID=W. Europe Standard Time:20260310T170000\r
SUMMARY:Report due\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:floating\r
DTSTAMP:20260101T000000Z\r
DTSTART:20260312T070000\r
DURATION:PT45M\r
SUMMARY:Run\r
END:VEVENT\r
BEGIN:VTODO\r
UID:todo-1\r
DTSTAMP:20260101T000000Z\r
CREATED:20260102T100000Z\r
SUMMARY:File taxes\r
DUE;VALUE=DATE:20260415\r
PRIORITY:1\r
CATEGORIES:money,home\r
STATUS:NEEDS-ACTION\r
END:VTODO\r
END:VCALENDAR\r
BEGIN:VCALENDAR\r
X-WR-CALNAME:Home\r
BEGIN:VEVENT\r
UID:bins\r
DTSTAMP:20260101T000000Z\r
DTSTART;VALUE=DATE:20260305\r
DTEND;VALUE=DATE:20260306\r
RRULE:FREQ=WEEKLY;COUNT=3\r
SUMMARY:Bins\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:orphan\r
DTSTAMP:20260101T000000Z\r
RECURRENCE-ID;RANGE=THISANDFUTURE:20260320T100000Z\r
DTSTART:20260320T110000Z\r
DTEND:20260320T120000Z\r
SUMMARY:Moved occurrence of an event not in this file\r
END:VEVENT\r
END:VCALENDAR\r
";

#[test]
fn events_todos_zones_and_changes_are_read() {
    let zone: Tz = "America/New_York".parse().unwrap();
    let p = read(
        SAMPLE.as_bytes(),
        "cal.ics",
        &ImportOptions {
            zone,
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    let evs = events(&p);
    let by = |uid: &str| {
        evs.iter()
            .find(|e| e.record.external.as_ref().unwrap().external_id() == uid)
            .unwrap_or_else(|| panic!("{uid} missing"))
            .record
            .clone()
    };
    let standup = by("standup@example.com");
    assert_eq!(standup.calendar, "Work");
    assert_eq!(standup.title, "Stand, up; daily");
    assert!(
        standup
            .description
            .as_deref()
            .unwrap()
            .ends_with("folds at seventy-five octets")
    );
    assert_eq!(standup.overrides.len(), 2);
    // March 2026: Mondays and Wednesdays from the 2nd, minus the 4th (EXDATE), minus the 11th
    // (cancelled), plus the 7th (RDATE), the 9th moved to 10:00.
    let occ = expand(
        &standup,
        utc("2026-03-01T00:00:00Z"),
        utc("2026-04-01T00:00:00Z"),
        zone,
    )
    .unwrap();
    let starts: Vec<String> = occ
        .iter()
        .map(|o| match o.time {
            EventTime::Timed { start, .. } => start.local().format("%d %H:%M").to_string(),
            EventTime::AllDay { .. } => unreachable!(),
        })
        .collect();
    assert_eq!(
        starts,
        [
            "02 09:00", "07 09:00", "09 10:00", "16 09:00", "18 09:00", "23 09:00", "25 09:00",
            "30 09:00"
        ]
    );
    assert_eq!(occ[2].title, "Standup (moved)");

    let holiday = by("holiday");
    assert_eq!(
        holiday.time,
        EventTime::AllDay {
            start: "2026-04-06".parse().unwrap(),
            end: "2026-04-07".parse().unwrap()
        }
    );
    // A Windows zone name; no DTEND: an instant.
    match by("deadline").time {
        EventTime::Timed { start, end } => {
            assert_eq!(start.zone.name(), "Europe/Berlin");
            assert_eq!(start.utc, utc("2026-03-10T16:00:00Z"));
            assert_eq!(end, start);
        }
        t => panic!("{t:?}"),
    }
    // Floating time in the import zone, with a DURATION.
    match by("floating").time {
        EventTime::Timed { start, end } => {
            assert_eq!(start.zone, zone);
            assert_eq!(start.utc, utc("2026-03-12T11:00:00Z"));
            assert_eq!(end.utc - start.utc, Duration::minutes(45));
        }
        t => panic!("{t:?}"),
    }
    assert_eq!(by("bins").calendar, "Home");
    let orphan = by("orphan/20260320T100000");
    assert_eq!(
        orphan.title,
        "Moved occurrence of an event not in this file"
    );

    let t = tasks(&p);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].title, "File taxes");
    assert_eq!(t[0].priority, Priority::Urgent);
    assert_eq!(t[0].tags, ["money", "home"]);
    assert_eq!(
        t[0].due,
        Some(Due::Day {
            day: "2026-04-15".parse().unwrap()
        })
    );
    assert_eq!(t[0].created_at, utc("2026-01-02T10:00:00Z"));
}

#[test]
fn a_change_to_this_and_future_occurrences_moves_the_later_ones() {
    let text = "BEGIN:VCALENDAR\r
BEGIN:VEVENT\r
UID:210\r
DTSTART:20240901T120000Z\r
DTEND:20240901T140000Z\r
RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20240920\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:210\r
RECURRENCE-ID;RANGE=THISANDFUTURE:20240913T120000Z\r
DTSTART:20240913T090000Z\r
DTEND:20240913T160000Z\r
SUMMARY:Moved\r
END:VEVENT\r
END:VCALENDAR\r
";
    let p = read(text.as_bytes(), "x.ics", &opts()).unwrap();
    let e = &events(&p)[0];
    let spans: Vec<(String, i64)> = expand(
        &e.record,
        utc("2024-09-10T00:00:00Z"),
        utc("2024-10-01T00:00:00Z"),
        chrono_tz::UTC,
    )
    .unwrap()
    .iter()
    .map(|o| {
        let (s, e) = o.span(chrono_tz::UTC).unwrap();
        (s.format("%d %H").to_string(), (e - s).num_hours())
    })
    .collect();
    // The 11th as it was; from the 13th on, three hours earlier and seven hours long. UNTIL is a
    // date: midnight UTC of the 20th, as recurring-ical-events reads it.
    let want = [
        ("11 12", 2),
        ("13 09", 7),
        ("15 09", 7),
        ("17 09", 7),
        ("19 09", 7),
    ];
    let want: Vec<(String, i64)> = want.iter().map(|(s, h)| (s.to_string(), *h)).collect();
    assert_eq!(spans, want);
    // And it survives a round trip.
    let again = read(
        write(&events(&p), utc("2026-01-01T00:00:00Z"))
            .unwrap()
            .as_bytes(),
        "y.ics",
        &opts(),
    )
    .unwrap();
    assert_eq!(events(&again), events(&p));
}

#[test]
fn export_reads_back_to_the_same_events() {
    let p = read(SAMPLE.as_bytes(), "cal.ics", &opts()).unwrap();
    let before = events(&p);
    let text = write(&before, utc("2026-11-21T00:00:00Z")).unwrap();
    assert!(text.contains("BEGIN:VTIMEZONE"), "{text}");
    assert!(text.contains("X-WR-CALNAME:Home"), "{text}");
    let again = read(text.as_bytes(), "export.ics", &opts()).unwrap();
    assert!(again.skipped.is_empty(), "{:?}", again.skipped);
    let mut after = events(&again);
    let mut before = before;
    before.sort_by(|a, b| a.id.cmp(&b.id));
    after.sort_by(|a, b| a.id.cmp(&b.id));
    // The Windows zone was stored as its IANA zone, so it is written (and read) as that.
    assert_eq!(before, after);
    // And once more: the writer is stable.
    let text2 = write(&after, utc("2026-11-21T00:00:00Z")).unwrap();
    assert_eq!(text, text2);
}

#[test]
fn rules_are_kept_in_one_form() {
    assert_eq!(
        canonical_rule("byday=+3we,-1fr;freq=monthly;until=20260101T000000Z;x-name=1"),
        "FREQ=MONTHLY;UNTIL=20260101T000000Z;BYDAY=3WE,-1FR;X-NAME=1"
    );
    assert_eq!(duration("P1W"), Some(Duration::weeks(1)));
    assert_eq!(duration("-PT15M"), Some(Duration::minutes(-15)));
    assert_eq!(duration("P1DT2H3M4S"), Some(Duration::seconds(93_784)));
    for bad in [
        "",
        "P",
        "PT",
        "1H",
        "P1H",
        "PT1D",
        "P1",
        "P99999999999999999999D",
    ] {
        assert_eq!(duration(bad), None, "{bad}");
    }
}

#[test]
fn broken_files_are_refused_with_a_reason() {
    for (bytes, want) in [
        (&b""[..], "no BEGIN:VCALENDAR"),
        (b"hello\nworld\n", "no BEGIN:VCALENDAR"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T000000Z\r\n",
            "truncated",
        ),
    ] {
        let err = read(bytes, "bad.ics", &opts()).unwrap_err().to_string();
        assert!(err.contains(want) && err.contains("bad.ics"), "{err}");
    }
}

#[test]
fn events_that_cannot_be_kept_are_skipped_with_reasons() {
    let text = "BEGIN:VCALENDAR\r
BEGIN:VEVENT\r
UID:a\r
SUMMARY:No start\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:b\r
DTSTART;TZID=Mars/Olympus:20260101T100000\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:c\r
DTSTART:20260101T100000Z\r
DTEND:20260101T090000Z\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:d\r
DTSTART:20260101T100000Z\r
RRULE:FREQ=SOMETIMES\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:ok\r
DTSTART:20260101T100000Z\r
END:VEVENT\r
END:VCALENDAR\r
";
    let p = read(text.as_bytes(), "x.ics", &opts()).unwrap();
    let kept: Vec<_> = events(&p).into_iter().map(|e| e.id.to_string()).collect();
    assert_eq!(kept, ["ics-ok"]);
    let reasons: Vec<String> = p
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.what, s.reason))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(
        reasons[0].contains("event a") && reasons[0].contains("DTSTART"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("Mars/Olympus"), "{reasons:?}");
    assert!(reasons[2].contains("ends before"), "{reasons:?}");
    assert!(reasons[3].starts_with("event d"), "{reasons:?}");
}

/// Every ICS fixture imports; the counts are those of the files' VEVENTs (masters plus orphaned
/// changes) less the documented skips.
#[test]
fn shared_fixtures_import() {
    let Some(dir) = crate::import::shared_fixtures("ics") else {
        return;
    };
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ics"))
        .collect();
    names.sort();
    assert!(names.len() >= 16);
    for path in names {
        let bytes = std::fs::read(&path).unwrap();
        let p = read(&bytes, &path.display().to_string(), &opts())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let n = events(&p).len();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!(
            "{file}: {n} events, skipped {:?}, warnings {:?}",
            p.skipped, p.warnings
        );
        if file == "issue_722_timezone_transition_ambiguity.ics" {
            // A zone of its own (+12 then +10 in one year): no IANA zone keeps it.
            assert_eq!((n, p.skipped.len()), (0, 4), "{:?}", p.skipped);
        } else if file == "rfc_5545_RDATE_example.ics" {
            // RFC 5545's RDATE examples, each alone in a VEVENT without DTSTART.
            assert!(p.skipped.iter().all(|s| s.reason.contains("DTSTART")));
            assert_eq!(n, 0);
        } else {
            assert!(n > 0, "{file}");
            assert!(p.skipped.is_empty(), "{file}: {:?}", p.skipped);
        }
    }
}

/// A NUL byte or bytes that are not UTF-8 make the file unreadable as a calendar: refused whole,
/// naming the line, instead of imported with replaced characters.
#[test]
fn nul_and_invalid_utf8_are_refused_with_their_line() {
    let good = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260302T090000Z\r\nSUMMARY:Caf\u{e9}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert!(read(good.as_bytes(), "c.ics", &opts()).is_ok());
    // The same file saved as Latin-1: é is the single byte E9.
    let mut latin1 = good.replace('\u{e9}', "").into_bytes();
    let at = good.find("SUMMARY:").unwrap() + "SUMMARY:Caf".len();
    latin1.insert(at, 0xe9);
    assert_eq!(
        read(&latin1, "c.ics", &opts()).err().unwrap().to_string(),
        "c.ics, line 5: not valid UTF-8 text"
    );
    let nul = good.replace("UID:a", "UID:a\0b");
    assert_eq!(
        read(nul.as_bytes(), "c.ics", &opts())
            .err()
            .unwrap()
            .to_string(),
        "c.ics, line 3: a NUL byte: not calendar text"
    );
}
