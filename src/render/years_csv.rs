//! CSV tables of a multi-year run: `indicators.csv` with one row per year and
//! indicator, `targets.csv` with one row per target and year (plus an `ALL`
//! row per set), the plan targets under the set name `plan`, and
//! `required_path.csv` with the average growth the remaining years would need.
//! Numbers, text and the byte-order mark as in the one-year files.

use super::csv::{
    TARGET_LABEL_COLUMNS, finish, indicator_cells, indicator_header, num, rule_cells,
    target_label_cells, text,
};
use crate::summary::QUANTILE_LEVELS;
use crate::summary::years::YearSummary;

/// `indicators.csv`: year, indicator, labels, mean, sd, min, max, p01 … p99.
pub fn indicators(s: &YearSummary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["year".to_string()];
    header.extend(indicator_header());
    let _ = w.write_record(&header);
    for (year, results) in &s.years {
        for (name, ind) in &results.indicators {
            let mut row = vec![year.clone()];
            row.extend(indicator_cells(name, &ind.summary));
            let _ = w.write_record(&row);
        }
    }
    finish(w)
}

/// The first year's summary of an indicator, for its labels.
fn labels_of<'a>(s: &'a YearSummary, name: &str) -> Option<&'a crate::summary::IndicatorSummary> {
    s.years
        .values()
        .next()
        .and_then(|y| y.indicators.get(name))
        .map(|i| &i.summary)
}

/// `targets.csv`: target_set, year, indicator, measure, rule, threshold,
/// low, high, probability, se, then label, label_en, unit, wording, set_label.
pub fn targets(s: &YearSummary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
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
    ];
    header.extend(TARGET_LABEL_COLUMNS);
    let _ = w.write_record(header);
    for (set_name, set) in &s.target_sets {
        let set_name = text(set_name);
        let set_label = set.label.as_deref();
        for t in &set.targets {
            let (rule, threshold, low, high) = rule_cells(&t.rule);
            let mut row = vec![
                set_name.clone(),
                t.year.to_string(),
                text(&t.indicator),
                "level".into(),
                rule.into(),
                threshold,
                low,
                high,
                num(t.probability),
                num(t.se),
            ];
            row.extend(target_label_cells(
                labels_of(s, &t.indicator),
                t.wording.as_deref(),
                set_label,
            ));
            let _ = w.write_record(&row);
        }
        let mut row = vec![
            set_name.clone(),
            String::new(),
            "ALL".into(),
            String::new(),
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
    if let Some(plan) = &s.plan_targets {
        let set_label = plan.label.as_deref();
        for t in &plan.targets {
            let (rule, threshold, low, high) = rule_cells(&t.rule);
            let mut row = vec![
                "plan".to_string(),
                t.year.to_string(),
                text(&t.indicator),
                t.measure.name().into(),
                rule.into(),
                threshold,
                low,
                high,
                num(t.probability),
                num(t.se),
            ];
            row.extend(target_label_cells(
                labels_of(s, &t.indicator),
                t.wording.as_deref(),
                set_label,
            ));
            let _ = w.write_record(&row);
        }
        let mut row = vec![
            "plan".to_string(),
            String::new(),
            "ALL".into(),
            String::new(),
            "joint".into(),
            String::new(),
            String::new(),
            String::new(),
            num(plan.joint_probability),
            num(plan.joint_se),
        ];
        row.extend(target_label_cells(None, None, set_label));
        let _ = w.write_record(&row);
    }
    finish(w)
}

/// `required_path.csv`: per plan target, the quantiles of the average annual
/// growth the years after the first would need, then one row per target set
/// with the probability the plan stays reachable if next year's target is
/// met exactly.
pub fn required_path(s: &YearSummary) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
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
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    header.extend(QUANTILE_LEVELS.iter().map(|(n, _)| n.to_string()));
    let _ = w.write_record(&header);
    let Some(plan) = &s.plan_targets else {
        return finish(w);
    };
    for t in &plan.targets {
        let lead = [
            text(&t.indicator),
            t.year.to_string(),
            t.measure.name().to_string(),
        ];
        if let Some(rp) = &t.required_path {
            let mut row: Vec<String> = lead.to_vec();
            row.extend([
                "required_average_growth".to_string(),
                rp.from_year.to_string(),
                rp.to_year.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                num(rp.mean),
            ]);
            row.extend(rp.quantiles.pairs().iter().map(|(_, v)| num(*v)));
            let _ = w.write_record(&row);
            let mut row: Vec<String> = lead.to_vec();
            row.extend([
                "simulated_average_growth".to_string(),
                rp.from_year.to_string(),
                rp.to_year.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
            row.extend(rp.simulated.pairs().iter().map(|(_, v)| num(*v)));
            let _ = w.write_record(&row);
        }
        for r in &t.reachable_if_met {
            let mut row: Vec<String> = lead.to_vec();
            row.extend([
                "reachable_if_met".to_string(),
                String::new(),
                String::new(),
                text(&format!("{}.{}", r.target_set, r.indicator)),
                num(r.value),
                num(r.probability),
                num(r.se),
                String::new(),
            ]);
            row.extend(QUANTILE_LEVELS.iter().map(|_| String::new()));
            let _ = w.write_record(&row);
        }
    }
    finish(w)
}
