//! `cargo bench --bench throughput`: ep against the built-in emulator with latency and
//! throttling, reported as ratios measured in one run (see BENCHMARKS.md).
//!
//! (a) reprocess N eligible requests: time against the throttle bound N/rate, batched and
//!     unbatched; and latency-bound (no throttling) against a one-at-a-time loop;
//! (b) resilience: the same under 5xx, resets, lost acknowledgements and throttling;
//! (c) list 200k requests as ndjson: time against a bare page fetch, and ep's peak RSS.
//!
//! `EP_BENCH_N` (default 700) sets the outage size, `EP_BENCH_LIST` (default 200000) the
//! listing size, `EP_BENCH_BURST` (with `EP_BENCH_RATE`, default 100/s) one bucket shape instead of
//! the four (100/s with 20, 50/s with 5, 100/s with 100, 50/s with 1), `EP_BENCH_STYLE`
//! (`whole`, `fractional`, `absent` or `mixed`) one `Retry-After` style instead of all four, and
//! `EP_BENCH_ONLY=throttled` runs only the throttled reprocess rows, `EP_BENCH_ONLY=pipeline` only
//! the rows of (d). `EP_BENCH_TRACE=path` appends ep's `-v` trace of each run to `path`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr
)]

use chrono::Utc;
use ep_emulator::{DEMO, Emulator, EmulatorConfig, RecordedCall};
use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EP: &str = env!("CARGO_BIN_EXE_ep");
const LATENCY: Duration = Duration::from_millis(50);
const RATE: f64 = 100.0;

