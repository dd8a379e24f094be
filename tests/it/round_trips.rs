//! What ep prints, ep reads: every machine format of a listing piped into `ep reprocess -`, and
//! `--query` / `-o tsv` shaping what is printed as az does.

use crate::common::{Emu, Run, ids_of, run, run_expect};
use std::collections::BTreeSet;

fn reprocessable(emu: &Emu, format: &str) -> Run {
    run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--reprocessable",
            "-o",
            format,
        ]),
        0,
    )
}

/// `ep reprocess - --dry-run -o json` fed `input`: the ids it would reprocess.
fn planned_from_stdin(emu: &Emu, input: &str) -> BTreeSet<String> {
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "-", "--dry-run", "-o", "json"])
            .write_stdin(input),
        0,
    );
    ids_of(&r.json(), "would-reprocess")
}

#[test]
fn every_machine_format_of_a_listing_pipes_into_reprocess() {
    let emu = Emu::start();
    let eligible = emu.eligible(None);
    assert!(eligible.len() > 3);
    for format in ["csv", "json", "ndjson", "tsv", "ids"] {
        let listed = reprocessable(&emu, format);
        assert_eq!(
            planned_from_stdin(&emu, &listed.stdout),
            eligible,
            "-o {format}:\n{}",
            listed.stdout
        );
    }
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn a_reprocess_summary_pipes_into_the_next_reprocess() {
    let emu = Emu::start();
    let eligible = emu.eligible(None);
    let plan = run_expect(
        emu.ep()
            .args(["reprocess", "--all-failed", "--dry-run", "-o", "json"]),
        0,
    );
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "-", "--yes", "-o", "json"])
            .write_stdin(plan.stdout.as_str()),
        0,
    );
    let sent = ids_of(&r.json(), "reprocessed");
    assert_eq!(sent, eligible);
    assert_eq!(
        emu.accepted_reprocess_ids()
            .into_iter()
            .collect::<BTreeSet<_>>(),
        sent
    );
}

#[test]
fn stdin_that_is_json_without_ids_is_a_usage_error_before_any_call() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "-", "--yes"])
            .write_stdin("[{\"displayName\": \"x\"}]\n"),
        2,
    );
    assert!(
        r.stderr
            .contains("stdin JSON document 1: item 1 has no \"id\" string"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
    let r = run_expect(
        emu.ep()
            .args(["reprocess", "-", "--yes"])
            .write_stdin("id,state\nnot-a-guid,deliveryFailed\n"),
        2,
    );
    assert!(
        r.stderr.contains("stdin line 2: 'not-a-guid'"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn tsv_is_the_csv_columns_without_a_header_in_the_tables_order() {
    let emu = Emu::start();
    let csv = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--package",
            "Finance Reporting",
            "-o",
            "csv",
        ]),
        0,
    );
    let tsv = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--package",
            "Finance Reporting",
            "-o",
            "tsv",
        ]),
        0,
    );
    let json = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--package",
            "Finance Reporting",
            "-o",
            "json",
        ]),
        0,
    );
    let columns = csv.stdout.lines().next().unwrap().split(',').count();
    let rows: Vec<Vec<&str>> = tsv
        .stdout
        .lines()
        .map(|l| l.split('\t').collect())
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.len() == columns), "{}", tsv.stdout);
    assert!(!tsv.stdout.contains("requestorDisplayName"), "no header");
    let json_ids: Vec<String> = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    let tsv_ids: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(tsv_ids, json_ids);
    let json_states: Vec<String> = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["state"].as_str().unwrap().to_string())
        .collect();
    let tsv_states: Vec<&str> = rows.iter().map(|r| r[1]).collect();
    assert_eq!(tsv_states, json_states);
}

#[test]
fn ids_come_in_the_order_of_the_table_and_json() {
    let emu = Emu::start();
    let json = reprocessable(&emu, "json");
    let json_ids: Vec<String> = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    let ids = reprocessable(&emu, "ids");
    assert_eq!(ids.stdout.lines().collect::<Vec<_>>(), json_ids);
    // Newest first, as the contract says of the listing: by completion (what the table's
    // COMPLETED shows), else by creation.
    let newest: Vec<chrono::DateTime<chrono::Utc>> = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let at = x["completedDateTime"]
                .as_str()
                .or_else(|| x["createdDateTime"].as_str())
                .unwrap();
            chrono::DateTime::parse_from_rfc3339(at).unwrap().into()
        })
        .collect();
    let mut sorted = newest.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(newest, sorted);
}

