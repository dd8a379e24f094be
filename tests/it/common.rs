//! Test harness: a real emulator on 127.0.0.1 (in this process, on its own runtime) and the real
//! `ep` binary pointed at it with a clean environment.
#![allow(dead_code)]

use assert_cmd::Command;
use chrono::{Duration, Utc};
use ep_emulator::{DEMO, Emulator, EmulatorConfig, RecordedCall, SeededCause, SeededRequest};
use std::collections::BTreeSet;

pub struct Emu {
    emu: Option<Emulator>,
    rt: tokio::runtime::Runtime,
}

/// Quiet, deterministic settings: reprocessed requests stay `delivering` for the whole test and
/// never fail again, so "a rerun finds nothing" is exact.
pub fn stable_config() -> EmulatorConfig {
    EmulatorConfig {
        settle: std::time::Duration::from_secs(600),
        refail_rate: 0.0,
        ..EmulatorConfig::default()
    }
}

impl Emu {
    pub fn start() -> Emu {
        Emu::with(stable_config())
    }

    pub fn with(config: EmulatorConfig) -> Emu {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emu = rt
            .block_on(Emulator::start(config, ([127, 0, 0, 1], 0).into()))
            .unwrap();
        Emu { emu: Some(emu), rt }
    }

    fn emu(&self) -> &Emulator {
        self.emu.as_ref().unwrap()
    }

    pub fn url(&self) -> String {
        self.emu().url()
    }

    /// The CI token issuers' URLs, as the runner and Azure Pipelines set them for a job.
    pub fn actions_id_token_request_url(&self) -> String {
        self.emu().actions_id_token_request_url()
    }

    pub fn system_oidc_request_uri(&self) -> String {
        self.emu().system_oidc_request_uri()
    }

    /// `ep` with only what a user would set: the Graph URL, the login host and an app's
    /// credentials. `env_clear` keeps the developer's shell out of the result.
    pub fn ep(&self) -> Command {
        let mut cmd = bare_ep();
        cmd.env("EP_GRAPH_URL", self.url())
            .env("AZURE_AUTHORITY_HOST", self.url())
            .env("AZURE_TENANT_ID", DEMO.tenant_id)
            .env("AZURE_CLIENT_ID", DEMO.client_id)
            .env("AZURE_CLIENT_SECRET", DEMO.client_secret);
        cmd
    }

    /// The same as [`Emu::ep`] as a plain `std::process::Command`, for tests that need the
    /// child itself (a pty, a signal).
    pub fn ep_process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ep"));
        cmd.env_clear()
            .env("NO_COLOR", "1")
            .env("EP_GRAPH_URL", self.url())
            .env("AZURE_AUTHORITY_HOST", self.url())
            .env("AZURE_TENANT_ID", DEMO.tenant_id)
            .env("AZURE_CLIENT_ID", DEMO.client_id)
            .env("AZURE_CLIENT_SECRET", DEMO.client_secret);
        cmd
    }

    pub fn token(&self, client_id: &str) -> String {
        self.emu().issue_token(client_id)
    }

    /// Every access token, refresh token and device code the emulator issued.
    pub fn issued_secrets(&self) -> Vec<String> {
        self.emu().issued_secrets()
    }

    /// How many changes the live tenant has made by itself (`live_changes`).
    pub fn live_changes_made(&self) -> usize {
        self.emu().live_changes_made()
    }

    /// The applications, service principals and grants created through Graph.
    pub fn directory_snapshot(&self) -> serde_json::Value {
        self.emu().directory_snapshot()
    }

    pub fn hidden_packages(&self) -> Vec<String> {
        self.emu().hidden_packages()
    }

    pub fn calls(&self) -> Vec<RecordedCall> {
        self.emu().calls()
    }

    pub fn truth(&self) -> Vec<SeededRequest> {
        self.emu().requests_snapshot()
    }

    /// Why each request that failed at start failed, as seeded.
    pub fn causes(&self) -> Vec<SeededCause> {
        self.emu().causes_snapshot()
    }

    pub fn package_resources(&self, package_id: &str) -> Vec<ep_emulator::SeededResource> {
        self.emu().package_resources(package_id)
    }

    /// [`Emu::ep`] signed in as the read-only demo app (no AuditLog.Read.All, no reprocess).
    pub fn ep_reader(&self) -> Command {
        let mut cmd = self.ep();
        cmd.env("AZURE_CLIENT_ID", DEMO.reader_client_id)
            .env("AZURE_CLIENT_SECRET", DEMO.reader_client_secret);
        cmd
    }

    pub fn snapshot_by_id(&self) -> std::collections::HashMap<String, SeededRequest> {
        self.truth()
            .into_iter()
            .map(|r| (r.id.clone(), r))
            .collect()
    }

    /// The oracle: what the 14-day rule allows, computed from the emulator's ground truth.
    pub fn eligible(&self, package_id: Option<&str>) -> BTreeSet<String> {
        let now = Utc::now();
        self.truth()
            .into_iter()
            .filter(|r| package_id.is_none_or(|p| r.package_id == p))
            .filter(|r| r.state == "deliveryFailed" || r.state == "partiallyDelivered")
            .filter(|r| r.completed.is_some_and(|c| now - c <= Duration::days(14)))
            .map(|r| r.id)
            .collect()
    }

    /// Ids that received an accepted (202) reprocess call, with repeats.
    pub fn accepted_reprocess_ids(&self) -> Vec<String> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == "POST" && c.path.ends_with("/reprocess") && c.status == 202)
            .map(|c| c.path.rsplit('/').nth(1).unwrap_or_default().to_string())
            .collect()
    }

    pub fn reprocess_posts(&self) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.method == "POST" && c.path.ends_with("/reprocess"))
            .count()
    }

    /// The "Sales Onboarding" package that holds the seeded 14-day-edge requests.
    pub fn edge_package(&self) -> String {
        let now = Utc::now();
        self.truth()
            .into_iter()
            .find(|r| {
                r.package_name == "Sales Onboarding"
                    && r.completed.is_some_and(|c| {
                        let age = now - c;
                        age > Duration::days(14) && age < Duration::days(14) + Duration::hours(2)
                    })
            })
            .map(|r| r.package_id)
            .expect("seed has an edge request in Sales Onboarding")
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        if let Some(emu) = self.emu.take() {
            self.rt.block_on(emu.shutdown());
        }
    }
}

