//! The `sigsentry_log_source` resource.

mod idempotency;
pub mod rules;
pub mod schema;

use self::idempotency::{Ordinals, Private};
use super::context::ProviderContext;
use super::errors::{api_diagnostics, CredentialsAttr};
use crate::framework::object::{self, Field};
use crate::framework::{
    ApplyResponse, BoxFuture, CreateRequest, DeleteRequest, ImportRequest, ImportResponse,
    ReadRequest, ReadResponse, Resource, ResourceSchema, UpdateRequest, ValidateRequest,
};
use crate::sigsentry::{ApiError, Claim, Client, LogSource, LogSourcePatch, NewLogSource, Secret};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many derived keys a create tries: each replay that names a source deleted since,
/// or one another object holds, moves on to the next.
const MAX_CREATE_KEYS: usize = 16;

/// `sigsentry_log_source`.
pub struct LogSourceResource {
    ctx: Arc<ProviderContext>,
    ordinals: Ordinals,
}

impl LogSourceResource {
    /// A resource bound to the provider's shared context.
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        LogSourceResource {
            ctx,
            ordinals: Ordinals::default(),
        }
    }
}

/// Known strings of a map attribute (unknown or null entries left out).
fn string_map(obj: &Value, name: &str) -> Option<BTreeMap<String, String>> {
    object::entries(obj, name).known().map(|m| {
        m.iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
            .collect()
    })
}

/// The known strings of a set attribute, sorted (sets have no order).
fn string_set(obj: &Value, name: &str) -> Vec<String> {
    let mut items: Vec<String> = object::elements(obj, name)
        .known()
        .unwrap_or_default()
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    items.sort();
    items.dedup();
    items
}

fn secrets(map: &BTreeMap<String, String>) -> BTreeMap<String, Secret> {
    map.iter()
        .map(|(k, v)| (k.clone(), Secret::new(v.clone())))
        .collect()
}

/// Which credentials an apply sends, and where diagnostics about them point.
fn credentials_to_send(
    planned: &Value,
    config: &Value,
) -> Option<(BTreeMap<String, String>, CredentialsAttr)> {
    if let Some(c) = string_map(planned, "credentials") {
        return Some((c, CredentialsAttr::Plain));
    }
    string_map(config, "credentials_wo").map(|c| (c, CredentialsAttr::WriteOnly))
}

/// The state of a log source: what the API says, plus what only Terraform knows
/// (credentials are never returned, so they are carried over from plan or state).
fn state_from(source: &LogSource, carried_from: &Value) -> Value {
    object::object([
        ("id", object::str_value(&source.id)),
        ("type", object::str_value(&source.log_type)),
        ("name", object::str_value(&source.name)),
        (
            "credentials",
            carried_from
                .get_attr("credentials")
                .cloned()
                .unwrap_or(Value::Null),
        ),
        ("credentials_wo", Value::Null),
        (
            "credentials_wo_version",
            carried_from
                .get_attr("credentials_wo_version")
                .cloned()
                .unwrap_or(Value::Null),
        ),
        (
            "sources",
            object::string_set(source.sources.iter().cloned()),
        ),
        ("is_active", Value::Bool(source.is_active)),
        (
            "verify",
            carried_from
                .get_attr("verify")
                .cloned()
                .unwrap_or(Value::Null),
        ),
        ("tenant_id", object::str_value(&source.tenant_id)),
        ("created_at", object::str_value(&source.created_at)),
    ])
}

/// How many sample log lines a passing verification logs, and how much of each.
const SAMPLE_LINES: usize = 5;
const SAMPLE_CHARS: usize = 200;