fn main() {
    let n: usize = env_or("EP_BENCH_N", 700);
    let burst = env_or("EP_BENCH_BURST", RATE as usize) as u32;
    let only = std::env::var("EP_BENCH_ONLY").unwrap_or_default();
    let only_throttled = only == "throttled";
    let only_pipeline = only == "pipeline";
    // The latency-bound rows alone (at 50 ms; `EP_BENCH_LATENCIES=50,250` for both).
    let only_latency = only == "latency";
    let list_size: usize = env_or("EP_BENCH_LIST", 200_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut report = Vec::new();
    report.push(format!(
        "machine: {} cores, {}; ep {}; {}",
        std::thread::available_parallelism().map_or(0, |p| p.get()),
        std::env::consts::ARCH,
        env!("CARGO_PKG_VERSION"),
        Utc::now().format("%Y-%m-%d")
    ));

    if only == "journal" {
        let mut report = Vec::new();
        journal_rows(&rt, n, &mut report);
        recheck_rows(&rt, n, &mut report);
        println!("{}", report.join("\n"));
        return;
    }
    if only_pipeline {
        let mut report = Vec::new();
        pipeline_rows(&rt, n, &mut report);
        println!("{}", report.join("\n"));
        return;
    }
    // `EP_BENCH_ONLY=listing`: (c) alone.
    let only_listing = only == "listing";
    // (c) first, so the peak RSS of children is the listing's own.
    let listing_result =
        (!only_throttled && !only_latency).then(|| measure_listing(&rt, list_size));
    if only_listing {
        if let Some(listed) = &listing_result {
            listing_rows(list_size, listed, &mut report);
        }
        println!("{}", report.join("\n"));
        return;
    }

    // (a) throttled: 50 ms latency, every bucket shape of issue 10 and a bucket of one, against
    // every way of writing Retry-After (issue 21): whole seconds (each throttle costs a second),
    // fractions, none at all (the client backs off on its own), and a mix of the three in one
    // run. The goal is issue 21's: within 1.10x of the bound N/rate.
    report.push(String::from(
        "\n## (a) reprocess, throttled (50 ms latency), every Retry-After style\n",
    ));
    report.push("| bucket | Retry-After | run | requests | seconds | bound N/rate | ratio to bound | goal (1.10x) | limit learned after | limit learned (share of the rate) | 429s | 429s without Retry-After | 429s once learned | Retry-After violations | recheck (passes, calls, seconds, found) | exactly once |".into());
    report.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|".into());
    let shapes: Vec<(f64, u32)> = match std::env::var("EP_BENCH_BURST") {
        _ if only_latency => Vec::new(),
        Ok(_) => vec![(env_or("EP_BENCH_RATE", RATE as usize) as f64, burst)],
        Err(_) => vec![(100.0, 20), (50.0, 5), (100.0, 100), (50.0, 1)],
    };
    use ep_emulator::RetryAfterStyle as Style;
    let styles: Vec<Style> = match std::env::var("EP_BENCH_STYLE").ok().as_deref() {
        Some("whole") => vec![Style::Seconds],
        Some("fractional") => vec![Style::Fraction],
        Some("absent") => vec![Style::Absent],
        Some("mixed") => vec![Style::Mixed],
        _ => vec![Style::Seconds, Style::Fraction, Style::Absent, Style::Mixed],
    };
    for (rate, burst) in shapes {
        for &style in &styles {
            let throttled = EmulatorConfig {
                latency: LATENCY,
                rate: Some(rate),
                burst,
                retry_after: style,
                ..outage_config(n)
            };
            let style_name = match style {
                Style::Seconds => "whole",
                Style::Fraction => "fractional",
                other => other.as_str(),
            };
            // Unbatched runs only for the mix: every style is what the batched default meets.
            let runs: Vec<(&str, Vec<&str>)> = if style == Style::Mixed {
                vec![
                    ("batched (default)", vec![]),
                    ("--no-batch", vec!["--no-batch"]),
                ]
            } else {
                vec![("batched (default)", vec![])]
            };
            for (label, extra) in runs {
                let r = reprocess_run(&rt, throttled.clone(), &extra);
                let bound = r.reprocessed as f64 / rate;
                let goal = bound * 1.10;
                report.push(format!(
                    "| {rate}/s, burst {burst} | {style_name} | {label} | {} | {:.2} | {:.2} | {:.2}x | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    r.reprocessed,
                    r.seconds,
                    bound,
                    r.seconds / bound,
                    if r.seconds <= goal { "met" } else { "missed" },
                    r.learned_after.map_or("-".into(), |s| format!("{s:.2} s")),
                    r.learned_rate.map_or("-".into(), |l| format!(
                        "{l:.1}/s ({:.1} %)",
                        100.0 * l / rate
                    )),
                    r.throttled,
                    r.throttled_bare,
                    r.throttled_late,
                    r.violations,
                    r.recheck_label(),
                    r.exactly_once
                ));
                eprintln!("{}", report.last().map_or("", String::as_str));
            }
        }
    }

    if !only_throttled {
        // (a) latency-bound: no throttling, at 50 ms and at 250 ms per call (issue 10).
        report.push(String::from(
            "\n## (a) reprocess, latency-bound (no throttling)\n",
        ));
        report.push(
            "| latency | run | requests | seconds | speed-up over one-at-a-time loop | exactly once |"
                .into(),
        );
        report.push("|---|---|---|---|---|---|".into());
        let latencies: Vec<u64> = match std::env::var("EP_BENCH_LATENCIES") {
            Ok(list) => list
                .split(',')
                .filter_map(|l| l.trim().parse().ok())
                .collect(),
            Err(_) if only_latency => vec![50],
            Err(_) => vec![50, 250],
        };
        for latency_ms in latencies {
            let open = EmulatorConfig {
                latency: Duration::from_millis(latency_ms),
                ..outage_config(n)
            };
            let (loop_seconds, loop_count) = one_at_a_time_loop(&rt, open.clone());
            for (label, extra) in [
                ("batched (default)", vec![]),
                ("--no-batch", vec!["--no-batch"]),
            ] {
                let r = reprocess_run(&rt, open.clone(), &extra);
                report.push(format!(
                    "| {latency_ms} ms | ep, {label} | {} | {:.2} | {:.1}x | {} |",
                    r.reprocessed,
                    r.seconds,
                    loop_seconds / r.seconds,
                    r.exactly_once
                ));
            }
            report.push(format!(
                "| {latency_ms} ms | one-at-a-time loop (sequential POSTs, the PowerShell way) | {loop_count} | {loop_seconds:.2} | 1.0x | - |"
            ));
            eprintln!("{}", report.last().map_or("", String::as_str));
        }
        if only_latency {
            println!("{}", report.join("\n"));
            return;
        }

        // (b) faults.
        let faulty = EmulatorConfig {
            latency: Duration::from_millis(20),
            rate: Some(RATE),
            burst: RATE as u32,
            fault_rate: 0.08,
            fault_reset: 0.03,
            lost_ack: 0.08,
            ..outage_config(n)
        };
        report.push(String::from(
        "\n## (b) reprocess under 8% 5xx, 3% resets, 8% lost acks and throttling (20 ms latency, 100 req/s)\n",
    ));
        report.push(
        "| run | eligible | reported reprocessed | accepted by the server | sent twice | seconds |"
            .into(),
    );
        report.push("|---|---|---|---|---|---|".into());
        for (label, extra) in [
            ("batched (default)", vec![]),
            ("--no-batch", vec!["--no-batch"]),
        ] {
            let r = reprocess_run(&rt, faulty.clone(), &extra);
            report.push(format!(
                "| {label} | {} | {} | {} | {} | {:.2} |",
                r.eligible,
                r.reprocessed,
                r.accepted_unique,
                r.accepted_total - r.accepted_unique,
                r.seconds
            ));
        }
    }

    if !only_throttled {
        journal_rows(&rt, n, &mut report);
        recheck_rows(&rt, n, &mut report);
        pipeline_rows(&rt, n, &mut report);
    }

    // (c) listing.
    if let Some(listed) = &listing_result {
        listing_rows(list_size, listed, &mut report);
    }

    let text = report.join("\n");
    println!("{text}");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("benchmarks.md");
    let _ = std::fs::write(&out, format!("{text}\n"));
    eprintln!("written to {}", out.display());
}

/// (c): a bare sequential page loop and ep's listing of the same tenant.
struct Listed {
    raw_seconds: f64,
    raw_items: usize,
    ep_seconds: f64,
    ep_items: usize,
    rss_kib: i64,
    streams: usize,
}

fn measure_listing(rt: &tokio::runtime::Runtime, list_size: usize) -> Listed {
    let listing = EmulatorConfig {
        requests: list_size,
        page_size: 999,
        latency: Duration::from_millis(20),
        ..EmulatorConfig::default()
    };
    let (raw_seconds, raw_items) = bare_page_fetch(rt, listing.clone());
    let (ep_seconds, ep_items, rss_kib, streams) = list_run(rt, listing);
    Listed {
        raw_seconds,
        raw_items,
        ep_seconds,
        ep_items,
        rss_kib,
        streams,
    }
}

/// (c) as rows: ep's listing against the bare loop's time, and its peak RSS.
fn listing_rows(list_size: usize, listed: &Listed, report: &mut Vec<String>) {
    let Listed {
        raw_seconds,
        raw_items,
        ep_seconds,
        ep_items,
        rss_kib,
        streams,
    } = *listed;
    report.push(format!(
        "\n## (c) list {list_size} requests as ndjson (page size 999, 20 ms latency per page)\n"
    ));
    report.push("| run | items | streams | seconds | ratio to the bare loop | goal (0.5x) | peak RSS | goal (< 32 MiB) |".into());
    report.push("|---|---|---|---|---|---|---|---|".into());
    report.push(format!(
            "| ep requests list --all-packages -o ndjson (one stream per state) | {ep_items} | {streams} | {ep_seconds:.2} | {:.2}x | {} | {:.1} MiB | {} |",
            ep_seconds / raw_seconds,
            if ep_seconds <= raw_seconds * 0.5 { "met" } else { "missed" },
            rss_kib as f64 / 1024.0,
            if rss_kib < 32 * 1024 { "met" } else { "missed" },
        ));
    report.push(format!(
            "| bare sequential page loop (reqwest, discard bodies) | {raw_items} | 1 | {raw_seconds:.2} | 1.00x | - | - | - |"
        ));
}

/// (d) Unattended runs list and send at once: when the first reprocess left against when the
/// listing ended, and ep's peak memory, for a catalog-scoped caller (one query per package) under
/// throttling and for a tenant-wide run far larger than any channel.
fn pipeline_rows(rt: &tokio::runtime::Runtime, n: usize, report: &mut Vec<String>) {
    report.push(String::from(
        "\n## (d) listing and sending overlap (reprocess --all-failed --yes)\n",
    ));
    report.push("| tenant | eligible | first reprocess sent | last listing page | seconds | 429s | Retry-After violations | exactly once | peak RSS |".into());
    report.push("|---|---|---|---|---|---|---|---|---|".into());
    let shapes = [
        (
            format!(
                "catalog-scoped: 20,000 requests in 200 packages, +{n} failed, 50 ms, 100/s burst 20"
            ),
            EmulatorConfig {
                requests: 20_000,
                packages: 200,
                outage: n,
                catalog_scoped: true,
                page_size: 100,
                latency: LATENCY,
                rate: Some(RATE),
                burst: 20,
                retry_after: ep_emulator::RetryAfterStyle::Seconds,
                ..outage_config(n)
            },
        ),
        (
            "tenant-wide: 50,000 failed requests, 5 ms, no throttling".to_string(),
            EmulatorConfig {
                requests: 200,
                outage: 50_000,
                page_size: 999,
                latency: Duration::from_millis(5),
                ..outage_config(50_000)
            },
        ),
    ];
    for (label, config) in shapes {
        let r = reprocess_run(rt, config, &[]);
        report.push(format!(
            "| {label} | {} | {:.2} s | {:.2} s | {:.2} | {} | {} | {} | {:.1} MiB |",
            r.eligible,
            r.first_send,
            r.last_page,
            r.seconds,
            r.throttled,
            r.violations,
            r.exactly_once,
            r.peak_rss_kib as f64 / 1024.0
        ));
        eprintln!("{}", report.last().map_or("", String::as_str));
    }
}

/// (e) The journal's write-ahead intents: each call's intent is fsync'd before it leaves. Where
/// calls are cheapest (no latency at all) the disk is all that is left to wait for.
fn journal_rows(rt: &tokio::runtime::Runtime, n: usize, report: &mut Vec<String>) {
    report.push(String::from(
        "\n## (e) the journal's cost: intents fsync'd before each call (reprocess --all-failed --yes)\n",
    ));
    report.push("| latency | journal | requests | seconds | ratio to --no-journal | journal lines | exactly once |".into());
    report.push("|---|---|---|---|---|---|---|".into());
    for latency_ms in [0u64, 50] {
        let config = EmulatorConfig {
            latency: Duration::from_millis(latency_ms),
            ..outage_config(n)
        };
        let without = reprocess_run(rt, config.clone(), &[]);
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("journal.ndjson");
        let with = reprocess_run_journaled(rt, config, &[], Some(&path));
        let lines = std::fs::read_to_string(&path).map_or(0, |t| t.lines().count());
        for (label, r, lines) in [
            ("--no-journal", &without, 0),
            ("journal (default)", &with, lines),
        ] {
            report.push(format!(
                "| {latency_ms} ms | {label} | {} | {:.2} | {:.2}x | {lines} | {} |",
                r.reprocessed,
                r.seconds,
                r.seconds / without.seconds,
                r.exactly_once
            ));
        }
        eprintln!("{}", report.last().map_or("", String::as_str));
    }
}

/// (f) The recheck where the first pass misses requests: pages of 50 whose skiptoken is an
/// offset into the live result, so every request ep reprocesses while the listing pages shifts
/// the rest. Against the same run with key paging (no shifts) for its cost.
fn recheck_rows(rt: &tokio::runtime::Runtime, n: usize, report: &mut Vec<String>) {
    report.push(String::from(
        "\n## (f) the recheck when the first listing pass misses requests (pages of 50, 50 ms)\n",
    ));
    report.push("| paging | requests | seconds | ratio to key paging | recheck (passes, calls, seconds, found) | exactly once |".into());
    report.push("|---|---|---|---|---|---|".into());
    let mut key_seconds = f64::NAN;
    for paging in [
        ep_emulator::PagingModel::Key,
        ep_emulator::PagingModel::Offset,
    ] {
        let config = EmulatorConfig {
            latency: LATENCY,
            page_size: 50,
            paging,
            ..outage_config(n)
        };
        let r = reprocess_run(rt, config, &[]);
        if paging == ep_emulator::PagingModel::Key {
            key_seconds = r.seconds;
        }
        report.push(format!(
            "| {} | {} | {:.2} | {:.2}x | {} | {} |",
            paging.as_str(),
            r.reprocessed,
            r.seconds,
            r.seconds / key_seconds,
            r.recheck_label(),
            r.exactly_once
        ));
        eprintln!("{}", report.last().map_or("", String::as_str));
    }
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn outage_config(n: usize) -> EmulatorConfig {
    EmulatorConfig {
        requests: 200,
        outage: n,
        page_size: 999,
        settle: Duration::from_secs(3600),
        refail_rate: 0.0,
        ..EmulatorConfig::default()
    }
}

impl ReprocessRun {
    fn recheck_label(&self) -> String {
        format!(
            "{}, {}, {:.2} s, {}",
            self.recheck_passes, self.recheck_calls, self.recheck_seconds, self.found_on_recheck
        )
    }
}

struct ReprocessRun {
    seconds: f64,
    eligible: usize,
    reprocessed: usize,
    throttled: usize,
    /// 429s that carried no `Retry-After`: the client chose its own wait.
    throttled_bare: usize,
    /// 429s of requests sent after ep said it had learned the limit: there should be none.
    throttled_late: usize,
    /// Seconds from ep's start until it learned the limit (`-v`: "Graph's limit is …").
    learned_after: Option<f64>,
    /// The limit ep last said it had learned, in requests per second: what the run ended with
    /// (a bucket of one may be relearned).
    learned_rate: Option<f64>,
    /// Seconds from ep's start to its first reprocess call, and to its last listing page.
    first_send: f64,
    last_page: f64,
    peak_rss_kib: i64,
    violations: usize,
    accepted_total: usize,
    accepted_unique: usize,
    /// The recheck's listing calls, and the time from its first to its last answer.
    recheck_calls: usize,
    recheck_seconds: f64,
    recheck_passes: usize,
    found_on_recheck: usize,
    exactly_once: bool,
}

fn ep_command(emu: &Emulator) -> Command {
    let mut cmd = Command::new(EP);
    cmd.env_clear()
        .env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("AZURE_TENANT_ID", DEMO.tenant_id)
        .env("AZURE_CLIENT_ID", DEMO.client_id)
        .env("AZURE_CLIENT_SECRET", DEMO.client_secret);
    cmd
}

fn eligible(emu: &Emulator) -> HashSet<String> {
    let now = Utc::now();
    let hidden = emu.hidden_packages();
    emu.requests_snapshot()
        .into_iter()
        .filter(|r| !hidden.contains(&r.package_id))
        .filter(|r| r.state == "deliveryFailed" || r.state == "partiallyDelivered")
        .filter(|r| {
            r.completed
                .is_some_and(|c| now - c <= chrono::Duration::days(14))
        })
        .map(|r| r.id)
        .collect()
}

fn reprocess_run(
    rt: &tokio::runtime::Runtime,
    config: EmulatorConfig,
    extra: &[&str],
) -> ReprocessRun {
    reprocess_run_journaled(rt, config, extra, None)
}

/// [`reprocess_run`], writing the journal to `journal` (none: `--no-journal`).
fn reprocess_run_journaled(
    rt: &tokio::runtime::Runtime,
    config: EmulatorConfig,
    extra: &[&str],
    journal: Option<&std::path::Path>,
) -> ReprocessRun {
    // The recheck's last answer took this long to come back.
    let latency = config.latency;
    let emu = rt
        .block_on(Emulator::start(config, ([127, 0, 0, 1], 0).into()))
        .expect("emulator");
    let want = eligible(&emu);
    let started_wall = Utc::now();
    let mut cmd = ep_command(&emu);
    cmd.arg("-v")
        .args(extra)
        .args(["reprocess", "--all-failed", "--yes", "-o", "json"]);
    match journal {
        Some(path) => cmd.arg("--journal").arg(path),
        None => cmd.arg("--no-journal"),
    };
    let Watched {
        seconds,
        stdout,
        peak_rss_kib,
        marked: learned,
        number: learned_rate,
    } = run_watched(cmd, LEARNED_MARK);
    let summary: serde_json::Value = serde_json::from_slice(&stdout).unwrap_or_default();
    let reprocessed = summary["counts"]["reprocessed"].as_u64().unwrap_or(0) as usize;
    let calls = emu.calls();
    trace_calls(&calls, started_wall);
    let accepted: Vec<String> = calls
        .iter()
        .filter(|c| c.method == "POST" && c.path.ends_with("/reprocess") && c.status == 202)
        .map(|c| c.path.rsplit('/').nth(1).unwrap_or_default().to_string())
        .collect();
    let unique: HashSet<&String> = accepted.iter().collect();
    let since_start = |at: chrono::DateTime<Utc>| (at - started_wall).as_seconds_f64();
    // The recheck's listings: only what eligibility needs, nothing expanded.
    let recheck_calls: Vec<&RecordedCall> = calls
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("/assignmentRequests"))
        .filter(|c| {
            c.query.as_deref().is_some_and(|q| {
                q.contains("$select=id,state,completedDateTime") && !q.contains("$expand")
            })
        })
        .collect();
    let recheck_seconds = match (
        recheck_calls.iter().map(|c| c.at).min(),
        recheck_calls.iter().map(|c| c.at).max(),
    ) {
        (Some(first), Some(last)) => (last - first).as_seconds_f64() + latency.as_secs_f64(),
        _ => 0.0,
    };
    let first_send = calls
        .iter()
        .filter(|c| c.path.ends_with("/reprocess"))
        .map(|c| c.at)
        .min();
    let last_page = calls
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("/assignmentRequests"))
        .map(|c| c.at)
        .max();
    // Requests already on their way when the limit was learned were sent before it.
    let in_flight = chrono::Duration::from_std(LATENCY * 2).unwrap_or_default();
    let late_from = learned.map(|l| l + in_flight);
    let run = ReprocessRun {
        seconds,
        eligible: want.len(),
        reprocessed,
        throttled: calls.iter().filter(|c| c.status == 429).count(),
        throttled_bare: calls
            .iter()
            .filter(|c| c.status == 429 && c.retry_after_ms.is_none())
            .count(),
        throttled_late: calls
            .iter()
            .filter(|c| c.status == 429 && late_from.is_some_and(|l| c.at > l))
            .count(),
        learned_after: learned.map(since_start),
        learned_rate,
        first_send: first_send.map_or(f64::NAN, since_start),
        last_page: last_page.map_or(f64::NAN, since_start),
        peak_rss_kib,
        violations: retry_after_violations(&calls, LATENCY),
        accepted_total: accepted.len(),
        accepted_unique: unique.len(),
        recheck_calls: recheck_calls.len(),
        recheck_seconds,
        recheck_passes: summary["counts"]["recheckPasses"].as_u64().unwrap_or(0) as usize,
        found_on_recheck: summary["counts"]["foundOnRecheck"].as_u64().unwrap_or(0) as usize,
        exactly_once: accepted.len() == want.len()
            && unique.len() == want.len()
            && reprocessed == want.len(),
    };
    rt.block_on(emu.shutdown());
    run
}

