//! Everyday writes: what a person records by hand (habits checked, tasks, events, reminders,
//! notes, check-ins, memories, expenses, budgets, activities, weigh-ins, planned workouts), once
//! for every front end.
//!
//! Every write is built here from plain inputs, checked by pa-core's rules when the store applies
//! it, audited under the person's origin, and returned as stored with what it changed. Records
//! are found by id or by name ([`pa_core::lookup`]); a name two records share is an error asking
//! for the id. New records get short deterministic ids ([`pa_core::ids::mint`]). A record given
//! an external id keeps one identity: writing it again changes nothing.

mod body;
mod calendar;
mod draft;
mod habits;
mod journal;
mod money;
mod tasks;

use pa_core::lookup::{self, Miss};
use pa_core::ports::{Record, RecordRef, UserStore, WriteBatch, WriteReport};
use serde::Serialize;

pub use body::{NewActivity, NewWorkout};
pub use calendar::{EditScope, EventChanges, NewEvent};
pub use draft::Entry;
pub use habits::HabitChanges;
pub use money::{NewBill, NewExpense};
pub use tasks::{NewTask, TaskChanges, TaskFilter};

use super::Person;
use crate::error::{Error, Result};

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// A new record.
    Added,
    /// A record changed.
    Updated,
    /// The record was already so: nothing was written.
    Unchanged,
    /// The record was removed.
    Deleted,
    /// A dry run: checked, not stored.
    Preview,
}

impl Change {
    fn of(report: &WriteReport) -> Self {
        if report.deleted > 0 {
            Change::Deleted
        } else if report.added > 0 {
            Change::Added
        } else if report.updated > 0 {
            Change::Updated
        } else {
            Change::Unchanged
        }
    }
}

/// A record as a write left it, and what the write did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Written<T> {
    /// What was done.
    pub change: Change,
    /// The record as stored (as it was, for a deletion).
    pub record: T,
}

impl Person {
    /// Applies `batch` under the person's origin, or on a dry run checks its records by pa-core's
    /// rules and writes nothing.
    fn commit(&self, batch: WriteBatch) -> Result<Change> {
        Ok(self.commit_report(batch)?.0)
    }

    /// [`Person::commit`], with the store's report (empty on a dry run).
    fn commit_report(&self, mut batch: WriteBatch) -> Result<(Change, WriteReport)> {
        if self.dry_run {
            for doc in &batch.records {
                doc.visit(Check)?;
            }
            for a in &batch.activities {
                a.validate()?;
            }
            return Ok((Change::Preview, WriteReport::default()));
        }
        batch.origin = Some(self.origin.to_string());
        let report = self.handle.apply(&batch)?;
        Ok((Change::of(&report), report))
    }

    /// Writes one record; returns it with what the write did.
    fn put<R: Record>(&self, record: R) -> Result<Written<R>> {
        let change = self.commit(WriteBatch {
            records: vec![record.clone().into()],
            ..WriteBatch::default()
        })?;
        Ok(Written { change, record })
    }

    /// Deletes one record (its children with it).
    fn remove<R: Record>(&self, record: R) -> Result<Written<R>> {
        let change = self.commit(WriteBatch {
            deletions: vec![RecordRef::new(R::KIND, record.key())],
            ..WriteBatch::default()
        })?;
        Ok(Written {
            change: if change == Change::Unchanged {
                Change::Deleted
            } else {
                change
            },
            record,
        })
    }

    /// A new id with `prefix` for a record about `text`, not yet taken by a record of kind `R`.
    fn mint<R: Record>(&self, prefix: &str, text: &str) -> Result<String> {
        let now = self.now();
        for attempt in 0..16 {
            let id = pa_core::ids::mint(prefix, now, text, attempt);
            if self.handle.record::<R>(&id)?.is_none() {
                return Ok(id);
            }
        }
        Err(Error::Conflict {
            what: format!("{} id", R::KIND),
            reason: "no free id after 16 tries".into(),
        })
    }
}

/// Checks a record's own rules, as a store does before writing it.
struct Check;

impl pa_core::ports::RecordVisitor for Check {
    type Output = pa_core::Result<()>;
    fn visit<R: Record>(self, record: &R) -> pa_core::Result<()> {
        record.validate()
    }
}

/// The one item `reference` names among `items` (a `what`, "habit"): not found and ambiguous
/// references are errors that say so.
fn one<'a, T>(
    items: &'a [T],
    what: &str,
    reference: &str,
    id: impl Fn(&T) -> &str,
    name: impl Fn(&T) -> &str,
    partial: bool,
) -> Result<&'a T> {
    lookup::find(items, reference, &id, &name, partial).map_err(|miss| match miss {
        Miss::None => Error::NotFound {
            what: format!("{what} '{}'{}", reference.trim(), known(items, &name)),
        },
        many => many
            .ambiguity(what, reference)
            .map_or_else(|| Error::NotFound { what: what.into() }, Error::Core),
    })
}

/// The names a person could have meant, when there are few enough to read at a glance: a typo
/// is then fixed without another command.
fn known<T>(items: &[T], name: impl Fn(&T) -> &str) -> String {
    const AT_A_GLANCE: usize = 12;
    if items.is_empty() || items.len() > AT_A_GLANCE {
        return String::new();
    }
    let names: Vec<&str> = items.iter().map(name).collect();
    format!(" (there are: {})", names.join(", "))
}

#[cfg(test)]
mod tests;
