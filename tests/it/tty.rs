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
    p.exp_string(&pick.id).unwrap();
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
