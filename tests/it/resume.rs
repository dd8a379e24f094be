//! `ep resume` and `requests list --waiting` against the emulator: requests held by a custom
//! extension, the body Graph documents, the journal, exit codes; and requestors that are agents.

use crate::common::{Emu, run, run_expect};
use serde_json::Value;
use std::collections::BTreeSet;

/// The emulator's ground truth: requests still waiting on a callback, by id, with their stage.
fn waiting_truth(emu: &Emu) -> Vec<(String, String)> {
    emu.truth()
        .into_iter()
        .filter_map(|r| r.waiting_stage.map(|s| (r.id, s)))
        .collect()
}

fn resume_posts(emu: &Emu) -> Vec<ep_emulator::RecordedCall> {
    emu.calls()
        .into_iter()
        .filter(|c| c.method == "POST" && c.path.ends_with("/resume"))
        .collect()
}

/// What `requests list --waiting -o json` says about each waiting request: its callout id.
fn listed_callouts(emu: &Emu) -> Vec<(String, String)> {
    let listed = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "--waiting"])
            .args(["-o", "json"]),
        0,
    )
    .json();
    listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["waitingOnCallback"]["calloutId"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn waiting_lists_exactly_the_requests_held_by_a_callback() {
    let emu = Emu::start();
    let truth = waiting_truth(&emu);
    assert_eq!(truth.len(), 2, "the seed holds one per stage");
    let listed: BTreeSet<String> = listed_callouts(&emu)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let expected: BTreeSet<String> = truth.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(listed, expected);
    // A plain listing shows them as not reprocessable, says why, and counts them apart.
    let all = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "--full-ids"]),
        0,
    );
    for (id, _) in &truth {
        let line = all
            .stdout
            .lines()
            .find(|l| l.contains(id.as_str()))
            .unwrap();
        assert!(line.contains("waiting on callback"), "{line}");
    }
    assert!(
        all.stderr
            .contains("2 request(s) wait on a custom extension's callback"),
        "{}",
        all.stderr
    );
}

#[test]
fn a_dry_run_plans_each_waiting_request_and_sends_nothing() {
    let emu = Emu::start();
    let ids: Vec<String> = waiting_truth(&emu).into_iter().map(|(id, _)| id).collect();
    let out = run_expect(
        emu.ep()
            .arg("resume")
            .args(&ids)
            .args(["--dry-run", "-o", "json"]),
        0,
    )
    .json();
    assert_eq!(out["dryRun"], true);
    assert_eq!(out["counts"]["wouldResume"], 2);
    assert!(resume_posts(&emu).is_empty());
    assert_eq!(waiting_truth(&emu).len(), 2);
}

#[test]
fn resume_sends_the_documented_body_journals_it_and_a_rerun_sends_nothing() {
    let emu = Emu::start();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("journal.ndjson");
    let truth = waiting_truth(&emu);
    let callouts = listed_callouts(&emu);
    let ids: Vec<&str> = truth.iter().map(|(id, _)| id.as_str()).collect();
    let out = run_expect(
        emu.ep()
            .arg("resume")
            .args(&ids)
            .args(["--detail", "checked by the tests", "-o", "json"])
            .arg("--journal")
            .arg(&journal),
        0,
    )
    .json();
    assert_eq!(out["counts"]["resumed"], 2, "{out}");
    let posts = resume_posts(&emu);
    assert_eq!(posts.len(), 2);
    for (id, stage) in &truth {
        let post = posts.iter().find(|p| p.path.contains(id.as_str())).unwrap();
        assert_eq!(post.status, 204);
        let body = post.body.clone().unwrap();
        let callout = &callouts.iter().find(|(i, _)| i == id).unwrap().1;
        assert_eq!(body["source"], "ep");
        assert_eq!(
            body["type"],
            format!("microsoft.graph.accessPackageCustomExtensionStage.{stage}")
        );
        assert_eq!(
            body["data"]["@odata.type"],
            "microsoft.graph.accessPackageAssignmentRequestCallbackData"
        );
        assert_eq!(body["data"]["stage"], stage.as_str());
        assert_eq!(body["data"]["customExtensionStageInstanceId"], *callout);
        assert_eq!(
            body["data"]["customExtensionStageInstanceDetail"],
            "checked by the tests"
        );
        assert!(body["data"].get("state").is_none());
    }
    assert!(waiting_truth(&emu).is_empty());
    let text = std::fs::read_to_string(&journal).unwrap();
    let resumed: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|e: &Value| e["action"] == "resume" && e["outcome"] == "reprocessed")
        .collect();
    assert_eq!(resumed.len(), 2, "{text}");

    // Nothing waits any more: skipped with the reason, nothing sent, exit 0.
    let again = run_expect(
        emu.ep()
            .arg("resume")
            .args(&ids)
            .args(["-o", "json", "--journal"])
            .arg(&journal),
        0,
    )
    .json();
    assert_eq!(again["counts"]["skipped"], 2);
    assert!(
        again["results"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("not waiting"),
        "{again}"
    );
    assert_eq!(resume_posts(&emu).len(), 2);
}

