//! `ep packages list`, and turning `--package ID|NAME` into one access package.

use super::{Context, is_guid, parse_guid};
use crate::diag;
use crate::error::{CliError, ExitStatus};
use crate::graph::{AccessPackage, GraphError, odata_string};
use crate::output::{PackageRecord, RecordWriter};

pub async fn list(ctx: &Context, search: Option<&str>) -> anyhow::Result<ExitStatus> {
    let filter = search.map(|text| {
        format!(
            "contains(tolower(displayName),{})",
            odata_string(&text.to_lowercase())
        )
    });
    let packages = match ctx.client.list_packages(filter.as_deref()).await {
        Ok(p) => p,
        // Some Graph-compatible servers lack contains(tolower(...)); filter here instead.
        Err(e) if filter.is_some() && e.status() == Some(400) => {
            diag::trace(
                1,
                format!("server rejected the search filter, filtering locally: {e}"),
            );
            ctx.client.list_packages(None).await?
        }
        Err(e) => return Err(e.into()),
    };
    let needle = search.map(str::to_lowercase);
    let records: Vec<PackageRecord> = packages
        .into_iter()
        .filter(|p| {
            needle
                .as_ref()
                .is_none_or(|n| p.display_name.to_lowercase().contains(n))
        })
        .map(PackageRecord::from)
        .collect();
    if records.is_empty() {
        diag::note("no access packages match");
    }
    let mut writer = RecordWriter::new(ctx.format, ctx.style);
    writer.write_page(records)?;
    writer.finish(PackageRecord::by_name)?;
    Ok(ExitStatus::Success)
}

/// `--package` takes an id or an exact display name. Names are not unique in Entra, so several
/// matches are an error that lists them rather than a guess.
pub async fn resolve(ctx: &Context, arg: &str) -> anyhow::Result<AccessPackage> {
    let arg = arg.trim();
    if arg.is_empty() {
        return Err(CliError::usage("--package is empty")
            .with_hint("give an access package id or display name; 'ep packages list' shows them")
            .into());
    }
    if is_guid(arg) {
        return resolve_id(ctx, arg).await;
    }
    let mut matches = packages_named(ctx, arg).await?;
    match matches.len() {
        0 => Err(
            CliError::not_found(format!("no access package named '{arg}'"))
                .with_hint(format!(
                    "'ep packages list --search {}' lists packages whose name contains it",
                    shell_word(arg)
                ))
                .into(),
        ),
        1 => Ok(matches.remove(0)),
        _ => Err(ambiguous(arg, matches).into()),
    }
}

/// The package with this id; a 404 becomes "not found" with a hint.
async fn resolve_id(ctx: &Context, arg: &str) -> anyhow::Result<AccessPackage> {
    let id = parse_guid(arg, "access package id")?;
    match ctx.client.get_package(&id).await {
        Ok(p) => Ok(p),
        Err(e) if e.status() == Some(404) => Err(CliError::not_found(format!(
            "no access package with id {id}"
        ))
        .with_hint("'ep packages list' shows the packages you can see")
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// Every package whose display name is `name`, ignoring case.
async fn packages_named(ctx: &Context, name: &str) -> anyhow::Result<Vec<AccessPackage>> {
    let filter = format!("displayName eq {}", odata_string(name));
    let found = ctx
        .client
        .list_packages(Some(&filter))
        .await
        .map_err(|e: GraphError| {
            anyhow::Error::new(e).context(format!("looking up access package '{name}'"))
        })?;
    // Graph's eq on strings is case-insensitive; check again in case a server is looser.
    Ok(found
        .into_iter()
        .filter(|p| p.display_name.to_lowercase() == name.to_lowercase())
        .collect())
}

/// Several packages share the name: list their ids (sorted, so the message is stable) with
/// their catalogs, which is what tells them apart.
fn ambiguous(name: &str, mut matches: Vec<AccessPackage>) -> CliError {
    let n = matches.len();
    matches.sort_by(|a, b| a.id.cmp(&b.id));
    let candidates = matches
        .iter()
        .map(|p| {
            let catalog = p
                .catalog
                .as_ref()
                .and_then(|c| c.display_name.clone().or_else(|| c.id.clone()))
                .unwrap_or_else(|| "unknown catalog".into());
            format!("  {}  (catalog: {catalog})", p.id)
        })
        .collect::<Vec<_>>()
        .join("\n");
    CliError::usage(format!(
        "{n} access packages are named '{name}'; pass one of their ids to --package:\n{candidates}"
    ))
}

fn shell_word(s: &str) -> String {
    if s.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}
