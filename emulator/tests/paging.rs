//! Paging over real HTTP while the tenant changes: what each `PagingModel` lets a client see
//! when rows leave or enter its result between pages, and the live tenant (`live_changes`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::collections::HashSet;
use std::time::Duration;

use chrono::Utc;
use ep_emulator::{DEMO, Emulator, EmulatorConfig, PagingModel, SeededRequest};
use serde_json::{Value, json};

const EM: &str = "/identityGovernance/entitlementManagement";
const FAILED: &str = "state eq 'deliveryFailed'";
const DELIVERING: &str = "state eq 'delivering'";
const EXPIRED: &str =
    "The $skiptoken value is invalid or has expired. Follow @odata.nextLink exactly as returned.";

/// A tenant where a reprocess turns a failed request `delivering` at once and keeps it so for
/// the whole test: it leaves the failed result and enters the delivering one, nothing else.
fn config(paging: PagingModel) -> EmulatorConfig {
    EmulatorConfig {
        requests: 400,
        page_size: 5,
        refail_rate: 0.0,
        recover_delay: Duration::ZERO,
        settle: Duration::from_secs(600),
        paging,
        ..EmulatorConfig::default()
    }
}

async fn start(config: EmulatorConfig) -> Emulator {
    Emulator::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn token(emu: &Emulator) -> String {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("grant_type", "client_credentials"),
            ("client_id", DEMO.client_id),
            ("client_secret", DEMO.client_secret),
            ("scope", &format!("{}/.default", emu.url())),
        ])
        .finish();
    let r: Value = reqwest::Client::new()
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            emu.url(),
            DEMO.tenant_id
        ))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().unwrap().to_string()
}

