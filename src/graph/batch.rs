//! JSON batching: calls made at the same time travel together in `$batch` requests of up to 20.
//!
//! Callers don't see batches. Each queues one call and awaits its own answer; a background task
//! takes an HTTP slot, drains what is queued (waiting a moment for stragglers) and sends one
//! `$batch`. Sub-responses come back in any order and are matched by id. A throttled or failed
//! sub-request fails alone, so the caller's ordinary retry policy retries just that one.
//!
//! Write sub-requests (`reprocess`) carry `"body": {}` and a `Content-Type` header although the
//! action takes no body: Graph's batching doc requires both, and the service refuses the whole
//! batch without them. A batch refused as a whole (400) ran nothing, so its calls are sent again
//! directly; if it carried a write, every later write of the run goes direct too, in case the
//! service objects to batched writes themselves.

use super::{
    Departure, GraphClient, GraphError, GraphResponse, Outgoing, decode_error, is_near_limit,
};
use crate::diag;
use crate::graph::pacer::InFlight;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Graph's limit per `$batch`.
pub const MAX_BATCH: usize = 20;
/// How long a part-filled batch waits for more calls; short next to any Graph round trip.
const LINGER: Duration = Duration::from_millis(2);

struct Queued {
    method: Method,
    /// Relative to the version root, e.g. `/identityGovernance/...`, query included.
    path: String,
    reply: oneshot::Sender<Result<GraphResponse, GraphError>>,
}

pub struct Batcher {
    tx: mpsc::UnboundedSender<Queued>,
    /// Set once Graph refused a batch carrying a write: writes then bypass `$batch`.
    writes_direct: Arc<AtomicBool>,
}

/// Graph's "write request": one that must carry a body and a `Content-Type` in a batch.
fn is_write(method: &Method) -> bool {
    *method == Method::POST || *method == Method::PUT || *method == Method::PATCH
}

impl Batcher {
    pub fn spawn(client: Weak<GraphClient>) -> Batcher {
        let (tx, rx) = mpsc::unbounded_channel();
        let writes_direct = Arc::new(AtomicBool::new(false));
        tokio::spawn(collect(client, rx, writes_direct.clone()));
        Batcher { tx, writes_direct }
    }

    /// Whether a call with `method` should skip batching (after a refused batch of writes).
    pub fn bypasses(&self, method: &Method) -> bool {
        is_write(method) && self.writes_direct.load(Ordering::Relaxed)
    }

    pub async fn call(&self, method: Method, path: String) -> Result<GraphResponse, GraphError> {
        let (reply, answer) = oneshot::channel();
        let lost = || GraphError::Transport {
            url: path.clone(),
            detail: "the batching task stopped".into(),
            maybe_sent: false,
        };
        self.tx
            .send(Queued {
                method,
                path: path.clone(),
                reply,
            })
            .map_err(|_| lost())?;
        answer.await.map_err(|_| GraphError::Transport {
            url: path.clone(),
            detail: "the batch carrying this call was dropped".into(),
            maybe_sent: true,
        })?
    }
}

