//! `ep requests why`, the delivery section of `ep requests show`, and `--closing-within`, against
//! the emulator's seeded causes (`causes_snapshot`), never against ep's own output.

use crate::common::{Emu, retry_after_violations, run_expect, stable_config};
use chrono::{DateTime, Duration, Utc};
use ep_emulator::{AuditCorrelation, EmulatorConfig, RetryAfterStyle, SeededCause};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// ep's words for a new external user's SharePoint site still pending (Entra's documented,
/// benign partial delivery).
const GUEST_SITE: &str = "a new external user's site access shows as not fully delivered until \
     their account is provisioned in SharePoint Online: wait, reprocess cannot help";

/// The emulator's request-level reason of a partially delivered request, all its audit log says
/// of a guest's pending site.
const PARTIAL_REASON: &str = "One or more resources could not be delivered.";

/// A group's identity: (source, resource (kind, id, displayName), reason).
type Key = (String, Option<(String, String, String)>, String);

/// The reason as ep normalises it: the requestor's id in the text becomes `{id}`.
fn normalised(c: &SeededCause) -> String {
    c.reason_template.replace("{objectId}", "{id}")
}

/// What `why` must find for each request failed now, in v1.0 mode with the audit log readable
/// (`audit`) and beta's resource roles served (`roles`): the audit log explains what it still
/// holds, the callouts (the request's and its assignment's) what they can, and beta's resource
/// roles, read from v1.0 too, name what is still pending for the rest.
fn expected(emu: &Emu, audit: bool, roles: bool) -> BTreeMap<Key, BTreeSet<String>> {
    let causes: BTreeMap<String, SeededCause> = emu
        .causes()
        .into_iter()
        .map(|c| (c.request_id.clone(), c))
        .collect();
    let mut out: BTreeMap<Key, BTreeSet<String>> = BTreeMap::new();
    for r in emu.truth().into_iter().filter(|r| failed(&r.state)) {
        let c = &causes[&r.id];
        let resource = c
            .resource
            .as_ref()
            .map(|s| (s.kind.clone(), s.id.clone(), s.display_name.clone()));
        let key = match (c.kind.as_str(), audit && c.audited) {
            ("customExtension", _) => ("customExtension".into(), None, normalised(c)),
            ("guestSite", _) if roles => ("resourceRoles".into(), resource, GUEST_SITE.into()),
            ("guestSite", true) => ("audit".into(), None, PARTIAL_REASON.into()),
            ("resource", true) => ("audit".into(), resource, normalised(c)),
            ("request", true) => ("audit".into(), None, normalised(c)),
            _ => pending_key(c, roles),
        };
        out.entry(key).or_default().insert(r.id);
    }
    out
}

/// What beta's resource roles say of a request nothing else explains: the one resource still
/// pending, or each pending one by name.
fn pending_key(c: &SeededCause, roles: bool) -> Key {
    match (roles, c.pending.as_slice()) {
        (true, [one]) => (
            "resourceRoles".into(),
            Some((one.kind.clone(), one.id.clone(), one.display_name.clone())),
            "PendingFulfillment".into(),
        ),
        (true, many) if !many.is_empty() => {
            let names: BTreeSet<&str> = many.iter().map(|r| r.display_name.as_str()).collect();
            (
                "resourceRoles".into(),
                None,
                format!(
                    "PendingFulfillment: {}",
                    names.into_iter().collect::<Vec<_>>().join(", ")
                ),
            )
        }
        _ => ("unknown".into(), None, "no cause recorded".into()),
    }
}

fn expected_v1(emu: &Emu, audit: bool) -> BTreeMap<Key, BTreeSet<String>> {
    expected(emu, audit, true)
}

