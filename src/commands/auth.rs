//! `ep auth login | status | logout`.

use crate::auth::{
    AuthMethod, Credentials, LoginOutcome, TokenCache, TokenStorage, auto_candidates,
    device_code_login, device_code_logout, device_code_storage, select_source, unverified_claims,
};
use crate::cli::AuthCommand;
use crate::config::Config;
use crate::diag;
use crate::error::ExitStatus;
use crate::output::{self, Format};
use serde_json::{Map, Value, json};
use std::time::Instant;

pub async fn run(command: AuthCommand, config: &Config) -> anyhow::Result<ExitStatus> {
    match command {
        AuthCommand::Login(args) => login(config, args.insecure_storage).await,
        AuthCommand::Status => status(config).await,
        AuthCommand::Logout => logout(config),
        // Dispatched before here: it needs a signed-in Graph client.
        AuthCommand::Setup(_) => Ok(ExitStatus::Usage),
    }
}

fn wall_clock(at: Instant) -> chrono::DateTime<chrono::Utc> {
    let left = at.saturating_duration_since(Instant::now());
    chrono::Utc::now() + chrono::Duration::from_std(left).unwrap_or_default()
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn login(config: &Config, insecure_storage: bool) -> anyhow::Result<ExitStatus> {
    let http = crate::http::client()?;
    let credentials = login_credentials(&config.credentials, insecure_storage);
    let outcome = device_code_login(&credentials, &config.token_endpoint, &http).await?;
    report_login(&outcome);
    diag::note(
        "later runs use it with --auth device-code (or --auth auto when nothing else is set)",
    );
    Ok(ExitStatus::Success)
}

/// The credentials a sign-in keeps its tokens with: `--insecure-storage` turns the keyring
/// into a plain file readable by the owner only.
pub(super) fn login_credentials(credentials: &Credentials, insecure_storage: bool) -> Credentials {
    let mut credentials = credentials.clone();
    if insecure_storage && credentials.token_storage == TokenStorage::Keyring {
        credentials.token_storage = TokenStorage::InsecureFile;
    }
    credentials
}

/// What a finished sign-in tells the person (`ep auth login`, `ep auth setup`): where the
/// tokens are kept until when, and a warning when that is a plain file.
pub(super) fn report_login(outcome: &LoginOutcome) {
    diag::note(format!(
        "signed in; tokens kept in {} (access token valid until {}, refreshed silently after that)",
        outcome.kept_in,
        rfc3339(wall_clock(outcome.expires_at))
    ));
    if outcome.insecure {
        diag::warn(format!(
            "--insecure-storage: your tokens are in plain text in {}; whoever can read it (an \
             administrator, a backup) can act as you. 'ep auth logout' removes it",
            outcome.kept_in
        ));
    }
}

fn logout(config: &Config) -> anyhow::Result<ExitStatus> {
    let removed = device_code_logout(&config.credentials)?;
    if removed.is_empty() {
        diag::note("not signed in: there was no cached login to remove");
    } else {
        diag::note(format!("signed out: removed {}", removed.join(" and ")));
    }
    Ok(ExitStatus::Success)
}

/// The claims worth showing: who the token is for and what it allows. Read unverified, only to
/// describe the token to the person who holds it.
fn describe_claims(claims: &Map<String, Value>) -> Map<String, Value> {
    [
        "tid",
        "appid",
        "azp",
        "app_displayname",
        "oid",
        "upn",
        "preferred_username",
        "roles",
        "scp",
    ]
    .iter()
    .filter_map(|k| claims.get(*k).map(|v| (k.to_string(), v.clone())))
    .collect()
}

/// What `ep auth status` reports, gathered once and shown as JSON or as a table.
struct Status {
    source: &'static str,
    /// Why this source: what `--auth auto` found, or that it was asked for.
    reason: String,
    tenant: Option<String>,
    client_id: Option<String>,
    cloud: String,
    expires: Option<chrono::DateTime<chrono::Utc>>,
    /// Where the source's tokens are kept between runs.
    kept_in: String,
    claims: Map<String, Value>,
}

/// Where a source's tokens live between runs: only `ep auth login` keeps any (in the keyring,
/// or the file the person opted in to); the Azure CLI keeps its own; everything else asks again
/// at each run and writes nothing.
fn kept_in(config: &Config, source: &str) -> String {
    match source {
        "device-code" => device_code_storage(&config.credentials),
        "azure-cli" => "the Azure CLI's own cache (az)".into(),
        _ => "nowhere: in memory for this run only".into(),
    }
}

async fn status(config: &Config) -> anyhow::Result<ExitStatus> {
    let source = select_source(config.auth, &config.credentials, &config.token_endpoint)?;
    let cache = TokenCache::new(source);
    let http = crate::http::client()?;
    let token = cache.access_token(&http).await?;
    let claims = unverified_claims(token.token.expose()).unwrap_or_default();
    let expires = token.expires_at.map(wall_clock).or_else(|| {
        claims
            .get("exp")
            .and_then(Value::as_i64)
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
    });
    let (tenant, client_id) = identity(config, &claims);
    let status = Status {
        reason: reason(config, cache.source_name()),
        source: cache.source_name(),
        tenant,
        client_id,
        cloud: config.cloud.name().to_string(),
        expires,
        kept_in: kept_in(config, cache.source_name()),
        claims: describe_claims(&claims),
    };
    let doc = status_json(config, &status);
    match config.format {
        Format::Json | Format::Ndjson => output::print_json(&doc)?,
        Format::Tsv => output::print_tsv(&doc)?,
        _ => print_status_table(config, status, &doc)?,
    }
    Ok(ExitStatus::Success)
}

/// Why the credential in use was chosen, in a person's words.
fn reason(config: &Config, source: &str) -> String {
    if config.auth != AuthMethod::Auto {
        return format!("--auth {source} was asked for");
    }
    let candidates = auto_candidates(&config.credentials);
    let chosen = candidates
        .iter()
        .find(|(m, _)| m.name() == source)
        .map(|(_, why)| (*why).to_string());
    let passed: Vec<&str> = candidates
        .iter()
        .take_while(|(m, _)| m.name() != source)
        .map(|(m, _)| m.name())
        .collect();
    let mut why = chosen.unwrap_or_else(|| "the first source that answered".into());
    if !passed.is_empty() {
        why.push_str(&format!(" ({} not signed in)", passed.join(", ")));
    }
    format!("--auth auto: {why}")
}

/// Tenant and client id: as configured, else as the token says (`appid` for v1 tokens, `azp`
/// for v2).
fn identity(config: &Config, claims: &Map<String, Value>) -> (Option<String>, Option<String>) {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let tenant = config
        .credentials
        .tenant_id
        .clone()
        .or_else(|| text(claims.get("tid")));
    let client_id = config
        .credentials
        .client_id
        .clone()
        .or_else(|| text(claims.get("appid")).or_else(|| text(claims.get("azp"))));
    (tenant, client_id)
}

/// Each setting's value and where it came from: flag, env VAR, profile NAME or default.
fn settings_json(config: &Config) -> Value {
    let settings: Map<String, Value> = config
        .provenance
        .iter()
        .map(|p| {
            let entry = json!({"value": p.value, "from": p.origin.to_string()});
            (p.key.to_string(), entry)
        })
        .collect();
    Value::Object(settings)
}

fn status_json(config: &Config, status: &Status) -> Value {
    let shown = &status.claims;
    let profile = config.profile.as_ref().map(|(name, origin)| {
        let chosen_by = match origin {
            crate::config::Origin::Flag => "--profile".to_string(),
            crate::config::Origin::Env(var) => (*var).to_string(),
            _ => "default".to_string(),
        };
        json!({"name": name, "chosenBy": chosen_by})
    });
    json!({
        "profile": profile,
        "settings": settings_json(config),
        "source": status.source,
        "reason": status.reason,
        "tenant": status.tenant,
        "clientId": status.client_id,
        "cloud": status.cloud,
        "graphUrl": config.graph_root.as_str().trim_end_matches('/'),
        "authorityHost": config.token_endpoint.authority_host,
        "scope": config.token_endpoint.scope,
        "expiresOn": status.expires.map(rfc3339),
        "tokensKeptIn": status.kept_in,
        "claims": if shown.is_empty() { Value::Null } else { Value::Object(shown.clone()) },
    })
}

/// The table form: `doc` is the JSON form, whose `graphUrl` is already trimmed.
fn print_status_table(config: &Config, status: Status, doc: &Value) -> anyhow::Result<()> {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let mut rows = vec![
        ("source", status.source.to_string()),
        ("why this source", status.reason),
        ("tenant", or_dash(status.tenant)),
        ("client id", or_dash(status.client_id)),
        ("cloud", status.cloud),
        (
            "graph url",
            doc["graphUrl"].as_str().unwrap_or_default().to_string(),
        ),
        ("authority", config.token_endpoint.authority_host.clone()),
        (
            "token expires",
            or_dash(status.expires.map(|e| {
                let mins = (e - chrono::Utc::now()).num_minutes();
                format!("{} (in {mins} min)", rfc3339(e))
            })),
        ),
        ("tokens kept in", status.kept_in),
    ];
    for (k, v) in &status.claims {
        rows.push((k.as_str(), claim_text(v)));
    }
    output::print_text(&output::key_value_table(&rows).to_string())?;
    output::print_text(&settings_table(config))?;
    Ok(())
}

/// "Settings (profile work, the default):" and a row per setting: value and where it came from.
fn settings_table(config: &Config) -> String {
    let title = match &config.profile {
        Some((name, crate::config::Origin::Default)) => {
            format!("settings (profile {name}, the default profile):")
        }
        Some((name, origin)) => format!("settings (profile {name}, chosen by {origin}):"),
        None => "settings (no profile):".to_string(),
    };
    let rows: Vec<(&str, String)> = config
        .provenance
        .iter()
        .map(|p| {
            let value = p.value.clone().unwrap_or_else(|| "-".into());
            (p.key, format!("{value}  ({})", p.origin))
        })
        .collect();
    format!("\n{title}\n{}", output::key_value_table(&rows))
}

/// A claim as one table cell: lists (`roles`, …) joined with commas, strings as they are.
fn claim_text(v: &Value) -> String {
    match v {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
