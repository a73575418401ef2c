//! The SigSentry API client: typed operations on log sources, typed errors, retries with
//! backoff, idempotency keys and cancellation. No Terraform types: this module could be
//! its own crate.

mod client;
pub mod contract;
mod error;
mod models;
mod secret;

pub use client::{Client, ClientConfig, Created};
pub use error::{ApiError, FieldError};
pub use models::{ListFilter, LogSource, LogSourcePatch, NewLogSource, TestError, TestResult};
pub use secret::Secret;

#[cfg(test)]
mod tests;
