//! Generated protobuf code and the conversions between it and our own types: the only
//! place prost types appear. Conversions are `From` impls, one per request coming in and
//! one per response going out, grouped by the area of the protocol they belong to, so the
//! server can stay a plain decode, call, encode.

/// Plugin protocol 6, generated from `proto/tfplugin6.proto`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller, stdio and broker services, from `proto/plugin.proto`.
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod plugin {
    tonic::include_proto!("plugin");
}

mod data_source;
mod provider;
mod resource;
mod schema;
mod values;

/// A message field proto3 may leave unset: unset converts to our type's default.
fn or_default<P, T: From<P> + Default>(field: Option<P>) -> T {
    field.map(T::from).unwrap_or_default()
}
