//! The reprocess rule: state `deliveryFailed` or `partiallyDelivered`, completed no longer than the
//! window (default 14 days, Graph's documented limit) before now. Pure functions, so every boundary
//! is a unit test.

use crate::graph::{AssignmentRequest, CallbackWait, RequestState};
use chrono::{DateTime, Duration, Utc};
use std::fmt;

/// Why a request cannot be reprocessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IneligibleReason {
    /// Not a failed delivery (delivered, pending, canceled, …).
    State(RequestState),
    /// Failed, but completed longer ago than the window.
    TooOld { age: Duration, window: Duration },
    /// Failed, but Graph gave no completion time to judge the window by.
    NoCompletionTime,
    /// Not failed: stopped until a custom extension calls back. `resume`, not `reprocess`.
    WaitingOnCallback {
        /// How long at most it has waited: since the request was created.
        waited: Option<Duration>,
        stage: Option<crate::graph::ResumeStage>,
    },
}

impl IneligibleReason {
    pub fn waiting(wait: &CallbackWait, now: DateTime<Utc>) -> IneligibleReason {
        IneligibleReason::WaitingOnCallback {
            waited: wait.since.map(|t| (now - t).max(Duration::zero())),
            stage: wait.stage,
        }
    }
}

impl fmt::Display for IneligibleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IneligibleReason::State(state) => write!(f, "state {state}"),
            IneligibleReason::TooOld { age, window } => write!(
                f,
                "completed {} ago (window {}): cancel and re-request in My Access",
                format_age(*age),
                format_age(*window)
            ),
            IneligibleReason::NoCompletionTime => f.write_str("no completion time"),
            IneligibleReason::WaitingOnCallback { waited, stage } => {
                f.write_str("waiting on callback")?;
                if let Some(waited) = waited {
                    write!(f, " for up to {}", format_age(*waited))?;
                }
                match stage {
                    Some(stage) => write!(f, ", stage {}", stage.label())?,
                    None => f.write_str(", stage unknown")?,
                }
                f.write_str(": see 'ep resume'")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Eligibility {
    Reprocessable,
    Ineligible(IneligibleReason),
}

impl Eligibility {
    pub fn is_reprocessable(&self) -> bool {
        matches!(self, Eligibility::Reprocessable)
    }

    pub fn reason(&self) -> Option<&IneligibleReason> {
        match self {
            Eligibility::Reprocessable => None,
            Eligibility::Ineligible(r) => Some(r),
        }
    }
}

/// Judge one request at `now`.
///
/// A completion time in the future (clock skew between Graph and this machine) counts as "just
/// completed": the request is as fresh as it can be, and refusing it would be wrong.
pub fn judge(
    state: &RequestState,
    completed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
) -> Eligibility {
    if !state.is_failed() {
        return Eligibility::Ineligible(IneligibleReason::State(state.clone()));
    }
    let Some(completed) = completed else {
        return Eligibility::Ineligible(IneligibleReason::NoCompletionTime);
    };
    let age = (now - completed).max(Duration::zero());
    if age > window {
        return Eligibility::Ineligible(IneligibleReason::TooOld { age, window });
    }
    Eligibility::Reprocessable
}

pub fn judge_request(
    request: &AssignmentRequest,
    now: DateTime<Utc>,
    window: Duration,
) -> Eligibility {
    // Said first: such a request is neither failed nor merely "submitted", and the one action
    // that moves it on is not reprocess.
    if let Some(wait) = request
        .callback_wait()
        .filter(|_| !request.state.is_failed())
    {
        return Eligibility::Ineligible(IneligibleReason::waiting(&wait, now));
    }
    judge(&request.state, request.completed, now, window)
}

/// What a request's expanded assignment says a reprocess can do, when that is "nothing": the
/// request stays reprocessable by Graph's rule, and Graph may accept the call, but an assignment
/// delivered since has nothing left to deliver, and an expired one is not brought back.
pub fn assignment_note(request: &AssignmentRequest) -> Option<&'static str> {
    let a = request.assignment.as_ref()?;
    if !request.state.is_failed() {
        return None;
    }
    if a.delivered() {
        Some("its assignment is delivered since: nothing left to deliver")
    } else if a.expired() {
        Some("its assignment has expired: request the package again")
    } else {
        None
    }
}

