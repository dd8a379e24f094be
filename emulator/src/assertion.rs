//! Client assertions as the identity platform checks them: a certificate-signed JWT whose issuer
//! is the app itself, or a federated token from a trusted external issuer.

use std::collections::HashSet;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;
use serde_json::{Map, Value};

use super::FederatedCredential;

/// Clock skew the identity platform tolerates on `nbf`/`exp`.
const SKEW_SECS: i64 = 300;

/// Why an assertion was refused: the `AADSTS` code and its description.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: u32,
    pub(crate) description: String,
}

fn refuse(code: u32, description: impl Into<String>) -> Refusal {
    Refusal {
        code,
        description: description.into(),
    }
}

/// A certificate uploaded to an app registration.
#[derive(Debug)]
pub(crate) struct TrustedCertificate {
    pub(crate) client_id: String,
    der: Vec<u8>,
    x5t_s256: String,
    x5t: String,
}

impl TrustedCertificate {
    pub(crate) fn from_pem(client_id: &str, pem: &str) -> anyhow::Result<Self> {
        let der = CertificateDer::from_pem_slice(pem.as_bytes())
            .map_err(|e| {
                anyhow::anyhow!("certificate for {client_id}: not a PEM certificate ({e:?})")
            })?
            .as_ref()
            .to_vec();
        let b64 = |alg| URL_SAFE_NO_PAD.encode(ring::digest::digest(alg, &der).as_ref());
        Ok(TrustedCertificate {
            client_id: client_id.to_string(),
            x5t_s256: b64(&ring::digest::SHA256),
            x5t: b64(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY),
            der,
        })
    }
}

/// A decoded compact JWS.
pub(crate) struct Jwt {
    header: Map<String, Value>,
    pub(crate) claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

impl Jwt {
    pub(crate) fn parse(token: &str) -> Option<Jwt> {
        let mut parts = token.trim().split('.');
        let (h, c, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let decode = |p: &str| URL_SAFE_NO_PAD.decode(p.trim_end_matches('=')).ok();
        let object = |p: &str| match serde_json::from_slice(&decode(p)?).ok()? {
            Value::Object(m) => Some(m),
            _ => None,
        };
        Some(Jwt {
            header: object(h)?,
            claims: object(c)?,
            signing_input: format!("{h}.{c}"),
            signature: decode(s)?,
        })
    }

    pub(crate) fn claim(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    fn time(&self, name: &str) -> Option<i64> {
        self.claims.get(name).and_then(Value::as_i64)
    }

    /// Both assertion kinds must be current.
    fn check_times(&self, now: DateTime<Utc>) -> Result<(), Refusal> {
        let now = now.timestamp();
        let exp = self
            .time("exp")
            .ok_or_else(|| refuse(50027, "JWT token is invalid or malformed: no 'exp' claim."))?;
        let nbf = self.time("nbf").unwrap_or(i64::MIN);
        if exp + SKEW_SECS < now || nbf - SKEW_SECS > now {
            return Err(refuse(
                700024,
                format!(
                    "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {nbf}, expiry time of assertion {exp}."
                ),
            ));
        }
        Ok(())
    }
}

/// A certificate assertion (`iss` = `sub` = the client id), checked like the identity platform
/// does: audience, times, a registered certificate by thumbprint, its signature, one use per `jti`.
pub(crate) fn check_certificate_assertion(
    jwt: &Jwt,
    client_id: &str,
    token_urls: &[String],
    certificates: &[TrustedCertificate],
    used_jtis: &Mutex<HashSet<String>>,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if !jwt
        .claim("sub")
        .is_some_and(|s| s.eq_ignore_ascii_case(client_id))
    {
        return Err(refuse(
            700023,
            "Client assertion subject does not match the client_id parameter.",
        ));
    }
    let aud = jwt.claim("aud").unwrap_or_default();
    if !token_urls.iter().any(|u| u.eq_ignore_ascii_case(aud)) {
        return Err(refuse(
            700027,
            format!(
                "Client assertion contains an invalid audience claim '{aud}'; expected the token endpoint."
            ),
        ));
    }
    jwt.check_times(now)?;
    let by_thumbprint = |c: &&TrustedCertificate| {
        c.client_id.eq_ignore_ascii_case(client_id)
            && (jwt.header("x5t#S256") == Some(c.x5t_s256.as_str())
                || jwt.header("x5t") == Some(c.x5t.as_str()))
    };
    let Some(cert) = certificates.iter().find(by_thumbprint) else {
        return Err(refuse(
            700027,
            format!(
                "The certificate with identifier used to sign the client assertion is not registered on application {client_id}."
            ),
        ));
    };
    let algorithm: &dyn rustls_pki_types::SignatureVerificationAlgorithm = match jwt.header("alg") {
        Some("PS256") => webpki::ring::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        Some("RS256") => webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        other => {
            return Err(refuse(
                700027,
                format!("Client assertion uses an unsupported signing algorithm {other:?}."),
            ));
        }
    };
    let der = CertificateDer::from(cert.der.as_slice());
    let verified = webpki::EndEntityCert::try_from(&der)
        .and_then(|c| c.verify_signature(algorithm, jwt.signing_input.as_bytes(), &jwt.signature));
    if verified.is_err() {
        return Err(refuse(
            700027,
            "Client assertion failed signature validation.",
        ));
    }
    let jti = jwt
        .claim("jti")
        .ok_or_else(|| refuse(50027, "JWT token is invalid or malformed: no 'jti' claim."))?;
    let fresh = used_jtis
        .lock()
        .map(|mut set| set.insert(jti.to_string()))
        .unwrap_or(false);
    if !fresh {
        return Err(refuse(
            700027,
            format!(
                "Client assertion with jti '{jti}' has already been used; each assertion is single-use."
            ),
        ));
    }
    Ok(())
}

/// A federated token: some federated credential of the app must name its issuer, subject and
/// audience. Its signature is not checked (the emulator cannot fetch the issuer's keys). Each
/// mismatch is refused with the code Entra uses for it: the issuer (AADSTS700211), then the
/// subject (AADSTS700213, compared case-sensitively), then the audience (AADSTS700212); then the
/// times (AADSTS700024).
pub(crate) fn check_federated_assertion(
    jwt: &Jwt,
    client_id: &str,
    federations: &[FederatedCredential],
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let iss = jwt.claim("iss").unwrap_or_default();
    let sub = jwt.claim("sub").unwrap_or_default();
    let auds: Vec<&str> = match jwt.claims.get("aud") {
        Some(Value::String(a)) => vec![a.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let of_app: Vec<&FederatedCredential> = federations
        .iter()
        .filter(|f| f.client_id.eq_ignore_ascii_case(client_id))
        .collect();
    let same_issuer: Vec<&&FederatedCredential> =
        of_app.iter().filter(|f| f.issuer == iss).collect();
    if same_issuer.is_empty() {
        return Err(refuse(
            700211,
            format!(
                "No matching federated identity record found for presented assertion issuer '{iss}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
            ),
        ));
    }
    let matching: Vec<&&FederatedCredential> = same_issuer
        .into_iter()
        .filter(|f| f.subject == sub)
        .collect();
    if matching.is_empty() {
        return Err(refuse(
            700213,
            format!(
                "No matching federated identity record found for presented assertion subject '{sub}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
            ),
        ));
    }
    if !matching.iter().any(|f| auds.contains(&f.audience.as_str())) {
        return Err(refuse(
            700212,
            format!(
                "No matching federated identity record found for presented assertion audience '{}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
                auds.join(",")
            ),
        ));
    }
    jwt.check_times(now)
}
