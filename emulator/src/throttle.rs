//! Throttling (a token bucket), injected transient faults (503/504, or a proxy's 502) and the
//! dice for dropped connections.
//!
//! All are deterministic for a given seed and call sequence, so a failing test can be
//! replayed. None ever sleeps: a throttled call is answered at once with the truthful wait.

use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as ChronoDuration, Timelike, Utc};

use super::seed::SplitMix64;

/// How `Retry-After` is written on 429 (and on injected 503) replies.
///
/// Graph's documentation shows integer and fractional values, RFC 9110 allows an HTTP-date,
/// and the header may be missing altogether. Whatever the style, the advertised wait is never
/// shorter than the true one: waiting what the header says is always enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RetryAfterStyle {
    /// Cycle through whole seconds, fractional seconds and no header (429s); 503s carry `1`
    /// or nothing.
    #[default]
    Rotate,
    /// Whole seconds, rounded up (at least 1).
    #[value(alias = "whole")]
    Seconds,
    /// Seconds with two decimals, rounded up (e.g. `0.35`).
    #[value(alias = "fractional")]
    Fraction,
    /// Each 429 drawn at random (seeded): whole seconds or a fraction, and one in seven with
    /// no header at all, as a service whose throttles come from several front ends might.
    Mixed,
    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), rounded up to the next whole second.
    Date,
    /// No `Retry-After` at all: the client must back off on its own.
    Absent,
}

impl RetryAfterStyle {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            RetryAfterStyle::Rotate => "rotate",
            RetryAfterStyle::Seconds => "seconds",
            RetryAfterStyle::Fraction => "fraction",
            RetryAfterStyle::Mixed => "mixed",
            RetryAfterStyle::Date => "date",
            RetryAfterStyle::Absent => "absent",
        }
    }
}

/// One concrete way of writing a single header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryStyle {
    WholeSeconds,
    Fractional,
    HttpDate,
    Absent,
}

/// The `Retry-After` value for a true wait of `wait` measured at `now`, or `None` for no header.
/// Every style rounds *up*, so a client that waits exactly the advertised time is served.
pub(crate) fn retry_after_value(
    style: RetryStyle,
    wait: Duration,
    now: DateTime<Utc>,
) -> Option<String> {
    let secs = wait.as_secs_f64();
    match style {
        RetryStyle::WholeSeconds => Some(format!("{}", secs.ceil().max(1.0) as u64)),
        RetryStyle::Fractional => Some(format!("{:.2}", ((secs * 100.0).ceil() / 100.0).max(0.01))),
        RetryStyle::HttpDate => {
            // An HTTP-date has whole-second resolution: the first whole second at or after
            // `now + wait` is the earliest truthful value.
            let at = now + ChronoDuration::from_std(wait).unwrap_or(ChronoDuration::seconds(1));
            let floor = at.with_nanosecond(0).unwrap_or(at);
            let at = if floor < at {
                floor + ChronoDuration::seconds(1)
            } else {
                floor
            };
            Some(at.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        }
        RetryStyle::Absent => None,
    }
}

#[derive(Debug)]
pub(crate) struct TokenBucket {
    /// Tokens per second.
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
    throttled: u64,
    style: RetryAfterStyle,
    /// The dice of [`RetryAfterStyle::Mixed`].
    rng: SplitMix64,
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
    /// `seed` only drives [`RetryAfterStyle::Mixed`]'s choice of style per throttle.
    pub(crate) fn new(
        rate: f64,
        burst: u32,
        now: Instant,
        style: RetryAfterStyle,
        seed: u64,
    ) -> TokenBucket {
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
            style,
            rng: SplitMix64::new(seed ^ 0x4E7A_A17E_4E7A_A17E),
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.last = now;
    }

    /// Takes a token if one is available. `wall` is the wall-clock time of `now`, for
    /// `Retry-After` dates.
    pub(crate) fn admit(&mut self, now: Instant, wall: DateTime<Utc>) -> Admission {
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
        let style = match self.style {
            RetryAfterStyle::Rotate => match self.throttled % 3 {
                0 => RetryStyle::WholeSeconds,
                1 => RetryStyle::Fractional,
                _ => RetryStyle::Absent,
            },
            RetryAfterStyle::Mixed => match self.rng.below(7) {
                0 => RetryStyle::Absent,
                1..=3 => RetryStyle::WholeSeconds,
                _ => RetryStyle::Fractional,
            },
            RetryAfterStyle::Seconds => RetryStyle::WholeSeconds,
            RetryAfterStyle::Fraction => RetryStyle::Fractional,
            RetryAfterStyle::Date => RetryStyle::HttpDate,
            RetryAfterStyle::Absent => RetryStyle::Absent,
        };
        self.throttled += 1;
        let wait = Duration::from_secs_f64(wait_secs);
        Admission::Throttled {
            wait,
            retry_after: retry_after_value(style, wait, wall),
        }
    }
}

/// The advisory wait on an injected 503 when a fixed `--retry-after` style is chosen. Nothing
/// enforces it (the fault is random), so any value is truthful; 750 ms shows a fraction.
const FAULT_WAIT: Duration = Duration::from_millis(750);

/// `Retry-After` for an injected 503. `rotate` keeps the original behaviour: `1` or no header,
/// as drawn by the fault injector.
pub(crate) fn fault_retry_after(
    style: RetryAfterStyle,
    drawn: Option<u32>,
    now: DateTime<Utc>,
) -> Option<String> {
    let concrete = match style {
        RetryAfterStyle::Rotate => return drawn.map(|s| s.to_string()),
        RetryAfterStyle::Seconds => RetryStyle::WholeSeconds,
        // A fault is random already: its header is drawn with it, as in `rotate`.
        RetryAfterStyle::Mixed => return drawn.map(|s| s.to_string()),
        RetryAfterStyle::Fraction => RetryStyle::Fractional,
        RetryAfterStyle::Date => RetryStyle::HttpDate,
        RetryAfterStyle::Absent => RetryStyle::Absent,
    };
    retry_after_value(concrete, FAULT_WAIT, now)
}

/// Which Graph calls injected 503/504 faults may hit. Graph documents neither whether a
/// `$batch` fails as a whole when its service is unavailable nor whether single sub-requests do;
/// both are plausible, and a client must treat them differently (a sub-request's failure says
/// nothing about the others served in the same exchange).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FaultScope {
    /// Any call: top-level requests (the `$batch` POST included) and sub-requests alike.
    #[default]
    Any,
    /// Only whole HTTP requests: a direct call or a `$batch` POST as a whole.
    Requests,
    /// Only sub-requests inside a `$batch`; the batch itself is answered 200.
    SubRequests,
}

