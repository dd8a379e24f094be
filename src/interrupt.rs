//! Ctrl-C or SIGTERM during a reprocess run: stop dispatching, let calls in flight finish for a
//! bounded time, report what happened, exit 130 (Ctrl-C) or 143 (SIGTERM). A second signal exits
//! at once.
//!
//! SIGTERM is how CI cancels a job and how Kubernetes stops a pod (SIGKILL follows after its
//! grace period, 30 s by default, longer than ours): treating it like Ctrl-C is what lets the
//! summary and the journal say what was done.
//!
//! On Windows, Ctrl-Break is handled as Ctrl-C, and closing the console window (or logging off,
//! or shutting down) as SIGTERM, with a shorter grace: Windows ends the process 5 s after the
//! window is closed.

use crate::diag;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How long calls in flight may take to finish after Ctrl-C or SIGTERM.
pub const GRACE: Duration = Duration::from_secs(10);

/// The grace after the console window closed: Windows ends the process 5 s after, and the
/// summary and the journal must be written before that.
#[cfg_attr(not(windows), allow(dead_code))]
const CLOSE_GRACE: Duration = Duration::from_secs(3);

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

/// A signal as received, with the longest grace it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Received {
    signal: Signal,
    grace: Duration,
}

impl Received {
    fn of(signal: Signal) -> Received {
        Received {
            signal,
            grace: GRACE,
        }
    }
}

pub struct Interrupt {
    requested: watch::Receiver<Option<Received>>,
    grace: Duration,
    /// For [`Interrupt::never`]: a sender that is never used, so waiting pends forever.
    _never: Option<watch::Sender<Option<Received>>>,
}

/// The signals ep stops for, registered when created: a signal that arrives before the listening
/// task first runs is caught, not left to its default action.
struct Signals {
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(windows)]
    ctrl_c: Option<tokio::signal::windows::CtrlC>,
    #[cfg(windows)]
    ctrl_break: Option<tokio::signal::windows::CtrlBreak>,
    #[cfg(windows)]
    ctrl_close: Option<tokio::signal::windows::CtrlClose>,
    #[cfg(windows)]
    ctrl_logoff: Option<tokio::signal::windows::CtrlLogoff>,
    #[cfg(windows)]
    ctrl_shutdown: Option<tokio::signal::windows::CtrlShutdown>,
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
        #[cfg(windows)]
        {
            use tokio::signal::windows;
            Signals {
                ctrl_c: windows::ctrl_c().ok(),
                ctrl_break: windows::ctrl_break().ok(),
                ctrl_close: windows::ctrl_close().ok(),
                ctrl_logoff: windows::ctrl_logoff().ok(),
                ctrl_shutdown: windows::ctrl_shutdown().ok(),
            }
        }
        #[cfg(not(any(unix, windows)))]
        Signals {}
    }

    /// The next signal; `None` when none can be received any more.
    #[cfg(windows)]
    async fn next(&mut self) -> Option<Received> {
        // Each kind has its own type; a missing one never fires.
        macro_rules! recv {
            ($s:expr) => {
                async {
                    match $s.as_mut() {
                        Some(s) => s.recv().await,
                        None => std::future::pending().await,
                    }
                }
            };
        }
        let closing = Received {
            signal: Signal::Terminate,
            grace: CLOSE_GRACE,
        };
        tokio::select! {
            r = recv!(self.ctrl_c) => r.map(|()| Received::of(Signal::Interrupt)),
            r = recv!(self.ctrl_break) => r.map(|()| Received::of(Signal::Interrupt)),
            r = recv!(self.ctrl_close) => r.map(|()| closing),
            r = recv!(self.ctrl_logoff) => r.map(|()| closing),
            r = recv!(self.ctrl_shutdown) => r.map(|()| closing),
        }
    }

    /// The next signal; `None` when none can be received any more.
    #[cfg(not(windows))]
    async fn next(&mut self) -> Option<Received> {
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
                r = recv(&mut self.int) => r.map(|()| Received::of(Signal::Interrupt)),
                r = recv(&mut self.term) => r.map(|()| Received::of(Signal::Terminate)),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c()
                .await
                .ok()
                .map(|()| Received::of(Signal::Interrupt))
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
                first.signal.describe(),
                first.grace.min(grace).as_secs(),
                first.signal.again()
            ));
            if let Some(second) = signals.next().await {
                diag::fatal("quit at once; the summary is incomplete");
                std::process::exit(second.signal.exit_code());
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
        self.requested.borrow().map(|r| r.signal)
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
        let grace = self
            .requested
            .borrow()
            .map_or(self.grace, |r| r.grace.min(self.grace));
        tokio::time::sleep(grace).await;
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

    #[tokio::test(start_paused = true)]
    async fn a_closing_console_gets_the_short_grace_and_ctrl_c_the_full_one() {
        let closing = Received {
            signal: Signal::Terminate,
            grace: CLOSE_GRACE,
        };
        for (received, expected) in [
            (Received::of(Signal::Interrupt), GRACE),
            (Received::of(Signal::Terminate), GRACE),
            (closing, CLOSE_GRACE),
        ] {
            let (tx, rx) = watch::channel(Some(received));
            let interrupt = Interrupt {
                requested: rx,
                grace: GRACE,
                _never: Some(tx),
            };
            assert_eq!(interrupt.signal(), Some(received.signal));
            let start = tokio::time::Instant::now();
            interrupt.grace_expired().await;
            assert_eq!(start.elapsed(), expected);
        }
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
