//! Hierarchical categories: `Food/Groceries` is a child of `Food`.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A category path from the root, e.g. `Food/Groceries`. Sums over a category include its
/// descendants ([`Category::ancestors`] gives the roll-up).
///
/// Held as one shared string (the canonical path with `/` separators), so that the thousands of
/// transactions of one category can share it and hashing it is one short string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Category(Arc<str>);

impl Category {
    /// A category from its path segments (trimmed; none may be empty or contain `/` or `>`).
    pub fn new<S: AsRef<str>>(segments: impl IntoIterator<Item = S>) -> Result<Self> {
        let mut path = String::new();
        for seg in segments {
            let seg = seg.as_ref().trim();
            if seg.is_empty() || seg.contains(['/', '>']) || seg.chars().any(char::is_control) {
                return Err(Error::invalid(
                    "category",
                    format!("segment '{seg}' is empty or contains '/', '>' or a control character"),
                ));
            }
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(seg);
        }
        if path.is_empty() {
            return Err(Error::invalid("category", "is empty"));
        }
        Ok(Self(path.into()))
    }

    /// The canonical path, `Food/Groceries`.
    pub fn path(&self) -> &str {
        &self.0
    }

    /// The path segments, root first.
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/')
    }

    /// Depth: 1 for a top-level category.
    pub fn depth(&self) -> usize {
        self.0.matches('/').count() + 1
    }

    /// The parent, or `None` at the top.
    pub fn parent(&self) -> Option<Category> {
        self.0.rfind('/').map(|i| Category(self.0[..i].into()))
    }

    /// This category and every ancestor, the category itself first.
    pub fn ancestors(&self) -> impl Iterator<Item = Category> + '_ {
        std::iter::successors(Some(self.clone()), Category::parent)
    }

    /// True when `self` is `other` or lies under it.
    pub fn is_within(&self, other: &Category) -> bool {
        self.0.len() >= other.0.len()
            && self.0.starts_with(&*other.0)
            && (self.0.len() == other.0.len() || self.0.as_bytes()[other.0.len()] == b'/')
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Category {
    type Err = Error;
    /// Parses `Food/Groceries` or `Food > Groceries`.
    fn from_str(s: &str) -> Result<Self> {
        Category::new(s.split(['/', '>']))
    }
}

impl TryFrom<String> for Category {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<Category> for String {
    fn from(c: Category) -> String {
        c.0.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_rollup() {
        let c: Category = "Food > Groceries".parse().unwrap();
        assert_eq!(c.to_string(), "Food/Groceries");
        assert_eq!(c, "Food/Groceries".parse().unwrap());
        let up: Vec<String> = c.ancestors().map(|a| a.to_string()).collect();
        assert_eq!(up, ["Food/Groceries", "Food"]);
        assert!(c.is_within(&"Food".parse().unwrap()));
        assert!(!c.is_within(&"Fo".parse().unwrap()));
        assert!(
            !"Foods"
                .parse::<Category>()
                .unwrap()
                .is_within(&"Food".parse().unwrap())
        );
        assert_eq!(c.depth(), 2);
        assert_eq!(c.segments().collect::<Vec<_>>(), ["Food", "Groceries"]);
        assert_eq!(c.parent().unwrap().to_string(), "Food");
        assert!("".parse::<Category>().is_err());
        assert!("Food//Groceries".parse::<Category>().is_err());
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"Food/Groceries\"");
    }
}
