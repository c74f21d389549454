//! [`Marginal`]: a validated distribution with its sampler precomputed, the
//! quantile machinery of every kind, and the map from copula scores to draws.

use super::special::{
    Neumaier, beta_inv_ln, exp_parts, inc_beta, ln_beta_norm, ln_inc_beta_parts, std_normal_cdf,
    std_normal_quantile,
};
use super::{Distribution, ParamError};
use split_normal::SplitNormal;
use triangular::Triangular;

mod split_normal;
mod triangular;

/// Beyond |z| ≈ 38.5 a score's tail probability underflows; the smallest
/// positive one stands in, so that every finite score gives a finite draw.
const TINIEST: f64 = 5e-324;

/// A validated distribution with everything the sampler needs precomputed
/// (split-normal break point, beta shapes and normaliser, probability tables).
/// Build it once per driver with [`Distribution::marginal`]; its methods are
/// the engine's hot path.
#[derive(Debug, Clone)]
pub struct Marginal {
    dist: Distribution,
    support: (f64, f64),
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    Normal { mean: f64, sd: f64 },
    LogNormal { mu: f64, sigma: f64 },
    SplitNormal(SplitNormal),
    Triangular(Triangular),
    Uniform { min: f64, max: f64 },
    Beta(ScaledBeta),
    Steps(StepTable),
    Fixed(f64),
}

#[derive(Debug, Clone)]
struct ScaledBeta {
    min: f64,
    max: f64,
    range: f64,
    a: f64,
    b: f64,
    /// −ln B(a, b)
    ln_norm: f64,
    /// F at the mean a/(a + b): quantiles below it are solved for B, those
    /// above it for 1 − B, so that the solver always works on the side where
    /// its unknown is not crowded against 1
    f_mean: f64,
    /// solves for B (targets up to f_mean) and for 1 − B (up to 1 − f_mean)
    ab: BetaSide,
    ba: BetaSide,
}

impl ScaledBeta {
    fn new(a: f64, b: f64, min: f64, max: f64) -> Self {
        let ln_norm = ln_beta_norm(a, b);
        let f_mean = inc_beta(a, b, ln_norm, a / (a + b));
        ScaledBeta {
            min,
            max,
            range: max - min,
            a,
            b,
            ln_norm,
            f_mean,
            ab: BetaSide::new(a, b, ln_norm, f_mean),
            ba: BetaSide::new(b, a, ln_norm, 1.0 - f_mean),
        }
    }

    /// Solves `P(B ≤ x) = p`: `(false, ln x)` or `(true, ln(1 − x))`.
    #[inline]
    fn solve_lower(&self, p: f64) -> (bool, f64) {
        if p <= self.f_mean {
            (false, self.ab.solve(p))
        } else {
            (true, self.ba.solve(1.0 - p))
        }
    }

    /// Solves `P(B > x) = q`: `(false, ln(1 − x))` or `(true, ln x)`.
    #[inline]
    fn solve_upper(&self, q: f64) -> (bool, f64) {
        if q <= 1.0 - self.f_mean {
            (false, self.ba.solve(q))
        } else {
            (true, self.ab.solve(1.0 - q))
        }
    }

    #[inline]
    fn lower(&self, p: f64) -> f64 {
        let x = match self.solve_lower(p) {
            (false, ln_x) => ln_x.exp(),
            (true, ln_1mx) => -ln_1mx.exp_m1(),
        };
        (self.min + self.range * x).min(self.max)
    }

    #[inline]
    fn upper(&self, q: f64) -> f64 {
        let y = match self.solve_upper(q) {
            (false, ln_y) => ln_y.exp(),
            (true, ln_1my) => -ln_1my.exp_m1(),
        };
        (self.max - self.range * y).max(self.min)
    }

    fn cdf(&self, x: f64) -> f64 {
        inc_beta(self.a, self.b, self.ln_norm, (x - self.min) / self.range)
    }
}

/// Nodes of a [`BetaSide`] guide table, evenly spaced in `ln p` from
/// `ln 1e-18` (below every `Φ(z)` with `z > −8.7`) up to the side's largest
/// target.
const GUIDE_NODES: usize = 160;
const GUIDE_LN_MIN: f64 = -41.446_531_673_892_82;

/// Solves `I_x(a, b) = p` for `ln x`, `0 < p ≤ p_max`, starting from a quintic
/// Hermite interpolation of `ln x` against `ln p` through exact solutions at
/// [`GUIDE_NODES`] nodes (slopes and curvatures in `ln p` exact too). The
/// guess is usually within the solver's stopping distance, so most draws
/// cost a single evaluation of `I`; accuracy does not depend on the table.
#[derive(Debug, Clone)]
struct BetaSide {
    a: f64,
    b: f64,
    ln_norm: f64,
    scale: f64,
    /// node spacing in ln p (the first node is at `GUIDE_LN_MIN`)
    h: f64,
    /// ln x at the nodes
    t: Vec<f64>,
    /// d ln x/d ln p at the nodes, times h
    dt: Vec<f64>,
    /// d² ln x/d(ln p)² at the nodes, times h²
    d2t: Vec<f64>,
}

impl BetaSide {
    fn new(a: f64, b: f64, ln_norm: f64, p_max: f64) -> Self {
        let mut side = BetaSide {
            a,
            b,
            ln_norm,
            scale: (b / (a * (a + b + 1.0))).sqrt(),
            h: 0.0,
            t: Vec::new(),
            dt: Vec::new(),
            d2t: Vec::new(),
        };
        let s_max = p_max.ln();
        // closed forms need no guess; a degenerate range gets no table
        if a == 1.0 || b == 1.0 || s_max.is_nan() || s_max < GUIDE_LN_MIN + 1.0 {
            return side;
        }
        let h = (s_max - GUIDE_LN_MIN) / (GUIDE_NODES - 1) as f64;
        let mut t = Vec::with_capacity(GUIDE_NODES);
        let mut dt = Vec::with_capacity(GUIDE_NODES);
        let mut d2t = Vec::with_capacity(GUIDE_NODES);
        let mut start = None;
        for k in 0..GUIDE_NODES {
            let s = GUIDE_LN_MIN + k as f64 * h;
            let tk = beta_inv_ln(a, b, ln_norm, side.scale, s.exp(), start);
            let (x, omx, ln_omx) = exp_parts(tk);
            let ln_i = ln_inc_beta_parts(a, b, ln_norm, x, omx, tk, ln_omx);
            // t' = 1/g' and t'' = −(g''/g')·t'², in ln p
            let dg = (a * tk + (b - 1.0) * ln_omx + ln_norm - ln_i).exp();
            let dk = h / dg;
            let ek = -(a - (b - 1.0) * x / omx - dg) * dk * dk;
            if !(tk.is_finite() && dk.is_finite() && ek.is_finite()) {
                return side;
            }
            t.push(tk);
            dt.push(dk);
            d2t.push(ek);
            start = Some(tk + dk + 0.5 * ek);
        }
        side.h = h;
        side.t = t;
        side.dt = dt;
        side.d2t = d2t;
        side
    }

