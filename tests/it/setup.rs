//! `ep auth setup`: from an Azure CLI sign-in (which cannot reach entitlement management) to a
//! registered public client with consent, a saved profile and a device-code sign-in, against
//! the emulator's directory and identity platform.

use crate::common::{Emu, bare_ep, run_expect, stable_config};
use ep_emulator::{AZURE_CLI_CLIENT_ID, DEMO, EmulatorConfig};
use serde_json::Value;
use std::path::Path;

#[cfg(unix)]
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// ep with the emulator as Graph and login host, a fresh config home, and nothing else.
fn ep(emu: &Emu, home: &Path) -> assert_cmd::Command {
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        // The keyring path is tested against a real Secret Service in tests/it/keyring.rs.
        .env("EP_INSECURE_STORAGE", "1");
    cmd
}

#[cfg(unix)]
fn assert_no_secret(output: &str, emu: &Emu) {
    for s in emu.issued_secrets().iter().filter(|s| s.len() >= 8) {
        assert!(
            !output.contains(s.as_str()),
            "a secret was printed:\n{output}"
        );
    }
}

/// An `az` on PATH that is signed in: it prints an Azure CLI token the emulator minted.
#[cfg(unix)]
fn signed_in_az(emu: &Emu, dir: &Path) -> String {
    use std::os::unix::fs::PermissionsExt;
    let token = emu.token(AZURE_CLI_CLIENT_ID);
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let az = bin.join("az");
    let expires_on = chrono::Utc::now().timestamp() + 3600;
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\ncat <<'EOF'\n{{\"accessToken\":\"{token}\",\"expires_on\":{expires_on},\"tenant\":\"{}\",\"tokenType\":\"Bearer\"}}\nEOF\n",
            DEMO.tenant_id
        ),
    )
    .unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    format!("{}:/usr/bin:/bin", bin.display())
}

