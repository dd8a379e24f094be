//! A client-side model of Graph's throttle, learned from what Graph serves and refuses, so that
//! once the limit is known nothing more is throttled.
//!
//! Graph publishes no limit for entitlement management, and throttles each request (each `$batch`
//! sub-request too) against a bucket whose rate and burst it does not tell. The pacer treats the
//! service as a token-bucket policer and estimates both numbers, the way Linux's BBR detects a
//! policer and paces at its rate instead of probing into it (`net/ipv4/tcp_bbr.c`: "Token-bucket
//! traffic policers are common … BBR detects token-bucket policers and explicitly models their
//! policed rate"; Cardwell et al., "BBR: Congestion-Based Congestion Control", ACM Queue 14(5),
//! 2016; Flach et al., "An Internet-Wide Analysis of Traffic Policing", SIGCOMM 2016):
//!
//! - **Start-up.** Nothing is known, so nothing is paced; only the requests in flight are
//!   limited, to one full batch at first, so the first wave that meets a small bucket is one
//!   batch, not a connection slot's worth each. The window grows with what Graph serves, as
//!   TCP's slow start does (RFC 5681), but fourfold per round trip rather than twofold while no
//!   answer carries a sign of a limit: a run of a few hundred calls against an unthrottled
//!   service then takes three or four round trips of sending, not six. The first
//!   `x-ms-throttle-limit-percentage` (Graph: the caller has used 80 % of its limit) brings the
//!   window down to what the limit has left and slows the growth to twofold, as HyStart++
//!   (RFC 9406) leaves its fast growth on an early sign, before the loss.
//! - **The burst** is the most sub-requests Graph ever served from one exchange: a lower bound of
//!   its bucket. Batches are never larger (nor larger than a quarter second's worth at the
//!   current rate), so a batch never needs more than a full bucket.
//! - **The rate.** A 429 means the bucket was empty when that request arrived. Between two
//!   throttles, with the offered rate never raised in between, Graph served exactly what its
//!   bucket refilled: `served / elapsed` is the policed rate (BBR's delivery-rate sample, taken
//!   between losses as its long-term policer sampling does). Intervals are timed by when
//!   requests left, so latency cancels out, and each is counted once every exchange in it has
//!   been answered. Exchanges that left within a quarter of the shortest round trip of each other
//!   may have reached Graph in either order, so an interval that short is no sample. Measuring starts from a deliberately high guess (what Graph served lately,
//!   or the burst per round trip); far above the samples it comes down to 1.25 times them, and
//!   when nothing is throttled for a quarter second while requests left at the full pace it
//!   grows by half (a quiet stretch with fewer requests offered, as when throttled ones wait out
//!   their `Retry-After`, says nothing: BBR's application-limited samples). After half a second
//!   and 40 served requests of samples the estimate is final.
//! - **Cruise.** Requests then leave through a token bucket of the learned burst refilled at
//!   97 % of the learned rate: a batch goes only when the model holds all of its tokens, and
//!   Graph's own bucket slowly fills, absorbing jitter. Every throttle resynchronises the model
//!   (the real bucket was empty then, less what left since). A single throttle in cruise costs
//!   2 % of the pace; two within two seconds mean the limit fell, and the rate is measured again
//!   (a bucket of one tells jitter from a fallen limit, below).
//!   After 30 quiet seconds the pacer probes 10 % higher in case the limit rose, unless Graph's
//!   `x-ms-throttle-limit-percentage` says the caller is near its limit.
//!
//! A bucket of a single token (no burst at all) wastes what it cannot hold while it is
//! measured, so what it serves between two throttles is only 50-70 % of its rate. When a batch
//! of several was served just one (and nothing ever more), the pacer knows the bucket holds one
//! token and brackets its rate instead, from the gaps between arrivals at Graph: two requests
//! served one after the other arrived at least a token apart, as did `k` served over a span `t`
//! `k - 1` tokens (lower bounds of the rate, the floor), and a throttled request arrived less
//! than a token after the one before (an upper bound). Arrivals are timed by the answers: the
//! way back from Graph is steady, the way there has a millisecond or two of jitter, which made
//! bounds from the gaps between departures 5-8 % low (and bounding the token time by the
//! shortest departure gap between two served requests understated it by up to 18 %). An answer
//! handled late on a busy machine can still make a pair look closer than it arrived, so only
//! pairs whose earlier round trip was not the longer one count, and the floor is the third
//! closest. The offered pace grows by half while nothing is throttled, then moves to the
//! bracket's geometric middle, and the floor is the estimate once it is within 4 % of the
//! upper bound, or 1.5 s after the bracket formed (arrivals on whole milliseconds cannot tell
//! a token of 19 ms from one of 20).
//!
//! In cruise a bucket of one holds nothing to absorb a request arriving early, so requests
//! leave a token at the estimate plus the arrival jitter seen (what 95 % of requests stay
//! within) apart, if that is more than the margin; and the pacer yields instead of sleeping
//! for the last 1.5 ms before each, as tokio's timer wakes a millisecond late, 5 % of the rate
//! at 50/s. A throttle of a request that arrived less than a token at the estimate after the
//! one before is that jitter (the one before arrived late), not a limit that fell: it neither
//! slows the cruise nor counts towards relearning.
//! Unbatched, no exchange carries several requests; single calls that left together (the
//! start-up window's wave, two listing queries) tell a bucket of one instead, as one served of
//! several. A run in which no calls left together before measuring began (measuring spaces
//! them out), or whose waves were served nothing, cannot tell and learns such a bucket low.
//! Every larger bucket is cruised one token short of its burst, which leaves Graph's bucket a
//! token of cushion against requests arriving closer together than they left.
//!
//! A 429 without `Retry-After` is retried after the time one token takes at the current pace
//! (doubling with each retry of the same call), not after a generic backoff: the pacer already
//! holds the call until the model has room, so a long wait would only idle a learned rate.
//! Before anything is learned the retry policy backs off exponentially, as Graph advises.
//!
//! A documented limit (the audit log's 5 requests per 10 seconds) is not learned: such a pacer
//! starts in cruise, one request at a time, so no window of the documented length ever holds
//! more than the documented count. `Retry-After` is honoured per request by the retry policy; the
//! pacer only decides when new requests leave.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use tokio::time::{Duration, Instant};

