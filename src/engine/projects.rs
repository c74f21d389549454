//! A block's project starts, pipeline aggregates and peer values (see
//! [`crate::model::pipeline`]), drawn from their own streams
//! ([`crate::sampling::purpose_rng`]) so the block's own stream, and so every
//! other column, is the same with or without them.
//!
//! Stream order, pipeline: when no driver is the factor, the block's `n`
//! factor scores first; then project by project, its `n` draws in order,
//! each a standard normal and, when it starts and its amount is drawn, one
//! uniform for the amount. Peers: indicator by indicator, peer by peer, `n`
//! standard normals.
//!
//! Starts are kept as bits, project by project (`WORDS` words of 64 draws
//! each), so the contribution counts of a block are popcounts of a
//! project's words masked by a target's misses: no work per draw and
//! project beyond the draw itself.

use crate::model::pipeline::{Extras, Hook, PeersModel, ProjectsModel};
use crate::model::years::YearModel;
use crate::sampling::{BLOCK, PURPOSE_PEERS, PURPOSE_PIPELINE, purpose_rng};
use crate::scenario::pipeline::Factor;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Open01, StandardNormal};

const WORDS: usize = BLOCK.div_ceil(64);

/// Per-thread buffers for the pipeline and peers, reused across blocks.
#[derive(Default)]
pub(crate) struct Work {
    /// Project `i`'s starts: bits `i * WORDS ..`.
    bits: Vec<u64>,
    /// Per aggregate, its block column.
    agg: Vec<Vec<f64>>,
    /// Per peer indicator, per peer, its block column.
    peers: Vec<Vec<Vec<f64>>>,
    z: Vec<f64>,
    e: Vec<f64>,
    /// Per tracked target, its misses as bits.
    missed: Vec<u64>,
}

impl Work {
    pub fn new(model: &YearModel) -> Work {
        let Some(x) = &model.extras else {
            return Work::default();
        };
        let mut w = Work {
            z: vec![0.0; BLOCK],
            e: vec![0.0; BLOCK],
            ..Work::default()
        };
        if let Some(p) = &x.projects {
            w.bits = vec![0; p.n() * WORDS];
            w.agg = vec![vec![0.0; BLOCK]; p.n_aggregates];
            w.missed = vec![0; p.tracked.len() * WORDS];
        }
        if let Some(p) = &x.peers {
            w.peers = vec![vec![vec![0.0; BLOCK]; p.n_peers]; p.indicators.len()];
        }
        w
    }
}

/// Bytes a thread's [`Work`] holds, for the memory check.
pub fn work_bytes(model: &YearModel) -> u64 {
    let Some(x) = &model.extras else { return 0 };
    let mut cols = 2u64;
    let mut words = 0u64;
    if let Some(p) = &x.projects {
        cols += p.n_aggregates as u64;
        words += ((p.n() + p.tracked.len()) * WORDS) as u64;
    }
    if let Some(p) = &x.peers {
        cols += (p.n_peers * p.indicators.len()) as u64;
    }
    (cols * BLOCK as u64 + words) * 8
}

/// The common factor's score in each draw: the standardised driver, or
/// fresh normals from the stream.
fn factor_scores(
    factor: Option<Factor>,
    model: &YearModel,
    cols: &[Vec<f64>],
    rng: &mut ChaCha8Rng,
    z: &mut [f64],
) {
    match factor {
        Some(f) => {
            let x = &cols[f.driver][..z.len()];
            let _ = model;
            for (z, &x) in z.iter_mut().zip(x) {
                *z = (x - f.mean) / f.sd;
            }
        }
        None => {
            for z in z.iter_mut() {
                *z = rng.sample(StandardNormal);
            }
        }
    }
}

/// Draw the block's project starts and aggregates, and the peers' values,
/// once the drivers (year 0) are in `cols`.
pub(crate) fn draw(
    model: &YearModel,
    seed: u64,
    b: usize,
    n: usize,
    cols: &[Vec<f64>],
    w: &mut Work,
) {
    let Some(x) = &model.extras else { return };
    if let Some(p) = &x.projects {
        draw_projects(p, model, seed, b, n, cols, w);
    }
    if let Some(p) = &x.peers {
        draw_peers(p, model, seed, b, n, cols, w);
    }
}

