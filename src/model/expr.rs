//! Planner formulas: parsing, error reporting and column-wise evaluation.
//!
//! A formula such as `va[t-1] * (1 + g) - min(cap, demand)` is parsed once into an
//! [`Expr`], its names are checked and resolved by the caller, and it is then
//! compiled into a [`Program`] that evaluates a whole block of Monte Carlo draws
//! per call. Formula text is untrusted input: every problem in it is reported as a
//! [`ParseError`] carrying the byte offset of the offending character and, where
//! one helps, a hint (`did you mean `sqrt`?`). Nothing a formula contains can make
//! this module panic or overflow the stack.
//!
//! # Syntax
//!
//! Spaces (and any other ASCII whitespace) between tokens are ignored.
//!
//! | Element | Examples | Notes |
//! |---|---|---|
//! | number | `12`, `0.5`, `.5`, `1.`, `1e-3`, `2.5E+4` | must be finite: `1e400` is an error |
//! | name | `gdp`, `va_2024`, `_tmp` | `[A-Za-z_][A-Za-z0-9_]*`, ASCII only, case-sensitive |
//! | lagged name | `gdp[t-1]`, `gdp[t-2]`, `gdp[t]` | `gdp[t]` is the same as `gdp`; only `t-N` with a whole number `N >= 1` is accepted, so future values (`gdp[t+1]`) cannot be referenced. Whether lags are available at all is up to the model. |
//! | arithmetic | `a + b`, `a - b`, `a * b`, `a / b`, `a ^ b` | |
//! | sign | `-a`, `+a` | |
//! | grouping | `(a + b) * c` | |
//! | function call | `max(a, b, 0)` | see the table below |
//!
//! A name directly followed by `(` is a function call; the same name used
//! without `(` is an ordinary variable, so a variable may be called `exp`.
//! Function names are lowercase.
//!
//! # Precedence
//!
//! From tightest to loosest:
//!
//! 1. `^`, right-associative: `2^3^2` is `2^(3^2)` = 512. The exponent may carry
//!    its own sign: `2^-1` = 0.5.
//! 2. Unary `-` and `+`: `-2^2` is `-(2^2)` = -4, as in mathematics (but unlike
//!    Excel, where it is 4). Write `(-2)^2` for 4.
//! 3. `*` and `/`, left-associative: `8/4/2` = 1.
//! 4. `+` and `-`, left-associative: `10-4-3` = 3.
//!
//! # Functions
//!
//! | Function | Meaning |
//! |---|---|
//! | `exp(x)` | e to the power x |
//! | `ln(x)` | natural logarithm (there is no `log`: use `ln` or `log10`) |
//! | `log10(x)` | base-10 logarithm |
//! | `sqrt(x)` | square root |
//! | `abs(x)` | absolute value |
//! | `floor(x)`, `ceil(x)` | round down / up to a whole number |
//! | `round(x)` | round to the nearest whole number, halves away from zero (`round(2.5)` = 3, `round(-2.5)` = -3) |
//! | `min(a, b, ...)`, `max(a, b, ...)` | smallest / largest of two or more values |
//! | `clamp(x, lo, hi)` | `min(max(x, lo), hi)`; when `lo > hi` the result is `hi` |
//! | `pow(x, y)` | the same as `x ^ y` |
//!
//! # Arithmetic and NaN
//!
//! Arithmetic is plain IEEE 754 double precision and never stops a simulation
//! by itself: `ln` of a negative number or `sqrt(-1)` gives NaN, `1/0` gives
//! infinity. The simulator checks every result for non-finite values and reports
//! them, so such values are not silently dropped.
//!
//! To keep that check reliable, `min`, `max` and `clamp` propagate NaN: if any
//! argument is NaN the result is NaN. (Many libraries' `min` quietly ignore a NaN
//! argument, which would hide a broken input behind a plausible number.)
//!
//! `x ^ y` and `pow(x, y)` follow the C `pow` function, so `x^0` is 1 even for
//! NaN `x`. When the exponent is exactly 2 or 3 the power is computed as `x*x`
//! or `x*x*x`, which is faster and can differ from `pow` in the last bit. This
//! is done consistently, so a formula gives identical results whether it is
//! evaluated by [`Expr::eval_scalar`], folded at compile time or evaluated
//! column-wise by a [`Program`].
//!
//! # Limits
//!
//! A formula may be at most [`MAX_FORMULA_LEN`] bytes long and may nest at most
//! [`MAX_DEPTH`] levels deep, where each parenthesis, sign, function call and
//! `^` counts as a level. Long sums and products such as `a + b + c + ...` do not
//! count towards the depth. Deeper formulas are better split into intermediate
//! variables anyway.

use std::fmt;

pub use crate::diagnostics::{caret, suggest};

/// Deepest nesting accepted, so that hostile or generated formulas cannot
/// exhaust the stack; real formulas stay far below it.
pub const MAX_DEPTH: usize = 128;

/// Longest formula accepted, in bytes; it bounds parse time and memory per formula.
pub const MAX_FORMULA_LEN: usize = 10_000;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A problem in formula text, located precisely enough to point at it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// What is wrong, e.g. "unexpected `)`" or "unknown function `sqr`".
    pub message: String,
    /// Byte offset into the formula of the character the problem is at
    /// (equal to the formula's length when the formula ends too early).
    pub offset: usize,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl ParseError {
    fn new(message: impl Into<String>, offset: usize) -> Self {
        ParseError {
            message: message.into(),
            offset,
            hint: None,
        }
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Renders the formula with a `^` under the offending character, for
    /// terminal and log output.
    ///
    /// Columns are counted in characters, not bytes, so non-ASCII text before
    /// the error does not shift the caret. Line breaks and tabs in the formula
    /// are shown as spaces so that the result is always exactly two lines.
    pub fn caret(&self, formula: &str) -> String {
        caret(formula, self.offset)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// A reference that the caller's resolver could not map to a value, e.g. a
/// misspelt name or a lag that is not available in a single-year run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnresolvedName {
    pub name: String,
    pub lag: u32,
    /// Byte offset of the name in the formula.
    pub offset: usize,
}

impl UnresolvedName {
    /// Turns the failure into a [`ParseError`] pointing at the name, with a
    /// "did you mean" hint drawn from `candidates` (the names that do exist).
    pub fn to_parse_error<'c>(&self, candidates: impl IntoIterator<Item = &'c str>) -> ParseError {
        let err = ParseError::new(self.to_string(), self.offset);
        match suggest(&self.name, candidates) {
            Some(s) if s != self.name => err.with_hint(format!("did you mean `{s}`?")),
            _ => err,
        }
    }
}

impl fmt::Display for UnresolvedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lag == 0 {
            write!(f, "unknown name `{}`", self.name)
        } else {
            write!(f, "no value for `{}[t-{}]`", self.name, self.lag)
        }
    }
}

impl std::error::Error for UnresolvedName {}

// ---------------------------------------------------------------------------
// AST
// ---------------------------------------------------------------------------

/// A parsed formula.
///
/// `Clone`, `PartialEq`, `Debug` and `Drop` are implemented by hand, without
/// recursion: a long sum such as `a + a + ... + a` is a left-leaning tree
/// thousands of levels deep, and the derived versions would overflow a
/// thread's stack on it. `Debug` prints the derived compact format; `{:#?}`
/// prints the same. Because of the `Drop` impl, match on `&Expr` rather than
/// moving fields out of an `Expr`.
pub enum Expr {
    Num(f64),
    Var {
        name: String,
        lag: u32,
        /// Byte offset of the name in the formula, for error messages.
        offset: usize,
    },
    Neg(Box<Expr>),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Call {
        func: Func,
        args: Vec<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Exp,
    Ln,
    Log10,
    Sqrt,
    Abs,
    Floor,
    Ceil,
    Round,
    Min,
    Max,
    Clamp,
    Pow,
}

impl Func {
    pub const ALL: [Func; 12] = [
        Func::Exp,
        Func::Ln,
        Func::Log10,
        Func::Sqrt,
        Func::Abs,
        Func::Floor,
        Func::Ceil,
        Func::Round,
        Func::Min,
        Func::Max,
        Func::Clamp,
        Func::Pow,
    ];

    /// The name as written in formulas.
    pub fn name(self) -> &'static str {
        match self {
            Func::Exp => "exp",
            Func::Ln => "ln",
            Func::Log10 => "log10",
            Func::Sqrt => "sqrt",
            Func::Abs => "abs",
            Func::Floor => "floor",
            Func::Ceil => "ceil",
            Func::Round => "round",
            Func::Min => "min",
            Func::Max => "max",
            Func::Clamp => "clamp",
            Func::Pow => "pow",
        }
    }

    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    /// (fewest, most) arguments; `None` means unbounded.
    fn arity(self) -> (usize, Option<usize>) {
        match self {
            Func::Min | Func::Max => (2, None),
            Func::Clamp => (3, Some(3)),
            Func::Pow => (2, Some(2)),
            _ => (1, Some(1)),
        }
    }

    fn arity_text(self) -> String {
        match self.arity() {
            (1, Some(1)) => "1 argument".to_string(),
            (n, Some(_)) => format!("{n} arguments"),
            (n, None) => format!("at least {n} arguments"),
        }
    }
}

/// One variable reference in a formula, borrowed from the [`Expr`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VarRef<'a> {
    pub name: &'a str,
    pub lag: u32,
    pub offset: usize,
}

/// What a reference compiles to: a value fixed for the whole block (such as a
/// base-year figure, which then takes part in constant folding) or a column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand {
    Const(f64),
    Slot(usize),
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok<'a> {
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
struct Token<'a> {
    tok: Tok<'a>,
    offset: usize,
}

fn describe(tok: Tok<'_>) -> String {
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

fn lex(src: &str) -> Result<Vec<Token<'_>>, ParseError> {
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

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

/// Parses a formula. See the module documentation for the syntax.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    if src.len() > MAX_FORMULA_LEN {
        let mut at = MAX_FORMULA_LEN;
        while !src.is_char_boundary(at) {
            at -= 1;
        }
        return Err(ParseError::new(
            format!(
                "formula is too long ({} bytes; the limit is {MAX_FORMULA_LEN})",
                src.len()
            ),
            at,
        )
        .with_hint("split it into intermediate variables"));
    }
    parse_unlimited_len(src)
}

