//! `ep packages list`, `ep requests list` and `ep requests show` against the real emulator.

use crate::common::{Emu, bare_ep, run_expect};
use std::collections::BTreeSet;

#[test]
fn packages_list_json_has_ids_names_and_catalogs() {
    let emu = Emu::start();
    let r = run_expect(emu.ep().args(["packages", "list", "-o", "json"]), 0);
    let packages = r.json();
    let packages = packages.as_array().unwrap();
    assert!(packages.len() >= 6, "{packages:?}");
    let sales: Vec<_> = packages
        .iter()
        .filter(|p| p["displayName"] == "Sales Onboarding")
        .collect();
    assert_eq!(sales.len(), 2, "two packages share the name");
    assert_ne!(
        sales[0]["catalog"]["displayName"],
        sales[1]["catalog"]["displayName"]
    );
    for p in packages {
        assert!(uuid_like(p["id"].as_str().unwrap()), "{p}");
        assert!(p["catalog"]["id"].is_string(), "catalog expanded: {p}");
    }
}

#[test]
fn packages_search_is_case_insensitive_substring() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["packages", "list", "--search", "sALES", "-o", "json"]),
        0,
    );
    let names: BTreeSet<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["displayName"].as_str().unwrap().to_string())
        .collect();
    assert!(!names.is_empty());
    assert!(
        names.iter().all(|n| n.to_lowercase().contains("sales")),
        "{names:?}"
    );
}

#[test]
fn ambiguous_package_name_is_exit_2_listing_each_candidate() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--package", "Sales Onboarding"]),
        2,
    );
    let ids: BTreeSet<String> = emu
        .truth()
        .into_iter()
        .filter(|t| t.package_name == "Sales Onboarding")
        .map(|t| t.package_id)
        .collect();
    assert_eq!(ids.len(), 2);
    for id in ids {
        assert!(
            r.stderr.contains(&id),
            "candidate {id} listed:\n{}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("catalog"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn unknown_package_name_is_exit_4_with_a_hint() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--package", "No Such Package"]),
        4,
    );
    assert!(
        r.stderr
            .contains("no access package named 'No Such Package'"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
    let unknown_id = "00000000-0000-4000-8000-000000000000";
    run_expect(
        emu.ep().args(["requests", "list", "--package", unknown_id]),
        4,
    );
}

#[test]
fn package_name_with_an_apostrophe_is_escaped_in_the_filter() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--package",
            "Partners' Portal",
            "-o",
            "json",
        ]),
        0,
    );
    let rows = r.json();
    let rows = rows.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|x| x["accessPackage"]["displayName"] == "Partners' Portal")
    );
}

#[test]
fn reprocessable_json_is_exactly_what_the_14_day_rule_allows() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--package",
            &package,
            "--reprocessable",
            "-o",
            "json",
        ]),
        0,
    );
    let got: BTreeSet<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(x["reprocessable"], true);
            assert!(x["reason"].is_null());
            x["id"].as_str().unwrap().to_string()
        })
        .collect();
    let want = emu.eligible(Some(&package));
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

