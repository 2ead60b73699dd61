//! The connected half's ports compose: each is object-safe (a runtime holds `Box<dyn Source>`),
//! their wire shapes are pinned, and an update assembled by following pages as `source` documents
//! holds every page.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use async_trait::async_trait;

use super::model::{Block, Message, ModelRequest, Role, ToolChoice};
use super::source::{Cursor, Fetched, Next, Page, PageToken, Removal};
use super::*;
use crate::ids::ExternalRef;

/// Runs a future that never waits (the fakes below answer at once).
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the fake waited"),
    }
}

/// A source that answers from a script, recording what it was asked.
struct Scripted {
    answers: Mutex<VecDeque<Result<Fetched, PortError>>>,
    asked: Mutex<Vec<(Option<String>, Option<String>)>>,
}

#[async_trait]
impl Source for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }
    fn kinds(&self) -> &[RecordKind] {
        &[RecordKind::Event]
    }
    async fn fetch(
        &self,
        since: Option<&Cursor>,
        page: Option<&PageToken>,
    ) -> Result<Fetched, PortError> {
        self.asked
            .lock()
            .unwrap()
            .push((since.map(|c| c.0.clone()), page.map(|p| p.0.clone())));
        self.answers
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(Err(PortError::Cancelled))
    }
}

/// Follows pages to the end of one update, restarting from `since` when told to: the loop the
/// source port's invariants describe (the runtime of the sync issue owns the real one).
fn whole_update(
    source: &dyn Source,
    since: Option<&Cursor>,
) -> Result<(Vec<Removal>, Cursor), PortError> {
    let mut removals = Vec::new();
    let mut page: Option<PageToken> = None;
    loop {
        match ready(source.fetch(since, page.as_ref()))? {
            Fetched::Page(p) => {
                removals.extend(p.removals);
                match p.next {
                    Next::Page(t) => page = Some(t),
                    Next::Done(c) => return Ok((removals, c)),
                }
            }
            Fetched::Restart => {
                removals.clear();
                page = None;
            }
            Fetched::ResyncRequired { reason } => {
                return Err(PortError::Provider {
                    status: Some(410),
                    reason,
                });
            }
        }
    }
}

fn removal(id: &str) -> Removal {
    Removal {
        kind: RecordKind::Transaction,
        external: ExternalRef::new("plaid", id).unwrap(),
    }
}

fn page(ids: &[&str], next: Next) -> Result<Fetched, PortError> {
    Ok(Fetched::Page(Page {
        upserts: Vec::new(),
        removals: ids.iter().map(|i| removal(i)).collect(),
        next,
        full: None,
    }))
}

#[test]
fn a_restart_discards_the_pages_before_it() {
    let source: Box<dyn Source> = Box::new(Scripted {
        answers: Mutex::new(VecDeque::from([
            page(&["a"], Next::Page(PageToken("p2".into()))),
            Ok(Fetched::Restart),
            page(&["b"], Next::Page(PageToken("p2".into()))),
            page(&["c"], Next::Done(Cursor("c1".into()))),
        ])),
        asked: Mutex::new(Vec::new()),
    });
    let since = Cursor("c0".into());
    let (removals, cursor) = whole_update(source.as_ref(), Some(&since)).unwrap();
    assert_eq!(removals, vec![removal("b"), removal("c")]);
    assert_eq!(cursor, Cursor("c1".into()));
}

#[test]
fn a_lost_cursor_and_an_error_stop_the_update() {
    let source = Scripted {
        answers: Mutex::new(VecDeque::from([
            Ok(Fetched::ResyncRequired {
                reason: "fullSyncRequired".into(),
            }),
            Err(PortError::Auth {
                reason: "invalid_grant".into(),
            }),
        ])),
        asked: Mutex::new(Vec::new()),
    };
    assert_eq!(
        whole_update(&source, None).unwrap_err(),
        PortError::Provider {
            status: Some(410),
            reason: "fullSyncRequired".into()
        }
    );
    assert_eq!(
        whole_update(&source, Some(&Cursor("c0".into()))).unwrap_err(),
        PortError::Auth {
            reason: "invalid_grant".into()
        }
    );
    assert_eq!(
        *source.asked.lock().unwrap(),
        vec![(None, None), (Some("c0".into()), None)]
    );
}

#[test]
fn model_messages_have_the_wire_shape_of_tool_calls() {
    let request = ModelRequest {
        model: "m".into(),
        system: None,
        messages: vec![Message {
            role: Role::User,
            content: vec![
                Block::Text { text: "hi".into() },
                Block::ToolResult {
                    tool_use_id: "t1".into(),
                    content: "{}".into(),
                    is_error: false,
                },
            ],
        }],
        tools: Vec::new(),
        tool_choice: ToolChoice::Tool {
            name: "log_habit".into(),
        },
        output_schema: None,
        max_tokens: 100,
        temperature: None,
    };
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(json["messages"][0]["role"], "user");
    assert_eq!(json["messages"][0]["content"][0]["type"], "text");
    assert_eq!(json["messages"][0]["content"][1]["type"], "tool_result");
    assert_eq!(json["tool_choice"]["type"], "tool");
    let back: ModelRequest = serde_json::from_value(json).unwrap();
    assert_eq!(back, request);
}

/// Every port of the connected half can be held as a trait object.
#[test]
fn the_ports_are_object_safe() {
    fn takes(
        _: Option<&dyn Source>,
        _: Option<&dyn Sink>,
        _: Option<&dyn LanguageModel>,
        _: Option<&dyn Embedder>,
        _: Option<&dyn SecretStore>,
        _: Option<&dyn Clock>,
        _: Option<&dyn Notifier>,
    ) -> bool {
        true
    }
    assert!(takes(None, None, None, None, None, None, None));
    assert_eq!(
        format!("{:?}", SecretValue::new("hunter2")),
        "SecretValue(…)"
    );
}