/// What ep's `-v` trace says when the pacer has learned Graph's limit: "Graph's limit is 48.6
/// requests/s (burst 1)".
const LEARNED_MARK: &str = "Graph's limit is ";

/// What [`run_watched`] saw of a run.
struct Watched {
    seconds: f64,
    stdout: Vec<u8>,
    peak_rss_kib: i64,
    /// When ep first wrote a stderr line containing the mark (with `-v` and [`LEARNED_MARK`]:
    /// when it learned the limit).
    marked: Option<chrono::DateTime<Utc>>,
    /// The number that followed the mark the last time (the limit it ended with).
    number: Option<f64>,
}

/// Run `cmd` to its end, watching its stderr for `mark`.
fn run_watched(mut cmd: Command, mark: &'static str) -> Watched {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ep runs");
    let mut stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        use std::io::Read;
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    // `EP_BENCH_TRACE=path`: ep's stderr (its `-v` trace) appended there, each line stamped
    // with the milliseconds since ep started, to see what the pacer did in a row.
    let mut trace = std::env::var_os("EP_BENCH_TRACE").and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ok()
    });
    let watcher = std::thread::spawn(move || {
        use std::io::{BufRead, Write};
        let (mut seen, mut number) = (None, None);
        if let Some(file) = trace.as_mut() {
            let _ = writeln!(file, "--- run");
        }
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(file) = trace.as_mut() {
                let _ = writeln!(file, "{:>7} {line}", started.elapsed().as_millis());
            }
            if let Some((_, after)) = line.split_once(mark).filter(|_| !mark.is_empty()) {
                seen.get_or_insert_with(Utc::now);
                number = after
                    .split_whitespace()
                    .next()
                    .and_then(|n| n.parse::<f64>().ok())
                    .or(number);
            }
        }
        (seen, number)
    });
    let peak_kib = peak_rss_kib(&mut child);
    let seconds = started.elapsed().as_secs_f64();
    let (marked, number) = watcher.join().unwrap_or_default();
    Watched {
        seconds,
        stdout: reader.join().unwrap_or_default(),
        peak_rss_kib: peak_kib,
        marked,
        number,
    }
}

