//! One retry policy for every Graph call: throttling, transient 5xx, dropped connections.

use super::GraphError;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// The retry budget of one Graph call. Every wait is bounded twice: by a count of retries and
/// by a total time, so no header and no server can park a CI job for longer than `max_wait`.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries per call, whatever the cause: throttling (429), 5xx, dropped or stalled
    /// connections (`--retries`; 0 = never retry). Generous, because a busy tenant may throttle
    /// one call many times in a long run; `max_wait` is the bound that keeps a run short.
    pub max_retries: u32,
    /// The most one call waits in total between its attempts, `Retry-After` included
    /// (`--max-wait`). A `Retry-After` longer than what is left ends the call at once.
    pub max_wait: Duration,
    /// Stalled attempts (no data for [`crate::http::READ_TIMEOUT`]) retried per call: each costs
    /// that long, and a server that stalls twice is not about to recover.
    pub max_stalls: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 30,
            max_wait: Duration::from_secs(300),
            max_stalls: 1,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// What one call has used of its budget so far.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tries {
    pub retries: u32,
    pub stalls: u32,
    /// Time waited between attempts.
    pub waited: Duration,
    /// A `Retry-After` that was longer than the budget left.
    pub refused_wait: Option<Duration>,
}

impl RetryPolicy {
    /// Whether the failure is worth another attempt at all. Non-idempotent calls are not
    /// retried blindly after failures that may have reached the server (5xx other than 503, a
    /// reset after sending, a stall): the caller must check what happened first.
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
            GraphError::TimedOut { .. } => idempotent,
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
        self.retry_delay_paced(err, tries, idempotent, None)
    }

    /// [`Self::retry_delay`] for a client whose pacer has learned Graph's rate: a 429 without
    /// `Retry-After` waits `token` (the time one token of the learned rate takes), doubled for
    /// each retry of the call, instead of the generic backoff. The pacer then holds the retry
    /// until its model has room, so waiting longer than a token would only idle the rate.
    pub fn retry_delay_paced(
        &self,
        err: &GraphError,
        tries: &mut Tries,
        idempotent: bool,
        token: Option<Duration>,
    ) -> Option<Duration> {
        if !Self::is_transient(err, idempotent) || tries.retries >= self.max_retries {
            return None;
        }
        if matches!(err, GraphError::TimedOut { .. }) {
            if tries.stalls >= self.max_stalls {
                return None;
            }
            tries.stalls += 1;
        }
        let attempt = tries.retries + 1;
        let delay = match (token, err) {
            (
                Some(token),
                GraphError::Api {
                    status: 429,
                    retry_after: None,
                    ..
                },
            ) => self.learned_backoff(token, attempt),
            _ => self.delay_for(err, attempt),
        };
        let left = self.max_wait.saturating_sub(tries.waited);
        if delay > left {
            if retry_after(err).is_some() {
                tries.refused_wait = Some(delay);
            }
            return None;
        }
        tries.retries += 1;
        tries.waited += delay;
        Some(delay)
    }

    /// The server's `Retry-After` when given, else exponential backoff with jitter.
    pub fn delay_for(&self, err: &GraphError, attempt: u32) -> Duration {
        retry_after(err).unwrap_or_else(|| self.backoff(attempt))
    }

    /// Exponential from the learned token time rather than from `base_delay`, and never above
    /// the generic schedule. At least one token time, jittered up to half as much again, so
    /// calls throttled together do not come back together.
    pub fn learned_backoff(&self, token: Duration, attempt: u32) -> Duration {
        let exp = token
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay)
            .min(
                self.base_delay
                    .saturating_mul(1u32 << attempt.saturating_sub(1).min(16)),
            );
        exp.mul_f64(1.0 + 0.5 * random_unit())
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
        if let Some(asked) = tries.refused_wait {
            return GraphError::WaitTooLong {
                asked,
                left: self.max_wait.saturating_sub(tries.waited),
                last: Box::new(err),
            };
        }
        if tries.retries > 0 && Self::is_transient(&err, true) {
            GraphError::RetriesExhausted {
                attempts: tries.retries + 1,
                last: Box::new(err),
            }
        } else {
            err
        }
    }
}

fn retry_after(err: &GraphError) -> Option<Duration> {
    match err {
        GraphError::Api { retry_after, .. } => *retry_after,
        _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::parse_retry_after;

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
    fn one_budget_counts_throttles_and_errors_alike() {
        // Short backoff, so the count and not the total wait is what runs out.
        let p = RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let mut t = Tries::default();
        for i in 0..p.max_retries {
            let err = if i % 2 == 0 {
                api(429, None)
            } else {
                api(503, None)
            };
            assert!(p.retry_delay(&err, &mut t, true).is_some());
        }
        assert!(p.retry_delay(&api(429, None), &mut t, true).is_none());
        let zero = RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        };
        assert!(
            zero.retry_delay(
                &api(429, Some(Duration::from_secs(1))),
                &mut Tries::default(),
                true
            )
            .is_none(),
            "--retries 0 retries nothing, 429s included"
        );
    }

    #[test]
    fn a_retry_after_beyond_the_wait_budget_gives_up_saying_what_graph_asked() {
        let p = RetryPolicy::default();
        for header in ["1e308", "1e20", "99999999999999999999", "999999999", "inf"] {
            let asked = parse_retry_after(header).unwrap();
            let mut t = Tries::default();
            assert_eq!(
                p.retry_delay(&api(429, Some(asked)), &mut t, true),
                None,
                "{header}"
            );
            let err = p.give_up(api(429, Some(asked)), &t);
            assert!(
                matches!(err, GraphError::WaitTooLong { asked: a, .. } if a == asked),
                "{header}: {err}"
            );
            assert_eq!(
                crate::error::graph_exit(&err),
                crate::error::ExitStatus::Unavailable
            );
        }
        // The total is bounded too: many waits that each fit stop once they add up.
        let mut t = Tries::default();
        let mut total = Duration::ZERO;
        while let Some(d) = p.retry_delay(&api(429, Some(Duration::from_secs(40))), &mut t, true) {
            total += d;
        }
        assert!(total <= p.max_wait, "{total:?}");
        assert_eq!(total, Duration::from_secs(280));
    }

    #[test]
    fn a_stalled_call_is_retried_once() {
        let p = RetryPolicy::default();
        let stalled = GraphError::TimedOut {
            url: "u".into(),
            detail: "d".into(),
        };
        let mut t = Tries::default();
        assert!(p.retry_delay(&stalled, &mut t, true).is_some());
        assert!(p.retry_delay(&stalled, &mut t, true).is_none());
        assert!(
            p.retry_delay(&stalled, &mut Tries::default(), false)
                .is_none()
        );
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
        let p = RetryPolicy {
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let mut t = Tries::default();
        while p.retry_delay(&api(429, None), &mut t, true).is_some() {}
        assert_eq!(t.retries, p.max_retries);
        let err = p.give_up(api(429, None), &t);
        assert!(matches!(
            err,
            GraphError::RetriesExhausted { attempts: 31, .. }
        ));
        assert!(matches!(
            p.give_up(api(404, None), &Tries::default()),
            GraphError::Api { status: 404, .. }
        ));
    }
}
