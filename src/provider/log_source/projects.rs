//! Which project a log source lives in, and what a plan checks about it: the one place
//! the resource's project rules are written (the provider's default, the key's own, a move
//! being a replacement, the check that the key can use the project).

use super::model::LogSourceModel;
use super::LogSourceResource;
use crate::framework::prelude::{AttributePath, Diagnostics};
use crate::provider::errors;
use crate::sigsentry::{ApiError, Client};

impl LogSourceResource {
    /// The project requests about `m` name: its own `project_id`, else the provider's
    /// (`None`: a project-scoped key's own).
    pub(super) fn project_of(&self, m: &LogSourceModel) -> Option<String> {
        self.ctx.project_or_default(m.project_id.known())
    }

    /// The client, addressing the project of `m`.
    pub(super) fn client_for(&self, m: &LogSourceModel) -> Result<Client, Diagnostics> {
        self.ctx.client_in(m.project_id.known())
    }

    /// The project `m` lives in when it can be told: its own, the provider's, or the key's.
    pub(super) fn effective_project(&self, m: &LogSourceModel) -> Option<String> {
        self.project_of(m).or_else(|| self.ctx.key_project())
    }

    /// Checks, once per project and process, that the key can use the project `client`
    /// names: an error at `project_id` saying what is wrong, before anything is written.
    pub(super) async fn check_project(&self, client: &Client) -> Diagnostics {
        match self.ctx.check_project(client).await {
            Ok(()) => Diagnostics::new(),
            Err(e) => {
                if matches!(e, ApiError::Forbidden { .. }) && client.project().is_some() {
                    // A project-scoped key refused another project: one read naming none
                    // shows the key's own, for the message.
                    let _ = self.ctx.check_project(&client.in_project(None)).await;
                }
                let key = self.ctx.key_project();
                match errors::project_problem(&e, client.project(), key.as_deref()) {
                    Some(d) => d.into(),
                    // Not about the project: the create itself reports it, if it matters.
                    None => {
                        tracing::debug!(error = %e, "project check inconclusive");
                        Diagnostics::new()
                    }
                }
            }
        }
    }

    /// An update's project: unset in configuration, the prior one stays, unless the
    /// provider now names another (then it moves); set, it is the configured one. A move
    /// between projects replaces the source: the path that says so, if it moves. Prior
    /// state of a release before per-resource projects holds none: its project is the
    /// provider's, or the key's own.
    pub(super) fn plan_project(
        &self,
        prior: &LogSourceModel,
        config: &LogSourceModel,
        planned: &mut LogSourceModel,
    ) -> Option<AttributePath> {
        let before = self.effective_project(prior);
        let after = match config.project_id.known() {
            Some(p) => Some(p.clone()),
            None if config.project_id.is_unknown() => return None,
            None => match (self.ctx.project(), &before) {
                (Some(p), Some(b)) if &p != b => Some(p),
                _ => return None,
            },
        };
        planned.project_id = after.clone().into();
        let moves = match (&before, &after) {
            (Some(b), Some(a)) => a != b,
            // A legacy object of a project-scoped key, whose project no answer showed yet:
            // naming a project is not taken for a move (a wrong one fails at apply).
            _ => false,
        };
        moves.then(|| AttributePath::attr("project_id"))
    }
}
