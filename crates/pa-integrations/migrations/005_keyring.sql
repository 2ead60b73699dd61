-- pa store, version 5: where the vault key comes from. 'passphrase': derived with Argon2id from
-- the salt and costs stored here; 'keyring': a random key kept in the OS keyring (salt unused).
ALTER TABLE vault ADD COLUMN key_source TEXT NOT NULL DEFAULT 'passphrase'
    CHECK (key_source IN ('passphrase', 'keyring'));
