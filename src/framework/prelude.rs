//! What a provider written on the framework uses from the protocol layer, in one import:
//! diagnostics and the paths they point at, and values. Products import this, not
//! `tfplugin`, so the protocol layer could change beneath them.

pub use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics, Severity};
pub use crate::tfplugin::value::{AttributePath, Number, Type, Value};
