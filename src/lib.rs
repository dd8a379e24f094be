//! ep: find and reprocess failed Entra ID access package assignment requests.
//!
//! The binary in `main.rs` is a thin shell around [`run`]; everything else lives here so that
//! integration tests can start the built-in Graph emulator in-process.

pub mod emulator;
