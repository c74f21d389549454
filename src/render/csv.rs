//! CSV tables for spreadsheets: `indicators.csv` (one row per indicator)
//! and `targets.csv` (one row per target, plus one `ALL` row per set with
//! the joint probability). Values are raw numbers (rates as fractions), so a
//! spreadsheet can compute with them.

use super::Export;
use crate::scenario::Rule;
use crate::summary::{IndicatorSummary, QUANTILE_LEVELS, Summary};

pub struct IndicatorsCsv;
pub struct TargetsCsv;

pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    // Writing into memory cannot fail.
    w.into_inner().unwrap_or_default()
}

pub(crate) fn num(x: f64) -> String {
    x.to_string()
}

/// The rule's name and its threshold, low and high cells (empty where the
/// rule has none; `about` gives its centre and both bounds).
pub(crate) fn rule_cells(rule: &Rule) -> (&'static str, String, String, String) {
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

/// Header of an indicator row: name, labels, moments, quantiles.
pub(crate) fn indicator_header() -> Vec<String> {
    let mut header: Vec<String> = [
        "indicator",
        "label",
        "label_en",
        "unit",
        "kind",
        "mean",
        "sd",
        "min",
        "max",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    header.extend(QUANTILE_LEVELS.iter().map(|(n, _)| n.to_string()));
    header
}

/// The cells of one indicator row, matching [`indicator_header`].
pub(crate) fn indicator_cells(name: &str, ind: &IndicatorSummary) -> Vec<String> {
    let mut row = vec![
        name.to_string(),
        ind.label.clone().unwrap_or_default(),
        ind.label_en.clone().unwrap_or_default(),
        ind.unit.clone().unwrap_or_default(),
        format!("{:?}", ind.kind).to_lowercase(),
        num(ind.mean),
        num(ind.sd),
        num(ind.min),
        num(ind.max),
    ];
    row.extend(ind.quantiles.pairs().iter().map(|(_, v)| num(*v)));
    row
}

impl Export for IndicatorsCsv {
    fn file_name(&self) -> &'static str {
        "indicators.csv"
    }

    fn render(&self, s: &Summary) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record(indicator_header());
        for (name, ind) in &s.indicators {
            let _ = w.write_record(indicator_cells(name, ind));
        }
        finish(w)
    }
}

impl Export for TargetsCsv {
    fn file_name(&self) -> &'static str {
        "targets.csv"
    }

    fn render(&self, s: &Summary) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let _ = w.write_record([
            "target_set",
            "indicator",
            "rule",
            "threshold",
            "low",
            "high",
            "probability",
            "se",
        ]);
        for (set_name, set) in &s.target_sets {
            for (ind, t) in &set.targets {
                let (rule, threshold, low, high) = rule_cells(&t.rule);
                let _ = w.write_record([
                    set_name,
                    ind,
                    rule,
                    &threshold,
                    &low,
                    &high,
                    &num(t.probability),
                    &num(t.se),
                ]);
            }
            let _ = w.write_record([
                set_name,
                "ALL",
                "joint",
                "",
                "",
                "",
                &num(set.joint_probability),
                &num(set.joint_se),
            ]);
        }
        finish(w)
    }
}
