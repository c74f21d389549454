//! Inert text: the one rule every piece of text read from a planner's files
//! obeys (scenario fields and keys, included files, variant overrides,
//! history column names), and the one escaper for echoing untrusted text.
//!
//! # The rule
//!
//! Text is refused when it
//! * is longer than its kind allows ([`TextKind::max_chars`]): 4,096
//!   characters for one-line text (labels, units, wording, titles, names,
//!   keys), 65,536 for long text (descriptions, notes, formulas). The length
//!   is checked first, so nothing slower ever sees an oversized string;
//! * holds a control character: C0 (`U+0000`–`U+001F`), DEL (`U+007F`) or C1
//!   (`U+0080`–`U+009F`). Long text may span lines: it may hold newline,
//!   tab, and carriage return before a newline (Windows line ends);
//! * holds a Unicode non-character (`U+FDD0`–`U+FDEF`, and the last two code
//!   points of every plane, `U+FFFE`, `U+FFFF`, `U+1FFFE`, ...);
//! * holds a bidirectional embedding, override or isolate (`U+202A`–`U+202E`,
//!   `U+2066`–`U+2069`), which reorder what a terminal or a report shows.
//!
//! Such text could drive a terminal (ESC starts an escape sequence), forge
//! lines in a message, break a generated file, or make every later step
//! slow; none of it belongs in a label.
//!
//! # Echoing
//!
//! [`escape`] writes every such character as Rust writes it in a string
//! literal (`\u{1b}`, `\n`), so a value quoted in an error message is one
//! inert line. [`for_terminal`] does the same but keeps newlines and tabs,
//! for whole messages about to be printed.

use std::borrow::Cow;

/// Most characters in one-line text (labels, units, wording, names, keys).
pub const MAX_LINE_CHARS: usize = 4_096;
/// Most characters in long text (descriptions, notes, formulas).
pub const MAX_LONG_CHARS: usize = 65_536;

/// What a field holds, and so how long it may be and whether it may span
/// lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// One line: labels, units, wording, titles, names, keys, column names.
    Line,
    /// Several lines: descriptions, notes, formulas.
    Long,
}

impl TextKind {
    pub fn max_chars(self) -> usize {
        match self {
            TextKind::Line => MAX_LINE_CHARS,
            TextKind::Long => MAX_LONG_CHARS,
        }
    }

    /// The kind of a scenario field, by its key.
    pub fn of_key(key: &str) -> TextKind {
        match key {
            "description" | "note" | "formula" => TextKind::Long,
            _ => TextKind::Line,
        }
    }
}

/// Why a piece of text was refused. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is {chars} characters long; at most {limit} are allowed here")]
    TooLong { chars: usize, limit: usize },
    #[error("contains the control character {} at position {position}", code_point(*ch))]
    Control { ch: char, position: usize },
    #[error("contains the Unicode non-character {} at position {position}", code_point(*ch))]
    NonCharacter { ch: char, position: usize },
    #[error(
        "contains the bidirectional control character {} at position {position}, which reorders what is shown",
        code_point(*ch)
    )]
    Bidi { ch: char, position: usize },
}

impl TextError {
    /// How to fix it.
    pub fn hint(&self, kind: TextKind) -> String {
        match self {
            TextError::TooLong { limit, .. } => match kind {
                TextKind::Line => format!(
                    "shorten it to at most {limit} characters; put longer text in `description`"
                ),
                TextKind::Long => format!("shorten it to at most {limit} characters"),
            },
            TextError::Control { ch, position } => format!(
                "remove the control character {} at position {position}",
                code_point(*ch)
            ),
            TextError::NonCharacter { ch, position } => format!(
                "remove the non-character {} at position {position}",
                code_point(*ch)
            ),
            TextError::Bidi { ch, position } => format!(
                "remove the bidirectional control character {} at position {position}",
                code_point(*ch)
            ),
        }
    }
}

/// `U+001B`.
pub fn code_point(ch: char) -> String {
    format!("U+{:04X}", ch as u32)
}

/// A Unicode non-character: `U+FDD0`–`U+FDEF` or `U+xxFFFE`, `U+xxFFFF`.
pub fn is_non_character(ch: char) -> bool {
    let c = ch as u32;
    (0xFDD0..=0xFDEF).contains(&c) || c & 0xFFFE == 0xFFFE
}

/// C0, DEL or C1.
pub fn is_control(ch: char) -> bool {
    let c = ch as u32;
    c < 0x20 || (0x7F..=0x9F).contains(&c)
}

/// Bidirectional embeddings, overrides and isolates.
pub fn is_bidi_control(ch: char) -> bool {
    matches!(ch as u32, 0x202A..=0x202E | 0x2066..=0x2069)
}

/// Any character the rule refuses in one-line text, and [`escape`] escapes.
pub fn is_unsafe(ch: char) -> bool {
    is_control(ch) || is_non_character(ch) || is_bidi_control(ch)
}

