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
/// How far below the achieved rate to settle after a throttling signal.
const BACK_OFF: f64 = 0.85;
/// Growth per quiet second, to find the limit again when it rises.
const PROBE_UP: f64 = 1.05;
const WINDOW: Duration = Duration::from_secs(2);

pub struct Pacer {
    state: Mutex<State>,
}

struct State {
    /// Requests per second, or `None` while Graph has given no sign of a limit.
    rate: Option<f64>,
    next_slot: Instant,
    last_change: Instant,
    /// Start times of recent requests, to measure the achieved rate.
    recent: VecDeque<Instant>,
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
                next_slot: now,
                last_change: now,
                recent: VecDeque::new(),
            }),
        }
    }

    /// Wait for `n` request slots.
    pub async fn acquire(&self, n: u32) {
        let wait = {
            let Ok(mut s) = self.state.lock() else { return };
            let now = Instant::now();
            for _ in 0..n {
                s.recent.push_back(now);
            }
            while s
                .recent
                .front()
                .is_some_and(|t| now.duration_since(*t) > WINDOW)
            {
                s.recent.pop_front();
            }
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

    /// A response arrived; `limit_percentage` is Graph's `x-ms-throttle-limit-percentage`.
    pub fn on_response(&self, limit_percentage: Option<f64>) {
        let Ok(mut s) = self.state.lock() else { return };
        let now = Instant::now();
        if limit_percentage.is_some_and(|p| p >= NEAR_LIMIT) {
            s.slow_down(now, BACK_OFF);
        } else if let Some(rate) = s.rate {
            if now.duration_since(s.last_change) >= Duration::from_secs(1) {
                s.rate = Some(rate * PROBE_UP);
                s.last_change = now;
            }
        }
    }

    /// Graph answered 429.
    pub fn on_throttled(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.slow_down(Instant::now(), BACK_OFF * BACK_OFF);
        }
    }

    pub fn rate(&self) -> Option<f64> {
        self.state.lock().ok().and_then(|s| s.rate)
    }
}

impl State {
    fn achieved(&self, now: Instant) -> f64 {
        let count = self
            .recent
            .iter()
            .filter(|t| now.duration_since(**t) <= WINDOW)
            .count();
        count as f64 / WINDOW.as_secs_f64()
    }

    fn slow_down(&mut self, now: Instant, factor: f64) {
        // One adjustment per short interval: a burst of signals describes one overload.
        if self.rate.is_some() && now.duration_since(self.last_change) < Duration::from_millis(250)
        {
            return;
        }
        let base = match self.rate {
            Some(rate) => rate.min(self.achieved(now).max(rate * 0.5)),
            None => self.achieved(now),
        };
        self.rate = Some((base * factor).max(1.0));
        self.last_change = now;
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
        }
        assert!(start.elapsed() < Duration::from_millis(50));
        assert_eq!(p.rate(), None);
    }

    #[tokio::test]
    async fn a_near_limit_header_sets_a_rate_below_the_achieved_one() {
        let p = Pacer::new();
        for _ in 0..40 {
            p.acquire(1).await;
        }
        p.on_response(Some(0.9));
        let rate = p.rate().expect("limited");
        assert!(rate < 40.0 / WINDOW.as_secs_f64() + 0.01, "{rate}");
        p.on_response(Some(0.5));
        assert_eq!(p.rate(), Some(rate), "no probe-up within a second");
    }

    #[tokio::test]
    async fn paced_slots_are_spread_by_the_rate() {
        let p = Pacer::new();
        for _ in 0..20 {
            p.acquire(1).await;
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