async fn get(url: &str, t: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(url)
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

fn listing(emu: &Emulator, filter: &str) -> String {
    let filter: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    format!("{}/v1.0{EM}/assignmentRequests?$filter={filter}", emu.url())
}

/// One page: its ids and its nextLink.
async fn page(url: &str, t: &str) -> (Vec<String>, Option<String>) {
    let (status, body) = get(url, t).await;
    assert_eq!(status, 200, "{url}: {body}");
    let ids = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    (ids, body["@odata.nextLink"].as_str().map(str::to_string))
}

/// Every id from `next` on, following nextLinks verbatim.
async fn rest(mut next: Option<String>, t: &str) -> Vec<String> {
    let mut ids = Vec::new();
    while let Some(url) = next {
        let (more, link) = page(&url, t).await;
        ids.extend(more);
        next = link;
    }
    ids
}

async fn reprocess(emu: &Emulator, t: &str, id: &str) {
    let r = reqwest::Client::new()
        .post(format!(
            "{}/v1.0{EM}/assignmentRequests/{id}/reprocess",
            emu.url()
        ))
        .bearer_auth(t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{id}");
}

/// The ids in `state`, in the server's stable order.
fn in_state(truth: &[SeededRequest], state: &str) -> Vec<String> {
    truth
        .iter()
        .filter(|r| r.state == state)
        .map(|r| r.id.clone())
        .collect()
}

/// A failed request that `reprocess` accepts: completed within the last 13 days.
fn reprocessable(r: &SeededRequest) -> bool {
    r.state == "deliveryFailed"
        && r.completed
            .is_some_and(|c| Utc::now() - c < chrono::Duration::days(13))
}

fn duplicates(ids: &[String]) -> Vec<&String> {
    let mut seen = HashSet::new();
    ids.iter().filter(|id| !seen.insert(*id)).collect()
}

/// Lists the failed requests; between the first page and the rest, a request of the first
/// page is reprocessed and so leaves the result (`delivering`). Returns the result as it was
/// at the start and everything served.
async fn leave_before_the_cursor(paging: PagingModel) -> (Vec<String>, Vec<String>) {
    let emu = start(config(paging)).await;
    let t = token(&emu).await;
    let truth = emu.requests_snapshot();
    let before = in_state(&truth, "deliveryFailed");
    assert!(before.len() > 10, "{}", before.len());
    let (first, next) = page(&listing(&emu, FAILED), &t).await;
    assert_eq!(first, before[..5]);
    let leaving = truth
        .iter()
        .find(|r| first.contains(&r.id) && reprocessable(r))
        .expect("a reprocessable request on the first page");
    reprocess(&emu, &t, &leaving.id).await;
    let mut served = first;
    served.extend(rest(next, &t).await);
    emu.shutdown().await;
    (before, served)
}

#[tokio::test]
async fn offset_paging_skips_a_row_when_one_before_the_cursor_leaves_the_result() {
    let (before, served) = leave_before_the_cursor(PagingModel::Offset).await;
    // The second page starts at the fifth matching row of the result as it is then, which is
    // the sixth of the result as it was: that one is never served.
    let mut expected = before.clone();
    expected.remove(5);
    assert_eq!(served, expected);
}

#[tokio::test]
async fn key_paging_skips_nothing_when_a_row_before_the_cursor_leaves_the_result() {
    let (before, served) = leave_before_the_cursor(PagingModel::Key).await;
    assert_eq!(served, before);
}

#[tokio::test]
async fn snapshot_paging_skips_nothing_when_a_row_before_the_cursor_leaves_the_result() {
    let (before, served) = leave_before_the_cursor(PagingModel::Snapshot).await;
    assert_eq!(served, before);
}

/// Lists the delivering requests; between the first page and the rest, a failed request that
/// sorts before the first page's last row is reprocessed and so enters the result. Returns the
/// result as it was, the one that entered, and everything served.
async fn enter_before_the_cursor(paging: PagingModel) -> (Vec<String>, String, Vec<String>) {
    let emu = start(config(paging)).await;
    let t = token(&emu).await;
    let truth = emu.requests_snapshot();
    let before = in_state(&truth, "delivering");
    assert!(before.len() > 6, "{}", before.len());
    let (first, next) = page(&listing(&emu, DELIVERING), &t).await;
    assert_eq!(first, before[..5]);
    let cursor = truth.iter().position(|r| r.id == first[4]).unwrap();
    let entering = truth[..cursor]
        .iter()
        .find(|r| reprocessable(r))
        .expect("a reprocessable request before the cursor");
    reprocess(&emu, &t, &entering.id).await;
    let mut served = first;
    served.extend(rest(next, &t).await);
    emu.shutdown().await;
    (before, entering.id.clone(), served)
}

#[tokio::test]
async fn offset_paging_repeats_a_row_when_one_enters_the_result_before_the_cursor() {
    let (before, entered, served) = enter_before_the_cursor(PagingModel::Offset).await;
    // Everything after the new row moved one place on: the first page's last row is the
    // second page's first too, and the new row itself is never served.
    let mut expected = before[..5].to_vec();
    expected.extend(before[4..].iter().cloned());
    assert_eq!(served, expected);
    assert_eq!(duplicates(&served), vec![&before[4]]);
    assert!(!served.contains(&entered));
}

#[tokio::test]
async fn key_paging_neither_repeats_nor_shows_a_row_entering_behind_the_cursor() {
    let (before, entered, served) = enter_before_the_cursor(PagingModel::Key).await;
    assert_eq!(served, before);
    assert!(!served.contains(&entered));
}

#[tokio::test]
async fn snapshot_paging_serves_the_first_pages_rows_and_no_new_ones() {
    let (before, entered, served) = enter_before_the_cursor(PagingModel::Snapshot).await;
    assert_eq!(served, before);
    assert!(!served.contains(&entered));
}

#[tokio::test]
async fn snapshot_pages_show_rows_as_they_are_now() {
    let emu = start(config(PagingModel::Snapshot)).await;
    let t = token(&emu).await;
    let truth = emu.requests_snapshot();
    let (_, next) = page(&listing(&emu, FAILED), &t).await;
    let before = in_state(&truth, "deliveryFailed");
    // A row of the second page changes state before that page is served: it is still served
    // (the snapshot fixed the rows), with the state it has now.
    let changing = truth
        .iter()
        .find(|r| before[5..10].contains(&r.id) && reprocessable(r))
        .expect("a reprocessable request on the second page");
    reprocess(&emu, &t, &changing.id).await;
    let (_, body) = get(&next.unwrap(), &t).await;
    let items = body["value"].as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, before[5..10]);
    let row = items
        .iter()
        .find(|i| i["id"] == changing.id.as_str())
        .unwrap();
    assert_eq!(row["state"], "delivering");
    emu.shutdown().await;
}

#[tokio::test]
async fn snapshot_tokens_are_checked_bound_to_their_query_and_expire() {
    let emu = start(config(PagingModel::Snapshot)).await;
    let t = token(&emu).await;
    let first_url = listing(&emu, FAILED);
    let (_, next) = page(&first_url, &t).await;
    let oldest = next.unwrap();
    let refused = |(status, body): (u16, Value)| {
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"]["code"], "BadRequest");
        assert_eq!(body["error"]["message"], EXPIRED);
    };
    // An edited token, and the token with another query.
    let (head, token_value) = oldest.split_once("$skiptoken=").unwrap();
    let mut edited: Vec<char> = token_value.chars().collect();
    edited[10] = if edited[10] == 'A' { 'B' } else { 'A' };
    let edited: String = edited.into_iter().collect();
    refused(get(&format!("{head}$skiptoken={edited}"), &t).await);
    let other = format!(
        "{}&$skiptoken={token_value}",
        listing(&emu, "state eq 'partiallyDelivered'")
    );
    refused(get(&other, &t).await);
    // It works, as often as it is followed, while the snapshot is kept.
    let (second, _) = page(&oldest, &t).await;
    assert_eq!(page(&oldest, &t).await.0, second);
    // A listing that fits one page keeps nothing; 64 that do not push the oldest out.
    let one = emu.requests_snapshot()[0].id.clone();
    let single = listing(&emu, &format!("id eq '{one}'"));
    assert!(page(&single, &t).await.1.is_none());
    assert!(page(&oldest, &t).await.1.is_some());
    for _ in 0..64 {
        assert!(page(&first_url, &t).await.1.is_some());
    }
    refused(get(&oldest, &t).await);
    // Key and offset tokens are not snapshot tokens, even of the same seed and query.
    let keyed = start(config(PagingModel::Key)).await;
    let kt = token(&keyed).await;
    let (_, key_next) = page(&listing(&keyed, FAILED), &kt).await;
    let key_token = key_next.unwrap();
    let key_token = key_token.split_once("$skiptoken=").unwrap().1;
    refused(get(&format!("{head}$skiptoken={key_token}"), &t).await);
    keyed.shutdown().await;
    emu.shutdown().await;
}

/// Starts `seed`'s tenant with one live change before the second listing page, and reports
/// whether that change was a new failed request that sorts before the first page's last row:
/// then the failed rows served, the result before and after.
async fn insert_before_the_cursor(
    seed: u64,
    paging: PagingModel,
) -> Option<(Vec<String>, Vec<String>, Vec<String>)> {
    let emu = start(EmulatorConfig {
        seed,
        live_changes: 1,
        live_every: 2,
        ..config(paging)
    })
    .await;
    let t = token(&emu).await;
    let before = in_state(&emu.requests_snapshot(), "deliveryFailed");
    let (first, next) = page(&listing(&emu, FAILED), &t).await;
    let (second, _) = page(&next.unwrap(), &t).await;
    assert_eq!(emu.live_changes_made(), 1);
    let after = in_state(&emu.requests_snapshot(), "deliveryFailed");
    emu.shutdown().await;
    let new = after.iter().position(|id| !before.contains(id))?;
    (after.len() == before.len() + 1 && new < 5).then(|| {
        let mut served = first;
        served.extend(second);
        (served, before, after)
    })
}

#[tokio::test]
async fn a_new_row_before_the_cursor_repeats_one_under_offset_paging_only() {
    // Which change comes, and where, is the seed's (and not the paging model's): take the
    // first seed whose change is an insert that lands before the cursor.
    let mut found = None;
    for seed in 0..400 {
        if let Some(hit) = insert_before_the_cursor(seed, PagingModel::Offset).await {
            found = Some((seed, hit));
            break;
        }
    }
    let (seed, (served, before, after)) = found.expect("a seed whose live change inserts early");
    eprintln!("seed {seed} inserts a failed request before the cursor");
    // The second page is the new result's rows 5..10: the first page's last row again.
    assert_eq!(served[..5], before[..5]);
    assert_eq!(served[5..], after[5..10]);
    assert_eq!(served[5], before[4]);
    // Key and snapshot paging continue where they were, and do not show the new row.
    for paging in [PagingModel::Key, PagingModel::Snapshot] {
        let (served, before, _) = insert_before_the_cursor(seed, paging).await.unwrap();
        assert_eq!(served, before[..10], "{paging:?}");
    }
}

/// Lists every request, page by page, `pages` times in all; the ids of each page.
async fn list_pages(emu: &Emulator, t: &str, pages: usize) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut next = None;
    for _ in 0..pages {
        let url = next
            .take()
            .unwrap_or_else(|| format!("{}/beta{EM}/accessPackageAssignmentRequests", emu.url()));
        let (ids, link) = page(&url, t).await;
        out.push(ids);
        next = link;
    }
    out
}

