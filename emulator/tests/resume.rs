//! Requests waiting on a custom extension's callback, `resume`, and agent requestors, over real
//! HTTP as Graph documents them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ep_emulator::{DEMO, Emulator, EmulatorConfig};
use serde_json::{Value, json};

const EM: &str = "/identityGovernance/entitlementManagement";

async fn start() -> (Emulator, String) {
    let emu = Emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let token = token_for(&emu, DEMO.client_id, DEMO.client_secret).await;
    (emu, token)
}

/// An access token for the app, from the emulator's token endpoint (client credentials).
async fn token_for(emu: &Emulator, client_id: &str, secret: &str) -> String {
    let scope = format!("{}/.default", emu.url());
    let token: Value = reqwest::Client::new()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            emu.url(),
            DEMO.tenant_id
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", &scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"].as_str().unwrap().to_string()
}

async fn get(emu: &Emulator, token: &str, path: &str) -> Value {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", emu.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

/// Every request of the tenant, with its requestor (the emulator's default page size is large).
async fn all_requests(emu: &Emulator, token: &str, version: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(format!(
        "{}/{version}{EM}/assignmentRequests?$expand=requestor",
        emu.url()
    ));
    while let Some(url) = next {
        let page: Value = reqwest::Client::new()
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        out.extend(page["value"].as_array().unwrap().iter().cloned());
        next = page["@odata.nextLink"].as_str().map(str::to_string);
    }
    out
}

fn waiting(requests: &[Value], state: &str) -> Value {
    requests
        .iter()
        .find(|r| r["status"] == "WaitingForCallback" && r["state"] == state)
        .unwrap_or_else(|| panic!("no request in state {state} waits on a callback"))
        .clone()
}

async fn resume(emu: &Emulator, token: &str, id: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!(
            "{}/v1.0{EM}/assignmentRequests/{id}/resume",
            emu.url()
        ))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn body(stage: &str, callout: &str) -> Value {
    json!({
        "source": "tests",
        "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{stage}"),
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": stage,
            "customExtensionStageInstanceId": callout,
            "customExtensionStageInstanceDetail": "verified",
        }
    })
}