impl FaultScope {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FaultScope::Any => "any",
            FaultScope::Requests => "requests",
            FaultScope::SubRequests => "sub-requests",
        }
    }

    pub(crate) fn covers(self, in_batch: bool) -> bool {
        match self {
            FaultScope::Any => true,
            FaultScope::Requests => !in_batch,
            FaultScope::SubRequests => in_batch,
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
    /// Which calls may be hit, counted from 0 in the order they are asked about.
    window: std::ops::Range<usize>,
    asked: usize,
}

impl FaultInjector {
    #[cfg(test)]
    fn new(rate: f64, seed: u64) -> FaultInjector {
        FaultInjector::within(rate, seed, 0..usize::MAX)
    }

    /// Faults only for the calls in `window`: an outage that starts and ends mid-run.
    pub(crate) fn within(rate: f64, seed: u64, window: std::ops::Range<usize>) -> FaultInjector {
        FaultInjector {
            window,
            asked: 0,
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
        let call = self.asked;
        self.asked = self.asked.saturating_add(1);
        if self.rate <= 0.0 || !self.window.contains(&call) {
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

/// A seeded yes/no decision with a fixed probability, e.g. "drop this connection".
#[derive(Debug)]
pub(crate) struct Dice {
    share: f64,
    rng: SplitMix64,
}

impl Dice {
    /// `salt` gives each knob a stream of its own, so switching one on changes neither the
    /// seed data nor the other knobs' decisions.
    pub(crate) fn new(share: f64, seed: u64, salt: u64) -> Dice {
        Dice {
            share: if share.is_finite() {
                share.clamp(0.0, 1.0)
            } else {
                0.0
            },
            rng: SplitMix64::new(seed ^ salt),
        }
    }

    /// Whether the next event is hit. Consumes nothing when the share is 0, so the default
    /// configuration behaves exactly as before the knob existed.
    pub(crate) fn roll(&mut self) -> bool {
        self.share > 0.0 && self.rng.unit() < self.share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_burst_then_throttles_truthfully() {
        let t0 = Instant::now();
        let w0 = Utc::now();
        let mut b = TokenBucket::new(2.0, 3, t0, RetryAfterStyle::Rotate, 1);
        for _ in 0..3 {
            assert!(matches!(b.admit(t0, w0), Admission::Allowed { .. }));
        }
        let mut styles = Vec::new();
        for _ in 0..3 {
            match b.admit(t0, w0) {
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
            b.admit(t0 + Duration::from_millis(500), w0),
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
        // An outage over calls 10 to 14: those and no others.
        let mut outage = FaultInjector::within(1.0, 1, 10..15);
        let hit: Vec<usize> = (0..40).filter(|_| outage.next().is_some()).collect();
        assert_eq!(hit, (10..15).collect::<Vec<_>>());
    }

    #[test]
    fn every_style_is_truthful() {
        use chrono::TimeZone;
        // 10:00:00.900 plus 0.35 s is 10:00:01.25, so the date must say 10:00:02.
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).single().unwrap()
            + ChronoDuration::milliseconds(900);
        let wait = Duration::from_millis(350);
        assert_eq!(
            retry_after_value(RetryStyle::WholeSeconds, wait, now).as_deref(),
            Some("1")
        );
        assert_eq!(
            retry_after_value(RetryStyle::Fractional, wait, now).as_deref(),
            Some("0.35")
        );
        assert_eq!(
            retry_after_value(RetryStyle::HttpDate, wait, now).as_deref(),
            Some("Sun, 01 Mar 2026 10:00:02 GMT")
        );
        assert_eq!(retry_after_value(RetryStyle::Absent, wait, now), None);
        // A wait that ends exactly on a second is not pushed to the next one.
        let whole = now - ChronoDuration::milliseconds(900);
        assert_eq!(
            retry_after_value(RetryStyle::HttpDate, Duration::from_secs(2), whole).as_deref(),
            Some("Sun, 01 Mar 2026 10:00:02 GMT")
        );
        // A fixed style applies to every throttled reply.
        let t0 = Instant::now();
        let mut b = TokenBucket::new(4.0, 1, t0, RetryAfterStyle::Fraction, 1);
        assert!(matches!(b.admit(t0, now), Admission::Allowed { .. }));
        for _ in 0..4 {
            match b.admit(t0, now) {
                Admission::Throttled { retry_after, .. } => {
                    assert_eq!(retry_after.as_deref(), Some("0.25"));
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            fault_retry_after(RetryAfterStyle::Rotate, Some(1), now).as_deref(),
            Some("1")
        );
        assert_eq!(fault_retry_after(RetryAfterStyle::Rotate, None, now), None);
        assert_eq!(
            fault_retry_after(RetryAfterStyle::Fraction, None, now).as_deref(),
            Some("0.75")
        );
        assert_eq!(
            fault_retry_after(RetryAfterStyle::Absent, Some(1), now),
            None
        );
    }

    #[test]
    fn mixed_style_draws_every_style_and_stays_truthful() {
        let t0 = Instant::now();
        let w0 = Utc::now();
        let draw = |seed| {
            let mut b = TokenBucket::new(10.0, 1, t0, RetryAfterStyle::Mixed, seed);
            assert!(matches!(b.admit(t0, w0), Admission::Allowed { .. }));
            (0..700)
                .map(|_| match b.admit(t0, w0) {
                    Admission::Throttled { wait, retry_after } => {
                        if let Some(r) = &retry_after {
                            let secs: f64 = r.parse().unwrap();
                            assert!(secs >= wait.as_secs_f64(), "{r} for {wait:?}");
                        }
                        retry_after
                    }
                    other => panic!("{other:?}"),
                })
                .collect::<Vec<_>>()
        };
        let styles = draw(7);
        assert_eq!(styles, draw(7), "the same seed draws the same styles");
        let absent = styles.iter().filter(|r| r.is_none()).count();
        let whole = styles.iter().flatten().filter(|r| !r.contains('.')).count();
        let fraction = styles.iter().flatten().filter(|r| r.contains('.')).count();
        // One in seven without a header, the rest split between whole and fractional.
        assert!((60..140).contains(&absent), "{absent}");
        assert!(
            whole > 200 && fraction > 200,
            "{whole} whole, {fraction} fractional"
        );
    }

    #[test]
    fn dice_follow_share_and_seed() {
        let mut never = Dice::new(0.0, 1, 2);
        assert!((0..1000).all(|_| !never.roll()));
        let mut always = Dice::new(1.0, 1, 2);
        assert!((0..1000).all(|_| always.roll()));
        let run = |seed| {
            let mut d = Dice::new(0.1, seed, 7);
            (0..1000).map(|_| d.roll()).collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        let hits = run(3).iter().filter(|h| **h).count();
        assert!((60..140).contains(&hits), "{hits}");
    }
}
