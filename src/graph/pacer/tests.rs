//! The pacer against a simulated Graph: a token bucket that answers 429 with a `Retry-After`
//! in whole seconds, in fractions of one, or none at all, 50 ms away, in tokio's paused time
//! (so each run takes no real time and is repeatable).

use super::*;
use crate::graph::{GraphError, RetryPolicy, Tries};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const LATENCY: Duration = Duration::from_millis(50);
/// Exchanges in flight at most: ep's default `--concurrency`, batched and not.
const SLOTS: usize = 20;
const SLOTS_UNBATCHED: usize = 8;

/// How the simulated Graph writes `Retry-After` on a 429.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Whole,
    Fraction,
    Absent,
    /// Whole or fractional at random, and one throttle in seven without the header, as the
    /// issue's independent server answers.
    Mixed,
}

/// Graph's side: a token bucket, as the emulator and the independent server have.
struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    at: Instant,
    throttled: Vec<Instant>,
    style: Style,
    /// A fixed sequence for [`Style::Mixed`], so a run is repeatable.
    dice: u64,
}

impl Bucket {
    fn new(rate: f64, burst: u32) -> Self {
        Bucket {
            rate,
            burst: f64::from(burst),
            tokens: f64::from(burst),
            at: Instant::now(),
            throttled: Vec::new(),
            style: Style::Whole,
            dice: 0x9E37_79B9_7F4A_7C15,
        }
    }

    fn styled(rate: f64, burst: u32, style: Style) -> Self {
        Bucket {
            style,
            ..Bucket::new(rate, burst)
        }
    }

    /// `None` when served, else `Some` of the `Retry-After` (itself `None` when absent).
    fn admit_styled(&mut self, now: Instant) -> Option<Option<Duration>> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.at = now;
        if self.tokens + 1e-9 >= 1.0 {
            self.tokens -= 1.0;
            return None;
        }
        self.throttled.push(now);
        let wait = (1.0 - self.tokens) / self.rate;
        let whole = Duration::from_secs(wait.ceil().max(1.0) as u64);
        let fraction = Duration::from_secs_f64((wait * 1000.0).ceil() / 1000.0);
        Some(match self.style {
            Style::Whole => Some(whole),
            Style::Fraction => Some(fraction),
            Style::Absent => None,
            Style::Mixed => {
                self.dice = mix(self.dice);
                match self.dice % 7 {
                    0 => None,
                    1..=3 => Some(whole),
                    _ => Some(fraction),
                }
            }
        })
    }

    /// Graph's `x-ms-throttle-limit-percentage`: sent once a caller has used 80 % of its limit,
    /// as the emulator does when its bucket is below a fifth.
    fn near_limit(&self) -> bool {
        self.tokens < self.burst * 0.2
    }

    /// `None` when served, else the whole-second `Retry-After`.
    fn admit(&mut self, now: Instant) -> Option<Duration> {
        self.admit_styled(now)
            .map(|r| r.unwrap_or(Duration::from_secs(1)))
    }
}

/// SplitMix64's step: a repeatable sequence of dice for [`Style::Mixed`].
fn mix(state: u64) -> u64 {
    let mut z = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Run {
    seconds: f64,
    throttled: Vec<Instant>,
    /// When the pacer first cruised: "learned".
    learned: Option<Instant>,
    start: Instant,
    pacer: Arc<Pacer>,
}

impl Run {
    /// Throttles of requests that left after the limit was learned (answers already on their
    /// way then are the learning's, not the cruise's).
    fn throttled_after_learning(&self) -> usize {
        let Some(learned) = self.learned else {
            return self.throttled.len();
        };
        self.throttled
            .iter()
            .filter(|t| **t > learned + LATENCY)
            .count()
    }
}

/// The longest pause between two departures once the limit was learned, in tokens of the
/// estimate: while requests wait, a pacer in cruise never idles much longer than its batches take.
fn longest_cruise_pause(run: &Run) -> f64 {
    let s = run.pacer.0.state.lock().unwrap();
    let (Some(learned), Some(estimate)) = (run.learned, s.estimate) else {
        return f64::INFINITY;
    };
    let at: Vec<Instant> = s
        .departures
        .iter()
        .map(|e| e.at)
        .filter(|t| *t + LATENCY >= learned)
        .collect();
    at.windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64() * estimate)
        .fold(0.0, f64::max)
}

