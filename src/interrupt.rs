//! Ctrl-C during a reprocess run: stop dispatching, let calls in flight finish for a bounded
//! time, report what happened, exit 130. A second Ctrl-C exits at once.

use crate::output::diag;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long calls in flight may take to finish after Ctrl-C.
pub const GRACE: Duration = Duration::from_secs(10);

pub struct Interrupt {
    requested: watch::Receiver<bool>,
    grace: Duration,
    /// For [`Interrupt::never`]: a sender that is never used, so waiting pends forever.
    _never: Option<watch::Sender<bool>>,
}

impl Interrupt {
    /// Take over SIGINT for the rest of the run.
    pub fn install(grace: Duration) -> Arc<Interrupt> {
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            let _ = tx.send(true);
            diag::warn(format!(
                "interrupted: sending nothing more, waiting up to {}s for calls in flight \
                 (Ctrl-C again to quit now)",
                GRACE.as_secs()
            ));
            if tokio::signal::ctrl_c().await.is_ok() {
                diag::fatal("quit at once; the summary is incomplete");
                std::process::exit(130);
            }
        });
        Arc::new(Interrupt {
            requested: rx,
            grace,
            _never: None,
        })
    }

    /// An interrupt that never fires (dry runs, tests).
    pub fn never() -> Arc<Interrupt> {
        let (tx, rx) = watch::channel(false);
        Arc::new(Interrupt {
            requested: rx,
            grace: GRACE,
            _never: Some(tx),
        })
    }

    pub fn is_requested(&self) -> bool {
        *self.requested.borrow()
    }

    /// Resolves once Ctrl-C was pressed and the grace period has passed.
    pub async fn grace_expired(&self) {
        let mut rx = self.requested.clone();
        if rx.wait_for(|v| *v).await.is_ok() {
            tokio::time::sleep(self.grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    }
}
