//! A client that drives the provider the way Terraform core does for the RPCs of 1.12 and
//! later, with any CLI or none (no 1.16 CLI runs here): the real binary over its socket with
//! mutual TLS, the schemas fetched first (GetProviderSchema, then
//! GetResourceIdentitySchemas, as core does), and every value encoded against the type core
//! derives from those schemas.

use super::plugin::{self, terraform_like_cert, ClientCert, Plugin};
use super::proto::tfplugin6 as pb;
use super::proto::tfplugin6::provider_client::ProviderClient;
use sigsentry_provider::tfplugin::value::{msgpack, Type, Value};
use std::collections::BTreeMap;
use tonic::transport::Channel;

/// The provider, started and schema-loaded.
pub struct Core {
    /// The gRPC client.
    pub client: ProviderClient<Channel>,
    /// GetProviderSchema's answer.
    pub schema: pb::get_provider_schema::Response,
    /// GetResourceIdentitySchemas' answer.
    pub identities: pb::get_resource_identity_schemas::Response,
    _plugin: Plugin,
    _cert: ClientCert,
}

/// The object type a schema block implies (attributes only: our schemas have no blocks).
pub fn block_type(block: &pb::schema::Block) -> Type {
    Type::object(block.attributes.iter().map(|a| {
        (
            a.name.clone(),
            Type::from_json(&a.r#type).expect("attribute type"),
        )
    }))
}

/// `value` encoded as core sends it.
pub fn dv(ty: &Type, value: &Value) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: msgpack::encode(ty, value).expect("encodes"),
        json: Vec::new(),
    }
}

/// A value decoded as core reads it.
pub fn value(ty: &Type, dv: &pb::DynamicValue) -> Value {
    msgpack::decode(ty, &dv.msgpack).expect("decodes")
}

/// An object value from pairs.
pub fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// A string value.
pub fn s(v: &str) -> Value {
    Value::String(v.into())
}

/// Every attribute of `ty` null except `set`.
pub fn with(ty: &Type, set: &[(&str, Value)]) -> Value {
    let Type::Object { attributes, .. } = ty else {
        panic!("not an object type")
    };
    let mut m: BTreeMap<String, Value> = attributes
        .keys()
        .map(|k| (k.clone(), Value::Null))
        .collect();
    for (k, v) in set {
        assert!(m.contains_key(*k), "no attribute {k}");
        m.insert(k.to_string(), v.clone());
    }
    Value::Object(m)
}

impl Core {
    /// Starts the provider as Terraform does and loads its schemas.
    pub async fn start() -> Core {
        let cert = terraform_like_cert();
        let p = plugin::start(plugin::command(Some(&cert)));
        let mut client =
            ProviderClient::new(plugin::channel(&p.handshake, Some(&cert)).await.unwrap());
        let schema = client
            .get_provider_schema(pb::get_provider_schema::Request {})
            .await
            .unwrap()
            .into_inner();
        let identities = client
            .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
            .await
            .unwrap()
            .into_inner();
        Core {
            client,
            schema,
            identities,
            _plugin: p,
            _cert: cert,
        }
    }

    /// The provider block's type.
    pub fn provider_type(&self) -> Type {
        block_type(
            self.schema
                .provider
                .as_ref()
                .unwrap()
                .block
                .as_ref()
                .unwrap(),
        )
    }

    /// A managed resource's type.
    pub fn resource_type(&self, name: &str) -> Type {
        block_type(self.schema.resource_schemas[name].block.as_ref().unwrap())
    }

    /// A resource's identity type.
    pub fn identity_type(&self, name: &str) -> Type {
        Type::object(
            self.identities.identity_schemas[name]
                .identity_attributes
                .iter()
                .map(|a| (a.name.clone(), Type::from_json(&a.r#type).unwrap())),
        )
    }

    /// A list resource's config type (the inner `config` block).
    pub fn list_type(&self, name: &str) -> Type {
        block_type(
            self.schema.list_resource_schemas[name]
                .block
                .as_ref()
                .unwrap(),
        )
    }

    /// An action's config type.
    pub fn action_type(&self, name: &str) -> Type {
        let schema = self.schema.action_schemas[name].schema.as_ref().unwrap();
        block_type(schema.block.as_ref().unwrap())
    }

    /// ConfigureProvider against `url` with `key`, as core sends it.
    pub async fn configure(&mut self, url: &str, key: &str) {
        self.configure_with(url, key, &[]).await
    }

    /// ConfigureProvider against `url` with `key` and the provider attributes `more`.
    pub async fn configure_with(&mut self, url: &str, key: &str, more: &[(&str, Value)]) {
        let ty = self.provider_type();
        let mut set = vec![("api_url", s(url)), ("api_key", s(key))];
        set.extend(more.iter().cloned());
        let config = with(&ty, &set);
        let out = self
            .client
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.15.9".into(),
                config: Some(dv(&ty, &config)),
                client_capabilities: Some(pb::ClientCapabilities {
                    deferral_allowed: false,
                    write_only_attributes_allowed: true,
                    ..Default::default()
                }),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
    }
}

/// The errors among diagnostics, as "summary: detail".
pub fn errors(diags: &[pb::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}
