//! TZID → IANA zone. pa keeps every time with an IANA zone, so a file's zone names are mapped to
//! one: by name (IANA names in any case, Windows names and `(UTC+01:00) …` forms through calcard,
//! names with a vendor prefix such as `/mozilla.org/20070129_1/Europe/Berlin` or
//! `custom_America/New_York`, X-LIC-LOCATION), checked against the file's own VTIMEZONE when
//! there is one, which is authoritative: when the named zone disagrees with it, or no name
//! resolves, the zone is the first IANA zone (preferring continental `Area/City` names) that keeps
//! the same UTC offsets between every pair of the definition's transitions from 1990 to 2037. Transition instants themselves are not compared,
//! so a definition that switches at 02:00 local where its region's rules say 01:00 UTC still finds
//! its region; a definition no IANA zone follows is reported, and the events using it are skipped.

use std::str::FromStr;

use calcard::common::timezone::Tz as CalTz;
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use pa_core::calendar::recurrence::Recurrence;

use super::content::Component;

/// The zone `name` means in `cal`, or why there is none. A VTIMEZONE in the file is authoritative
/// for its TZID (RFC 5545 §3.6.5): a zone found by name is used only if it keeps the definition's
/// offsets; otherwise the definition's rules choose.
pub(super) fn resolve(components: &[Component<'_>], name: &str) -> Result<Tz, String> {
    let name = name.trim().trim_matches('"');
    let definition = components
        .iter()
        .find(|c| c.kind == "VTIMEZONE" && tz_id(c).as_deref() == Some(name));
    // Lotus and Outlook name the zone again in their own properties.
    let named = by_name(name).or_else(|| {
        let d = definition?;
        d.text("X-LIC-LOCATION")
            .and_then(|l| by_name(l.trim().trim_start_matches("SystemV/")))
            .or_else(
                || match CalTz::from_ms_cdo_zone_id(d.text("X-MICROSOFT-CDO-TZID")?.trim()) {
                    Some(CalTz::Tz(tz)) => Some(tz),
                    _ => None,
                },
            )
    });
    let Some(definition) = definition else {
        return named.ok_or_else(|| {
            format!("time zone '{name}' is neither an IANA or Windows name nor defined in the file")
        });
    };
    let points = checkpoints(&onsets(definition));
    match named {
        Some(tz) if points.is_empty() || agrees(&tz, &points) => Ok(tz),
        _ => by_rules(&points).ok_or_else(|| {
            format!(
                "time zone '{name}' follows the rules of no IANA zone (its VTIMEZONE is its own)"
            )
        }),
    }
}

fn agrees(tz: &Tz, points: &[(DateTime<Utc>, i32)]) -> bool {
    points.iter().all(|(t, off)| {
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc()
            == *off
    })
}

fn tz_id<'c>(c: &'c Component<'_>) -> Option<std::borrow::Cow<'c, str>> {
    c.text("TZID")
}

fn by_name(name: &str) -> Option<Tz> {
    let direct = |n: &str| match CalTz::from_str(n) {
        Ok(CalTz::Tz(tz)) => Some(tz),
        _ => Tz::from_str_insensitive(n).ok(),
    };
    if let Some(tz) = direct(name) {
        return Some(tz);
    }
    // Vendor prefixes: try what follows each '/' or '_', longest first.
    name.char_indices()
        .filter(|(_, c)| *c == '/' || *c == '_')
        .map(|(i, _)| &name[i + 1..])
        .filter(|rest| rest.contains('/'))
        .find_map(direct)
}

/// The definition's transitions: (instant, offset in seconds from then on), in order.
fn onsets(definition: &Component<'_>) -> Vec<(DateTime<Utc>, i32)> {
    // Checkpoints lie in 1990–2037; the onsets just before and after that are enough.
    let (from, to) = (year_start(1985), year_start(2040));
    let mut out = Vec::new();
    for c in &definition.children {
        if !matches!(c.kind.as_ref(), "STANDARD" | "DAYLIGHT") {
            continue;
        }
        let (Some(start), Some(off_from), Some(off_to)) = (
            c.prop("DTSTART").and_then(|p| local(&p.value)),
            c.prop("TZOFFSETFROM").and_then(|p| offset(&p.value)),
            c.prop("TZOFFSETTO").and_then(|p| offset(&p.value)),
        ) else {
            continue;
        };
        let mut locals = vec![start];
        let rec = Recurrence {
            rrules: c
                .props("RRULE")
                .map(|p| p.value.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
            ..Recurrence::default()
        };
        if !rec.rrules.is_empty()
            && let Ok(found) = rec.expand(start, chrono_tz::UTC, from, to)
        {
            locals.extend(found.iter().map(|t| t.naive_local()));
        }
        locals.extend(c.props("RDATE").flat_map(|p| p.list()).filter_map(local));
        for l in locals {
            out.push((
                Utc.from_utc_datetime(&l) - Duration::seconds(i64::from(off_from)),
                off_to,
            ));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A local date-time (`19701025T030000`) or date.
fn local(text: &str) -> Option<NaiveDateTime> {
    super::content::date_time(text.trim())
}

/// A UTC offset (`+0100`, `-0530`, `+013045`) in seconds.
fn offset(text: &str) -> Option<i32> {
    let t = text.trim();
    let (sign, digits) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<i32>().ok());
    let seconds = n(0..2)? * 3600 + n(2..4)? * 60 + if digits.len() == 6 { n(4..6)? } else { 0 };
    Some(sign * seconds)
}

fn year_start(year: i32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
        .unwrap_or_default()
}

/// Instants (and the offset the definition has then) that an IANA zone must agree with.
fn checkpoints(onsets: &[(DateTime<Utc>, i32)]) -> Vec<(DateTime<Utc>, i32)> {
    let (lo, hi) = (year_start(1990), year_start(2038));
    let Some(&(first, first_offset)) = onsets.first() else {
        return Vec::new();
    };
    let mut points = Vec::new();
    // The offset before the first onset is unknown (TZOFFSETFROM of the first onset is the
    // best guess, but it often describes a time before the zone existed), so start after it.
    for pair in onsets.windows(2) {
        let (a, off) = pair[0];
        let b = pair[1].0;
        let mid = a + (b - a) / 2;
        // A DTSTART that is not on its own rule's day (Oct 26 for "last Sunday of October")
        // makes a short interval no real zone has: skip those.
        if b - a >= Duration::days(14) && mid >= lo && mid < hi {
            points.push((mid, off));
        }
    }
    if let Some(&(last, off)) = onsets.last() {
        let after = (last + Duration::days(90)).max(lo);
        if after < hi {
            points.push((after, off));
        }
    }
    if points.is_empty() && first < hi {
        points.push((first.max(lo), first_offset));
    }
    points
}

fn by_rules(points: &[(DateTime<Utc>, i32)]) -> Option<Tz> {
    if points.is_empty() {
        return None;
    }
    const AREAS: [&str; 9] = [
        "Europe/",
        "America/",
        "Asia/",
        "Africa/",
        "Australia/",
        "Pacific/",
        "Atlantic/",
        "Indian/",
        "Antarctica/",
    ];
    let continental = |tz: &Tz| AREAS.iter().any(|a| tz.name().starts_with(a));
    AREAS
        .iter()
        .flat_map(|a| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .filter(move |tz| tz.name().starts_with(a))
        })
        .chain(chrono_tz::TZ_VARIANTS.iter().filter(|tz| !continental(tz)))
        .find(|tz| agrees(tz, points))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones(text: &str) -> Vec<Component<'_>> {
        let doc = super::super::content::parse(text).unwrap();
        doc.roots
            .into_iter()
            .next()
            .map(|c| c.children)
            .unwrap_or_default()
    }

    #[test]
    fn names_resolve_through_vendor_prefixes_and_windows_names() {
        let cal = zones("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
        for (name, want) in [
            ("Europe/Berlin", "Europe/Berlin"),
            ("europe/lisbon", "Europe/Lisbon"),
            ("/mozilla.org/20070129_1/Europe/Berlin", "Europe/Berlin"),
            ("custom_America/New_York", "America/New_York"),
            ("W. Europe Standard Time", "Europe/Berlin"),
            ("\"America/Chicago\"", "America/Chicago"),
        ] {
            assert_eq!(resolve(&cal, name).unwrap().name(), want, "{name}");
        }
        let err = resolve(&cal, "Nowhere Standard").unwrap_err();
        assert!(err.contains("Nowhere Standard"), "{err}");
    }

    const OWN: &str = "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Western/Central Europe\r\n\
BEGIN:STANDARD\r\nDTSTART:19501029T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n\
TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n\
DTSTART:19500326T020000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nTZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
BEGIN:VTIMEZONE\r\nTZID:Odd\r\nBEGIN:STANDARD\r\nDTSTART:20240101T000000\r\n\
TZOFFSETFROM:+1000\r\nTZOFFSETTO:+1200\r\nEND:STANDARD\r\nBEGIN:DAYLIGHT\r\n\
DTSTART:20240505T080000\r\nTZOFFSETFROM:+1200\r\nTZOFFSETTO:+1000\r\nEND:DAYLIGHT\r\n\
END:VTIMEZONE\r\nEND:VCALENDAR\r\n";

    #[test]
    fn an_unknown_name_is_matched_by_its_rules() {
        let cal = zones(OWN);
        let tz = resolve(&cal, "Western/Central Europe").unwrap();
        let summer = Utc.with_ymd_and_hms(2024, 7, 1, 12, 0, 0).unwrap();
        let winter = Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0).unwrap();
        let off = |t: DateTime<Utc>| {
            tz.offset_from_utc_datetime(&t.naive_utc())
                .fix()
                .local_minus_utc()
        };
        assert_eq!((off(winter), off(summer)), (3600, 7200), "{}", tz.name());
        assert!(tz.name().starts_with("Europe/"), "{}", tz.name());
        // +12 then +10 in the same year: no IANA zone does that.
        let err = resolve(&cal, "Odd").unwrap_err();
        assert!(err.contains("no IANA zone"), "{err}");
    }
}
