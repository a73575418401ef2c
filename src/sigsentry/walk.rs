//! One walk of the list endpoint, page by page, with every bound an untrusted API needs:
//! one deadline for the whole walk, at most [`MAX_PAGES`] pages, a budget of bytes, and an
//! end when a cursor repeats. `Client::list`, the refresh and the list resource all walk
//! through it, so the bounds cannot drift apart. A walk reads its pages through
//! [`PageSource`], so it knows nothing of HTTP and is tested without a server.

use super::contract::{MAX_PAGES, MAX_WALK_BYTES};
use super::error::ApiError;
use super::models::{ListFilter, LogSource};
use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// One page of a list.
#[derive(Clone, Debug, Default)]
pub struct Page {
    /// The sources on it.
    pub items: Vec<LogSource>,
    /// The cursor of the next page, `None` on the last.
    pub next: Option<String>,
    /// The size of the answer's body, for a walk's byte budget.
    pub bytes: usize,
}

/// Where a walk reads its pages (the client implements it).
pub trait PageSource {
    /// One page of the list `filter` selects, starting at `cursor`.
    fn page(
        &self,
        filter: &ListFilter,
        cursor: Option<&str>,
    ) -> impl Future<Output = Result<Page, ApiError>> + Send;
}

/// A walk in progress (see `Client::walk`).
pub struct PageWalk<'a, S> {
    source: &'a S,
    filter: ListFilter,
    cursor: Option<String>,
    seen: HashSet<String>,
    /// The walk's deadline and its length in seconds, for the error.
    deadline: Instant,
    seconds: u64,
    pages: usize,
    bytes: usize,
    finished: bool,
}

impl<'a, S: PageSource> PageWalk<'a, S> {
    /// A walk of `filter`'s list through `source` that ends within `timeout`.
    pub(super) fn new(source: &'a S, filter: ListFilter, timeout: Duration) -> PageWalk<'a, S> {
        PageWalk {
            deadline: Instant::now() + timeout,
            seconds: timeout.as_secs(),
            source,
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
        let seconds = self.seconds;
        let page = tokio::time::timeout_at(
            self.deadline,
            self.source.page(&self.filter, self.cursor.as_deref()),
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
    use super::*;

    /// Pages from a function of the cursor, answered at once.
    struct Fake<F>(F);

    impl<F: Fn(Option<&str>) -> Page + Sync> PageSource for Fake<F> {
        fn page(
            &self,
            _: &ListFilter,
            cursor: Option<&str>,
        ) -> impl Future<Output = Result<Page, ApiError>> + Send {
            std::future::ready(Ok((self.0)(cursor)))
        }
    }

    /// A source that never answers.
    struct Silent;

    impl PageSource for Silent {
        fn page(
            &self,
            _: &ListFilter,
            _: Option<&str>,
        ) -> impl Future<Output = Result<Page, ApiError>> + Send {
            std::future::pending()
        }
    }

    /// The cursor after `cursor`: its number plus one.
    fn following(cursor: Option<&str>) -> String {
        let n: usize = cursor.map_or(0, |c| c.parse().unwrap());
        (n + 1).to_string()
    }

    /// Reads `walk` to its end; the last page's outcome.
    async fn last<S: PageSource>(walk: &mut PageWalk<'_, S>) -> Result<usize, ApiError> {
        let mut last = None;
        while let Some(page) = walk.next().await {
            last = Some(page.map(|items| items.len()));
        }
        last.unwrap()
    }

    const LONG: Duration = Duration::from_secs(3600);

    #[tokio::test]
    async fn a_repeating_cursor_ends_the_walk() {
        let source = Fake(|_: Option<&str>| Page {
            next: Some("same".into()),
            ..Default::default()
        });
        let mut walk = PageWalk::new(&source, ListFilter::default(), LONG);
        let e = last(&mut walk).await.unwrap_err().to_string();
        assert!(e.contains("cursor that repeats"), "{e}");
        assert_eq!(walk.pages(), 2);
        assert!(walk.finished());
    }

    #[tokio::test]
    async fn a_list_without_end_stops_at_the_page_limit() {
        let source = Fake(|c: Option<&str>| Page {
            next: Some(following(c)),
            ..Default::default()
        });
        let mut walk = PageWalk::new(&source, ListFilter::default(), LONG);
        let e = last(&mut walk).await.unwrap_err().to_string();
        assert!(e.contains(&format!("longer than {MAX_PAGES} pages")), "{e}");
        assert_eq!(walk.pages(), MAX_PAGES);
    }

    #[tokio::test]
    async fn pages_too_large_together_stop_at_the_byte_budget() {
        let source = Fake(|c: Option<&str>| Page {
            next: Some(following(c)),
            bytes: MAX_WALK_BYTES / 3,
            ..Default::default()
        });
        let mut walk = PageWalk::new(&source, ListFilter::default(), LONG);
        let e = last(&mut walk).await.unwrap_err().to_string();
        assert!(e.contains("a list of more than 128 MiB"), "{e}");
        assert_eq!(walk.pages(), 4);
    }

    #[tokio::test]
    async fn a_source_that_never_answers_meets_the_walk_deadline() {
        let mut walk = PageWalk::new(&Silent, ListFilter::default(), Duration::ZERO);
        let e = last(&mut walk).await.unwrap_err();
        assert!(matches!(e, ApiError::Deadline { attempts: 1, .. }), "{e:?}");
    }
}
