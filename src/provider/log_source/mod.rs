//! The `sigsentry_log_source` resource, on its typed model ([`LogSourceModel`]).

mod checks;
mod idempotency;
pub mod list;
pub mod model;
pub mod test_action;

pub use self::model::{LogSourceIdentity, LogSourceModel};

use self::idempotency::{Ordinals, Private};
use super::context::ProviderContext;
use super::errors::{api_diagnostics, CredentialsAttr};
use super::mapping::LogSourceView;
use crate::framework::{
    ApplyResponse, BoxFuture, CreateRequest, DeleteRequest, Field, ImportRequest, ImportResponse,
    PlanRequest, PlanResponse, ReadRequest, ReadResponse, Resource, UpdateRequest, ValidateRequest,
};
use crate::sigsentry::{ApiError, Claim, Client, LogSource, LogSourcePatch, NewLogSource, Secret};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use crate::tfplugin::value::AttributePath;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The resource type name.
pub const TYPE_NAME: &str = "sigsentry_log_source";

/// How many derived keys a create tries: each replay that names a source deleted since,
/// or one another object holds, moves on to the next.
const MAX_CREATE_KEYS: usize = 16;

/// How many sample log lines a passing verification logs, and how much of each.
const SAMPLE_LINES: usize = 5;
const SAMPLE_CHARS: usize = 200;

/// `sigsentry_log_source`.
pub struct LogSourceResource {
    pub(crate) ctx: Arc<ProviderContext>,
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

fn secrets(map: &BTreeMap<String, String>) -> BTreeMap<String, Secret> {
    map.iter()
        .map(|(k, v)| (k.clone(), Secret::new(v.clone())))
        .collect()
}

/// Which credentials an apply sends, and where diagnostics about them point.
fn credentials_to_send(
    planned: &LogSourceModel,
    config: &LogSourceModel,
) -> Option<(BTreeMap<String, String>, CredentialsAttr)> {
    if let Some(c) = LogSourceModel::known_credentials(&planned.credentials) {
        return Some((c, CredentialsAttr::Plain));
    }
    LogSourceModel::known_credentials(&config.credentials_wo)
        .map(|c| (c, CredentialsAttr::WriteOnly))
}

impl LogSourceModel {
    /// This object after the API described its source: the API's attributes from the
    /// source (see `mapping`), and what only Terraform knows (credentials, which the API
    /// never returns, and `verify`) carried over from `self`.
    pub(crate) fn refreshed(mut self, source: &LogSource) -> LogSourceModel {
        let v = LogSourceView::from(source);
        self.id = v.id;
        self.log_type = v.log_type;
        self.name = v.name;
        self.sources = v.sources;
        self.is_active = v.is_active;
        self.tenant_id = v.tenant_id;
        self.created_at = v.created_at;
        self.credentials_wo = Field::Null;
        self
    }

    fn id(&self) -> Option<&str> {
        self.id.known().map(String::as_str)
    }
}

/// Runs the API's connection test when `verify = true`: an error diagnostic if the
/// platform rejects the credentials, sample lines to the log at info otherwise. The
/// credentials (plain or write-only, as configured) are redacted from whatever comes back.
async fn verify(
    client: &Client,
    planned: &LogSourceModel,
    config: &LogSourceModel,
    id: &str,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if planned.verify.known() != Some(&true) {
        return diags;
    }
    let creds = credentials_to_send(planned, config).map(|(c, _)| secrets(&c));
    match client.test(id, creds.as_ref()).await {
        Ok(result) if result.ok => {
            for line in result.sample_lines.iter().take(SAMPLE_LINES) {
                let short: String = line.chars().take(SAMPLE_CHARS).collect();
                tracing::info!(%id, line = %short, "verify: sample log line");
            }
        }
        Ok(result) => {
            diags.push(Diagnostic::error(
                "Log source verification failed",
                format!(
                    "SigSentry could not read logs with these credentials: {}. The log source \
                     {id} exists and is kept in state; fix the credentials and apply again.",
                    result.reason()
                ),
            ));
        }
        Err(e) => diags.extend(api_diagnostics(&e, "verify", CredentialsAttr::Plain)),
    }
    diags
}

/// Why a create failed: what to say, and the source to keep in state when this request
/// made it (so it is never lost), with whether its claim is still to be made.
struct CreateFailure {
    kept: Option<Box<LogSource>>,
    unclaimed: bool,
    diagnostics: Diagnostics,
}

impl CreateFailure {
    fn new(kept: Option<LogSource>, diagnostics: Diagnostics) -> CreateFailure {
        CreateFailure {
            kept: kept.map(Box::new),
            unclaimed: false,
            diagnostics,
        }
    }
}

/// A created (or adopted) and claimed source, with any warnings about the way there.
struct Made {
    source: LogSource,
    warnings: Diagnostics,
}

/// Whose a source is, once its claim is settled.
enum Owner {
    /// This object's.
    Us,
    /// Another Terraform object's.
    Other,
}

/// Which of type, name and sources differ between what a create asked for and what came back.
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
    /// Claims source `id` before it is changed or deleted, when this object's create could
    /// not (`private.unclaimed`); clears the mark once the answer is known. Only apply-time
    /// operations claim: a claim made in a plan is forgotten with the plan, and a later
    /// claim could not tell that plan's claim from another object's.
    async fn settle_claim(
        &self,
        client: &Client,
        id: &str,
        private: &mut Private,
    ) -> Result<Owner, ApiError> {
        if !private.unclaimed {
            return Ok(Owner::Us);
        }
        let owner = match client.claim(id).await? {
            Claim::Won(_) => Owner::Us,
            Claim::Taken => Owner::Other,
        };
        private.unclaimed = false;
        Ok(owner)
    }

