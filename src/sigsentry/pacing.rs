//! Pacing shared by every request made with one API key in this process, so that twenty
//! parallel workers meeting a rate limit slow down together instead of each retrying into
//! it. The limit is per key whatever the project, so the pace is per key too (see
//! [`for_key`]).
//!
//! Every request first takes a slot. Until the API first answers 429 (or says its limit in
//! `RateLimit-*` headers) slots are not spaced at all: an API without a limit pays nothing.
//! After a 429 the pacer learns the rate the way TCP's CUBIC and the AWS SDKs' adaptive
//! retry mode do, from the 429s alone:
//!
//! - back-off: the allowed rate drops to [`BETA`] times the rate measured when the 429
//!   came, once per episode (429s to requests sent before the drop say nothing new);
//! - recovery: with every answer that is not a 429 the rate climbs back along a cubic
//!   curve, fast at first, flattening as it nears the rate where the 429 came, then
//!   probing past it ever faster, so a limit that was raised is found again; far past
//!   anything the process sends, pacing ends until the next 429.
//!
//! A `Retry-After` holds every slot until it has passed. `RateLimit-Limit` (when the API
//! sends it) caps the rate from the first answer, and `RateLimit-Remaining: 0` holds every
//! slot until `RateLimit-Reset`.
//!
//! [`Pace`] is the state machine, pure and told the time; [`Pacer`] shares one behind a
//! lock and reads the clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// What a 429 leaves of the measured rate (CUBIC's and AWS's beta).
const BETA: f64 = 0.7;
/// CUBIC's scaling constant, in requests a second per second cubed (AWS's value): a cut
/// from 20 requests a second is regained in 2.5 s.
const CUBIC_C: f64 = 0.4;
/// The time constant of the measured send rate, in seconds.
const MEASURE_TAU: f64 = 1.0;
/// The slowest pace learned: one request every two seconds.
const MIN_RATE: f64 = 0.5;
/// A learned rate past this is no pace: requests a millisecond apart are closer than any
/// round trip to a real API. Pacing ends there until the next 429.
const MAX_RATE: f64 = 1000.0;
/// The longest hold a `Retry-After` or `RateLimit-Reset` sets; the caller's deadline
/// decides whether to wait at all.
const MAX_HOLD: Duration = Duration::from_secs(60);

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

/// A slot taken: how long to wait for it, and whether a later 429 moved it (see
/// [`Pace::is_current`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// How long to wait before sending.
    pub wait: Duration,
    generation: u64,
}

/// The pace as a state machine: every method is told the time.
#[derive(Clone, Debug)]
pub struct Pace {
    /// The next free slot.
    next: Instant,
    /// No slot before this instant (a `Retry-After`, or an exhausted window).
    not_before: Instant,
    /// The learned rate (requests a second); `None` until a 429, and again once past
    /// [`MAX_RATE`].
    learned: Option<f64>,
    /// `RateLimit-Limit`, while the API sends it.
    ceiling: Option<f64>,
    /// The rate the last cut was made from: recovery flattens out there.
    from: f64,
    /// The last cut, and the seconds after it at which the curve is back at `from`.
    cut: Option<(Instant, f64)>,
    /// Answers seen, each weighing `exp(-age / MEASURE_TAU)`; over `MEASURE_TAU` it is
    /// the send rate, measured even when nothing is paced.
    weight: f64,
    /// When `weight` was last brought up to date.
    weighed_at: Instant,
    /// Counts the holds and cuts: each one moves every slot given before it.
    generation: u64,
}

impl Pace {
    /// A pace that spaces nothing yet.
    pub fn new(now: Instant) -> Pace {
        Pace {
            next: now,
            not_before: now,
            learned: None,
            ceiling: None,
            from: 0.0,
            cut: None,
            weight: 0.0,
            weighed_at: now,
            generation: 0,
        }
    }

