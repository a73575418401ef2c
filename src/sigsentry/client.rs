//! The client: one [`Transport`] and one [`RetryPolicy`] per configured provider, and
//! [`Client::call`], which sends a request under that policy within one deadline and
//! stops when Terraform asks. The operations, built on `call`, are in operations.rs.

use super::call::Call;
use super::config::ClientConfig;
use super::error::ApiError;
use super::keys::KeyDeriver;
use super::retry::{Decision, RetryPolicy};
use super::sanitize::Redactor;
use super::secret::Secret;
use super::transport::{Answer, Transport};
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// The SigSentry API client, addressing one project (see [`Client::in_project`]). Cheap
/// to clone: every clone shares one connection pool and one pace.
#[derive(Clone, Debug)]
pub struct Client {
    shared: Arc<Shared>,
    /// The project requests name (`X-Project-Id`); `None` for a project-scoped key's own.
    project: Option<String>,
}

/// What every project's view of one client shares.
#[derive(Debug)]
struct Shared {
    transport: Transport,
    retry: RetryPolicy,
    config: ClientConfig,
    keys: Option<KeyDeriver>,
    /// Cleans what the API says: the API key redacted, control characters dropped.
    redact: Redactor,
    cancel: CancellationToken,
}

impl Client {
    /// A client for `config`, in its project; refuses a plain-http URL to anything but
    /// loopback.
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let transport = Transport::new(&config)?;
        let redact = Redactor::new(config.api_key.iter().map(Secret::expose));
        Ok(Client {
            project: config.project_id.clone(),
            shared: Arc::new(Shared {
                transport,
                retry: RetryPolicy::new(&config),
                keys: config.api_key.as_ref().map(KeyDeriver::new),
                redact,
                config,
                cancel: CancellationToken::new(),
            }),
        })
    }

    /// Uses `token` to cancel in-flight calls and backoff waits at once (Terraform's
    /// StopProvider). Set when the client is built, before any view of it is taken.
    pub fn with_cancellation(mut self, token: CancellationToken) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.cancel = token;
        }
        self
    }

    /// The same client addressing `project` (`None`: the key's own, for a project-scoped
    /// key). The pace, connections and deadlines stay shared: a rate limit is the key's.
    pub fn in_project(&self, project: Option<&str>) -> Client {
        Client {
            shared: self.shared.clone(),
            project: project.map(str::to_string),
        }
    }

    /// The project requests name, if any.
    pub fn project(&self) -> Option<&str> {
        self.project.as_deref()
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.shared.config
    }

    pub(super) fn transport(&self) -> &Transport {
        &self.shared.transport
    }

    pub(super) fn redactor(&self) -> &Redactor {
        &self.shared.redact
    }

    pub(super) fn keys(&self) -> Result<&KeyDeriver, ApiError> {
        self.shared.keys.as_ref().ok_or(ApiError::MissingApiKey)
    }

    /// `call` sent until it succeeds or the retry policy stops it, all within one
    /// deadline: each attempt gets at most what is left of it, and a wait that would pass
    /// it ends the call. Terraform's stop cancels it, unless the call says otherwise.
    pub(super) async fn call(&self, mut call: Call) -> Result<Answer, ApiError> {
        call.project = self.project.clone();
        let started = Instant::now();
        let mut retries = self.shared.retry.start(started);
        let mut redact = self.shared.redact.clone();
        redact.extend(&call.redact);
        let label = call.label();
        let run = async {
            loop {
                let deadline = retries.deadline();
                let Some(result) = self.shared.transport.send(&call, deadline, &redact).await
                else {
                    return Err(retries.too_late());
                };
                let attempt = retries.sent();
                let elapsed_ms = started.elapsed().as_millis() as u64;
                let e = match result {
                    Ok(mut a) => {
                        tracing::debug!(method = %call.method, path = %label, status = a.status.as_u16(), attempt, elapsed_ms, "SigSentry API call");
                        a.after_uncertain_attempt = retries.uncertain();
                        return Ok(a);
                    }
                    Err(e) => e,
                };
                tracing::debug!(method = %call.method, path = %label, attempt, elapsed_ms, error = %e, "SigSentry API call failed");
                match retries.after(e, Instant::now()) {
                    Decision::Retry(wait) => tokio::time::sleep(wait).await,
                    Decision::Stop(e) => return Err(e),
                }
            }
        };
        let result = if call.cancellable {
            tokio::select! {
                r = run => r,
                _ = self.shared.cancel.cancelled() => Err(ApiError::Cancelled),
            }
        } else {
            run.await
        };
        result.map_err(|e| retries.explain(e))
    }

    /// Whether `other` shares this client's pace.
    #[cfg(test)]
    pub(super) fn shares_pace_with(&self, other: &Client) -> bool {
        self.transport().shares_pace_with(other.transport())
    }

    /// Cleans text the API sent (a test's sample lines, a platform's error) for showing:
    /// the API key redacted, control characters dropped, the length capped.
    pub fn clean(&self, text: &str) -> String {
        self.shared.redact.clean(text)
    }
}
