//! A small element tree over quick-xml for the XML formats (GPX, TCX): names without namespace
//! prefixes, attributes, text with entity and character references resolved. Bounded: nesting
//! deeper than [`MAX_DEPTH`] is an error, so hostile input cannot recurse without end, and the
//! tree is never larger than the input.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::{Error, Result};

/// The deepest nesting accepted (GPX and TCX need fewer than ten levels).
pub(crate) const MAX_DEPTH: usize = 64;

/// An element.
#[derive(Debug, Default)]
pub(crate) struct Element {
    /// Local name (`trkpt`, `hr` for `gpxtpx:hr`).
    pub(crate) name: String,
    /// Attributes by local name.
    pub(crate) attrs: Vec<(String, String)>,
    /// Child elements, in order.
    pub(crate) children: Vec<Element>,
    /// The element's own text, trimmed.
    pub(crate) text: String,
}

impl Element {
    /// The first child named `name`.
    pub(crate) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The children named `name`.
    pub(crate) fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the element at `path` below this one (`["HeartRateBpm", "Value"]`).
    pub(crate) fn text_at(&self, path: &[&str]) -> Option<&str> {
        let mut e = self;
        for p in path {
            e = e.child(p)?;
        }
        Some(e.text.as_str()).filter(|t| !t.is_empty())
    }

    /// The attribute `name`.
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every descendant (depth first) named `name`.
    pub(crate) fn descendants<'a>(&'a self, name: &'a str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_owned()
}

/// The 1-based line of byte `pos` in `text`.
fn line_of(text: &str, pos: u64) -> u64 {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

/// Parses `bytes` (UTF-8, an optional BOM) into its root element.
pub(crate) fn parse(bytes: &[u8], source: &str) -> Result<Element> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|e| Error::parse(source, None, format!("not UTF-8 ({e})")))?;
    let mut reader = Reader::from_str(text);
    // Text is trimmed per element at its end, not per piece: entity references arrive as
    // separate events, and trimming the pieces would eat the spaces around them.
    let mut stack: Vec<Element> = vec![Element::default()];
    let bad = |reader: &Reader<&[u8]>, reason: String| {
        Error::parse(
            source,
            Some(line_of(
                text,
                reader.error_position().max(reader.buffer_position()),
            )),
            reason,
        )
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| bad(&reader, e.to_string()))?;
        let is_empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(s) | Event::Empty(s) => {
                if stack.len() > MAX_DEPTH {
                    return Err(bad(
                        &reader,
                        format!("nested deeper than {MAX_DEPTH} elements"),
                    ));
                }
                let mut e = Element {
                    name: local(s.name().as_ref()),
                    ..Element::default()
                };
                for a in s.attributes() {
                    let a = a.map_err(|err| bad(&reader, err.to_string()))?;
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(|err| bad(&reader, err.to_string()))?;
                    e.attrs.push((local(a.key.as_ref()), value.into_owned()));
                }
                if is_empty {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(e);
                    }
                } else {
                    stack.push(e);
                }
            }
            Event::End(_) => {
                let Some(mut done) = stack.pop() else {
                    return Err(bad(&reader, "unbalanced end tag".into()));
                };
                let trimmed = done.text.trim();
                if trimmed.len() != done.text.len() {
                    done.text = trimmed.to_owned();
                }
                let Some(parent) = stack.last_mut() else {
                    return Err(bad(&reader, "unbalanced end tag".into()));
                };
                parent.children.push(done);
            }
            Event::Text(t) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(t.as_ref());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.xml10_content().as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let (Some(c), Some(e)) = (c, stack.last_mut()) {
                    e.text.push(c);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => {}
        }
    }
    if stack.len() != 1 {
        return Err(Error::parse(
            source,
            Some(line_of(text, reader.buffer_position())),
            "the file ends inside an element",
        ));
    }
    let mut top = stack.pop().unwrap_or_default();
    match top.children.len() {
        1 => Ok(top.children.remove(0)),
        0 => Err(Error::parse(source, None, "no XML element found")),
        _ => Err(Error::parse(source, None, "more than one root element")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_text_and_references() {
        let root = parse(
            b"\xEF\xBB\xBF<?xml version=\"1.0\"?><a x=\"1 &amp; 2\"><ns:b>Caf&#233; &amp; Co</ns:b><c/></a>",
            "t.xml",
        )
        .unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("x"), Some("1 & 2"));
        assert_eq!(root.text_at(&["b"]), Some("Café & Co"));
        assert!(root.child("c").is_some());
    }

    #[test]
    fn bad_input_is_a_parse_error_with_a_line() {
        for (text, line) in [
            ("<a>\n<b>\n</a>", Some(3)),
            ("<a>\n<b>", Some(2)),
            ("", None),
            ("<a/><b/>", None),
        ] {
            match parse(text.as_bytes(), "t.xml") {
                Err(Error::Parse { line: l, .. }) => assert_eq!(l, line, "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let deep = "<a>".repeat(MAX_DEPTH + 2);
        assert!(parse(deep.as_bytes(), "deep.xml").is_err());
        assert!(parse(&[0xff, 0xfe, 0x00], "bin").is_err());
    }
}