    /// The rate slots are given at; `None` for no spacing.
    pub fn rate(&self) -> Option<f64> {
        match (self.learned, self.ceiling) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The send rate measured at `at` (by the answers), in requests a second.
    pub fn measured(&self, at: Instant) -> f64 {
        let age = at.saturating_duration_since(self.weighed_at).as_secs_f64();
        self.weight * (-age / MEASURE_TAU).exp() / MEASURE_TAU
    }

    /// Takes the next slot at `now`; `None`, taking nothing, when the slot falls at or
    /// after `deadline`: a call that cannot be sent in time must not push every later call
    /// further out.
    pub fn reserve(&mut self, now: Instant, deadline: Instant) -> Option<Slot> {
        let slot = now.max(self.next).max(self.not_before);
        if slot >= deadline {
            return None;
        }
        self.next = match self.rate() {
            Some(r) => slot + Duration::from_secs_f64(1.0 / r),
            None => slot,
        };
        Some(Slot {
            wait: slot.saturating_duration_since(now),
            generation: self.generation,
        })
    }

    /// Whether `slot` still stands: a 429 or an exhausted window since it was given moved
    /// every waiting slot, and its holder must take a new one rather than send into the
    /// limit.
    pub fn is_current(&self, slot: Slot) -> bool {
        slot.generation == self.generation
    }

    /// Learns from an answer that came at `now` to a request sent at `sent`.
    pub fn observe(&mut self, now: Instant, sent: Instant, signal: Signal) {
        // Counted as they come back, so the rate measured is what was really sent (slots
        // given out may still be waiting), a round trip late.
        self.weight = self.measured(now) * MEASURE_TAU + 1.0;
        self.weighed_at = self.weighed_at.max(now);
        self.ceiling = signal.limit.filter(|l| *l > 0).map(f64::from);
        if self.ceiling.is_some() && signal.remaining == Some(0) {
            if let Some(reset) = signal.reset {
                self.hold(now + reset.min(MAX_HOLD));
            }
        }
        if !signal.limited {
            self.recover(now);
            return;
        }
        if let Some(ra) = signal.retry_after {
            self.hold(now + ra.min(MAX_HOLD));
        }
        if self.cut.is_some_and(|(at, _)| sent < at) {
            // Sent before the last cut: the cut already answered this episode.
            return;
        }
        let from = match self.rate() {
            Some(r) => self.measured(now).min(r),
            None => self.measured(now),
        }
        .max(MIN_RATE);
        self.from = from;
        self.learned = Some((from * BETA).max(MIN_RATE));
        self.cut = Some((now, (from * (1.0 - BETA) / CUBIC_C).cbrt()));
        self.requeue(now);
    }

    /// Climbs back along the cubic after the last cut.
    fn recover(&mut self, now: Instant) {
        let (Some(_), Some((at, k))) = (self.learned, self.cut) else {
            return;
        };
        let t = now.saturating_duration_since(at).as_secs_f64();
        let rate = CUBIC_C * (t - k).powi(3) + self.from;
        self.learned = if rate > MAX_RATE {
            None
        } else {
            Some(rate.max(MIN_RATE))
        };
    }

    fn hold(&mut self, until: Instant) {
        if until > self.not_before {
            self.not_before = until;
            self.requeue(until);
        }
    }

    /// Gives every waiting slot up: they are taken again, in the new pace, from `from`.
    fn requeue(&mut self, from: Instant) {
        self.generation += 1;
        self.next = from.max(self.not_before);
    }
}

/// One [`Pace`] shared by every request of the clients using one API key.
#[derive(Debug)]
pub struct Pacer {
    pace: Mutex<Pace>,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            pace: Mutex::new(Pace::new(Instant::now())),
        }
    }
}

impl Pacer {
    fn lock(&self) -> std::sync::MutexGuard<'_, Pace> {
        // A poisoned lock still guards a usable pace: every change is a few assignments.
        match self.pace.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }

    /// See [`Pace::reserve`].
    pub fn reserve(&self, deadline: Instant) -> Option<Slot> {
        self.lock().reserve(Instant::now(), deadline)
    }

    /// See [`Pace::is_current`].
    pub fn is_current(&self, slot: Slot) -> bool {
        self.lock().is_current(slot)
    }

    /// See [`Pace::observe`].
    pub fn observe(&self, sent: Instant, signal: Signal) {
        self.lock().observe(Instant::now(), sent, signal);
    }
}

