//! Graph's failures as typed errors: OData error bodies decoded, and everything else (HTML from a
//! proxy, truncated JSON, a dropped connection) named for what it is.

use serde::Deserialize;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Graph answered with an error status and (usually) an OData error body.
    #[error("{}", api_message(*status, code, message, request_id.as_deref()))]
    Api {
        status: u16,
        code: String,
        message: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    },
    /// A success status whose body is not what Graph sends (HTML, truncated JSON, wrong shape).
    #[error("unexpected response from {url}: {detail}")]
    BadResponse { url: String, detail: String },
    /// No HTTP answer at all.
    #[error("could not reach {url}: {detail}")]
    Transport {
        url: String,
        detail: String,
        /// True when the request may have reached the server (timeout or reset after sending).
        maybe_sent: bool,
    },
    /// The connection went silent (no data for the read timeout): the call may have reached
    /// the server.
    #[error("{url} stopped answering: {detail}")]
    TimedOut { url: String, detail: String },
    /// No connection, and none will come by retrying: the certificate is not trusted, the host
    /// name does not resolve, the configured proxy refuses. Never retried.
    #[error("could not reach {url}: {detail}")]
    Unreachable {
        url: String,
        detail: String,
        /// What to check, in the admin's words.
        check: &'static str,
    },
    /// Retried as long as the budget allowed; the last failure is kept.
    #[error("gave up after {attempts} attempts: {last}")]
    RetriesExhausted {
        attempts: u32,
        last: Box<GraphError>,
    },
    /// Graph asked (`Retry-After`) for a longer wait than the call's budget had left.
    #[error(
        "Graph asked to wait {} (Retry-After), more than the {} this call may still wait (--max-wait): {last}",
        show_wait(*asked),
        show_wait(*left)
    )]
    WaitTooLong {
        asked: Duration,
        left: Duration,
        last: Box<GraphError>,
    },
    /// No token, so no call was made.
    #[error(transparent)]
    Auth(crate::auth::AuthError),
    /// A link that would carry the bearer token to another host.
    #[error(
        "refusing to follow {url}: it leaves the Graph host {graph_host}, and the token must not go there"
    )]
    ForeignHost { url: String, graph_host: String },
}

/// A wait for people: whole seconds, and no 300-digit number for an absurd header.
fn show_wait(d: Duration) -> String {
    const YEAR: u64 = 365 * 24 * 3600;
    if d.as_secs() >= YEAR {
        return "more than a year".into();
    }
    humantime::format_duration(Duration::from_secs(
        d.as_secs().max(u64::from(d.subsec_nanos() > 0)),
    ))
    .to_string()
}

fn api_message(status: u16, code: &str, message: &str, request_id: Option<&str>) -> String {
    let code = if code.is_empty() { "(no code)" } else { code };
    let mut s = format!("Graph answered {status} {code}: {message}");
    if let Some(id) = request_id {
        s.push_str(&format!(" (request-id {id})"));
    }
    s
}

impl GraphError {
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Api { status, .. } => Some(*status),
            GraphError::RetriesExhausted { last, .. } | GraphError::WaitTooLong { last, .. } => {
                last.status()
            }
            _ => None,
        }
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            GraphError::Api { code, .. } => Some(code),
            GraphError::RetriesExhausted { last, .. } | GraphError::WaitTooLong { last, .. } => {
                last.code()
            }
            _ => None,
        }
    }

    /// One line telling the admin what to do next.
    pub fn hint(&self) -> Option<String> {
        match self {
            GraphError::Api { status: 401, .. } => Some(
                "the token was rejected: check the tenant, the client id and that the token is for Microsoft Graph"
                    .into(),
            ),
            GraphError::Api { status: 403, .. } => Some(
                "listing needs EntitlementManagement.Read.All and reprocess EntitlementManagement.ReadWrite.All \
                 (or the Access package assignment manager / Identity Governance Administrator role)"
                    .into(),
            ),
            GraphError::Api { status: 429, .. } | GraphError::RetriesExhausted { .. } => Some(
                "Graph is throttling or unavailable; rerun later"
                    .into(),
            ),
            GraphError::Api { status, .. } if *status >= 500 => {
                Some("Graph is unavailable; rerun later".into())
            }
            GraphError::BadResponse { .. } => Some(
                "is --graph-url / EP_GRAPH_URL a Microsoft Graph endpoint? A proxy or captive portal may be answering"
                    .into(),
            ),
            GraphError::Unreachable { check, .. } => Some((*check).to_string()),
            GraphError::Transport { .. } | GraphError::TimedOut { .. } => {
                Some("check the network, proxy settings and --graph-url".into())
            }
            GraphError::WaitTooLong { .. } => Some(
                "Graph is throttling hard; rerun later, or allow longer waits with --max-wait".into(),
            ),
            GraphError::ForeignHost { .. } => None,
            GraphError::Auth(e) => e.hint(),
            GraphError::Api { .. } => None,
        }
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ODataError,
}