/// `n` requests through ep's default number of concurrent exchanges of up to `max_batch` each, formed and paced
/// one at a time as the batcher does, throttled requests retried after their own
/// `Retry-After` as GraphClient does.
async fn simulate(rate: f64, burst: u32, max_batch: usize, n: usize) -> Run {
    simulate_losing(rate, burst, max_batch, n, 0).await
}

/// [`simulate`] where every `lose_every`th exchange's answer is lost (0 = none): Graph served
/// it, but ep learns nothing of it, as after a reset or a lost `$batch` answer.
async fn simulate_losing(
    rate: f64,
    burst: u32,
    max_batch: usize,
    n: usize,
    lose_every: usize,
) -> Run {
    simulate_jittered(rate, burst, max_batch, n, lose_every, Style::Whole, false).await
}

/// How much later than [`LATENCY`] / 2 an exchange reaches Graph when the way is not quiet:
/// mostly on time, one in eleven a millisecond late, one in a hundred and twenty-five two and
/// one in five hundred three (a loaded machine, as in the benchmark: the emulator's arrivals
/// were up to two milliseconds apart from when ep's requests left). The way back stays steady,
/// as it did there to within 0.3 ms. Whole milliseconds, as the emulator's own timer has them.
fn jitter(dice: &Mutex<u64>) -> Duration {
    let mut d = dice.lock().unwrap();
    *d = mix(*d);
    Duration::from_millis(match *d % 1000 {
        0..=899 => 0,
        900..=989 => 1,
        990..=997 => 2,
        _ => 3,
    })
}

/// [`simulate_losing`] against a Graph writing `Retry-After` in `style` (a throttled request
/// without one waits what ep's retry policy says, given what the pacer has learned), and with
/// `jittered` each exchange meets [`jitter`] on its way.
async fn simulate_jittered(
    rate: f64,
    burst: u32,
    max_batch: usize,
    n: usize,
    lose_every: usize,
    style: Style,
    jittered: bool,
) -> Run {
    let dice = Arc::new(Mutex::new(0x2545_F491_4F6C_DD1D_u64));
    let exchanges = Arc::new(AtomicUsize::new(0));
    let pacer = Arc::new(Pacer::new());
    let bucket = Arc::new(Mutex::new(Bucket::styled(rate, burst, style)));
    let retries = Arc::new(Mutex::new(std::collections::HashMap::<usize, Tries>::new()));
    let queue = Arc::new(Mutex::new((0..n).collect::<VecDeque<usize>>()));
    let done = Arc::new(AtomicUsize::new(0));
    let learned = Arc::new(Mutex::new(None::<Instant>));
    let slots = Arc::new(tokio::sync::Semaphore::new(if max_batch > 1 {
        SLOTS
    } else {
        SLOTS_UNBATCHED
    }));
    let start = Instant::now();
    while done.load(Ordering::SeqCst) < n {
        let permit = slots.clone().acquire_owned().await.unwrap();
        let size = pacer.batch_size(max_batch);
        let mut batch: Vec<usize> = {
            let mut q = queue.lock().unwrap();
            (0..size).filter_map(|_| q.pop_front()).collect()
        };
        if batch.is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        }
        let (mut departure, mut in_flight) = pacer.acquire(batch.len() as u32).await;
        let limit = pacer.batch_size(max_batch).min(departure.weight() as usize);
        if batch.len() > limit {
            let mut q = queue.lock().unwrap();
            for id in batch.drain(limit..).rev() {
                q.push_front(id);
            }
            pacer.refund(&mut departure, &mut in_flight, limit as u32);
        }
        let lost = lose_every > 0 && exchanges.fetch_add(1, Ordering::SeqCst) % lose_every == 1;
        let late = if jittered {
            jitter(&dice)
        } else {
            Duration::ZERO
        };
        let (pacer, bucket, queue, done, learned, retries) = (
            pacer.clone(),
            bucket.clone(),
            queue.clone(),
            done.clone(),
            learned.clone(),
            retries.clone(),
        );
        tokio::spawn(async move {
            tokio::time::sleep(LATENCY / 2 + late).await;
            let (answers, near): (Vec<Option<Option<Duration>>>, bool) = {
                let mut b = bucket.lock().unwrap();
                let answers = batch
                    .iter()
                    .map(|_| b.admit_styled(Instant::now()))
                    .collect();
                (answers, b.near_limit())
            };
            tokio::time::sleep(LATENCY / 2).await;
            drop((in_flight, permit));
            let served = answers.iter().filter(|a| a.is_none()).count() as u32;
            if lost {
                pacer.record(departure, 0, 0, false);
            } else {
                pacer.record(departure, served, batch.len() as u32 - served, near);
            }
            if pacer.phase() == Phase::Cruise {
                learned.lock().unwrap().get_or_insert(Instant::now());
            }
            done.fetch_add(served as usize, Ordering::SeqCst);
            for (id, answer) in batch.into_iter().zip(answers) {
                if let Some(retry_after) = answer {
                    let throttled = GraphError::Api {
                        status: 429,
                        code: "TooManyRequests".into(),
                        message: String::new(),
                        request_id: None,
                        retry_after,
                    };
                    let wait = {
                        let mut retries = retries.lock().unwrap();
                        let tries = retries.entry(id).or_default();
                        RetryPolicy::default()
                            .retry_delay_paced(&throttled, tries, true, pacer.token_time())
                            .expect("within the retry budget")
                    };
                    let queue = queue.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(wait).await;
                        queue.lock().unwrap().push_back(id);
                    });
                }
            }
        });
    }
    let throttled = bucket.lock().unwrap().throttled.clone();
    let learned = *learned.lock().unwrap();
    Run {
        seconds: start.elapsed().as_secs_f64(),
        throttled,
        learned,
        start,
        pacer,
    }
}