#[test]
fn every_listed_request_matches_the_truth_field_by_field() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--package", &package, "-o", "json"]),
        0,
    );
    let rows = r.json();
    let rows = rows.as_array().unwrap();
    let truth: Vec<_> = emu
        .truth()
        .into_iter()
        .filter(|t| t.package_id == package)
        .collect();
    assert_eq!(
        rows.len(),
        truth.len(),
        "every request of the package, once"
    );
    let eligible = emu.eligible(Some(&package));
    let mut previous_latest: Option<String> = None;
    for row in rows {
        let id = row["id"].as_str().unwrap();
        let t = truth.iter().find(|t| t.id == id).expect("listed id exists");
        assert_eq!(row["state"], t.state.as_str(), "{id}");
        assert_eq!(row["accessPackage"]["id"], package.as_str());
        assert_eq!(row["accessPackage"]["displayName"], "Sales Onboarding");
        assert_eq!(row["requestor"]["displayName"], t.requestor_name.as_str());
        for key in ["principalName", "email", "objectId"] {
            assert!(
                row["requestor"].get(key).is_some(),
                "requestor.{key} present: {row}"
            );
        }
        assert!(row["status"].is_string());
        assert!(row["requestType"].is_string());
        let created = row["createdDateTime"].as_str().unwrap();
        assert!(created.ends_with('Z'), "RFC 3339 UTC: {created}");
        assert_eq!(
            chrono::DateTime::parse_from_rfc3339(created).unwrap(),
            t.created,
            "created time survives 0-7 fraction digits"
        );
        match (&t.completed, row["completedDateTime"].as_str()) {
            (Some(c), Some(s)) => assert_eq!(chrono::DateTime::parse_from_rfc3339(s).unwrap(), *c),
            (None, None) => {}
            other => panic!("completed mismatch for {id}: {other:?}"),
        }
        let reprocessable = eligible.contains(id);
        assert_eq!(row["reprocessable"], reprocessable, "{id}");
        if reprocessable {
            assert!(row["reason"].is_null());
        } else {
            let reason = row["reason"]
                .as_str()
                .expect("ineligible rows carry a reason");
            let expected_start = if t.waiting_stage.is_some() {
                // Held by a custom extension: said before the state, which alone misleads.
                "waiting on callback".into()
            } else if t.state != "deliveryFailed" && t.state != "partiallyDelivered" {
                format!("state {}", t.state)
            } else if t.completed.is_none() {
                "no completion time".into()
            } else {
                "completed ".into()
            };
            assert!(reason.starts_with(&expected_start), "{id}: {reason}");
        }
        // Newest first by what the table shows: completion, else creation.
        let latest = row["completedDateTime"].as_str().unwrap_or(created);
        if let Some(prev) = &previous_latest {
            let p = chrono::DateTime::parse_from_rfc3339(prev).unwrap();
            let c = chrono::DateTime::parse_from_rfc3339(latest).unwrap();
            assert!(p >= c, "newest first");
        }
        previous_latest = Some(latest.to_string());
    }
}

#[test]
fn the_14_day_edge_requests_fall_on_the_right_sides() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--package", &package, "-o", "json"]),
        0,
    );
    let now = chrono::Utc::now();
    let rows = r.json();
    let mut inside = 0;
    let mut outside = 0;
    for row in rows.as_array().unwrap() {
        let Some(done) = row["completedDateTime"].as_str() else {
            continue;
        };
        let failed = row["state"] == "deliveryFailed" || row["state"] == "partiallyDelivered";
        let age = now
            - chrono::DateTime::parse_from_rfc3339(done)
                .unwrap()
                .with_timezone(&chrono::Utc);
        if failed
            && age > chrono::Duration::days(13) + chrono::Duration::hours(22)
            && age < chrono::Duration::days(14)
        {
            assert_eq!(row["reprocessable"], true, "13d23h is inside: {row}");
            inside += 1;
        }
        if failed
            && age > chrono::Duration::days(14)
            && age < chrono::Duration::days(14) + chrono::Duration::hours(2)
        {
            assert_eq!(row["reprocessable"], false, "14d1h is outside: {row}");
            assert!(row["reason"].as_str().unwrap().contains("window 14d"));
            outside += 1;
        }
    }
    assert!(
        inside >= 1 && outside >= 1,
        "seed covers both sides ({inside}, {outside})"
    );
}

#[test]
fn paging_follows_next_links_and_yields_each_request_once() {
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        page_size: 7,
        ..crate::common::stable_config()
    });
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "-o", "ids"]),
        0,
    );
    let ids: Vec<&str> = r.stdout.lines().collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "no duplicates across pages");
    assert_eq!(unique.len(), emu.truth().len());
    let pages = emu
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/assignmentRequests") && c.method == "GET")
        .count();
    assert!(pages >= emu.truth().len() / 7, "followed {pages} pages");
    assert!(
        emu.calls()
            .iter()
            .any(|c| c.query.as_deref().unwrap_or("").contains("skiptoken")),
        "later pages come from the server's nextLink"
    );
}