/// Issue 20, item 8: a resource that left the package since is named (from the resource roles'
/// expanded scope), not shown by its role or scope id.
fn assert_removed_resources_named(emu: &Emu, got: &BTreeMap<Key, BTreeSet<String>>) {
    let truth = emu.snapshot_by_id();
    let removed: Vec<(String, ep_emulator::SeededResource)> = emu
        .causes()
        .into_iter()
        .filter(|c| truth.get(&c.request_id).is_some_and(|r| failed(&r.state)))
        .flat_map(|c| {
            let package = emu.package_resources(&truth[&c.request_id].package_id);
            c.pending
                .into_iter()
                .filter(move |p| !package.contains(p))
                .map(move |p| (c.request_id.clone(), p))
        })
        .collect();
    assert!(!removed.is_empty(), "the seed has a resource removed since");
    let mut named = 0;
    for (id, res) in &removed {
        let (key, _) = got.iter().find(|(_, ids)| ids.contains(id)).unwrap();
        if key.0 == "resourceRoles" {
            named += 1;
            assert!(
                key.2.contains(&res.display_name)
                    || key.1.as_ref().is_some_and(|r| r.2 == res.display_name),
                "{key:?} {res:?}"
            );
            assert!(!key.2.contains("Member_"), "{key:?}");
        }
    }
    assert!(named > 0, "{removed:?}");
}

fn failed(state: &str) -> bool {
    state == "deliveryFailed" || state == "partiallyDelivered"
}

/// ep's groups, checked for shape: one document `{"groups": [...]}`, each group's count its
/// number of requests.
fn groups_of(doc: &Value) -> BTreeMap<Key, BTreeSet<String>> {
    let obj = doc.as_object().expect("one JSON object");
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["groups"], "{doc}");
    let mut out = BTreeMap::new();
    for g in doc["groups"].as_array().unwrap() {
        let requests: BTreeSet<String> = g["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(g["count"], requests.len(), "{g}");
        assert!(g["reprocessable"].as_u64().unwrap() <= requests.len() as u64);
        let resource = match &g["resource"] {
            Value::Null => None,
            r => Some((
                r["kind"].as_str().unwrap().to_string(),
                r["id"].as_str().unwrap().to_string(),
                r["displayName"].as_str().unwrap().to_string(),
            )),
        };
        let key = (
            g["source"].as_str().unwrap().to_string(),
            resource,
            g["reason"].as_str().unwrap().to_string(),
        );
        assert!(
            out.insert(key, requests).is_none(),
            "one group per cause: {g}"
        );
    }
    out
}

/// Every id in exactly one group.
fn assert_partition(groups: &BTreeMap<Key, BTreeSet<String>>, failed_now: &BTreeSet<String>) {
    let all: Vec<&String> = groups.values().flatten().collect();
    let unique: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), unique.len(), "a request in two groups");
    assert_eq!(
        unique.into_iter().cloned().collect::<BTreeSet<_>>(),
        *failed_now
    );
}

fn failed_now(emu: &Emu) -> BTreeSet<String> {
    emu.truth()
        .into_iter()
        .filter(|r| failed(&r.state))
        .map(|r| r.id)
        .collect()
}

fn audit_calls(emu: &Emu) -> Vec<ep_emulator::RecordedCall> {
    emu.calls()
        .into_iter()
        .filter(|c| c.path.contains("/auditLogs/"))
        .collect()
}

#[test]
fn why_groups_every_failed_request_by_its_seeded_cause() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "why", "--all-packages", "-o", "json"]),
        0,
    );
    let got = groups_of(&r.json());
    let want = expected_v1(&emu, true);
    assert_eq!(got, want, "stderr:\n{}", r.stderr);
    assert_partition(&got, &failed_now(&emu));
    assert!(got.keys().any(|k| k.0 == "audit" && k.1.is_some()));
    assert!(got.keys().any(|k| k.0 == "customExtension"));
    // Issue 20, item 7: a new guest's site waiting for SharePoint is said to be benign.
    assert!(got.keys().any(|k| k.2 == GUEST_SITE), "{got:#?}");
    assert!(r.stderr.contains("reprocess cannot help"), "{}", r.stderr);
    // The audit log is read per time range and activity, not per request.
    let audit = audit_calls(&emu);
    let queries: BTreeSet<String> = audit
        .iter()
        .filter_map(|c| c.query.clone())
        .filter(|q| !q.contains("skiptoken"))
        .collect();
    assert!(!queries.is_empty());
    assert!(queries.len() <= 6, "{queries:#?}");
    assert!(
        queries.iter().all(|q| q.contains("activityDisplayName")),
        "{queries:#?}"
    );
    assert!(
        audit.len() < failed_now(&emu).len(),
        "{} calls",
        audit.len()
    );
    assert_eq!(retry_after_violations(&emu.calls(), "/auditLogs/"), 0);
    assert!(r.stderr.contains("by request id"), "{}", r.stderr);
    // Issue 20, item 1: v1.0 names what is still pending through the one beta call, and does
    // not send people to --api-version beta for it.
    assert!(got.keys().any(|k| k.0 == "resourceRoles" && k.1.is_some()));
    assert!(!r.stderr.contains("--api-version beta"), "{}", r.stderr);
    let calls = emu.calls();
    let beta: Vec<&ep_emulator::RecordedCall> = calls
        .iter()
        .filter(|c| c.path.starts_with("/beta/"))
        .collect();
    assert!(!beta.is_empty());
    assert!(
        beta.iter()
            .all(|c| c.path.ends_with("/accessPackageAssignmentResourceRoles")),
        "only the resource roles are read from beta: {beta:#?}"
    );
}

