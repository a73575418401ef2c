//! The data-source trait, on the data source's typed model.

use super::model::Model;
use crate::tfplugin::diagnostics::Diagnostics;
use std::future::Future;

/// The result of reading a data source.
pub struct ReadDataResponse<M> {
    /// The full object (configuration plus computed attributes); `None` on failure.
    pub state: Option<M>,
    /// Problems.
    pub diagnostics: Diagnostics,
}

impl<M> ReadDataResponse<M> {
    /// The object read.
    pub fn ok(state: M) -> Self {
        ReadDataResponse {
            state: Some(state),
            diagnostics: Diagnostics::new(),
        }
    }

    /// Nothing read, and why.
    pub fn failed(diagnostics: Diagnostics) -> Self {
        ReadDataResponse {
            state: None,
            diagnostics,
        }
    }
}

impl<M> std::fmt::Debug for ReadDataResponse<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadDataResponse { <values redacted> }")
    }
}

/// A data source type.
pub trait DataSource: Send + Sync + 'static {
    /// Its configuration and result, declared with `model!`.
    type Model: Model;

    /// The type name, e.g. `sigsentry_log_sources`.
    fn type_name(&self) -> &'static str;

    /// Checks a configuration beyond each attribute's validators (unknown values skipped).
    fn validate(&self, config: &Self::Model) -> Diagnostics {
        let _ = config;
        Diagnostics::new()
    }

    /// Reads it; `config` is wholly known when Terraform reads.
    fn read(
        &self,
        config: Self::Model,
    ) -> impl Future<Output = ReadDataResponse<Self::Model>> + Send;
}
