//! The workshop's controls: one per target threshold and per driver
//! parameter, found by walking the scenario's document, so that every
//! control's path is one [`crate::scenario::Editable`] accepts, written as
//! `[variants]` write it (`target_sets.draft.targets.0.at_least`).
//!
//! Values are shown in their unit: a rate's 0.09 as 9.0 with `%` (the page
//! divides by [`Control::scale`] before sending), a level in its unit.

use crate::render::lang::Lang;
use crate::scenario::{Kind, Scenario};
use serde_json::Value;

/// Where a control sits on the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Group {
    /// A target of the target set with this code name.
    Target { set: String },
    /// A target of the plan's end (`[plan_targets]`).
    Plan,
    /// A parameter of this driver.
    Driver { name: String },
}

/// One number a planner can change.
#[derive(Debug, Clone, PartialEq)]
pub struct Control {
    /// The dotted override path.
    pub path: String,
    pub group: Group,
    /// What the number is, in the page's language (`地区生产总值增速 ≥`).
    pub label: String,
    /// The value in the scenario, as written (0.09 for 9%).
    pub value: f64,
    /// Shown value = `value * scale` (100 for a rate, else 1).
    pub scale: f64,
    /// `%` or the unit, possibly empty.
    pub suffix: String,
    /// Slider step and range, in shown units.
    pub step: f64,
    pub min: f64,
    pub max: f64,
}

/// Rule keys of a target whose numbers are thresholds.
const RULE_KEYS: [&str; 4] = ["at_least", "at_most", "about", "tolerance"];

/// Driver parameters in the driver's own unit (so a rate's are percents);
/// the others (sigma, mu, shape, n, p, persistence) are pure numbers.
const UNIT_PARAMS: [&str; 9] = [
    "mean", "sd", "mode", "sd_low", "sd_high", "min", "max", "median", "value",
];

/// Driver parameters that are counts of trials and so whole numbers.
const WHOLE_PARAMS: [&str; 1] = ["n"];

/// Keys of a driver that are not numbers to change.
const NOT_PARAMS: [&str; 9] = [
    "dist", "label", "label_en", "unit", "kind", "note", "values", "probs", "weights",
];

/// Every control of the scenario's document, targets first (set by set),
/// then the plan's, then each driver's parameters, in the file's order.
pub fn of(doc: &Value, s: &Scenario, lang: Lang) -> Vec<Control> {
    let mut out = Vec::new();
    if let Some(sets) = doc.get("target_sets").and_then(Value::as_object) {
        for (set, body) in sets {
            let group = Group::Target { set: set.clone() };
            targets(
                body,
                &format!("target_sets.{set}"),
                group,
                s,
                lang,
                &mut out,
            );
        }
    }
    if let Some(body) = doc.get("plan_targets") {
        targets(body, "plan_targets", Group::Plan, s, lang, &mut out);
    }
    if let Some(drivers) = doc.get("drivers").and_then(Value::as_object) {
        for (name, d) in drivers {
            drivers_params(name, d, s, lang, &mut out);
        }
    }
    out
}