/// Issue 20, item 1: where the beta call is refused (403) or missing (404), v1.0 still groups
/// everything, says once that it skipped the beta call, and fails nothing.
#[test]
fn why_and_show_skip_the_beta_resource_roles_with_a_note_where_they_are_refused() {
    for (forbidden, status) in [(true, "403"), (false, "404")] {
        let emu = Emu::with(EmulatorConfig {
            resource_roles_forbidden: forbidden,
            resource_roles_unavailable: !forbidden,
            ..stable_config()
        });
        let r = run_expect(
            emu.ep()
                .args(["requests", "why", "--all-packages", "-o", "json"]),
            0,
        );
        let got = groups_of(&r.json());
        assert_eq!(got, expected(&emu, true, false), "stderr:\n{}", r.stderr);
        assert_partition(&got, &failed_now(&emu));
        assert_eq!(
            r.stderr
                .matches("accessPackageAssignmentResourceRoles")
                .count(),
            1,
            "said once: {}",
            r.stderr
        );
        assert!(
            r.stderr.contains(&format!("({status}")) && r.stderr.contains("skipped"),
            "{}",
            r.stderr
        );
        let c = audited_resource_failure(&emu);
        let doc = run_expect(
            emu.ep()
                .args(["requests", "show", &c.request_id, "-o", "json"]),
            0,
        )
        .json();
        assert_eq!(doc["delivery"]["cause"]["source"], "audit");
        let unavailable = doc["delivery"]["unavailable"].as_array().unwrap();
        assert!(
            unavailable.iter().any(|u| u["source"] == "resourceRoles"
                && u["reason"].as_str().unwrap().contains(status)),
            "{unavailable:?}"
        );
        assert!(
            doc["delivery"]["resources"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["status"].is_null())
        );
    }
}

/// Six audit queries (pages of 20) against the documented 5 per 10 seconds: ep sends five,
/// then waits out the window, and is never throttled.
#[test]
fn why_keeps_to_the_audit_logs_documented_limit_without_being_throttled() {
    let emu = Emu::with(EmulatorConfig {
        page_size: 10,
        ..stable_config()
    });
    let r = run_expect(
        emu.ep()
            .args(["requests", "why", "--all-packages", "-o", "json"]),
        0,
    );
    assert_eq!(groups_of(&r.json()), expected_v1(&emu, true));
    let audit = audit_calls(&emu);
    assert!(
        audit.len() > 5,
        "more queries than one window holds: {}",
        audit.len()
    );
    assert!(audit.iter().all(|c| c.status != 429), "never throttled");
    let mut at: Vec<_> = audit.iter().map(|c| c.at).collect();
    at.sort();
    for (i, t) in at.iter().enumerate() {
        let within = at[i..]
            .iter()
            .filter(|u| **u - *t < chrono::Duration::seconds(10))
            .count();
        assert!(within <= 5, "{within} audit queries within 10 s");
    }
}

/// A service stricter than documented throttles the audit log: ep waits each Retry-After, and
/// the entitlement-management calls are not held up by the audit log's limit.
#[test]
fn why_stays_within_a_stricter_audit_limit_when_it_throttles() {
    let emu = Emu::with(EmulatorConfig {
        page_size: 20,
        audit_rate: Some(1.0),
        audit_burst: 2,
        retry_after: RetryAfterStyle::Fraction,
        ..stable_config()
    });
    let r = run_expect(
        emu.ep()
            .args(["requests", "why", "--all-packages", "-o", "json"]),
        0,
    );
    assert_eq!(groups_of(&r.json()), expected_v1(&emu, true));
    let calls = emu.calls();
    let throttled = audit_calls(&emu).iter().filter(|c| c.status == 429).count();
    assert!(throttled > 0, "the audit log was made to throttle");
    assert_eq!(retry_after_violations(&calls, "/auditLogs/"), 0);
    assert!(
        calls
            .iter()
            .filter(|c| !c.path.contains("/auditLogs/"))
            .all(|c| c.status != 429)
    );
}

