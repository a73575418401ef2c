//! What one provider process knows about ownership: the sources it saw objects of the
//! served state hold, the creates it planned, the sources it bound to an object (made or
//! adopted), deleted or claimed for a holder, and whether the API arbitrates claims.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

/// The type, name and sources of a log source in one project: what identical creates
/// share apart from their credentials (which a state may not hold).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Twin {
    /// The project (empty for a project-scoped key's own).
    pub project: String,
    /// `type`.
    pub log_type: String,
    /// `name`.
    pub name: String,
    /// `sources`, sorted, without repeats.
    pub sources: Vec<String>,
}

#[derive(Debug, Default)]
struct Known {
    /// Sources objects of the served state hold, by twin.
    held: HashMap<Twin, BTreeSet<String>>,
    /// Every source an object of the served state holds.
    held_ids: HashSet<String>,
    /// Twins of the creates planned in this process.
    planned: HashSet<Twin>,
    /// Sources claimed for their holder by this process.
    claimed_for_holder: HashSet<String>,
    /// Sources made or adopted by creates of this process.
    bound: HashSet<String>,
    /// Sources adopted by creates of this process.
    adopted: HashSet<String>,
    /// Sources this process deleted.
    deleted: HashSet<String>,
    /// How many identical creates this process has keyed, by create identity.
    ordinals: HashMap<String, u32>,
    /// Whether the API arbitrates claims, once a probe said so.
    arbitrates: Option<bool>,
}

/// The process's ownership ledger.
#[derive(Debug)]
pub struct Ledger {
    known: Mutex<Known>,
    /// This process's adoption mark (see `LogSourcePrivate::adopted_in`).
    mark: String,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            known: Mutex::new(Known::default()),
            mark: format!("{:016x}", fastrand::u64(..)),
        }
    }
}

impl Ledger {
    fn with<T>(&self, f: impl FnOnce(&mut Known) -> T) -> T {
        let mut g = match self.known.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut g)
    }

    /// An object of the served state holds `id`. Returns the sources to claim for their
    /// holder now: `id`, when a create with its twin is planned and it is not claimed yet.
    pub fn held(&self, id: &str, twin: Option<Twin>) -> Vec<String> {
        self.with(|k| {
            k.held_ids.insert(id.to_string());
            let Some(twin) = twin else {
                return Vec::new();
            };
            k.held
                .entry(twin.clone())
                .or_default()
                .insert(id.to_string());
            if k.planned.contains(&twin) && k.claimed_for_holder.insert(id.to_string()) {
                vec![id.to_string()]
            } else {
                Vec::new()
            }
        })
    }

    /// A create of `twin` is planned. Returns the held sources of that twin not yet claimed
    /// for their holder, and every source held with that twin.
    pub fn planned(&self, twin: Twin) -> (Vec<String>, BTreeSet<String>) {
        self.with(|k| {
            let held = k.held.get(&twin).cloned().unwrap_or_default();
            k.planned.insert(twin);
            let to_claim = held
                .iter()
                .filter(|id| k.claimed_for_holder.insert((*id).clone()))
                .cloned()
                .collect();
            (to_claim, held)
        })
    }

    /// True when an object of the served state was seen holding `id`.
    pub fn is_held(&self, id: &str) -> bool {
        self.with(|k| k.held_ids.contains(id))
    }

    /// Why a replay naming `id` is known not to be a create's own: another object holds
    /// it, this process bound it to another object, or deleted it.
    pub fn known_elsewhere(&self, id: &str) -> bool {
        self.with(|k| k.held_ids.contains(id) || k.bound.contains(id) || k.deleted.contains(id))
    }

    /// The next ordinal of creates with `identity` (0 the first time in a process).
    pub fn next_ordinal(&self, identity: &str) -> u32 {
        self.with(|k| {
            let n = k.ordinals.entry(identity.to_string()).or_insert(0);
            let current = *n;
            *n = n.saturating_add(1);
            current
        })
    }

    /// A create of this process made (`adopted = false`) or adopted `id`.
    pub fn bind(&self, id: &str, adopted: bool) {
        self.with(|k| {
            k.bound.insert(id.to_string());
            if adopted {
                k.adopted.insert(id.to_string());
            }
        })
    }

    /// The adoption mark to keep with a source this process adopted.
    pub fn mark(&self) -> &str {
        &self.mark
    }

    /// True when a delete of `id` by an object carrying `mark` would delete a source this
    /// process adopted for another object.
    pub fn adopted_by_another(&self, id: &str, mark: Option<&str>) -> bool {
        self.with(|k| k.adopted.contains(id)) && mark != Some(self.mark.as_str())
    }

    /// This process deleted `id` (or found it gone).
    pub fn deleted(&self, id: &str) {
        self.with(|k| k.deleted.insert(id.to_string()));
    }

    /// What the probe said about claims, if it ran.
    pub fn arbitrates(&self) -> Option<bool> {
        self.with(|k| k.arbitrates)
    }

    /// Records the probe's answer.
    pub fn set_arbitrates(&self, yes: bool) {
        self.with(|k| k.arbitrates = Some(yes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn twin(name: &str) -> Twin {
        Twin {
            project: String::new(),
            log_type: "splunk".into(),
            name: name.into(),
            sources: vec!["main".into()],
        }
    }

    #[test]
    fn a_holder_is_claimed_once_whichever_is_seen_first() {
        let l = Ledger::default();
        assert!(l.held("ls_a", Some(twin("x"))).is_empty());
        let (claim, held) = l.planned(twin("x"));
        assert_eq!(claim, ["ls_a"]);
        assert!(held.contains("ls_a"));
        // Seen again (read after upgrade), or planned again (the final plan): no repeat.
        assert!(l.held("ls_a", Some(twin("x"))).is_empty());
        assert!(l.planned(twin("x")).0.is_empty());
        // The other order.
        assert!(l.planned(twin("y")).0.is_empty());
        assert_eq!(l.held("ls_b", Some(twin("y"))), ["ls_b"]);
        // Another twin is never claimed.
        assert!(l.held("ls_c", Some(twin("z"))).is_empty());
        assert!(l.is_held("ls_c") && l.known_elsewhere("ls_c"));
    }

    #[test]
    fn identical_creates_count_up_and_a_new_process_starts_again() {
        let first = Ledger::default();
        assert_eq!(first.next_ordinal("d"), 0);
        assert_eq!(first.next_ordinal("d"), 1);
        assert_eq!(first.next_ordinal("other"), 0);
        assert_eq!(Ledger::default().next_ordinal("d"), 0);
    }

    #[test]
    fn only_the_adopter_may_delete_an_adopted_source() {
        let l = Ledger::default();
        l.bind("ls_made", false);
        l.bind("ls_adopted", true);
        let mark = l.mark().to_string();
        assert!(!l.adopted_by_another("ls_made", None));
        assert!(l.adopted_by_another("ls_adopted", None));
        assert!(l.adopted_by_another("ls_adopted", Some("another-process")));
        assert!(!l.adopted_by_another("ls_adopted", Some(&mark)));
    }
}
