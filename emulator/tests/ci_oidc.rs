//! The CI token issuers (GitHub Actions' ID token endpoint, Azure DevOps' OIDC endpoint) over
//! real HTTP, and the token endpoint exchanging what they issue the way Entra does: accepted when
//! a federated credential matches, refused by issuer, subject, audience or time otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ep_emulator::{
    DEMO, DEMO_ACTIONS_REQUEST_TOKEN, DEMO_AZURE_DEVOPS_ISSUER, DEMO_AZURE_DEVOPS_SUBJECT,
    DEMO_FEDERATION_AUDIENCE, DEMO_FEDERATION_ISSUER, DEMO_FEDERATION_SUBJECT,
    DEMO_SERVICE_CONNECTION_ID, DEMO_SYSTEM_ACCESSTOKEN, Emulator, EmulatorConfig,
};
use serde_json::Value;

async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

struct Answer {
    status: u16,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn answer(request: reqwest::RequestBuilder) -> Answer {
    let r = request.send().await.unwrap();
    Answer {
        status: r.status().as_u16(),
        text: r.text().await.unwrap(),
    }
}

async fn github(emu: &Emulator, bearer: &str, audience: Option<&str>) -> Answer {
    let mut url = url::Url::parse(&emu.actions_id_token_request_url()).unwrap();
    if let Some(a) = audience {
        url.query_pairs_mut().append_pair("audience", a);
    }
    answer(reqwest::Client::new().get(url).bearer_auth(bearer)).await
}

async fn azure_devops(emu: &Emulator, bearer: &str, query: &str, suppress: bool) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{}{query}", emu.system_oidc_request_uri()))
        .header("Content-Type", "application/json")
        .bearer_auth(bearer)
        .body("");
    if suppress {
        request = request.header("X-TFS-FedAuthRedirect", "Suppress");
    }
    answer(request).await
}

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// The client-credentials exchange of `assertion` for a Graph token.
async fn exchange(emu: &Emulator, assertion: &str) -> Answer {
    let scope = format!("{}/.default", emu.url());
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            ("client_id", DEMO.client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", scope.as_str()),
        ])
        .finish();
    answer(
        reqwest::Client::new()
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                emu.url(),
                DEMO.tenant_id
            ))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form),
    )
    .await
}

fn aadsts(a: &Answer) -> u64 {
    a.json()["error_codes"][0].as_u64().unwrap_or_default()
}