/// The parser proper; separate from [`parse`] so tests can show that the depth
/// limit alone protects the stack, whatever the length.
fn parse_unlimited_len(src: &str) -> Result<Expr, ParseError> {
    let toks = lex(src)?;
    if toks.len() <= 1 {
        return Err(ParseError::new("empty formula", 0)
            .with_hint("write an expression such as `a * (1 + g)`"));
    }
    Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
        operands: Vec::new(),
        pending: Vec::new(),
    }
    .run()
}

/// Operator-precedence parser with explicit stacks instead of recursion, so
/// its stack use is constant whatever the formula and build mode. The depth
/// limit is still enforced (it counts the pending parentheses, calls, signs
/// and `^` that recursive descent would nest), because it also bounds what
/// later stages can be asked to do.
struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    operands: Vec<Expr>,
    pending: Vec<Pending<'a>>,
}

/// Something opened but not yet complete.
enum Pending<'a> {
    /// A leading `-` (`neg`) or `+`.
    Sign {
        neg: bool,
    },
    Bin(BinOp),
    Paren {
        open: usize,
    },
    Call {
        func: Func,
        name: &'a str,
        name_at: usize,
        open: usize,
        /// `operands.len()` when the call opened; its arguments sit above.
        base: usize,
    },
}

impl Pending<'_> {
    fn counts_as_depth(&self) -> bool {
        !matches!(
            self,
            Pending::Bin(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div)
        )
    }

    /// Binding strength of an operator; `None` for parentheses and calls,
    /// which only a `)` or `,` closes.
    fn precedence(&self) -> Option<u8> {
        match self {
            Pending::Bin(op) => Some(precedence(*op)),
            Pending::Sign { .. } => Some(3),
            Pending::Paren { .. } | Pending::Call { .. } => None,
        }
    }
}

/// Signs (3) bind looser than `^` (so `-2^2` is `-(2^2)`) and tighter than `*`.
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Add | BinOp::Sub => 1,
        BinOp::Mul | BinOp::Div => 2,
        BinOp::Pow => 4,
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Token<'a> {
        self.toks.get(self.pos).copied().unwrap_or(Token {
            tok: Tok::End,
            offset: self.src.len(),
        })
    }

    fn bump(&mut self) -> Token<'a> {
        let t = self.peek();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn push(&mut self, item: Pending<'a>, offset: usize) -> Result<(), ParseError> {
        if item.counts_as_depth() {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(too_deep(offset));
            }
        }
        self.pending.push(item);
        Ok(())
    }

    fn pop_operand(&mut self) -> Expr {
        // The grammar guarantees an operand here; NaN only guards the invariant.
        self.operands.pop().unwrap_or(Expr::Num(f64::NAN))
    }

    /// Applies the innermost pending operator to its operands.
    fn reduce(&mut self) {
        let Some(item) = self.pending.pop() else {
            return;
        };
        if item.counts_as_depth() {
            self.depth = self.depth.saturating_sub(1);
        }
        match item {
            Pending::Sign { neg: true } => {
                let x = self.pop_operand();
                self.operands.push(Expr::Neg(Box::new(x)));
            }
            Pending::Bin(op) => {
                let rhs = self.pop_operand();
                let lhs = self.pop_operand();
                self.operands.push(binary(op, lhs, rhs));
            }
            Pending::Sign { neg: false } | Pending::Paren { .. } | Pending::Call { .. } => {}
        }
    }

    /// Reduces operators that bind at least as tightly as `incoming` would
    /// (`^` is right-associative, so it leaves an equal `^` pending).
    fn reduce_before(&mut self, incoming: Option<BinOp>) {
        while let Some(top) = self.pending.last().and_then(Pending::precedence) {
            let stop = match incoming {
                Some(BinOp::Pow) => top <= precedence(BinOp::Pow),
                Some(op) => top < precedence(op),
                None => false,
            };
            if stop {
                break;
            }
            self.reduce();
        }
    }

    fn run(&mut self) -> Result<Expr, ParseError> {
        let mut want_operand = true;
        loop {
            let t = self.bump();
            if want_operand {
                want_operand = self.operand(t)?;
                continue;
            }
            let op = match t.tok {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::Caret => BinOp::Pow,
                Tok::RParen => {
                    self.reduce_before(None);
                    match self.pending.pop() {
                        Some(Pending::Call {
                            func,
                            name_at,
                            base,
                            ..
                        }) => self.close_call(func, name_at, base)?,
                        Some(_) => self.depth = self.depth.saturating_sub(1),
                        None => {
                            return Err(ParseError::new("unmatched `)`", t.offset)
                                .with_hint("remove it or add a matching `(` before it"));
                        }
                    }
                    continue;
                }
                Tok::Comma => {
                    self.reduce_before(None);
                    if matches!(self.pending.last(), Some(Pending::Call { .. })) {
                        want_operand = true;
                        continue;
                    }
                    return Err(self.misplaced(t));
                }
                Tok::End => {
                    self.reduce_before(None);
                    if self.pending.is_empty() {
                        return Ok(self.pop_operand());
                    }
                    return Err(self.misplaced(t));
                }
                _ => return Err(self.misplaced(t)),
            };
            self.reduce_before(Some(op));
            self.push(Pending::Bin(op), t.offset)?;
            want_operand = true;
        }
    }

    /// Handles token `t` where an operand is expected; returns whether an
    /// operand is still expected afterwards.
    fn operand(&mut self, t: Token<'a>) -> Result<bool, ParseError> {
        match t.tok {
            Tok::Num { value, .. } => self.operands.push(Expr::Num(value)),
            Tok::Ident(name) => {
                let lag = match self.peek().tok {
                    Tok::LParen => return self.open_call(name, t.offset),
                    Tok::LBracket => self.lag()?,
                    _ => 0,
                };
                self.operands.push(Expr::Var {
                    name: name.to_string(),
                    lag,
                    offset: t.offset,
                });
            }
            Tok::LParen => {
                self.push(Pending::Paren { open: t.offset }, t.offset)?;
                return Ok(true);
            }
            Tok::Minus | Tok::Plus => {
                let neg = matches!(t.tok, Tok::Minus);
                self.push(Pending::Sign { neg }, t.offset)?;
                return Ok(true);
            }
            _ => return Err(self.bad_operand(t)),
        }
        Ok(false)
    }

    fn open_call(&mut self, name: &'a str, name_at: usize) -> Result<bool, ParseError> {
        let func = Func::from_name(name).ok_or_else(|| unknown_function(name, name_at))?;
        let open = self.bump();
        let base = self.operands.len();
        let call = Pending::Call {
            func,
            name,
            name_at,
            open: open.offset,
            base,
        };
        self.push(call, name_at)?;
        if !matches!(self.peek().tok, Tok::RParen) {
            return Ok(true);
        }
        self.bump();
        self.pending.pop();
        self.depth = self.depth.saturating_sub(1);
        self.close_call(func, name_at, base)?;
        Ok(false)
    }

    fn close_call(&mut self, func: Func, name_at: usize, base: usize) -> Result<(), ParseError> {
        let args = self.operands.split_off(base.min(self.operands.len()));
        let (fewest, most) = func.arity();
        if args.len() < fewest || most.is_some_and(|m| args.len() > m) {
            return Err(wrong_arity(func, args.len(), name_at));
        }
        self.operands.push(Expr::Call { func, args });
        Ok(())
    }

    /// `'[' 't' ('-' integer)? ']'`, returning the lag.
    fn lag(&mut self) -> Result<u32, ParseError> {
        let open = self.bump();
        let t = self.bump();
        if !matches!(t.tok, Tok::Ident("t")) {
            return Err(bad_lag(t, open.offset));
        }
        let t = self.bump();
        match t.tok {
            Tok::RBracket => return Ok(0),
            Tok::Minus => {}
            _ => return Err(bad_lag(t, open.offset)),
        }
        let t = self.bump();
        let lag = match t.tok {
            Tok::Num { text, .. } => lag_number(text, t.offset)?,
            _ => return Err(bad_lag(t, open.offset)),
        };
        let t = self.bump();
        match t.tok {
            Tok::RBracket => Ok(lag),
            _ => Err(bad_lag(t, open.offset)),
        }
    }

    /// Where an operand was expected but `t` was found.
    fn bad_operand(&self, t: Token<'_>) -> ParseError {
        if matches!(t.tok, Tok::End) {
            return ParseError::new("formula ends unexpectedly", t.offset)
                .with_hint("expected a number, a name or `(`");
        }
        let after_star = self
            .pos
            .checked_sub(2)
            .and_then(|i| self.toks.get(i))
            .is_some_and(|p| matches!(p.tok, Tok::Star));
        let hint = if matches!(t.tok, Tok::Star) && after_star {
            "use `^` for powers, e.g. `x^2`"
        } else {
            "expected a number, a name or `(`"
        };
        ParseError::new(format!("unexpected {}", describe(t.tok)), t.offset).with_hint(hint)
    }

    /// Where an operator (or the close of the innermost group) was expected
    /// but `t` was found.
    fn misplaced(&self, t: Token<'_>) -> ParseError {
        let innermost = self.pending.iter().rev().find_map(|p| match p {
            Pending::Paren { open } => Some((*open, None)),
            Pending::Call { open, name, .. } => Some((*open, Some(*name))),
            _ => None,
        });
        match innermost {
            Some((open, name)) => bad_close(t, open, name),
            None => ParseError::new(
                format!("unexpected {} after a complete expression", describe(t.tok)),
                t.offset,
            )
            .with_hint("insert an operator such as `*` or `+`, or remove it"),
        }
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    Expr::Binary {
        op,
        lhs: Box::new(lhs),
        rhs: Box::new(rhs),
    }
}

fn too_deep(offset: usize) -> ParseError {
    ParseError::new(
        format!("formula is nested too deeply (more than {MAX_DEPTH} levels)"),
        offset,
    )
    .with_hint("split it into intermediate variables")
}

