//! The `sigsentry_log_source` resource, on its typed model ([`LogSourceModel`]) and
//! private state ([`LogSourcePrivate`]). Which source belongs to which object is decided
//! in `ownership`, its project in `projects`, what an apply sends in `requests`; this file
//! maps their outcomes, and the API's answers, to state and diagnostics.

mod advice;
mod checks;
pub mod list;
mod messages;
pub mod model;
pub(crate) mod ownership;
pub mod private;
mod projects;
mod requests;
pub mod test_action;

pub use self::model::{LogSourceIdentity, LogSourceModel};
pub use self::private::LogSourcePrivate;

use self::ownership::{BeforeWrite, Claims, CreateFailure, Ledger, Twin};
use self::private::PlanFacts;
use self::requests::{credentials_to_send, patch_for, record_sent, secrets, verify};
use super::context::ProviderContext;
use super::errors::{api_diagnostics, CredentialsAttr};
use super::mapping::LogSourceView;
use crate::framework::model::copy_same_named;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::{
    Applied, ApplyResponse, CreateRequest, DeleteRequest, DeleteResponse, Field, ImportRequest,
    ImportResponse, Plan, PlanResponse, Planned, ReadRequest, ReadResponse, Resource,
    UpdateRequest, ValidateRequest,
};
use crate::sigsentry::{ApiError, Client, LogSource, LogSourcePatch, NewLogSource};
use std::sync::Arc;

/// The resource type name.
pub const TYPE_NAME: &str = "sigsentry_log_source";

/// How many sample log lines a passing verification logs, and how much of each.
const SAMPLE_LINES: usize = 5;
const SAMPLE_CHARS: usize = 200;

/// `sigsentry_log_source`.
pub struct LogSourceResource {
    pub(crate) ctx: Arc<ProviderContext>,
    ledger: Ledger,
}

impl LogSourceResource {
    /// A resource bound to the provider's shared context.
    pub fn new(ctx: Arc<ProviderContext>) -> Self {
        LogSourceResource {
            ctx,
            ledger: Ledger::default(),
        }
    }

    fn claims<'a>(&'a self, client: &'a Client) -> Claims<'a> {
        Claims {
            client,
            ledger: &self.ledger,
        }
    }

    /// The twin of a model whose type, name and sources are known.
    fn twin(&self, m: &LogSourceModel) -> Option<Twin> {
        Some(Twin {
            project: self.effective_project(m).unwrap_or_default(),
            log_type: m.log_type.known()?.clone(),
            name: m.name.known()?.clone(),
            sources: m.sources.known().map(|_| m.known_sources())?,
        })
    }

    /// Notes that an object of the served state holds `state`'s source, and claims it for
    /// that object when an identical create is planned (see `ownership`).
    async fn note_held(&self, state: &LogSourceModel) {
        let Some(id) = state.id() else {
            return;
        };
        let to_claim = self.ledger.held(id, self.twin(state));
        if !to_claim.is_empty() {
            if let Ok(client) = self.client_for(state) {
                self.claims(&client).for_holders(&to_claim).await;
            }
        }
    }
}

impl LogSourceModel {
    /// This object after the API described its source: the API's attributes from the
    /// source (see `mapping`), and what only Terraform knows (credentials, which the API
    /// never returns, and `verify`) carried over from `self`.
    pub(crate) fn refreshed(self, source: &LogSource) -> LogSourceModel {
        let project = self.project_id.clone();
        let mut out = match copy_same_named(&LogSourceView::from(source), self.clone()) {
            Ok(m) => m,
            // The view and the model declare their shared attributes alike (a unit test
            // checks it): this cannot happen, and the state stays as it was if it does.
            Err(_) => self,
        };
        out.credentials_wo = Field::Null;
        // The project: as the API reports it, except that null stays null (state of a
        // release before per-resource projects, for a project-scoped key: its identity
        // has no project, and must keep none), and an API that reports none changes none.
        if project.is_null() || source.project_id.is_none() {
            out.project_id = project;
        }
        out
    }

    fn id(&self) -> Option<&str> {
        self.id.known().map(String::as_str)
    }
}

/// The private state to answer a read or an unchanged update with: `None` keeps what
/// Terraform holds, unless it still carries what earlier releases kept and this one drops.
fn cleaned(private: &LogSourcePrivate) -> Option<LogSourcePrivate> {
    private
        .holds_legacy_digest()
        .then(|| private.clone().without_legacy())
}