#[test]
fn deny_applies_only_at_the_request_created_stage() {
    let emu = Emu::start();
    let truth = waiting_truth(&emu);
    let created = &truth
        .iter()
        .find(|(_, s)| s == "assignmentRequestCreated")
        .unwrap()
        .0;
    let approved = &truth
        .iter()
        .find(|(_, s)| s == "assignmentRequestApproved")
        .unwrap()
        .0;
    let out = run_expect(
        emu.ep()
            .args(["resume", created.as_str(), approved.as_str(), "--deny"])
            .args(["--no-journal", "-o", "json"]),
        0,
    )
    .json();
    assert_eq!(out["counts"]["resumed"], 1, "{out}");
    assert_eq!(out["counts"]["skipped"], 1, "{out}");
    let posts = resume_posts(&emu);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].body.as_ref().unwrap()["data"]["state"], "denied");
    let by_id = emu.snapshot_by_id();
    assert_eq!(by_id[created.as_str()].state, "denied");
    assert_eq!(
        by_id[approved.as_str()].waiting_stage.as_deref(),
        Some("assignmentRequestApproved")
    );
}

#[test]
fn exit_codes_follow_reprocess() {
    let emu = Emu::start();
    // Nothing selected, or a stage that does not exist: usage errors before any sign-in.
    let bare = run_expect(emu.ep().arg("resume"), 2);
    assert!(
        bare.stderr.contains("nothing selected to resume"),
        "{}",
        bare.stderr
    );
    assert!(bare.stderr.contains("hint:"), "{}", bare.stderr);
    let id = waiting_truth(&emu)[0].0.clone();
    run_expect(emu.ep().args(["resume", &id, "--stage", "later"]), 2);
    run_expect(emu.ep().args(["resume", "not-a-guid"]), 2);
    // An unknown request is not found (4); with one resumed beside it, a partial failure (1).
    let unknown = "0f0e0d0c-0b0a-4000-8000-000000000001";
    let out = run_expect(
        emu.ep()
            .args(["resume", unknown, "--no-journal", "-o", "json"]),
        4,
    )
    .json();
    assert_eq!(out["results"][0]["error"]["status"], 404);
    run_expect(emu.ep().args(["resume", unknown, &id, "--no-journal"]), 1);
    assert_eq!(resume_posts(&emu).len(), 1);
    // A request that is not waiting is skipped, not failed: exit 0.
    let delivered = emu
        .truth()
        .into_iter()
        .find(|r| r.state == "delivered")
        .unwrap();
    run_expect(emu.ep().args(["resume", &delivered.id, "--no-journal"]), 0);
}