/// Issue 10's bucket shapes and two more, batched and not: within 1.15x the bound plus a
/// second, the rate learned within 3 %, and nothing throttled once it was learned.
#[tokio::test(start_paused = true)]
async fn every_bucket_shape_is_learned_and_then_never_throttled() {
    let shapes = [
        (100.0, 20, 20),
        (50.0, 5, 20),
        (100.0, 100, 20),
        (300.0, 40, 20),
        (100.0, 20, 1),
        (50.0, 5, 1),
        (100.0, 100, 1),
    ];
    for (rate, burst, max_batch) in shapes {
        let n = 746;
        let run = simulate(rate, burst, max_batch, n).await;
        let bound = n as f64 / rate;
        let shape = format!("{rate}/s burst {burst}, batches of {max_batch}");
        assert!(
            run.seconds <= bound * 1.15 + 1.0,
            "{shape}: {:.2}s against a bound of {bound:.2}s",
            run.seconds
        );
        let learned = run.learned.expect("the limit was learned");
        let estimate = run.pacer.estimate().unwrap();
        assert!(
            (estimate / rate - 1.0).abs() < 0.03,
            "{shape}: estimated {estimate:.1}/s"
        );
        assert_eq!(run.throttled_after_learning(), 0, "{shape}");
        // Cruise starts at once: a batch's tokens apart, not held back by a debt.
        let pause = longest_cruise_pause(&run);
        assert!(
            pause <= f64::from(burst).min(rate / 4.0) + 2.0,
            "{shape}: paused {pause:.1} tokens in cruise"
        );
        let learning = (learned - run.start).as_secs_f64();
        assert!(learning < 3.0, "{shape}: learned after {learning:.2}s");
        // Learning costs a few batches, not a wave per second. The start-up's fourfold growth
        // has its price here: a bucket of 40 at 300/s gives no near-limit sign after the first
        // batch, and the second round of four batches meets it (169 throttled; 129 when
        // start-up doubled, 52 against 72 for the bucket of 100, which does give the sign).
        assert!(
            run.throttled.len() <= 180,
            "{shape}: {} throttled",
            run.throttled.len()
        );
    }
}

