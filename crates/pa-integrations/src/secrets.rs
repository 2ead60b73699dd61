//! Secrets: OAuth refresh tokens, Plaid access tokens, API keys.
//!
//! - [`Secret`] holds one in memory; its `Debug` and `Display` print `[redacted]`, and the memory is
//!   wiped when it is dropped (`secrecy`). Reading it takes an explicit [`Secret::expose`].
//! - [`Vault`] encrypts secrets at rest with XChaCha20-Poly1305 (a random 24-byte nonce per value;
//!   the secret's name is authenticated with it, so a ciphertext cannot be moved to another name).
//!   The 32-byte key comes from a passphrase through Argon2id; the salt and the cost parameters are
//!   stored next to the ciphertexts, with a check value that tells a wrong passphrase from damage.
//! - [`import_fernet`] reads a token made by Python's `cryptography` Fernet (as the seed systems
//!   stored theirs), given its key.

use std::fmt;

use chacha20poly1305::aead::{Aead, Generate, Key, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A secret string: redacted in Debug and Display, wiped on drop.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The value. Call it only where the value is used (a request header, a decryption).
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Argon2id cost parameters, stored with the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory, KiB.
    pub m_cost_kib: u32,
    /// Passes.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// OWASP's recommendation for Argon2id: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self {
            m_cost_kib: 19 * 1024,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

/// An encrypted value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// The 24-byte nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext and tag.
    pub ciphertext: Vec<u8>,
}

/// What the check value encrypts, to recognise the right passphrase.
const CHECK: &[u8] = b"pa vault check v1";

/// An unlocked vault: the key, in memory only while it is needed.
pub struct Vault {
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault([key redacted])")
    }
}

/// A new random salt (32 bytes from the OS).
pub fn new_salt() -> Vec<u8> {
    Key::<XChaCha20Poly1305>::generate().to_vec()
}

impl Vault {
    /// Derives the key from `passphrase` and `salt` with Argon2id.
    pub fn derive(passphrase: &Secret, salt: &[u8], params: KdfParams) -> Result<Self> {
        let p = argon2::Params::new(params.m_cost_kib, params.t_cost, params.p_cost, Some(32))
            .map_err(|e| {
                Error::Core(pa_core::Error::invalid(
                    "key derivation parameters",
                    e.to_string(),
                ))
            })?;
        let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
        let mut key = Key::<XChaCha20Poly1305>::default();
        argon
            .hash_password_into(passphrase.expose().as_bytes(), salt, &mut key)
            .map_err(|e| Error::Core(pa_core::Error::invalid("key derivation", e.to_string())))?;
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&key),
        })
    }

    /// A vault with a 32-byte key (one kept in the OS keyring).
    pub fn from_key(key: &[u8]) -> Result<Self> {
        let key: [u8; 32] = key.try_into().map_err(|_| Error::Secret {
            reason: format!("a vault key has 32 bytes, not {}", key.len()),
        })?;
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&Key::<XChaCha20Poly1305>::from(key)),
        })
    }

    /// Encrypts `secret`, binding it to `name`.
    pub fn seal(&self, name: &str, secret: &Secret) -> Result<Sealed> {
        self.seal_bytes(name, secret.expose().as_bytes())
    }

    fn seal_bytes(&self, name: &str, bytes: &[u8]) -> Result<Sealed> {
        let nonce = XNonce::generate();
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: bytes,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| Error::Secret {
                reason: format!("could not encrypt '{name}'"),
            })?;
        Ok(Sealed {
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Decrypts what [`Vault::seal`] made for `name`; an error if the key, the name or the bytes differ.
    pub fn open(&self, name: &str, sealed: &Sealed) -> Result<Secret> {
        let bytes = self.open_bytes(name, sealed)?;
        String::from_utf8(bytes)
            .map(Secret::new)
            .map_err(|_| Error::Secret {
                reason: format!("'{name}' is not text"),
            })
    }

    fn open_bytes(&self, name: &str, sealed: &Sealed) -> Result<Vec<u8>> {
        let nonce = XNonce::try_from(sealed.nonce.as_slice()).map_err(|_| Error::Secret {
            reason: format!("'{name}' has a bad nonce"),
        })?;
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed.ciphertext,
                    aad: name.as_bytes(),
                },
            )
            .map_err(|_| Error::Secret {
                reason: format!("'{name}' cannot be decrypted with this key"),
            })
    }

    /// A check value for this key, stored with the vault.
    pub fn check_value(&self) -> Result<Sealed> {
        self.seal_bytes("vault-check", CHECK)
    }

    /// Whether `check` was made by this key: `false` for a wrong passphrase.
    pub fn verify(&self, check: &Sealed) -> bool {
        self.open_bytes("vault-check", check)
            .is_ok_and(|b| b == CHECK)
    }
}

