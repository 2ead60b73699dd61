//! The secrets vault of a PostgreSQL store (the unlocking rules are `storage::vault`'s): the
//! vault's row and each person's ciphertexts live in the database, keys never do.

use chrono::Utc;

use super::{Store, UserHandle};
use crate::error::Result;
use crate::secrets::{KdfParams, Sealed, Secret, Vault};
use crate::storage::vault::{self, VaultRow, VaultRows, secret_scope};

impl VaultRows for Store {
    fn vault_row(&self) -> Result<Option<VaultRow>> {
        self.block(|| async {
            let client = self.client().await?;
            let row = client
                .query_opt(
                    "SELECT salt, m_cost_kib, t_cost, p_cost, check_nonce, check_ciphertext, key_source FROM vault WHERE id = 1",
                    &[],
                )
                .await?;
            let Some(r) = row else { return Ok(None) };
            let cost = |i: usize| -> Result<u32> { Ok(r.try_get::<_, i32>(i)?.max(0) as u32) };
            Ok(Some(VaultRow {
                salt: r.try_get(0)?,
                params: KdfParams {
                    m_cost_kib: cost(1)?,
                    t_cost: cost(2)?,
                    p_cost: cost(3)?,
                },
                check: Sealed {
                    nonce: r.try_get(4)?,
                    ciphertext: r.try_get(5)?,
                },
                keyring: r.try_get::<_, &str>(6)? == "keyring",
            }))
        })
    }

    fn insert_vault(
        &self,
        salt: &[u8],
        params: KdfParams,
        check: &Sealed,
        source: &str,
    ) -> Result<()> {
        let cost = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        self.store_write(|| async {
            let client = self.client().await?;
            client
                .execute(
                    "INSERT INTO vault (id, salt, m_cost_kib, t_cost, p_cost, check_nonce, check_ciphertext, key_source)
                     VALUES (1, $1, $2, $3, $4, $5, $6, $7)",
                    &[
                        &salt,
                        &cost(params.m_cost_kib),
                        &cost(params.t_cost),
                        &cost(params.p_cost),
                        &check.nonce,
                        &check.ciphertext,
                        &source,
                    ],
                )
                .await?;
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

    /// Unlocks the vault the way it was made (see the SQLite store's `unlock_auto`).
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
        self.write(async |tx, user| {
            tx.execute(
                "INSERT INTO secrets (person_id, name, nonce, ciphertext, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (person_id, name) DO UPDATE SET nonce = excluded.nonce,
                   ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
                &[&user, &name, &sealed.nonce, &sealed.ciphertext, &Utc::now()],
            )
            .await?;
            Ok(())
        })
    }

    /// The secret stored under `name`, decrypted.
    pub fn secret(&self, vault: &Vault, name: &str) -> Result<Option<Secret>> {
        let row: Option<(Vec<u8>, Vec<u8>)> = self.read(async |tx, user| {
            tx.query_opt(
                "SELECT nonce, ciphertext FROM secrets WHERE person_id = $1 AND name = $2",
                &[&user, &name],
            )
            .await?
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .transpose()
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
        self.write(async |tx, user| {
            Ok(tx
                .execute(
                    "DELETE FROM secrets WHERE person_id = $1 AND name = $2",
                    &[&user, &name],
                )
                .await?
                > 0)
        })
    }
}