/// Exchanges that leave together may reach Graph in either order: the later one served, the
/// earlier one throttled. Nothing can be learned from the order of such a pair; counting what
/// the later one was served as refill over no time at all made the estimate 11 % high in the
/// benchmark (55.7/s for a bucket of 50/s), and the cruise above the limit was throttled.
#[tokio::test(start_paused = true)]
async fn exchanges_that_left_together_and_arrived_swapped_are_no_sample() {
    let pacer = Pacer::new();
    let mut bucket = Bucket::new(50.0, 5);
    let served = |bucket: &mut Bucket, n: u32| {
        (0..n)
            .filter(|_| bucket.admit(Instant::now()).is_none())
            .count() as u32
    };
    // A first exchange finds Graph's bucket full.
    let (d, held) = pacer.acquire(5).await;
    tokio::time::advance(LATENCY / 2).await;
    let n = served(&mut bucket, 5);
    tokio::time::advance(LATENCY / 2).await;
    pacer.record(d, n, 5 - n, false);
    drop(held);
    assert_eq!(n, 5);
    tokio::time::advance(Duration::from_millis(50)).await;
    let (first, held_first) = pacer.acquire(10).await;
    tokio::time::advance(Duration::from_micros(30)).await;
    let (second, held_second) = pacer.acquire(10).await;
    tokio::time::advance(LATENCY / 2).await;
    let second_served = served(&mut bucket, 10);
    let first_served = served(&mut bucket, 10);
    tokio::time::advance(LATENCY / 2).await;
    // Answers come back in the order the exchanges left.
    pacer.record(first, first_served, 10 - first_served, false);
    pacer.record(second, second_served, 10 - second_served, false);
    drop((held_first, held_second));
    assert_eq!((second_served, first_served), (5, 0));
    // Then one exchange every 100 ms, each offering a little more than Graph's bucket refilled.
    while pacer.phase() == Phase::Measure {
        tokio::time::advance(Duration::from_millis(100) - LATENCY).await;
        let (d, held) = pacer.acquire(6).await;
        tokio::time::advance(LATENCY / 2).await;
        let n = served(&mut bucket, 6);
        tokio::time::advance(LATENCY / 2).await;
        pacer.record(d, n, 6 - n, false);
        drop(held);
    }
    let estimate = pacer.estimate().unwrap();
    assert!(
        (estimate / 50.0 - 1.0).abs() < 0.03,
        "estimated {estimate:.1}/s"
    );
}

/// A bucket of one token allows no burst at all: each sub-request must wait for its own
/// token. Offering more than the rate then wastes tokens the bucket cannot hold, so what it
/// serves between throttles is low; batched, such a bucket shows itself (a batch served one)
/// and is bracketed instead, learned at 95 % or more and never above. Unbatched, nothing tells
/// it from a larger bucket: learned low, never high.
#[tokio::test(start_paused = true)]
async fn a_bucket_of_one_is_paced_below_its_rate_never_above() {
    // 500 requests: done before quiet cruising would probe higher (and be throttled once).
    for rate in [20.0, 50.0] {
        let run = simulate(rate, 1, 20, 500).await;
        let estimate = run.pacer.estimate().unwrap();
        assert!(estimate <= rate, "{rate}/s: {estimate}");
        assert!(estimate >= rate * 0.95, "{rate}/s: {estimate}");
        let learning = (run.learned.expect("learned") - run.start).as_secs_f64();
        assert!(learning < 2.5, "{rate}/s: learned after {learning:.2}s");
        assert_eq!(run.throttled_after_learning(), 0, "{rate}/s");
        // Learned on a quiet stretch, long after the last throttle: cruise starts at once.
        let pause = longest_cruise_pause(&run);
        assert!(pause <= 3.0, "{rate}/s: paused {pause:.1} tokens in cruise");
        // Learning takes a few quiet stretches (2-3 s); then the cruise is at 97 %.
        assert!(
            run.seconds < 500.0 / rate * 1.1 + 3.0,
            "{rate}/s: {:.1}s",
            run.seconds
        );
    }
    // Unbatched: told by the start-up wave (see the test below).
    let run = simulate(20.0, 1, 1, 300).await;
    let estimate = run.pacer.estimate().unwrap();
    assert!(estimate <= 20.0, "{estimate}");
    assert!(estimate >= 19.0, "{estimate}");
    assert!(run.seconds < 300.0 / 20.0 * 1.15, "{:.1}s", run.seconds);
}

