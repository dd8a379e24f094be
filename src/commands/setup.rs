//! `ep auth setup`: from nothing to a working interactive sign-in in one step.
//!
//! Microsoft documents no public client for third-party tools, and a multi-tenant app of ep's
//! own would ask every tenant to trust it. So ep does what `m365 setup` and PnP's
//! `Register-PnPEntraIDAppForInteractiveLogin` do: with a sign-in the admin already has (the
//! Azure CLI, whose Graph tokens may register apps but never carry EntitlementManagement
//! scopes), it registers a single-tenant public client in the admin's own tenant with exactly
//! the delegated permissions ep needs, grants admin consent for them, saves the ids in the
//! profile and signs in with the device-code flow.

use super::Context;
use super::auth::login_credentials;
use crate::auth::{
    AuthError, Credentials, TokenEndpoint, aadsts_code, check_token_storage, device_code_login,
};
use crate::cli::AuthSetupArgs;
use crate::cloud::Cloud;
use crate::config::Origin;
use crate::config::file::{ConfigFile, Key, default_path};
use crate::diag;
use crate::error::{CliError, ExitStatus, graph_exit};
use crate::graph::{
    GraphError, MICROSOFT_GRAPH_APP_ID, PermissionScope, ServicePrincipal, is_replication_lag,
};
use crate::output::{self, Format};
use crate::sanitize::excerpt;
use serde_json::json;
use std::time::Duration;

/// The delegated permissions ep asks for, in the order they are listed.
const REPROCESS_SCOPE: &str = "EntitlementManagement.ReadWrite.All";
const AUDIT_SCOPE: &str = "AuditLog.Read.All";
/// Without it the identity platform hands out no refresh token, and every run would sign in.
const OFFLINE_SCOPE: &str = "offline_access";

/// How long to wait between attempts while a new registration replicates: Microsoft does not
/// say how long that takes; in practice seconds, rarely a minute. About a minute in all.
const REPLICATION_WAITS: [u64; 7] = [1, 2, 4, 8, 15, 15, 15];

/// What setup takes from the configuration besides the signed-in client.
pub struct SetupInputs {
    pub credentials: Credentials,
    pub token_endpoint: TokenEndpoint,
    pub profile: Option<(String, Origin)>,
    pub cloud: Cloud,
    /// Where the client id in effect came from (an environment variable outranks a profile).
    pub client_id_origin: Option<Origin>,
    pub format: Format,
}

/// What was done, as `-o json` reports it.
struct Outcome {
    tenant: String,
    app_id: String,
    app_object_id: String,
    service_principal_id: String,
    created: bool,
    scopes: Vec<String>,
    profile: String,
    signed_in: bool,
}