impl LogSourceResource {
    /// The identity of source `id` in `project` (`None`: the provider's, as before
    /// per-resource projects, so that identities stored then stay equal).
    pub(crate) fn identity_of(&self, id: &str, project: Option<&str>) -> LogSourceIdentity {
        LogSourceIdentity {
            id: Field::Known(id.to_string()),
            project_id: self
                .ctx
                .project_or_default(project.map(str::to_string).as_ref())
                .into(),
        }
    }

    /// The project and id to import: `PROJECT/ID` or a bare `ID` (the provider's project,
    /// or a project-scoped key's own), or the identity's.
    fn import_target(
        &self,
        req: &ImportRequest<LogSourceIdentity>,
    ) -> Result<(Option<String>, String), Diagnostics> {
        if let Some(identity) = &req.identity {
            let project = identity.project_id.known().cloned();
            let id = identity.id.known().cloned().unwrap_or_default();
            return Ok((self.ctx.project_or_default(project.as_ref()), id));
        }
        let given = req.id.trim();
        match given.split_once('/') {
            Some((project, id)) => {
                if !crate::sigsentry::contract::is_project_id(project) {
                    return Err(Diagnostic::error(
                        "Invalid import id",
                        format!(
                            "Import takes ID or PROJECT/ID (e.g. prj_payments/ls_1234), but \
                             {project:?} before the \"/\" is not a project id (\"prj_\" then \
                             letters, digits, \"_\" or \"-\")."
                        ),
                    )
                    .into());
                }
                Ok((Some(project.to_string()), id.to_string()))
            }
            None => Ok((self.ctx.project(), given.to_string())),
        }
    }
}

impl Resource for LogSourceResource {
    type Model = LogSourceModel;
    type Identity = LogSourceIdentity;
    type Private = LogSourcePrivate;

    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn identity(&self, state: &LogSourceModel) -> Option<LogSourceIdentity> {
        let project = state.project_id.known().map(String::as_str);
        state.id().map(|id| self.identity_of(id, project))
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

    async fn observe(&self, state: LogSourceModel) {
        self.note_held(&state).await;
    }

    /// Plan-time advice and ownership facts, never a change to the plan's values.
    async fn modify_plan(&self, req: Plan<Self>) -> Planned<Self> {
        let mut out = PlanResponse::unchanged(req.planned);
        let Ok(client) = self.ctx.client() else {
            return out;
        };
        if let Some(prior) = &req.prior {
            self.note_held(prior).await;
            if let Some(replace) = self.plan_project(prior, &req.config, &mut out.planned) {
                out.requires_replace.push(replace);
            }
            out.diagnostics = advice::unsent_write_only(prior, &req.config, &req.prior_private);
        } else if req.config.project_id.is_null() {
            // A create's project: the provider's when set, else the key's own (reported by
            // the API when made).
            if let Some(p) = self.ctx.project() {
                out.planned.project_id = Field::Known(p);
            }
        }
        // An update addresses the project its source is in (a move is a replacement, whose
        // create is planned next); its refresh already asked the API there.
        if req.prior.is_some() {
            return out;
        }
        // Terraform 1.16+: the final plan before apply gets the first plan's facts back;
        // the project was checked and the advice given then, and the facts go on to the
        // create.
        if let Some(saved) = req.saved_plan_private {
            if saved.plan.as_ref().is_some_and(|p| p.advised) {
                out.planned_private = Some(saved);
                return out;
            }
        }
        // A create's project known now is checked now; one known only at apply, then.
        if out.planned.project_id.is_unknown() && !req.config.project_id.is_null() {
            return out;
        }
        let client = client.in_project(self.project_of(&out.planned).as_deref());
        // The project check and the advice's listing go out together (one round trip),
        // unless the check's answer may make the listing free.
        let (problems, listing) = if self.ctx.listing_waits_for_check(client.project()) {
            let problems = self.check_project(&client).await;
            (problems, self.ctx.project_sources(&client).await)
        } else {
            tokio::join!(
                self.check_project(&client),
                self.ctx.project_sources(&client)
            )
        };
        if problems.has_errors() {
            out.diagnostics.extend(problems);
            return out;
        }
        let held = match self.twin(&out.planned) {
            Some(twin) => {
                let (to_claim, held) = self.ledger.planned(twin);
                if !to_claim.is_empty() {
                    self.claims(&client).for_holders(&to_claim).await;
                }
                held
            }
            None => Default::default(),
        };
        out.diagnostics.extend(advice::duplicate(
            &out.planned,
            listing.as_deref().map(Vec::as_slice),
            |id| self.ledger.is_held(id),
        ));
        if req.plan_private_returns {
            out.planned_private = Some(LogSourcePrivate {
                plan: Some(PlanFacts {
                    held,
                    advised: true,
                }),
                ..Default::default()
            });
        }
        out
    }

    async fn create(&self, req: CreateRequest<LogSourceModel, LogSourcePrivate>) -> Applied<Self> {
        let planned = req.planned;
        let client = match self.client_for(&planned) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(d),
        };
        // A project unknown at plan time is checked now, before anything is written (once
        // per process; with Terraform 1.16 the plan's facts say it was checked then).
        if req.planned_private.plan.is_none() {
            let problems = self.check_project(&client).await;
            if problems.has_errors() {
                return ApplyResponse::failed(problems);
            }
        }
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
        let held = req.planned_private.plan.map(|p| p.held).unwrap_or_default();
        let made =
            match ownership::create(&client, &self.ledger, &body, &self.ctx.scope(), &held).await {
                Ok(m) => m,
                Err(failure) => {
                    let diagnostics = messages::create_failed(&failure, creds_attr);
                    // A source this request made is returned with the error, so Terraform
                    // records it (tainted) and it is never lost.
                    let kept = match failure {
                        CreateFailure::Mismatch {
                            source,
                            replayed: false,
                            ..
                        } => Some(planned.refreshed(&source)),
                        _ => None,
                    };
                    return ApplyResponse {
                        state: kept,
                        private: Some(LogSourcePrivate::default()),
                        diagnostics,
                    };
                }
            };
        self.ctx.refresh(client.project()).wrote(&made.source.id);
        if client.project().is_none() {
            if let Some(p) = &made.source.project_id {
                self.ctx.learned_key_project(p);
            }
        }
        let mut diagnostics = messages::passed_over(&made.passed_over);
        let mut source = made.source;
        let mut private = LogSourcePrivate {
            adopted_in: made.adopted.then(|| self.ledger.mark().to_string()),
            ..Default::default()
        };
        record_sent(&mut private, &creds, creds_attr);
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
        let mut state = planned.refreshed(&source);
        if state.project_id.is_unknown() {
            // An API that does not report projects: the one addressed, or the key's own.
            state.project_id = client
                .project()
                .map(str::to_string)
                .or_else(|| self.ctx.key_project())
                .into();
        }
        ApplyResponse {
            state: Some(state),
            private: Some(private),
            diagnostics,
        }
    }

