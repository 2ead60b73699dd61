-- pa store, version 3: every other entity, sync bookkeeping, logs and settings.
-- The record tables share one shape: `id` is the record's key (pa's id or a natural key such as
-- `habit/day`), `source`/`external_id` its ExternalRef, `day`..`day_end` the days it covers
-- (`day_end` NULL with `day` set: open-ended, e.g. a recurring event; both NULL: no span),
-- `parent` the key of the record it belongs to, `body` the whole record as JSON (query it with
-- json_extract), `hash` a hash of that JSON. Rows live in their primary key's B-tree (WITHOUT
-- ROWID: no second copy of the key). Kinds whose span is one day are found by `day` alone and
-- have no `day_end` index.

CREATE TABLE body_composition (
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
CREATE UNIQUE INDEX body_composition_external ON body_composition(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX body_composition_day ON body_composition(user_id, day);

CREATE TABLE training_plans (
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
CREATE UNIQUE INDEX training_plans_external ON training_plans(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX training_plans_day ON training_plans(user_id, day);
CREATE INDEX training_plans_day_end ON training_plans(user_id, day_end);

CREATE TABLE habits (
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
CREATE UNIQUE INDEX habits_external ON habits(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX habits_day ON habits(user_id, day);
CREATE INDEX habits_day_end ON habits(user_id, day_end);

CREATE TABLE habit_entries (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    day TEXT,
    day_end TEXT,
    parent TEXT,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, parent) REFERENCES habits(user_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX habit_entries_external ON habit_entries(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX habit_entries_day ON habit_entries(user_id, day);
CREATE INDEX habit_entries_parent ON habit_entries(user_id, parent, day);

CREATE TABLE projects (
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
CREATE UNIQUE INDEX projects_external ON projects(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX projects_day ON projects(user_id, day);
CREATE INDEX projects_day_end ON projects(user_id, day_end);

CREATE TABLE tasks (
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
CREATE UNIQUE INDEX tasks_external ON tasks(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX tasks_day ON tasks(user_id, day);
CREATE INDEX tasks_day_end ON tasks(user_id, day_end);

CREATE TABLE reminders (
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
CREATE UNIQUE INDEX reminders_external ON reminders(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX reminders_day ON reminders(user_id, day);

CREATE TABLE events (
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
CREATE UNIQUE INDEX events_external ON events(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX events_day ON events(user_id, day);
CREATE INDEX events_day_end ON events(user_id, day_end);

CREATE TABLE check_ins (
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
CREATE UNIQUE INDEX check_ins_external ON check_ins(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX check_ins_day ON check_ins(user_id, day);

CREATE TABLE notes (
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
CREATE UNIQUE INDEX notes_external ON notes(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX notes_day ON notes(user_id, day);

CREATE TABLE memories (
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
CREATE UNIQUE INDEX memories_external ON memories(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX memories_day ON memories(user_id, day);

CREATE TABLE budgets (
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
CREATE UNIQUE INDEX budgets_external ON budgets(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX budgets_day ON budgets(user_id, day);
CREATE INDEX budgets_day_end ON budgets(user_id, day_end);

CREATE TABLE securities (
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
CREATE UNIQUE INDEX securities_external ON securities(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX securities_day ON securities(user_id, day);
CREATE INDEX securities_day_end ON securities(user_id, day_end);

CREATE TABLE holdings (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    id TEXT NOT NULL,
    source TEXT,
    external_id TEXT,
    day TEXT,
    day_end TEXT,
    parent TEXT,
    body TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, parent) REFERENCES accounts(user_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX holdings_external ON holdings(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX holdings_day ON holdings(user_id, day);
CREATE INDEX holdings_parent ON holdings(user_id, parent, day);

CREATE TABLE bills (
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
CREATE UNIQUE INDEX bills_external ON bills(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX bills_day ON bills(user_id, day);

CREATE TABLE expense_categories (
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
CREATE UNIQUE INDEX expense_categories_external ON expense_categories(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX expense_categories_day ON expense_categories(user_id, day);
CREATE INDEX expense_categories_day_end ON expense_categories(user_id, day_end);

CREATE TABLE expenses (
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
CREATE UNIQUE INDEX expenses_external ON expenses(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX expenses_day ON expenses(user_id, day);

CREATE TABLE recipes (
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
CREATE UNIQUE INDEX recipes_external ON recipes(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX recipes_day ON recipes(user_id, day);
CREATE INDEX recipes_day_end ON recipes(user_id, day_end);

CREATE TABLE planned_meals (
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
CREATE UNIQUE INDEX planned_meals_external ON planned_meals(user_id, source, external_id) WHERE source IS NOT NULL;
CREATE INDEX planned_meals_day ON planned_meals(user_id, day);

-- How each local record maps to its copy in a source.
CREATE TABLE sync_records (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    local_key TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    hash TEXT,
    etag TEXT,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (user_id, source, kind, local_key)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX sync_records_remote ON sync_records(user_id, source, kind, remote_id);

-- One row per sync run (the seeds' *_sync_log tables). Instants are RFC 3339 UTC with
-- microseconds, so text order is time order.
CREATE TABLE sync_runs (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    added INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    error TEXT,
    PRIMARY KEY (user_id, source, started)
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_runs_started ON sync_runs(user_id, started);

CREATE TABLE llm_usage (
    seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    model TEXT NOT NULL,
    purpose TEXT,
    tokens_in INTEGER NOT NULL,
    tokens_out INTEGER NOT NULL,
    cost TEXT,
    currency TEXT
) STRICT;
-- A call is identified by its instant and model, so re-importing usage changes nothing.
CREATE UNIQUE INDEX llm_usage_at ON llm_usage(user_id, at, model);

-- Writes made by syncs and imports (batches with an origin).
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    origin TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    action TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_at ON audit_log(user_id, at);

CREATE TABLE settings (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
