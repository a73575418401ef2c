//! Ownership: which remote source belongs to which Terraform object. One remote source,
//! one Terraform object: nothing here may bind two objects, of one state or of two, to the
//! same source, and when a case cannot be proven it is refused, leaving a named leftover.
//!
//! # How a create stays exactly-once without sharing
//! A create sends an idempotency key derived from the state it serves, the API, the
//! project and the body, plus an ordinal counting identical creates in this process
//! (`count` twins). A re-run after a crash therefore repeats its own key and the API
//! replays the source the crash left behind. But a later identical object of the same
//! state (a twin added later, a create-before-destroy replacement, a renamed `for_each`
//! key) repeats the key too, and only the state knows which is which. So:
//!
//! - A fresh answer (made by this request) is ours: one request per create, no claim.
//! - A replay of our own uncertain attempt within the same call is ours.
//! - An earlier replay (the `Idempotent-Replayed` header, or a `createdAt` before the
//!   request was sent) is ours only when proven: not a source this process saw another
//!   object hold or delete, not one the first plan (Terraform 1.16+) saw held, and won by a
//!   claim on an API that shows it arbitrates claims (a repeated identical claim comes back
//!   marked as a replay; checked once per process). Otherwise the next key makes a new
//!   source and a leftover that may be live is named in one warning.
//! - Holders claim: when a walk (normally the plan) sees an object of the state hold a
//!   source with the same type, name and sources as a planned create, it claims that
//!   source for its holder, so the create's claim on it is answered as taken.
//!
//! # What it cannot tell apart (see docs/reliability.md)
//! - A twin outside `-target`: the plan never sees its holder, so a claim on its source
//!   is won and the source adopted, as a crash's leftover would be.
//! - A saved plan applied after the API forgot the plan's claims.
//! - A provider killed between adopting a source and Terraform saving it: the source is
//!   then claimed and not held, and later runs make a new one.
//!
//! # Other rules
//! - A source this process adopted is never deleted on behalf of another object (a
//!   create-before-destroy's deposed object): that delete is skipped, with a warning.
//! - Import is trusted, not arbitrated: an imported object claims its source at its first
//!   apply-time write and warns when another object claimed it first.

mod claims;
mod create;
mod ledger;

#[cfg(test)]
mod tests;

pub(crate) use self::claims::{BeforeWrite, Claims};
pub(crate) use self::create::{create, CreateFailure, PassedOver, Unproven};
pub(crate) use self::ledger::{Ledger, Twin};
