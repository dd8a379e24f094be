//! Just enough JWT: compact serialisation for client assertions, and reading a token's claims
//! without verifying it (for `ep auth status`, which only describes the token).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `base64url(header).base64url(claims)`: the part that is signed.
pub(crate) fn signing_input(header: &Value, claims: &Value) -> String {
    format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    )
}

/// The claims of a JWS-shaped token, unverified. `None` for opaque tokens. Only for describing a
/// token to its owner; never for a security decision.
pub fn unverified_claims(token: &str) -> Option<Map<String, Value>> {
    let mut parts = token.split('.');
    let (_header, payload) = (parts.next()?, parts.next()?);
    parts.next()?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_round_trip_and_opaque_tokens_have_none() {
        let token = format!(
            "{}.sig",
            signing_input(&json!({"alg":"none"}), &json!({"tid":"t","roles":["r"]}))
        );
        let claims = unverified_claims(&token).unwrap();
        assert_eq!(claims["tid"], "t");
        assert!(unverified_claims("ep-emu.0123456789abcdef").is_none());
        assert!(unverified_claims("a.b.c").is_none());
    }
}
