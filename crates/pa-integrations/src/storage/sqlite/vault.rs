//! The secrets vault of a store (its key from a passphrase or the OS keyring) and each person's
//! sealed secrets.

use chrono::Utc;
use rusqlite::{OptionalExtension, params};

use super::{Store, UserHandle};
use crate::error::{Error, Result};
use crate::secrets::{KdfParams, Sealed, Secret, Vault, new_salt};

/// The stored vault: salt, costs, check value and where the key comes from.
pub(super) struct VaultRow {
    salt: Vec<u8>,
    params: KdfParams,
    check: Sealed,
    pub(super) keyring: bool,
}

impl Store {
    /// Unlocks the secrets vault with `passphrase`, creating it on first use with `params`.
    /// [`Error::WrongPassphrase`] when it was made with another passphrase.
    pub fn unlock(&self, passphrase: &Secret, params: KdfParams) -> Result<Vault> {
        match self.vault_row()? {
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
                self.create_vault(&vault, &salt, params, "passphrase")?;
                Ok(vault)
            }
        }
    }

    /// Unlocks the secrets vault with a random key kept in the OS keyring under (`service`,
    /// `account`), creating both on first use. Needs a keyring store installed in keyring-core
    /// (the application chooses the platform's); without one, or when the key is gone from the
    /// keyring, a clear [`Error::Secret`], and nothing is created or changed.
    pub fn unlock_with_keyring(&self, service: &str, account: &str) -> Result<Vault> {
        match self.vault_row()? {
            Some(row) if !row.keyring => Err(Error::Secret {
                reason: "this store's vault is behind a passphrase, not in the OS keyring".into(),
            }),
            Some(row) => {
                let vault =
                    Vault::from_key(&crate::secrets::keyring_key(service, account, false)?)?;
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
                self.create_vault(&vault, &[], KdfParams::default(), "keyring")?;
                Ok(vault)
            }
        }
    }

    /// Unlocks the vault the way it was made: with the OS keyring entry (`service`, `account`)
    /// when its key lives there, else with the passphrase `passphrase` gives (asked only then).
    /// A store without a vault gets one in the OS keyring when a keyring store is installed in
    /// keyring-core, else behind the passphrase.
    pub fn unlock_auto(
        &self,
        service: &str,
        account: &str,
        passphrase: impl FnOnce() -> Result<Secret>,
        params: KdfParams,
    ) -> Result<Vault> {
        match self.vault_row()? {
            Some(row) if row.keyring => self.unlock_with_keyring(service, account),
            Some(_) => self.unlock(&passphrase()?, params),
            None if keyring_core::get_default_store().is_some() => {
                self.unlock_with_keyring(service, account)
            }
            None => self.unlock(&passphrase()?, params),
        }
    }

    pub(super) fn vault_row(&self) -> Result<Option<VaultRow>> {
        self.read(|c| {
            Ok(c.query_row("SELECT salt, m_cost_kib, t_cost, p_cost, check_nonce, check_ciphertext, key_source FROM vault WHERE id = 1", [], |r| {
                Ok(VaultRow {
                    salt: r.get(0)?,
                    params: KdfParams { m_cost_kib: r.get(1)?, t_cost: r.get(2)?, p_cost: r.get(3)? },
                    check: Sealed { nonce: r.get(4)?, ciphertext: r.get(5)? },
                    keyring: r.get::<_, String>(6)? == "keyring",
                })
            })
            .optional()?)
        })
    }

    fn create_vault(
        &self,
        vault: &Vault,
        salt: &[u8],
        params: KdfParams,
        source: &str,
    ) -> Result<()> {
        let check = vault.check_value()?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO vault (id, salt, m_cost_kib, t_cost, p_cost, check_nonce, check_ciphertext, key_source) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![salt, params.m_cost_kib, params.t_cost, params.p_cost, check.nonce, check.ciphertext, source],
            )?;
            Ok(())
        })
    }
}

impl UserHandle {
    /// Stores `secret` under `name`, encrypted with the unlocked `vault`.
    pub fn put_secret(&self, vault: &Vault, name: &str, secret: &Secret) -> Result<()> {
        let sealed = vault.seal(&self.secret_scope(name), secret)?;
        self.store.write(|tx| {
            tx.execute(
                "INSERT INTO secrets (user_id, name, nonce, ciphertext, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id, name) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
                params![self.user.as_str(), name, sealed.nonce, sealed.ciphertext, Utc::now().to_rfc3339()],
            )?;
            Ok(())
        })
    }

    /// The secret stored under `name`, decrypted.
    pub fn secret(&self, vault: &Vault, name: &str) -> Result<Option<Secret>> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self.store.read(|c| {
            Ok(c.query_row(
                "SELECT nonce, ciphertext FROM secrets WHERE user_id = ?1 AND name = ?2",
                params![self.user.as_str(), name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })?;
        row.map(|(nonce, ciphertext)| {
            vault.open(&self.secret_scope(name), &Sealed { nonce, ciphertext })
        })
        .transpose()
    }

    /// Removes the secret stored under `name`; whether there was one.
    pub fn delete_secret(&self, name: &str) -> Result<bool> {
        self.store.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM secrets WHERE user_id = ?1 AND name = ?2",
                params![self.user.as_str(), name],
            )? > 0)
        })
    }

    /// The name a secret is sealed under: the person and the name, so a ciphertext cannot be moved
    /// to another person either.
    fn secret_scope(&self, name: &str) -> String {
        format!("{}/{name}", self.user)
    }
}
