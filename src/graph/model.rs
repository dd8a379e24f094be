//! Graph's v1.0 and beta shapes of an access package assignment request, normalised to one type.
//!
//! v1.0 says `state`/`status`/`completedDateTime`; beta says `requestState`/`requestStatus`/
//! `completedDate` with PascalCase or lowercase values, and the beta `/assignmentRequests` docs even
//! show v1.0 names. Parsing accepts every spelling so the same code reads both versions, and unknown
//! enum members (`unknownFutureValue`, anything added later) are kept instead of failing.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// `accessPackageRequestState`, in the v1.0 vocabulary whatever the API version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RequestState {
    Submitted,
    PendingApproval,
    Delivering,
    Delivered,
    DeliveryFailed,
    Denied,
    Scheduled,
    Canceled,
    PartiallyDelivered,
    /// `unknownFutureValue` or a member added after this build: shown as Graph sent it.
    Other(String),
}

impl RequestState {
    pub const KNOWN: [RequestState; 9] = [
        RequestState::Submitted,
        RequestState::PendingApproval,
        RequestState::Delivering,
        RequestState::Delivered,
        RequestState::DeliveryFailed,
        RequestState::Denied,
        RequestState::Scheduled,
        RequestState::Canceled,
        RequestState::PartiallyDelivered,
    ];

    /// The states `reprocess` accepts.
    pub const FAILED: [RequestState; 2] = [
        RequestState::DeliveryFailed,
        RequestState::PartiallyDelivered,
    ];

    /// Case-insensitive, so beta's `DeliveryFailed` and `deliveryfailed` land on the same state.
    pub fn parse(raw: &str) -> RequestState {
        let lowered = raw.to_ascii_lowercase();
        match lowered.as_str() {
            "submitted" => RequestState::Submitted,
            "pendingapproval" => RequestState::PendingApproval,
            "delivering" => RequestState::Delivering,
            "delivered" => RequestState::Delivered,
            "deliveryfailed" => RequestState::DeliveryFailed,
            "denied" => RequestState::Denied,
            "scheduled" => RequestState::Scheduled,
            // Graph spells it "canceled"; people and the beta cancel body write "cancelled".
            "canceled" | "cancelled" => RequestState::Canceled,
            "partiallydelivered" => RequestState::PartiallyDelivered,
            _ => RequestState::Other(raw.to_string()),
        }
    }

    /// The v1.0 wire value (`deliveryFailed`).
    pub fn as_v1(&self) -> &str {
        match self {
            RequestState::Submitted => "submitted",
            RequestState::PendingApproval => "pendingApproval",
            RequestState::Delivering => "delivering",
            RequestState::Delivered => "delivered",
            RequestState::DeliveryFailed => "deliveryFailed",
            RequestState::Denied => "denied",
            RequestState::Scheduled => "scheduled",
            RequestState::Canceled => "canceled",
            RequestState::PartiallyDelivered => "partiallyDelivered",
            RequestState::Other(raw) => raw,
        }
    }

    /// The beta wire value (`DeliveryFailed`), used when filtering on beta's `requestState`.
    pub fn as_beta(&self) -> String {
        let v1 = self.as_v1();
        let mut chars = v1.chars();
        match chars.next() {
            Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
            None => String::new(),
        }
    }

    pub fn is_failed(&self) -> bool {
        Self::FAILED.contains(self)
    }
}

impl fmt::Display for RequestState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_v1())
    }
}

impl Serialize for RequestState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_v1())
    }
}

/// Who asked (or, for a direct assignment, who was assigned).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Requestor {
    pub display_name: Option<String>,
    pub principal_name: Option<String>,
    pub email: Option<String>,
    pub object_id: Option<String>,
    /// v1.0 `subjectType` (`user`, `servicePrincipal`, …; an agent identity is a service
    /// principal), beta `type` (`User`): kept as Graph sent it, whatever member it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_type: Option<String>,
}

