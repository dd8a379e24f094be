//! `--demo`: the built-in emulator in-process, with a demo session that outlives the process.
//!
//! Each run starts a new emulator on a free port, but the tenant it serves is the session's: the
//! state file beside the journal keeps when the demo tenant was generated and what reprocess
//! calls changed, so a second `ep --demo reprocess --all-failed` sees the first one's work, as
//! it would in a real tenant. `--demo-reset` starts a new session.

use crate::diag;
use crate::eligibility::format_age;
use crate::error::CliError;
use crate::private_file;
use chrono::{DateTime, Utc};
use ep_emulator::{Emulator, EmulatorConfig, ResumeError, TenantState};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const STATE_FILE: &str = "demo-session.json";
const TOKEN_CACHE_FILE: &str = "demo-token-cache.json";
const FORMAT: &str = "ep-demo-session/1";
/// Far above any demo tenant's state (a few KiB), far below trouble.
const STATE_LIMIT: u64 = 16 << 20;

/// What the state file holds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SavedSession {
    format: String,
    /// Names the session's Graph in the journal: a reset session does not inherit its skips.
    session: String,
    started: DateTime<Utc>,
    tenant: TenantState,
}

/// The demo tenant. Its device-code sign-in (`ep --demo auth login`) polls every second: it
/// completes by itself, and nobody is typing a code in the meantime.
fn demo_config() -> EmulatorConfig {
    EmulatorConfig {
        device_code_interval: 1,
        ..EmulatorConfig::default()
    }
}

/// A running demo: the emulator, and where its session is kept.
pub struct DemoSession {
    emulator: Emulator,
    session: String,
    started: DateTime<Utc>,
    /// `None` when there is no state directory: the session ends with the run.
    path: Option<PathBuf>,
    /// Reprocess calls the saved state already holds; `None` when nothing is saved yet.
    saved_calls: Option<u64>,
}

impl DemoSession {
    /// Continue the saved session (or start one; `reset` forgets the saved one first).
    pub async fn start(reset: bool) -> anyhow::Result<DemoSession> {
        let path = private_file::state_dir().map(|d| d.join(STATE_FILE));
        if let (true, Some(path)) = (reset, &path) {
            forget(path)?;
        }
        let saved = match &path {
            Some(path) => load(path)?,
            None => None,
        };
        let addr = ([127, 0, 0, 1], 0).into();
        let demo = match saved {
            Some(saved) => {
                let emulator = Emulator::resume(demo_config(), &saved.tenant, addr)
                    .await
                    .map_err(|e| match (e, &path) {
                        (ResumeError::Foreign(reason), Some(path)) => unusable(path, &reason),
                        (e, _) => anyhow::Error::new(e),
                    })?;
                DemoSession {
                    emulator,
                    session: saved.session,
                    started: saved.started,
                    path,
                    saved_calls: Some(saved.tenant.client_changes()),
                }
            }
            None => DemoSession {
                emulator: Emulator::start(demo_config(), addr).await?,
                session: uuid::Uuid::new_v4().to_string(),
                started: Utc::now(),
                path,
                saved_calls: None,
            },
        };
        demo.announce();
        Ok(demo)
    }

    /// The emulator's root URL for this run.
    pub fn url(&self) -> String {
        self.emulator.url()
    }

    /// Where `ep --demo auth login` keeps its tokens: beside the session, never in the cache of
    /// the admin's own `ep auth login`, which holds one login and would lose it. `None` (no state
    /// directory) makes a demo login say so.
    pub fn token_cache_path(&self) -> Option<PathBuf> {
        self.path
            .as_ref()
            .map(|p| p.with_file_name(TOKEN_CACHE_FILE))
    }

    /// What the journal calls this session's Graph: the same in every run of the session.
    pub fn name(&self) -> String {
        format!("ep-demo:{}", self.session)
    }

    fn announce(&self) {
        let url = self.url();
        let kept = match &self.path {
            Some(path) => format!("kept in {}; --demo-reset starts over", path.display()),
            None => format!("not kept: {}", crate::private_file::NO_STATE_DIR),
        };
        let session = match self.saved_calls {
            Some(_) => format!(
                "continuing the demo session started {} ago",
                format_age((Utc::now() - self.started).max(chrono::Duration::zero()))
            ),
            None => "a new demo session".into(),
        };
        diag::note(format!(
            "--demo: the built-in emulator at {url} with generated data, {session} ({kept}); no tenant is contacted"
        ));
    }

    /// Keep the session for the next run, when there is something new to keep. A failure is a
    /// warning: what the run did has been done and reported.
    pub fn save(&self) {
        let Some(path) = &self.path else { return };
        let tenant = self.emulator.tenant_state();
        if self
            .saved_calls
            .is_some_and(|saved| tenant.client_changes() <= saved)
        {
            // Nothing reprocessed or resumed: leave the file to a concurrent run that did.
            return;
        }
        let saved = SavedSession {
            format: FORMAT.into(),
            session: self.session.clone(),
            started: self.started,
            tenant,
        };
        let written = serde_json::to_vec_pretty(&saved)
            .map_err(std::io::Error::other)
            .and_then(|bytes| private_file::replace(path, &bytes));
        if let Err(e) = written {
            diag::warn(format!(
                "could not keep the demo session in {}: {e}; the next --demo run starts afresh",
                path.display()
            ));
        }
    }
}

/// `--demo-reset`: remove the saved session (a symbolic link is removed, never followed).
fn forget(path: &Path) -> Result<(), CliError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CliError::usage(format!(
            "--demo-reset: cannot remove the demo session {}: {e}",
            path.display()
        ))
        .with_hint("remove the file yourself, then run the command again")),
    }
}

/// The saved session, `None` if there is none; anything unreadable is an error that says how to
/// start over.
fn load(path: &Path) -> anyhow::Result<Option<SavedSession>> {
    let bytes = match private_file::read_bounded(path, STATE_LIMIT) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(e) => return Err(unusable(path, &e.to_string())),
    };
    let saved: SavedSession = serde_json::from_slice(&bytes)
        .map_err(|e| unusable(path, &format!("it is not a demo session ({e})")))?;
    if saved.format != FORMAT {
        return Err(unusable(
            path,
            &format!(
                "it is in format '{}', not '{FORMAT}'",
                crate::sanitize::excerpt(&saved.format)
            ),
        ));
    }
    Ok(Some(saved))
}

fn unusable(path: &Path, reason: &str) -> anyhow::Error {
    CliError::usage(format!(
        "the demo session {} cannot be used: {reason}",
        path.display()
    ))
    .with_hint("--demo-reset starts a new demo session, e.g. ep --demo-reset packages list")
    .into()
}
