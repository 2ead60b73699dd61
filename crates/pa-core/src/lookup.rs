//! Finding a record by what a person types: its id or its name.
//!
//! Rules, in order: an exact id wins; then names equal ignoring case and surrounding space; then,
//! where partial matches are allowed (task titles), names containing the text ignoring case. Two
//! or more matches at the first rule that matches anything is ambiguous: the caller is asked for
//! the id rather than given a guess.

use crate::error::Error;

/// Why a reference found no single record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// Nothing matches.
    None,
    /// Several match: their ids and names, in the order given.
    Many(Vec<(String, String)>),
}

impl Miss {
    /// The error for a miss of a `what` ("habit") by `reference`: `None` when nothing matched
    /// (the caller reports "not found" in its own terms), else the ambiguity, listing the ids.
    pub fn ambiguity(&self, what: &str, reference: &str) -> Option<Error> {
        match self {
            Miss::None => None,
            Miss::Many(found) => {
                let list: Vec<String> = found
                    .iter()
                    .map(|(id, name)| format!("{id} ({name})"))
                    .collect();
                Some(Error::invalid(
                    what,
                    format!(
                        "'{}' matches {} of them: {}; give the id",
                        reference.trim(),
                        found.len(),
                        list.join(", ")
                    ),
                ))
            }
        }
    }
}

/// The one item `reference` names among `items`, by [the rules](self).
pub fn find<'a, T>(
    items: &'a [T],
    reference: &str,
    id: impl Fn(&T) -> &str,
    name: impl Fn(&T) -> &str,
    partial: bool,
) -> Result<&'a T, Miss> {
    let wanted = reference.trim();
    if let Some(hit) = items.iter().find(|t| id(t) == wanted) {
        return Ok(hit);
    }
    let lower = wanted.to_lowercase();
    let exact: Vec<&T> = items
        .iter()
        .filter(|t| name(t).trim().to_lowercase() == lower)
        .collect();
    let hits = if exact.is_empty() && partial && !lower.is_empty() {
        items
            .iter()
            .filter(|t| name(t).to_lowercase().contains(&lower))
            .collect()
    } else {
        exact
    };
    match hits.as_slice() {
        [] => Err(Miss::None),
        [one] => Ok(one),
        many => Err(Miss::Many(
            many.iter()
                .map(|t| (id(t).to_owned(), name(t).to_owned()))
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<(&'static str, &'static str)> {
        vec![
            ("t-1", "Renew passport"),
            ("t-2", "Passport photos"),
            ("t-3", "Buy milk"),
            ("t-4", "buy milk "),
        ]
    }

    fn get(reference: &str, partial: bool) -> Result<&'static str, Miss> {
        let all = items();
        find(&all, reference, |t| t.0, |t| t.1, partial).map(|t| t.0)
    }

    #[test]
    fn ids_then_names_then_parts() {
        assert_eq!(get("t-2", true), Ok("t-2"));
        assert_eq!(get(" renew PASSPORT ", false), Ok("t-1"));
        assert_eq!(get("photos", true), Ok("t-2"));
        assert_eq!(get("photos", false), Err(Miss::None));
        assert_eq!(get("nothing", true), Err(Miss::None));
    }

    #[test]
    fn ambiguity_asks_for_the_id() {
        let miss = get("passport", true).unwrap_err();
        assert_eq!(
            miss.ambiguity("task", "passport"),
            Some(Error::invalid(
                "task",
                "'passport' matches 2 of them: t-1 (Renew passport), t-2 (Passport photos); give the id"
            ))
        );
        // Two equal names are ambiguous even though each matches exactly.
        assert_eq!(
            get("Buy milk", true),
            Err(Miss::Many(vec![
                ("t-3".into(), "Buy milk".into()),
                ("t-4".into(), "buy milk ".into())
            ]))
        );
        assert_eq!(Miss::None.ambiguity("task", "x"), None);
    }
}
