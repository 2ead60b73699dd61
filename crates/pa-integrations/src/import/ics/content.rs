//! RFC 5545 content lines (§3.1) read into a tree of components, borrowing from the file.
//!
//! Why not calcard here (it still writes pa's exports and names Windows zones): calcard builds
//! every property of every component as owned, typed values, which is most of the time of an
//! import: 13 ms of the 20 ms pa took for a 1.6 MB Google export, against icalendar +
//! recurring-ical-events' 1.6 s. pa reads about twenty properties; this reader splits lines and
//! keeps slices of the file, unfolding (and so copying) only the folded lines, and the values are
//! parsed when a property is asked for.
//!
//! Lines: `NAME *(;PARAM=VALUE) : VALUE`, names in any case, parameter values optionally quoted
//! (a quoted value may hold `:`, `;` and `,`), CRLF or LF endings, folded lines (a line starting
//! with a space or a tab continues the previous one). A line that is not a content line is
//! counted and skipped; `BEGIN`/`END` build the tree: an `END` closes up to the component it
//! names, an `END` for nothing open is ignored, and a file that ends with components open is an
//! error (truncated).

use std::borrow::Cow;

/// The deepest nesting of components accepted (VCALENDAR > VTIMEZONE > STANDARD is 3).
const MAX_DEPTH: usize = 16;

/// One content line.
#[derive(Debug, Clone)]
pub(super) struct Property<'a> {
    /// Upper case.
    pub(super) name: Cow<'a, str>,
    /// Parameters, names upper case, values unquoted.
    params: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// The raw value (escapes not yet undone).
    pub(super) value: Cow<'a, str>,
}

impl Property<'_> {
    /// A parameter's value (`TZID`, `VALUE`, `RANGE`).
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.as_ref() == name)
            .map(|(_, v)| v.as_ref())
    }

    /// The value as text, escapes undone (§3.3.11).
    pub(super) fn text(&self) -> Cow<'_, str> {
        unescape(&self.value)
    }

    /// The comma-separated values, each as raw text (EXDATE, RDATE) or unescaped (CATEGORIES).
    pub(super) fn list(&self) -> impl Iterator<Item = &str> {
        split_unescaped(&self.value, ',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// A component: its kind (upper case), properties and sub-components.
#[derive(Debug, Clone, Default)]
pub(super) struct Component<'a> {
    pub(super) kind: Cow<'a, str>,
    pub(super) props: Vec<Property<'a>>,
    pub(super) children: Vec<Component<'a>>,
}

impl<'a> Component<'a> {
    /// The first property named `name`.
    pub(super) fn prop(&self, name: &str) -> Option<&Property<'a>> {
        self.props.iter().find(|p| p.name.as_ref() == name)
    }

    /// Every property named `name`.
    pub(super) fn props<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Property<'a>> {
        self.props.iter().filter(move |p| p.name.as_ref() == name)
    }

    /// A property's value as text, escapes undone; `None` when absent.
    pub(super) fn text(&self, name: &str) -> Option<Cow<'_, str>> {
        self.prop(name).map(Property::text)
    }
}

/// What a file holds: its top-level components (VCALENDARs) and the lines that were not
/// content lines.
#[derive(Debug, Default)]
pub(super) struct Document<'a> {
    pub(super) roots: Vec<Component<'a>>,
    pub(super) invalid_lines: usize,
}

/// Why a file cannot be read.
#[derive(Debug)]
pub(super) enum ContentError {
    /// Components left open at the end of the file.
    Truncated(String),
    /// Nesting beyond [`MAX_DEPTH`].
    TooDeep,
}

/// Reads the content lines of `text` into components.
pub(super) fn parse(text: &str) -> Result<Document<'_>, ContentError> {
    let mut doc = Document::default();
    let mut stack: Vec<Component<'_>> = Vec::new();
    for line in unfold(text) {
        let blank = is_blank(&line);
        let Some(p) = property(line) else {
            if !blank {
                doc.invalid_lines += 1;
            }
            continue;
        };
        match p.name.as_ref() {
            "BEGIN" => {
                if stack.len() >= MAX_DEPTH {
                    return Err(ContentError::TooDeep);
                }
                stack.push(Component {
                    kind: upper_cow(p.value),
                    ..Component::default()
                });
            }
            "END" => {
                let kind = p.value.trim().to_ascii_uppercase();
                // Close up to the component named; an END for nothing open is ignored.
                if stack.iter().any(|c| c.kind == kind) {
                    while let Some(done) = stack.pop() {
                        let matched = done.kind == kind;
                        match stack.last_mut() {
                            Some(parent) => parent.children.push(done),
                            None => doc.roots.push(done),
                        }
                        if matched {
                            break;
                        }
                    }
                }
            }
            _ => match stack.last_mut() {
                Some(top) => top.props.push(p),
                None => doc.invalid_lines += 1,
            },
        }
    }
    if let Some(open) = stack.last() {
        return Err(ContentError::Truncated(open.kind.to_string()));
    }
    Ok(doc)
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Lines with folding undone; a folded line is the only one copied.
fn unfold(text: &str) -> impl Iterator<Item = Cow<'_, str>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .peekable();
    std::iter::from_fn(move || {
        let first = lines.next()?;
        let mut line = Cow::Borrowed(first);
        while let Some(next) = lines.peek() {
            let Some(rest) = next.strip_prefix([' ', '\t']) else {
                break;
            };
            line.to_mut().push_str(rest);
            lines.next();
        }
        Some(line)
    })
}

