//! Plugin protocol 6 and the go-plugin handshake, with no knowledge of any particular
//! provider: values and their codecs, schemas, diagnostics, the RPC types and the server.

pub mod diagnostics;
pub mod logging;
pub mod rpc;
pub mod schema;
pub mod server;
pub mod value;
pub(crate) mod wire;