/// Requests in flight at first: one full batch (or as many single calls).
const INITIAL_WINDOW: u32 = 20;
/// What an exchange served in full with no sign of a limit adds to the start-up window, per
/// request: the window grows fourfold per round trip.
const START_GAIN: u32 = 3;
/// How long before a bucket of one's token is due the pacer stops sleeping and yields
/// instead: tokio's timer wakes up to this late.
const SPIN: Duration = Duration::from_micros(1500);
/// Batches are sized to leave at least this often.
const BATCH_SPACING: Duration = Duration::from_millis(250);
/// Cruise at this share below the learned rate.
const MARGIN: f64 = 0.03;
/// While measuring, offer this much more than the estimate so far.
const MEASURE_GAIN: f64 = 1.25;
/// Growth while measuring when the offered rate turns out to be below the limit.
const GROW: f64 = 1.5;
/// Samples spanning this long make the estimate final.
const MIN_SPAN: Duration = Duration::from_millis(500);
/// Requests served in the samples before the estimate is final.
const MIN_SERVED: u64 = 40;
/// An interval this long (or a tenth of one, whichever is longer) is worth adjusting the pace.
const EARLY_SPAN: Duration = Duration::from_millis(30);
/// No throttle for this long while measuring means the offered rate is below the limit.
const MEASURE_QUIET: Duration = Duration::from_millis(250);
/// Quiet cruising this long probes for a raised limit.
const PROBE_AFTER: Duration = Duration::from_secs(30);
const PROBE_GAIN: f64 = 1.1;
/// Two throttles in cruise within this long mean the limit fell.
const RELEARN_WITHIN: Duration = Duration::from_secs(2);
/// A single throttle in cruise lowers the pace this much.
const NUDGE: f64 = 0.98;
/// `x-ms-throttle-limit-percentage` at or above this holds off probing.
pub const NEAR_LIMIT: f64 = 0.8;
/// The window of the first estimate when Graph first throttles.
const RECENT: Duration = Duration::from_secs(1);
/// An exchange unanswered this long is not waited for before sampling (its answer was lost).
const LATE: Duration = Duration::from_secs(5);
/// Departures closer than this share of the shortest round trip may arrive in either order
/// (network jitter is a fraction of the path's delay).
const ORDER_SHARE: u32 = 4;
/// Exchanges that left within this of each other left together (tasks woken for the same
/// tokens, or a start-up window's wave): they reached Graph within its arrival jitter, a
/// millisecond or two, in which a bucket refills next to nothing.
const TOGETHER: Duration = Duration::from_millis(2);
/// A bucket of one is learned once its floor is within this ratio of the upper bound from its
/// throttles: at least 96 % of its rate when the upper bound holds. That bound can come out a
/// fraction of a percent below the rate (an answer a little late), and at 5 % the benchmark
/// learned 94.8 %.
const SINGLE_BRACKET: f64 = 1.04;
/// A bucket of one is cruised far enough apart that this share of requests arrive no sooner
/// after the one before than they left: each throttle costs a token, and the last few percent
/// of the jitter (a busy machine sending one request several milliseconds late) would cost
/// more to space out than the tokens they throttle.
const JITTER_SHARE: f64 = 0.95;
/// How often a bucket of one's cruise is spaced again for the jitter seen, and by how much
/// its pace must change to be.
const RESPACE_EVERY: Duration = Duration::from_secs(1);
const RESPACE: f64 = 0.005;
/// Answered pairs of exchanges needed to judge the arrival jitter.
const JITTER_PAIRS: usize = 20;
/// A bracket that does not close this long after it formed is closed at its floor: arrivals
/// on whole milliseconds (the emulator's timer, the simulation's) cannot tell a token of 20 ms
/// from one of 19.
const SINGLE_WAIT: Duration = Duration::from_millis(1500);
/// A quiet pace inside the bracket of a bucket of one is raised at least this much.
const SINGLE_STEP: f64 = 1.02;
/// Requests a quiet stretch must hold to bound a bucket of one's rate (one of them is the
/// bucket's own token, so fewer make a coarse bound).
const SINGLE_MIN_QUIET: u64 = 5;
/// A bucket of one whose bracket does not close is learned from its floor after this many
/// times [`MIN_SPAN`] of samples.
const SINGLE_PATIENCE: u32 = 4;
/// A bucket of one's floor is the rate of its this-many-th closest served pair (see
/// [`State::served_pair`]).
const PAIR_RANK: usize = 3;
/// Departures remembered for the rate samples; older ones are never needed.
const LEDGER_AGE: Duration = Duration::from_secs(15);
const LEDGER_MAX: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No sign of a limit yet.
    StartUp,
    /// Throttled: measuring the rate.
    Measure,
    /// The rate is known: pacing just below it.
    Cruise,
}

/// When an exchange left and how many Graph requests it carried.
#[derive(Debug, Clone, Copy)]
pub struct Departure {
    at: Instant,
    weight: u32,
    seq: u64,
}

impl Departure {
    pub fn weight(&self) -> u32 {
        self.weight
    }
}

/// Holds its requests' place in the start-up window until the exchange is answered (or
/// abandoned).
pub struct InFlight(Arc<Shared>, u32);

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut s) = self.0.state.lock() {
            s.in_flight = s.in_flight.saturating_sub(self.1);
        }
        self.0.freed.notify_waiters();
    }
}

pub struct Pacer(Arc<Shared>);

struct Shared {
    state: Mutex<State>,
    /// Woken when the start-up window may have room.
    freed: Notify,
}

struct State {
    phase: Phase,
    /// Requests per second the model refills at, once limited.
    pace: Option<f64>,
    /// The learned (or documented) rate.
    estimate: Option<f64>,
    /// Most requests served from one exchange.
    burst: u32,
    tokens: f64,
    tokens_at: Instant,
    /// Requests that may be in flight before the first throttle, and those that are.
    window: u32,
    in_flight: u32,
    /// An answer in start-up said the caller is near Graph's limit: the window grows slowly.
    near_in_start_up: bool,
    served_in_start_up: u32,
    departed: u64,
    /// Departure of the latest throttled exchange: Graph's bucket was empty then.
    last_throttle: Option<Instant>,
    /// The end of the last interval sampled (a throttled departure), and throttled departures
    /// whose interval waits for every earlier exchange to be answered.
    sampled_to: Option<Instant>,
    unsampled: VecDeque<Instant>,
    /// When the pace was raised: an interval holding a raise is not exact.
    raises: VecDeque<Instant>,
    changed_at: Instant,
    /// Sum of the exact intervals measured so far, and what Graph served in them.
    span: Duration,
    served_in_span: u64,
    /// Every exchange that left lately, and what Graph served of it once answered.
    departures: VecDeque<Sent>,
    cruise_throttles: VecDeque<Instant>,
    near_limit_at: Option<Instant>,
    /// Measuring because quiet cruising probed higher, not because the limit fell.
    probing: bool,
    /// A limit Graph documents, kept instead of learned.
    documented: Option<Documented>,
    /// The shortest round trip seen: how far apart departures must be for their order to be
    /// the order Graph saw them in.
    min_rtt: Option<Duration>,
    /// Graph's bucket holds a single token: an exchange of several requests was served one and
    /// nothing was ever served more than one at once.
    single: bool,
    /// The most Graph served of exchanges that left together (see [`TOGETHER`]): unbatched,
    /// what tells a bucket's size, as a batch's count does.
    wave_burst: u32,
    /// A bucket taken for one token was throttled in cruise again and again: not taken for one
    /// again this run.
    refuted: bool,
    /// While measuring a bucket of one: the highest rate Graph served without a throttle over a
    /// quiet stretch (a lower bound of its rate), and an upper bound from the shortest gap
    /// before a throttled exchange.
    floor: Option<f64>,
    throttled_pace: Option<f64>,
    /// The rates of the closest served pairs of a bucket of one, closest first.
    pair_rates: Vec<f64>,
    /// When a bucket of one was first bounded from both sides.
    bracket_since: Option<Instant>,
    /// When the bucket was taken for one token.
    single_since: Option<Instant>,
    /// When a bucket of one's cruise was last spaced for the arrival jitter.
    spaced_at: Instant,
}

