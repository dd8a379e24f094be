//! Pure functions that make HTTP traffic safe to print at `-vv`.
//!
//! Everything that can carry a credential (headers, form fields, JSON members, query parameters)
//! is matched by name; values that look like a JWT are also hidden wherever they appear, because
//! servers echo tokens in places no list of names anticipates.
//!
//! And the values themselves: every credential ep loads or is issued is registered in a
//! process-wide set ([`register_secret`]), and [`known_secrets`] hides those exact values wherever
//! they appear, since a server that echoes a token in an error body puts it where no name says so.

use std::borrow::Cow;
use std::sync::RwLock;
use url::Url;

/// Shown instead of a secret value.
pub const REDACTED: &str = "(redacted)";

/// Shorter values are not registered: hiding every occurrence of a few characters would mangle
/// ordinary text, and no credential ep handles (tokens, client secrets, assertions, identity
/// headers) is that short.
pub const MIN_SECRET_CHARS: usize = 8;

/// The values of every credential ep holds, longest first (so a secret that contains another is
/// hidden whole), in the spellings a server may echo them in.
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Remember `value` as a secret: from now on [`known_secrets`] hides it. Called wherever a
/// credential is loaded or issued ([`crate::auth::Secret::new`] does it for every wrapped value).
pub fn register_secret(value: &str) {
    let value = value.trim();
    if value.chars().count() < MIN_SECRET_CHARS {
        return;
    }
    // Echoed inside a JSON string or a form body, the same secret is spelled differently.
    let json = serde_json::to_string(value)
        .map(|q| q.trim_matches('"').to_string())
        .unwrap_or_default();
    let form: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    for spelling in [value.to_string(), json, form] {
        if spelling.chars().count() >= MIN_SECRET_CHARS && !known.contains(&spelling) {
            known.push(spelling);
        }
    }
    known.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every registered secret replaced by [`REDACTED`].
pub fn known_secrets(text: &str) -> Cow<'_, str> {
    let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
    if !known.iter().any(|s| text.contains(s.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_string();
    for secret in known.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    Cow::Owned(out)
}

/// Names (compared case-insensitively, `-` and `_` alike) whose values are credentials.
const SECRET_NAMES: &[&str] = &[
    "authorization",
    "proxy_authorization",
    "cookie",
    "set_cookie",
    "x_identity_header",
    "client_secret",
    "client_assertion",
    "assertion",
    "access_token",
    "refresh_token",
    "id_token",
    "device_code",
    // Not plain `code`: ep uses no authorization-code grant, and in Graph's bodies `code` is
    // the OData error code, which -vv exists to show.
    "password",
    "secret",
];

/// Whether a header, form field, JSON member or query parameter named `name` holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let normal = name.trim().to_ascii_lowercase().replace('-', "_");
    SECRET_NAMES.contains(&normal.as_str())
}

/// A header as `Name: value`, with the value hidden for credential headers.
pub fn header_line(name: &str, value: &str) -> String {
    if is_secret_name(name) {
        format!("{name}: {REDACTED}")
    } else {
        format!("{name}: {}", redact_text(value))
    }
}

/// `application/x-www-form-urlencoded` pairs, with secret values hidden.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            if is_secret_name(k) {
                format!("{k}={REDACTED}")
            } else {
                format!("{k}={}", redact_text(v))
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// A URL with the values of secret query parameters hidden.
pub fn url(url: &Url) -> String {
    if url.query().is_none() {
        return url.to_string();
    }
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| {
            let v = if is_secret_name(&k) {
                REDACTED.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    let mut shown = url.clone();
    shown.query_pairs_mut().clear().extend_pairs(pairs);
    shown.to_string()
}

/// A response or request body: JSON has its secret members hidden; other text has JWT-shaped
/// words hidden. Long bodies are cut to `max_chars`.
pub fn body(text: &str, max_chars: usize) -> String {
    let shown = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            redact_value(&mut value);
            value.to_string()
        }
        Err(_) => redact_text(text),
    };
    if shown.chars().count() > max_chars {
        let cut: String = shown.chars().take(max_chars).collect();
        format!("{cut}… ({} chars)", shown.chars().count())
    } else {
        shown
    }
}

fn redact_value(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if is_secret_name(k) && !v.is_null() {
                    *v = Value::String(REDACTED.into());
                } else {
                    redact_value(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::String(s) => {
            let r = redact_text(s);
            if r != *s {
                *s = r;
            }
        }
        _ => {}
    }
}

/// Hide words that look like a JWT (`eyJ….….…`) or a bearer credential in free text.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_bearer = false;
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // A `Basic realm=…` challenge names where credentials are expected, not a credential:
        // Azure Arc's names its key file, which is what one needs to see when that fails.
        let challenge = word.len() > 6
            && word
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case("realm="));
        if (after_bearer && !challenge) || looks_like_jwt(word) {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        after_bearer = word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic");
    }
    out
}