#[test]
fn state_filter_and_stream_formats() {
    let emu = Emu::start();
    let want: BTreeSet<String> = emu
        .truth()
        .into_iter()
        .filter(|t| t.state == "deliveryFailed")
        .map(|t| t.id)
        .collect();
    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--state",
            "DeliveryFailed",
            "-o",
            "ndjson",
        ]),
        0,
    );
    let got: BTreeSet<String> = r
        .stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert_eq!(v["state"], "deliveryFailed");
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(got, want);

    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--state",
            "deliveryFailed",
            "-o",
            "csv",
        ]),
        0,
    );
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    assert!(headers.iter().any(|h| h == "reprocessable"));
    assert!(headers.iter().any(|h| h == "reason"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), want.len());
    assert!(rows.iter().all(|row| &row[1] == "deliveryFailed"));
}

#[test]
fn unknown_state_is_a_usage_error_naming_the_states() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "--state", "broken"]),
        2,
    );
    assert!(r.stderr.contains("deliveryFailed"), "{}", r.stderr);
    assert!(emu.calls().is_empty(), "nothing was called");
}

#[test]
fn table_output_is_for_people() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let r = run_expect(
        emu.ep().args(["requests", "list", "--package", &package]),
        0,
    );
    assert!(r.stdout.contains("ELIGIBLE"), "{}", r.stdout);
    assert!(r.stdout.contains("no: completed"), "{}", r.stdout);
    assert!(
        r.stderr.contains("reprocessable"),
        "summary on stderr: {}",
        r.stderr
    );
    assert!(
        !r.stdout.contains('\u{1b}'),
        "no colour when not a terminal"
    );
}

#[test]
fn show_one_request_in_json_and_table() {
    let emu = Emu::start();
    let t = emu
        .truth()
        .into_iter()
        .find(|t| t.state == "deliveryFailed")
        .unwrap();
    let r = run_expect(emu.ep().args(["requests", "show", &t.id, "-o", "json"]), 0);
    let v = r.json();
    assert_eq!(v["id"], t.id.as_str());
    assert_eq!(v["state"], "deliveryFailed");
    assert_eq!(v["accessPackage"]["id"], t.package_id.as_str());
    let r = run_expect(emu.ep().args(["requests", "show", &t.id]), 0);
    assert!(r.stdout.contains(&t.requestor_name), "{}", r.stdout);
}

#[test]
fn show_unknown_is_4_and_malformed_is_2_without_a_call() {
    let emu = Emu::start();
    run_expect(
        emu.ep()
            .args(["requests", "show", "00000000-0000-4000-8000-000000000001"]),
        4,
    );
    let before = emu.calls().len();
    let r = run_expect(emu.ep().args(["requests", "show", "not-a-guid"]), 2);
    assert!(r.stderr.contains("not a valid request id"), "{}", r.stderr);
    assert_eq!(emu.calls().len(), before);
}

#[test]
fn beta_lists_the_same_requests_in_the_v1_vocabulary() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let list = |extra: &[&str]| {
        let mut args = vec![
            "requests",
            "list",
            "--package",
            package.as_str(),
            "--reprocessable",
            "-o",
            "json",
        ];
        args.extend_from_slice(extra);
        let r = run_expect(emu.ep().args(&args), 0);
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let state = x["state"].as_str().unwrap();
                assert!(
                    state == "deliveryFailed" || state == "partiallyDelivered",
                    "{state}"
                );
                assert!(
                    x["completedDateTime"].is_string(),
                    "completedDate read as completedDateTime"
                );
                x["id"].as_str().unwrap().to_string()
            })
            .collect::<BTreeSet<_>>()
    };
    let want = emu.eligible(Some(&package));
    assert_eq!(list(&["--api-version", "beta"]), want);
    assert_eq!(list(&["--api-version", "beta", "--legacy-beta-path"]), want);
    assert!(
        emu.calls().iter().any(|c| c.path.starts_with("/beta/")
            && c.path.ends_with("/accessPackageAssignmentRequests"))
    );
    assert!(
        emu.calls()
            .iter()
            .any(|c| c.path.starts_with("/beta/") && c.path.ends_with("/assignmentRequests"))
    );
}

