-- pa's PostgreSQL store, version 1.
--
-- Every table of a person's data has the person's id as the first column of its primary key, and
-- every unique constraint includes it: no sequence, join or constraint spans people, so on Citus
-- each table can be distributed by `person_id` without a change (docs/storage.md). Row-level
-- security enforces the scope again underneath the adapter's own `WHERE person_id = $1`: a
-- transaction sees only the rows of the person in its `pa.person` setting (set by the adapter at
-- the start of each transaction), and none when it is unset.
--
-- Text that is sorted or compared is COLLATE "C" (byte order), so that answers do not depend on
-- the database's locale and equal those of the SQLite store. Money is NUMERIC, times are
-- timestamptz, days are date; record bodies are pa's JSON as text, stored byte for byte.

CREATE TABLE people (
    person_id text COLLATE "C" PRIMARY KEY,
    created_at timestamptz NOT NULL,
    -- The last audit entry's number: each person numbers their own entries (no shared sequence),
    -- and a write locks this row, so one person's writes run one at a time.
    audit_seq bigint NOT NULL DEFAULT 0
);

CREATE TABLE activities (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    id text COLLATE "C" NOT NULL,
    source text COLLATE "C",
    external_id text COLLATE "C",
    day date NOT NULL,
    start_utc timestamptz NOT NULL,
    sport text NOT NULL,
    training_load double precision,
    body text NOT NULL,
    hash text NOT NULL,
    streams bytea,
    PRIMARY KEY (person_id, id)
);
CREATE UNIQUE INDEX activities_external ON activities (person_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX activities_day ON activities (person_id, day, start_utc);

CREATE TABLE daily_health (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    day date NOT NULL,
    body text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (person_id, day)
);

CREATE TABLE accounts (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    id text COLLATE "C" NOT NULL,
    source text COLLATE "C",
    external_id text COLLATE "C",
    kind text NOT NULL,
    currency text NOT NULL,
    -- Holds only the last four digits of an account number (Mask).
    body text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (person_id, id)
);
CREATE UNIQUE INDEX accounts_external ON accounts (person_id, source, external_id) WHERE source IS NOT NULL;

CREATE TABLE transactions (
    person_id text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    account_id text COLLATE "C" NOT NULL,
    source text COLLATE "C",
    external_id text COLLATE "C",
    posted date NOT NULL,
    amount numeric NOT NULL,
    currency text NOT NULL,
    body text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (person_id, id),
    FOREIGN KEY (person_id, account_id) REFERENCES accounts (person_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX transactions_external ON transactions (person_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX transactions_posted ON transactions (person_id, posted, id);

CREATE TABLE balances (
    person_id text COLLATE "C" NOT NULL,
    account_id text COLLATE "C" NOT NULL,
    day date NOT NULL,
    currency text NOT NULL,
    current numeric NOT NULL,
    available numeric,
    credit_limit numeric,
    PRIMARY KEY (person_id, account_id, day),
    FOREIGN KEY (person_id, account_id) REFERENCES accounts (person_id, id) ON DELETE CASCADE
);

-- Every other kind, one table: `kind` is pa-core's record kind name.
CREATE TABLE records (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    kind text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    source text COLLATE "C",
    external_id text COLLATE "C",
    day date,
    day_end date,
    parent text COLLATE "C",
    body text NOT NULL,
    hash text NOT NULL,
    PRIMARY KEY (person_id, kind, id)
);
CREATE UNIQUE INDEX records_external ON records (person_id, kind, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX records_day ON records (person_id, kind, day);
CREATE INDEX records_day_end ON records (person_id, kind, day_end);
CREATE INDEX records_parent ON records (person_id, kind, parent) WHERE parent IS NOT NULL;

CREATE TABLE sync_state (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    source text COLLATE "C" NOT NULL,
    cursor text,
    last_success timestamptz,
    last_error text,
    PRIMARY KEY (person_id, source)
);

CREATE TABLE sync_records (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    source text COLLATE "C" NOT NULL,
    kind text COLLATE "C" NOT NULL,
    local_key text COLLATE "C" NOT NULL,
    remote_id text COLLATE "C" NOT NULL,
    hash text,
    etag text,
    synced_at timestamptz NOT NULL,
    PRIMARY KEY (person_id, source, kind, local_key)
);
CREATE UNIQUE INDEX sync_records_remote ON sync_records (person_id, source, kind, remote_id);

CREATE TABLE sync_runs (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    source text COLLATE "C" NOT NULL,
    started timestamptz NOT NULL,
    finished timestamptz,
    added bigint NOT NULL,
    updated bigint NOT NULL,
    deleted bigint NOT NULL,
    outcome text NOT NULL,
    error text,
    PRIMARY KEY (person_id, source, started)
);
CREATE INDEX sync_runs_started ON sync_runs (person_id, started);

CREATE TABLE llm_usage (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    at timestamptz NOT NULL,
    model text COLLATE "C" NOT NULL,
    purpose text,
    tokens_in bigint NOT NULL,
    tokens_out bigint NOT NULL,
    cost numeric,
    currency text,
    PRIMARY KEY (person_id, at, model)
);

CREATE TABLE audit_log (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    seq bigint NOT NULL,
    at timestamptz NOT NULL,
    origin text NOT NULL,
    kind text NOT NULL,
    key text NOT NULL,
    action text NOT NULL,
    PRIMARY KEY (person_id, seq)
);
CREATE INDEX audit_log_at ON audit_log (person_id, at, seq);

CREATE TABLE settings (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    key text COLLATE "C" NOT NULL,
    value text NOT NULL,
    PRIMARY KEY (person_id, key)
);

CREATE TABLE secrets (
    person_id text COLLATE "C" NOT NULL REFERENCES people ON DELETE CASCADE,
    name text COLLATE "C" NOT NULL,
    nonce bytea NOT NULL,
    ciphertext bytea NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (person_id, name)
);

-- The store's vault: salt, costs and a check value (never a key). One per store; on Citus a
-- reference table.
CREATE TABLE vault (
    id integer PRIMARY KEY CHECK (id = 1),
    salt bytea NOT NULL,
    m_cost_kib integer NOT NULL,
    t_cost integer NOT NULL,
    p_cost integer NOT NULL,
    check_nonce bytea NOT NULL,
    check_ciphertext bytea NOT NULL,
    key_source text NOT NULL CHECK (key_source IN ('passphrase', 'keyring'))
);

-- Row-level security on every table of a person's data.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['activities', 'daily_health', 'accounts', 'transactions', 'balances',
        'records', 'sync_state', 'sync_records', 'sync_runs', 'llm_usage', 'audit_log', 'settings',
        'secrets']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY person_only ON %I USING (person_id = current_setting(''pa.person'', true)) WITH CHECK (person_id = current_setting(''pa.person'', true))', t);
    END LOOP;
END $$;
