//! Throttling (a token bucket) and injected transient faults (503/504).
//!
//! Both are deterministic for a given seed and call sequence, so a failing test can be
//! replayed. Neither ever sleeps: a throttled call is answered at once with the truthful wait.

use std::time::{Duration, Instant};

use super::seed::SplitMix64;

/// How a throttled reply tells the client when to come back. Graph's documentation shows
/// integer and fractional `Retry-After` values and says the header may be missing, so the
/// emulator rotates through all three to keep clients honest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RetryStyle {
    WholeSeconds,
    Fractional,
    Absent,
}

#[derive(Debug)]
pub(crate) struct TokenBucket {
    /// Tokens per second.
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
    throttled: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Admission {
    /// Served. `limit_percentage` is set when the bucket is nearly empty, for the
    /// `x-ms-throttle-limit-percentage` header.
    Allowed { limit_percentage: Option<f64> },
    /// Not served. `retry_after` is the header value, if any; `wait` is the true wait.
    Throttled {
        wait: Duration,
        retry_after: Option<String>,
    },
}

/// Floating-point slack so that a client waiting exactly the advertised time is served.
const EPSILON: f64 = 1e-9;

impl TokenBucket {
    pub(crate) fn new(rate: f64, burst: u32, now: Instant) -> TokenBucket {
        let capacity = f64::from(burst.max(1));
        TokenBucket {
            rate: if rate.is_finite() && rate > 0.0 {
                rate
            } else {
                1.0
            },
            capacity,
            tokens: capacity,
            last: now,
            throttled: 0,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.last = now;
    }

    pub(crate) fn admit(&mut self, now: Instant) -> Admission {
        self.refill(now);
        if self.tokens + EPSILON >= 1.0 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            let fill = self.tokens / self.capacity;
            let limit_percentage = (fill < 0.2).then(|| {
                // Graph reports 0.8–1.8 as the share of the limit in use; near-empty → ~0.9+.
                ((1.0 - fill) * 100.0).round() / 100.0
            });
            return Admission::Allowed { limit_percentage };
        }
        let wait_secs = (1.0 - self.tokens) / self.rate;
        let style = match self.throttled % 3 {
            0 => RetryStyle::WholeSeconds,
            1 => RetryStyle::Fractional,
            _ => RetryStyle::Absent,
        };
        self.throttled += 1;
        let retry_after = match style {
            RetryStyle::WholeSeconds => Some(format!("{}", wait_secs.ceil().max(1.0) as u64)),
            // Rounded *up* to hundredths, so waiting the advertised time is always enough.
            RetryStyle::Fractional => Some(format!(
                "{:.2}",
                ((wait_secs * 100.0).ceil() / 100.0).max(0.01)
            )),
            RetryStyle::Absent => None,
        };
        Admission::Throttled {
            wait: Duration::from_secs_f64(wait_secs),
            retry_after,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    ServiceUnavailable { retry_after: Option<u32> },
    GatewayTimeout,
}

#[derive(Debug)]
pub(crate) struct FaultInjector {
    rate: f64,
    rng: SplitMix64,
}

impl FaultInjector {
    pub(crate) fn new(rate: f64, seed: u64) -> FaultInjector {
        FaultInjector {
            rate: if rate.is_finite() {
                rate.clamp(0.0, 1.0)
            } else {
                0.0
            },
            // A stream of its own, so turning faults on does not change the seed data.
            rng: SplitMix64::new(seed ^ 0xFA17_FA17_FA17_FA17),
        }
    }

    /// Decides the fate of the next Graph call, before it touches any state.
    pub(crate) fn next(&mut self) -> Option<Fault> {
        if self.rate <= 0.0 {
            return None;
        }
        if self.rng.unit() >= self.rate {
            return None;
        }
        Some(match self.rng.below(4) {
            0 => Fault::ServiceUnavailable {
                retry_after: Some(1),
            },
            1 => Fault::ServiceUnavailable { retry_after: None },
            _ => Fault::GatewayTimeout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_throttles_truthfully() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(2.0, 3, t0);
        for _ in 0..3 {
            assert!(matches!(b.admit(t0), Admission::Allowed { .. }));
        }
        let mut styles = Vec::new();
        for _ in 0..3 {
            match b.admit(t0) {
                Admission::Throttled { wait, retry_after } => {
                    assert!((wait.as_secs_f64() - 0.5).abs() < 1e-6);
                    if let Some(r) = &retry_after {
                        let secs: f64 = r.parse().unwrap();
                        assert!(secs >= 0.5);
                    }
                    styles.push(retry_after);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            styles,
            vec![Some("1".to_string()), Some("0.50".to_string()), None]
        );
        // Waiting the advertised (true) time is enough.
        assert!(matches!(
            b.admit(t0 + Duration::from_millis(500)),
            Admission::Allowed {
                limit_percentage: Some(_)
            }
        ));
    }

    #[test]
    fn faults_respect_rate_and_seed() {
        let mut none = FaultInjector::new(0.0, 1);
        assert!((0..1000).all(|_| none.next().is_none()));
        let mut all = FaultInjector::new(1.0, 1);
        assert!((0..100).all(|_| all.next().is_some()));
        let run = |seed| {
            let mut f = FaultInjector::new(0.3, seed);
            (0..200).map(|_| f.next()).collect::<Vec<_>>()
        };
        assert_eq!(run(5), run(5));
        let hits = run(5).iter().filter(|f| f.is_some()).count();
        assert!((30..90).contains(&hits), "{hits}");
    }
}
