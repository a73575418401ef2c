//! Refresh through the list endpoint. A plan reads every source in state, one
//! ReadResource each; against a real API that is N requests and N round trips. When a plan
//! reads many, one walk of the list (100 sources a page) answers them all instead.
//!
//! The rule, per provider process:
//! - The first read opens a short window ([`WINDOW`]) and counts the reads that arrive in
//!   it (Terraform starts up to `-parallelism`, 10 by default, at once). With
//!   [`BURST`] or more the process walks the list; with fewer it reads by GET, so a few
//!   sources in a big project never pay for listing it all. A process reading by GET
//!   starts the walk later if [`BURST`] reads are ever in flight at once.
//! - Reads are answered from each page as it arrives, so Terraform's own work overlaps the
//!   walk. A source missing from the finished walk is confirmed by GET before it is
//!   dropped from state (a 404), and a walk that fails falls back to GETs.
//! - A walk that stops paying (fewer reads answered and waiting than pages fetched) stops,
//!   and its waiting reads GET.
//! - Only reads use it (the plan walk's refresh); a source this process wrote is always
//!   read by GET.

use crate::sigsentry::{ApiError, Client, ListFilter, LogSource};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// How long the first read waits to count the reads arriving with it.
pub const WINDOW: Duration = Duration::from_millis(10);
/// Reads at once that make a walk worth it.
pub const BURST: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// No read yet.
    Idle,
    /// The first read's window is open.
    Deciding,
    /// Reading by GET.
    Direct,
    /// A walk is under way.
    Walking,
    /// The walk read every page.
    Done,
    /// The walk failed or stopped paying: GET from now on.
    Stopped,
}

#[derive(Debug)]
struct State {
    mode: Mode,
    /// Reads that arrived in the window.
    deciding: usize,
    /// GETs in flight while reading directly.
    in_flight: usize,
    /// Sources the walk found, by id.
    found: HashMap<String, LogSource>,
    /// Ids of reads waiting for the walk.
    wanted: HashSet<String>,
    /// Pages walked.
    pages: usize,
    /// Reads the walk answered.
    served: usize,
    /// Sources this process wrote.
    written: HashSet<String>,
}

/// The refresh reads of one provider process.
#[derive(Debug)]
pub struct Refresh {
    state: Mutex<State>,
    /// Bumped at every change a waiting read may care about.
    changes: watch::Sender<u64>,
}

impl Default for Refresh {
    fn default() -> Self {
        Refresh {
            state: Mutex::new(State {
                mode: Mode::Idle,
                deciding: 0,
                in_flight: 0,
                found: HashMap::new(),
                wanted: HashSet::new(),
                pages: 0,
                served: 0,
                written: HashSet::new(),
            }),
            changes: watch::channel(0).0,
        }
    }
}

/// What a read does next.
enum Step {
    /// Read by GET; `counted` when it is one of the GETs in flight of direct reading.
    Get {
        counted: bool,
    },
    Found(LogSource),
    Wait,
    Decide,
}

impl Refresh {
    fn lock(&self) -> MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    fn changed(&self) {
        self.changes.send_modify(|n| *n += 1);
    }

    /// Notes that this process created, changed or deleted source `id`: it is read by GET
    /// from now on.
    pub fn wrote(&self, id: &str) {
        self.lock().written.insert(id.to_string());
    }

    /// Every source of the project, when a walk read every page.
    pub fn complete(&self) -> Option<Vec<LogSource>> {
        let s = self.lock();
        (s.mode == Mode::Done).then(|| s.found.values().cloned().collect())
    }

    /// What a read of `id` does now.
    fn step(&self, id: &str, first_time: bool) -> Step {
        let mut s = self.lock();
        if s.written.contains(id) {
            return Step::Get { counted: false };
        }
        if let Some(found) = s.found.get(id).cloned() {
            if s.wanted.remove(id) || first_time {
                s.served += 1;
            }
            return Step::Found(found);
        }
        match s.mode {
            Mode::Idle => {
                s.mode = Mode::Deciding;
                s.deciding = 1;
                Step::Decide
            }
            Mode::Deciding => {
                if first_time {
                    s.deciding += 1;
                }
                Step::Wait
            }
            Mode::Direct if s.in_flight + 1 >= BURST => {
                s.mode = Mode::Walking;
                s.wanted.insert(id.to_string());
                Step::Decide
            }
            Mode::Direct => {
                s.in_flight += 1;
                Step::Get { counted: true }
            }
            Mode::Walking => {
                s.wanted.insert(id.to_string());
                Step::Wait
            }
            Mode::Done | Mode::Stopped => {
                s.wanted.remove(id);
                Step::Get { counted: false }
            }
        }
    }

    /// Reads source `id` for a refresh: by GET, or from the shared walk of the list.
    pub async fn read(
        self: &Arc<Self>,
        client: &Arc<Client>,
        id: &str,
    ) -> Result<LogSource, ApiError> {
        let mut changes = self.changes.subscribe();
        let mut first_time = true;
        loop {
            match self.step(id, first_time) {
                Step::Found(s) => return Ok(s),
                Step::Get { counted } => {
                    let r = client.get(id).await;
                    if counted {
                        let mut s = self.lock();
                        s.in_flight = s.in_flight.saturating_sub(1);
                    }
                    return r;
                }
                Step::Decide => {
                    let starts_walk = self.lock().mode == Mode::Walking;
                    if !starts_walk {
                        tokio::time::sleep(WINDOW).await;
                        let mut s = self.lock();
                        s.mode = if s.deciding >= BURST {
                            Mode::Walking
                        } else {
                            Mode::Direct
                        };
                        if s.mode == Mode::Walking {
                            s.wanted.insert(id.to_string());
                        }
                    }
                    if self.lock().mode == Mode::Walking {
                        tracing::debug!("refresh: many reads at once; walking the list");
                        let (me, client) = (self.clone(), client.clone());
                        tokio::spawn(async move { me.walk(&client).await });
                    }
                    self.changed();
                }
                Step::Wait => {
                    if changes.changed().await.is_err() {
                        return client.get(id).await;
                    }
                }
            }
            first_time = false;
        }
    }

    /// Walks the list page by page, answering waiting reads as pages arrive.
    async fn walk(&self, client: &Client) {
        let mut cursor: Option<String> = None;
        let mut cursors = HashSet::new();
        loop {
            let page = client
                .list_page(&ListFilter::default(), cursor.as_deref())
                .await;
            let mut s = self.lock();
            let page = match page {
                Ok(p) => p,
                Err(e) => {
                    tracing::debug!(error = %e, "refresh: listing failed; reading by GET");
                    s.mode = Mode::Stopped;
                    drop(s);
                    self.changed();
                    return;
                }
            };
            s.pages += 1;
            for item in page.items {
                if s.wanted.remove(&item.id) {
                    s.served += 1;
                }
                s.found.insert(item.id.clone(), item);
            }
            let next = page.next;
            s.mode = match &next {
                None => Mode::Done,
                // A cursor seen before would never end; too many pages likewise.
                Some(c) if !cursors.insert(c.clone()) => Mode::Stopped,
                Some(_) if s.pages >= crate::sigsentry::contract::MAX_PAGES => Mode::Stopped,
                // Stop when fewer reads were answered or wait than pages were fetched.
                Some(_) if s.served + s.wanted.len() < s.pages => Mode::Stopped,
                Some(_) => Mode::Walking,
            };
            let walking = s.mode == Mode::Walking;
            drop(s);
            self.changed();
            if !walking {
                return;
            }
            cursor = next;
        }
    }
}
