//! Storage adapters behind `pa_core::ports::UserStore`: SQLite for real use, memory for tests and
//! embedding. Both pass the same conformance suite.

pub mod memory;
pub mod sqlite;
pub mod transfer;

#[cfg(test)]
mod conformance;

use pa_core::ids::ExternalRef;

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