/// With `EP_BENCH_TRACE`, what the emulator saw after ep's trace: each call's arrival (ms since
/// ep started, to the microsecond: the gaps a bucket of one judges), status and path.
fn trace_calls(calls: &[RecordedCall], started: chrono::DateTime<Utc>) {
    use std::io::Write;
    let Some(path) = std::env::var_os("EP_BENCH_TRACE") else {
        return;
    };
    let Ok(mut file) = std::fs::OpenOptions::new().append(true).open(path) else {
        return;
    };
    for c in calls {
        let at = (c.at - started).as_seconds_f64() * 1000.0;
        let _ = writeln!(file, "emu {at:.3} {} {} {}", c.status, c.method, c.path);
    }
}

/// Retries that came too early: a call for the same request (method, path and query: listing
/// queries differ only in their `$filter`) arriving inside
/// the window a 429 for it had advertised. That is the reading of Graph's guidance ("retry each
/// failed request ... using the value provided in the retry-after response header"); other
/// requests may go on, at the pace the client has learned. A call arriving within latency +
/// 20 ms of the 429 may have been sent before the client could see it, so the window starts then.
fn retry_after_violations(calls: &[RecordedCall], latency: Duration) -> usize {
    let grace = chrono::Duration::from_std(latency + Duration::from_millis(20)).unwrap_or_default();
    calls
        .iter()
        .filter(|c| c.status == 429)
        .filter_map(|c| {
            let wait = chrono::Duration::milliseconds(c.retry_after_ms? as i64);
            Some((c, c.at + grace, c.at + wait))
        })
        .filter(|(_, from, to)| from < to)
        .map(|(throttled, from, to)| {
            calls
                .iter()
                .filter(|c| {
                    c.method == throttled.method
                        && c.path == throttled.path
                        && c.query == throttled.query
                })
                .filter(|c| c.at > from && c.at < to)
                .count()
        })
        .sum()
}

