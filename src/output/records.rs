//! The records ep prints, shaped exactly as the contract's JSON.

use super::{Give, Record, TableCell};
use crate::eligibility::{closing_label, format_age, judge_request, request_closes_at};
use crate::graph::{
    AccessPackage, AssignmentRequest, CallbackWait, CatalogRef, PackageRef, RequestState,
    Requestor, format_timestamp,
};
use chrono::{DateTime, Duration, Utc};
use comfy_table::Color;
use serde::Serialize;

/// A request as listed: the Graph data plus ep's verdict.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRecord {
    pub id: String,
    pub state: RequestState,
    pub status: Option<String>,
    pub request_type: Option<String>,
    pub created_date_time: Option<String>,
    pub completed_date_time: Option<String>,
    pub requestor: Option<Requestor>,
    pub access_package: Option<PackageRef>,
    pub reprocessable: bool,
    pub reason: Option<String>,
    /// When a reprocessable request leaves the reprocess window (RFC 3339); null otherwise.
    pub closes_at: Option<String>,
    /// Present only for a request held until a custom extension calls back (see `ep resume`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_on_callback: Option<CallbackWaitRecord>,
    #[serde(skip)]
    pub closes: Option<DateTime<Utc>>,
    /// When the record was judged, for "closes in …".
    #[serde(skip)]
    pub judged_at: DateTime<Utc>,
    #[serde(skip)]
    pub created: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub completed_age: Option<Duration>,
    #[serde(skip)]
    pub completed: Option<DateTime<Utc>>,
    /// What the expanded assignment (see [`crate::eligibility::assignment_note`]), or a benign
    /// cause found by `requests show`, says a reprocess cannot do.
    #[serde(skip)]
    pub assignment_note: Option<&'static str>,
}

impl RequestRecord {
    pub fn new(request: AssignmentRequest, now: DateTime<Utc>, window: Duration) -> Self {
        let verdict = judge_request(&request, now, window);
        let closes = request_closes_at(&request, now, window);
        let waiting_on_callback = request
            .callback_wait()
            .filter(|_| !request.state.is_failed())
            .map(CallbackWaitRecord::from);
        RequestRecord {
            assignment_note: crate::eligibility::assignment_note(&request),
            waiting_on_callback,
            closes_at: closes.as_ref().map(format_timestamp),
            closes,
            judged_at: now,
            reprocessable: verdict.is_reprocessable(),
            reason: verdict.reason().map(|r| r.to_string()),
            created_date_time: request.created.as_ref().map(format_timestamp),
            completed_date_time: request.completed.as_ref().map(format_timestamp),
            completed_age: request.completed.map(|c| (now - c).max(Duration::zero())),
            completed: request.completed,
            created: request.created,
            id: request.id,
            state: request.state,
            status: request.status,
            request_type: request.request_type,
            requestor: request.requestor,
            access_package: request.access_package,
        }
    }

    pub fn requestor_label(&self) -> String {
        requestor_label(self.requestor.as_ref())
    }

    pub fn package_label(&self) -> String {
        package_label(self.access_package.as_ref())
    }

    /// `yes, closes in 2d 3h`, or `no: <reason>`.
    pub fn verdict_label(&self) -> String {
        let label = match (&self.reason, self.closes) {
            (None, Some(at)) => format!("yes, {}", closing_label(at, self.judged_at)),
            (None, None) => "yes".into(),
            (Some(reason), _) => format!("no: {reason}"),
        };
        match self.assignment_note {
            Some(note) => format!("{label} (but {note})"),
            None => label,
        }
    }

    pub fn age_label(&self) -> String {
        match self.completed_age {
            Some(age) => format!("{} ago", format_age(age)),
            None => "-".into(),
        }
    }

    /// Newest first, as the contract asks: by completion, which the table shows, else by
    /// creation (as `requests why` orders a cause's requests); ties by id so output is stable.
    pub fn newest_first(a: &Self, b: &Self) -> std::cmp::Ordering {
        let latest = |r: &Self| r.completed.or(r.created);
        latest(b)
            .cmp(&latest(a))
            .then_with(|| b.created.cmp(&a.created))
            .then_with(|| a.id.cmp(&b.id))
    }
}

impl Record for RequestRecord {
    fn id(&self) -> &str {
        &self.id
    }