fn upper_cow(s: Cow<'_, str>) -> Cow<'_, str> {
    let t = s.trim();
    if t.bytes().any(|b| b.is_ascii_lowercase()) || t.len() != s.len() {
        Cow::Owned(t.to_ascii_uppercase())
    } else {
        s
    }
}

fn upper(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(s.to_ascii_uppercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// One content line, or `None` when it is not one (no `:` after a name).
fn property(line: Cow<'_, str>) -> Option<Property<'_>> {
    // The value starts at the first ':' outside a quoted parameter value.
    let bytes = line.as_bytes();
    let mut quoted = false;
    let mut colon = None;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b':' if !quoted => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let head_end = colon;
    let valid_name =
        |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    match line {
        Cow::Borrowed(l) => {
            let (name, params) = head(&l[..head_end])?;
            if !valid_name(name) {
                return None;
            }
            Some(Property {
                name: upper(name),
                params: params
                    .into_iter()
                    .map(|(n, v)| (n, Cow::Borrowed(v)))
                    .collect(),
                value: Cow::Borrowed(&l[colon + 1..]),
            })
        }
        Cow::Owned(l) => {
            // A folded line: everything is copied out of the unfolded text.
            let (name, params) = head(&l[..head_end])?;
            if !valid_name(name) {
                return None;
            }
            let params = params
                .into_iter()
                .map(|(n, v)| (Cow::Owned(n.into_owned()), Cow::Owned(v.to_owned())))
                .collect();
            Some(Property {
                name: Cow::Owned(name.to_ascii_uppercase()),
                params,
                value: Cow::Owned(l[colon + 1..].to_owned()),
            })
        }
    }
}

/// `NAME;P=V;P="V"` → the name and the parameters.
#[allow(clippy::type_complexity)] // a pair of borrowed slices, read once by the caller
fn head(h: &str) -> Option<(&str, Vec<(Cow<'_, str>, &str)>)> {
    let mut parts = split_quoted(h, ';');
    let name = parts.next()?.trim();
    let mut params = Vec::new();
    for p in parts {
        let (n, v) = p.split_once('=')?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(v);
        params.push((upper(n.trim()), v));
    }
    Some((name, params))
}

/// Splits on `sep` outside double quotes.
fn split_quoted(s: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        let mut quoted = false;
        for (i, c) in r.char_indices() {
            if c == '"' {
                quoted = !quoted;
            } else if c == sep && !quoted {
                rest = Some(&r[i + 1..]);
                return Some(&r[..i]);
            }
        }
        rest = None;
        Some(r)
    })
}

/// Splits on `sep` where it is not escaped with a backslash.
fn split_unescaped(s: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        let mut escaped = false;
        for (i, c) in r.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == sep {
                rest = Some(&r[i + 1..]);
                return Some(&r[..i]);
            }
        }
        rest = None;
        Some(r)
    })
}

/// A basic-format date (`20260302`) or local date-time (`20260302T090000`), read by position
/// (chrono's format parser costs more than the rest of the line).
pub(super) fn date_time(v: &str) -> Option<chrono::NaiveDateTime> {
    let b = v.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date =
        chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(4..6)?, num(6..8)?)?;
    match b.len() {
        8 => date.and_hms_opt(0, 0, 0),
        15 if b[8].eq_ignore_ascii_case(&b'T') => {
            date.and_hms_opt(num(9..11)?, num(11..13)?, num(13..15)?)
        }
        _ => None,
    }
}

/// Undoes `\\`, `\;`, `\,`, `\n`, `\N`; a backslash before anything else stays.
pub(super) fn unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(e @ ('\\' | ';' | ',')) => out.push(e),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_unfold_split_and_unescape() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:vevent\r\nSUMMARY;LANGUAGE=en:Stand\\, up\\; now\\nplease\r\n\
DESCRIPTION:one \r\n two\r\n\tthree\r\nATTENDEE;CN=\"Doe, J: QA\";ROLE=CHAIR:mailto:j@example.com\r\n\
dtstart;tzid=Europe/Berlin:20260302T090000\r\nnot a line\r\nEXDATE:20260304T090000,20260305T090000\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
        let doc = parse(text).unwrap();
        assert_eq!(doc.invalid_lines, 1);
        let ev = &doc.roots[0].children[0];
        assert_eq!(ev.kind, "VEVENT");
        assert_eq!(ev.text("SUMMARY").unwrap(), "Stand, up; now\nplease");
        assert_eq!(ev.text("DESCRIPTION").unwrap(), "one twothree");
        let a = ev.prop("ATTENDEE").unwrap();
        assert_eq!(a.param("CN"), Some("Doe, J: QA"));
        assert_eq!(a.value, "mailto:j@example.com");
        let d = ev.prop("DTSTART").unwrap();
        assert_eq!(d.param("TZID"), Some("Europe/Berlin"));
        let ex: Vec<&str> = ev.prop("EXDATE").unwrap().list().collect();
        assert_eq!(ex, ["20260304T090000", "20260305T090000"]);
    }

    #[test]
    fn ends_close_what_they_name_and_truncation_is_an_error() {
        let doc =
            parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nEND:VCALENDAR\nEND:VTODO\n").unwrap();
        assert_eq!(doc.roots.len(), 1);
        assert_eq!(doc.roots[0].children[0].text("UID").unwrap(), "a");
        assert!(matches!(
            parse("BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\n"),
            Err(ContentError::Truncated(k)) if k == "VEVENT"
        ));
        let deep = "BEGIN:X\n".repeat(100);
        assert!(matches!(parse(&deep), Err(ContentError::TooDeep)));
        assert_eq!(unescape("a\\\\b\\x\\"), "a\\b\\x\\");
    }
}
