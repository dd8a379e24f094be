//! The HTTP pieces every outside call shares: one client configuration, a bounded body read, and
//! transport errors described on one line. Imports nothing of ep, so auth and graph can both use
//! it without depending on each other.

use bytes::{Bytes, BytesMut};
use std::time::Duration;

/// The largest response body ep reads. A Graph page of a few hundred requests is well under a
/// megabyte; anything near this is a server streaming without end, and must not fill memory.
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Silence after which a connection counts as stalled (between any two reads, headers included).
pub const READ_TIMEOUT: Duration = Duration::from_secs(15);

/// A reqwest client with timeouts that keep a dead or stalling network from hanging a CI job.
pub fn client() -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("ep/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(READ_TIMEOUT)
        .timeout(Duration::from_secs(100))
        // Redirects would carry the Authorization header to wherever they point; Graph does not
        // redirect these calls, so any redirect is surfaced instead of followed.
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    Ok(client)
}

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// The connection failed or stalled mid-body.
    Transport(reqwest::Error),
    /// More than [`MAX_BODY_BYTES`], announced or streamed.
    TooLarge,
}

impl BodyError {
    pub fn describe(&self) -> String {
        match self {
            BodyError::Transport(e) => describe_transport_error(e),
            BodyError::TooLarge => format!(
                "the response body is larger than {} MiB; stopped reading",
                MAX_BODY_BYTES / (1024 * 1024)
            ),
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, BodyError::Transport(e) if e.is_timeout())
    }
}

/// The whole body, or an error as soon as it exceeds [`MAX_BODY_BYTES`].
pub async fn read_body(mut response: reqwest::Response) -> Result<Bytes, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// reqwest's Display nests causes; keep the useful part on one line.
pub fn describe_transport_error(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        let text = err.to_string();
        if !parts.iter().any(|p: &String| p.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    format!("{kind}: {}", parts.last().cloned().unwrap_or_default())
}

/// When a transport error is one no retry can mend, what to check: a certificate the trusted
/// roots do not vouch for (a corporate proxy inspecting TLS with its own CA), a host name that
/// does not resolve, a configured proxy that refuses connections. A busy or restarting Graph
/// fails differently (resets, 5xx, timeouts) and is retried.
pub fn permanent_transport_error(e: &reqwest::Error) -> Option<&'static str> {
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        chain.push_str(&err.to_string().to_ascii_lowercase());
        chain.push(' ');
        source = err.source();
    }
    let proxied = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|p| !p.is_empty()));
    if chain.contains("certificate") || chain.contains("unknownissuer") {
        Some(
            "the server's TLS certificate is not trusted: behind a proxy that inspects TLS, \
             point SSL_CERT_FILE at its root CA (PEM); otherwise check --graph-url",
        )
    } else if chain.contains("dns error") || chain.contains("failed to lookup address") {
        Some("the host name does not resolve: check --graph-url / EP_GRAPH_URL and DNS")
    } else if proxied && e.is_connect() && chain.contains("connection refused") {
        Some("the proxy refused the connection: check HTTPS_PROXY (and NO_PROXY)")
    } else {
        None
    }
}

/// `Retry-After` as Graph sends it: seconds, possibly fractional (`2.128`), or an HTTP date.
/// Absurd values (`1e308`, `inf`) saturate rather than fail: they still mean "wait longer than
/// you are willing to", which the retry budget then refuses. Negative or `NaN`: no advice.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_nan() || secs < 0.0 {
            return None;
        }
        return Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// `-vv`: headers and body of one direction of an exchange (`>` sent, `<` received), redacted.
pub fn trace_wire(direction: &str, headers: &reqwest::header::HeaderMap, body: Option<&[u8]>) {
    if crate::diag::verbosity() < 2 {
        return;
    }
    for (name, value) in headers {
        let value = value.to_str().unwrap_or("(not text)");
        crate::diag::trace(
            2,
            format!(
                "{direction} {}",
                crate::redact::header_line(name.as_str(), value)
            ),
        );
    }
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        let shown = crate::redact::body(&String::from_utf8_lossy(body), 2000);
        crate::diag::trace(2, format!("{direction} body: {shown}"));
    }
}
