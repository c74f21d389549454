//! Scalar semantics, shared by `eval_scalar`, constant folding and columns.

use super::{BinOp, Func};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UnOp {
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
pub(super) enum Op2 {
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

pub(super) fn neg(x: f64) -> f64 {
    -x
}
pub(super) fn square(x: f64) -> f64 {
    x * x
}
pub(super) fn cube(x: f64) -> f64 {
    x * x * x
}
pub(super) fn add(a: f64, b: f64) -> f64 {
    a + b
}
pub(super) fn sub(a: f64, b: f64) -> f64 {
    a - b
}
pub(super) fn mul(a: f64, b: f64) -> f64 {
    a * b
}
pub(super) fn div(a: f64, b: f64) -> f64 {
    a / b
}

/// `powf`, except that exponents 2 and 3 multiply; the same function serves
/// every evaluation path so they agree to the bit.
pub(super) fn pow(x: f64, y: f64) -> f64 {
    if y == 2.0 {
        square(x)
    } else if y == 3.0 {
        cube(x)
    } else {
        x.powf(y)
    }
}

/// NaN-propagating minimum (`f64::min` would drop the NaN).
pub(super) fn min_nan(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if b < a {
        b
    } else {
        a
    }
}

/// NaN-propagating maximum (`f64::max` would drop the NaN).
pub(super) fn max_nan(a: f64, b: f64) -> f64 {
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

// Path-based imports of the two macros, for the column program.
pub(super) use {with_binary, with_unary};

fn call1(x: f64, f: impl Fn(f64) -> f64) -> f64 {
    f(x)
}
fn call2(a: f64, b: f64, f: impl Fn(f64, f64) -> f64) -> f64 {
    f(a, b)
}

impl UnOp {
    pub(super) fn apply(self, x: f64) -> f64 {
        with_unary!(self, call1(x))
    }

    pub(super) fn of_func(f: Func) -> Option<UnOp> {
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
    pub(super) fn apply(self, a: f64, b: f64) -> f64 {
        with_binary!(self, call2(a, b))
    }
}

/// Wrong argument counts only come from hand-built trees (the parser rejects
/// them) and give NaN, which the caller's finiteness check reports.
pub(super) fn call_scalar(f: Func, args: &[f64]) -> f64 {
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

#[cfg(test)]
mod tests {
    use crate::model::expr::test_util::{resolve, value};
    use crate::model::expr::{Scratch, parse};

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
}
