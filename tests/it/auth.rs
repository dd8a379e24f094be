//! Every credential source through the real binary against the emulator's identity endpoints,
//! with only the environment a user would set; and the promise that no secret is ever printed.

use crate::common::{Emu, bare_ep, run_expect, stable_config};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ep_emulator::{
    DEMO, DEMO_FEDERATION_AUDIENCE, DEMO_FEDERATION_ISSUER, DEMO_FEDERATION_SUBJECT,
    DEMO_IDENTITY_HEADER, EmulatorConfig,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("ep-auth-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An RSA key and a self-signed certificate: (PEM with key + certificate, certificate PEM).
fn generate_certificate() -> (String, String) {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let key_pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let key_pair =
        rcgen::KeyPair::from_pkcs8_pem_and_sign_algo(&key_pem, &rcgen::PKCS_RSA_SHA256).unwrap();
    let cert = rcgen::CertificateParams::new(vec!["ep-test".to_string()])
        .unwrap()
        .self_signed(&key_pair)
        .unwrap();
    let cert_pem = cert.pem();
    (format!("{key_pem}{cert_pem}"), cert_pem)
}

/// Key generation takes a moment; the tests of this file share one certificate, and a second
/// one plays the certificate that was never uploaded.
fn certificate() -> &'static (String, String) {
    static CERT: OnceLock<(String, String)> = OnceLock::new();
    CERT.get_or_init(generate_certificate)
}

fn other_certificate() -> &'static (String, String) {
    static CERT: OnceLock<(String, String)> = OnceLock::new();
    CERT.get_or_init(generate_certificate)
}

/// `ep` with the emulator's Graph URL and login host and the demo tenant, but no credential.
fn ep_no_credential(emu: &Emu) -> assert_cmd::Command {
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("AZURE_TENANT_ID", DEMO.tenant_id)
        .env("AZURE_CLIENT_ID", DEMO.client_id);
    cmd
}

fn status_source(cmd: &mut assert_cmd::Command) -> serde_json::Value {
    let r = run_expect(cmd.args(["auth", "status", "-o", "json"]), 0);
    r.json()
}

fn token_calls(emu: &Emu) -> usize {
    emu.calls()
        .iter()
        .filter(|c| c.path.ends_with("/oauth2/v2.0/token"))
        .count()
}

/// A federated token as GitHub Actions would hand it over (the emulator does not check its
/// signature, so it carries a dummy one).
fn federated_token(subject: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    let part = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.{}",
        part(serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": "k"})),
        part(serde_json::json!({
            "iss": DEMO_FEDERATION_ISSUER, "sub": subject, "aud": DEMO_FEDERATION_AUDIENCE,
            "iat": now, "nbf": now, "exp": now + 300,
        })),
        URL_SAFE_NO_PAD.encode(b"not-a-real-signature")
    )
}

fn assert_no_secret(output: &str, secrets: &[String]) {
    for s in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(
            !output.contains(s.as_str()),
            "a secret was printed: {s}\n{output}"
        );
    }
    assert!(!output.contains("eyJ"), "a JWT was printed:\n{output}");
}

#[test]
fn token_wins_over_client_secret_and_status_never_prints_it() {
    let emu = Emu::start();
    let token = emu.token(DEMO.client_id);
    let mut cmd = emu.ep();
    cmd.env("EP_ACCESS_TOKEN", &token);
    let r = run_expect(cmd.args(["auth", "status", "-o", "json"]), 0);
    assert_eq!(r.json()["source"], "token");
    assert!(!r.stdout.contains(&token) && !r.stderr.contains(&token));
    assert_eq!(token_calls(&emu), 0, "a given token needs no sign-in");
    let mut cmd = emu.ep();
    cmd.env("EP_ACCESS_TOKEN", &token);
    let r = run_expect(cmd.args(["auth", "status"]), 0);
    assert!(r.stdout.contains("token"), "{}", r.stdout);
    assert!(!r.stdout.contains(&token));
}

