//! One-way updates from a [`Source`] into the store (`sync-algorithm.md` §2): every page of one
//! update is fetched first, reduced to one change per record
//! ([`pa_core::sync::update::Reducer`]), and written with the new cursor, the sweep of a full
//! listing and the sync-run row in **one** [`WriteBatch`]. A failure or a stop at any point
//! before that write leaves store and cursor as they were, so the next run starts again from the
//! same cursor and nothing is lost or doubled.
//!
//! A service that changes data under the pages (`Fetched::Restart`) gets the update restarted
//! from its first cursor, at most three times; one that no longer takes the cursor
//! (`Fetched::ResyncRequired`, Google's 410) gets a full listing whose sweep removes, inside the
//! listing's scope and among this source's records only, what it no longer lists.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use pa_core::ids::ExternalRef;
use pa_core::ports::record::{KindVisitor, Record, RecordKind, RecordRef};
use pa_core::ports::source::{Cursor, Fetched, Incoming, Next, PageToken};
use pa_core::ports::{
    PortError, Source, StoredEvent, SyncOutcome, SyncRun, SyncState, UserStore, WriteBatch,
    WriteReport,
};
use pa_core::sync::update::{Identity, Reducer, merge_occurrences, sweep};
use pa_core::time::Day;
use serde::Serialize;

use super::dashboard::Cancel;
use crate::error::{Error, Result};

/// Restarts of one update before giving up (Plaid's mutation during pagination).
const MAX_RESTARTS: usize = 3;

/// Where an update is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateProgress {
    /// The source.
    pub source: String,
    /// Pages fetched.
    pub pages: usize,
    /// Changes received so far.
    pub changes: usize,
}

/// What an update did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateReport {
    /// The source.
    pub source: String,
    /// Pages fetched (restarted ones included).
    pub pages: usize,
    /// Times the update was restarted because data changed under its pages.
    pub restarts: usize,
    /// Whether the cursor was refused and everything listed again.
    pub resynced: bool,
    /// Records added, updated, unchanged and deleted in the store.
    pub written: WriteReport,
    /// Records the full listing's sweep removed (in `written.deleted` too).
    pub swept: usize,
    /// Changed occurrences whose series the store does not hold (left out).
    pub orphans: usize,
}

/// A stored record of one of the source's kinds: its reference, its key and its first day.
struct Held {
    kind: RecordKind,
    external: ExternalRef,
    key: String,
    day: Option<Day>,
}

/// Lists the stored records of a kind with their references.
struct Holdings<'a, S> {
    store: &'a S,
    kind: RecordKind,
}

impl<S> KindVisitor for Holdings<'_, S>
where
    S: UserStore,
    Error: From<S::Error>,
{
    type Output = Result<Vec<Held>>;
    fn visit<R: Record>(self) -> Result<Vec<Held>> {
        Ok(self
            .store
            .records::<R>(None)?
            .iter()
            .filter_map(|r| {
                Some(Held {
                    kind: self.kind,
                    external: r.external()?.clone(),
                    key: r.key(),
                    day: r.span().map(|s| s.0),
                })
            })
            .collect())
    }
}

fn held<S>(store: &S, kind: RecordKind) -> Result<Vec<Held>>
where
    S: UserStore,
    Error: From<S::Error>,
{
    match kind {
        RecordKind::Activity => Ok(store
            .activities(Day::EARLIEST, Day::LATEST)?
            .into_iter()
            .filter_map(|a| {
                Some(Held {
                    kind,
                    day: Some(a.start.local_day()),
                    key: a.id.to_string(),
                    external: a.external?,
                })
            })
            .collect()),
        RecordKind::Account => Ok(store
            .accounts()?
            .into_iter()
            .filter_map(|a| {
                Some(Held {
                    kind,
                    day: None,
                    key: a.id.to_string(),
                    external: a.external?,
                })
            })
            .collect()),
        RecordKind::Transaction => Ok(store
            .transactions(Day::EARLIEST, Day::LATEST)?
            .into_iter()
            .filter_map(|t| {
                Some(Held {
                    kind,
                    day: Some(t.posted),
                    key: t.id.to_string(),
                    external: t.external?,
                })
            })
            .collect()),
        other => other
            .with_type(Holdings { store, kind: other })
            .unwrap_or_else(|| Ok(Vec::new())),
    }
}

/// Runs updates of one source into one person's store.
pub struct Updater<'a, S> {
    /// The person's store.
    pub store: &'a S,
    /// The source.
    pub source: &'a dyn Source,
    /// Stops the update between pages (nothing is written then).
    pub cancel: Cancel,
}

