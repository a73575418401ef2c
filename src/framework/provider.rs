//! The provider trait: its own configuration plus the resources and data sources it serves.

use super::data_source::DataSource;
use super::resource::{BoxFuture, Resource};
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::Value;
use std::sync::Arc;

/// ConfigureProvider, decoded.
pub struct ConfigureRequest {
    /// Terraform's version, e.g. "1.11.4".
    pub terraform_version: String,
    /// The provider block (may hold unknowns during plan).
    pub config: Value,
}

/// A provider: configuration, resources and data sources.
pub trait Provider: Send + Sync + 'static {
    /// The provider block's schema.
    fn schema(&self) -> Schema;

    /// Checks the provider block (unknown values skipped).
    fn validate(&self, config: &Value) -> Diagnostics {
        let _ = config;
        Diagnostics::new()
    }

    /// Configures the provider before any resource call.
    fn configure(&self, req: ConfigureRequest) -> BoxFuture<'_, Diagnostics>;

    /// The managed resources it serves.
    fn resources(&self) -> Vec<Arc<dyn Resource>>;

    /// The data sources it serves.
    fn data_sources(&self) -> Vec<Arc<dyn DataSource>>;

    /// Terraform asked to stop: cancel in-flight work.
    fn stop(&self) {}
}

impl std::fmt::Debug for ConfigureRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ConfigureRequest {{ terraform_version: {:?}, config: <redacted> }}",
            self.terraform_version
        )
    }
}
