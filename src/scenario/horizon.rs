//! Multi-year scenarios: a horizon of calendar years, drivers whose
//! parameters vary by year and persist from one year to the next, formulas
//! that read last year's values (`gdp[t-1]`), targets per year and plan
//! targets on the plan's end year.
//!
//! A scenario is multi-year when `[simulation]` has `horizon = [2026, ...]`.
//! Without it nothing here runs and the scenario is read exactly as before.
//!
//! Reading works in two steps. [`split`] takes the multi-year fields out of
//! the document (`simulation.horizon`, each driver's `persistence`, per-year
//! parameter arrays, `target_sets`, `plan_targets`, `history`) and leaves a
//! one-year view, the first year of the horizon, that the ordinary validator
//! checks. [`finish`] then reads the multi-year fields against the checked
//! one-year scenario.
//!
//! Definitions (also in the README, "Several years"):
//! - year 0 is the year before the first horizon year; `[base]` holds its
//!   values, `[history]` optionally the years before it.
//! - `x[t-k]` in the formula of year t is x's value k years earlier: a
//!   simulated column when that year is in the horizon, else the value from
//!   `[base]` (year 0) or `[history]`. An unlagged name means what it means in
//!   a one-year scenario (an indicator of the same year, a driver of the same
//!   year, or a base value, which is the year-0 constant in every year).
//! - persistence rho of a driver: its normal score follows
//!   `z_t = rho z_{t-1} + sqrt(1 - rho^2) u_t`, `z_1 = u_1`, where `u_t` are
//!   the year's copula scores (correlated as `[correlations]` says,
//!   independent across years). Each `z_t` is standard normal, so each year's
//!   driver keeps its stated marginal `x_t = F_t^-1(Phi(z_t))`.

use super::fields::{Fields, did_you_mean, index, join, number, show, type_name};
use super::validate::{self, Problems};
use super::{BaseValue, Driver, Indicator, Kind, Meta, Rule, Target, TargetSet};
use crate::error::Problem;
use crate::model::distribution::{Distribution, Marginal};
use serde::Serialize;
use serde_json::{Map, Value};

/// Longest horizon accepted: far beyond any plan.
pub const MAX_YEARS: usize = 50;
/// Longest lag accepted (`x[t-k]`, `k` years): history plus horizon never
/// reach further back than calendar years do.
pub const MAX_LAG: u32 = 9999;

/// The multi-year part of a validated scenario.
#[derive(Debug, Clone)]
pub struct Horizon {
    /// The simulated calendar years, consecutive and ascending.
    pub years: Vec<i32>,
    /// Per driver, in the scenario's order.
    pub drivers: Vec<DriverPath>,
    /// Target sets whose targets each name a year, in declaration order.
    pub target_sets: Vec<YearTargetSet>,
    /// Targets on the plan's end, if the scenario has `[plan_targets]`.
    pub plan: Option<PlanTargets>,
    /// Values before the horizon: `[base]` at year 0 and `[history]` before.
    pub history: History,
}

impl Horizon {
    /// Year 0: the year of the `[base]` values.
    pub fn base_year(&self) -> i32 {
        self.years[0] - 1
    }

    pub fn n_years(&self) -> usize {
        self.years.len()
    }
}

/// One driver across the horizon.
#[derive(Debug, Clone)]
pub struct DriverPath {
    /// The AR(1) coefficient of the driver's normal score across years (0: independent years).
    pub persistence: f64,
    /// Its distribution in each horizon year.
    pub per_year: Vec<YearDistribution>,
}

#[derive(Debug, Clone)]
pub struct YearDistribution {
    pub distribution: Distribution,
    pub marginal: Marginal,
}

/// A target set whose targets each apply to one year.
#[derive(Debug, Clone)]
pub struct YearTargetSet {
    pub name: String,
    pub meta: Meta,
    pub targets: Vec<YearTarget>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct YearTarget {
    /// Index into the horizon's years.
    pub year: usize,
    pub target: Target,
}

/// What a plan target measures at its year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// The indicator's value in the target year.
    Level,
    /// `x_T / x_0 - 1`: growth from year 0 to the target year.
    CumulativeGrowth,
    /// `(x_T / x_0)^(1/T) - 1`: average annual growth over the T years.
    AverageGrowth,
}