#[tokio::test]
async fn github_actions_id_tokens_are_exchanged_when_the_federated_credential_matches() {
    let emu = start(EmulatorConfig::default()).await;
    let refused = github(&emu, "wrong-request-token", Some(DEMO_FEDERATION_AUDIENCE)).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert!(
        refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("TF400813")
    );

    let ok = github(
        &emu,
        DEMO_ACTIONS_REQUEST_TOKEN,
        Some(DEMO_FEDERATION_AUDIENCE),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let jwt = ok.json()["value"].as_str().unwrap().to_string();
    let c = claims(&jwt);
    assert_eq!(c["iss"], DEMO_FEDERATION_ISSUER);
    assert_eq!(c["sub"], DEMO_FEDERATION_SUBJECT);
    assert_eq!(c["aud"], DEMO_FEDERATION_AUDIENCE);
    let now = chrono::Utc::now().timestamp();
    assert!(c["exp"].as_i64().unwrap() > now && c["iat"].as_i64().unwrap() <= now + 1);
    let exchanged = exchange(&emu, &jwt).await;
    assert_eq!(exchanged.status, 200, "{}", exchanged.text);
    assert!(emu.issued_secrets().contains(&jwt));

    // Without `audience` GitHub's tokens are for the repository owner: no credential trusts that.
    let default_aud = github(&emu, DEMO_ACTIONS_REQUEST_TOKEN, None).await;
    let jwt = default_aud.json()["value"].as_str().unwrap().to_string();
    assert_eq!(claims(&jwt)["aud"], "https://github.com/contoso");
    let refused = exchange(&emu, &jwt).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(aadsts(&refused), 700212);

    // Another job's URL is not found; the endpoint only answers GET.
    let other = answer(reqwest::Client::new().get(format!(
        "{}/_apis/distributedtask/hubs/Actions/plans/x/jobs/y/idtoken?api-version=2.0",
        emu.url()
    )))
    .await;
    assert_eq!(other.status, 404);
    let post = answer(
        reqwest::Client::new()
            .post(emu.actions_id_token_request_url())
            .bearer_auth(DEMO_ACTIONS_REQUEST_TOKEN),
    )
    .await;
    assert_eq!(post.status, 405);
}

#[tokio::test]
async fn the_token_endpoint_refuses_by_subject_time_and_issuer_as_entra_does() {
    let pull_request = start(EmulatorConfig {
        actions_subject: "repo:contoso/ep:pull_request".into(),
        ..EmulatorConfig::default()
    })
    .await;
    let jwt = github(
        &pull_request,
        DEMO_ACTIONS_REQUEST_TOKEN,
        Some(DEMO_FEDERATION_AUDIENCE),
    )
    .await
    .json()["value"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = exchange(&pull_request, &jwt).await;
    assert_eq!(aadsts(&refused), 700213, "{}", refused.text);
    assert!(refused.text.contains("repo:contoso/ep:pull_request"));
    assert!(refused.text.contains("case-sensitive"));

    let late = start(EmulatorConfig {
        oidc_clock_skew_secs: -3600,
        ..EmulatorConfig::default()
    })
    .await;
    let jwt = github(
        &late,
        DEMO_ACTIONS_REQUEST_TOKEN,
        Some(DEMO_FEDERATION_AUDIENCE),
    )
    .await
    .json()["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(aadsts(&exchange(&late, &jwt).await), 700024);

    // A token from an issuer no credential of the app names.
    let part = |v: Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let now = chrono::Utc::now().timestamp();
    let foreign = format!(
        "{}.{}.c2ln",
        part(serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        part(serde_json::json!({
            "iss": "https://gitlab.example.com", "sub": DEMO_FEDERATION_SUBJECT,
            "aud": DEMO_FEDERATION_AUDIENCE, "iat": now, "nbf": now, "exp": now + 300,
        })),
    );
    let refused = exchange(&late, &foreign).await;
    assert_eq!(aadsts(&refused), 700211, "{}", refused.text);
    assert!(refused.text.contains("gitlab.example.com"));
}

#[tokio::test]
async fn azure_devops_issues_service_connection_tokens_to_the_jobs_access_token() {
    let emu = start(EmulatorConfig::default()).await;
    let query = format!("?api-version=7.1&serviceConnectionId={DEMO_SERVICE_CONNECTION_ID}");
    // A token it does not accept: the sign-in page, unless the caller asked for a plain 401.
    let page = azure_devops(&emu, "not-the-access-token", &query, false).await;
    assert_eq!(page.status, 203);
    assert!(page.text.contains("Sign In"), "{}", page.text);
    let refused = azure_devops(&emu, "not-the-access-token", &query, true).await;
    assert_eq!(refused.status, 401);

    let unversioned = azure_devops(
        &emu,
        DEMO_SYSTEM_ACCESSTOKEN,
        &format!("?serviceConnectionId={DEMO_SERVICE_CONNECTION_ID}"),
        true,
    )
    .await;
    assert_eq!(unversioned.status, 400);
    assert_eq!(
        unversioned.json()["typeKey"],
        "VssVersionNotSpecifiedException"
    );
    let unknown = azure_devops(
        &emu,
        DEMO_SYSTEM_ACCESSTOKEN,
        "?api-version=7.1&serviceConnectionId=00000000-0000-0000-0000-000000000001",
        true,
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.json()["message"]
            .as_str()
            .unwrap()
            .contains("could not be found")
    );
    let get = answer(
        reqwest::Client::new()
            .get(format!("{}{query}", emu.system_oidc_request_uri()))
            .bearer_auth(DEMO_SYSTEM_ACCESSTOKEN),
    )
    .await;
    assert_eq!(get.status, 405);
    assert!(get.text.contains("does not support http method 'GET'"));

    let ok = azure_devops(&emu, DEMO_SYSTEM_ACCESSTOKEN, &query, true).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    let jwt = ok.json()["oidcToken"].as_str().unwrap().to_string();
    let c = claims(&jwt);
    assert_eq!(c["iss"], DEMO_AZURE_DEVOPS_ISSUER);
    assert_eq!(c["sub"], DEMO_AZURE_DEVOPS_SUBJECT);
    assert_eq!(c["aud"], DEMO_FEDERATION_AUDIENCE);
    let exchanged = exchange(&emu, &jwt).await;
    assert_eq!(exchanged.status, 200, "{}", exchanged.text);
}

#[tokio::test]
async fn a_busy_issuer_answers_its_failures_first_then_tokens() {
    let emu = start(EmulatorConfig {
        oidc_failures: vec![503, 429],
        ..EmulatorConfig::default()
    })
    .await;
    let query = format!("?api-version=7.1&serviceConnectionId={DEMO_SERVICE_CONNECTION_ID}");
    for expected in [503, 429, 200] {
        let a = azure_devops(&emu, DEMO_SYSTEM_ACCESSTOKEN, &query, true).await;
        assert_eq!(a.status, expected, "{}", a.text);
    }
    let calls = emu.calls();
    assert_eq!(calls.len(), 3);
    assert!(calls.iter().all(|c| c.path.ends_with("/oidctoken")));
    assert_eq!(calls[0].retry_after_ms, Some(1000));
}
