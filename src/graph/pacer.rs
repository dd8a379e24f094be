//! A client-side rate limiter that learns Graph's limit instead of hitting it.
//!
//! Graph does not publish a limit for entitlement management, so the pacer starts unlimited and
//! adapts the way TCP's congestion control does (RFC 5681): a 429 is the loss signal.
//! - **Slow start.** The first 429 only says that a burst emptied Graph's bucket; what was served
//!   then measures the bucket, not its refill rate. So the first rate is provisional and grows
//!   multiplicatively (×1.25 every 250 ms) until Graph throttles again.
//! - **Congestion avoidance.** Each later 429 records the rate as the ceiling and multiplies the
//!   rate by 0.9 (the multiplicative decrease); quiet periods probe upward quickly far below the
//!   ceiling and slowly near it, and raise the ceiling when quiet above it.
//! - `x-ms-throttle-limit-percentage` near the limit holds the rate (no probing up) but does not
//!   lower it: a client paced at a small bucket's refill rate keeps the bucket nearly empty all
//!   the time, which is the goal, not a warning.
//!
//! Every request (each `$batch` sub-request too) takes a slot, so throttled retries and fresh
//! calls share one budget. Batches are kept no larger than the bucket (see `batch.rs`).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `x-ms-throttle-limit-percentage` at or above this means "slow down now".
const NEAR_LIMIT: f64 = 0.8;
/// Rate after a 429.
const BACK_OFF: f64 = 0.9;
/// Growth per quiet step during slow start, before the limit has been found once.
const SLOW_START: f64 = 1.25;
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
    /// Slow start: the limit has not been found yet (only a burst has been throttled).
    slow_start: bool,
    next_slot: Instant,
    last_change: Instant,
    /// Throttles closer to the last decrease than [`SETTLE`] belong to the same overload. Kept
    /// apart from `last_change`: probing up must not make a 429 look like old news.
    last_decrease: Option<Instant>,
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
                slow_start: false,
                next_slot: now,
                last_change: now,
                last_decrease: None,
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
        // Near the limit: hold the rate, neither up nor down.
        if !limit_percentage.is_some_and(|p| p >= NEAR_LIMIT) {
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
        if self
            .last_decrease
            .is_some_and(|t| now.duration_since(t) < SETTLE)
        {
            return;
        }
        self.last_decrease = Some(now);
        // The pacing rate, once there is one, is a better measure than the served rate, which
        // a Retry-After pause drags down.
        let current = match self.rate {
            None => {
                self.slow_start = true;
                self.served_rate(now)
            }
            Some(rate) => {
                self.slow_start = false;
                rate
            }
        };
        self.ceiling = Some(current);
        self.set(now, (current * factor).max(1.0), "down");
    }

    fn probe_up(&mut self, now: Instant) {
        let Some(rate) = self.rate else { return };
        if self.slow_start {
            if now.duration_since(self.last_change) >= PROBE_FAST_EVERY {
                self.set(now, rate * SLOW_START, "up (slow start)");
            }
            return;
        }
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
    async fn a_near_limit_header_holds_the_rate() {
        let p = Pacer::new();
        for _ in 0..40 {
            p.on_response(Some(0.9));
        }
        assert_eq!(p.rate(), None, "no 429, no limit");
        p.on_throttled();
        let rate = p.rate().expect("limited");
        tokio::time::sleep(PROBE_FAST_EVERY + Duration::from_millis(20)).await;
        p.on_response(Some(0.95));
        assert_eq!(p.rate(), Some(rate), "held: neither up nor down");
    }

    #[tokio::test]
    async fn slow_start_grows_fast_until_the_second_429_finds_the_limit() {
        let p = Pacer::new();
        for _ in 0..5 {
            p.on_response(None);
        }
        // A burst of 5 was served, then throttled: that measures the bucket, not the rate.
        p.on_throttled();
        let first = p.rate().unwrap();
        let mut rate = first;
        for _ in 0..3 {
            tokio::time::sleep(PROBE_FAST_EVERY + Duration::from_millis(10)).await;
            p.on_response(None);
            let next = p.rate().unwrap();
            assert!((next / rate - SLOW_START).abs() < 1e-9, "{rate} -> {next}");
            rate = next;
        }
        tokio::time::sleep(SETTLE + Duration::from_millis(10)).await;
        p.on_throttled();
        // Decreased below both the rate and what Graph was seen serving.
        let after = p.rate().unwrap();
        assert!(after <= rate * BACK_OFF + 1e-9, "{rate} -> {after}");
        // Congestion avoidance from here: growth is capped below the ceiling found, and a 429
        // right after a probe up still counts (it is a new overload, not the last one's echo).
        tokio::time::sleep(PROBE_FAST_EVERY + Duration::from_millis(10)).await;
        p.on_response(None);
        assert!(p.rate().unwrap() <= rate * 0.97 + 1e-9);
        let probed = p.rate().unwrap();
        tokio::time::sleep(SETTLE + Duration::from_millis(10)).await;
        p.on_throttled();
        assert!(p.rate().unwrap() < probed);
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
