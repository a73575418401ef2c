//! What the provider's resources share: the configured API client and its settings.

use super::config::Settings;
use super::errors::CredentialsAttr;
use super::refresh::Refresh;
use super::walks::CommandWalks;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::sigsentry::{ApiError, Client, ClientConfig, ListFilter, LogSource};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use tokio_util::sync::CancellationToken;

/// The most pages plan-time advice reads (a project of up to 500 sources).
pub const ADVICE_PAGES: usize = 5;

/// The state of the provider's configuration.
#[derive(Default)]
enum Configured {
    /// ConfigureProvider has not run.
    #[default]
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

/// Something kept once per project a process addresses (`None`: the key's own).
struct PerProject<T>(Mutex<HashMap<Option<String>, Arc<T>>>);

impl<T: Default> PerProject<T> {
    fn get(&self, project: Option<&str>) -> Arc<T> {
        let mut m = match self.0.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        m.entry(project.map(str::to_string)).or_default().clone()
    }

    fn any(&self, f: impl Fn(&T) -> bool) -> bool {
        let m = match self.0.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        m.values().any(|t| f(t))
    }
}

impl<T> Default for PerProject<T> {
    fn default() -> Self {
        PerProject(Mutex::new(HashMap::new()))
    }
}

/// Shared by the provider and its resources.
#[derive(Default)]
pub struct ProviderContext {
    state: RwLock<Configured>,
    cancel: CancellationToken,
    /// One walk of each project's list, for plan-time advice (see `project_sources`).
    listing: PerProject<tokio::sync::OnceCell<Option<Arc<Vec<LogSource>>>>>,
    /// The refresh reads of each project (see `refresh`).
    refresh: PerProject<Refresh>,
    /// Whether each project the process addresses is usable with the key (see
    /// `check_project`).
    checked: PerProject<tokio::sync::OnceCell<Result<(), ApiError>>>,
    /// The key's own project, once an answer to a request naming none showed it.
    key_project: Mutex<Option<String>>,
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

    /// The provider's `project_id` (`None` for a project-scoped key's own project, or
    /// before configuration): every resource's default.
    pub fn project(&self) -> Option<String> {
        match self.state.read().as_deref() {
            Ok(Configured::Ready { client, .. }) => client.config().project_id.clone(),
            _ => None,
        }
    }

    /// The project a request about an object names: its own `project_id` when known, else
    /// the provider's (`None`: a project-scoped key's own).
    pub fn project_or_default(&self, own: Option<&String>) -> Option<String> {
        own.cloned().or_else(|| self.project())
    }

    /// The client addressing [`project_or_default`](Self::project_or_default)`(own)`.
    pub fn client_in(&self, own: Option<&String>) -> Result<Client, Diagnostics> {
        Ok(self
            .client()?
            .in_project(self.project_or_default(own).as_deref()))
    }

    /// The Terraform state this process serves ("" before configuration).
    pub fn scope(&self) -> String {
        match self.state.read().as_deref() {
            Ok(Configured::Ready { scope, .. }) => scope.clone(),
            _ => String::new(),
        }
    }

    /// Every source of `client`'s project, for plan-time advice: listed at most once per
    /// terraform command and project (see `walks`), at most [`ADVICE_PAGES`] pages. `None`
    /// when this walk does not advise, or the listing failed or did not end within its
    /// bound: the advice then stays silent.
    pub async fn project_sources(&self, client: &Client) -> Option<Arc<Vec<LogSource>>> {
        let walks = match self.state.read().as_deref() {
            Ok(Configured::Ready { walks, .. }) => walks.clone(),
            _ => return None,
        };
        let project = client.project();
        self.listing
            .get(project)
            .get_or_init(|| async {
                if !walks.may_advise(project) {
                    return None;
                }
                walks.advised(project);
                // A refresh that walked the whole list already answers: this project's, or,
                // for the key's own project named by no header, the walk that named it.
                let own = || self.key_project().filter(|_| project.is_none());
                let walked = self
                    .refresh(project)
                    .complete()
                    .or_else(|| own().and_then(|k| self.refresh(Some(&k)).complete()));
                if let Some(all) = walked {
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

    /// True when the advice's listing of `project` should wait for its project check
    /// rather than go out beside it: naming no project, the key's own is not known yet,
    /// and a refresh walk already done may be of that project, which the check's answer
    /// names (then the listing costs nothing).
    pub fn listing_waits_for_check(&self, project: Option<&str>) -> bool {
        project.is_none() && self.key_project().is_none() && self.refresh.any(Refresh::is_complete)
    }

    /// The refresh reads of `project` in this process.
    pub fn refresh(&self, project: Option<&str>) -> Arc<Refresh> {
        self.refresh.get(project)
    }

    /// Checks once per process that `client`'s project can be used with the key: one
    /// read of the list, limited to one source. The error is the API's (a tenant key
    /// naming no project, another project than a project-scoped key's own, a project the
    /// tenant does not have); see `errors::project_problem` for what it says.
    pub async fn check_project(&self, client: &Client) -> Result<(), ApiError> {
        let project = client.project();
        // The plan walk of this command checked it (and failed the plan if it had to);
        // unless naming no project, where the answer also teaches the key's own project,
        // which twins and new state need in this process too.
        let teaches = project.is_none() && self.key_project().is_none();
        if let Ok(Configured::Ready { walks, .. }) = self.state.read().as_deref() {
            if !teaches && walks.earlier_walk_advised(project) {
                return Ok(());
            }
        }
        self.checked
            .get(project)
            .get_or_init(|| async {
                let filter = ListFilter {
                    page_size: Some(1),
                    ..Default::default()
                };
                let page = client.list_page(&filter, None).await?;
                if project.is_none() {
                    if let Some(p) = page.items.first().and_then(|s| s.project_id.clone()) {
                        self.learned_key_project(&p);
                    }
                }
                Ok(())
            })
            .await
            .clone()
    }

    /// Diagnostics for a failed `action` of `client`: what is wrong with its project, when
    /// that is the problem (see `errors::project_problem`), else the API's error.
    pub fn failed(&self, e: &ApiError, client: &Client, action: &str) -> Diagnostics {
        let key = self.key_project();
        super::errors::project_problem(e, client.project(), key.as_deref())
            .map(Diagnostics::from)
            .unwrap_or_else(|| super::errors::api_diagnostics(e, action, CredentialsAttr::Plain))
    }

    /// Records the key's own project, as an answer to a request naming none showed it.
    pub fn learned_key_project(&self, project: &str) {
        if let Ok(mut k) = self.key_project.lock() {
            *k = Some(project.to_string());
        }
    }

    /// The key's own project, when an answer showed it.
    pub fn key_project(&self) -> Option<String> {
        self.key_project.lock().ok().and_then(|k| k.clone())
    }

    /// Cancels every in-flight API call (Terraform's StopProvider).
    pub fn stop(&self) {
        self.cancel.cancel();
    }
}
