//! A small provider for the adapter's table tests, declared as a real one is: a resource
//! whose answers each test scripts (and which logs the calls that reach it), a data
//! source, a list resource and an action. Names and values say what they test.

use super::ProviderAdapter;
use crate::framework::validators::length_between;
use crate::framework::{
    computed, optional, optional_computed, required, Action, ActionHandle, ApplyResponse,
    ConfigureRequest, CreateRequest, DataSource, DataSourceHandle, DeleteRequest, DeleteResponse,
    Field, ImportRequest, ImportResponse, ListRequest, ListResource, ListResourceHandle, ListSink,
    Listed, Model, Plan, PlanResponse, Planned, Progress, Provider, ReadDataResponse, ReadRequest,
    ReadResponse, Resource, ResourceHandle, UpdateRequest, ValidateRequest,
};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics, Severity};
use crate::tfplugin::rpc::RawState;
use crate::tfplugin::value::{AttributePath, DynamicValue, Value};
use std::sync::{Arc, Mutex};

crate::model! {
    /// The test resource.
    pub struct Thing {
        description: "A thing.",
        id: Field<String> = computed("Its id.").use_state_for_unknown(),
        name: Field<String> = required("Its name.")
            .validate(length_between(1, 8, "Invalid name")),
        kind: Field<String> = optional("Its kind; a change replaces it.").requires_replace(),
        on: Field<bool> = optional_computed("Whether it is on.").default(true),
        secret: Field<String> = optional("A write-only secret.").write_only(),
        updated: Field<String> = computed("When it last changed."),
    }
}

crate::model! {
    /// The test resource's identity.
    pub struct ThingIdentity {
        description: "What identifies a thing.",
        id: Field<String> = required("Its id."),
    }
}

/// The test resource's private state.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Memo {
    #[serde(default)]
    pub n: u64,
}

/// How the test resource answers; the default answers well.
#[derive(Clone, Copy, Default)]
pub struct Script {
    /// Create, read, update, delete, import and generate fail with an error.
    pub fail: bool,
    /// With `fail`, create and update still return a state (what was made before).
    pub state_on_failure: bool,
    /// Read finds nothing.
    pub gone: bool,
    /// What it returns leaves `updated` unknown.
    pub leaves_unknown: bool,
    /// What it returns and plans holds the configured write-only secret.
    pub echoes_secret: bool,
    /// The private state every answer returns (`None` keeps what Terraform sent).
    pub private: Option<Memo>,
    /// The id its identity reports instead of the state's.
    pub identity: Option<&'static str>,
}

/// The calls that reached the test provider, in order.
#[derive(Clone, Default)]
pub struct Calls(Arc<Mutex<Vec<String>>>);

impl Calls {
    fn log(&self, call: String) {
        self.0.lock().unwrap().push(call);
    }

    /// The calls so far, taken.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

fn error(summary: &str) -> Diagnostics {
    Diagnostic::error(summary, "The test resource was told to fail.").into()
}

fn known(s: &str) -> Field<String> {
    Field::Known(s.to_string())
}

type Applied = ApplyResponse<Thing, Memo>;

pub struct TestResource {
    script: Script,
    calls: Calls,
}

impl TestResource {
    /// What an apply returns: `state` as the script says.
    fn answer(&self, mut state: Thing, config: &Thing, version: &str, failure: &str) -> Applied {
        let s = self.script;
        state.updated = if s.leaves_unknown {
            Field::Unknown
        } else {
            known(version)
        };
        if s.echoes_secret {
            state.secret = config.secret.clone();
        }
        if s.fail {
            return ApplyResponse {
                state: s.state_on_failure.then_some(state),
                private: s.private,
                diagnostics: error(failure),
            };
        }
        ApplyResponse {
            state: Some(state),
            private: s.private,
            diagnostics: Diagnostics::new(),
        }
    }
}

impl Resource for TestResource {
    type Model = Thing;
    type Identity = ThingIdentity;
    type Private = Memo;

    fn type_name(&self) -> &'static str {
        "test_thing"
    }

    fn schema_version(&self) -> i64 {
        1
    }