#[test]
fn a_wrong_stage_is_graphs_to_refuse_and_fails_that_request() {
    let emu = Emu::start();
    let (id, _) = waiting_truth(&emu)
        .into_iter()
        .find(|(_, s)| s == "assignmentRequestCreated")
        .unwrap();
    let out = run_expect(
        emu.ep().args([
            "resume",
            &id,
            "--stage",
            "granted",
            "--no-journal",
            "-o",
            "json",
        ]),
        1,
    )
    .json();
    assert_eq!(out["results"][0]["outcome"], "failed");
    assert_eq!(out["results"][0]["error"]["status"], 400);
    assert_eq!(waiting_truth(&emu).len(), 2, "nothing changed");
}

#[test]
fn agents_are_shown_as_what_they_are_in_listings_and_plans() {
    let emu = Emu::start();
    let agents: Vec<ep_emulator::SeededRequest> = emu
        .truth()
        .into_iter()
        .filter(|r| r.requestor_is_agent)
        .collect();
    assert!(agents.len() >= 2);
    let listed = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "-o", "json"]),
        0,
    )
    .json();
    for agent in &agents {
        let r = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == agent.id.as_str())
            .unwrap();
        assert_eq!(r["requestor"]["subjectType"], "servicePrincipal");
        assert!(r["requestor"]["principalName"].is_null());
    }
    let csv = run_expect(
        emu.ep()
            .args(["requests", "list", "--all-packages", "-o", "csv"]),
        0,
    );
    assert!(
        csv.stdout
            .lines()
            .next()
            .unwrap()
            .ends_with(",requestorSubjectType")
    );
    assert!(csv.stdout.contains(",servicePrincipal"));
    // The failed one an agent requested is planned like any other, labelled as an agent.
    let failed = agents.iter().find(|a| a.state == "deliveryFailed").unwrap();
    let plan = run(emu
        .ep()
        .args(["reprocess", &failed.id, "--dry-run", "--no-journal"]));
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let line = plan
        .stdout
        .lines()
        .find(|l| l.contains("would-reprocess"))
        .unwrap();
    assert!(
        line.contains(&format!("{} (servicePrincipal)", failed.requestor_name)),
        "{line}"
    );
}

#[test]
fn a_resume_whose_answer_is_lost_is_confirmed_by_reading_the_request_not_sent_again() {
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        lost_ack: 1.0,
        ..crate::common::stable_config()
    });
    let (id, _) = waiting_truth(&emu)[0].clone();
    let out = run_expect(
        emu.ep().args(["resume", &id, "--no-journal", "-o", "json"]),
        0,
    )
    .json();
    assert_eq!(out["results"][0]["outcome"], "resumed", "{out}");
    assert!(
        out["results"][0]["note"]
            .as_str()
            .unwrap()
            .contains("no longer waits"),
        "{out}"
    );
    assert_eq!(resume_posts(&emu).len(), 1, "sent once");
}

/// A resume answers in the extension's place: at a terminal, even named ids are asked about.
#[cfg(unix)]
#[test]
fn at_a_terminal_resume_asks_first_and_no_sends_nothing() {
    use rexpect::session::spawn_command;
    let emu = Emu::start();
    let (id, _) = waiting_truth(&emu)
        .into_iter()
        .find(|(_, s)| s == "assignmentRequestCreated")
        .unwrap();
    let in_pty = |extra: &[&str]| {
        let mut cmd = emu.ep_process();
        cmd.env("TERM", "xterm-256color")
            .args(["resume", id.as_str(), "--no-journal"])
            .args(extra);
        spawn_command(cmd, Some(20_000)).unwrap()
    };
    let mut p = in_pty(&[]);
    p.exp_string("Resume 1 request(s)?").unwrap();
    p.send("n").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("nothing was sent").unwrap();
    p.exp_eof().unwrap();
    assert!(resume_posts(&emu).is_empty());

    let mut p = in_pty(&["--deny"]);
    p.exp_string("Resume and deny 1 request(s)?").unwrap();
    p.send("y").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("resumed 1, failed 0").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(resume_posts(&emu).len(), 1);

    // --yes asks nothing (the request no longer waits: skipped, and nothing is sent).
    let mut p = in_pty(&["--yes"]);
    p.exp_string("resumed 0, failed 0, skipped 1").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(resume_posts(&emu).len(), 1);
}

