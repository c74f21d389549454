//! The distributions a planner can choose ([`Distribution`]), the checks of
//! their parameters ([`ParamError`]) and their closed forms (mean, variance,
//! support, description).

use std::fmt;

use super::Marginal;
use super::special::Neumaier;

/// The names of the distribution kinds, as planners write them.
pub const KIND_NAMES: &[&str] = &[
    "normal",
    "lognormal",
    "split_normal",
    "triangular",
    "pert",
    "uniform",
    "beta",
    "binomial",
    "bernoulli",
    "discrete",
    "fixed",
];

/// The PERT `lambda` used when a planner does not give one.
pub const DEFAULT_PERT_LAMBDA: f64 = 4.0;
/// The largest PERT `lambda` accepted.
pub const MAX_PERT_LAMBDA: f64 = 1_000.0;
/// The smallest beta shape parameter (`alpha`, `beta`) accepted.
pub const MIN_BETA_SHAPE: f64 = 0.001;
/// The largest beta shape parameter (`alpha`, `beta`) accepted.
pub const MAX_BETA_SHAPE: f64 = 10_000.0;
/// The largest binomial `n` accepted.
pub const MAX_BINOMIAL_N: u64 = 10_000_000;
/// The largest number of values of a discrete distribution.
pub const MAX_DISCRETE_VALUES: usize = 100_000;

/// A marginal distribution of an uncertain driver. See the module
/// documentation for the exact meaning of every parameter.
///
/// Build it with the validating constructors ([`Distribution::normal`], ...);
/// a value built directly is checked by [`Distribution::validate`] and by
/// [`Distribution::marginal`].
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    Normal {
        mean: f64,
        sd: f64,
    },
    /// mu and sigma of ln X; median = exp(mu)
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// two-piece normal: density proportional to N(mode, sd_low) left of mode
    /// and N(mode, sd_high) right, continuous at mode;
    /// P(X <= mode) = sd_low/(sd_low+sd_high)
    SplitNormal {
        mode: f64,
        sd_low: f64,
        sd_high: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// PERT: Beta(alpha, beta) scaled to [min,max] with
    /// alpha = 1 + lambda (mode-min)/(max-min),
    /// beta = 1 + lambda (max-mode)/(max-min), lambda = 4 by default
    Pert {
        min: f64,
        mode: f64,
        max: f64,
        lambda: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    /// Beta(alpha, beta) scaled to [min, max] (default 0, 1)
    Beta {
        alpha: f64,
        beta: f64,
        min: f64,
        max: f64,
    },
    Binomial {
        n: u64,
        p: f64,
    },
    Bernoulli {
        p: f64,
    },
    /// values with weights (normalised to sum 1); value i drawn with
    /// probability w_i
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
    Fixed {
        value: f64,
    },
}

/// A parameter that breaks a rule, as the planner wrote it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{param} = {value}: {message}")]
pub struct ParamError {
    /// The parameter's name as the planner writes it (`sd`, `p`, `mode`, ...).
    pub param: &'static str,
    /// The offending value, printed.
    pub value: String,
    /// The rule that was broken.
    pub message: String,
    /// A likely fix, where one is obvious.
    pub hint: Option<String>,
}

impl ParamError {
    fn new(param: &'static str, value: impl Into<String>, message: impl Into<String>) -> Self {
        ParamError {
            param,
            value: value.into(),
            message: message.into(),
            hint: None,
        }
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Prints a parameter value the way a planner would read it.
fn fmt_value(v: f64) -> String {
    let a = v.abs();
    if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&a) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Prints a number for [`Distribution::describe`].
fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() || v == 0.0 || (1e-3..1e7).contains(&a) {
        format!("{v:.3}")
    } else {
        format!("{v:.3e}")
    }
}

fn check_finite(param: &'static str, v: f64) -> Result<(), ParamError> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(ParamError::new(
            param,
            fmt_value(v),
            format!("{param} must be a finite number"),
        ))
    }
}

/// A strictly positive spread parameter.
fn check_spread(param: &'static str, v: f64, message: &str) -> Result<(), ParamError> {
    check_finite(param, v)?;
    if v > 0.0 {
        return Ok(());
    }
    let err = ParamError::new(param, fmt_value(v), message);
    Err(if v < 0.0 {
        err.with_hint(format!("did you mean {}?", fmt_value(-v)))
    } else {
        err.with_hint("a quantity with no uncertainty is a fixed distribution")
    })
}

fn check_sd(param: &'static str, v: f64) -> Result<(), ParamError> {
    check_spread(param, v, "a standard deviation must be greater than 0")
}