#[test]
fn why_matches_events_by_requestor_package_and_time_when_they_do_not_name_the_request() {
    let emu = Emu::with(EmulatorConfig {
        audit_correlation: AuditCorrelation::Requestor,
        ..stable_config()
    });
    let r = run_expect(
        emu.ep()
            .args(["requests", "why", "--all-packages", "-o", "ndjson"]),
        0,
    );
    let lines: Vec<Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got = groups_of(&serde_json::json!({ "groups": lines }));
    assert_eq!(got, expected_v1(&emu, true));
    assert!(
        r.stderr.contains("matched 0 request(s) by request id")
            && r.stderr.contains("by requestor, access package and time"),
        "{}",
        r.stderr
    );
}

#[test]
fn why_without_the_audit_permission_still_groups_everything_and_says_what_would_add_it() {
    let emu = Emu::start();
    let r = run_expect(emu.ep_reader().args(["requests", "why", "-o", "json"]), 0);
    let got = groups_of(&r.json());
    assert_eq!(got, expected_v1(&emu, false));
    assert_partition(&got, &failed_now(&emu));
    assert!(r.stderr.contains("AuditLog.Read.All"), "{}", r.stderr);
    assert!(r.stderr.contains("403"), "{}", r.stderr);
}

#[test]
fn why_with_beta_names_the_pending_resource_of_what_nothing_else_explains() {
    let emu = Emu::start();
    let causes: BTreeMap<String, SeededCause> = emu
        .causes()
        .into_iter()
        .map(|c| (c.request_id.clone(), c))
        .collect();
    // No audit log (reader), so beta's resource roles are all there is for most requests.
    let r = run_expect(
        emu.ep_reader()
            .args(["--api-version", "beta", "requests", "why", "-o", "json"]),
        0,
    );
    let got = groups_of(&r.json());
    assert_partition(&got, &failed_now(&emu));
    assert_removed_resources_named(&emu, &got);
    let mut named = 0;
    for ((source, resource, reason), ids) in &got {
        for id in ids {
            let c = &causes[id];
            match source.as_str() {
                "customExtension" => assert_eq!(c.kind, "customExtension"),
                "resourceRoles" if c.kind == "guestSite" => {
                    assert_eq!(reason, GUEST_SITE);
                    assert_eq!(
                        resource.as_ref().map(|r| &r.1),
                        c.resource.as_ref().map(|r| &r.id)
                    );
                }
                "resourceRoles" => {
                    assert_ne!(c.kind, "customExtension");
                    assert!(reason.starts_with("PendingFulfillment"), "{reason}");
                    match (resource, c.pending.as_slice()) {
                        (Some(res), [one]) => {
                            assert_eq!(
                                (&res.0, &res.1, &res.2),
                                (&one.kind, &one.id, &one.display_name)
                            );
                            named += 1;
                        }
                        (None, many) => assert!(many.len() > 1, "{c:?}"),
                        other => panic!("{other:?}"),
                    }
                }
                other => panic!("{other} for {c:?}"),
            }
        }
    }
    assert!(named > 0);
    // Every partially delivered request's resource is named: it is the one still pending.
    for s in emu
        .truth()
        .into_iter()
        .filter(|s| s.state == "partiallyDelivered")
    {
        let c = &causes[&s.id];
        let res = c.resource.as_ref().unwrap();
        assert!(
            got.iter()
                .any(|((_, r, _), ids)| ids.contains(&s.id)
                    && r.as_ref().is_some_and(|r| r.1 == res.id)),
            "{c:?}"
        );
    }
    // A service without beta resource roles: said once, the rest still groups.
    let emu = Emu::with(EmulatorConfig {
        resource_roles_unavailable: true,
        ..stable_config()
    });
    let r = run_expect(
        emu.ep_reader()
            .args(["--api-version", "beta", "requests", "why", "-o", "json"]),
        0,
    );
    assert_partition(&groups_of(&r.json()), &failed_now(&emu));
    assert!(r.stderr.contains("not available (404"), "{}", r.stderr);
}

