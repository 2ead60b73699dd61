//! The dashboard mirror (`sync-algorithm.md` §3): the store is the truth and a sink table shows a
//! window of it. The plan makes the table's pa rows equal the rows the store renders, by key and
//! by the hash of the fields pa owns, with as few requests as that takes: nothing at all when
//! nothing changed.
//!
//! Rules, in the order the plan runs them:
//! 1. Rows without a key are the person's own: never changed, never deleted, only counted.
//! 2. Several rows with one key are collapsed first (an upsert matching two rows fails): the row
//!    the sink status names is kept, else the oldest, and the others are deleted.
//! 3. A desired key missing from the table, or present with another hash, is upserted by key (a
//!    retry after a crash finds the row by its key, so it never duplicates one); an equal one is
//!    left alone.
//! 4. A pa row whose key is not desired (it left the window, or the record is gone) is deleted
//!    remotely; the store keeps the record.
//! 5. A plan that would empty the table, or delete more than half of its pa rows (and more than
//!    [`MirrorOptions::free_deletes`]), is refused unless forced: a misconfigured window or an
//!    empty store must not wipe a dashboard.

use std::collections::BTreeMap;

use rustc_hash::{FxHashMap, FxHashSet};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::ports::sink::{MirrorRow, RemoteRow};
use crate::ports::upsert::ContentHash;

/// What pa knows of a row it wrote: the sink status of §3, kept in the store.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SinkStatus {
    /// pa's key.
    pub key: String,
    /// The sink's id of the row.
    pub remote_id: String,
    /// The hash of the owned fields as the sink returned them after the last write.
    pub observed_hash: String,
}

/// How a mirror plan is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MirrorOptions {
    /// The most rows one request may carry (Airtable: 10).
    pub batch_limit: usize,
    /// Allow a plan that empties the table or deletes most of it.
    pub force: bool,
    /// Deletions allowed without forcing whatever the share (a window sliding by a few days on a
    /// small table deletes a large share of it legitimately).
    pub free_deletes: usize,
}

impl Default for MirrorOptions {
    fn default() -> Self {
        Self {
            batch_limit: 10,
            force: false,
            free_deletes: 10,
        }
    }
}

/// The requests that make a sink table equal the desired rows, each batch within the limit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MirrorPlan {
    /// Remote ids of surplus copies of a key, deleted before anything else.
    pub collapse: Vec<Vec<String>>,
    /// Rows to create or update by key.
    pub upserts: Vec<Vec<MirrorRow>>,
    /// Remote ids of pa rows no longer desired, deleted last.
    pub deletes: Vec<Vec<String>>,
    /// Rows to create (their key is not in the table).
    pub created: usize,
    /// Rows to update (their key is in the table with other content).
    pub updated: usize,
    /// Desired rows the table already holds as they are.
    pub unchanged: usize,
    /// Rows without a key (the person's own), left alone.
    pub foreign: usize,
}

impl MirrorPlan {
    /// True when the plan sends no request.
    pub fn is_empty(&self) -> bool {
        self.collapse.is_empty() && self.upserts.is_empty() && self.deletes.is_empty()
    }

    /// The number of write requests (upserts and deletes) the plan sends.
    pub fn requests(&self) -> usize {
        self.collapse.len() + self.upserts.len() + self.deletes.len()
    }

    /// Rows deleted, surplus copies included.
    pub fn deleted(&self) -> usize {
        self.collapse
            .iter()
            .chain(&self.deletes)
            .map(Vec::len)
            .sum()
    }
}

/// The hash of a row's owned fields in canonical form, the same for what pa sends and for what
/// the sink returns: empty cells (absent, `null`, `""`, `[]`, `false`) hash alike, numbers by
/// value (`1` and `1.0` alike), object keys in order.
pub fn fields_hash(fields: &BTreeMap<String, Value>) -> String {
    let hex = hash_hex(fields, &mut Vec::with_capacity(256));
    String::from_utf8_lossy(&hex).into_owned()
}

/// [`fields_hash`] as 16 hex digits on the stack, with `bytes` as scratch space.
fn hash_hex(fields: &BTreeMap<String, Value>, bytes: &mut Vec<u8>) -> [u8; 16] {
    bytes.clear();
    for (name, value) in fields {
        if !is_empty_cell(value) {
            text(name, bytes);
            canonical(value, bytes);
        }
    }
    let h = ContentHash::of_bytes(bytes).0;
    let mut hex = [0u8; 16];
    for (i, d) in hex.iter_mut().enumerate() {
        *d = b"0123456789abcdef"[((h >> (60 - 4 * i)) & 0xf) as usize];
    }
    hex
}

