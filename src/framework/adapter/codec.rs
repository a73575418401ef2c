//! What every RPC does with values and errors: decode a request's values against their
//! declaration, encode what the resource answered (write-only attributes nulled, state
//! required wholly known), and fold an early error into the RPC's response.

use crate::framework::plan;
use crate::framework::registry::Declared;
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::rpc::*;
use crate::tfplugin::value::{DynamicValue, Value};

/// A response with a diagnostics field, so one helper can fold an early error into it.
pub(super) trait Reply: Default {
    fn diagnostics(&mut self) -> &mut Diagnostics;
}

macro_rules! reply {
    ($($t:ty),* $(,)?) => {$(
        impl Reply for $t {
            fn diagnostics(&mut self) -> &mut Diagnostics {
                &mut self.diagnostics
            }
        }
    )*};
}

reply!(
    UpgradeResourceStateResponse,
    UpgradeResourceIdentityResponse,
    GenerateResourceConfigResponse,
    PlanActionResponse,
    ReadResourceResponse,
    PlanResourceChangeResponse,
    ApplyResourceChangeResponse,
    ImportResourceStateResponse,
    ReadDataSourceResponse,
);

impl Reply for Diagnostics {
    fn diagnostics(&mut self) -> &mut Diagnostics {
        self
    }
}

/// The response of an RPC's inner function: an early error becomes a response that
/// carries only that error.
pub(super) fn respond<T: Reply>(result: Result<T, Diagnostics>) -> T {
    result.unwrap_or_else(|d| {
        let mut out = T::default();
        *out.diagnostics() = d;
        out
    })
}

/// Decodes `dv` against `declared`'s type; a malformed value is an error at its path.
pub(super) fn decode(
    dv: &DynamicValue,
    declared: &Declared,
    what: &str,
) -> Result<Value, Diagnostics> {
    dv.decode(&declared.ty).map_err(|e| {
        let d = Diagnostic::error(
            format!("Invalid {what} received from Terraform"),
            format!("The {what} could not be decoded: {e}."),
        );
        if e.path.is_empty() {
            d.into()
        } else {
            d.at(e.path).into()
        }
    })
}

/// What every response carrying state does: nulls write-only attributes, requires the
/// value wholly known (after apply, read, import, upgrade), and encodes it.
pub(super) fn emit(
    declared: &Declared,
    mut value: Value,
    what: &str,
) -> Result<DynamicValue, Diagnostics> {
    plan::null_write_only(&mut value, &declared.specs);
    if !value.is_wholly_known() {
        return Err(Diagnostic::error(
            "Provider left a value unknown",
            format!("The {what} still holds unknown values. This is a bug in the provider."),
        )
        .into());
    }
    encode(declared, &value, what)
}

/// Encodes `value`; a mismatch with the schema is a provider bug, reported as a diagnostic.
pub(super) fn encode(
    declared: &Declared,
    value: &Value,
    what: &str,
) -> Result<DynamicValue, Diagnostics> {
    DynamicValue::encode(&declared.ty, value).map_err(|e| {
        Diagnostic::error(
            "Provider produced an invalid value",
            format!("The {what} could not be encoded ({e}). This is a bug in the provider."),
        )
        .into()
    })
}

/// Appends `more` to `diags` and hands back the rest of a result.
pub(super) fn and<T>(
    mut diags: Diagnostics,
    more: Result<T, Diagnostics>,
) -> (Option<T>, Diagnostics) {
    match more {
        Ok(v) => (Some(v), diags),
        Err(d) => {
            diags.extend(d);
            (None, diags)
        }
    }
}
