//! Deterministic demo tenant: catalogs, access packages, subjects and assignment requests.
//!
//! Everything is derived from one SplitMix64 stream, so the same seed and counts give the same
//! ids, names, states and *relative* ages forever (no dependency on a crate's RNG algorithm).
//! Absolute timestamps are `now - age`, where `now` is the emulator's start time.

use std::collections::HashSet;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use uuid::Uuid;

use super::callback::{CallbackStage, PendingCallback};
use super::model::{
    Catalog, Package, RequestState, RequestType, Store, StoredRequest, Subject, truncate_to_digits,
};

/// SplitMix64 (Steele, Lea, Flood 2014). Tiny, fast, and its output is fixed by its definition,
/// which is what we need for seeds that must reproduce across releases.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform in `0..n` (n > 0). The modulo bias is irrelevant for demo data.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn guid(&mut self) -> String {
        let hi = self.next_u64().to_be_bytes();
        let lo = self.next_u64().to_be_bytes();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi);
        bytes[8..].copy_from_slice(&lo);
        // Mark as a version-4 / RFC 4122 GUID so strict GUID parsers accept it.
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        Uuid::from_bytes(bytes).hyphenated().to_string()
    }
}

/// The SplitMix64 finaliser, also used as a general-purpose 64-bit mixer.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Stable 64-bit hash of a list of byte strings (FNV-1a, then mixed). Not cryptographic; used
/// for deterministic per-request choices and skiptoken checksums.
pub(crate) fn hash_parts(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in *part {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        // Separator so ("ab","c") and ("a","bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(h)
}

const CATALOGS: &[(&str, &str)] = &[
    ("Sales", "Access for the sales organisation"),
    (
        "EMEA Sales",
        "Sales teams in Europe, Middle East and Africa",
    ),
    ("Engineering", "Developer tooling and environments"),
    ("Partners", "Resources shared with connected organisations"),
    ("General", "Company-wide resources"),
];

/// (display name, description, catalog index). The first two share a name on purpose: Graph does
/// not make display names unique, and ep must report the ambiguity.
const PACKAGES: &[(&str, &str, usize)] = &[
    ("Sales Onboarding", "CRM, price lists and the sales wiki", 0),
    (
        "Sales Onboarding",
        "EMEA CRM tenant and regional price lists",
        1,
    ),
    (
        "Partners' Portal",
        "Shared SharePoint site for partner companies",
        3,
    ),
    (
        "Engineering Tools",
        "GitHub Enterprise, build agents and package feeds",
        2,
    ),
    (
        "Finance Reporting",
        "Power BI workspaces for monthly close",
        4,
    ),
    (
        "Contoso Partner Access",
        "Guest access for Contoso staff",
        3,
    ),
    (
        "Marketing Campaigns",
        "Campaign planner and brand assets",
        4,
    ),
    ("HR Self-Service", "Payroll and leave portal", 4),
    (
        "Data Science Sandbox",
        "Notebook workspaces with anonymised data",
        2,
    ),
    ("Legal Document Vault", "Contract repository (read-only)", 4),
    (
        "Support Escalations",
        "Tier-3 support queue and runbooks",
        2,
    ),
    (
        "Travel & Expenses",
        "Expense reporting and travel booking",
        4,
    ),
];

/// (display name, mail local part, external organisation).
const SUBJECTS: &[(&str, &str, Option<&str>)] = &[
    ("Zoë Müller", "zoe.muller", None),
    ("José Álvarez", "jose.alvarez", None),
    ("Åsa Lindqvist", "asa.lindqvist", None),
    ("李娜", "li.na", None),
    ("Siobhán O'Connor", "siobhan.oconnor", Some("Fabrikam")),
    ("Nguyễn Văn An", "an.nguyen", None),
    ("Владимир Петров", "vladimir.petrov", None),
    ("Björn Ødegaard", "bjorn.odegaard", None),
    ("Amelia Hughes", "amelia.hughes", None),
    ("Priya Raghunathan", "priya.raghunathan", None),
    ("Kwame Mensah", "kwame.mensah", None),
    ("François Dubois", "francois.dubois", None),
];

const JUSTIFICATIONS: &[&str] = &[
    "New starter, needs access from day one",
    "Quarterly pipeline review",
    "Projektübergabe von Team Nord",
    "Covering for a colleague on leave",
    "Access expired, renewing",
    "Customer escalation #4711",
    "Audit preparation",
    "",
];

const DOMAIN: &str = "ep-demo.onmicrosoft.com";

/// Builds the whole store: `n_requests` ordinary requests plus `outage` recent failures (see
/// [`outage_requests`]). `now` must already be truncated to whole seconds (see `model`).
pub(crate) fn build(
    seed: u64,
    n_requests: usize,
    n_packages: usize,
    outage: usize,
    now: DateTime<Utc>,
) -> Store {
    let mut rng = SplitMix64::new(seed);
    let n_packages = n_packages.max(2);

    let catalogs: Vec<Catalog> = CATALOGS
        .iter()
        .enumerate()
        .map(|(i, (name, description))| Catalog {
            id: rng.guid(),
            display_name: (*name).to_string(),
            description: (*description).to_string(),
            created: now - ChronoDuration::days(400 + 17 * i as i64),
        })
        .collect();

    let packages: Vec<Package> = (0..n_packages)
        .map(|i| {
            let (name, description, catalog_idx) = PACKAGES[i % PACKAGES.len()];
            let round = i / PACKAGES.len();
            let display_name = if round == 0 {
                name.to_string()
            } else {
                format!("{name} {}", round + 1)
            };
            let created = now - ChronoDuration::days(300 - (i as i64 % 200));
            Package {
                id: rng.guid(),
                display_name,
                description: description.to_string(),
                catalog_idx,
                is_hidden: i % 7 == 5,
                created,
                modified: created + ChronoDuration::days(3 + i as i64),
            }
        })
        .collect();

    let subjects: Vec<Subject> = SUBJECTS
        .iter()
        .map(|(name, local, external)| {
            let id = rng.guid();
            let object_id = rng.guid();
            match external {
                None => Subject {
                    id,
                    object_id: Some(object_id),
                    display_name: (*name).to_string(),
                    email: format!("{local}@contoso.example"),
                    principal_name: format!("{local}@{DOMAIN}"),
                    connected_organization: None,
                    agent: false,
                },
                Some(org) => Subject {
                    id,
                    // Not yet a user in the tenant: Graph reports objectId as null.
                    object_id: None,
                    display_name: (*name).to_string(),
                    email: format!("{local}@{}.example", org.to_lowercase()),
                    principal_name: format!("{local}@{}.example", org.to_lowercase()),
                    connected_organization: Some((rng.guid(), (*org).to_string())),
                    agent: false,
                },
            }
        })
        .collect();

    let mut requests = Vec::with_capacity(n_requests);
    for i in 0..n_requests {
        let plan = plan_for(i, &mut rng, packages.len());
        requests.push(make_request(i, plan, &mut rng, subjects.len(), now));
    }
    let mut subjects = subjects;
    waiting_and_agents(seed, &mut requests, &mut subjects, now);
    // Spread the pinned requests over the whole collection (and so over several pages).
    for i in (1..requests.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        requests.swap(i, j);
    }

    let requests = if outage == 0 {
        requests
    } else {
        let extra = outage_requests(seed, &requests, outage, packages.len(), subjects.len(), now);
        interleave(seed, requests, extra)
    };

    Store::new(catalogs, packages, subjects, requests)
}

/// Salt of the stream for callbacks and agents: added after the ordinary requests are drawn,
/// so their ids, states and requestors stay what they were.
const CALLBACK_SALT: u64 = 0xCA11_BAC4_CA11_BAC4;

/// Agent identities that request access packages (preview): service principals, no UPN.
const AGENTS: &[&str] = &["Invoice Triage Agent", "Onboarding Helper Agent"];

/// Requests held by a custom extension, and requestors that are agents, for every seed.
///
/// The pinned `submitted` request waits on the extension run when a request is created; the
/// pinned `pendingApproval` one, requested by an agent, waits at the approved stage. One recent
/// failure is an agent's too, so reprocess meets a requestor that is not a person.
fn waiting_and_agents(
    seed: u64,
    requests: &mut [StoredRequest],
    subjects: &mut Vec<Subject>,
    now: DateTime<Utc>,
) {
    let mut rng = SplitMix64::new(mix64(seed ^ CALLBACK_SALT));
    let first_agent = subjects.len();
    for name in AGENTS {
        subjects.push(Subject {
            id: rng.guid(),
            object_id: Some(rng.guid()),
            display_name: (*name).to_string(),
            email: String::new(),
            principal_name: String::new(),
            connected_organization: None,
            agent: true,
        });
    }
    let pinned = |state: RequestState| {
        RequestState::ALL
            .iter()
            .position(|s| *s == state)
            .map(|k| 7 + k)
    };
    let extension_id = rng.guid();
    for (state, stage, agent) in [
        (RequestState::Submitted, CallbackStage::Created, None),
        (
            RequestState::PendingApproval,
            CallbackStage::Approved,
            Some(first_agent),
        ),
    ] {
        let callout_id = rng.guid();
        let run = rng.below(10u64.pow(16));
        let Some(r) = pinned(state).and_then(|i| requests.get_mut(i)) else {
            continue;
        };
        if r.state != stage.state() {
            continue;
        }
        r.callback = Some(PendingCallback {
            callout_id,
            custom_extension_id: extension_id.clone(),
            correlation_id: format!("08584{run:016}"),
            stage,
            received: None,
        });
        if let Some(a) = agent {
            r.subject_idx = a;
        }
    }
    // The last ordinary failure well inside the reprocess window.
    let recent = now - ChronoDuration::days(10);
    if let Some(r) = requests.iter_mut().skip(16).rev().find(|r| {
        r.state == RequestState::DeliveryFailed && r.completed.is_some_and(|c| c > recent)
    }) {
        r.subject_idx = first_agent + 1;
    }
}

/// Salt of the outage stream: the ordinary requests do not change when `--outage` is added.
const OUTAGE_SALT: u64 = 0x0D7A_6E00_0D7A_6E00;

/// `n` requests that failed during a connector outage in the last six hours: 80 %
/// `deliveryFailed`, 20 % `partiallyDelivered`, round-robin over all packages (so every
/// package has some), all inside the 14-day window. Ids never collide with `existing`.
fn outage_requests(
    seed: u64,
    existing: &[StoredRequest],
    n: usize,
    n_packages: usize,
    n_subjects: usize,
    now: DateTime<Utc>,
) -> Vec<StoredRequest> {
    let mut rng = SplitMix64::new(mix64(seed ^ OUTAGE_SALT));
    let mut taken: HashSet<String> = existing.iter().map(|r| r.id.to_ascii_lowercase()).collect();
    let first_package = rng.below(n_packages as u64) as usize;
    let mut out = Vec::with_capacity(n);
    for j in 0..n {
        let state = if rng.unit() < 0.8 {
            RequestState::DeliveryFailed
        } else {
            RequestState::PartiallyDelivered
        };
        // Five minutes to six hours ago.
        let ago = 300 + rng.below(6 * HOUR as u64 - 300) as i64;
        let plan = Plan {
            state,
            request_type: None,
            package_idx: (first_package + j) % n_packages,
            completion: Completion::Ago(ago),
        };
        loop {
            // The index only picks the timestamp precision; continuing after the ordinary
            // requests keeps the 0..=7 digit rotation going.
            let r = make_request(existing.len() + j, plan, &mut rng, n_subjects, now);
            // A 122-bit collision will not happen, but "ids are distinct" is a promise.
            if taken.insert(r.id.to_ascii_lowercase()) {
                out.push(r);
                break;
            }
        }
    }
    out
}

/// Spreads `extra` over `base` (keeping the order within each), so outage requests turn up
/// on every page rather than all at the end.
fn interleave(
    seed: u64,
    base: Vec<StoredRequest>,
    extra: Vec<StoredRequest>,
) -> Vec<StoredRequest> {
    let mut rng = SplitMix64::new(mix64(seed ^ OUTAGE_SALT ^ 0x1111));
    let (mut left_base, mut left_extra) = (base.len() as u64, extra.len() as u64);
    let mut base = base.into_iter();
    let mut extra = extra.into_iter();
    let mut out = Vec::with_capacity((left_base + left_extra) as usize);
    while left_base + left_extra > 0 {
        let next = if rng.below(left_base + left_extra) < left_extra {
            left_extra -= 1;
            extra.next()
        } else {
            left_base -= 1;
            base.next()
        };
        out.extend(next);
    }
    out
}

/// When a request was completed, relative to `now`.
#[derive(Debug, Clone, Copy)]
enum Completion {
    None,
    /// Completed this long ago (whole seconds; a sub-second part is added later).
    Ago(i64),
}

#[derive(Debug, Clone, Copy)]
struct Plan {
    state: RequestState,
    request_type: Option<RequestType>,
    package_idx: usize,
    completion: Completion,
}

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// The first requests are pinned so that every test-relevant case exists for any seed; the rest
/// are random with a large share of failures.
fn plan_for(i: usize, rng: &mut SplitMix64, n_packages: usize) -> Plan {
    use RequestState::*;
    let pinned = |state, completion| Plan {
        state,
        request_type: Some(RequestType::UserAdd),
        package_idx: 0,
        completion,
    };
    match i {
        // Both sides of the 14-day reprocess window, in the first "Sales Onboarding" package.
        0 => pinned(DeliveryFailed, Completion::Ago(13 * DAY + 23 * HOUR)),
        1 => pinned(DeliveryFailed, Completion::Ago(14 * DAY + HOUR)),
        2 => pinned(PartiallyDelivered, Completion::Ago(13 * DAY + 23 * HOUR)),
        3 => pinned(PartiallyDelivered, Completion::Ago(14 * DAY + HOUR)),
        // Failed, but Graph never recorded a completion time.
        4 => pinned(DeliveryFailed, Completion::None),
        // A fresh failure in the second "Sales Onboarding" package.
        5 => Plan {
            package_idx: 1,
            ..pinned(DeliveryFailed, Completion::Ago(2 * HOUR + 7 * 60))
        },
        // An evolvable enum member that v1.0 hides behind `unknownFutureValue`.
        6 => Plan {
            request_type: Some(RequestType::ApproverRemove),
            package_idx: 2 % n_packages,
            ..pinned(Delivered, Completion::Ago(3 * DAY))
        },
        // Every other state at least once.
        7..=15 => {
            let state = RequestState::ALL[i - 7];
            Plan {
                state,
                request_type: None,
                package_idx: rng.below(n_packages as u64) as usize,
                completion: random_completion(state, rng),
            }
        }
        _ => {
            let roll = rng.unit();
            let state = match roll {
                r if r < 0.22 => DeliveryFailed,
                r if r < 0.35 => PartiallyDelivered,
                r if r < 0.65 => Delivered,
                r if r < 0.72 => PendingApproval,
                r if r < 0.77 => Submitted,
                r if r < 0.81 => Delivering,
                r if r < 0.87 => Denied,
                r if r < 0.91 => Scheduled,
                _ => Canceled,
            };
            Plan {
                state,
                request_type: None,
                package_idx: rng.below(n_packages as u64) as usize,
                completion: random_completion(state, rng),
            }
        }
    }
}

fn random_completion(state: RequestState, rng: &mut SplitMix64) -> Completion {
    if !state.has_completion() {
        return Completion::None;
    }
    // Minutes to ~60 days, weighted so both sides of the 14-day window are well populated.
    let roll = rng.unit();
    let secs = if roll < 0.2 {
        300 + rng.below(DAY as u64 - 300) as i64
    } else if roll < 0.6 {
        DAY + rng.below(13 * DAY as u64) as i64
    } else {
        14 * DAY + 1 + rng.below(46 * DAY as u64) as i64
    };
    Completion::Ago(secs)
}

fn random_type(rng: &mut SplitMix64) -> RequestType {
    match rng.below(100) {
        0..=44 => RequestType::UserAdd,
        45..=74 => RequestType::AdminAdd,
        75..=82 => RequestType::UserRemove,
        83..=89 => RequestType::AdminRemove,
        90..=95 => RequestType::UserUpdate,
        _ => RequestType::AdminUpdate,
    }
}

/// A sub-second part with exactly `digits` significant fractional digits (last digit non-zero),
/// in nanoseconds. Real Graph trims trailing zeros, so the digit count varies per request.
fn fraction_nanos(digits: u32, rng: &mut SplitMix64) -> i64 {
    if digits == 0 {
        return 0;
    }
    let low = 10u64.pow(digits - 1);
    let mut f = low + rng.below(9 * low);
    if f % 10 == 0 {
        f += 1 + rng.below(9);
    }
    (f * 10u64.pow(9 - digits)) as i64
}

fn make_request(
    i: usize,
    plan: Plan,
    rng: &mut SplitMix64,
    n_subjects: usize,
    now: DateTime<Utc>,
) -> StoredRequest {
    let id = rng.guid();
    let assignment_id = rng.guid();
    let request_type = plan.request_type.unwrap_or_else(|| random_type(rng));
    let digits = (i % 8) as u8;
    let subject_idx = rng.below(n_subjects as u64) as usize;
    let justification = JUSTIFICATIONS[rng.below(JUSTIFICATIONS.len() as u64) as usize];
    let beta_lowercase = rng.below(4) == 0;

    // Shift completion further into the past by a sub-second amount: it does not move a request
    // across the 14-day edge (13d23h stays inside, 14d1h outside) but varies the digit count.
    let completed_frac = ChronoDuration::nanoseconds(fraction_nanos(u32::from(digits), rng));
    let created_frac = ChronoDuration::nanoseconds(fraction_nanos(u32::from(digits), rng));
    let processing = ChronoDuration::seconds(60 + rng.below(3 * DAY as u64) as i64);

    let (created, completed) = match plan.completion {
        Completion::Ago(secs) => {
            let completed = now - ChronoDuration::seconds(secs) - completed_frac;
            (completed - processing - created_frac, Some(completed))
        }
        Completion::None => {
            let age = match plan.state {
                RequestState::Delivering => 120 + rng.below(6 * HOUR as u64) as i64,
                _ => 600 + rng.below(30 * DAY as u64) as i64,
            };
            (now - ChronoDuration::seconds(age) - created_frac, None)
        }
    };
    let schedule_start = match plan.state {
        RequestState::Scheduled => now + ChronoDuration::days(1 + rng.below(20) as i64),
        _ => created,
    };
    let expiration = if request_type.is_add() {
        Some(truncate_to_digits(
            schedule_start + ChronoDuration::days(365),
            digits,
        ))
    } else {
        None
    };

    StoredRequest {
        id,
        request_type,
        state: plan.state,
        created,
        completed,
        justification: justification.to_string(),
        package_idx: plan.package_idx,
        subject_idx,
        assignment_id,
        frac_digits: digits,
        beta_lowercase,
        schedule_start,
        expiration,
        pending: None,
        reprocess_calls: 0,
        live: false,
        callback: None,
    }
}

/// A request that has just failed in a live tenant (see `live`): `deliveryFailed` (80 %) or
/// `partiallyDelivered` (20 %), requested minutes to an hour before it failed a few minutes
/// before `now`, for one of the tenant's packages and subjects. The id is drawn from `rng`;
/// `taken` says which ids the tenant already has.
pub(crate) fn live_failure(
    rng: &mut SplitMix64,
    n_packages: usize,
    n_subjects: usize,
    now: DateTime<Utc>,
    taken: impl Fn(&str) -> bool,
) -> StoredRequest {
    let mut id = rng.guid();
    while taken(&id) {
        id = rng.guid();
    }
    let assignment_id = rng.guid();
    let state = if rng.unit() < 0.8 {
        RequestState::DeliveryFailed
    } else {
        RequestState::PartiallyDelivered
    };
    let request_type = random_type(rng);
    let digits = rng.below(8) as u8;
    let package_idx = rng.below(n_packages.max(1) as u64) as usize;
    let subject_idx = rng.below(n_subjects.max(1) as u64) as usize;
    let justification = JUSTIFICATIONS[rng.below(JUSTIFICATIONS.len() as u64) as usize];
    let beta_lowercase = rng.below(4) == 0;
    let completed = truncate_to_digits(
        now - ChronoDuration::seconds(60 + rng.below(10 * 60) as i64),
        digits,
    );
    let created = completed - ChronoDuration::seconds(30 + rng.below(HOUR as u64) as i64);
    let expiration = request_type
        .is_add()
        .then(|| created + ChronoDuration::days(365));
    StoredRequest {
        id,
        request_type,
        state,
        created,
        completed: Some(completed),
        justification: justification.to_string(),
        package_idx,
        subject_idx,
        assignment_id,
        frac_digits: digits,
        beta_lowercase,
        schedule_start: created,
        expiration,
        pending: None,
        reprocess_calls: 0,
        live: true,
        callback: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::format_timestamp;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0)
            .single()
            .unwrap()
    }

    #[test]
    fn splitmix_reference_values() {
        // Reference output of SplitMix64 seeded with 0 (from the published algorithm).
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn same_seed_same_data() {
        let a = build(42, 120, 6, 0, now());
        let b = build(42, 120, 6, 0, now());
        let ids = |s: &Store| s.requests.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        let c = build(43, 120, 6, 0, now());
        assert_ne!(ids(&a), ids(&c));
        let pkgs = |s: &Store| s.packages.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        assert_eq!(pkgs(&a), pkgs(&b));
        // Relative ages do not depend on the start time.
        let later = build(42, 120, 6, 0, now() + ChronoDuration::days(3));
        for (x, y) in a.requests.iter().zip(&later.requests) {
            assert_eq!(x.id, y.id);
            assert_eq!(x.state, y.state);
            assert_eq!(
                now() - x.created,
                now() + ChronoDuration::days(3) - y.created
            );
        }
    }

    #[test]
    fn every_state_present_and_many_failures() {
        let s = build(42, 120, 6, 0, now());
        for state in RequestState::ALL {
            assert!(s.requests.iter().any(|r| r.state == state), "{state:?}");
        }
        let failed = s
            .requests
            .iter()
            .filter(|r| {
                matches!(
                    r.state,
                    RequestState::DeliveryFailed | RequestState::PartiallyDelivered
                )
            })
            .count();
        assert!(failed * 100 / 120 >= 25, "only {failed} failed");
        let used: std::collections::HashSet<_> = s.requests.iter().map(|r| r.package_idx).collect();
        assert!(used.len() >= 5);
    }

    #[test]
    fn edge_requests_exist_in_first_sales_onboarding() {
        let s = build(7, 120, 6, 0, now());
        let edge = |state: RequestState, secs: i64| {
            s.requests.iter().any(|r| {
                r.package_idx == 0
                    && r.state == state
                    && r.completed.is_some_and(|c| {
                        let age = (now() - c).num_seconds();
                        age == secs || age == secs + 1
                    })
            })
        };
        for st in [
            RequestState::DeliveryFailed,
            RequestState::PartiallyDelivered,
        ] {
            assert!(edge(st, 13 * DAY + 23 * HOUR), "{st:?} 13d23h");
            assert!(edge(st, 14 * DAY + HOUR), "{st:?} 14d1h");
        }
        assert!(s.requests.iter().any(|r| r.package_idx == 0
            && r.state == RequestState::DeliveryFailed
            && r.completed.is_none()));
        assert_eq!(s.packages[0].display_name, "Sales Onboarding");
        assert_eq!(s.packages[1].display_name, "Sales Onboarding");
        assert_ne!(s.packages[0].catalog_idx, s.packages[1].catalog_idx);
        assert_eq!(s.catalogs[s.packages[0].catalog_idx].display_name, "Sales");
        assert_eq!(
            s.catalogs[s.packages[1].catalog_idx].display_name,
            "EMEA Sales"
        );
        assert!(s.packages.iter().any(|p| p.display_name.contains('\'')));
    }

    #[test]
    fn pending_states_have_no_completion_and_created_precedes_completed() {
        let s = build(42, 300, 8, 0, now());
        for r in &s.requests {
            if matches!(
                r.state,
                RequestState::Submitted | RequestState::PendingApproval | RequestState::Scheduled
            ) {
                assert!(r.completed.is_none());
            }
            if let Some(c) = r.completed {
                assert!(r.created < c);
                assert!(c < now());
            }
        }
    }

    #[test]
    fn fractional_digits_vary_from_zero_to_seven() {
        let s = build(42, 120, 6, 0, now());
        let mut seen = [false; 8];
        for r in &s.requests {
            let text = format_timestamp(r.created);
            assert!(text.ends_with('Z'));
            let digits = text.split_once('.').map_or(0, |(_, f)| f.len() - 1);
            assert!(digits <= 7, "{text}");
            seen[digits] = true;
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
    }

    #[test]
    fn small_counts_still_work() {
        let s = build(1, 3, 1, 0, now());
        assert_eq!(s.requests.len(), 3);
        assert_eq!(s.packages.len(), 2);
    }

    #[test]
    fn outage_adds_recent_failures_without_changing_the_rest() {
        let plain = build(42, 300, 6, 0, now());
        let s = build(42, 300, 6, 250, now());
        assert_eq!(s.requests.len(), 550);
        let base: std::collections::HashSet<&str> =
            plain.requests.iter().map(|r| r.id.as_str()).collect();
        // The ordinary requests are the same, in the same relative order.
        let kept: Vec<&str> = s
            .requests
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| base.contains(id))
            .collect();
        let before: Vec<&str> = plain.requests.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(kept, before);
        let extra: Vec<_> = s
            .requests
            .iter()
            .filter(|r| !base.contains(r.id.as_str()))
            .collect();
        assert_eq!(extra.len(), 250);
        let ids: std::collections::HashSet<String> = s
            .requests
            .iter()
            .map(|r| r.id.to_ascii_lowercase())
            .collect();
        assert_eq!(ids.len(), 550, "ids are distinct");
        let partial = extra
            .iter()
            .filter(|r| r.state == RequestState::PartiallyDelivered)
            .count();
        assert!((20..90).contains(&partial), "{partial}");
        for r in &extra {
            assert!(matches!(
                r.state,
                RequestState::DeliveryFailed | RequestState::PartiallyDelivered
            ));
            let age = now() - r.completed.unwrap();
            assert!(age <= ChronoDuration::hours(6), "{age}");
            assert!(age >= ChronoDuration::minutes(5), "{age}");
        }
        let packages: std::collections::HashSet<usize> =
            extra.iter().map(|r| r.package_idx).collect();
        assert_eq!(packages.len(), 6);
        // Spread out: some in the first and some in the last fifth of the collection.
        let pos = |r: &StoredRequest| !base.contains(r.id.as_str());
        assert!(s.requests[..110].iter().any(pos));
        assert!(s.requests[440..].iter().any(pos));
        let again = build(42, 300, 6, 250, now());
        let order = |s: &Store| s.requests.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(order(&s), order(&again));
    }
}
