//! The whole CLI reference — every command's `--help`, as the binary prints it — is committed in
//! `tests/it/cli-reference.md`, so any change to the user-facing surface shows up in review.
//! Regenerate with: EP_UPDATE_SNAPSHOTS=1 cargo test --test it snapshots

use crate::common::bare_ep;
use clap::CommandFactory;
use std::path::PathBuf;

/// Every command path, depth first: `[]`, `["packages"]`, `["packages", "list"]`, …
pub(crate) fn command_paths(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let mut path = prefix.clone();
        path.push(sub.get_name().to_string());
        command_paths(sub, path, out);
    }
}

fn reference() -> String {
    let mut paths = Vec::new();
    command_paths(&ep::cli::Cli::command(), Vec::new(), &mut paths);
    // The help topic that holds what no command's help repeats.
    paths.push(vec!["help".to_string(), "options".to_string()]);
    let mut doc = String::from(
        "# ep CLI reference\n\nGenerated from `ep … --help` by `tests/it/cli_reference.rs`; do not edit.\n",
    );
    for path in paths {
        let out = bare_ep()
            .args(&path)
            .args((path.first().map(String::as_str) != Some("help")).then_some("--help"))
            .env("COLUMNS", "100")
            .output()
            .unwrap();
        assert!(out.status.success(), "ep {} --help failed", path.join(" "));
        let title = std::iter::once("ep").chain(path.iter().map(String::as_str));
        doc.push_str(&format!(
            "\n## `{}`\n\n```text\n{}```\n",
            title.collect::<Vec<_>>().join(" "),
            String::from_utf8(out.stdout).unwrap()
        ));
    }
    doc
}

#[test]
// The committed text is what Linux and macOS print; Windows names its own folders (%APPDATA%,
// %LOCALAPPDATA%) in the help, so its pages differ by design.
#[cfg_attr(
    windows,
    ignore = "the snapshots hold the Unix help; Windows paths differ"
)]
fn snapshots_cli_reference_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/cli-reference.md");
    let generated = reference();
    assert!(generated.contains("## `ep reprocess`") && generated.contains("--all-failed"));
    if crate::common::updating_snapshots() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(|| "the end".to_string(), |n| format!("line {}", n + 1));
        panic!(
            "tests/it/cli-reference.md is stale (first difference at {line}): \
             run EP_UPDATE_SNAPSHOTS=1 cargo test --test it snapshots and review the diff"
        );
    }
}
