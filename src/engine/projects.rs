//! A block's project starts, pipeline aggregates and peer values (see
//! [`crate::model::pipeline`]), drawn from their own streams
//! ([`crate::sampling::purpose_rng`]) so the block's own stream, and so every
//! other column, is the same with or without them.
//!
//! A start is decided from a uniform `U` rather than a normal: project `i`
//! starts in draw `d` when `e <= c` with `c = a_i - b_i z_d` and `e` standard
//! normal, that is when `U < Phi(c)`. The first byte of `U` settles it in
//! 255 draws out of 256, against a table of normal quantiles (see
//! [`byte_bounds`]); only when the byte's interval straddles `Phi(c)` do 53
//! more bits decide, against `Phi(c)` itself. Same probability as drawing
//! `e` (to the 1e-15 of `Phi`), at one random byte and a table look-up per
//! project and draw instead of a normal (8 bytes and a ziggurat). A project
//! with a loading of 0 has the same `c` in every draw, so its bytes are
//! compared with two thresholds instead (see [`byte_thresholds`]), with the
//! same answers.
//!
//! Stream order, pipeline: when no driver is the factor, the block's `n`
//! factor scores first (standard normals); then project by project: `n`
//! bytes (`fill_bytes`), one per draw in order; then one `u64` per
//! undecided draw, in draw order; then, when its amount is drawn, one `u64`
//! per start, in draw order (the amount's uniform `((v >> 11) + 1/2) 2^-53`).
//! Peers: indicator by indicator, peer by peer, `n` standard normals.
//!
//! Starts are kept as bits, project by project (`WORDS` words of 64 draws
//! each), so the contribution counts of a block are popcounts of a
//! project's words masked by a target's misses, a count aggregate is a
//! bit-sliced sum of the words, and a fixed amount is added from them 4
//! draws at a time (with AVX-512, 8 by a masked add, for up to 16 projects
//! per pass over the aggregate, in project order in every draw): no branch
//! per draw and project. The per-draw loops run in the widest form the CPU has (see
//! [`Level`]); every form gives the same bits.

use crate::model::distribution::{std_normal_cdf, std_normal_quantile};
use crate::model::pipeline::{Extras, Hook, PeersModel, ProjectsModel};
use crate::model::years::YearModel;
use crate::sampling::{BLOCK, PURPOSE_PEERS, PURPOSE_PIPELINE, purpose_rng};
use crate::scenario::pipeline::Factor;
use rand::{Rng, RngExt};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

#[cfg(target_arch = "x86_64")]
mod simd;

const WORDS: usize = BLOCK.div_ceil(64);

/// Which form of the per-draw loops the CPU runs: the portable ones, those
/// compiled for AVX2, or the AVX-512 ones of [`simd`]. Every level gives
/// the same bits; only the speed differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Level {
    fn detect() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx512f") && has!("avx512bw") && has!("avx512dq") && has!("avx512vl") {
                return Level::Avx512;
            }
            if has!("avx2") {
                return Level::Avx2;
            }
        }
        Level::Portable
    }
}

/// Per-thread buffers for the pipeline and peers, reused across blocks.
#[derive(Default)]
pub(crate) struct Work {
    /// Project `i`'s starts: bits `i * WORDS ..`.
    bits: Vec<u64>,
    /// Per aggregate, its block column.
    agg: Vec<Vec<f64>>,
    /// Per aggregate, its count of starts bit-sliced (see [`count_in`]):
    /// as many planes of `WORDS` words as its count members need.
    planes: Vec<Vec<u64>>,
    /// [`count_in`]'s carries, a word per 64 draws.
    carry: Vec<u64>,
    /// Per peer indicator, per peer, its block column.
    peers: Vec<Vec<Vec<f64>>>,
    z: Vec<f64>,
    e: Vec<f64>,
    /// A project's first bytes of its uniforms, one per draw.
    bytes: Vec<u8>,
    /// A project's starts (draw indices), its amounts' random bytes,
    /// uniforms and amounts, when its amount is drawn.
    started: Vec<u32>,
    raw: Vec<u8>,
    uniform: Vec<f64>,
    amount: Vec<f64>,
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
            bytes: vec![0; BLOCK],
            ..Work::default()
        };
        if let Some(p) = &x.projects {
            w.bits = vec![0; p.n() * WORDS];
            w.agg = vec![vec![0.0; BLOCK]; p.n_aggregates];
            w.carry = vec![0; WORDS];
            w.planes = count_members(p)
                .iter()
                .map(|&m| vec![0; planes_for(m) * WORDS])
                .collect();
            w.missed = vec![0; p.tracked.len() * WORDS];
        }
        if let Some(p) = &x.peers {
            w.peers = vec![vec![vec![0.0; BLOCK]; p.n_peers]; p.indicators.len()];
        }
        w
    }
}