impl Requestor {
    /// Not a person: a service principal (agent identities are service principals) or a kind
    /// added after this build. A subject with no type, or `notSpecified`, is taken for a user,
    /// as every subject was before other kinds could request access.
    pub fn is_user(&self) -> bool {
        self.subject_type.as_deref().is_none_or(|t| {
            t.eq_ignore_ascii_case("user") || t.eq_ignore_ascii_case("notSpecified")
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageRef {
    pub id: String,
    pub display_name: Option<String>,
}

/// One assignment request, the same whichever API version it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRequest {
    pub id: String,
    pub state: RequestState,
    pub status: Option<String>,
    pub request_type: Option<String>,
    pub created: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    pub requestor: Option<Requestor>,
    pub access_package: Option<PackageRef>,
    /// `customExtensionCalloutInstances`: the custom extension calls made for the request.
    pub callouts: Vec<CalloutInstance>,
    /// The expanded assignment (v1.0 `assignment`, beta `accessPackageAssignment`), when the
    /// server sent it.
    pub assignment: Option<Assignment>,
}

/// What a request's assignment says about its delivery, at no extra call: v1.0
/// `accessPackageAssignment` `state` (delivering, partiallyDelivered, delivered, expired,
/// deliveryFailed, or a member added later), `status` (free text: "Delivered",
/// "AutoAssignmentInGracePeriod", …) and its own `customExtensionCalloutInstances`, the calls
/// of the extensions that run once access is granted.
/// <https://learn.microsoft.com/graph/api/resources/accesspackageassignment>
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub id: Option<String>,
    pub state: Option<String>,
    pub status: Option<String>,
    #[serde(rename = "customExtensionCalloutInstances")]
    pub callouts: Vec<CalloutInstance>,
}

impl Assignment {
    fn state_is(&self, want: &str) -> bool {
        self.state
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(want))
    }

    /// Delivered since the request failed (the service's own retry, or a later request):
    /// nothing is left for a reprocess to deliver.
    pub fn delivered(&self) -> bool {
        self.state_is("delivered")
    }

    /// The assignment ended: a reprocess cannot bring it back.
    pub fn expired(&self) -> bool {
        self.state_is("expired")
    }
}

impl AssignmentRequest {
    /// When the server did not expand `accessPackage`, the package we filtered on is the answer.
    pub fn with_package(mut self, package: Option<&AccessPackage>) -> AssignmentRequest {
        if let Some(p) = package {
            match &mut self.access_package {
                None => {
                    self.access_package = Some(PackageRef {
                        id: p.id.clone(),
                        display_name: Some(p.display_name.clone()),
                    })
                }
                Some(r) if r.display_name.is_none() => {
                    r.display_name = Some(p.display_name.clone())
                }
                Some(_) => {}
            }
        }
        self
    }

    /// Whether processing stopped to wait for a custom extension's callback, and on which call.
    ///
    /// Graph's `resume` applies to a request "whose requestStatus is in a WaitingForCallback
    /// state" (v1.0 calls that property `status`); the call being waited on is the callout
    /// instance whose own status is `waitingForCallback`. Either sign is enough: a status
    /// worded otherwise by a later service version still shows in the callout.
    pub fn callback_wait(&self) -> Option<CallbackWait> {
        let by_status = self
            .status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("WaitingForCallback"));
        let callout = self.callouts.iter().rev().find(|c| c.waiting()).cloned();
        if !by_status && callout.is_none() {
            return None;
        }
        Some(CallbackWait {
            since: self.created,
            stage: ResumeStage::implied_by(&self.state),
            callout,
        })
    }
}

/// A request waiting on a custom extension's callback: not failed, and not for `reprocess`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackWait {
    /// Graph records no time for a callout, so this is the request's creation: the wait began
    /// then or later, and has lasted at most this long.
    pub since: Option<DateTime<Utc>>,
    /// The stage the callout ran at, as implied by where the request stands; `None` when its
    /// state implies none.
    pub stage: Option<ResumeStage>,
    /// The callout waiting for its callback: its id is the `customExtensionStageInstanceId` a
    /// resume names. `None` when only the request's status said so.
    pub callout: Option<CalloutInstance>,
}

/// The stages a `resume` can name: the `type` values Graph's resume documents
/// (`microsoft.graph.accessPackageCustomExtensionStage.<stage>`), of the
/// `accessPackageCustomExtensionStage` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResumeStage {
    AssignmentRequestCreated,
    AssignmentRequestApproved,
    AssignmentRequestGranted,
    AssignmentRequestRemoved,
}

impl ResumeStage {
    pub const ALL: [ResumeStage; 4] = [
        ResumeStage::AssignmentRequestCreated,
        ResumeStage::AssignmentRequestApproved,
        ResumeStage::AssignmentRequestGranted,
        ResumeStage::AssignmentRequestRemoved,
    ];