    fn identity(&self, state: &Thing) -> Option<ThingIdentity> {
        let id = self.script.identity.map(str::to_string);
        let id = id.or_else(|| state.id.known().cloned())?;
        Some(ThingIdentity {
            id: Field::Known(id),
        })
    }

    fn generate_config(&self, state: Thing) -> Result<Thing, Diagnostics> {
        if self.script.fail {
            return Err(error("Cannot generate"));
        }
        Ok(state)
    }

    fn validate(&self, req: ValidateRequest<'_, Thing>) -> Diagnostics {
        match req.config.name.known().map(String::as_str) {
            Some("warn") => Diagnostic::warning("Thing warns", "A warning.")
                .at(AttributePath::attr("name"))
                .into(),
            _ => Diagnostics::new(),
        }
    }

    async fn observe(&self, state: Thing) {
        let name = state.name.known().cloned().unwrap_or_default();
        self.calls.log(format!("observe {name}"));
    }

    async fn modify_plan(&self, req: Plan<Self>) -> Planned<Self> {
        let saved = req.saved_plan_private.map(|m| m.n);
        self.calls.log(format!(
            "plan prior_private={} saved={saved:?} returns={}",
            req.prior_private.n, req.plan_private_returns
        ));
        let mut planned = req.planned;
        if self.script.echoes_secret {
            planned.secret = req.config.secret;
        }
        PlanResponse {
            planned,
            requires_replace: Vec::new(),
            planned_private: self.script.private,
            diagnostics: Diagnostics::new(),
        }
    }

    async fn create(&self, req: CreateRequest<Thing, Memo>) -> Applied {
        self.calls
            .log(format!("create planned_private={}", req.planned_private.n));
        let state = Thing {
            id: known("t1"),
            ..req.planned.clone()
        };
        self.answer(state, &req.config, "v1", "Create failed")
    }

    async fn read(&self, req: ReadRequest<Thing, Memo>) -> ReadResponse<Thing, Memo> {
        self.calls.log(format!("read private={}", req.private.n));
        let s = self.script;
        if s.gone {
            return ReadResponse {
                state: None,
                private: s.private,
                diagnostics: Diagnostics::new(),
            };
        }
        let config = req.state.clone();
        let out = self.answer(req.state, &config, "v2", "Read failed");
        ReadResponse {
            state: out.state.or(s.fail.then_some(config)),
            private: out.private,
            diagnostics: out.diagnostics,
        }
    }

    async fn update(&self, req: UpdateRequest<Thing, Memo>) -> Applied {
        self.calls
            .log(format!("update planned_private={}", req.planned_private.n));
        self.answer(req.planned, &req.config, "v2", "Update failed")
    }

    async fn delete(&self, req: DeleteRequest<Thing, Memo>) -> DeleteResponse<Memo> {
        self.calls.log(format!("delete private={}", req.private.n));
        DeleteResponse {
            private: self.script.private,
            diagnostics: if self.script.fail {
                error("Delete failed")
            } else {
                Diagnostics::new()
            },
        }
    }

    async fn import(&self, req: ImportRequest<ThingIdentity>) -> ImportResponse<Thing, Memo> {
        let by = req.identity.and_then(|i| i.id.into_known());
        self.calls.log(format!("import {:?} {by:?}", req.id));
        if self.script.fail {
            return ImportResponse::failed(error("Import failed"));
        }
        let state = Thing {
            id: Field::Known(by.unwrap_or(req.id)),
            name: known("imported"),
            on: Field::Known(true),
            ..Thing::default()
        };
        let out = self.answer(state, &Thing::default(), "v1", "Import failed");
        ImportResponse {
            state: out.state,
            private: out.private.unwrap_or_default(),
            diagnostics: out.diagnostics,
        }
    }
}

crate::model! {
    /// The test data source.
    pub struct Lookup {
        description: "Looks a thing up by name.",
        name: Field<String> = required("The name: `missing` is not found, `unknown` is \
            found without a value, `warn` warns.")
            .validate(length_between(1, 8, "Invalid name")),
        found: Field<String> = computed("What was found."),
    }
}

pub struct TestLookup;

impl DataSource for TestLookup {
    type Model = Lookup;