    #[inline]
    fn guess(&self, p: f64) -> Option<f64> {
        let n = self.t.len();
        let u = (p.ln() - GUIDE_LN_MIN) / self.h;
        if n < 2 || u.is_nan() || u < 0.0 || u > (n - 1) as f64 {
            return None;
        }
        let k = (u as usize).min(n - 2);
        let f = u - k as f64;
        let (f2, f3) = (f * f, f * f * f);
        let (f4, f5) = (f3 * f, f3 * f2);
        // quintic Hermite: values, slopes and curvatures at both ends
        Some(
            (1.0 - 10.0 * f3 + 15.0 * f4 - 6.0 * f5) * self.t[k]
                + (f - 6.0 * f3 + 8.0 * f4 - 3.0 * f5) * self.dt[k]
                + 0.5 * (f2 - 3.0 * f3 + 3.0 * f4 - f5) * self.d2t[k]
                + 0.5 * (f3 - 2.0 * f4 + f5) * self.d2t[k + 1]
                + (-4.0 * f3 + 7.0 * f4 - 3.0 * f5) * self.dt[k + 1]
                + (10.0 * f3 - 15.0 * f4 + 6.0 * f5) * self.t[k + 1],
        )
    }

    #[inline]
    fn solve(&self, p: f64) -> f64 {
        beta_inv_ln(self.a, self.b, self.ln_norm, self.scale, p, self.guess(p))
    }
}

/// A distribution on finitely many values, with cumulative tables from both
/// ends and guide tables that jump straight to the right entry.
#[derive(Debug, Clone)]
struct StepTable {
    /// sorted ascending, distinct, each with positive probability
    values: Vec<f64>,
    pmf: Vec<f64>,
    /// cum[i] = P(X <= values[i]); the last is exactly 1
    cum: Vec<f64>,
    /// sf[i] = P(X > values[i]); the last is exactly 0
    sf: Vec<f64>,
    /// guide_lo[j] = first i with cum[i] >= j/G, j = 0..=G
    guide_lo: Vec<u32>,
    /// guide_hi[j] = first i with sf[i] <= j/G, j = 0..=G
    guide_hi: Vec<u32>,
}

impl StepTable {
    /// `values` sorted ascending and distinct, `weights` positive and finite
    /// (any scale), same non-zero length.
    fn new(mut values: Vec<f64>, weights: &[f64]) -> Self {
        let n = values.len().min(weights.len());
        values.truncate(n);
        let mut total = Neumaier::default();
        for &w in &weights[..n] {
            total.add(w);
        }
        let total = total.value();
        let pmf: Vec<f64> = weights[..n].iter().map(|&w| w / total).collect();

        let mut cum = Vec::with_capacity(n);
        let mut acc = Neumaier::default();
        let mut prev = 0.0_f64;
        for &w in &weights[..n] {
            acc.add(w);
            let c = (acc.value() / total).max(prev).min(1.0);
            cum.push(c);
            prev = c;
        }
        if let Some(last) = cum.last_mut() {
            *last = 1.0;
        }

        let mut sf = vec![0.0; n];
        let mut acc = Neumaier::default();
        let mut prev = 0.0_f64;
        for i in (0..n).rev() {
            sf[i] = prev;
            acc.add(weights[i]);
            prev = (acc.value() / total).max(prev).min(1.0);
        }

        let g = n.max(1);
        let gf = g as f64;
        let mut guide_lo = Vec::with_capacity(g + 1);
        let mut i = 0usize;
        for j in 0..=g {
            let t = j as f64 / gf;
            while i + 1 < n && cum[i] < t {
                i += 1;
            }
            guide_lo.push(i as u32);
        }
        let mut guide_hi = Vec::with_capacity(g + 1);
        let mut i = n.saturating_sub(1);
        for j in 0..=g {
            let t = j as f64 / gf;
            while i > 0 && sf[i - 1] <= t {
                i -= 1;
            }
            guide_hi.push(i as u32);
        }
        StepTable {
            values,
            pmf,
            cum,
            sf,
            guide_lo,
            guide_hi,
        }
    }

    fn from_pairs(mut pairs: Vec<(f64, f64)>) -> Self {
        pairs.retain(|&(_, w)| w > 0.0);
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut values: Vec<f64> = Vec::with_capacity(pairs.len());
        let mut weights: Vec<f64> = Vec::with_capacity(pairs.len());
        for (v, w) in pairs {
            match (values.last(), weights.last_mut()) {
                (Some(&last), Some(lw)) if last == v => *lw += w,
                _ => {
                    values.push(v);
                    weights.push(w);
                }
            }
        }
        StepTable::new(values, &weights)
    }

    fn discrete(values: &[f64], weights: &[f64]) -> Self {
        let max_w = weights.iter().fold(0.0_f64, |m, &w| m.max(w));
        StepTable::from_pairs(
            values
                .iter()
                .zip(weights)
                .map(|(&v, &w)| (v, w / max_w))
                .collect(),
        )
    }

    /// Binomial probabilities by the ratio recurrence outward from the mode,
    /// leaving out the terms below 1e-300 of the mode's.
    fn binomial(n: u64, p: f64) -> Self {
        if p <= 0.0 {
            return StepTable::new(vec![0.0], &[1.0]);
        }
        if p >= 1.0 {
            return StepTable::new(vec![n as f64], &[1.0]);
        }
        const CUT: f64 = 1e-300;
        let q = 1.0 - p;
        let nf = n as f64;
        let mode = ((nf + 1.0) * p).floor().max(0.0).min(nf) as u64;
        let mut up = Vec::new();
        let mut w = 1.0_f64;
        let mut k = mode;
        while k < n {
            // P(k+1)/P(k) = (n − k)/(k + 1) · p/q
            w = w * ((n - k) as f64 * p) / ((k + 1) as f64 * q);
            if w < CUT {
                break;
            }
            up.push(w);
            k += 1;
        }
        let mut down = Vec::new();
        let mut w = 1.0_f64;
        let mut k = mode;
        while k > 0 {
            // P(k−1)/P(k) = k/(n − k + 1) · q/p
            w = w * (k as f64 * q) / ((n - k + 1) as f64 * p);
            if w < CUT {
                break;
            }
            down.push(w);
            k -= 1;
        }
        let lo = mode - down.len() as u64;
        let len = down.len() + 1 + up.len();
        let mut weights = Vec::with_capacity(len);
        weights.extend(down.iter().rev());
        weights.push(1.0);
        weights.extend(up.iter());
        let values = (0..len as u64).map(|i| (lo + i) as f64).collect();
        StepTable::new(values, &weights)
    }

    /// The smallest value with `F(value) ≥ p`, `0 < p ≤ 1`.
    #[inline]
    fn lower(&self, p: f64) -> f64 {
        let i = match Self::count(&self.cum, p, |c| c < p) {
            Some(i) => i,
            None => Self::search(&self.cum, &self.guide_lo, p, |c| c < p, false),
        };
        self.values.get(i).copied().unwrap_or(f64::NAN)
    }

    /// The smallest value with `P(X > value) ≤ q`, i.e. `F⁻¹(1 − q)`.
    #[inline]
    fn upper(&self, q: f64) -> f64 {
        let i = match Self::count(&self.sf, q, |s| s > q) {
            Some(i) => i,
            None => Self::search(&self.sf, &self.guide_hi, q, |s| s > q, true),
        };
        self.values.get(i).copied().unwrap_or(f64::NAN)
    }

    /// Tables up to this size are read by counting rather than searching.
    const COUNTED: usize = 64;

