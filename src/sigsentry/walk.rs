//! One walk of the list endpoint, page by page, with every bound an untrusted API needs:
//! one deadline for the whole walk, at most [`MAX_PAGES`] pages, a budget of bytes, and an
//! end when a cursor repeats. `Client::list`, the refresh and the list resource all walk
//! through it, so the bounds cannot drift apart.

use super::client::Client;
use super::contract::{MAX_PAGES, MAX_WALK_BYTES};
use super::error::ApiError;
use super::models::{ListFilter, LogSource};
use std::collections::HashSet;
use tokio::time::Instant;

/// A walk in progress (see [`Client::walk`]).
pub struct PageWalk<'a> {
    client: &'a Client,
    filter: ListFilter,
    cursor: Option<String>,
    seen: HashSet<String>,
    deadline: Instant,
    pages: usize,
    bytes: usize,
    finished: bool,
}

impl<'a> PageWalk<'a> {
    pub(super) fn new(client: &'a Client, filter: ListFilter) -> PageWalk<'a> {
        PageWalk {
            deadline: Instant::now() + client.walk_timeout(),
            client,
            filter,
            cursor: None,
            seen: HashSet::new(),
            pages: 0,
            bytes: 0,
            finished: false,
        }
    }

    /// Pages read so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Whether the walk is over: the last page was read, or an error returned.
    pub fn finished(&self) -> bool {
        self.finished
    }

    /// The sources of the next page; `None` once the last page was read or an error was
    /// returned. Sources of another type than the filter asked for are left out: a server
    /// that ignores the filter must not put them in a result.
    pub async fn next(&mut self) -> Option<Result<Vec<LogSource>, ApiError>> {
        if self.finished {
            return None;
        }
        let r = self.step().await;
        if r.is_err() || self.cursor.is_none() {
            self.finished = true;
        }
        Some(r)
    }

    async fn step(&mut self) -> Result<Vec<LogSource>, ApiError> {
        if self.pages >= MAX_PAGES {
            return Err(ApiError::BadAnswer {
                what: format!("a list longer than {MAX_PAGES} pages"),
            });
        }
        let seconds = self.client.walk_timeout().as_secs();
        let page = tokio::time::timeout_at(
            self.deadline,
            self.client.list_page(&self.filter, self.cursor.as_deref()),
        )
        .await
        .map_err(|_| ApiError::Deadline {
            seconds,
            attempts: self.pages as u32 + 1,
            last: "the list walk did not finish in time".into(),
        })??;
        self.pages += 1;
        self.bytes = self.bytes.saturating_add(page.bytes);
        if self.bytes > MAX_WALK_BYTES {
            return Err(ApiError::BadAnswer {
                what: format!("a list of more than {} MiB", MAX_WALK_BYTES / (1024 * 1024)),
            });
        }
        match page.next {
            Some(c) if !self.seen.insert(c.clone()) => {
                return Err(ApiError::BadAnswer {
                    what: "a list cursor that repeats (the pages would never end)".into(),
                })
            }
            next => self.cursor = next,
        }
        let mut items = page.items;
        if let Some(t) = &self.filter.log_type {
            items.retain(|s| &s.log_type == t);
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use crate::sigsentry::{ClientConfig, ListFilter, Secret};
    use httpmock::prelude::*;
    use serde_json::json;

    const PATH: &str = "/v1/config/log-sources";

    fn client(server: &MockServer) -> crate::sigsentry::Client {
        let mut cfg = ClientConfig::new(server.base_url());
        cfg.api_key = Some(Secret::new("ss_secret_test"));
        crate::sigsentry::Client::new(cfg).unwrap()
    }

    fn source(id: &str, log_type: &str, padding: usize) -> serde_json::Value {
        json!({"id": id, "tenantId": "tnt_1", "type": log_type, "name": "s",
               "sources": ["main"], "isActive": true, "createdAt": "2026-01-01T00:00:00Z",
               "futureField": "x".repeat(padding)})
    }

    #[tokio::test]
    async fn endless_full_pages_end_at_the_byte_budget() {
        let server = MockServer::start_async().await;
        // Every page nearly 4 MiB, each naming a new cursor: only the budget ends it.
        let items: Vec<_> = (0..100)
            .map(|i| source(&format!("ls_{i}"), "splunk", 40_000))
            .collect();
        server
            .mock_async(|when, then| {
                when.method(GET).path(PATH);
                then.status(200).respond_with(move |req: &HttpMockRequest| {
                    let n = req.query_params().len();
                    let body = json!({"success": true, "data": items,
                        "nextCursor": format!("c{n}-{}", fastrand::u64(..))});
                    HttpMockResponse::builder()
                        .status(200)
                        .header("content-type", "application/json")
                        .body(body.to_string())
                        .build()
                });
            })
            .await;
        let c = client(&server);
        let mut walk = c.walk(ListFilter::default());
        let mut last = None;
        while let Some(page) = walk.next().await {
            last = Some(page.map(|items| items.len()));
        }
        let err = last.unwrap().unwrap_err().to_string();
        assert!(err.contains("a list of more than 128 MiB"), "{err}");
        assert!(walk.pages() <= 40, "{} pages", walk.pages());
    }

    #[tokio::test]
    async fn sources_of_another_type_than_asked_for_are_left_out() {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path(PATH).query_param("type", "loki");
                then.status(200).json_body(json!({"success": true, "data": [
                    source("ls_a", "loki", 0), source("ls_b", "splunk", 0)], "nextCursor": null}));
            })
            .await;
        let c = client(&server);
        let filter = ListFilter {
            log_type: Some("loki".into()),
            ..Default::default()
        };
        let all = c.list(&filter).await.unwrap();
        assert_eq!(
            all.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
            ["ls_a"]
        );
    }
}