/// Per aggregate, how many projects it counts (rather than adds the amount of).
fn count_members(p: &ProjectsModel) -> Vec<usize> {
    let mut out = vec![0; p.n_aggregates];
    for m in &p.members {
        for &(k, by_amount) in m {
            out[k as usize] += !by_amount as usize;
        }
    }
    out
}

/// Bit planes that hold every count from 0 to `members`.
fn planes_for(members: usize) -> usize {
    (usize::BITS - members.leading_zeros()) as usize
}

/// Bytes a thread's [`Work`] holds, for the memory check.
pub fn work_bytes(model: &YearModel) -> u64 {
    let Some(x) = &model.extras else { return 0 };
    // `z` and `e`; with a pipeline, up to a block of drawn amounts' raw
    // bytes, uniforms and values (8 bytes each), their draw indices (4)
    // and a block of first bytes (1).
    let mut cols = 2u64;
    let mut words = 0u64;
    let mut bytes = 0u64;
    if let Some(p) = &x.projects {
        cols += p.n_aggregates as u64 + 3;
        let planes: usize = count_members(p).into_iter().map(planes_for).sum();
        words += ((p.n() + p.tracked.len() + planes) * WORDS) as u64;
        bytes += 5 * BLOCK as u64;
    }
    if let Some(p) = &x.peers {
        cols += (p.n_peers * p.indicators.len()) as u64;
    }
    (cols * BLOCK as u64 + words) * 8 + bytes
}