#[test]
fn why_names_the_waiting_requests_apart_from_the_failures() {
    let emu = Emu::start();
    let truth = waiting_truth(&emu);
    let r = run_expect(
        emu.ep()
            .args(["requests", "why", "--all-packages", "-o", "json"]),
        0,
    );
    // Not among the failures' groups: stdout is the same document as before.
    for (id, _) in &truth {
        assert!(!r.stdout.contains(id.as_str()), "{id} grouped as a failure");
    }
    assert!(
        r.stderr
            .contains("2 request(s) wait on a custom extension's callback"),
        "{}",
        r.stderr
    );
    for (id, stage) in &truth {
        let line = r.stderr.lines().find(|l| l.contains(id.as_str())).unwrap();
        let label = match stage.as_str() {
            "assignmentRequestCreated" => "stage request created",
            _ => "stage request approved",
        };
        assert!(line.contains("waiting on callback since"), "{line}");
        assert!(line.contains(label), "{line}");
    }
}

#[test]
fn with_api_version_beta_resume_reads_beta_names_and_posts_to_beta() {
    let emu = Emu::start();
    let (id, stage) = waiting_truth(&emu).into_iter().next().unwrap();
    let out = run_expect(
        emu.ep().args([
            "--api-version",
            "beta",
            "resume",
            &id,
            "--no-journal",
            "-o",
            "json",
        ]),
        0,
    )
    .json();
    assert_eq!(out["counts"]["resumed"], 1, "{out}");
    let posts = resume_posts(&emu);
    assert!(posts[0].path.starts_with("/beta/"), "{}", posts[0].path);
    assert_eq!(
        posts[0].body.as_ref().unwrap()["data"]["stage"],
        stage.as_str()
    );
}

#[test]
fn ctrl_c_lets_resumes_in_flight_finish_prints_the_summary_and_exits_130() {
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        latency: std::time::Duration::from_millis(1500),
        ..crate::common::stable_config()
    });
    let ids: Vec<String> = waiting_truth(&emu).into_iter().map(|(id, _)| id).collect();
    let child = emu
        .ep_process()
        .arg("resume")
        .args(&ids)
        .args(["--no-journal", "-o", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The emulator answers each call after its latency, and records it then: once the plan's
    // lookups are recorded, the resumes are on their way and take another 1.5 s to answer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let looked_up = |emu: &Emu| {
        emu.calls()
            .iter()
            .filter(|c| c.method == "GET" && ids.iter().any(|id| c.path.ends_with(id.as_str())))
            .count()
    };
    while looked_up(&emu) < ids.len() {
        assert!(
            std::time::Instant::now() < deadline,
            "the plan's lookups were made"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(resume_posts(&emu).is_empty(), "still in flight");
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let summary: Value = serde_json::from_slice(&out.stdout).expect("a summary was printed");
    assert_eq!(summary["interrupted"], "SIGINT", "{summary}");
    // The calls in flight were given their grace period and finished; any not yet sent were
    // not sent. Either way the summary matches what the server did.
    let accepted: BTreeSet<String> = resume_posts(&emu)
        .iter()
        .filter(|c| c.status == 204)
        .map(|c| c.path.rsplit('/').nth(1).unwrap().to_string())
        .collect();
    let resumed = crate::common::ids_of(&summary, "resumed");
    assert_eq!(resumed, accepted, "{summary}");
    assert!(
        !resumed.is_empty(),
        "the calls in flight finished: {summary}"
    );
    for r in summary["results"].as_array().unwrap() {
        if r["outcome"] != "resumed" {
            assert_eq!(r["reason"], "not sent: interrupted", "{r}");
        }
    }
}