#[cfg(unix)]
#[test]
fn setup_turns_an_azure_cli_sign_in_into_a_working_sign_in_of_its_own() {
    let emu = Emu::with(EmulatorConfig {
        device_code_interval: 1,
        ..stable_config()
    });
    let home = tempfile::tempdir().unwrap();
    let path = signed_in_az(&emu, home.path());

    // Before: the Azure CLI is all there is, and Graph refuses its token for entitlement
    // management; the hint names the way out.
    let r = run_expect(
        ep(&emu, home.path())
            .env("PATH", &path)
            .args(["packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("ep auth setup"), "{}", r.stderr);

    let r = run_expect(
        ep(&emu, home.path())
            .env("PATH", &path)
            .args(["auth", "setup", "-o", "json"]),
        0,
    );
    let out = r.json();
    assert_eq!(out["tenant"], DEMO.tenant_id);
    assert_eq!(out["created"], true);
    assert_eq!(out["signedIn"], true);
    assert_eq!(
        out["scopes"],
        serde_json::json!([
            "EntitlementManagement.ReadWrite.All",
            "AuditLog.Read.All",
            "offline_access"
        ])
    );
    let client_id = out["clientId"].as_str().unwrap().to_string();
    // The new registration replicates: both waits were shown, neither was an error.
    assert!(
        r.stderr.contains("not visible to Graph yet"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("does not know the new app yet"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("enter the code"), "{}", r.stderr);
    assert_no_secret(&format!("{}{}", r.stdout, r.stderr), &emu);

    // What the directory now holds, as Graph would show it.
    let dir = emu.directory_snapshot();
    let apps = dir["applications"].as_array().unwrap();
    assert_eq!(apps.len(), 1);
    let app = &apps[0];
    assert_eq!(app["appId"], client_id.as_str());
    assert_eq!(app["signInAudience"], "AzureADMyOrg", "single tenant");
    assert_eq!(
        app["isFallbackPublicClient"], true,
        "device code without a secret"
    );
    assert!(app.get("passwordCredentials").is_none(), "no secret added");
    let rra = app["requiredResourceAccess"].as_array().unwrap();
    assert_eq!(rra.len(), 1);
    assert_eq!(rra[0]["resourceAppId"], GRAPH_APP_ID);
    let access = rra[0]["resourceAccess"].as_array().unwrap();
    assert_eq!(access.len(), 3);
    assert!(
        access.iter().all(|a| a["type"] == "Scope"),
        "delegated only: {access:?}"
    );
    let sps = dir["servicePrincipals"].as_array().unwrap();
    assert_eq!(sps.len(), 1);
    assert_eq!(sps[0]["appId"], client_id.as_str());
    let grants = dir["oauth2PermissionGrants"].as_array().unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0]["clientId"], sps[0]["id"]);
    assert_eq!(grants[0]["consentType"], "AllPrincipals");
    assert_eq!(
        grants[0]["scope"],
        "EntitlementManagement.ReadWrite.All AuditLog.Read.All offline_access"
    );

    // The profile names the new app, and it is the default.
    let config = std::fs::read_to_string(home.path().join("ep").join("config.toml")).unwrap();
    assert!(config.contains(&client_id), "{config}");
    assert!(config.contains(DEMO.tenant_id), "{config}");
    assert!(config.contains("device-code"), "{config}");

    // After: with az still signed in and on PATH, ep signs in as the new app and works.
    let r = run_expect(
        ep(&emu, home.path())
            .env("PATH", &path)
            .args(["packages", "list", "-o", "json"]),
        0,
    );
    assert!(!r.json().as_array().unwrap().is_empty());
    let status = run_expect(
        ep(&emu, home.path())
            .env("PATH", &path)
            .args(["auth", "status", "-o", "json"]),
        0,
    )
    .json();
    assert_eq!(status["source"], "device-code");
    assert_eq!(status["clientId"], client_id.as_str());

    // Run again: the app the profile names is reused, nothing new is registered.
    let r = run_expect(
        ep(&emu, home.path()).env("PATH", &path).args([
            "auth",
            "setup",
            "--no-login",
            "-o",
            "json",
        ]),
        0,
    );
    assert_eq!(r.json()["created"], false);
    assert_eq!(r.json()["clientId"], client_id.as_str());
    let dir = emu.directory_snapshot();
    assert_eq!(dir["applications"].as_array().unwrap().len(), 1);
    assert_eq!(dir["servicePrincipals"].as_array().unwrap().len(), 1);
    assert_eq!(dir["oauth2PermissionGrants"].as_array().unwrap().len(), 1);
}

#[test]
fn setup_without_the_rights_to_register_apps_says_who_can() {
    let emu = Emu::start();
    let home = tempfile::tempdir().unwrap();
    // A token that may read entitlement management but not register apps.
    let token = emu.token(DEMO.reader_client_id);
    let r = run_expect(
        ep(&emu, home.path())
            .env("EP_ACCESS_TOKEN", &token)
            .args(["auth", "setup"]),
        3,
    );
    assert!(
        r.stderr.contains("could not register an app"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Application Administrator"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(&token));
    let dir = emu.directory_snapshot();
    assert!(dir["applications"].as_array().unwrap().is_empty());
    assert!(
        !home.path().join("ep").join("config.toml").exists(),
        "no profile saved"
    );
}

#[test]
fn setup_with_no_sign_in_at_all_says_to_run_az_login_first() {
    let emu = Emu::start();
    let home = tempfile::tempdir().unwrap();
    let r = run_expect(
        ep(&emu, home.path())
            .env("PATH", "/nonexistent")
            .args(["auth", "setup"]),
        3,
    );
    assert!(r.stderr.contains("az login"), "{}", r.stderr);
    assert!(emu.calls().is_empty(), "nothing was called");

    let r = run_expect(bare_ep().args(["--demo", "auth", "setup"]), 2);
    assert!(r.stderr.contains("needs no setup"), "{}", r.stderr);
}

#[test]
fn setup_without_a_keyring_refuses_before_registering_anything() {
    let emu = Emu::start();
    let home = tempfile::tempdir().unwrap();
    let token = emu.token(AZURE_CLI_CLIENT_ID);
    // No Secret Service reachable (bare_ep points D-Bus nowhere) and no opt-in.
    let r = run_expect(
        ep(&emu, home.path())
            .env_remove("EP_INSECURE_STORAGE")
            .env("EP_ACCESS_TOKEN", &token)
            .args(["auth", "setup"]),
        2,
    );
    assert!(r.stderr.contains("--insecure-storage"), "{}", r.stderr);
    assert!(emu.calls().is_empty(), "nothing asked of Graph");
    assert!(
        emu.directory_snapshot()["applications"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

/// A device-code sign-in to an app nobody consented to gets no token, and one without public
/// client flows needs a secret: what setup's grant and flag are for.
#[test]
fn the_emulated_identity_platform_checks_consent_and_public_client_flows() {
    let emu = Emu::with(EmulatorConfig {
        device_code_interval: 1,
        directory_lag: 0,
        ..stable_config()
    });
    let home = tempfile::tempdir().unwrap();
    let admin = emu.token(AZURE_CLI_CLIENT_ID);
    // Graph calls as the admin, through `ep api`.
    let call = |path: &str, body: Value, code: i32| -> Value {
        let r = run_expect(
            ep(&emu, home.path()).env("EP_ACCESS_TOKEN", &admin).args([
                "api",
                "-X",
                "POST",
                path,
                "--body",
                &body.to_string(),
            ]),
            code,
        );
        if code == 0 { r.json() } else { Value::Null }
    };
    let post = |path: &str, body: Value| call(path, body, 0);
    // Strict: a property the application type does not have is refused.
    call(
        "/v1.0/applications",
        serde_json::json!({"displayName": "x", "isPublic": true}),
        2,
    );

    // `ep auth login` as the app `client_id`: refused, with Entra's stderr.
    let refused_login = |client_id: &str| -> String {
        let r = run_expect(
            ep(&emu, home.path())
                .env("AZURE_TENANT_ID", DEMO.tenant_id)
                .env("AZURE_CLIENT_ID", client_id)
                .args(["auth", "login"]),
            3,
        );
        r.stderr
    };

    let app = post(
        "/v1.0/applications",
        serde_json::json!({"displayName": "no consent", "isFallbackPublicClient": true}),
    );
    let client_id = app["appId"].as_str().unwrap();
    post(
        "/v1.0/servicePrincipals",
        serde_json::json!({"appId": client_id}),
    );
    let stderr = refused_login(client_id);
    assert!(
        stderr.contains("AADSTS65001") || stderr.contains("consent"),
        "{stderr}"
    );

    let app = post(
        "/v1.0/applications",
        serde_json::json!({"displayName": "confidential"}),
    );
    let client_id = app["appId"].as_str().unwrap();
    let stderr = refused_login(client_id);
    assert!(
        stderr.contains("7000218") || stderr.contains("client_secret"),
        "{stderr}"
    );
}
