//! Pacing shared by every request of one client (one provider process), so that twenty
//! parallel workers meeting a rate limit slow down together instead of each retrying into
//! it. Every request first takes a slot: slots are spaced by an interval that widens on a
//! 429 (and when the API says how many requests remain) and narrows again as answers
//! succeed, and none is given before a `Retry-After` has passed.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The widest spacing a 429 without rate-limit headers leads to.
const MAX_BACKOFF_INTERVAL: Duration = Duration::from_millis(500);
/// The spacing a first 429 without rate-limit headers sets.
const FIRST_INTERVAL: Duration = Duration::from_millis(25);

/// What an answer said about the rate limit. [assumed: `RateLimit-Limit` (requests per
/// second), `RateLimit-Remaining`, `RateLimit-Reset` (seconds) on every answer while a
/// limit applies; see contract.rs]
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Signal {
    /// The answer was 429.
    pub limited: bool,
    /// `Retry-After`, when sent.
    pub retry_after: Option<Duration>,
    /// `RateLimit-Limit`.
    pub limit: Option<u32>,
    /// `RateLimit-Remaining`.
    pub remaining: Option<u32>,
    /// `RateLimit-Reset`.
    pub reset: Option<Duration>,
}

#[derive(Debug)]
struct State {
    /// No slot before this instant (a `Retry-After`, or an exhausted window).
    not_before: Instant,
    /// The next free slot.
    next: Instant,
    /// Spacing between slots.
    interval: Duration,
}

/// The shared pacer.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
}

impl Default for Pacer {
    fn default() -> Self {
        let now = Instant::now();
        Pacer {
            state: Mutex::new(State {
                not_before: now,
                next: now,
                interval: Duration::ZERO,
            }),
        }
    }
}

impl Pacer {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// Takes the next slot and says how long to wait for it; `None`, taking nothing, when
    /// the slot falls at or after `deadline`: a call that cannot be sent in time must not
    /// push every later call further out.
    pub fn reserve(&self, deadline: Instant) -> Option<Duration> {
        let mut s = self.lock();
        let now = Instant::now();
        let slot = now.max(s.next).max(s.not_before);
        if slot >= deadline {
            return None;
        }
        s.next = slot + s.interval;
        Some(slot.saturating_duration_since(now))
    }

    /// Learns from an answer.
    pub fn observe(&self, signal: Signal) {
        let mut s = self.lock();
        let now = Instant::now();
        if let Some(limit) = signal.limit.filter(|l| *l > 0) {
            // The API said its rate: pace at it, so the window never runs dry.
            s.interval = Duration::from_secs(1) / limit;
            if signal.remaining == Some(0) {
                if let Some(reset) = signal.reset {
                    s.not_before = s.not_before.max(now + reset.min(Duration::from_secs(60)));
                }
            }
        } else if signal.limited {
            s.interval = (s.interval * 2).clamp(FIRST_INTERVAL, MAX_BACKOFF_INTERVAL);
        } else if !s.interval.is_zero() {
            // Succeeding without headers: narrow again, to nothing in time.
            s.interval = s.interval.mul_f64(0.8);
            if s.interval < Duration::from_millis(1) {
                s.interval = Duration::ZERO;
            }
        }
        if signal.limited {
            if let Some(ra) = signal.retry_after {
                // Bounded here; the caller's deadline decides whether to wait at all.
                s.not_before = s.not_before.max(now + ra.min(Duration::from_secs(60)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn later() -> Instant {
        Instant::now() + Duration::from_secs(3600)
    }

    #[test]
    fn a_429_spaces_everyone_and_success_narrows_again() {
        let p = Pacer::default();
        assert_eq!(p.reserve(later()).unwrap(), Duration::ZERO);
        p.observe(Signal {
            limited: true,
            retry_after: Some(Duration::from_secs(1)),
            ..Default::default()
        });
        // Every caller now waits for the Retry-After, one interval apart.
        let (a, b) = (p.reserve(later()).unwrap(), p.reserve(later()).unwrap());
        assert!(a > Duration::from_millis(900) && b > a);
        for _ in 0..40 {
            p.observe(Signal::default());
        }
        assert_eq!(p.lock().interval, Duration::ZERO);
    }

    #[test]
    fn rate_limit_headers_set_the_pace() {
        let p = Pacer::default();
        p.observe(Signal {
            limit: Some(20),
            remaining: Some(5),
            ..Default::default()
        });
        assert_eq!(p.lock().interval, Duration::from_millis(50));
        p.observe(Signal {
            limit: Some(20),
            remaining: Some(0),
            reset: Some(Duration::from_secs(1)),
            ..Default::default()
        });
        assert!(p.reserve(later()).unwrap() > Duration::from_millis(900));
    }

    #[test]
    fn a_call_that_cannot_be_sent_in_time_takes_no_slot() {
        let p = Pacer::default();
        p.observe(Signal {
            limit: Some(1),
            ..Default::default()
        });
        let soon = Instant::now() + Duration::from_millis(500);
        assert!(p.reserve(soon).is_some());
        // The next slot is a second away: past this deadline, and nothing is taken.
        for _ in 0..100 {
            assert!(p.reserve(soon).is_none());
        }
        let next = p.reserve(later()).unwrap();
        assert!(next <= Duration::from_secs(1), "{next:?}");
    }
}