#[test]
fn query_picks_fields_as_json_or_as_tsv() {
    let emu = Emu::start();
    let eligible = emu.eligible(None);
    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--query",
            "[?reprocessable].id",
        ]),
        0,
    );
    let picked: BTreeSet<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(picked, eligible);
    assert!(!r.stderr.contains("request(s)"), "{}", r.stderr);
    // And what it printed is a list ep reads back.
    assert_eq!(planned_from_stdin(&emu, &r.stdout), eligible);

    let r = run_expect(
        emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--query",
            "[?reprocessable].[id, state]",
            "-o",
            "tsv",
        ]),
        0,
    );
    let mut ids = BTreeSet::new();
    for line in r.stdout.lines() {
        let (id, state) = line.split_once('\t').unwrap();
        assert!(
            state == "deliveryFailed" || state == "partiallyDelivered",
            "{line}"
        );
        ids.insert(id.to_string());
    }
    assert_eq!(ids, eligible);

    let r = run_expect(
        emu.ep().args([
            "packages",
            "list",
            "--query",
            "[?starts_with(displayName, 'Sales')].displayName",
            "-o",
            "tsv",
        ]),
        0,
    );
    assert_eq!(r.stdout, "Sales Onboarding\nSales Onboarding\n");
    let r = run_expect(
        emu.ep()
            .args(["packages", "list", "--query", "length(@)", "-o", "json"]),
        0,
    );
    assert_eq!(r.stdout.trim(), "6");
}

#[test]
fn query_shapes_the_reprocess_summary() {
    let emu = Emu::start();
    let eligible = emu.eligible(None);
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--dry-run",
            "--query",
            "counts.wouldReprocess",
        ]),
        0,
    );
    assert_eq!(r.stdout.trim(), eligible.len().to_string());
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--dry-run",
            "-o",
            "tsv",
            "--query",
            "results[?outcome=='would-reprocess'].[id, outcome]",
        ]),
        0,
    );
    let planned: BTreeSet<String> = r
        .stdout
        .lines()
        .map(|l| l.strip_suffix("\twould-reprocess").unwrap().to_string())
        .collect();
    assert_eq!(planned, eligible);
}

#[test]
fn a_query_that_fails_on_the_summary_keeps_the_runs_exit_code() {
    let emu = Emu::start();
    let eligible = emu.eligible(None);
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--yes",
            "--query",
            "sum(results)",
        ]),
        0,
    );
    assert!(
        r.stderr.contains("--query failed on the output:"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.accepted_reprocess_ids().len(), eligible.len());
    // On a listing, the same failure is a usage error.
    let r = run_expect(emu.ep().args(["packages", "list", "--query", "sum(@)"]), 2);
    assert!(
        r.stderr.contains("--query failed on the output:"),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_queries_and_formats_that_cannot_carry_one_are_usage_errors() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "--query", "[?id=="]),
        2,
    );
    let first = r.stderr.lines().next().unwrap();
    assert!(first.contains("--query: "), "{}", r.stderr);
    assert!(
        r.stderr.contains("hint: a JMESPath expression"),
        "{}",
        r.stderr
    );
    for format in ["csv", "ids", "ndjson", "markdown"] {
        let r = run(emu
            .ep()
            .args(["packages", "list", "--query", "[].id", "-o", format]));
        assert_eq!(r.code, 2, "{format}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "--query prints JSON or tab-separated values, not {format}"
            )),
            "{}",
            r.stderr
        );
    }
    // Nothing was listed for any of them.
    assert!(
        emu.calls()
            .iter()
            .all(|c| !c.path.ends_with("/accessPackages")
                && !c.path.ends_with("/assignmentRequests")),
        "{:?}",
        emu.calls().iter().map(|c| &c.path).collect::<Vec<_>>()
    );
}

#[test]
fn single_documents_take_a_query_and_tsv_too() {
    let emu = Emu::start();
    let id = emu.eligible(None).into_iter().next().unwrap();
    let r = run_expect(
        emu.ep().args([
            "requests",
            "show",
            &id,
            "--query",
            "{id: id, state: state}",
            "-o",
            "tsv",
        ]),
        0,
    );
    let line = r.stdout.trim_end();
    let (shown, state) = line.split_once('\t').unwrap();
    assert_eq!(shown, id);
    assert!(
        state == "deliveryFailed" || state == "partiallyDelivered",
        "{line}"
    );
    let r = run_expect(
        emu.ep()
            .args(["auth", "status", "--query", "tenant", "-o", "tsv"]),
        0,
    );
    assert_eq!(r.stdout, format!("{}\n", ep_emulator::DEMO.tenant_id));
}

/// At a terminal the default is a table; a query prints JSON there too.
#[cfg(unix)]
#[test]
fn at_a_terminal_a_query_prints_json_not_a_table() {
    use rexpect::session::spawn_command;
    let emu = Emu::start();
    let count = emu
        .truth()
        .iter()
        .filter(|t| t.package_name == "Finance Reporting")
        .count();
    let mut cmd = emu.ep_process();
    cmd.env("TERM", "xterm-256color").args([
        "requests",
        "list",
        "--package",
        "Finance",
        "--query",
        "{count: length(@), first: [0].accessPackage.displayName}",
    ]);
    let mut p = spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("using access package 'Finance Reporting'")
        .unwrap();
    p.exp_string(&format!("\"count\": {count}")).unwrap();
    p.exp_string("\"first\": \"Finance Reporting\"").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("REQUEST"), "{rest}");
}