/// `run` of `n` requests against a bucket of one at `rate`: taken for one and never refuted,
/// learned at `share` of the rate or more but never above it, throttled at most once in fifty
/// requests after that, and within 1.12x of the bound.
fn learned_as_one(run: &Run, rate: f64, share: f64, n: usize, shape: &str) {
    let estimate = run.pacer.estimate().unwrap();
    assert!(estimate <= rate, "{shape}: {estimate}");
    assert!(estimate >= rate * share, "{shape}: {estimate}");
    let s = run.pacer.0.state.lock().unwrap();
    assert!(
        s.single && !s.refuted,
        "{shape}: not taken for a bucket of one"
    );
    drop(s);
    let late = run.throttled_after_learning();
    assert!(late <= n / 50, "{shape}: {late} throttled once learned");
    let bound = n as f64 / rate;
    assert!(
        run.seconds <= bound * 1.12,
        "{shape}: {:.2}s against a bound of {bound:.2}s",
        run.seconds
    );
}

/// Requests reaching Graph a millisecond or three later than they left, now and then (a
/// loaded machine): a bucket of one is still learned from the gaps between arrivals, within
/// 3 % and never above, and in cruise the throttles such jitter causes cost a token each, not
/// the pace. (Bounded by the gaps between departures, the bucket was learned at 92 % in the
/// benchmark, and two jitter throttles within two seconds relearned it at 63 %.)
#[tokio::test(start_paused = true)]
async fn a_bucket_of_one_is_learned_through_arrival_jitter() {
    for (rate, style) in [
        (50.0, Style::Mixed),
        (20.0, Style::Whole),
        (50.0, Style::Absent),
    ] {
        let n = 746;
        let run = simulate_jittered(rate, 1, 20, n, 0, style, true).await;
        learned_as_one(&run, rate, 0.97, n, &format!("{rate}/s, {style:?}"));
    }
}

/// Whatever Graph writes in `Retry-After` — whole seconds, fractions, nothing, or a mix in one
/// run — the simulated run keeps within 1.10x of the bound plus half a second (a bucket of
/// one, bracketed, within 1.20x), and nothing is throttled once the limit is learned.
#[tokio::test(start_paused = true)]
async fn every_retry_after_style_keeps_the_pace() {
    for style in [Style::Whole, Style::Fraction, Style::Absent, Style::Mixed] {
        for (rate, burst) in [(100.0, 20), (50.0, 5), (100.0, 100), (50.0, 1)] {
            let n = 746;
            let run = simulate_jittered(rate, burst, 20, n, 0, style, false).await;
            let bound = n as f64 / rate;
            // A bucket of one takes a few quiet stretches to bracket (see the test above).
            let goal = if burst == 1 { 1.2 } else { 1.10 };
            assert!(
                run.seconds <= bound * goal + 0.5,
                "{style:?}, {rate}/s burst {burst}: {:.2}s against a bound of {bound:.2}s",
                run.seconds
            );
            assert_eq!(
                run.throttled_after_learning(),
                0,
                "{style:?}, {rate}/s burst {burst}"
            );
        }
    }
}

/// Once a pace is set, a 429 without `Retry-After` waits one token of it (and up to half as
/// much again), doubling with each retry of the same call; before, the generic backoff.
#[tokio::test(start_paused = true)]
async fn a_throttle_without_retry_after_waits_a_learned_token() {
    let throttled = GraphError::Api {
        status: 429,
        code: "TooManyRequests".into(),
        message: String::new(),
        request_id: None,
        retry_after: None,
    };
    let policy = RetryPolicy::default();
    let pacer = Pacer::new();
    assert_eq!(pacer.token_time(), None, "nothing learned in start-up");
    let generic = policy
        .retry_delay_paced(&throttled, &mut Tries::default(), true, pacer.token_time())
        .unwrap();
    assert!(generic >= policy.base_delay / 2, "{generic:?}");
    let run = simulate(50.0, 5, 20, 300).await;
    let token = run.pacer.token_time().expect("learned");
    let pace = run.pacer.rate().unwrap();
    assert!((token.as_secs_f64() * pace - 1.0).abs() < 1e-6, "{token:?}");
    let mut tries = Tries::default();
    let first = policy
        .retry_delay_paced(&throttled, &mut tries, true, Some(token))
        .unwrap();
    assert!(first >= token && first <= token.mul_f64(1.5), "{first:?}");
    let second = policy
        .retry_delay_paced(&throttled, &mut tries, true, Some(token))
        .unwrap();
    assert!(second >= token * 2 && second <= token * 3, "{second:?}");
    // A Retry-After, when given, is what is waited, learned or not.
    let told = GraphError::Api {
        status: 429,
        code: "TooManyRequests".into(),
        message: String::new(),
        request_id: None,
        retry_after: Some(Duration::from_millis(1128)),
    };
    assert_eq!(
        policy.retry_delay_paced(&told, &mut Tries::default(), true, Some(token)),
        Some(Duration::from_millis(1128))
    );
    // The documented audit limit is kept, not learned: it offers no token time.
    assert_eq!(
        Pacer::documented(5, Duration::from_secs(10)).token_time(),
        None
    );
}

