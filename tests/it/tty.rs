//! Terminal behaviour in a real pseudo-terminal: the --select picker and the bulk confirmation.
#![cfg(unix)]

use crate::common::Emu;
use rexpect::session::{PtySession, spawn_command};

fn ep_in_pty(emu: &Emu, args: &[&str]) -> PtySession {
    let mut cmd = emu.ep_process();
    cmd.env("TERM", "xterm-256color").args(args);
    spawn_command(cmd, Some(20_000)).unwrap()
}

#[test]
fn select_filters_by_typing_and_reprocesses_only_the_picked_request() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let eligible = emu.eligible(Some(&package));
    let truth = emu.truth();
    // A requestor who has exactly one reprocessable request in the package, to type as a filter.
    let pick = truth
        .iter()
        .filter(|t| eligible.contains(&t.id))
        .find(|t| {
            truth
                .iter()
                .filter(|o| eligible.contains(&o.id) && o.requestor_name == t.requestor_name)
                .count()
                == 1
        })
        .expect("a requestor with one eligible request");
    let mut p = ep_in_pty(&emu, &["reprocess", "--package", &package, "--select"]);
    p.exp_string("Reprocess which requests?").unwrap();
    p.send(&pick.id[..8]).unwrap();
    p.flush().unwrap();
    // Shown as in tables: the id's shortest unique prefix, marked as cut.
    // rexpect matches bytes taken one for one as chars: `…` is its three UTF-8 bytes.
    let marked: String = format!("{}…", &pick.id[..8])
        .bytes()
        .map(char::from)
        .collect();
    p.exp_string(&marked).unwrap();
    p.send(" ").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("reprocessed 1, failed 0, skipped 0 of 1 selected")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(emu.accepted_reprocess_ids(), vec![pick.id.clone()]);
}

#[test]
fn bulk_selection_at_a_terminal_asks_first_and_no_sends_nothing() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let count = emu.eligible(Some(&package)).len();
    let mut p = ep_in_pty(&emu, &["reprocess", "--package", &package, "--all"]);
    p.exp_string(&format!("Reprocess {count} request(s)?"))
        .unwrap();
    p.send("n").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("nothing was sent").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(emu.reprocess_posts(), 0);

    let mut p = ep_in_pty(&emu, &["reprocess", "--package", &package, "--all"]);
    p.exp_string(&format!("Reprocess {count} request(s)?"))
        .unwrap();
    p.send("y").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string(&format!("reprocessed {count}, failed 0"))
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(emu.accepted_reprocess_ids().len(), count);
}

#[test]
fn yes_skips_the_question_at_a_terminal() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let count = emu.eligible(Some(&package)).len();
    let mut p = ep_in_pty(
        &emu,
        &["reprocess", "--package", &package, "--all", "--yes"],
    );
    p.exp_string(&format!("reprocessed {count}, failed 0"))
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(emu.accepted_reprocess_ids().len(), count);
}

/// A pty that reports no size (0 columns: `script`, `docker run -t` before it is resized, some CI
/// runners) gets whole tables, not every column squeezed to one character per line.
#[test]
fn a_terminal_without_a_size_gets_whole_tables() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let id = emu.eligible(Some(&package)).pop_first().unwrap();
    for args in [
        &["requests", "list", "--package", package.as_str()][..],
        &["requests", "show", id.as_str()][..],
        &["requests", "why", "--package", package.as_str()][..],
    ] {
        let mut p = ep_in_pty(&emu, args);
        let screen = p.exp_eof().unwrap();
        let header = match args[1] {
            "list" => "REQUEST",
            "show" => "access package id",
            _ => "NEWEST",
        };
        let line = screen
            .lines()
            .find(|l| l.contains(header))
            .unwrap_or_else(|| panic!("{args:?}: {screen}"));
        let words = match args[1] {
            "list" => &["REQUEST", "STATE", "REQUESTOR", "ELIGIBLE"][..],
            "show" => &["access package id", &package][..],
            _ => &["NEWEST", "COUNT", "CAUSE", "REPROCESSABLE"][..],
        };
        for word in words {
            assert!(
                line.contains(word),
                "{args:?}: {word} not in {line:?}\n{screen}"
            );
        }
    }
}