#[test]
fn why_for_one_package_in_table_and_csv() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let r = run_expect(
        emu.ep()
            .args(["requests", "why", "--package", &package, "-o", "csv"]),
        0,
    );
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "newestRequest");
    let in_package: BTreeSet<String> = emu
        .truth()
        .into_iter()
        .filter(|s| s.package_id == package && failed(&s.state))
        .map(|s| s.id)
        .collect();
    let mut seen = BTreeSet::new();
    for row in reader.records() {
        let row = row.unwrap();
        let ids: Vec<&str> = row[10].split(' ').collect();
        assert_eq!(row[1].parse::<usize>().unwrap(), ids.len());
        assert_eq!(&row[0], ids[0]);
        seen.extend(ids.iter().map(|s| s.to_string()));
    }
    assert_eq!(seen, in_package);
    let table = run_expect(emu.ep().args(["requests", "why", "--package", &package]), 0);
    assert!(table.stdout.contains("COUNT"), "{}", table.stdout);
    assert!(table.stdout.contains("closes in"), "{}", table.stdout);
}

/// A seeded resource failure the audit log still holds, on a request failed now.
fn audited_resource_failure(emu: &Emu) -> SeededCause {
    let failed = failed_now(emu);
    emu.causes()
        .into_iter()
        .find(|c| c.kind == "resource" && c.audited && failed.contains(&c.request_id))
        .expect("the seed has an audited resource failure")
}

#[test]
fn show_names_the_undelivered_resource_and_the_reason() {
    let emu = Emu::start();
    let c = audited_resource_failure(&emu);
    let res = c.resource.clone().unwrap();
    let r = run_expect(
        emu.ep()
            .args(["requests", "show", &c.request_id, "-o", "json"]),
        0,
    );
    let doc = r.json();
    assert_eq!(doc["id"], c.request_id.as_str());
    let cause = &doc["delivery"]["cause"];
    assert_eq!(cause["source"], "audit");
    assert_eq!(cause["resource"]["id"], res.id.as_str());
    assert_eq!(cause["resource"]["displayName"], res.display_name.as_str());
    assert_eq!(cause["reason"], normalised(&c).as_str());
    assert_eq!(doc["delivery"]["correlation"], "requestId");
    let resources = doc["delivery"]["resources"].as_array().unwrap();
    let seeded = emu.package_resources(doc["accessPackage"]["id"].as_str().unwrap());
    assert_eq!(resources.len(), seeded.len());
    assert!(
        resources
            .iter()
            .all(|x| x["role"].is_string() && x["kind"].is_string())
    );
    let events = doc["delivery"]["auditEvents"].as_array().unwrap();
    assert!(events.iter().any(|e| e["reason"] == c.reason.as_str()));
    // v1.0 reads each resource's status from beta's resource roles too: the failing one is
    // pending, and nothing is left unread.
    let status = resources
        .iter()
        .find(|x| x["id"] == res.id.as_str())
        .map(|x| x["status"].clone());
    assert_eq!(status, Some(Value::from("PendingFulfillment")));
    assert_eq!(doc["delivery"]["unavailable"], serde_json::json!([]));
    assert_eq!(doc["delivery"]["assignment"]["state"], doc["state"]);
    // For people: the resource, the reason as the service wrote it, and the cause.
    let table = run_expect(emu.ep().args(["requests", "show", &c.request_id]), 0);
    assert!(table.stdout.contains(&res.display_name), "{}", table.stdout);
    assert!(table.stdout.contains(&c.reason), "{}", table.stdout);
    assert!(table.stdout.contains("Cause:"), "{}", table.stdout);
    // beta adds each resource's status: the failing one is pending.
    let beta = run_expect(
        emu.ep().args([
            "--api-version",
            "beta",
            "requests",
            "show",
            &c.request_id,
            "-o",
            "json",
        ]),
        0,
    );
    let doc = beta.json();
    let status = doc["delivery"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == res.id.as_str())
        .map(|x| x["status"].clone());
    assert_eq!(status, Some(Value::from("PendingFulfillment")));
}