    fn csv_header() -> &'static [&'static str] {
        &[
            "id",
            "state",
            "status",
            "requestType",
            "createdDateTime",
            "completedDateTime",
            "requestorDisplayName",
            "requestorPrincipalName",
            "requestorEmail",
            "requestorObjectId",
            "accessPackageId",
            "accessPackageDisplayName",
            "reprocessable",
            "reason",
            "closesAt",
            "requestorSubjectType",
        ]
    }

    fn csv_row(&self) -> Vec<String> {
        let r = self.requestor.clone().unwrap_or_default();
        let p = self.access_package.clone().unwrap_or_default();
        vec![
            self.id.clone(),
            self.state.to_string(),
            self.status.clone().unwrap_or_default(),
            self.request_type.clone().unwrap_or_default(),
            self.created_date_time.clone().unwrap_or_default(),
            self.completed_date_time.clone().unwrap_or_default(),
            r.display_name.unwrap_or_default(),
            r.principal_name.unwrap_or_default(),
            r.email.unwrap_or_default(),
            r.object_id.unwrap_or_default(),
            p.id,
            p.display_name.unwrap_or_default(),
            self.reprocessable.to_string(),
            self.reason.clone().unwrap_or_default(),
            self.closes_at.clone().unwrap_or_default(),
            r.subject_type.unwrap_or_default(),
        ]
    }

    fn table_header() -> &'static [&'static str] {
        &[
            "REQUEST",
            "STATE",
            "REQUESTOR",
            "PACKAGE",
            "COMPLETED",
            "ELIGIBLE",
        ]
    }

    /// The state is what a listing is read for, and is never cut while anything else can be;
    /// the age is short and what the rows are sorted by; the verdict keeps room for
    /// `yes, closes in 13d 14h`.
    fn table_give() -> &'static [Give] {
        &[
            Give::Never,
            Give::Late(18),
            Give::Early(12),
            Give::Early(12),
            Give::Never,
            Give::Early(22),
        ]
    }

    fn table_row(&self) -> Vec<TableCell> {
        let mut state = TableCell::new(self.state.to_string());
        // "no: state delivered" beside STATE `delivered` says it twice; other reasons are news.
        let verdict_text = match &self.reason {
            Some(reason) if *reason == format!("state {}", self.state) => "no".to_string(),
            _ => self.verdict_label(),
        };
        let mut verdict = TableCell::new(verdict_text);
        if self.state.is_failed() {
            state = state.color(Color::Red);
        }
        if self.reprocessable {
            verdict = verdict.color(Color::Green);
        }
        vec![
            TableCell::id(&self.id),
            state,
            TableCell::new(self.requestor_label()),
            TableCell::new(self.package_label()),
            TableCell::new(self.age_label()),
            verdict,
        ]
    }
}

/// A request's wait for a custom extension's callback, as listed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CallbackWaitRecord {
    /// The request's creation (RFC 3339): Graph records no time for the callout itself, so the
    /// wait began then or later.
    pub since: Option<String>,
    /// The `accessPackageCustomExtensionStage` member implied by the request's state; null when
    /// it implies none.
    pub stage: Option<String>,
    /// The waiting callout instance's id (what a resume names), when Graph listed one.
    pub callout_id: Option<String>,
    pub custom_extension_id: Option<String>,
}

impl From<CallbackWait> for CallbackWaitRecord {
    fn from(w: CallbackWait) -> Self {
        CallbackWaitRecord {
            since: w.since.as_ref().map(format_timestamp),
            stage: w.stage.map(|s| s.member().to_string()),
            callout_id: w.callout.as_ref().and_then(|c| c.id.clone()),
            custom_extension_id: w.callout.and_then(|c| c.custom_extension_id),
        }
    }
}

/// Who asked, for people: the display name, else what identifies them best. A subject that is
/// not a user (a service principal, such as an agent identity) says what it is, since it has no
/// user principal name and is not someone to ask.
pub fn requestor_label(requestor: Option<&Requestor>) -> String {
    match requestor {
        Some(r) => {
            let name = r
                .display_name
                .clone()
                .or_else(|| r.principal_name.clone())
                .or_else(|| r.email.clone())
                .or_else(|| r.object_id.clone())
                .unwrap_or_else(|| "(unknown)".into());
            match r.subject_type.as_deref() {
                Some(kind) if !r.is_user() => format!("{name} ({kind})"),
                _ => name,
            }
        }
        None => "(not returned)".into(),
    }
}