fn check_sigma(v: f64) -> Result<(), ParamError> {
    check_spread(
        "sigma",
        v,
        "sigma (the standard deviation of ln X) must be greater than 0",
    )
}

fn check_probability(param: &'static str, v: f64) -> Result<(), ParamError> {
    check_finite(param, v)?;
    if (0.0..=1.0).contains(&v) {
        return Ok(());
    }
    let err = ParamError::new(param, fmt_value(v), "a probability must be between 0 and 1");
    Err(if v > 1.0 && v <= 100.0 {
        err.with_hint(format!(
            "{param} is a fraction: did you mean {}?",
            fmt_value(v / 100.0)
        ))
    } else if (-1.0..0.0).contains(&v) {
        err.with_hint(format!("did you mean {}?", fmt_value(-v)))
    } else {
        err
    })
}

/// `min < max`, both finite, with a finite width.
fn check_range(min: f64, max: f64) -> Result<(), ParamError> {
    check_finite("min", min)?;
    check_finite("max", max)?;
    if max > min {
        if (max - min).is_finite() {
            return Ok(());
        }
        return Err(ParamError::new(
            "max",
            fmt_value(max),
            format!("the range max - min is too wide (min = {})", fmt_value(min)),
        ));
    }
    let err = ParamError::new(
        "max",
        fmt_value(max),
        format!("max must be greater than min = {}", fmt_value(min)),
    );
    Err(if max < min {
        err.with_hint("min <= mode <= max: did you swap min and max?")
    } else {
        err.with_hint("a quantity with no uncertainty is a fixed distribution")
    })
}

/// `min <= mode <= max` (after [`check_range`]).
fn check_mode(min: f64, mode: f64, max: f64) -> Result<(), ParamError> {
    check_finite("mode", mode)?;
    if min <= mode && mode <= max {
        return Ok(());
    }
    Err(ParamError::new(
        "mode",
        fmt_value(mode),
        "the mode must lie between min and max",
    )
    .with_hint(format!(
        "min <= mode <= max: here min = {} and max = {}",
        fmt_value(min),
        fmt_value(max)
    )))
}

fn check_beta_shape(param: &'static str, v: f64) -> Result<(), ParamError> {
    check_finite(param, v)?;
    if v <= 0.0 {
        let err = ParamError::new(
            param,
            fmt_value(v),
            format!("the beta shape {param} must be greater than 0"),
        );
        return Err(if v < 0.0 {
            err.with_hint(format!("did you mean {}?", fmt_value(-v)))
        } else {
            err
        });
    }
    if v < MIN_BETA_SHAPE {
        return Err(ParamError::new(
            param,
            fmt_value(v),
            format!("the beta shape {param} must be at least {MIN_BETA_SHAPE}"),
        ));
    }
    if v > MAX_BETA_SHAPE {
        return Err(ParamError::new(
            param,
            fmt_value(v),
            format!("the beta shape {param} must be at most {MAX_BETA_SHAPE}"),
        )
        .with_hint("such a narrow beta is practically a normal distribution: use that"));
    }
    Ok(())
}

fn check_lambda(lambda: f64) -> Result<(), ParamError> {
    check_finite("lambda", lambda)?;
    if lambda > 0.0 && lambda <= MAX_PERT_LAMBDA {
        return Ok(());
    }
    let message = if lambda <= 0.0 {
        "lambda must be greater than 0".to_string()
    } else {
        format!("lambda must be at most {MAX_PERT_LAMBDA}")
    };
    Err(ParamError::new("lambda", fmt_value(lambda), message)
        .with_hint("the standard PERT distribution has lambda = 4"))
}

fn check_binomial_n(n: u64) -> Result<(), ParamError> {
    if n == 0 {
        return Err(ParamError::new(
            "n",
            "0",
            "n (the number of trials) must be at least 1",
        ));
    }
    if n > MAX_BINOMIAL_N {
        return Err(ParamError::new(
            "n",
            n.to_string(),
            format!("n (the number of trials) must be at most {MAX_BINOMIAL_N}"),
        )
        .with_hint(
            "for so many trials use a normal distribution with mean n*p and sd sqrt(n*p*(1-p))",
        ));
    }
    Ok(())
}

