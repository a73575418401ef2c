//! The SigSentry provider: its configuration, the `sigsentry_log_source` resource and the
//! data sources, built on [`crate::framework`] and [`crate::sigsentry`].
//!
//! Where things live: `config` (the provider block and its defaults), `platforms` (log
//! types and their credential keys), `mapping` (the API's log source as Terraform
//! attributes), `log_source` (the resource: `model.rs` its attributes, `checks.rs` its
//! cross-attribute rules), `data_sources`, `errors` (API errors as diagnostics),
//! `filters` (what a listing filters by), `context` (the configured client),
//! `state_scope` (which state is served).

pub mod config;
pub(crate) mod context;
pub mod data_sources;
pub(crate) mod errors;
mod filters;
pub mod log_source;
pub mod mapping;
pub mod platforms;
mod refresh;
mod state_scope;
mod walks;

use self::config::ProviderConfig;
use self::context::ProviderContext;
use crate::framework::prelude::AttributePath;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::{
    data_source, ActionHandle, ConfigureRequest, DataSourceHandle, ListResourceHandle, Provider,
    ResourceHandle,
};
use std::sync::Arc;

pub use self::config::DEFAULT_API_URL;

/// The provider's registry address.
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/sigsentry/sigsentry";

/// The SigSentry provider.
pub struct SigSentryProvider {
    ctx: Arc<ProviderContext>,
    log_sources: Arc<log_source::LogSourceResource>,
}

impl Default for SigSentryProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl SigSentryProvider {
    /// A provider waiting for ConfigureProvider.
    pub fn new() -> Self {
        let ctx = Arc::new(ProviderContext::default());
        SigSentryProvider {
            log_sources: Arc::new(log_source::LogSourceResource::new(ctx.clone())),
            ctx,
        }
    }
}

impl Provider for SigSentryProvider {
    type Config = ProviderConfig;

    async fn configure(&self, req: ConfigureRequest<ProviderConfig>) -> Diagnostics {
        if req.config.has_unknowns() {
            self.ctx.defer();
            return Diagnostics::new();
        }
        let settings = match req.config.resolve() {
            Ok(s) => s,
            Err(d) => return d,
        };
        if settings.api_key.is_none() {
            // Known to be missing: say so at plan, not with a 401 at apply.
            return Diagnostic::error(
                "No SigSentry API key",
                "Set api_key in the provider block (for example from a variable), or the \
                 SIGSENTRY_API_KEY environment variable. The key needs config:read to plan \
                 and config:write to create, update and delete log sources; a \
                 tenant-scoped key also needs project_id.",
            )
            .at(AttributePath::attr("api_key"))
            .into();
        }
        let user_agent = format!(
            "terraform-provider-sigsentry/{} terraform/{}",
            env!("CARGO_PKG_VERSION"),
            req.terraform_version
        );
        match self.ctx.configure(settings, user_agent) {
            Ok(()) => Diagnostics::new(),
            Err(msg) => Diagnostic::error("Cannot use the SigSentry API URL", msg)
                .at(AttributePath::attr("api_url"))
                .into(),
        }
    }

    fn resources(&self) -> Vec<ResourceHandle> {
        vec![ResourceHandle::shared(self.log_sources.clone())]
    }

    fn list_resources(&self, resources: &[ResourceHandle]) -> Vec<ListResourceHandle> {
        let list = || log_source::list::LogSourceList::new(self.log_sources.clone());
        resources
            .iter()
            .filter(|r| r.type_name() == log_source::TYPE_NAME)
            .map(|r| ListResourceHandle::new(list(), r))
            .collect()
    }

    fn actions(&self) -> Vec<ActionHandle> {
        vec![ActionHandle::new(
            log_source::test_action::LogSourceTest::new(self.ctx.clone()),
        )]
    }

    fn data_sources(&self) -> Vec<DataSourceHandle> {
        vec![
            data_source(data_sources::LogSourceData::new(self.ctx.clone())),
            data_source(data_sources::LogSourcesData::new(self.ctx.clone())),
        ]
    }

    fn stop(&self) {
        self.ctx.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::ProviderAdapter;

    /// Every declaration the provider serves (its block, each resource and identity, data
    /// source, list and action) passes the adapter's check, and nothing is left out.
    #[test]
    fn every_declaration_served_is_sound() {
        let adapter = match ProviderAdapter::new(SigSentryProvider::new()) {
            Ok(adapter) => adapter,
            Err(e) => panic!("{e}"),
        };
        let names = |it: &mut dyn Iterator<Item = &'static str>| it.collect::<Vec<_>>();
        assert_eq!(
            names(&mut adapter.resources().map(|r| r.type_name())),
            [log_source::TYPE_NAME]
        );
        assert_eq!(
            names(&mut adapter.list_resources().map(|l| l.type_name())),
            [log_source::TYPE_NAME]
        );
        assert!(adapter.data_sources().count() >= 2);
        assert!(adapter.actions().count() >= 1);
    }
}