/// The common factor's score in each draw: the standardised driver, or
/// fresh normals from the stream.
fn factor_scores(factor: Option<Factor>, cols: &[Vec<f64>], rng: &mut ChaCha8Rng, z: &mut [f64]) {
    match factor {
        Some(f) => {
            let x = &cols[f.driver][..z.len()];
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
        draw_projects(p, seed, b, n, cols, w);
    }
    if let Some(p) = &x.peers {
        draw_peers(p, seed, b, n, cols, w);
    }
}

fn draw_projects(
    p: &ProjectsModel,
    seed: u64,
    b: usize,
    n: usize,
    cols: &[Vec<f64>],
    w: &mut Work,
) {
    let mut rng = purpose_rng(seed, b as u64, PURPOSE_PIPELINE);
    factor_scores(p.factor, cols, &mut rng, &mut w.z[..n]);
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
    for planes in &mut w.planes {
        planes.fill(0);
    }
    let level = Level::detect();
    let bounds = byte_bounds();
    let z = &w.z[..n];
    // With a loading of 0, `c = a - 0 z` is `a` in every draw whose score
    // is finite (a zero's sign does not change a comparison).
    let z_finite = z.iter().all(|z| z.is_finite());
    let used = n.div_ceil(64);
    let mut open = [0u64; WORDS];
    let open = &mut open[..used];
    // Fixed amounts still to add: (project's first word, amount, aggregate),
    // in project order, for up to PENDING projects.
    let mut pending: Vec<(usize, f64, u32)> = Vec::new();
    let mut pending_projects = 0;
    for i in 0..p.n() {
        // A drawn amount is added at once, so what waits goes first.
        if p.drawn[i].is_some() || pending_projects == PENDING {
            add_fixed(level, &mut w.agg, &w.bits, &pending, used);
            pending.clear();
            pending_projects = 0;
        }
        let (a, bb) = (p.a[i], p.b[i]);
        let bits = &mut w.bits[i * WORDS..(i + 1) * WORDS];
        let bytes = &mut w.bytes[..n];
        rng.fill_bytes(bytes);
        if bb == 0.0 && z_finite {
            let (k_hi, k_lo) = byte_thresholds(a, bounds);
            decide_fixed(level, k_hi, k_lo, bytes, &mut bits[..used], open);
        } else {
            decide(level, a, bb, z, bytes, bounds, &mut bits[..used], open);
        }
        // The rare undecided draws (about 1 in 256): the byte's interval
        // straddles Phi(c), so 53 more bits of the uniform decide, against
        // Phi(c) itself; in draw order, after the project's bytes.
        for (wi, (word, &open)) in bits.iter_mut().zip(open.iter()).enumerate() {
            let mut open = open;
            while open != 0 {
                let j = open.trailing_zeros() as usize;
                open &= open - 1;
                let d = wi * 64 + j;
                let c = a - bb * z[d];
                let rest = (rng.next_u64() >> 11) as f64 * TWO_POW_M53;
                if rest < 256.0 * std_normal_cdf(c) - bytes[d] as f64 {
                    *word |= 1 << j;
                }
            }
        }
        for word in &mut bits[used..] {
            *word = 0;
        }
        let bits = &bits[..used];
        for &(k, by_amount) in &p.members[i] {
            if !by_amount {
                count_in_at(level, &mut w.planes[k as usize], bits, &mut w.carry);
            }
        }
        match &p.drawn[i] {
            None => {
                for &(k, by_amount) in &p.members[i] {
                    if by_amount {
                        pending.push((i * WORDS, p.fixed[i], k));
                    }
                }
                pending_projects += 1;
            }
            Some(m) => {
                // One uniform per start, in draw order, whether or not an
                // aggregate reads the amount, so the stream's order does
                // not depend on it; drawn in bulk, mapped in bulk.
                let k: usize = bits.iter().map(|w| w.count_ones() as usize).sum();
                w.raw.resize(8 * k, 0);
                rng.fill_bytes(&mut w.raw);
                w.uniform.resize(k, 0.0);
                uniforms(level, &w.raw, &mut w.uniform);
                w.amount.resize(k, 0.0);
                m.fill_from_uniforms(&w.uniform, &mut w.amount);
                for &(k, by_amount) in &p.members[i] {
                    if by_amount {
                        let agg = &mut w.agg[k as usize];
                        add_amounts(level, agg, bits, &w.amount, &mut w.started);
                    }
                }
            }
        }
    }
    add_fixed(level, &mut w.agg, &w.bits, &pending, used);
    for (agg, planes) in w.agg.iter_mut().zip(&w.planes) {
        if !planes.is_empty() {
            from_planes(planes, &mut agg[..n]);
        }
    }
}

/// How many projects' fixed amounts [`add_fixed`] adds in one pass.
const PENDING: usize = 16;

/// Fixed amounts added where their projects started: per entry
/// `(first, amount, k)`, `agg[k][d] += amount` where bit `d` of the words
/// from `bits[first]` is set, for the first `used` words; in entry order
/// in every draw, as one [`add_where`] per entry would.
fn add_fixed(
    level: Level,
    agg: &mut [Vec<f64>],
    bits: &[u64],
    pending: &[(usize, f64, u32)],
    used: usize,
) {
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512 F, BW, DQ and VL (`Level::detect`).
        Level::Avx512 => unsafe { simd::add_fixed(agg, bits, pending, used) },
        _ => {
            for &(first, amount, k) in pending {
                add_where(&mut agg[k as usize], &bits[first..first + used], amount);
            }
        }
    }
}

/// Add a project's starts to a count held bit-sliced: plane `q` (words
/// `q * WORDS ..`) holds bit `q` of each draw's count. A ripple-carry add,
/// 64 draws a word, plane by plane over every word at once (so it
/// vectorises and has no branch per word), until no carry is left; the
/// planes are enough for every member, so it never overflows.
#[inline]
fn count_in(planes: &mut [u64], bits: &[u64], carry: &mut [u64]) {
    let carry = &mut carry[..bits.len()];
    carry.copy_from_slice(bits);
    for plane in planes.chunks_exact_mut(WORDS) {
        let mut any = 0u64;
        for (p, c) in plane.iter_mut().zip(carry.iter_mut()) {
            let next = *p & *c;
            *p ^= *c;
            *c = next;
            any |= next;
        }
        if any == 0 {
            break;
        }
    }
}

