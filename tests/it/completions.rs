//! The committed completion scripts must be what the binary generates now.
//! Regenerate with: EP_UPDATE_SNAPSHOTS=1 cargo test --test it snapshots

use assert_cmd::Command;
use std::path::PathBuf;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "ep.bash"),
    ("zsh", "_ep"),
    ("fish", "ep.fish"),
    ("powershell", "_ep.ps1"),
    ("elvish", "ep.elv"),
];

#[test]
fn snapshots_completions_are_current() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = crate::common::updating_snapshots();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let out = Command::cargo_bin("ep")
            .unwrap()
            .env_clear()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "ep completions {shell} failed");
        let generated = String::from_utf8(out.stdout).unwrap();
        assert!(
            generated.contains("reprocess"),
            "{shell} script names the subcommands"
        );
        assert!(
            generated.contains("--all-failed"),
            "{shell} script names the flags"
        );
        let path = dir.join(file);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale completion scripts {stale:?}: run EP_UPDATE_SNAPSHOTS=1 cargo test --test it snapshots"
    );
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::cargo_bin("ep")
        .unwrap()
        .env_clear()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("tcsh"), "{err}");
    assert_eq!(
        err.lines().next().map(|l| l.starts_with("ep: error:")),
        Some(true),
        "{err}"
    );
}
