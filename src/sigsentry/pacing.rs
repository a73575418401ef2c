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
//! - back-off: a 429 holds every slot until its `Retry-After` has passed (slots already
//!   given move back by as much, keeping their order) and drops the allowed rate to
//!   [`BETA`] times the rate that got through lately (when next to nothing did, the API
//!   refuses whatever the pace, and the hold is all). That is one episode: 429s to
//!   requests sent before its hold ended, or in the [`EPISODE`] after, answer the same
//!   overload and change nothing, their requests backing off on their own;
//! - recovery: with every answer that is not a 429 the rate climbs back along a cubic
//!   curve, fast at first, flattening as it nears the rate where the 429 came, then
//!   probing past it ever faster, so a limit that was raised is found again; far past
//!   anything the process sends, pacing ends until the next 429.
//!
//! `RateLimit-Limit` (when the API sends it) caps the rate from the first answer, and
//! `RateLimit-Remaining: 0` holds every slot until `RateLimit-Reset`.
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
/// The time constant of the measured rates, in seconds.
const MEASURE_TAU: f64 = 1.0;
/// The slowest pace learned: a request every 500 ms (twenty workers queued behind it wait
/// 10 s, well within an operation's deadline). Less than this getting through teaches no
/// rate: `Retry-After` holds slow down further when the API asks.
const MIN_RATE: f64 = 2.0;
/// A learned rate past this is no pace: requests a millisecond apart are closer than any
/// round trip to a real API. Pacing ends there until the next 429.
const MAX_RATE: f64 = 1000.0;
/// How long after a 429's hold its episode lasts: the requests sent in it, at the cut
/// rate, probe the same overload, so their 429s do not cut or hold again.
const EPISODE: Duration = Duration::from_secs(1);
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

/// A slot taken: how long to wait for it. A hold that comes while it is waited for moves
/// it back (see [`Pace::moved`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    /// How long to wait before sending.
    pub wait: Duration,
    /// [`Pace`]'s `moved` when it was given.
    moved: Duration,
}

/// Events a second, each weighing `exp(-age / MEASURE_TAU)`: a count of the last
/// `MEASURE_TAU` or so, over it.
#[derive(Clone, Copy, Debug)]
struct Meter {
    weight: f64,
    at: Instant,
}

impl Meter {
    fn new(now: Instant) -> Meter {
        Meter {
            weight: 0.0,
            at: now,
        }
    }

    /// The rate at `at`; an instant before the last event counts as at it.
    fn rate(&self, at: Instant) -> f64 {
        let age = at.saturating_duration_since(self.at).as_secs_f64();
        self.weight * (-age / MEASURE_TAU).exp() / MEASURE_TAU
    }

