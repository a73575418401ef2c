//! The operations on log sources, one method each: what is sent, and what must hold of
//! the answer before it is believed (envelope, ids, field types, page bounds). Whether a
//! request may be repeated follows from its [`Call`]; retries and deadlines from
//! [`Client::call`].

use super::call::Call;
use super::client::Client;
use super::contract::{self, MAX_CURSOR_LEN};
use super::envelope;
use super::error::ApiError;
use super::models::{check_id, ListFilter, LogSource, LogSourcePatch, NewLogSource, TestResult};
use super::sanitize::Redactor;
use super::secret::Secret;
use super::walk::{Page, PageSource, PageWalk};
use serde_json::Value;
use std::time::Duration;

/// A create's outcome.
#[derive(Clone, Debug)]
pub struct Created {
    /// The log source.
    pub source: LogSource,
    /// Whether this request made it.
    pub replay: Replay,
}

/// Whether a create's answer is a replay of an earlier one, and of which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replay {
    /// Made by this request.
    Fresh,
    /// Replayed for an earlier attempt of this same call, whose answer was lost: ours.
    OwnRetry,
    /// Replayed for a request made before this call: marked by the API's replay header,
    /// or made (`createdAt`) before this call was sent.
    Earlier,
}

/// How much earlier than this call a `createdAt` must be, beyond the call's own
/// duration, to count as a replay: `Date` and `createdAt` have whole seconds.
const CREATED_AT_MARGIN: Duration = Duration::from_secs(1);

/// Without a `Date` header the local clock stands in for the API's, and a replay is only
/// told apart by `createdAt` when it is older than the clocks may disagree.
const CLOCK_SKEW_ALLOWANCE: Duration = Duration::from_secs(120);

/// True when a create's answer names a source made before the call was sent: its
/// `createdAt` is earlier than the API's clock at the answer (`Date`) less the call's
/// duration, or, without `Date`, earlier than the local clock at sending by more than
/// clocks may disagree. The API's own clock is compared with itself where it can be; a
/// `createdAt` that does not parse proves nothing.
fn made_before_call(
    created_at: &str,
    date: Option<std::time::SystemTime>,
    elapsed: Duration,
    sent_at: std::time::SystemTime,
) -> bool {
    let Ok(created) =
        time::OffsetDateTime::parse(created_at, &time::format_description::well_known::Rfc3339)
    else {
        return false;
    };
    let created = std::time::SystemTime::from(created);
    let bound = match date {
        Some(date) => date.checked_sub(elapsed + CREATED_AT_MARGIN),
        None => sent_at.checked_sub(CLOCK_SKEW_ALLOWANCE),
    };
    bound.is_some_and(|b| created < b)
}

/// How many generations an update moves past keys the API has already seen.
const MAX_STALE_UPDATE_KEYS: u32 = 8;

/// A carried-out update (see [`Client::update`]).
#[derive(Clone, Debug)]
pub struct Updated {
    /// The source as it is now.
    pub source: LogSource,
    /// The generation whose key carried the change out: the next update uses one more.
    pub generation: u64,
}

/// How the API answered a claim (see [`Client::claim`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimAnswer {
    /// Carried out now (or replayed for a lost attempt of this same call): the source as
    /// it is. An API that does not honour PATCH keys answers every claim so.
    First(LogSource),
    /// Answered as a replay of an earlier claim by someone else, or the claim key was
    /// used with another request.
    Repeated,
}

/// Refuses an id from the user or state before it goes into a path.
fn usable_id(id: &str) -> Result<(), ApiError> {
    check_id(id).map_err(|why| ApiError::Config(format!("log source id not usable: {why}")))
}

impl Client {
    /// The opaque identity of a create: equal for identical creates (same body, project,
    /// API and `scope`), so a caller can count them.
    pub fn create_identity(&self, source: &NewLogSource, scope: &str) -> Result<String, ApiError> {
        Ok(self.keys()?.create_identity(
            scope,
            self.transport().base().as_str(),
            self.project().unwrap_or(""),
            &source.to_body(),
        ))
    }