    /// [`Marginal::quantile`] of a batch of `u` in (0, 1), bit for bit,
    /// for a table short enough to count: both tails counted and one kept
    /// by a select, since which tail a draw needs (`u <= 1/2`) is a coin
    /// toss the branch predictor loses half the time. Other `u` (never a
    /// stream's uniforms) and longer tables go to `quantile`.
    fn quantiles(&self, u: &[f64], out: &mut [f64], quantile: impl Fn(f64) -> f64) {
        let n = self.values.len();
        for (o, &u) in out.iter_mut().zip(u) {
            *o = if n > 0 && n <= Self::COUNTED && u > 0.0 && u < 1.0 {
                // As `lower(u)` and `upper(1 - u)` count.
                let q = 1.0 - u;
                let lo = self.cum.iter().map(|&c| (c < u) as usize).sum::<usize>();
                let hi = self.sf.iter().map(|&s| (s > q) as usize).sum::<usize>();
                let i = std::hint::select_unpredictable(u <= 0.5, lo, hi);
                self.values[i.min(n - 1)]
            } else {
                quantile(u)
            };
        }
    }

    /// What [`StepTable::search`] finds, for a short table: the number of
    /// entries before `x` (the table is monotone, so they are its first
    /// ones), at most the last index. A count runs without branches, where
    /// a search mispredicts at every step (a binomial's draws land
    /// anywhere); `None` for a long table, an empty one or a NaN.
    #[inline(always)]
    fn count(table: &[f64], x: f64, before: impl Fn(f64) -> bool) -> Option<usize> {
        let n = table.len();
        (n > 0 && n <= Self::COUNTED && !x.is_nan()).then(|| {
            table
                .iter()
                .map(|&v| before(v) as usize)
                .sum::<usize>()
                .min(n - 1)
        })
    }

    /// The first index `i` of the monotone `table` with `!before(table[i])`
    /// (the last index if there is none). The guide entries around `x`
    /// bracket the answer, which is then found by binary search inside the
    /// bracket; a full binary search backs this up should rounding have put
    /// the answer outside the bracket.
    #[inline]
    fn search(
        table: &[f64],
        guide: &[u32],
        x: f64,
        before: impl Fn(f64) -> bool,
        descending: bool,
    ) -> usize {
        let n = table.len();
        if n == 0 || x.is_nan() {
            return usize::MAX;
        }
        let g = guide.len().saturating_sub(1).max(1);
        let j = ((x * g as f64) as usize).min(g - 1);
        let (j_lo, j_hi) = if descending { (j + 1, j) } else { (j, j + 1) };
        let start = guide.get(j_lo).map_or(0, |&k| k as usize).min(n - 1);
        let end = guide
            .get(j_hi)
            .map_or(n - 1, |&k| k as usize)
            .min(n - 1)
            .max(start);
        let i = (start + table[start..=end].partition_point(|&v| before(v))).min(n - 1);
        let found = !before(table[i]) || i == n - 1;
        if found && (i == 0 || before(table[i - 1])) {
            i
        } else {
            table.partition_point(|&v| before(v)).min(n - 1)
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        let k = self.values.partition_point(|&v| v <= x);
        if k == 0 { 0.0 } else { self.cum[k - 1] }
    }

    fn pmf(&self, x: f64) -> f64 {
        let k = self.values.partition_point(|&v| v < x);
        match self.values.get(k) {
            Some(&v) if v == x => self.pmf[k],
            _ => 0.0,
        }
    }
}

impl Marginal {
    /// Validates `dist` and precomputes its sampler.
    pub fn new(dist: &Distribution) -> Result<Self, ParamError> {
        dist.validate()?;
        let kind = match dist {
            Distribution::Normal { mean, sd } => Kind::Normal {
                mean: *mean,
                sd: *sd,
            },
            Distribution::LogNormal { mu, sigma } => Kind::LogNormal {
                mu: *mu,
                sigma: *sigma,
            },
            Distribution::SplitNormal {
                mode,
                sd_low,
                sd_high,
            } => Kind::SplitNormal(SplitNormal::new(*mode, *sd_low, *sd_high)),
            Distribution::Triangular { min, mode, max } => {
                Kind::Triangular(Triangular::new(*min, *mode, *max))
            }
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                let (a, b) = Distribution::pert_shapes(*min, *mode, *max, *lambda);
                Kind::Beta(ScaledBeta::new(a, b, *min, *max))
            }
            Distribution::Uniform { min, max } => Kind::Uniform {
                min: *min,
                max: *max,
            },
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => Kind::Beta(ScaledBeta::new(*alpha, *beta, *min, *max)),
            Distribution::Binomial { n, p } => Kind::Steps(StepTable::binomial(*n, *p)),
            Distribution::Bernoulli { p } => {
                Kind::Steps(StepTable::from_pairs(vec![(0.0, 1.0 - p), (1.0, *p)]))
            }
            Distribution::Discrete { values, weights } => {
                Kind::Steps(StepTable::discrete(values, weights))
            }
            Distribution::Fixed { value } => Kind::Fixed(*value),
        };
        Ok(Marginal {
            dist: dist.clone(),
            support: dist.support(),
            kind,
        })
    }

    /// The distribution this sampler was built from.
    pub fn distribution(&self) -> &Distribution {
        &self.dist
    }

