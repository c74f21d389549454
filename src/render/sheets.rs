//! What goes on each sheet of the workbooks: `results.xlsx` (`run`),
//! `calibration.xlsx` (`calibrate`) and `comparison.xlsx` (`compare`).
//!
//! - `结论` (headline): per target set, its label, the probability that all
//!   its targets are met together and its standard error, with a bar chart
//!   of those probabilities;
//! - `目标` (targets): per set and target, the indicator's label, the
//!   wording, the rule and its numbers, P(met) and its standard error, and
//!   (calibrate) the verdict and the recommended threshold;
//! - `指标` (indicators): per indicator (and year, for a plan) label, unit,
//!   mean, sd, min, max and the quantiles;
//! - `敏感性` (run): per targeted indicator (a plan: per year) and driver, how much
//!   the driver decides it;
//! - `路径` (plans): the plan targets, their required path and whether they
//!   stay reachable if next year's target is met;
//! - `对比` (compare): every set's target on every indicator side by side,
//!   and each variant against the base.
//!
//! Values keep the full double of the JSON files; the sheet's number format
//! decides how they show.

use super::workbook::{BarChart, Shown, Table, Value};
use crate::calibrate::Calibration;
use crate::compare::Comparison;
use crate::scenario::{Kind, Rule};
use crate::summary::QUANTILE_LEVELS;
use crate::summary::Summary;

/// Rows of a table start below its two header rows.
const FIRST_ROW: u32 = 2;

fn num(x: f64, shown: Shown) -> Value {
    Value::num(x, shown)
}

fn text(s: &str) -> Value {
    Value::text(s)
}

/// The rule's name and its threshold, low and high (as in `targets.csv`).
fn rule_values(rule: &Rule, shown: Shown) -> [Value; 4] {
    match *rule {
        Rule::AtLeast { threshold } => [
            text("at_least"),
            num(threshold, shown),
            Value::Empty,
            Value::Empty,
        ],
        Rule::AtMost { threshold } => [
            text("at_most"),
            num(threshold, shown),
            Value::Empty,
            Value::Empty,
        ],
        Rule::About { value, tolerance } => [
            text("about"),
            num(value, shown),
            num(value - tolerance, shown),
            num(value + tolerance, shown),
        ],
        Rule::Range { low, high } => [
            text("range"),
            Value::Empty,
            num(low, shown),
            num(high, shown),
        ],
    }
}

fn headline(
    sets: impl Iterator<Item = (String, Option<String>, f64, f64, usize)>,
) -> (Table, BarChart) {
    let mut t = Table::new(
        "结论",
        &[
            "target_set",
            "set_label",
            "targets",
            "joint_probability",
            "joint_se",
        ],
    );
    for (name, label, p, se, n) in sets {
        t.push(vec![
            text(&name),
            Value::opt_text(label.as_deref()),
            num(n as f64, Shown::Count),
            num(p, Shown::Percent),
            num(se, Shown::FinePercent),
        ]);
    }
    let last = FIRST_ROW + t.rows.len().max(1) as u32 - 1;
    let chart = BarChart {
        on: "结论",
        title: "全部目标同时实现的概率 P(all targets met)".into(),
        from: "结论",
        rows: (FIRST_ROW, last),
        category: 0,
        value: 3,
    };
    (t, chart)
}