async fn collect(
    client: Weak<GraphClient>,
    mut rx: mpsc::UnboundedReceiver<Queued>,
    writes_direct: Arc<AtomicBool>,
) {
    // Calls taken from the queue but left out of a batch that had to shrink: they go first.
    let mut carried: VecDeque<Queued> = VecDeque::new();
    loop {
        let first = match carried.pop_front() {
            Some(q) => q,
            None => match rx.recv().await {
                Some(q) => q,
                None => break,
            },
        };
        let Some(client) = client.upgrade() else {
            break;
        };
        // Wait for an HTTP slot first: while every slot is busy, calls pile up in the queue and
        // the next batch leaves full.
        let permit = client.acquire_slot().await;
        let mut batch = vec![first];
        fill(&mut batch, &mut carried, &mut rx, client.batch_size()).await;
        // A 503's pause first: the pacer's leave marks when the batch really goes.
        client.wait_for_pause().await;
        let (mut departure, mut in_flight) = client.pace_batch(batch.len() as u32).await;
        // Never more than Graph was seen to serve at once: a batch larger than its bucket is
        // partly throttled however well it is paced, and the bucket may have shown itself
        // smaller while this batch waited for the pacer (which then let it leave with only
        // what it may carry).
        let limit = client.batch_size().min(departure.weight() as usize);
        if batch.len() > limit {
            for q in batch.drain(limit..).rev() {
                carried.push_front(q);
            }
            client.refund_batch(&mut departure, &mut in_flight, limit as u32);
        }
        let writes_direct = writes_direct.clone();
        tokio::spawn(async move {
            let paced = (departure, in_flight);
            send(&client, batch, permit, paced, &writes_direct).await
        });
    }
}

/// Top `batch` up to `limit` calls: carried ones first, then what is queued, waiting a moment
/// for stragglers.
async fn fill(
    batch: &mut Vec<Queued>,
    carried: &mut VecDeque<Queued>,
    rx: &mut mpsc::UnboundedReceiver<Queued>,
    limit: usize,
) {
    while batch.len() < limit {
        match carried.pop_front() {
            Some(q) => batch.push(q),
            None => break,
        }
    }
    let deadline = tokio::time::Instant::now() + LINGER;
    while batch.len() < limit {
        match rx.try_recv() {
            Ok(q) => batch.push(q),
            Err(_) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(q)) => batch.push(q),
                _ => break,
            },
        }
    }
}

#[derive(Deserialize)]
struct BatchResponse {
    responses: Vec<SubResponse>,
}

#[derive(Deserialize)]
struct SubResponse {
    id: String,
    status: u16,
    #[serde(default)]
    headers: HashMap<String, String>,
    #[serde(default)]
    body: Option<Value>,
}

async fn send(
    client: &GraphClient,
    batch: Vec<Queued>,
    permit: tokio::sync::OwnedSemaphorePermit,
    paced: (Departure, InFlight),
    writes_direct: &AtomicBool,
) {
    match post_batch(client, &batch, permit, paced).await {
        Ok((parsed, departure)) => answer_each(client, batch, parsed, departure),
        Err(e) if e.status() == Some(400) => {
            let carried_write = batch.iter().any(|q| is_write(&q.method));
            if carried_write && !writes_direct.swap(true, Ordering::Relaxed) {
                diag::warn(format!(
                    "Graph refused a $batch carrying reprocess calls ({e}); nothing in it ran, \
                     so this run sends them directly, one HTTP request each"
                ));
            }
            send_directly(client, batch).await;
        }
        Err(e) => {
            for q in batch {
                let _ = q.reply.send(Err(replicate(&e)));
            }
        }
    }
}

/// The `$batch` POST itself, its answer parsed.
async fn post_batch(
    client: &GraphClient,
    batch: &[Queued],
    permit: tokio::sync::OwnedSemaphorePermit,
    paced: (Departure, InFlight),
) -> Result<(BatchResponse, Option<Departure>), GraphError> {
    let requests: Vec<Value> = batch
        .iter()
        .enumerate()
        .map(|(i, q)| sub_request(i + 1, q))
        .collect();
    let body = json!({ "requests": requests }).to_string().into_bytes();
    let url = client.url("/$batch");
    let outgoing = Outgoing {
        method: Method::POST,
        url: url.clone(),
        json_body: Some(body.into()),
        weight: u32::try_from(batch.len()).unwrap_or(u32::MAX),
        permit: Some(permit),
        paced: Some(paced),
        batch: true,
    };
    let response = client.send_with_auth_retry(outgoing).await?;
    let parsed = serde_json::from_slice::<BatchResponse>(&response.body).map_err(|e| {
        GraphError::BadResponse {
            url: url.to_string(),
            detail: format!("the $batch answer is not a batch response ({e})"),
        }
    })?;
    Ok((parsed, response.departure))
}

