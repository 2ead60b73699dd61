-- pa store, version 1: people, fitness, finance, sync state.
-- Each entity keeps the columns it is queried by, and its whole record as JSON in `body` (lossless
-- round trips), with `hash` of that JSON to tell an unchanged write from an update.
-- Money is exact decimal TEXT with its ISO 4217 code; days are ISO TEXT; instants RFC 3339 UTC TEXT.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE activities (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    source TEXT,                 -- ExternalRef source, when imported
    external_id TEXT,            -- ExternalRef id
    day TEXT NOT NULL,           -- local start day, the day it counts on
    start_utc TEXT NOT NULL,
    sport TEXT NOT NULL,
    training_load REAL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
) STRICT;
CREATE UNIQUE INDEX activities_external ON activities(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX activities_day ON activities(user_id, day, start_utc);

CREATE TABLE daily_health (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    sleep_s REAL,
    resting_hr_bpm REAL,
    hrv_rmssd_ms REAL,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
) STRICT;

CREATE TABLE accounts (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    body TEXT NOT NULL,          -- holds only the last four digits of the number (Mask)
    hash TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
) STRICT;
CREATE UNIQUE INDEX accounts_external ON accounts(user_id, source, external_id) WHERE source IS NOT NULL;

CREATE TABLE transactions (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    posted TEXT NOT NULL,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    category TEXT,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, account_id) REFERENCES accounts(user_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX transactions_external ON transactions(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX transactions_posted ON transactions(user_id, posted);
CREATE INDEX transactions_account ON transactions(user_id, account_id);

CREATE TABLE balances (
    user_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    day TEXT NOT NULL,
    current TEXT NOT NULL,
    currency TEXT NOT NULL,
    available TEXT,
    credit_limit TEXT,
    PRIMARY KEY (user_id, account_id, day),
    FOREIGN KEY (user_id, account_id) REFERENCES accounts(user_id, id) ON DELETE CASCADE
) STRICT;

CREATE TABLE sync_state (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    cursor TEXT,
    last_success TEXT,
    last_error TEXT,
    PRIMARY KEY (user_id, source)
) STRICT;
