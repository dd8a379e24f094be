//! `ep auth login | status | logout`.

use crate::auth::{
    TokenCache, device_code_login, device_code_logout, select_source, unverified_claims,
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
        AuthCommand::Login => login(config).await,
        AuthCommand::Status => status(config).await,
        AuthCommand::Logout => logout(config),
    }
}

fn wall_clock(at: Instant) -> chrono::DateTime<chrono::Utc> {
    let left = at.saturating_duration_since(Instant::now());
    chrono::Utc::now() + chrono::Duration::from_std(left).unwrap_or_default()
}

fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn login(config: &Config) -> anyhow::Result<ExitStatus> {
    let http = crate::http::client()?;
    let outcome = device_code_login(&config.credentials, &config.token_endpoint, &http).await?;
    diag::note(format!(
        "signed in; tokens cached in {} (access token valid until {}, refreshed silently after that)",
        outcome.cache_path.display(),
        rfc3339(wall_clock(outcome.expires_at))
    ));
    diag::note(
        "later runs use it with --auth device-code (or --auth auto when nothing else is set)",
    );
    Ok(ExitStatus::Success)
}

fn logout(config: &Config) -> anyhow::Result<ExitStatus> {
    match device_code_logout(&config.credentials)? {
        Some(path) => diag::note(format!("signed out: removed {}", path.display())),
        None => diag::note("not signed in: there was no cached login to remove"),
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
    let cloud = config.cloud.name().to_string();
    let shown = describe_claims(&claims);
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
    let doc = json!({
        "source": cache.source_name(),
        "tenant": tenant,
        "clientId": client_id,
        "cloud": cloud,
        "graphUrl": config.graph_root.as_str().trim_end_matches('/'),
        "authorityHost": config.token_endpoint.authority_host,
        "scope": config.token_endpoint.scope,
        "expiresOn": expires.map(rfc3339),
        "claims": if shown.is_empty() { Value::Null } else { Value::Object(shown.clone()) },
    });
    match config.format {
        Format::Json | Format::Ndjson => output::print_json(&doc)?,
        _ => {
            let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".into());
            let mut rows = vec![
                ("source", cache.source_name().to_string()),
                ("tenant", or_dash(tenant)),
                ("client id", or_dash(client_id)),
                ("cloud", cloud),
                (
                    "graph url",
                    doc["graphUrl"].as_str().unwrap_or_default().to_string(),
                ),
                ("authority", config.token_endpoint.authority_host.clone()),
                (
                    "token expires",
                    or_dash(expires.map(|e| {
                        let mins = (e - chrono::Utc::now()).num_minutes();
                        format!("{} (in {mins} min)", rfc3339(e))
                    })),
                ),
            ];
            for (k, v) in &shown {
                let value = match v {
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                rows.push((k.as_str(), value));
            }
            output::print_text(&output::key_value_table(&rows).to_string())?;
        }
    }
    Ok(ExitStatus::Success)
}