    async fn read(
        &self,
        req: ReadRequest<LogSourceModel, LogSourcePrivate>,
    ) -> ReadResponse<LogSourceModel, LogSourcePrivate> {
        let mut out = ReadResponse {
            state: Some(req.state.clone()),
            private: cleaned(&req.private),
            diagnostics: Diagnostics::new(),
        };
        let Some(id) = req.state.id() else {
            return out;
        };
        self.note_held(&req.state).await;
        let client = match self.client_for(&req.state) {
            Ok(c) => c,
            Err(d) => {
                out.diagnostics = d;
                return out;
            }
        };
        match self.ctx.refresh(client.project()).read(&client, id).await {
            Ok(source) => {
                if client.project().is_none() {
                    if let Some(p) = &source.project_id {
                        self.ctx.learned_key_project(p);
                    }
                }
                let mut state = req.state.clone().refreshed(&source);
                // State of a release before per-resource projects, with a provider project:
                // that project, which its identity already names.
                if state.project_id.is_null() {
                    state.project_id = self.ctx.project().into();
                }
                out.state = Some(state);
            }
            Err(ApiError::NotFound { .. }) => {
                tracing::info!(%id, "log source no longer exists; removing it from state");
                out.state = None;
            }
            Err(e) => out.diagnostics = api_diagnostics(&e, "read", CredentialsAttr::Plain),
        }
        out
    }