/// Checks a discrete distribution; returns the largest weight.
fn check_discrete(values: &[f64], weights: &[f64]) -> Result<f64, ParamError> {
    if values.is_empty() {
        return Err(ParamError::new(
            "values",
            "[]",
            "at least one value is needed",
        ));
    }
    if values.len() > MAX_DISCRETE_VALUES {
        return Err(ParamError::new(
            "values",
            format!("{} values", values.len()),
            format!("at most {MAX_DISCRETE_VALUES} values are allowed"),
        )
        .with_hint("group the values into fewer, coarser ones, or use a continuous distribution"));
    }
    if weights.len() != values.len() {
        return Err(ParamError::new(
            "weights",
            format!("{} weights", weights.len()),
            format!(
                "there must be exactly one weight per value ({} values)",
                values.len()
            ),
        ));
    }
    if let Some((i, &v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(ParamError::new(
            "values",
            fmt_value(v),
            format!(
                "every value must be a finite number (value number {})",
                i + 1
            ),
        ));
    }
    let mut max_w = 0.0_f64;
    for (i, &w) in weights.iter().enumerate() {
        if !w.is_finite() {
            return Err(ParamError::new(
                "weights",
                fmt_value(w),
                format!(
                    "every weight must be a finite number (weight number {})",
                    i + 1
                ),
            ));
        }
        if w < 0.0 {
            return Err(ParamError::new(
                "weights",
                fmt_value(w),
                format!("a weight must be 0 or more (weight number {})", i + 1),
            )
            .with_hint(format!("did you mean {}?", fmt_value(-w))));
        }
        max_w = max_w.max(w);
    }
    if max_w > 0.0 {
        Ok(max_w)
    } else {
        Err(ParamError::new(
            "weights",
            "all 0",
            "at least one weight must be greater than 0",
        ))
    }
}

/// Mean and variance of a discrete distribution with raw weights.
fn discrete_moments(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let max_w = weights.iter().fold(0.0_f64, |m, &w| m.max(w));
    let mut total = Neumaier::default();
    let mut first = Neumaier::default();
    for (&v, &w) in values.iter().zip(weights) {
        let w = w / max_w;
        total.add(w);
        first.add(w * v);
    }
    let total = total.value();
    let mean = first.value() / total;
    let mut second = Neumaier::default();
    for (&v, &w) in values.iter().zip(weights) {
        second.add(w / max_w * (v - mean) * (v - mean));
    }
    (mean, second.value() / total)
}

impl Distribution {
    /// Normal with the given `mean` and standard deviation `sd > 0`.
    pub fn normal(mean: f64, sd: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Normal { mean, sd })
    }

    /// Lognormal with the given `median > 0` and `sigma > 0`, the standard
    /// deviation of `ln X` (`mu = ln median`).
    pub fn lognormal_median(median: f64, sigma: f64) -> Result<Self, ParamError> {
        check_finite("median", median)?;
        if median <= 0.0 {
            return Err(ParamError::new(
                "median",
                fmt_value(median),
                "the median of a lognormal quantity must be greater than 0",
            )
            .with_hint(
                "a lognormal quantity is always positive; for one that can be 0 or negative \
                 use a normal or split normal distribution",
            ));
        }
        check_sigma(sigma)?;
        Self::checked(Distribution::LogNormal {
            mu: median.ln(),
            sigma,
        })
    }

    /// Lognormal with the given `mean > 0` and standard deviation `sd > 0` of
    /// `X` itself: `sigma² = ln(1 + sd²/mean²)`, `mu = ln mean − sigma²/2`.
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Result<Self, ParamError> {
        check_finite("mean", mean)?;
        if mean <= 0.0 {
            return Err(ParamError::new(
                "mean",
                fmt_value(mean),
                "the mean of a lognormal quantity must be greater than 0",
            )
            .with_hint(
                "a lognormal quantity is always positive; for one that can be 0 or negative \
                 use a normal or split normal distribution",
            ));
        }
        check_sd("sd", sd)?;
        let ratio = sd / mean;
        let sigma2 = (ratio * ratio).ln_1p();
        let sigma = sigma2.sqrt();
        let mu = mean.ln() - 0.5 * sigma2;
        if !(sigma > 0.0 && sigma.is_finite() && mu.is_finite()) {
            return Err(ParamError::new(
                "sd",
                fmt_value(sd),
                format!(
                    "sd/mean = {} is too far from 1 for a lognormal distribution",
                    fmt_value(ratio)
                ),
            ));
        }
        Self::checked(Distribution::LogNormal { mu, sigma })
    }

    /// Split (two-piece) normal with most likely value `mode`, spread
    /// `sd_low > 0` below it and `sd_high > 0` above it.
    pub fn split_normal(mode: f64, sd_low: f64, sd_high: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::SplitNormal {
            mode,
            sd_low,
            sd_high,
        })
    }

    /// Triangular on `[min, max]` with peak at `mode`.
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Triangular { min, mode, max })
    }

    /// PERT on `[min, max]` with peak at `mode` and weight `lambda` of the mode
    /// (usually [`DEFAULT_PERT_LAMBDA`] = 4).
    pub fn pert(min: f64, mode: f64, max: f64, lambda: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Pert {
            min,
            mode,
            max,
            lambda,
        })
    }

    /// The standard PERT (`lambda = 4`).
    pub fn pert_default(min: f64, mode: f64, max: f64) -> Result<Self, ParamError> {
        Self::pert(min, mode, max, DEFAULT_PERT_LAMBDA)
    }

    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Uniform { min, max })
    }

    /// Beta(`alpha`, `beta`) scaled to `[min, max]`.
    pub fn beta(alpha: f64, beta: f64, min: f64, max: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Beta {
            alpha,
            beta,
            min,
            max,
        })
    }

    /// Beta(`alpha`, `beta`) on `[0, 1]`.
    pub fn standard_beta(alpha: f64, beta: f64) -> Result<Self, ParamError> {
        Self::beta(alpha, beta, 0.0, 1.0)
    }

    /// Binomial: successes in `n` trials of probability `p`. `n` is taken as
    /// written so that a fractional or negative count can be reported.
    pub fn binomial(n: f64, p: f64) -> Result<Self, ParamError> {
        check_finite("n", n)?;
        if n.fract() != 0.0 {
            let m = n.abs();
            let (lo, hi) = (m.floor().max(1.0), m.ceil().max(1.0));
            let hint = if lo == hi {
                format!("did you mean {lo}?")
            } else {
                format!("did you mean {lo} or {hi}?")
            };
            return Err(ParamError::new(
                "n",
                fmt_value(n),
                "n (the number of trials) must be a whole number",
            )
            .with_hint(hint));
        }
        if n < 1.0 {
            let err = ParamError::new(
                "n",
                fmt_value(n),
                "n (the number of trials) must be at least 1",
            );
            return Err(if n < 0.0 {
                err.with_hint(format!("did you mean {}?", fmt_value(-n)))
            } else {
                err
            });
        }
        if n > MAX_BINOMIAL_N as f64 {
            return Err(ParamError::new(
                "n",
                fmt_value(n),
                format!("n (the number of trials) must be at most {MAX_BINOMIAL_N}"),
            )
            .with_hint(
                "for so many trials use a normal distribution with mean n*p and sd sqrt(n*p*(1-p))",
            ));
        }
        check_probability("p", p)?;
        Self::checked(Distribution::Binomial { n: n as u64, p })
    }

    /// Bernoulli: 1 with probability `p`, else 0.
    pub fn bernoulli(p: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Bernoulli { p })
    }

    /// Discrete: `values[i]` with probability `weights[i]/Σ weights`. The stored
    /// weights are normalised to sum to 1.
    pub fn discrete(values: Vec<f64>, weights: Vec<f64>) -> Result<Self, ParamError> {
        let max_w = check_discrete(&values, &weights)?;
        let mut total = Neumaier::default();
        for &w in &weights {
            total.add(w / max_w);
        }
        let total = total.value();
        let weights = weights.iter().map(|&w| w / max_w / total).collect();
        Self::checked(Distribution::Discrete { values, weights })
    }

    /// Always `value`.
    pub fn fixed(value: f64) -> Result<Self, ParamError> {
        Self::checked(Distribution::Fixed { value })
    }

    fn checked(d: Distribution) -> Result<Self, ParamError> {
        d.validate()?;
        Ok(d)
    }

    /// Checks every parameter against the rules of the module documentation.
    /// The constructors call it; call it on a value built directly.
    pub fn validate(&self) -> Result<(), ParamError> {
        match self {
            Distribution::Normal { mean, sd } => {
                check_finite("mean", *mean)?;
                check_sd("sd", *sd)
            }
            Distribution::LogNormal { mu, sigma } => {
                check_finite("mu", *mu)?;
                check_sigma(*sigma)
            }
            Distribution::SplitNormal {
                mode,
                sd_low,
                sd_high,
            } => {
                check_finite("mode", *mode)?;
                check_sd("sd_low", *sd_low)?;
                check_sd("sd_high", *sd_high)?;
                if (sd_low + sd_high).is_finite() {
                    Ok(())
                } else {
                    Err(ParamError::new(
                        "sd_high",
                        fmt_value(*sd_high),
                        "sd_low + sd_high is too large",
                    ))
                }
            }
            Distribution::Triangular { min, mode, max } => {
                check_range(*min, *max)?;
                check_mode(*min, *mode, *max)
            }
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                check_range(*min, *max)?;
                check_mode(*min, *mode, *max)?;
                check_lambda(*lambda)
            }
            Distribution::Uniform { min, max } => check_range(*min, *max),
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                check_beta_shape("alpha", *alpha)?;
                check_beta_shape("beta", *beta)?;
                check_range(*min, *max)
            }
            Distribution::Binomial { n, p } => {
                check_binomial_n(*n)?;
                check_probability("p", *p)
            }
            Distribution::Bernoulli { p } => check_probability("p", *p),
            Distribution::Discrete { values, weights } => {
                check_discrete(values, weights).map(|_| ())
            }
            Distribution::Fixed { value } => check_finite("value", *value),
        }
    }

    /// The precomputed sampler for this distribution (validates first).
    pub fn marginal(&self) -> Result<Marginal, ParamError> {
        Marginal::new(self)
    }

    /// The kind's name as planners write it, one of [`KIND_NAMES`].
    pub fn kind_name(&self) -> &'static str {
        match self {
            Distribution::Normal { .. } => "normal",
            Distribution::LogNormal { .. } => "lognormal",
            Distribution::SplitNormal { .. } => "split_normal",
            Distribution::Triangular { .. } => "triangular",
            Distribution::Pert { .. } => "pert",
            Distribution::Uniform { .. } => "uniform",
            Distribution::Beta { .. } => "beta",
            Distribution::Binomial { .. } => "binomial",
            Distribution::Bernoulli { .. } => "bernoulli",
            Distribution::Discrete { .. } => "discrete",
            Distribution::Fixed { .. } => "fixed",
        }
    }

    /// Whether the distribution takes only separate values (binomial,
    /// bernoulli, discrete, fixed).
    pub fn is_discrete(&self) -> bool {
        matches!(
            self,
            Distribution::Binomial { .. }
                | Distribution::Bernoulli { .. }
                | Distribution::Discrete { .. }
                | Distribution::Fixed { .. }
        )
    }

    /// PERT's beta shapes `(alpha, beta)`.
    pub(super) fn pert_shapes(min: f64, mode: f64, max: f64, lambda: f64) -> (f64, f64) {
        let range = max - min;
        (
            1.0 + lambda * (mode - min) / range,
            1.0 + lambda * (max - mode) / range,
        )
    }

    /// The mean (closed form).
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Normal { mean, .. } => *mean,
            Distribution::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Distribution::SplitNormal {
                mode,
                sd_low,
                sd_high,
            } => mode + (2.0 / std::f64::consts::PI).sqrt() * (sd_high - sd_low),
            Distribution::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => (min + lambda * mode + max) / (lambda + 2.0),
            Distribution::Uniform { min, max } => 0.5 * (min + max),
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => min + (max - min) * alpha / (alpha + beta),
            Distribution::Binomial { n, p } => *n as f64 * p,
            Distribution::Bernoulli { p } => *p,
            Distribution::Discrete { values, weights } => discrete_moments(values, weights).0,
            Distribution::Fixed { value } => *value,
        }
    }

    /// The variance (closed form).
    pub fn variance(&self) -> f64 {
        match self {
            Distribution::Normal { sd, .. } => sd * sd,
            Distribution::LogNormal { mu, sigma } => {
                let s2 = sigma * sigma;
                s2.exp_m1() * (2.0 * mu + s2).exp()
            }
            Distribution::SplitNormal {
                sd_low, sd_high, ..
            } => {
                let d = sd_high - sd_low;
                (1.0 - 2.0 / std::f64::consts::PI) * d * d + sd_low * sd_high
            }
            Distribution::Triangular { min, mode, max } => {
                (min * min + mode * mode + max * max - min * mode - min * max - mode * max) / 18.0
            }
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => {
                let (a, b) = Self::pert_shapes(*min, *mode, *max, *lambda);
                let range = max - min;
                range * range * a * b / ((a + b) * (a + b) * (a + b + 1.0))
            }
            Distribution::Uniform { min, max } => (max - min) * (max - min) / 12.0,
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => {
                let range = max - min;
                let s = alpha + beta;
                range * range * alpha * beta / (s * s * (s + 1.0))
            }
            Distribution::Binomial { n, p } => *n as f64 * p * (1.0 - p),
            Distribution::Bernoulli { p } => p * (1.0 - p),
            Distribution::Discrete { values, weights } => discrete_moments(values, weights).1,
            Distribution::Fixed { .. } => 0.0,
        }
    }

    /// The smallest and largest possible values (`−∞`/`+∞` when unbounded).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Distribution::Normal { .. } | Distribution::SplitNormal { .. } => {
                (f64::NEG_INFINITY, f64::INFINITY)
            }
            Distribution::LogNormal { .. } => (0.0, f64::INFINITY),
            Distribution::Triangular { min, max, .. }
            | Distribution::Pert { min, max, .. }
            | Distribution::Uniform { min, max }
            | Distribution::Beta { min, max, .. } => (*min, *max),
            Distribution::Binomial { n, p } => {
                let n = *n as f64;
                if *p <= 0.0 {
                    (0.0, 0.0)
                } else if *p >= 1.0 {
                    (n, n)
                } else {
                    (0.0, n)
                }
            }
            Distribution::Bernoulli { p } => {
                if *p <= 0.0 {
                    (0.0, 0.0)
                } else if *p >= 1.0 {
                    (1.0, 1.0)
                } else {
                    (0.0, 1.0)
                }
            }
            Distribution::Discrete { values, weights } => values
                .iter()
                .zip(weights)
                .filter(|&(_, &w)| w > 0.0)
                .fold((f64::NAN, f64::NAN), |(lo, hi), (&v, _)| {
                    (lo.min(v), hi.max(v))
                }),
            Distribution::Fixed { value } => (*value, *value),
        }
    }

    /// A one-line description for planners, e.g.
    /// `split normal: mode 0.060, sd_low 0.020, sd_high 0.012`.
    pub fn describe(&self) -> String {
        match self {
            Distribution::Normal { mean, sd } => {
                format!("normal: mean {}, sd {}", fmt_num(*mean), fmt_num(*sd))
            }
            Distribution::LogNormal { mu, sigma } => format!(
                "lognormal: median {}, sigma {} (mu {})",
                fmt_num(mu.exp()),
                fmt_num(*sigma),
                fmt_num(*mu)
            ),
            Distribution::SplitNormal {
                mode,
                sd_low,
                sd_high,
            } => format!(
                "split normal: mode {}, sd_low {}, sd_high {}",
                fmt_num(*mode),
                fmt_num(*sd_low),
                fmt_num(*sd_high)
            ),
            Distribution::Triangular { min, mode, max } => format!(
                "triangular: min {}, mode {}, max {}",
                fmt_num(*min),
                fmt_num(*mode),
                fmt_num(*max)
            ),
            Distribution::Pert {
                min,
                mode,
                max,
                lambda,
            } => format!(
                "PERT: min {}, mode {}, max {}, lambda {}",
                fmt_num(*min),
                fmt_num(*mode),
                fmt_num(*max),
                fmt_num(*lambda)
            ),
            Distribution::Uniform { min, max } => {
                format!("uniform: min {}, max {}", fmt_num(*min), fmt_num(*max))
            }
            Distribution::Beta {
                alpha,
                beta,
                min,
                max,
            } => format!(
                "beta: alpha {}, beta {}, min {}, max {}",
                fmt_num(*alpha),
                fmt_num(*beta),
                fmt_num(*min),
                fmt_num(*max)
            ),
            Distribution::Binomial { n, p } => format!("binomial: n {n}, p {}", fmt_num(*p)),
            Distribution::Bernoulli { p } => format!("bernoulli: p {}", fmt_num(*p)),
            Distribution::Discrete { values, weights } => {
                if values.len() <= 6 {
                    let total: f64 = weights.iter().sum();
                    let items: Vec<String> = values
                        .iter()
                        .zip(weights)
                        .map(|(&v, &w)| format!("{} (p {})", fmt_num(v), fmt_num(w / total)))
                        .collect();
                    format!("discrete: {}", items.join(", "))
                } else {
                    let (lo, hi) = self.support();
                    format!(
                        "discrete: {} values from {} to {}",
                        values.len(),
                        fmt_num(lo),
                        fmt_num(hi)
                    )
                }
            }
            Distribution::Fixed { value } => format!("fixed: {}", fmt_num(*value)),
        }
    }
}