/// The baseline: one reprocess POST after another, each waiting for its answer.
fn one_at_a_time_loop(rt: &tokio::runtime::Runtime, config: EmulatorConfig) -> (f64, usize) {
    let emu = rt
        .block_on(Emulator::start(config, ([127, 0, 0, 1], 0).into()))
        .expect("emulator");
    let ids: Vec<String> = eligible(&emu).into_iter().collect();
    let token = emu.issue_token(DEMO.client_id);
    let base = emu.url();
    let seconds = rt.block_on(async {
        let http = reqwest::Client::new();
        let started = Instant::now();
        for id in &ids {
            let url = format!(
                "{base}/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{id}/reprocess"
            );
            let _ = http.post(url).bearer_auth(&token).header("Content-Length", "0").send().await;
        }
        started.elapsed().as_secs_f64()
    });
    rt.block_on(emu.shutdown());
    (seconds, ids.len())
}

/// What the server alone costs: fetch every page, discard it.
fn bare_page_fetch(rt: &tokio::runtime::Runtime, config: EmulatorConfig) -> (f64, usize) {
    let emu = rt
        .block_on(Emulator::start(config, ([127, 0, 0, 1], 0).into()))
        .expect("emulator");
    let token = emu.issue_token(DEMO.client_id);
    let first = format!(
        "{}/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$expand=accessPackage,requestor",
        emu.url()
    );
    let result = rt.block_on(async {
        let http = reqwest::Client::new();
        let started = Instant::now();
        let mut next = Some(first);
        let mut items = 0;
        while let Some(url) = next {
            let page: serde_json::Value = http
                .get(url)
                .bearer_auth(&token)
                .send()
                .await
                .expect("page")
                .json()
                .await
                .expect("json");
            items += page["value"].as_array().map_or(0, Vec::len);
            next = page["@odata.nextLink"].as_str().map(str::to_string);
        }
        (started.elapsed().as_secs_f64(), items)
    });
    rt.block_on(emu.shutdown());
    result
}