fn targets(
    body: &Value,
    prefix: &str,
    group: Group,
    s: &Scenario,
    lang: Lang,
    out: &mut Vec<Control>,
) {
    let Some(list) = body.get("targets").and_then(Value::as_array) else {
        return;
    };
    for (i, t) in list.iter().enumerate() {
        let Some(ind) = t.get("indicator").and_then(Value::as_str) else {
            continue;
        };
        let meta = s.indicator_index(ind).map(|k| &s.indicators[k].meta);
        let name = meta.map_or(ind, |m| lang.meta_label(m, ind));
        // A growth measure of a plan target is a rate whatever the indicator.
        let growth = t
            .get("measure")
            .and_then(Value::as_str)
            .is_some_and(|m| m.ends_with("growth"));
        let kind = if growth {
            Kind::Rate
        } else {
            meta.map_or(Kind::Level, |m| m.kind)
        };
        let unit = meta.and_then(|m| m.unit.clone()).unwrap_or_default();
        let year = t.get("year").and_then(Value::as_i64);
        let measure = t
            .get("measure")
            .and_then(Value::as_str)
            .filter(|m| *m != "level")
            .map(|m| {
                let words = match m {
                    "average_growth" => lang.t("年均增长", "average growth"),
                    "cumulative_growth" => lang.t("累计增长", "cumulative growth"),
                    other => other,
                };
                format!(" {words}")
            })
            .unwrap_or_default();
        let head = match year {
            Some(y) => format!("{name} {y}{measure}"),
            None => format!("{name}{measure}"),
        };
        let base = format!("{prefix}.targets.{i}");
        for key in RULE_KEYS {
            let Some(v) = t.get(key).and_then(Value::as_f64) else {
                continue;
            };
            let sign = match key {
                "at_least" => "≥",
                "at_most" => "≤",
                "about" => "≈",
                _ => "±",
            };
            let nonnegative = key == "tolerance";
            out.push(control(
                format!("{base}.{key}"),
                group.clone(),
                format!("{head} {sign}"),
                v,
                kind,
                &unit,
                nonnegative,
                false,
            ));
        }
        if let Some(range) = t.get("range").and_then(Value::as_array) {
            for (j, end) in range.iter().enumerate().take(2) {
                let Some(v) = end.as_f64() else { continue };
                let sign = if j == 0 { "≥" } else { "≤" };
                out.push(control(
                    format!("{base}.range.{j}"),
                    group.clone(),
                    format!("{head} {sign}"),
                    v,
                    kind,
                    &unit,
                    false,
                    false,
                ));
            }
        }
    }
}

