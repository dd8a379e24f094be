//! Signing in as the pipeline itself: GitHub Actions' ID token and Azure Pipelines' service
//! connection token, asked of the emulator's CI issuers with only the variables the runner (or
//! the AzureCLI@2 task) sets, exchanged at its token endpoint, then used against its Graph.

use crate::common::{Emu, Run, bare_ep, run_expect, stable_config};
use ep_emulator::{
    DEMO, DEMO_ACTIONS_REQUEST_TOKEN, DEMO_SERVICE_CONNECTION_ID, DEMO_SYSTEM_ACCESSTOKEN,
    EmulatorConfig,
};

/// What a GitHub Actions job with `permissions: id-token: write` has, plus the app it signs in
/// as (from the workflow's `env:`) and the emulator as Graph and login host.
fn github_job(emu: &Emu) -> assert_cmd::Command {
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("AZURE_TENANT_ID", DEMO.tenant_id)
        .env("AZURE_CLIENT_ID", DEMO.client_id)
        .env(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            emu.actions_id_token_request_url(),
        )
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", DEMO_ACTIONS_REQUEST_TOKEN)
        .env("GITHUB_ACTIONS", "true");
    cmd
}

/// What an AzureCLI@2 step of an Azure Pipelines job has, with `System.AccessToken` mapped into
/// its environment: the app and tenant come from the service connection's variables.
fn azure_pipelines_job(emu: &Emu) -> assert_cmd::Command {
    let mut cmd = bare_ep();
    cmd.env("EP_GRAPH_URL", emu.url())
        .env("AZURE_AUTHORITY_HOST", emu.url())
        .env("SYSTEM_OIDCREQUESTURI", emu.system_oidc_request_uri())
        .env("SYSTEM_ACCESSTOKEN", DEMO_SYSTEM_ACCESSTOKEN)
        .env(
            "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
            DEMO_SERVICE_CONNECTION_ID,
        )
        .env("AZURESUBSCRIPTION_CLIENT_ID", DEMO.client_id)
        .env("AZURESUBSCRIPTION_TENANT_ID", DEMO.tenant_id)
        .env("TF_BUILD", "True");
    cmd
}

fn ci_calls(emu: &Emu, leaf: &str) -> Vec<ep_emulator::RecordedCall> {
    emu.calls()
        .into_iter()
        .filter(|c| c.path.ends_with(leaf))
        .collect()
}

fn listed(r: &Run) -> usize {
    r.json().as_array().unwrap().len()
}

#[test]
fn a_github_actions_job_signs_in_as_itself_and_lists_requests() {
    let emu = Emu::start();
    let status = run_expect(github_job(&emu).args(["auth", "status", "-o", "json"]), 0).json();
    assert_eq!(status["source"], "github-actions");
    assert_eq!(status["clientId"], DEMO.client_id);
    let r = run_expect(
        github_job(&emu).args(["requests", "list", "--all-packages", "-o", "json"]),
        0,
    );
    assert_eq!(listed(&r), emu.truth().len());
    let asked = ci_calls(&emu, "/idtoken");
    assert_eq!(asked.len(), 2, "one ID token per sign-in: {asked:?}");
    for call in asked {
        assert_eq!(call.method, "GET");
        let query = call.query.unwrap_or_default();
        assert!(query.contains("api-version=2.0"), "{query}");
        assert!(
            query.contains("audience=api%3A%2F%2FAzureADTokenExchange"),
            "{query}"
        );
    }
}

#[test]
fn an_azure_pipelines_job_signs_in_with_its_service_connection() {
    let emu = Emu::start();
    let status = run_expect(
        azure_pipelines_job(&emu).args(["auth", "status", "-o", "json"]),
        0,
    )
    .json();
    assert_eq!(status["source"], "azure-pipelines");
    assert_eq!(
        status["settings"]["tenant"]["from"],
        "env AZURESUBSCRIPTION_TENANT_ID"
    );
    assert_eq!(
        status["settings"]["service-connection-id"]["from"],
        "env AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"
    );
    let r = run_expect(
        azure_pipelines_job(&emu).args(["requests", "list", "--all-packages", "-o", "json"]),
        0,
    );
    assert_eq!(listed(&r), emu.truth().len());
    let asked = ci_calls(&emu, "/oidctoken");
    assert_eq!(asked.len(), 2, "{asked:?}");
    for call in asked {
        assert_eq!(call.method, "POST");
        let query = call.query.unwrap_or_default();
        assert_eq!(
            query,
            format!("api-version=7.1&serviceConnectionId={DEMO_SERVICE_CONNECTION_ID}")
        );
    }
}

