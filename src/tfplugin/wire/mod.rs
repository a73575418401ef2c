//! Generated protobuf code and the conversions between it and our own types: the only
//! place prost types appear, and crate-private so that they stay out of the public API.
//! Conversions are `From` impls, one per request coming in and one per response going
//! out, grouped by the area of the protocol they belong to, so the server can stay a
//! plain decode, call, encode. Test clients build their own copy of the generated code.

/// Plugin protocol 6, generated from `proto/tfplugin6.proto`.
// Generated code is not held to our lints, and what the server does not use of it (the
// clients, the per-RPC namespace structs) is dead code here.
#[allow(dead_code, missing_docs, clippy::all, clippy::pedantic)]
pub(crate) mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller, stdio and broker services, from `proto/plugin.proto`.
#[allow(dead_code, missing_docs, clippy::all, clippy::pedantic)]
pub(crate) mod plugin {
    tonic::include_proto!("plugin");
}

mod action;
mod data_source;
mod identity;
mod list;
mod provider;
mod resource;
mod schema;
mod values;

/// A message field proto3 may leave unset: unset converts to our type's default.
fn or_default<P, T: From<P> + Default>(field: Option<P>) -> T {
    field.map(T::from).unwrap_or_default()
}