    /// Creates the source, or adopts the one a replay names when it is this object's own
    /// earlier attempt, and claims it (see `Client::claim`). A replay naming a source that
    /// another Terraform object holds, or one deleted since, moves on to the next key: a
    /// new source, never a shared one.
    async fn create_and_claim(
        &self,
        client: &Client,
        body: &NewLogSource,
        creds_attr: CredentialsAttr,
    ) -> Result<Made, CreateFailure> {
        let mut warnings = Diagnostics::new();
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
                    self.ctx.refresh().wrote(&id);
                    if created.replayed {
                        tracing::info!(%id, "create replayed by the API; adopting this object's earlier attempt");
                    }
                    return Ok(Made {
                        source: live,
                        warnings,
                    });
                }
                // Made by this very request, yet claimed before: the API reused an id or
                // misreported the create. Another object may hold that id, so it is not
                // recorded, and no further source is made.
                Ok(Claim::Taken) if !created.replayed => {
                    return Err(CreateFailure::new(
                        None,
                        Diagnostic::error(
                            "The API answered the create with a claimed log source",
                            format!(
                                "The API reported log source {id} as made by this create, but a \
                                 Terraform object already claimed {id}. It was not recorded in \
                                 this state, so the other object's source is not at risk. Check \
                                 {id} in SigSentry (delete it if nothing uses it), then apply again."
                            ),
                        )
                        .into(),
                    ));
                }
                Ok(Claim::Taken) => {
                    tracing::info!(%id, "create replayed a log source another object holds; creating a new one under the next key");
                    warnings.push(Diagnostic::warning(
                        "An earlier identical create was replayed",
                        format!(
                            "The API replayed an earlier create of this exact configuration, naming \
                             log source {id}, which a Terraform object has claimed. A new source \
                             was created for this object instead. If no object in any state holds \
                             {id}, an interrupted run made it before its state was saved: import \
                             it, or delete it in SigSentry."
                        ),
                    ));
                }
                Err(ApiError::NotFound { .. }) if created.replayed => {
                    tracing::info!(%id, "replayed create names a deleted log source; creating again under the next key");
                }
                // Replayed and not claimed: whose it is stays unknown, so it is not kept.
                Err(e) if created.replayed => return fail(&e, None),
                Err(e @ ApiError::NotFound { .. }) => return fail(&e, None),
                // Made by this request: kept, and claimed before anything else uses it.
                Err(e) => {
                    return Err(CreateFailure {
                        kept: Some(Box::new(created.source)),
                        unclaimed: true,
                        diagnostics: api_diagnostics(&e, "create", creds_attr),
                    })
                }
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

/// The PATCH that moves a source from `prior` to `planned`, and where diagnostics about
/// its credentials point.
fn patch_for(
    prior: &LogSourceModel,
    planned: &LogSourceModel,
    config: &LogSourceModel,
) -> (
    LogSourcePatch,
    Option<BTreeMap<String, String>>,
    CredentialsAttr,
) {
    let mut patch = LogSourcePatch::default();
    if planned.name != prior.name {
        patch.name = planned.name.known().cloned();
    }
    let sources = planned.known_sources();
    if sources != prior.known_sources() {
        patch.sources = Some(sources);
    }
    if let Some(active) = planned.is_active.known() {
        if prior.is_active.known() != Some(active) {
            patch.is_active = Some(*active);
        }
    }
    let plain = LogSourceModel::known_credentials(&planned.credentials);
    let prior_plain = LogSourceModel::known_credentials(&prior.credentials);
    let mut attr = CredentialsAttr::Plain;
    let send = match plain {
        Some(c) if prior_plain.as_ref() != Some(&c) => Some(c),
        Some(_) => None,
        None => {
            attr = CredentialsAttr::WriteOnly;
            let rotated = planned.credentials_wo_version != prior.credentials_wo_version;
            // Switching from credentials to credentials_wo sends the new ones.
            if rotated || prior_plain.is_some() {
                LogSourceModel::known_credentials(&config.credentials_wo)
            } else {
                None
            }
        }
    };
    patch.credentials = send.as_ref().map(secrets);
    (patch, send, attr)
}

/// Write-only credentials as configured, when every value is known.
fn write_only_values(config: &LogSourceModel) -> Option<BTreeMap<String, String>> {
    let map = config.credentials_wo.known()?;
    map.values()
        .all(|v| v.known().is_some())
        .then(|| LogSourceModel::known_credentials(&config.credentials_wo))
        .flatten()
}

/// Records in `private` what was sent: the keyed digest of write-only credentials, or
/// nothing once plain credentials replace them.
fn record_sent(
    client: &Client,
    private: &mut Private,
    sent: &BTreeMap<String, String>,
    attr: CredentialsAttr,
) {
    match attr {
        CredentialsAttr::WriteOnly => {
            if let Some((digest, key)) = client.credentials_digest(&secrets(sent)) {
                private.sent_write_only = Some(digest);
                private.key = Some(key);
            }
        }
        CredentialsAttr::Plain => {
            private.sent_write_only = None;
            private.key = None;
        }
    }
}

/// The most common write-only mistake: new `credentials_wo` values without a new
/// `credentials_wo_version`, which Terraform cannot see, so they would never be sent. The
/// values are compared by their keyed digest only.
fn unsent_write_only(
    client: &Client,
    prior: &LogSourceModel,
    config: &LogSourceModel,
    prior_private: &[u8],
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if config.credentials_wo_version != prior.credentials_wo_version {
        return diags;
    }
    let Some(values) = write_only_values(config) else {
        return diags;
    };
    let private = Private::from_bytes(prior_private);
    let (Some(sent), Some(key)) = (private.sent_write_only, private.key) else {
        return diags;
    };
    let Some((now, now_key)) = client.credentials_digest(&secrets(&values)) else {
        return diags;
    };
    // Another API key makes the digests incomparable, not different.
    if now_key == key && now != sent {
        diags.push(
            Diagnostic::warning(
                "credentials_wo changed but will not be sent",
                "credentials_wo differs from the write-only credentials last sent, but \
                 credentials_wo_version did not change. Terraform cannot see write-only values, \
                 so this apply would not send the new ones. Change credentials_wo_version (for \
                 example to a new number or date) to send them.",
            )
            .at(AttributePath::attr("credentials_wo_version")),
        );
    }
    diags
}

impl LogSourceResource {
    /// A live source with the type and name of a planned create, which no object of this
    /// state is known to hold (made in the dashboard, or held by another configuration), and
    /// about to be duplicated. One listing of the project serves every create of the plan.
    async fn existing_twins(&self, client: &Client, planned: &LogSourceModel) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let (Some(t), Some(name)) = (planned.log_type.known(), planned.name.known()) else {
            return diags;
        };
        let Some(all) = self.ctx.project_sources(client).await else {
            return diags;
        };
        let twins: Vec<&LogSource> = all
            .iter()
            .filter(|s| &s.log_type == t && &s.name == name && !self.ctx.is_in_state(&s.id))
            .collect();
        if let Some(first) = twins.first() {
            let id = &first.id;
            let others = if twins.len() > 1 {
                format!(" ({} such sources exist; this is the first)", twins.len())
            } else {
                String::new()
            };
            diags.push(
                Diagnostic::warning(
                    "A log source with this type and name already exists",
                    format!(
                        "The project already has a {t} log source named {name:?}: {id}{others}. \
                         Applying this plan creates a second one. If no other Terraform \
                         configuration manages the existing one, import it instead, with this resource's address (shown above) in \
                         place of ADDRESS:\n\n  import {{\n    to = sigsentry_log_source.ADDRESS\n    \
                         id = \"{id}\"\n  }}\n\nor run:\n\n  terraform import sigsentry_log_source.ADDRESS {id}"
                    ),
                )
                .at(AttributePath::attr("name")),
            );
        }
        diags
    }
}

