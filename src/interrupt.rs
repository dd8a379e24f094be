//! Ctrl-C or SIGTERM during a reprocess run: stop dispatching, let calls in flight finish for a
//! bounded time, report what happened, exit 130 (Ctrl-C) or 143 (SIGTERM). A second signal exits
//! at once.
//!
//! SIGTERM is how CI cancels a job and how Kubernetes stops a pod (SIGKILL follows after its
//! grace period, 30 s by default, longer than ours): treating it like Ctrl-C is what lets the
//! summary and the journal say what was done.

use crate::diag;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long calls in flight may take to finish after Ctrl-C or SIGTERM.
pub const GRACE: Duration = Duration::from_secs(10);

/// Which signal asked ep to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C at a terminal.
    Interrupt,
    /// SIGTERM: CI cancellation, `kill`, a pod being stopped.
    Terminate,
}

impl Signal {
    /// 128 + the signal's number, as a shell reports a process the signal killed.
    pub fn exit_code(self) -> i32 {
        match self {
            Signal::Interrupt => 128 + 2,
            Signal::Terminate => 128 + 15,
        }
    }

    /// The signal's name, as the reprocess summary's `interrupted` field gives it.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Signal::Interrupt => "interrupted",
            Signal::Terminate => "interrupted by SIGTERM",
        }
    }

    fn again(self) -> &'static str {
        match self {
            Signal::Interrupt => "Ctrl-C again to quit now",
            Signal::Terminate => "a second signal quits now",
        }
    }
}

pub struct Interrupt {
    requested: watch::Receiver<Option<Signal>>,
    grace: Duration,
    /// For [`Interrupt::never`]: a sender that is never used, so waiting pends forever.
    _never: Option<watch::Sender<Option<Signal>>>,
}

/// The signals ep stops for, registered when created: a signal that arrives before the listening
/// task first runs is caught, not left to its default action.
struct Signals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn register() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Signals {
                int: signal(SignalKind::interrupt()).ok(),
                term: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    /// The next signal; `None` when none can be received any more.
    async fn next(&mut self) -> Option<Signal> {
        #[cfg(unix)]
        {
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
                match s {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            }
            if self.int.is_none() && self.term.is_none() {
                return None;
            }
            tokio::select! {
                r = recv(&mut self.int) => r.map(|()| Signal::Interrupt),
                r = recv(&mut self.term) => r.map(|()| Signal::Terminate),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c()
                .await
                .ok()
                .map(|()| Signal::Interrupt)
        }
    }
}

impl Interrupt {
    /// Take over SIGINT and SIGTERM for the rest of the run.
    pub fn install(grace: Duration) -> Arc<Interrupt> {
        let (tx, rx) = watch::channel(None);
        let mut signals = Signals::register();
        tokio::spawn(async move {
            let Some(first) = signals.next().await else {
                return;
            };
            let _ = tx.send(Some(first));
            diag::warn(format!(
                "{}: sending nothing more, waiting up to {}s for calls in flight ({})",
                first.describe(),
                GRACE.as_secs(),
                first.again()
            ));
            if let Some(second) = signals.next().await {
                diag::fatal("quit at once; the summary is incomplete");
                std::process::exit(second.exit_code());
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
        let (tx, rx) = watch::channel(None);
        Arc::new(Interrupt {
            requested: rx,
            grace: GRACE,
            _never: Some(tx),
        })
    }

    pub fn is_requested(&self) -> bool {
        self.requested.borrow().is_some()
    }

    /// The signal received, if any.
    pub fn signal(&self) -> Option<Signal> {
        *self.requested.borrow()
    }

    /// Resolves once a signal has been received.
    pub async fn requested(&self) {
        let mut rx = self.requested.clone();
        if rx.wait_for(Option::is_some).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// Resolves once a signal was received and the grace period has passed.
    pub async fn grace_expired(&self) {
        self.requested().await;
        tokio::time::sleep(self.grace).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_signal_exits_with_128_plus_its_number() {
        assert_eq!(Signal::Interrupt.exit_code(), 128 + 2);
        assert_eq!(Signal::Terminate.exit_code(), 128 + 15);
    }

    #[tokio::test]
    async fn never_is_never_requested() {
        let i = Interrupt::never();
        assert!(!i.is_requested());
        assert_eq!(i.signal(), None);
        let waited = tokio::time::timeout(Duration::from_millis(20), i.requested()).await;
        assert!(waited.is_err());
    }
}
