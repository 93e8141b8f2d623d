//! Text from a server (replies, error messages) shown on a terminal: control characters are
//! escaped visibly, so that a reply cannot move the cursor, retitle the window or hide text.
//! Written to a pipe or a file, the text stays exact.
//!
//! `\n` and `\t` are kept; every other C0 control, DEL and the C1 controls (U+0080 to U+009F,
//! which some terminals obey as escapes) are shown as `\u{1b}`-style escapes.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::OnceLock;

/// Whether a character is escaped on a terminal.
fn is_escaped(c: char) -> bool {
    c != '\n' && c != '\t' && c.is_control()
}

/// `text` with every control character but `\n` and `\t` written as `\u{..}`.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_escaped) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_escaped(c) {
            let _ = write!(shown, "\\u{{{:x}}}", u32::from(c));
        } else {
            shown.push(c);
        }
    }
    Cow::Owned(shown)
}

/// `text` as it should be written to standard output: escaped on a terminal, exact otherwise.
pub fn stdout(text: &str) -> Cow<'_, str> {
    static TERMINAL: OnceLock<bool> = OnceLock::new();
    shown(
        text,
        *TERMINAL.get_or_init(|| std::io::stdout().is_terminal()),
    )
}

/// `text` as it should be written to standard error: escaped on a terminal, exact otherwise.
pub fn stderr(text: &str) -> Cow<'_, str> {
    static TERMINAL: OnceLock<bool> = OnceLock::new();
    shown(
        text,
        *TERMINAL.get_or_init(|| std::io::stderr().is_terminal()),
    )
}

fn shown(text: &str, terminal: bool) -> Cow<'_, str> {
    if terminal {
        escape_controls(text)
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_newlines_and_tabs_are_kept_as_they_are() {
        let text = "Hello\n\tworld, ça va? 你好 🎉";
        assert!(matches!(escape_controls(text), Cow::Borrowed(t) if t == text));
    }

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(
            escape_controls("\u{1b}[31mred\u{1b}]0;title\u{7}"),
            "\\u{1b}[31mred\\u{1b}]0;title\\u{7}"
        );
    }

    #[test]
    fn other_c0_del_and_c1_are_escaped() {
        assert_eq!(
            escape_controls("a\rb\u{0}c\u{8}d\u{7f}e\u{9b}f\u{85}"),
            "a\\u{d}b\\u{0}c\\u{8}d\\u{7f}e\\u{9b}f\\u{85}"
        );
    }

    #[test]
    fn a_pipe_gets_the_exact_text() {
        let text = "\u{1b}[2J\r";
        assert_eq!(shown(text, false), text);
        assert_eq!(shown(text, true), "\\u{1b}[2J\\u{d}");
    }
}
