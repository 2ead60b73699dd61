//! Hierarchical categories: `Food/Groceries` is a child of `Food`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A category path from the root, e.g. `["Food", "Groceries"]`, written `Food/Groceries`.
/// Sums over a category include its descendants ([`Category::ancestors`] gives the roll-up).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Category(Vec<String>);

impl Category {
    /// A category from its path segments (trimmed; none may be empty or contain `/` or `>`).
    pub fn new<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Result<Self> {
        let segments: Vec<String> = segments
            .into_iter()
            .map(|s| s.into().trim().to_owned())
            .collect();
        if segments.is_empty() {
            return Err(Error::invalid("category", "is empty"));
        }
        if let Some(bad) = segments
            .iter()
            .find(|s| s.is_empty() || s.contains(['/', '>']) || s.chars().any(char::is_control))
        {
            return Err(Error::invalid(
                "category",
                format!("segment '{bad}' is empty or contains '/', '>' or a control character"),
            ));
        }
        Ok(Self(segments))
    }

    /// The path segments, root first.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// Depth: 1 for a top-level category.
    pub fn depth(&self) -> usize {
        self.0.len()
    }

    /// The parent, or `None` at the top.
    pub fn parent(&self) -> Option<Category> {
        (self.0.len() > 1).then(|| Category(self.0[..self.0.len() - 1].to_vec()))
    }

    /// This category and every ancestor, the category itself first.
    pub fn ancestors(&self) -> impl Iterator<Item = Category> + '_ {
        (1..=self.0.len())
            .rev()
            .map(|n| Category(self.0[..n].to_vec()))
    }

    /// True when `self` is `other` or lies under it.
    pub fn is_within(&self, other: &Category) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
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
        c.to_string()
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
        assert_eq!(c.parent().unwrap().to_string(), "Food");
        assert!("".parse::<Category>().is_err());
        assert!("Food//Groceries".parse::<Category>().is_err());
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"Food/Groceries\"");
    }
}
