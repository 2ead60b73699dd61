-- pa store, version 2: encrypted secrets.
-- One vault per store: the Argon2id salt and costs, and a check value that tells a wrong passphrase.
CREATE TABLE vault (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    salt BLOB NOT NULL,
    m_cost_kib INTEGER NOT NULL,
    t_cost INTEGER NOT NULL,
    p_cost INTEGER NOT NULL,
    check_nonce BLOB NOT NULL,
    check_ciphertext BLOB NOT NULL
) STRICT;

-- Each secret sealed with XChaCha20-Poly1305 under the vault key, bound to its name.
CREATE TABLE secrets (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    nonce BLOB NOT NULL,
    ciphertext BLOB NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, name)
) STRICT;
