//! The secrets vault of a SQLite store (the unlocking rules are `storage::vault`'s) and each
//! person's sealed secrets.

use chrono::Utc;
use rusqlite::{OptionalExtension, params};

use super::{Store, UserHandle};
use crate::error::Result;
use crate::secrets::{KdfParams, Sealed, Secret, Vault};
use crate::storage::vault::{self, VaultRow, VaultRows, secret_scope};

impl VaultRows for Store {
    fn vault_row(&self) -> Result<Option<VaultRow>> {
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

    fn insert_vault(
        &self,
        salt: &[u8],
        params: KdfParams,
        check: &Sealed,
        source: &str,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT INTO vault (id, salt, m_cost_kib, t_cost, p_cost, check_nonce, check_ciphertext, key_source) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![salt, params.m_cost_kib, params.t_cost, params.p_cost, check.nonce, check.ciphertext, source],
            )?;
            Ok(())
        })
    }
}

impl Store {
    /// Unlocks the secrets vault with `passphrase`, creating it on first use with `params`.
    /// [`Error::WrongPassphrase`](crate::Error::WrongPassphrase) when it was made with another
    /// passphrase.
    pub fn unlock(&self, passphrase: &Secret, params: KdfParams) -> Result<Vault> {
        vault::unlock(self, passphrase, params)
    }

    /// Unlocks the secrets vault with a random key kept in the OS keyring under (`service`,
    /// `account`), creating both on first use. Needs a keyring store installed in keyring-core
    /// (the application chooses the platform's); without one, or when the key is gone from the
    /// keyring, a clear [`Error::Secret`](crate::Error::Secret), and nothing is created or changed.
    pub fn unlock_with_keyring(&self, service: &str, account: &str) -> Result<Vault> {
        vault::unlock_with_keyring(self, service, account)
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
        vault::unlock_auto(self, service, account, passphrase, params)
    }
}

impl UserHandle {
    /// Stores `secret` under `name`, encrypted with the unlocked `vault`.
    pub fn put_secret(&self, vault: &Vault, name: &str, secret: &Secret) -> Result<()> {
        let sealed = vault.seal(&secret_scope(&self.user, name), secret)?;
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
            vault.open(
                &secret_scope(&self.user, name),
                &Sealed { nonce, ciphertext },
            )
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
}