fn waiting_callout(r: &Value) -> String {
    let callouts = r["customExtensionCalloutInstances"].as_array().unwrap();
    let c = callouts
        .iter()
        .find(|c| c["status"] == "waitingForCallback")
        .unwrap();
    c["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn waiting_requests_show_their_status_and_callout_in_both_versions() {
    let (emu, token) = start().await;
    let v1 = all_requests(&emu, &token, "v1.0").await;
    let created = waiting(&v1, "submitted");
    let approved = waiting(&v1, "pendingApproval");
    assert!(!waiting_callout(&created).is_empty());
    assert!(!waiting_callout(&approved).is_empty());
    let beta = get(
        &emu,
        &token,
        &format!(
            "/beta{EM}/assignmentRequests/{}",
            created["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(beta["requestStatus"], "WaitingForCallback");
    assert_eq!(
        beta["customExtensionCalloutInstances"][0]["status"],
        "waitingForCallback"
    );
}

#[tokio::test]
async fn agents_request_as_service_principals_without_a_principal_name() {
    let (emu, token) = start().await;
    let v1 = all_requests(&emu, &token, "v1.0").await;
    let agents: Vec<&Value> = v1
        .iter()
        .filter(|r| r["requestor"]["subjectType"] == "servicePrincipal")
        .collect();
    assert!(agents.len() >= 2, "{}", agents.len());
    for a in &agents {
        assert!(a["requestor"]["principalName"].is_null(), "{a}");
        assert!(
            a["requestor"]["displayName"]
                .as_str()
                .unwrap()
                .contains("Agent")
        );
    }
    assert!(agents.iter().any(|a| a["state"] == "deliveryFailed"));
    let beta = all_requests(&emu, &token, "beta").await;
    assert!(
        beta.iter()
            .any(|r| r["requestor"]["type"] == "ServicePrincipal")
    );
}

#[tokio::test]
async fn resume_takes_the_documented_body_answers_204_and_moves_the_request_on() {
    let (emu, token) = start().await;
    let v1 = all_requests(&emu, &token, "v1.0").await;
    let r = waiting(&v1, "submitted");
    let id = r["id"].as_str().unwrap();
    let callout = waiting_callout(&r);
    let (status, _) = resume(
        &emu,
        &token,
        id,
        &body("assignmentRequestCreated", &callout),
    )
    .await;
    assert_eq!(status, 204);
    let after = get(&emu, &token, &format!("/v1.0{EM}/assignmentRequests/{id}")).await;
    assert_ne!(after["status"], "WaitingForCallback", "{after}");
    let c = &after["customExtensionCalloutInstances"][0];
    assert_eq!(c["status"], "callbackReceived");
    assert_eq!(c["detail"], "verified");
    // The callback is received once: a repeat is refused.
    let (status, err) = resume(
        &emu,
        &token,
        id,
        &body("assignmentRequestCreated", &callout),
    )
    .await;
    assert_eq!(status, 400, "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not waiting"),
        "{err}"
    );
    let recorded = emu
        .calls()
        .into_iter()
        .find(|c| c.path.ends_with("/resume"))
        .unwrap();
    assert_eq!(
        recorded.body.unwrap()["data"]["customExtensionStageInstanceId"],
        callout
    );
}

#[tokio::test]
async fn resume_can_deny_only_at_the_request_created_stage() {
    let (emu, token) = start().await;
    let v1 = all_requests(&emu, &token, "v1.0").await;
    let approved = waiting(&v1, "pendingApproval");
    let mut deny = body("assignmentRequestApproved", &waiting_callout(&approved));
    deny["data"]["state"] = json!("denied");
    let (status, err) = resume(&emu, &token, approved["id"].as_str().unwrap(), &deny).await;
    assert_eq!(status, 400, "{err}");
    let created = waiting(&v1, "submitted");
    let id = created["id"].as_str().unwrap();
    let mut deny = body("assignmentRequestCreated", &waiting_callout(&created));
    deny["data"]["state"] = json!("Denied");
    assert_eq!(resume(&emu, &token, id, &deny).await.0, 204);
    let after = get(&emu, &token, &format!("/v1.0{EM}/assignmentRequests/{id}")).await;
    assert_eq!(after["state"], "denied");
    assert!(after["completedDateTime"].is_string());
}

#[tokio::test]
async fn resume_refuses_what_the_documents_do_not_describe() {
    let (emu, token) = start().await;
    let v1 = all_requests(&emu, &token, "v1.0").await;
    let r = waiting(&v1, "pendingApproval");
    let id = r["id"].as_str().unwrap();
    let callout = waiting_callout(&r);
    let good = body("assignmentRequestApproved", &callout);
    let mut cases: Vec<(&str, Value)> = Vec::new();
    cases.push(("another stage", body("assignmentRequestCreated", &callout)));
    cases.push((
        "another callout",
        body(
            "assignmentRequestApproved",
            "00000000-0000-4000-8000-000000000000",
        ),
    ));
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("type");
    cases.push(("no type", v));
    let mut v = good.clone();
    v["type"] = json!("assignmentRequestApproved");
    cases.push(("unqualified type", v));
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("data");
    cases.push(("no data", v));
    let mut v = good.clone();
    v["data"]["stage"] = json!("assignmentRequestGranted");
    cases.push(("stages disagree", v));
    let mut v = good.clone();
    v["data"].as_object_mut().unwrap().remove("@odata.type");
    cases.push(("no @odata.type", v));
    let mut v = good.clone();
    v["reason"] = json!("x");
    cases.push(("unknown parameter", v));
    for (what, b) in cases {
        let (status, err) = resume(&emu, &token, id, &b).await;
        assert_eq!(status, 400, "{what}: {err}");
        assert_eq!(err["error"]["code"], "BadRequest", "{what}: {err}");
    }
    // Not JSON at all.
    let r2 = reqwest::Client::new()
        .post(format!(
            "{}/v1.0{EM}/assignmentRequests/{id}/resume",
            emu.url()
        ))
        .bearer_auth(&token)
        .header("Content-Type", "text/plain")
        .body(good.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r2.status(), 400);
    // Unknown request, invalid id, a request not waiting.
    let (status, _) = resume(&emu, &token, "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea", &good).await;
    assert_eq!(status, 404);
    let (status, _) = resume(&emu, &token, "not-a-guid", &good).await;
    assert_eq!(status, 400);
    let delivered = v1.iter().find(|r| r["state"] == "delivered").unwrap();
    let (status, _) = resume(&emu, &token, delivered["id"].as_str().unwrap(), &good).await;
    assert_eq!(status, 400);
    // Still waiting after all that, and then the right body goes through.
    assert_eq!(resume(&emu, &token, id, &good).await.0, 204);
}

#[tokio::test]
async fn resume_needs_the_write_role() {
    let (emu, _) = start().await;
    let reader = token_for(&emu, DEMO.reader_client_id, DEMO.reader_client_secret).await;
    let reader = reader.as_str();
    let v1 = all_requests(&emu, reader, "v1.0").await;
    let r = waiting(&v1, "submitted");
    let (status, _) = resume(
        &emu,
        reader,
        r["id"].as_str().unwrap(),
        &body("assignmentRequestCreated", &waiting_callout(&r)),
    )
    .await;
    assert_eq!(status, 403);
}