/// Each caller gets its own sub-response, matched by id whatever order they came in; the pacer
/// learns how many Graph served and how many it throttled.
fn answer_each(
    client: &GraphClient,
    batch: Vec<Queued>,
    parsed: BatchResponse,
    departure: Option<Departure>,
) {
    let mut by_id: HashMap<String, SubResponse> = parsed
        .responses
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    if let Some(departure) = departure {
        let (served, throttled, near_limit) = fates(by_id.values());
        client.record_batch(departure, served, throttled, near_limit);
    }
    for (i, q) in batch.into_iter().enumerate() {
        let result = match by_id.remove(&(i + 1).to_string()) {
            Some(sub) => decode_sub(sub),
            // It may or may not have run: treat like a dropped connection.
            None => Err(GraphError::Transport {
                url: q.path.clone(),
                detail: "the $batch answer has no response for this call".into(),
                maybe_sent: true,
            }),
        };
        let _ = q.reply.send(result);
    }
}

/// One sub-request in the shape Graph's batching doc gives; writes carry an empty JSON body.
fn sub_request(n: usize, q: &Queued) -> Value {
    // Headers of the `$batch` POST do not reach its sub-requests: each asks for new enum
    // members itself.
    let mut sub = json!({"id": n.to_string(), "method": q.method.as_str(), "url": q.path,
                         "headers": {"Prefer": super::PREFER}});
    if is_write(&q.method) {
        sub["body"] = json!({});
        sub["headers"]["Content-Type"] = json!("application/json");
    }
    sub
}

/// A batch refused as a whole ran nothing: each of its calls goes again on its own.
async fn send_directly(client: &GraphClient, batch: Vec<Queued>) {
    let sends = batch.into_iter().map(|q| async move {
        let outgoing = Outgoing::new(q.method, client.url(&q.path));
        let _ = q.reply.send(client.send_with_auth_retry(outgoing).await);
    });
    futures_util::future::join_all(sends).await;
}

/// Of a batch's sub-responses: how many Graph served (5xx tell nothing of its bucket), how many
/// it throttled, and whether any said the caller is near its limit.
fn fates<'a>(subs: impl Iterator<Item = &'a SubResponse>) -> (u32, u32, bool) {
    let (mut served, mut throttled, mut near_limit) = (0u32, 0u32, false);
    for sub in subs {
        match sub.status {
            429 => throttled += 1,
            s if s < 500 => served += 1,
            _ => {}
        }
        near_limit |= is_near_limit(sub_header(sub, "x-ms-throttle-limit-percentage").as_deref());
    }
    (served, throttled, near_limit)
}