#[test]
fn a_federated_credential_that_does_not_match_is_exit_3_with_its_meaning() {
    // A pull request's token: the app trusts only main.
    let emu = Emu::with(EmulatorConfig {
        actions_subject: "repo:contoso/ep:pull_request".into(),
        ..stable_config()
    });
    let r = run_expect(github_job(&emu).args(["packages", "list"]), 3);
    assert!(r.stderr.contains("AADSTS700213"), "{}", r.stderr);
    assert!(
        r.stderr.contains("repo:contoso/ep:pull_request"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint:") && r.stderr.contains("federated credential"),
        "{}",
        r.stderr
    );

    // A US Government cloud asks for its own audience, which the app's credential does not name.
    let emu = Emu::start();
    let r = run_expect(
        github_job(&emu).args(["--cloud", "usgov", "packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("AADSTS700212"), "{}", r.stderr);
    assert!(
        r.stderr.contains("AzureADTokenExchangeUSGov"),
        "{}",
        r.stderr
    );

    // A token that expired before it was used.
    let emu = Emu::with(EmulatorConfig {
        oidc_clock_skew_secs: -3600,
        ..stable_config()
    });
    let r = run_expect(azure_pipelines_job(&emu).args(["packages", "list"]), 3);
    assert!(r.stderr.contains("AADSTS700024"), "{}", r.stderr);
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
}

#[test]
fn a_refused_or_misdirected_token_request_says_what_to_fix() {
    let emu = Emu::start();
    let r = run_expect(
        github_job(&emu)
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
                "stale-request-token-of-another-job",
            )
            .args(["packages", "list"]),
        3,
    );
    assert!(
        r.stderr
            .contains("did not accept the job's request token (401)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint:"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("stale-request-token-of-another-job"),
        "{}",
        r.stderr
    );

    let r = run_expect(
        azure_pipelines_job(&emu)
            .env("SYSTEM_ACCESSTOKEN", "not-this-jobs-access-token")
            .args(["packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("(401)"), "{}", r.stderr);
    assert!(r.stderr.contains("$(System.AccessToken)"), "{}", r.stderr);

    let r = run_expect(
        azure_pipelines_job(&emu)
            .env(
                "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
                "00000000-0000-0000-0000-0000000000ff",
            )
            .args(["packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("was not found (404)"), "{}", r.stderr);
    assert!(r.stderr.contains("could not be found"), "{}", r.stderr);
    assert!(
        r.stderr.contains("workload identity federation"),
        "{}",
        r.stderr
    );

    // The request token goes only to https (or loopback): never in clear across a network.
    let r = run_expect(
        github_job(&emu)
            .env(
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "http://token.example.com/idtoken?api-version=2.0",
            )
            .args(["packages", "list"]),
        3,
    );
    assert!(r.stderr.contains("must be an https URL"), "{}", r.stderr);
    assert!(
        ci_calls(&emu, "/idtoken").len() == 1,
        "only the refused request reached the emulator"
    );

    // Asked for by name without the runner's variables: what the job lacks.
    let mut cmd = bare_ep();
    cmd.env("AZURE_TENANT_ID", DEMO.tenant_id)
        .env("AZURE_CLIENT_ID", DEMO.client_id);
    let r = run_expect(
        cmd.args(["--auth", "github-actions", "packages", "list"]),
        3,
    );
    assert!(
        r.stderr.contains("permissions: id-token: write"),
        "{}",
        r.stderr
    );
    let r = run_expect(
        azure_pipelines_job(&emu)
            .env_remove("SYSTEM_ACCESSTOKEN")
            .args(["--auth", "azure-pipelines", "packages", "list"]),
        3,
    );
    assert!(
        r.stderr.contains("SYSTEM_ACCESSTOKEN is not set"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_busy_issuer_is_asked_again() {
    let emu = Emu::with(EmulatorConfig {
        oidc_failures: vec![503],
        ..stable_config()
    });
    let status = run_expect(github_job(&emu).args(["auth", "status", "-o", "json"]), 0).json();
    assert_eq!(status["source"], "github-actions");
    let statuses: Vec<u16> = ci_calls(&emu, "/idtoken")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, [503, 200]);
}

#[test]
fn no_request_token_or_oidc_token_is_ever_printed() {
    let emu = Emu::start();
    let mut outputs = Vec::new();
    for make in [github_job, azure_pipelines_job] {
        for args in [
            &["-vv", "requests", "list", "--all-packages", "-o", "json"][..],
            &["-vv", "auth", "status"][..],
        ] {
            let r = run_expect(make(&emu).args(args), 0);
            assert!(
                r.stderr.contains("token -> 200"),
                "-vv logs the calls:\n{}",
                r.stderr
            );
            assert!(
                r.stderr.contains("Authorization: (redacted)"),
                "{}",
                r.stderr
            );
            outputs.push(format!("{}{}", r.stdout, r.stderr));
        }
    }
    let mut secrets = emu.issued_secrets();
    assert!(
        secrets.iter().filter(|s| s.starts_with("eyJ")).count() >= 4,
        "CI tokens were issued"
    );
    secrets.extend([
        DEMO_ACTIONS_REQUEST_TOKEN.to_string(),
        DEMO_SYSTEM_ACCESSTOKEN.to_string(),
    ]);
    for output in outputs {
        for secret in &secrets {
            assert!(
                !output.contains(secret.as_str()),
                "printed: {secret}\n{output}"
            );
        }
        assert!(!output.contains("eyJ"), "a JWT was printed:\n{output}");
    }
}
