//! CSV tables for spreadsheets: `indicators.csv` (one row per indicator)
//! and `targets.csv` (one row per target, plus one `ALL` row per set with
//! the joint probability). Values are raw numbers (rates as fractions), so a
//! spreadsheet can compute with them.

use super::Export;
use crate::scenario::Rule;
use crate::summary::{QUANTILE_LEVELS, Summary};

pub struct IndicatorsCsv;
pub struct TargetsCsv;

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    // Writing into memory cannot fail.
    w.into_inner().unwrap_or_default()
}

fn num(x: f64) -> String {
    x.to_string()
}

impl Export for IndicatorsCsv {
    fn file_name(&self) -> &'static str {
        "indicators.csv"
    }

    fn render(&self, s: &Summary) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
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
        let _ = w.write_record(&header);
        for (name, ind) in &s.indicators {
            let mut row = vec![
                name.clone(),
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
            let _ = w.write_record(&row);
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
                let (rule, threshold, low, high) = match t.rule {
                    Rule::AtLeast { threshold } => {
                        ("at_least", num(threshold), String::new(), String::new())
                    }
                    Rule::AtMost { threshold } => {
                        ("at_most", num(threshold), String::new(), String::new())
                    }
                    Rule::About { value, tolerance } => (
                        "about",
                        num(value),
                        num(value - tolerance),
                        num(value + tolerance),
                    ),
                    Rule::Range { low, high } => ("range", String::new(), num(low), num(high)),
                };
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
