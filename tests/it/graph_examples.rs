//! Graph's own documented payloads (copied from the docs into tests/fixtures) through ep's parsers.

use ep::graph::{RequestState, parse_package, parse_request};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn first_of_collection(name: &str) -> Value {
    fixture(name)["value"][0].clone()
}

#[test]
fn v1_list_response() {
    let r = parse_request(first_of_collection(
        "v1.0_entitlementmanagement-list-assignmentrequests.response.json",
    ))
    .unwrap();
    assert_eq!(r.id, "7999249e-249e-7999-9e24-99799e249979");
    assert_eq!(r.state, RequestState::Delivered);
    assert_eq!(r.status.as_deref(), Some("Delivered"));
    assert_eq!(r.request_type.as_deref(), Some("userAdd"));
    assert_eq!(
        r.completed.map(|t| t.to_rfc3339()),
        Some("2019-10-26T22:55:11.623+00:00".to_string())
    );
}

#[test]
fn v1_older_doc_with_the_completed_date_typo() {
    let r = parse_request(first_of_collection(
        "v1.0_entitlementmanagement-list-assignmentrequests.response.older-version.json",
    ))
    .unwrap();
    assert!(
        r.completed.is_some(),
        "completedDate is read as the completion time"
    );
}

#[test]
fn v1_get_and_filter_by_current_user() {
    let r = parse_request(fixture(
        "v1.0_accesspackageassignmentrequest-get.response.json",
    ))
    .unwrap();
    assert_eq!(r.request_type.as_deref(), Some("adminAdd"));
    let r = parse_request(first_of_collection(
        "v1.0_accesspackageassignmentrequest-filterbycurrentuser.response.json",
    ))
    .unwrap();
    assert_eq!(
        r.completed.map(|t| t.timestamp_millis() % 1000),
        Some(970),
        "two fractional digits (.97Z)"
    );
}

#[test]
fn v1_create_responses_use_beta_names() {
    let r = parse_request(fixture(
        "v1.0_entitlementmanagement-post-assignmentrequests.example1.response.json",
    ))
    .unwrap();
    assert_eq!(r.state, RequestState::Submitted);
    assert_eq!(r.status.as_deref(), Some("Accepted"));
    assert_eq!(r.completed, None);
}

#[test]
fn beta_deprecated_list_with_pascal_case_state_and_subject() {
    let r = parse_request(first_of_collection(
        "beta_entitlementmanagement-list-accesspackageassignmentrequests.response.json",
    ))
    .unwrap();
    assert_eq!(r.state, RequestState::PendingApproval);
    assert_eq!(r.request_type.as_deref(), Some("userAdd"));
    let who = r.requestor.unwrap();
    assert_eq!(who.display_name.as_deref(), Some("displayname"));
    assert_eq!(who.email.as_deref(), Some("displayname@example.com"));
}

#[test]
fn beta_get_with_lowercase_state_and_completed_date() {
    let r = parse_request(fixture(
        "beta_accesspackageassignmentrequest-get.response.json",
    ))
    .unwrap();
    assert_eq!(r.state, RequestState::Delivered);
    assert_eq!(r.status.as_deref(), Some("Delivered"));
    assert!(r.completed.is_some());
}

#[test]
fn beta_assignment_requests_doc_copies_v1_names() {
    let r = parse_request(first_of_collection(
        "beta_entitlementmanagement-list-assignmentrequests.response.json",
    ))
    .unwrap();
    assert_eq!(r.state, RequestState::Delivered);
}

#[test]
fn every_example_of_every_state_payload_parses() {
    for name in [
        "v1.0_entitlementmanagement-post-assignmentrequests.example2.response.json",
        "v1.0_entitlementmanagement-post-assignmentrequests.example3.response.json",
        "v1.0_entitlementmanagement-post-assignmentrequests.example5.response.json",
    ] {
        let r = parse_request(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!r.id.is_empty(), "{name}");
    }
}

#[test]
fn placeholder_representations_do_not_break_parsing() {
    // The resource pages use "String (timestamp)" placeholders: an unreadable time is absent,
    // and an unknown state word is kept rather than rejected.
    let r = parse_request(fixture(
        "v1.0_resource_accesspackageassignmentrequest.json-representation.json",
    ))
    .unwrap();
    assert_eq!(r.completed, None);
    assert_eq!(r.state, RequestState::Other("String".into()));
    let r = parse_request(fixture(
        "beta_resource_accesspackageassignmentrequest.json-representation.older-version.json",
    ))
    .unwrap();
    assert_eq!(r.completed, None);
}

#[test]
fn unknown_future_enum_members_are_kept() {
    let mut v = fixture("v1.0_accesspackageassignmentrequest-get.response.json");
    v["state"] = Value::String("unknownFutureValue".into());
    v["requestType"] = Value::String("approverRemove".into());
    let r = parse_request(v).unwrap();
    assert_eq!(r.state.as_v1(), "unknownFutureValue");
    assert_eq!(r.request_type.as_deref(), Some("approverRemove"));
}

#[test]
fn access_packages() {
    let p = parse_package(first_of_collection(
        "v1.0_entitlementmanagement-list-accesspackages.response.json",
    ))
    .unwrap();
    assert_eq!(p.display_name, "Access package for testing");
    assert_eq!(p.catalog, None);
    let p = parse_package(fixture("v1.0_accesspackage-get.response.json")).unwrap();
    assert_eq!(p.id, "114d3459-3459-114d-5934-4d1159344d11");
}
