//! Fake servers on 127.0.0.1 for tests: the providers' APIs as `../shared/docs/provider-apis.md`
//! describes them, with fault injection, and a scripted server that answers from a queue (raw
//! HTTP/1.1, so it can also cut a body short).
//!
//! Built for this crate's tests and, with the `testing` feature, for the workspace's tests and
//! benchmarks. Never part of a release build.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support

pub mod airtable;
pub mod garmin;
pub mod garmin_export;
pub mod google_calendar;
pub mod plaid;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server running on a tokio task; stopped when dropped.
#[derive(Debug)]
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves an axum router on an ephemeral port of 127.0.0.1.
pub async fn serve(router: axum::Router) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.ok();
    });
    Running { url, task }
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The status.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
    /// Send only this many bytes of the body (with the whole body's `Content-Length`), then close.
    pub cut_at: Option<usize>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
            cut_at: None,
        }
    }

    /// With a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Cut short after `n` bytes of the body.
    pub fn cut(mut self, n: usize) -> Self {
        self.cut_at = Some(n);
        self
    }
}

impl axum::response::IntoResponse for Reply {
    /// The scripted answer as an axum response (a JSON body unless a header says otherwise;
    /// `cut_at` does not apply here: axum always sends whole bodies).
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.status)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, self.body).into_response();
        response.headers_mut().insert(
            "content-type",
            axum::http::HeaderValue::from_static("application/json"),
        );
        for (k, v) in self.headers {
            if let (Ok(k), Ok(v)) = (
                axum::http::HeaderName::from_bytes(k.as_bytes()),
                axum::http::HeaderValue::from_str(&v),
            ) {
                response.headers_mut().insert(k, v);
            }
        }
        response
    }
}

/// A request as the scripted server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Method and path with query (`GET /v0/app/t?x=1`).
    pub line: String,
    /// Headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: String,
}

/// A server that answers each request with the next scripted reply (a 500 when the script is
/// used up) and keeps every request it saw.
#[derive(Debug)]
pub struct Scripted {
    /// Where it listens.
    pub running: Running,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Scripted {
    /// Starts a server with `replies`.
    pub async fn start(replies: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let replies = Arc::new(Mutex::new(VecDeque::from(replies)));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (r, s) = (replies.clone(), seen.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (r, s) = (r.clone(), s.clone());
                tokio::spawn(async move {
                    // One request per connection: the reply closes it.
                    let Some(request) = read_request(&mut socket).await else {
                        return;
                    };
                    s.lock().unwrap().push(request);
                    let reply = r.lock().unwrap().pop_front().unwrap_or_else(|| {
                        Reply::json(500, r#"{"error":"the script is used up"}"#)
                    });
                    let mut head = format!(
                        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                        reply.status,
                        reply.body.len()
                    );
                    for (k, v) in &reply.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    let body = &reply.body.as_bytes()[..reply.cut_at.unwrap_or(reply.body.len())];
                    socket.write_all(head.as_bytes()).await.ok();
                    socket.write_all(body).await.ok();
                    socket.shutdown().await.ok();
                });
            }
        });
        Self {
            running: Running { url, task },
            replies,
            seen,
        }
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.running.url
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Replies not yet used.
    pub fn left(&self) -> usize {
        self.replies.lock().unwrap().len()
    }
}

/// Reads one HTTP/1.1 request (headers, then a `Content-Length` body).
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let line = lines.next()?.rsplit_once(' ')?.0.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Seen {
        line,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}
