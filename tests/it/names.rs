//! Names as people type them: a package by the start of its name, a misspelt one answered with
//! the name it was near (in a form that pastes into a shell), states in the portal's words.

use crate::common::{Emu, run, run_expect, stable_config};
use ep_emulator::EmulatorConfig;
use std::collections::BTreeSet;

fn decoded_queries(emu: &Emu) -> Vec<String> {
    emu.calls()
        .into_iter()
        .filter(|c| c.path.ends_with("/accessPackages"))
        .filter_map(|c| c.query)
        .map(|q| {
            percent_encoding::percent_decode_str(&q)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

fn listed_packages(r: &crate::common::Run) -> BTreeSet<String> {
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x["accessPackage"]["displayName"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn a_unique_prefix_of_a_name_is_the_package_and_ep_says_which() {
    let emu = Emu::start();
    let finance = emu
        .truth()
        .into_iter()
        .find(|t| t.package_name == "Finance Reporting")
        .unwrap()
        .package_id;
    for prefix in ["Finance", "finance rep", "  FIN"] {
        let r = run_expect(
            emu.ep()
                .args(["requests", "list", "--package", prefix, "-o", "json"]),
            0,
        );
        assert_eq!(
            listed_packages(&r),
            BTreeSet::from(["Finance Reporting".to_string()]),
            "{prefix}"
        );
        assert!(
            r.stderr.contains(&format!(
                "using access package 'Finance Reporting' ({finance})"
            )),
            "{prefix}: {}",
            r.stderr
        );
    }
    // Graph documents eq and contains for accessPackage displayName, not startswith.
    let queries = decoded_queries(&emu);
    assert!(
        queries
            .iter()
            .any(|q| q.contains("contains(tolower(displayName),'finance')")),
        "{queries:?}"
    );
    assert!(
        !queries.iter().any(|q| q.contains("startswith")),
        "{queries:?}"
    );

    // The same resolution serves reprocess.
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--package",
            "Finance",
            "--all",
            "--dry-run",
            "-o",
            "json",
        ]),
        0,
    );
    let planned = crate::common::ids_of(&r.json(), "would-reprocess");
    assert_eq!(planned, emu.eligible(Some(&finance)));
}

#[test]
fn an_exact_name_wins_over_longer_names_it_starts() {
    // "Sales Onboarding" is the whole name of two packages: ambiguous as a name, never read as
    // a prefix of something else.
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--package", "sales onboarding"]),
        2,
    );
    assert!(
        r.stderr.contains("2 access packages are named"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_ambiguous_prefix_is_a_usage_error_listing_the_candidates() {
    let emu = Emu::with(EmulatorConfig {
        packages: 12,
        ..stable_config()
    });
    let r = run_expect(emu.ep().args(["requests", "list", "--package", "S"]), 2);
    assert!(
        r.stderr
            .contains("3 access packages have names starting with 'S'"),
        "{}",
        r.stderr
    );
    let truth = emu.truth();
    for name in ["Sales Onboarding", "Support Escalations"] {
        for t in truth.iter().filter(|t| t.package_name == name) {
            assert!(
                r.stderr.contains(&format!("{}  {name}", t.package_id)),
                "{name}:\n{}",
                r.stderr
            );
        }
    }
    assert!(r.stdout.is_empty());
}

#[test]
fn a_misspelt_name_is_exit_4_with_the_near_name_ready_to_paste() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--package", "Finanse Reporting"]),
        4,
    );
    assert!(
        r.stderr
            .contains("no access package named 'Finanse Reporting'"),
        "{}",
        r.stderr
    );
    let hint = r
        .stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("hint: did you mean "))
        .unwrap_or_else(|| panic!("a suggestion:\n{}", r.stderr))
        .to_string();
    assert_eq!(hint, "--package \"Finance Reporting\"");
    assert!(!r.stderr.contains("''"), "{}", r.stderr);

    // Pasted into bash as it is, the suggestion lists the package.
    let ep = emu.ep_process();
    let mut bash = std::process::Command::new("/bin/bash");
    bash.env_clear();
    for (k, v) in ep.get_envs() {
        if let Some(v) = v {
            bash.env(k, v);
        }
    }
    bash.env("EP", ep.get_program())
        .arg("-c")
        .arg(format!("\"$EP\" requests list {hint} -o json"));
    let pasted = run_expect(&mut assert_cmd::Command::from_std(bash), 0);
    assert_eq!(
        listed_packages(&pasted),
        BTreeSet::from(["Finance Reporting".to_string()])
    );
}

#[test]
fn a_name_with_nothing_near_points_at_a_search_without_nested_quotes() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--package", "Payroll Approvals"]),
        4,
    );
    assert!(
        r.stderr
            .contains("those containing 'Payroll': ep packages list --search Payroll"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("did you mean"), "{}", r.stderr);
    // A fragment of a name is near it too.
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "--package", "Reporting", "--all", "--yes"]),
        4,
    );
    assert!(
        r.stderr
            .contains("did you mean --package \"Finance Reporting\""),
        "{}",
        r.stderr
    );
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn states_take_the_portals_words_and_failed_means_both_failed_states() {
    let emu = Emu::start();
    let states = |r: &crate::common::Run| -> BTreeSet<String> {
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["state"].as_str().unwrap().to_string())
            .collect()
    };
    let list = |state: &str| {
        run_expect(
            emu.ep().args([
                "requests",
                "list",
                "--all-packages",
                "--state",
                state,
                "-o",
                "json",
            ]),
            0,
        )
    };
    assert_eq!(
        states(&list("Delivery failed")),
        BTreeSet::from(["deliveryFailed".to_string()])
    );
    assert_eq!(
        states(&list("Partially delivered,DELIVERED")),
        BTreeSet::from(["partiallyDelivered".to_string(), "delivered".to_string()])
    );
    let failed = list("failed");
    assert_eq!(
        states(&failed),
        BTreeSet::from([
            "deliveryFailed".to_string(),
            "partiallyDelivered".to_string()
        ])
    );
    let truth_failed = emu
        .truth()
        .iter()
        .filter(|t| t.state == "deliveryFailed" || t.state == "partiallyDelivered")
        .count();
    assert_eq!(failed.json().as_array().unwrap().len(), truth_failed);

    let r = run(emu
        .ep()
        .args(["requests", "list", "--all-packages", "--state", "delivred"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("--state: 'delivred' is not a request state"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: did you mean delivered"),
        "{}",
        r.stderr
    );
}
