//! Profiles through the real binary: `ep config` writes the file, `--profile` / `EP_PROFILE` / the
//! default pick one, flags > environment > profile > defaults decide each value, `ep auth status`
//! says where each came from; mistakes and secrets are refused with one line that says where.

use crate::common::{Emu, bare_ep, run_expect};
use ep_emulator::DEMO;
use std::path::{Path, PathBuf};

/// A config home of its own (`XDG_CONFIG_HOME`), removed when dropped.
struct Home(PathBuf);

impl Home {
    fn new() -> Home {
        let dir = std::env::temp_dir().join(format!("ep-profiles-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Home(dir)
    }

    fn file(&self) -> PathBuf {
        self.0.join("ep").join("config.toml")
    }

    /// `ep` with nothing but this config home (and the given variables).
    fn ep(&self) -> assert_cmd::Command {
        let mut cmd = bare_ep();
        cmd.env("XDG_CONFIG_HOME", &self.0);
        cmd
    }

    fn set(&self, profile: &str, key: &str, value: &str) {
        run_expect(self.ep().args(["config", "set", profile, key, value]), 0);
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A profile `work` that reaches the emulator as the demo app: only the secret is left to the
/// environment, where secrets belong.
fn work_profile(home: &Home, emu: &Emu) {
    home.set("work", "tenant", DEMO.tenant_id);
    home.set("work", "client-id", DEMO.client_id);
    home.set("work", "graph-url", &emu.url());
    home.set("work", "authority-host", &emu.url());
    home.set("work", "output", "json");
    home.set("work", "window", "7d");
    home.set("work", "concurrency", "4");
}

fn setting<'a>(status: &'a serde_json::Value, key: &str) -> (&'a str, &'a str) {
    let s = &status["settings"][key];
    (
        s["value"].as_str().unwrap_or("-"),
        s["from"].as_str().unwrap(),
    )
}

#[test]
fn config_commands_write_an_owner_only_file_and_read_it_back() {
    let home = Home::new();
    let r = run_expect(home.ep().args(["config", "list"]), 0);
    assert!(r.stderr.contains("no profiles"), "{}", r.stderr);
    home.set("work", "tenant", "contoso.onmicrosoft.com");
    home.set("work", "cloud", "usgov");
    home.set("gov", "cloud", "usgov-dod");
    home.set("gov", "auth", "github-actions");
    run_expect(home.ep().args(["config", "use", "work"]), 0);

    let listed = run_expect(home.ep().args(["config", "list", "-o", "json"]), 0).json();
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["gov", "work"]);
    assert_eq!(listed[1]["default"], true);
    assert_eq!(listed[1]["settings"]["cloud"], "usgov");
    let table = run_expect(home.ep().args(["config", "list"]), 0).stdout;
    assert!(table.contains("work") && table.contains("*"), "{table}");

    // `show` without a name shows the profile in use: the default, or EP_PROFILE's.
    let shown = run_expect(home.ep().args(["config", "show", "-o", "json"]), 0).json();
    assert_eq!(shown["name"], "work");
    let shown = run_expect(
        home.ep()
            .env("EP_PROFILE", "gov")
            .args(["config", "show", "-o", "json"]),
        0,
    )
    .json();
    assert_eq!(shown["settings"]["auth"], "github-actions");

    run_expect(home.ep().args(["config", "unset", "gov", "auth"]), 0);
    run_expect(home.ep().args(["config", "remove", "work"]), 0);
    let text = std::fs::read_to_string(home.file()).unwrap();
    assert!(!text.contains("work") && !text.contains("auth"), "{text}");
    assert!(text.contains("usgov-dod"), "{text}");
    let path = run_expect(home.ep().args(["config", "path"]), 0).stdout;
    assert_eq!(Path::new(path.trim()), home.file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.file()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn flags_beat_environment_beat_profile_beat_defaults_and_status_says_which() {
    let emu = Emu::start();
    let home = Home::new();
    work_profile(&home, &emu);
    // Only the secret comes from the environment; the profile names tenant, app and hosts.
    let mut cmd = home.ep();
    cmd.env("AZURE_CLIENT_SECRET", DEMO.client_secret)
        .env("EP_PROFILE", "work")
        .env("EP_CONCURRENCY", "6")
        .args(["--retries", "3", "auth", "status"]);
    // `output = json` in the profile: no -o needed.
    let status = run_expect(&mut cmd, 0).json();
    assert_eq!(status["source"], "client-secret");
    assert_eq!(status["profile"]["name"], "work");
    assert_eq!(status["profile"]["chosenBy"], "EP_PROFILE");
    assert_eq!(setting(&status, "tenant"), (DEMO.tenant_id, "profile work"));
    assert_eq!(setting(&status, "output"), ("json", "profile work"));
    assert_eq!(setting(&status, "window"), ("7d", "profile work"));
    assert_eq!(setting(&status, "concurrency"), ("6", "env EP_CONCURRENCY"));
    assert_eq!(setting(&status, "retries"), ("3", "flag"));
    assert_eq!(setting(&status, "cloud"), ("global", "default"));
    assert_eq!(setting(&status, "api-version"), ("v1.0", "default"));

    // The environment outranks the profile, a flag outranks both; the table says so too.
    let other = DEMO.reader_client_id;
    let mut cmd = home.ep();
    cmd.env("AZURE_CLIENT_SECRET", DEMO.reader_client_secret)
        .env("AZURE_CLIENT_ID", other)
        .env("EP_OUTPUT", "csv")
        .args(["--profile", "work", "-o", "table", "auth", "status"]);
    let table = run_expect(&mut cmd, 0).stdout;
    assert!(table.contains("profile work, chosen by flag"), "{table}");
    assert!(
        table.contains(&format!("{other}  (env AZURE_CLIENT_ID)")),
        "{table}"
    );
    assert!(table.contains("table  (flag)"), "{table}");
    assert!(
        table.contains(&format!("{}  (profile work)", DEMO.tenant_id)),
        "{table}"
    );
}

#[test]
fn the_default_profile_applies_until_a_flag_says_otherwise() {
    let emu = Emu::start();
    let home = Home::new();
    work_profile(&home, &emu);
    run_expect(home.ep().args(["config", "use", "work"]), 0);
    let list = |extra: &[&str]| {
        let mut cmd = home.ep();
        cmd.env("AZURE_CLIENT_SECRET", DEMO.client_secret)
            .args(["requests", "list", "--all-packages"])
            .args(extra);
        run_expect(&mut cmd, 0).json()
    };
    // The profile's 7-day window (the portal's rule) judges requests 7 to 14 days old.
    let now = chrono::Utc::now();
    let week_old = |rows: &serde_json::Value| -> Vec<serde_json::Value> {
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["state"] == "deliveryFailed" || r["state"] == "partiallyDelivered")
            .filter(|r| {
                r["completedDateTime"].as_str().is_some_and(|d| {
                    let age = now - chrono::DateTime::parse_from_rfc3339(d).unwrap().to_utc();
                    age > chrono::Duration::days(8) && age < chrono::Duration::days(13)
                })
            })
            .cloned()
            .collect()
    };
    let rows = week_old(&list(&[]));
    assert!(!rows.is_empty(), "the seed has failures 8-13 days old");
    for row in &rows {
        assert_eq!(row["reprocessable"], false, "{row}");
        assert!(
            row["reason"].as_str().unwrap().contains("window 7d"),
            "{row}"
        );
    }
    for row in week_old(&list(&["--window", "14d"])) {
        assert_eq!(
            row["reprocessable"], true,
            "--window beats the profile: {row}"
        );
    }
}

#[test]
fn an_unknown_profile_is_a_usage_error_that_lists_the_known_ones() {
    let home = Home::new();
    home.set("work", "cloud", "usgov");
    home.set("lab", "cloud", "global");
    let r = run_expect(home.ep().args(["--profile", "wrok", "auth", "status"]), 2);
    assert!(r.stderr.contains("no profile named 'wrok'"), "{}", r.stderr);
    assert!(
        r.stderr.contains("known profiles: lab, work"),
        "{}",
        r.stderr
    );
    let r = run_expect(home.ep().args(["config", "use", "wrok"]), 2);
    assert!(
        r.stderr.contains("known profiles: lab, work"),
        "{}",
        r.stderr
    );
    // Without a config file at all, too.
    let empty = Home::new();
    let r = run_expect(
        empty
            .ep()
            .env("EP_PROFILE", "work")
            .args(["packages", "list"]),
        2,
    );
    assert!(r.stderr.contains("no profiles yet"), "{}", r.stderr);
}

#[test]
fn a_malformed_file_or_value_is_one_line_naming_the_file_and_line() {
    let home = Home::new();
    std::fs::create_dir_all(home.file().parent().unwrap()).unwrap();
    let file = home.file().display().to_string();
    let cases = [
        (
            "[profiles.work]\ntenant = \"x\"\ncolor = \"red\"\n",
            3,
            "unknown key 'color'",
        ),
        ("[profiles.work]\ntenant = \"x\n", 2, "not valid TOML"),
        (
            "default = \"work\"\n[profiles.other]\n",
            1,
            "default profile 'work'",
        ),
        (
            "default = \"work\"\n\n[profiles.work]\ncloud = \"mars\"\n",
            4,
            "cloud: 'mars' is not one of",
        ),
    ];
    for (text, line, needle) in cases {
        std::fs::write(home.file(), text).unwrap();
        let r = run_expect(home.ep().args(["packages", "list"]), 2);
        let first = r.stderr.lines().next().unwrap_or_default();
        assert!(
            first.contains(&format!("{file}:{line}:")),
            "{text:?}\n{}",
            r.stderr
        );
        assert!(first.contains(needle), "{text:?}\n{}", r.stderr);
        assert!(r.stderr.contains("hint:"), "{}", r.stderr);
        assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
    }
    // The file stays readable by `ep config path`, and nothing else was written over it.
    run_expect(home.ep().args(["config", "path"]), 0);
    assert!(
        std::fs::read_to_string(home.file())
            .unwrap()
            .contains("mars")
    );
}

#[test]
fn secrets_are_refused_and_never_written_or_repeated() {
    let home = Home::new();
    let jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLWhlcmU";
    let entra_secret = "Xy7Q~abcdefghijklmnopqrstuvwxyz012345678";
    for (key, value) in [
        ("client-secret", "hunter2-hunter2"),
        ("access-token", "whatever-value"),
        ("password", "hunter2-hunter2"),
        ("tenant", jwt),
        ("client-id", entra_secret),
    ] {
        let r = run_expect(home.ep().args(["config", "set", "work", key, value]), 2);
        assert!(r.stderr.contains("secret"), "{key}: {}", r.stderr);
        assert!(r.stderr.contains("AZURE_CLIENT_SECRET"), "{}", r.stderr);
        assert!(!r.stderr.contains(value), "{key}: {}", r.stderr);
    }
    // A value equal to the secret in the environment is refused as such.
    let r = run_expect(
        home.ep()
            .env("AZURE_CLIENT_SECRET", "plain-looking-secret")
            .args(["config", "set", "work", "tenant", "plain-looking-secret"]),
        2,
    );
    assert!(
        r.stderr.contains("credential from the environment"),
        "{}",
        r.stderr
    );
    assert!(!home.file().exists(), "nothing was written");
    // Put there by hand, a secret is refused on read, by line, without being repeated.
    std::fs::create_dir_all(home.file().parent().unwrap()).unwrap();
    std::fs::write(
        home.file(),
        format!("[profiles.work]\ntenant = \"contoso.com\"\nclient_secret = \"{entra_secret}\"\n"),
    )
    .unwrap();
    let r = run_expect(home.ep().args(["--profile", "work", "auth", "status"]), 2);
    assert!(r.stderr.contains("config.toml:3:"), "{}", r.stderr);
    assert!(!r.stderr.contains(entra_secret), "{}", r.stderr);
}

/// A profile's certificate that is not there: the hint names the profile's setting too, not
/// only the variable the admin never set.
#[test]
fn a_missing_certificate_from_a_profile_is_named_as_the_profiles() {
    let emu = Emu::start();
    let home = Home::new();
    work_profile(&home, &emu);
    let missing = home.0.join("gone.pem");
    home.set("work", "client-certificate-path", missing.to_str().unwrap());
    let r = run_expect(
        home.ep()
            .env("EP_PROFILE", "work")
            .args(["--auth", "certificate", "packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("gone.pem"), "{}", r.stderr);
    assert!(r.stderr.contains("client-certificate-path"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
}

/// A URL is quoted back in part, once: from a flag, the environment or `ep config set`.
#[test]
fn a_bad_url_is_quoted_once_and_in_part() {
    let home = Home::new();
    let long = format!("http://{}.example.com", "a".repeat(5000));
    for args in [
        vec!["--graph-url", long.as_str(), "packages", "list"],
        vec!["config", "set", "p", "graph-url", long.as_str()],
        vec![
            "config",
            "set",
            "p",
            "authority-host",
            "ftp://login.example",
        ],
    ] {
        let r = run_expect(home.ep().args(&args), 2);
        assert!(r.stderr.len() < 400, "{}", r.stderr);
        let key = if args[0] == "config" {
            args[3]
        } else {
            "--graph-url"
        };
        assert_eq!(r.stderr.matches(key).count(), 1, "{}", r.stderr);
    }
}
