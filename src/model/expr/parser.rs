//! Turns formula text into an [`Expr`]; every problem becomes a [`ParseError`].

use super::lexer::{Tok, Token, describe, lex};
use super::{BinOp, Expr, Func, MAX_DEPTH, MAX_FORMULA_LEN, ParseError};
use crate::diagnostics::suggest;

/// Parses a formula. See the [`expr`](super) module documentation for the syntax.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expr::test_util::{column, err, resolve, same, value};
    use crate::model::expr::{Operand, Scratch};

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
}