fn sub_header(sub: &SubResponse, name: &str) -> Option<String> {
    sub.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// One sub-response as the caller's own answer. Pure, so it can be fuzzed.
fn decode_sub(sub: SubResponse) -> Result<GraphResponse, GraphError> {
    let header = |name: &str| sub_header(&sub, name);
    let (content_type, request_id) = (header("content-type"), header("request-id"));
    let retry_after = header("retry-after").and_then(|v| crate::http::parse_retry_after(&v));
    // JSON bodies are inlined; anything else would arrive as a (base64) string.
    let body = match sub.body {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.into_bytes(),
        Some(v) => v.to_string().into_bytes(),
    };
    if (200..300).contains(&sub.status) {
        return Ok(GraphResponse {
            status: sub.status,
            body: body.into(),
            departure: None,
        });
    }
    Err(decode_error(
        sub.status,
        content_type.as_deref(),
        &body,
        request_id,
        retry_after,
    ))
}

/// The batch as a whole failed: every call in it gets the same failure.
fn replicate(e: &GraphError) -> GraphError {
    match e {
        GraphError::Api {
            status,
            code,
            message,
            request_id,
            retry_after,
        } => GraphError::Api {
            status: *status,
            code: code.clone(),
            message: message.clone(),
            request_id: request_id.clone(),
            retry_after: *retry_after,
        },
        GraphError::Transport {
            url,
            detail,
            maybe_sent,
        } => GraphError::Transport {
            url: url.clone(),
            detail: detail.clone(),
            maybe_sent: *maybe_sent,
        },
        GraphError::TimedOut { url, detail } => GraphError::TimedOut {
            url: url.clone(),
            detail: detail.clone(),
        },
        // Each call of the batch fails at once, as the batch did: no retry mends it.
        GraphError::Unreachable { url, detail, check } => GraphError::Unreachable {
            url: url.clone(),
            detail: detail.clone(),
            check,
        },
        GraphError::BadResponse { url, detail } => GraphError::Transport {
            // A garbled batch answer: the calls in it may have run.
            url: url.clone(),
            detail: detail.clone(),
            maybe_sent: true,
        },
        // No token means nothing was sent; keep it an authentication failure (exit 3).
        GraphError::Auth(auth) => GraphError::Api {
            status: 401,
            code: "authenticationFailed".into(),
            message: auth.to_string(),
            request_id: None,
            retry_after: None,
        },
        other => GraphError::Transport {
            url: String::new(),
            detail: other.to_string(),
            maybe_sent: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|f| json!(f)),
            ".{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::hash_map(
                    prop_oneof![
                        Just("id".to_string()),
                        Just("status".to_string()),
                        Just("headers".to_string()),
                        Just("body".to_string()),
                        Just("responses".to_string()),
                        Just("Retry-After".to_string()),
                        Just("error".to_string()),
                        ".{0,12}".prop_map(|s| s),
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever a server puts in a `$batch` answer, parsing and decoding it never panics.
        #[test]
        fn batch_answers_never_panic(doc in arbitrary_json(), raw in prop::collection::vec(any::<u8>(), 0..256)) {
            for bytes in [doc.to_string().into_bytes(), raw] {
                if let Ok(parsed) = serde_json::from_slice::<BatchResponse>(&bytes) {
                    for sub in parsed.responses {
                        let _ = decode_sub(sub);
                    }
                }
            }
        }

        /// Sub-responses with hostile statuses, headers and bodies decode to a typed answer.
        #[test]
        fn hostile_sub_responses_decode(
            status in any::<u16>(),
            retry_after in prop_oneof![".{0,30}", "[0-9eE.+-]{1,30}"],
            content_type in ".{0,30}",
            body in arbitrary_json(),
        ) {
            let sub = SubResponse {
                id: "1".into(),
                status,
                headers: [
                    ("Retry-After".to_string(), retry_after),
                    ("Content-Type".to_string(), content_type),
                ]
                .into_iter()
                .collect(),
                body: Some(body),
            };
            let decoded = decode_sub(sub);
            prop_assert_eq!(decoded.is_ok(), (200..300).contains(&status));
        }
    }

    #[test]
    fn write_sub_requests_carry_the_documented_body_and_content_type() {
        let (reply, _answer) = oneshot::channel();
        let q = Queued {
            method: Method::POST,
            path: "/identityGovernance/entitlementManagement/assignmentRequests/x/reprocess".into(),
            reply,
        };
        let sub = sub_request(3, &q);
        assert_eq!(
            sub,
            json!({"id": "3", "method": "POST", "url": q.path, "body": {},
                   "headers": {"Content-Type": "application/json",
                               "Prefer": "include-unknown-enum-members"}})
        );
        let (reply, _answer) = oneshot::channel();
        let get = Queued {
            method: Method::GET,
            path: "/x".into(),
            reply,
        };
        assert_eq!(
            sub_request(1, &get),
            json!({"id": "1", "method": "GET", "url": "/x",
                   "headers": {"Prefer": "include-unknown-enum-members"}})
        );
    }
}
