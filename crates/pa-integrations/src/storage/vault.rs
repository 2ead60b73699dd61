//! How a store's secrets vault is unlocked, written once for every backend: each stores the
//! vault's row (salt, costs, check value, where the key comes from; never a key) and each person's
//! sealed secrets, and calls these.

use pa_core::ids::UserId;

use crate::error::{Error, Result};
use crate::secrets::{KdfParams, Sealed, Secret, Vault, new_salt};

/// The stored vault: salt, costs, check value and where the key comes from.
pub(crate) struct VaultRow {
    pub(crate) salt: Vec<u8>,
    pub(crate) params: KdfParams,
    pub(crate) check: Sealed,
    pub(crate) keyring: bool,
}

/// A backend's vault row.
pub(crate) trait VaultRows {
    /// The stored vault, if the store has one.
    fn vault_row(&self) -> Result<Option<VaultRow>>;
    /// Stores a new vault: its salt, costs, a check value sealed with its key, and `source`
    /// (`passphrase` or `keyring`).
    fn insert_vault(
        &self,
        salt: &[u8],
        params: KdfParams,
        check: &Sealed,
        source: &str,
    ) -> Result<()>;
}

fn create(
    store: &impl VaultRows,
    vault: &Vault,
    salt: &[u8],
    params: KdfParams,
    source: &str,
) -> Result<()> {
    store.insert_vault(salt, params, &vault.check_value()?, source)
}

/// Unlocks the vault with `passphrase`, creating it on first use with `params`.
pub(crate) fn unlock(
    store: &impl VaultRows,
    passphrase: &Secret,
    params: KdfParams,
) -> Result<Vault> {
    match store.vault_row()? {
        Some(row) if row.keyring => Err(Error::Secret {
            reason: "this store's vault key is kept in the OS keyring, not behind a passphrase"
                .into(),
        }),
        Some(row) => {
            let vault = Vault::derive(passphrase, &row.salt, row.params)?;
            if vault.verify(&row.check) {
                Ok(vault)
            } else {
                Err(Error::WrongPassphrase)
            }
        }
        None => {
            let salt = new_salt();
            let vault = Vault::derive(passphrase, &salt, params)?;
            create(store, &vault, &salt, params, "passphrase")?;
            Ok(vault)
        }
    }
}

/// Unlocks the vault with a random key kept in the OS keyring under (`service`, `account`),
/// creating both on first use.
pub(crate) fn unlock_with_keyring(
    store: &impl VaultRows,
    service: &str,
    account: &str,
) -> Result<Vault> {
    match store.vault_row()? {
        Some(row) if !row.keyring => Err(Error::Secret {
            reason: "this store's vault is behind a passphrase, not in the OS keyring".into(),
        }),
        Some(row) => {
            let vault = Vault::from_key(&crate::secrets::keyring_key(service, account, false)?)?;
            if vault.verify(&row.check) {
                Ok(vault)
            } else {
                Err(Error::Secret {
                    reason: "the key in the OS keyring is not this store's vault key".into(),
                })
            }
        }
        None => {
            let vault = Vault::from_key(&crate::secrets::keyring_key(service, account, true)?)?;
            create(store, &vault, &[], KdfParams::default(), "keyring")?;
            Ok(vault)
        }
    }
}

/// Unlocks the vault the way it was made: with the OS keyring entry when its key lives there,
/// else with the passphrase `passphrase` gives (asked only then). A store without a vault gets one
/// in the OS keyring when a keyring store is installed in keyring-core, else behind the
/// passphrase.
pub(crate) fn unlock_auto(
    store: &impl VaultRows,
    service: &str,
    account: &str,
    passphrase: impl FnOnce() -> Result<Secret>,
    params: KdfParams,
) -> Result<Vault> {
    match store.vault_row()? {
        Some(row) if row.keyring => unlock_with_keyring(store, service, account),
        Some(_) => unlock(store, &passphrase()?, params),
        None if keyring_core::get_default_store().is_some() => {
            unlock_with_keyring(store, service, account)
        }
        None => unlock(store, &passphrase()?, params),
    }
}

/// The name a person's secret is sealed under: the person and the name, so a ciphertext cannot be
/// moved to another person either.
pub(crate) fn secret_scope(user: &UserId, name: &str) -> String {
    format!("{user}/{name}")
}
