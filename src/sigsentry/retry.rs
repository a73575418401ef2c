//! How a call is retried, as a value. After each failed attempt, [`Retries`] decides to
//! wait (and how long) or to stop (and with which error), from the error, its
//! `Retry-After`, the retries left and the time left before the call's one deadline. It
//! neither sleeps nor sends: the client does both, so every rule here is tested with no
//! server and no clock. Every request may be sent again (see `call::Kind`), so only the
//! error decides whether trying again can help.

use super::config::ClientConfig;
use super::error::ApiError;
use backon::BackoffBuilder;
use std::time::{Duration, Instant};

/// How patiently every call of one client is retried.
#[derive(Clone, Debug)]
pub(super) struct RetryPolicy {
    /// Retries after the first attempt.
    max_retries: u32,
    /// The first backoff step; it doubles up to `max_backoff`, and jitter adds up to as
    /// much again to each.
    min_backoff: Duration,
    max_backoff: Duration,
    /// One call's deadline: every attempt and every wait between them.
    total: Duration,
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq)]
pub(super) enum Decision {
    /// Wait this long, then send again.
    Retry(Duration),
    /// End the call with this error.
    Stop(ApiError),
}

/// The retries of one call, from its start.
pub(super) struct Retries {
    total: Duration,
    deadline: Instant,
    delays: backon::ExponentialBackoff,
    /// Attempts sent so far.
    attempts: u32,
    /// An earlier attempt failed in a way the API may still have carried out.
    uncertain: bool,
    /// The first attempt that failed in transport (a timeout, a reset), to explain the
    /// answers of the retries after it.
    first_transport: Option<ApiError>,
}

impl RetryPolicy {
    /// The policy `config` asks for.
    pub fn new(config: &ClientConfig) -> RetryPolicy {
        RetryPolicy {
            max_retries: config.max_retries,
            min_backoff: config.min_backoff,
            max_backoff: config.max_backoff,
            total: config.total_timeout,
        }
    }

    /// The retries of one call that starts at `now`.
    pub fn start(&self, now: Instant) -> Retries {
        Retries {
            total: self.total,
            deadline: now + self.total,
            delays: backon::ExponentialBuilder::default()
                .with_min_delay(self.min_backoff)
                .with_max_delay(self.max_backoff)
                .with_max_times(self.max_retries as usize)
                .with_jitter()
                .build(),
            attempts: 0,
            uncertain: false,
            first_transport: None,
        }
    }
}

impl Retries {
    /// No attempt is sent and no wait ends after this instant.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Counts an attempt that was sent; returns its number, from 1.
    pub fn sent(&mut self) -> u32 {
        self.attempts += 1;
        self.attempts
    }

    /// Whether an earlier attempt failed in a way the API may still have carried out, so
    /// that a replay of the call's idempotency key may answer our own request.
    pub fn uncertain(&self) -> bool {
        self.uncertain
    }

    /// The error when the next attempt could not be sent before the deadline (its turn
    /// of the shared pace came too late).
    pub fn too_late(&self) -> ApiError {
        self.past_deadline(self.first_transport.clone())
    }

    /// Decides, after an attempt failed with `e` at `now`, whether to send again.
    pub fn after(&mut self, e: ApiError, now: Instant) -> Decision {
        if !e.is_retryable() {
            return Decision::Stop(e);
        }
        let Some(backoff) = self.delays.next() else {
            return Decision::Stop(e);
        };
        self.uncertain |= e.may_have_committed();
        if matches!(e, ApiError::Transport { .. }) && self.first_transport.is_none() {
            self.first_transport = Some(e.clone());
        }
        // The API's `Retry-After` is a floor, never a shortcut past our backoff.
        let wait = e.retry_after().map_or(backoff, |ra| ra.max(backoff));
        let left = self.deadline.saturating_duration_since(now);
        if wait < left {
            return Decision::Retry(wait);
        }
        Decision::Stop(match e.retry_after() {
            Some(ra) if ra >= left => ApiError::Deadline {
                seconds: self.total.as_secs(),
                attempts: self.attempts,
                last: format!(
                    "{e}; the API asked to wait {} s, past the deadline",
                    ra.as_secs()
                ),
            },
            _ => self.past_deadline(Some(e)),
        })
    }

    /// The error a call that failed with `e` reports. A first attempt that timed out
    /// makes its retries meet "still in progress": the timeout is the cause a person
    /// can act on.
    pub fn explain(self, e: ApiError) -> ApiError {
        match (e, self.first_transport) {
            (
                ApiError::IdempotencyInProgress { .. },
                Some(ApiError::Transport { message, connect }),
            ) => ApiError::Transport {
                message: format!(
                    "{message}; retries found the API still processing the first request"
                ),
                connect,
            },
            (e, _) => e,
        }
    }