#[test]
fn client_secret_from_env_and_from_file() {
    let emu = Emu::start();
    let status = status_source(&mut emu.ep());
    assert_eq!(status["source"], "client-secret");
    assert_eq!(status["tenant"], DEMO.tenant_id);
    assert_eq!(status["clientId"], DEMO.client_id);
    assert_eq!(status["cloud"], "global");
    assert!(status["expiresOn"].is_string(), "{status}");

    let dir = TempDir::new();
    let file = dir.file("secret.txt", &format!("{}\n", DEMO.client_secret));
    let mut cmd = ep_no_credential(&emu);
    cmd.arg("--client-secret-file").arg(&file);
    let r = run_expect(cmd.args(["packages", "list", "-o", "json"]), 0);
    assert!(!r.json().as_array().unwrap().is_empty());
}

#[test]
fn a_wrong_secret_is_exit_3_with_the_aadsts_code_and_its_meaning() {
    let emu = Emu::start();
    let mut cmd = emu.ep();
    cmd.env("AZURE_CLIENT_SECRET", "wrong-secret-value-123");
    let r = run_expect(cmd.args(["packages", "list"]), 3);
    assert!(r.stderr.contains("AADSTS7000215"), "{}", r.stderr);
    assert!(
        r.stderr.contains("hint: invalid client secret"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("wrong-secret-value-123"));
}

fn certificate_emulator() -> Emu {
    Emu::with(EmulatorConfig {
        client_certificates: vec![(DEMO.client_id.to_string(), certificate().1.clone())],
        ..stable_config()
    })
}

#[test]
fn certificate_ps256_by_default_and_rs256_on_request() {
    let emu = certificate_emulator();
    let dir = TempDir::new();
    let pem = dir.file("app.pem", &certificate().0);
    for alg in [None, Some("rs256")] {
        let mut cmd = ep_no_credential(&emu);
        cmd.env("AZURE_CLIENT_CERTIFICATE_PATH", &pem);
        if let Some(alg) = alg {
            cmd.env("EP_ASSERTION_ALG", alg);
        }
        let r = run_expect(cmd.args(["packages", "list", "-o", "json"]), 0);
        assert!(!r.json().as_array().unwrap().is_empty(), "{alg:?}");
    }
    let mut cmd = ep_no_credential(&emu);
    cmd.env("AZURE_CLIENT_CERTIFICATE_PATH", &pem);
    assert_eq!(status_source(&mut cmd)["source"], "certificate");
}

#[test]
fn a_certificate_the_app_does_not_know_is_refused() {
    let emu = certificate_emulator();
    let dir = TempDir::new();
    let pem = dir.file("other.pem", &other_certificate().0);
    let mut cmd = ep_no_credential(&emu);
    cmd.env("AZURE_CLIENT_CERTIFICATE_PATH", &pem);
    let r = run_expect(cmd.args(["packages", "list"]), 3);
    assert!(r.stderr.contains("AADSTS700027"), "{}", r.stderr);
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
}

#[test]
fn workload_identity_reads_the_federated_token_file() {
    let emu = Emu::start();
    let dir = TempDir::new();
    let file = dir.file("token.jwt", &federated_token(DEMO_FEDERATION_SUBJECT));
    let mut cmd = ep_no_credential(&emu);
    cmd.env("AZURE_FEDERATED_TOKEN_FILE", &file);
    let r = run_expect(cmd.args(["packages", "list", "-o", "json"]), 0);
    assert!(!r.json().as_array().unwrap().is_empty());

    let file = dir.file("pr.jwt", &federated_token("repo:contoso/ep:pull_request"));
    let mut cmd = ep_no_credential(&emu);
    cmd.env("AZURE_FEDERATED_TOKEN_FILE", &file);
    let r = run_expect(cmd.args(["packages", "list"]), 3);
    assert!(r.stderr.contains("AADSTS70021"), "{}", r.stderr);
    assert!(r.stderr.contains("federated credential"), "{}", r.stderr);
}

#[test]
fn managed_identity_app_service_and_imds() {
    let emu = Emu::start();
    // App Service: no tenant or client id needed.
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("IDENTITY_ENDPOINT", format!("{}/msi/token", emu.url()))
        .env("IDENTITY_HEADER", DEMO_IDENTITY_HEADER);
    let r = run_expect(cmd.args(["packages", "list", "-o", "json"]), 0);
    assert!(!r.json().as_array().unwrap().is_empty());

    // IMDS, pointed at the emulator; the read-only app as a user-assigned identity.
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("IMDS_ENDPOINT", emu.url())
        .env("AZURE_CLIENT_ID", DEMO.reader_client_id);
    let status = status_source(&mut cmd);
    assert_eq!(status["source"], "managed-identity");
    let imds = emu
        .calls()
        .into_iter()
        .find(|c| c.path == "/metadata/identity/oauth2/token")
        .expect("IMDS was called");
    let query = imds.query.unwrap_or_default();
    assert!(query.contains("api-version=2018-02-01"), "{query}");
    assert!(query.contains(DEMO.reader_client_id), "{query}");
    // `Metadata: true` goes to App Service as well, not only to IMDS (which requires it).
    let identity_calls: Vec<_> = emu
        .calls()
        .into_iter()
        .filter(|c| c.path == "/msi/token" || c.path == "/metadata/identity/oauth2/token")
        .collect();
    assert!(
        identity_calls.iter().any(|c| c.path == "/msi/token"),
        "{identity_calls:?}"
    );
    for call in &identity_calls {
        assert_eq!(call.metadata.as_deref(), Some("true"), "{call:?}");
    }

    // A wrong App Service header is an auth failure, not a hang or a panic.
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("IDENTITY_ENDPOINT", format!("{}/msi/token", emu.url()))
        .env("IDENTITY_HEADER", "wrong-header");
    run_expect(cmd.args(["packages", "list"]), 3);
}

/// `ep` on an Azure Arc machine played by `emu`, trusting keys in `key_dir`.
fn ep_on_arc(emu: &Emu, key_dir: &Path) -> assert_cmd::Command {
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env(
            "IDENTITY_ENDPOINT",
            format!("{}/metadata/identity/oauth2/token", emu.url()),
        )
        .env("IMDS_ENDPOINT", emu.url())
        .env("EP_TEST_ARC_KEY_DIR", key_dir);
    cmd
}

fn arc_emulator(key_dir: &Path) -> Emu {
    Emu::with(EmulatorConfig {
        arc_key_dir: Some(key_dir.to_path_buf()),
        ..stable_config()
    })
}

fn identity_calls(emu: &Emu) -> Vec<ep_emulator::RecordedCall> {
    emu.calls()
        .into_iter()
        .filter(|c| c.path == "/metadata/identity/oauth2/token")
        .collect()
}

/// The contents of the key files the emulated agent wrote.
fn key_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "key"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[test]
fn azure_arc_answers_the_key_file_challenge_and_never_prints_the_key() {
    let keys = TempDir::new();
    let emu = arc_emulator(&keys.0);
    // `auto` picks it: both endpoint variables, no IDENTITY_HEADER.
    let r = run_expect(
        ep_on_arc(&emu, &keys.0).args(["-vv", "packages", "list", "-o", "json"]),
        0,
    );
    assert!(!r.json().as_array().unwrap().is_empty());
    let calls = identity_calls(&emu);
    let statuses: Vec<u16> = calls.iter().map(|c| c.status).collect();
    assert_eq!(statuses, [401, 200], "challenge, then the token: {calls:?}");
    for call in &calls {
        assert_eq!(call.metadata.as_deref(), Some("true"), "{call:?}");
        let query = call.query.clone().unwrap_or_default();
        assert!(query.contains("api-version=2020-06-01"), "{query}");
        assert!(!query.contains("client_id"), "{query}");
    }
    // The emulator accepted `Authorization: Basic <key>`, so ep read the file it named; -vv
    // shows that the header went out, never its value.
    let written = key_files(&keys.0);
    assert_eq!(written.len(), 1, "one challenge, one key");
    assert!(
        r.stderr.contains("Authorization: (redacted)"),
        "{}",
        r.stderr
    );
    let output = format!("{}{}", r.stdout, r.stderr);
    assert_no_secret(&output, &written);
    assert_no_secret(&output, &emu.issued_secrets());

    let mut cmd = ep_on_arc(&emu, &keys.0);
    assert_eq!(status_source(&mut cmd)["source"], "managed-identity");

    // Arc has no user-assigned identities: refused before anything is sent.
    let before = identity_calls(&emu).len();
    let mut cmd = ep_on_arc(&emu, &keys.0);
    cmd.env("AZURE_CLIENT_ID", DEMO.reader_client_id);
    let r = run_expect(cmd.args(["packages", "list"]), 3);
    assert!(r.stderr.contains("unset AZURE_CLIENT_ID"), "{}", r.stderr);
    assert_eq!(identity_calls(&emu).len(), before);
}

#[test]
fn azure_arc_key_outside_the_agents_directory_is_refused_unread() {
    let keys = TempDir::new();
    let trusted = TempDir::new();
    let emu = arc_emulator(&keys.0);
    let r = run_expect(
        ep_on_arc(&emu, &trusted.0).args(["-vv", "packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("outside"), "{}", r.stderr);
    assert!(r.stderr.contains("not read"), "{}", r.stderr);
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().filter(|l| l.contains("error:")).count(),
        1,
        "{}",
        r.stderr
    );
    // Only the challenge: no second request, so the key went nowhere.
    let statuses: Vec<u16> = identity_calls(&emu).iter().map(|c| c.status).collect();
    assert_eq!(statuses, [401]);
    assert!(!r.stderr.contains("Authorization"), "{}", r.stderr);
    assert_no_secret(&format!("{}{}", r.stdout, r.stderr), &key_files(&keys.0));
}

#[test]
fn imds_retries_while_it_updates_and_when_throttled() {
    let emu = Emu::with(EmulatorConfig {
        imds_failures: vec![410, 410],
        ..stable_config()
    });
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("IMDS_ENDPOINT", emu.url());
    let r = run_expect(cmd.args(["packages", "list", "-o", "json"]), 0);
    assert!(!r.json().as_array().unwrap().is_empty());
    let statuses: Vec<u16> = identity_calls(&emu).iter().map(|c| c.status).collect();
    assert_eq!(statuses, [410, 410, 200]);

    // A 429's Retry-After (2 s here) is waited out, not the shorter first backoff step.
    let emu = Emu::with(EmulatorConfig {
        imds_failures: vec![429, 500],
        ..stable_config()
    });
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("IMDS_ENDPOINT", emu.url());
    run_expect(cmd.args(["packages", "list"]), 0);
    let calls = identity_calls(&emu);
    let statuses: Vec<u16> = calls.iter().map(|c| c.status).collect();
    assert_eq!(statuses, [429, 500, 200]);
    assert_eq!(calls[0].retry_after_ms, Some(2000));
    let waited = calls[1].at - calls[0].at;
    assert!(
        waited >= chrono::Duration::milliseconds(1900),
        "waited {waited}"
    );
}

#[test]
fn an_imds_that_never_answers_fails_fast() {
    // A port nobody listens on: off Azure, the first probe must not turn into a minute of retries.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let mut cmd = bare_ep();
    cmd.env("IMDS_ENDPOINT", format!("http://127.0.0.1:{port}"));
    let r = run_expect(cmd.args(["packages", "list"]), 3);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(r.stderr.contains("could not reach"), "{}", r.stderr);
}

#[cfg(unix)]
fn fake_az(dir: &TempDir, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.0.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let az = bin.join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho \"$@\" > \"{}/az-args\"\n{body}\n",
            dir.0.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[cfg(unix)]
fn path_with(bin: &Path) -> String {
    format!("{}:/usr/bin:/bin", bin.display())
}

#[cfg(unix)]
#[test]
fn azure_cli_token_is_used_and_a_missing_login_is_explained() {
    let emu = Emu::start();
    let dir = TempDir::new();
    let token = emu.token(DEMO.client_id);
    let expires_on = chrono::Utc::now().timestamp() + 3600;
    let bin = fake_az(
        &dir,
        &format!(
            "cat <<'EOF'\n{{\"accessToken\":\"{token}\",\"expiresOn\":\"2030-01-01 00:00:00.000000\",\"expires_on\":{expires_on},\"tenant\":\"{}\",\"tokenType\":\"Bearer\"}}\nEOF",
            DEMO.tenant_id
        ),
    );
    let mut cmd = ep_no_credential(&emu);
    cmd.env("PATH", path_with(&bin));
    let r = run_expect(cmd.args(["packages", "list", "-o", "json", "-vv"]), 0);
    assert!(!r.json().as_array().unwrap().is_empty());
    assert!(!r.stderr.contains(&token), "{}", r.stderr);
    let args = std::fs::read_to_string(dir.0.join("az-args")).unwrap();
    assert!(
        args.contains("account get-access-token --resource-type ms-graph --tenant"),
        "{args}"
    );
    let mut cmd = ep_no_credential(&emu);
    cmd.env("PATH", path_with(&bin));
    assert_eq!(status_source(&mut cmd)["source"], "azure-cli");

    let dir = TempDir::new();
    let bin = fake_az(
        &dir,
        "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1",
    );
    let mut cmd = ep_no_credential(&emu);
    cmd.env("PATH", path_with(&bin));
    let r = run_expect(cmd.args(["packages", "list"]), 3);
    assert!(r.stderr.contains("az login"), "{}", r.stderr);

    let mut cmd = ep_no_credential(&emu);
    cmd.env("PATH", "/nonexistent");
    let r = run_expect(cmd.args(["--auth", "azure-cli", "packages", "list"]), 3);
    assert!(r.stderr.contains("'az' was not found"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn device_code_login_with_insecure_storage_caches_owner_only_reuses_refreshes_and_logs_out() {
    use std::os::unix::fs::PermissionsExt;
    let emu = Emu::with(EmulatorConfig {
        device_code_interval: 1,
        ..stable_config()
    });
    let home = TempDir::new();
    let ep = || {
        let mut cmd = ep_no_credential(&emu);
        cmd.env("XDG_CONFIG_HOME", &home.0);
        cmd
    };
    // The file is the opt-in: the keyring itself is tested in tests/it/keyring.rs.
    let r = run_expect(ep().args(["auth", "login", "--insecure-storage", "-v"]), 0);
    assert!(r.stderr.contains("enter the code"), "{}", r.stderr);
    assert!(
        r.stderr.contains("plain text") && r.stderr.contains("token-cache.json"),
        "the opt-in is warned about:\n{}",
        r.stderr
    );
    let polls = emu
        .calls()
        .iter()
        .filter(|c| c.path.ends_with("/oauth2/v2.0/token"))
        .map(|c| c.status)
        .collect::<Vec<_>>();
    assert_eq!(polls, vec![400, 400, 200], "pending twice, then success");
    let cache = home.0.join("ep").join("token-cache.json");
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "cache mode {mode:o}");
    let cached = std::fs::read_to_string(&cache).unwrap();
    assert!(
        !r.stderr.contains("ep-emu"),
        "no token printed:\n{}",
        r.stderr
    );

    // The cached access token is reused: no further token call.
    let before = token_calls(&emu);
    let r = run_expect(ep().args(["packages", "list", "-o", "json"]), 0);
    assert!(!r.json().as_array().unwrap().is_empty());
    assert_eq!(token_calls(&emu), before);
    assert_eq!(status_source(&mut ep())["source"], "device-code");

    // An expired access token is refreshed silently with the refresh token.
    let mut doc: serde_json::Value = serde_json::from_str(&cached).unwrap();
    doc["expires_on"] = serde_json::json!(0);
    std::fs::write(&cache, doc.to_string()).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o600)).unwrap();
    let r = run_expect(
        ep().args(["--auth", "device-code", "packages", "list", "-vv"]),
        0,
    );
    let refresh = emu
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.path.ends_with("/oauth2/v2.0/token"))
        .unwrap();
    assert_eq!(refresh.status, 200);
    assert!(token_calls(&emu) > before);
    assert_no_secret(&format!("{}{}", r.stdout, r.stderr), &emu.issued_secrets());
    let mode = std::fs::metadata(&cache).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    run_expect(ep().args(["auth", "logout"]), 0);
    assert!(!cache.exists());
    let r = run_expect(ep().args(["--auth", "device-code", "packages", "list"]), 3);
    assert!(r.stderr.contains("ep auth login"), "{}", r.stderr);
}

#[test]
fn device_code_needs_a_client_id() {
    let home = TempDir::new();
    let mut cmd = bare_ep();
    cmd.env("XDG_CONFIG_HOME", &home.0)
        .env("AZURE_AUTHORITY_HOST", "http://127.0.0.1:9");
    let r = run_expect(cmd.args(["auth", "login"]), 3);
    assert!(r.stderr.contains("AZURE_CLIENT_ID"), "{}", r.stderr);
}

#[test]
fn tokens_expiring_every_two_seconds_still_reprocess_each_request_exactly_once() {
    let emu = Emu::with(EmulatorConfig {
        token_ttl: Duration::from_secs(2),
        latency: Duration::from_millis(250),
        ..stable_config()
    });
    let eligible = emu.eligible(None);
    assert!(!eligible.is_empty());
    let started = Instant::now();
    let r = run_expect(
        emu.ep().args([
            "reprocess",
            "--all-failed",
            "--yes",
            "-o",
            "json",
            "--concurrency",
            "2",
            // One call per request, so the run is long enough to outlive several tokens.
            "--no-batch",
        ]),
        0,
    );
    assert!(
        started.elapsed() > Duration::from_secs(3),
        "the run outlived several tokens"
    );
    let mut accepted = emu.accepted_reprocess_ids();
    accepted.sort();
    let expected: Vec<String> = eligible.into_iter().collect();
    assert_eq!(
        accepted, expected,
        "each eligible request reprocessed exactly once"
    );
    assert_eq!(r.json()["counts"]["failed"], 0, "{}", r.stdout);
    assert!(token_calls(&emu) >= 2, "tokens were renewed mid-run");
}

#[test]
fn nothing_at_very_high_verbosity_reveals_a_secret() {
    let emu = certificate_emulator();
    let dir = TempDir::new();
    let pem = dir.file("app.pem", &certificate().0);
    let federated = federated_token(DEMO_FEDERATION_SUBJECT);
    let fed_file = dir.file("token.jwt", &federated);
    let mut outputs = Vec::new();
    let client_secret = || emu.ep();
    let certificate = || {
        let mut cmd = ep_no_credential(&emu);
        cmd.env("AZURE_CLIENT_CERTIFICATE_PATH", &pem);
        cmd
    };
    let workload = || {
        let mut cmd = ep_no_credential(&emu);
        cmd.env("AZURE_FEDERATED_TOKEN_FILE", &fed_file);
        cmd
    };
    let managed = || {
        let mut cmd = bare_ep();
        cmd.env("EP_GRAPH_URL", emu.url())
            .env("IDENTITY_ENDPOINT", format!("{}/msi/token", emu.url()))
            .env("IDENTITY_HEADER", DEMO_IDENTITY_HEADER);
        cmd
    };
    let sources: [&dyn Fn() -> assert_cmd::Command; 4] =
        [&client_secret, &certificate, &workload, &managed];
    for make in sources {
        let r = run_expect(
            make().args(["-vv", "requests", "list", "--all-packages", "-o", "json"]),
            0,
        );
        assert!(
            r.stderr.contains("-> 200"),
            "-vv logs the calls:\n{}",
            r.stderr
        );
        outputs.push(format!("{}{}", r.stdout, r.stderr));
        let r = run_expect(make().args(["-vv", "auth", "status"]), 0);
        outputs.push(format!("{}{}", r.stdout, r.stderr));
    }
    let mut secrets = emu.issued_secrets();
    secrets.extend([
        DEMO.client_secret.to_string(),
        federated,
        DEMO_IDENTITY_HEADER.to_string(),
    ]);
    assert!(secrets.len() > 8, "tokens were issued");
    for output in outputs {
        assert_no_secret(&output, &secrets);
    }
}

#[test]
fn secrets_on_the_command_line_are_refused_before_anything_happens() {
    for flag in ["--client-secret", "--access-token", "--password"] {
        let r = run_expect(
            bare_ep().args([flag, "s3cr3t-on-argv", "packages", "list"]),
            2,
        );
        assert!(
            r.stderr.contains("not accepted on the command line"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("AZURE_CLIENT_SECRET"), "{}", r.stderr);
        assert!(!r.stderr.contains("s3cr3t-on-argv"), "{}", r.stderr);
    }
}

#[test]
fn with_no_credential_auto_fails_fast_with_a_hint_and_calls_nothing() {
    let started = Instant::now();
    let r = run_expect(bare_ep().args(["packages", "list"]), 3);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no probe of IMDS or anything else"
    );
    assert!(r.stderr.contains("no credentials found"), "{}", r.stderr);
    assert!(r.stderr.contains("--auth managed-identity"), "{}", r.stderr);
    // An emulator that is configured but given no credential sees no call at all.
    let emu = Emu::start();
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url());
    run_expect(cmd.args(["auth", "status"]), 3);
    assert!(emu.calls().is_empty());
}

#[test]
fn plain_http_to_a_non_loopback_login_host_is_refused() {
    let r = run_expect(
        bare_ep()
            .env("AZURE_AUTHORITY_HOST", "http://login.example.com")
            .env("EP_ACCESS_TOKEN", "x")
            .args(["packages", "list"]),
        2,
    );
    assert!(r.stderr.contains("plain http"), "{}", r.stderr);
    let r = run_expect(
        bare_ep().env("IMDS_ENDPOINT", "http://10.1.2.3").args([
            "--auth",
            "managed-identity",
            "packages",
            "list",
        ]),
        3,
    );
    assert!(r.stderr.contains("IMDS_ENDPOINT"), "{}", r.stderr);
}

#[test]
fn national_cloud_sets_the_scope_sent_to_the_login_host() {
    let emu = Emu::start();
    let mut cmd = emu.ep();
    // The emulator only knows the global Graph resource: asking for the US Gov one is refused
    // with the identity platform's scope error — which shows the scope followed --cloud.
    let r = run_expect(cmd.args(["--cloud", "usgov", "packages", "list"]), 3);
    assert!(r.stderr.contains("AADSTS70011"), "{}", r.stderr);
    assert!(
        r.stderr.contains("graph.microsoft.us/.default"),
        "{}",
        r.stderr
    );
}

/// The issue's bar: with only the variables a user would set, each source lists and
/// reprocesses (and `ep auth status` names it).
#[cfg(unix)]
#[test]
fn every_credential_source_lists_and_reprocesses() {
    let emu = Emu::with(EmulatorConfig {
        client_certificates: vec![(DEMO.client_id.to_string(), certificate().1.clone())],
        device_code_interval: 1,
        ..stable_config()
    });
    let dir = TempDir::new();
    let pem = dir.file("app.pem", &certificate().0);
    let federated = dir.file("token.jwt", &federated_token(DEMO_FEDERATION_SUBJECT));
    let az_token = emu.token(DEMO.client_id);
    let expires_on = chrono::Utc::now().timestamp() + 3600;
    let az_bin = fake_az(
        &dir,
        &format!(
            "cat <<'EOF'\n{{\"accessToken\":\"{az_token}\",\"expires_on\":{expires_on},\"tenant\":\"{}\",\"tokenType\":\"Bearer\"}}\nEOF",
            DEMO.tenant_id
        ),
    );
    let config_home = TempDir::new();
    run_expect(
        ep_no_credential(&emu)
            .env("XDG_CONFIG_HOME", &config_home.0)
            .env("EP_INSECURE_STORAGE", "1")
            .args(["auth", "login"]),
        0,
    );
    type SetUp<'a> = Box<dyn Fn(&mut assert_cmd::Command) + 'a>;
    let sources: Vec<(&str, SetUp)> = vec![
        (
            "token",
            Box::new(|c| {
                c.env("EP_ACCESS_TOKEN", emu.token(DEMO.client_id));
            }),
        ),
        (
            "client-secret",
            Box::new(|c| {
                c.env("AZURE_CLIENT_SECRET", DEMO.client_secret);
            }),
        ),
        (
            "certificate",
            Box::new(|c| {
                c.env("AZURE_CLIENT_CERTIFICATE_PATH", &pem);
            }),
        ),
        (
            "workload-identity",
            Box::new(|c| {
                c.env("AZURE_FEDERATED_TOKEN_FILE", &federated);
            }),
        ),
        (
            "managed-identity",
            Box::new(|c| {
                c.env_remove("AZURE_CLIENT_ID")
                    .env("IDENTITY_ENDPOINT", format!("{}/msi/token", emu.url()))
                    .env("IDENTITY_HEADER", DEMO_IDENTITY_HEADER);
            }),
        ),
        (
            "azure-cli",
            Box::new(|c| {
                c.env("PATH", path_with(&az_bin));
            }),
        ),
        (
            "device-code",
            Box::new(|c| {
                c.env("XDG_CONFIG_HOME", &config_home.0);
            }),
        ),
    ];
    let mut eligible = emu.eligible(None).into_iter();
    for (name, set) in &sources {
        let mut status = ep_no_credential(&emu);
        set(&mut status);
        assert_eq!(status_source(&mut status)["source"], *name);

        let mut list = ep_no_credential(&emu);
        set(&mut list);
        let r = run_expect(
            list.args([
                "requests",
                "list",
                "--all-packages",
                "--reprocessable",
                "-o",
                "ids",
            ]),
            0,
        );
        assert!(r.stdout.lines().count() > 0, "{name} lists");

        let id = eligible.next().expect("enough eligible requests");
        let mut reprocess = ep_no_credential(&emu);
        set(&mut reprocess);
        let r = run_expect(reprocess.args(["reprocess", &id, "-o", "json"]), 0);
        assert_eq!(
            r.json()["results"][0]["outcome"],
            "reprocessed",
            "{name}: {}",
            r.stderr
        );
    }
    assert_eq!(emu.accepted_reprocess_ids().len(), sources.len());
}

/// Issue 18: a signed-in `az` on PATH used to win `--auth auto` over an explicit `ep auth
/// login`, and its tokens (which cannot carry the EntitlementManagement scopes) then failed with
/// a bare 401. The login now outranks it, `auth status` says why, and a refusal of an Azure CLI
/// token says what to do instead.
#[cfg(unix)]
#[test]
fn an_explicit_login_outranks_a_signed_in_azure_cli_and_its_refusals_are_explained() {
    let emu = Emu::with(EmulatorConfig {
        device_code_interval: 1,
        ..stable_config()
    });
    let home = TempDir::new();
    let dir = TempDir::new();
    let expires_on = chrono::Utc::now().timestamp() + 3600;
    // What az hands out for Graph: a token Graph refuses for these endpoints.
    let bin = fake_az(
        &dir,
        &format!(
            "cat <<'EOF'\n{{\"accessToken\":\"az-token-without-em-scopes\",\"expires_on\":{expires_on},\"tenant\":\"{}\",\"tokenType\":\"Bearer\"}}\nEOF",
            DEMO.tenant_id
        ),
    );
    let ep = || {
        let mut cmd = ep_no_credential(&emu);
        cmd.env("XDG_CONFIG_HOME", &home.0)
            .env("EP_INSECURE_STORAGE", "1")
            .env("PATH", path_with(&bin));
        cmd
    };
    let r = run_expect(ep().args(["packages", "list"]), 3);
    assert!(
        r.stderr.contains("Azure CLI") && r.stderr.contains("ep auth setup"),
        "{}",
        r.stderr
    );

    run_expect(ep().args(["auth", "login"]), 0);
    let status = status_source(&mut ep());
    assert_eq!(status["source"], "device-code", "{status}");
    let reason = status["reason"].as_str().unwrap();
    assert!(reason.contains("ep auth login"), "{reason}");
    let r = run_expect(ep().args(["packages", "list", "-o", "json"]), 0);
    assert!(!r.json().as_array().unwrap().is_empty());
    let args = std::fs::read_to_string(dir.0.join("az-args")).unwrap_or_default();
    assert!(
        args.contains("get-access-token"),
        "az was asked only before the login"
    );

    // Signed out again, az is what is left, and status says so.
    run_expect(ep().args(["auth", "logout"]), 0);
    let status = status_source(&mut ep());
    assert_eq!(status["source"], "azure-cli");
    assert!(status["reason"].as_str().unwrap().contains("Azure CLI"));
}