/// When a request's reprocess window closes: `window` after it completed, or `None` when it is
/// not reprocessable at `now`. A completion time in the future counts as "just completed", as
/// in [`judge`], so the window never closes later than `now + window`.
pub fn closes_at(
    state: &RequestState,
    completed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
) -> Option<DateTime<Utc>> {
    if !judge(state, completed, now, window).is_reprocessable() {
        return None;
    }
    completed?.min(now).checked_add_signed(window)
}

pub fn request_closes_at(
    request: &AssignmentRequest,
    now: DateTime<Utc>,
    window: Duration,
) -> Option<DateTime<Utc>> {
    closes_at(&request.state, request.completed, now, window)
}

/// `--closing-within`: reprocessable now, and its window closes no later than `within` from now.
pub fn closes_within(
    state: &RequestState,
    completed: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    window: Duration,
    within: Duration,
) -> bool {
    closes_at(state, completed, now, window).is_some_and(|at| at - now <= within)
}

/// `closes in 2d 3h`, for a window that closes at `at`.
pub fn closing_label(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("closes in {}", format_age(at - now))
}

/// `19d`, `14d 1h`, `5h`, `12m`, `40s`: days with hours while hours still matter.
pub fn format_age(age: Duration) -> String {
    let secs = age.num_seconds().max(0);
    let (d, h, m) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) if d < 30 => format!("{d}d {h}h"),
        (d, _, _) => format!("{d}d"),
    }
}

/// The longest duration any flag takes. Every duration is added to or subtracted from a clock
/// (`now - --journal-window`, a `--timeout` deadline); a bound far below where those overflow
/// turns `300000y` into a usage error instead of a panic, and no window or wait is meant to be
/// longer.
pub const MAX_DURATION_DAYS: i64 = 3650;

/// `--window`, `--journal-window`, `--timeout`: `14d`, `36h`, `1w`, `90m`, `1d 12h`; more than
/// zero and at most [`MAX_DURATION_DAYS`].
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let shown = crate::sanitize::excerpt(raw);
    let std = humantime::parse_duration(raw.trim())
        .map_err(|e| format!("'{shown}' is not a duration ({e}); write e.g. 14d, 36h or 90m"))?;
    let too_long = || format!("'{shown}' is too long: at most {MAX_DURATION_DAYS}d (10 years)");
    let d = Duration::from_std(std).map_err(|_| too_long())?;
    if d <= Duration::zero() {
        return Err(format!("'{shown}' must be longer than zero"));
    }
    if d > Duration::days(MAX_DURATION_DAYS) {
        return Err(too_long());
    }
    Ok(d)
}

/// Graph's documented reprocess limit: it refuses requests completed longer ago than this.
pub const GRAPH_WINDOW_DAYS: i64 = 14;

/// `--window` (and a profile's `window`): a duration as [`parse_duration`] reads it, where a bare
/// number is days, the unit every window is spoken of in (`--window 14` is Graph's 14 days, not
/// an error and not 14 seconds).
pub fn parse_window(raw: &str) -> Result<Duration, String> {
    let trimmed = raw.trim();
    if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return parse_duration(&format!("{trimmed}d"));
    }
    parse_duration(raw)
}

/// A window longer than Graph honours: requests inside it but older than Graph's limit would be
/// planned as reprocessable and then refused.
pub fn beyond_graph_limit(window: Duration) -> bool {
    window > Duration::days(GRAPH_WINDOW_DAYS)
}