    /// See [`Distribution::kind_name`].
    pub fn kind_name(&self) -> &'static str {
        self.dist.kind_name()
    }

    /// See [`Distribution::is_discrete`].
    pub fn is_discrete(&self) -> bool {
        self.dist.is_discrete()
    }

    /// See [`Distribution::mean`].
    pub fn mean(&self) -> f64 {
        self.dist.mean()
    }

    /// See [`Distribution::variance`].
    pub fn variance(&self) -> f64 {
        self.dist.variance()
    }

    /// See [`Distribution::support`].
    pub fn support(&self) -> (f64, f64) {
        self.support
    }

    /// See [`Distribution::describe`].
    pub fn describe(&self) -> String {
        self.dist.describe()
    }

    /// `F⁻¹(p)` for `0 < p < 1`, accurate when `p` is small.
    #[inline]
    fn lower(&self, p: f64) -> f64 {
        match &self.kind {
            Kind::Normal { mean, sd } => mean + sd * std_normal_quantile(p),
            Kind::LogNormal { mu, sigma } => (mu + sigma * std_normal_quantile(p)).exp(),
            Kind::SplitNormal(s) => s.lower(p),
            Kind::Triangular(t) => t.lower(p),
            Kind::Uniform { min, max } => (min + p * (max - min)).min(*max),
            Kind::Beta(b) => b.lower(p),
            Kind::Steps(s) => s.lower(p),
            Kind::Fixed(v) => *v,
        }
    }

    /// `F⁻¹(1 − q)` for `0 < q < 1`, accurate when `q` is small.
    #[inline]
    fn upper(&self, q: f64) -> f64 {
        match &self.kind {
            Kind::Normal { mean, sd } => mean - sd * std_normal_quantile(q),
            Kind::LogNormal { mu, sigma } => (mu - sigma * std_normal_quantile(q)).exp(),
            Kind::SplitNormal(s) => s.upper(q),
            Kind::Triangular(t) => t.upper(q),
            Kind::Uniform { min, max } => (max - q * (max - min)).max(*min),
            Kind::Beta(b) => b.upper(q),
            Kind::Steps(s) => s.upper(q),
            Kind::Fixed(v) => *v,
        }
    }

    /// The quantile `F⁻¹(u)` for `0 ≤ u ≤ 1` (the smallest `x` with
    /// `F(x) ≥ u` for discrete kinds). `u = 0` and `u = 1` give the ends of the
    /// support; `u` outside `[0, 1]` or NaN gives NaN.
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        if u > 0.0 && u < 1.0 {
            if u <= 0.5 {
                self.lower(u)
            } else {
                self.upper(1.0 - u)
            }
        } else if u == 0.0 {
            self.support.0
        } else if u == 1.0 {
            self.support.1
        } else {
            f64::NAN
        }
    }

    /// The draw for the copula score `z`: `F⁻¹(Φ(z))`. Exact arithmetic for
    /// normal (`mean + sd·z`), lognormal (`exp(mu + sigma·z)`), a symmetric
    /// split normal and fixed; otherwise the tail probability `Φ(−|z|)` is used
    /// directly so that both tails keep full accuracy.
    #[inline]
    #[allow(clippy::wrong_self_convention)] // the engine's name for it: a draw *from* a score
    pub fn from_score(&self, z: f64) -> f64 {
        match &self.kind {
            Kind::Normal { mean, sd } => mean + sd * z,
            Kind::LogNormal { mu, sigma } => (mu + sigma * z).exp(),
            Kind::Fixed(v) => *v,
            Kind::SplitNormal(s) if s.sd_low == s.sd_high => s.mode + s.sd_low * z,
            _ => self.score_by_tails(z),
        }
    }

    #[inline]
    fn score_by_tails(&self, z: f64) -> f64 {
        if z <= 0.0 {
            self.lower(std_normal_cdf(z).max(TINIEST))
        } else if z > 0.0 {
            self.upper(std_normal_cdf(-z).max(TINIEST))
        } else {
            f64::NAN
        }
    }

    /// `out[i] = from_score(z[i])` for `i < min(z.len(), out.len())`.
    pub fn fill_from_scores(&self, z: &[f64], out: &mut [f64]) {
        match &self.kind {
            Kind::Normal { mean, sd } => {
                for (o, &z) in out.iter_mut().zip(z) {
                    *o = mean + sd * z;
                }
            }
            Kind::LogNormal { mu, sigma } => {
                for (o, &z) in out.iter_mut().zip(z) {
                    *o = (mu + sigma * z).exp();
                }
            }
            Kind::Fixed(v) => {
                for o in out.iter_mut().take(z.len()) {
                    *o = *v;
                }
            }
            Kind::SplitNormal(s) if s.sd_low != s.sd_high => s.fill_from_scores(z, out),
            _ => {
                for (o, &z) in out.iter_mut().zip(z) {
                    *o = self.from_score(z);
                }
            }
        }
    }

    /// `out[i] = quantile(u[i])` for `i < min(u.len(), out.len())`.
    pub fn fill_from_uniforms(&self, u: &[f64], out: &mut [f64]) {
        match &self.kind {
            Kind::Steps(t) => t.quantiles(u, out, |u| self.quantile(u)),
            Kind::Triangular(t) => {
                let k = u.len().min(out.len());
                let (u, out) = (&u[..k], &mut out[..k]);
                // The batch form holds inside (0, 1) only; the rest (a
                // caller's edge cases, never a pipeline's uniforms) again.
                if !t.quantiles(u, out) {
                    for (o, &u) in out.iter_mut().zip(u) {
                        if !(u > 0.0 && u < 1.0) {
                            *o = self.quantile(u);
                        }
                    }
                }
            }
            _ => {
                for (o, &u) in out.iter_mut().zip(u) {
                    *o = self.quantile(u);
                }
            }
        }
    }

    /// The distribution function `F(x) = P(X ≤ x)`.
    pub fn cdf(&self, x: f64) -> f64 {
        match &self.kind {
            Kind::Normal { mean, sd } => std_normal_cdf((x - mean) / sd),
            Kind::LogNormal { mu, sigma } => {
                if x > 0.0 {
                    std_normal_cdf((x.ln() - mu) / sigma)
                } else if x.is_nan() {
                    f64::NAN
                } else {
                    0.0
                }
            }
            Kind::SplitNormal(s) => s.cdf(x),
            Kind::Triangular(t) => t.cdf(x),
            Kind::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Kind::Beta(b) => b.cdf(x),
            Kind::Steps(s) => s.cdf(x),
            Kind::Fixed(v) => {
                if x.is_nan() {
                    f64::NAN
                } else if x < *v {
                    0.0
                } else {
                    1.0
                }
            }
        }
    }

    /// The probability `P(X = x)`: positive only at the values of a discrete
    /// kind (0 everywhere for continuous kinds).
    pub fn pmf(&self, x: f64) -> f64 {
        match &self.kind {
            Kind::Steps(s) => s.pmf(x),
            Kind::Fixed(v) if x == *v => 1.0,
            _ => 0.0,
        }
    }
}