/// "At most `count` requests in any `per`": a sliding window, which a token bucket of the same
/// average rate would break (it allows its burst on top of a window's worth).
struct Documented {
    count: u32,
    /// The documented period and a margin, since requests may arrive closer together than they
    /// left.
    per: Duration,
    recent: VecDeque<Instant>,
}

impl Documented {
    fn admit(&mut self, weight: u32, now: Instant) -> Result<(), Wait> {
        while self
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= self.per)
        {
            self.recent.pop_front();
        }
        let weight = weight.min(self.count) as usize;
        let room = (self.count as usize).saturating_sub(self.recent.len());
        if room >= weight {
            self.recent.extend(std::iter::repeat_n(now, weight));
            return Ok(());
        }
        // The oldest of those that must leave the window first.
        let oldest = self.recent[weight - room - 1];
        Err(Wait::For(
            (oldest + self.per)
                .saturating_duration_since(now)
                .max(Duration::from_millis(1)),
        ))
    }
}

impl Default for Pacer {
    fn default() -> Self {
        Self::new()
    }
}

impl Pacer {
    /// A pacer that learns the limit.
    pub fn new() -> Self {
        let now = Instant::now();
        Pacer(Arc::new(Shared {
            state: Mutex::new(State {
                phase: Phase::StartUp,
                pace: None,
                estimate: None,
                burst: 0,
                tokens: 0.0,
                tokens_at: now,
                window: INITIAL_WINDOW,
                in_flight: 0,
                near_in_start_up: false,
                served_in_start_up: 0,
                departed: 0,
                last_throttle: None,
                sampled_to: None,
                unsampled: VecDeque::new(),
                raises: VecDeque::new(),
                changed_at: now,
                span: Duration::ZERO,
                served_in_span: 0,
                departures: VecDeque::new(),
                cruise_throttles: VecDeque::new(),
                near_limit_at: None,
                probing: false,
                documented: None,
                min_rtt: None,
                single: false,
                wave_burst: 0,
                refuted: false,
                floor: None,
                throttled_pace: None,
                pair_rates: Vec::new(),
                bracket_since: None,
                single_since: None,
                spaced_at: now,
            }),
            freed: Notify::new(),
        }))
    }

    /// A pacer for a documented limit of `count` requests per `per`: one request at a time,
    /// evenly spaced, so that no window of length `per` (fixed or sliding) holds more.
    pub fn documented(count: u32, per: Duration) -> Self {
        let pacer = Self::new();
        if let Ok(mut s) = pacer.0.state.lock() {
            let count = count.max(1);
            let rate = f64::from(count) / per.as_secs_f64().max(0.001);
            s.phase = Phase::Cruise;
            s.estimate = Some(rate);
            s.pace = Some(rate);
            s.burst = count;
            s.documented = Some(Documented {
                count,
                per: per + per.mul_f64(MARGIN),
                recent: VecDeque::new(),
            });
        }
        pacer
    }

    /// Wait until an exchange carrying `weight` requests may leave; the departure may carry
    /// fewer, never more, when a batch may no longer be that large.
    pub async fn acquire(&self, weight: u32) -> (Departure, InFlight) {
        let weight = weight.max(1);
        loop {
            // Registered before the state is read, so an answer in between is not missed.
            let freed = self.0.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            let wait = match self.0.state.lock() {
                Ok(mut s) => s.try_depart(weight, Instant::now()),
                // A poisoned lock only means another call panicked: send unpaced.
                Err(_) => Ok(Departure {
                    at: Instant::now(),
                    weight,
                    seq: 0,
                }),
            };
            match wait {
                Ok(departure) => {
                    let weight = departure.weight;
                    return (departure, InFlight(self.0.clone(), weight));
                }
                Err(Wait::Window) => freed.await,
                Err(Wait::For(d)) => tokio::time::sleep(d).await,
                // The timer wakes a millisecond late on average: sleep short of the token, then
                // yield until it is there.
                Err(Wait::Precisely(d)) if d > SPIN => tokio::time::sleep(d - SPIN).await,
                Err(Wait::Precisely(d)) => {
                    let before = Instant::now();
                    tokio::task::yield_now().await;
                    // A clock that did not move across a yield is paused (the simulations) and
                    // would never reach the token while this task yields: sleep instead.
                    if Instant::now() == before {
                        tokio::time::sleep(d.max(Duration::from_millis(1))).await;
                    }
                }
            }
        }
    }

    /// What Graph did with an exchange: `served` requests answered, `throttled` answered 429;
    /// `near_limit` from `x-ms-throttle-limit-percentage`.
    pub fn record(&self, departure: Departure, served: u32, throttled: u32, near_limit: bool) {
        let phase_before = self.phase();
        if let Ok(mut s) = self.0.state.lock() {
            s.record(departure, served, throttled, near_limit, Instant::now());
        }
        if phase_before == Phase::StartUp {
            // The window grew, or pacing replaced it.
            self.0.freed.notify_waiters();
        }
    }

    /// An exchange admitted for `departure.weight` requests carries only `weight`: the rest
    /// of its tokens go back to the model.
    pub fn refund(&self, departure: &mut Departure, in_flight: &mut InFlight, weight: u32) {
        let weight = weight.min(departure.weight);
        let Ok(mut s) = self.0.state.lock() else {
            return;
        };
        let unused = departure.weight - weight;
        s.in_flight = s.in_flight.saturating_sub(unused);
        in_flight.1 = in_flight.1.saturating_sub(unused);
        if s.pace.is_some() {
            s.tokens += f64::from(unused);
        }
        if let Some(sent) = s
            .departures
            .iter_mut()
            .rev()
            .find(|e| e.seq == departure.seq)
        {
            sent.weight = weight;
        }
        departure.weight = weight;
    }

    /// How many calls a `$batch` may carry now: never more than Graph was seen to serve at once.
    pub fn batch_size(&self, max: usize) -> usize {
        self.0.state.lock().map_or(max, |s| s.batch_limit(max))
    }

