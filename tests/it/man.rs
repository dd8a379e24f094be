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
// The committed text is what Linux and macOS print; Windows names its own folders (%APPDATA%,
// %LOCALAPPDATA%) in the help, so its pages differ by design.
#[cfg_attr(
    windows,
    ignore = "the snapshots hold the Unix help; Windows paths differ"
)]
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

/// The man page names each global option's environment variable, as `ep --help` and
/// `ep help options` do: an admin setting up a pipeline looks for the variables there.
#[test]
fn the_man_page_names_each_options_environment_variable_as_the_help_does() {
    let page = run_expect(bare_ep().args(["man", "reprocess"]), 0).stdout;
    let help = run_expect(bare_ep().arg("--help"), 0).stdout;
    let topic = run_expect(bare_ep().args(["help", "options"]), 0).stdout;
    let mut named = 0;
    for var in help.split("[env: ").skip(1) {
        let var = var.split(']').next().unwrap();
        assert!(page.contains(var), "{var} is not in the man page");
        assert!(
            topic.contains(&format!("[env: {var}]")),
            "{var} is not in ep help options"
        );
        named += 1;
    }
    assert!(named >= 10, "{named} variables in the help");
}

/// The help of the command at `path`, with `flag` (`-h` or `--help`), `columns` wide.
fn help_at(path: &[String], flag: &str, columns: usize) -> String {
    let out = bare_ep()
        .args(path)
        .arg(flag)
        .env("COLUMNS", columns.to_string())
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The help of the command at `path`, with `flag` (`-h` or `--help`).
fn help(path: &[String], flag: &str) -> String {
    help_at(path, flag, 100)
}

/// What `ep -h` and every command's help say instead of listing the global options.
const MORE: &str = "Global options (-o FORMAT, --profile NAME, --demo, -q, -v, …): ep help options";

/// Global options no command's help lists: they are in `ep --help` and `ep help options`.
const COLLAPSED: [&str; 11] = [
    "--graph-url",
    "--tenant",
    "--client-id",
    "--authority-host",
    "--retries",
    "--max-wait",
    "--no-batch",
    "--color",
    "-o, --output",
    "-q, --quiet",
    "-v, --verbose",
];

#[test]
fn every_command_help_shows_its_own_options_then_where_the_global_ones_are_then_examples() {
    let mut paths = Vec::new();
    command_paths(&ep::cli::Cli::command(), Vec::new(), &mut paths);
    let order = ["Options:", MORE, "Examples:"];
    for path in paths.iter().filter(|p| !p.is_empty()) {
        let name = path.join(" ");
        for flag in ["-h", "--help"] {
            let text = help(path, flag);
            let at: Vec<usize> = order
                .iter()
                .map(|h| {
                    text.lines()
                        .position(|l| l == *h)
                        .unwrap_or_else(|| panic!("ep {name} {flag}: no {h}\n{text}"))
                })
                .collect();
            assert!(
                at.windows(2).all(|w| w[0] < w[1]),
                "ep {name} {flag}:\n{text}"
            );
            for collapsed in COLLAPSED {
                assert!(
                    !text.contains(collapsed),
                    "ep {name} {flag} lists {collapsed}\n{text}"
                );
            }
            assert!(
                !text.contains("global options):"),
                "ep {name} {flag}:\n{text}"
            );
            assert!(
                !text.contains("Global options:"),
                "ep {name} {flag}:\n{text}"
            );
        }
        // -h is the short form.
        assert!(
            help(path, "-h").lines().count() <= help(path, "--help").lines().count(),
            "ep {name}"
        );
    }
    // Where a command has more to say than one line per option, --help says it.
    let path = vec!["reprocess".to_string()];
    assert!(help(&path, "-h").lines().count() < help(&path, "--help").lines().count());
}

#[test]
fn ep_alone_is_a_short_overview_and_ep_help_has_every_global_option() {
    // Bare `ep`, as a newcomer types it first: the overview on stdout, and success.
    let bare = run_expect(bare_ep().env("COLUMNS", "100"), 0);
    assert_eq!(bare.stderr, "");
    assert_eq!(bare.stdout, help(&[], "-h"));
    let overview = &bare.stdout;
    for part in ["Commands:", "reprocess", MORE, "Examples:", "ep --demo"] {
        assert!(overview.contains(part), "no {part}:\n{overview}");
    }
    for collapsed in COLLAPSED {
        assert!(!overview.contains(collapsed), "{collapsed}:\n{overview}");
    }
    assert!(!overview.contains("Exit status:"));
    // The long form has everything: every heading of global options, then examples and the
    // exit codes.
    let long = help(&[], "--help");
    let order = [
        "Options:",
        "Connection (global options):",
        "Authentication (global options):",
        "Global options:",
        "Examples:",
        "Exit status:",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|h| {
            long.lines()
                .position(|l| l == *h)
                .unwrap_or_else(|| panic!("no {h}\n{long}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{long}");
    assert!(long.contains("Exit status:\n  0    success"));
    // A group without its subcommand shows its help the same way.
    let group = run_expect(bare_ep().arg("requests").env("COLUMNS", "100"), 0);
    assert_eq!(group.stdout, help(&["requests".to_string()], "-h"));
}

/// The line counts the first hour's reader sees: the overview, and a command's own options and
/// examples on one screen.
#[test]
fn help_fits_a_screen() {
    let path =
        |words: &str| -> Vec<String> { words.split_whitespace().map(String::from).collect() };
    for columns in [80, 100] {
        let count = |words: &str, flag: &str| help_at(&path(words), flag, columns).lines().count();
        assert!(
            count("", "-h") <= 30,
            "ep -h at {columns}: {}",
            count("", "-h")
        );
        assert!(
            count("reprocess", "-h") <= 45,
            "ep reprocess -h at {columns}: {}",
            count("reprocess", "-h")
        );
        assert!(
            count("requests", "--help") <= 50,
            "ep requests --help at {columns}: {}",
            count("requests", "--help")
        );
        let mut paths = Vec::new();
        command_paths(&ep::cli::Cli::command(), Vec::new(), &mut paths);
        // The emulator's own options are its knobs, some forty of them.
        for p in paths
            .iter()
            .filter(|p| p.first().is_some_and(|c| c != "emulator"))
        {
            let lines = help_at(p, "-h", columns).lines().count();
            assert!(
                lines <= 45,
                "ep {} -h at {columns}: {lines} lines",
                p.join(" ")
            );
        }
        // No line of a command's short help is wider than the terminal.
        let text = help_at(&path("reprocess"), "-h", columns);
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest <= columns, "{widest} columns:\n{text}");
    }
}

#[test]
fn ep_help_shows_a_commands_long_help_or_the_options_topic() {
    for words in [
        &[][..],
        &["reprocess"][..],
        &["requests", "list"][..],
        &["config", "set"][..],
    ] {
        let path: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let shown = run_expect(bare_ep().arg("help").args(words).env("COLUMNS", "100"), 0).stdout;
        assert_eq!(shown, help(&path, "--help"), "ep help {}", words.join(" "));
    }
    let topic = run_expect(bare_ep().args(["help", "options"]), 0).stdout;
    assert_eq!(
        run_expect(bare_ep().args(["help", "environment"]), 0).stdout,
        topic
    );
    // Every global option a command accepts is in the topic, with the credential variables
    // that are not options at all.
    let mut root = ep::cli::Cli::command();
    root.build();
    let globals: Vec<String> = root
        .get_arguments()
        .filter(|a| a.is_global_set() && !a.is_hide_set())
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .collect();
    assert!(globals.len() >= 20, "{globals:?}");
    let long = help(&[], "--help");
    let man = run_expect(bare_ep().arg("man"), 0).stdout;
    for flag in &globals {
        assert!(
            topic.contains(flag.as_str()),
            "{flag} not in ep help options"
        );
        assert!(long.contains(flag.as_str()), "{flag} not in ep --help");
        assert!(
            man.contains(&flag.replace('-', "\\-")),
            "{flag} not in ep(1)"
        );
    }
    for var in [
        "EP_ACCESS_TOKEN",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "NO_COLOR",
    ] {
        assert!(topic.contains(var), "{var}:\n{topic}");
    }
    assert!(!topic.contains("Usage:"), "{topic}");
    // A word that is neither: a usage error that says what there is.
    let r = run_expect(bare_ep().args(["help", "reprocesss"]), 2);
    assert!(
        r.stderr
            .contains("'reprocesss' is not a command or help topic"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("options"), "{}", r.stderr);
    assert_eq!(r.stdout, "");
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
