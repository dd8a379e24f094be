//! `ep auth login` keeps its tokens in the OS keyring, never in a plain file unless asked: the
//! real binary against a real Secret Service (GNOME Keyring on a private D-Bus session, started
//! by .ci/run), with `secret-tool` (libsecret, another client) as the independent witness.
//!
//! A developer without a Secret Service sees these skip with a message; CI sets
//! `EP_REQUIRE_SECRET_SERVICE` so that a missing one fails instead. Each test signs in under its
//! own temporary config directory, which names the keyring entry, and signs out at the end, so
//! nothing is left in (or read from) anyone's real logins.

use crate::common::{Emu, NO_SESSION_BUS, bare_ep, run_expect, stable_config};
use ep_emulator::{DEMO, EmulatorConfig};
use std::path::{Path, PathBuf};

/// ep for a device-code login into `home` (its config directory), on the session bus `bus`.
fn ep_in(emu: &Emu, home: &Path, bus: &str) -> assert_cmd::Command {
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("AZURE_TENANT_ID", DEMO.tenant_id)
        .env("AZURE_CLIENT_ID", DEMO.client_id)
        .env("XDG_CONFIG_HOME", home)
        .env("DBUS_SESSION_BUS_ADDRESS", bus);
    cmd
}

fn device_code_emulator() -> Emu {
    Emu::with(EmulatorConfig {
        device_code_interval: 1,
        ..stable_config()
    })
}

/// The session bus with a Secret Service on it, or `None` (after saying so) when there is none
/// and CI did not ask for one. Asked of ep itself: its login checks the keyring before it calls
/// the login host, so against a closed port a keyring answers with exit 5, none with exit 2.
fn secret_service() -> Option<String> {
    let required = std::env::var_os("EP_REQUIRE_SECRET_SERVICE").is_some_and(|v| !v.is_empty());
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    let reachable = !bus.is_empty() && {
        let home = tempfile::tempdir().unwrap();
        let r = crate::common::run(
            bare_ep()
                .env("AZURE_AUTHORITY_HOST", "http://127.0.0.1:9")
                .env("AZURE_CLIENT_ID", DEMO.client_id)
                .env("XDG_CONFIG_HOME", home.path())
                .env("DBUS_SESSION_BUS_ADDRESS", &bus)
                .args(["auth", "login"]),
        );
        r.code != 2
    };
    if reachable {
        return Some(bus);
    }
    assert!(
        !required,
        "EP_REQUIRE_SECRET_SERVICE is set but no Secret Service answers on \
         DBUS_SESSION_BUS_ADDRESS={bus:?}"
    );
    // Straight to the process's stderr: the test harness would swallow eprintln! of a test
    // that passes, and a skip must be seen.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: no Secret Service on the session bus (run the tests as .ci/run does, in \
         dbus-run-session with gnome-keyring-daemon --unlock, or set EP_REQUIRE_SECRET_SERVICE \
         to make this a failure)"
    );
    None
}

/// What `secret-tool` (libsecret) finds under ep's service for the login of `home`.
fn secret_tool_lookup(home: &Path, bus: &str) -> Option<String> {
    let account = format!(
        "device-code login {}",
        home.join("ep").join("token-cache.json").display()
    );
    let out = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "ep", "username", &account])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .output();
    match out {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(_) => None,
        Err(e) => {
            assert!(
                std::env::var_os("EP_REQUIRE_SECRET_SERVICE").is_none(),
                "secret-tool is needed as a witness in CI: {e}"
            );
            Some("(secret-tool not installed: not checked)".into())
        }
    }
}

/// Every file under `dir`, with its contents.
fn files_under(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into();
            out.push((path, text));
        }
    }
    out
}

/// Signs out when dropped, so a failing test leaves nothing in the keyring.
struct SignOut<'a>(&'a Emu, &'a Path, &'a str);