    /// The enum member, as `data.stage` carries it.
    pub fn member(self) -> &'static str {
        match self {
            ResumeStage::AssignmentRequestCreated => "assignmentRequestCreated",
            ResumeStage::AssignmentRequestApproved => "assignmentRequestApproved",
            ResumeStage::AssignmentRequestGranted => "assignmentRequestGranted",
            ResumeStage::AssignmentRequestRemoved => "assignmentRequestRemoved",
        }
    }

    /// The body's `type`: the member qualified by its enum, as the resume doc lists them.
    pub fn qualified(self) -> String {
        format!(
            "microsoft.graph.accessPackageCustomExtensionStage.{}",
            self.member()
        )
    }

    /// For people: `request created`.
    pub fn label(self) -> &'static str {
        match self {
            ResumeStage::AssignmentRequestCreated => "request created",
            ResumeStage::AssignmentRequestApproved => "request approved",
            ResumeStage::AssignmentRequestGranted => "assignment granted",
            ResumeStage::AssignmentRequestRemoved => "assignment removed",
        }
    }

    /// The member (any case), qualified or not, or the short word (`created`, `approved`, …).
    pub fn parse(raw: &str) -> Option<ResumeStage> {
        let raw = raw.trim();
        let bare = raw
            .rsplit_once('.')
            .map_or(raw, |(_, member)| member)
            .to_ascii_lowercase();
        ResumeStage::ALL.into_iter().find(|s| {
            let member = s.member().to_ascii_lowercase();
            bare == member || member.strip_prefix("assignmentrequest") == Some(bare.as_str())
        })
    }

    /// Graph's request names no stage. A request still `submitted` has not reached approval, so
    /// what holds it is the extension run when the request is created; one `pendingApproval`
    /// that waits on a callback is held after (or at) approval, before anything is granted.
    /// Other states imply nothing, and a resume then needs the stage given.
    pub fn implied_by(state: &RequestState) -> Option<ResumeStage> {
        match state {
            RequestState::Submitted => Some(ResumeStage::AssignmentRequestCreated),
            RequestState::PendingApproval => Some(ResumeStage::AssignmentRequestApproved),
            _ => None,
        }
    }
}

impl fmt::Display for ResumeStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.member())
    }
}

/// One `customExtensionCalloutInstance` (v1.0 and beta): the only failure text a request itself
/// carries. <https://learn.microsoft.com/graph/api/resources/customextensioncalloutinstance>
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalloutInstance {
    pub id: Option<String>,
    pub custom_extension_id: Option<String>,
    pub external_correlation_id: Option<String>,
    pub detail: Option<String>,
    /// calloutSent, callbackReceived, calloutFailed, callbackTimedOut, waitingForCallback, or a
    /// member added later.
    pub status: Option<String>,
}

impl CalloutInstance {
    /// `calloutFailed` and `callbackTimedOut`: the extension did not do its part.
    pub fn failed(&self) -> bool {
        self.status.as_deref().is_some_and(|s| {
            s.eq_ignore_ascii_case("calloutFailed") || s.eq_ignore_ascii_case("callbackTimedOut")
        })
    }

    /// `waitingForCallback`: the extension was called and its answer is awaited.
    pub fn waiting(&self) -> bool {
        self.status
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("waitingForCallback"))
    }
}

/// An access package with its catalog, from `accessPackages`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessPackage {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub catalog: Option<CatalogRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogRef {
    pub id: Option<String>,
    pub display_name: Option<String>,
}

// ---- wire shapes -------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WireRequest {
    id: String,
    request_type: Option<String>,
    state: Option<String>,
    request_state: Option<String>,
    status: Option<String>,
    request_status: Option<String>,
    created_date_time: Option<String>,
    completed_date_time: Option<String>,
    completed_date: Option<String>,
    requestor: Option<WireSubject>,
    access_package: Option<WirePackage>,
    custom_extension_callout_instances: Option<Vec<CalloutInstance>>,
    #[serde(alias = "accessPackageAssignment")]
    assignment: Option<WireAssignment>,
}

