//! `ep packages list`, and turning `--package ID|NAME` into one access package.

use super::{Context, is_guid, parse_guid};
use crate::diag;
use crate::error::{CliError, ExitStatus};
use crate::graph::{AccessPackage, GraphError, odata_string};
use crate::output::{PackageRecord, RecordWriter};

pub async fn list(ctx: &Context, search: Option<&str>) -> anyhow::Result<ExitStatus> {
    let packages = match search {
        Some(text) => packages_containing(ctx, text).await?,
        None => ctx.client.list_packages(None).await?,
    };
    let records: Vec<PackageRecord> = packages.into_iter().map(PackageRecord::from).collect();
    if records.is_empty() {
        diag::note("no access packages match");
    }
    let mut writer = RecordWriter::new(ctx.format, ctx.style);
    writer.write_page(records)?;
    writer.finish(PackageRecord::by_name)?;
    Ok(ExitStatus::Success)
}

/// Packages whose display name contains `text`, ignoring case: filtered by Graph with the
/// `contains(tolower(displayName),…)` it documents for access packages, and checked again here.
async fn packages_containing(ctx: &Context, text: &str) -> anyhow::Result<Vec<AccessPackage>> {
    let needle = text.to_lowercase();
    let filter = format!("contains(tolower(displayName),{})", odata_string(&needle));
    let packages = match ctx.client.list_packages(Some(&filter)).await {
        Ok(p) => p,
        // Some Graph-compatible servers lack contains(tolower(...)); filter here instead.
        Err(e) if e.status() == Some(400) => {
            diag::trace(
                1,
                format!("server rejected the search filter, filtering locally: {e}"),
            );
            ctx.client.list_packages(None).await?
        }
        Err(e) => return Err(e.into()),
    };
    Ok(packages
        .into_iter()
        .filter(|p| p.display_name.to_lowercase().contains(&needle))
        .collect())
}

/// `--package` takes an id, a display name, or the start of one display name. Names are not
/// unique in Entra, so several matches are an error that lists them rather than a guess; a name
/// that matches nothing is "not found" with the names it may have meant.
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
        0 => {}
        1 => return Ok(matches.remove(0)),
        _ => return Err(ambiguous(arg, matches).into()),
    }
    // Graph documents only `eq` and `contains` for displayName, so the prefix is found among
    // the names that contain it.
    let lower = arg.to_lowercase();
    let mut prefixed: Vec<AccessPackage> = packages_containing(ctx, arg)
        .await
        .map_err(|e| e.context(format!("looking up access package '{arg}'")))?
        .into_iter()
        .filter(|p| p.display_name.to_lowercase().starts_with(&lower))
        .collect();
    match prefixed.len() {
        0 => Err(not_found(ctx, arg).await.into()),
        1 => {
            let package = prefixed.remove(0);
            diag::note(format!(
                "--package {}: using access package '{}' ({})",
                shown(arg),
                crate::sanitize::line(&package.display_name),
                package.id
            ));
            Ok(package)
        }
        _ => Err(ambiguous_prefix(arg, prefixed).into()),
    }
}

/// No package by that name or prefix: "not found" (exit 4), with the names it may have meant,
/// ready to paste, or where to look when nothing is near.
async fn not_found(ctx: &Context, arg: &str) -> CliError {
    let error = CliError::not_found(format!("no access package named '{arg}'"));
    // Suggestions need every name; a listing that fails only costs the suggestions.
    let all = match ctx.client.list_packages(None).await {
        Ok(all) => all,
        Err(e) => {
            diag::trace(1, format!("could not list packages for suggestions: {e}"));
            Vec::new()
        }
    };
    let near = crate::suggest::near(arg, all.iter().map(|p| p.display_name.as_str()), 3);
    if near.is_empty() {
        // The first word is what is most often right when the rest is misremembered.
        let word = arg.split_whitespace().next().unwrap_or(arg);
        return error.with_hint(match crate::quote::shell_word(word) {
            Some(quoted) => format!(
                "the names you can use: ep packages list; those containing '{word}': \
                 ep packages list --search {quoted}"
            ),
            None => "the names you can use: ep packages list".into(),
        });
    }
    let spelled: Vec<String> = near
        .iter()
        .map(|name| match crate::quote::shell_word(name) {
            Some(word) => format!("--package {word}"),
            // No quoting pastes into every shell: the id does.
            None => {
                let name_shown = crate::sanitize::line(name);
                match all.iter().find(|p| p.display_name == *name) {
                    Some(p) => format!("--package {} ('{name_shown}')", p.id),
                    None => format!("'{name_shown}'"),
                }
            }
        })
        .collect();
    error.with_hint(format!("did you mean {}", spelled.join(" or ")))
}

/// How the user's `--package` value is shown in a note: as they would type it again.
fn shown(arg: &str) -> String {
    crate::quote::shell_word(arg).unwrap_or_else(|| format!("'{}'", crate::sanitize::line(arg)))
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
        .map(|p| format!("  {}  (catalog: {})", p.id, catalog_of(p)))
        .collect::<Vec<_>>()
        .join("\n");
    CliError::usage(format!(
        "{n} access packages are named '{name}'; pass one of their ids to --package:\n{candidates}"
    ))
}

/// Several names start with what was given: list them (names, ids and catalogs, a few at most)
/// rather than pick one.
fn ambiguous_prefix(prefix: &str, mut matches: Vec<AccessPackage>) -> CliError {
    const SHOWN: usize = 10;
    let n = matches.len();
    matches.sort_by(|a, b| {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut lines: Vec<String> = matches
        .iter()
        .take(SHOWN)
        .map(|p| {
            format!(
                "  {}  {}  (catalog: {})",
                p.id,
                p.display_name,
                catalog_of(p)
            )
        })
        .collect();
    if n > SHOWN {
        lines.push(format!("  … and {} more", n - SHOWN));
    }
    CliError::usage(format!(
        "{n} access packages have names starting with '{prefix}'; pass one of their ids (or a \
         whole name) to --package:\n{}",
        lines.join("\n")
    ))
}

fn catalog_of(p: &AccessPackage) -> String {
    p.catalog
        .as_ref()
        .and_then(|c| c.display_name.clone().or_else(|| c.id.clone()))
        .unwrap_or_else(|| "unknown catalog".into())
}
