//! What an apply sends: the credentials (plain or write-only), the PATCH that moves a
//! source from its prior state to the planned one, what is kept of write-only credentials
//! (their key names), and the connection test `verify = true` asks for.

use super::model::LogSourceModel;
use super::private::LogSourcePrivate;
use super::{SAMPLE_CHARS, SAMPLE_LINES};
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::provider::errors::{api_diagnostics, CredentialsAttr};
use crate::sigsentry::{Client, LogSourcePatch, Secret};
use std::collections::BTreeMap;

pub(super) fn secrets(map: &BTreeMap<String, String>) -> BTreeMap<String, Secret> {
    map.iter()
        .map(|(k, v)| (k.clone(), Secret::new(v.clone())))
        .collect()
}

/// Which credentials an apply sends, and where diagnostics about them point.
pub(super) fn credentials_to_send(
    planned: &LogSourceModel,
    config: &LogSourceModel,
) -> Option<(BTreeMap<String, String>, CredentialsAttr)> {
    if let Some(c) = LogSourceModel::known_credentials(&planned.credentials) {
        return Some((c, CredentialsAttr::Plain));
    }
    LogSourceModel::known_credentials(&config.credentials_wo)
        .map(|c| (c, CredentialsAttr::WriteOnly))
}

/// Records what was sent of write-only credentials: their key names only.
pub(super) fn record_sent(
    private: &mut LogSourcePrivate,
    sent: &BTreeMap<String, String>,
    attr: CredentialsAttr,
) {
    private.write_only_keys = match attr {
        CredentialsAttr::WriteOnly => Some(sent.keys().cloned().collect()),
        CredentialsAttr::Plain => None,
    };
}

/// Runs the API's connection test when `verify = true`: an error diagnostic if the
/// platform rejects the credentials, sample lines to the log at info otherwise. The
/// credentials (plain or write-only, as configured) are redacted from whatever comes back.
pub(super) async fn verify(
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

/// The PATCH that moves a source from `prior` to `planned`, and where diagnostics about
/// its credentials point.
pub(super) fn patch_for(
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