/// `t` was found where a `)` closing the `(` at `open` was expected; `func`
/// names the function when the parenthesis holds its arguments.
fn bad_close(t: Token<'_>, open: usize, func: Option<&str>) -> ParseError {
    match (t.tok, func) {
        (Tok::End, None) => ParseError::new("unclosed `(`", open).with_hint("add a matching `)`"),
        (Tok::End, Some(name)) => ParseError::new("unclosed `(`", open)
            .with_hint(format!("add `)` after the arguments of `{name}`")),
        (tok, None) => ParseError::new(format!("unexpected {}", describe(tok)), t.offset)
            .with_hint("expected an operator or `)`"),
        (tok, Some(name)) => ParseError::new(format!("unexpected {}", describe(tok)), t.offset)
            .with_hint(format!("expected `,` or `)` in the arguments of `{name}`")),
    }
}

fn wrong_arity(func: Func, found: usize, offset: usize) -> ParseError {
    ParseError::new(
        format!(
            "`{}` expects {}, found {found}",
            func.name(),
            func.arity_text()
        ),
        offset,
    )
}

const LAG_SHAPE: &str = "write lags as `name[t-1]`, `name[t-2]`, ... or `name[t]`";

/// `t` is out of place inside the lag brackets opened at `open`.
fn bad_lag(t: Token<'_>, open: usize) -> ParseError {
    match t.tok {
        Tok::End => ParseError::new("unclosed `[`", open).with_hint(LAG_SHAPE),
        Tok::Plus => {
            ParseError::new("future values cannot be referenced", t.offset).with_hint(LAG_SHAPE)
        }
        tok => ParseError::new(
            format!("unexpected {} inside `[...]`", describe(tok)),
            t.offset,
        )
        .with_hint(LAG_SHAPE),
    }
}

fn lag_number(text: &str, offset: usize) -> Result<u32, ParseError> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseError::new(
            format!("a lag must be a whole number, found `{text}`"),
            offset,
        )
        .with_hint(LAG_SHAPE));
    }
    match text.parse::<u32>() {
        Ok(0) => Err(ParseError::new("a lag must be at least 1", offset)
            .with_hint("write `name[t]` for the current period")),
        Ok(n) => Ok(n),
        Err(_) => Err(ParseError::new(
            format!("lag `{text}` is too large"),
            offset,
        )),
    }
}

fn unknown_function(name: &str, offset: usize) -> ParseError {
    let err = ParseError::new(format!("unknown function `{name}`"), offset);
    let lower = name.to_ascii_lowercase();
    if let Some(f) = Func::from_name(&lower) {
        return err.with_hint(format!(
            "function names are lowercase: did you mean `{}`?",
            f.name()
        ));
    }
    if lower == "log" {
        return err.with_hint("use `ln` for the natural logarithm or `log10` for base 10");
    }
    match suggest(&lower, Func::ALL.map(Func::name)) {
        Some(s) => err.with_hint(format!("did you mean `{s}`?")),
        None => {
            let known: Vec<&str> = Func::ALL.map(Func::name).to_vec();
            err.with_hint(format!(
                "known functions are {}; to multiply, write `{name} * (...)`",
                known.join(", ")
            ))
        }
    }
}

// ---------------------------------------------------------------------------
// Tree walking
// ---------------------------------------------------------------------------

/// An operation applied to already-computed operand values.
#[derive(Debug, Clone, Copy)]
enum Apply {
    Neg,
    Bin(BinOp),
    Call(Func),
}

enum Step<'e> {
    Visit(&'e Expr),
    Apply(Apply, usize),
}

/// Post-order evaluation with explicit stacks. Long `a + b + c + ...` chains
/// make trees far deeper than [`MAX_DEPTH`], so nothing that walks a tree may
/// recurse on it.
///
/// `apply` receives the operands in order and may take them out of the vector.
fn walk<'e, V, E>(
    root: &'e Expr,
    mut leaf: impl FnMut(&'e Expr) -> Result<V, E>,
    mut apply: impl FnMut(Apply, &mut Vec<V>) -> V,
) -> Result<Option<V>, E> {
    let mut steps = vec![Step::Visit(root)];
    let mut vals: Vec<V> = Vec::new();
    let mut args: Vec<V> = Vec::new();
    while let Some(step) = steps.pop() {
        match step {
            Step::Visit(e) => match e {
                Expr::Num(_) | Expr::Var { .. } => vals.push(leaf(e)?),
                Expr::Neg(x) => {
                    steps.push(Step::Apply(Apply::Neg, 1));
                    steps.push(Step::Visit(x));
                }
                Expr::Binary { op, lhs, rhs } => {
                    steps.push(Step::Apply(Apply::Bin(*op), 2));
                    steps.push(Step::Visit(rhs));
                    steps.push(Step::Visit(lhs));
                }
                Expr::Call { func, args } => {
                    steps.push(Step::Apply(Apply::Call(*func), args.len()));
                    steps.extend(args.iter().rev().map(Step::Visit));
                }
            },
            Step::Apply(op, arity) => {
                let from = vals.len().saturating_sub(arity);
                args.clear();
                args.extend(vals.drain(from..));
                vals.push(apply(op, &mut args));
            }
        }
    }
    Ok(vals.pop())
}

impl Expr {
    /// Every variable reference in order of appearance, duplicates kept, so the
    /// caller can build the dependency graph and report the first unknown name.
    pub fn references(&self) -> Vec<VarRef<'_>> {
        let mut refs = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Num(_) => {}
                Expr::Var { name, lag, offset } => refs.push(VarRef {
                    name,
                    lag: *lag,
                    offset: *offset,
                }),
                Expr::Neg(x) => stack.push(x),
                Expr::Binary { lhs, rhs, .. } => {
                    stack.push(rhs);
                    stack.push(lhs);
                }
                Expr::Call { args, .. } => stack.extend(args.iter().rev()),
            }
        }
        refs
    }

    /// Evaluates with one value per reference; `None` if `lookup` has no value
    /// for some reference. Gives bit-for-bit the same result as a compiled
    /// [`Program`], which makes it the reference implementation in tests.
    pub fn eval_scalar(&self, lookup: &dyn Fn(&str, u32) -> Option<f64>) -> Option<f64> {
        let leaf = |e: &Expr| match e {
            Expr::Num(x) => Ok(*x),
            Expr::Var { name, lag, .. } => lookup(name, *lag).ok_or(()),
            _ => Ok(f64::NAN),
        };
        let apply = |op: Apply, args: &mut Vec<f64>| {
            let arg = |i: usize| args.get(i).copied().unwrap_or(f64::NAN);
            match op {
                Apply::Neg => neg(arg(0)),
                Apply::Bin(op) => Op2::from(op).apply(arg(0), arg(1)),
                Apply::Call(f) => call_scalar(f, args),
            }
        };
        walk(self, leaf, apply).ok().flatten()
    }

    /// Compiles for column-wise evaluation. Every subtree that reads no column
    /// (numbers and [`Operand::Const`] references) is folded into a single
    /// constant. Fails on the first reference, in order of appearance, that
    /// `resolve` returns `None` for.
    pub fn compile(
        &self,
        resolve: &dyn Fn(&str, u32) -> Option<Operand>,
    ) -> Result<Program, UnresolvedName> {
        let leaf = |e: &Expr| match e {
            Expr::Num(x) => Ok(Val::Const(*x)),
            Expr::Var { name, lag, offset } => match resolve(name, *lag) {
                Some(Operand::Const(c)) => Ok(Val::Const(c)),
                Some(Operand::Slot(s)) => Ok(Val::Slot(s)),
                None => Err(UnresolvedName {
                    name: name.clone(),
                    lag: *lag,
                    offset: *offset,
                }),
            },
            _ => Ok(Val::Const(f64::NAN)),
        };
        let mut cg = Codegen::default();
        let result = walk(self, leaf, |op, args: &mut Vec<Val>| cg.apply(op, args))?;
        Ok(cg.finish(result.unwrap_or(Val::Const(f64::NAN))))
    }
}

impl Clone for Expr {
    fn clone(&self) -> Self {
        let leaf = |e: &Expr| -> Result<Expr, std::convert::Infallible> {
            Ok(match e {
                Expr::Var { name, lag, offset } => Expr::Var {
                    name: name.clone(),
                    lag: *lag,
                    offset: *offset,
                },
                Expr::Num(x) => Expr::Num(*x),
                _ => Expr::Num(f64::NAN),
            })
        };
        let apply = |op: Apply, args: &mut Vec<Expr>| {
            let mut pop = || args.pop().unwrap_or(Expr::Num(f64::NAN));
            match op {
                Apply::Neg => Expr::Neg(Box::new(pop())),
                Apply::Bin(op) => {
                    let rhs = Box::new(pop());
                    let lhs = Box::new(pop());
                    Expr::Binary { op, lhs, rhs }
                }
                Apply::Call(func) => Expr::Call {
                    func,
                    args: std::mem::take(args),
                },
            }
        };
        let Ok(copy) = walk(self, leaf, apply);
        copy.unwrap_or(Expr::Num(f64::NAN))
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        let mut pairs = vec![(self, other)];
        while let Some(pair) = pairs.pop() {
            match pair {
                (Expr::Num(x), Expr::Num(y)) => {
                    if x != y {
                        return false;
                    }
                }
                (
                    Expr::Var { name, lag, offset },
                    Expr::Var {
                        name: name2,
                        lag: lag2,
                        offset: offset2,
                    },
                ) => {
                    if (name, lag, offset) != (name2, lag2, offset2) {
                        return false;
                    }
                }
                (Expr::Neg(x), Expr::Neg(y)) => pairs.push((x, y)),
                (
                    Expr::Binary { op, lhs, rhs },
                    Expr::Binary {
                        op: op2,
                        lhs: lhs2,
                        rhs: rhs2,
                    },
                ) => {
                    if op != op2 {
                        return false;
                    }
                    pairs.push((rhs, rhs2));
                    pairs.push((lhs, lhs2));
                }
                (Expr::Call { func, args }, Expr::Call { func: f2, args: a2 }) => {
                    if func != f2 || args.len() != a2.len() {
                        return false;
                    }
                    pairs.extend(args.iter().zip(a2).rev());
                }
                _ => return false,
            }
        }
        true
    }
}