impl LogSourceResource {
    /// The identity of source `id` as this provider serves it.
    pub(crate) fn identity_of(&self, id: &str) -> LogSourceIdentity {
        LogSourceIdentity {
            id: Field::Known(id.to_string()),
            project_id: self.ctx.project().into(),
        }
    }

    /// The id to import: the one given, or the identity's, checked against the project
    /// this provider serves.
    fn import_target(&self, req: &ImportRequest<LogSourceIdentity>) -> Result<String, Diagnostics> {
        let Some(identity) = &req.identity else {
            return Ok(req.id.trim().to_string());
        };
        let wrong_project = match (identity.project_id.known(), self.ctx.project()) {
            (Some(wanted), Some(ours)) => (wanted != &ours).then(|| {
                format!(
                    "The identity names project {wanted:?}, but this provider is configured for \
                 {ours:?}. Import with a provider whose project_id is {wanted:?}."
                )
            }),
            (Some(wanted), None) => Some(format!(
                "The identity names project {wanted:?}, but this provider uses a \
                 project-scoped key and sets no project_id. Set project_id = {wanted:?} with a \
                 tenant-scoped key, or leave project_id out of the identity."
            )),
            _ => None,
        };
        if let Some(why) = wrong_project {
            return Err(Diagnostic::error("Identity of another project", why).into());
        }
        Ok(identity.id.known().cloned().unwrap_or_default())
    }
}