/// Issue 18: with Graph answering 503, `ep packages list` printed nothing for over 30 s at a
/// terminal. Now the first retry says what is being waited for and for how long.
#[test]
fn a_terminal_is_told_what_ep_waits_for_while_graph_fails() {
    let emu = Emu::with(ep_emulator::EmulatorConfig {
        fault_rate: 1.0,
        ..crate::common::stable_config()
    });
    let started = std::time::Instant::now();
    let mut p = ep_in_pty(&emu, &["--retries", "4", "packages", "list"]);
    p.exp_regex(r"Graph answered 50[34] \w+; retrying in \d+\.\ds \(retry 1 of 4")
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    p.exp_string("error").unwrap();
    p.exp_eof().unwrap();

    // Not a terminal: nothing but the final error (`-v` traces every retry there).
    let r = crate::common::run(emu.ep().args(["--retries", "2", "packages", "list"]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(!r.stderr.contains("retrying in"), "{}", r.stderr);
}

/// `ep ARGS` in a pty of `rows` × `cols`: rexpect's pty reports no size, so the shell sets one
/// with `stty` before it becomes ep.
fn ep_in_sized_pty(emu: &Emu, rows: u16, cols: u16, args: &[&str]) -> PtySession {
    let ep = emu.ep_process();
    let mut cmd = std::process::Command::new("sh");
    cmd.env_clear();
    for (key, value) in ep.get_envs() {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
    cmd.env("TERM", "xterm-256color")
        .arg("-c")
        .arg(format!(
            "stty rows {rows} cols {cols} && exec \"$0\" \"$@\""
        ))
        .arg(ep.get_program())
        .args(args);
    spawn_command(cmd, Some(20_000)).unwrap()
}

/// Wait for `needle`, keeping every byte read so far in `seen` (rexpect hands back each byte
/// as one char).
fn expect_keeping(p: &mut PtySession, seen: &mut Vec<u8>, needle: &str) {
    let before = p.exp_string(needle).unwrap();
    seen.extend(before.chars().map(|c| c as u32 as u8));
    seen.extend(needle.bytes());
}

fn rest_keeping(p: &mut PtySession, seen: &mut Vec<u8>) {
    let rest = p.exp_eof().unwrap();
    seen.extend(rest.chars().map(|c| c as u32 as u8));
}

fn exit_code(p: &mut PtySession) -> i32 {
    match p.process_mut().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("ep did not exit normally: {other:?}"),
    }
}

/// What a terminal of that size shows after `bytes`.
fn screen(bytes: &[u8], rows: u16, cols: u16) -> String {
    let mut parser = vt100::Parser::new(rows, cols, 0);
    parser.process(bytes);
    parser.screen().contents()
}

#[test]
fn esc_in_the_picker_cancels_with_130_sending_nothing() {
    let emu = Emu::start();
    let package = emu.edge_package();
    assert!(!emu.eligible(Some(&package)).is_empty());
    let mut p = ep_in_pty(&emu, &["reprocess", "--package", &package, "--select"]);
    p.exp_string("Reprocess which requests?").unwrap();
    p.send("\x1b").unwrap();
    p.flush().unwrap();
    p.exp_string("cancelled; nothing was sent").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("nothing to reprocess"), "{rest}");
    assert!(
        !rest.contains("selected"),
        "no summary after a cancel: {rest}"
    );
    assert_eq!(exit_code(&mut p), 130);
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn quiet_esc_in_the_picker_prints_nothing_more_and_still_exits_130() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let mut p = ep_in_pty(
        &emu,
        &["-q", "reprocess", "--package", &package, "--select"],
    );
    p.exp_string("Reprocess which requests?").unwrap();
    p.send("\x1b").unwrap();
    p.flush().unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("ep:"), "-q silences notes: {rest:?}");
    assert!(!rest.contains("selected"), "{rest:?}");
    assert_eq!(exit_code(&mut p), 130);
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn enter_with_nothing_ticked_sends_nothing_and_says_so() {
    let emu = Emu::start();
    let package = emu.edge_package();
    let mut p = ep_in_pty(&emu, &["reprocess", "--package", &package, "--select"]);
    p.exp_string("Reprocess which requests?").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("nothing selected; nothing was sent").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("nothing to reprocess"), "{rest}");
    assert_eq!(exit_code(&mut p), 0);
    assert_eq!(emu.reprocess_posts(), 0);
}

#[test]
fn ctrl_c_in_the_picker_wipes_it_from_the_screen_and_exits_130() {
    let emu = Emu::start();
    let package = emu.edge_package();
    for (rows, cols) in [(24, 80), (12, 80), (50, 200)] {
        let mut p = ep_in_sized_pty(
            &emu,
            rows,
            cols,
            &["reprocess", "--package", &package, "--select"],
        );
        let mut seen = Vec::new();
        expect_keeping(&mut p, &mut seen, "Reprocess which requests?");
        // The list, then inquire's help line under it, is drawn before the key goes in.
        expect_keeping(&mut p, &mut seen, "[ ]");
        expect_keeping(&mut p, &mut seen, "type to filter");
        p.send_control('c').unwrap();
        p.flush().unwrap();
        expect_keeping(&mut p, &mut seen, "interrupted; nothing was sent");
        rest_keeping(&mut p, &mut seen);
        assert_eq!(exit_code(&mut p), 130);
        let shown = screen(&seen, rows, cols);
        assert!(
            !shown.contains("Reprocess which requests?") && !shown.contains("[ ]"),
            "{rows}x{cols}: the picker is still on screen:\n{shown}"
        );
        assert!(
            shown.contains("interrupted; nothing was sent"),
            "{rows}x{cols}:\n{shown}"
        );
        // What was written before the picker is left alone (at 12 rows the room the picker
        // needed scrolled it away).
        if rows >= 24 {
            assert!(shown.contains("left out"), "{rows}x{cols}:\n{shown}");
        }
        assert_eq!(emu.reprocess_posts(), 0);
    }
}