/// The sheets of `results.xlsx` and the chart on `结论`.
pub fn results(s: &Summary) -> (Vec<Table>, Vec<BarChart>) {
    let plan = s.is_plan();
    let mut sets: Vec<(String, Option<String>, f64, f64, usize)> = s
        .target_sets
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                t.label.clone(),
                t.joint_probability,
                t.joint_se,
                t.targets.len(),
            )
        })
        .collect();
    if let Some(p) = &s.plan_targets {
        sets.push((
            "plan".into(),
            p.label.clone(),
            p.joint_probability,
            p.joint_se,
            p.targets.len(),
        ));
    }
    let (head, chart) = headline(sets.into_iter());
    let mut tables = vec![head];

    let mut cols = vec!["target_set", "set_label"];
    if plan {
        cols.push("year");
    }
    cols.extend(["indicator", "label", "wording"]);
    if plan {
        cols.push("measure");
    }
    cols.extend(["rule", "threshold", "low", "high", "probability", "se"]);
    let mut targets = Table::new("目标", &cols);
    let kind_of = |name: &str, year: Option<i32>| {
        s.indicator(name, year)
            .or_else(|| s.indicators().get(name))
            .map_or(Kind::Level, |i| i.kind)
    };
    let label_of = |name: &str| s.indicators().get(name).and_then(|i| i.label.clone());
    for (set, ts) in &s.target_sets {
        for t in &ts.targets {
            let mut row = vec![text(set), Value::opt_text(ts.label.as_deref())];
            if plan {
                row.push(t.year.map_or(Value::Empty, |y| num(y as f64, Shown::Count)));
            }
            row.extend([
                text(&t.indicator),
                Value::opt_text(label_of(&t.indicator).as_deref()),
                Value::opt_text(t.wording.as_deref()),
            ]);
            if plan {
                row.push(text("level"));
            }
            row.extend(rule_values(
                &t.rule,
                Shown::of(kind_of(&t.indicator, t.year)),
            ));
            row.extend([
                num(t.probability, Shown::Percent),
                num(t.se, Shown::FinePercent),
            ]);
            targets.push(row);
        }
    }
    if let Some(p) = &s.plan_targets {
        for t in &p.targets {
            let shown = match t.measure.name() {
                "level" => Shown::of(kind_of(&t.indicator, Some(t.year))),
                _ => Shown::Percent,
            };
            let mut row = vec![
                text("plan"),
                Value::opt_text(p.label.as_deref()),
                num(t.year as f64, Shown::Count),
                text(&t.indicator),
                Value::opt_text(label_of(&t.indicator).as_deref()),
                Value::opt_text(t.wording.as_deref()),
                text(t.measure.name()),
            ];
            row.extend(rule_values(&t.rule, shown));
            row.extend([
                num(t.probability, Shown::Percent),
                num(t.se, Shown::FinePercent),
            ]);
            targets.push(row);
        }
    }
    tables.push(targets);

    let mut cols = Vec::new();
    if plan {
        cols.push("year");
    }
    cols.extend([
        "indicator",
        "label",
        "label_en",
        "unit",
        "kind",
        "mean",
        "sd",
        "min",
        "max",
    ]);
    cols.extend(QUANTILE_LEVELS.iter().map(|(n, _)| *n));
    let mut inds = Table::new("指标", &cols);
    for year in &s.years {
        for (name, i) in &year.indicators {
            let shown = Shown::of(i.kind);
            let mut row = Vec::new();
            if plan {
                row.push(
                    year.year
                        .map_or(Value::Empty, |y| num(y as f64, Shown::Count)),
                );
            }
            row.extend([
                text(name),
                Value::opt_text(i.label.as_deref()),
                Value::opt_text(i.label_en.as_deref()),
                Value::opt_text(i.unit.as_deref()),
                text(&format!("{:?}", i.kind).to_lowercase()),
                num(i.mean, shown),
                // A rate's spread reads in points of percent, too.
                num(i.sd, shown),
                num(i.min, shown),
                num(i.max, shown),
            ]);
            row.extend(i.quantiles.pairs().iter().map(|(_, v)| num(*v, shown)));
            inds.push(row);
        }
    }
    tables.push(inds);

    if let Some(sens) = &s.sensitivity {
        let mut t = Table::new(
            "敏感性",
            &[
                "indicator",
                "label",
                "driver",
                "rank_correlation",
                "variance_share",
                "at_p10",
                "at_p90",
                "swing",
            ],
        );
        for (name, ind) in &sens.indicators {
            let shown = Shown::of(kind_of(name, None));
            for (driver, d) in &ind.drivers {
                let opt = |x: Option<f64>, sh: Shown| x.map_or(Value::Empty, |x| num(x, sh));
                t.push(vec![
                    text(name),
                    Value::opt_text(label_of(name).as_deref()),
                    text(driver),
                    opt(d.rank_correlation, Shown::Coefficient),
                    opt(d.variance_share, Shown::Percent),
                    opt(d.at_p10, shown),
                    opt(d.at_p90, shown),
                    opt(d.swing, shown),
                ]);
            }
        }
        tables.push(t);
    }

    if let Some(p) = &s.plan_targets {
        let mut cols = vec![
            "indicator",
            "label",
            "year",
            "measure",
            "row",
            "from_year",
            "to_year",
            "given",
            "value",
            "probability",
            "se",
            "mean",
        ];
        cols.extend(QUANTILE_LEVELS.iter().map(|(n, _)| *n));
        let mut t = Table::new("路径", &cols);
        for pt in &p.targets {
            let lead = || {
                vec![
                    text(&pt.indicator),
                    Value::opt_text(label_of(&pt.indicator).as_deref()),
                    num(pt.year as f64, Shown::Count),
                    text(pt.measure.name()),
                ]
            };
            if let Some(rp) = &pt.required_path {
                for (what, mean, q) in [
                    (
                        "required_average_growth",
                        num(rp.mean, Shown::Percent),
                        &rp.quantiles,
                    ),
                    ("simulated_average_growth", Value::Empty, &rp.simulated),
                ] {
                    let mut row = lead();
                    row.extend([
                        text(what),
                        num(rp.from_year as f64, Shown::Count),
                        num(rp.to_year as f64, Shown::Count),
                        Value::Empty,
                        Value::Empty,
                        Value::Empty,
                        Value::Empty,
                        mean,
                    ]);
                    row.extend(q.pairs().iter().map(|(_, v)| num(*v, Shown::Percent)));
                    t.push(row);
                }
            }
            for r in &pt.reachable_if_met {
                let mut row = lead();
                row.extend([
                    text("reachable_if_met"),
                    Value::Empty,
                    Value::Empty,
                    text(&format!("{}.{}", r.target_set, r.indicator)),
                    num(r.value, Shown::of(kind_of(&r.indicator, None))),
                    num(r.probability, Shown::Percent),
                    num(r.se, Shown::FinePercent),
                ]);
                t.push(row);
            }
        }
        tables.push(t);
    }
    (tables, vec![chart])
}

