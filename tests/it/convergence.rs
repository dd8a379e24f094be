//! Issue 17's invariant, randomized, through the real binary against the emulator: nothing
//! eligible left behind, nothing accepted twice, nothing accepted reported failed, and an exit
//! code that agrees, whatever the server's paging, the tenant's own changes, faults, expiring
//! tokens, and Ctrl-C, SIGTERM or SIGKILL at any instant followed by reruns.
//!
//! CI runs a bounded set of seeds. `EP_SOAK_SEEDS=N` runs N seeds instead (a long soak);
//! `EP_SEED=S` replays one seed; `EP_STRICT=1` keeps to offset paging and a live tenant. A
//! failing seed is named in the panic message.

use crate::common::{Emu, Run, run};
use ep_emulator::{EmulatorConfig, PagingModel, SeededRequest};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// Seeds CI runs: every path, with and without faults, several stop kinds.
const CI_SEEDS: u64 = 16;
/// Reruns after a stopped run before the scenario gives up.
const MAX_RERUNS: usize = 6;

/// A small, seeded random stream (SplitMix64): the same seed replays the same scenario.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    TenantWide,
    Package,
    CatalogScoped,
    Stdin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Int,
    Term,
    Kill,
}

#[derive(Debug)]
struct Scenario {
    path: Path,
    faults: bool,
    /// The first run is stopped this way after this long.
    stop: Option<(Stop, Duration)>,
    config: EmulatorConfig,
}

impl Scenario {
    fn new(seed: u64) -> Scenario {
        let mut dice = Dice(seed ^ 0x0C0F_FEE0);
        let path = [
            Path::TenantWide,
            Path::Package,
            Path::CatalogScoped,
            Path::Stdin,
        ][(seed % 4) as usize];
        let faults = (seed / 4) % 2 == 1;
        let paging = match dice.below(5) {
            0 => PagingModel::Snapshot,
            1 => PagingModel::Key,
            _ => PagingModel::Offset,
        };
        let stop = match dice.below(10) {
            0..=3 => None,
            4 | 5 => Some(Stop::Int),
            6 => Some(Stop::Term),
            _ => Some(Stop::Kill),
        }
        .map(|s| (s, Duration::from_millis(80 + dice.below(1200))));
        // EP_STRICT=1: the least forgiving server only, offset paging and a live tenant.
        let strict = std::env::var_os("EP_STRICT").is_some();
        let paging = if strict { PagingModel::Offset } else { paging };
        let live = dice.chance(0.6) || strict;
        let config = EmulatorConfig {
            seed,
            requests: 120 + dice.below(120) as usize,
            packages: 3 + dice.below(3) as usize,
            outage: 20 + dice.below(60) as usize,
            page_size: 4 + dice.below(10) as usize,
            paging,
            live_changes: if live { 3 + dice.below(10) as usize } else { 0 },
            live_every: 1 + dice.below(3) as usize,
            catalog_scoped: path == Path::CatalogScoped,
            // Reprocessed requests stay where they went for the whole scenario: a request
            // accepted twice is a duplicate, never a legitimate second trial.
            settle: Duration::from_secs(600),
            trial_window: Duration::from_secs(600),
            refail_rate: if dice.chance(0.5) { 0.3 } else { 0.0 },
            // Recovering requests show their failed state a while before `delivering`: they
            // leave the failed set while a later pass pages.
            recover_delay: Duration::from_millis(dice.below(3) * 250),
            visible_refail: dice.chance(0.25),
            token_ttl: if dice.chance(0.3) {
                Duration::from_secs(2)
            } else {
                Duration::from_secs(3600)
            },
            fault_rate: if faults { 0.04 } else { 0.0 },
            fault_reset: if faults { 0.02 } else { 0.0 },
            lost_ack: if faults { 0.06 } else { 0.0 },
            ..EmulatorConfig::default()
        };
        Scenario {
            path,
            faults,
            stop,
            config,
        }
    }
}

/// What the scenario watches across runs.
struct World {
    emu: Emu,
    journal: tempfile::TempDir,
    /// The package `--package` names, and the ids stdin carries.
    package: String,
    ids: Vec<String>,
}

impl World {
    fn journal(&self) -> String {
        self.journal
            .path()
            .join("journal.ndjson")
            .to_string_lossy()
            .into_owned()
    }

    fn args(&self, path: Path) -> Vec<String> {
        let mut args: Vec<String> = vec!["reprocess".into()];
        match path {
            Path::TenantWide | Path::CatalogScoped => args.push("--all-failed".into()),
            Path::Package => {
                args.extend(["--package".into(), self.package.clone(), "--all".into()])
            }
            Path::Stdin => args.push("-".into()),
        }
        args.extend(["--yes", "-o", "json", "--journal", &self.journal(), "-v"].map(String::from));
        args
    }

