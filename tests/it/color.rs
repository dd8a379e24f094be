//! `--color auto|always|never`, `--no-color` and `NO_COLOR`, through the real binary: piped (where
//! `auto` means none and `always` still colours) and in a real pseudo-terminal (where `auto`
//! colours unless told not to).

use crate::common::{Emu, bare_ep, run_expect};

/// A colour ep's tables use: comfy-table writes 256-colour SGR sequences (`ESC[38;5;Nm`).
const SGR_COLOUR: &str = "\u{1b}[38;5;";

fn list(emu: &Emu, package: &str, extra: &[&str], no_color_env: bool) -> String {
    let mut cmd = emu.ep();
    if !no_color_env {
        cmd.env_remove("NO_COLOR");
    }
    cmd.args(["requests", "list", "--package", package])
        .args(extra);
    run_expect(&mut cmd, 0).stdout
}

#[test]
fn piped_output_is_coloured_only_with_color_always() {
    let emu = Emu::start();
    let package = emu.edge_package();
    assert!(!list(&emu, &package, &[], false).contains('\u{1b}'));
    assert!(!list(&emu, &package, &["--color", "auto"], false).contains('\u{1b}'));
    assert!(!list(&emu, &package, &["--color", "never"], false).contains('\u{1b}'));
    let always = list(&emu, &package, &["--color", "always"], false);
    assert!(always.contains(SGR_COLOUR), "{always:?}");
    // An explicit --color always wins over NO_COLOR, as no-color.org asks of command-line flags.
    let always = list(&emu, &package, &["--color=always"], true);
    assert!(always.contains(SGR_COLOUR), "{always:?}");
    // Machine formats carry no colour, whatever is asked.
    for format in ["json", "csv", "ids", "markdown"] {
        let out = list(&emu, &package, &["--color", "always", "-o", format], false);
        assert!(!out.contains('\u{1b}'), "{format}: {out:?}");
    }
}

#[test]
fn help_follows_color_too() {
    let help = |args: &[&str]| run_expect(bare_ep().args(args), 0).stdout;
    let styled = help(&["--color", "always", "reprocess", "-h"]);
    assert!(styled.contains("\u{1b}[1m\u{1b}[4mUsage:"), "{styled:?}");
    assert!(styled.contains("\u{1b}[1m\u{1b}[4mExamples:"), "{styled:?}");
    // `ep help` follows it as -h does, topics included.
    for args in [
        &["--color", "always", "help", "reprocess"][..],
        &["help", "options", "--color=always"][..],
    ] {
        let styled = help(args);
        assert!(
            styled.contains("\u{1b}[1m\u{1b}[4m"),
            "{args:?}: {styled:?}"
        );
    }
    for args in [
        &["reprocess", "-h"][..],
        &["--color=never", "reprocess", "--help"][..],
        &["--no-color", "--help"][..],
        &["help", "reprocess"][..],
    ] {
        let plain = help(args);
        assert!(!plain.contains('\u{1b}'), "{args:?}: {plain:?}");
        assert!(plain.contains("Examples:"), "{args:?}");
    }
    let topic = help(&["help", "options"]);
    assert!(
        !topic.contains('\u{1b}') && topic.contains("Credentials"),
        "{topic:?}"
    );
}

#[test]
fn no_color_and_color_together_are_a_usage_error() {
    let emu = Emu::start();
    let r = run_expect(
        emu.ep()
            .args(["--no-color", "--color", "always", "packages", "list"]),
        2,
    );
    assert!(r.stderr.contains("--no-color"), "{}", r.stderr);
    let r = run_expect(
        emu.ep().args(["--color", "sometimes", "packages", "list"]),
        2,
    );
    assert!(r.stderr.contains("auto, always, never"), "{}", r.stderr);
}

#[cfg(unix)]
mod in_a_terminal {
    use super::SGR_COLOUR;
    use crate::common::Emu;
    use rexpect::session::spawn_command;

    /// Everything ep printed in a pty, until it exited.
    fn screen(emu: &Emu, args: &[&str], env: &[(&str, &str)]) -> String {
        let mut cmd = emu.ep_process();
        cmd.env_remove("NO_COLOR").env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(args);
        let mut p = spawn_command(cmd, Some(20_000)).unwrap();
        p.exp_eof().unwrap()
    }

    #[test]
    fn auto_colours_a_terminal_unless_no_color_dumb_or_never() {
        let emu = Emu::start();
        let package = emu.edge_package();
        // Ids are never wrapped, however narrow the pty: they show the table was printed. At a
        // terminal they are their shortest unique prefix.
        let id = emu.eligible(Some(&package)).pop_first().unwrap();
        let id = &id[..8];
        let args = ["requests", "list", "--package", package.as_str()];
        let auto = screen(&emu, &args, &[]);
        assert!(auto.contains(SGR_COLOUR), "{auto:?}");
        assert!(auto.contains(id), "{auto:?}");
        let with = |extra: &'static str| {
            let mut a = args.to_vec();
            a.push(extra);
            a
        };
        for (what, out) in [
            ("--no-color", screen(&emu, &with("--no-color"), &[])),
            ("--color never", screen(&emu, &with("--color=never"), &[])),
            ("NO_COLOR", screen(&emu, &args, &[("NO_COLOR", "1")])),
            ("TERM=dumb", screen(&emu, &args, &[("TERM", "dumb")])),
        ] {
            assert!(!out.contains(SGR_COLOUR), "{what}: {out:?}");
            assert!(out.contains(id), "{what}: {out:?}");
        }
        // An empty NO_COLOR is no request at all.
        let empty = screen(&emu, &args, &[("NO_COLOR", "")]);
        assert!(empty.contains(SGR_COLOUR), "{empty:?}");
    }
}