/// Unbatched at 8 in flight (the default without batches) and 50 ms, ep cannot reach 300/s: a limit never reached is never
/// paced.
#[tokio::test(start_paused = true)]
async fn a_limit_above_what_is_offered_is_never_paced() {
    let run = simulate(300.0, 40, 1, 746).await;
    assert!(run.throttled.is_empty());
    assert_eq!(run.pacer.rate(), None);
    assert!(
        run.seconds < 746.0 * 0.05 / 8.0 * 1.2,
        "{:.2}s",
        run.seconds
    );
}

#[tokio::test(start_paused = true)]
async fn an_unthrottled_service_is_never_paced() {
    let run = simulate(1e9, 1_000_000, 20, 2000).await;
    assert!(run.throttled.is_empty());
    assert_eq!(run.pacer.phase(), Phase::StartUp);
    assert_eq!(run.pacer.rate(), None);
    // 100 batches over 20 slots after a fourfold start: a handful of round trips.
    assert!(run.seconds < 1.0, "{:.2}s", run.seconds);
}

#[tokio::test(start_paused = true)]
async fn the_start_up_window_opens_fourfold_until_graph_says_its_limit_is_near() {
    let pacer = Pacer::new();
    let (first, in_flight) = pacer.acquire(20).await;
    // A second exchange waits until the first is answered…
    assert!(window_full(&pacer).await, "the window is one exchange");
    drop(in_flight);
    pacer.record(first, 20, 0, false);
    // …then four may be in flight, while nothing says Graph's limit is near…
    let held = acquire_batches(&pacer, 4).await;
    assert!(window_full(&pacer).await, "the window is four exchanges");
    // …and when one answer says it is, the window comes down to about what the limit has left
    // (a quarter of what was served, at least one batch), so only answers reopen it.
    let mut held = held.into_iter();
    let (d, g) = held.next().unwrap();
    drop(g);
    pacer.record(d, 20, 0, true);
    assert!(
        window_full(&pacer).await,
        "three exchanges still in flight fill the window"
    );
    for (d, g) in held {
        drop(g);
        pacer.record(d, 20, 0, false);
    }
    // After the sign, growth is twofold: 20 + 3 x 20 served cleanly.
    let _again = acquire_batches(&pacer, 4).await;
    assert!(window_full(&pacer).await, "the window is 80 after the sign");
}

/// `n` exchanges of a full batch each, admitted one after another.
async fn acquire_batches(pacer: &Pacer, n: usize) -> Vec<(Departure, InFlight)> {
    let mut held = Vec::new();
    for _ in 0..n {
        held.push(pacer.acquire(20).await);
    }
    held
}

/// Whether one more full batch would have to wait for an answer.
async fn window_full(pacer: &Pacer) -> bool {
    tokio::time::timeout(Duration::from_secs(5), pacer.acquire(20))
        .await
        .is_err()
}

#[tokio::test(start_paused = true)]
async fn batches_never_exceed_what_graph_served_at_once() {
    let pacer = Pacer::new();
    assert_eq!(pacer.batch_size(20), 20);
    let (d, g) = pacer.acquire(20).await;
    drop(g);
    pacer.record(d, 5, 15, false);
    // One short of what Graph served, so its bucket keeps a token of cushion.
    assert_eq!(pacer.batch_size(20), 4);
    assert_eq!(pacer.phase(), Phase::Measure);
    // A later batch that met a part-drained bucket does not lower it.
    let (d, g) = pacer.acquire(5).await;
    drop(g);
    pacer.record(d, 2, 3, false);
    assert_eq!(pacer.batch_size(20), 4);
}

