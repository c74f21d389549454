//! CSV tables for spreadsheets, one writer for one-year runs and plans:
//! - `indicators.csv`: one row per indicator (a plan: per year and
//!   indicator, with a leading `year` column);
//! - `targets.csv`: one row per target, plus one `ALL` row per set with the
//!   joint probability (a plan: with `year` and `measure` columns, and its
//!   plan targets under the set name `plan`);
//! - `required_path.csv` (plans): the average growth the remaining years
//!   would need, and whether the plan stays reachable if next year's
//!   target is met.
//!
//! Values are numbers (rates as fractions), so a spreadsheet can compute
//! with them, rounded to ten significant digits; text is kept from reading
//! as a formula, and every file starts with a byte-order mark (all three
//! decided in [`super::cells`]). `targets.csv` ends each row with the
//! indicator's labels and unit, the target's wording and the set's label.

use super::cells;
use crate::scenario::Rule;
use crate::summary::{IndicatorSummary, QUANTILE_LEVELS, Summary};

/// The CSV files of a run, by name.
pub fn files(s: &Summary) -> Vec<(&'static str, Vec<u8>)> {
    let mut files = vec![
        ("indicators.csv", indicators(s)),
        ("targets.csv", targets(s)),
    ];
    if s.is_plan() {
        files.push(("required_path.csv", required_path(s)));
    }
    files
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    // Writing into memory cannot fail.
    cells::csv_file(&w.into_inner().unwrap_or_default())
}

pub(crate) fn num(x: f64) -> String {
    cells::display(x)
}

/// A text cell that cannot run as a formula.
pub(crate) fn text(s: &str) -> String {
    cells::text(s).into_owned()
}

/// Columns added at the end of every `targets.csv` row.
const TARGET_LABEL_COLUMNS: [&str; 5] = ["label", "label_en", "unit", "wording", "set_label"];

/// The rule's name and its threshold, low and high cells (empty where the
/// rule has none; `about` gives its centre and both bounds).
fn rule_cells(rule: &Rule) -> (&'static str, String, String, String) {
    match *rule {
        Rule::AtLeast { threshold } => ("at_least", num(threshold), String::new(), String::new()),
        Rule::AtMost { threshold } => ("at_most", num(threshold), String::new(), String::new()),
        Rule::About { value, tolerance } => (
            "about",
            num(value),
            num(value - tolerance),
            num(value + tolerance),
        ),
        Rule::Range { low, high } => ("range", String::new(), num(low), num(high)),
    }
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// `indicators.csv`: [year,] indicator, labels, unit, kind, mean, sd, min,
/// max, p01 … p99.
pub fn indicators(s: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let plan = s.is_plan();
    let mut header = if plan { strings(&["year"]) } else { Vec::new() };
    header.extend(strings(&[
        "indicator",
        "label",
        "label_en",
        "unit",
        "kind",
        "mean",
        "sd",
        "min",
        "max",
    ]));
    header.extend(QUANTILE_LEVELS.iter().map(|(n, _)| n.to_string()));
    let _ = w.write_record(&header);
    for year in &s.years {
        for (name, ind) in &year.indicators {
            let mut row = match year.year.filter(|_| plan) {
                Some(y) => vec![y.to_string()],
                None => Vec::new(),
            };
            row.extend(indicator_cells(name, ind));
            let _ = w.write_record(&row);
        }
    }
    finish(w)
}

fn indicator_cells(name: &str, ind: &IndicatorSummary) -> Vec<String> {
    let mut row = vec![
        text(name),
        text(ind.label.as_deref().unwrap_or_default()),
        text(ind.label_en.as_deref().unwrap_or_default()),
        text(ind.unit.as_deref().unwrap_or_default()),
        format!("{:?}", ind.kind).to_lowercase(),
        num(ind.mean),
        num(ind.sd),
        num(ind.min),
        num(ind.max),
    ];
    row.extend(ind.quantiles.pairs().iter().map(|(_, v)| num(*v)));
    row
}

/// One row of `targets.csv`, before the layout picks its columns.
struct TargetRow<'a> {
    set: &'a str,
    year: Option<i32>,
    indicator: &'a str,
    measure: &'static str,
    rule: Option<&'a Rule>,
    probability: f64,
    se: f64,
    wording: Option<&'a str>,
    set_label: Option<&'a str>,
}