/// [`count_in`] in the CPU's widest form.
#[inline]
fn count_in_at(level: Level, planes: &mut [u64], bits: &[u64], carry: &mut [u64]) {
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512 F, BW, DQ and VL (`Level::detect`).
        Level::Avx512 => unsafe { simd::count_in(planes, bits, carry) },
        _ => count_in(planes, bits, carry),
    }
}

/// A bit-sliced count's values, as numbers (exact: counts below 2^53).
fn from_planes(planes: &[u64], out: &mut [f64]) {
    for (d, o) in out.iter_mut().enumerate() {
        let (wi, j) = (d / 64, d % 64);
        let mut c = 0u64;
        for (q, plane) in planes.chunks(WORDS).enumerate() {
            c |= ((plane[wi] >> j) & 1) << q;
        }
        *o = c as f64;
    }
}

/// Per 4 bits, their masks (all ones where the bit is set), so a word of
/// starts adds an amount 4 draws at a time, branch-free.
const NIBBLE_MASKS: [[u64; 4]; 16] = {
    let mut out = [[0u64; 4]; 16];
    let mut n = 0;
    while n < 16 {
        let mut l = 0;
        while l < 4 {
            out[n][l] = if (n >> l) & 1 == 1 { u64::MAX } else { 0 };
            l += 1;
        }
        n += 1;
    }
    out
};

/// `agg[d] += amount` where draw `d` started (`bits`, 64 draws a word;
/// `agg` holds at least 64 per word). A draw that did not start adds +0,
/// which leaves every value but -0 as it was, and an aggregate, starting
/// at +0, never holds -0.
#[inline]
fn add_where(agg: &mut [f64], bits: &[u64], amount: f64) {
    let amount = amount.to_bits();
    for (&word, agg) in bits.iter().zip(agg.chunks_exact_mut(64)) {
        for (q, agg) in agg.chunks_exact_mut(4).enumerate() {
            let masks = &NIBBLE_MASKS[((word >> (4 * q)) & 15) as usize];
            for (x, &m) in agg.iter_mut().zip(masks) {
                *x += f64::from_bits(m & amount);
            }
        }
    }
}

/// `agg[d] += x` for each start `d` in draw order, `x` the next of
/// `amounts` (one per start): through the draw indices in `started`.
fn add_amounts_any(agg: &mut [f64], bits: &[u64], amounts: &[f64], started: &mut Vec<u32>) {
    started.clear();
    for (wi, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            started.push((wi * 64 + word.trailing_zeros() as usize) as u32);
            word &= word - 1;
        }
    }
    for (&d, &x) in started.iter().zip(amounts) {
        agg[d as usize] += x;
    }
}

/// [`add_amounts_any`] in the CPU's widest form.
#[inline]
fn add_amounts(
    level: Level,
    agg: &mut [f64],
    bits: &[u64],
    amounts: &[f64],
    started: &mut Vec<u32>,
) {
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512 F, BW, DQ and VL (`Level::detect`).
        Level::Avx512 => unsafe { simd::add_amounts(agg, bits, amounts) },
        _ => add_amounts_any(agg, bits, amounts, started),
    }
}

/// A drawn amount's uniform from each 8 random bytes (little-endian):
/// `((v >> 11) + 1/2) 2^-53`, in `(0, 1)`. The 53-bit integer converts
/// exactly through `i64` as through `u64`, and the signed conversion is
/// the one the vector units have.
#[inline(always)]
fn uniforms_any(raw: &[u8], out: &mut [f64]) {
    for (o, c) in out.iter_mut().zip(raw.chunks_exact(8)) {
        let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        *o = ((v >> 11) as i64 as f64 + 0.5) * TWO_POW_M53;
    }
}

/// [`uniforms_any`] in the CPU's widest form.
#[inline]
fn uniforms(level: Level, raw: &[u8], out: &mut [f64]) {
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512 F, BW, DQ and VL (`Level::detect`).
        Level::Avx512 => unsafe { simd::uniforms(raw, out) },
        _ => uniforms_any(raw, out),
    }
}