impl fmt::Display for Distribution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::distribution::test_util::marginal;

    fn err_of<T: fmt::Debug>(r: Result<T, ParamError>) -> ParamError {
        match r {
            Ok(v) => panic!("expected a parameter error, got {v:?}"),
            Err(e) => e,
        }
    }
    // ----- validation -----------------------------------------------------

    fn check(r: Result<Distribution, ParamError>, param: &str, hint: Option<&str>) {
        let e = err_of(r);
        assert_eq!(e.param, param, "{e}");
        if let Some(h) = hint {
            match &e.hint {
                Some(got) => assert!(got.contains(h), "hint {got:?} lacks {h:?}"),
                None => panic!("no hint in {e:?}"),
            }
        }
    }

    #[test]
    fn constructors_report_bad_parameters() {
        let e = err_of(Distribution::normal(0.05, -0.07));
        assert_eq!(
            e.to_string(),
            "sd = -0.07: a standard deviation must be greater than 0"
        );
        assert_eq!(e.hint.as_deref(), Some("did you mean 0.07?"));
        check(Distribution::normal(0.05, 0.0), "sd", Some("fixed"));
        check(Distribution::normal(f64::NAN, 1.0), "mean", None);
        assert_eq!(err_of(Distribution::normal(f64::NAN, 1.0)).value, "NaN");
        check(Distribution::normal(1.0, f64::INFINITY), "sd", None);
        check(
            Distribution::lognormal_median(-5.0, 0.1),
            "median",
            Some("always positive"),
        );
        check(
            Distribution::lognormal_median(5.0, -0.1),
            "sigma",
            Some("did you mean 0.1?"),
        );
        check(Distribution::lognormal_mean_sd(0.0, 1.0), "mean", None);
        check(
            Distribution::lognormal_mean_sd(10.0, -1.0),
            "sd",
            Some("did you mean 1?"),
        );
        check(
            Distribution::split_normal(0.06, -0.02, 0.01),
            "sd_low",
            Some("did you mean 0.02?"),
        );
        check(Distribution::split_normal(0.06, 0.02, 0.0), "sd_high", None);
        check(
            Distribution::split_normal(f64::NAN, 0.02, 0.01),
            "mode",
            None,
        );
        check(
            Distribution::triangular(1.0, 0.5, 3.0),
            "mode",
            Some("min <= mode <= max"),
        );
        check(
            Distribution::triangular(1.0, 5.0, 3.0),
            "mode",
            Some("min <= mode <= max"),
        );
        check(Distribution::triangular(3.0, 2.0, 1.0), "max", Some("swap"));
        check(
            Distribution::triangular(1.0, 1.0, 1.0),
            "max",
            Some("fixed"),
        );
        check(
            Distribution::triangular(f64::NEG_INFINITY, 1.0, 2.0),
            "min",
            None,
        );
        check(
            Distribution::pert(0.0, 2.0, 1.0, 4.0),
            "mode",
            Some("min <= mode <= max"),
        );
        check(
            Distribution::pert(0.0, 0.5, 1.0, 0.0),
            "lambda",
            Some("lambda = 4"),
        );
        check(Distribution::pert(0.0, 0.5, 1.0, 5000.0), "lambda", None);
        check(Distribution::uniform(2.0, 2.0), "max", None);
        check(Distribution::uniform(-1e308, 1e308), "max", None);
        check(
            Distribution::beta(-2.0, 3.0, 0.0, 1.0),
            "alpha",
            Some("did you mean 2?"),
        );
        check(Distribution::beta(2.0, 0.0, 0.0, 1.0), "beta", None);
        check(Distribution::beta(2.0, 1e5, 0.0, 1.0), "beta", None);
        check(Distribution::beta(1e-4, 1.0, 0.0, 1.0), "alpha", None);
        assert!(Distribution::beta(MIN_BETA_SHAPE, MAX_BETA_SHAPE, 0.0, 1.0).is_ok());
        check(Distribution::beta(2.0, 3.0, 1.0, 0.0), "max", Some("swap"));
        check(Distribution::binomial(16.5, 0.5), "n", Some("16 or 17"));
        check(Distribution::binomial(0.0, 0.5), "n", None);
        check(
            Distribution::binomial(-3.0, 0.5),
            "n",
            Some("did you mean 3?"),
        );
        check(Distribution::binomial(2e7, 0.5), "n", Some("normal"));
        check(Distribution::binomial(f64::NAN, 0.5), "n", None);
        let e = err_of(Distribution::binomial(16.0, 60.0));
        assert_eq!(e.param, "p");
        assert_eq!(
            e.hint.as_deref(),
            Some("p is a fraction: did you mean 0.6?")
        );
        check(
            Distribution::binomial(16.0, -0.2),
            "p",
            Some("did you mean 0.2?"),
        );
        check(
            Distribution::bernoulli(1.5),
            "p",
            Some("did you mean 0.015?"),
        );
        check(Distribution::bernoulli(f64::NAN), "p", None);
        check(Distribution::discrete(vec![], vec![]), "values", None);
        check(
            Distribution::discrete(vec![1.0, 2.0], vec![1.0]),
            "weights",
            None,
        );
        check(
            Distribution::discrete(vec![1.0, f64::NAN], vec![1.0, 1.0]),
            "values",
            None,
        );
        check(
            Distribution::discrete(vec![1.0, 2.0], vec![1.0, -0.5]),
            "weights",
            Some("did you mean 0.5?"),
        );
        check(
            Distribution::discrete(vec![1.0, 2.0], vec![0.0, 0.0]),
            "weights",
            None,
        );
        check(
            Distribution::discrete(vec![1.0, 2.0], vec![1.0, f64::INFINITY]),
            "weights",
            None,
        );
        check(
            Distribution::discrete(
                vec![0.0; MAX_DISCRETE_VALUES + 1],
                vec![1.0; MAX_DISCRETE_VALUES + 1],
            ),
            "values",
            None,
        );
        check(Distribution::fixed(f64::NAN), "value", None);
        // large but valid
        assert!(Distribution::binomial(1e7, 0.5).is_ok());
        assert!(
            Distribution::discrete(
                vec![0.0; MAX_DISCRETE_VALUES],
                vec![1.0; MAX_DISCRETE_VALUES]
            )
            .is_ok()
        );
        assert!(Distribution::discrete(vec![1.0, 2.0], vec![1e308, 1e308]).is_ok());
    }

    #[test]
    fn directly_built_values_are_checked_by_marginal() {
        let bad = [
            Distribution::Normal {
                mean: 0.0,
                sd: -1.0,
            },
            Distribution::LogNormal {
                mu: f64::NAN,
                sigma: 1.0,
            },
            Distribution::Binomial { n: 0, p: 0.5 },
            Distribution::Binomial {
                n: u64::MAX,
                p: 0.5,
            },
            Distribution::Pert {
                min: 0.0,
                mode: 0.5,
                max: 1.0,
                lambda: -4.0,
            },
            Distribution::Discrete {
                values: vec![1.0],
                weights: vec![],
            },
            Distribution::Beta {
                alpha: 1.0,
                beta: f64::INFINITY,
                min: 0.0,
                max: 1.0,
            },
        ];
        for d in bad {
            assert!(d.marginal().is_err(), "{d:?}");
            assert!(d.validate().is_err());
        }
        // unnormalised weights built directly are fine
        let d = Distribution::Discrete {
            values: vec![1.0, 2.0],
            weights: vec![1.0, 3.0],
        };
        let m = marginal(Ok(d));
        assert!((m.mean() - 1.75).abs() < 1e-15);
        assert!((m.cdf(1.0) - 0.25).abs() < 1e-16);
    }

    #[test]
    fn names_and_descriptions() {
        let all = [
            Distribution::normal(0.0, 1.0),
            Distribution::lognormal_median(1.0, 0.1),
            Distribution::split_normal(0.06, 0.02, 0.012),
            Distribution::triangular(0.0, 1.0, 2.0),
            Distribution::pert_default(0.0, 1.0, 2.0),
            Distribution::uniform(0.0, 1.0),
            Distribution::standard_beta(2.0, 2.0),
            Distribution::binomial(10.0, 0.5),
            Distribution::bernoulli(0.5),
            Distribution::discrete(vec![1.0], vec![1.0]),
            Distribution::fixed(1.0),
        ];
        let names: Vec<&str> = all
            .iter()
            .map(|d| match d {
                Ok(d) => d.kind_name(),
                Err(e) => panic!("{e}"),
            })
            .collect();
        assert_eq!(names, KIND_NAMES);
        let d = marginal(Distribution::split_normal(0.06, 0.02, 0.012));
        assert_eq!(
            d.describe(),
            "split normal: mode 0.060, sd_low 0.020, sd_high 0.012"
        );
        assert_eq!(d.distribution().to_string(), d.describe());
        let d = marginal(Distribution::lognormal_median(210.0, 0.15));
        assert!(
            d.describe()
                .starts_with("lognormal: median 210.000, sigma 0.150")
        );
        let d = marginal(Distribution::discrete(vec![1.0, 2.0], vec![1.0, 3.0]));
        assert_eq!(d.describe(), "discrete: 1.000 (p 0.250), 2.000 (p 0.750)");
        let d = marginal(Distribution::binomial(16.0, 0.6));
        assert_eq!(d.describe(), "binomial: n 16, p 0.600");
        assert!(d.is_discrete() && !marginal(Distribution::uniform(0.0, 1.0)).is_discrete());
    }
}