pub fn package_label(package: Option<&PackageRef>) -> String {
    match package {
        Some(p) => p.display_name.clone().unwrap_or_else(|| p.id.clone()),
        None => "(not returned)".into(),
    }
}

/// An access package as listed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageRecord {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub catalog: Option<CatalogRef>,
}

impl From<AccessPackage> for PackageRecord {
    fn from(p: AccessPackage) -> Self {
        PackageRecord {
            id: p.id,
            display_name: p.display_name,
            description: p.description,
            catalog: p.catalog,
        }
    }
}

impl PackageRecord {
    pub fn catalog_label(&self) -> String {
        self.catalog
            .as_ref()
            .and_then(|c| c.display_name.clone().or_else(|| c.id.clone()))
            .unwrap_or_else(|| "-".into())
    }

    pub fn by_name(a: &Self, b: &Self) -> std::cmp::Ordering {
        a.display_name
            .to_lowercase()
            .cmp(&b.display_name.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    }
}

impl Record for PackageRecord {
    fn id(&self) -> &str {
        &self.id
    }

    fn csv_header() -> &'static [&'static str] {
        &[
            "id",
            "displayName",
            "catalogId",
            "catalogDisplayName",
            "description",
        ]
    }

    fn csv_row(&self) -> Vec<String> {
        let c = self.catalog.as_ref();
        vec![
            self.id.clone(),
            self.display_name.clone(),
            c.and_then(|c| c.id.clone()).unwrap_or_default(),
            c.and_then(|c| c.display_name.clone()).unwrap_or_default(),
            self.description.clone().unwrap_or_default(),
        ]
    }

    fn table_header() -> &'static [&'static str] {
        &["PACKAGE ID", "NAME", "CATALOG"]
    }

    fn table_give() -> &'static [Give] {
        &[Give::Never, Give::Late(20), Give::Early(10)]
    }

    fn table_row(&self) -> Vec<TableCell> {
        // Whole, unlike request ids: a package id is what `--package` is given, and `--package`
        // takes no prefix.
        vec![
            TableCell::new(&self.id),
            TableCell::new(&self.display_name),
            TableCell::new(self.catalog_label()),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    Reprocessed,
    Failed,
    Skipped,
    WouldReprocess,
    /// `ep resume`: Graph accepted the resume.
    Resumed,
    WouldResume,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Reprocessed => "reprocessed",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
            Outcome::WouldReprocess => "would-reprocess",
            Outcome::Resumed => "resumed",
            Outcome::WouldResume => "would-resume",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ErrorInfo {
    pub status: Option<u16>,
    pub code: String,
    pub message: String,
}

/// How a reprocessed request ended while `--wait` watched it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitEnd {
    Delivered,
    /// Seen `delivering`, then failed again: the cause is not fixed.
    FailedAgain,
    /// Still showing its failed state at the timeout: the service may still be retrying.
    StillFailing,
    /// Still `delivering` at the timeout.
    StillDelivering,
    /// Another end state (e.g. canceled).
    Other,
    /// Its state could not be read before the timeout.
    Unknown,
}

impl WaitEnd {
    /// Whether the wait ended in a failure worth a non-zero exit.
    pub fn is_failure(self) -> bool {
        matches!(self, WaitEnd::FailedAgain | WaitEnd::StillFailing)
    }

    /// What the table and JSON say about request `id`, if anything beyond the final state: with
    /// the command to look at it, ready to paste.
    pub fn note(self, id: &str) -> Option<String> {
        match self {
            WaitEnd::FailedAgain => Some(format!(
                "failed again after delivering: fix the cause (see 'ep requests show {id}') before reprocessing again"
            )),
            WaitEnd::StillFailing => Some(format!(
                "still failing at the timeout: the service may keep retrying for several hours; check later with 'ep requests show {id}'"
            )),
            WaitEnd::StillDelivering => Some("still delivering at the timeout".into()),
            WaitEnd::Unknown => Some("state could not be read before the timeout".into()),
            WaitEnd::Delivered | WaitEnd::Other => None,
        }
    }
}

/// One request's line in a reprocess summary.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReprocessResult {
    pub id: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_state: Option<RequestState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How an outcome was concluded, or what `--wait` saw, when that needs saying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// How `--wait` ended for this request.
    #[serde(skip)]
    pub wait_end: Option<WaitEnd>,
    /// Who and what, for people reading the table; not part of the JSON contract.
    #[serde(skip)]
    pub label: Option<String>,
    /// When the request had completed before it was sent: `--wait` tells a request that
    /// completed again from one still being retried.
    #[serde(skip)]
    pub completed_before: Option<chrono::DateTime<chrono::Utc>>,
}