impl<S> Updater<'_, S>
where
    S: UserStore,
    Error: From<S::Error>,
{
    fn port(&self, e: PortError) -> Error {
        Error::from_port(self.source.name(), e)
    }

    /// Fetches every page of one update and writes it; `now` stamps the run. A failure leaves
    /// the data and cursor as they were and records the run and the error.
    pub async fn run(
        &self,
        now: DateTime<Utc>,
        progress: &mut (dyn FnMut(&UpdateProgress) + Send),
    ) -> Result<UpdateReport> {
        let name = self.source.name().to_owned();
        let state = self.store.sync_state(&name)?;
        let start = state.as_ref().and_then(|s| s.cursor.clone()).map(Cursor);
        match self.update(&start, now, progress).await {
            Ok(report) => Ok(report),
            Err(e) => {
                let error = e.to_string();
                let failed = WriteBatch {
                    sync: vec![SyncState {
                        source: name.clone(),
                        cursor: start.map(|c| c.0),
                        last_success: state.and_then(|s| s.last_success),
                        last_error: Some(error.clone()),
                    }],
                    sync_runs: vec![SyncRun {
                        source: name,
                        started: now,
                        finished: Some(Utc::now().max(now)),
                        added: 0,
                        updated: 0,
                        deleted: 0,
                        outcome: SyncOutcome::Failed,
                        error: Some(error),
                    }],
                    ..WriteBatch::default()
                };
                self.store.apply(&failed)?;
                Err(e)
            }
        }
    }

    async fn update(
        &self,
        start: &Option<Cursor>,
        now: DateTime<Utc>,
        progress: &mut (dyn FnMut(&UpdateProgress) + Send),
    ) -> Result<UpdateReport> {
        let name = self.source.name().to_owned();
        let mut report = UpdateReport {
            source: name.clone(),
            ..UpdateReport::default()
        };
        let mut since = start.clone();
        let mut reducer = Reducer::new();
        let mut page: Option<PageToken> = None;
        let mut changes = 0;
        let cursor = loop {
            if self.cancel.is_cancelled() {
                return Err(self.port(PortError::Cancelled));
            }
            let fetched = self
                .source
                .fetch(since.as_ref(), page.as_ref())
                .await
                .map_err(|e| self.port(e))?;
            report.pages += 1;
            match fetched {
                Fetched::Page(p) => {
                    changes += p.upserts.len() + p.removals.len();
                    let next = p.next.clone();
                    reducer.push(p);
                    progress(&UpdateProgress {
                        source: name.clone(),
                        pages: report.pages,
                        changes,
                    });
                    match next {
                        Next::Page(t) => page = Some(t),
                        Next::Done(c) => break c,
                    }
                }
                Fetched::Restart => {
                    report.restarts += 1;
                    if report.restarts > MAX_RESTARTS {
                        return Err(self.port(PortError::Provider {
                            status: None,
                            reason: format!(
                                "the data changed under the pages {MAX_RESTARTS} times in a row; nothing was written"
                            ),
                        }));
                    }
                    reducer = Reducer::new();
                    page = None;
                    changes = 0;
                }
                Fetched::ResyncRequired { reason } => {
                    if report.resynced {
                        return Err(self.port(PortError::Provider {
                            status: None,
                            reason: format!("a full listing was refused too ({reason})"),
                        }));
                    }
                    tracing::info!(source = %name, %reason, "cursor refused: listing everything");
                    report.resynced = true;
                    since = None;
                    reducer = Reducer::new();
                    page = None;
                    changes = 0;
                }
            }
        };
        let mut reduced = reducer.finish();
        // What the store holds of this source, by reference, for removals, the sweep and series.
        let mut holdings: HashMap<ExternalRef, Held> = HashMap::new();
        for kind in self.source.kinds() {
            for h in held(self.store, *kind)? {
                if self.source.owns(&h.external) {
                    holdings.insert(h.external.clone(), h);
                }
            }
        }
        let wants_series = reduced
            .upserts
            .iter()
            .any(|u| matches!(u, Incoming::Occurrence { .. }));
        let series: HashMap<ExternalRef, StoredEvent> = if wants_series {
            self.store
                .records::<StoredEvent>(None)?
                .into_iter()
                .filter_map(|e| Some((e.record.external.clone()?, e)))
                .collect()
        } else {
            HashMap::new()
        };
        report.orphans = merge_occurrences(&mut reduced, |ext| series.get(ext).cloned()).len();
        let mut batch = WriteBatch {
            origin: Some(format!("sync:{name}")),
            ..WriteBatch::default()
        };
        let stored: Vec<(Identity, Option<Day>)> = holdings
            .values()
            .map(|h| (Identity::External(h.kind, h.external.clone()), h.day))
            .collect();
        let swept = sweep(&reduced, stored.iter().map(|(i, d)| (i, *d)));
        report.swept = swept.len();
        for removal in reduced
            .removals
            .iter()
            .map(|r| (r.kind, &r.external))
            .chain(swept.iter().filter_map(|i| match i {
                Identity::External(k, e) => Some((*k, e)),
                Identity::Key(..) => None,
            }))
        {
            if let Some(h) = holdings.get(removal.1) {
                batch
                    .deletions
                    .push(RecordRef::new(removal.0, h.key.clone()));
            }
        }
        for u in reduced.upserts {
            match u {
                Incoming::Activity(a) => batch.activities.push(a),
                Incoming::DailyHealth(h) => batch.health.push(h),
                Incoming::Account(a) => batch.accounts.push(a),
                Incoming::Transaction(t) => batch.transactions.push(t),
                Incoming::Balance(b) => batch.balances.push(b),
                Incoming::Record(d) => batch.records.push(d),
                Incoming::Occurrence { .. } => {}
            }
        }
        // The cursor moves only with the data, and only from where this run began.
        let current = self.store.sync_state(&name)?.and_then(|s| s.cursor);
        if current != start.as_ref().map(|c| c.0.clone()) {
            return Err(Error::from_port(
                &name,
                PortError::Provider {
                    status: None,
                    reason: "another sync of this source finished meanwhile; nothing was written"
                        .into(),
                },
            ));
        }
        batch.sync.push(SyncState {
            source: name.clone(),
            cursor: Some(cursor.0),
            last_success: Some(now),
            last_error: None,
        });
        report.written = self.store.apply(&batch)?;
        let run = SyncRun {
            source: name,
            started: now,
            finished: Some(Utc::now().max(now)),
            added: report.written.added,
            updated: report.written.updated,
            deleted: report.written.deleted,
            outcome: SyncOutcome::Succeeded,
            error: None,
        };
        self.store.apply(&WriteBatch {
            sync_runs: vec![run],
            ..WriteBatch::default()
        })?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests;
