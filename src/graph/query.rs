//! OData query strings: `$filter` construction with fallbacks, and query encoding.

use super::{ApiVersion, AssignmentRequest, RequestState};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use url::Url;

/// What a listing wants; turned into server filters and re-checked on the client.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub package_id: Option<String>,
    /// Empty = every state.
    pub states: Vec<RequestState>,
    /// List only what eligibility needs (id, state, completion time), nothing expanded: a
    /// recheck of a whole tenant's failed requests costs little.
    pub lean: bool,
}

impl RequestFilter {
    /// Server filter plans, most preferred first. Each plan is a list of queries whose results
    /// together cover the filter (`None` = no `$filter`), listed concurrently; the caller falls
    /// back to the next plan when a server answers 400 (Graph's "Invalid filter clause").
    /// Tenant-wide, no state wanted means every state: one `state eq` query per state.
    ///
    /// Graph documents `state eq` and `accessPackage/id eq` as single clauses only; `and`/`or`
    /// combinations are not promised, so none is sent. With a package, states are checked on the
    /// client; the package clause is never dropped, because catalog-scoped callers need it.
    pub fn server_filters(&self, version: ApiVersion) -> Vec<Vec<Option<String>>> {
        if let Some(id) = &self.package_id {
            return vec![vec![Some(format!(
                "accessPackage/id eq {}",
                odata_string(id)
            ))]];
        }
        let state_field = match version {
            ApiVersion::V1 => "state",
            ApiVersion::Beta => "requestState",
        };
        // Every state wanted: one query per member of the state enum, so the listing runs as
        // several streams at once instead of one page after another. v1.0's enum ends with
        // `unknownFutureValue`, which Graph sends for members added later to callers that do
        // not ask for them; beta's `requestState` is a string documented with the nine.
        let every: Vec<RequestState>;
        let states = if self.states.is_empty() {
            // Likely largest first: the streams start a few at a time, and the longest one
            // bounds the listing, so it should not wait for a free one.
            every = LIKELY_LARGEST_FIRST
                .into_iter()
                .chain(
                    (version == ApiVersion::V1)
                        .then(|| RequestState::Other(UNKNOWN_FUTURE_VALUE.into())),
                )
                .collect();
            &every
        } else {
            &self.states
        };
        let per_state = states
            .iter()
            .map(|s| {
                let value = match version {
                    ApiVersion::V1 => s.as_v1().to_string(),
                    ApiVersion::Beta => s.as_beta(),
                };
                Some(format!("{state_field} eq {}", odata_string(&value)))
            })
            .collect();
        vec![per_state, vec![None]]
    }

    /// The client-side check: the whole filter, whatever the server did with it.
    pub fn matches(&self, request: &AssignmentRequest) -> bool {
        let state_ok = self.states.is_empty() || self.states.contains(&request.state);
        let package_ok = match (&self.package_id, &request.access_package) {
            (Some(want), Some(have)) => want.eq_ignore_ascii_case(&have.id),
            // Not expanded by the server: trust its package filter rather than drop everything.
            (Some(_), None) => true,
            (None, _) => true,
        };
        state_ok && package_ok
    }
}

/// Every state, the ones most requests end in first (a tenant's history is mostly delivered,
/// then failed, denied, canceled); the pending ones are few at any time.
const LIKELY_LARGEST_FIRST: [RequestState; 9] = [
    RequestState::Delivered,
    RequestState::DeliveryFailed,
    RequestState::PartiallyDelivered,
    RequestState::Denied,
    RequestState::Canceled,
    RequestState::PendingApproval,
    RequestState::Scheduled,
    RequestState::Submitted,
    RequestState::Delivering,
];

/// The sentinel member of Graph's evolvable enums.
const UNKNOWN_FUTURE_VALUE: &str = "unknownFutureValue";