    /// The requests the run covers, by the emulator's ground truth.
    fn in_scope(&self, path: Path, r: &SeededRequest, hidden: &BTreeSet<String>) -> bool {
        match path {
            Path::TenantWide => true,
            Path::CatalogScoped => !hidden.contains(&r.package_id),
            Path::Package => r.package_id == self.package,
            Path::Stdin => self.ids.contains(&r.id),
        }
    }
}

fn eligible_now(r: &SeededRequest) -> bool {
    (r.state == "deliveryFailed" || r.state == "partiallyDelivered")
        && r.completed
            .is_some_and(|c| chrono::Utc::now() - c <= chrono::Duration::days(14))
}

/// Runs `args` to the end, or stops it as `stop` says; `None` when it was stopped by SIGKILL.
fn run_once(world: &World, path: Path, stop: Option<(Stop, Duration)>) -> Option<Run> {
    let mut cmd = world.emu.ep_process();
    cmd.args(world.args(path))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let Some((how, after)) = stop else {
        let mut assert_cmd = world.emu.ep();
        assert_cmd
            .args(world.args(path))
            .write_stdin(world.ids.join("\n"));
        return Some(run(&mut assert_cmd));
    };
    let started = std::time::Instant::now();
    let mut child = cmd.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(world.ids.join("\n").as_bytes());
    }
    std::thread::sleep(after);
    let signal = match how {
        Stop::Int => "-INT",
        Stop::Term => "-TERM",
        Stop::Kill => "-KILL",
    };
    let _ = std::process::Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    let out = child.wait_with_output().unwrap();
    // Killed by the signal itself: SIGKILL always, SIGINT or SIGTERM before ep took them over
    // (while it was still looking requests up, before anything was sent).
    out.status.code()?;
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        elapsed: started.elapsed(),
    };
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    Some(run)
}

/// The checks every completed run must pass: what it reports agrees with the emulator, and
/// its exit code with what it reports.
fn check_run(world: &World, path: Path, run: &Run, changed_during: &BTreeSet<String>) {
    let truth: HashMap<String, SeededRequest> = world.emu.snapshot_by_id();
    let hidden: BTreeSet<String> = world.emu.hidden_packages().into_iter().collect();
    if matches!(run.code, 130 | 143) {
        return;
    }
    let report = run.json();
    let results = report["results"].as_array().unwrap();
    let mut failed = 0;
    for r in results {
        let id = r["id"].as_str().unwrap();
        if r["outcome"] == "failed" {
            failed += 1;
            let code = r["error"]["code"].as_str().unwrap_or_default();
            let accepted = truth.get(id).map_or(0, |t| t.reprocess_calls);
            assert!(
                accepted == 0 || code == "interrupted" || code == "outcomeUnknown",
                "{id} was accepted but is reported failed: {r}\n{}",
                run.stderr
            );
        }
    }
    let established = report["counts"]["established"].as_bool().unwrap_or(true);
    match run.code {
        0 => {
            assert_eq!(failed, 0, "exit 0 with failures\n{}", run.stderr);
            assert!(established, "exit 0 but not established\n{}", run.stderr);
            let left: Vec<&String> = truth
                .values()
                .filter(|r| world.in_scope(path, r, &hidden))
                .filter(|r| eligible_now(r) && r.reprocess_calls == 0)
                .filter(|r| !changed_during.contains(&r.id))
                .map(|r| &r.id)
                .collect();
            assert!(
                left.is_empty(),
                "exit 0 but {} eligible request(s) left behind: {left:?}\n{}",
                left.len(),
                run.stderr
            );
        }
        1 => assert!(
            failed > 0 || !established,
            "exit 1 with nothing failed and the run established\n{}",
            run.stderr
        ),
        other => assert!(failed > 0, "exit {other}\n{}\n{}", run.stdout, run.stderr),
    }
}

/// Requests whose state the tenant changed by itself between `before` and now, and those it
/// added: a run may legitimately not have seen them.
fn changed_by_tenant(
    before: &HashMap<String, SeededRequest>,
    after: &HashMap<String, SeededRequest>,
) -> BTreeSet<String> {
    after
        .values()
        .filter(|a| match before.get(&a.id) {
            None => true,
            Some(b) => {
                a.reprocess_calls == b.reprocess_calls
                    && (a.state != b.state || a.completed != b.completed)
            }
        })
        .map(|a| a.id.clone())
        .collect()
}

