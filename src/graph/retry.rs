//! One retry policy for every Graph call: throttling, transient 5xx, dropped connections.

use super::GraphError;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per call after errors (5xx, dropped connections), the first included.
    pub max_attempts: u32,
    /// 429s per call. Throttling is Graph working as designed, not failing: with a pacer that
    /// keeps a run just below the limit a call is rarely throttled twice, but a busy tenant may
    /// need several turns.
    pub max_throttled: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is cut to it, so a bad header cannot park a CI job for hours.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            max_throttled: 30,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

/// How often one call has failed so far, by kind.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tries {
    pub failed: u32,
    pub throttled: u32,
}

impl RetryPolicy {
    /// Whether the failure is worth another attempt at all. Non-idempotent calls are not
    /// retried blindly after failures that may have reached the server (5xx other than 503, a
    /// reset after sending): the caller must check what happened first.
    pub fn is_transient(err: &GraphError, idempotent: bool) -> bool {
        match err {
            // 429 and 503 mean the request was not processed.
            GraphError::Api {
                status: 429 | 503, ..
            } => true,
            GraphError::Api {
                status: 500 | 502 | 504,
                ..
            } => idempotent,
            GraphError::Transport { maybe_sent, .. } => idempotent || !maybe_sent,
            _ => false,
        }
    }

    /// Count `err` against the budget in `tries`; how long to wait before the next attempt, or
    /// `None` to stop.
    pub fn retry_delay(
        &self,
        err: &GraphError,
        tries: &mut Tries,
        idempotent: bool,
    ) -> Option<Duration> {
        if !Self::is_transient(err, idempotent) {
            return None;
        }
        if err.status() == Some(429) {
            tries.throttled += 1;
            if tries.throttled >= self.max_throttled {
                return None;
            }
        } else {
            tries.failed += 1;
            if tries.failed >= self.max_attempts {
                return None;
            }
        }
        // Throttles count too: a run of 429s without Retry-After must back off further each time.
        Some(self.delay_for(err, tries.failed + tries.throttled))
    }

    /// The server's `Retry-After` when given, else exponential backoff with jitter.
    pub fn delay_for(&self, err: &GraphError, attempt: u32) -> Duration {
        match err {
            GraphError::Api {
                retry_after: Some(after),
                ..
            } => (*after).min(self.max_retry_after),
            _ => self.backoff(attempt),
        }
    }

    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        // Between half and all of the exponential delay, so concurrent callers spread out.
        let jitter = 0.5 + 0.5 * random_unit();
        exp.mul_f64(jitter)
    }

    /// The error to report once retrying stops.
    pub fn give_up(&self, err: GraphError, tries: &Tries) -> GraphError {
        let attempts = tries.failed + tries.throttled;
        if attempts > 1 && Self::is_transient(&err, true) {
            GraphError::RetriesExhausted {
                attempts,
                last: Box::new(err),
            }
        } else {
            err
        }
    }
}

/// A number in [0, 1) that differs per call; good enough for jitter, no RNG crate needed.
fn random_unit() -> f64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// `Retry-After` as Graph sends it: seconds, possibly fractional (`2.128`), or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, retry_after: Option<Duration>) -> GraphError {
        GraphError::Api {
            status,
            code: String::new(),
            message: String::new(),
            request_id: None,
            retry_after,
        }
    }

    #[test]
    fn retry_after_styles() {
        assert_eq!(parse_retry_after("10"), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_retry_after("2.128"),
            Some(Duration::from_millis(2128))
        );
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
        let past = parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(past, Some(Duration::ZERO));
        let future = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822();
        let wait = parse_retry_after(&future).unwrap();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
    }

    #[test]
    fn server_retry_after_wins_over_backoff() {
        let p = RetryPolicy::default();
        let d = p.retry_delay(
            &api(429, Some(Duration::from_millis(2128))),
            &mut Tries::default(),
            false,
        );
        assert_eq!(d, Some(Duration::from_millis(2128)));
    }

    #[test]
    fn non_idempotent_calls_are_not_blindly_retried_after_a_gateway_timeout() {
        let p = RetryPolicy::default();
        let t = &mut Tries::default();
        assert!(p.retry_delay(&api(504, None), t, false).is_none());
        assert!(p.retry_delay(&api(504, None), t, true).is_some());
        assert!(p.retry_delay(&api(503, None), t, false).is_some());
        assert!(p.retry_delay(&api(400, None), t, true).is_none());
    }

    #[test]
    fn throttling_has_its_own_budget() {
        let p = RetryPolicy::default();
        let mut t = Tries::default();
        for _ in 0..p.max_attempts + 5 {
            assert!(p.retry_delay(&api(429, None), &mut t, true).is_some());
        }
        let mut t = Tries::default();
        for _ in 1..p.max_attempts {
            assert!(p.retry_delay(&api(503, None), &mut t, true).is_some());
        }
        assert!(p.retry_delay(&api(503, None), &mut t, true).is_none());
    }

    #[test]
    fn repeated_429s_without_retry_after_back_off_further() {
        let p = RetryPolicy::default();
        let mut t = Tries::default();
        let first = p.retry_delay(&api(429, None), &mut t, true).unwrap();
        for _ in 0..3 {
            p.retry_delay(&api(429, None), &mut t, true);
        }
        let fifth = p.retry_delay(&api(429, None), &mut t, true).unwrap();
        assert!(first <= Duration::from_millis(500), "{first:?}");
        assert!(fifth >= Duration::from_secs(4), "{fifth:?}");
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        let first = p.backoff(1);
        assert!(first >= Duration::from_millis(250) && first <= Duration::from_millis(500));
        assert!(p.backoff(20) <= p.max_delay);
    }

    #[test]
    fn budget_exhaustion_is_reported_as_such() {
        let p = RetryPolicy::default();
        let mut t = Tries::default();
        while p.retry_delay(&api(429, None), &mut t, true).is_some() {}
        assert_eq!(t.throttled, p.max_throttled);
        let err = p.give_up(api(429, None), &t);
        assert!(matches!(
            err,
            GraphError::RetriesExhausted { attempts: 30, .. }
        ));
        let first = Tries {
            failed: 1,
            throttled: 0,
        };
        assert!(matches!(
            p.give_up(api(404, None), &first),
            GraphError::Api { status: 404, .. }
        ));
    }
}