/// An OData string literal: single quotes, embedded quotes doubled.
pub fn odata_string(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Characters escaped in a query value. Spaces become `%20` (not `+`, which OData servers may
/// read literally); `$`, `/`, `(`, `)` and `,` stay readable as in Graph's docs.
const QUERY_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Everything but RFC 3986 unreserved characters is escaped in a path segment, so an id can never
/// become another path (`../`), a query (`?`) or a fragment (`#`). Graph ids are GUIDs and pass
/// unchanged; this is the second line of defence behind validating them.
const PATH_SEGMENT: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path segment, escaped. A segment of only dots would still mean "up" or "here".
pub fn segment(value: &str) -> String {
    if value.is_empty() || value.chars().all(|c| c == '.') {
        return value.replace('.', "%2E");
    }
    utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

pub fn set_query(url: &mut Url, pairs: &[(&str, &str)]) {
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, QUERY_VALUE)))
        .collect::<Vec<_>>()
        .join("&");
    url.set_query(Some(&query));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_one_path_segment() {
        assert_eq!(
            segment("9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"),
            "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea"
        );
        assert_eq!(
            segment("../../../../v1.0/users/victim"),
            "..%2F..%2F..%2F..%2Fv1.0%2Fusers%2Fvictim"
        );
        assert_eq!(segment("x?y=1#frag"), "x%3Fy%3D1%23frag");
        assert_eq!(segment(".."), "%2E%2E");
        assert_eq!(segment("\u{1b}[2J"), "%1B%5B2J");
    }

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(odata_string("Partners' Portal"), "'Partners'' Portal'");
    }

    #[test]
    fn query_values_are_percent_encoded_without_plus() {
        let mut url = Url::parse("https://graph.microsoft.com/v1.0/x").unwrap();
        set_query(&mut url, &[("$filter", "displayName eq 'A & B+C'")]);
        assert_eq!(
            url.query(),
            // url escapes the quote itself (%27); servers decode it back.
            Some("$filter=displayName%20eq%20%27A%20%26%20B%2BC%27")
        );
    }

    #[test]
    fn package_listing_sends_only_the_documented_package_clause() {
        let f = RequestFilter {
            package_id: Some("9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea".into()),
            states: RequestState::FAILED.to_vec(),
            lean: false,
        };
        let plans = f.server_filters(ApiVersion::V1);
        assert_eq!(
            plans,
            vec![vec![Some(
                "accessPackage/id eq '9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea'".to_string()
            )]],
            "no and/or combination, and the package filter itself is never dropped"
        );
    }

    #[test]
    fn every_state_tenant_wide_is_one_documented_query_per_state() {
        let f = RequestFilter::default();
        let v1 = f.server_filters(ApiVersion::V1);
        let names = |plan: &[Option<String>]| -> Vec<String> {
            plan.iter().map(|q| q.clone().unwrap_or_default()).collect()
        };
        let mut want: Vec<String> = LIKELY_LARGEST_FIRST
            .iter()
            .map(|s| format!("state eq '{}'", s.as_v1()))
            .collect();
        want.push("state eq 'unknownFutureValue'".into());
        assert_eq!(names(&v1[0]), want);
        assert!(
            RequestState::KNOWN
                .iter()
                .all(|s| LIKELY_LARGEST_FIRST.contains(s))
        );
        assert_eq!(
            v1[1],
            vec![None],
            "a server refusing it is listed unfiltered"
        );
        let beta = f.server_filters(ApiVersion::Beta);
        assert_eq!(beta[0].len(), RequestState::KNOWN.len());
        assert!(beta[0].contains(&Some("requestState eq 'PendingApproval'".into())));
        // A package listing cannot be split by state: no documented filter combines the two.
        let package = RequestFilter {
            package_id: Some("9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea".into()),
            ..RequestFilter::default()
        };
        assert_eq!(package.server_filters(ApiVersion::V1)[0].len(), 1);
    }

    #[test]
    fn tenant_wide_states_are_one_documented_query_each() {
        let f = RequestFilter {
            package_id: None,
            states: RequestState::FAILED.to_vec(),
            lean: false,
        };
        let plans = f.server_filters(ApiVersion::Beta);
        assert_eq!(
            plans[0],
            vec![
                Some("requestState eq 'DeliveryFailed'".to_string()),
                Some("requestState eq 'PartiallyDelivered'".to_string())
            ]
        );
        assert_eq!(plans[1], vec![None]);
        assert_eq!(plans.len(), 2);
        let v1 = f.server_filters(ApiVersion::V1);
        assert_eq!(
            v1[0],
            vec![
                Some("state eq 'deliveryFailed'".to_string()),
                Some("state eq 'partiallyDelivered'".to_string())
            ]
        );
    }
}
