//! `--demo` keeps a session: the real binary, run twice against the same (isolated) state
//! directory, must see its own earlier work — and the README's quick start must run as written.

use crate::common::{bare_ep, ids_of, run, run_expect};
use assert_cmd::Command;
use std::path::Path;

/// `ep` whose state directory (demo session, journal) is `dir` and nothing of the developer's.
fn ep_in(dir: &Path) -> Command {
    let mut cmd = bare_ep();
    cmd.env("XDG_STATE_HOME", dir.join("state"))
        .env("HOME", dir.join("home"));
    cmd
}

fn session_file(dir: &Path) -> std::path::PathBuf {
    dir.join("state").join("ep").join("demo-session.json")
}

#[test]
fn a_second_demo_run_sends_nothing_the_first_one_reprocessed() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--demo", "reprocess", "--all-failed", "--yes", "-o", "json"];
    let first = run_expect(ep_in(dir.path()).args(args), 0);
    assert!(
        first.stderr.contains("a new demo session"),
        "{}",
        first.stderr
    );
    let reprocessed = ids_of(&first.json(), "reprocessed");
    assert!(reprocessed.len() > 5, "{}", first.stdout);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(session_file(dir.path())).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }

    let second = run_expect(ep_in(dir.path()).args(args), 0);
    assert!(
        second
            .stderr
            .contains("continuing the demo session started"),
        "{}",
        second.stderr
    );
    let v = second.json();
    assert_eq!(v["counts"]["reprocessed"], 0, "{}", second.stdout);
    assert_eq!(v["counts"]["failed"], 0, "{}", second.stdout);
    // What is still shown as failed is a request Graph is retrying: the journal says so.
    for r in v["results"].as_array().unwrap() {
        assert_eq!(r["outcome"], "skipped", "{r}");
        assert!(r["reason"].as_str().unwrap().contains("journal"), "{r}");
        assert!(reprocessed.contains(r["id"].as_str().unwrap()), "{r}");
    }

    // The tenant itself remembers: the first run's requests are no longer listed as failed
    // (or are the ones the service is still retrying).
    let listed = run_expect(
        ep_in(dir.path()).args([
            "--demo",
            "requests",
            "list",
            "--all-packages",
            "--reprocessable",
            "-o",
            "ids",
        ]),
        0,
    );
    let still: Vec<&str> = listed.stdout.lines().collect();
    assert!(still.len() < reprocessed.len() / 2, "{}", listed.stdout);
    assert!(still.iter().all(|id| reprocessed.contains(*id)));
}

#[test]
fn demo_reset_starts_a_new_tenant_with_nothing_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_expect(
        ep_in(dir.path()).args(["--demo", "reprocess", "--all-failed", "--yes", "-o", "json"]),
        0,
    );
    let reprocessed = ids_of(&first.json(), "reprocessed");
    let reset = run_expect(
        ep_in(dir.path()).args([
            "--demo-reset",
            "reprocess",
            "--all-failed",
            "--dry-run",
            "-o",
            "json",
        ]),
        0,
    );
    assert!(
        reset.stderr.contains("a new demo session"),
        "{}",
        reset.stderr
    );
    // The same seed gives the same failed requests again, and the old session's journal entries
    // do not apply to the new one.
    assert_eq!(ids_of(&reset.json(), "would-reprocess"), reprocessed);
    assert!(ids_of(&reset.json(), "skipped").is_empty());
}

#[test]
fn a_corrupt_or_foreign_session_file_is_a_one_line_error_pointing_at_demo_reset() {
    let dir = tempfile::tempdir().unwrap();
    let path = session_file(dir.path());
    run_expect(ep_in(dir.path()).args(["--demo", "packages", "list"]), 0);
    let good: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let mut other_tenant = good.clone();
    other_tenant["tenant"]["seed"] = 7.into();
    let mut other_format = good.clone();
    other_format["format"] = "ep-demo-session/99\u{1b}[2J".into();
    let mut unknown_request = good.clone();
    unknown_request["tenant"]["changed"] = serde_json::json!([{
        "id": "00000000-0000-4000-8000-000000000000", "state": "delivered",
        "completed": null, "pending": null, "reprocessCalls": 1}]);
    let mut ancient = good.clone();
    ancient["tenant"]["generatedAt"] = "0001-01-01T00:00:00Z".into();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (ancient.to_string().into_bytes(), "ten years"),
        (b"\x00\xff garbage {".to_vec(), "not a demo session"),
        (b"{}".to_vec(), "not a demo session"),
        (other_tenant.to_string().into_bytes(), "another tenant"),
        (other_format.to_string().into_bytes(), "format"),
        (unknown_request.to_string().into_bytes(), "does not have"),
    ];
    for (content, why) in cases {
        std::fs::write(&path, &content).unwrap();
        let r = run_expect(ep_in(dir.path()).args(["--demo", "packages", "list"]), 2);
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{why}: {}", r.stderr);
        assert!(
            lines[0].starts_with("ep: error: the demo session"),
            "{}",
            r.stderr
        );
        assert!(lines[0].contains(why), "{why}: {}", r.stderr);
        assert!(!lines[0].contains('\u{1b}'), "{}", r.stderr);
        assert!(lines[1].contains("--demo-reset"), "{}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    // --demo-reset is the way out.
    run_expect(
        ep_in(dir.path()).args(["--demo-reset", "packages", "list"]),
        0,
    );
    run_expect(ep_in(dir.path()).args(["--demo", "packages", "list"]), 0);
}

#[cfg(unix)]
#[test]
fn a_session_file_that_is_a_symbolic_link_is_refused_and_its_target_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = session_file(dir.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let target = dir.path().join("precious");
    std::fs::write(&target, "precious").unwrap();
    std::os::unix::fs::symlink(&target, &path).unwrap();
    let r = run_expect(ep_in(dir.path()).args(["--demo", "packages", "list"]), 2);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert!(r.stderr.contains("--demo-reset"), "{}", r.stderr);
    // --demo-reset removes the link, not what it points to, and keeps the new session in a file.
    run_expect(
        ep_in(dir.path()).args(["--demo-reset", "reprocess", "--all-failed", "--yes"]),
        0,
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&path).unwrap().is_file());
}

