//! `ep emulator`, the command: flags map to the emulator's knobs and are validated before it binds.

#[test]
fn the_emulator_command_maps_and_prints_the_knobs() {
    use std::io::{BufRead, BufReader};
    let ep = assert_cmd::cargo::cargo_bin("ep");
    let mut child = std::process::Command::new(&ep)
        .env_clear()
        .args([
            "emulator",
            "--port",
            "0",
            "--requests",
            "30",
            "--outage",
            "7",
            "--fault-reset",
            "0.25",
            "--lost-ack",
            "0.1",
            "--fault-html",
            "--fault-rate",
            "0.05",
            "--fault-scope",
            "sub-requests",
            "--retry-after",
            "date",
            "--catalog-scoped",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut head = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.contains("demo credentials");
        head.push(line);
        if done {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = head.join("\n");
    assert!(
        head[0].contains("30 requests + 7 outage failures"),
        "{text}"
    );
    let knobs = head.iter().find(|l| l.starts_with("# knobs:")).unwrap();
    for want in [
        "faults 0.05 (502 html, on sub-requests)",
        "resets 0.25",
        "lost acks 0.1",
        "retry-after date",
        "catalog-scoped on",
    ] {
        assert!(knobs.contains(want), "{want} in {knobs}");
    }

    // Shares outside 0..=1 and unknown styles are usage errors (exit 2), before binding.
    for args in [
        &["--fault-reset", "1.5"][..],
        &["--lost-ack", "2"][..],
        &["--retry-after", "sometimes"][..],
        &["--fault-scope", "batches"][..],
    ] {
        let out = std::process::Command::new(&ep)
            .env_clear()
            .args(["emulator", "--port", "0"])
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}