impl fmt::Debug for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        enum Out<'e> {
            Node(&'e Expr),
            Text(&'static str),
        }
        let mut todo = vec![Out::Node(self)];
        while let Some(item) = todo.pop() {
            let e = match item {
                Out::Text(t) => {
                    f.write_str(t)?;
                    continue;
                }
                Out::Node(e) => e,
            };
            match e {
                Expr::Num(x) => write!(f, "Num({x:?})")?,
                Expr::Var { name, lag, offset } => {
                    write!(f, "Var {{ name: {name:?}, lag: {lag}, offset: {offset} }}")?;
                }
                Expr::Neg(x) => {
                    f.write_str("Neg(")?;
                    todo.extend([Out::Text(")"), Out::Node(x)]);
                }
                Expr::Binary { op, lhs, rhs } => {
                    write!(f, "Binary {{ op: {op:?}, lhs: ")?;
                    todo.extend([
                        Out::Text(" }"),
                        Out::Node(rhs),
                        Out::Text(", rhs: "),
                        Out::Node(lhs),
                    ]);
                }
                Expr::Call { func, args } => {
                    write!(f, "Call {{ func: {func:?}, args: [")?;
                    todo.push(Out::Text("] }"));
                    for (i, arg) in args.iter().enumerate().rev() {
                        todo.push(Out::Node(arg));
                        if i > 0 {
                            todo.push(Out::Text(", "));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl Drop for Expr {
    /// Detaches subtrees onto a heap stack instead of letting the compiler's
    /// drop glue recurse. Leaf children are left in place, so dropping a node
    /// whose subtrees were detached never allocates.
    fn drop(&mut self) {
        fn detach(e: &mut Expr, stack: &mut Vec<Expr>) {
            let mut take = |child: &mut Expr| {
                if !matches!(child, Expr::Num(_) | Expr::Var { .. }) {
                    stack.push(std::mem::replace(child, Expr::Num(0.0)));
                }
            };
            match e {
                Expr::Num(_) | Expr::Var { .. } => {}
                Expr::Neg(x) => take(x),
                Expr::Binary { lhs, rhs, .. } => {
                    take(lhs);
                    take(rhs);
                }
                Expr::Call { args, .. } => args.iter_mut().for_each(take),
            }
        }
        let mut stack = Vec::new();
        detach(self, &mut stack);
        while let Some(mut e) = stack.pop() {
            detach(&mut e, &mut stack);
        }
    }
}

// ---------------------------------------------------------------------------
// Scalar semantics, shared by eval_scalar, constant folding and columns
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UnOp {
    Neg,
    Exp,
    Ln,
    Log10,
    Sqrt,
    Abs,
    Floor,
    Ceil,
    Round,
    Square,
    Cube,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op2 {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
}

impl From<BinOp> for Op2 {
    fn from(op: BinOp) -> Self {
        match op {
            BinOp::Add => Op2::Add,
            BinOp::Sub => Op2::Sub,
            BinOp::Mul => Op2::Mul,
            BinOp::Div => Op2::Div,
            BinOp::Pow => Op2::Pow,
        }
    }
}

fn neg(x: f64) -> f64 {
    -x
}
fn square(x: f64) -> f64 {
    x * x
}
fn cube(x: f64) -> f64 {
    x * x * x
}
fn add(a: f64, b: f64) -> f64 {
    a + b
}
fn sub(a: f64, b: f64) -> f64 {
    a - b
}
fn mul(a: f64, b: f64) -> f64 {
    a * b
}
fn div(a: f64, b: f64) -> f64 {
    a / b
}

/// `powf`, except that exponents 2 and 3 multiply; the same function serves
/// every evaluation path so they agree to the bit.
fn pow(x: f64, y: f64) -> f64 {
    if y == 2.0 {
        square(x)
    } else if y == 3.0 {
        cube(x)
    } else {
        x.powf(y)
    }
}

/// NaN-propagating minimum (`f64::min` would drop the NaN).
fn min_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if b < a {
        b
    } else {
        a
    }
}

/// NaN-propagating maximum (`f64::max` would drop the NaN).
fn max_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if b > a {
        b
    } else {
        a
    }
}

/// Dispatches on a unary op so that `$run` is monomorphised per operation and
/// its loop can be vectorised.
macro_rules! with_unary {
    ($op:expr, $run:ident($($arg:expr),*)) => {
        match $op {
            UnOp::Neg => $run($($arg,)* neg),
            UnOp::Exp => $run($($arg,)* f64::exp),
            UnOp::Ln => $run($($arg,)* f64::ln),
            UnOp::Log10 => $run($($arg,)* f64::log10),
            UnOp::Sqrt => $run($($arg,)* f64::sqrt),
            UnOp::Abs => $run($($arg,)* f64::abs),
            UnOp::Floor => $run($($arg,)* f64::floor),
            UnOp::Ceil => $run($($arg,)* f64::ceil),
            UnOp::Round => $run($($arg,)* f64::round),
            UnOp::Square => $run($($arg,)* square),
            UnOp::Cube => $run($($arg,)* cube),
        }
    };
}

/// Binary counterpart of `with_unary!`.
macro_rules! with_binary {
    ($op:expr, $run:ident($($arg:expr),*)) => {
        match $op {
            Op2::Add => $run($($arg,)* add),
            Op2::Sub => $run($($arg,)* sub),
            Op2::Mul => $run($($arg,)* mul),
            Op2::Div => $run($($arg,)* div),
            Op2::Pow => $run($($arg,)* pow),
            Op2::Min => $run($($arg,)* min_nan),
            Op2::Max => $run($($arg,)* max_nan),
        }
    };
}

fn call1(x: f64, f: impl Fn(f64) -> f64) -> f64 {
    f(x)
}
fn call2(a: f64, b: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    f(a, b)
}

impl UnOp {
    fn apply(self, x: f64) -> f64 {
        with_unary!(self, call1(x))
    }

    fn of_func(f: Func) -> Option<UnOp> {
        Some(match f {
            Func::Exp => UnOp::Exp,
            Func::Ln => UnOp::Ln,
            Func::Log10 => UnOp::Log10,
            Func::Sqrt => UnOp::Sqrt,
            Func::Abs => UnOp::Abs,
            Func::Floor => UnOp::Floor,
            Func::Ceil => UnOp::Ceil,
            Func::Round => UnOp::Round,
            Func::Min | Func::Max | Func::Clamp | Func::Pow => return None,
        })
    }
}

impl Op2 {
    fn apply(self, a: f64, b: f64) -> f64 {
        with_binary!(self, call2(a, b))
    }
}

/// Wrong argument counts only come from hand-built trees (the parser rejects
/// them) and give NaN, which the caller's finiteness check reports.
fn call_scalar(f: Func, args: &[f64]) -> f64 {
    match (f, args) {
        (Func::Min, [first, rest @ ..]) if !rest.is_empty() => {
            rest.iter().fold(*first, |acc, &x| min_nan(acc, x))
        }
        (Func::Max, [first, rest @ ..]) if !rest.is_empty() => {
            rest.iter().fold(*first, |acc, &x| max_nan(acc, x))
        }
        (Func::Clamp, &[x, lo, hi]) => min_nan(max_nan(x, lo), hi),
        (Func::Pow, &[x, y]) => pow(x, y),
        (f, &[x]) => UnOp::of_func(f).map_or(f64::NAN, |op| op.apply(x)),
        _ => f64::NAN,
    }
}

// ---------------------------------------------------------------------------
// Code generation
// ---------------------------------------------------------------------------

/// A value during compilation. Registers are columns: 0 is the output, the
/// rest are scratch. Each register is owned by exactly one live value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    Const(f64),
    Slot(usize),
    Reg(usize),
}

/// One pass over the block. Variants are split by operand kind so that each
/// is a single loop with no per-element branching on operand kind; `r` is the
/// destination register.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Instr {
    /// `r = f(r)`
    UnReg { op: UnOp, r: usize },
    /// `r = f(column s)`
    UnCol { op: UnOp, r: usize, s: usize },
    /// `r = r op c`
    RegConst { op: Op2, r: usize, c: f64 },
    /// `r = c op r`
    ConstReg { op: Op2, r: usize, c: f64 },
    /// `r = r op column s`
    RegCol { op: Op2, r: usize, s: usize },
    /// `r = column s op r`
    ColReg { op: Op2, r: usize, s: usize },
    /// `r = r op q`
    RegReg { op: Op2, r: usize, q: usize },
    /// `r = column s op c`
    ColConst { op: Op2, r: usize, s: usize, c: f64 },
    /// `r = c op column s`
    ConstCol { op: Op2, r: usize, c: f64, s: usize },
    /// `r = column a op column b`
    ColCol {
        op: Op2,
        r: usize,
        a: usize,
        b: usize,
    },
}

impl Instr {
    fn map_regs(self, f: impl Fn(usize) -> usize) -> Instr {
        match self {
            Instr::UnReg { op, r } => Instr::UnReg { op, r: f(r) },
            Instr::UnCol { op, r, s } => Instr::UnCol { op, r: f(r), s },
            Instr::RegConst { op, r, c } => Instr::RegConst { op, r: f(r), c },
            Instr::ConstReg { op, r, c } => Instr::ConstReg { op, r: f(r), c },
            Instr::RegCol { op, r, s } => Instr::RegCol { op, r: f(r), s },
            Instr::ColReg { op, r, s } => Instr::ColReg { op, r: f(r), s },
            Instr::RegReg { op, r, q } => Instr::RegReg {
                op,
                r: f(r),
                q: f(q),
            },
            Instr::ColConst { op, r, s, c } => Instr::ColConst { op, r: f(r), s, c },
            Instr::ConstCol { op, r, c, s } => Instr::ConstCol { op, r: f(r), c, s },
            Instr::ColCol { op, r, a, b } => Instr::ColCol { op, r: f(r), a, b },
        }
    }

    fn push_slots(&self, out: &mut Vec<usize>) {
        match *self {
            Instr::UnCol { s, .. }
            | Instr::RegCol { s, .. }
            | Instr::ColReg { s, .. }
            | Instr::ColConst { s, .. }
            | Instr::ConstCol { s, .. } => out.push(s),
            Instr::ColCol { a, b, .. } => out.extend([a, b]),
            Instr::UnReg { .. }
            | Instr::RegConst { .. }
            | Instr::ConstReg { .. }
            | Instr::RegReg { .. } => {}
        }
    }
}

#[derive(Default)]
struct Codegen {
    code: Vec<Instr>,
    busy: Vec<bool>,
}

impl Codegen {
    fn alloc(&mut self) -> usize {
        match self.busy.iter().position(|b| !b) {
            Some(r) => {
                self.busy[r] = true;
                r
            }
            None => {
                self.busy.push(true);
                self.busy.len() - 1
            }
        }
    }

    fn release(&mut self, v: Val) {
        if let Val::Reg(r) = v
            && let Some(b) = self.busy.get_mut(r)
        {
            *b = false;
        }
    }

    fn apply(&mut self, op: Apply, args: &[Val]) -> Val {
        let arg = |i: usize| args.get(i).copied().unwrap_or(Val::Const(f64::NAN));
        match op {
            Apply::Neg => self.unary(UnOp::Neg, arg(0)),
            Apply::Bin(op) => self.binary(op.into(), arg(0), arg(1)),
            Apply::Call(f) => self.call(f, args),
        }
    }

    fn call(&mut self, f: Func, args: &[Val]) -> Val {
        match (f, args) {
            (Func::Min | Func::Max, [first, rest @ ..]) if !rest.is_empty() => {
                let op = if f == Func::Min { Op2::Min } else { Op2::Max };
                rest.iter().fold(*first, |acc, &x| self.binary(op, acc, x))
            }
            (Func::Clamp, &[x, lo, hi]) => {
                let t = self.binary(Op2::Max, x, lo);
                self.binary(Op2::Min, t, hi)
            }
            (Func::Pow, &[x, y]) => self.binary(Op2::Pow, x, y),
            (f, &[x]) if let Some(op) = UnOp::of_func(f) => self.unary(op, x),
            _ => {
                for &a in args {
                    self.release(a);
                }
                Val::Const(f64::NAN)
            }
        }
    }

    fn unary(&mut self, op: UnOp, a: Val) -> Val {
        match a {
            Val::Const(c) => Val::Const(op.apply(c)),
            Val::Reg(r) => {
                self.code.push(Instr::UnReg { op, r });
                Val::Reg(r)
            }
            Val::Slot(s) => {
                let r = self.alloc();
                self.code.push(Instr::UnCol { op, r, s });
                Val::Reg(r)
            }
        }
    }

    fn binary(&mut self, op: Op2, a: Val, b: Val) -> Val {
        use Val::{Const, Reg, Slot};
        if op == Op2::Pow && !matches!(a, Const(_)) {
            match b {
                Const(2.0) => return self.unary(UnOp::Square, a),
                Const(3.0) => return self.unary(UnOp::Cube, a),
                _ => {}
            }
        }
        let (instr, r) = match (a, b) {
            (Const(x), Const(y)) => return Const(op.apply(x, y)),
            (Reg(r), Const(c)) => (Instr::RegConst { op, r, c }, r),
            (Reg(r), Slot(s)) => (Instr::RegCol { op, r, s }, r),
            (Reg(r), Reg(q)) => {
                self.release(Reg(q));
                (Instr::RegReg { op, r, q }, r)
            }
            (Const(c), Reg(r)) => (Instr::ConstReg { op, r, c }, r),
            (Slot(s), Reg(r)) => (Instr::ColReg { op, r, s }, r),
            (Slot(s), Const(c)) => {
                let r = self.alloc();
                (Instr::ColConst { op, r, s, c }, r)
            }
            (Const(c), Slot(s)) => {
                let r = self.alloc();
                (Instr::ConstCol { op, r, c, s }, r)
            }
            (Slot(a), Slot(b)) => {
                let r = self.alloc();
                (Instr::ColCol { op, r, a, b }, r)
            }
        };
        self.code.push(instr);
        Reg(r)
    }

    fn finish(self, result: Val) -> Program {
        let (body, registers) = match result {
            Val::Const(c) => (Body::Const(c), 0),
            Val::Slot(s) => (Body::Copy(s), 0),
            Val::Reg(res) => {
                // The result must land in `out`: swap its register with 0.
                let swap = |x: usize| {
                    if x == res {
                        0
                    } else if x == 0 {
                        res
                    } else {
                        x
                    }
                };
                let code = self.code.into_iter().map(|i| i.map_regs(swap)).collect();
                (Body::Code(code), self.busy.len())
            }
        };
        let mut slots = Vec::new();
        match &body {
            Body::Code(code) => code.iter().for_each(|i| i.push_slots(&mut slots)),
            Body::Copy(s) => slots.push(*s),
            Body::Const(_) => {}
        }
        slots.sort_unstable();
        slots.dedup();
        Program {
            body,
            scratch: registers.saturating_sub(1),
            slots,
        }
    }
}

// ---------------------------------------------------------------------------
// Program and column evaluation
// ---------------------------------------------------------------------------

/// A compiled formula, evaluated a whole block of draws at a time.
#[derive(Debug, Clone)]
pub struct Program {
    body: Body,
    scratch: usize,
    slots: Vec<usize>,
}

#[derive(Debug, Clone)]
enum Body {
    Const(f64),
    Copy(usize),
    Code(Vec<Instr>),
}

/// Reusable column storage for [`Program::eval`]. Keep one per thread and pass
/// it to every call: it only grows, so evaluation stops allocating once it has
/// seen the largest program and block.
#[derive(Debug, Default)]
pub struct Scratch {
    cols: Vec<Vec<f64>>,
}

impl Scratch {
    pub fn new() -> Self {
        Self::default()
    }

    /// Grows to at least `columns` columns of `len` values, so that a thread
    /// can allocate everything up front (pass the largest
    /// [`Program::scratch_needed`] and block size).
    pub fn reserve(&mut self, columns: usize, len: usize) {
        if self.cols.len() < columns {
            self.cols.resize_with(columns, Vec::new);
        }
        for col in self.cols.iter_mut().take(columns) {
            if col.len() < len {
                col.resize(len, 0.0);
            }
        }
    }
}

impl Program {
    /// A program that writes `value` everywhere: the fallback for a formula
    /// that cannot be compiled, which validation rules out.
    pub fn constant(value: f64) -> Program {
        Program {
            body: Body::Const(value),
            scratch: 0,
            slots: Vec::new(),
        }
    }

    /// Lets the caller skip per-draw work entirely for formulas that do not
    /// depend on any column.
    pub fn as_constant(&self) -> Option<f64> {
        match self.body {
            Body::Const(c) => Some(c),
            _ => None,
        }
    }

    /// Slots this program reads, sorted and without duplicates.
    pub fn slots(&self) -> Vec<usize> {
        self.slots.clone()
    }

    /// Scratch columns [`Program::eval`] uses besides `out`.
    pub fn scratch_needed(&self) -> usize {
        self.scratch
    }

    /// Evaluates the formula for `out.len()` draws; draw `i` of slot `s` is
    /// `columns[s][i]`.
    ///
    /// # Panics
    ///
    /// If a slot this program reads is not in `columns` or its column is
    /// shorter than `out`. Both are determined by the caller's resolver, never
    /// by formula text.
    pub fn eval(&self, columns: &[&[f64]], out: &mut [f64], scratch: &mut Scratch) {
        let n = out.len();
        match &self.body {
            Body::Const(c) => out.fill(*c),
            Body::Copy(s) => out.copy_from_slice(&columns[*s][..n]),
            Body::Code(code) => {
                scratch.reserve(self.scratch, n);
                let regs = &mut scratch.cols[..self.scratch];
                for &instr in code {
                    exec(instr, columns, out, regs, n);
                }
            }
        }
    }
}

fn reg<'b>(out: &'b mut [f64], regs: &'b mut [Vec<f64>], r: usize, n: usize) -> &'b mut [f64] {
    if r == 0 { out } else { &mut regs[r - 1][..n] }
}

/// Destination `r` and a distinct source register `q`, borrowed together.
fn reg_pair<'b>(
    out: &'b mut [f64],
    regs: &'b mut [Vec<f64>],
    r: usize,
    q: usize,
    n: usize,
) -> (&'b mut [f64], &'b [f64]) {
    if r == 0 {
        (out, &regs[q - 1][..n])
    } else if q == 0 {
        (&mut regs[r - 1][..n], out)
    } else if r < q {
        let (lo, hi) = regs.split_at_mut(q - 1);
        (&mut lo[r - 1][..n], &hi[0][..n])
    } else {
        let (lo, hi) = regs.split_at_mut(r - 1);
        (&mut hi[0][..n], &lo[q - 1][..n])
    }
}

fn map_in_place(d: &mut [f64], f: impl Fn(f64) -> f64) {
    for o in d.iter_mut() {
        *o = f(*o);
    }
}
fn map_from(d: &mut [f64], a: &[f64], f: impl Fn(f64) -> f64) {
    for (o, &x) in d.iter_mut().zip(a) {
        *o = f(x);
    }
}
fn zip_dc(d: &mut [f64], c: f64, f: impl Fn(f64, f64) -> f64) {
    for o in d.iter_mut() {
        *o = f(*o, c);
    }
}
fn zip_cd(d: &mut [f64], c: f64, f: impl Fn(f64, f64) -> f64) {
    for o in d.iter_mut() {
        *o = f(c, *o);
    }
}
fn zip_dx(d: &mut [f64], b: &[f64], f: impl Fn(f64, f64) -> f64) {
    for (o, &y) in d.iter_mut().zip(b) {
        *o = f(*o, y);
    }
}
fn zip_xd(d: &mut [f64], a: &[f64], f: impl Fn(f64, f64) -> f64) {
    for (o, &x) in d.iter_mut().zip(a) {
        *o = f(x, *o);
    }
}
fn zip_xc(d: &mut [f64], a: &[f64], c: f64, f: impl Fn(f64, f64) -> f64) {
    for (o, &x) in d.iter_mut().zip(a) {
        *o = f(x, c);
    }
}
fn zip_cx(d: &mut [f64], c: f64, b: &[f64], f: impl Fn(f64, f64) -> f64) {
    for (o, &y) in d.iter_mut().zip(b) {
        *o = f(c, y);
    }
}
fn zip_xx(d: &mut [f64], a: &[f64], b: &[f64], f: impl Fn(f64, f64) -> f64) {
    for ((o, &x), &y) in d.iter_mut().zip(a).zip(b) {
        *o = f(x, y);
    }
}

fn exec(instr: Instr, cols: &[&[f64]], out: &mut [f64], regs: &mut [Vec<f64>], n: usize) {
    match instr {
        Instr::UnReg { op, r } => {
            let d = reg(out, regs, r, n);
            with_unary!(op, map_in_place(d));
        }
        Instr::UnCol { op, r, s } => {
            let a = &cols[s][..n];
            let d = reg(out, regs, r, n);
            with_unary!(op, map_from(d, a));
        }
        Instr::RegConst { op, r, c } => {
            let d = reg(out, regs, r, n);
            with_binary!(op, zip_dc(d, c));
        }
        Instr::ConstReg { op, r, c } => {
            let d = reg(out, regs, r, n);
            with_binary!(op, zip_cd(d, c));
        }
        Instr::RegCol { op, r, s } => {
            let b = &cols[s][..n];
            let d = reg(out, regs, r, n);
            with_binary!(op, zip_dx(d, b));
        }
        Instr::ColReg { op, r, s } => {
            let a = &cols[s][..n];
            let d = reg(out, regs, r, n);
            with_binary!(op, zip_xd(d, a));
        }
        Instr::RegReg { op, r, q } => {
            let (d, b) = reg_pair(out, regs, r, q, n);
            with_binary!(op, zip_dx(d, b));
        }
        Instr::ColConst { op, r, s, c } => {
            let a = &cols[s][..n];
            let d = reg(out, regs, r, n);
            with_binary!(op, zip_xc(d, a, c));
        }
        Instr::ConstCol { op, r, c, s } => {
            let b = &cols[s][..n];
            let d = reg(out, regs, r, n);
            with_binary!(op, zip_cx(d, c, b));
        }
        Instr::ColCol { op, r, a, b } => {
            let a = &cols[a][..n];
            let b = &cols[b][..n];
            let d = reg(out, regs, r, n);
            with_binary!(op, zip_xx(d, a, b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_vars(_: &str, _: u32) -> Option<f64> {
        None
    }

    fn value(src: &str) -> f64 {
        let e = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        e.eval_scalar(&no_vars).expect("no variables")
    }

    fn err(src: &str) -> ParseError {
        match parse(src) {
            Ok(e) => panic!("{src:?} parsed as {e:?}"),
            Err(e) => e,
        }
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// Deterministic pseudo-random values in [-4, 4) with exact specials mixed in.
    fn column(seed: u64, n: usize) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|i| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                match i % 17 {
                    3 => 0.0,
                    7 => 1.0,
                    11 => -2.0,
                    13 => 2.5,
                    _ => ((x >> 11) as f64 / (1u64 << 53) as f64) * 8.0 - 4.0,
                }
            })
            .collect()
    }

    /// Names used by the agreement tests: a, b, c, a[t-1] are columns, g is a constant.
    fn resolve(name: &str, lag: u32) -> Option<Operand> {
        match (name, lag) {
            ("a", 0) => Some(Operand::Slot(0)),
            ("b", 0) => Some(Operand::Slot(1)),
            ("c", 0) => Some(Operand::Slot(2)),
            ("a", 1) => Some(Operand::Slot(3)),
            ("g", 0) => Some(Operand::Const(0.03)),
            _ => None,
        }
    }

    fn code(p: &Program) -> &[Instr] {
        match &p.body {
            Body::Code(c) => c,
            _ => &[],
        }
    }

    #[test]
    fn precedence_and_associativity() {
        let cases = [
            ("1+2*3", 7.0),
            ("(1+2)*3", 9.0),
            ("2^3^2", 512.0),
            ("(2^3)^2", 64.0),
            ("-2^2", -4.0),
            ("(-2)^2", 4.0),
            ("2^-1", 0.5),
            ("-2^-2", -0.25),
            ("2*3^2", 18.0),
            ("10-4-3", 3.0),
            ("100/10/5", 2.0),
            ("4/2*3", 6.0),
            ("2 - -2", 4.0),
            ("--3", 3.0),
            ("+3", 3.0),
            ("-+-3", 3.0),
            ("1 + 2 * 3 ^ 2 / 6 - 1", 3.0),
            ("1e-3 * 1000", 1.0),
            (".5 + .5", 1.0),
            ("2.5E+4", 25_000.0),
            ("1.", 1.0),
            ("  7 ", 7.0),
        ];
        for (src, want) in cases {
            assert_eq!(value(src), want, "{src}");
        }
        assert_eq!(
            parse("-2^2").expect("parses"),
            Expr::Neg(Box::new(Expr::Binary {
                op: BinOp::Pow,
                lhs: Box::new(Expr::Num(2.0)),
                rhs: Box::new(Expr::Num(2.0)),
            }))
        );
    }

    /// Fully parenthesised prefix form, to pin down tree shape.
    fn shape(e: &Expr) -> String {
        match e {
            Expr::Num(x) => format!("{x}"),
            Expr::Var { name, lag: 0, .. } => name.clone(),
            Expr::Var { name, lag, .. } => format!("{name}[t-{lag}]"),
            Expr::Neg(x) => format!("(neg {})", shape(x)),
            Expr::Binary { op, lhs, rhs } => {
                let sym = match op {
                    BinOp::Add => "+",
                    BinOp::Sub => "-",
                    BinOp::Mul => "*",
                    BinOp::Div => "/",
                    BinOp::Pow => "^",
                };
                format!("({sym} {} {})", shape(lhs), shape(rhs))
            }
            Expr::Call { func, args } => {
                let args: Vec<String> = args.iter().map(shape).collect();
                format!("({} {})", func.name(), args.join(" "))
            }
        }
    }

    #[test]
    fn tree_shapes() {
        let cases = [
            ("a+b*c", "(+ a (* b c))"),
            ("a*b+c", "(+ (* a b) c)"),
            ("a-b-c", "(- (- a b) c)"),
            ("a/b*c", "(* (/ a b) c)"),
            ("a-b*c+d", "(+ (- a (* b c)) d)"),
            ("a^b^c", "(^ a (^ b c))"),
            ("-a^b", "(neg (^ a b))"),
            ("-a*b", "(* (neg a) b)"),
            ("a*-b^c", "(* a (neg (^ b c)))"),
            ("a - -b*c", "(- a (* (neg b) c))"),
            ("2^-1^2", "(^ 2 (neg (^ 1 2)))"),
            ("2^-x*3", "(* (^ 2 (neg x)) 3)"),
            ("a^b*c^d", "(* (^ a b) (^ c d))"),
            ("+a", "a"),
            ("(a+b)*c", "(* (+ a b) c)"),
            ("a*(b+c)", "(* a (+ b c))"),
            ("min(a, b+c, -d)", "(min a (+ b c) (neg d))"),
            ("max(a,min(b,c))^2", "(^ (max a (min b c)) 2)"),
            ("va[t-1]*(1+g)", "(* va[t-1] (+ 1 g))"),
            ("clamp(x, 0, 1) / 2", "(/ (clamp x 0 1) 2)"),
        ];
        for (src, want) in cases {
            assert_eq!(shape(&parse(src).expect("parses")), want, "{src}");
        }
    }

    /// Random token soup: parsing never panics, and whatever parses also
    /// compiles and evaluates consistently.
    #[test]
    fn random_formulas_never_panic() {
        let pieces = [
            "a", "b", "c", "g", "1", ".5", "2e3", "(", ")", "[", "]", "t", "-", "+", "*", "/", "^",
            ",", " ", "min(", "sqrt(", "clamp(", "pow(", "a[t-1]", "zz", "1e", ".", "增", "$",
            "a[t", "exp(", "max(",
        ];
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as usize
        };
        let cols: Vec<Vec<f64>> = (0..4).map(|i| column(i + 20, 5)).collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let mut scratch = Scratch::new();
        let mut parsed = 0;
        for _ in 0..20_000 {
            let len = 1 + next(12);
            let src: String = (0..len).map(|_| pieces[next(pieces.len())]).collect();
            let Ok(e) = parse(&src) else { continue };
            parsed += 1;
            let Ok(p) = e.compile(&resolve) else { continue };
            let mut out = [0.0; 5];
            p.eval(&refs, &mut out, &mut scratch);
            for (i, &got) in out.iter().enumerate() {
                let lookup = |name: &str, lag: u32| match resolve(name, lag)? {
                    Operand::Const(c) => Some(c),
                    Operand::Slot(s) => Some(cols[s][i]),
                };
                let want = e.eval_scalar(&lookup).expect("resolved");
                assert!(same(got, want), "{src}: {got} vs {want}");
            }
        }
        assert!(parsed > 500, "only {parsed} parsed");
    }

    #[test]
    fn functions() {
        let cases = [
            ("exp(0)", 1.0),
            ("ln(1)", 0.0),
            ("log10(1000)", 3.0),
            ("sqrt(16)", 4.0),
            ("abs(-3)", 3.0),
            ("floor(-1.5)", -2.0),
            ("ceil(-1.5)", -1.0),
            ("round(2.5)", 3.0),
            ("round(-2.5)", -3.0),
            ("round(2.4)", 2.0),
            ("min(3, 1, 2)", 1.0),
            ("max(3, 1, 2)", 3.0),
            ("min(2, 5)", 2.0),
            ("clamp(5, 0, 1)", 1.0),
            ("clamp(-1, 0, 1)", 0.0),
            ("clamp(0.5, 0, 1)", 0.5),
            ("clamp(0.5, 2, 1)", 1.0),
            ("pow(2, 10)", 1024.0),
            ("pow(2, 3)", 8.0),
            ("2 * max(1, min(4, 3)) + abs(-1)", 7.0),
        ];
        for (src, want) in cases {
            assert_eq!(value(src), want, "{src}");
        }
    }

    #[test]
    fn ieee_and_nan_semantics() {
        assert!(value("ln(-1)").is_nan());
        assert_eq!(value("1/0"), f64::INFINITY);
        for src in [
            "min(ln(-1), 1)",
            "min(1, ln(-1))",
            "max(ln(-1), 1)",
            "max(1, 2, ln(-1))",
            "clamp(ln(-1), 0, 1)",
            "clamp(0.5, ln(-1), 1)",
            "clamp(0.5, 0, ln(-1))",
        ] {
            assert!(value(src).is_nan(), "{src} should be NaN");
        }
        // NaN also propagates column-wise.
        let e = parse("max(a, b)").expect("parses");
        let p = e.compile(&resolve).expect("compiles");
        let a = [f64::NAN, 1.0, 2.0];
        let b = [0.0, f64::NAN, 3.0];
        let mut out = [0.0; 3];
        p.eval(&[&a, &b], &mut out, &mut Scratch::new());
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(out[2], 3.0);
    }

    #[test]
    fn arity_errors_name_function_and_count() {
        let e = err("sqrt(1, 2)");
        assert_eq!(e.message, "`sqrt` expects 1 argument, found 2");
        assert_eq!(e.offset, 0);
        assert_eq!(err("exp()").message, "`exp` expects 1 argument, found 0");
        assert_eq!(
            err("1 + min(1)").message,
            "`min` expects at least 2 arguments, found 1"
        );
        assert_eq!(err("1 + min(1)").offset, 4);
        assert_eq!(
            err("max()").message,
            "`max` expects at least 2 arguments, found 0"
        );
        assert_eq!(
            err("clamp(1, 2)").message,
            "`clamp` expects 3 arguments, found 2"
        );
        assert_eq!(err("pow(1)").message, "`pow` expects 2 arguments, found 1");
        assert!(parse("max(1, 2, 3, 4, 5, 6)").is_ok());
    }

    #[test]
    fn unknown_function_suggests_nearest() {
        let e = err("1 + sqr(x)");
        assert_eq!(e.message, "unknown function `sqr`");
        assert_eq!(e.offset, 4);
        assert!(
            e.hint.as_deref().is_some_and(|h| h.contains("`sqrt`")),
            "{e:?}"
        );
        assert!(err("SQRT(x)").hint.is_some_and(|h| h.contains("lowercase")));
        assert!(err("mx(a, b)").hint.is_some_and(|h| h.contains("`max`")));
        assert!(err("sqtr(a)").hint.is_some_and(|h| h.contains("`sqrt`")));
        let log = err("log(x)").hint.unwrap_or_default();
        assert!(log.contains("`ln`") && log.contains("`log10`"), "{log}");
        // Nothing close: no guess, but the hint lists what exists.
        let far = err("gdp(2)").hint.unwrap_or_default();
        assert!(
            !far.contains("did you mean") && far.contains("gdp * (...)"),
            "{far}"
        );
    }

    #[test]
    fn error_offsets_and_messages() {
        let e = err("a + * b");
        assert_eq!((e.message.as_str(), e.offset), ("unexpected `*`", 4));
        assert_eq!(e.caret("a + * b"), "a + * b\n    ^");

        let e = err("a b");
        assert_eq!(e.offset, 2);
        assert!(e.message.contains("name `b`"), "{e:?}");

        let e = err("(a + b");
        assert_eq!((e.message.as_str(), e.offset), ("unclosed `(`", 0));
        let e = err("2 * (a + (b - c)");
        assert_eq!((e.message.as_str(), e.offset), ("unclosed `(`", 4));
        let e = err("max(a, b");
        assert_eq!((e.message.as_str(), e.offset), ("unclosed `(`", 3));
        let e = err("a + b)");
        assert_eq!((e.message.as_str(), e.offset), ("unmatched `)`", 5));
        let e = err("(a b)");
        assert_eq!(e.offset, 3);

        for empty in ["", "   ", "\t\n"] {
            assert_eq!(err(empty).message, "empty formula");
        }
        let e = err("a +");
        assert_eq!(
            (e.message.as_str(), e.offset),
            ("formula ends unexpectedly", 3)
        );
        assert_eq!(err("()").offset, 1);
        assert_eq!(err("min(a,)").offset, 6);
        assert!(err("2**3").hint.is_some_and(|h| h.contains('^')));
        assert_eq!(err("a = b").offset, 2);
        assert_eq!(err("a % 5").offset, 2);

        // Numbers.
        assert_eq!(err("1e400").message, "number `1e400` is too large");
        assert_eq!(err("2 * 1e").offset, 5);
        assert_eq!(err("2 * 1e+").offset, 5);
        assert_eq!(err(".").message, "a lone `.` is not a number");
        assert_eq!(err("1.2.3").offset, 3);
        assert_eq!(err("2x").offset, 1);

        // Non-ASCII characters are named and located by byte offset.
        let e = err("gdp × 2");
        assert!(e.message.contains('×'), "{e:?}");
        assert_eq!(e.offset, 4);
        assert!(e.hint.is_some_and(|h| h.contains('*')));
        let e = err("增长 + 1");
        assert!(e.message.contains('增'), "{e:?}");
        assert_eq!(e.offset, 0);
        let e = err("a\u{00a0}+ b");
        assert_eq!(e.offset, 1);
        let e = err("gdpé");
        assert_eq!(e.offset, 3);
        assert!(e.message.contains('é'));
    }

    #[test]
    fn caret_counts_characters() {
        let formula = "增长 + )";
        let e = ParseError::new("unexpected `)`", formula.find(')').expect("has )"));
        assert_eq!(e.caret(formula), "增长 + )\n     ^");
        // Line breaks do not break the two-line layout; end-of-input points past the end.
        let e = err("a +\n");
        assert_eq!(e.caret("a +\n"), "a + \n    ^");
        assert_eq!(e.to_string(), e.message);
    }

    #[test]
    fn lag_syntax() {
        let var = |src: &str| match &parse(src) {
            Ok(Expr::Var { name, lag, offset }) => (name.clone(), *lag, *offset),
            other => panic!("{src}: {other:?}"),
        };
        assert_eq!(var("gdp[t-1]"), ("gdp".to_string(), 1, 0));
        assert_eq!(var("gdp[t-12]"), ("gdp".to_string(), 12, 0));
        assert_eq!(var("gdp[t]"), ("gdp".to_string(), 0, 0));
        assert_eq!(var(" gdp [ t - 2 ] "), ("gdp".to_string(), 2, 1));

        let e = err("gdp[t+1]");
        assert_eq!(
            (e.message.as_str(), e.offset),
            ("future values cannot be referenced", 5)
        );
        let e = err("gdp[x-1]");
        assert_eq!(e.offset, 4);
        assert!(e.hint.is_some_and(|h| h.contains("name[t-1]")));
        assert_eq!(err("gdp[t-0]").message, "a lag must be at least 1");
        assert!(err("gdp[t-1.5]").message.contains("whole number"));
        assert!(err("gdp[t-1e0]").message.contains("whole number"));
        assert!(err("gdp[t-99999999999]").message.contains("too large"));
        assert_eq!(err("gdp[t-1").message, "unclosed `[`");
        assert_eq!(err("gdp[t-a]").offset, 6);
        assert_eq!(err("gdp[]").offset, 4);
        assert_eq!(err("gdp[t*2]").offset, 5);
        assert_eq!(err("gdp[T-1]").offset, 4);
    }

    #[test]
    fn depth_limits() {
        let nested = |depth: usize| format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
        let huge_parens = nested(100_000);
        let huge_minus = format!("{}1", "-".repeat(100_000));
        assert!(parse(&huge_parens).is_err());
        assert!(parse(&huge_minus).is_err());
        // The depth limit alone, without the length limit, stops them.
        let e = parse_unlimited_len(&huge_parens).expect_err("too deep");
        assert!(e.message.contains("nested too deeply"), "{e:?}");
        assert_eq!(e.offset, MAX_DEPTH);
        let e = parse_unlimited_len(&huge_minus).expect_err("too deep");
        assert!(e.message.contains("nested too deeply"), "{e:?}");

        assert_eq!(value(&nested(MAX_DEPTH)), 1.0);
        assert!(parse(&nested(MAX_DEPTH + 1)).is_err());
        assert_eq!(value(&format!("{}1", "-".repeat(MAX_DEPTH))), 1.0);
        assert!(parse(&format!("{}1", "-".repeat(MAX_DEPTH + 1))).is_err());
        let pow_chain = |k: usize| format!("1{}", "^1".repeat(k));
        assert_eq!(value(&pow_chain(MAX_DEPTH)), 1.0);
        assert!(parse(&pow_chain(MAX_DEPTH + 1)).is_err());
        let calls = |k: usize| format!("{}1{}", "abs(".repeat(k), ")".repeat(k));
        assert_eq!(value(&calls(MAX_DEPTH)), 1.0);
        assert!(parse(&calls(MAX_DEPTH + 1)).is_err());

        let too_long = "1+".repeat(MAX_FORMULA_LEN / 2) + "1";
        assert!(err(&too_long).message.contains("too long"));
    }

    #[test]
    fn long_left_chains_are_not_depth() {
        let sum = vec!["1"; 2000].join("+");
        assert_eq!(value(&sum), 2000.0);
        let p = parse(&sum)
            .expect("parses")
            .compile(&resolve)
            .expect("compiles");
        assert_eq!(p.as_constant(), Some(2000.0));

        // The longest chain the length limit allows, on a small stack: every
        // walk over the tree must be iterative.
        let handle = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(|| {
                let d = MAX_DEPTH;
                for src in [
                    format!("{}a{}", "(".repeat(d), ")".repeat(d)),
                    format!("{}a{}", "max(1,".repeat(d), ")".repeat(d)),
                    format!("{}a", "-".repeat(d)),
                    format!("a{}", "^a".repeat(d)),
                ] {
                    let e = parse(&src).expect("at the limit");
                    assert_eq!(e.clone(), e);
                    assert!(!format!("{e:?}").is_empty());
                    assert!(e.compile(&resolve).is_ok());
                }
                let src = vec!["a"; MAX_FORMULA_LEN / 2].join("+");
                let e = parse(&src).expect("parses");
                assert_eq!(e.references().len(), MAX_FORMULA_LEN / 2);
                let copy = e.clone();
                assert_eq!(copy, e);
                assert!(format!("{copy:?}").starts_with("Binary { op: Add, lhs: Binary"));
                drop(copy);
                let x = e.eval_scalar(&|_, _| Some(1.0));
                let p = e.compile(&resolve).expect("compiles");
                assert_eq!(p.scratch_needed(), 0);
                let a = [1.0, 2.0];
                let mut out = [0.0; 2];
                p.eval(&[&a], &mut out, &mut Scratch::new());
                (x, out)
            })
            .expect("spawn");
        let (x, out) = handle.join().expect("no stack overflow");
        let n = (MAX_FORMULA_LEN / 2) as f64;
        assert_eq!((x, out), (Some(n), [n, 2.0 * n]));
    }

    #[test]
    fn references_in_order_of_appearance() {
        let e = parse("min(x, y[t-2]) + x * z[t] - sqrt(w)").expect("parses");
        let refs: Vec<(&str, u32, usize)> = e
            .references()
            .iter()
            .map(|r| (r.name, r.lag, r.offset))
            .collect();
        assert_eq!(
            refs,
            [
                ("x", 0, 4),
                ("y", 2, 7),
                ("x", 0, 17),
                ("z", 0, 21),
                ("w", 0, 33)
            ]
        );
        assert!(parse("1 + 2").expect("parses").references().is_empty());
    }

    #[test]
    fn compiled_agrees_with_scalar() {
        let formulas = [
            "a",
            "g",
            "a[t-1]",
            "1 + 2",
            "-a",
            "a * (1 + g)",
            "a * (1 + b)",
            "(a + b) * (b - c) / (1 + abs(c))",
            "-a^2",
            "a^2 + b^3 - c^0.5",
            "2^a",
            "a^b",
            "pow(a, b) + pow(b, 2)",
            "a^b^c",
            "exp(a) - ln(abs(b) + 1) + log10(abs(c) + 1)",
            "sqrt(abs(a)) + sqrt(b)",
            "ln(a)",
            "floor(a) + ceil(b) + round(c)",
            "min(a, b, c)",
            "max(a, 0, b)",
            "min(ln(a), b)",
            "clamp(a, -1, b)",
            "clamp(a, b, c)",
            "clamp(g, a, b)",
            "clamp(a * b, min(a, c), max(b, c))",
            "a[t-1] / a - 1",
            "1 / (a - b)",
            "-(-(a))",
            "a - (b - (c - (a - (b - c))))",
            "(a*b + c*a) * (b*c + a*b) - (a + b) * (b + c)",
            "((a + b) * (b + c)) / ((c + a) * (a - b)) + (a * b) / (b * c)",
            "2*3 + a",
            "g*g + a",
            "a + g*2",
            "c / a / b",
            "1 - a",
            "2 / a",
            "max(a*b, b*c, c*a, 1)",
            "exp(-a^2 / 2) / sqrt(2 * 3.141592653589793)",
            "a * g + b * g + c * g",
        ];
        let n = 1003;
        let cols: Vec<Vec<f64>> = (0..4).map(|i| column(i + 1, n)).collect();
        let col_refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let mut scratch = Scratch::new();
        let mut out = vec![0.0; n];
        for src in formulas {
            let e = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
            let p = e.compile(&resolve).unwrap_or_else(|u| panic!("{src}: {u}"));
            p.eval(&col_refs, &mut out, &mut scratch);
            for (i, &got) in out.iter().enumerate() {
                let lookup = |name: &str, lag: u32| match resolve(name, lag)? {
                    Operand::Const(c) => Some(c),
                    Operand::Slot(s) => Some(cols[s][i]),
                };
                let want = e.eval_scalar(&lookup).expect("all names known");
                assert!(
                    same(got, want),
                    "{src} at {i}: column {got} vs scalar {want}"
                );
            }
        }
    }

    #[test]
    fn constant_folding() {
        let p = parse("2*3 + x")
            .expect("parses")
            .compile(&|_, _| Some(Operand::Slot(0)))
            .expect("compiles");
        assert_eq!(
            code(&p),
            [Instr::ConstCol {
                op: Op2::Add,
                r: 0,
                c: 6.0,
                s: 0
            }]
        );
        let p = parse("2*3+4")
            .expect("parses")
            .compile(&resolve)
            .expect("compiles");
        assert_eq!(p.as_constant(), Some(10.0));
        assert!(p.slots().is_empty());
        let p = parse("g * 100 + ln(exp(2))")
            .expect("parses")
            .compile(&resolve)
            .expect("ok");
        assert_eq!(p.as_constant(), Some(0.03 * 100.0 + 2.0));
        // Left-associative: `a + 2 + 3` is `(a + 2) + 3` and is not reassociated.
        let p = parse("a + 2 + 3")
            .expect("parses")
            .compile(&resolve)
            .expect("ok");
        assert_eq!(code(&p).len(), 2);
        assert_eq!(p.as_constant(), None);
        // A bare reference is a copy, not a program.
        let p = parse("b").expect("parses").compile(&resolve).expect("ok");
        assert_eq!((p.slots(), p.scratch_needed()), (vec![1], 0));
    }

    #[test]
    fn column_constant_fast_paths() {
        let slots = |name: &str, _: u32| match name {
            "va" => Some(Operand::Slot(0)),
            "g" => Some(Operand::Slot(1)),
            "k" => Some(Operand::Const(0.5)),
            _ => None,
        };
        let compile = |src: &str| parse(src).expect("parses").compile(&slots).expect("ok");

        // One pass for `1 + g` into out, one pass multiplying by va in place.
        let p = compile("va * (1 + g)");
        assert_eq!(
            code(&p),
            [
                Instr::ConstCol {
                    op: Op2::Add,
                    r: 0,
                    c: 1.0,
                    s: 1
                },
                Instr::ColReg {
                    op: Op2::Mul,
                    r: 0,
                    s: 0
                },
            ]
        );
        assert_eq!((p.scratch_needed(), p.slots()), (0, vec![0, 1]));
        // With a constant growth rate it is a single column-times-constant pass.
        let p = compile("va * (1 + k)");
        assert_eq!(
            code(&p),
            [Instr::ColConst {
                op: Op2::Mul,
                r: 0,
                s: 0,
                c: 1.5
            }]
        );
        let p = compile("(va - g) / k");
        assert_eq!(
            code(&p),
            [
                Instr::ColCol {
                    op: Op2::Sub,
                    r: 0,
                    a: 0,
                    b: 1
                },
                Instr::RegConst {
                    op: Op2::Div,
                    r: 0,
                    c: 0.5
                },
            ]
        );
        let p = compile("k / (va - g)");
        assert_eq!(
            code(&p)[1],
            Instr::ConstReg {
                op: Op2::Div,
                r: 0,
                c: 0.5
            }
        );
        // Squares and cubes multiply rather than call powf.
        let p = compile("va^2 + g^3");
        assert!(matches!(
            code(&p)[0],
            Instr::UnCol {
                op: UnOp::Square,
                ..
            }
        ));
        assert!(matches!(code(&p)[1], Instr::UnCol { op: UnOp::Cube, .. }));
        assert_eq!(p.scratch_needed(), 1);

        let va = [100.0, 200.0, -50.0];
        let g = [0.1, -0.5, 0.0];
        let mut out = [0.0; 3];
        compile("va * (1 + g)").eval(&[&va, &g], &mut out, &mut Scratch::new());
        assert_eq!(out, [100.0 * 1.1, 100.0, -50.0]);
    }

    #[test]
    fn scratch_reuse_gives_identical_results() {
        let deep = parse("(a*b + c*a) * (b*c + a*b) - (a + b) * max(b, c, a*c)")
            .expect("parses")
            .compile(&resolve)
            .expect("ok");
        let other = parse("((a+b)*(b+c))/((c+a)*(a-b)) + ((a*c)-(b*c))*((a*a)-(c*c))")
            .expect("parses")
            .compile(&resolve)
            .expect("ok");
        assert!(deep.scratch_needed() >= 1 && other.scratch_needed() >= 2);

        let cols: Vec<Vec<f64>> = (0..3).map(|i| column(i + 10, 4096)).collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let mut scratch = Scratch::new();
        let mut first = vec![0.0; 4096];
        deep.eval(&refs, &mut first, &mut scratch);
        let mut again = vec![0.0; 4096];
        for _ in 0..3 {
            deep.eval(&refs, &mut again, &mut scratch);
            assert!(first.iter().zip(&again).all(|(&x, &y)| same(x, y)));
            other.eval(&refs, &mut again, &mut scratch);
        }
        // A shorter block after a longer one uses the prefix of each column.
        let mut short = vec![0.0; 100];
        deep.eval(&refs, &mut short, &mut scratch);
        assert!(first[..100].iter().zip(&short).all(|(&x, &y)| same(x, y)));
        // Reserved up front, evaluation keeps the same buffers.
        let before: Vec<*const f64> = scratch.cols.iter().map(|c| c.as_ptr()).collect();
        deep.eval(&refs, &mut again, &mut scratch);
        let after: Vec<*const f64> = scratch.cols.iter().map(|c| c.as_ptr()).collect();
        assert_eq!(before, after);
    }

    #[test]
    fn unresolved_names_are_reported_in_order() {
        let e = parse("a + gpd * zz").expect("parses");
        let u = e.compile(&resolve).expect_err("gpd is unknown");
        assert_eq!(
            u,
            UnresolvedName {
                name: "gpd".into(),
                lag: 0,
                offset: 4
            }
        );
        let pe = u.to_parse_error(["gdp", "a", "b"]);
        assert_eq!((pe.message.as_str(), pe.offset), ("unknown name `gpd`", 4));
        assert_eq!(pe.hint.as_deref(), Some("did you mean `gdp`?"));
        let u = parse("b[t-2]")
            .expect("parses")
            .compile(&resolve)
            .expect_err("no lag 2");
        assert_eq!(u.to_string(), "no value for `b[t-2]`");
    }

    #[test]
    fn hand_built_bad_arity_does_not_panic() {
        let bad = Expr::Call {
            func: Func::Clamp,
            args: vec![Expr::Num(1.0)],
        };
        assert!(bad.eval_scalar(&no_vars).is_some_and(f64::is_nan));
        assert!(
            bad.compile(&resolve)
                .expect("ok")
                .as_constant()
                .is_some_and(f64::is_nan)
        );
        let var = |name: &str| Expr::Var {
            name: name.into(),
            lag: 0,
            offset: 0,
        };
        let bad = Expr::Binary {
            op: BinOp::Add,
            lhs: Box::new(var("a")),
            rhs: Box::new(Expr::Call {
                func: Func::Sqrt,
                args: vec![var("b"), var("c")],
            }),
        };
        let p = bad.compile(&resolve).expect("ok");
        let (a, b, c) = ([1.0], [4.0], [9.0]);
        let mut out = [0.0];
        p.eval(&[&a, &b, &c], &mut out, &mut Scratch::new());
        assert!(out[0].is_nan());
    }

    #[test]
    fn func_names_round_trip() {
        for f in Func::ALL {
            assert_eq!(Func::from_name(f.name()), Some(f));
        }
    }
}
