//! Generated protobuf code and the conversions between it and our own types: the only
//! place prost types appear.

#![allow(missing_docs, clippy::all, clippy::pedantic)]

/// Plugin protocol 6, generated from `proto/tfplugin6.proto`.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller, stdio and broker services, from `proto/plugin.proto`.
pub mod plugin {
    tonic::include_proto!("plugin");
}

pub(crate) mod convert;
