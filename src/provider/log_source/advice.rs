//! Plan-time advice, never a change to the plan: a create that would duplicate a live
//! source this state is not seen to hold, and new write-only credentials that would not be
//! sent.

use super::model::LogSourceModel;
use super::private::LogSourcePrivate;
use crate::framework::prelude::AttributePath;
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::framework::Field;
use crate::sigsentry::LogSource;
use std::collections::BTreeSet;

/// Live sources with the type and name of a planned create that no object of this state
/// was seen to hold (`is_held`), from one listing of the project (`None` when the listing
/// stopped at its bound or failed: then the advice stays silent).
pub fn duplicate(
    planned: &LogSourceModel,
    listing: Option<&[LogSource]>,
    is_held: impl Fn(&str) -> bool,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let (Some(t), Some(name), Some(all)) =
        (planned.log_type.known(), planned.name.known(), listing)
    else {
        return diags;
    };
    let twins: Vec<&LogSource> = all
        .iter()
        .filter(|s| &s.log_type == t && &s.name == name && !is_held(&s.id))
        .collect();
    let Some(first) = twins.first() else {
        return diags;
    };
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
                "The project already has a {t} log source named {name:?}: {id}{others}, and no \
                 object this plan read holds it. Unless it is this resource's own create, \
                 interrupted before Terraform saved it (which the apply adopts when the API \
                 can prove it), applying this plan creates a second one. It may belong to an \
                 object of this state the plan did not read (one outside -target), to a \
                 resource renamed or re-keyed without a `moved` block (add one instead), or to \
                 another configuration; it may also be left over from an interrupted apply or \
                 made in the dashboard. Run `terraform state list` first: only if no object \
                 holds {id} and nothing else manages it, import it, with this resource's \
                 address (shown above) in place of ADDRESS:\n\n  import {{\n    \
                 to = sigsentry_log_source.ADDRESS\n    id = \"{id}\"\n  }}\n\nor run:\n\n  \
                 terraform import sigsentry_log_source.ADDRESS {id}"
            ),
        )
        .at(AttributePath::attr("name")),
    );
    diags
}

/// The key names of write-only credentials as configured, when every value is known.
pub fn write_only_keys(config: &LogSourceModel) -> Option<BTreeSet<String>> {
    let map = config.credentials_wo.known()?;
    map.values()
        .all(|v| matches!(v, Field::Known(_)))
        .then(|| map.keys().cloned().collect())
}

/// The most common write-only mistake that can be seen without keeping anything secret:
/// `credentials_wo` now names other keys than those last sent, and
/// `credentials_wo_version` did not change, so the new ones would never be sent. (New
/// values under the same keys cannot be seen: nothing derived from them is kept.)
pub fn unsent_write_only(
    prior: &LogSourceModel,
    config: &LogSourceModel,
    private: &LogSourcePrivate,
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if config.credentials_wo_version != prior.credentials_wo_version {
        return diags;
    }
    let (Some(now), Some(sent)) = (write_only_keys(config), &private.write_only_keys) else {
        return diags;
    };
    if &now != sent {
        diags.push(
            Diagnostic::warning(
                "credentials_wo changed but will not be sent",
                "credentials_wo names other keys than the write-only credentials last sent, \
                 but credentials_wo_version did not change. Terraform cannot see write-only \
                 values, so this apply would not send the new ones. Change \
                 credentials_wo_version (for example to a new number or date) to send them.",
            )
            .at(AttributePath::attr("credentials_wo_version")),
        );
    }
    diags
}