    /// The time one token takes at the pace the model keeps, once Graph has throttled and a
    /// pace is set: how long a throttled call without `Retry-After` needs to wait at least.
    /// `None` in start-up (nothing learned) and for a documented limit, whose pace is not a
    /// measurement of Graph.
    pub fn token_time(&self) -> Option<Duration> {
        let s = self.0.state.lock().ok()?;
        if s.documented.is_some() || s.phase == Phase::StartUp {
            return None;
        }
        let pace = s.pace?;
        Some(secs(1.0 / pace))
    }

    /// Requests that have left and are not answered yet.
    pub fn in_flight(&self) -> u32 {
        self.0.state.lock().map_or(0, |s| s.in_flight)
    }

    pub fn rate(&self) -> Option<f64> {
        self.0.state.lock().ok().and_then(|s| s.pace)
    }

    pub fn estimate(&self) -> Option<f64> {
        self.0.state.lock().ok().and_then(|s| s.estimate)
    }

    pub fn phase(&self) -> Phase {
        self.0.state.lock().map_or(Phase::StartUp, |s| s.phase)
    }
}

enum Wait {
    /// The start-up window is full: wait for an answer.
    Window,
    For(Duration),
    /// For a bucket of one, whose every gap must be a token: a millisecond late is 5 % at 50/s.
    Precisely(Duration),
}

impl State {
    /// How many calls a `$batch` may carry now (see [`Pacer::batch_size`]).
    fn batch_limit(&self, max: usize) -> usize {
        match (self.phase, self.pace) {
            // Nothing throttled yet: what was served says nothing of the bucket's size.
            (Phase::StartUp, _) | (_, None) => max,
            // At most the burst, and at most a quarter second's worth, so that batches leave
            // often enough for a throttle (or its absence) to show soon.
            (_, Some(pace)) => {
                let quarter = (pace * BATCH_SPACING.as_secs_f64()).floor() as usize;
                let size = (self.cushioned() as usize).min(quarter);
                // Nothing served more than one at once, but no batch has said whether the
                // bucket holds one token (a throttled listing call came first): batches of two
                // while measuring tell, and a bucket of one is then bracketed (see
                // `quiet_single`). Unbatched (`max` 1) only calls leaving together can tell.
                let size = if self.phase == Phase::Measure
                    && self.burst <= 1
                    && !self.single
                    && !self.refuted
                {
                    size.max(2)
                } else {
                    size
                };
                size.clamp(1, max.max(1))
            }
        }
    }

    fn try_depart(&mut self, weight: u32, now: Instant) -> Result<Departure, Wait> {
        if let Some(limit) = self.documented.as_mut() {
            limit.admit(weight, now)?;
            return Ok(self.depart(weight, now));
        }
        let Some(pace) = self.pace else {
            // One exchange may always go, however large.
            if self.in_flight > 0 && self.in_flight + weight > self.window {
                return Err(Wait::Window);
            }
            return Ok(self.depart(weight, now));
        };
        self.maybe_probe(now);
        let pace = self.pace.unwrap_or(pace);
        // An exchange formed before Graph throttled may be larger than a batch may now be; it
        // leaves with what it may carry (its caller keeps the rest back), instead of waiting for
        // tokens it will not use: twenty at one request per round trip held a bucket of one's
        // first batch for a second.
        let weight = weight.min(u32::try_from(self.batch_limit(weight as usize)).unwrap_or(weight));
        let capacity = f64::from(self.cushioned().max(weight));
        let elapsed = now.saturating_duration_since(self.tokens_at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * pace).min(capacity);
        self.tokens_at = now;
        let need = f64::from(weight);
        if self.tokens + 1e-9 >= need {
            self.tokens -= need;
            return Ok(self.depart(weight, now));
        }
        let wait = (need - self.tokens) / pace;
        if self.single {
            return Err(Wait::Precisely(Duration::from_secs_f64(
                wait.clamp(0.0, 60.0),
            )));
        }
        Err(Wait::For(Duration::from_secs_f64(wait.clamp(0.001, 60.0))))
    }

    /// The burst the model spends at most at once: one token short of what Graph was seen to
    /// serve, so Graph's bucket keeps a token's cushion against requests that arrive closer
    /// together than they left (a bucket of one has none to keep).
    fn cushioned(&self) -> u32 {
        if self.burst >= 2 {
            self.burst - 1
        } else {
            self.burst.max(1)
        }
    }

    fn depart(&mut self, weight: u32, now: Instant) -> Departure {
        self.in_flight += weight;
        self.departed += 1;
        self.departures.push_back(Sent {
            at: now,
            weight,
            seq: self.departed,
            served: None,
            rtt: None,
        });
        while self.departures.len() > LEDGER_MAX
            || self
                .departures
                .front()
                .is_some_and(|e| now.saturating_duration_since(e.at) > LEDGER_AGE)
        {
            self.departures.pop_front();
        }
        Departure {
            at: now,
            weight,
            seq: self.departed,
        }
    }

    fn record(&mut self, d: Departure, served: u32, throttled: u32, near: bool, now: Instant) {
        if near {
            self.near_limit_at = Some(now);
        }
        self.burst = self.burst.max(served);
        if served > 1 {
            self.single = false;
        } else if served == 1 && throttled > 0 && d.weight > 1 && self.burst <= 1 && !self.refuted {
            self.single = true;
            self.single_since.get_or_insert(d.at);
        }
        let rtt = now.saturating_duration_since(d.at);
        self.min_rtt = Some(self.min_rtt.map_or(rtt, |m| m.min(rtt)));
        if let Some(sent) = self.departures.iter_mut().rev().find(|e| e.seq == d.seq) {
            // Nothing served and nothing throttled: a 5xx or a lost answer, which may or may not
            // have cost Graph's bucket a token. An interval holding one is not exact.
            sent.served = Some(served).filter(|_| served > 0 || throttled > 0);
            sent.rtt = Some(rtt);
        }
        self.answered_wave(&d);
        if self.single && self.phase == Phase::Measure && served == 1 && d.weight == 1 {
            self.served_pair(&d, now);
        }
        if now.saturating_duration_since(self.spaced_at) > RESPACE_EVERY {
            self.respace(now);
        }
        if throttled > 0 {
            self.throttled(d, served, now);
        } else if served > 0 {
            self.quiet(d, near, now);
        } else if self.phase == Phase::StartUp {
            // A 5xx or a lost answer is no sign of a limit: the window grows as for a served one.
            self.window = self.window.saturating_add(d.weight);
        }
        self.sample_answered(now);
    }