#[test]
fn show_degrades_with_a_note_when_the_audit_permission_is_missing() {
    let emu = Emu::start();
    let c = audited_resource_failure(&emu);
    let r = run_expect(emu.ep_reader().args(["requests", "show", &c.request_id]), 0);
    assert!(r.stdout.contains("AuditLog.Read.All"), "{}", r.stdout);
    assert!(r.stdout.contains("not permitted (403"), "{}", r.stdout);
    let res = c.resource.unwrap();
    assert!(
        r.stdout.contains(&res.display_name),
        "expected resources still print"
    );
    let json = run_expect(
        emu.ep_reader()
            .args(["requests", "show", &c.request_id, "-o", "json"]),
        0,
    )
    .json();
    let unavailable = json["delivery"]["unavailable"].as_array().unwrap();
    assert!(unavailable.iter().any(|u| u["source"] == "auditLog"));
    assert_eq!(json["delivery"]["auditEvents"], serde_json::json!([]));
    assert!(!json["delivery"]["resources"].as_array().unwrap().is_empty());
}

/// Reprocessable requests whose window closes within a day, from the seed's timestamps, at `now`.
fn closing_within_a_day(emu: &Emu, now: DateTime<Utc>) -> BTreeSet<String> {
    emu.truth()
        .into_iter()
        .filter(|r| failed(&r.state))
        .filter(|r| {
            r.completed.is_some_and(|c| {
                let closes = c.min(now) + Duration::days(14);
                closes >= now && closes - now <= Duration::days(1)
            })
        })
        .map(|r| r.id)
        .collect()
}

#[test]
fn closing_within_a_day_selects_exactly_the_windows_that_close_within_a_day() {
    let emu = Emu::start();
    let before = closing_within_a_day(&emu, Utc::now());
    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--closing-within",
            "24h",
            "-o",
            "json",
        ]),
        0,
    );
    let after = closing_within_a_day(&emu, Utc::now());
    let listed: BTreeSet<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    // Only a request crossing an edge during the run may be in one and not the other.
    assert!(before.intersection(&after).all(|id| listed.contains(id)));
    assert!(
        listed
            .iter()
            .all(|id| before.contains(id) || after.contains(id))
    );
    assert!(
        !listed.is_empty(),
        "the seed has windows closing within a day"
    );
    let truth = emu.snapshot_by_id();
    for x in r.json().as_array().unwrap() {
        let completed = truth[x["id"].as_str().unwrap()].completed.unwrap();
        let closes: DateTime<Utc> = x["closesAt"].as_str().unwrap().parse().unwrap();
        assert_eq!(closes, completed + Duration::days(14));
    }
    // The same selection for reprocess, in a dry run.
    let before = closing_within_a_day(&emu, Utc::now());
    let plan = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--closing-within",
            "1d",
            "--dry-run",
            "--no-journal",
            "-o",
            "json",
        ]),
        0,
    );
    let after = closing_within_a_day(&emu, Utc::now());
    let planned = crate::common::ids_of(&plan.json(), "would-reprocess");
    assert!(before.intersection(&after).all(|id| planned.contains(id)));
    assert!(
        planned
            .iter()
            .all(|id| before.contains(id) || after.contains(id))
    );
    assert!(
        plan.stderr.contains("closes later than --closing-within"),
        "{}",
        plan.stderr
    );
    // Every listing says when a reprocessable request's window closes.
    let table = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "--reprocessable"]),
        0,
    );
    assert!(table.stdout.contains("yes, closes in"), "{}", table.stdout);
    let ids = run_expect(
        emu.ep().args(["reprocess", "x", "--closing-within", "1d"]),
        2,
    );
    assert!(ids.stderr.contains("--closing-within"), "{}", ids.stderr);
}

