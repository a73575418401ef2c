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
    /// This read is the first: open the window.
    OpenWindow,
    /// This read saw BURST GETs in flight: start the walk.
    StartWalk,
}

/// One of the GETs in flight of direct reading, counted until it ends, however it ends.
struct InFlight<'a>(&'a Refresh);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut s = self.0.lock();
        s.in_flight = s.in_flight.saturating_sub(1);
    }
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

    /// True when a walk read every page.
    pub fn is_complete(&self) -> bool {
        self.lock().mode == Mode::Done
    }

    /// Every source of the project, when a walk read every page.
    pub fn complete(&self) -> Option<Vec<LogSource>> {
        let s = self.lock();
        (s.mode == Mode::Done).then(|| s.found.values().cloned().collect())
    }

    /// What a read of `id` does now. Every decision is made under one lock, so exactly
    /// one read opens the window and exactly one starts a walk.
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
                s.wanted.insert(id.to_string());
                Step::OpenWindow
            }
            Mode::Deciding => {
                if first_time {
                    s.deciding += 1;
                }
                s.wanted.insert(id.to_string());
                Step::Wait
            }
            Mode::Direct if s.in_flight + 1 >= BURST => {
                s.mode = Mode::Walking;
                s.wanted.insert(id.to_string());
                Step::StartWalk
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

    /// Closes the window: a walk when enough reads arrived in it, else GETs.
    fn decide(&self) -> bool {
        let mut s = self.lock();
        let walk = s.deciding >= BURST;
        s.mode = if walk { Mode::Walking } else { Mode::Direct };
        if !walk {
            s.wanted.clear();
        }
        walk
    }

    /// Reads source `id` for a refresh: by GET, or from the shared walk of the list. The
    /// window and the walk run on tasks of their own, so a read that Terraform cancels
    /// leaves nothing half-decided; a read waits no longer than one whole walk may take.
    pub async fn read(self: &Arc<Self>, client: &Client, id: &str) -> Result<LogSource, ApiError> {
        let mut changes = self.changes.subscribe();
        let give_up = tokio::time::Instant::now() + client.walk_timeout() + WINDOW;
        let mut first_time = true;
        loop {
            match self.step(id, first_time) {
                Step::Found(s) => return Ok(s),
                Step::Get { counted } => {
                    let _counted = counted.then(|| InFlight(self));
                    return client.get(id).await;
                }
                Step::OpenWindow => {
                    let (me, client) = (self.clone(), client.clone());
                    tokio::spawn(async move {
                        tokio::time::sleep(WINDOW).await;
                        let walk = me.decide();
                        me.changed();
                        if walk {
                            tracing::debug!("refresh: many reads at once; walking the list");
                            me.walk(&client).await;
                        }
                    });
                }
                Step::StartWalk => {
                    tracing::debug!("refresh: many reads in flight; walking the list");
                    let (me, client) = (self.clone(), client.clone());
                    tokio::spawn(async move { me.walk(&client).await });
                }
                Step::Wait => {
                    let woke = tokio::time::timeout_at(give_up, changes.changed()).await;
                    if !matches!(woke, Ok(Ok(()))) {
                        self.lock().wanted.remove(id);
                        return client.get(id).await;
                    }
                }
            }
            first_time = false;
        }
    }

    /// Walks the list page by page, answering waiting reads as pages arrive.
    async fn walk(&self, client: &Client) {
        let mut walk = client.walk(ListFilter::default());
        while let Some(page) = walk.next().await {
            let mut s = self.lock();
            let items = match page {
                Ok(items) => items,
                Err(e) => {
                    tracing::debug!(error = %e, "refresh: listing failed; reading by GET");
                    s.mode = Mode::Stopped;
                    drop(s);
                    self.changed();
                    return;
                }
            };
            s.pages += 1;
            for item in items {
                if s.wanted.remove(&item.id) {
                    s.served += 1;
                }
                s.found.insert(item.id.clone(), item);
            }
            s.mode = if walk.finished() {
                Mode::Done
            } else if s.served + s.wanted.len() < s.pages {
                // Fewer reads answered or waiting than pages fetched: not paying.
                Mode::Stopped
            } else {
                Mode::Walking
            };
            let walking = s.mode == Mode::Walking;
            drop(s);
            self.changed();
            if !walking {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigsentry::{ClientConfig, Secret};
    use httpmock::prelude::*;
    use serde_json::json;

    const PATH: &str = "/v1/config/log-sources";

    fn id(n: usize) -> String {
        format!("ls_00000000-0000-4000-8000-{n:012}")
    }

    fn source(n: usize) -> serde_json::Value {
        json!({"id": id(n), "tenantId": "tnt_1", "type": "splunk", "name": format!("s{n}"),
               "sources": ["main"], "isActive": true, "createdAt": "2026-01-01T00:00:00Z"})
    }

    fn client(server: &MockServer) -> Arc<Client> {
        let mut cfg = ClientConfig::new(server.base_url());
        cfg.api_key = Some(Secret::new("ss_secret_test"));
        Arc::new(Client::new(cfg).unwrap())
    }

    /// GET of every source 0..n answers after `delay`; the list answers them all at once.
    async fn api(n: usize, delay: Duration) -> MockServer {
        let server = MockServer::start_async().await;
        for i in 0..n {
            server
                .mock_async(|when, then| {
                    when.method(GET).path(format!("{PATH}/{}", id(i)));
                    then.status(200)
                        .delay(delay)
                        .json_body(json!({"success": true, "data": source(i)}));
                })
                .await;
        }
        let all: Vec<_> = (0..n).map(source).collect();
        server
            .mock_async(|when, then| {
                when.method(GET).path(PATH);
                then.status(200)
                    .json_body(json!({"success": true, "data": all, "nextCursor": null}));
            })
            .await;
        server
    }

    #[tokio::test]
    async fn a_first_read_cancelled_in_its_window_leaves_nobody_waiting() {
        let server = api(4, Duration::ZERO).await;
        let (refresh, client) = (Arc::new(Refresh::default()), client(&server));
        // The first read opens the window and is dropped at once, as Terraform may.
        let first_id = id(0);
        let first =
            tokio::time::timeout(Duration::from_micros(1), refresh.read(&client, &first_id));
        assert!(first.await.is_err());
        let mut rest = tokio::task::JoinSet::new();
        for i in 1..4 {
            let (r, c) = (refresh.clone(), client.clone());
            rest.spawn(async move { r.read(&c, &id(i)).await });
        }
        let done = tokio::time::timeout(Duration::from_secs(10), rest.join_all())
            .await
            .expect("reads waited for a window nobody closes");
        assert!(done.iter().all(Result::is_ok));
    }

    #[tokio::test]
    async fn cancelled_gets_are_not_counted_as_in_flight_for_ever() {
        let server = api(BURST + 1, Duration::from_millis(200)).await;
        let (refresh, client) = (Arc::new(Refresh::default()), client(&server));
        // Decide for GETs first: one read alone.
        refresh.read(&client, &id(0)).await.unwrap();
        // BURST reads by GET, each cancelled while its GET is in flight.
        for i in 1..=BURST {
            let this = id(i);
            let read = refresh.read(&client, &this);
            assert!(tokio::time::timeout(Duration::from_millis(20), read)
                .await
                .is_err());
        }
        // None is in flight now: the next read is a GET, not the start of a walk.
        refresh.read(&client, &id(0)).await.unwrap();
        assert_eq!(refresh.lock().mode, Mode::Direct);
    }
}