pub async fn run(
    ctx: &Context,
    inputs: SetupInputs,
    args: &AuthSetupArgs,
) -> anyhow::Result<ExitStatus> {
    let name = args.name.trim();
    if name.is_empty() || name.chars().any(char::is_control) || name.chars().count() > 120 {
        return Err(CliError::usage("--name must be 1 to 120 printable characters").into());
    }
    let mut inputs = inputs;
    inputs.credentials = login_credentials(&inputs.credentials, args.login.insecure_storage);
    if !args.no_login {
        // Before anything is registered: a sign-in that could not be kept would leave an app
        // behind for nothing.
        check_token_storage(&inputs.credentials)?;
    }
    let client = &ctx.client;
    let tenant = client
        .tenant_id()
        .await
        .map_err(|e| refused(e, "read the tenant"))?;
    guid_from_graph(&tenant, "tenant id")?;
    let graph = client
        .service_principal(MICROSOFT_GRAPH_APP_ID)
        .await
        .map_err(|e| refused(e, "read Microsoft Graph's permissions"))?
        .ok_or_else(|| {
            CliError::new(
                ExitStatus::NotFound,
                "this tenant has no service principal for Microsoft Graph",
            )
            .with_hint("every Entra tenant has one: is --graph-url a Microsoft Graph?")
        })?;
    let mut wanted = vec![REPROCESS_SCOPE];
    if !args.no_audit {
        wanted.push(AUDIT_SCOPE);
    }
    wanted.push(OFFLINE_SCOPE);
    guid_from_graph(&graph.id, "Microsoft Graph service principal id")?;
    let scopes = published(&graph, &wanted)?;

    let (app, created) = match reusable_app(ctx, &inputs).await? {
        Some(app) => {
            diag::note(format!(
                "reusing the app registration {} ({}) the configuration names",
                excerpt(app.display_name.as_deref().unwrap_or("(no name)")),
                app.app_id
            ));
            (app, false)
        }
        None => {
            let app = client
                .create_public_client(name, &graph, &scopes)
                .await
                .map_err(|e| refused(e, "register an app"))?;
            diag::note(format!(
                "registered the app '{}' (client id {}) in tenant {tenant}",
                excerpt(name),
                app.app_id
            ));
            (app, true)
        }
    };
    // These ids go into the profile and into URLs: only what Graph ids look like.
    guid_from_graph(&app.app_id, "app id")?;
    guid_from_graph(&app.id, "application object id")?;
    let sp = service_principal_for(ctx, &app.app_id).await?;
    guid_from_graph(&sp.id, "service principal id")?;
    let scope = consent(ctx, &sp.id, &graph.id, &wanted).await?;
    diag::note(format!(
        "granted admin consent for {scope} (delegated: ep can do only what the signed-in admin may)"
    ));

    let profile = save_profile(&inputs, &tenant, &app.app_id)?;
    let signed_in = if args.no_login {
        diag::note("run 'ep auth login' to sign in");
        false
    } else {
        sign_in(&inputs, &tenant, &app.app_id).await?;
        true
    };
    report(
        &inputs,
        Outcome {
            tenant,
            app_id: app.app_id,
            app_object_id: app.id,
            service_principal_id: sp.id,
            created,
            scopes: scope.split_whitespace().map(str::to_string).collect(),
            profile,
            signed_in,
        },
    )
}

/// An id Graph answered that is not a GUID: not something to save or build a URL from.
fn guid_from_graph(id: &str, what: &str) -> Result<(), CliError> {
    if super::is_guid(id) {
        return Ok(());
    }
    Err(CliError::new(
        ExitStatus::Unavailable,
        format!(
            "Graph answered a {what} that is not a GUID: '{}'",
            excerpt(id)
        ),
    )
    .with_hint("is --graph-url a Microsoft Graph?"))
}

/// A Graph refusal while setting up, with what it usually means.
fn refused(err: GraphError, doing: &str) -> anyhow::Error {
    let e = CliError::new(graph_exit(&err), format!("could not {doing}: {err}"));
    let e = if matches!(err.status(), Some(401 | 403)) {
        e.with_hint(
            "registering ep needs a sign-in that may create apps and grant consent (Application \
             Administrator or Cloud Application Administrator; consent to Microsoft Graph \
             permissions may need Privileged Role Administrator or Global Administrator): run \
             'az login' as such an admin, or ask one to run 'ep auth setup'",
        )
    } else if let Some(hint) = err.hint() {
        e.with_hint(hint)
    } else {
        e
    };
    e.into()
}

/// The permissions `wanted` as Microsoft Graph publishes them in this tenant (their ids are
/// what an app registration lists).
fn published<'a>(
    graph: &'a ServicePrincipal,
    wanted: &[&str],
) -> Result<Vec<&'a PermissionScope>, CliError> {
    wanted
        .iter()
        .map(|w| {
            graph
                .oauth2_permission_scopes
                .iter()
                .find(|s| s.value == *w)
                .ok_or_else(|| {
                    CliError::new(
                        ExitStatus::NotFound,
                        format!(
                            "Microsoft Graph in this tenant publishes no delegated permission {w}"
                        ),
                    )
                    .with_hint("is --cloud right? entitlement management is not in every cloud")
                })
        })
        .collect()
}