    fn past_deadline(&self, last: Option<ApiError>) -> ApiError {
        ApiError::Deadline {
            seconds: self.total.as_secs(),
            attempts: self.attempts,
            last: last.map_or_else(|| "no attempt finished".to_string(), |e| e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn policy(max_retries: u32, total: Duration) -> RetryPolicy {
        RetryPolicy {
            max_retries,
            min_backoff: 100 * MS,
            max_backoff: 400 * MS,
            total,
        }
    }

    fn unavailable() -> ApiError {
        ApiError::Server {
            status: 503,
            retry_after: None,
            code: "UNAVAILABLE".into(),
            message: "down".into(),
        }
    }

    fn limited(retry_after: Duration) -> ApiError {
        ApiError::RateLimited {
            retry_after: Some(retry_after),
            message: "slow down".into(),
        }
    }

    fn timed_out() -> ApiError {
        ApiError::Transport {
            message: "SigSentry API at h: timed out".into(),
            connect: false,
        }
    }

    fn wait(d: Decision) -> Duration {
        match d {
            Decision::Retry(w) => w,
            Decision::Stop(e) => panic!("stopped: {e}"),
        }
    }

    fn stop(d: Decision) -> ApiError {
        match d {
            Decision::Stop(e) => e,
            Decision::Retry(w) => panic!("retried after {w:?}"),
        }
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_with_jitter_then_retries_run_out() {
        let t0 = Instant::now();
        let mut r = policy(4, Duration::from_secs(60)).start(t0);
        // Each step is the doubled delay plus a jitter of up to as much again.
        for step in [100 * MS, 200 * MS, 400 * MS, 400 * MS] {
            r.sent();
            let w = wait(r.after(unavailable(), t0));
            assert!(w >= step && w < 2 * step, "{w:?} for a step of {step:?}");
        }
        r.sent();
        assert_eq!(stop(r.after(unavailable(), t0)), unavailable());
    }

    #[test]
    fn what_asking_again_cannot_fix_stops_at_once() {
        let t0 = Instant::now();
        for e in [
            ApiError::NotFound {
                message: String::new(),
            },
            ApiError::IdempotencyKeyReused {
                message: String::new(),
            },
            ApiError::BadAnswer { what: "x".into() },
            ApiError::TooLarge { status: 200 },
            ApiError::MissingApiKey,
        ] {
            let mut r = policy(5, Duration::from_secs(60)).start(t0);
            r.sent();
            assert_eq!(stop(r.after(e.clone(), t0)), e);
        }
    }

    #[test]
    fn retry_after_is_a_floor_never_a_shortcut() {
        let t0 = Instant::now();
        let mut r = policy(5, Duration::from_secs(60)).start(t0);
        r.sent();
        assert_eq!(
            wait(r.after(limited(Duration::from_secs(5)), t0)),
            Duration::from_secs(5)
        );
        r.sent();
        // Shorter than the backoff's second step: the backoff wins.
        assert!(wait(r.after(limited(MS), t0)) >= 200 * MS);
    }

    #[test]
    fn a_retry_after_past_the_deadline_stops_now_and_says_so() {
        let t0 = Instant::now();
        let mut r = policy(5, Duration::from_secs(10)).start(t0);
        r.sent();
        let e = stop(r.after(limited(Duration::from_secs(30)), t0));
        let ApiError::Deadline {
            seconds,
            attempts,
            last,
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!((seconds, attempts), (10, 1));
        assert!(
            last.contains("asked to wait 30 s, past the deadline"),
            "{last}"
        );
    }

    #[test]
    fn a_backoff_past_the_deadline_stops_with_the_last_error() {
        let t0 = Instant::now();
        let mut r = policy(5, Duration::from_secs(10)).start(t0);
        r.sent();
        // 50 ms left, and the first backoff step is 100 ms.
        let late = t0 + Duration::from_secs(10) - 50 * MS;
        let e = stop(r.after(unavailable(), late));
        assert_eq!(
            e,
            ApiError::Deadline {
                seconds: 10,
                attempts: 1,
                last: unavailable().to_string(),
            }
        );
    }

    #[test]
    fn too_late_to_send_names_the_first_transport_failure_if_any() {
        let t0 = Instant::now();
        let mut r = policy(5, Duration::from_secs(10)).start(t0);
        assert_eq!(
            r.too_late(),
            ApiError::Deadline {
                seconds: 10,
                attempts: 0,
                last: "no attempt finished".into(),
            }
        );
        r.sent();
        wait(r.after(timed_out(), t0));
        r.sent();
        wait(r.after(unavailable(), t0));
        let ApiError::Deadline { attempts, last, .. } = r.too_late() else {
            panic!()
        };
        assert_eq!((attempts, last), (2, timed_out().to_string()));
    }

    #[test]
    fn only_a_failure_the_api_may_have_carried_out_makes_a_replay_ours() {
        let t0 = Instant::now();
        let mut r = policy(5, Duration::from_secs(60)).start(t0);
        let refused = ApiError::Transport {
            message: "refused".into(),
            connect: true,
        };
        for e in [refused, limited(MS)] {
            r.sent();
            wait(r.after(e, t0));
            assert!(!r.uncertain());
        }
        r.sent();
        wait(r.after(unavailable(), t0));
        assert!(r.uncertain());
    }

    #[test]
    fn still_in_progress_after_a_timeout_is_reported_as_the_timeout() {
        let t0 = Instant::now();
        let in_progress = ApiError::IdempotencyInProgress {
            message: "busy".into(),
        };
        let untouched = policy(5, Duration::from_secs(60)).start(t0);
        assert_eq!(untouched.explain(in_progress.clone()), in_progress);

        let mut r = policy(5, Duration::from_secs(60)).start(t0);
        r.sent();
        wait(r.after(timed_out(), t0));
        r.sent();
        wait(r.after(in_progress.clone(), t0));
        let ApiError::Transport { message, connect } = r.explain(in_progress) else {
            panic!()
        };
        assert!(!connect);
        assert!(
            message.starts_with("SigSentry API at h: timed out; retries found the API still"),
            "{message}"
        );
    }
}