#[derive(Deserialize)]
struct ODataError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
    #[serde(rename = "innerError", alias = "innererror")]
    inner_error: Option<InnerError>,
}

#[derive(Deserialize)]
struct InnerError {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

/// Decode an error response. `header_request_id` is the `request-id` response header, used when the
/// body has none (or is not JSON at all).
pub fn decode_error(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    header_request_id: Option<String>,
    retry_after: Option<Duration>,
) -> GraphError {
    if let Ok(env) = serde_json::from_slice::<ErrorEnvelope>(body) {
        return GraphError::Api {
            status,
            code: env.error.code,
            message: one_line(&env.error.message),
            request_id: env
                .error
                .inner_error
                .and_then(|i| i.request_id)
                .or(header_request_id),
            retry_after,
        };
    }
    let reason = http_reason(status);
    let what = match content_type {
        Some(ct) if ct.contains("html") => {
            "an HTML page (a proxy or gateway, not Graph)".to_string()
        }
        _ if body.is_empty() => "no body".to_string(),
        Some(ct) => format!("a {ct} body that is not an OData error"),
        None => "a body that is not an OData error".to_string(),
    };
    GraphError::Api {
        status,
        code: String::new(),
        message: format!("{reason}, with {what}"),
        request_id: header_request_id,
        retry_after,
    }
}

fn http_reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "error",
    }
}

/// Error messages end up on one stderr line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ExitStatus, graph_exit};

    #[test]
    fn decodes_the_documented_error_body() {
        let body =
            include_bytes!("../../tests/fixtures/concepts_errors.example-error-response.json");
        let err = decode_error(400, Some("application/json"), body, None, None);
        match &err {
            GraphError::Api {
                code, request_id, ..
            } => {
                assert_eq!(code, "invalidRange");
                assert_eq!(request_id.as_deref(), Some("request-id"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(graph_exit(&err), ExitStatus::Usage);
    }

    #[test]
    fn decodes_the_throttling_body() {
        let body =
            include_bytes!("../../tests/fixtures/concepts_throttling.429-sample-response.json");
        let err = decode_error(
            429,
            Some("application/json"),
            body,
            None,
            Some(Duration::from_secs(10)),
        );
        assert_eq!(err.code(), Some("TooManyRequests"));
        assert_eq!(graph_exit(&err), ExitStatus::Unavailable);
        assert!(
            err.to_string()
                .contains("94fb3b52-452a-4535-a601-69e0a90e3aa2")
        );
    }

    #[test]
    fn html_from_a_proxy_is_named_as_such() {
        let err = decode_error(
            502,
            Some("text/html; charset=utf-8"),
            b"<html><body>Bad gateway</body></html>",
            Some("rid-1".into()),
            None,
        );
        let text = err.to_string();
        assert!(text.contains("HTML page"), "{text}");
        assert!(text.contains("rid-1"), "{text}");
        assert_eq!(graph_exit(&err), ExitStatus::Unavailable);
    }

    #[test]
    fn statuses_map_to_contract_exit_codes() {
        let api = |status| GraphError::Api {
            status,
            code: "x".into(),
            message: "m".into(),
            request_id: None,
            retry_after: None,
        };
        assert_eq!(graph_exit(&api(401)), ExitStatus::Auth);
        assert_eq!(graph_exit(&api(403)), ExitStatus::Auth);
        assert_eq!(graph_exit(&api(404)), ExitStatus::NotFound);
        assert_eq!(graph_exit(&api(503)), ExitStatus::Unavailable);
        assert_eq!(graph_exit(&api(400)), ExitStatus::Usage);
    }
}
