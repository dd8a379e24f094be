//! `--auth auto` between a person's credentials: the first of them that is signed in.

use super::{AccessToken, AuthError, TokenSource};
use crate::diag;
use async_trait::async_trait;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Tries its sources in order; one that is merely not signed in passes to the next. The first
/// that answers is used from then on.
pub struct FirstAvailable {
    sources: Vec<Box<dyn TokenSource>>,
    winner: AtomicUsize,
}

impl FirstAvailable {
    pub fn new(sources: Vec<Box<dyn TokenSource>>) -> Self {
        FirstAvailable {
            sources,
            winner: AtomicUsize::new(0),
        }
    }
}

fn not_signed_in(e: &AuthError) -> bool {
    matches!(
        e,
        AuthError::AzureCli {
            not_logged_in: true,
            ..
        } | AuthError::AzureCliMissing
            | AuthError::NotSignedIn
    )
}

#[async_trait]
impl TokenSource for FirstAvailable {
    fn name(&self) -> &'static str {
        self.sources
            .get(self.winner.load(Ordering::Relaxed))
            .map_or("auto", |s| s.name())
    }

    async fn acquire(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let start = self.winner.load(Ordering::Relaxed);
        let mut last = AuthError::NoCredentials;
        for (i, source) in self.sources.iter().enumerate().skip(start) {
            match source.acquire(http).await {
                Ok(token) => {
                    self.winner.store(i, Ordering::Relaxed);
                    return Ok(token);
                }
                Err(e) if not_signed_in(&e) && i + 1 < self.sources.len() => {
                    diag::trace(1, format!("--auth auto: skipping {}: {e}", source.name()));
                    last = e;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }
}