/// v1.0 `state`/`status`, beta `assignmentState`/`assignmentStatus`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAssignment {
    id: Option<String>,
    state: Option<String>,
    assignment_state: Option<String>,
    status: Option<String>,
    assignment_status: Option<String>,
    custom_extension_callout_instances: Option<Vec<CalloutInstance>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSubject {
    display_name: Option<String>,
    principal_name: Option<String>,
    email: Option<String>,
    object_id: Option<String>,
    subject_type: Option<String>,
    /// beta's name for `subjectType`.
    #[serde(rename = "type")]
    beta_type: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WirePackage {
    id: String,
    display_name: Option<String>,
    description: Option<String>,
    catalog: Option<WireCatalog>,
    /// beta's nav property name for the catalog.
    access_package_catalog: Option<WireCatalog>,
    /// beta also carries the catalog id as a scalar.
    catalog_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireCatalog {
    id: Option<String>,
    display_name: Option<String>,
}

impl From<WireRequest> for AssignmentRequest {
    fn from(w: WireRequest) -> Self {
        let state = w
            .state
            .or(w.request_state)
            .map(|s| RequestState::parse(&s))
            .unwrap_or_else(|| RequestState::Other("(none)".to_string()));
        AssignmentRequest {
            id: w.id,
            state,
            status: w.status.or(w.request_status),
            request_type: w.request_type.map(|t| lower_first(&t)),
            created: w.created_date_time.as_deref().and_then(parse_timestamp),
            completed: w
                .completed_date_time
                .or(w.completed_date)
                .as_deref()
                .and_then(parse_timestamp),
            requestor: w.requestor.map(|s| Requestor {
                display_name: s.display_name,
                principal_name: s.principal_name,
                email: s.email,
                object_id: s.object_id,
                subject_type: s.subject_type.or(s.beta_type).map(|t| lower_first(&t)),
            }),
            access_package: w.access_package.map(|p| PackageRef {
                id: p.id,
                display_name: p.display_name,
            }),
            callouts: w.custom_extension_callout_instances.unwrap_or_default(),
            assignment: w.assignment.map(|a| Assignment {
                id: a.id,
                state: a.state.or(a.assignment_state),
                status: a.status.or(a.assignment_status),
                callouts: a.custom_extension_callout_instances.unwrap_or_default(),
            }),
        }
    }
}

impl From<WirePackage> for AccessPackage {
    fn from(w: WirePackage) -> Self {
        let catalog = w.catalog.or(w.access_package_catalog).map(|c| CatalogRef {
            id: c.id,
            display_name: c.display_name,
        });
        let catalog = match (catalog, w.catalog_id) {
            (Some(c), _) => Some(c),
            (None, Some(id)) => Some(CatalogRef {
                id: Some(id),
                display_name: None,
            }),
            (None, None) => None,
        };
        AccessPackage {
            id: w.id,
            display_name: w.display_name.unwrap_or_default(),
            description: w.description,
            catalog,
        }
    }
}

/// beta's `UserAdd` and v1.0's `userAdd` print the same.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Graph timestamps are UTC with 0–7 fractional digits; some payloads drop the `Z`.
pub fn parse_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// RFC 3339 UTC, fractional seconds only when present.
pub fn format_timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_case_insensitively_and_keep_unknown_members() {
        assert_eq!(
            RequestState::parse("DeliveryFailed"),
            RequestState::DeliveryFailed
        );
        assert_eq!(
            RequestState::parse("deliveryfailed"),
            RequestState::DeliveryFailed
        );
        assert_eq!(
            RequestState::parse("partiallyDelivered"),
            RequestState::PartiallyDelivered
        );
        assert_eq!(
            RequestState::parse("unknownFutureValue"),
            RequestState::Other("unknownFutureValue".into())
        );
        assert_eq!(
            RequestState::parse("unknownFutureValue").as_v1(),
            "unknownFutureValue"
        );
        assert_eq!(RequestState::PendingApproval.as_beta(), "PendingApproval");
    }

    #[test]
    fn timestamps_with_zero_to_seven_fraction_digits() {
        for raw in [
            "2026-11-20T10:15:00Z",
            "2026-11-20T10:15:00.1Z",
            "2026-11-20T10:15:00.12Z",
            "2026-11-20T10:15:00.123Z",
            "2026-11-20T10:15:00.1234Z",
            "2026-11-20T10:15:00.12345Z",
            "2026-11-20T10:15:00.123456Z",
            "2026-11-20T10:15:00.1234567Z",
            "2026-11-20T10:15:00.1234567",
        ] {
            let t = parse_timestamp(raw).unwrap_or_else(|| panic!("{raw}"));
            assert_eq!(format_timestamp(&t)[..19], *"2026-11-20T10:15:00", "{raw}");
            assert!(format_timestamp(&t).ends_with('Z'));
        }
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    fn waiting_request(
        state: RequestState,
        status: Option<&str>,
        callout: Option<&str>,
    ) -> AssignmentRequest {
        AssignmentRequest {
            id: "r".into(),
            state,
            status: status.map(str::to_string),
            request_type: None,
            created: parse_timestamp("2026-11-20T10:00:00Z"),
            completed: None,
            requestor: None,
            access_package: None,
            assignment: None,
            callouts: callout
                .map(|s| CalloutInstance {
                    id: Some("c1".into()),
                    status: Some(s.into()),
                    ..CalloutInstance::default()
                })
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn a_wait_shows_in_the_status_or_in_a_callout_in_any_case() {
        let by_both = waiting_request(
            RequestState::Submitted,
            Some("WaitingForCallback"),
            Some("waitingForCallback"),
        );
        let wait = by_both.callback_wait().unwrap();
        assert_eq!(wait.stage, Some(ResumeStage::AssignmentRequestCreated));
        assert_eq!(wait.callout.unwrap().id.as_deref(), Some("c1"));
        assert_eq!(wait.since, by_both.created);
        let by_status = waiting_request(
            RequestState::PendingApproval,
            Some("waitingforcallback"),
            None,
        );
        let wait = by_status.callback_wait().unwrap();
        assert_eq!(wait.stage, Some(ResumeStage::AssignmentRequestApproved));
        assert!(wait.callout.is_none());
        // A later wording of the status still shows in the callout; a state Graph adds later
        // implies no stage.
        let by_callout = waiting_request(
            RequestState::parse("awaitingSomething"),
            Some("SomethingNew"),
            Some("WAITINGFORCALLBACK"),
        );
        assert_eq!(by_callout.callback_wait().unwrap().stage, None);
        for (status, callout) in [
            (Some("Accepted"), Some("callbackReceived")),
            (None, Some("unknownFutureValue")),
            (None, None),
        ] {
            assert!(
                waiting_request(RequestState::Submitted, status, callout)
                    .callback_wait()
                    .is_none()
            );
        }
    }

    #[test]
    fn stages_parse_from_the_member_the_qualified_name_or_a_word() {
        for raw in [
            "created",
            "Created",
            "assignmentRequestCreated",
            "AssignmentRequestCreated",
            "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated",
        ] {
            assert_eq!(
                ResumeStage::parse(raw),
                Some(ResumeStage::AssignmentRequestCreated),
                "{raw}"
            );
        }
        assert_eq!(
            ResumeStage::parse("removed"),
            Some(ResumeStage::AssignmentRequestRemoved)
        );
        for raw in [
            "",
            "later",
            "assignmentFourteenDaysBeforeExpiration",
            "request",
        ] {
            assert_eq!(ResumeStage::parse(raw), None, "{raw}");
        }
        assert_eq!(
            ResumeStage::AssignmentRequestApproved.qualified(),
            "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestApproved"
        );
    }

    #[test]
    fn subject_kinds_are_kept_as_graph_sends_them() {
        let parse = |subject: serde_json::Value| {
            let wire: WireRequest =
                serde_json::from_value(serde_json::json!({"id": "r", "requestor": subject}))
                    .unwrap();
            AssignmentRequest::from(wire).requestor.unwrap()
        };
        let v1 = parse(serde_json::json!({"subjectType": "servicePrincipal"}));
        assert_eq!(v1.subject_type.as_deref(), Some("servicePrincipal"));
        assert!(!v1.is_user());
        let beta = parse(serde_json::json!({"type": "User"}));
        assert_eq!(beta.subject_type.as_deref(), Some("user"));
        assert!(beta.is_user());
        let future = parse(serde_json::json!({"subjectType": "agentIdentityBlueprint"}));
        assert!(!future.is_user());
        assert!(parse(serde_json::json!({})).is_user());
        assert!(parse(serde_json::json!({"subjectType": "notSpecified"})).is_user());
    }
}
