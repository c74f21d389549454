//! Splits formula text into tokens.

use super::ParseError;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Tok<'a> {
    Num { value: f64, text: &'a str },
    Ident(&'a str),
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub(super) tok: Tok<'a>,
    pub(super) offset: usize,
}

pub(super) fn describe(tok: Tok<'_>) -> String {
    let sym = match tok {
        Tok::Num { text, .. } => return format!("number `{text}`"),
        Tok::Ident(name) => return format!("name `{name}`"),
        Tok::End => return "end of formula".to_string(),
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::Caret => "^",
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::Comma => ",",
    };
    format!("`{sym}`")
}

/// Advice for characters that typically arrive by pasting from word
/// processors or typing with a Chinese input method.
fn non_ascii_hint(c: char) -> &'static str {
    match c {
        '\u{2212}' | '\u{2013}' | '\u{2014}' | '\u{FF0D}' => "use the ASCII minus sign `-`",
        '\u{00D7}' | '\u{00B7}' | '\u{2219}' | '\u{22C5}' | '\u{FF0A}' => {
            "use `*` for multiplication"
        }
        '\u{00F7}' | '\u{FF0F}' => "use `/` for division",
        '\u{FF0B}' => "use the ASCII plus sign `+`",
        '\u{FF08}' => "use the ASCII parenthesis `(`",
        '\u{FF09}' => "use the ASCII parenthesis `)`",
        '\u{FF0C}' | '\u{3001}' => "use the ASCII comma `,` between arguments",
        '\u{FF0E}' | '\u{3002}' => "use the ASCII decimal point `.`",
        '\u{FF3E}' => "use `^` for powers",
        '\u{00B2}' => "write `^2` for a square",
        '\u{00B3}' => "write `^3` for a cube",
        '\u{FF10}'..='\u{FF19}' => "use ASCII digits 0-9",
        c if c.is_whitespace() => "replace it with an ordinary space",
        _ => "names may only contain ASCII letters, digits and `_`",
    }
}

pub(super) fn lex(src: &str) -> Result<Vec<Token<'_>>, ParseError> {
    let bytes = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        let tok = match b {
            _ if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'+' => Tok::Plus,
            b'-' => Tok::Minus,
            b'*' => Tok::Star,
            b'/' => Tok::Slash,
            b'^' => Tok::Caret,
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b',' => Tok::Comma,
            b'0'..=b'9' | b'.' => {
                let (tok, end) = lex_number(src, start)?;
                toks.push(Token { tok, offset: start });
                i = end;
                continue;
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => {
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    i += 1;
                }
                let name = src.get(start..i).unwrap_or_default();
                toks.push(Token {
                    tok: Tok::Ident(name),
                    offset: start,
                });
                continue;
            }
            _ => {
                // Only ASCII bytes have been consumed so far, so `start` is
                // on a character boundary.
                let c = src
                    .get(start..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('\u{FFFD}');
                return Err(if c.is_ascii() {
                    ParseError::new(
                        format!("unexpected character `{}`", c.escape_debug()),
                        start,
                    )
                    .with_hint(match c {
                        '=' | '<' | '>' | '!' => "comparisons are not supported in formulas",
                        '%' => "write percentages as fractions, e.g. `0.05` for 5%",
                        _ => "formulas use numbers, names, + - * / ^, parentheses and commas",
                    })
                } else {
                    ParseError::new(
                        format!("non-ASCII character `{}` is not allowed", c.escape_debug()),
                        start,
                    )
                    .with_hint(non_ascii_hint(c))
                });
            }
        };
        toks.push(Token { tok, offset: start });
        i += 1;
    }
    toks.push(Token {
        tok: Tok::End,
        offset: src.len(),
    });
    Ok(toks)
}

/// Scans `digits [. digits] [e [+-] digits]` starting at `start`.
fn lex_number(src: &str, start: usize) -> Result<(Tok<'_>, usize), ParseError> {
    let bytes = src.as_bytes();
    let digits_from = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = digits_from(start);
    let int_digits = i - start;
    let mut frac_digits = 0;
    if bytes.get(i) == Some(&b'.') {
        let frac_start = i + 1;
        i = digits_from(frac_start);
        frac_digits = i - frac_start;
    }
    if int_digits == 0 && frac_digits == 0 {
        return Err(ParseError::new("a lone `.` is not a number", start)
            .with_hint("write decimals like `0.5` or `.5`"));
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let e_at = i;
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_end = digits_from(j);
        if exp_end == j {
            return Err(
                ParseError::new("the exponent of this number has no digits", e_at)
                    .with_hint("write scientific notation like `1e-3` or `2.5E+4`"),
            );
        }
        i = exp_end;
    }
    let text = src.get(start..i).unwrap_or_default();
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok((Tok::Num { value, text }, i)),
        Ok(_) => Err(ParseError::new(
            format!("number `{text}` is too large"),
            start,
        )),
        Err(_) => Err(ParseError::new(format!("invalid number `{text}`"), start)),
    }
}