impl ReprocessResult {
    /// An outcome with nothing more to say yet.
    pub fn new(id: String, label: Option<String>, outcome: Outcome) -> ReprocessResult {
        ReprocessResult {
            id,
            outcome,
            final_state: None,
            error: None,
            reason: None,
            note: None,
            wait_end: None,
            label,
            completed_before: None,
        }
    }

    /// Adds a note, keeping any earlier one.
    pub fn add_note(&mut self, note: &str) {
        self.note = Some(match self.note.take() {
            Some(earlier) => format!("{earlier}; {note}"),
            None => note.to_string(),
        });
    }
}

impl Record for ReprocessResult {
    fn id(&self) -> &str {
        &self.id
    }

    fn csv_header() -> &'static [&'static str] {
        &[
            "id",
            "outcome",
            "finalState",
            "reason",
            "note",
            "errorStatus",
            "errorCode",
            "errorMessage",
        ]
    }

    fn csv_row(&self) -> Vec<String> {
        let e = self.error.as_ref();
        vec![
            self.id.clone(),
            self.outcome.label().into(),
            self.final_state
                .as_ref()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            self.reason.clone().unwrap_or_default(),
            self.note.clone().unwrap_or_default(),
            e.and_then(|e| e.status)
                .map(|s| s.to_string())
                .unwrap_or_default(),
            e.map(|e| e.code.clone()).unwrap_or_default(),
            e.map(|e| e.message.clone()).unwrap_or_default(),
        ]
    }

    fn table_header() -> &'static [&'static str] {
        &["REQUEST", "OUTCOME", "DETAIL"]
    }

    fn table_give() -> &'static [Give] {
        &[Give::Never, Give::Late(15), Give::Early(20)]
    }

    fn table_row(&self) -> Vec<TableCell> {
        let mut detail = Vec::new();
        if let Some(label) = &self.label {
            detail.push(label.clone());
        }
        if let Some(s) = &self.final_state {
            detail.push(format!("final state {s}"));
        }
        if let Some(r) = &self.reason {
            detail.push(r.clone());
        }
        if let Some(n) = &self.note {
            detail.push(n.clone());
        }
        if let Some(e) = &self.error {
            let status = e.status.map(|s| format!("{s} ")).unwrap_or_default();
            detail.push(format!("{status}{}: {}", e.code, e.message));
        }
        let outcome = TableCell::new(self.outcome.label()).color(match self.outcome {
            Outcome::Reprocessed
            | Outcome::WouldReprocess
            | Outcome::Resumed
            | Outcome::WouldResume => Color::Green,
            Outcome::Failed => Color::Red,
            Outcome::Skipped => Color::Yellow,
        });
        vec![
            TableCell::id(&self.id),
            outcome,
            TableCell::new(detail.join("; ")),
        ]
    }
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub selected: usize,
    pub reprocessed: usize,
    pub failed: usize,
    pub skipped: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_reprocess: Option<usize>,
    /// With `--wait`: how the reprocessed requests ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_again: Option<usize>,
    /// Still showing the failed state at the timeout (the service may still be retrying).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub still_failing: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub still_delivering: Option<usize>,
    /// Bulk runs: eligible requests the first listing missed, found and sent by a recheck.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_on_recheck: Option<usize>,
    /// Bulk runs: listings after the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recheck_passes: Option<usize>,
    /// Bulk runs: a recheck came back stable, so nothing eligible was left behind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub established: Option<bool>,
}

/// `reprocess -o json`: the contract's summary document.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReprocessSummary {
    pub dry_run: bool,
    /// The signal that stopped the run (`SIGINT`, `SIGTERM`), so a CI step can tell without the
    /// exit code. Then `selected` counts only what was listed before the stop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<&'static str>,
    pub counts: Counts,
    pub results: Vec<ReprocessResult>,
}