fn drivers_params(name: &str, d: &Value, s: &Scenario, lang: Lang, out: &mut Vec<Control>) {
    let Some(map) = d.as_object() else {
        return;
    };
    let driver = s.drivers.iter().find(|x| x.name == name);
    let label = driver.map_or(name, |x| lang.meta_label(&x.meta, name));
    let kind = driver.map_or(Kind::Level, |x| x.meta.kind);
    let unit = driver.and_then(|x| x.meta.unit.clone()).unwrap_or_default();
    let years: &[i32] = s.horizon.as_ref().map_or(&[], |h| &h.years);
    let group = Group::Driver {
        name: name.to_string(),
    };
    for (key, v) in map {
        if NOT_PARAMS.contains(&key.as_str()) {
            continue;
        }
        let in_unit = UNIT_PARAMS.contains(&key.as_str());
        let (kind, unit) = if in_unit {
            (kind, unit.as_str())
        } else {
            (Kind::Level, "")
        };
        let whole = WHOLE_PARAMS.contains(&key.as_str());
        let nonnegative = !in_unit || key.starts_with("sd");
        let path = format!("drivers.{name}.{key}");
        match v {
            Value::Number(n) => {
                if let Some(x) = n.as_f64() {
                    let label = format!("{label} · {key}");
                    out.push(control(
                        path,
                        group.clone(),
                        label,
                        x,
                        kind,
                        unit,
                        nonnegative,
                        whole,
                    ));
                }
            }
            // A parameter given per year of a plan: one control per year.
            Value::Array(items) if items.len() == years.len() => {
                for (j, (item, y)) in items.iter().zip(years).enumerate() {
                    if let Some(x) = item.as_f64() {
                        out.push(control(
                            format!("{path}.{j}"),
                            group.clone(),
                            format!("{label} · {key} {y}"),
                            x,
                            kind,
                            unit,
                            nonnegative,
                            whole,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn control(
    path: String,
    group: Group,
    label: String,
    value: f64,
    kind: Kind,
    unit: &str,
    nonnegative: bool,
    whole: bool,
) -> Control {
    let (scale, suffix) = match kind {
        Kind::Rate => (100.0, "%".to_string()),
        _ => (1.0, unit.to_string()),
    };
    let shown = value * scale;
    let step = if whole || kind == Kind::Count {
        1.0
    } else if kind == Kind::Rate {
        0.1
    } else {
        step_of(shown)
    };
    // Half the value either side, and at least 20 steps (5 points for a
    // rate): room to try what a meeting proposes.
    let reach = (shown.abs() * 0.5)
        .max(step * 20.0)
        .max(if kind == Kind::Rate { 5.0 } else { 0.0 });
    let mut min = snap(shown - reach, step);
    let max = snap(shown + reach, step);
    if nonnegative {
        min = min.max(0.0);
    }
    Control {
        path,
        group,
        label,
        value,
        scale,
        suffix,
        step,
        min,
        max,
    }
}

/// A step of about a hundredth of the value: 1 for 280, 0.1 for 36.4,
/// 0.01 for 3.2.
fn step_of(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return 0.01;
    }
    10f64.powi(x.abs().log10().floor() as i32 - 2)
}

/// `x` rounded to a whole number of steps.
fn snap(x: f64, step: f64) -> f64 {
    clean((x / step).round() * step)
}

/// A number without the binary noise of scaling (9.000000000000002 → 9).
pub fn clean(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.10e}").parse().unwrap_or(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Editable;
    use std::path::Path;

    fn seed() -> Editable {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/seed-district.toml");
        Editable::load(&p).expect("seed district")
    }

    #[test]
    fn every_target_and_driver_parameter_of_the_seed_district_has_a_control_in_its_unit() {
        let e = seed();
        let c = of(e.document(), &e.scenario, Lang::Zh);
        // 10 draft and 6 city targets; 12 drivers: 3 split normals or
        // triangulars of 3 parameters, 7 normals of 2 (mean, sd), lognormal
        // (median, sigma) and 2 binomials (n, p).
        let targets = c
            .iter()
            .filter(|x| matches!(x.group, Group::Target { .. }))
            .count();
        assert_eq!(targets, 16);
        assert_eq!(c.len() - targets, 3 * 3 + 6 * 2 + 2 + 2 * 2);
        let gdp = &c[0];
        assert_eq!(gdp.path, "target_sets.draft.targets.0.at_least");
        assert_eq!(
            (gdp.value, gdp.scale, gdp.suffix.as_str()),
            (0.09, 100.0, "%")
        );
        assert_eq!(gdp.step, 0.1);
        assert_eq!((gdp.min, gdp.max), (4.0, 14.0));
        let fai = c
            .iter()
            .find(|x| x.path == "target_sets.draft.targets.6.at_least");
        let fai = fai.expect("fai_1 target");
        assert_eq!(
            (fai.value, fai.scale, fai.suffix.as_str(), fai.step),
            (280.0, 1.0, "亿元", 1.0)
        );
        let n = c.iter().find(|x| x.path == "drivers.new_scale_firms.n");
        assert_eq!(n.map(|x| x.step), Some(1.0));
        let sd = c
            .iter()
            .find(|x| x.path == "drivers.g_tertiary.sd")
            .expect("sd");
        // 2% less 5 points, kept at 0: a standard deviation is never negative.
        assert_eq!((sd.scale, sd.min, sd.max), (100.0, 0.0, 7.0));
    }

    #[test]
    fn every_control_path_is_one_the_scenario_accepts_unchanged() {
        let e = seed();
        let doc = e.document();
        let overrides: Vec<crate::scenario::Override> = of(doc, &e.scenario, Lang::En)
            .into_iter()
            .map(|c| crate::scenario::Override {
                path: c.path,
                value: serde_json::json!(c.value),
            })
            .collect();
        let changed = e.with(None, &overrides).expect("paths apply");
        assert_eq!(changed.target_sets, e.scenario.target_sets);
        let dists =
            |s: &Scenario| -> Vec<_> { s.drivers.iter().map(|d| d.distribution.clone()).collect() };
        assert_eq!(dists(&changed), dists(&e.scenario));
    }

    #[test]
    fn scaled_values_lose_their_binary_noise() {
        assert_eq!(clean(0.09 * 100.0), 9.0);
        assert_eq!(clean(0.115 * 100.0), 11.5);
        assert_eq!(step_of(36.4), 0.1);
        assert_eq!(step_of(3.2), 0.01);
    }
}
