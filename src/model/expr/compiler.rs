//! Compiles a formula tree into a column program, folding constants.

use super::ops::{Op2, UnOp};
use super::program::{Body, Instr, Program};
use super::tree::{Apply, walk};
use super::{Expr, Func, UnresolvedName};

/// What a reference compiles to: a value fixed for the whole block (such as a
/// base-year figure, which then takes part in constant folding) or a column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand {
    Const(f64),
    Slot(usize),
}

/// A value during compilation. Registers are columns: 0 is the output, the
/// rest are scratch. Each register is owned by exactly one live value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Val {
    Const(f64),
    Slot(usize),
    Reg(usize),
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

impl Expr {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expr::test_util::{column, resolve, same};
    use crate::model::expr::{Scratch, parse};

    fn code(p: &Program) -> &[Instr] {
        match &p.body {
            Body::Code(c) => c,
            _ => &[],
        }
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
}