#[test]
fn only_documented_filters_are_sent_one_state_query_each() {
    // A strict server refuses and/or combinations; ep must not need any.
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        strict_filters: true,
        ..crate::common::stable_config()
    });
    let package = emu.edge_package();
    let list = |scope: &[&str]| -> BTreeSet<String> {
        let mut args = vec!["requests", "list"];
        args.extend_from_slice(scope);
        args.extend_from_slice(&["--reprocessable", "-o", "ids"]);
        let r = run_expect(emu.ep().args(&args), 0);
        r.stdout.lines().map(str::to_string).collect()
    };
    assert_eq!(list(&["--package", &package]), emu.eligible(Some(&package)));
    assert_eq!(list(&["--all-packages"]), emu.eligible(None));
    let calls = emu.calls();
    assert!(
        calls.iter().all(|c| c.status != 400),
        "no filter was refused"
    );
    let filters: Vec<String> = calls
        .iter()
        .filter(|c| c.path.ends_with("/assignmentRequests"))
        .filter_map(|c| c.query.clone())
        .filter_map(|q| {
            q.split('&')
                .find_map(|p| p.strip_prefix("$filter=").map(str::to_string))
        })
        .map(|f| f.replace("%20", " ").replace("%27", "'"))
        .collect();
    assert!(
        filters
            .iter()
            .all(|f| !f.contains(" and ") && !f.contains(" or ")),
        "{filters:?}"
    );
    for want in [
        format!("accessPackage/id eq '{package}'"),
        "state eq 'deliveryFailed'".to_string(),
        "state eq 'partiallyDelivered'".to_string(),
    ] {
        assert!(filters.contains(&want), "{want} not in {filters:?}");
    }
}

#[test]
fn a_server_refusing_the_state_filter_is_listed_unfiltered() {
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        refuse_state_filter: true,
        ..crate::common::stable_config()
    });
    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--reprocessable",
            "-o",
            "ids",
        ]),
        0,
    );
    let got: BTreeSet<String> = r.stdout.lines().map(str::to_string).collect();
    assert_eq!(got, emu.eligible(None));
    assert!(
        emu.calls().iter().any(|c| c.status == 400),
        "the state filter was refused first"
    );
}

#[test]
fn demo_mode_needs_no_tenant_and_says_so() {
    let r = run_expect(
        bare_ep().args([
            "--demo",
            "requests",
            "list",
            "--all-packages",
            "--reprocessable",
            "-o",
            "json",
        ]),
        0,
    );
    assert!(r.stderr.contains("--demo"), "{}", r.stderr);
    assert!(!r.json().as_array().unwrap().is_empty());
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

/// Issue 20, item 5: Graph returns enum members added after `unknownFutureValue` only to
/// callers sending `Prefer: include-unknown-enum-members`. ep asks for them on every call, in
/// `$batch` sub-requests too, and shows them as they come.
#[test]
fn new_enum_members_are_asked_for_and_shown_as_they_come() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "-o", "json"]),
        0,
    );
    let rows = r.json();
    let approver_remove: Vec<&serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["requestType"] == "approverRemove")
        .collect();
    assert_eq!(
        approver_remove.len(),
        1,
        "the seeded approverRemove request"
    );
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|row| row["requestType"] != "unknownFutureValue")
    );
    let id = approver_remove[0]["id"].as_str().unwrap();
    let r = run_expect(emu.ep().args(["requests", "show", id, "-o", "json"]), 0);
    assert!(r.stdout.contains("approverRemove"), "{}", r.stdout);
}
