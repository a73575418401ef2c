//! Text that came from the network, made safe to show: every secret the request carried is
//! redacted (an API may echo a submitted credential back in its error message), control
//! characters (ANSI escapes among them) are dropped, and the length is capped.

use super::contract::MAX_MESSAGE_CHARS;

/// Secrets shorter than this are not replaced inside a message (a one-letter password
/// would garble every word); a message containing one is withheld whole instead.
const MIN_REPLACEABLE: usize = 4;

/// What replaces a secret.
pub const REDACTED: &str = "<redacted>";

/// The secrets one request carried: the API key and any credential values in its body.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor {{ {} secrets }}", self.secrets.len())
    }
}

impl Redactor {
    /// Redacts `secrets` (empty ones are ignored).
    pub fn new<I, S>(secrets: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut r = Redactor::default();
        for s in secrets {
            r.add(s.as_ref());
        }
        r
    }

    /// Adds one secret, and its JSON-escaped form when that differs (an API that echoes a
    /// body fragment echoes it escaped).
    pub fn add(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let escaped = serde_json::to_string(secret).unwrap_or_default();
        let escaped = escaped.trim_matches('"');
        if escaped != secret && !escaped.is_empty() {
            self.secrets.push(escaped.to_string());
        }
        self.secrets.push(secret.to_string());
        // Longest first, so a secret that contains another is replaced whole.
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Adds every secret of `other`.
    pub fn extend(&mut self, other: &Redactor) {
        for s in &other.secrets {
            if !self.secrets.contains(s) {
                self.secrets.push(s.clone());
            }
        }
        self.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// `text` with secrets redacted, control characters dropped and the length capped,
    /// in that order and once more after the controls are gone: a secret echoed with a
    /// control character inside it (or one whose own newlines became spaces) is still
    /// found, and a cut never leaves half a secret to read.
    pub fn clean(&self, text: &str) -> String {
        let Some(once) = self.redact(text) else {
            return WITHHELD.into();
        };
        let plain = without_controls(&once);
        let Some(twice) = self.redact(&plain) else {
            return WITHHELD.into();
        };
        cap(&twice)
    }

    /// Every secret, in each of its forms (raw, JSON-escaped, without controls), replaced;
    /// `None` when a secret too short to replace occurs.
    fn redact(&self, text: &str) -> Option<String> {
        let mut out = text.to_string();
        for s in &self.secrets {
            for form in [s.clone(), without_controls(s)] {
                if form.is_empty() {
                    continue;
                }
                if form.chars().count() < MIN_REPLACEABLE {
                    if out.contains(form.as_str()) {
                        return None;
                    }
                } else {
                    out = out.replace(form.as_str(), REDACTED);
                }
            }
        }
        Some(out)
    }
}

/// What is shown instead of a message that holds a secret too short to replace.
const WITHHELD: &str = "(the API's message is withheld: it may repeat a credential)";

/// `text` without control characters (newlines and tabs become spaces), at most
/// [`MAX_MESSAGE_CHARS`] characters.
pub fn strip(text: &str) -> String {
    cap(&without_controls(text))
}

/// `text` without C0 and C1 controls (ESC starts ANSI sequences) and the bidi overrides
/// that can make a message read differently from what it says; newlines, tabs and
/// carriage returns become spaces.
fn without_controls(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\t' | '\r' => Some(' '),
            c if c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c) =>
            {
                None
            }
            c => Some(c),
        })
        .collect()
}

/// At most [`MAX_MESSAGE_CHARS`] characters, an ellipsis marking a cut.
fn cap(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or(text)),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_plain_and_escaped() {
        let r = Redactor::new(["ss_secret_key", "pa\"ss/word"]);
        assert_eq!(
            r.clean("bad key ss_secret_key for pa\"ss/word"),
            "bad key <redacted> for <redacted>"
        );
        assert_eq!(
            r.clean(r#"{"password":"pa\"ss/word"}"#),
            r#"{"password":"<redacted>"}"#
        );
    }

    #[test]
    fn short_secrets_withhold_the_message() {
        let r = Redactor::new(["abc"]);
        assert!(r.clean("token abc is wrong").contains("withheld"));
        assert_eq!(r.clean("no match here"), "no match here");
    }

    #[test]
    fn control_characters_are_dropped_and_length_capped() {
        assert_eq!(strip("a\u{1b}[31mred\u{1b}[0m\nb"), "a[31mred[0m b");
        assert_eq!(strip("x\u{202e}y"), "xy");
        let long = "x".repeat(2000);
        assert_eq!(strip(&long).chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn a_secret_split_by_a_control_character_or_past_the_cap_is_still_redacted() {
        let r = Redactor::new(["tok-very-secret"]);
        assert_eq!(r.clean("bad tok-very\u{1b}-secret"), "bad <redacted>");
        // A secret with newlines of its own (a service-account key), echoed as it was.
        let r = Redactor::new(["-----BEGIN KEY-----\nMIIEabc\n-----END KEY-----"]);
        let echoed = "bad key -----BEGIN KEY-----\nMIIEabc\n-----END KEY----- here";
        assert_eq!(r.clean(echoed), "bad key <redacted> here");
        // Far past the cap, so only a cut after redaction keeps it out.
        let r = Redactor::new(["zz-secret-zz"]);
        let text = format!("{}zz-secret-zz", "x".repeat(MAX_MESSAGE_CHARS - 5));
        assert!(!r.clean(&text).contains("zz-se"), "{}", r.clean(&text));
    }
}
