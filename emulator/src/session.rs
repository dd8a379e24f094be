//! A tenant's state, saved and restored: how a demo session (`ep --demo`) outlives the process
//! that served it.
//!
//! The generated tenant is a function of the seed, the counts and the time it was generated at,
//! so only that time and what reprocess calls changed since need keeping. Everything restored is
//! checked: a state saved for another tenant, or edited into something the emulator never
//! writes, is refused with a reason rather than half applied.

use chrono::{DateTime, Duration, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::EmulatorConfig;
use crate::model::{PendingReprocess, RequestState, Store};

/// What [`TenantState::format`] says for this layout.
pub const TENANT_STATE_FORMAT: &str = "ep-emulator-tenant/1";

/// A tenant's state: the generated tenant it belongs to, and every request a reprocess changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TenantState {
    pub format: String,
    pub seed: u64,
    pub requests: usize,
    pub packages: usize,
    pub outage: usize,
    /// When the tenant was generated (whole seconds): its timestamps are relative to this.
    pub generated_at: DateTime<Utc>,
    pub changed: Vec<ChangedRequest>,
}

/// A request as a reprocess left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChangedRequest {
    pub id: String,
    /// v1.0 vocabulary.
    pub state: String,
    pub completed: Option<DateTime<Utc>>,
    pub pending: Option<PendingState>,
    pub reprocess_calls: u32,
    /// The custom extension's callback was received (`resume`), with its detail if any.
    /// Absent in sessions saved before resume existed: nothing was resumed then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_received: Option<ReceivedCallback>,
}

/// A callback received through `resume`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReceivedCallback {
    pub detail: Option<String>,
}

/// An accepted reprocess that had not settled when the state was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PendingState {
    pub visible_at: Option<DateTime<Utc>>,
    pub settles_at: DateTime<Utc>,
    pub refail: bool,
}

impl TenantState {
    /// Accepted reprocess calls in the whole tenant: grows whenever a reprocess changed something.
    pub fn reprocess_calls(&self) -> u64 {
        self.changed
            .iter()
            .map(|c| u64::from(c.reprocess_calls))
            .sum()
    }

    /// What clients changed: reprocess calls and received callbacks (`resume`). A session with
    /// no more of them than another has nothing new to keep.
    pub fn client_changes(&self) -> u64 {
        let resumed = self
            .changed
            .iter()
            .filter(|c| c.callback_received.is_some())
            .count();
        self.reprocess_calls() + resumed as u64
    }
}

/// The state of `store`, generated at `generated_at` with `config`.
pub(crate) fn capture(
    store: &Store,
    config: &EmulatorConfig,
    generated_at: DateTime<Utc>,
) -> TenantState {
    let changed = store
        .requests
        .iter()
        // A request that appeared by a live change is not in the generated tenant a resume
        // starts from; naming it would make the whole state unusable. Live changes are not
        // kept: a resumed tenant is the generated one plus what reprocess calls did.
        .filter(|r| {
            let resumed = r.callback.as_ref().is_some_and(|c| !c.waiting());
            !r.live && (r.reprocess_calls > 0 || r.pending.is_some() || resumed)
        })
        .map(|r| ChangedRequest {
            id: r.id.clone(),
            state: r.state.v1().to_string(),
            completed: r.completed,
            pending: r.pending.map(|p| PendingState {
                visible_at: p.visible_at,
                settles_at: p.settles_at,
                refail: p.refail,
            }),
            reprocess_calls: r.reprocess_calls,
            callback_received: r
                .callback
                .as_ref()
                .and_then(|c| c.received.clone())
                .map(|detail| ReceivedCallback { detail }),
        })
        .collect();
    TenantState {
        format: TENANT_STATE_FORMAT.to_string(),
        seed: config.seed,
        requests: config.requests,
        packages: config.packages,
        outage: config.outage,
        generated_at,
        changed,
    }
}

/// Whether `state` belongs to the tenant `config` generates; the reason when it does not.
pub(crate) fn check_tenant(state: &TenantState, config: &EmulatorConfig) -> Result<(), String> {
    if state.format != TENANT_STATE_FORMAT {
        return Err(format!(
            "it is in format '{}', not '{TENANT_STATE_FORMAT}'",
            state.format.chars().take(40).collect::<String>()
        ));
    }
    let ours = (config.seed, config.requests, config.packages, config.outage);
    let theirs = (state.seed, state.requests, state.packages, state.outage);
    if ours != theirs {
        return Err(format!(
            "it belongs to another tenant (seed {}, {} requests, {} packages, {} outage)",
            state.seed, state.requests, state.packages, state.outage
        ));
    }
    if state.generated_at.nanosecond() != 0 {
        return Err("its generation time is not in whole seconds".to_string());
    }
    // The tenant's timestamps are computed from this time; one out of all proportion would
    // overflow that arithmetic rather than describe a tenant.
    let now = Utc::now();
    if state.generated_at > now + Duration::days(1)
        || state.generated_at < now - Duration::days(3650)
    {
        return Err(format!(
            "its generation time ({}) is not within the last ten years",
            state.generated_at.to_rfc3339()
        ));
    }
    Ok(())
}

/// Applies the changed requests to a freshly generated `store`, all or nothing.
pub(crate) fn apply(store: &mut Store, state: &TenantState) -> Result<(), String> {
    let mut updates = Vec::with_capacity(state.changed.len());
    for change in &state.changed {
        let idx = store.find_request(&change.id).ok_or_else(|| {
            format!(
                "it names a request the tenant does not have ({})",
                change.id.chars().take(40).collect::<String>()
            )
        })?;
        let request_state = RequestState::from_v1(&change.state).ok_or_else(|| {
            format!(
                "'{}' is not a request state",
                change.state.chars().take(40).collect::<String>()
            )
        })?;
        let pending = change.pending.map(|p| PendingReprocess {
            visible_at: p.visible_at,
            settles_at: p.settles_at,
            refail: p.refail,
        });
        updates.push((idx, request_state, change, pending));
    }
    for (idx, request_state, change, pending) in updates {
        store.restore_request(
            idx,
            request_state,
            change.completed,
            pending,
            change.reprocess_calls,
        );
        if let (Some(received), Some(r)) = (&change.callback_received, store.requests.get_mut(idx))
            && let Some(cb) = &mut r.callback
        {
            cb.received = Some(received.detail.clone());
        }
    }
    Ok(())
}
