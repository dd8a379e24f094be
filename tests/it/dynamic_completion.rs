//! ep's dynamic completion, asked as a shell's registration asks it (`COMPLETE=SHELL ep -- WORDS`
//! with the shell's variables), against the emulator: package names from Graph, states, output
//! formats and profiles, subcommands before flags, no secret flags, and an empty answer, at once
//! and in silence, when Graph cannot be reached.

use crate::common::{Emu, Run, bare_ep, run};
use assert_cmd::Command;
use std::time::Duration;

/// `words` completed at their last word, as bash asks (the candidates one per line).
fn bash(mut cmd: Command, words: &[&str]) -> Run {
    cmd.env("COMPLETE", "bash")
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .arg("--")
        .args(words);
    run(&mut cmd)
}

/// The same as fish asks: candidates one per line, a tab before each one's description.
fn fish(mut cmd: Command, words: &[&str]) -> Run {
    cmd.env("COMPLETE", "fish").arg("--").args(words);
    run(&mut cmd)
}

fn lines(r: &Run) -> Vec<&str> {
    r.stdout.lines().collect()
}

/// The emulator's package names, as `ep packages list` reads them.
fn package_names(emu: &Emu) -> Vec<String> {
    let r = run(emu.ep().args(["packages", "list", "-o", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut names: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["displayName"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn package_names_come_from_graph_quoted_for_the_shell_asking() {
    let emu = Emu::start();
    let names = package_names(&emu);
    assert!(names.iter().any(|n| n == "Finance Reporting"), "{names:?}");
    let listed_before = listings(&emu);
    for words in [
        &["ep", "requests", "list", "--package", ""][..],
        &["ep", "reprocess", "--package", ""][..],
        &["ep", "requests", "why", "--package", ""][..],
    ] {
        let r = bash(emu.ep(), words);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.stderr, "");
        // bash inserts a candidate as it is: a name with a space is quoted to stay one word.
        let want: Vec<String> = names.iter().map(|n| bash_quoted(n)).collect();
        assert!(want.iter().any(|w| w == "'Finance Reporting'"), "{want:?}");
        let mut got: Vec<String> = lines(&r).iter().map(|l| l.to_string()).collect();
        got.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(got, want_sorted, "{words:?}");
    }
    // What was typed narrows them, in any case, an opening quote included.
    let r = bash(emu.ep(), &["ep", "reprocess", "--package", "'fin"]);
    assert_eq!(lines(&r), ["'Finance Reporting'"]);
    // fish quotes for itself and shows each package's catalog beside it.
    let r = fish(emu.ep(), &["ep", "reprocess", "--package", "Fin"]);
    let line = lines(&r).into_iter().next().unwrap_or_default().to_string();
    assert!(line.starts_with("Finance Reporting\t"), "{}", r.stdout);
    // Each answer was Graph's, to a caller signed in as every command is (Graph answers 401
    // to anyone else).
    assert!(listings(&emu) >= listed_before + 5, "{}", listings(&emu));
}

/// `name` as bash reads it back: single-quoted unless it is one plain word.
fn bash_quoted(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:@,+=".contains(c))
    {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
    }
}

/// Package listings Graph answered with 200.
fn listings(emu: &Emu) -> usize {
    emu.calls()
        .iter()
        .filter(|c| c.method == "GET" && c.path.ends_with("/accessPackages") && c.status == 200)
        .count()
}

#[test]
fn states_formats_profiles_and_setting_keys_are_offered() {
    let emu = Emu::start();
    let r = bash(emu.ep(), &["ep", "requests", "list", "--state", "deli"]);
    assert_eq!(
        lines(&r),
        ["delivering", "delivered", "deliveryFailed"],
        "{}",
        r.stderr
    );
    // After a comma, the next state, the ones before kept.
    let r = bash(
        emu.ep(),
        &["ep", "requests", "list", "--state", "deliveryFailed,part"],
    );
    assert_eq!(lines(&r), ["deliveryFailed,partiallyDelivered"]);
    let r = bash(emu.ep(), &["ep", "requests", "list", "-o", ""]);
    assert_eq!(
        lines(&r),
        ["table", "json", "ndjson", "csv", "ids", "tsv", "markdown"]
    );
    let r = bash(emu.ep(), &["ep", "--output", "nd"]);
    assert_eq!(lines(&r), ["ndjson"]);

    let home = tempfile::tempdir().unwrap();
    let config_home = home.path().join("config");
    for name in ["prod", "test-eu"] {
        let r = run(bare_ep().env("XDG_CONFIG_HOME", &config_home).args([
            "config",
            "set",
            name,
            "tenant",
            "contoso.onmicrosoft.com",
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let with_config = || {
        let mut cmd = emu.ep();
        cmd.env("XDG_CONFIG_HOME", &config_home);
        cmd
    };
    let r = bash(with_config(), &["ep", "--profile", ""]);
    assert_eq!(lines(&r), ["prod", "test-eu"], "{}", r.stderr);
    let r = bash(with_config(), &["ep", "config", "use", "t"]);
    assert_eq!(lines(&r), ["test-eu"]);
    let r = bash(with_config(), &["ep", "config", "set", "prod", "client-"]);
    assert_eq!(lines(&r), ["client-id", "client-certificate-path"]);
    let r = bash(with_config(), &["ep", "help", "opt"]);
    assert_eq!(lines(&r), ["options"]);
}

#[test]
fn subcommands_come_before_flags_and_secret_flags_never_come() {
    let r = bash(bare_ep(), &["ep", ""]);
    let offered = lines(&r);
    let first_flag = offered.iter().position(|w| w.starts_with('-')).unwrap();
    let last_command = offered.iter().rposition(|w| !w.starts_with('-')).unwrap();
    assert!(last_command < first_flag, "{offered:?}");
    for command in [
        "packages",
        "requests",
        "reprocess",
        "auth",
        "config",
        "help",
    ] {
        assert!(offered[..first_flag].contains(&command), "{offered:?}");
    }
    assert!(offered.contains(&"--tenant"), "{offered:?}");
    // Even typed up to their own prefix, the refused secret flags are not completed.
    for (words, secret) in [
        (&["ep", "--access"][..], "--access-token"),
        (&["ep", "reprocess", "--pass"][..], "--password"),
        (
            &["ep", "requests", "list", "--certificate-p"][..],
            "--certificate-password",
        ),
        (&["ep", "--client-secret"][..], "--client-secret"),
    ] {
        let r = bash(bare_ep(), words);
        assert!(!lines(&r).contains(&secret), "{words:?}: {}", r.stdout);
    }
    let r = bash(bare_ep(), &["ep", "--client-sec"]);
    assert_eq!(lines(&r), ["--client-secret-file"]);
}

/// A Graph that refuses connections, and one that accepts them and never answers: the shell gets
/// no candidates, within the budget, and not a character on the terminal.
#[test]
fn an_unreachable_or_silent_graph_gives_an_empty_answer_quickly_and_quietly() {
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    // Bound and never accepted: connections complete in the backlog and then hear nothing.
    let silent_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent = format!("http://{}", silent_listener.local_addr().unwrap());
    let emu = Emu::start();
    for url in [&refused, &silent] {
        let mut cmd = emu.ep();
        cmd.env("EP_GRAPH_URL", url)
            .env("AZURE_AUTHORITY_HOST", url);
        let r = bash(cmd, &["ep", "reprocess", "--package", ""]);
        assert_eq!(r.code, 0, "{url}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{url}");
        assert_eq!(r.stderr, "", "{url}");
        assert!(r.elapsed < Duration::from_secs(4), "{url}: {:?}", r.elapsed);
    }
    // Signed in, with Graph itself silent.
    let mut cmd = emu.ep();
    cmd.env("EP_GRAPH_URL", &silent);
    let r = bash(cmd, &["ep", "reprocess", "--package", ""]);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    assert!(r.elapsed < Duration::from_secs(4), "{:?}", r.elapsed);
    // No credentials at all: nothing, and no sign-in is started.
    let r = bash(bare_ep(), &["ep", "reprocess", "--package", ""]);
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("", ""));
    drop(silent_listener);
}

/// Through bash itself: the registration ep prints, and the function it registers, put one
/// quoted word for a package name with a space.
#[test]
fn bash_registration_completes_a_name_with_a_space_as_one_word() {
    let emu = Emu::start();
    let bin = assert_cmd::cargo::cargo_bin("ep");
    let path = format!("{}:/usr/bin:/bin", bin.parent().unwrap().display());
    let home = tempfile::tempdir().unwrap();
    let program = "source <(COMPLETE=bash ep)\n\
                   COMP_WORDS=(ep requests list --package Fin)\n\
                   COMP_CWORD=4\n\
                   COMP_TYPE=9\n\
                   _clap_complete_ep ep Fin --package\n\
                   printf '<%s>\\n' \"${COMPREPLY[@]}\"";
    let mut cmd = Command::new("bash");
    cmd.env_clear()
        .env("PATH", &path)
        .env("HOME", home.path())
        .env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("AZURE_TENANT_ID", ep_emulator::DEMO.tenant_id)
        .env("AZURE_CLIENT_ID", ep_emulator::DEMO.client_id)
        .env("AZURE_CLIENT_SECRET", ep_emulator::DEMO.client_secret)
        .args(["-c", program]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "<'Finance Reporting'>\n", "{}", r.stderr);
}

/// TAB in an interactive bash in a real terminal: the name is put on the line, quoted, and
/// nothing else is written to the terminal.
#[cfg(unix)]
#[test]
fn tab_in_an_interactive_bash_puts_the_quoted_name_on_the_line() {
    let emu = Emu::start();
    let bin = assert_cmd::cargo::cargo_bin("ep");
    let path = format!("{}:/usr/bin:/bin", bin.parent().unwrap().display());
    let home = tempfile::tempdir().unwrap();
    let mut bash = std::process::Command::new("bash");
    bash.args(["--norc", "--noprofile", "-i"])
        .env_clear()
        .env("PATH", &path)
        .env("HOME", home.path())
        .env("TERM", "dumb")
        .env("PS1", "prompt> ")
        .env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("AZURE_TENANT_ID", ep_emulator::DEMO.tenant_id)
        .env("AZURE_CLIENT_ID", ep_emulator::DEMO.client_id)
        .env("AZURE_CLIENT_SECRET", ep_emulator::DEMO.client_secret);
    let mut p = rexpect::session::spawn_command(bash, Some(20_000)).unwrap();
    p.exp_string("prompt> ").unwrap();
    // rexpect starts the terminal without echo, and readline shows nothing without it.
    p.send_line("stty echo").unwrap();
    p.exp_string("prompt> ").unwrap();
    p.send_line("source <(COMPLETE=bash ep)").unwrap();
    p.exp_string("prompt> ").unwrap();
    p.send("ep reprocess --package Fin").unwrap();
    p.flush().unwrap();
    p.exp_string("--package Fin").unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    let before = p.exp_string("Reporting'").unwrap();
    assert!(before.contains("'Finance "), "{before:?}");
    assert!(
        !before.contains("error") && !before.contains("ep:"),
        "{before:?}"
    );
    // Ctrl-U drops the line unrun; exit ends the shell.
    p.send_control('u').unwrap();
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}