fn draw_projects(
    p: &ProjectsModel,
    model: &YearModel,
    seed: u64,
    b: usize,
    n: usize,
    cols: &[Vec<f64>],
    w: &mut Work,
) {
    let mut rng = purpose_rng(seed, b as u64, PURPOSE_PIPELINE);
    factor_scores(p.factor, model, cols, &mut rng, &mut w.z[..n]);
    if p.factor.is_some() {
        // A project starts when its latent variable is low; a higher
        // factor driver (credit, demand) should make starts more likely.
        for z in &mut w.z[..n] {
            *z = -*z;
        }
    }
    for a in &mut w.agg {
        a[..n].fill(0.0);
    }
    let z = &w.z[..n];
    for i in 0..p.n() {
        let (a, bb) = (p.a[i], p.b[i]);
        let bits = &mut w.bits[i * WORDS..(i + 1) * WORDS];
        let e = &mut w.e[..n];
        for e in e.iter_mut() {
            *e = rng.sample(StandardNormal);
        }
        // Branch-free: the start as a bit (for the counts) and as 0/1 in
        // `e` (for the aggregates' adds, which then vectorise).
        for ((word, e), z) in bits.iter_mut().zip(e.chunks_mut(64)).zip(z.chunks(64)) {
            let mut bitsw = 0u64;
            for (j, (e, &z)) in e.iter_mut().zip(z).enumerate() {
                let s = *e <= a - bb * z;
                bitsw |= (s as u64) << j;
                *e = s as u8 as f64;
            }
            *word = bitsw;
        }
        for word in &mut bits[n.div_ceil(64)..] {
            *word = 0;
        }
        match &p.drawn[i] {
            None => {
                for &(k, by_amount) in &p.members[i] {
                    let add = if by_amount { p.fixed[i] } else { 1.0 };
                    for (x, &s) in w.agg[k as usize][..n].iter_mut().zip(&w.e[..n]) {
                        *x += add * s;
                    }
                }
            }
            Some(m) => {
                // One uniform per start, whether or not an aggregate reads
                // the amount, so the stream's order does not depend on it.
                for d in 0..n {
                    if w.e[d] == 0.0 {
                        continue;
                    }
                    let amount = m.quantile(rng.sample(Open01));
                    for &(k, by_amount) in &p.members[i] {
                        w.agg[k as usize][d] += if by_amount { amount } else { 1.0 };
                    }
                }
            }
        }
    }
}

fn draw_peers(
    p: &PeersModel,
    model: &YearModel,
    seed: u64,
    b: usize,
    n: usize,
    cols: &[Vec<f64>],
    w: &mut Work,
) {
    let mut rng = purpose_rng(seed, b as u64, PURPOSE_PEERS);
    match p.factor {
        Some(_) => factor_scores(p.factor, model, cols, &mut rng, &mut w.z[..n]),
        None => w.z[..n].fill(0.0),
    }
    for (k, pi) in p.indicators.iter().enumerate() {
        for (q, m) in pi.marginals.iter().enumerate() {
            let e = &mut w.e[..n];
            for (e, &z) in e.iter_mut().zip(&w.z[..n]) {
                let own: f64 = rng.sample(StandardNormal);
                *e = pi.common * z + pi.own * own;
            }
            m.fill_from_scores(&w.e[..n], &mut w.peers[k][q][..n]);
        }
    }
}

/// After indicator `i`'s program wrote `out`: an aggregate's values replace
/// the placeholder, a rank replaces the district's value.
#[inline]
pub(crate) fn after_program(x: &Extras, i: usize, out: &mut [f64], w: &Work) {
    match x.hooks[i] {
        Hook::None => {}
        Hook::Aggregate(k) => out.copy_from_slice(&w.agg[k][..out.len()]),
        Hook::Rank(k) => {
            for (d, v) in out.iter_mut().enumerate() {
                // Ties count for the district: only strictly higher peers rank above.
                let above = w.peers[k].iter().filter(|col| col[d] > *v).count();
                *v = 1.0 + above as f64;
            }
        }
    }
}

/// The block's contribution counts (see [`ProjectsModel::n_counts`]), from
/// the year-0 indicator columns (`d` drivers first in `cols`).
pub(crate) fn count(model: &YearModel, cols: &[Vec<f64>], n: usize, w: &mut Work) -> Vec<u64> {
    let Some(p) = model.extras.as_ref().and_then(|x| x.projects.as_ref()) else {
        return Vec::new();
    };
    let (np, nt) = (p.n(), p.tracked.len());
    let mut out = vec![0u64; np + nt + nt * np];
    for (t, &(ind, rule)) in p.tracked.iter().enumerate() {
        let miss = &mut w.missed[t * WORDS..(t + 1) * WORDS];
        miss.fill(0);
        let col = &cols[model.n_drivers + ind][..n];
        for (d, &v) in col.iter().enumerate() {
            if !rule.is_met(v) {
                miss[d / 64] |= 1u64 << (d % 64);
            }
        }
        out[np + t] = miss.iter().map(|m| m.count_ones() as u64).sum();
    }
    for i in 0..np {
        let bits = &w.bits[i * WORDS..(i + 1) * WORDS];
        out[i] = bits.iter().map(|m| m.count_ones() as u64).sum();
        for t in 0..nt {
            let miss = &w.missed[t * WORDS..(t + 1) * WORDS];
            out[np + nt + t * np + i] = bits
                .iter()
                .zip(miss)
                .map(|(a, m)| (a & m).count_ones() as u64)
                .sum();
        }
    }
    out
}
