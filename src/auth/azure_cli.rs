//! The Azure CLI's signed-in account: `az account get-access-token --resource-type ms-graph`.
//!
//! Useful at an admin's desk, but the CLI's own app registration may lack the
//! entitlement-management permissions in a tenant; a 403 then says which permission is missing.

use super::{AccessToken, AuthError, Credentials, Secret, TokenSource};
use crate::diag;
use async_trait::async_trait;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const NAME: &str = "azure-cli";
/// `az` can be slow (it is Python, and may refresh its own tokens) but must not hang a run.
const AZ_TIMEOUT: Duration = Duration::from_secs(60);

/// `az` (or `az.cmd` on Windows) on `PATH`, without running it.
pub fn find_az(path_var: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let names: &[&str] = if cfg!(windows) {
        &["az.cmd", "az.exe", "az"]
    } else {
        &["az"]
    };
    std::env::split_paths(path_var?)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        path.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

pub struct AzureCliSource {
    az: PathBuf,
    tenant: Option<String>,
}

impl AzureCliSource {
    pub fn from_credentials(creds: &Credentials) -> Result<Self, AuthError> {
        let az = creds.azure_cli.clone().ok_or(AuthError::AzureCliMissing)?;
        Ok(AzureCliSource {
            az,
            tenant: creds.tenant_id.clone(),
        })
    }

    fn args(&self) -> Vec<String> {
        let mut args: Vec<String> = ["account", "get-access-token", "--resource-type", "ms-graph"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if let Some(t) = &self.tenant {
            args.push("--tenant".into());
            args.push(t.clone());
        }
        args.push("-o".into());
        args.push("json".into());
        args
    }
}

#[derive(Deserialize)]
struct CliToken {
    #[serde(rename = "accessToken")]
    access_token: String,
    /// POSIX seconds (az ≥ 2.54); older versions only have `expiresOn`.
    #[serde(default)]
    expires_on: Option<serde_json::Value>,
    /// Local time, `%Y-%m-%d %H:%M:%S.%f`.
    #[serde(default, rename = "expiresOn")]
    expires_on_local: Option<String>,
}

impl CliToken {
    fn expires_unix(&self) -> Option<i64> {
        match &self.expires_on {
            Some(serde_json::Value::Number(n)) => return n.as_i64(),
            Some(serde_json::Value::String(s)) => {
                if let Ok(n) = s.trim().parse() {
                    return Some(n);
                }
            }
            _ => {}
        }
        use chrono::TimeZone;
        let local = self.expires_on_local.as_deref()?;
        let naive =
            chrono::NaiveDateTime::parse_from_str(local.trim(), "%Y-%m-%d %H:%M:%S%.f").ok()?;
        chrono::Local
            .from_local_datetime(&naive)
            .earliest()
            .map(|t| t.timestamp())
    }
}

/// The first meaningful line of `az`'s stderr, which is about the CLI, not a credential.
fn summarize_stderr(stderr: &str) -> String {
    let line = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no message");
    let line = line.strip_prefix("ERROR: ").unwrap_or(line);
    crate::redact::redact_text(&line.chars().take(300).collect::<String>())
}

#[async_trait]
impl TokenSource for AzureCliSource {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn acquire(&self, _http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let args = self.args();
        let started = Instant::now();
        let child = tokio::process::Command::new(&self.az)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .output();
        let output = match tokio::time::timeout(AZ_TIMEOUT, child).await {
            Ok(Ok(output)) => output,
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(AuthError::AzureCliMissing);
            }
            Ok(Err(e)) => {
                return Err(AuthError::AzureCli {
                    detail: format!("could not run {}: {e}", self.az.display()),
                    not_logged_in: false,
                });
            }
            Err(_) => {
                return Err(AuthError::AzureCli {
                    detail: format!("no answer within {} s", AZ_TIMEOUT.as_secs()),
                    not_logged_in: false,
                });
            }
        };
        diag::trace(
            1,
            format!(
                "{NAME}: az {} -> exit {} ({} ms)",
                args.join(" "),
                output.status.code().unwrap_or(-1),
                started.elapsed().as_millis()
            ),
        );
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let lower = stderr.to_ascii_lowercase();
            return Err(AuthError::AzureCli {
                detail: summarize_stderr(&stderr),
                not_logged_in: lower.contains("az login") || lower.contains("not logged in"),
            });
        }
        let parsed: CliToken =
            serde_json::from_slice(&output.stdout).map_err(|_| AuthError::AzureCli {
                detail: "its output is not the expected JSON (accessToken, expires_on)".into(),
                not_logged_in: false,
            })?;
        let expires_at = parsed.expires_unix().map(|at| {
            let left = (at - chrono::Utc::now().timestamp()).max(0) as u64;
            Instant::now() + Duration::from_secs(left)
        });
        Ok(AccessToken {
            token: Secret::new(parsed.access_token),
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_expires_on_or_falls_back_to_expires_on_local() {
        let t: CliToken = serde_json::from_str(
            r#"{"accessToken":"x","expiresOn":"2020-11-12 13:50:47.114324","expires_on":1605238724,"tokenType":"Bearer"}"#,
        )
        .unwrap();
        assert_eq!(t.expires_unix(), Some(1605238724));
        let t: CliToken =
            serde_json::from_str(r#"{"accessToken":"x","expiresOn":"2020-11-12 13:50:47.114324"}"#)
                .unwrap();
        assert!(t.expires_unix().is_some());
    }

    #[test]
    fn passes_the_tenant() {
        let s = AzureCliSource {
            az: "az".into(),
            tenant: Some("contoso.onmicrosoft.com".into()),
        };
        assert_eq!(
            s.args().join(" "),
            "account get-access-token --resource-type ms-graph --tenant contoso.onmicrosoft.com -o json"
        );
    }

    #[test]
    fn stderr_is_summarised_to_one_line() {
        assert_eq!(
            summarize_stderr("\nERROR: Please run 'az login' to setup account.\nmore"),
            "Please run 'az login' to setup account."
        );
    }
}
