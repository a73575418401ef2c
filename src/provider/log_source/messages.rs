//! What ownership outcomes say to a person: one place for their wording, each naming what
//! happened, to which source, and the next step.

use super::ownership::{CreateFailure, PassedOver, Unproven};
use crate::framework::prelude::{Diagnostic, Diagnostics};
use crate::provider::errors::{api_diagnostics, CredentialsAttr};

/// The warning about replays passed over that may be leftovers, if any.
pub fn passed_over(list: &[PassedOver]) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let unproven: Vec<(&str, Unproven)> = list
        .iter()
        .filter_map(|p| match p {
            PassedOver::Unproven(id, why) => Some((id.as_str(), *why)),
            _ => None,
        })
        .collect();
    let Some((_, why)) = unproven.first() else {
        return diags;
    };
    let ids: Vec<&str> = unproven.iter().map(|(id, _)| *id).collect();
    let ids = ids.join(", ");
    let because = match why {
        Unproven::NoArbitration => {
            "this API does not show that it arbitrates claims (a repeated claim was not marked \
             as a replay), so nothing proves it is this object's"
        }
        Unproven::ClaimRefused => "the API refused the claim that would prove it is this object's",
    };
    diags.push(Diagnostic::warning(
        "An earlier identical create was not adopted",
        format!(
            "The API answered this create with an earlier create of the same configuration: \
             {ids}. It was not adopted: {because}. A new log source was created for this object \
             instead. Once this apply is done, check `terraform state list` and `terraform \
             state show`: if no object of this state holds {ids} (an object this apply \
             replaces or destroys counts), an interrupted apply made it before Terraform could \
             save it. Delete it in SigSentry, or import it into the object that should have \
             had it."
        ),
    ));
    diags
}

/// The error of a failed create.
pub fn create_failed(failure: &CreateFailure, creds: CredentialsAttr) -> Diagnostics {
    match failure {
        CreateFailure::Api(e) => api_diagnostics(e, "create", creds),
        CreateFailure::Mismatch {
            source,
            attr,
            replayed,
        } => {
            let id = &source.id;
            let next = if *replayed {
                "It was replayed for this request's idempotency key, so it may belong to \
                 someone else; it was not adopted. Check the API, then apply again."
            } else {
                "It is kept in state, tainted, and replaced on the next apply."
            };
            Diagnostic::error(
                "Log source does not match the create",
                format!(
                    "The API answered the create with log source {id}, whose {attr} differs \
                     from the configuration. {next}"
                ),
            )
            .into()
        }
        CreateFailure::Undecided { id, error } => Diagnostic::error(
            "Could not settle whose an earlier log source is",
            format!(
                "The API answered this create with an earlier create of the same \
                 configuration, {id}, and checking whether it is this object's own \
                 interrupted attempt failed: {error}. Nothing was recorded. Apply again \
                 when the API answers."
            ),
        )
        .into(),
        CreateFailure::Exhausted(list) => {
            let mut d: Diagnostics = Diagnostic::error(
                "Could not create the log source",
                format!(
                    "The API replayed {} earlier creates of this exact configuration, none of \
                     them provably this object's. Change the name, or wait for the API's \
                     idempotency window (24 h) to pass, then apply again.",
                    list.len()
                ),
            )
            .into();
            d.extend(passed_over(list));
            d
        }
    }
}

/// A deposed (or other) object's delete of a source this process adopted for another.
pub fn left_to_adopter(id: &str) -> Diagnostics {
    Diagnostic::warning(
        "Log source left in place",
        format!(
            "Log source {id} was adopted in this apply by another object (the replacement of \
             this one, whose earlier create it was), which now holds it. It was not deleted."
        ),
    )
    .into()
}

/// An imported (or never-claimed) object's delete of a source another object claimed.
pub fn left_to_claimant(id: &str) -> Diagnostics {
    Diagnostic::warning(
        "Log source left in place",
        format!(
            "Log source {id} was imported into this object (or made by an earlier release \
             that could not claim it), and another Terraform object claimed it first. It was \
             not deleted and this object is gone from state; if nothing uses {id}, delete it \
             in SigSentry."
        ),
    )
    .into()
}

/// An imported object's first change, to a source another object claimed.
pub fn claimed_by_another(id: &str) -> Diagnostics {
    Diagnostic::warning(
        "Imported log source is claimed by another object",
        format!(
            "Log source {id} was imported into this object, and another Terraform object (in \
             this state or another) claimed it first: two objects now manage it, and \
             destroying either deletes it for both. The change was made. If the other object \
             should keep it, remove this one with `terraform state rm ADDRESS`."
        ),
    )
    .into()
}