/// A batch formed while nothing was known waits in the pacer when the first throttle comes;
/// it leaves with what a batch may now carry, once the model holds that, not once it holds
/// tokens for all twenty (a second at one request per round trip).
#[tokio::test(start_paused = true)]
async fn a_batch_formed_before_the_first_throttle_leaves_at_the_size_now_allowed() {
    let pacer = Arc::new(Pacer::new());
    let (first, held) = pacer.acquire(20).await;
    let waiting = {
        let pacer = pacer.clone();
        tokio::spawn(async move {
            let (d, _held) = pacer.acquire(20).await;
            (d, Instant::now())
        })
    };
    tokio::time::advance(LATENCY).await;
    drop(held);
    pacer.record(first, 1, 19, false);
    let thrown_at = Instant::now();
    let (d, left_at) = waiting.await.unwrap();
    assert_eq!(d.weight() as usize, pacer.batch_size(20));
    let waited = (left_at - thrown_at).as_secs_f64();
    let token = pacer.token_time().unwrap().as_secs_f64();
    assert!(
        waited <= 2.0 * token,
        "waited {waited:.3}s, a token is {token:.3}s"
    );
}

/// The audit log documents 5 requests per 10 seconds: no 10-second window, sliding or fixed,
/// may hold a sixth, and a window's worth may go at once.
#[tokio::test(start_paused = true)]
async fn a_documented_limit_is_never_exceeded_in_any_window() {
    let pacer = Pacer::documented(5, Duration::from_secs(10));
    let start = Instant::now();
    let mut at = Vec::new();
    for _ in 0..16 {
        let (d, g) = pacer.acquire(1).await;
        drop(g);
        pacer.record(d, 1, 0, false);
        at.push(Instant::now());
    }
    assert!(
        at[..5].iter().all(|t| *t == start),
        "the first five go at once"
    );
    for (i, t) in at.iter().enumerate() {
        let in_window = at[i..]
            .iter()
            .filter(|u| u.duration_since(*t) < Duration::from_secs(10))
            .count();
        assert!(in_window <= 5, "{in_window} requests within 10 s of #{i}");
    }
    let total = (at[15] - start).as_secs_f64();
    assert!(total < 32.0, "paced no slower than needed: {total:.1}s");
    // A batch weighs what it carries.
    let pacer = Pacer::documented(5, Duration::from_secs(10));
    let (_d, _g) = pacer.acquire(4).await;
    let (_d, _g) = pacer.acquire(2).await;
    assert!(Instant::now() - at[15] >= Duration::from_secs(10));
}

#[tokio::test(start_paused = true)]
async fn quiet_cruising_probes_for_a_higher_limit_unless_graph_says_it_is_near() {
    for near_limit in [false, true] {
        let run = simulate(100.0, 20, 20, 300).await;
        let pacer = run.pacer;
        assert_eq!(pacer.phase(), Phase::Cruise);
        let before = pacer.rate().unwrap();
        tokio::time::sleep(PROBE_AFTER - Duration::from_secs(5)).await;
        let (d, g) = pacer.acquire(1).await;
        drop(g);
        pacer.record(d, 1, 0, near_limit);
        tokio::time::sleep(Duration::from_secs(6)).await;
        let (_d, _g) = pacer.acquire(1).await;
        if near_limit {
            assert_eq!(pacer.phase(), Phase::Cruise, "near its limit: no probe");
        } else {
            assert_eq!(pacer.phase(), Phase::Measure);
            assert!(pacer.rate().unwrap() > before);
        }
    }
}

/// A documented limit is not learned and never probed.
#[tokio::test(start_paused = true)]
async fn a_documented_limit_is_kept_whatever_graph_answers() {
    let pacer = Pacer::documented(5, Duration::from_secs(10));
    for _ in 0..3 {
        let (d, g) = pacer.acquire(1).await;
        drop(g);
        pacer.record(d, 0, 1, false);
    }
    tokio::time::sleep(PROBE_AFTER * 2).await;
    let start = Instant::now();
    for _ in 0..5 {
        let (_d, _g) = pacer.acquire(1).await;
    }
    assert_eq!(Instant::now(), start, "a window's worth goes at once");
    let (_d, _g) = pacer.acquire(1).await;
    assert!(Instant::now() - start >= Duration::from_secs(10));
}

