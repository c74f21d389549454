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

mod compiler;
mod error;
mod lexer;
mod ops;
mod parser;
mod program;
mod tree;

pub use crate::diagnostics::{caret, suggest};
pub use compiler::Operand;
pub use error::{ParseError, UnresolvedName};
pub use parser::parse;
pub use program::{Program, Scratch};
pub use tree::{BinOp, Expr, Func, VarRef};

/// Deepest nesting accepted, so that hostile or generated formulas cannot
/// exhaust the stack; real formulas stay far below it.
pub const MAX_DEPTH: usize = 128;

/// Longest formula accepted, in bytes; it bounds parse time and memory per formula.
pub const MAX_FORMULA_LEN: usize = 10_000;

/// Helpers shared by the submodules' tests.
#[cfg(test)]
mod test_util {
    use super::{Operand, ParseError, parse};

    pub(super) fn no_vars(_: &str, _: u32) -> Option<f64> {
        None
    }

    pub(super) fn value(src: &str) -> f64 {
        let e = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        e.eval_scalar(&no_vars).expect("no variables")
    }

    pub(super) fn err(src: &str) -> ParseError {
        match parse(src) {
            Ok(e) => panic!("{src:?} parsed as {e:?}"),
            Err(e) => e,
        }
    }

    pub(super) fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// Deterministic pseudo-random values in [-4, 4) with exact specials mixed in.
    pub(super) fn column(seed: u64, n: usize) -> Vec<f64> {
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
    pub(super) fn resolve(name: &str, lag: u32) -> Option<Operand> {
        match (name, lag) {
            ("a", 0) => Some(Operand::Slot(0)),
            ("b", 0) => Some(Operand::Slot(1)),
            ("c", 0) => Some(Operand::Slot(2)),
            ("a", 1) => Some(Operand::Slot(3)),
            ("g", 0) => Some(Operand::Const(0.03)),
            _ => None,
        }
    }
}