/// A project's starts over a block, a word (64 draws) at a time: the sure
/// starts into `started`, the draws the uniform's first byte leaves
/// undecided into `open`, each as bits. Draw `j` tests `e <= c` with
/// `c = a - b z[j]` through the byte `u[j]` (see [`byte_bounds`]);
/// branch-free, since the answers are unpredictable.
#[allow(clippy::too_many_arguments)]
fn decide(
    level: Level,
    a: f64,
    b: f64,
    z: &[f64],
    u: &[u8],
    bounds: &[[f64; 2]; 256],
    started: &mut [u64],
    open: &mut [u64],
) {
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512 F, BW, DQ and VL (`Level::detect`).
        Level::Avx512 => unsafe { simd::decide_words(a, b, z, u, bounds, started, open) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX2 (`Level::detect`).
        Level::Avx2 => unsafe { decide_words_avx2(a, b, z, u, bounds, started, open) },
        Level::Portable => decide_words_any(a, b, z, u, bounds, started, open),
    }
}

#[inline(always)]
fn decide_words_any(
    a: f64,
    b: f64,
    z: &[f64],
    u: &[u8],
    bounds: &[[f64; 2]; 256],
    started: &mut [u64],
    open: &mut [u64],
) {
    let chunks = z.chunks(64).zip(u.chunks(64));
    for ((z, u), (s, o)) in chunks.zip(started.iter_mut().zip(open.iter_mut())) {
        (*s, *o) = decide_any(a, b, z, u, bounds);
    }
}

/// [`decide_words_any`] compiled for AVX2, whose gathers and variable
/// shifts let the compiler vectorise the loop; same arithmetic, same answers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn decide_words_avx2(
    a: f64,
    b: f64,
    z: &[f64],
    u: &[u8],
    bounds: &[[f64; 2]; 256],
    started: &mut [u64],
    open: &mut [u64],
) {
    decide_words_any(a, b, z, u, bounds, started, open)
}

/// One word of [`decide`].
#[inline(always)]
fn decide_any(a: f64, b: f64, z: &[f64], u: &[u8], bounds: &[[f64; 2]; 256]) -> (u64, u64) {
    let (mut started, mut open) = (0u64, 0u64);
    for (j, (&z, &u)) in z.iter().zip(u).enumerate() {
        let c = a - b * z;
        let [lo, hi] = bounds[u as usize];
        let yes = (c >= hi) as u64;
        let maybe = (c > lo) as u64 & !yes;
        started |= yes << j;
        open |= maybe << j;
    }
    (started, open)
}

/// [`decide`] for a project whose `c` is the same number `a` in every
/// draw: `c >= hi[u]` exactly when `u < k_hi`, and `c > lo[u]` exactly when
/// `u < k_lo` (see [`byte_thresholds`]), so the bytes are compared with two
/// thresholds and the table is not read per draw.
fn decide_fixed(
    level: Level,
    k_hi: usize,
    k_lo: usize,
    u: &[u8],
    started: &mut [u64],
    open: &mut [u64],
) {
    match level {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU has AVX-512 F, BW, DQ and VL (`Level::detect`).
        Level::Avx512 => unsafe { simd::decide_fixed(k_hi, k_lo, u, started, open) },
        _ => {
            for (u, (s, o)) in u.chunks(64).zip(started.iter_mut().zip(open.iter_mut())) {
                (*s, *o) = decide_fixed_any(k_hi, k_lo, u);
            }
        }
    }
}

/// One word of [`decide_fixed`].
#[inline(always)]
fn decide_fixed_any(k_hi: usize, k_lo: usize, u: &[u8]) -> (u64, u64) {
    let (mut started, mut open) = (0u64, 0u64);
    for (j, &u) in u.iter().enumerate() {
        let yes = ((u as usize) < k_hi) as u64;
        let maybe = ((u as usize) < k_lo) as u64 & !yes;
        started |= yes << j;
        open |= maybe << j;
    }
    (started, open)
}