    /// Once every exchange that left together with `d` is answered: what Graph served of them
    /// at once. Unbatched, single calls leaving together are the only sign of a bucket's size:
    /// one served of several means a bucket of one (unless a larger bucket was drained, which
    /// its throttles in cruise refute), several served means it is not.
    fn answered_wave(&mut self, d: &Departure) {
        // The ledger is in departure order: the wave is the run of entries around `d`'s that
        // left within TOGETHER of it, found from `d` outwards rather than by reading the whole
        // ledger on every answer.
        let Some(at) = self.departures.iter().rposition(|e| e.seq == d.seq) else {
            return;
        };
        let start = self
            .departures
            .range(..at)
            .rposition(|e| d.at.saturating_duration_since(e.at) > TOGETHER)
            .map_or(0, |i| i + 1);
        let end = self
            .departures
            .range(at..)
            .position(|e| e.at.saturating_duration_since(d.at) > TOGETHER)
            .map_or(self.departures.len(), |i| at + i);
        let (mut served, mut throttled, mut members, mut first) = (0u32, 0u32, 0u32, d.at);
        for e in self.departures.range(start..end) {
            // Unanswered, a 5xx or a lost answer: what the wave met is not known (yet).
            let Some(n) = e.served else {
                return;
            };
            served += n;
            throttled += e.weight - n.min(e.weight);
            members += 1;
            first = first.min(e.at);
        }
        if members < 2 {
            return;
        }
        self.wave_burst = self.wave_burst.max(served);
        if served > 1 {
            self.single = false;
        } else if served == 1
            && throttled > 0
            && self.burst.max(self.wave_burst) <= 1
            && !self.refuted
        {
            self.single = true;
            self.single_since.get_or_insert(first);
        }
    }