/// Answers lost on the way back (Graph served them, ep learned nothing) would make the served
/// count between two throttles too low: intervals holding one are left out of the samples.
#[tokio::test(start_paused = true)]
async fn lost_answers_do_not_lower_the_estimate() {
    for max_batch in [20, 1] {
        let run = simulate_losing(100.0, 20, max_batch, 746, 7).await;
        let estimate = run.pacer.estimate().expect("learned");
        assert!(
            (estimate / 100.0 - 1.0).abs() < 0.05,
            "{max_batch}: {estimate:.1}/s"
        );
    }
}

/// A throttled listing call can start the measuring before any batch met the bucket: batches
/// of two then tell whether it holds one token, and a bucket of one is bracketed.
#[tokio::test(start_paused = true)]
async fn a_bucket_of_one_met_first_by_a_single_call_is_still_told() {
    let pacer = Pacer::new();
    let (d, g) = pacer.acquire(1).await;
    tokio::time::advance(LATENCY).await;
    drop(g);
    pacer.record(d, 0, 1, false);
    assert_eq!(pacer.phase(), Phase::Measure);
    assert_eq!(
        pacer.batch_size(20),
        2,
        "a batch of two asks the bucket's size"
    );
    assert_eq!(pacer.batch_size(1), 1, "unbatched, nothing can ask");
    let (d, g) = pacer.acquire(2).await;
    tokio::time::advance(LATENCY).await;
    drop(g);
    pacer.record(d, 1, 1, false);
    assert!(pacer.0.state.lock().unwrap().single);
    assert_eq!(pacer.batch_size(20), 1);
}

/// Unbatched, no exchange carries several requests, but calls that leave together (the
/// start-up window's wave, two listing queries) arrive together: one served of several tells a
/// bucket of one, which is then bracketed as batched runs bracket it, within 5 % and never
/// above. (Before, such a bucket was measured like any other and learned at 60-65 %.)
#[tokio::test(start_paused = true)]
async fn an_unbatched_bucket_of_one_is_told_by_calls_that_left_together() {
    for (rate, jittered) in [(20.0, false), (50.0, false), (50.0, true)] {
        let n = 746;
        let run = simulate_jittered(rate, 1, 1, n, 0, Style::Mixed, jittered).await;
        learned_as_one(
            &run,
            rate,
            0.95,
            n,
            &format!("{rate}/s, jittered: {jittered}"),
        );
    }
}

/// Two single calls that left together: one served and one throttled is a bucket of one;
/// both served is a larger bucket, not taken for one by a later wave that meets it drained.
#[tokio::test(start_paused = true)]
async fn single_calls_that_left_together_tell_the_bucket_size() {
    for (served, single) in [(1, true), (2, false)] {
        let pacer = Pacer::new();
        let (a, ga) = pacer.acquire(1).await;
        let (b, gb) = pacer.acquire(1).await;
        tokio::time::advance(LATENCY).await;
        drop((ga, gb));
        pacer.record(a, 1, 0, false);
        let throttled = u32::from(served < 2);
        pacer.record(b, 1 - throttled, throttled, false);
        assert_eq!(
            pacer.0.state.lock().unwrap().single,
            single,
            "{served} of two served"
        );
    }
    // Once two were served at once, a wave served one of two is a drained larger bucket.
    let pacer = Pacer::new();
    for served_second in [1, 0] {
        let (a, ga) = pacer.acquire(1).await;
        let (b, gb) = pacer.acquire(1).await;
        tokio::time::advance(LATENCY).await;
        drop((ga, gb));
        pacer.record(a, 1, 0, false);
        pacer.record(b, served_second, 1 - served_second, false);
    }
    assert!(!pacer.0.state.lock().unwrap().single);
    // Calls that left apart are no wave: a throttle after a served call says nothing of size.
    let pacer = Pacer::new();
    let (a, ga) = pacer.acquire(1).await;
    tokio::time::advance(LATENCY).await;
    drop(ga);
    pacer.record(a, 0, 1, false);
    let (b, gb) = pacer.acquire(1).await;
    tokio::time::advance(LATENCY).await;
    drop(gb);
    pacer.record(b, 1, 0, false);
    assert!(!pacer.0.state.lock().unwrap().single);
}
