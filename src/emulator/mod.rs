//! The built-in Graph-compatible emulator (see README and `../shared/spec/graph-api.md`).
//!
//! Public surface used by the rest of ep and by the tests:
//!
//! ```ignore
//! let emu = Emulator::start(EmulatorConfig::default(), "127.0.0.1:0".parse()?).await?;
//! emu.url();            // "http://127.0.0.1:PORT" — use as EP_GRAPH_URL and AZURE_AUTHORITY_HOST
//! emu.calls();          // every HTTP call received, in arrival order (batch sub-requests included)
//! emu.shutdown().await;
//! ```
