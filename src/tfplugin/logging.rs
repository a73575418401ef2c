//! Logs as hclog JSON lines on stderr, which go-plugin parses and Terraform shows under
//! `TF_LOG`/`TF_LOG_PROVIDER`. The level follows those variables (Terraform passes its
//! environment on to plugins), so with logging off the hot path pays for nothing.

use std::fmt::Write as _;
use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{filter::LevelFilter, Layer};

/// The level Terraform asks for: `TF_LOG_PROVIDER`, else `TF_LOG`; warnings only when unset.
pub fn level_from_env() -> LevelFilter {
    let raw = std::env::var("TF_LOG_PROVIDER")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("TF_LOG").ok().filter(|v| !v.is_empty()));
    match raw.map(|v| v.to_ascii_lowercase()).as_deref() {
        Some("trace") | Some("json") => LevelFilter::TRACE,
        Some("debug") => LevelFilter::DEBUG,
        Some("info") => LevelFilter::INFO,
        Some("warn") => LevelFilter::WARN,
        Some("error") => LevelFilter::ERROR,
        Some("off") => LevelFilter::OFF,
        // Unknown values: Terraform treats them as trace.
        Some(_) => LevelFilter::TRACE,
        None => LevelFilter::WARN,
    }
}

/// Installs the hclog-JSON stderr logger as the global subscriber, naming `module` in each
/// line. The caller's own crates (`targets`, tracing targets such as a crate name) log at
/// the level Terraform asks for; everything else (HTTP/2, TLS, gRPC internals) only from
/// warnings up, so a trace log stays readable and cheap.
pub fn init(module: &'static str, targets: &[&str]) {
    let level = level_from_env();
    let filter = targets.iter().fold(
        tracing_subscriber::filter::Targets::new().with_default(level.min(LevelFilter::WARN)),
        |filter, target| filter.with_target(*target, level),
    );
    let layer = HclogLayer { module }.with_filter(filter);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Writes one hclog JSON line per event.
struct HclogLayer {
    module: &'static str,
}

/// Collects an event's message and fields.
#[derive(Default)]
struct Fields {
    message: String,
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        } else {
            self.extra.insert(field.name().to_string(), value.into());
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.extra.insert(field.name().to_string(), value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.extra.insert(field.name().to_string(), value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.extra.insert(field.name().to_string(), value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut s = String::new();
        let _ = write!(s, "{value:?}");
        if field.name() == "message" {
            self.message = s;
        } else {
            self.extra.insert(field.name().to_string(), s.into());
        }
    }
}

/// hclog's timestamp: `2006-01-02T15:04:05.000000Z07:00`, exactly six fractional digits.
pub fn timestamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let level = match *event.metadata().level() {
            Level::TRACE => "trace",
            Level::DEBUG => "debug",
            Level::INFO => "info",
            Level::WARN => "warn",
            Level::ERROR => "error",
        };
        let mut line = fields.extra;
        line.insert("@level".into(), level.into());
        line.insert("@message".into(), fields.message.into());
        line.insert("@module".into(), self.module.into());
        line.insert(
            "@timestamp".into(),
            timestamp(time::OffsetDateTime::now_utc()).into(),
        );
        let mut text = serde_json::Value::Object(line).to_string();
        text.push('\n');
        // One write per line so concurrent events never interleave.
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_has_six_fraction_digits() {
        let t = time::macros::datetime!(2025-01-02 03:04:05.123456789 UTC);
        assert_eq!(timestamp(t), "2025-01-02T03:04:05.123456Z");
        let t = time::macros::datetime!(2025-01-02 03:04:05 UTC);
        assert_eq!(timestamp(t), "2025-01-02T03:04:05.000000Z");
    }
}