#[cfg(test)]
// reference values are kept with all the digits mpmath printed
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;
    use crate::model::distribution::test_util::marginal;
    use statrs::distribution::{Binomial as StatrsBinomial, DiscreteCDF};

    #[test]
    fn a_batch_of_split_normal_scores_is_from_score_bit_for_bit() {
        // Mode below, above and at the middle of the mass (c < 1/2, > 1/2);
        // scores on a fine grid across every range of Φ and Φ⁻¹, the
        // ranges' ends and their neighbours, and the odd values.
        let cases = [
            (0.06, 0.02, 0.012),
            (0.095, 0.03, 0.02),
            (-3.0, 1.0, 4.0),
            (1.0, 0.5, 0.5001),
        ];
        let mut z: Vec<f64> = (-40_000..=40_000).map(|i| i as f64 / 1_000.0).collect();
        for e in [0.67448975, 5.656_854_249_492_381, 38.5, 40.0] {
            for s in [e, -e] {
                z.extend([s, f64::next_up(s), f64::next_down(s)]);
            }
        }
        z.extend([
            0.0,
            -0.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e-300,
            -1e-300,
            1e300,
        ]);
        for (mode, lo, hi) in cases {
            let m = marginal(Distribution::split_normal(mode, lo, hi));
            // An odd length, so that the last chunk is short.
            let mut out = vec![0.0; z.len()];
            m.fill_from_scores(&z, &mut out);
            for (&z, &x) in z.iter().zip(&out) {
                let want = m.from_score(z);
                assert_eq!(
                    x.to_bits(),
                    want.to_bits(),
                    "{}: z = {z:e}: {x} vs {want}",
                    m.describe()
                );
            }
        }
    }

    #[test]
    fn a_batch_of_step_quantiles_is_the_quantile_bit_for_bit() {
        let mut u: Vec<f64> = (0..=20_000).map(|i| i as f64 / 20_000.0).collect();
        u.extend([
            1e-300,
            0.5,
            0.5f64.next_up(),
            0.5f64.next_down(),
            1.0 - 1e-16,
            f64::NAN,
            -0.1,
            1.1,
        ]);
        for m in discrete_cases() {
            let mut out = vec![0.0; u.len()];
            m.fill_from_uniforms(&u, &mut out);
            for (&u, &x) in u.iter().zip(&out) {
                let want = m.quantile(u);
                assert_eq!(
                    x.to_bits(),
                    want.to_bits(),
                    "{}: u = {u:e}: {x} vs {want}",
                    m.describe()
                );
            }
        }
    }

    #[test]
    fn a_batch_of_triangular_quantiles_is_the_quantile_bit_for_bit() {
        let cases = [
            (0.0, 1.0, 2.0),
            (1.0, 1.0, 3.0),
            (1.0, 3.0, 3.0),
            (0.2, 0.3, 2.5),
        ];
        let mut u: Vec<f64> = (0..=20_000).map(|i| i as f64 / 20_000.0).collect();
        u.extend([1e-300, 0.5, 1.0 - 1e-16, f64::NAN, -0.1, 1.1, 0.25, 0.75]);
        for (min, mode, max) in cases {
            let m = marginal(Distribution::triangular(min, mode, max));
            let mut out = vec![0.0; u.len()];
            m.fill_from_uniforms(&u, &mut out);
            for (&u, &x) in u.iter().zip(&out) {
                let want = m.quantile(u);
                assert_eq!(x.to_bits(), want.to_bits(), "u = {u}: {x} vs {want}");
            }
        }
    }

    /// Grid size for the deterministic quadrature `u_i = (i + 1/2)/N`.
    const N: usize = 200_000;
    fn continuous_cases() -> Vec<Marginal> {
        vec![
            marginal(Distribution::normal(0.06, 0.02)),
            marginal(Distribution::lognormal_median(210.0, 0.15)),
            marginal(Distribution::lognormal_mean_sd(100.0, 40.0)),
            marginal(Distribution::split_normal(0.06, 0.02, 0.012)),
            marginal(Distribution::split_normal(-3.0, 1.0, 4.0)),
            marginal(Distribution::split_normal(5.0, 2.0, 2.0)),
            marginal(Distribution::triangular(1.0, 2.0, 5.0)),
            marginal(Distribution::triangular(0.0, 0.0, 1.0)),
            marginal(Distribution::triangular(0.0, 1.0, 1.0)),
            marginal(Distribution::pert(10.0, 12.0, 20.0, 4.0)),
            marginal(Distribution::pert_default(0.0, 0.0, 1.0)),
            marginal(Distribution::pert_default(0.0, 1.0, 1.0)),
            marginal(Distribution::pert(-1.0, 0.3, 1.0, 10.0)),
            marginal(Distribution::uniform(-2.0, 3.0)),
            marginal(Distribution::standard_beta(2.0, 3.0)),
            marginal(Distribution::standard_beta(0.5, 0.5)),
            marginal(Distribution::beta(0.3, 2.5, 100.0, 200.0)),
            marginal(Distribution::beta(40.0, 15.0, -1.0, 1.0)),
        ]
    }

    fn discrete_cases() -> Vec<Marginal> {
        vec![
            marginal(Distribution::binomial(16.0, 0.6)),
            marginal(Distribution::binomial(6.0, 0.8)),
            marginal(Distribution::binomial(1000.0, 0.003)),
            marginal(Distribution::binomial(5.0, 0.0)),
            marginal(Distribution::binomial(5.0, 1.0)),
            marginal(Distribution::bernoulli(0.3)),
            marginal(Distribution::discrete(
                vec![5.0, 1.0, 3.0, 2.0, 3.0],
                vec![0.2, 0.0, 0.25, 0.3, 0.25],
            )),
            marginal(Distribution::fixed(3.0)),
        ]
    }

    fn all_cases() -> Vec<Marginal> {
        let mut v = continuous_cases();
        v.extend(discrete_cases());
        v
    }

    fn grid() -> impl Iterator<Item = f64> {
        (0..N).map(|i| (i as f64 + 0.5) / N as f64)
    }
    #[test]
    fn beta_quantile_matches_high_precision_values() {
        // (alpha, beta, p, x) with I_x(alpha, beta) = p, mpmath bisection at 50 digits
        let refs: &[(f64, f64, f64, f64)] = &[
            (2.0, 3.0, 0.1, 0.14255931671003072354),
            (2.0, 3.0, 1e-06, 0.00040835946020425728928),
            (2.0, 3.0, 0.5, 0.38572756813238954828),
            (0.5, 0.5, 1e-08, 2.467401100272339555e-16),
            (0.5, 0.5, 0.3, 0.20610737385376342131),
            (3.0, 3.0, 0.025, 0.14663279963467312197),
            (1.5, 4.5, 0.05, 0.036447268045388846364),
            (1.5, 4.5, 0.2, 0.10066665731194511217),
            (0.2, 0.3, 0.001, 8.9378476882948752858e-15),
            (0.2, 0.3, 0.4, 0.086839429333451935934),
            (30.0, 20.0, 0.01, 0.43655178585473343103),
            (30.0, 20.0, 1e-12, 0.15981179335799039556),
        ];
        for &(a, b, p, want) in refs {
            let m = marginal(Distribution::standard_beta(a, b));
            let got = m.quantile(p);
            assert!(
                ((got - want) / want).abs() < 2e-14,
                "Beta({a}, {b}) quantile({p:e}) = {got:e}, want {want:e}"
            );
            // the upper tail of the mirrored distribution: F⁻¹(1 − p) of Beta(b, a)
            let mirror = marginal(Distribution::standard_beta(b, a));
            let got = 1.0 - mirror.upper(p);
            assert!(
                (got - want).abs() < 1e-15 + 2e-14 * want,
                "mirror: {got:e} vs {want:e}"
            );
        }
        // closed forms: Beta(a, 1) is x^a, Beta(1, b) is 1 − (1 − x)^b
        let m = marginal(Distribution::standard_beta(2.5, 1.0));
        assert!((m.quantile(0.3) - 0.3f64.powf(1.0 / 2.5)).abs() < 1e-15);
        let m = marginal(Distribution::standard_beta(1.0, 4.0));
        assert!((m.quantile(0.3) - (1.0 - 0.7f64.powf(0.25))).abs() < 1e-15);
    }

    #[test]
    fn beta_solver_is_robust_over_shapes_and_tails() {
        let shapes = [1e-3, 0.01, 0.1, 0.5, 0.9, 1.5, 2.0, 5.0, 30.0, 300.0, 1e4];
        let ps = [
            1e-300, 1e-100, 1e-20, 1e-10, 1e-4, 0.01, 0.1, 0.3, 0.5, 0.7, 0.99, 0.999999,
        ];
        for &a in &shapes {
            for &b in &shapes {
                let sb = ScaledBeta::new(a, b, 0.0, 1.0);
                for &p in &ps {
                    let x = sb.lower(p);
                    let y = sb.upper(p);
                    assert!(
                        (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y),
                        "Beta({a}, {b}) at {p:e}"
                    );
                    // Check in the variable actually solved for, t = ln x or ln(1 − x),
                    // where nothing underflows: ln I(t) = ln target up to the rounding
                    // of t, amplified by g' = d ln I/d t.
                    for (flipped, t, upper) in [
                        (sb.solve_lower(p).0, sb.solve_lower(p).1, false),
                        (sb.solve_upper(p).0, sb.solve_upper(p).1, true),
                    ] {
                        // solving for B when (lower, not flipped) or (upper, flipped)
                        let for_b = flipped == upper;
                        let (sa, sb_) = if for_b { (a, b) } else { (b, a) };
                        let target = if flipped { 1.0 - p } else { p };
                        assert!(t <= 0.0, "Beta({a}, {b}) at {p:e}: t = {t}");
                        let (v, omv, ln_omv) = exp_parts(t);
                        let ln_i = ln_inc_beta_parts(sa, sb_, sb.ln_norm, v, omv, t, ln_omv);
                        let dg = (sa * t + (sb_ - 1.0) * ln_omv + sb.ln_norm - ln_i).exp();
                        let g = ln_i - target.ln();
                        // The evaluation of ln I is good to a few 1e-13 for moderate
                        // shapes; the rounding in the continued fraction grows with
                        // a + b (about 1e-10 at a = b = 1e4), and so does the rounding
                        // of the sum of the large terms a·ln v + b·ln(1 − v) − ln B.
                        // t = ln v carries v to relative precision eps, i.e.
                        // |Δt| ~ eps, amplified by g'.
                        let terms = sa * t.abs() + sb_ * ln_omv.abs() + sb.ln_norm.abs();
                        let tol = 5e-13 + 1e-14 * (a + b) + 4e-16 * (terms + dg * t.abs().max(1.0));
                        assert!(
                            g.abs() <= tol,
                            "Beta({a}, {b}) at {p:e} (upper {upper}, flipped {flipped}): \
                             t = {t:e}, ln I − ln p = {g:e} > {tol:e}"
                        );
                    }
                }
            }
        }
    }

    // ----- every distribution: quadrature, round trips, scores ------------

    #[test]
    fn quadrature_mean_and_variance_match_closed_forms() {
        // The midpoint rule on u_i = (i + 1/2)/N has interior error O(N^-2);
        // the error is dominated by the two end cells, where the quantile
        // function may be unbounded. On the cell [0, 1/N] the rule replaces
        // Q(u) by Q(1/(2N)), an error of at most |Q(ε) − Q(1/(2N))|/N for a
        // monotone Q, where ε bounds the part of the cell that carries the
        // weight (ε = 1e-6/N for the tails of all cases here). Same for the
        // squared deviations, and for the top cell.
        for m in continuous_cases() {
            let (mean, var) = (m.mean(), m.variance());
            let n = N as f64;
            let (mut s1, mut s2) = (Neumaier::default(), Neumaier::default());
            for u in grid() {
                let x = m.quantile(u);
                s1.add(x);
                s2.add((x - mean) * (x - mean));
            }
            let (q_mean, q_var) = (s1.value() / n, s2.value() / n);
            let eps = 1e-6 / n;
            let (lo_edge, hi_edge) = (m.quantile(0.5 / n), m.quantile(1.0 - 0.5 / n));
            let (lo_far, hi_far) = (m.quantile(eps), m.quantile(1.0 - eps));
            let tol_mean =
                ((lo_far - lo_edge).abs() + (hi_far - hi_edge).abs()) / n + 1e-12 * var.sqrt();
            let sq = |x: f64| (x - mean) * (x - mean);
            let tol_var = ((sq(lo_far) - sq(lo_edge)).abs() + (sq(hi_far) - sq(hi_edge)).abs()) / n
                + 1e-12 * var;
            assert!(
                (q_mean - mean).abs() <= tol_mean,
                "{}: quadrature mean {q_mean} vs {mean} (tol {tol_mean:e})",
                m.describe()
            );
            assert!(
                (q_var - var).abs() <= tol_var,
                "{}: quadrature variance {q_var} vs {var} (tol {tol_var:e})",
                m.describe()
            );
            // the tolerance is a real constraint: it detects an error of 0.1 % of
            // the spread in the mean and of 1 % in the variance
            assert!(
                tol_mean < 1e-3 * var.sqrt() && tol_var < 1e-2 * var,
                "{}",
                m.describe()
            );
        }
    }

    #[test]
    fn discrete_grid_fractions_match_probabilities() {
        // Value v_k is drawn for u in (F(v_{k−1}), F(v_k)], an interval of
        // length P(X = v_k); it holds N·P(X = v_k) ± 1 grid points.
        for m in discrete_cases() {
            let mut counts: Vec<(f64, usize)> = Vec::new();
            for u in grid() {
                let x = m.quantile(u);
                match counts.last_mut() {
                    Some((v, c)) if *v == x => *c += 1,
                    _ => {
                        assert!(counts.last().is_none_or(|&(v, _)| v < x), "not monotone");
                        counts.push((x, 1));
                    }
                }
            }
            let n = N as f64;
            let table: Vec<f64> = match &m.kind {
                Kind::Steps(t) => t.values.clone(),
                Kind::Fixed(v) => vec![*v],
                _ => panic!("{} is not discrete", m.describe()),
            };
            let mut total_p = Neumaier::default();
            for &v in &table {
                let p = m.pmf(v);
                assert!(p > 0.0, "{}: value {v} has no mass", m.describe());
                total_p.add(p);
                let c = counts.iter().find(|&&(x, _)| x == v).map_or(0, |&(_, c)| c);
                assert!(
                    (c as f64 / n - p).abs() <= 1.0 / n + 1e-12,
                    "{}: value {v}",
                    m.describe()
                );
            }
            assert!((total_p.value() - 1.0).abs() < 1e-14, "{}", m.describe());
            assert!(counts.iter().all(|&(x, _)| table.contains(&x)));
            // and the closed-form moments follow within the same resolution
            let (mean, var) = (m.mean(), m.variance());
            let q_mean: f64 = counts.iter().map(|&(v, c)| v * c as f64).sum::<f64>() / n;
            let q_var: f64 = counts
                .iter()
                .map(|&(v, c)| (v - mean) * (v - mean) * c as f64)
                .sum::<f64>()
                / n;
            let tol_mean: f64 =
                counts.iter().map(|&(v, _)| (v - mean).abs()).sum::<f64>() / n + 1e-12;
            let tol_var: f64 = counts
                .iter()
                .map(|&(v, _)| (v - mean) * (v - mean))
                .sum::<f64>()
                / n
                + 1e-12;
            assert!(
                (q_mean - mean).abs() <= tol_mean,
                "{}: {q_mean} vs {mean}",
                m.describe()
            );
            assert!(
                (q_var - var).abs() <= tol_var,
                "{}: {q_var} vs {var}",
                m.describe()
            );
        }
    }

    #[test]
    fn cdf_inverts_quantile_for_continuous_kinds() {
        let mut us = vec![1e-12, 1e-9, 1e-6, 1e-4, 1.0 - 1e-4, 1.0 - 1e-6, 1.0 - 1e-9];
        us.extend((1..1000).map(|i| i as f64 / 1000.0));
        for m in continuous_cases() {
            for &u in &us {
                let x = m.quantile(u);
                let back = m.cdf(x);
                // u itself to 1e-12 relative (in the nearer tail), plus the effect
                // of rounding x to a double: the jump of F across 2–4 ulps of x
                let d = 4.0 * f64::EPSILON * x.abs().max(f64::MIN_POSITIVE);
                let (up, down) = (x + d, x - d);
                let rounding = (m.cdf(up) - back).max(back - m.cdf(down));
                let tol = 1e-12 * u.min(1.0 - u) + 2.0 * rounding + 2e-16;
                assert!(
                    (back - u).abs() <= tol,
                    "{}: cdf(quantile({u:e})) = {back:e}",
                    m.describe()
                );
            }
        }
    }

    #[test]
    fn from_score_is_quantile_of_phi() {
        // For z > 0, quantile(Φ(z)) sees Φ(z) rounded to 1.1e-16 absolute while
        // from_score uses the tail Φ(−z) directly; keep z <= 3, where that moves
        // the draw by under 3e-14 of the spread.
        for m in all_cases() {
            let scale = m.variance().sqrt().max(1e-300);
            let mut prev = f64::NEG_INFINITY;
            let mut z = -8.0;
            while z <= 3.0 {
                let a = m.from_score(z);
                let b = m.quantile(std_normal_cdf(z));
                assert!(
                    (a - b).abs() <= 1e-12 * (scale + a.abs()),
                    "{}: z = {z}: from_score {a} vs quantile(Phi) {b}",
                    m.describe()
                );
                assert!(a >= prev, "{}: not monotone at z = {z}", m.describe());
                prev = a;
                z += 0.00317;
            }
            // far scores stay finite and inside the support
            let (lo, hi) = m.support();
            for z in [-1e10_f64, -40.0, -38.0, -20.0, -9.0, 9.0, 20.0, 40.0, 1e10] {
                if z.abs() > 100.0 && m.kind_name() == "lognormal" {
                    continue; // exp(mu + sigma·z) overflows: that is the exact value
                }
                let x = m.from_score(z);
                assert!(
                    x.is_finite() && x >= lo && x <= hi,
                    "{}: z = {z}: {x}",
                    m.describe()
                );
            }
        }
    }

    #[test]
    fn block_versions_match_single_draws() {
        let zs: Vec<f64> = (0..500).map(|i| -4.0 + i as f64 * 0.016).collect();
        let us: Vec<f64> = (0..500).map(|i| (i as f64 + 0.5) / 500.0).collect();
        for m in all_cases() {
            let mut out = vec![0.0; 500];
            m.fill_from_scores(&zs, &mut out);
            for (&z, &x) in zs.iter().zip(&out) {
                assert_eq!(x.to_bits(), m.from_score(z).to_bits(), "{}", m.describe());
            }
            m.fill_from_uniforms(&us, &mut out);
            for (&u, &x) in us.iter().zip(&out) {
                assert_eq!(x.to_bits(), m.quantile(u).to_bits(), "{}", m.describe());
            }
            // mismatched lengths: only the common part is written, no panic
            let mut short = vec![f64::NAN; 3];
            m.fill_from_scores(&zs, &mut short);
            assert_eq!(short[2].to_bits(), m.from_score(zs[2]).to_bits());
            let mut long = vec![-7.0; 600];
            m.fill_from_uniforms(&us, &mut long);
            assert_eq!(long[550], -7.0);
        }
    }

    #[test]
    fn quantile_ends_and_invalid_input() {
        for m in all_cases() {
            let (lo, hi) = m.support();
            assert_eq!(m.quantile(0.0), lo, "{}", m.describe());
            assert_eq!(m.quantile(1.0), hi, "{}", m.describe());
            assert!(m.quantile(f64::NAN).is_nan());
            assert!(m.quantile(-0.1).is_nan());
            assert!(m.quantile(1.5).is_nan());
            assert!(m.cdf(f64::NAN).is_nan());
            assert_eq!(m.cdf(f64::NEG_INFINITY), 0.0, "{}", m.describe());
            assert_eq!(m.cdf(f64::INFINITY), 1.0, "{}", m.describe());
            let x = m.from_score(f64::NAN);
            assert!(x.is_nan() || m.kind_name() == "fixed");
        }
        let n = marginal(Distribution::normal(1.0, 2.0));
        assert_eq!(n.support(), (f64::NEG_INFINITY, f64::INFINITY));
        assert_eq!(n.from_score(f64::NEG_INFINITY), f64::NEG_INFINITY);
        let l = marginal(Distribution::lognormal_median(3.0, 0.5));
        assert_eq!(l.quantile(0.0), 0.0);
        assert_eq!(l.quantile(1.0), f64::INFINITY);
        assert_eq!(l.cdf(-1.0), 0.0);
    }

    // ----- individual kinds ----------------------------------------------

    #[test]
    fn normal_and_lognormal_fast_paths() {
        let n = marginal(Distribution::normal(0.06, 0.02));
        assert_eq!(n.from_score(1.5), 0.06 + 0.02 * 1.5);
        let l = marginal(Distribution::lognormal_median(210.0, 0.15));
        assert_eq!(l.from_score(-0.7), (210f64.ln() - 0.15 * 0.7).exp());
        let s = marginal(Distribution::split_normal(5.0, 2.0, 2.0));
        assert_eq!(s.from_score(0.3), 5.0 + 2.0 * 0.3);
        let f = marginal(Distribution::fixed(4.25));
        assert_eq!(f.from_score(-2.0), 4.25);
        assert_eq!(f.quantile(0.3), 4.25);
        assert_eq!(f.mean(), 4.25);
        assert_eq!(f.variance(), 0.0);
        assert_eq!((f.cdf(4.0), f.cdf(4.25), f.pmf(4.25)), (0.0, 1.0, 1.0));
    }

    #[test]
    fn lognormal_parameterisations() {
        // P(X >= 200) for median 210, sigma 0.15 is Φ(ln(210/200)/0.15) (mpmath)
        let m = marginal(Distribution::lognormal_median(210.0, 0.15));
        assert!((1.0 - m.cdf(200.0) - 0.62751078586502318978).abs() < 1e-15);
        assert!((m.quantile(0.5) - 210.0).abs() < 1e-12);
        assert!((m.from_score(0.0) - 210.0).abs() < 1e-12);
        // the mean/sd form reproduces the mean and sd exactly
        for (mean, sd) in [(100.0, 40.0), (0.05, 0.001), (3.0, 30.0)] {
            let m = marginal(Distribution::lognormal_mean_sd(mean, sd));
            assert!((m.mean() - mean).abs() < 1e-14 * mean, "{mean}");
            assert!((m.variance().sqrt() - sd).abs() < 1e-13 * sd, "{sd}");
            let sigma2 = (sd * sd / (mean * mean)).ln_1p();
            match m.distribution() {
                Distribution::LogNormal { mu, sigma } => {
                    assert!((sigma * sigma - sigma2).abs() < 1e-14 * sigma2);
                    assert!((mu - (mean.ln() - sigma2 / 2.0)).abs() < 1e-14 * (1.0 + mu.abs()));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn split_normal_break_point_and_continuity() {
        for (mode, lo, hi) in [(0.06, 0.02, 0.012), (-3.0, 1.0, 4.0), (10.0, 5.0, 0.5)] {
            let m = marginal(Distribution::split_normal(mode, lo, hi));
            let c = lo / (lo + hi);
            assert!((m.cdf(mode) - c).abs() < 1e-15, "P(X <= mode)");
            assert!((m.cdf(mode - 1e-300) - c).abs() < 1e-15, "left limit");
            // quantile continuous through u = c, and equal to the mode there
            assert!((m.quantile(c) - mode).abs() < 1e-15 * (lo + hi));
            for d in [1e-9, 1e-6] {
                let below = m.quantile(c * (1.0 - d));
                let above = m.quantile(c + (1.0 - c) * d);
                assert!(below <= mode && above >= mode);
                // F'(mode) = 2/(sqrt(2 pi) (lo + hi)) so du = d·c moves x by ~d·c·(lo+hi)·1.25
                assert!(mode - below < 1.3 * d * c * (lo + hi) + 1e-15, "{below}");
                assert!(
                    above - mode < 1.3 * d * (1.0 - c) * (lo + hi) + 1e-15,
                    "{above}"
                );
            }
            // the two halves: x = mode + sd_low Φ⁻¹(u/2c) and mode − sd_high Φ⁻¹((1−u)/(2(1−c)))
            for u in [0.01, 0.2 * c, 0.9 * c] {
                let want = mode + lo * std_normal_quantile(u / (2.0 * c));
                assert!((m.quantile(u) - want).abs() < 1e-14 * (lo + hi + want.abs()));
            }
            for u in [c + 0.1 * (1.0 - c), 0.999] {
                let want = mode - hi * std_normal_quantile((1.0 - u) / (2.0 * (1.0 - c)));
                assert!((m.quantile(u) - want).abs() < 1e-13 * (lo + hi + want.abs()));
            }
        }
    }

    #[test]
    fn triangular_and_pert_closed_forms() {
        let t = marginal(Distribution::triangular(1.0, 2.0, 5.0));
        // F(mode) = (mode − min)/(max − min)
        assert!((t.cdf(2.0) - 0.25).abs() < 1e-16);
        assert!((t.quantile(0.25) - 2.0).abs() < 1e-15);
        assert!((t.quantile(0.01) - (1.0 + (0.01f64 * 4.0 * 1.0).sqrt())).abs() < 1e-15);
        assert!((t.quantile(0.99) - (5.0 - (0.01f64 * 4.0 * 3.0).sqrt())).abs() < 1e-14);
        assert!((t.mean() - 8.0 / 3.0).abs() < 1e-15);
        assert!((t.variance() - (1.0 + 4.0 + 25.0 - 2.0 - 5.0 - 10.0) / 18.0).abs() < 1e-15);
        // PERT with lambda = 4: mean (min + 4 mode + max)/6
        let p = marginal(Distribution::pert_default(10.0, 12.0, 20.0));
        assert!((p.mean() - (10.0 + 48.0 + 20.0) / 6.0).abs() < 1e-14);
        let mean = p.mean();
        assert!((p.variance() - (mean - 10.0) * (20.0 - mean) / 7.0).abs() < 1e-13);
        // and it is the scaled Beta(1 + 4·0.2, 1 + 4·0.8)
        let b = marginal(Distribution::beta(1.8, 4.2, 10.0, 20.0));
        for u in [1e-6, 0.1, 0.5, 0.77, 0.999] {
            assert!((p.quantile(u) - b.quantile(u)).abs() < 1e-13, "{u}");
        }
        // mode at min: Beta(1, 5), quantile 1 − (1 − u)^(1/5)
        let p = marginal(Distribution::pert_default(0.0, 0.0, 1.0));
        assert!((p.quantile(0.3) - (1.0 - 0.7f64.powf(0.2))).abs() < 1e-15);
    }

    #[test]
    fn binomial_probabilities() {
        // P(Binomial(16, 0.6) >= 10) as the exact sum in f64 and from mpmath
        let m = marginal(Distribution::binomial(16.0, 0.6));
        let exact: f64 = (10..=16u64)
            .map(|k| {
                let c = statrs::function::factorial::binomial(16, k);
                c * 0.6f64.powi(k as i32) * 0.4f64.powi(16 - k as i32)
            })
            .sum();
        let got = 1.0 - m.cdf(9.0);
        assert!((got - exact).abs() < 1e-15, "{got} vs {exact}");
        assert!((got - 0.527174113591296).abs() < 1e-15, "{got}");
        assert_eq!(m.cdf(9.5), m.cdf(9.0));
        // P(Binomial(6, 0.8) = 6) = 0.8^6
        let m = marginal(Distribution::binomial(6.0, 0.8));
        assert!((m.pmf(6.0) - 0.8f64.powi(6)).abs() < 1e-16);
        assert!((1.0 - m.cdf(5.0) - 0.8f64.powi(6)).abs() < 1e-15);
        assert_eq!(m.quantile(1.0 - 0.8f64.powi(6) / 2.0), 6.0);
        assert_eq!(m.pmf(5.5), 0.0);
        // against statrs over a wide table
        let m = marginal(Distribution::binomial(1000.0, 0.3));
        let s = match StatrsBinomial::new(0.3, 1000) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        for k in (200..=400).step_by(7) {
            let (got, want) = (m.cdf(k as f64), s.cdf(k));
            assert!(
                (got - want).abs() <= 1e-12 * want.min(1.0 - want) + 1e-15,
                "k = {k}"
            );
        }
        // degenerate p
        let m = marginal(Distribution::binomial(5.0, 0.0));
        assert_eq!(
            (m.quantile(0.7), m.cdf(0.0), m.support()),
            (0.0, 1.0, (0.0, 0.0))
        );
        let m = marginal(Distribution::binomial(5.0, 1.0));
        assert_eq!(
            (m.quantile(0.7), m.cdf(4.0), m.support()),
            (5.0, 0.0, (5.0, 5.0))
        );
    }

    #[test]
    fn binomial_with_ten_million_trials() {
        let (n, p) = (1e7, 0.37);
        let m = marginal(Distribution::binomial(n, p));
        let (mean, var) = (n * p, n * p * (1.0 - p));
        let (mut s0, mut s1, mut s2) = (
            Neumaier::default(),
            Neumaier::default(),
            Neumaier::default(),
        );
        if let Kind::Steps(t) = &m.kind {
            assert!(
                t.values.len() < 200_000,
                "table of {} entries",
                t.values.len()
            );
            for (&v, &w) in t.values.iter().zip(&t.pmf) {
                s0.add(w);
                s1.add(w * v);
                s2.add(w * (v - mean) * (v - mean));
            }
        } else {
            panic!("binomial must be tabulated");
        }
        assert!((s0.value() - 1.0).abs() < 1e-14);
        assert!((s1.value() - mean).abs() < 1e-9 * mean);
        assert!((s2.value() - var).abs() < 1e-9 * var);
        // median of a binomial is floor or ceil of n·p
        let med = m.quantile(0.5);
        assert!(med == mean.floor() || med == mean.ceil(), "{med}");
        // tails stay in range and ordered
        let (a, b) = (m.from_score(-8.0), m.from_score(8.0));
        assert!(a > 0.0 && b < n && a < med && b > med);
        assert!(((b - mean) / var.sqrt() - 8.0).abs() < 0.01);
    }

    #[test]
    fn discrete_unsorted_with_zero_weights() {
        let d = match Distribution::discrete(
            vec![5.0, 1.0, 3.0, 2.0, 3.0],
            vec![2.0, 0.0, 2.5, 3.0, 2.5],
        ) {
            Ok(d) => d,
            Err(e) => panic!("{e}"),
        };
        // weights normalised
        if let Distribution::Discrete { weights, .. } = &d {
            assert!((weights.iter().sum::<f64>() - 1.0).abs() < 1e-15);
            assert!((weights[0] - 0.2).abs() < 1e-16);
        }
        let m = marginal(Ok(d));
        // sorted: 2 (0.3), 3 (0.5, pooled), 5 (0.2); 1 never drawn
        assert_eq!(m.support(), (2.0, 5.0));
        assert_eq!(m.quantile(1e-12), 2.0);
        assert_eq!(m.quantile(0.3 - 1e-12), 2.0);
        assert_eq!(m.quantile(0.3 + 1e-12), 3.0);
        assert_eq!(m.quantile(0.8 - 1e-12), 3.0);
        assert_eq!(m.quantile(0.8 + 1e-12), 5.0);
        assert_eq!(m.pmf(1.0), 0.0);
        assert!((m.pmf(3.0) - 0.5).abs() < 1e-16);
        assert_eq!(m.cdf(1.5), 0.0);
        assert!((m.cdf(3.0) - 0.8).abs() < 1e-16);
        assert!((m.mean() - (0.6 + 1.5 + 1.0)).abs() < 1e-15);
        let b = marginal(Distribution::bernoulli(0.3));
        assert_eq!((b.quantile(0.7), b.quantile(0.7 + 1e-12)), (0.0, 1.0));
        assert_eq!((b.mean(), b.variance()), (0.3, 0.3 * 0.7));
    }
}