impl ReprocessSummary {
    pub fn new(dry_run: bool, results: Vec<ReprocessResult>) -> Self {
        let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
        let waited = results.iter().any(|r| r.wait_end.is_some());
        let finals = |end: WaitEnd| {
            waited.then(|| results.iter().filter(|r| r.wait_end == Some(end)).count())
        };
        let counts = Counts {
            selected: results.len(),
            reprocessed: count(Outcome::Reprocessed),
            failed: count(Outcome::Failed),
            skipped: count(Outcome::Skipped),
            would_reprocess: dry_run.then(|| count(Outcome::WouldReprocess)),
            delivered: finals(WaitEnd::Delivered),
            failed_again: finals(WaitEnd::FailedAgain),
            still_failing: finals(WaitEnd::StillFailing),
            still_delivering: finals(WaitEnd::StillDelivering),
            ..Counts::default()
        };
        ReprocessSummary {
            dry_run,
            interrupted: None,
            counts,
            results,
        }
    }

    /// One line for people: `reprocessed 2, failed 1, skipped 0 of 3 selected`.
    pub fn headline(&self) -> String {
        let c = &self.counts;
        if self.dry_run {
            format!(
                "dry run: would reprocess {}, skipped {} of {} selected; nothing was sent",
                c.would_reprocess.unwrap_or(0),
                c.skipped,
                c.selected
            )
        } else {
            let mut line = format!(
                "reprocessed {}, failed {}, skipped {} of {} selected",
                c.reprocessed, c.failed, c.skipped, c.selected
            );
            if let (Some(d), Some(f), Some(sf), Some(sd)) = (
                c.delivered,
                c.failed_again,
                c.still_failing,
                c.still_delivering,
            ) {
                line.push_str(&format!(
                    "; then delivered {d}, failed again {f}, still failing {sf}, still delivering {sd}"
                ));
            }
            if let Some(signal) = self.interrupted {
                line.push_str(&format!(
                    "; stopped by {signal}: only what was listed before it is counted"
                ));
            }
            line
        }
    }
}

/// `resume -o json`: the shape of reprocess's summary, with resume's counts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeSummary {
    pub dry_run: bool,
    /// The signal that stopped the run (`SIGINT`, `SIGTERM`), as in reprocess's summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted: Option<&'static str>,
    pub counts: ResumeCounts,
    pub results: Vec<ReprocessResult>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ResumeCounts {
    pub selected: usize,
    pub resumed: usize,
    pub failed: usize,
    pub skipped: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub would_resume: Option<usize>,
}

impl ResumeSummary {
    pub fn new(dry_run: bool, results: Vec<ReprocessResult>) -> Self {
        let count = |o: Outcome| results.iter().filter(|r| r.outcome == o).count();
        ResumeSummary {
            dry_run,
            interrupted: None,
            counts: ResumeCounts {
                selected: results.len(),
                resumed: count(Outcome::Resumed),
                failed: count(Outcome::Failed),
                skipped: count(Outcome::Skipped),
                would_resume: dry_run.then(|| count(Outcome::WouldResume)),
            },
            results,
        }
    }

    /// One line for people: `resumed 1, failed 0, skipped 1 of 2 selected`.
    pub fn headline(&self) -> String {
        let c = &self.counts;
        if self.dry_run {
            format!(
                "dry run: would resume {}, skipped {} of {} selected; nothing was sent",
                c.would_resume.unwrap_or(0),
                c.skipped,
                c.selected
            )
        } else {
            format!(
                "resumed {}, failed {}, skipped {} of {} selected",
                c.resumed, c.failed, c.skipped, c.selected
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_requestor_that_is_not_a_user_says_what_it_is() {
        let agent = Requestor {
            display_name: Some("Invoice Triage Agent".into()),
            subject_type: Some("servicePrincipal".into()),
            ..Requestor::default()
        };
        assert_eq!(
            requestor_label(Some(&agent)),
            "Invoice Triage Agent (servicePrincipal)"
        );
        // No name, no UPN, no mail: the object id, never "(unknown)" while there is one.
        let bare = Requestor {
            object_id: Some("4ee31f9b-cf45-47e9-8cde-2bcc77dc81a7".into()),
            subject_type: Some("servicePrincipal".into()),
            ..Requestor::default()
        };
        assert_eq!(
            requestor_label(Some(&bare)),
            "4ee31f9b-cf45-47e9-8cde-2bcc77dc81a7 (servicePrincipal)"
        );
        let person = Requestor {
            display_name: Some("Zoë".into()),
            subject_type: Some("user".into()),
            ..Requestor::default()
        };
        assert_eq!(requestor_label(Some(&person)), "Zoë");
    }
}
