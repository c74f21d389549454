//! The compiled column program and its block-wise evaluation.

use super::ops::{
    Op2, UnOp, add, cube, div, max_nan, min_nan, mul, neg, pow, square, sub, with_binary,
    with_unary,
};

/// One pass over the block. Variants are split by operand kind so that each
/// is a single loop with no per-element branching on operand kind; `r` is the
/// destination register.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Instr {
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
    pub(super) fn map_regs(self, f: impl Fn(usize) -> usize) -> Instr {
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

    pub(super) fn push_slots(&self, out: &mut Vec<usize>) {
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

/// A compiled formula, evaluated a whole block of draws at a time.
#[derive(Debug, Clone)]
pub struct Program {
    pub(super) body: Body,
    pub(super) scratch: usize,
    pub(super) slots: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(super) enum Body {
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
    use crate::model::expr::parse;
    use crate::model::expr::test_util::{column, resolve, same};

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
}
