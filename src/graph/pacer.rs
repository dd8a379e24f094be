//! A client-side rate limiter that learns Graph's limit instead of hitting it.
//!
//! Graph does not publish a limit for entitlement management, so the pacer starts unlimited and
//! adapts: `x-ms-throttle-limit-percentage` near the limit or a 429 lowers the rate below what
//! was just being achieved; a while without either raises it again. Every request (each `$batch`
//! sub-request too) takes a slot, so throttled retries and fresh calls share one budget.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `x-ms-throttle-limit-percentage` at or above this means "slow down now".
const NEAR_LIMIT: f64 = 0.8;
/// Rate after a 429.
const BACK_OFF: f64 = 0.9;
/// Rate after a "near the limit" header: slow down a little and stop probing upward. The
/// header also comes with bursts below the limit, so a larger step would ratchet the rate down
/// for nothing.
const EASE_OFF: f64 = 0.98;
/// Growth per quiet step far below the last known limit (fast, like a cold start)…
const PROBE_FAST: f64 = 1.05;
const PROBE_FAST_EVERY: Duration = Duration::from_millis(250);
/// …and close to it (slow, so the limit is approached rather than rammed).
const PROBE_SLOW: f64 = 1.03;
const PROBE_SLOW_EVERY: Duration = Duration::from_secs(1);
/// Signals closer together than this describe one overload.
const SETTLE: Duration = Duration::from_millis(250);
/// Served requests are counted over this window to estimate Graph's limit the first time.
const WINDOW: Duration = Duration::from_secs(1);

pub struct Pacer {
    state: Mutex<State>,
}

struct State {
    /// Requests per second, or `None` while Graph has given no sign of a limit.
    rate: Option<f64>,
    /// The rate at the last throttling signal: where the limit was found.
    ceiling: Option<f64>,
    next_slot: Instant,
    last_change: Instant,
    /// When recent requests were served (not throttled).
    served: VecDeque<Instant>,
    first_served: Option<Instant>,
}

impl Default for Pacer {
    fn default() -> Self {
        Self::new()
    }
}

impl Pacer {
    pub fn new() -> Self {
        let now = Instant::now();
        Pacer {
            state: Mutex::new(State {
                rate: None,
                ceiling: None,
                next_slot: now,
                last_change: now,
                served: VecDeque::new(),
                first_served: None,
            }),
        }
    }

    /// Wait for `n` request slots.
    pub async fn acquire(&self, n: u32) {
        let wait = {
            let Ok(mut s) = self.state.lock() else { return };
            let now = Instant::now();
            match s.rate {
                None => Duration::ZERO,
                Some(rate) => {
                    let slot = s.next_slot.max(now);
                    s.next_slot = slot + Duration::from_secs_f64(f64::from(n) / rate);
                    slot - now
                }
            }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// A request was served; `limit_percentage` is Graph's `x-ms-throttle-limit-percentage`.
    pub fn on_response(&self, limit_percentage: Option<f64>) {
        let Ok(mut s) = self.state.lock() else { return };
        let now = Instant::now();
        s.served.push_back(now);
        s.first_served.get_or_insert(now);
        while s
            .served
            .front()
            .is_some_and(|t| now.duration_since(*t) > WINDOW)
        {
            s.served.pop_front();
        }
        if limit_percentage.is_some_and(|p| p >= NEAR_LIMIT) {
            s.slow_down(now, EASE_OFF);
        } else {
            s.probe_up(now);
        }
    }

    /// Graph answered 429.
    pub fn on_throttled(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.slow_down(Instant::now(), BACK_OFF);
        }
    }

    pub fn rate(&self) -> Option<f64> {
        self.state.lock().ok().and_then(|s| s.rate)
    }
}

impl State {
    /// What Graph served lately, per second: the first estimate of its limit.
    fn served_rate(&self, now: Instant) -> f64 {
        let span = self
            .first_served
            .map_or(WINDOW, |first| now.duration_since(first))
            .clamp(Duration::from_millis(200), WINDOW);
        self.served.len() as f64 / span.as_secs_f64()
    }

    fn slow_down(&mut self, now: Instant, factor: f64) {
        if self.rate.is_some() && now.duration_since(self.last_change) < SETTLE {
            return;
        }
        // The pacing rate, once there is one, is a better measure than the served rate, which
        // a Retry-After pause drags down.
        let current = self.rate.unwrap_or_else(|| self.served_rate(now));
        self.ceiling = Some(current);
        self.set(now, (current * factor).max(1.0), "down");
    }

    fn probe_up(&mut self, now: Instant) {
        let Some(rate) = self.rate else { return };
        let near = self.ceiling.is_some_and(|c| rate >= c * 0.97);
        let (factor, every) = if near {
            (PROBE_SLOW, PROBE_SLOW_EVERY)
        } else {
            (PROBE_FAST, PROBE_FAST_EVERY)
        };
        if now.duration_since(self.last_change) < every {
            return;
        }
        let mut next = rate * factor;
        if let Some(c) = self.ceiling {
            if !near {
                next = next.min(c * 0.97);
            } else if next > c {
                // Quiet above the old limit: the limit has risen.
                self.ceiling = Some(next);
            }
        }
        self.set(now, next, "up");
    }

    fn set(&mut self, now: Instant, rate: f64, direction: &str) {
        self.rate = Some(rate);
        self.last_change = now;
        crate::diag::trace(2, format!("pacing {direction} to {rate:.1} requests/s"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unlimited_until_graph_signals_a_limit() {
        let p = Pacer::new();
        let start = Instant::now();
        for _ in 0..100 {
            p.acquire(1).await;
            p.on_response(None);
        }
        assert!(start.elapsed() < Duration::from_millis(50));
        assert_eq!(p.rate(), None);
    }

    #[tokio::test]
    async fn a_near_limit_header_sets_a_rate_below_what_was_served() {
        let p = Pacer::new();
        for _ in 0..40 {
            p.on_response(None);
        }
        p.on_response(Some(0.9));
        let rate = p.rate().expect("limited");
        // 41 served within the 200 ms minimum span: at most ~205/s, eased off.
        assert!(rate <= 41.0 / 0.2 * EASE_OFF + 0.01, "{rate}");
        p.on_response(Some(0.95));
        assert_eq!(p.rate(), Some(rate), "one adjustment per overload");
    }

    #[tokio::test]
    async fn quiet_periods_probe_upward() {
        let p = Pacer::new();
        p.on_response(None);
        p.on_throttled();
        let low = p.rate().unwrap();
        tokio::time::sleep(PROBE_SLOW_EVERY + Duration::from_millis(20)).await;
        p.on_response(None);
        assert!(p.rate().unwrap() > low);
    }

    #[tokio::test]
    async fn paced_slots_are_spread_by_the_rate() {
        let p = Pacer::new();
        for _ in 0..20 {
            p.on_response(None);
        }
        p.on_throttled();
        let rate = p.rate().unwrap();
        let start = Instant::now();
        p.acquire(1).await;
        p.acquire(1).await;
        p.acquire(1).await;
        let elapsed = start.elapsed().as_secs_f64();
        assert!(elapsed >= 2.0 / rate * 0.9, "{elapsed} for rate {rate}");
    }
}