fn live_config() -> EmulatorConfig {
    EmulatorConfig {
        requests: 120,
        page_size: 10,
        live_changes: 5,
        live_every: 1,
        ..EmulatorConfig::default()
    }
}

/// What a live change can be compared by across runs: everything but the times it was made.
fn shape(truth: &[SeededRequest]) -> Vec<(String, String, String, u32)> {
    truth
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                r.state.clone(),
                r.package_id.clone(),
                r.reprocess_calls,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_live_tenant_makes_its_changes_while_listed_then_holds_still() {
    let emu = start(live_config()).await;
    let t = token(&emu).await;
    let generated = emu.requests_snapshot();
    assert_eq!(emu.live_changes_made(), 0);
    list_pages(&emu, &t, 3).await;
    assert_eq!(emu.live_changes_made(), 3);
    list_pages(&emu, &t, 4).await;
    assert_eq!(emu.live_changes_made(), 5);
    let changed = emu.requests_snapshot();

    // New requests are in the oracle, failed, recent and reprocessable.
    let known: HashSet<&str> = generated.iter().map(|r| r.id.as_str()).collect();
    let new: Vec<&SeededRequest> = changed
        .iter()
        .filter(|r| !known.contains(r.id.as_str()))
        .collect();
    let altered = changed
        .iter()
        .filter(|r| {
            generated
                .iter()
                .any(|g| g.id == r.id && (g.state != r.state || g.completed != r.completed))
        })
        .count();
    assert_eq!(changed.len(), generated.len() + new.len());
    eprintln!("{} new requests, {altered} changed state", new.len());
    assert!(!new.is_empty() || altered > 0);
    assert!(
        new.len() + altered <= 5,
        "{} new, {altered} altered",
        new.len()
    );
    for r in &new {
        assert!(
            ["deliveryFailed", "partiallyDelivered"].contains(&r.state.as_str()),
            "{r:?}"
        );
        let completed = r.completed.unwrap();
        assert!(
            Utc::now() - completed < chrono::Duration::minutes(15),
            "{r:?}"
        );
        assert!(r.created < completed);
        assert_eq!(r.reprocess_calls, 0);
    }
    for (was, now) in generated
        .iter()
        .zip(changed.iter().filter(|r| known.contains(r.id.as_str())))
    {
        assert_eq!(
            was.id, now.id,
            "the stable order of the generated requests is kept"
        );
    }
    if let Some(r) = new.first() {
        let (status, body) = get(
            &format!("{}/v1.0{EM}/assignmentRequests/{}", emu.url(), r.id),
            &t,
        )
        .await;
        assert_eq!(
            (status, body["state"].as_str()),
            (200, Some(r.state.as_str()))
        );
        if r.state == "deliveryFailed" {
            reprocess(&emu, &t, &r.id).await;
            let after = emu.requests_snapshot();
            let again = after.iter().find(|a| a.id == r.id).unwrap();
            assert_eq!(again.reprocess_calls, 1);
        }
    }
    // Causes know nothing of the new requests, and do not mind them.
    let causes = emu.causes_snapshot();
    assert!(causes.iter().all(|c| known.contains(c.request_id.as_str())));

    // Five changes were all: the tenant holds still now.
    let settled = shape(&emu.requests_snapshot());
    list_pages(&emu, &t, 6).await;
    assert_eq!(emu.live_changes_made(), 5);
    assert_eq!(shape(&emu.requests_snapshot()), settled);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_same_seed_makes_the_same_live_changes() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let emu = start(live_config()).await;
        let t = token(&emu).await;
        list_pages(&emu, &t, 8).await;
        assert_eq!(emu.live_changes_made(), 5);
        runs.push(shape(&emu.requests_snapshot()));
        emu.shutdown().await;
    }
    assert_eq!(runs[0], runs[1]);
    let emu = start(EmulatorConfig {
        seed: 7,
        ..live_config()
    })
    .await;
    let t = token(&emu).await;
    list_pages(&emu, &t, 8).await;
    let quiet = start(EmulatorConfig {
        seed: 7,
        live_changes: 0,
        ..live_config()
    })
    .await;
    assert_ne!(
        shape(&emu.requests_snapshot()),
        shape(&quiet.requests_snapshot()),
        "live changes change the tenant"
    );
    emu.shutdown().await;
    quiet.shutdown().await;
}

