-- pa store, version 6: trades, income and cash movements in investment accounts (from OFX
-- INVTRANLIST and, later, Plaid's investment transactions). A record table like the others.
CREATE TABLE investment_transactions (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    day TEXT,
    day_end TEXT,
    parent TEXT,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (user_id, id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX investment_transactions_external
    ON investment_transactions(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX investment_transactions_day ON investment_transactions(user_id, day);
