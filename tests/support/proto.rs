//! The generated gRPC code, clients included, compiled into the tests themselves: the
//! crate keeps its copy private, and tests speak to the provider as Terraform does, over
//! the wire.

#![allow(missing_docs, clippy::all)]

/// Plugin protocol 6, from `proto/tfplugin6.proto`.
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's controller, stdio and broker services, from `proto/plugin.proto`.
pub mod plugin {
    tonic::include_proto!("plugin");
}