impl Drop for SignOut<'_> {
    fn drop(&mut self) {
        let _ = ep_in(self.0, self.1, self.2)
            .args(["auth", "logout"])
            .output();
    }
}

#[test]
fn login_keeps_tokens_in_the_secret_service_and_nothing_on_disk() {
    let Some(bus) = secret_service() else { return };
    let emu = device_code_emulator();
    let home = tempfile::tempdir().unwrap();
    let _sign_out = SignOut(&emu, home.path(), &bus);
    let ep = || ep_in(&emu, home.path(), &bus);

    let r = run_expect(ep().args(["auth", "login"]), 0);
    assert!(
        r.stderr
            .contains("tokens kept in the Secret Service keyring"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("plain text"), "{}", r.stderr);
    let secrets = emu.issued_secrets();
    assert!(!secrets.is_empty());
    for (path, text) in files_under(home.path()) {
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "a token was written to {path:?}"
            );
        }
    }
    let stored = secret_tool_lookup(home.path(), &bus).expect("secret-tool finds the login");
    assert!(
        stored.contains("not checked") || secrets.iter().any(|s| stored.contains(s.as_str())),
        "the keyring holds the issued tokens"
    );

    // Later runs use it, and status says where it is.
    let status = run_expect(ep().args(["auth", "status", "-o", "json"]), 0).json();
    assert_eq!(status["source"], "device-code", "{status}");
    assert_eq!(
        status["tokensKeptIn"], "the Secret Service keyring",
        "{status}"
    );
    let r = run_expect(ep().args(["packages", "list", "-o", "json"]), 0);
    assert!(!r.json().as_array().unwrap().is_empty());

    let r = run_expect(ep().args(["auth", "logout"]), 0);
    assert!(r.stderr.contains("Secret Service"), "{}", r.stderr);
    assert_eq!(
        secret_tool_lookup(home.path(), &bus),
        None,
        "logout removed it"
    );
    run_expect(ep().args(["--auth", "device-code", "packages", "list"]), 3);
}

