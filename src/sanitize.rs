//! The one place text is made safe for a terminal. Names, states, error messages and whole HTML
//! pages come from servers and from whoever named things in a tenant; written raw, an ESC starts
//! a control sequence that can retitle the window, rewrite what was printed before or hide text,
//! a CR overwrites the line, and bidi overrides make `txt.exe` read as `exe.txt`.
//!
//! Every human-facing string (table cells, `show`, picker labels, stderr lines) passes through
//! [`line`] or [`text`] on its way out; machine formats (json, ndjson, csv) keep the data exact.
//! Both also hide the secrets ep holds ([`crate::redact::known_secrets`]), so a server that echoes
//! a token in an error is never the way it reaches a log.
//!
//! Escapes are visible and ASCII (`\x1b`, `\r`, `\u{202e}`), so a reader sees that something was
//! there, and escaping already-escaped text changes nothing.

use crate::redact;
use std::borrow::Cow;
use std::fmt::Write;

/// Whether a newline may stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One line (a cell, a label): newlines are escaped too.
    Line,
    /// Several lines (an error listing candidates, a prompt): `\n` is kept.
    Text,
}

/// A single-line value for people: secrets hidden, every control and invisible character escaped.
pub fn line(s: &str) -> String {
    escape(&redact::known_secrets(s), Mode::Line).into_owned()
}

/// Multi-line text for people: as [`line`], but `\n` stays a newline.
pub fn text(s: &str) -> String {
    escape(&redact::known_secrets(s), Mode::Text).into_owned()
}

/// Characters that must not reach a terminal raw: C0 and C1 controls and DEL (escape sequences,
/// CR, BEL, backspace), bidi embeddings, overrides, isolates and marks (they reorder what is
/// shown), and zero-width and other invisible format characters (they hide or split words).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        // Arabic letter mark, Mongolian vowel separator
        | '\u{61c}' | '\u{180e}'
        // zero-width space/non-joiner/joiner, LRM, RLM
        | '\u{200b}'..='\u{200f}'
        // line and paragraph separators, LRE, RLE, PDF, LRO, RLO
        | '\u{2028}'..='\u{202e}'
        // word joiner, invisible operators, LRI, RLI, FSI, PDI, deprecated format controls
        | '\u{2060}'..='\u{206f}'
        // zero-width no-break space (BOM)
        | '\u{feff}'
        // interlinear annotation controls
        | '\u{fff9}'..='\u{fffb}'
    )
}

/// Replace each unsafe character with a visible escape. Borrowed when there is nothing to do,
/// which is nearly always.
pub fn escape(s: &str, mode: Mode) -> Cow<'_, str> {
    let keep = |c: char| mode == Mode::Text && c == '\n';
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !is_unsafe(c) || keep(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// At most this many characters of a user's input are repeated in a message.
const EXCERPT_CHARS: usize = 60;

/// `raw` as quoted back in an error: its first [`EXCERPT_CHARS`] characters and `…` when longer.
/// A 50 MB line on stdin is not worth 50 MB of terminal; the excerpt is still sanitised on output.
pub fn excerpt(raw: &str) -> String {
    let mut chars = raw.chars();
    let head: String = chars.by_ref().take(EXCERPT_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn control_sequences_are_shown_not_obeyed() {
        assert_eq!(
            escape("\u{1b}]0;pwned\u{7}x\u{1b}[2J", Mode::Line),
            "\\x1b]0;pwned\\x07x\\x1b[2J"
        );
        assert_eq!(escape("a\rb\tc\nd", Mode::Line), "a\\rb\\tc\\nd");
        assert_eq!(escape("a\rb\nc", Mode::Text), "a\\rb\nc");
        assert_eq!(escape("\u{9b}31m", Mode::Line), "\\u{9b}31m");
        assert_eq!(escape("\u{7f}\u{0}", Mode::Line), "\\x7f\\x00");
    }

    #[test]
    fn bidi_and_invisible_characters_are_shown() {
        assert_eq!(
            escape("invoice\u{202e}fdp.exe", Mode::Line),
            "invoice\\u{202e}fdp.exe"
        );
        for c in [
            '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{2066}', '\u{2067}', '\u{2068}',
            '\u{2069}', '\u{200e}', '\u{200f}', '\u{61c}', '\u{200b}', '\u{200c}', '\u{200d}',
            '\u{2060}', '\u{feff}',
        ] {
            let shown = escape(&format!("a{c}b"), Mode::Text).into_owned();
            assert_eq!(shown, format!("a\\u{{{:x}}}b", u32::from(c)));
        }
    }

    #[test]
    fn ordinary_text_is_untouched_and_borrowed() {
        for s in [
            "Sales Onboarding",
            "Siobhán O'Connor · Ünïcödé 東京 — ok",
            "C:\\Users\\x",
            "emoji 👍🏽 and العربية",
        ] {
            assert!(matches!(escape(s, Mode::Line), Cow::Borrowed(_)), "{s}");
        }
    }

    #[test]
    fn known_secrets_are_hidden_by_the_boundary_functions() {
        crate::redact::register_secret("s3cr3t-value-for-sanitize-test");
        assert_eq!(
            line("echo: s3cr3t-value-for-sanitize-test\u{1b}"),
            "echo: (redacted)\\x1b"
        );
        assert_eq!(text("a\ns3cr3t-value-for-sanitize-test"), "a\n(redacted)");
    }

    fn unsafe_chars() -> impl Strategy<Value = char> {
        prop_oneof![
            (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap_or('\0')),
            (0x7fu32..0xa0).prop_map(|c| char::from_u32(c).unwrap_or('\0')),
            prop::sample::select(vec![
                '\u{61c}', '\u{200b}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2066}',
                '\u{2069}', '\u{2060}', '\u{feff}', '\u{2028}'
            ]),
        ]
    }

    fn hostile_strings() -> impl Strategy<Value = String> {
        prop::collection::vec(prop_oneof![any::<char>(), unsafe_chars()], 0..64)
            .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn line_output_never_holds_a_control_or_bidi_character(s in hostile_strings()) {
            let shown = escape(&s, Mode::Line);
            prop_assert!(!shown.chars().any(is_unsafe), "{shown:?}");
            prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
        }

        #[test]
        fn text_output_keeps_only_newlines(s in hostile_strings()) {
            let shown = escape(&s, Mode::Text);
            prop_assert!(!shown.chars().any(|c| is_unsafe(c) && c != '\n'), "{shown:?}");
            prop_assert_eq!(shown.matches('\n').count(), s.matches('\n').count());
        }

        #[test]
        fn escaping_twice_changes_nothing(s in hostile_strings()) {
            let once = escape(&s, Mode::Line).into_owned();
            prop_assert_eq!(escape(&once, Mode::Line), once.as_str());
        }

        #[test]
        fn safe_characters_survive_in_order(s in hostile_strings()) {
            let kept: String = s.chars().filter(|c| !is_unsafe(*c)).collect();
            let shown = escape(&s, Mode::Line);
            // Removing the escapes' text leaves the safe characters, in order.
            let mut rest = shown.as_ref();
            for c in kept.chars() {
                let at = rest.find(c);
                prop_assert!(at.is_some(), "{c:?} lost from {shown:?}");
                rest = &rest[at.unwrap_or(0) + c.len_utf8()..];
            }
        }
    }
}
