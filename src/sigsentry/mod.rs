//! The SigSentry API client: typed operations on log sources, typed errors, retries with
//! backoff under one deadline, idempotency keys, claims and cancellation. Every answer is
//! bounded and checked before it is believed. No Terraform types: this module could be its
//! own crate.

mod call;
mod client;
mod config;
pub mod contract;
mod envelope;
mod error;
mod keys;
mod models;
mod operations;
mod pacing;
mod retry;
mod retry_after;
mod sanitize;
mod secret;
mod transport;
mod walk;

pub use client::Client;
pub use config::ClientConfig;
pub use error::{ApiError, FieldError};
pub use models::{
    check_id, ListFilter, LogSource, LogSourcePatch, NewLogSource, TestError, TestResult,
};
pub use operations::{ClaimAnswer, Created, Replay, Updated};
pub use pacing::{Pacer, Signal, Slot};
pub use sanitize::strip;
pub use secret::Secret;
pub use walk::{Page, PageSource, PageWalk};

#[cfg(test)]
mod tests;