/// Runs the API's connection test when `verify = true`: an error diagnostic if the
/// platform rejects the credentials, sample lines to the log at info otherwise.
async fn verify(client: &Client, planned: &Value, id: &str) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if object::boolean(planned, "verify").known() != Some(true) {
        return diags;
    }
    match client.test(id).await {
        Ok(result) if result.ok => {
            for line in result.sample_lines.iter().take(SAMPLE_LINES) {
                let short: String = client.clean(line).chars().take(SAMPLE_CHARS).collect();
                tracing::info!(%id, line = %short, "verify: sample log line");
            }
        }
        Ok(result) => {
            let (code, message) = result
                .error
                .map(|e| (client.clean(&e.code), client.clean(&e.message)))
                .unwrap_or_else(|| ("UNKNOWN".into(), "no reason given".into()));
            diags.push(Diagnostic::error(
                "Log source verification failed",
                format!(
                    "SigSentry could not read logs with these credentials: {code}: {message}. \
                     The log source {id} exists and is kept in state; fix the credentials and apply again."
                ),
            ));
        }
        Err(e) => diags.extend(api_diagnostics(&e, "verify", CredentialsAttr::Plain)),
    }
    diags
}

fn id_of(state: &Value) -> Option<String> {
    object::string(state, "id").known().map(str::to_string)
}

/// Why a create failed: what to say, and the source to keep in state when this request
/// made it (so it is never lost).
struct CreateFailure {
    kept: Option<Box<LogSource>>,
    diagnostics: Diagnostics,
}

impl CreateFailure {
    fn new(kept: Option<LogSource>, diagnostics: Diagnostics) -> CreateFailure {
        CreateFailure {
            kept: kept.map(Box::new),
            diagnostics,
        }
    }
}

/// Differences between what a create asked for and the source that came back, by attribute.
fn mismatch(source: &LogSource, body: &NewLogSource) -> Option<&'static str> {
    let mut got = source.sources.clone();
    got.sort();
    got.dedup();
    if source.log_type != body.log_type {
        Some("type")
    } else if source.name != body.name {
        Some("name")
    } else if got != body.sources {
        Some("sources")
    } else {
        None
    }
}

impl LogSourceResource {
    /// Creates the source, or adopts the one a replay names when it is this object's own
    /// earlier attempt, and claims it (see `Client::claim`). A replay naming a source that
    /// another Terraform object holds, or one deleted since, moves on to the next key: a
    /// new source, never a shared one.
    async fn create_and_claim(
        &self,
        client: &Client,
        body: &NewLogSource,
        creds_attr: CredentialsAttr,
    ) -> Result<LogSource, CreateFailure> {
        let fail = |e: &ApiError, kept: Option<LogSource>| {
            Err(CreateFailure::new(
                kept,
                api_diagnostics(e, "create", creds_attr),
            ))
        };
        let identity = match client.create_identity(body, &self.ctx.scope()) {
            Ok(i) => i,
            Err(e) => return fail(&e, None),
        };
        for _ in 0..MAX_CREATE_KEYS {
            let ordinal = self.ordinals.next(&identity);
            let created = match client.create(body, &identity, ordinal).await {
                Ok(c) => c,
                Err(e) => return fail(&e, None),
            };
            let id = created.source.id.clone();
            if let Some(attr) = mismatch(&created.source, body) {
                let what = format!(
                    "The API answered the create with log source {id}, whose {attr} differs from \
                     the configuration."
                );
                // Made by this request: keep it so it is not orphaned (it is then replaced).
                // Replayed: it may be anyone's, so it is not touched.
                let (kept, next) = if created.replayed {
                    (
                        None,
                        "It was replayed for this request's idempotency key, so it may belong \
                         to someone else; it was not adopted. Check the API, then apply again.",
                    )
                } else {
                    (
                        Some(created.source),
                        "It is kept in state, tainted, and replaced on the next apply.",
                    )
                };
                let d = Diagnostic::error(
                    "Log source does not match the create",
                    format!("{what} {next}"),
                );
                return Err(CreateFailure::new(kept, d.into()));
            }
            match client.claim(&id).await {
                Ok(Claim::Won(live)) => {
                    if created.replayed {
                        tracing::info!(%id, "create replayed by the API; adopting this object's earlier attempt");
                    }
                    return Ok(live);
                }
                Ok(Claim::Taken) => {
                    tracing::info!(%id, "create replayed a log source another object holds; creating a new one under the next key");
                }
                Err(ApiError::NotFound { .. }) if created.replayed => {
                    tracing::info!(%id, "replayed create names a deleted log source; creating again under the next key");
                }
                // Replayed and not claimed: whose it is stays unknown, so it is not kept.
                Err(e) if created.replayed => return fail(&e, None),
                Err(e @ ApiError::NotFound { .. }) => return fail(&e, None),
                Err(e) => return fail(&e, Some(created.source)),
            }
        }
        Err(CreateFailure::new(
            None,
            Diagnostic::error(
                "Could not create the log source",
                format!(
                    "The API replayed {MAX_CREATE_KEYS} earlier creates of this exact \
                     configuration, each naming a source that is deleted or held by another \
                     Terraform object. Change the name, or wait for the API's idempotency \
                     window (24 h) to pass, then apply again."
                ),
            )
            .into(),
        ))
    }
}

