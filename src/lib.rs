//! terraform-provider-sigsentry: a Terraform/OpenTofu provider for SigSentry log sources.
//!
//! Layers, with dependencies pointing one way:
//! - [`tfplugin`]: plugin protocol 6 and the go-plugin handshake; never names SigSentry.
//! - `framework`: the provider-author API (resources, data sources, the plan engine).
//! - [`sigsentry`]: the HTTP client for the SigSentry API; no Terraform types.
//! - `provider`: the product, built from the three above.

pub mod docgen;
pub mod framework;
pub mod provider;
pub mod sigsentry;
pub mod tfplugin;
pub mod usage;