    async fn update(&self, req: UpdateRequest<LogSourceModel, LogSourcePrivate>) -> Applied<Self> {
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
        let mut private = req.planned_private.without_legacy();
        let touched_connection = patch.credentials.is_some() || patch.sources.is_some();
        let wants_verify = touched_connection && req.planned.verify.known() == Some(&true);
        if patch.is_empty() && !wants_verify {
            return ApplyResponse {
                state: Some(req.planned),
                private: Some(private),
                diagnostics: Diagnostics::new(),
            };
        }
        let client = match self.client_for(&req.prior) {
            Ok(c) => c,
            Err(d) => return ApplyResponse::failed(d),
        };
        let mut diagnostics = Diagnostics::new();
        if private.claim_before_write {
            match self.claims(&client).before_write(&id).await {
                Ok(BeforeWrite::ClaimedByAnother) => {
                    diagnostics.extend(messages::claimed_by_another(&id))
                }
                Ok(BeforeWrite::Ours | BeforeWrite::Gone) => {}
                Err(e) => return ApplyResponse::failed(api_diagnostics(&e, "update", creds_attr)),
            }
            private.claim_before_write = false;
        }
        let state = if patch.is_empty() {
            req.planned.clone()
        } else {
            self.ctx.refresh(client.project()).wrote(&id);
            match client.update(&id, &patch, private.generation).await {
                Ok(u) => {
                    private.bump(u.generation);
                    if let Some(sent) = &sent {
                        record_sent(&mut private, sent, creds_attr);
                    }
                    req.planned.clone().refreshed(&u.source)
                }
                Err(e) => {
                    // The claim is settled either way: kept, with the prior state.
                    diagnostics.extend(api_diagnostics(&e, "update", creds_attr));
                    return ApplyResponse {
                        state: None,
                        private: Some(private),
                        diagnostics,
                    };
                }
            }
        };
        if wants_verify {
            diagnostics.extend(verify(&client, &req.planned, &req.config, &id).await);
        }
        ApplyResponse {
            state: Some(state),
            private: Some(private),
            diagnostics,
        }
    }

    async fn delete(
        &self,
        req: DeleteRequest<LogSourceModel, LogSourcePrivate>,
    ) -> DeleteResponse<LogSourcePrivate> {
        let Some(id) = req.prior.id() else {
            return Diagnostics::new().into();
        };
        if self
            .ledger
            .adopted_by_another(id, req.private.adopted_in.as_deref())
        {
            tracing::info!(%id, "not deleting a source this process adopted for another object");
            return messages::left_to_adopter(id).into();
        }
        let client = match self.client_for(&req.prior) {
            Ok(c) => c,
            Err(d) => return d.into(),
        };
        if req.private.claim_before_write {
            match self.claims(&client).before_write(id).await {
                Ok(BeforeWrite::Ours) => {}
                Ok(BeforeWrite::ClaimedByAnother) => return messages::left_to_claimant(id).into(),
                Ok(BeforeWrite::Gone) => {
                    self.ledger.deleted(id);
                    return Diagnostics::new().into();
                }
                Err(e) => return api_diagnostics(&e, "delete", CredentialsAttr::Plain).into(),
            }
        }
        self.ctx.refresh(client.project()).wrote(id);
        match client.delete(id).await {
            Ok(()) | Err(ApiError::NotFound { .. }) => {
                self.ledger.deleted(id);
                Diagnostics::new().into()
            }
            Err(e) => api_diagnostics(&e, "delete", CredentialsAttr::Plain).into(),
        }
    }

    async fn import(
        &self,
        req: ImportRequest<LogSourceIdentity>,
    ) -> ImportResponse<LogSourceModel, LogSourcePrivate> {
        let (project, id) = match self.import_target(&req) {
            Ok(t) => t,
            Err(d) => return ImportResponse::failed(d),
        };
        let id = id.as_str();
        if let Err(why) = crate::sigsentry::check_id(id) {
            return ImportResponse::failed(
                Diagnostic::error(
                    "Invalid log source id",
                    format!(
                        "Import takes the log source's id, e.g. terraform import \
                         sigsentry_log_source.x ls_1234 (or prj_x/ls_1234 for another \
                         project), but {why}."
                    ),
                )
                .into(),
            );
        }
        let client = match self.ctx.client() {
            Ok(c) => c.in_project(project.as_deref()),
            Err(d) => return ImportResponse::failed(d),
        };
        match client.get(id).await {
            // Credentials cannot be read back: null, so the next apply sends them in place.
            // Import is trusted, not arbitrated: the source is claimed at the first
            // apply-time write (a claim here, in a plan with import blocks, would be
            // forgotten with the plan and then read as another object's).
            Ok(source) => {
                let mut state = LogSourceModel::default().refreshed(&source);
                state.project_id = source.project_id.clone().or(project).into();
                ImportResponse {
                    state: Some(state),
                    private: LogSourcePrivate {
                        claim_before_write: true,
                        ..Default::default()
                    },
                    diagnostics: Diagnostics::new(),
                }
            }
            Err(ApiError::NotFound { .. }) => ImportResponse::failed(
                Diagnostic::error(
                    "Log source not found",
                    format!(
                        "No log source with id {id:?} exists in {}. A source of another \
                         project imports as PROJECT/ID, e.g. prj_other/{id}.",
                        match client.project() {
                            Some(p) => format!("project {p:?}"),
                            None => "this API key's project".to_string(),
                        }
                    ),
                )
                .into(),
            ),
            Err(e) => ImportResponse::failed(self.ctx.failed(&e, &client, "import")),
        }
    }
}