impl Measure {
    pub fn name(self) -> &'static str {
        match self {
            Measure::Level => "level",
            Measure::CumulativeGrowth => "cumulative_growth",
            Measure::AverageGrowth => "average_growth",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PlanTargets {
    pub meta: Meta,
    pub targets: Vec<PlanTarget>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanTarget {
    /// Index into the scenario's indicators.
    pub indicator: usize,
    /// Index into the horizon's years (default: the last).
    pub year: usize,
    pub measure: Measure,
    pub rule: Rule,
    pub wording: Option<String>,
    /// Year-0 value of the indicator (needed by growth measures and the required path).
    pub base_value: Option<f64>,
    /// The indicator whose first-year targets the "still reachable" probability
    /// conditions on (default: the plan target's own indicator).
    pub condition_on: usize,
}

impl PlanTarget {
    /// The measure of one draw, from the indicator's value in the target year.
    #[inline]
    pub fn measure_of(&self, x: f64, years_from_base: usize) -> f64 {
        match (self.measure, self.base_value) {
            (Measure::Level, _) => x,
            (Measure::CumulativeGrowth, Some(b)) => x / b - 1.0,
            (Measure::AverageGrowth, Some(b)) => (x / b).powf(1.0 / years_from_base as f64) - 1.0,
            _ => f64::NAN,
        }
    }

    /// The indicator's level in the target year that the rule's reference
    /// value stands for.
    pub fn level_needed(&self, years_from_base: usize) -> f64 {
        let r = self.rule.reference_value();
        match (self.measure, self.base_value) {
            (Measure::Level, _) => r,
            (Measure::CumulativeGrowth, Some(b)) => b * (1.0 + r),
            (Measure::AverageGrowth, Some(b)) => b * (1.0 + r).powi(years_from_base as i32),
            _ => f64::NAN,
        }
    }
}

/// Known values before the first horizon year, by name.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// Calendar years of `[history]`, ascending (may be empty).
    pub years: Vec<i32>,
    /// Per name, its values in `years` (NaN where missing).
    pub series: Vec<(String, Vec<f64>)>,
    /// Year-0 values from `[base]`.
    pub base: Vec<(String, f64)>,
    pub base_year: i32,
}

impl History {
    /// The value of `name` in calendar year `year` (at or before year 0).
    pub fn value(&self, name: &str, year: i32) -> Option<f64> {
        if year == self.base_year
            && let Some((_, v)) = self.base.iter().find(|(n, _)| n == name)
        {
            return Some(*v);
        }
        let i = self.years.iter().position(|&y| y == year)?;
        let (_, values) = self.series.iter().find(|(n, _)| n == name)?;
        values.get(i).copied().filter(|v| v.is_finite())
    }

    /// `(year, value)` pairs known for `name`, ascending, through year 0.
    pub fn path(&self, name: &str) -> Vec<(i32, f64)> {
        let mut out: Vec<(i32, f64)> = self
            .years
            .iter()
            .filter_map(|&y| self.value(name, y).map(|v| (y, v)))
            .collect();
        if !self.years.contains(&self.base_year)
            && let Some(v) = self.value(name, self.base_year)
        {
            out.push((self.base_year, v));
        }
        out
    }
}

/// The multi-year fields, taken out of the document by [`split`].
pub struct Raw {
    horizon: Value,
    drivers: Map<String, Value>,
    target_sets: Option<Value>,
    plan_targets: Option<Value>,
    history: Option<Value>,
}

/// Parameters that may be given per year as an array.
const PER_YEAR_PARAMS: [&str; 15] = [
    "mean", "sd", "median", "sigma", "mode", "sd_low", "sd_high", "min", "max", "lambda", "alpha",
    "beta", "n", "p", "value",
];

/// When the document has `simulation.horizon`, the one-year view of its first
/// year and the multi-year fields; else `None` (a one-year scenario, read
/// exactly as before).
pub fn split(doc: &Value) -> Option<(Value, Raw)> {
    let horizon = doc.get("simulation")?.get("horizon")?.clone();
    let mut view = doc.clone();
    let top = view.as_object_mut()?;
    if let Some(Value::Object(sim)) = top.get_mut("simulation") {
        sim.shift_remove("horizon");
    }
    let drivers = match top.get("drivers") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    if let Some(Value::Object(ds)) = top.get_mut("drivers") {
        for d in ds.values_mut() {
            if let Value::Object(t) = d {
                t.shift_remove("persistence");
                for key in PER_YEAR_PARAMS {
                    if let Some(Value::Array(a)) = t.get(key)
                        && let Some(first) = a.first()
                    {
                        let first = first.clone();
                        t.insert(key.to_string(), first);
                    }
                }
            }
        }
    }
    let raw = Raw {
        horizon,
        drivers,
        target_sets: top.shift_remove("target_sets"),
        plan_targets: top.shift_remove("plan_targets"),
        history: top.shift_remove("history"),
    };
    Some((view, raw))
}

/// What [`finish`] needs from the checked one-year scenario.
pub struct Checked<'a> {
    pub base: &'a [BaseValue],
    pub drivers: &'a [Driver],
    pub indicators: &'a [Indicator],
}

/// Read the multi-year fields. Returns `None` when a problem was recorded.
pub fn finish(raw: Raw, s: Checked, p: &mut Problems) -> Option<Horizon> {
    let before = p.len();
    let years = years(&raw.horizon, p)?;
    let n = years.len();
    let base_year = years[0] - 1;
    let drivers = driver_paths(&raw.drivers, s.drivers, n, &years, p);
    let mut history = history(raw.history.as_ref(), base_year, &s, p);
    history.base = s.base.iter().map(|b| (b.name.clone(), b.value)).collect();
    history.base_year = base_year;
    check_lags(s.indicators, s.drivers, &years, &history, p);
    let target_sets = year_target_sets(raw.target_sets.as_ref(), &years, &s, p);
    let plan = raw
        .plan_targets
        .as_ref()
        .and_then(|v| plan_targets(v, &years, &s, &history, p));
    (p.len() == before).then_some(Horizon {
        years,
        drivers,
        target_sets,
        plan,
        history,
    })
}

fn years(v: &Value, p: &mut Problems) -> Option<Vec<i32>> {
    let path = "simulation.horizon";
    let Value::Array(items) = v else {
        p.push(
            Problem::new(
                path,
                format!("must be a list of calendar years, not {}", type_name(v)),
            )
            .value(show(v))
            .hint("for example horizon = [2026, 2027, 2028, 2029, 2030]"),
        );
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_i64() {
            Some(y) if (1..=9999).contains(&y) => out.push(y as i32),
            _ => {
                p.push(
                    Problem::new(index(path, i), "must be a calendar year such as 2026")
                        .value(show(item)),
                );
                return None;
            }
        }
    }
    if out.is_empty() || out.len() > MAX_YEARS {
        p.push(
            Problem::new(path, format!("must list 1 to {MAX_YEARS} years"))
                .value(show(v))
                .hint("for example horizon = [2026, 2027, 2028, 2029, 2030]"),
        );
        return None;
    }
    if let Some(k) = (1..out.len()).find(|&k| out[k] != out[k - 1] + 1) {
        p.push(
            Problem::new(
                index(path, k),
                format!(
                    "the years must follow each other one by one; {} comes after {}",
                    out[k],
                    out[k - 1]
                ),
            )
            .hint(format!(
                "write every year from {} to {}",
                out[0],
                out[out.len() - 1]
            )),
        );
        return None;
    }
    Some(out)
}

fn driver_paths(
    raw: &Map<String, Value>,
    drivers: &[Driver],
    n: usize,
    years: &[i32],
    p: &mut Problems,
) -> Vec<DriverPath> {
    let mut out = Vec::with_capacity(drivers.len());
    for d in drivers {
        let path = join("drivers", &d.name);
        let table = raw.get(&d.name).and_then(Value::as_object);
        let persistence = match table.and_then(|t| t.get("persistence")) {
            None => 0.0,
            Some(v) => {
                let ppath = join(&path, "persistence");
                match number(v, &ppath, p) {
                    Some(r) if (-1.0..=1.0).contains(&r) => r,
                    Some(r) => {
                        p.push(
                            Problem::new(ppath, "persistence is the year-to-year correlation of the driver's normal score: between -1 and 1")
                                .value(r.to_string())
                                .hint(if (2.0..=100.0).contains(&r.abs()) { format!("did you mean {}?", r / 100.0) } else { "for example persistence = 0.5: half of last year's deviation carries into the next".into() }),
                        );
                        0.0
                    }
                    None => 0.0,
                }
            }
        };
        let first = YearDistribution {
            distribution: d.distribution.clone(),
            marginal: d.marginal.clone(),
        };
        let mut per_year = vec![first; n];
        let arrays: Vec<(&str, &Vec<Value>)> = table
            .map(|t| {
                PER_YEAR_PARAMS
                    .iter()
                    .filter_map(|&k| match t.get(k) {
                        Some(Value::Array(a)) => Some((k, a)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut ok = true;
        for (k, a) in &arrays {
            if a.len() != n {
                p.push(
                    Problem::new(
                        join(&path, k),
                        format!(
                            "has {} values but the horizon has {n} years ({}–{})",
                            a.len(),
                            years[0],
                            years[n - 1]
                        ),
                    )
                    .hint("give one value per year, or a single number for every year"),
                );
                ok = false;
            }
        }
        if ok && !arrays.is_empty() {
            for (y, slot) in per_year.iter_mut().enumerate().skip(1) {
                let Some(mut t) = table.cloned() else {
                    continue;
                };
                t.shift_remove("persistence");
                for (k, a) in &arrays {
                    t.insert(k.to_string(), a[y].clone());
                }
                let tv = Value::Object(t);
                let mut q = Problems::new();
                let dist = Fields::of(&tv, &path, &mut q).and_then(|mut f| {
                    let dist = validate::distribution(&mut f, &mut q);
                    dist.and_then(|dist| match dist.marginal() {
                        Ok(m) => Some(YearDistribution {
                            distribution: dist,
                            marginal: m,
                        }),
                        Err(e) => {
                            q.push(validate::param_problem(&path, &e));
                            None
                        }
                    })
                });
                for mut prob in q {
                    prob.message = format!("{} (in {}, item [{y}])", prob.message, years[y]);
                    p.push(prob);
                }
                if let Some(dist) = dist {
                    *slot = dist;
                }
            }
        }
        out.push(DriverPath {
            persistence,
            per_year,
        });
    }
    out
}

fn history(v: Option<&Value>, base_year: i32, s: &Checked, p: &mut Problems) -> History {
    let mut h = History::default();
    let Some(v) = v else { return h };
    let Some(mut f) = Fields::of(v, "history", p) else {
        return h;
    };
    let years: Vec<i32> = match f.get("years") {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, y)| match y.as_i64() {
                Some(y) if (1..=9999).contains(&y) => Some(y as i32),
                _ => {
                    p.push(
                        Problem::new(index("history.years", i), "must be a calendar year")
                            .value(show(y)),
                    );
                    None
                }
            })
            .collect(),
        _ => {
            p.push(
                Problem::new(
                    "history",
                    "needs `years = [...]`, the calendar years of its values",
                )
                .hint(format!(
                    "for example years = [{}, {}]",
                    base_year - 2,
                    base_year - 1
                )),
            );
            return h;
        }
    };
    if years.windows(2).any(|w| w[1] != w[0] + 1) || years.last().is_some_and(|&y| y > base_year) {
        p.push(
            Problem::new("history.years", format!("must be consecutive years ending at or before {base_year}, the year of [base] (the horizon starts in {})", base_year + 1))
                .value(format!("{years:?}")),
        );
        return h;
    }
    let Value::Object(map) = v else { return h };
    for (name, values) in map {
        if name == "years" {
            continue;
        }
        let path = join("history", name);
        let known = s.indicators.iter().any(|i| &i.name == name)
            || s.drivers.iter().any(|d| &d.name == name)
            || s.base.iter().any(|b| &b.name == name);
        if !known {
            let names = s
                .indicators
                .iter()
                .map(|i| i.name.as_str())
                .chain(s.drivers.iter().map(|d| d.name.as_str()));
            p.push(
                Problem::new(path, "names no indicator, driver or base value")
                    .maybe_hint(did_you_mean(name, names)),
            );
            continue;
        }
        let Value::Array(a) = values else {
            p.push(
                Problem::new(path, "must be a list of numbers, one per year in `years`")
                    .value(show(values)),
            );
            continue;
        };
        if a.len() != years.len() {
            p.push(
                Problem::new(
                    path,
                    format!("has {} values but `years` has {}", a.len(), years.len()),
                )
                .hint("give one value per year listed in history.years"),
            );
            continue;
        }
        let xs: Vec<f64> = a
            .iter()
            .enumerate()
            .map(|(i, x)| number(x, &index(&path, i), p).unwrap_or(f64::NAN))
            .collect();
        if let Some(i) = years.iter().position(|&y| y == base_year)
            && let Some(b) = s.base.iter().find(|b| &b.name == name)
            && xs[i] != b.value
        {
            p.push(
                Problem::new(
                    index(&path, i),
                    format!("disagrees with base.{name} = {} for {base_year}", b.value),
                )
                .value(xs[i].to_string())
                .hint("give year 0 in one place only, or make them equal"),
            );
        }
        h.series.push((name.clone(), xs));
    }
    h.years = years;
    f.allow(&["years"]);
    h
}

/// Every lagged reference must reach a value: a simulated year, or `[base]`
/// and `[history]` before the horizon.
fn check_lags(
    indicators: &[Indicator],
    drivers: &[Driver],
    years: &[i32],
    history: &History,
    p: &mut Problems,
) {
    for ind in indicators {
        let path = join(&join("indicators", &ind.name), "formula");
        for r in ind.expr.references() {
            if r.lag == 0 {
                continue;
            }
            let simulated = indicators.iter().any(|i| i.name == r.name)
                || drivers.iter().any(|d| d.name == r.name);
            let is_base = history.base.iter().any(|(n, _)| n == r.name);
            if !simulated && !is_base {
                let names = indicators
                    .iter()
                    .map(|i| i.name.as_str())
                    .chain(drivers.iter().map(|d| d.name.as_str()));
                p.push(
                    Problem::new(
                        path.clone(),
                        format!(
                            "unknown name `{}`\n{}",
                            r.name,
                            caret(&ind.formula, r.offset)
                        ),
                    )
                    .hint(
                        did_you_mean(r.name, names)
                            .unwrap_or_else(|| "names with [t-k] are indicators or drivers".into()),
                    ),
                );
                continue;
            }
            if !simulated {
                p.push(
                    Problem::new(
                        path.clone(),
                        format!(
                            "`{}[t-{}]`: only indicators and drivers change from year to year; `{}` is a base value, the same in every year\n{}",
                            r.name,
                            r.lag,
                            r.name,
                            caret(&ind.formula, r.offset)
                        ),
                    )
                    .hint(format!("write `{}` for its year-0 value, or make it an indicator", r.name)),
                );
                continue;
            }
            if r.lag > MAX_LAG {
                p.push(
                    Problem::new(
                        path.clone(),
                        format!(
                            "`{}[t-{}]` reaches back {} years; a lag is at most {MAX_LAG} years\n{}",
                            r.name,
                            r.lag,
                            r.lag,
                            caret(&ind.formula, r.offset)
                        ),
                    )
                    .value(format!("t-{}", r.lag))
                    .hint(format!("lags count years: write `{}[t-1]` for last year's value", r.name)),
                );
                continue;
            }
            // In 64-bit arithmetic: no lag can wrap around to a later year.
            let first = i64::from(years[0]);
            let lag = i64::from(r.lag);
            // The earliest year this reference reads, in the first year.
            let missing = (0..years.len() as i64).map(|t| first + t - lag).find(|&y| {
                y < first
                    && i32::try_from(y)
                        .ok()
                        .and_then(|y| history.value(r.name, y))
                        .is_none()
            });
            if let Some(y) = missing {
                let reader = y + lag;
                let hint = if y == i64::from(history.base_year) {
                    format!("add `{} = ...` under [base], its value in {y}", r.name)
                } else {
                    format!(
                        "add its values under [history], e.g. years = [{y}, ...] and {} = [...]",
                        r.name
                    )
                };
                p.push(
                    Problem::new(
                        path.clone(),
                        format!(
                            "`{}[t-{}]` in {reader} needs the value of `{}` in {y}, which the scenario does not give",
                            r.name, r.lag, r.name
                        ),
                    )
                    .hint(hint),
                );
            }
        }
    }
}

/// `year = 2026` of a target, as an index into the horizon.
fn target_year(
    item: &Value,
    path: &str,
    years: &[i32],
    default: usize,
    p: &mut Problems,
) -> Option<usize> {
    match item.get("year") {
        None => Some(default),
        Some(v) => match v
            .as_i64()
            .and_then(|y| years.iter().position(|&h| h as i64 == y))
        {
            Some(i) => Some(i),
            None => {
                p.push(
                    Problem::new(join(path, "year"), "is not a year of the horizon")
                        .value(show(v))
                        .hint(format!(
                            "use a year from {} to {}",
                            years[0],
                            years[years.len() - 1]
                        )),
                );
                None
            }
        },
    }
}

/// The item without the keys read here, for the one-year target reader.
fn without(item: &Value, keys: &[&str]) -> Value {
    match item {
        Value::Object(m) => {
            let mut m = m.clone();
            for k in keys {
                m.shift_remove(*k);
            }
            Value::Object(m)
        }
        other => other.clone(),
    }
}

fn indicator_names<'a>(s: &'a Checked) -> Vec<&'a str> {
    s.indicators.iter().map(|i| i.name.as_str()).collect()
}

fn year_target_sets(
    v: Option<&Value>,
    years: &[i32],
    s: &Checked,
    p: &mut Problems,
) -> Vec<YearTargetSet> {
    let names = indicator_names(s);
    let mut out = Vec::new();
    for (name, v, path) in validate::entries(v, "target_sets", p) {
        let Some(mut f) = Fields::of(v, &path, p) else {
            continue;
        };
        let m = validate::meta(&mut f, Kind::Level, p);
        let _ = f.opt_str("description", p);
        let tpath = f.child_path("targets");
        let mut targets: Vec<YearTarget> = Vec::new();
        match f.get("targets") {
            Some(Value::Array(items)) => {
                for (k, item) in items.iter().enumerate() {
                    let ipath = index(&tpath, k);
                    let year = target_year(item, &ipath, years, 0, p);
                    let t = validate::target(&without(item, &["year"]), &ipath, &names, s.drivers, p);
                    let (Some(year), Some(t)) = (year, t) else {
                        continue;
                    };
                    if targets
                        .iter()
                        .any(|o| o.target.indicator == t.indicator && o.year == year)
                    {
                        p.push(Problem::new(ipath, format!("a second target on `{}` in {} in the same set", names[t.indicator], years[year])).hint("a set holds one target per indicator and year; put alternatives in another target set"));
                    } else {
                        targets.push(YearTarget { year, target: t });
                    }
                }
            }
            Some(other) => p.push(Problem::new(
                tpath,
                format!("must be an array of targets, not {}", type_name(other)),
            )),
            None => p.push(
                Problem::new(path.clone(), "a target set needs `targets = [...]`").hint(
                    "for example targets = [{ indicator = \"gdp_growth\", year = 2026, at_least = 0.09 }]",
                ),
            ),
        }
        f.finish(p);
        out.push(YearTargetSet {
            name: name.to_string(),
            meta: m,
            targets,
        });
    }
    out
}

/// The first-year targets of each set, as one-year target sets: what a tool
/// that knows only one year sees of a multi-year scenario.
pub fn first_year_sets(sets: &[YearTargetSet]) -> Vec<TargetSet> {
    sets.iter()
        .map(|s| TargetSet {
            name: s.name.clone(),
            meta: s.meta.clone(),
            targets: s
                .targets
                .iter()
                .filter(|t| t.year == 0)
                .map(|t| t.target.clone())
                .collect(),
        })
        .collect()
}

fn plan_targets(
    v: &Value,
    years: &[i32],
    s: &Checked,
    history: &History,
    p: &mut Problems,
) -> Option<PlanTargets> {
    let names = indicator_names(s);
    let mut f = Fields::of(v, "plan_targets", p)?;
    let meta = validate::meta(&mut f, Kind::Level, p);
    let _ = f.opt_str("description", p);
    let mut targets = Vec::new();
    match f.get("targets") {
        Some(Value::Array(items)) => {
            for (k, item) in items.iter().enumerate() {
                let ipath = index("plan_targets.targets", k);
                let year = target_year(item, &ipath, years, years.len() - 1, p);
                let measure = match item.get("measure") {
                    None => Some(Measure::Level),
                    Some(m) => match m.as_str() {
                        Some("level") => Some(Measure::Level),
                        Some("cumulative_growth") => Some(Measure::CumulativeGrowth),
                        Some("average_growth") => Some(Measure::AverageGrowth),
                        other => {
                            p.push(
                                Problem::new(join(&ipath, "measure"), "must be \"level\", \"cumulative_growth\" or \"average_growth\"")
                                    .value(show(m))
                                    .maybe_hint(other.and_then(|o| did_you_mean(o, ["level", "cumulative_growth", "average_growth"]))),
                            );
                            None
                        }
                    },
                };
                let condition_on = match item.get("condition_on") {
                    None => None,
                    Some(c) => match c.as_str().and_then(|c| names.iter().position(|n| *n == c)) {
                        Some(i) => Some(Some(i)),
                        None => {
                            p.push(
                                Problem::new(join(&ipath, "condition_on"), "names no indicator")
                                    .value(show(c))
                                    .maybe_hint(c.as_str().and_then(|c| did_you_mean(c, names.iter().copied()))),
                            );
                            Some(None)
                        }
                    },
                };
                let t = validate::target(
                    &without(item, &["year", "measure", "condition_on"]),
                    &ipath,
                    &names,
                    s.drivers,
                    p,
                );
                let (Some(year), Some(measure), Some(t)) = (year, measure, t) else {
                    continue;
                };
                let Some(condition_on) = condition_on.unwrap_or(Some(t.indicator)) else {
                    continue;
                };
                let ind = names[t.indicator];
                let base_value = history.value(ind, history.base_year);
                if measure != Measure::Level && base_value.is_none_or(|b| b <= 0.0) {
                    p.push(
                        Problem::new(ipath.clone(), format!("a {} target on `{ind}` needs its positive value in {}, year 0", measure.name(), history.base_year))
                            .hint(format!("add `{ind} = ...` under [base]")),
                    );
                    continue;
                }
                targets.push(PlanTarget {
                    indicator: t.indicator,
                    year,
                    measure,
                    rule: t.rule,
                    wording: t.wording,
                    base_value,
                    condition_on,
                });
            }
        }
        Some(other) => p.push(Problem::new(
            "plan_targets.targets",
            format!("must be an array of targets, not {}", type_name(other)),
        )),
        None => p.push(
            Problem::new("plan_targets", "needs `targets = [...]`").hint(
                "for example targets = [{ indicator = \"gdp\", measure = \"average_growth\", at_least = 0.08 }]",
            ),
        ),
    }
    f.finish(p);
    Some(PlanTargets { meta, targets })
}

/// The formula with a caret under the offset, indented as in other messages.
fn caret(formula: &str, offset: usize) -> String {
    crate::model::expr::caret(formula, offset)
        .lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