#[tokio::test]
async fn listings_inside_a_batch_count_other_calls_do_not() {
    let emu = start(EmulatorConfig {
        live_changes: 10,
        ..live_config()
    })
    .await;
    let t = token(&emu).await;
    let truth = emu.requests_snapshot();
    // Single requests, packages and reprocess calls are not listings of the requests.
    get(
        &format!("{}/v1.0{EM}/assignmentRequests/{}", emu.url(), truth[0].id),
        &t,
    )
    .await;
    get(&format!("{}/v1.0{EM}/accessPackages", emu.url()), &t).await;
    assert_eq!(emu.live_changes_made(), 0);
    let requests: Vec<Value> = (1..=3)
        .map(|i| {
            json!({"id": i.to_string(), "method": "GET", "url": format!("{EM}/assignmentRequests?$top=2")})
        })
        .collect();
    let r = reqwest::Client::new()
        .post(format!("{}/v1.0/$batch", emu.url()))
        .bearer_auth(&t)
        .json(&json!({ "requests": requests }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.live_changes_made(), 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_live_tenants_state_resumes_without_the_requests_that_appeared() {
    let config = |seed| EmulatorConfig {
        seed,
        ..live_config()
    };
    // The first seed whose live changes make a new reprocessable request.
    for seed in 0..100 {
        let emu = start(config(seed)).await;
        let t = token(&emu).await;
        let generated: HashSet<String> =
            emu.requests_snapshot().into_iter().map(|r| r.id).collect();
        list_pages(&emu, &t, 6).await;
        let reprocessable: Vec<SeededRequest> = emu
            .requests_snapshot()
            .into_iter()
            .filter(reprocessable)
            .collect();
        if reprocessable.iter().all(|r| generated.contains(&r.id)) {
            emu.shutdown().await;
            continue;
        }
        for r in &reprocessable {
            reprocess(&emu, &t, &r.id).await;
        }
        let state = emu.tenant_state();
        assert!(state.changed.iter().all(|c| generated.contains(&c.id)));
        assert!(!state.changed.is_empty());
        emu.shutdown().await;
        let resumed = Emulator::resume(config(seed), &state, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(resumed.requests_snapshot().len(), generated.len());
        resumed.shutdown().await;
        return;
    }
    panic!("no seed made a new reprocessable request");
}