impl Resource for LogSourceResource {
    fn type_name(&self) -> &'static str {
        schema::TYPE_NAME
    }

    fn schema(&self) -> ResourceSchema {
        schema::schema()
    }

    fn validate(&self, req: ValidateRequest<'_>) -> Diagnostics {
        rules::validate(req.config)
    }

    fn create(&self, req: CreateRequest) -> BoxFuture<'_, ApplyResponse> {
        Box::pin(async move {
            let mut out = ApplyResponse::default();
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => {
                    out.diagnostics = d;
                    return out;
                }
            };
            let planned = &req.planned;
            let Some((creds, creds_attr)) = credentials_to_send(planned, &req.config) else {
                out.diagnostics.error(
                    "Missing credentials",
                    "Set credentials or credentials_wo: the API needs credentials to create a log source.",
                );
                return out;
            };
            let body = NewLogSource {
                log_type: object::string(planned, "type")
                    .known()
                    .unwrap_or("")
                    .to_string(),
                name: object::string(planned, "name")
                    .known()
                    .unwrap_or("")
                    .to_string(),
                credentials: secrets(&creds),
                sources: string_set(planned, "sources"),
            };
            let mut source = match self.create_and_claim(&client, &body, creds_attr).await {
                Ok(s) => s,
                Err(failure) => {
                    // A source this request made is returned with the error, so Terraform
                    // records it (tainted) and it is never lost.
                    if let Some(s) = failure.kept {
                        out.state = state_from(&s, planned);
                    }
                    out.diagnostics = failure.diagnostics;
                    return out;
                }
            };

            let mut private = Private::default();
            let want_active = object::boolean(planned, "is_active")
                .known()
                .unwrap_or(true);
            if source.is_active != want_active {
                let patch = LogSourcePatch {
                    is_active: Some(want_active),
                    ..Default::default()
                };
                match client.update(&source.id, &patch, private.generation).await {
                    Ok(s) => {
                        source = s;
                        private.generation += 1;
                    }
                    Err(e) => {
                        // The source exists: record it (Terraform taints it) so it is not lost.
                        out.diagnostics = api_diagnostics(&e, "update", creds_attr);
                    }
                }
            }
            out.state = state_from(&source, planned);
            out.private = private.to_bytes();
            if !out.diagnostics.has_errors() {
                out.diagnostics
                    .extend(verify(&client, planned, &source.id).await);
            }
            out
        })
    }

    fn read(&self, req: ReadRequest) -> BoxFuture<'_, ReadResponse> {
        Box::pin(async move {
            let mut out = ReadResponse {
                state: Some(req.state.clone()),
                private: req.private.clone(),
                ..Default::default()
            };
            let Some(id) = id_of(&req.state) else {
                return out;
            };
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => {
                    out.diagnostics = d;
                    return out;
                }
            };
            match client.get(&id).await {
                Ok(source) => out.state = Some(state_from(&source, &req.state)),
                Err(ApiError::NotFound { .. }) => {
                    tracing::info!(%id, "log source no longer exists; removing it from state");
                    out.state = None;
                }
                Err(e) => out.diagnostics = api_diagnostics(&e, "read", CredentialsAttr::Plain),
            }
            out
        })
    }

    fn update(&self, req: UpdateRequest) -> BoxFuture<'_, ApplyResponse> {
        Box::pin(async move {
            let mut out = ApplyResponse {
                state: req.prior.clone(),
                private: req.planned_private.clone(),
                ..Default::default()
            };
            let Some(id) = id_of(&req.prior) else {
                out.diagnostics.error(
                    "Log source has no id",
                    "The state holds no id for this log source. Remove it from state and import it.",
                );
                return out;
            };
            let (prior, planned) = (&req.prior, &req.planned);
            let mut patch = LogSourcePatch::default();

            let new_name = object::string(planned, "name");
            if new_name != object::string(prior, "name") {
                if let Field::Known(n) = new_name {
                    patch.name = Some(n.to_string());
                }
            }
            let new_sources = string_set(planned, "sources");
            if new_sources != string_set(prior, "sources") {
                patch.sources = Some(new_sources);
            }
            let active = object::boolean(planned, "is_active")
                .known()
                .unwrap_or(true);
            if object::boolean(prior, "is_active").known() != Some(active) {
                patch.is_active = Some(active);
            }
            let plain = string_map(planned, "credentials");
            let wo_rotated = object::string(planned, "credentials_wo_version")
                != object::string(prior, "credentials_wo_version");
            let mut creds_attr = CredentialsAttr::Plain;
            let send = match plain {
                Some(c) if string_map(prior, "credentials").as_ref() != Some(&c) => Some(c),
                Some(_) => None,
                None => {
                    creds_attr = CredentialsAttr::WriteOnly;
                    let switched = string_map(prior, "credentials").is_some();
                    if wo_rotated || switched {
                        string_map(&req.config, "credentials_wo")
                    } else {
                        None
                    }
                }
            };
            if let Some(c) = send {
                patch.credentials = Some(secrets(&c));
            }

            let mut private = Private::from_bytes(&req.planned_private);
            let touched_connection = patch.credentials.is_some() || patch.sources.is_some();
            let wants_verify =
                touched_connection && object::boolean(planned, "verify").known() == Some(true);
            let client = if patch.is_empty() && !wants_verify {
                None
            } else {
                match self.ctx.client() {
                    Ok(c) => Some(c),
                    Err(d) => {
                        out.diagnostics = d;
                        return out;
                    }
                }
            };
            let source = if patch.is_empty() {
                None
            } else if let Some(client) = &client {
                match client.update(&id, &patch, private.generation).await {
                    Ok(s) => {
                        private.generation += 1;
                        Some(s)
                    }
                    Err(e) => {
                        out.diagnostics = api_diagnostics(&e, "update", creds_attr);
                        return out;
                    }
                }
            } else {
                None
            };
            out.state = match source {
                Some(s) => state_from(&s, planned),
                None => planned.clone(),
            };
            out.private = private.to_bytes();
            if let (true, Some(client)) = (wants_verify, &client) {
                out.diagnostics.extend(verify(client, planned, &id).await);
            }
            out
        })
    }

    fn delete(&self, req: DeleteRequest) -> BoxFuture<'_, Diagnostics> {
        Box::pin(async move {
            let Some(id) = id_of(&req.prior) else {
                return Diagnostics::new();
            };
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => return d,
            };
            match client.delete(&id).await {
                Ok(()) | Err(ApiError::NotFound { .. }) => Diagnostics::new(),
                Err(e) => api_diagnostics(&e, "delete", CredentialsAttr::Plain),
            }
        })
    }

    fn import(&self, req: ImportRequest) -> BoxFuture<'_, ImportResponse> {
        Box::pin(async move {
            let mut out = ImportResponse::default();
            let id = req.id.trim();
            if let Err(why) = crate::sigsentry::check_id(id) {
                out.diagnostics.error(
                    "Invalid log source id",
                    format!(
                        "Import takes the log source's id, e.g. terraform import \
                         sigsentry_log_source.x ls_1234, but {why}."
                    ),
                );
                return out;
            }
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => {
                    out.diagnostics = d;
                    return out;
                }
            };
            match client.get(id).await {
                Ok(source) => {
                    // Credentials cannot be read back: null, so the next apply sends them in place.
                    out.state = Some(state_from(&source, &Value::Null));
                    out.private = Private::default().to_bytes();
                }
                Err(ApiError::NotFound { .. }) => out.diagnostics.push(Diagnostic::error(
                    "Log source not found",
                    format!("No log source with id {id:?} exists in this project."),
                )),
                Err(e) => out.diagnostics = api_diagnostics(&e, "import", CredentialsAttr::Plain),
            }
            out
        })
    }
}