#[test]
fn without_a_state_directory_the_demo_runs_and_says_it_keeps_nothing() {
    let r = run_expect(bare_ep().args(["--demo", "packages", "list"]), 0);
    assert!(r.stderr.contains("not kept"), "{}", r.stderr);
}

/// The commands of a README code block that start with `ep `, split as a shell would (double
/// quotes only, which is all the README uses), without trailing comments.
fn readme_commands(section: &str) -> Vec<Vec<String>> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find(section).expect("section");
    let rest = &readme[start..];
    let block = rest.split("```").nth(1).expect("code block");
    block
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("ep "))
        .map(|l| {
            let mut words = Vec::new();
            let (mut word, mut quoted) = (String::new(), false);
            for c in l.chars() {
                match c {
                    '"' => quoted = !quoted,
                    '#' if !quoted => break,
                    ' ' if !quoted => {
                        if !word.is_empty() {
                            words.push(std::mem::take(&mut word));
                        }
                    }
                    c => word.push(c),
                }
            }
            if !word.is_empty() {
                words.push(word);
            }
            words.remove(0);
            words
        })
        .collect()
}

#[test]
fn the_readme_quick_start_runs_as_written() {
    let commands = readme_commands("## Quick start");
    assert!(commands.len() >= 5, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    let mut previous: Option<&Vec<String>> = None;
    for args in &commands {
        let r = run(ep_in(dir.path()).args(args));
        assert_eq!(
            r.code,
            0,
            "ep {}:\n{}\n{}",
            args.join(" "),
            r.stdout,
            r.stderr
        );
        // The README says a repeated reprocess sends nothing.
        if previous == Some(args) && args.contains(&"--yes".to_string()) {
            assert!(r.stdout.contains("reprocessed 0, failed 0"), "{}", r.stdout);
        }
        previous = Some(args);
    }
    assert!(
        commands.windows(2).any(|w| w[0] == w[1]),
        "the quick start shows a repeated run"
    );
}

/// An admin's default profile names another tenant, cloud and sign-in; `--demo` still reaches
/// its own tenant (the emulator serves the global cloud's Graph and refuses a token for
/// another's), and `ep auth status` says what is in effect and why, not what the profile asked.
#[test]
fn demo_runs_whatever_the_profile_says_about_tenant_cloud_and_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value) in [
        ("tenant", "fabrikam.onmicrosoft.us"),
        ("cloud", "usgov"),
        ("auth", "device-code"),
        ("client-id", "11111111-2222-3333-4444-555555555555"),
        ("output", "json"),
    ] {
        run_expect(
            ep_in(dir.path()).args(["config", "set", "gov", key, value]),
            0,
        );
    }
    run_expect(ep_in(dir.path()).args(["config", "use", "gov"]), 0);
    let listed = run_expect(
        ep_in(dir.path()).args(["--demo", "requests", "list", "--all-packages"]),
        0,
    );
    // The profile's output format still applies: it says nothing about where to connect.
    assert!(
        !listed.json().as_array().unwrap().is_empty(),
        "{}",
        listed.stdout
    );
    let status = run_expect(ep_in(dir.path()).args(["--demo", "auth", "status"]), 0).json();
    assert_eq!(status["cloud"], "global", "{status}");
    assert_eq!(status["tenant"], ep_emulator::DEMO.tenant_id, "{status}");
    for (key, value) in [
        ("tenant", ep_emulator::DEMO.tenant_id),
        ("client-id", ep_emulator::DEMO.client_id),
        ("cloud", "global"),
        ("auth", "client-secret"),
    ] {
        let setting = &status["settings"][key];
        assert_eq!(setting["value"], value, "{key}: {status}");
        assert_eq!(setting["from"], "--demo", "{key}: {status}");
    }
    assert_eq!(
        status["settings"]["output"]["from"], "profile gov",
        "{status}"
    );
    // An explicit flag for another cloud is replaced the same way.
    run_expect(
        ep_in(dir.path()).args(["--demo", "--cloud", "china", "packages", "list"]),
        0,
    );
}

/// Trying the device-code sign-in on the demo (`ep --demo auth login`, then `logout`) leaves the
/// admin's own `ep auth login` cache alone: it holds one login, for a real tenant.
#[test]
fn demo_sign_in_and_sign_out_leave_the_real_login_cache_alone() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    let real = config.join("ep").join("token-cache.json");
    std::fs::create_dir_all(real.parent().unwrap()).unwrap();
    std::fs::write(&real, "the admin's real login").unwrap();
    let ep = || {
        let mut cmd = ep_in(dir.path());
        cmd.env("XDG_CONFIG_HOME", &config);
        cmd
    };
    let login = run_expect(ep().args(["--demo", "auth", "login"]), 0);
    assert!(login.stderr.contains("signed in"), "{}", login.stderr);
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        "the admin's real login"
    );
    let logout = run_expect(ep().args(["--demo", "auth", "logout"]), 0);
    assert!(logout.stderr.contains("signed out"), "{}", logout.stderr);
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        "the admin's real login"
    );
}