/// Every journal line parses, but for a last one torn by a kill.
fn check_journal(world: &World) {
    let Ok(text) = std::fs::read(world.journal()) else {
        return;
    };
    let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let last = i + 1 == lines.len();
        if line.is_empty() || last {
            continue;
        }
        assert!(
            serde_json::from_slice::<serde_json::Value>(line).is_ok(),
            "journal line {i} is not JSON: {}",
            String::from_utf8_lossy(line)
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(world.journal())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

fn scenario(seed: u64) {
    let s = Scenario::new(seed);
    let emu = Emu::with(s.config.clone());
    let hidden: BTreeSet<String> = emu.hidden_packages().into_iter().collect();
    let truth = emu.truth();
    // The package with the most eligible requests; the stdin ids are every eligible one.
    let mut per_package: HashMap<&str, usize> = HashMap::new();
    for r in truth.iter().filter(|r| eligible_now(r)) {
        *per_package.entry(&r.package_id).or_default() += 1;
    }
    let package = per_package
        .iter()
        .filter(|(p, _)| !hidden.contains(**p))
        .max_by_key(|(p, n)| (**n, **p))
        .map(|(p, _)| p.to_string())
        .unwrap();
    let ids = truth
        .iter()
        .filter(|r| eligible_now(r) && !hidden.contains(&r.package_id))
        .map(|r| r.id.clone())
        .collect();
    let world = World {
        emu,
        journal: tempfile::tempdir().unwrap(),
        package,
        ids,
    };
    let mut stop = s.stop;
    let mut runs = 0;
    loop {
        runs += 1;
        assert!(runs <= MAX_RERUNS, "no run finished in {MAX_RERUNS} tries");
        let before = world.emu.snapshot_by_id();
        let finished = run_once(&world, s.path, stop.take());
        check_journal(&world);
        let Some(run) = finished else { continue };
        let changed = changed_by_tenant(&before, &world.emu.snapshot_by_id());
        check_run(&world, s.path, &run, &changed);
        if !matches!(run.code, 130 | 143) {
            break;
        }
    }
    // Once the tenant is quiet, a last run must find everything done and say so with exit 0:
    // no live change left to make, and every acceptance of the runs before moved on.
    while world.emu.live_changes_made() < s.config.live_changes {
        run(world
            .emu
            .ep()
            .args(["requests", "list", "--all-packages", "-o", "ids"]));
    }
    std::thread::sleep(s.config.recover_delay + Duration::from_millis(100));
    let last = run(world
        .emu
        .ep()
        .args(world.args(s.path))
        .write_stdin(world.ids.join("\n")));
    assert_eq!(
        last.code, 0,
        "the final run\n{}\n{}",
        last.stdout, last.stderr
    );
    check_run(&world, s.path, &last, &BTreeSet::new());
    let mut twice: HashMap<String, usize> = HashMap::new();
    for id in world.emu.accepted_reprocess_ids() {
        *twice.entry(id.to_ascii_lowercase()).or_default() += 1;
    }
    twice.retain(|_, n| *n > 1);
    assert!(twice.is_empty(), "accepted more than once: {twice:?}");
}

/// Runs `trial` for each seed, two at a time, naming each failing seed (with `describe`) so it
/// can be replayed.
fn run_seeds(seeds: Vec<u64>, trial: fn(u64), describe: fn(u64) -> String) {
    let failures = std::sync::Mutex::new(Vec::new());
    let queue = std::sync::Mutex::new(seeds);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(seed) = queue.lock().unwrap().pop() {
                    if let Err(e) = std::panic::catch_unwind(|| trial(seed)) {
                        let why = e
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{}: {why}", describe(seed)));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn describe_scenario(seed: u64) -> String {
    let s = Scenario::new(seed);
    format!(
        "seed {seed} ({:?}, faults {}, stop {:?}, paging {:?}, live {}) \
         [replay: EP_SEED={seed} cargo test --test it convergence]",
        s.path, s.faults, s.stop, s.config.paging, s.config.live_changes
    )
}

#[test]
fn every_eligible_request_is_accepted_exactly_once_whatever_happens() {
    let seeds: Vec<u64> =
        if let Some(seed) = std::env::var("EP_SEED").ok().and_then(|s| s.parse().ok()) {
            vec![seed]
        } else {
            let n = std::env::var("EP_SOAK_SEEDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(CI_SEEDS);
            (1..=n).collect()
        };
    run_seeds(seeds, scenario, describe_scenario);
}

/// SIGKILL while reprocess calls are in flight (the OOM killer, a CI runner's hard cancel), at
/// a random number of accepted calls, then a rerun: under the unchanged-state model an accepted
/// request still shows its failed state, and its repeat is refused. Without the journal's
/// intents the rerun reported such a call failed.
fn kill_trial(seed: u64) {
    let mut dice = Dice(seed ^ 0x4B11_4B11);
    let emu = Emu::with(EmulatorConfig {
        seed,
        outage: 60,
        page_size: 8,
        latency: Duration::from_millis(10 + dice.below(40)),
        recover_delay: Duration::from_secs(600),
        settle: Duration::from_secs(600),
        trial_window: Duration::from_secs(600),
        refail_rate: 0.0,
        paging: if dice.chance(0.5) {
            PagingModel::Offset
        } else {
            PagingModel::Snapshot
        },
        ..EmulatorConfig::default()
    });
    let world = World {
        emu,
        journal: tempfile::tempdir().unwrap(),
        package: String::new(),
        ids: Vec::new(),
    };
    let want: BTreeSet<String> = world.emu.eligible(None);
    let kill_at = 1 + dice.below(want.len() as u64 - 1) as usize;
    let mut child = world
        .emu
        .ep_process()
        .args(world.args(Path::TenantWide))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while world.emu.accepted_reprocess_ids().len() < kill_at && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    check_journal(&world);
    let rerun = run(world.emu.ep().args(world.args(Path::TenantWide)));
    check_run(&world, Path::TenantWide, &rerun, &BTreeSet::new());
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    let accepted = world.emu.accepted_reprocess_ids();
    let unique: BTreeSet<String> = accepted.iter().cloned().collect();
    assert_eq!(unique.len(), accepted.len(), "accepted twice");
    assert_eq!(unique, want, "every eligible request accepted");
}

#[test]
fn a_hard_kill_at_any_instant_is_settled_by_the_rerun() {
    let trials = std::env::var("EP_SOAK_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20u64);
    run_seeds((1..=trials).collect(), kill_trial, |seed| {
        format!("kill trial {seed}")
    });
}

/// A live tenant under offset paging, listed by `requests list --reprocessable` and `requests
/// why`: every failed request the tenant did not touch while ep listed is there, once.
#[test]
fn failed_listings_are_complete_while_the_tenant_changes_under_them() {
    for seed in 1..=6u64 {
        let emu = Emu::with(EmulatorConfig {
            seed,
            outage: 40,
            page_size: 4,
            paging: PagingModel::Offset,
            live_changes: 12,
            live_every: 1,
            ..EmulatorConfig::default()
        });
        let before = emu.snapshot_by_id();
        let listed = run(emu.ep().args([
            "requests",
            "list",
            "--all-packages",
            "--reprocessable",
            "-o",
            "ids",
        ]));
        assert_eq!(listed.code, 0, "{}", listed.stderr);
        let after = emu.snapshot_by_id();
        let changed = changed_by_tenant(&before, &after);
        let ids: Vec<&str> = listed.stdout.lines().collect();
        let unique: BTreeSet<&str> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "seed {seed}: listed twice");
        let missing: Vec<&String> = after
            .values()
            .filter(|r| eligible_now(r) && !changed.contains(&r.id))
            .map(|r| &r.id)
            .filter(|id| !unique.contains(id.as_str()))
            .collect();
        assert!(missing.is_empty(), "seed {seed}: list missed {missing:?}");

        // `why` for one package.
        if seed > 1 {
            continue;
        }
        let emu = Emu::with(EmulatorConfig {
            seed,
            // The audit log pages by the same size and is paced at five queries per 10 s: at
            // this size one package's queries fit in one window.
            page_size: 50,
            outage: 400,
            paging: PagingModel::Offset,
            live_changes: 12,
            live_every: 1,
            ..EmulatorConfig::default()
        });
        let package = emu.edge_package();
        let before = emu.snapshot_by_id();
        let why = run(emu
            .ep()
            .args(["requests", "why", "--package", &package, "-o", "json"]));
        assert_eq!(why.code, 0, "{}", why.stderr);
        let changed = changed_by_tenant(&before, &emu.snapshot_by_id());
        let grouped: BTreeSet<String> = why.json()["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["requests"].as_array().unwrap().iter())
            .map(|id| id.as_str().unwrap().to_string())
            .collect();
        let missing: Vec<String> = emu
            .truth()
            .into_iter()
            .filter(|r| r.state == "deliveryFailed" || r.state == "partiallyDelivered")
            .filter(|r| r.package_id == package)
            .map(|r| r.id)
            .filter(|id| !changed.contains(id) && !grouped.contains(id))
            .collect();
        assert!(missing.is_empty(), "seed {seed}: why missed {missing:?}");
    }
}