impl Resource for LogSourceResource {
    type Model = LogSourceModel;
    type Identity = LogSourceIdentity;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self, state: &LogSourceModel) -> Option<LogSourceIdentity> {
        state.id().map(|id| self.identity_of(id))
    }

    /// Generated configuration (`terraform plan|query -generate-config-out`): the type,
    /// name, sources and is_active; never credentials, which the API never returns and
    /// the user adds (leaving them out can never clear them: a log source cannot be
    /// planned without credentials).
    fn generate_config(&self, state: LogSourceModel) -> Result<LogSourceModel, Diagnostics> {
        Ok(LogSourceModel {
            log_type: state.log_type,
            name: state.name,
            sources: state.sources,
            is_active: state.is_active,
            ..Default::default()
        })
    }

    fn validate(&self, req: ValidateRequest<'_, LogSourceModel>) -> Diagnostics {
        checks::validate(req.config)
    }

    /// Plan-time advice, never a change to the plan: a create that would duplicate a live
    /// source, an update that would leave new write-only credentials unsent.
    fn modify_plan(
        &self,
        req: PlanRequest<LogSourceModel>,
    ) -> BoxFuture<'_, PlanResponse<LogSourceModel>> {
        Box::pin(async move {
            let mut diagnostics = Diagnostics::new();
            if let Ok(client) = self.ctx.client() {
                match &req.prior {
                    None => diagnostics = self.existing_twins(&client, &req.planned).await,
                    Some(prior) => {
                        if let Some(id) = prior.id() {
                            // A replacement's create, planned next, must not warn about it.
                            self.ctx.note_in_state(id);
                        }
                        diagnostics =
                            unsent_write_only(&client, prior, &req.config, &req.prior_private);
                    }
                }
            }
            PlanResponse {
                diagnostics,
                ..PlanResponse::unchanged(req.planned)
            }
        })
    }

    fn create(
        &self,
        req: CreateRequest<LogSourceModel>,
    ) -> BoxFuture<'_, ApplyResponse<LogSourceModel>> {
        Box::pin(async move {
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => return ApplyResponse::failed(d),
            };
            let planned = req.planned;
            let Some((creds, creds_attr)) = credentials_to_send(&planned, &req.config) else {
                return ApplyResponse::failed(
                    Diagnostic::error(
                        "Missing credentials",
                        "Set credentials or credentials_wo: the API needs credentials to create a log source.",
                    )
                    .into(),
                );
            };
            let body = NewLogSource {
                log_type: planned.log_type.known().cloned().unwrap_or_default(),
                name: planned.name.known().cloned().unwrap_or_default(),
                credentials: secrets(&creds),
                sources: planned.known_sources(),
            };
            let Made {
                mut source,
                warnings: mut diagnostics,
            } = match self.create_and_claim(&client, &body, creds_attr).await {
                Ok(m) => m,
                // A source this request made is returned with the error, so Terraform
                // records it (tainted) and it is never lost; unclaimed, it is claimed
                // before it is read, changed or deleted.
                Err(failure) => {
                    let private = Private {
                        unclaimed: failure.unclaimed,
                        ..Default::default()
                    };
                    return ApplyResponse {
                        state: failure.kept.map(|s| planned.clone().refreshed(&s)),
                        private: Some(private.to_bytes()),
                        diagnostics: failure.diagnostics,
                    };
                }
            };

            let mut private = Private::default();
            if creds_attr == CredentialsAttr::WriteOnly {
                record_sent(&client, &mut private, &creds, creds_attr);
            }
            if let Some(&want) = planned.is_active.known() {
                if source.is_active != want {
                    let patch = LogSourcePatch {
                        is_active: Some(want),
                        ..Default::default()
                    };
                    match client.update(&source.id, &patch, private.generation).await {
                        Ok(u) => {
                            source = u.source;
                            private.bump(u.generation);
                        }
                        // The source exists: record it (Terraform taints it) so it is not lost.
                        Err(e) => diagnostics.extend(api_diagnostics(&e, "update", creds_attr)),
                    }
                }
            }
            if !diagnostics.has_errors() {
                diagnostics.extend(verify(&client, &planned, &req.config, &source.id).await);
            }
            ApplyResponse {
                state: Some(planned.refreshed(&source)),
                private: Some(private.to_bytes()),
                diagnostics,
            }
        })
    }

    fn read(
        &self,
        req: ReadRequest<LogSourceModel>,
    ) -> BoxFuture<'_, ReadResponse<LogSourceModel>> {
        Box::pin(async move {
            let mut out = ReadResponse {
                state: Some(req.state.clone()),
                private: None,
                diagnostics: Diagnostics::new(),
            };
            let Some(id) = req.state.id() else {
                return out;
            };
            self.ctx.note_in_state(id);
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => {
                    out.diagnostics = d;
                    return out;
                }
            };
            match self.ctx.refresh().read(&client, id).await {
                Ok(source) => out.state = Some(req.state.clone().refreshed(&source)),
                Err(ApiError::NotFound { .. }) => {
                    tracing::info!(%id, "log source no longer exists; removing it from state");
                    out.state = None;
                }
                Err(e) => out.diagnostics = api_diagnostics(&e, "read", CredentialsAttr::Plain),
            }
            out
        })
    }

    fn update(
        &self,
        req: UpdateRequest<LogSourceModel>,
    ) -> BoxFuture<'_, ApplyResponse<LogSourceModel>> {
        Box::pin(async move {
            let Some(id) = req.prior.id().map(str::to_string) else {
                return ApplyResponse::failed(
                    Diagnostic::error(
                        "Log source has no id",
                        "The state holds no id for this log source. Remove it from state and import it.",
                    )
                    .into(),
                );
            };
            let (patch, sent, creds_attr) = patch_for(&req.prior, &req.planned, &req.config);
            let mut private = Private::from_bytes(&req.planned_private);
            let touched_connection = patch.credentials.is_some() || patch.sources.is_some();
            let wants_verify = touched_connection && req.planned.verify.known() == Some(&true);
            if patch.is_empty() && !wants_verify {
                return ApplyResponse {
                    state: Some(req.planned),
                    private: None,
                    diagnostics: Diagnostics::new(),
                };
            }
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => return ApplyResponse::failed(d),
            };
            match self.settle_claim(&client, &id, &mut private).await {
                Ok(Owner::Us) => {}
                Ok(Owner::Other) => {
                    return ApplyResponse::failed(
                        Diagnostic::error(
                            "Log source claimed by another object",
                            format!(
                                "This object's create made log source {id} but could not claim \
                                 it, and it has been claimed since: by another Terraform object \
                                 (a replacement, or an identical resource), or by an interrupted \
                                 run of this one. It is not changed. If another object manages \
                                 {id}, remove this one from state (terraform state rm ADDRESS); if \
                                 none does, remove it and import {id} again."
                            ),
                        )
                        .into(),
                    )
                }
                Err(e) => return ApplyResponse::failed(api_diagnostics(&e, "update", creds_attr)),
            }
            // The claim is settled: kept even if the change below fails, since a claim made
            // again later would be answered as taken.
            let settled = Some(private.to_bytes());
            let state = if patch.is_empty() {
                req.planned.clone()
            } else {
                self.ctx.refresh().wrote(&id);
                match client.update(&id, &patch, private.generation).await {
                    Ok(u) => {
                        private.bump(u.generation);
                        if let Some(sent) = &sent {
                            record_sent(&client, &mut private, sent, creds_attr);
                        }
                        req.planned.clone().refreshed(&u.source)
                    }
                    Err(e) => {
                        return ApplyResponse {
                            state: None,
                            private: settled,
                            diagnostics: api_diagnostics(&e, "update", creds_attr),
                        }
                    }
                }
            };
            let diagnostics = if wants_verify {
                verify(&client, &req.planned, &req.config, &id).await
            } else {
                Diagnostics::new()
            };
            ApplyResponse {
                state: Some(state),
                private: Some(private.to_bytes()),
                diagnostics,
            }
        })
    }

    fn delete(&self, req: DeleteRequest<LogSourceModel>) -> BoxFuture<'_, Diagnostics> {
        Box::pin(async move {
            let Some(id) = req.prior.id() else {
                return Diagnostics::new();
            };
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => return d,
            };
            let mut private = Private::from_bytes(&req.private);
            match self.settle_claim(&client, id, &mut private).await {
                Ok(Owner::Us) => {}
                // A replacement (or an identical resource) adopted it: it is that object's
                // now, and stays.
                Ok(Owner::Other) => {
                    return Diagnostic::warning(
                        "Log source left in place",
                        format!(
                            "This object's create made log source {id} but could not claim it, \
                             and it has been claimed since, most likely by this object's \
                             replacement, which now manages it. It was not deleted. If no object \
                             in any state holds {id} (an earlier destroy of this object claimed \
                             it and then failed), delete it in SigSentry."
                        ),
                    )
                    .into();
                }
                Err(ApiError::NotFound { .. }) => return Diagnostics::new(),
                Err(e) => return api_diagnostics(&e, "delete", CredentialsAttr::Plain),
            }
            self.ctx.refresh().wrote(id);
            match client.delete(id).await {
                Ok(()) | Err(ApiError::NotFound { .. }) => Diagnostics::new(),
                Err(e) => api_diagnostics(&e, "delete", CredentialsAttr::Plain),
            }
        })
    }

    fn import(
        &self,
        req: ImportRequest<LogSourceIdentity>,
    ) -> BoxFuture<'_, ImportResponse<LogSourceModel>> {
        Box::pin(async move {
            let id = match self.import_target(&req) {
                Ok(id) => id,
                Err(d) => return ImportResponse::failed(d),
            };
            let id = id.as_str();
            if let Err(why) = crate::sigsentry::check_id(id) {
                return ImportResponse::failed(
                    Diagnostic::error(
                        "Invalid log source id",
                        format!(
                            "Import takes the log source's id, e.g. terraform import \
                             sigsentry_log_source.x ls_1234, but {why}."
                        ),
                    )
                    .into(),
                );
            }
            let client = match self.ctx.client() {
                Ok(c) => c,
                Err(d) => return ImportResponse::failed(d),
            };
            match client.get(id).await {
                // Credentials cannot be read back: null, so the next apply sends them in place.
                // Not claimed: with import blocks the plan imports too, and a claim made
                // there would read as taken at apply.
                Ok(source) => ImportResponse {
                    state: Some(LogSourceModel::default().refreshed(&source)),
                    private: Private::default().to_bytes(),
                    diagnostics: Diagnostics::new(),
                },
                Err(ApiError::NotFound { .. }) => ImportResponse::failed(
                    Diagnostic::error(
                        "Log source not found",
                        format!("No log source with id {id:?} exists in this project."),
                    )
                    .into(),
                ),
                Err(e) => {
                    ImportResponse::failed(api_diagnostics(&e, "import", CredentialsAttr::Plain))
                }
            }
        })
    }
}