/// For a `c` the same in every draw, the bytes below which [`decide_any`]
/// answers yes (`k_hi`: the `j` with `hi[j] <= c`) and below which it does
/// not answer no (`k_lo`: the `j` with `lo[j] < c`). Both columns of the
/// table increase, so each set is the first `k` bytes. A NaN gives 0 and 0,
/// never yes, never open, as the comparisons do.
fn byte_thresholds(c: f64, bounds: &[[f64; 2]; 256]) -> (usize, usize) {
    let k_hi = bounds.iter().filter(|&&[_, hi]| hi <= c).count();
    let k_lo = bounds.iter().filter(|&&[lo, _]| lo < c).count();
    (k_hi, k_lo)
}

/// `2^-53`: a 53-bit integer times this is a uniform on `[0, 1)`.
const TWO_POW_M53: f64 = 1.0 / (1u64 << 53) as f64;

/// Per value `j` of a uniform's first byte, `U` lies in `[j/256, (j+1)/256)`,
/// so `U < Phi(c)` is sure when `c >= Phi^-1((j+1)/256)` and impossible when
/// `c <= Phi^-1(j/256)`: the pair `[lo, hi]`, each moved outwards by far more
/// than the two functions' rounding (1e-15 relative), so a sure answer is the
/// one `Phi(c)` computed in full would give.
fn byte_bounds() -> &'static [[f64; 2]; 256] {
    static BOUNDS: std::sync::OnceLock<[[f64; 2]; 256]> = std::sync::OnceLock::new();
    BOUNDS.get_or_init(|| {
        let q = |j: usize| std_normal_quantile(j as f64 / 256.0);
        let pad = |x: f64| 1e-9 * x.abs().max(1.0);
        let mut out = [[0.0; 2]; 256];
        for (j, o) in out.iter_mut().enumerate() {
            let (lo, hi) = (q(j), q(j + 1));
            *o = [lo - pad(lo), hi + pad(hi)];
        }
        out
    })
}