/// The app the configuration already names, if it exists here and allows public client flows:
/// running setup again must not register a second app.
async fn reusable_app(
    ctx: &Context,
    inputs: &SetupInputs,
) -> anyhow::Result<Option<crate::graph::Application>> {
    let Some(id) = inputs.credentials.client_id.as_deref() else {
        return Ok(None);
    };
    if !super::is_guid(id) {
        return Ok(None);
    }
    let app = ctx
        .client
        .application(id)
        .await
        .map_err(|e| refused(e, "look up the configured app"))?;
    match app {
        Some(app) if app.is_fallback_public_client == Some(true) => Ok(Some(app)),
        Some(_) => {
            diag::note(format!(
                "the configured app {id} does not allow public client flows (it is an app for \
                 unattended sign-in): registering a separate one"
            ));
            Ok(None)
        }
        None => Ok(None),
    }
}

/// The app's service principal, created if it has none. A new app is not found at once
/// everywhere: creation is retried, visibly and for about a minute at most.
async fn service_principal_for(ctx: &Context, app_id: &str) -> anyhow::Result<ServicePrincipal> {
    let client = &ctx.client;
    if let Some(sp) = client
        .service_principal(app_id)
        .await
        .map_err(|e| refused(e, "look up the app's service principal"))?
    {
        return Ok(sp);
    }
    through_replication(
        "the new app is not visible to Graph yet",
        || client.create_service_principal(app_id),
        is_replication_lag,
    )
    .await
    .map_err(|e| refused(e, "create the app's service principal"))
}

/// `attempt`, tried again after each of [`REPLICATION_WAITS`] (saying `waiting` each time)
/// while its error is what `lagging` recognises as a new registration not replicated yet.
async fn through_replication<T, E, F: Future<Output = Result<T, E>>>(
    waiting: &str,
    mut attempt: impl FnMut() -> F,
    lagging: impl Fn(&E) -> bool,
) -> Result<T, E> {
    let mut waits = REPLICATION_WAITS.iter();
    loop {
        match attempt().await {
            Err(e) if lagging(&e) => match waits.next() {
                Some(secs) => {
                    diag::note(format!("{waiting}; trying again in {secs}s"));
                    tokio::time::sleep(Duration::from_secs(*secs)).await;
                }
                None => return Err(e),
            },
            done => return done,
        }
    }
}

/// Admin consent (for all users) to `wanted` of Microsoft Graph, adding to a grant that
/// exists. Returns the scopes consented.
async fn consent(
    ctx: &Context,
    client_sp: &str,
    graph_sp: &str,
    wanted: &[&str],
) -> anyhow::Result<String> {
    let client = &ctx.client;
    let grants = client
        .delegated_grants(client_sp)
        .await
        .map_err(|e| refused(e, "read the app's consent"))?;
    let existing = grants.into_iter().find(|g| {
        g.consent_type == "AllPrincipals" && g.resource_id.eq_ignore_ascii_case(graph_sp)
    });
    match existing {
        Some(grant) => {
            let mut scopes: Vec<String> = grant
                .scope
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_string)
                .collect();
            let missing: Vec<&str> = wanted
                .iter()
                .copied()
                .filter(|w| !scopes.iter().any(|s| s == w))
                .collect();
            if missing.is_empty() {
                return Ok(scopes.join(" "));
            }
            scopes.extend(missing.iter().map(|s| s.to_string()));
            let scope = scopes.join(" ");
            client
                .update_grant_scope(&grant.id, &scope)
                .await
                .map_err(|e| refused(e, "grant consent"))?;
            Ok(scope)
        }
        None => {
            let scope = wanted.join(" ");
            client
                .grant_delegated(client_sp, graph_sp, &scope)
                .await
                .map_err(|e| refused(e, "grant consent"))?;
            Ok(scope)
        }
    }
}