#[test]
fn a_plain_cache_from_before_moves_into_the_keyring_and_is_removed() {
    let Some(bus) = secret_service() else { return };
    let emu = device_code_emulator();
    let home = tempfile::tempdir().unwrap();
    let _sign_out = SignOut(&emu, home.path(), &bus);
    let ep = || ep_in(&emu, home.path(), &bus);

    // A cache as the versions before the keyring wrote it: no opt-in recorded.
    run_expect(ep().args(["auth", "login", "--insecure-storage"]), 0);
    let cache = home.path().join("ep").join("token-cache.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    assert_eq!(doc["insecure_storage"], true);
    doc.as_object_mut().unwrap().remove("insecure_storage");
    std::fs::write(&cache, doc.to_string()).unwrap();
    assert_eq!(secret_tool_lookup(home.path(), &bus), None);

    let r = run_expect(
        ep().args(["--auth", "device-code", "packages", "list", "-o", "json"]),
        0,
    );
    assert!(r.stderr.contains("moved your sign-in"), "{}", r.stderr);
    assert!(!cache.exists(), "the plain file is gone");
    assert!(secret_tool_lookup(home.path(), &bus).is_some());
    // And it goes on working from the keyring, silently.
    let r = run_expect(ep().args(["--auth", "device-code", "packages", "list"]), 0);
    assert!(!r.stderr.contains("moved"), "{}", r.stderr);
}

#[test]
fn long_tokens_are_stored_in_chunks_and_read_back_whole() {
    let Some(bus) = secret_service() else { return };
    let emu = device_code_emulator();
    let home = tempfile::tempdir().unwrap();
    let _sign_out = SignOut(&emu, home.path(), &bus);
    let ep = || ep_in(&emu, home.path(), &bus);

    // A login as large as a real one with many groups: over Credential Manager's 2560 bytes.
    run_expect(ep().args(["auth", "login", "--insecure-storage"]), 0);
    let cache = home.path().join("ep").join("token-cache.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    doc.as_object_mut().unwrap().remove("insecure_storage");
    doc["refresh_token"] = serde_json::json!("r".repeat(5000));
    std::fs::write(&cache, doc.to_string()).unwrap();
    run_expect(ep().args(["--auth", "device-code", "packages", "list"]), 0);
    assert!(!cache.exists());
    let first = secret_tool_lookup(home.path(), &bus).unwrap();
    let chunks: usize = first.lines().next().unwrap().parse().unwrap_or(0);
    assert!(
        chunks >= 3 || first.contains("not checked"),
        "stored in {chunks} chunks"
    );
    // Read back from its chunks: the cached token still answers without a token call.
    let before = emu
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/token"))
        .count();
    run_expect(ep().args(["--auth", "device-code", "packages", "list"]), 0);
    let after = emu
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/token"))
        .count();
    assert_eq!(before, after);
}

/// No keyring: `ep auth login` stops before asking for a code, in one line that names the
/// opt-in, with the usage exit code; and a plain cache from before is not used behind the
/// person's back.
#[test]
fn without_a_keyring_login_refuses_and_names_insecure_storage() {
    let emu = device_code_emulator();
    let home = tempfile::tempdir().unwrap();
    let ep = || ep_in(&emu, home.path(), NO_SESSION_BUS);

    let r = run_expect(ep().args(["auth", "login"]), 2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "an error and a hint:\n{}", r.stderr);
    assert!(lines[0].contains("no keyring"), "{}", r.stderr);
    assert!(lines[1].contains("--insecure-storage"), "{}", r.stderr);
    assert!(
        emu.calls().iter().all(|c| !c.path.contains("devicecode")),
        "no code was asked for"
    );
    assert!(files_under(home.path()).is_empty(), "nothing written");

    // With the opt-in: a file, and a warning.
    let r = run_expect(ep().args(["auth", "login", "--insecure-storage"]), 0);
    assert!(r.stderr.contains("plain text"), "{}", r.stderr);
    let status = run_expect(ep().args(["auth", "status", "-o", "json"]), 0).json();
    assert!(
        status["tokensKeptIn"]
            .as_str()
            .unwrap()
            .contains("token-cache.json"),
        "{status}"
    );

    // A cache without the opt-in (from before the keyring) is refused, and left alone.
    let cache = home.path().join("ep").join("token-cache.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cache).unwrap()).unwrap();
    doc.as_object_mut().unwrap().remove("insecure_storage");
    std::fs::write(&cache, doc.to_string()).unwrap();
    let r = run_expect(ep().args(["--auth", "device-code", "packages", "list"]), 2);
    assert!(r.stderr.contains("--insecure-storage"), "{}", r.stderr);
    assert!(cache.exists());
    run_expect(
        ep().env("EP_INSECURE_STORAGE", "1")
            .args(["--auth", "device-code", "packages", "list"]),
        0,
    );
    run_expect(ep().args(["auth", "logout"]), 0);
    assert!(!cache.exists());
}

/// A pipeline credential writes nothing anywhere: no token file, no journal of tokens.
#[test]
fn a_pipeline_credential_writes_no_token_to_disk() {
    let emu = Emu::start();
    let home = tempfile::tempdir().unwrap();
    let mut cmd = ep_in(&emu, home.path(), NO_SESSION_BUS);
    cmd.env("AZURE_CLIENT_SECRET", DEMO.client_secret)
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("CI", "true");
    run_expect(cmd.args(["packages", "list", "-o", "json"]), 0);
    let secrets = emu.issued_secrets();
    for (path, text) in files_under(home.path()) {
        for s in &secrets {
            assert!(
                !text.contains(s.as_str()),
                "a token was written to {path:?}"
            );
        }
        assert!(
            !text.contains(DEMO.client_secret),
            "the secret was written to {path:?}"
        );
    }
    assert!(!home.path().join("ep").join("token-cache.json").exists());
}
