//! The run's side of the journal: what earlier runs did (acceptances to skip, attempts of unknown
//! outcome to settle first) and where this run's intents and outcomes go.

use super::{EngineError, JournalChoice, PlanItem, Step};
use crate::diag;
use crate::eligibility::format_age;
use crate::journal::{self, History, JournalWriter};
use chrono::{DateTime, Duration, Utc};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub(super) struct Ledger {
    choice: Option<JournalChoice>,
    graph: String,
    history: History,
    now: DateTime<Utc>,
    journal_window: Duration,
    /// `--force`: acceptances in the journal do not stop a send.
    force: bool,
    writer: Option<JournalWriter>,
    /// An intent could not be written: said once, and the run goes on without it.
    intent_failed: AtomicBool,
    skipped: AtomicUsize,
    uncertain: AtomicUsize,
}

impl Ledger {
    /// Read what the journal knows of `graph` within `journal_window`.
    pub(super) fn load(
        choice: Option<JournalChoice>,
        graph: String,
        now: DateTime<Utc>,
        journal_window: Duration,
        force: bool,
    ) -> Ledger {
        // --journal-window is bounded, but a clock near its end must not panic either.
        let since = now
            .checked_sub_signed(journal_window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let history = choice.as_ref().map_or_else(History::default, |c| {
            journal::history(&c.path, &graph, since).unwrap_or_else(|e| {
                diag::warn(format!(
                    "could not read the journal {}: {e}",
                    c.path.display()
                ));
                History::default()
            })
        });
        Ledger {
            choice,
            graph,
            history,
            now,
            journal_window,
            force,
            writer: None,
            intent_failed: AtomicBool::new(false),
            skipped: AtomicUsize::new(0),
            uncertain: AtomicUsize::new(0),
        }
    }

    /// A request Graph accepted within the journal window is being retried by Graph itself:
    /// sending it again achieves nothing. One whose last call's outcome is unknown is sent as
    /// the continuation of that attempt, never as a first call.
    pub(super) fn judge(&self, item: &mut PlanItem) {
        if !matches!(item.step, Step::Send) {
            return;
        }
        let id = item.id.to_ascii_lowercase();
        let accepted = self.history.accepted.get(&id);
        if let (Some(at), false) = (accepted, self.force) {
            item.step = Step::Skip(format!(
                "reprocessed {} ago by ep (journal); Graph keeps retrying it for several hours, --force sends it again",
                format_age(self.now - *at)
            ));
            self.skipped.fetch_add(1, Ordering::Relaxed);
        } else if self.history.uncertain.contains(&id) {
            item.uncertain = true;
            self.uncertain.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The requests the journal has accepted within its window: like this run's own, they
    /// may leave the failed set at any moment.
    pub(super) fn accepted(&self) -> impl Iterator<Item = &str> {
        self.history.accepted.keys().map(String::as_str)
    }

    pub(super) fn notes(&self) {
        let path = self
            .path()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let (skipped, uncertain) = (
            self.skipped.load(Ordering::Relaxed),
            self.uncertain.load(Ordering::Relaxed),
        );
        if skipped > 0 {
            diag::note(format!(
                "{skipped} request(s) were reprocessed less than {} ago (journal {path}); skipping them",
                format_age(self.journal_window),
            ));
        }
        if uncertain > 0 {
            diag::note(format!(
                "{uncertain} request(s) were being sent when an earlier run stopped (journal \
                 {path}); checking whether those calls landed before sending anything again"
            ));
        }
    }

    fn path(&self) -> Option<&PathBuf> {
        self.choice.as_ref().map(|c| &c.path)
    }

    /// Open the journal for writing before anything is sent. A journal the user named must
    /// work; the default one is a convenience, and a machine without a writable state
    /// directory still runs.
    pub(super) fn open_writer(&mut self) -> Result<(), EngineError> {
        let Some(choice) = &self.choice else {
            return Ok(());
        };
        if self.writer.is_some() {
            return Ok(());
        }
        match JournalWriter::open(&choice.path) {
            Ok(w) => self.writer = Some(w),
            Err(source) if choice.named => {
                return Err(EngineError::Journal {
                    path: choice.path.clone(),
                    source,
                });
            }
            Err(e) => {
                diag::warn(format!(
                    "no journal this run ({}: {e})",
                    choice.path.display()
                ));
                self.choice = None;
            }
        }
        Ok(())
    }

    /// Durably record that a call for `id` is about to leave.
    pub(super) async fn intend(&self, id: &str) {
        let Some(writer) = &self.writer else { return };
        if let Err(e) = writer.intend(&self.graph, &[id]).await
            && !self.intent_failed.swap(true, Ordering::SeqCst)
        {
            diag::warn(format!(
                "the journal could not record a call before sending it ({e}); if this run is \
                 killed, a rerun may report a call that landed as failed"
            ));
        }
    }

    pub(super) fn record(&self, id: &str, outcome: journal::Outcome) {
        if let Some(writer) = &self.writer {
            writer.record(&self.graph, id, outcome);
        }
    }

    /// Wait until everything recorded is on disk.
    pub(super) fn close(&mut self) {
        if let Some(writer) = self.writer.take()
            && let Err(e) = writer.close()
        {
            diag::warn(format!("the journal could not be written completely: {e}"));
        }
    }
}