fn looks_like_jwt(word: &str) -> bool {
    let trimmed = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_');
    trimmed.starts_with("eyJ") && trimmed.matches('.').count() >= 1 && trimmed.len() > 20
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_hidden_others_kept() {
        assert_eq!(
            header_line("Authorization", "Bearer abc"),
            "Authorization: (redacted)"
        );
        assert_eq!(
            header_line("X-IDENTITY-HEADER", "s3cr3t"),
            "X-IDENTITY-HEADER: (redacted)"
        );
        assert_eq!(header_line("Metadata", "true"), "Metadata: true");
        assert_eq!(header_line("request-id", "42"), "request-id: 42");
    }

    #[test]
    fn form_fields_with_credentials_are_hidden() {
        let shown = form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "app"),
            ("client_secret", "hunter2"),
            ("client_assertion", "eyJhbGciOi.eyJzdWIi.sig"),
            ("refresh_token", "rt"),
            ("device_code", "dc"),
        ]);
        for secret in ["hunter2", "eyJhbGciOi", "=rt", "=dc"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("grant_type=client_credentials"));
        assert!(shown.contains("client_id=app"));
    }

    #[test]
    fn json_members_with_credentials_are_hidden_at_any_depth() {
        let shown = body(
            r#"{"access_token":"AT","refresh_token":"RT","id_token":"IT","expires_in":3599,
               "nested":[{"client_secret":"CS"}],"message":"use code ABC"}"#,
            10_000,
        );
        for secret in ["\"AT\"", "\"RT\"", "\"IT\"", "\"CS\""] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("3599"));
        assert!(shown.contains("use code ABC"));
    }

    #[test]
    fn jwt_shaped_words_and_bearer_values_are_hidden_in_text() {
        let jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln";
        let shown = body(&format!("<html>token {jwt} here</html>"), 10_000);
        assert!(!shown.contains(jwt), "{shown}");
        assert_eq!(redact_text("Bearer abc.def"), "Bearer (redacted)");
        assert_eq!(redact_text("Basic a2V5"), "Basic (redacted)");
        assert_eq!(redact_text("Basic réalm=x"), "Basic (redacted)");
        assert_eq!(
            header_line(
                "WWW-Authenticate",
                "Basic realm=/var/opt/azcmagent/tokens/x.key"
            ),
            "WWW-Authenticate: Basic realm=/var/opt/azcmagent/tokens/x.key"
        );
    }

    #[test]
    fn secret_query_parameters_are_hidden() {
        let u =
            Url::parse("http://127.0.0.1/x?resource=https://graph&client_secret=abc&client_id=1")
                .unwrap();
        let shown = url(&u);
        assert!(!shown.contains("abc"), "{shown}");
        assert!(shown.contains("client_id=1"));
    }

    #[test]
    fn long_bodies_are_cut() {
        let shown = body(&"x".repeat(50), 10);
        assert!(shown.starts_with("xxxxxxxxxx…"), "{shown}");
    }

    #[test]
    fn registered_secrets_are_hidden_in_any_text_and_spelling() {
        register_secret("Zx9~registered.secret_value");
        register_secret("short");
        assert_eq!(
            known_secrets("<p>bad secret Zx9~registered.secret_value</p>"),
            "<p>bad secret (redacted)</p>"
        );
        assert_eq!(
            known_secrets("client_secret=Zx9%7Eregistered.secret_value&x=1"),
            "client_secret=(redacted)&x=1"
        );
        assert_eq!(known_secrets("a short word"), "a short word");
        assert!(matches!(known_secrets("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_secret_inside_a_longer_one_does_not_leave_a_tail() {
        register_secret("inner-secret-123");
        register_secret("outer-inner-secret-123-tail");
        assert_eq!(
            known_secrets("x outer-inner-secret-123-tail y inner-secret-123"),
            "x (redacted) y (redacted)"
        );
    }

    #[test]
    fn odata_error_codes_stay_visible() {
        let shown = body(
            r#"{"error":{"code":"TooManyRequests","innerError":{"code":"429"}}}"#,
            2000,
        );
        assert!(shown.contains("TooManyRequests"), "{shown}");
    }
}