    fn type_name(&self) -> &'static str {
        "test_lookup"
    }

    fn validate(&self, config: &Lookup) -> Diagnostics {
        match config.name.known().map(String::as_str) {
            Some("warn") => Diagnostic::warning("Lookup warns", "A warning.").into(),
            _ => Diagnostics::new(),
        }
    }

    async fn read(&self, config: Lookup) -> ReadDataResponse<Lookup> {
        let name = config.name.known().cloned().unwrap_or_default();
        let found = match name.as_str() {
            "missing" => return ReadDataResponse::failed(error("Not found")),
            "unknown" => Field::Unknown,
            _ => Field::Known(format!("found-{name}")),
        };
        ReadDataResponse::ok(Lookup { found, ..config })
    }
}

crate::model! {
    /// The test list's configuration.
    pub struct ListConfig {
        description: "Lists things.",
        prefix: Field<String> = optional("Their names' prefix; `fail` fails after one.")
            .validate(length_between(1, 8, "Invalid prefix")),
    }
}

/// Lists five things, each with its write-only secret set (the framework nulls it).
pub struct TestList {
    calls: Calls,
}

impl ListResource for TestList {
    type Config = ListConfig;
    type Resource = TestResource;

    async fn list(
        &self,
        req: ListRequest<ListConfig>,
        sink: &mut ListSink<TestResource>,
    ) -> Diagnostics {
        let prefix = req.config.prefix.known().cloned().unwrap_or_default();
        for i in 1..=5 {
            let id = format!("t{i}");
            let listed = Listed {
                identity: ThingIdentity { id: known(&id) },
                display_name: format!("{prefix}{i}"),
                object: Thing {
                    id: known(&id),
                    name: Field::Known(format!("{prefix}{i}")),
                    secret: known("hunter2"),
                    on: Field::Known(true),
                    updated: known("v1"),
                    ..Thing::default()
                },
            };
            let more = sink.send(listed).await;
            self.calls.log(format!("listed {i}"));
            if prefix == "fail" {
                return error("List failed");
            }
            if !more {
                break;
            }
        }
        Diagnostics::new()
    }
}

crate::model! {
    /// The test action's configuration.
    pub struct Ping {
        description: "Pings a target.",
        target: Field<String> = optional("The target: `bad` fails the plan, `down` the \
            invocation.")
            .validate(length_between(1, 8, "Invalid target")),
    }
}

pub struct TestPing;

impl Action for TestPing {
    type Config = Ping;

    fn type_name(&self) -> &'static str {
        "test_ping"
    }

    async fn plan(&self, config: Ping) -> Diagnostics {
        match config.target.known().map(String::as_str) {
            Some("bad") => error("Cannot ping"),
            _ => Diagnostics::new(),
        }
    }

    async fn invoke(&self, config: Ping, progress: &Progress) -> Diagnostics {
        let target = config.target.known().cloned().unwrap_or_default();
        progress.line(format!("pinging {target:?}")).await;
        if target == "down" {
            return error("No answer");
        }
        Diagnostics::new()
    }
}

crate::model! {
    /// The test provider's configuration.
    pub struct Settings {
        description: "The test provider.",
        endpoint: Field<String> = optional("Where things live; `warn` warns.")
            .validate(length_between(1, 8, "Invalid endpoint")),
    }
}

pub struct TestProvider {
    script: Script,
    calls: Calls,
}

impl Provider for TestProvider {
    type Config = Settings;

    fn validate(&self, config: &Settings) -> Diagnostics {
        match config.endpoint.known().map(String::as_str) {
            Some("warn") => Diagnostic::warning("Settings warn", "A warning.").into(),
            _ => Diagnostics::new(),
        }
    }

    async fn configure(&self, req: ConfigureRequest<Settings>) -> Diagnostics {
        let endpoint = req.config.endpoint.known().cloned();
        self.calls
            .log(format!("configure {} {endpoint:?}", req.terraform_version));
        Diagnostics::new()
    }

    fn resources(&self) -> Vec<ResourceHandle> {
        vec![ResourceHandle::new(TestResource {
            script: self.script,
            calls: self.calls.clone(),
        })]
    }

    fn data_sources(&self) -> Vec<DataSourceHandle> {
        vec![DataSourceHandle::new(TestLookup)]
    }

