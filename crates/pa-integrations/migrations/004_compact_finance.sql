-- pa store, version 4: finance in columns, compact.
-- Transactions are stored as columns only (every field has one), in their primary key's B-tree.
-- Balances move into balance_series: each account's balances of one year packed in one blob (see
-- storage/sqlite/series.rs), so that a ten-year net worth reads 200 small rows instead of 73,000
-- and the file stays small. The code that runs this migration moves the `balances` rows into
-- series and then drops the table.

CREATE TABLE transactions_v4 (
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    posted TEXT NOT NULL,
    authorized TEXT,
    amount TEXT NOT NULL,
    currency TEXT NOT NULL,
    merchant TEXT,
    description TEXT NOT NULL,
    category TEXT,
    pending INTEGER NOT NULL,
    pending_id TEXT,
    transfer INTEGER NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, account_id) REFERENCES accounts(user_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
INSERT INTO transactions_v4
SELECT user_id, id, account_id, source, external_id, posted, json_extract(body, '$.authorized'),
       amount, currency, json_extract(body, '$.merchant'), json_extract(body, '$.description'),
       category, json_extract(body, '$.pending'), json_extract(body, '$.pending_id'),
       json_extract(body, '$.transfer')
FROM transactions;
DROP TABLE transactions;
ALTER TABLE transactions_v4 RENAME TO transactions;
CREATE UNIQUE INDEX transactions_external ON transactions(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX transactions_posted ON transactions(user_id, posted);

CREATE TABLE balance_series (
    user_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    currency TEXT NOT NULL,
    points BLOB NOT NULL,
    PRIMARY KEY (user_id, account_id, year),
    FOREIGN KEY (user_id, account_id) REFERENCES accounts(user_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Daily loads (day, training load) read from the index alone.
DROP INDEX activities_day;
CREATE INDEX activities_day ON activities(user_id, day, start_utc, training_load);