/// Tenant, client id and `auth = device-code` in the profile in use (`default` when none is),
/// which becomes the default profile if the file has none.
fn save_profile(inputs: &SetupInputs, tenant: &str, app_id: &str) -> anyhow::Result<String> {
    let path = default_path().ok_or_else(|| {
        CliError::usage("ep has no config directory to save the profile in")
            .with_hint("set HOME (or XDG_CONFIG_HOME), or APPDATA on Windows")
    })?;
    let name = inputs
        .profile
        .as_ref()
        .map_or_else(|| "default".to_string(), |(n, _)| n.clone());
    let mut file = ConfigFile::load(&path).map_err(CliError::from)?;
    let mut settings = vec![
        (Key::Tenant, tenant.to_string()),
        (Key::ClientId, app_id.to_string()),
        (Key::Auth, "device-code".to_string()),
    ];
    if inputs.cloud != Cloud::Global {
        settings.push((Key::Cloud, inputs.cloud.name().to_string()));
    }
    for (key, value) in settings {
        file = file.set(&name, key, &value).map_err(CliError::from)?;
    }
    if file.default.is_none() {
        file.set_default(&name).map_err(CliError::from)?;
    }
    diag::note(format!(
        "saved tenant, client id and auth = device-code in profile '{name}' ({})",
        path.display()
    ));
    if let Some(Origin::Env(var)) = &inputs.client_id_origin {
        diag::warn(format!(
            "{var} is set and outranks the profile: unset it to use the app just set up"
        ));
    }
    Ok(name)
}

/// `ep auth login` with the new app. The sign-in service may not know a new app for a moment
/// (AADSTS700016): asked again, visibly, for about a minute at most.
async fn sign_in(inputs: &SetupInputs, tenant: &str, app_id: &str) -> anyhow::Result<()> {
    let mut creds = inputs.credentials.clone();
    creds.tenant_id = Some(tenant.to_string());
    creds.client_id = Some(app_id.to_string());
    let http = crate::http::client()?;
    let unknown_app = |e: &AuthError| matches!(e, AuthError::Rejected { description, .. } if aadsts_code(description) == Some(700016));
    let outcome = through_replication(
        "the sign-in service does not know the new app yet",
        || device_code_login(&creds, &inputs.token_endpoint, &http),
        unknown_app,
    )
    .await
    .map_err(|e| match e {
        e if unknown_app(&e) => CliError::new(
            ExitStatus::Auth,
            "the sign-in service still does not know the new app",
        )
        .with_hint("the app is registered and saved: run 'ep auth login' in a few minutes")
        .into(),
        e => anyhow::Error::from(e),
    })?;
    super::auth::report_login(&outcome);
    Ok(())
}

fn report(inputs: &SetupInputs, o: Outcome) -> anyhow::Result<ExitStatus> {
    match inputs.format {
        Format::Json | Format::Ndjson => output::print_json(&json!({
            "tenant": o.tenant,
            "clientId": o.app_id,
            "applicationObjectId": o.app_object_id,
            "servicePrincipalId": o.service_principal_id,
            "created": o.created,
            "scopes": o.scopes,
            "profile": o.profile,
            "signedIn": o.signed_in,
        }))?,
        _ => {
            let rows = [
                ("tenant", o.tenant),
                ("client id", o.app_id),
                (
                    "app",
                    if o.created {
                        "registered now"
                    } else {
                        "reused"
                    }
                    .to_string(),
                ),
                ("permissions", o.scopes.join(", ")),
                ("profile", o.profile),
                (
                    "signed in",
                    if o.signed_in { "yes" } else { "no" }.to_string(),
                ),
            ];
            output::print_text(&output::key_value_table(&rows).to_string())?;
        }
    }
    Ok(ExitStatus::Success)
}