fn is_empty_cell(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// A string, length first, so no two sequences of strings write the same bytes.
fn text(s: &str, out: &mut Vec<u8>) {
    out.push(b's');
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A value in a tagged binary form: what makes two values equal is their canonical value, not
/// their JSON spelling.
fn canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(b'0'),
        Value::Bool(b) => out.extend_from_slice(if *b { b"t" } else { b"f" }),
        Value::Number(n) => match n.as_f64() {
            // Integral values within f64's exact range are one integer whatever their form.
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                out.push(b'i');
                out.extend_from_slice(&(f as i64).to_le_bytes());
            }
            Some(f) => {
                out.push(b'd');
                out.extend_from_slice(&f.to_bits().to_le_bytes());
            }
            None => text(&n.to_string(), out),
        },
        Value::String(s) => text(s, out),
        Value::Array(items) => {
            out.push(b'[');
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items {
                canonical(item, out);
            }
        }
        Value::Object(map) => {
            out.push(b'{');
            let mut sorted: Vec<(&String, &Value)> =
                map.iter().filter(|(_, v)| !is_empty_cell(v)).collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.extend_from_slice(&(sorted.len() as u64).to_le_bytes());
            for (k, item) in sorted {
                text(k, out);
                canonical(item, out);
            }
        }
    }
}

/// Plans the requests that make `remote` (every row of one table) hold exactly `desired` among
/// its pa rows. `status` names the row pa wrote for each key, to choose among duplicates.
pub fn plan(
    desired: &[MirrorRow],
    remote: &[RemoteRow],
    status: &[SinkStatus],
    options: MirrorOptions,
) -> Result<MirrorPlan> {
    if options.batch_limit == 0 {
        return Err(Error::invalid("batch limit", "must be at least 1"));
    }
    let mut seen: FxHashSet<&str> =
        FxHashSet::with_capacity_and_hasher(desired.len(), Default::default());
    if let Some(dup) = desired.iter().find(|r| !seen.insert(r.key.as_str())) {
        return Err(Error::invalid(
            "mirror rows",
            format!("the key '{}' is given twice", dup.key),
        ));
    }
    if let Some(blank) = desired.iter().find(|r| r.key.trim().is_empty()) {
        return Err(Error::invalid(
            "mirror rows",
            format!("a row has a blank key ({} fields)", blank.fields.len()),
        ));
    }
    let known: FxHashMap<&str, &str> = status
        .iter()
        .map(|s| (s.key.as_str(), s.remote_id.as_str()))
        .collect();
    let mut plan = MirrorPlan::default();
    // pa rows sorted by key, and within a key the one the status names first, then the oldest
    // (then the smallest id, so the choice never depends on listing order): the first of each
    // key is kept, the rest are surplus copies.
    let mut ours: Vec<(&str, bool, &RemoteRow)> = Vec::with_capacity(remote.len());
    for row in remote {
        match row.key.as_deref().filter(|k| !k.is_empty()) {
            Some(k) => ours.push((k, known.get(k) != Some(&row.remote_id.as_str()), row)),
            None => plan.foreign += 1,
        }
    }
    ours.sort_unstable_by(|a, b| {
        (a.0, a.1, &a.2.created, &a.2.remote_id).cmp(&(b.0, b.1, &b.2.created, &b.2.remote_id))
    });
    let mut kept: FxHashMap<&str, &RemoteRow> =
        FxHashMap::with_capacity_and_hasher(ours.len(), Default::default());
    let mut surplus = Vec::new();
    for (key, _, row) in ours {
        if kept.contains_key(key) {
            surplus.push(row.remote_id.clone());
        } else {
            kept.insert(key, row);
        }
    }
    let mut upserts = Vec::new();
    let mut scratch = Vec::with_capacity(256);
    for row in desired {
        match kept.get(row.key.as_str()) {
            None => {
                plan.created += 1;
                upserts.push(row.clone());
            }
            Some(r) if r.observed_hash.as_bytes() != hash_hex(&row.fields, &mut scratch) => {
                plan.updated += 1;
                upserts.push(row.clone());
            }
            Some(_) => plan.unchanged += 1,
        }
    }
    let mut leavers: Vec<&RemoteRow> = kept
        .iter()
        .filter(|(k, _)| !seen.contains(*k))
        .map(|(_, r)| *r)
        .collect();
    leavers.sort_by(|a, b| (&a.key, &a.remote_id).cmp(&(&b.key, &b.remote_id)));
    let pa_rows = kept.len();
    if !options.force && pa_rows > 0 {
        if desired.is_empty() {
            return Err(Error::invalid(
                "mirror",
                format!(
                    "nothing to show would delete all {pa_rows} of pa's rows; force to allow it"
                ),
            ));
        }
        if leavers.len() > options.free_deletes && leavers.len() * 2 > pa_rows {
            return Err(Error::invalid(
                "mirror",
                format!(
                    "would delete {} of pa's {pa_rows} rows; force to allow it",
                    leavers.len()
                ),
            ));
        }
    }
    let chunk = |ids: Vec<String>| -> Vec<Vec<String>> {
        ids.chunks(options.batch_limit)
            .map(<[String]>::to_vec)
            .collect()
    };
    plan.collapse = chunk(surplus);
    plan.upserts = upserts
        .chunks(options.batch_limit)
        .map(<[MirrorRow]>::to_vec)
        .collect();
    plan.deletes = chunk(leavers.into_iter().map(|r| r.remote_id.clone()).collect());
    Ok(plan)
}

#[cfg(test)]
mod tests;