    /// An exchange served in full (`near`: Graph said the caller is near its limit).
    fn quiet(&mut self, d: Departure, near: bool, now: Instant) {
        match (self.phase, self.pace) {
            (Phase::StartUp, _) => self.open_window(d.weight, near),
            (Phase::Measure, Some(pace)) if d.at > self.changed_at => {
                let since = self
                    .last_throttle
                    .map_or(self.changed_at, |e| e.max(self.changed_at));
                let patience = MEASURE_QUIET.max(secs(3.0 * f64::from(d.weight) / pace));
                if now.saturating_duration_since(since) > patience && self.used(since, now, pace) {
                    if self.single {
                        self.quiet_single(since, d.at, now, pace);
                    } else {
                        self.set_pace(
                            now,
                            pace * GROW,
                            "measuring: no throttle yet, offering more",
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// Start-up: an exchange of `weight` requests was served in full. While no answer has
    /// carried a sign of a limit the window grows by [`START_GAIN`] times what was served (four
    /// times per round trip). An answer saying the caller is near Graph's limit (80 % of it
    /// used) brings the window down to a quarter of what start-up was served, about what the
    /// limit has left, so the wave that meets the first 429 is no larger than that; the answers
    /// of a round trip arrive together, and the growth earlier ones brought is taken back before
    /// it leaves. From then on the window grows only as TCP's slow start does (twofold per round
    /// trip), as HyStart++ (RFC 9406) leaves its fast growth on an early sign, before the loss.
    fn open_window(&mut self, weight: u32, near: bool) {
        self.served_in_start_up = self.served_in_start_up.saturating_add(weight);
        if near {
            self.near_in_start_up = true;
            self.window = self
                .window
                .min((self.served_in_start_up / 4).max(INITIAL_WINDOW));
        } else if self.near_in_start_up {
            self.window = self.window.saturating_add(weight);
        } else {
            self.window = self
                .window
                .saturating_add(weight.saturating_mul(START_GAIN));
        }
    }

    /// A quiet stretch while measuring a bucket of one: what Graph served in it is a lower bound
    /// of its rate. Such a bucket wastes the refill it cannot hold, so what it serves between
    /// two throttles is only 50-70 % of its rate; instead its rate is bracketed between the
    /// fastest quiet stretch and the slowest throttled pace, and the bracket halved (in ratio)
    /// until it is narrow.
    fn quiet_single(&mut self, since: Instant, last: Instant, now: Instant, pace: f64) {
        if let Some(rate) = self.quiet_rate(since, last) {
            self.floor = Some(self.floor.map_or(rate, |f| f.max(rate)));
        }
        if self.bracketed(now) {
            return;
        }
        // Requests leave somewhat slower than the pace (a model bucket of one token loses what
        // a late departure could not use), so a quiet pace already at the bracket's middle is
        // raised a little, or the bracket would never narrow.
        let next = match (self.floor, self.throttled_pace) {
            (Some(floor), Some(high)) => (floor * high)
                .sqrt()
                .max(pace * SINGLE_STEP)
                .min(pace * GROW),
            _ => pace * GROW,
        };
        let why = format!(
            "measuring a bucket of one{}: no throttle, offering more",
            self.bracket()
        );
        self.set_pace(now, next, &why);
    }

    /// What Graph served per second between the first and the last exchange that left in
    /// `(since, last]`, if every one of them was answered and served in full. With `k` requests
    /// served over a span `t`, a bucket of one refilled at least `k - 1` tokens in `t`: the
    /// span between departures stands in for the span between arrivals, which differs by the
    /// jitter of two requests, a millisecond or two over a quarter second.
    fn quiet_rate(&self, since: Instant, last: Instant) -> Option<f64> {
        let mut served = 0u64;
        let (mut first, mut end) = (None::<Instant>, None::<Instant>);
        for e in self
            .departures
            .iter()
            .filter(|e| e.at > since && e.at <= last)
        {
            if !e.answered() || e.served != Some(e.weight) {
                return None;
            }
            served += u64::from(e.weight);
            first.get_or_insert(e.at);
            end = Some(e.at);
        }
        let span = end?.saturating_duration_since(first?).as_secs_f64();
        (served >= SINGLE_MIN_QUIET && span > 0.0).then(|| (served - 1) as f64 / span)
    }

    /// `d` (one request) was served right after the exchange before it (one request, served),
    /// so a bucket of one had refilled its token between their arrivals: a token takes at most
    /// that long. The way back from Graph is steady (in the benchmark nine answers in ten took
    /// the same to within 0.2 ms of a 50 ms round trip, against a millisecond or two of jitter
    /// on the way there), so the gap between the two answers is the gap between the arrivals.
    /// Unlike a quiet stretch's average, the closest served pair leaves out how late the timer
    /// let each request leave (a millisecond a request, 5 % at 50/s), so it closes in on the
    /// rate itself.
    /// An answer handled late (a busy machine) makes a pair look closer than it arrived, which
    /// would overstate the rate: a pair counts only when the earlier round trip was not the
    /// longer one, and the floor is the [`PAIR_RANK`]th closest pair, not the closest. (In the
    /// benchmark, unfiltered, one pair of five hundred in cruise looked 18 % too close.)
    fn served_pair(&mut self, d: &Departure, now: Instant) {
        let Some((before, this)) = self.pair(d) else {
            return;
        };
        if before.weight != 1 || before.served != Some(1) || before.rtt > this.rtt {
            return;
        }
        let Some(gap) = arrival_gap(before, this) else {
            return;
        };
        let rate = 1.0 / gap.as_secs_f64();
        let at = self.pair_rates.partition_point(|r| *r > rate);
        self.pair_rates.insert(at, rate);
        self.pair_rates.truncate(PAIR_RANK);
        if let Some(&rate) = self.pair_rates.get(PAIR_RANK - 1) {
            self.floor = Some(self.floor.map_or(rate, |f| f.max(rate)));
            self.bracketed(now);
        }
    }

    /// The exchange that left right before `d`, and `d`'s own entry, if they left far enough
    /// apart to have reached Graph in that order.
    fn pair(&self, d: &Departure) -> Option<(&Sent, &Sent)> {
        let at = self.departures.iter().rposition(|e| e.seq == d.seq)?;
        let before = &self.departures[at.checked_sub(1)?];
        let this = &self.departures[at];
        let reorder = self.min_rtt.unwrap_or_default() / ORDER_SHARE;
        (this.at.saturating_duration_since(before.at) > reorder).then_some((before, this))
    }

    /// How long after the exchange before it `d` reached Graph, judged by their answers (see
    /// [`State::served_pair`]): a throttled request of a bucket of one arrived less than a
    /// token after the one before. (The gap between their departures made the upper bound 5-8 %
    /// low in the benchmark: what throttled a pace just below the limit was the one before
    /// arriving a millisecond or two late.) Only when `d`'s round trip was not the longer one:
    /// its answer handled late would make the gap look longer than it was.
    /// Only a gap the pace set counts (at most two tokens of it): a throttle after a longer
    /// one is not the pace meeting the limit but something else (a retry racing a paced
    /// exchange, answers reordered), and taking it as a bound learned a bucket of 50/s as
    /// 18/s in the benchmark.
    fn gap_before(&self, d: &Departure) -> Option<Duration> {
        let (before, this) = self.pair(d)?;
        let paced = secs(2.0 / self.pace?);
        let gap = this.at.saturating_duration_since(before.at);
        (gap <= paced && this.rtt <= before.rtt)
            .then(|| arrival_gap(before, this))
            .flatten()
    }

    /// Whether throttled `d` reached Graph less than a token at the estimate after the request
    /// before it: a bucket of one refilling as fast as learned would throttle that, so the
    /// throttle says nothing against the estimate. A limit that fell below it throttles
    /// requests that arrived a full token apart.
    fn arrived_early(&self, d: &Departure) -> bool {
        let (Some(estimate), Some((before, this))) = (self.estimate, self.pair(d)) else {
            return false;
        };
        arrival_gap(before, this).is_some_and(|gap| gap.as_secs_f64() * estimate < 1.0)
    }

    /// Forget what bounded a bucket of one's rate, but for `floor`: measuring starts again.
    fn bracket_again(&mut self, floor: Option<f64>) {
        self.floor = floor;
        self.throttled_pace = None;
        self.pair_rates.clear();
        self.bracket_since = None;
    }

    /// What is known of a bucket of one's rate, for the trace.
    fn bracket(&self) -> String {
        match (self.floor, self.throttled_pace) {
            (Some(floor), Some(high)) => format!(" (between {floor:.1} and {high:.1}/s)"),
            (Some(floor), None) => format!(" (at least {floor:.1}/s)"),
            _ => String::new(),
        }
    }

    /// Whether the rate of a bucket of one is known closely enough: the floor is within
    /// [`SINGLE_BRACKET`] of the upper bound, or has had [`SINGLE_WAIT`] to get there. Then it is
    /// the estimate (a lower bound, so the cruise stays below the limit).
    fn bracketed(&mut self, now: Instant) -> bool {
        let (Some(floor), Some(high)) = (self.floor, self.throttled_pace) else {
            return false;
        };
        let since = *self.bracket_since.get_or_insert(now);
        if floor * SINGLE_BRACKET < high && now.saturating_duration_since(since) < SINGLE_WAIT {
            return false;
        }
        self.finish(floor, now);
        true
    }

    /// Whether requests left since `since` at nearly the full pace, and still do. Only then can
    /// a quiet stretch mean the pace is below Graph's limit: when fewer were offered (throttled
    /// ones waiting out their Retry-After, too few calls in flight), offering more changes
    /// nothing (BBR's "application-limited" samples).
    /// Timed from the first departure to the last, not from `since` to now: the wait for the
    /// first token and the last answer's round trip are no lull, and at one request per round
    /// trip they kept a bucket of one below nine tenths of its pace for over a second in the
    /// benchmark, so its measuring did not grow.
    fn used(&self, since: Instant, now: Instant, pace: f64) -> bool {
        let mut window = self.departures.iter().filter(|e| e.at > since);
        let Some(first) = window.next() else {
            return false;
        };
        let (mut left, mut last) = (0u32, first);
        for e in window {
            left += last.weight;
            last = e;
        }
        let span = last.at.saturating_duration_since(first.at).as_secs_f64();
        let idle = now.saturating_duration_since(last.at).as_secs_f64();
        span > 0.0
            && f64::from(left) / span >= 0.9 * pace
            && idle <= 2.0 * f64::from(last.weight) / pace
    }

    /// Graph's bucket was empty when the exchange that left at `d.at` arrived.
    fn throttled(&mut self, d: Departure, served: u32, now: Instant) {
        if self.last_throttle.is_none_or(|t| d.at > t) {
            self.last_throttle = Some(d.at);
        }
        if self.sampled_to.is_none() {
            self.sampled_to = Some(d.at);
        } else if self.sampled_to.is_some_and(|t| d.at > t) {
            let at = self.unsampled.partition_point(|u| *u < d.at);
            self.unsampled.insert(at, d.at);
        }
        match self.phase {
            Phase::StartUp => {
                self.phase = Phase::Measure;
                // Rather too high than too low: measuring comes down from a high start within a
                // fraction of a second, but climbs from a low one in steps.
                let round_trip = now.saturating_duration_since(d.at).as_secs_f64().max(0.001);
                // At least one request per round trip: a throttle before anything was served
                // (two listing calls meeting a bucket of one) says nothing of the rate, and a
                // start at one request per second took the measurement 16 s to climb out of.
                let first = self
                    .recent_delivery_rate(now)
                    .max(f64::from(self.burst.max(1)) / round_trip);
                self.set_pace(now, first, "throttled: measuring Graph's rate");
            }
            Phase::Measure if self.single => {
                // A bucket of one refills its token within one token time; this exchange found
                // it empty (nothing of it served), so less than that had passed since the
                // exchange before it arrived.
                if served == 0
                    && let Some(gap) = self.gap_before(&d)
                {
                    let high = 1.0 / gap.as_secs_f64();
                    self.throttled_pace = Some(self.throttled_pace.map_or(high, |h| h.min(high)));
                }
                if !self.bracketed(now)
                    && d.at > self.changed_at
                    && let (Some(floor), Some(high), Some(pace)) =
                        (self.floor, self.throttled_pace, self.pace)
                    && (floor * high).sqrt() < pace
                {
                    // Above the bracket's middle: offer the middle. A pace below it was
                    // throttled by arrival jitter (the one before arriving late), which says
                    // nothing against it; lowering it for that kept the benchmark's measuring
                    // below the rate, where the bracket cannot narrow.
                    let why = format!(
                        "measuring a bucket of one{}: throttled, offering less",
                        self.bracket()
                    );
                    self.set_pace(now, (floor * high).sqrt(), &why);
                }
            }
            Phase::Measure => {}
            Phase::Cruise if self.single && self.arrived_early(&d) => {
                // Paced no closer than a token at a lower bound of the rate, a bucket of one is
                // throttled when the request before reached Graph late and this one did not
                // (a busy machine sends one a few milliseconds late now and then): arrival
                // jitter, not a limit that fell. Slowing every request for it, or relearning
                // after two (as the benchmark did, from 46 to 31 requests/s), costs far more
                // than the one token it wasted; and the model is right as it is.
                crate::diag::trace(
                    1,
                    "a bucket of one throttled by arrival jitter in cruise: pace kept",
                );
                self.respace(now);
                return;
            }
            Phase::Cruise if d.at > self.changed_at => self.cruise_throttled(now),
            Phase::Cruise => {}
        }
        // While measuring, requests leave evenly at the offered rate: a pause after each
        // throttle would let a small bucket overflow, and what it wasted would not be counted.
        if self.phase == Phase::Cruise {
            self.resync(d.at, now);
        }
    }

    /// What Graph served of the exchanges that left in the last second, per second of their
    /// span: where measuring starts. It counts the bucket's burst as if it were rate, so it
    /// starts high when the bucket is large, and measuring comes down from there quickly; a
    /// listing that ran for minutes before does not drag it down.
    fn recent_delivery_rate(&self, now: Instant) -> f64 {
        let recent = self
            .departures
            .iter()
            .filter(|e| now.saturating_duration_since(e.at) <= RECENT);
        let (mut served, mut oldest) = (0u64, now);
        for e in recent {
            served += u64::from(e.served.unwrap_or(0));
            oldest = oldest.min(e.at);
        }
        let span = now
            .saturating_duration_since(oldest)
            .as_secs_f64()
            .max(0.001);
        (served as f64 / span).max(1.0)
    }

    /// Sample each interval between two throttles once every exchange that left in it has been
    /// answered (or is too old to wait for), so none of what Graph served in it is missed.
    fn sample_answered(&mut self, now: Instant) {
        while let (Some(from), Some(&to)) = (self.sampled_to, self.unsampled.front()) {
            let pending = self
                .departures
                .iter()
                .any(|e| e.at <= to && !e.answered() && now.saturating_duration_since(e.at) < LATE);
            if pending {
                return;
            }
            self.unsampled.pop_front();
            self.sampled_to = Some(to);
            if self.sample(from, to) && self.phase == Phase::Measure {
                self.measured(now);
            }
        }
    }

    /// Add the interval `(from, to]` to the samples if it is exact: nothing raised the offered
    /// rate inside it, and every exchange in it has a known count (not a 5xx, not a lost answer),
    /// so Graph served just what its bucket refilled.
    fn sample(&mut self, from: Instant, to: Instant) -> bool {
        if self.raises.iter().any(|r| *r > from && *r < to) {
            return false;
        }
        // Exchanges that left this close together may have reached Graph in either order (the
        // later one served from what the earlier found empty): such an interval says nothing.
        let reorder = self.min_rtt.unwrap_or_default() / ORDER_SHARE;
        if to - from <= reorder {
            return false;
        }
        let mut served = 0u64;
        for e in self.departures.iter().filter(|e| e.at > from && e.at <= to) {
            match e.served {
                Some(n) => served += u64::from(n),
                None => return false,
            }
        }
        self.span += to - from;
        self.served_in_span += served;
        true
    }

    fn measured(&mut self, now: Instant) {
        let (Some(pace), false) = (self.pace, self.span.is_zero()) else {
            return;
        };
        if self.served_in_span == 0 {
            return;
        }
        let rate = self.served_in_span as f64 / self.span.as_secs_f64();
        // Each interval is off by less than one request either way: enough of them make the
        // estimate good to a few percent.
        // A bucket of one being bracketed (see `quiet_single`) is final once the bracket is
        // narrow; what it served between throttles understates its rate. Should the bracket
        // not close, its lower end is taken after a few times the usual samples.
        if self.single && self.span < MIN_SPAN * SINGLE_PATIENCE {
            if self.floor.is_none() && self.span >= EARLY_SPAN && rate * 2.0 < pace {
                // Far above the limit before any quiet stretch: come down towards it.
                self.set_pace(now, rate * MEASURE_GAIN, "measuring");
            }
            return;
        }
        if self.span >= MIN_SPAN && self.served_in_span >= MIN_SERVED {
            let rate = if self.single {
                rate.max(self.floor.unwrap_or(0.0))
            } else {
                rate
            };
            self.finish(rate, now);
        } else if self.span >= EARLY_SPAN
            && self.served_in_span >= MIN_SERVED / 10
            && rate * 2.0 < pace
        {
            // Far above the estimate so far: most of what is offered is throttled. Nearer, the
            // pace stays put, so the early estimate's noise does not pull it below the limit.
            self.set_pace(now, rate * MEASURE_GAIN, "measuring");
        }
    }

    /// The rate is learned: cruise just below it.
    fn finish(&mut self, rate: f64, now: Instant) {
        // A probe only ever raises the estimate: the limit falling shows as throttles in
        // cruise, which relearn from scratch.
        let rate = match self.estimate {
            Some(known) if self.probing => rate.max(known),
            _ => rate,
        };
        self.probing = false;
        self.estimate = Some(rate);
        self.phase = Phase::Cruise;
        self.cruise_throttles.clear();
        self.set_pace(
            now,
            self.cruise_pace(rate),
            &format!(
                "Graph's limit is {rate:.1} requests/s (burst {})",
                self.burst
            ),
        );
        if let Some(last) = self.last_throttle {
            self.resync(last, now);
        }
    }

    /// The pace below a learned `rate`. A bucket of one holds nothing to absorb a request
    /// arriving early, so its requests leave a token at the estimate apart plus how much
    /// sooner than it left a request reaches Graph after the one before it, when that is more
    /// than the margin (at 50/s the margin is 0.6 ms, and a millisecond of arrival jitter
    /// throttled one request in twenty in the benchmark).
    fn cruise_pace(&self, rate: f64) -> f64 {
        let pace = rate * (1.0 - MARGIN);
        match self.arrival_jitter() {
            Some(jitter) if self.single => pace.min(1.0 / (1.0 / rate + jitter.as_secs_f64())),
            _ => pace,
        }
    }

    /// A bucket of one in cruise is spaced for the jitter seen lately (see
    /// [`State::cruise_pace`]): judged at first from the few exchanges of measuring, it is
    /// judged again every second from more.
    fn respace(&mut self, now: Instant) {
        let (Phase::Cruise, true, Some(estimate), Some(pace)) =
            (self.phase, self.single, self.estimate, self.pace)
        else {
            return;
        };
        self.spaced_at = now;
        let spaced = self.cruise_pace(estimate);
        if (spaced / pace - 1.0).abs() > RESPACE {
            self.set_pace(
                now,
                spaced,
                "a bucket of one, spaced for the arrival jitter seen",
            );
        }
    }

    /// How much sooner than it left, relative to the exchange before it, an exchange reaches
    /// Graph, but for [`JITTER_SHARE`] of the exchanges answered lately: the difference of
    /// their round trips, the way back being steady (see [`State::served_pair`]).
    fn arrival_jitter(&self) -> Option<Duration> {
        // Of one request each, since the bucket was taken for one: the listing calls before
        // take Graph longer than a reprocess call, which is not jitter.
        let since = self.single_since?;
        let ones = || {
            self.departures
                .iter()
                .filter(move |e| e.at >= since && e.weight == 1 && e.served.is_some())
        };
        let mut sooner: Vec<Duration> = ones()
            .zip(ones().skip(1))
            .filter_map(|(before, after)| Some(before.rtt?.saturating_sub(after.rtt?)))
            .collect();
        if sooner.len() < JITTER_PAIRS {
            return None;
        }
        sooner.sort_unstable();
        let at = ((sooner.len() as f64) * JITTER_SHARE) as usize;
        sooner.get(at.min(sooner.len() - 1)).copied()
    }

    fn cruise_throttled(&mut self, now: Instant) {
        let Some(pace) = self.pace else { return };
        self.cruise_throttles
            .retain(|t| now.saturating_duration_since(*t) < RELEARN_WITHIN);
        self.cruise_throttles.push_back(now);
        if self.cruise_throttles.len() >= 2 {
            self.phase = Phase::Measure;
            self.probing = false;
            self.span = Duration::ZERO;
            self.served_in_span = 0;
            self.bracket_again(None);
            // A bucket taken for one token may be a larger one that listing calls had drained
            // when a batch met it; its floor would then overstate the rate. Relearning the
            // ordinary way can only err low.
            self.refuted |= self.single;
            self.single = false;
            self.set_pace(now, pace * MEASURE_GAIN, "throttled again: measuring anew");
        } else {
            self.set_pace(now, pace * NUDGE, "throttled once");
        }
    }

    /// Quiet cruising for long: the limit may have risen.
    fn maybe_probe(&mut self, now: Instant) {
        let (Phase::Cruise, Some(estimate)) = (self.phase, self.estimate) else {
            return;
        };
        let quiet =
            |t: Option<Instant>| t.is_none_or(|t| now.saturating_duration_since(t) > PROBE_AFTER);
        if now.saturating_duration_since(self.changed_at) > PROBE_AFTER
            && quiet(self.near_limit_at)
            && quiet(self.cruise_throttles.back().copied())
        {
            self.phase = Phase::Measure;
            self.probing = true;
            self.span = Duration::ZERO;
            self.served_in_span = 0;
            // A bucket of one is bracketed again from what is known: without a floor, its
            // throttled probe looked like a limit far below the pace (what such a bucket serves
            // between throttles is not its rate) and fell to two thirds of it.
            self.bracket_again(self.single.then_some(estimate));
            self.set_pace(now, estimate * PROBE_GAIN, "probing for a higher limit");
        }
    }

    /// The model's bucket follows Graph's: empty when the throttled exchange left, then
    /// refilled and drawn on by each exchange that left since, as Graph's was, less one token.
    /// Right after a throttle Graph's bucket holds nothing to absorb two requests arriving
    /// closer than they left; waiting for one token of cushion keeps a single late arrival from
    /// starting a run of throttles.
    /// Replayed exchange by exchange, because the bucket never holds more than its size: taking
    /// everything that left since a throttle a second ago from one bucketful (as this once did)
    /// put the model dozens of tokens in debt when a bucket of one was learned on a quiet
    /// stretch, and the first half second of cruise sent nothing.
    fn resync(&mut self, empty_at: Instant, now: Instant) {
        let Some(pace) = self.pace else { return };
        let size = f64::from(self.burst.max(1));
        let (mut level, mut at) = (0.0_f64, empty_at);
        for e in self.departures.iter().filter(|e| e.at > empty_at) {
            let refilled = e.at.saturating_duration_since(at).as_secs_f64() * pace;
            // Graph serves what its bucket holds and throttles the rest: it never goes below
            // empty.
            level = ((level + refilled).min(size) - f64::from(e.weight)).max(0.0);
            at = e.at;
        }
        let refilled = now.saturating_duration_since(at).as_secs_f64() * pace;
        self.tokens = (level + refilled).min(size) - 1.0;
        self.tokens_at = now;
    }

    fn set_pace(&mut self, now: Instant, pace: f64, why: &str) {
        let pace = pace.clamp(0.01, 1e6);
        if self.pace.is_none_or(|p| pace > p) {
            self.raises.push_back(now);
            while self
                .raises
                .front()
                .is_some_and(|r| now.saturating_duration_since(*r) > LEDGER_AGE)
            {
                self.raises.pop_front();
            }
        }
        self.pace = Some(pace);
        self.changed_at = now;
        crate::diag::trace(1, format!("pacing at {pace:.1} requests/s: {why}"));
    }
}

/// How long after `before` reached Graph `after` did, taken as how long after `before`'s
/// answer `after`'s came back (the way back being steady), once both were answered.
fn arrival_gap(before: &Sent, after: &Sent) -> Option<Duration> {
    let gap = (after.at + after.rtt?).checked_duration_since(before.at + before.rtt?)?;
    (!gap.is_zero()).then_some(gap)
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.clamp(0.0, 3600.0))
}

/// An exchange that left, for the rate samples and the model's resynchronisation.
struct Sent {
    at: Instant,
    weight: u32,
    seq: u64,
    /// What Graph served of it, once answered.
    served: Option<u32>,
    /// From leaving to being answered, once answered.
    rtt: Option<Duration>,
}

impl Sent {
    fn answered(&self) -> bool {
        self.rtt.is_some()
    }
}

#[cfg(test)]
mod tests;