/// `results.xlsx`.
pub fn results_xlsx(s: &Summary) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let (tables, charts) = results(s);
    super::workbook::write(&tables, &charts)
}

/// The calibration's target table (`calibration.csv` and the sheet `目标`).
pub fn calibration_targets(c: &Calibration) -> Table {
    let mut t = Table::new(
        "目标",
        &[
            "target_set",
            "set_label",
            "indicator",
            "label",
            "rule",
            "threshold",
            "low",
            "high",
            "probability",
            "se",
            "verdict",
            "recommended",
            "recommended_probability",
            "confidence",
        ],
    );
    for (name, tc) in &c.targets {
        let shown = Shown::of(tc.kind);
        let mut row = vec![
            text(&c.set),
            Value::opt_text(c.set_label.as_deref()),
            text(name),
            Value::opt_text(tc.label.as_deref()),
        ];
        row.extend(rule_values(&tc.draft, shown));
        row.extend([
            num(tc.probability, Shown::Percent),
            num(tc.se, Shown::FinePercent),
            text(tc.verdict.words()),
            num(tc.recommended, shown),
            num(tc.recommended_probability, Shown::Percent),
            num(c.confidence, Shown::Percent),
        ]);
        t.push(row);
    }
    t
}

/// `calibration.xlsx`: the headline (the draft's and the recommended
/// thresholds' joint probabilities) and the targets.
pub fn calibration_xlsx(c: &Calibration) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut head = Table::new(
        "结论",
        &[
            "target_set",
            "set_label",
            "row",
            "joint_probability",
            "confidence",
        ],
    );
    for (row, p) in [
        ("draft", c.draft_joint_probability),
        ("recommended", c.recommended_joint_probability),
    ] {
        head.push(vec![
            text(&c.set),
            Value::opt_text(c.set_label.as_deref()),
            text(row),
            num(p, Shown::Percent),
            num(c.confidence, Shown::Percent),
        ]);
    }
    let chart = BarChart {
        on: "结论",
        title: "全部目标同时实现的概率：草案与建议 P(all met): draft and recommended".into(),
        from: "结论",
        rows: (FIRST_ROW, FIRST_ROW + 1),
        category: 2,
        value: 3,
    };
    super::workbook::write(&[head, calibration_targets(c)], &[chart])
}

/// The comparison table (`comparison.csv` and the sheet `对比`): one row
/// per indicator and set with a target on it, then one row per variant,
/// set and target against the base.
pub fn comparison_table(c: &Comparison) -> Table {
    let mut t = Table::new(
        "对比",
        &[
            "variant",
            "target_set",
            "indicator",
            "label",
            "p50",
            "rule",
            "threshold",
            "low",
            "high",
            "probability",
            "se",
            "difference",
            "difference_se",
        ],
    );
    for (name, row) in &c.indicators {
        let shown = Shown::of(row.kind);
        for (set, st) in &row.targets {
            let mut r = vec![
                text("base"),
                text(set),
                text(name),
                Value::opt_text(row.label.as_deref()),
                num(row.median, shown),
            ];
            r.extend(rule_values(&st.rule, shown));
            r.extend([
                num(st.probability, Shown::Percent),
                num(st.se, Shown::FinePercent),
                Value::Empty,
                Value::Empty,
            ]);
            t.push(r);
        }
    }
    for (variant, v) in &c.variants {
        for (set, vs) in &v.sets {
            t.push(vec![
                text(variant),
                text(set),
                text("ALL"),
                Value::opt_text(v.label.as_deref()),
                Value::Empty,
                text("joint"),
                Value::Empty,
                Value::Empty,
                Value::Empty,
                num(vs.joint_probability, Shown::Percent),
                Value::Empty,
                num(vs.joint_change, Shown::Percent),
                num(vs.joint_change_se, Shown::FinePercent),
            ]);
            for (ind, vt) in &vs.targets {
                let kind = c.indicators.get(ind).map_or(Kind::Level, |r| r.kind);
                let label = c.indicators.get(ind).and_then(|r| r.label.as_deref());
                let mut r = vec![
                    text(variant),
                    text(set),
                    text(ind),
                    Value::opt_text(label),
                    Value::Empty,
                ];
                r.extend(rule_values(&vt.rule, Shown::of(kind)));
                r.extend([
                    num(vt.probability, Shown::Percent),
                    Value::Empty,
                    num(vt.change, Shown::Percent),
                    num(vt.change_se, Shown::FinePercent),
                ]);
                t.push(r);
            }
        }
    }
    t
}

/// `comparison.xlsx`: the sets' joint probabilities, and the comparison.
pub fn comparison_xlsx(c: &Comparison) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let sets = c.sets.iter().map(|(n, s)| {
        let count = c
            .indicators
            .values()
            .filter(|r| r.targets.contains_key(n))
            .count();
        (
            n.clone(),
            s.label.clone(),
            s.joint_probability,
            s.joint_se,
            count,
        )
    });
    let (head, chart) = headline(sets);
    super::workbook::write(&[head, comparison_table(c)], &[chart])
}
