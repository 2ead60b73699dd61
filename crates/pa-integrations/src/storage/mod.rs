//! Storage adapters behind `pa_core::ports::UserStore`: SQLite for real use, memory for tests and
//! embedding. Both pass the same conformance suite.

pub mod memory;
pub mod sqlite;
pub mod transfer;

#[cfg(any(test, feature = "testing"))]
pub mod conformance;

use pa_core::ids::ExternalRef;
use pa_core::ports::{AuditAction, RecordKind, WriteReport};

/// A stable content hash (FNV-1a, 64 bits, hex) of a record's JSON, to tell unchanged writes.
pub(crate) fn content_hash(json: &str) -> String {
    let h = json.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// The (source, external id) columns of an optional reference.
pub(crate) fn ext_columns(r: Option<&ExternalRef>) -> (Option<&str>, Option<&str>) {
    r.map_or((None, None), |r| (Some(r.source()), Some(r.external_id())))
}

/// Counts what a batch does and, when it has an origin, remembers each change for the audit log.
pub(crate) struct Tally {
    pub(crate) report: WriteReport,
    pub(crate) changes: Option<Vec<(RecordKind, String, AuditAction)>>,
}

impl Tally {
    /// A tally that keeps changes when `audit` is set.
    pub(crate) fn new(audit: bool) -> Self {
        Self {
            report: WriteReport::default(),
            changes: audit.then(Vec::new),
        }
    }

    pub(crate) fn change(&mut self, kind: RecordKind, key: &str, action: AuditAction) {
        match action {
            AuditAction::Added => self.report.added += 1,
            AuditAction::Updated => self.report.updated += 1,
            AuditAction::Deleted => self.report.deleted += 1,
        }
        if let Some(c) = &mut self.changes {
            c.push((kind, key.to_owned(), action));
        }
    }
}

/// The batch's origin, checked: `None`, or text that is not blank.
pub(crate) fn origin(batch: &pa_core::ports::WriteBatch) -> crate::error::Result<Option<&str>> {
    match batch.origin.as_deref() {
        Some(o) if o.trim().is_empty() => Err(crate::error::Error::Core(pa_core::Error::invalid(
            "origin",
            "must not be blank",
        ))),
        o => Ok(o),
    }
}

/// A record stored by pa's id and matched by its external reference.
pub(crate) trait Keyed: Clone + serde::Serialize {
    /// pa's id.
    fn key(&self) -> &str;
    /// The source's reference.
    fn external(&self) -> Option<&ExternalRef>;
    /// Takes the id it is stored under.
    fn set_key(&mut self, id: String) -> crate::error::Result<()>;
}

macro_rules! keyed {
    ($t:ty, $id:ty) => {
        impl Keyed for $t {
            fn key(&self) -> &str {
                self.id.as_str()
            }
            fn external(&self) -> Option<&ExternalRef> {
                self.external.as_ref()
            }
            fn set_key(&mut self, id: String) -> crate::error::Result<()> {
                self.id = <$id>::new(id)?;
                Ok(())
            }
        }
    };
}

keyed!(pa_core::fitness::Activity, pa_core::ids::ActivityId);
keyed!(pa_core::finance::Account, pa_core::ids::AccountId);
keyed!(pa_core::finance::Transaction, pa_core::ids::TransactionId);
