//! The provider trait: its own configuration, and the resources, data sources, list
//! resources and actions it serves.

use super::action::ActionHandle;
use super::data_source::DataSource;
use super::list::ListResourceHandle;
use super::model::Model;
use super::registry::{DataSourceHandle, ResourceHandle};
use super::resource::Resource;
use crate::tfplugin::diagnostics::Diagnostics;
use std::future::Future;

/// ConfigureProvider, decoded.
pub struct ConfigureRequest<C> {
    /// Terraform's version, e.g. "1.11.4".
    pub terraform_version: String,
    /// The provider block (may hold unknowns during plan).
    pub config: C,
}

impl<C> std::fmt::Debug for ConfigureRequest<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ConfigureRequest {{ terraform_version: {:?}, config: <redacted> }}",
            self.terraform_version
        )
    }
}

/// A provider: configuration, resources, data sources, list resources and actions. The
/// adapter checks every declaration it serves before serving any ([`ProviderAdapter::new`]).
///
/// [`ProviderAdapter::new`]: super::ProviderAdapter::new
pub trait Provider: Send + Sync + 'static {
    /// The provider block, declared with `model!`.
    type Config: Model;

    /// Checks the provider block beyond each attribute's validators (unknowns skipped).
    fn validate(&self, config: &Self::Config) -> Diagnostics {
        let _ = config;
        Diagnostics::new()
    }

    /// Configures the provider before any resource call.
    fn configure(
        &self,
        req: ConfigureRequest<Self::Config>,
    ) -> impl Future<Output = Diagnostics> + Send;

    /// The managed resources it serves ([`ResourceHandle::new`] of each).
    fn resources(&self) -> Vec<ResourceHandle>;

    /// The data sources it serves ([`DataSourceHandle::new`] of each).
    fn data_sources(&self) -> Vec<DataSourceHandle>;

    /// The list resources it serves (Terraform 1.13+), given its resources' handles.
    fn list_resources(&self, resources: &[ResourceHandle]) -> Vec<ListResourceHandle> {
        let _ = resources;
        Vec::new()
    }

    /// The actions it serves (Terraform 1.14+).
    fn actions(&self) -> Vec<ActionHandle> {
        Vec::new()
    }

    /// Terraform asked to stop: cancel in-flight work.
    fn stop(&self) {}
}

/// Shorthand for [`ResourceHandle::new`].
pub fn resource<R: Resource>(r: R) -> ResourceHandle {
    ResourceHandle::new(r)
}

/// Shorthand for [`DataSourceHandle::new`].
pub fn data_source<D: DataSource>(d: D) -> DataSourceHandle {
    DataSourceHandle::new(d)
}
