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

/// The flags that would take a secret (hidden from help) are in no script, committed or
/// generated: TAB must never lead anyone to type a secret into their shell's history.
#[test]
fn no_hidden_flag_is_in_any_completion_script() {
    let mut root = ep::cli::command();
    root.build();
    let hidden: Vec<String> = root
        .get_arguments()
        .filter(|a| a.is_hide_set())
        .filter_map(|a| a.get_long())
        .map(str::to_string)
        .collect();
    for secret in ep::cli::SECRET_FLAGS {
        assert!(hidden.iter().any(|h| h == secret), "{secret} in {hidden:?}");
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in SHELLS {
        let out = Command::cargo_bin("ep")
            .unwrap()
            .env_clear()
            .args(["completions", shell])
            .output()
            .unwrap();
        let generated = String::from_utf8(out.stdout).unwrap();
        let committed = std::fs::read_to_string(dir.join(file)).unwrap();
        for (what, script) in [("generated", &generated), ("committed", &committed)] {
            assert!(
                names_flag(script, "client-secret-file"),
                "{shell}: the check finds flags"
            );
            for flag in &hidden {
                assert!(
                    !names_flag(script, flag),
                    "the {what} {shell} script offers the hidden --{flag}"
                );
            }
        }
    }
}

/// Whether `script` names `--long` as a flag, as every generator writes it (`--long`), or as
/// fish does (`-l long`) — and not merely a longer flag that starts the same, like
/// `--client-secret-file`.
fn names_flag(script: &str, long: &str) -> bool {
    [format!("--{long}"), format!("-l {long}")]
        .iter()
        .any(|pattern| {
            script.match_indices(pattern.as_str()).any(|(at, _)| {
                let next = script[at + pattern.len()..].chars().next();
                !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            })
        })
}

/// The static bash script offers no local file names for a value that is not a path: a package
/// name, a state, a request id.
#[test]
fn the_static_bash_script_lists_no_files_for_package_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes-for-tab.txt"), "x").unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions/ep.bash");
    let complete = |line: &str, cword: usize, cur: &str, prev: &str| {
        let program = format!(
            "source {}\nCOMP_WORDS=({line})\nCOMP_CWORD={cword}\n_ep ep '{cur}' '{prev}'\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let out = Command::new("bash")
            .env_clear()
            .current_dir(dir.path())
            .args(["-c", &program])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for (line, cword, prev) in [
        ("ep requests list --package ''", 4, "--package"),
        ("ep reprocess --package ''", 3, "--package"),
        ("ep requests list --state ''", 4, "--state"),
        ("ep reprocess ''", 2, "reprocess"),
    ] {
        let offered = complete(line, cword, "", prev);
        assert!(!offered.contains("notes-for-tab"), "{line}: {offered}");
    }
    // A path is still completed as one: the check above would see a file if it were offered.
    let offered = complete("ep reprocess --summary-file ''", 3, "", "--summary-file");
    assert!(offered.contains("notes-for-tab.txt"), "{offered}");
    // And values with a fixed set are offered from it.
    let offered = complete("ep requests list -o ''", 4, "", "-o");
    assert!(offered.lines().any(|l| l == "ndjson"), "{offered}");
}
