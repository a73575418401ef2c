//! What the provider's resources share: the configured API client and its settings.

use super::config::Settings;
use super::refresh::Refresh;
use super::walks::CommandWalks;
use crate::sigsentry::{Client, ClientConfig, ListFilter, LogSource};
use crate::tfplugin::diagnostics::{Diagnostic, Diagnostics};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};
use tokio_util::sync::CancellationToken;

/// The most pages plan-time advice reads (a project of up to 500 sources).
pub const ADVICE_PAGES: usize = 5;

/// The state of the provider's configuration.
enum Configured {
    /// ConfigureProvider has not run.
    Not,
    /// Configuration held values unknown until apply (from other resources).
    Deferred,
    /// Configuration failed; the reason is in the diagnostics already shown.
    Failed(String),
    /// Ready.
    Ready {
        client: Arc<Client>,
        /// The Terraform state being served (see `state_scope`).
        scope: String,
        /// Which walk of the command this is (see `walks`).
        walks: Arc<CommandWalks>,
    },
}

/// Shared by the provider and its resources.
pub struct ProviderContext {
    state: RwLock<Configured>,
    cancel: CancellationToken,
    /// One walk of the project's list, for plan-time checks (see `project_sources`).
    listing: tokio::sync::OnceCell<Option<Arc<Vec<LogSource>>>>,
    /// Ids of sources this process saw held by objects of the state it serves.
    in_state: Mutex<HashSet<String>>,
    /// The refresh reads (see `refresh`).
    refresh: Arc<Refresh>,
}

impl Default for ProviderContext {
    fn default() -> Self {
        ProviderContext {
            state: RwLock::new(Configured::Not),
            cancel: CancellationToken::new(),
            listing: tokio::sync::OnceCell::new(),
            in_state: Mutex::new(HashSet::new()),
            refresh: Arc::new(Refresh::default()),
        }
    }
}

impl ProviderContext {
    /// Builds the client from resolved settings.
    pub fn configure(&self, s: Settings, user_agent: String) -> Result<(), String> {
        let Settings {
            api_url,
            api_key,
            project,
            max_retries,
            timeout,
            total_timeout,
        } = s;
        let mut cfg = ClientConfig::new(api_url);
        cfg.api_key = api_key;
        cfg.project_id = project;
        cfg.user_agent = user_agent;
        if let Some(n) = max_retries {
            cfg.max_retries = n;
        }
        if let Some(t) = timeout {
            cfg.request_timeout = t;
            cfg.connect_timeout = cfg.connect_timeout.min(t);
        }
        if let Some(t) = total_timeout {
            cfg.total_timeout = t;
        }
        let result = Client::new(cfg).map(|c| c.with_cancellation(self.cancel.clone()));
        let mut state = match self.state.write() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        match result {
            Ok(client) => {
                let scope = super::state_scope::current();
                *state = Configured::Ready {
                    client: Arc::new(client),
                    walks: Arc::new(CommandWalks::current(&scope)),
                    scope,
                };
                Ok(())
            }
            Err(e) => {
                let msg = e.to_string();
                *state = Configured::Failed(msg.clone());
                Err(msg)
            }
        }
    }

    /// Marks the configuration as not known until apply.
    pub fn defer(&self) {
        if let Ok(mut g) = self.state.write() {
            *g = Configured::Deferred;
        }
    }

    /// The client, or an error diagnostic saying why there is none.
    pub fn client(&self) -> Result<Arc<Client>, Diagnostics> {
        let state = match self.state.read() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        match &*state {
            Configured::Ready { client, .. } => Ok(client.clone()),
            Configured::Deferred => Err(Diagnostic::error(
                "Provider configuration not known yet",
                "The sigsentry provider block uses values that are known only after apply \
                 (from other resources), so the API cannot be reached yet. Apply those resources \
                 first (terraform apply -target=...), or set the values directly.",
            )
            .into()),
            Configured::Failed(reason) => Err(Diagnostic::error(
                "Provider not configured",
                format!("The sigsentry provider could not be configured: {reason}"),
            )
            .into()),
            Configured::Not => Err(Diagnostic::error(
                "Provider not configured",
                "Terraform did not configure the sigsentry provider before using it.",
            )
            .into()),
        }
    }

    /// The project configured for tenant-scoped keys (`None` for a project-scoped key,
    /// whose project is implicit, or before configuration).
    pub fn project(&self) -> Option<String> {
        match self.state.read().as_deref() {
            Ok(Configured::Ready { client, .. }) => client.config().project_id.clone(),
            _ => None,
        }
    }

    /// The Terraform state this process serves ("" before configuration).
    pub fn scope(&self) -> String {
        match self.state.read().as_deref() {
            Ok(Configured::Ready { scope, .. }) => scope.clone(),
            _ => String::new(),
        }
    }

    /// Every source of the project, for plan-time advice: listed at most once per
    /// terraform command (see `walks`), at most [`ADVICE_PAGES`] pages. `None` when this
    /// walk does not advise, or the listing failed or did not end within its bound: the
    /// advice then stays silent.
    pub async fn project_sources(&self, client: &Client) -> Option<Arc<Vec<LogSource>>> {
        let walks = match self.state.read().as_deref() {
            Ok(Configured::Ready { walks, .. }) => walks.clone(),
            _ => return None,
        };
        self.listing
            .get_or_init(|| async {
                if !walks.may_advise() {
                    return None;
                }
                walks.advised();
                // A refresh that walked the whole list already answers.
                if let Some(all) = self.refresh.complete() {
                    return Some(Arc::new(all));
                }
                let mut walk = client.walk(ListFilter::default());
                let mut all = Vec::new();
                for _ in 0..ADVICE_PAGES {
                    match walk.next().await {
                        None => return Some(Arc::new(all)),
                        Some(Ok(items)) => all.extend(items),
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "listing the project for plan-time advice failed");
                            return None;
                        }
                    }
                }
                // More pages than the advice may cost: it stays silent.
                walk.finished().then(|| Arc::new(all))
            })
            .await
            .clone()
    }

    /// The refresh reads of this process.
    pub fn refresh(&self) -> &Arc<Refresh> {
        &self.refresh
    }

    /// Notes that an object of the served state holds source `id`.
    pub fn note_in_state(&self, id: &str) {
        if let Ok(mut s) = self.in_state.lock() {
            s.insert(id.to_string());
        }
    }

    /// True when this process saw an object of the served state hold `id`.
    pub fn is_in_state(&self, id: &str) -> bool {
        self.in_state.lock().is_ok_and(|s| s.contains(id))
    }

    /// Cancels every in-flight API call (Terraform's StopProvider).
    pub fn stop(&self) {
        self.cancel.cancel();
    }
}
