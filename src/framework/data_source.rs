//! The data-source trait.

use super::resource::BoxFuture;
use crate::tfplugin::diagnostics::Diagnostics;
use crate::tfplugin::schema::Schema;
use crate::tfplugin::value::Value;

/// ReadDataSource, decoded.
pub struct ReadDataRequest {
    /// The configuration object (wholly known when Terraform reads).
    pub config: Value,
}

/// The result of reading a data source.
#[derive(Default)]
pub struct ReadDataResponse {
    /// The full object: configuration plus computed attributes.
    pub state: Value,
    /// Problems.
    pub diagnostics: Diagnostics,
}

/// A data source type.
pub trait DataSource: Send + Sync + 'static {
    /// The type name, e.g. `sigsentry_log_sources`.
    fn type_name(&self) -> &'static str;

    /// Its schema.
    fn schema(&self) -> Schema;

    /// Checks a configuration (unknown values skipped).
    fn validate(&self, config: &Value) -> Diagnostics {
        let _ = config;
        Diagnostics::new()
    }

    /// Reads it.
    fn read(&self, req: ReadDataRequest) -> BoxFuture<'_, ReadDataResponse>;
}

impl std::fmt::Debug for ReadDataRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadDataRequest { <values redacted> }")
    }
}

impl std::fmt::Debug for ReadDataResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadDataResponse { <values redacted> }")
    }
}
