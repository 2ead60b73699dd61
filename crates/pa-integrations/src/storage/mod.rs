//! Storage adapters behind `pa_core::ports::UserStore`: SQLite for one person's file, PostgreSQL
//! for a service of many people, memory for tests and embedding. All pass the same conformance
//! suite.

pub mod memory;
pub mod postgres;
pub mod sqlite;
pub mod transfer;
pub(crate) mod vault;

#[cfg(any(test, feature = "testing"))]
pub mod conformance;

use pa_core::ids::ExternalRef;
use pa_core::ports::upsert::Upsert;
use pa_core::ports::{AuditAction, RecordKind, WriteReport};

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

    /// Counts what pa-core's upsert rule decided; the record to write (under its stored key) with
    /// its JSON and content hash, or `None` when it is unchanged.
    pub(crate) fn count<T>(
        &mut self,
        kind: RecordKind,
        planned: Upsert<T>,
    ) -> Option<(T, String, String)> {
        match planned {
            Upsert::Unchanged { .. } => {
                self.report.unchanged += 1;
                None
            }
            Upsert::Write {
                record,
                key,
                json,
                hash,
                action,
            } => {
                self.change(kind, &key, action);
                Some((record, json, hash.to_string()))
            }
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
///
/// [`rekey`] gives pa-core's upsert rule the record under its stored id.
pub(crate) trait Keyed: Clone + serde::Serialize {
    /// pa's id.
    fn key(&self) -> &str;
    /// The source's reference.
    fn external(&self) -> Option<&ExternalRef>;
    /// Takes the id it is stored under.
    fn set_key(&mut self, id: String) -> pa_core::Result<()>;
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
            fn set_key(&mut self, id: String) -> pa_core::Result<()> {
                self.id = <$id>::new(id)?;
                Ok(())
            }
        }
    };
}

keyed!(pa_core::fitness::Activity, pa_core::ids::ActivityId);
keyed!(pa_core::finance::Account, pa_core::ids::AccountId);
keyed!(pa_core::finance::Transaction, pa_core::ids::TransactionId);

/// The record under the stored id `key` (pa-core's upsert rule keeps the stored identity).
pub(crate) fn rekey<T: Keyed>(r: &T, key: &str) -> pa_core::Result<T> {
    let mut r = r.clone();
    r.set_key(key.to_owned())?;
    Ok(r)
}

/// An activity's stored form: its JSON without the streams, the streams packed as bytes, and
/// the content hash covering both.
pub(crate) fn activity_form(
    a: &pa_core::fitness::Activity,
) -> pa_core::Result<(String, pa_core::ports::upsert::ContentHash, Option<Vec<u8>>)> {
    let (json, hash) = pa_core::ports::upsert::encode(&a.without_streams())?;
    let bytes = a.streams.as_ref().map(pa_core::fitness::Streams::to_bytes);
    let hash = match &bytes {
        Some(b) => hash.then(pa_core::ports::upsert::ContentHash::of_bytes(b)),
        None => hash,
    };
    Ok((json, hash, bytes))
}

/// Reads every record of a person, as `check` does for every backend: each part that fails to
/// read is a problem in words, naming the person.
pub(crate) fn read_everything<S>(h: &S, name: &str, problems: &mut Vec<String>)
where
    S: pa_core::ports::UserStore<Error = crate::error::Error>,
{
    use pa_core::time::Day;
    let (first, last) = (Day::EARLIEST, Day::LATEST);
    let mut parts: Vec<(String, crate::error::Result<()>)> = vec![
        ("accounts".into(), h.accounts().map(drop)),
        ("activities".into(), h.activities(first, last).map(drop)),
        ("daily health".into(), h.daily_health(first, last).map(drop)),
        ("transactions".into(), h.transactions(first, last).map(drop)),
        ("balances".into(), h.balances(first, last).map(drop)),
        ("settings".into(), h.settings().map(drop)),
        ("sync states".into(), h.sync_states().map(drop)),
        ("sync runs".into(), h.sync_runs(None, usize::MAX).map(drop)),
        ("LLM usage".into(), h.llm_usage(first, last).map(drop)),
    ];
    for kind in RecordKind::ALL {
        parts.push((
            kind.to_string(),
            pa_core::ports::docs_of(h, kind, None).map(drop),
        ));
    }
    for (what, result) in parts {
        if let Err(e) = result {
            problems.push(format!("person {name}, {what}: {e}"));
        }
    }
}
