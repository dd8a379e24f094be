//! ep: find and reprocess failed Entra ID access package assignment requests.
//!
//! The binary in `main.rs` is a thin shell around [`main_entry`]; everything else lives here so
//! that integration tests can reach the clap tree and the output types.

pub mod auth;
pub mod cli;
pub mod cloud;
pub mod commands;
pub mod config;
pub mod diag;
pub mod diagnosis;
pub mod eligibility;
pub mod error;
pub mod graph;
pub mod http;
pub mod interrupt;
pub mod journal;
pub mod memory;
pub mod output;
pub mod private_file;
pub mod quote;
pub mod redact;
pub mod reprocess;
pub mod resume;
pub mod sanitize;
pub mod suggest;

pub use commands::main_entry;
