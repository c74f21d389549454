//! CSV tables for spreadsheets: `indicators.csv` (one row per indicator)
//! and `targets.csv` (one row per target, plus one `ALL` row per set with
//! the joint probability). Values are numbers (rates as fractions), so a
//! spreadsheet can compute with them, rounded to ten significant digits;
//! text is kept from reading as a formula, and the file starts with a
//! byte-order mark (all three in [`super::cells`]).

use super::Export;
use super::cells;
use crate::scenario::Rule;
use crate::summary::{IndicatorSummary, QUANTILE_LEVELS, Summary};

pub struct IndicatorsCsv;
pub struct TargetsCsv;

pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
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

/// Columns added at the end of every `targets.csv` row: the indicator's
/// labels and unit, the target's wording and the set's label.
pub(crate) const TARGET_LABEL_COLUMNS: [&str; 5] =
    ["label", "label_en", "unit", "wording", "set_label"];

/// The cells of [`TARGET_LABEL_COLUMNS`].
pub(crate) fn target_label_cells(
    ind: Option<&IndicatorSummary>,
    wording: Option<&str>,
    set_label: Option<&str>,
) -> [String; 5] {
    let t = |s: Option<&String>| text(s.map_or("", |s| s.as_str()));
    [
        t(ind.and_then(|i| i.label.as_ref())),
        t(ind.and_then(|i| i.label_en.as_ref())),
        t(ind.and_then(|i| i.unit.as_ref())),
        text(wording.unwrap_or("")),
        text(set_label.unwrap_or("")),
    ]
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
        let mut header = vec![
            "target_set",
            "indicator",
            "rule",
            "threshold",
            "low",
            "high",
            "probability",
            "se",
        ];
        header.extend(TARGET_LABEL_COLUMNS);
        let _ = w.write_record(header);
        for (set_name, set) in &s.target_sets {
            let set_name = text(set_name);
            let set_label = set.label.as_deref();
            for (ind, t) in &set.targets {
                let (rule, threshold, low, high) = rule_cells(&t.rule);
                let labels =
                    target_label_cells(s.indicators.get(ind), t.wording.as_deref(), set_label);
                let mut row = vec![
                    set_name.clone(),
                    text(ind),
                    rule.to_string(),
                    threshold,
                    low,
                    high,
                    num(t.probability),
                    num(t.se),
                ];
                row.extend(labels);
                let _ = w.write_record(&row);
            }
            let mut row = vec![
                set_name.clone(),
                "ALL".into(),
                "joint".into(),
                String::new(),
                String::new(),
                String::new(),
                num(set.joint_probability),
                num(set.joint_se),
            ];
            row.extend(target_label_cells(None, None, set_label));
            let _ = w.write_record(&row);
        }
        finish(w)
    }
}
