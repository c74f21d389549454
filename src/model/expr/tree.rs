//! The parsed formula and the iterative walks over it.

use std::fmt;

use super::ops::{Op2, call_scalar, neg};

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
    pub(super) fn arity(self) -> (usize, Option<usize>) {
        match self {
            Func::Min | Func::Max => (2, None),
            Func::Clamp => (3, Some(3)),
            Func::Pow => (2, Some(2)),
            _ => (1, Some(1)),
        }
    }

    pub(super) fn arity_text(self) -> String {
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

/// An operation applied to already-computed operand values.
#[derive(Debug, Clone, Copy)]
pub(super) enum Apply {
    Neg,
    Bin(BinOp),
    Call(Func),
}

enum Step<'e> {
    Visit(&'e Expr),
    Apply(Apply, usize),
}

/// Post-order evaluation with explicit stacks. Long `a + b + c + ...` chains
/// make trees far deeper than [`MAX_DEPTH`](super::MAX_DEPTH), so nothing that walks a tree may
/// recurse on it.
///
/// `apply` receives the operands in order and may take them out of the vector.
pub(super) fn walk<'e, V, E>(
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
    /// [`Program`](super::Program), which makes it the reference implementation in tests.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expr::test_util::{no_vars, resolve, value};
    use crate::model::expr::{MAX_DEPTH, MAX_FORMULA_LEN, Scratch, parse};

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