/// The pacer of `api_key` at `api_url`, shared by every client of this process that uses
/// both (the rate limit is the key's, whatever the project). The registry holds a SHA-256
/// of the two, never the key, and only weakly: a pacer lives as long as a client using it.
pub fn for_key(api_url: &str, api_key: &str) -> Arc<Pacer> {
    static PACERS: OnceLock<Mutex<HashMap<[u8; 32], Weak<Pacer>>>> = OnceLock::new();
    let mut ctx = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
    for part in ["sigsentry-pace-v1", api_url, api_key] {
        ctx.update(part.as_bytes());
        ctx.update(&[0]);
    }
    let mut fingerprint = [0u8; 32];
    fingerprint.copy_from_slice(ctx.finish().as_ref());
    let mut pacers = match PACERS.get_or_init(Default::default).lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if let Some(p) = pacers.get(&fingerprint).and_then(Weak::upgrade) {
        return p;
    }
    pacers.retain(|_, p| p.strong_count() > 0);
    let p = Arc::new(Pacer::default());
    pacers.insert(fingerprint, Arc::downgrade(&p));
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn far(now: Instant) -> Instant {
        now + Duration::from_secs(3600)
    }

    fn limited(retry_after: Option<Duration>) -> Signal {
        Signal {
            limited: true,
            retry_after,
            ..Default::default()
        }
    }

    /// A pace that sent `n` requests evenly over `over` from `t0`, each answered at once.
    fn sent(n: u32, t0: Instant, over: Duration) -> Pace {
        let mut p = Pace::new(t0);
        for i in 0..n {
            let at = t0 + over * i / n;
            assert_eq!(p.reserve(at, far(at)).unwrap().wait, Duration::ZERO);
            p.observe(at, at, Signal::default());
        }
        p
    }

    #[test]
    fn without_a_429_nothing_is_spaced() {
        let t0 = Instant::now();
        let mut p = Pace::new(t0);
        for i in 0..10_000u32 {
            let at = t0 + Duration::from_micros(u64::from(i));
            assert_eq!(p.reserve(at, far(at)).unwrap().wait, Duration::ZERO);
            p.observe(at, at, Signal::default());
        }
        assert_eq!(p.rate(), None);
    }

    #[test]
    fn the_send_rate_is_measured_before_anything_is_paced() {
        let t0 = Instant::now();
        let p = sent(200, t0, Duration::from_secs(10));
        let r = p.measured(t0 + Duration::from_secs(10));
        assert!((19.0..22.0).contains(&r), "{r}");
        // And it fades when nothing is sent.
        assert!(p.measured(t0 + Duration::from_secs(15)) < 0.2);
    }

    #[test]
    fn a_429_holds_every_slot_until_retry_after_and_cuts_the_rate() {
        let t0 = Instant::now();
        let mut p = sent(200, t0, Duration::from_secs(10));
        let now = t0 + Duration::from_secs(10);
        p.observe(now, now, limited(Some(Duration::from_secs(1))));
        // 20 a second were sent (21 answers in the last second, the 429 among them).
        let rate = p.rate().unwrap();
        assert!((rate - BETA * p.measured(now)).abs() < 1e-9, "{rate}");
        assert!((BETA * 19.0..BETA * 22.0).contains(&rate), "{rate}");
        // Everyone waits for the Retry-After, then goes one interval apart.
        let a = p.reserve(now, far(now)).unwrap().wait;
        let b = p.reserve(now, far(now)).unwrap().wait;
        assert_eq!(a, Duration::from_secs(1));
        assert_eq!(b - a, Duration::from_secs_f64(1.0 / rate));
    }

    #[test]
    fn the_429s_of_one_episode_cut_the_rate_once() {
        let t0 = Instant::now();
        let mut p = sent(200, t0, Duration::from_secs(10));
        let now = t0 + Duration::from_secs(10);
        p.observe(now, now - ms(5), limited(None));
        let once = p.rate();
        // Four more requests sent before the cut come back 429 after it.
        for i in 1..5 {
            p.observe(now + ms(i), now - ms(i), limited(None));
        }
        assert_eq!(p.rate(), once);
        // One sent after the cut is a new episode.
        p.observe(now + ms(200), now + ms(100), limited(None));
        assert!(p.rate() < once);
    }

    #[test]
    fn success_regains_the_rate_then_probes_past_it_then_stops_pacing() {
        let t0 = Instant::now();
        let mut p = sent(200, t0, Duration::from_secs(10));
        let now = t0 + Duration::from_secs(10);
        p.observe(now, now, limited(None));
        let from = p.measured(now);
        let k = (from * (1.0 - BETA) / CUBIC_C).cbrt();
        let at = |s: f64| now + Duration::from_secs_f64(s);
        let mut rate_at = |s: f64| {
            p.observe(at(s), at(s), Signal::default());
            p.rate()
        };
        let early = rate_at(k / 2.0).unwrap();
        assert!(early > BETA * from && early < from, "{early}");
        let back = rate_at(k).unwrap();
        assert!((back - from).abs() < 1e-6, "{back} {from}");
        assert!(rate_at(k + 2.0).unwrap() > from);
        // Long enough without a 429, the curve passes anything worth pacing at.
        assert_eq!(rate_at(k + 14.0), None);
    }

    #[test]
    fn rate_limit_headers_set_the_pace_from_the_first_answer() {
        let t0 = Instant::now();
        let mut p = Pace::new(t0);
        let headers = |remaining, reset| Signal {
            limit: Some(20),
            remaining: Some(remaining),
            reset,
            ..Default::default()
        };
        p.observe(t0, t0, headers(5, None));
        assert_eq!(p.rate(), Some(20.0));
        assert_eq!(p.reserve(t0, far(t0)).unwrap().wait, Duration::ZERO);
        assert_eq!(p.reserve(t0, far(t0)).unwrap().wait, ms(50));
        // An exhausted window holds every slot until it resets.
        p.observe(t0, t0, headers(0, Some(Duration::from_secs(1))));
        assert!(p.reserve(t0, far(t0)).unwrap().wait >= Duration::from_secs(1));
        // A 429 still cuts below the stated limit, and recovery stops at it.
        p.observe(
            t0 + ms(10),
            t0 + ms(10),
            Signal {
                limited: true,
                ..headers(0, None)
            },
        );
        assert!(p.rate().unwrap() < 20.0);
        let later = t0 + Duration::from_secs(30);
        p.observe(later, later, headers(19, None));
        assert_eq!(p.rate(), Some(20.0));
        // Answers without the headers (the limit was lifted) leave only what was learned.
        p.observe(later, later, Signal::default());
        assert_eq!(p.rate(), None);
    }

    #[test]
    fn a_call_that_cannot_be_sent_in_time_takes_no_slot() {
        let t0 = Instant::now();
        let mut p = Pace::new(t0);
        p.observe(
            t0,
            t0,
            Signal {
                limit: Some(1),
                ..Default::default()
            },
        );
        let soon = t0 + ms(500);
        assert!(p.reserve(t0, soon).is_some());
        // The next slot is a second away: past this deadline, and nothing is taken.
        for _ in 0..100 {
            assert!(p.reserve(t0, soon).is_none());
        }
        assert_eq!(p.reserve(t0, far(t0)).unwrap().wait, Duration::from_secs(1));
    }

    #[test]
    fn a_pacer_is_shared_by_one_key_at_one_api_and_no_further() {
        let a = for_key("https://api.example.com/", "ss_secret_pace_a");
        let again = for_key("https://api.example.com/", "ss_secret_pace_a");
        assert!(Arc::ptr_eq(&a, &again));
        let other_key = for_key("https://api.example.com/", "ss_secret_pace_b");
        let other_api = for_key("https://other.example.com/", "ss_secret_pace_a");
        assert!(!Arc::ptr_eq(&a, &other_key) && !Arc::ptr_eq(&a, &other_api));
        // Held weakly: once no client uses it, the key starts afresh.
        drop((a, again));
        let fresh = for_key("https://api.example.com/", "ss_secret_pace_a");
        assert_eq!(fresh.lock().rate(), None);
        assert!(format!("{fresh:?}").len() < 1000);
    }

    /// The fake API's limit: a token bucket of `rate` a second holding one second's worth;
    /// a refusal says `Retry-After` in whole seconds, at least one.
    struct Bucket {
        rate: f64,
        tokens: f64,
        at: Instant,
    }

    impl Bucket {
        fn take(&mut self, now: Instant) -> Result<u32, Duration> {
            let refill = now.saturating_duration_since(self.at).as_secs_f64() * self.rate;
            self.tokens = (self.tokens + refill).min(self.rate);
            self.at = self.at.max(now);
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                Ok(self.tokens as u32)
            } else {
                Err(Duration::from_secs(1))
            }
        }
    }

    /// What happens next to a simulated worker.
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Step {
        /// Ready to send: takes a slot.
        Ready,
        /// Its slot has come: sends, unless the slot was moved.
        Wake(u64),
        /// The answer to what it sent at `sent` arrives: `Ok(remaining)` or a 429's
        /// `Retry-After`.
        Answer {
            sent: Instant,
            verdict: Result<u32, Duration>,
        },
    }

    /// `workers` making requests until `requests` have succeeded, against a limit of 20
    /// a second, with round trips of 1 ms. Like Terraform creating log sources, a worker
    /// sends a create, at once its claim, then takes `think` for Terraform's own work
    /// before the next create; a 429 is retried after its `Retry-After` (or the client's
    /// first backoff, if longer). The 429s met and the seconds taken.
    fn simulate(workers: usize, requests: usize, think: Duration, headers: bool) -> (usize, f64) {
        let t0 = Instant::now();
        let mut pace = Pace::new(t0);
        let mut bucket = Bucket {
            rate: 20.0,
            tokens: 20.0,
            at: t0,
        };
        let mut steps: BinaryHeap<(Reverse<Instant>, usize, Step)> = (0..workers)
            .map(|w| (Reverse(t0), w, Step::Ready))
            .collect();
        let mut slots: Vec<Option<Slot>> = vec![None; workers];
        let mut made = vec![0; workers];
        let (mut done, mut refused, mut end) = (0, 0, t0);
        while let Some((Reverse(now), w, step)) = steps.pop() {
            match step {
                Step::Ready => {
                    let slot = pace.reserve(now, far(now)).unwrap();
                    slots[w] = Some(slot);
                    steps.push((Reverse(now + slot.wait), w, Step::Wake(slot.generation)));
                }
                Step::Wake(_) if slots[w].is_some_and(|s| !pace.is_current(s)) => {
                    steps.push((Reverse(now), w, Step::Ready));
                }
                Step::Wake(_) => {
                    let verdict = bucket.take(now);
                    let answer = Step::Answer { sent: now, verdict };
                    steps.push((Reverse(now + ms(1)), w, answer));
                }
                Step::Answer { sent, verdict } => {
                    pace.observe(
                        now,
                        sent,
                        Signal {
                            limited: verdict.is_err(),
                            retry_after: verdict.err(),
                            limit: headers.then_some(20),
                            remaining: headers.then(|| verdict.unwrap_or(0)),
                            reset: headers.then_some(Duration::from_secs(1)),
                        },
                    );
                    let next = match verdict {
                        Ok(_) => {
                            done += 1;
                            end = now;
                            made[w] += 1;
                            now + if made[w] % 2 == 1 { ms(1) } else { think }
                        }
                        Err(retry_after) => {
                            refused += 1;
                            now + retry_after.max(ms(250))
                        }
                    };
                    if done < requests {
                        steps.push((Reverse(next), w, Step::Ready));
                    }
                }
            }
        }
        (refused, end.duration_since(t0).as_secs_f64())
    }

    #[test]
    fn retry_after_alone_teaches_the_pace_of_a_limit() {
        for workers in [10, 20] {
            let (refused, secs) = simulate(workers, 600, ms(50), false);
            // Most are the requests already on their way when the first 429 came.
            let share = refused as f64 / (600 + refused) as f64;
            assert!(share <= 0.05, "{workers}: {refused} 429s in {secs:.1} s");
            // 600 requests at 20 a second take 30 s; learning costs little more.
            assert!(secs < 35.0, "{workers}: {refused} 429s in {secs:.1} s");
        }
    }

    #[test]
    fn rate_limit_headers_keep_the_limit_from_ever_answering_429() {
        let (refused, secs) = simulate(20, 600, ms(50), true);
        assert_eq!(refused, 0, "in {secs:.1} s");
    }
}