/// ep's listing: seconds, items, peak RSS in KiB, and how many queries it ran at once (first
/// pages: calls without a `$skiptoken`).
fn list_run(rt: &tokio::runtime::Runtime, config: EmulatorConfig) -> (f64, usize, i64, usize) {
    let emu = rt
        .block_on(Emulator::start(config, ([127, 0, 0, 1], 0).into()))
        .expect("emulator");
    let started = Instant::now();
    let mut child = ep_command(&emu)
        .args(["requests", "list", "--all-packages", "-o", "ndjson"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ep runs");
    let mut stdout = child.stdout.take().expect("piped");
    let counter = std::thread::spawn(move || {
        use std::io::Read;
        let mut buf = vec![0u8; 1 << 16];
        let mut lines = 0;
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            lines += buf[..n].iter().filter(|b| **b == b'\n').count();
        }
        lines
    });
    let peak_kib = peak_rss_kib(&mut child);
    let seconds = started.elapsed().as_secs_f64();
    let items = counter.join().unwrap_or(0);
    let streams = emu
        .calls()
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("/assignmentRequests"))
        .filter(|c| !c.query.as_deref().unwrap_or("").contains("skiptoken"))
        .count();
    rt.block_on(emu.shutdown());
    (seconds, items, peak_kib, streams)
}

/// Waits for `child` to end, sampling its peak RSS every 5 ms. getrusage's ru_maxrss would count
/// the parent's memory that a spawned child briefly shares before exec; VmHWM in /proc is the
/// exec'd program's own high-water mark.
fn peak_rss_kib(child: &mut std::process::Child) -> i64 {
    let pid = child.id();
    let mut peak_kib = 0;
    while child.try_wait().expect("wait").is_none() {
        if let Some(hwm) = vm_hwm_kib(pid) {
            peak_kib = peak_kib.max(hwm);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    peak_kib
}

fn vm_hwm_kib(pid: u32) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
