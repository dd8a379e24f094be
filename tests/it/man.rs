//! The help reads well and the man pages match it: own options first, inherited ones under their
//! headings, examples that run as written, and committed man pages that are what the binary
//! generates now. Regenerate with: EP_UPDATE_SNAPSHOTS=1 cargo test --test it snapshots

use crate::cli_reference::command_paths;
use crate::common::{bare_ep, run, run_expect};
use clap::CommandFactory;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn pages_in(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "1"))
                .map(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    (name, std::fs::read_to_string(&p).unwrap())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn snapshots_man_pages_are_current() {
    let committed_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("doc/man");
    let tmp = tempfile::tempdir().unwrap();
    run_expect(bare_ep().args(["man", "--dir"]).arg(tmp.path()), 0);
    let generated = pages_in(tmp.path());
    // One page per command, named as man expects: ep.1, ep-reprocess.1, ep-requests-list.1, …
    let mut paths = Vec::new();
    command_paths(&ep::cli::Cli::command(), Vec::new(), &mut paths);
    for path in &paths {
        let name = std::iter::once("ep")
            .chain(path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("-");
        let page = generated
            .get(&format!("{name}.1"))
            .unwrap_or_else(|| panic!("no page {name}.1 in {:?}", generated.keys()));
        // `ep man COMMAND...` prints the same page.
        let printed = run_expect(bare_ep().arg("man").args(path), 0).stdout;
        assert_eq!(&printed, page, "ep man {}", path.join(" "));
        assert!(page.contains(&format!(".TH {name} 1")), "{page}");
    }
    assert_eq!(generated.len(), paths.len(), "{:?}", generated.keys());
    if crate::common::updating_snapshots() {
        let _ = std::fs::remove_dir_all(&committed_dir);
        std::fs::create_dir_all(&committed_dir).unwrap();
        for (name, page) in &generated {
            std::fs::write(committed_dir.join(name), page).unwrap();
        }
        return;
    }
    let committed = pages_in(&committed_dir);
    let stale: Vec<&String> = generated
        .keys()
        .chain(committed.keys())
        .filter(|name| generated.get(*name) != committed.get(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "stale man pages in doc/man {stale:?}: run EP_UPDATE_SNAPSHOTS=1 cargo test --test it snapshots"
    );
}

#[test]
fn the_man_page_has_the_options_under_their_headings_examples_and_exit_status() {
    let page = run_expect(bare_ep().args(["man", "reprocess"]), 0).stdout;
    let sections: Vec<&str> = page.lines().filter(|l| l.starts_with(".SH ")).collect();
    assert_eq!(
        sections,
        [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH OPTIONS",
            ".SH \"CONNECTION (GLOBAL OPTIONS)\"",
            ".SH \"AUTHENTICATION (GLOBAL OPTIONS)\"",
            ".SH \"GLOBAL OPTIONS\"",
            ".SH EXAMPLES",
            ".SH VERSION",
        ]
    );
    // Examples are kept line by line, not run together.
    assert!(
        page.contains(".nf\nep \\-\\-demo reprocess \\-\\-all\\-failed \\-\\-dry\\-run\n.fi"),
        "{page}"
    );
    let top = run_expect(bare_ep().arg("man"), 0).stdout;
    assert!(top.contains(".SH \"EXIT STATUS\""), "{top}");
    assert!(
        top.contains("ep\\-reprocess(1)"),
        "the subcommands name their pages"
    );
    let r = run_expect(bare_ep().args(["man", "requests", "nope"]), 2);
    assert!(
        r.stderr
            .contains("'nope' is not a command of 'ep-requests'"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("list, why, show"), "{}", r.stderr);
}

/// The man page says what `--help` says about the environment: an admin setting up a pipeline
/// looks for the variables there.
#[test]
fn the_man_page_names_each_options_environment_variable_as_the_help_does() {
    let page = run_expect(bare_ep().args(["man", "reprocess"]), 0).stdout;
    let help = run_expect(bare_ep().args(["reprocess", "--help"]), 0).stdout;
    let mut named = 0;
    for var in help.split("[env: ").skip(1) {
        let var = var.split(']').next().unwrap();
        assert!(page.contains(var), "{var} is not in the man page");
        named += 1;
    }
    assert!(named >= 10, "{named} variables in the help");
}

/// The help of the command at `path`, with `flag` (`-h` or `--help`).
fn help(path: &[String], flag: &str) -> String {
    let out = bare_ep()
        .args(path)
        .arg(flag)
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_help_lists_own_options_first_then_the_global_headings_then_examples() {
    let mut paths = Vec::new();
    command_paths(&ep::cli::Cli::command(), Vec::new(), &mut paths);
    let order = [
        "Options:",
        "Connection (global options):",
        "Authentication (global options):",
        "Global options:",
        "Examples:",
    ];
    for path in paths {
        for flag in ["-h", "--help"] {
            let text = help(&path, flag);
            let at: Vec<usize> = order
                .iter()
                .map(|h| {
                    text.lines()
                        .position(|l| l == *h)
                        .unwrap_or_else(|| panic!("ep {} {flag}: no {h}\n{text}", path.join(" ")))
                })
                .collect();
            assert!(
                at.windows(2).all(|w| w[0] < w[1]),
                "ep {} {flag}:\n{text}",
                path.join(" ")
            );
            // Inherited options only under the global headings.
            let own = &text[text.find("\nOptions:\n").unwrap()
                ..text.find("Connection (global options):").unwrap()];
            for global in ["--graph-url", "--tenant", "--output", "--demo", "--color"] {
                assert!(
                    !own.contains(global),
                    "ep {} {flag}: {global} among own options",
                    path.join(" ")
                );
            }
        }
        // -h is the short form.
        assert!(
            help(&path, "-h").lines().count() < help(&path, "--help").lines().count(),
            "ep {}",
            path.join(" ")
        );
    }
    // The top-level long help ends with the exit codes.
    assert!(help(&[], "--help").contains("Exit status:\n  0    success"));
    assert!(!help(&[], "-h").contains("Exit status:"));
}

#[test]
fn every_global_option_has_a_heading_in_every_command() {
    let mut cmd = ep::cli::Cli::command();
    cmd.build();
    fn check(cmd: &clap::Command) {
        for arg in cmd
            .get_arguments()
            .filter(|a| a.is_global_set() && !a.is_hide_set())
        {
            assert!(
                arg.get_help_heading().is_some(),
                "{}: --{} has no heading",
                cmd.get_name(),
                arg.get_id()
            );
        }
        for sub in cmd.get_subcommands() {
            check(sub);
        }
    }
    check(&cmd);
}

/// Every example in every help that starts with `ep --demo` runs as written, in a shell, in
/// order, in one demo session (pipes and redirections included).
#[test]
fn every_demo_example_in_the_help_runs_as_written() {
    let mut texts = Vec::new();
    fn collect(cmd: &clap::Command, out: &mut Vec<String>) {
        for text in [cmd.get_after_help(), cmd.get_after_long_help()]
            .into_iter()
            .flatten()
        {
            out.push(text.to_string());
        }
        for sub in cmd.get_subcommands() {
            collect(sub, out);
        }
    }
    collect(&ep::cli::Cli::command(), &mut texts);
    let mut examples: Vec<String> = Vec::new();
    for text in &texts {
        // A long command continues on the next line after ` \`, as a shell reads it.
        for line in text.replace("\\\n", " ").lines().map(str::trim) {
            if line.starts_with("ep --demo") && !examples.iter().any(|e| e == line) {
                examples.push(line.to_string());
            }
        }
    }
    assert!(
        examples
            .iter()
            .any(|e| e.contains("| ep --demo reprocess -")),
        "continued lines are joined: {examples:#?}"
    );
    assert!(examples.len() >= 12, "{examples:#?}");
    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("ep");
    let path = format!("{}:/usr/bin:/bin", bin.parent().unwrap().display());
    for example in &examples {
        let mut cmd = assert_cmd::Command::new("bash");
        cmd.env_clear()
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .env("HOME", dir.path().join("home"))
            .current_dir(dir.path())
            .args(["-o", "pipefail", "-c", example]);
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "{example}\n{}\n{}", r.stdout, r.stderr);
    }
    // What the CI example writes is there.
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.starts_with("### ep reprocess:"), "{summary}");
    assert!(dir.path().join("results.json").exists());
}

/// An example's command lines reach the reader as written in an 80-column terminal: clap wraps a
/// longer line at any space, and a command broken in the middle no longer runs when copied.
#[test]
fn example_commands_are_not_wrapped_in_an_80_column_terminal() {
    fn check(cmd: &clap::Command, checked: &mut usize) {
        for (text, long) in [
            (cmd.get_after_help(), false),
            (cmd.get_after_long_help(), true),
        ] {
            let Some(text) = text.map(|t| t.to_string()) else {
                continue;
            };
            let mut narrow = cmd.clone().term_width(80);
            let rendered = if long {
                narrow.render_long_help()
            } else {
                narrow.render_help()
            }
            .to_string();
            let shown: BTreeSet<&str> = rendered.lines().map(str::trim_end).collect();
            let examples = text.split("Exit status:").next().unwrap_or_default();
            for line in examples.lines().map(str::trim_end) {
                let command = line.trim_start();
                if command.is_empty() || command.starts_with('#') || command.ends_with(':') {
                    continue;
                }
                assert!(
                    shown.contains(line),
                    "'{line}' of '{}' is wrapped at 80 columns:\n{rendered}",
                    cmd.get_name()
                );
                *checked += 1;
            }
        }
        for sub in cmd.get_subcommands() {
            check(sub, checked);
        }
    }
    let mut root = ep::cli::Cli::command();
    root.build();
    let mut checked = 0;
    check(&root, &mut checked);
    assert!(checked > 20, "{checked} example lines");
}
