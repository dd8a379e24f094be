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