#[test]
fn show_ties_events_by_requestor_when_they_do_not_name_the_request_and_shows_failed_callouts() {
    let emu = Emu::with(EmulatorConfig {
        audit_correlation: AuditCorrelation::Requestor,
        ..stable_config()
    });
    let c = audited_resource_failure(&emu);
    let doc = run_expect(
        emu.ep()
            .args(["requests", "show", &c.request_id, "-o", "json"]),
        0,
    )
    .json();
    assert_eq!(doc["delivery"]["correlation"], "requestorPackageTime");
    assert_eq!(
        doc["delivery"]["cause"]["resource"]["id"],
        c.resource.as_ref().unwrap().id.as_str()
    );
    assert_eq!(doc["delivery"]["cause"]["reason"], normalised(&c).as_str());
    let failed = failed_now(&emu);
    let callout = emu
        .causes()
        .into_iter()
        .find(|c| c.kind == "customExtension" && failed.contains(&c.request_id))
        .expect("the seed has a failed callout");
    let table = run_expect(emu.ep().args(["requests", "show", &callout.request_id]), 0);
    assert!(
        table.stdout.contains("Custom extension calls"),
        "{}",
        table.stdout
    );
    assert!(table.stdout.contains(&callout.reason), "{}", table.stdout);
    assert!(
        table.stdout.contains("source: customExtension"),
        "{}",
        table.stdout
    );
    // Issue 20, item 2: an extension that runs once access is granted leaves its calls on the
    // assignment, not the request; the expanded assignment, read in the same call, names it.
    let on_assignment = emu
        .causes()
        .into_iter()
        .filter(|c| c.kind == "customExtension" && failed.contains(&c.request_id))
        .map(|c| {
            let doc = run_expect(
                emu.ep()
                    .args(["requests", "show", &c.request_id, "-o", "json"]),
                0,
            )
            .json();
            (c, doc)
        })
        .find(|(_, doc)| {
            doc["delivery"]["customExtensions"]
                .as_array()
                .unwrap()
                .iter()
                .all(|x| x["status"] != "calloutFailed" && x["status"] != "callbackTimedOut")
        })
        .expect("the seed has a failed assignment-stage callout");
    let (c, doc) = on_assignment;
    let calls = doc["delivery"]["assignment"]["customExtensionCalloutInstances"]
        .as_array()
        .unwrap();
    assert!(
        calls.iter().any(|x| x["detail"] == c.reason.as_str()),
        "{doc}"
    );
    assert_eq!(doc["delivery"]["cause"]["source"], "customExtension");
    assert_eq!(doc["delivery"]["cause"]["reason"], normalised(&c).as_str());
    let table = run_expect(emu.ep().args(["requests", "show", &c.request_id]), 0);
    assert!(table.stdout.contains("assignment"), "{}", table.stdout);
    assert!(table.stdout.contains("Assignment: "), "{}", table.stdout);
}

/// One package's causes cost no more audit queries than the documented five per 10 seconds
/// allow at once, so `requests why --package X` never waits out a window it made itself.
#[test]
fn why_for_any_one_package_reads_the_audit_log_within_one_window() {
    // Each run is a new process with its own pacing; the emulator's bucket, shared by the runs,
    // would only measure how fast they follow each other.
    let emu = Emu::with(EmulatorConfig {
        audit_rate: None,
        ..stable_config()
    });
    let packages: BTreeSet<String> = emu.truth().into_iter().map(|r| r.package_id).collect();
    assert!(packages.len() > 3);
    for package in &packages {
        let before = audit_calls(&emu).len();
        let started = std::time::Instant::now();
        let r = run_expect(
            emu.ep()
                .args(["requests", "why", "--package", package, "-o", "json"]),
            0,
        );
        let failed: BTreeSet<String> = emu
            .truth()
            .into_iter()
            .filter(|s| &s.package_id == package && failed(&s.state))
            .map(|s| s.id)
            .collect();
        assert_partition(&groups_of(&r.json()), &failed);
        let calls = &audit_calls(&emu)[before..];
        assert!(
            calls.len() <= 5,
            "{package}: {} audit queries: {calls:#?}",
            calls.len()
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{package}: {:?}",
            started.elapsed()
        );
    }
}