    /// Creates a log source under the key of the `ordinal`-th create with `identity`
    /// (see [`Client::create_identity`]), and says whether the answer is a replay.
    pub async fn create(
        &self,
        source: &NewLogSource,
        identity: &str,
        ordinal: u32,
    ) -> Result<Created, ApiError> {
        let key = self.keys()?.create(identity, ordinal);
        let started = std::time::Instant::now();
        let sent_at = std::time::SystemTime::now();
        let a = self
            .call(Call::create(source.to_body(), key, source.redactor()))
            .await?;
        let (data, _) = envelope::open(&a)?;
        let source = LogSource::from_json(&data)?;
        let before_call = made_before_call(&source.created_at, a.date, started.elapsed(), sent_at);
        let replay = match (a.replayed || before_call, a.after_uncertain_attempt) {
            (false, _) => Replay::Fresh,
            // Made during this call, by an attempt whose answer was lost.
            (true, true) if !before_call => Replay::OwnRetry,
            (true, _) => Replay::Earlier,
        };
        Ok(Created { source, replay })
    }

    /// Claims source `id`: a PATCH that changes nothing, under a key every possible
    /// claimant derives alike, so an API that honours PATCH idempotency carries out only
    /// the first and replays it to the rest (none of which is published: the caller
    /// checks it). Not cancelled half-way: its outcome must be known.
    pub async fn claim(&self, id: &str) -> Result<ClaimAnswer, ApiError> {
        usable_id(id)?;
        let key = self.keys()?.claim(id);
        let body: Value = serde_json::from_str(contract::CLAIM_BODY).unwrap_or_default();
        let a = match self
            .call(Call::patch(id, body, key, Redactor::default()).not_cancellable())
            .await
        {
            Ok(a) => a,
            // The claim key was used with another body: someone else's claim.
            Err(ApiError::IdempotencyKeyReused { .. }) => return Ok(ClaimAnswer::Repeated),
            Err(e) => return Err(e),
        };
        if a.replayed && !a.after_uncertain_attempt {
            return Ok(ClaimAnswer::Repeated);
        }
        let (data, _) = envelope::open(&a)?;
        Ok(ClaimAnswer::First(envelope::same_id(
            id,
            LogSource::from_json(&data)?,
        )?))
    }

    /// Reads one log source.
    pub async fn get(&self, id: &str) -> Result<LogSource, ApiError> {
        usable_id(id)?;
        let a = self.call(Call::get(id)).await?;
        let (data, _) = envelope::open(&a)?;
        envelope::same_id(id, LogSource::from_json(&data)?)
    }