fn draw_peers(p: &PeersModel, seed: u64, b: usize, n: usize, cols: &[Vec<f64>], w: &mut Work) {
    let mut rng = purpose_rng(seed, b as u64, PURPOSE_PEERS);
    match p.factor {
        Some(_) => factor_scores(p.factor, cols, &mut rng, &mut w.z[..n]),
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
    let bits = &w.bits[..np * WORDS];
    let missed = &w.missed[..nt * WORDS];
    #[cfg(target_arch = "x86_64")]
    if Level::detect() == Level::Avx512 && std::arch::is_x86_feature_detected!("avx512vpopcntdq") {
        // SAFETY: the CPU has AVX-512 F, BW, DQ, VL and VPOPCNTDQ (checked
        // just above).
        unsafe { simd::count_starts(bits, missed, &mut out) };
        return out;
    }
    count_starts(bits, missed, &mut out);
    out
}

/// [`count`]'s per-project part: each project's starts (`bits`, `WORDS`
/// words a project), and per tracked target (`missed`, likewise) those
/// made in draws it was missed, into `out` laid out as [`count`] says.
#[inline(always)]
fn count_starts(bits: &[u64], missed: &[u64], out: &mut [u64]) {
    let (np, nt) = (bits.len() / WORDS, missed.len() / WORDS);
    for (i, bits) in bits.chunks_exact(WORDS).enumerate() {
        out[i] = bits.iter().map(|m| m.count_ones() as u64).sum();
        for (t, miss) in missed.chunks_exact(WORDS).enumerate() {
            out[np + nt + t * np + i] = bits
                .iter()
                .zip(miss)
                .map(|(a, m)| (a & m).count_ones() as u64)
                .sum();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every level this CPU can run, the portable one first.
    fn levels() -> Vec<Level> {
        let mut out = vec![Level::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                out.push(Level::Avx2);
            }
            if Level::detect() == Level::Avx512 {
                out.push(Level::Avx512);
            }
        }
        out
    }

    /// A small xorshift, for inputs only.
    struct Xs(u64);
    impl Xs {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 * TWO_POW_M53
        }
        fn pick<T: Copy>(&mut self, from: &[T]) -> T {
            from[(self.next() % from.len() as u64) as usize]
        }
    }

    #[test]
    fn both_columns_of_the_byte_table_increase() {
        let t = byte_bounds();
        assert_eq!(t[0][0], f64::NEG_INFINITY);
        assert_eq!(t[255][1], f64::INFINITY);
        for j in 0..256 {
            assert!(t[j][0] < t[j][1], "{j}");
            if j > 0 {
                assert!(t[j - 1][0] < t[j][0] && t[j - 1][1] < t[j][1], "{j}");
            }
        }
    }

    /// The portable decision, word by word, as `draw_projects` had it.
    fn reference(a: f64, b: f64, z: &[f64], u: &[u8]) -> Vec<(u64, u64)> {
        let chunks = z.chunks(64).zip(u.chunks(64));
        chunks
            .map(|(z, u)| decide_any(a, b, z, u, byte_bounds()))
            .collect()
    }

    #[test]
    fn every_level_and_the_fixed_thresholds_decide_as_the_portable_loop() {
        let t = byte_bounds();
        let mut rng = Xs(0x2545_f491_4f6c_dd1d);
        let extremes = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            8.5,
            -8.5,
            40.0,
            -40.0,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for case in 0..3000 {
            let n: usize = rng.pick(&[1, 63, 64, 65, 100, 128, 1000, 1696, 8192]);
            let b = match case % 4 {
                0 => 0.0,
                1 => rng.pick(&[0.15, 0.2, 0.3, -0.0, 1e-300, 0.5]),
                _ => rng.unit() - 0.5,
            };
            let finite = case % 3 != 0;
            let z: Vec<f64> = (0..n)
                .map(|_| match rng.next() % 16 {
                    0 if finite => rng.pick(&extremes[..11]),
                    0 => rng.pick(&extremes),
                    1 => 0.0,
                    _ => 6.0 * (rng.unit() - 0.5),
                })
                .collect();
            let u: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            // `a` exactly at a bound, at its neighbours, or anywhere.
            let j = (rng.next() % 256) as usize;
            let side = (rng.next() % 2) as usize;
            let a = match case % 5 {
                0 => t[j][side],
                1 => t[j][side].next_up(),
                2 => t[j][side].next_down(),
                3 => rng.pick(&extremes),
                _ => 6.0 * (rng.unit() - 0.5),
            };
            let want = reference(a, b, &z, &u);
            let used = n.div_ceil(64);
            for level in levels() {
                let (mut started, mut open) = (vec![7u64; used], vec![7u64; used]);
                decide(level, a, b, &z, &u, t, &mut started, &mut open);
                let got: Vec<(u64, u64)> = started.into_iter().zip(open).collect();
                assert_eq!(got, want, "{level:?}, case {case}: a = {a}, b = {b}");
                if b == 0.0 && z.iter().all(|z| z.is_finite()) {
                    let (k_hi, k_lo) = byte_thresholds(a, t);
                    let (mut started, mut open) = (vec![7u64; used], vec![7u64; used]);
                    decide_fixed(level, k_hi, k_lo, &u, &mut started, &mut open);
                    let got: Vec<(u64, u64)> = started.into_iter().zip(open).collect();
                    assert_eq!(got, want, "fixed, {level:?}, case {case}: a = {a}");
                }
            }
        }
    }

    #[test]
    fn the_vector_popcount_counts_starts_as_the_portable_loop() {
        let mut rng = Xs(0x1234_5678_9abc_def1);
        let (np, nt) = (37, 3);
        let bits: Vec<u64> = (0..np * WORDS).map(|_| rng.next() & rng.next()).collect();
        let missed: Vec<u64> = (0..nt * WORDS).map(|_| rng.next() | rng.next()).collect();
        let mut want = vec![0u64; np + nt + nt * np];
        count_starts(&bits, &missed, &mut want);
        assert_eq!(
            want[0],
            bits[..WORDS]
                .iter()
                .map(|w| w.count_ones() as u64)
                .sum::<u64>()
        );
        #[cfg(target_arch = "x86_64")]
        if Level::detect() == Level::Avx512
            && std::arch::is_x86_feature_detected!("avx512vpopcntdq")
        {
            let mut got = vec![0u64; want.len()];
            // SAFETY: the CPU has AVX-512 F, BW, DQ, VL and VPOPCNTDQ
            // (checked just above).
            unsafe { simd::count_starts(&bits, &missed, &mut got) };
            assert_eq!(got, want);
        }
    }

    #[test]
    fn every_level_adds_counts_and_maps_uniforms_as_the_portable_loops() {
        let mut rng = Xs(0x9e37_79b9_7f4a_7c15);
        for case in 0..200 {
            let used = rng.pick(&[1, 2, 27, WORDS]);
            let projects = 12;
            let bits: Vec<Vec<u64>> = (0..projects)
                .map(|_| {
                    let density = rng.next() % 4;
                    (0..used)
                        .map(|_| match density {
                            0 => 0,
                            1 => u64::MAX,
                            2 => rng.next() & rng.next(),
                            _ => rng.next() | rng.next(),
                        })
                        .collect()
                })
                .collect();
            let amounts: Vec<f64> = (0..projects)
                .map(|_| rng.pick(&[0.0, -0.0, 1.5, -2.25, 1e-310, 3.0e15]) + rng.unit())
                .collect();
            let drawn: Vec<Vec<f64>> = bits
                .iter()
                .map(|b| {
                    let k: u32 = b.iter().map(|w| w.count_ones()).sum();
                    (0..k).map(|_| rng.unit() * 4.0 - 1.0).collect()
                })
                .collect();
            // As `draw_projects` keeps them: WORDS words a project.
            let mut flat = vec![0u64; projects * WORDS];
            for (i, b) in bits.iter().enumerate() {
                flat[i * WORDS..i * WORDS + used].copy_from_slice(b);
            }
            let raw: Vec<u8> = (0..8 * 500).map(|_| rng.next() as u8).collect();
            // The plain loop, project by project, as it was before
            // `add_fixed` grouped them: two aggregates, every project adds to
            // the first, some to the second too; every third is drawn.
            let mut plain = vec![vec![0.0; BLOCK]; 2];
            let mut started = Vec::new();
            for (i, bits) in bits.iter().enumerate() {
                if i % 3 == 2 {
                    add_amounts_any(&mut plain[0], bits, &drawn[i], &mut started);
                } else {
                    add_where(&mut plain[0], bits, amounts[i]);
                    if i % 2 == 0 {
                        add_where(&mut plain[1], bits, amounts[i] * 3.0);
                    }
                }
            }
            let mut want = None;
            for level in levels() {
                let mut agg = vec![vec![0.0; BLOCK]; 2];
                let mut planes = vec![0u64; planes_for(projects) * WORDS];
                let mut carry = vec![0u64; WORDS];
                let mut pending = Vec::new();
                for (i, bits) in bits.iter().enumerate() {
                    if i % 3 == 2 {
                        add_fixed(level, &mut agg, &flat, &pending, used);
                        pending.clear();
                        add_amounts(level, &mut agg[0], bits, &drawn[i], &mut started);
                    } else {
                        pending.push((i * WORDS, amounts[i], 0));
                        if i % 2 == 0 {
                            pending.push((i * WORDS, amounts[i] * 3.0, 1));
                        }
                    }
                    count_in_at(level, &mut planes, bits, &mut carry);
                }
                add_fixed(level, &mut agg, &flat, &pending, used);
                for (got, want) in agg.iter().zip(&plain) {
                    let same = got
                        .iter()
                        .zip(want)
                        .all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "{level:?}, case {case}: aggregates");
                }
                let mut u = vec![0.0; 500];
                uniforms(level, &raw, &mut u);
                // As the stream's doc has it: ((v >> 11) + 1/2) 2^-53, through u64.
                for (c, &u) in raw.chunks_exact(8).zip(&u) {
                    let v = u64::from_le_bytes(c.try_into().expect("8 bytes"));
                    let want = ((v >> 11) as f64 + 0.5) * TWO_POW_M53;
                    assert_eq!(u.to_bits(), want.to_bits());
                    assert!(u > 0.0 && u < 1.0);
                }
                let got = (planes, u.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
                match &want {
                    None => want = Some(got),
                    Some(want) => assert!(got == *want, "{level:?}, case {case}"),
                }
            }
        }
    }
}
