//! `ep api`: any Graph call with ep's sign-in, token pinning, pacing and retries, for what ep
//! does not cover (as `gh api` and `az rest` are), and `--paginate`, which `az rest` lacks.

use super::Context;
use crate::cli::ApiArgs;
use crate::error::{CliError, ExitStatus};
use crate::output::{Format, print_json, print_json_line};
use reqwest::Method;
use serde_json::Value;

/// A request body larger than this is not one Graph would take.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

pub async fn run(ctx: &Context, args: &ApiArgs) -> anyhow::Result<ExitStatus> {
    let method = Method::from_bytes(args.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| CliError::usage(format!("'{}' is not an HTTP method", args.method)))?;
    let body = body(args).await?;
    if body.is_some() && method == Method::GET {
        return Err(CliError::usage("a GET request takes no --body")
            .with_hint("use -X POST (or PATCH, PUT) to send a body")
            .into());
    }
    let url = ctx.client.api_url(&args.path).map_err(|_| {
        CliError::usage(format!(
            "'{}' is not a Graph path",
            crate::sanitize::excerpt(&args.path)
        ))
        .with_hint(
            "give a path such as /identityGovernance/entitlementManagement/accessPackages \
             (below the configured version, or /v1.0/… or /beta/…), or a URL on the Graph host",
        )
    })?;
    let lines = ctx.format == Format::Ndjson;
    if args.paginate {
        if method != Method::GET {
            return Err(CliError::usage("--paginate follows the pages of a GET").into());
        }
        let mut all: Vec<Value> = Vec::new();
        ctx.client
            .api_pages(url, |items| {
                if lines {
                    items.iter().try_for_each(print_json_line)
                } else {
                    all.extend(items);
                    Ok(())
                }
            })
            .await?;
        if !lines {
            print_json(&all)?;
        }
        return Ok(ExitStatus::Success);
    }
    let response = ctx.client.api(method, url, body).await?;
    if response.body.iter().all(u8::is_ascii_whitespace) {
        // 202 and 204 answer with nothing: nothing to print, and the exit code says it worked.
        return Ok(ExitStatus::Success);
    }
    let value: Value = serde_json::from_slice(&response.body).map_err(|e| {
        CliError::new(
            ExitStatus::Unavailable,
            format!(
                "Graph answered {} with a body that is not JSON ({e})",
                response.status
            ),
        )
    })?;
    if lines {
        print_json_line(&value)?;
    } else {
        print_json(&value)?;
    }
    Ok(ExitStatus::Success)
}

/// `--body JSON`, or `--body -` for stdin: checked to be JSON before anything is sent.
async fn body(args: &ApiArgs) -> anyhow::Result<Option<bytes::Bytes>> {
    let Some(raw) = &args.body else {
        return Ok(None);
    };
    let text = if raw == "-" {
        use tokio::io::AsyncReadExt;
        let mut bytes = Vec::new();
        tokio::io::stdin()
            .take(MAX_BODY_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| CliError::usage(format!("could not read the body from stdin: {e}")))?;
        if bytes.len() > MAX_BODY_BYTES {
            return Err(CliError::usage("the body on stdin is larger than 4 MiB").into());
        }
        String::from_utf8(bytes).map_err(|_| CliError::usage("the body on stdin is not UTF-8"))?
    } else {
        raw.clone()
    };
    serde_json::from_str::<Value>(&text).map_err(|e| {
        CliError::usage(format!("--body is not JSON: {e}")).with_hint(
            "quote it for the shell: --body '{\"key\": \"value\"}', or pass '-' and pipe it in",
        )
    })?;
    Ok(Some(bytes::Bytes::from(text)))
}
