//! `EP_ACCESS_TOKEN`: a bearer token obtained elsewhere.

use super::{AccessToken, AuthError, Secret, TokenSource};
use async_trait::async_trait;

pub struct StaticTokenSource {
    token: Secret,
}

impl StaticTokenSource {
    pub fn new(token: Secret) -> Self {
        StaticTokenSource { token }
    }
}

#[async_trait]
impl TokenSource for StaticTokenSource {
    fn name(&self) -> &'static str {
        "token"
    }

    async fn acquire(&self, _http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        if self.token.is_empty() {
            return Err(AuthError::Incomplete {
                method: "token",
                missing: "EP_ACCESS_TOKEN is empty".into(),
            });
        }
        // Its expiry is unknown without decoding the JWT, and Graph tokens need not be JWTs for
        // us; a 401 tells us when it has run out.
        Ok(AccessToken {
            token: self.token.clone(),
            expires_at: None,
        })
    }
}
