//! The SigSentry API client: typed operations on log sources, typed errors, retries with
//! backoff under one deadline, idempotency keys, claims and cancellation. Every answer is
//! bounded and checked before it is believed. No Terraform types: this module could be its
//! own crate.

mod call;
mod client;
pub mod contract;
mod error;
mod keys;
mod models;
mod pacing;
mod retry_after;
mod sanitize;
mod secret;
mod walk;

pub use client::{Claim, Client, ClientConfig, Created, Page, Updated};
pub use error::{ApiError, FieldError};
pub use models::{
    check_id, ListFilter, LogSource, LogSourcePatch, NewLogSource, TestError, TestResult,
};
pub use pacing::{Pacer, Signal, Slot};
pub use sanitize::strip;
pub use secret::Secret;
pub use walk::PageWalk;

#[cfg(test)]
mod tests;