/// Issue 20, item 3: `show ID` reads the events naming the request (one query, every activity),
/// and only when none does, those of the requestor in the request's time: never one query per
/// activity and time range paging through everyone's events, as `why` does for many requests.
#[test]
fn show_reads_the_audit_log_for_one_request_at_most_once_per_activity() {
    for correlation in [AuditCorrelation::RequestId, AuditCorrelation::Requestor] {
        let emu = Emu::with(EmulatorConfig {
            audit_correlation: correlation,
            page_size: 5,
            ..stable_config()
        });
        let c = audited_resource_failure(&emu);
        let state = emu.snapshot_by_id()[&c.request_id].state.clone();
        let before = audit_calls(&emu).len();
        let doc = run_expect(
            emu.ep()
                .args(["requests", "show", &c.request_id, "-o", "json"]),
            0,
        )
        .json();
        assert_eq!(
            doc["delivery"]["cause"]["resource"]["id"],
            c.resource.as_ref().unwrap().id.as_str(),
            "{correlation:?}: {doc}"
        );
        assert_eq!(doc["delivery"]["cause"]["reason"], normalised(&c).as_str());
        let calls = &audit_calls(&emu)[before..];
        // A failed request's activities: the resource's, and the failed or partial request's.
        let activities = 2;
        assert!(
            calls.len() <= activities,
            "{correlation:?} ({state}): {} audit calls: {calls:#?}",
            calls.len()
        );
        assert!(
            calls.iter().all(|c| c.status == 200
                && c.query
                    .as_deref()
                    .is_some_and(|q| q.contains("targetResources"))),
            "{calls:#?}"
        );
        let want = match correlation {
            AuditCorrelation::RequestId => ("requestId", 1),
            AuditCorrelation::Requestor => ("requestorPackageTime", 2),
        };
        assert_eq!(
            (
                doc["delivery"]["correlation"].as_str().unwrap(),
                calls.len()
            ),
            want
        );
    }
}

/// Issue 20, item 7: Entra documents that a new external user's SharePoint Online site shows as
/// not fully delivered until their account is provisioned in SharePoint Online. `show` says so
/// instead of naming a failure, in v1.0, and `why` groups such requests apart, in both
/// correlation modes.
#[test]
fn a_new_guests_pending_site_is_benign_not_a_failure() {
    for correlation in [AuditCorrelation::RequestId, AuditCorrelation::Requestor] {
        let emu = Emu::with(EmulatorConfig {
            audit_correlation: correlation,
            ..stable_config()
        });
        let failed = failed_now(&emu);
        let guests: Vec<SeededCause> = emu
            .causes()
            .into_iter()
            .filter(|c| c.kind == "guestSite" && failed.contains(&c.request_id))
            .collect();
        assert!(
            !guests.is_empty(),
            "the seed has a new guest's pending site"
        );
        let c = &guests[0];
        let site = c.resource.as_ref().unwrap();
        assert_eq!(site.kind, "SharePointOnline");
        let doc = run_expect(
            emu.ep()
                .args(["requests", "show", &c.request_id, "-o", "json"]),
            0,
        )
        .json();
        let cause = &doc["delivery"]["cause"];
        assert_eq!(cause["reason"], GUEST_SITE, "{correlation:?}: {doc}");
        assert_eq!(cause["resource"]["id"], site.id.as_str());
        let table = run_expect(emu.ep().args(["requests", "show", &c.request_id]), 0);
        assert!(
            table.stdout.contains("reprocess cannot help"),
            "{}",
            table.stdout
        );
        let r = run_expect(
            emu.ep()
                .args(["requests", "why", "--all-packages", "-o", "json"]),
            0,
        );
        let got = groups_of(&r.json());
        assert_eq!(got, expected_v1(&emu, true), "{correlation:?}");
        let ids: BTreeSet<String> = guests.iter().map(|c| c.request_id.clone()).collect();
        let benign: BTreeSet<String> = got
            .iter()
            .filter(|(k, _)| k.2 == GUEST_SITE)
            .flat_map(|(_, ids)| ids.iter().cloned())
            .collect();
        assert_eq!(benign, ids);
    }
}

/// Every failed request lands in the group of its seeded cause in both correlation modes, in
/// v1.0 and with --api-version beta alike: beta changes the calls, not the causes.
#[test]
fn why_finds_the_same_causes_in_both_correlation_modes_and_versions() {
    for correlation in [AuditCorrelation::RequestId, AuditCorrelation::Requestor] {
        let emu = Emu::with(EmulatorConfig {
            audit_correlation: correlation,
            ..stable_config()
        });
        for version in ["v1.0", "beta"] {
            let r = run_expect(
                emu.ep().args([
                    "--api-version",
                    version,
                    "requests",
                    "why",
                    "--all-packages",
                    "-o",
                    "json",
                ]),
                0,
            );
            let got = groups_of(&r.json());
            assert_eq!(
                got,
                expected(&emu, true, true),
                "{correlation:?} {version}: {}",
                r.stderr
            );
            assert_partition(&got, &failed_now(&emu));
        }
    }
}