/// Check text against the rule for its kind (see the module docs). The
/// length is checked before anything else looks at the characters.
pub fn check(s: &str, kind: TextKind) -> Result<(), TextError> {
    let limit = kind.max_chars();
    // A UTF-8 character is at most 4 bytes: short strings skip the count.
    if s.len() > limit {
        let chars = s.chars().count();
        if chars > limit {
            return Err(TextError::TooLong { chars, limit });
        }
    }
    let mut chars = s.chars().peekable();
    let mut position = 0;
    while let Some(ch) = chars.next() {
        position += 1;
        if is_control(ch) {
            let allowed = kind == TextKind::Long
                && (ch == '\n' || ch == '\t' || (ch == '\r' && chars.peek() == Some(&'\n')));
            if !allowed {
                return Err(TextError::Control { ch, position });
            }
        } else if is_non_character(ch) {
            return Err(TextError::NonCharacter { ch, position });
        } else if is_bidi_control(ch) {
            return Err(TextError::Bidi { ch, position });
        }
    }
    Ok(())
}

/// The text with every unsafe character escaped (`\u{1b}`, `\n`, `\t`), so
/// it reads as one inert line.
pub fn escape(s: &str) -> Cow<'_, str> {
    escape_where(s, is_unsafe)
}

/// Like [`escape`], but newlines and tabs are kept: for a whole message
/// about to be printed on a terminal.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escape_where(s, |ch| ch != '\n' && ch != '\t' && is_unsafe(ch))
}

fn escape_where(s: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for ch in s.chars() {
        if unsafe_char(ch) {
            match ch {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                _ => out.push_str(&format!("\\u{{{:x}}}", ch as u32)),
            }
        } else {
            out.push(ch);
        }
    }
    Cow::Owned(out)
}

/// At most `max` characters of the text, escaped, with `...` when cut.
pub fn excerpt(s: &str, max: usize) -> String {
    let escaped = escape(s);
    if escaped.chars().count() > max {
        let cut: String = escaped.chars().take(max.saturating_sub(3)).collect();
        format!("{cut}...")
    } else {
        escaped.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_labels_in_any_script_pass() {
        for s in [
            "地区生产总值",
            "GDP growth (real), %",
            "±800 kV",
            "Prodotto interno lordo — crescita",
            "",
        ] {
            assert_eq!(check(s, TextKind::Line), Ok(()), "{s}");
        }
        assert_eq!(check("two\nlines\tand\r\nmore", TextKind::Long), Ok(()));
    }

    #[test]
    fn control_characters_are_refused_with_their_position() {
        assert_eq!(
            check("ab\u{1b}[2J", TextKind::Line),
            Err(TextError::Control {
                ch: '\u{1b}',
                position: 3
            })
        );
        for ch in ['\0', '\n', '\t', '\r', '\u{7f}', '\u{85}', '\u{9b}'] {
            assert!(check(&format!("x{ch}"), TextKind::Line).is_err(), "{ch:?}");
        }
        // Long text may span lines, but not hold escapes or a bare CR.
        assert!(check("a\u{1b}b", TextKind::Long).is_err());
        assert!(check("a\rb", TextKind::Long).is_err());
        let e = check("地区\u{1b}", TextKind::Line).unwrap_err();
        assert_eq!(
            e.hint(TextKind::Line),
            "remove the control character U+001B at position 3"
        );
    }

    #[test]
    fn non_characters_and_bidi_overrides_are_refused() {
        for ch in [
            '\u{fffe}',
            '\u{ffff}',
            '\u{fdd0}',
            '\u{fdef}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert!(
                matches!(
                    check(&format!("a{ch}"), TextKind::Long),
                    Err(TextError::NonCharacter { position: 2, .. })
                ),
                "{ch:?}"
            );
        }
        assert!(matches!(
            check("abc\u{202e}cba", TextKind::Line),
            Err(TextError::Bidi { position: 4, .. })
        ));
        assert_eq!(check("\u{fdcf}\u{fdf0}\u{fffd}", TextKind::Line), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters_per_kind() {
        let line = "地".repeat(MAX_LINE_CHARS);
        assert_eq!(check(&line, TextKind::Line), Ok(()));
        assert_eq!(
            check(&format!("{line}x"), TextKind::Line),
            Err(TextError::TooLong {
                chars: MAX_LINE_CHARS + 1,
                limit: MAX_LINE_CHARS
            })
        );
        assert_eq!(check(&format!("{line}x"), TextKind::Long), Ok(()));
    }

    #[test]
    fn escaping_leaves_ordinary_text_alone_and_makes_the_rest_inert() {
        assert!(matches!(escape("地区 GDP"), Cow::Borrowed(_)));
        assert_eq!(escape("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\nc");
        assert_eq!(for_terminal("a\u{1b}b\nc\td"), "a\\u{1b}b\nc\td");
        assert_eq!(escape("\u{202e}\u{ffff}"), "\\u{202e}\\u{ffff}");
        assert_eq!(excerpt(&"x".repeat(100), 10), "xxxxxxx...");
    }
}