pub fn bare_ep() -> Command {
    let mut cmd = Command::cargo_bin("ep").unwrap();
    cmd.env_clear()
        .env("NO_COLOR", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", NO_SESSION_BUS);
    cmd
}

/// A session bus that is not there: without any address, the D-Bus client would try the
/// desktop's own (`/run/user/UID/bus`) and a test could reach the developer's real keyring.
/// Tests of the keyring set the real address themselves (tests/it/keyring.rs).
pub const NO_SESSION_BUS: &str = "unix:path=/nonexistent/ep-tests-have-no-session-bus";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// Wall time of the whole process.
    pub elapsed: std::time::Duration,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let started = std::time::Instant::now();
    let out = cmd.output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        elapsed: started.elapsed(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "ep panicked:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("RUST_BACKTRACE"), "{}", run.stderr);
    run
}

/// Run and require an exit code, showing the output when it differs.
pub fn run_expect(cmd: &mut Command, code: i32) -> Run {
    let r = run(cmd);
    assert_eq!(
        r.code, code,
        "exit code\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    r
}

/// Calls to `path_part` that arrived while a 429 on such a path had advertised `Retry-After`:
/// the bench's count, for a limit shared by every call of the path (the audit log's is per app
/// and tenant, so any call inside the window overruns it). A call within 20 ms of the 429 may
/// have been sent before the client saw it, so the window starts then.
pub fn retry_after_violations(calls: &[RecordedCall], path_part: &str) -> usize {
    let grace = chrono::Duration::milliseconds(20);
    let on_path: Vec<&RecordedCall> = calls
        .iter()
        .filter(|c| c.path.contains(path_part))
        .collect();
    on_path
        .iter()
        .filter(|c| c.status == 429)
        .filter_map(|c| {
            let wait = chrono::Duration::milliseconds(c.retry_after_ms? as i64);
            Some((c.at + grace, c.at + wait))
        })
        .map(|(from, to)| on_path.iter().filter(|c| c.at > from && c.at < to).count())
        .sum()
}

pub fn ids_of(results: &serde_json::Value, outcome: &str) -> BTreeSet<String> {
    results["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == outcome)
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// `EP_UPDATE_SNAPSHOTS=1 cargo test --test it snapshots` rewrites the committed completion
/// scripts and CLI reference instead of comparing them (`EP_UPDATE_COMPLETIONS` still works).
pub fn updating_snapshots() -> bool {
    std::env::var_os("EP_UPDATE_SNAPSHOTS").is_some()
        || std::env::var_os("EP_UPDATE_COMPLETIONS").is_some()
}

/// Wait until `child` has had some reprocess calls accepted, send it `signal` (`INT`, `TERM`)
/// and collect what it printed: how the Ctrl-C and SIGTERM tests stop a run halfway.
pub fn signal_mid_reprocess(
    emu: &Emu,
    child: std::process::Child,
    signal: &str,
) -> std::process::Output {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while emu.accepted_reprocess_ids().len() < 3 {
        assert!(std::time::Instant::now() < deadline, "reprocessing started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait_with_output().unwrap()
}

/// `cmd` run so that its pty is `cols` columns wide: `stty` sets the size in the child before the
/// program starts, so it never sees the unsized pty rexpect opens (and no ioctl is needed here).
#[cfg(unix)]
pub fn sized_pty(cmd: &std::process::Command, cols: u16) -> std::process::Command {
    let stty = ["/bin/stty", "/usr/bin/stty"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("stty");
    let mut sized = std::process::Command::new("/bin/sh");
    sized.env_clear();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            sized.env(key, value);
        }
    }
    sized
        .arg("-c")
        .arg(format!("{stty} cols {cols} rows 50 && exec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    sized
}