/// The vault key kept in the OS keyring under (`service`, `account`), through keyring-core's
/// default store (the application installs the platform's store: Keychain, Credential Manager,
/// Secret Service or keyutils). `create` makes and stores a new random key when there is none.
pub(crate) fn keyring_key(service: &str, account: &str, create: bool) -> Result<Vec<u8>> {
    let entry = keyring_core::Entry::new(service, account).map_err(keyring_error)?;
    match entry.get_secret() {
        Ok(key) => Ok(key),
        Err(keyring_core::Error::NoEntry) if create => {
            let key = new_salt();
            entry.set_secret(&key).map_err(keyring_error)?;
            Ok(key)
        }
        Err(e) => Err(keyring_error(e)),
    }
}

/// A keyring failure in words that never include the entry's bytes.
fn keyring_error(e: keyring_core::Error) -> Error {
    use keyring_core::Error as K;
    let reason = match e {
        K::NoDefaultStore => "no OS keyring is available; use a passphrase instead".to_owned(),
        K::NoEntry => "the vault key is missing from the OS keyring".to_owned(),
        K::NoStorageAccess(p) => format!("the OS keyring refused access: {p}"),
        K::PlatformFailure(p) => format!("the OS keyring failed: {p}"),
        K::BadEncoding(_) | K::BadDataFormat(..) => {
            "the OS keyring entry is not a pa vault key".to_owned()
        }
        K::TooLong(..) => "OS keyring: a name is too long".to_owned(),
        K::Invalid(..) => "OS keyring: an argument is invalid".to_owned(),
        K::Ambiguous(_) => "OS keyring: more than one entry matches".to_owned(),
        K::BadStoreFormat(_) => "OS keyring: the store is damaged".to_owned(),
        K::NotSupportedByStore(_) => "OS keyring: not supported by this store".to_owned(),
        _ => "OS keyring: unexpected error".to_owned(),
    };
    Error::Secret { reason }
}

/// Decrypts a Fernet token (Python `cryptography`) with its url-safe base64 key.
pub fn import_fernet(token: &str, key: &Secret) -> Result<Secret> {
    let f = fernet::Fernet::new(key.expose().trim()).ok_or_else(|| Error::Secret {
        reason: "the Fernet key is not 32 url-safe base64 bytes".into(),
    })?;
    let bytes = f.decrypt(token.trim()).map_err(|_| Error::Secret {
        reason: "the Fernet token does not decrypt with this key".into(),
    })?;
    String::from_utf8(bytes)
        .map(Secret::new)
        .map_err(|_| Error::Secret {
            reason: "the Fernet token is not text".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cheap parameters: the tests check behaviour, not cost.
    const FAST: KdfParams = KdfParams {
        m_cost_kib: 64,
        t_cost: 1,
        p_cost: 1,
    };

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("sk-live-123");
        assert_eq!(format!("{s}"), "[redacted]");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{:?}", Some(&s)), "Some(Secret([redacted]))");
        assert_eq!(s.expose(), "sk-live-123");
    }

    #[test]
    fn seal_and_open() {
        let salt = new_salt();
        let vault = Vault::derive(&Secret::new("correct horse"), &salt, FAST).unwrap();
        let sealed = vault
            .seal("plaid/access", &Secret::new("access-sandbox-42"))
            .unwrap();
        assert!(
            !sealed.ciphertext.windows(7).any(|w| w == b"sandbox"),
            "not stored in the clear"
        );
        assert_eq!(
            vault.open("plaid/access", &sealed).unwrap().expose(),
            "access-sandbox-42"
        );
        assert!(
            vault.open("google/refresh", &sealed).is_err(),
            "bound to its name"
        );
        let again = vault
            .seal("plaid/access", &Secret::new("access-sandbox-42"))
            .unwrap();
        assert_ne!(again.nonce, sealed.nonce, "a fresh nonce each time");
        let wrong = Vault::derive(&Secret::new("wrong horse"), &salt, FAST).unwrap();
        assert!(wrong.open("plaid/access", &sealed).is_err());
        let check = vault.check_value().unwrap();
        assert!(vault.verify(&check) && !wrong.verify(&check));
        let mut tampered = sealed.clone();
        tampered.ciphertext[0] ^= 1;
        assert!(vault.open("plaid/access", &tampered).is_err());
    }

    #[test]
    fn fernet_tokens_from_python_decrypt() {
        // Made by Python `cryptography` 50.0.2: Fernet(key).encrypt(b"refresh-token-from-2024").
        let key = Secret::new("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
        let token = "gAAAAABrAhRXDWzns7NcxQ0zkLe28rPw3LksEnd2ky8_B6RuuN7ADq4mAX856S2BR5VfQM4bocry7muByPr6n8JLKES0zbkNjpVGAKACOZkFyr0qGdSusf8=";
        assert_eq!(
            import_fernet(token, &key).unwrap().expose(),
            "refresh-token-from-2024"
        );
        let other = Secret::new("ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=");
        assert!(import_fernet(token, &other).is_err(), "another key");
        assert!(import_fernet(token, &Secret::new("not-a-key")).is_err());
        assert!(import_fernet("gAAAAAB-garbage", &key).is_err());
    }
}