    fn count(&mut self, at: Instant) {
        self.weight = self.rate(at) * MEASURE_TAU + 1.0;
        self.at = self.at.max(at);
    }
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
    /// The end of the last cut's episode: 429s to requests sent before it are answered
    /// by that cut and its hold already.
    episode_end: Instant,
    /// Answers other than 429: what got through, measured even when nothing is paced.
    through: Meter,
    /// How far holds have moved back every slot waiting for them, in all: a slot given
    /// earlier has moved by the difference.
    moved: Duration,
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
            episode_end: now,
            through: Meter::new(now),
            moved: Duration::ZERO,
        }
    }

    /// The rate slots are given at; `None` for no spacing.
    pub fn rate(&self) -> Option<f64> {
        match (self.learned, self.ceiling) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The rate a 429 at `at` says was too much: what got through lately, never more
    /// than the pace.
    pub fn measured(&self, at: Instant) -> f64 {
        let through = self.through.rate(at);
        self.rate().map_or(through, |r| through.min(r))
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
            moved: self.moved,
        })
    }

    /// How much longer to wait for `slot`, whose wait has passed: holds that came since
    /// it was given moved it back (in line: the order of waiting slots never changes, so a
    /// request retried after a 429 queues behind those that waited). Zero to send now.
    pub fn moved(&self, slot: &mut Slot) -> Duration {
        let by = self.moved.saturating_sub(slot.moved);
        slot.moved = self.moved;
        by
    }

    /// Learns from an answer that came at `now` to a request sent at `sent`.
    pub fn observe(&mut self, now: Instant, sent: Instant, signal: Signal) {
        self.ceiling = signal.limit.filter(|l| *l > 0).map(f64::from);
        if self.ceiling.is_some() && signal.remaining == Some(0) {
            if let Some(reset) = signal.reset {
                self.hold(now, now + reset.min(MAX_HOLD));
            }
        }
        if !signal.limited {
            self.through.count(now);
            self.recover(now);
            return;
        }
        if sent < self.episode_end {
            // This episode's cut and hold answered it already; the request backs off on
            // its own. Cutting again for each would collapse the rate, and holding again
            // would let one request through per hold.
            return;
        }
        if let Some(ra) = signal.retry_after {
            self.hold(now, now + ra.min(MAX_HOLD));
        }
        self.episode_end = self.not_before.max(now) + EPISODE;
        let from = self.measured(now);
        if from < MIN_RATE {
            // Next to nothing got through lately: the API refuses whatever the pace (a
            // storm, or an outage), and its 429s teach no rate. The hold is all.
            return;
        }
        self.from = from;
        self.learned = Some(from * BETA);
        self.cut = Some((now, (from * (1.0 - BETA) / CUBIC_C).cbrt()));
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

    /// Holds every slot until `until`: none is given before it, and every slot waiting
    /// moves back by as much as the hold grew, keeping its place in line.
    fn hold(&mut self, now: Instant, until: Instant) {
        let from = now.max(self.not_before);
        let by = until.saturating_duration_since(from);
        if by.is_zero() {
            return;
        }
        self.not_before = until;
        if self.next > from {
            self.next += by;
        }
        self.moved += by;
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

    /// See [`Pace::moved`].
    pub fn moved(&self, slot: &mut Slot) -> Duration {
        self.lock().moved(slot)
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
        // 20 a second got through.
        let through = p.measured(now);
        assert!((19.0..21.0).contains(&through), "{through}");
        p.observe(now, now, limited(Some(Duration::from_secs(1))));
        let rate = p.rate().unwrap();
        assert!((rate - BETA * through).abs() < 1e-9, "{rate}");
        // Everyone waits for the Retry-After, then goes one interval apart.
        let a = p.reserve(now, far(now)).unwrap().wait;
        let b = p.reserve(now, far(now)).unwrap().wait;
        assert_eq!(a, Duration::from_secs(1));
        assert_eq!(b - a, Duration::from_secs_f64(1.0 / rate));
    }

    #[test]
    fn a_hold_moves_the_waiting_slots_back_in_line() {
        let t0 = Instant::now();
        let mut p = Pace::new(t0);
        let limit = Signal {
            limit: Some(10),
            ..Default::default()
        };
        p.observe(t0, t0, limit);
        // Slots at 0, 100 and 200 ms; at 50 ms a 429 asks for a second.
        let mut slots: Vec<Slot> = (0..3).map(|_| p.reserve(t0, far(t0)).unwrap()).collect();
        let second = Some(Duration::from_secs(1));
        p.observe(
            t0 + ms(50),
            t0,
            Signal {
                limited: true,
                retry_after: second,
                ..limit
            },
        );
        let at: Vec<Duration> = slots[1..].iter_mut().map(|s| s.wait + p.moved(s)).collect();
        assert_eq!(at, [ms(1100), ms(1200)]);
        // Asked again, a moved slot stays where it is.
        assert_eq!(p.moved(&mut slots[1]), Duration::ZERO);
        // The request refused at 50 ms, retried after its second, queues behind them.
        let retried = t0 + ms(1050);
        assert_eq!(p.reserve(retried, far(retried)).unwrap().wait, ms(250));
    }

    #[test]
    fn a_429_before_anything_got_through_holds_but_learns_no_rate() {
        let t0 = Instant::now();
        let mut p = Pace::new(t0);
        for _ in 0..20 {
            p.reserve(t0, far(t0)).unwrap();
        }
        let soon = t0 + ms(1);
        p.observe(soon, t0, limited(Some(Duration::from_secs(1))));
        assert_eq!(p.rate(), None);
        assert_eq!(
            p.reserve(soon, far(soon)).unwrap().wait,
            Duration::from_secs(1)
        );
    }

    #[test]
    fn the_429s_of_one_episode_cut_the_rate_once_and_hold_once() {
        let t0 = Instant::now();
        let mut p = sent(200, t0, Duration::from_secs(10));
        let now = t0 + Duration::from_secs(10);
        let second = Some(Duration::from_secs(1));
        p.observe(now, now - ms(5), limited(second));
        let once = p.rate();
        // Requests sent before the cut come back 429 after it, and so do requests sent in
        // the second after its hold: the same episode.
        for i in 1..5 {
            p.observe(now + ms(i), now - ms(i), limited(second));
        }
        let probe = now + ms(1500);
        p.observe(probe + ms(1), probe, limited(second));
        assert_eq!(p.rate(), once);
        assert_eq!(
            p.reserve(now, far(now)).unwrap().wait,
            Duration::from_secs(1)
        );
        // One sent after that is a new episode: another cut, another hold.
        let later = now + ms(2100);
        p.observe(later + ms(1), later, limited(second));
        assert!(p.rate() < once);
        let wait = p.reserve(later, far(later)).unwrap().wait;
        assert_eq!(wait, Duration::from_secs(1) + ms(1));
    }

    #[test]
    fn success_regains_the_rate_then_probes_past_it_then_stops_pacing() {
        let t0 = Instant::now();
        let mut p = sent(200, t0, Duration::from_secs(10));
        let now = t0 + Duration::from_secs(10);
        let from = p.measured(now);
        p.observe(now, now, limited(None));
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
        // When answers got through, a 429 still cuts below the stated limit, and recovery
        // stops at it.
        for _ in 0..10 {
            p.observe(t0, t0, headers(5, None));
        }
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

    /// A simulated API's limit.
    enum Limit {
        /// The fake API's: a token bucket of 20 a second holding one second's worth; a
        /// refusal says `Retry-After: 1` (whole seconds, at least one).
        Bucket { tokens: f64, at: Instant },
        /// The next `n` creates are refused with `Retry-After: 1`, whatever their pace.
        Storm { n: usize },
    }

    impl Limit {
        /// `Ok(remaining)`, or the `Retry-After` of a 429.
        fn take(&mut self, now: Instant, create: bool) -> Result<u32, Duration> {
            match self {
                Limit::Bucket { tokens, at } => {
                    let refill = now.saturating_duration_since(*at).as_secs_f64() * 20.0;
                    *tokens = (*tokens + refill).min(20.0);
                    *at = (*at).max(now);
                    if *tokens >= 1.0 {
                        *tokens -= 1.0;
                        Ok(*tokens as u32)
                    } else {
                        Err(Duration::from_secs(1))
                    }
                }
                Limit::Storm { n } if create && *n > 0 => {
                    *n -= 1;
                    Err(Duration::from_secs(1))
                }
                Limit::Storm { .. } => Ok(100),
            }
        }
    }

    /// What happens next to a simulated worker.
    #[derive(PartialEq, Eq, PartialOrd, Ord)]
    enum Step {
        /// Ready to send: takes a slot.
        Ready,
        /// Its slot has come: sends, unless a hold moved it back.
        Wake,
        /// The answer to what it sent at `sent` arrives: `Ok(remaining)` or a 429's
        /// `Retry-After`.
        Answer {
            sent: Instant,
            verdict: Result<u32, Duration>,
        },
    }

    /// What a simulation saw.
    #[derive(Debug)]
    struct Outcome {
        /// Requests answered 429.
        refused: usize,
        /// Requests given up on: retries exhausted, or past the operation's deadline.
        failed: usize,
        /// Seconds until the last answer.
        secs: f64,
    }

    /// `workers` making requests until `requests` are done, against `limit`, with round
    /// trips of 1 ms, after one listing. Like Terraform creating log sources, a worker sends a create, at
    /// once its claim, then takes 50 ms for Terraform's own work before the next create.
    /// Like the client, a request is tried at most 6 times within 60 s, waiting for its
    /// `Retry-After` or its backoff (250 ms doubling, with jitter), the longer.
    fn simulate(workers: usize, requests: usize, mut limit: Limit, headers: bool) -> Outcome {
        let t0 = Instant::now();
        let mut pace = Pace::new(t0);
        // The plan's one listing, just before.
        let listing = pace.reserve(t0, far(t0)).map(|s| s.wait);
        assert_eq!(listing, Some(Duration::ZERO));
        pace.observe(t0, t0, Signal::default());
        let mut steps: BinaryHeap<(Reverse<Instant>, usize, Step)> = (0..workers)
            .map(|w| (Reverse(t0), w, Step::Ready))
            .collect();
        let mut slots: Vec<Option<Slot>> = vec![None; workers];
        // Requests done, tries of the current one, when it began.
        let mut made = vec![0; workers];
        let mut tries = vec![0u32; workers];
        let mut began = vec![t0; workers];
        let mut rng = fastrand::Rng::with_seed(7);
        let (mut done, mut refused, mut failed, mut end) = (0, 0, 0, t0);
        while let Some((Reverse(now), w, step)) = steps.pop() {
            // Whether the request is over (answered, or given up on).
            let over = match step {
                Step::Ready => match pace.reserve(now, began[w] + Duration::from_secs(60)) {
                    Some(slot) => {
                        slots[w] = Some(slot);
                        steps.push((Reverse(now + slot.wait), w, Step::Wake));
                        false
                    }
                    None => {
                        failed += 1;
                        true
                    }
                },
                Step::Wake => {
                    let slot = slots[w].as_mut().expect("a slot was taken");
                    let by = pace.moved(slot);
                    if by.is_zero() {
                        let verdict = limit.take(now, made[w] % 2 == 0);
                        let answer = Step::Answer { sent: now, verdict };
                        steps.push((Reverse(now + ms(1)), w, answer));
                        false
                    } else if now + by >= began[w] + Duration::from_secs(60) {
                        failed += 1;
                        true
                    } else {
                        // A hold moved it back.
                        steps.push((Reverse(now + by), w, Step::Wake));
                        false
                    }
                }
                Step::Answer { sent, verdict } => {
                    let signal = Signal {
                        limited: verdict.is_err(),
                        retry_after: verdict.err(),
                        limit: headers.then_some(20),
                        remaining: headers.then(|| verdict.unwrap_or(0)),
                        reset: headers.then_some(Duration::from_secs(1)),
                    };
                    pace.observe(now, sent, signal);
                    end = now;
                    if verdict.is_ok() {
                        true
                    } else {
                        refused += 1;
                        tries[w] += 1;
                        if tries[w] == 6 {
                            failed += 1;
                            true
                        } else {
                            let backoff =
                                (ms(250) * 2u32.pow(tries[w] - 1)).mul_f64(1.0 + rng.f64());
                            let retry_after = verdict.err().unwrap_or_default();
                            steps.push((Reverse(now + retry_after.max(backoff)), w, Step::Ready));
                            false
                        }
                    }
                }
            };
            if over {
                done += 1;
                made[w] += 1;
                tries[w] = 0;
                let at = now + if made[w] % 2 == 1 { ms(1) } else { ms(50) };
                began[w] = at;
                if done < requests {
                    steps.push((Reverse(at), w, Step::Ready));
                }
            }
        }
        Outcome {
            refused,
            failed,
            secs: end.duration_since(t0).as_secs_f64(),
        }
    }

    fn bucket() -> Limit {
        Limit::Bucket {
            tokens: 20.0,
            at: Instant::now(),
        }
    }

    #[test]
    fn retry_after_alone_teaches_the_pace_of_a_limit() {
        for workers in [10, 20] {
            let o = simulate(workers, 600, bucket(), false);
            // Most are the requests already on their way when the first 429 came.
            let share = o.refused as f64 / (600 + o.refused) as f64;
            assert!(share <= 0.05 && o.failed == 0, "{workers}: {o:?}");
            // 600 requests at 20 a second take 30 s; learning costs little more.
            assert!(o.secs < 35.0, "{workers}: {o:?}");
        }
    }

    #[test]
    fn rate_limit_headers_keep_the_limit_from_ever_answering_429() {
        let o = simulate(20, 600, bucket(), true);
        assert!(o.refused == 0 && o.failed == 0, "{o:?}");
    }

    #[test]
    fn a_storm_of_429s_is_waited_out_without_giving_up() {
        // 60 creates refused in a row, whatever the pace: 20 workers must get through
        // them within their retries and deadlines, and then speed up again.
        let o = simulate(20, 400, Limit::Storm { n: 60 }, false);
        assert!(o.failed == 0 && o.refused == 60, "{o:?}");
        assert!(o.secs < 30.0, "{o:?}");
    }
}
