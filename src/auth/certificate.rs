//! Client credentials with a certificate: a client assertion JWT signed with the certificate's
//! private key, sent instead of a secret.

use super::client_secret::{tenant_and_client, token_url};
use super::http::post_client_assertion;
use super::jwt::{b64url, signing_input};
use super::{AccessToken, AssertionAlg, AuthError, Credentials, TokenEndpoint, TokenSource};
use async_trait::async_trait;
use ring::signature::{RSA_PKCS1_SHA256, RSA_PSS_SHA256, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::json;
use std::path::Path;

/// Entra does not enforce it, but documents "5–10 minutes at most" for an assertion's lifetime.
const ASSERTION_LIFETIME_SECS: i64 = 600;

pub struct CertificateSource {
    token_url: String,
    client_id: String,
    scope: String,
    alg: AssertionAlg,
    key: RsaKeyPair,
    /// SHA-256 and SHA-1 thumbprints of the certificate's DER, base64url.
    x5t_s256: String,
    x5t: String,
}

const NAME: &str = "certificate";

fn file_error(path: &Path, detail: impl Into<String>) -> AuthError {
    AuthError::File {
        source_name: NAME,
        path: path.display().to_string(),
        detail: detail.into(),
    }
}

impl CertificateSource {
    pub fn from_credentials(
        creds: &Credentials,
        endpoint: &TokenEndpoint,
    ) -> Result<Self, AuthError> {
        let (tenant, client_id) = tenant_and_client(NAME, creds)?;
        let path = creds
            .certificate_path
            .clone()
            .ok_or(AuthError::Incomplete {
                method: NAME,
                missing: "AZURE_CLIENT_CERTIFICATE_PATH is not set".into(),
            })?;
        let pem = std::fs::read(&path).map_err(|e| file_error(&path, e.to_string()))?;
        let (key, cert) = parse_pem(&pem, creds.certificate_password.is_some())
            .map_err(|detail| file_error(&path, detail))?;
        Ok(CertificateSource {
            token_url: token_url(&endpoint.authority_host, &tenant),
            client_id,
            scope: endpoint.scope.clone(),
            alg: creds.assertion_alg,
            key,
            x5t_s256: b64url(ring::digest::digest(&ring::digest::SHA256, &cert).as_ref()),
            x5t: b64url(
                ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &cert).as_ref(),
            ),
        })
    }

    /// A fresh assertion: every token request gets its own `jti` and a short `exp`.
    pub(crate) fn assertion(&self) -> Result<String, AuthError> {
        let now = chrono::Utc::now().timestamp();
        let header = match self.alg {
            AssertionAlg::Ps256 => json!({"alg": "PS256", "typ": "JWT", "x5t#S256": self.x5t_s256}),
            AssertionAlg::Rs256 => json!({"alg": "RS256", "typ": "JWT", "x5t": self.x5t}),
        };
        let claims = json!({
            "aud": self.token_url,
            "iss": self.client_id,
            "sub": self.client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let input = signing_input(&header, &claims);
        let padding: &'static dyn ring::signature::RsaEncoding = match self.alg {
            AssertionAlg::Ps256 => &RSA_PSS_SHA256,
            AssertionAlg::Rs256 => &RSA_PKCS1_SHA256,
        };
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                padding,
                &ring::rand::SystemRandom::new(),
                input.as_bytes(),
                &mut signature,
            )
            .map_err(|_| AuthError::File {
                source_name: NAME,
                path: String::from("(private key)"),
                detail: "signing the client assertion failed".into(),
            })?;
        Ok(format!("{input}.{}", b64url(&signature)))
    }
}

/// The RSA private key and the first certificate of a PEM file.
fn parse_pem(pem: &[u8], password_given: bool) -> Result<(RsaKeyPair, Vec<u8>), String> {
    let text = String::from_utf8_lossy(pem);
    if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
        let why = if password_given {
            "AZURE_CLIENT_CERTIFICATE_PASSWORD is set, but this build cannot decrypt keys"
        } else {
            "the private key is encrypted"
        };
        return Err(format!(
            "{why}; decrypt it once with 'openssl pkey -in key.pem -out plain-key.pem' and keep \
             the file readable by you only"
        ));
    }
    let cert = CertificateDer::pem_slice_iter(pem)
        .next()
        .and_then(Result::ok)
        .ok_or("no CERTIFICATE block in the PEM file")?;
    let key = PrivateKeyDer::from_pem_slice(pem)
        .map_err(|_| "no PRIVATE KEY block in the PEM file".to_string())?;
    let key = match &key {
        PrivateKeyDer::Pkcs8(der) => RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(der) => RsaKeyPair::from_der(der.secret_pkcs1_der()),
        _ => {
            return Err(
                "the private key is not RSA; Entra ID client certificates use RSA keys".into(),
            );
        }
    }
    .map_err(|e| format!("the private key is not a usable RSA key ({e})"))?;
    Ok((key, cert.as_ref().to_vec()))
}

#[async_trait]
impl TokenSource for CertificateSource {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let assertion = self.assertion()?;
        post_client_assertion(
            http,
            NAME,
            &self.token_url,
            &self.client_id,
            &assertion,
            &self.scope,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_keys_are_refused_with_a_way_out() {
        let pem =
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let err = parse_pem(pem, true).err().unwrap();
        assert!(err.contains("openssl pkey"), "{err}");
    }

    #[test]
    fn a_file_without_a_certificate_is_explained() {
        let err = parse_pem(b"hello", false).err().unwrap();
        assert!(err.contains("CERTIFICATE"), "{err}");
    }

    #[test]
    fn sha1_thumbprint_matches_the_documented_example() {
        // certificate-credentials.md: hex 84E05C1D… → x5t "hOBcHZi846VCHSJbFAs26Go9VTQ".
        let bytes: Vec<u8> = (0..20)
            .map(|i| {
                u8::from_str_radix(
                    &"84E05C1D98BCE3A5421D225B140B36E86A3D5534"[i * 2..i * 2 + 2],
                    16,
                )
                .unwrap()
            })
            .collect();
        assert_eq!(b64url(&bytes), "hOBcHZi846VCHSJbFAs26Go9VTQ");
    }
}