/// [`parse_window`] for a stored profile value, which no `--force` can qualify: at most Graph's
/// limit.
pub fn parse_profile_window(raw: &str) -> Result<Duration, String> {
    let window = parse_window(raw)?;
    if beyond_graph_limit(window) {
        return Err(format!(
            "'{}' is longer than Graph's {GRAPH_WINDOW_DAYS}-day reprocess limit: at most {GRAPH_WINDOW_DAYS}d",
            crate::sanitize::excerpt(raw)
        ));
    }
    Ok(window)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    fn window() -> Duration {
        // Graph's documented reprocess window, the default of --window.
        Duration::days(14)
    }

    fn failed_at(ago: Duration) -> Eligibility {
        judge(
            &RequestState::DeliveryFailed,
            Some(now() - ago),
            now(),
            window(),
        )
    }

    #[test]
    fn inside_the_window() {
        assert!(failed_at(Duration::days(13) + Duration::hours(23)).is_reprocessable());
        assert!(failed_at(Duration::minutes(1)).is_reprocessable());
    }

    #[test]
    fn exactly_fourteen_days_is_still_inside() {
        assert!(failed_at(Duration::days(14)).is_reprocessable());
    }

    #[test]
    fn one_second_past_the_window_is_outside() {
        assert!(!failed_at(Duration::days(14) + Duration::seconds(1)).is_reprocessable());
    }

    #[test]
    fn fourteen_days_one_hour_is_outside_with_the_contract_reason() {
        let e = failed_at(Duration::days(14) + Duration::hours(1));
        assert_eq!(
            e.reason().map(|r| r.to_string()).as_deref(),
            Some("completed 14d 1h ago (window 14d): cancel and re-request in My Access")
        );
        let e = failed_at(Duration::days(19));
        assert_eq!(
            e.reason().map(|r| r.to_string()).as_deref(),
            Some("completed 19d ago (window 14d): cancel and re-request in My Access")
        );
    }

    #[test]
    fn missing_completion_time() {
        let e = judge(&RequestState::PartiallyDelivered, None, now(), window());
        assert_eq!(
            e,
            Eligibility::Ineligible(IneligibleReason::NoCompletionTime)
        );
        assert_eq!(e.reason().unwrap().to_string(), "no completion time");
    }

    #[test]
    fn future_completion_from_clock_skew_is_reprocessable() {
        assert!(failed_at(-Duration::minutes(5)).is_reprocessable());
    }

    #[test]
    fn partially_delivered_is_reprocessable_too() {
        let e = judge(
            &RequestState::PartiallyDelivered,
            Some(now() - Duration::hours(2)),
            now(),
            window(),
        );
        assert!(e.is_reprocessable());
    }

    #[test]
    fn every_other_state_is_not_whatever_its_age() {
        for state in RequestState::KNOWN.iter().filter(|s| !s.is_failed()) {
            let e = judge(state, Some(now() - Duration::hours(1)), now(), window());
            assert_eq!(e.reason().unwrap().to_string(), format!("state {state}"));
        }
        let future = RequestState::parse("unknownFutureValue");
        assert_eq!(
            judge(&future, Some(now()), now(), window())
                .reason()
                .unwrap()
                .to_string(),
            "state unknownFutureValue"
        );
    }

    #[test]
    fn custom_window() {
        let seven = Duration::days(7);
        let e = judge(
            &RequestState::DeliveryFailed,
            Some(now() - Duration::days(8)),
            now(),
            seven,
        );
        assert_eq!(
            e.reason().unwrap().to_string(),
            "completed 8d ago (window 7d): cancel and re-request in My Access"
        );
    }

    #[test]
    fn durations_parse_as_users_write_them() {
        assert_eq!(parse_duration("14d").unwrap(), Duration::days(14));
        assert_eq!(parse_duration("36h").unwrap(), Duration::hours(36));
        assert_eq!(parse_duration("1w").unwrap(), Duration::days(7));
        assert_eq!(parse_duration("1d 12h").unwrap(), Duration::hours(36));
        assert!(parse_duration("fortnight").is_err());
        assert!(parse_duration("0s").is_err());
    }

    #[test]
    fn durations_are_bounded_where_clocks_are_safe() {
        assert_eq!(
            parse_duration("3650d").unwrap(),
            Duration::days(MAX_DURATION_DAYS)
        );
        for raw in [
            "3651d",
            "300000y",
            "11y",
            "99999999999999999999y",
            "18446744073709551615s",
        ] {
            let e = parse_duration(raw).unwrap_err();
            assert!(
                e.contains("too long") || e.contains("not a duration"),
                "{raw}: {e}"
            );
        }
        let e = parse_duration(&"9".repeat(10_000)).unwrap_err();
        assert!(e.len() < 300, "the input is not echoed whole: {e}");
    }

    proptest::proptest! {
        #[test]
        fn any_accepted_duration_can_be_taken_from_now_and_added_to_a_clock(
            n in 0u64..u64::MAX,
            unit in proptest::sample::select(vec!["ns", "ms", "s", "m", "h", "d", "w", "M", "y"]),
        ) {
            if let Ok(d) = parse_duration(&format!("{n}{unit}")) {
                proptest::prop_assert!(d > Duration::zero());
                proptest::prop_assert!(Utc::now().checked_sub_signed(d).is_some());
                proptest::prop_assert!(Utc::now().checked_add_signed(d).is_some());
                let std = d.to_std().unwrap_or_default();
                proptest::prop_assert!(std::time::Instant::now().checked_add(std).is_some());
            }
        }

        #[test]
        fn parsing_never_panics(raw in proptest::prelude::any::<String>()) {
            let _ = parse_duration(&raw);
        }
    }

    #[test]
    fn a_window_closes_window_after_completion_and_only_while_reprocessable() {
        let state = RequestState::DeliveryFailed;
        let done = now() - Duration::days(13) - Duration::hours(21);
        assert_eq!(
            closes_at(&state, Some(done), now(), window()),
            Some(now() + Duration::hours(3))
        );
        assert_eq!(
            closing_label(now() + Duration::days(2) + Duration::hours(3), now()),
            "closes in 2d 3h"
        );
        // Clock skew: a completion in the future counts as now.
        assert_eq!(
            closes_at(&state, Some(now() + Duration::hours(1)), now(), window()),
            Some(now() + window())
        );
        let old = now() - Duration::days(14) - Duration::seconds(1);
        assert_eq!(closes_at(&state, Some(old), now(), window()), None);
        assert_eq!(closes_at(&state, None, now(), window()), None);
        assert_eq!(
            closes_at(&RequestState::Delivered, Some(done), now(), window()),
            None
        );
    }

    #[test]
    fn closing_within_is_inclusive_and_needs_a_reprocessable_request() {
        let state = RequestState::PartiallyDelivered;
        let day = Duration::days(1);
        let at = |age: Duration| closes_within(&state, Some(now() - age), now(), window(), day);
        assert!(at(Duration::days(13)), "closes in exactly a day");
        assert!(at(Duration::days(13) + Duration::seconds(1)));
        assert!(at(Duration::days(14)), "closes now");
        assert!(!at(Duration::days(13) - Duration::seconds(1)));
        assert!(
            !at(Duration::days(14) + Duration::seconds(1)),
            "already closed"
        );
        assert!(!closes_within(
            &RequestState::Delivered,
            Some(now() - Duration::days(13) - Duration::hours(1)),
            now(),
            window(),
            day
        ));
    }

    #[test]
    fn ages_read_naturally() {
        assert_eq!(format_age(Duration::seconds(40)), "40s");
        assert_eq!(format_age(Duration::minutes(12)), "12m");
        assert_eq!(format_age(Duration::hours(5)), "5h");
        assert_eq!(
            format_age(Duration::days(13) + Duration::hours(23)),
            "13d 23h"
        );
        assert_eq!(format_age(Duration::days(45) + Duration::hours(3)), "45d");
    }

    #[test]
    fn a_bare_number_is_a_window_in_days() {
        assert_eq!(parse_window("14"), Ok(Duration::days(14)));
        assert_eq!(parse_window(" 7 "), Ok(Duration::days(7)));
        assert_eq!(parse_window("36h"), Ok(Duration::hours(36)));
        assert!(parse_window("0").is_err());
        assert!(parse_window("99999999").is_err());
        assert!(parse_window("-3").is_err());
    }

    #[test]
    fn a_profile_window_is_at_most_graphs_limit() {
        assert_eq!(parse_profile_window("14"), Ok(Duration::days(14)));
        assert!(parse_profile_window("15d").unwrap_err().contains("14-day"));
        assert!(beyond_graph_limit(
            Duration::days(14) + Duration::seconds(1)
        ));
        assert!(!beyond_graph_limit(Duration::days(14)));
    }
}