    /// Reads one page of the list, starting at `cursor`. The page must hold no more than
    /// the page size asked for.
    pub async fn list_page(
        &self,
        filter: &ListFilter,
        cursor: Option<&str>,
    ) -> Result<Page, ApiError> {
        let limit = filter
            .page_size
            .unwrap_or(contract::PAGE_SIZE)
            .clamp(1, 100);
        let mut query = vec![(contract::QUERY_LIMIT, limit.to_string())];
        if let Some(t) = &filter.log_type {
            query.push((contract::QUERY_TYPE, t.clone()));
        }
        if let Some(c) = cursor {
            query.push((contract::QUERY_CURSOR, c.to_string()));
        }
        let a = self.call(Call::list(query)).await?;
        let (data, next) = envelope::open(&a)?;
        let Value::Array(items) = data else {
            return Err(ApiError::BadAnswer {
                what: "a list page whose `data` is not an array".into(),
            });
        };
        if items.len() > limit as usize {
            return Err(ApiError::BadAnswer {
                what: format!(
                    "a list page of {} items when at most {limit} were asked for",
                    items.len()
                ),
            });
        }
        let next = match next {
            None | Some(Value::Null) => None,
            Some(Value::String(c)) if c.is_empty() => None,
            Some(Value::String(c))
                if c.len() <= MAX_CURSOR_LEN && c.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Some(c)
            }
            Some(_) => {
                return Err(ApiError::BadAnswer {
                    what: "a list page whose `nextCursor` is not a short printable string".into(),
                })
            }
        };
        Ok(Page {
            bytes: a.body.len(),
            items: items
                .iter()
                .map(LogSource::from_json)
                .collect::<Result<_, _>>()?,
            next,
        })
    }

    /// Walks the list page by page, within every bound of [`PageWalk`].
    pub fn walk(&self, filter: ListFilter) -> PageWalk<'_, Client> {
        PageWalk::new(self, filter, self.config().walk_timeout)
    }

    /// The deadline of one whole list walk.
    pub fn walk_timeout(&self) -> Duration {
        self.config().walk_timeout
    }

    /// Lists every log source (all pages), within every bound of [`PageWalk`].
    pub async fn list(&self, filter: &ListFilter) -> Result<Vec<LogSource>, ApiError> {
        let mut walk = self.walk(filter.clone());
        let mut all = Vec::new();
        while let Some(items) = walk.next().await {
            all.extend(items?);
        }
        Ok(all)
    }

    /// Updates source `id`, whose `generation`-th update this is (a count the caller
    /// keeps, so repeating an earlier change is never taken for a replay of it). A key
    /// the API has seen before, from no attempt of this call, is passed over for the next
    /// generation; the answer says which one carried the change.
    pub async fn update(
        &self,
        id: &str,
        patch: &LogSourcePatch,
        generation: u64,
    ) -> Result<Updated, ApiError> {
        usable_id(id)?;
        let body = patch.to_body();
        let mut generation = generation;
        for _ in 0..MAX_STALE_UPDATE_KEYS {
            let key = self.keys()?.update(id, generation, &body);
            let a = self
                .call(Call::patch(id, body.clone(), key, patch.redactor()))
                .await?;
            // A replay that answers no attempt of this call is an older update's answer
            // (its generation was lost with a failed save, or the object was imported
            // again): it changed nothing now, so send the change under the next key.
            if a.replayed && !a.after_uncertain_attempt {
                generation = generation.saturating_add(1);
                continue;
            }
            let (data, _) = envelope::open(&a)?;
            return Ok(Updated {
                source: envelope::same_id(id, LogSource::from_json(&data)?)?,
                generation,
            });
        }
        Err(ApiError::BadAnswer {
            what: format!(
                "{MAX_STALE_UPDATE_KEYS} replayed answers in a row to an update of {id}, each \
                 for a key this run had not used"
            ),
        })
    }

    /// Deletes a log source (a 404 is returned as [`ApiError::NotFound`]). Any 2xx is
    /// success, with or without a body, unless the body says `"success": false`.
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        usable_id(id)?;
        let a = self.call(Call::delete(id)).await?;
        if envelope::says_failure(&a) {
            return Err(ApiError::BadAnswer {
                what: format!(
                    "a {} answer to a delete that says it failed",
                    a.status.as_u16()
                ),
            });
        }
        Ok(())
    }

    /// Asks SigSentry to test the connection (read-only, so safe to repeat). Every text of
    /// the result comes back cleaned, `credentials` (the source's, when known) redacted.
    pub async fn test(
        &self,
        id: &str,
        credentials: Option<&std::collections::BTreeMap<String, Secret>>,
    ) -> Result<TestResult, ApiError> {
        usable_id(id)?;
        let creds = Redactor::new(credentials.into_iter().flatten().map(|(_, v)| v.expose()));
        let a = self.call(Call::test(id, creds.clone())).await?;
        let (data, _) = envelope::open(&a)?;
        // The platform's words may quote the credentials: cleaned here, for every caller.
        let mut redact = self.redactor().clone();
        redact.extend(&creds);
        let mut result = TestResult::from_json(&data)?;
        for line in &mut result.sample_lines {
            *line = redact.clean(line);
        }
        if let Some(e) = &mut result.error {
            e.code = redact.clean(&e.code);
            e.message = redact.clean(&e.message);
        }
        Ok(result)
    }
}

impl PageSource for Client {
    fn page(
        &self,
        filter: &ListFilter,
        cursor: Option<&str>,
    ) -> impl std::future::Future<Output = Result<Page, ApiError>> + Send {
        self.list_page(filter, cursor)
    }
}