/// `targets.csv`: target_set, [year,] indicator, [measure,] rule, threshold,
/// low, high, probability, se.
pub fn targets(s: &Summary) -> Vec<u8> {
    let mut rows = Vec::new();
    for (set, ts) in &s.target_sets {
        for t in &ts.targets {
            rows.push(TargetRow {
                set,
                year: t.year,
                indicator: &t.indicator,
                measure: "level",
                rule: Some(&t.rule),
                probability: t.probability,
                se: t.se,
                wording: t.wording.as_deref(),
                set_label: ts.label.as_deref(),
            });
        }
        rows.push(TargetRow {
            set,
            year: None,
            indicator: "ALL",
            measure: "",
            rule: None,
            probability: ts.joint_probability,
            se: ts.joint_se,
            wording: None,
            set_label: ts.label.as_deref(),
        });
    }
    if let Some(plan) = &s.plan_targets {
        for t in &plan.targets {
            rows.push(TargetRow {
                set: "plan",
                year: Some(t.year),
                indicator: &t.indicator,
                measure: t.measure.name(),
                rule: Some(&t.rule),
                probability: t.probability,
                se: t.se,
                wording: t.wording.as_deref(),
                set_label: plan.label.as_deref(),
            });
        }
        rows.push(TargetRow {
            set: "plan",
            year: None,
            indicator: "ALL",
            measure: "",
            rule: None,
            probability: plan.joint_probability,
            se: plan.joint_se,
            wording: None,
            set_label: plan.label.as_deref(),
        });
    }
    let plan = s.is_plan();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header: &[&str] = if plan {
        &[
            "target_set",
            "year",
            "indicator",
            "measure",
            "rule",
            "threshold",
            "low",
            "high",
            "probability",
            "se",
        ]
    } else {
        &[
            "target_set",
            "indicator",
            "rule",
            "threshold",
            "low",
            "high",
            "probability",
            "se",
        ]
    };
    let mut header = header.to_vec();
    header.extend(TARGET_LABEL_COLUMNS);
    let _ = w.write_record(header);
    for r in rows {
        let (rule, threshold, low, high) = match r.rule {
            Some(rule) => rule_cells(rule),
            None => ("joint", String::new(), String::new(), String::new()),
        };
        let mut row = vec![text(r.set)];
        if plan {
            row.push(r.year.map(|y| y.to_string()).unwrap_or_default());
        }
        row.push(text(r.indicator));
        if plan {
            row.push(r.measure.to_string());
        }
        row.extend([
            rule.to_string(),
            threshold,
            low,
            high,
            num(r.probability),
            num(r.se),
        ]);
        // The labels of the indicator (of the target's year, else the first).
        let ind = s
            .indicator(r.indicator, r.year)
            .or_else(|| s.indicators().get(r.indicator))
            .filter(|_| r.rule.is_some());
        let t = |x: Option<&String>| text(x.map_or("", |x| x.as_str()));
        row.extend([
            t(ind.and_then(|i| i.label.as_ref())),
            t(ind.and_then(|i| i.label_en.as_ref())),
            t(ind.and_then(|i| i.unit.as_ref())),
            text(r.wording.unwrap_or("")),
            text(r.set_label.unwrap_or("")),
        ]);
        let _ = w.write_record(&row);
    }
    finish(w)
}

/// `required_path.csv`: per plan target, the quantiles of the average annual
/// growth the years after the first would need, then one row per target set
/// with the probability the plan stays reachable if next year's target is
/// met exactly.
pub fn required_path(s: &Summary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = strings(&[
        "indicator",
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
    ]);
    header.extend(QUANTILE_LEVELS.iter().map(|(n, _)| n.to_string()));
    let _ = w.write_record(&header);
    let Some(plan) = &s.plan_targets else {
        return finish(w);
    };
    let blank = String::new;
    for t in &plan.targets {
        let lead = [
            text(&t.indicator),
            t.year.to_string(),
            t.measure.name().to_string(),
        ];
        if let Some(rp) = &t.required_path {
            let years = [rp.from_year.to_string(), rp.to_year.to_string()];
            for (what, mean, q) in [
                ("required_average_growth", num(rp.mean), &rp.quantiles),
                ("simulated_average_growth", blank(), &rp.simulated),
            ] {
                let mut row = lead.to_vec();
                row.push(what.to_string());
                row.extend(years.iter().cloned());
                row.extend([blank(), blank(), blank(), blank(), mean]);
                row.extend(q.pairs().iter().map(|(_, v)| num(*v)));
                let _ = w.write_record(&row);
            }
        }
        for r in &t.reachable_if_met {
            let mut row = lead.to_vec();
            row.extend([
                "reachable_if_met".to_string(),
                blank(),
                blank(),
                text(&format!("{}.{}", r.target_set, r.indicator)),
                num(r.value),
                num(r.probability),
                num(r.se),
                blank(),
            ]);
            row.extend(QUANTILE_LEVELS.iter().map(|_| blank()));
            let _ = w.write_record(&row);
        }
    }
    finish(w)
}