    fn list_resources(&self, resources: &[ResourceHandle]) -> Vec<ListResourceHandle> {
        let list = || TestList {
            calls: self.calls.clone(),
        };
        resources
            .iter()
            .map(|r| ListResourceHandle::new(list(), r))
            .collect()
    }

    fn actions(&self) -> Vec<ActionHandle> {
        vec![ActionHandle::new(TestPing)]
    }

    fn stop(&self) {
        self.calls.log("stop".into());
    }
}

/// The test list resource, on its own (it logs nowhere).
pub fn fixture_list() -> TestList {
    TestList {
        calls: Calls::default(),
    }
}

/// The test provider with `script`, served, and the log of its calls.
pub fn serve(script: Script) -> (ProviderAdapter<TestProvider>, Calls) {
    let calls = Calls::default();
    let provider = TestProvider {
        script,
        calls: calls.clone(),
    };
    (ProviderAdapter::new(provider).unwrap(), calls)
}

/// The test resource's type name.
pub const THING: &str = "test_thing";

/// Bytes no value decodes from (msgpack's never-used 0xc1).
pub fn undecodable() -> DynamicValue {
    DynamicValue {
        msgpack: vec![0xc1],
        json: Vec::new(),
    }
}

/// Stored state or identity JSON, as Terraform hands it over for an upgrade.
pub fn raw(json: &str) -> RawState {
    RawState {
        json: json.as_bytes().to_vec(),
        ..RawState::default()
    }
}

/// The identity value a response holds, if any.
pub fn identity_of(dv: Option<DynamicValue>) -> Option<Value> {
    dv.map(|i| value::<ThingIdentity>(&Some(i)))
}

/// A string value.
pub fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

/// An object of model `M`: `pairs`, every other attribute null.
pub fn object<M: Model>(pairs: &[(&str, Value)]) -> Value {
    let mut out = M::default().to_value();
    if let Value::Object(attrs) = &mut out {
        for (k, v) in pairs {
            assert!(attrs.contains_key(*k), "{k} is not an attribute");
            attrs.insert(k.to_string(), v.clone());
        }
    }
    out
}

/// A thing's state: `pairs` over a created thing (`t1`, named `a`, on, updated `v1`).
pub fn thing(pairs: &[(&str, Value)]) -> Value {
    let mut all = vec![
        ("id", s("t1")),
        ("name", s("a")),
        ("on", Value::Bool(true)),
        ("updated", s("v1")),
    ];
    all.extend(pairs.iter().cloned());
    object::<Thing>(&all)
}

/// `v` as Terraform sends it for model `M` (null stays null, as Terraform sends it).
pub fn dv<M: Model>(v: &Value) -> DynamicValue {
    DynamicValue::encode(&M::tf_type(), v).unwrap()
}

/// What a response holds as a value of model `M` (`None` reads as null).
pub fn value<M: Model>(dv: &Option<DynamicValue>) -> Value {
    dv.as_ref()
        .map_or(Value::Null, |dv| dv.decode(&M::tf_type()).unwrap())
}

/// The identity value of a thing with id `id`.
pub fn identity(id: &str) -> Value {
    object::<ThingIdentity>(&[("id", s(id))])
}

/// What `d` says: each summary, after `error:` or `warning:`, and its path, if any.
pub fn said(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let at = d.attribute.as_ref().map(|p| format!(" at {p}"));
            format!("{severity}: {}{}", d.summary, at.unwrap_or_default())
        })
        .collect()
}

/// `items` as owned strings, for a table's expectations.
pub fn say(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// What an RPC answered, in the terms a table states: the state (null when none), the
/// private bytes, the identity, the paths that force replacement, what the diagnostics
/// said, and the calls that reached the provider.
#[derive(Debug, Default, PartialEq)]
pub struct Seen {
    pub state: Value,
    pub private: Vec<u8>,
    pub identity: Option<Value>,
    pub replace: Vec<AttributePath>,
    pub said: Vec<String>,
    pub calls: Vec<String>,
}

/// The private bytes of a [`Memo`] of `n`.
pub fn private(n: u64) -> Vec<u8> {
    crate::framework::private::encode(&Memo { n })
}
