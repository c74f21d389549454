//! The table `calibrate` prints: per target the draft, its probability and
//! verdict, the recommended threshold, and the gap to the upper level; then
//! the joint calibration and the drivers that decide a miss.

use super::format;
use super::table::{pad, pad_left, thousands};
use crate::calibrate::Calibration;
use crate::scenario::{Kind, Rule, Scenario};

/// A rule with numbers formatted for the indicator's kind.
fn rule(r: &Rule, kind: Kind) -> String {
    r.describe(|x| format::threshold(x, kind))
}

/// A difference: percentage points for rates, the value otherwise, signed.
pub fn gap(x: f64, kind: Kind) -> String {
    match kind {
        Kind::Rate => format!("{:+.1} pts", x * 100.0),
        _ => {
            let v = format::value(x.abs(), kind);
            if x < 0.0 {
                format!("-{v}")
            } else {
                format!("+{v}")
            }
        }
    }
}

/// The recommended rule, with its own probability when it differs from Q
/// (indicators that move in steps).
fn recommended(t: &crate::calibrate::TargetCalibration, q: f64) -> String {
    let r = rule(&t.recommended_rule, t.kind);
    if (t.recommended_probability - q).abs() > 0.005 {
        format!("{r} ({})", format::probability(t.recommended_probability))
    } else {
        r
    }
}

fn pct_rank(p: f64) -> String {
    format!("p{:.0}", p * 100.0)
}

pub fn render(s: &Scenario, c: &Calibration) -> String {
    let mut out = String::new();
    let set_label = c
        .set_label
        .as_deref()
        .map(|l| format!(" {l}"))
        .unwrap_or_default();
    out.push_str(&format!(
        "{}\ncalibration of target set {}{}\n{} draws, seed {}, scenario {} ({})\n",
        s.title,
        c.set,
        set_label,
        thousands(c.draws),
        c.seed,
        s.name,
        &c.scenario.hash[..c.scenario.hash.len().min(19)]
    ));
    out.push_str(&format!(
        "confidence {}: each recommended threshold is met with probability {}\n",
        format::probability(c.confidence),
        format::probability(c.confidence)
    ));
    out.push_str(&format!(
        "verdict on the draft: too ambitious below {}, too timid above {} (--ambitious-below, --timid-above)\n\n",
        format::probability(c.bands.too_ambitious_below),
        format::probability(c.bands.too_timid_above)
    ));
    let name_w = c.targets.keys().map(|k| k.len()).max().unwrap_or(6).max(6);
    let upper_name = c.upper_level.as_ref().map(|u| u.set.as_str());
    let mut head = format!(
        "{}  {}  {}  {}  {}",
        pad("target", name_w),
        pad("draft", 14),
        pad_left("P(draft)", 8),
        pad("verdict", 18),
        pad(
            &format!("recommended at {}", format::probability(c.confidence)),
            22
        ),
    );
    if let Some(u) = upper_name {
        head.push_str(&format!(
            "  {}  {}  {}",
            pad(&format!("{u} (upper level)"), 18),
            pad_left("P(upper)", 8),
            pad_left("gap", 10)
        ));
    }
    out.push_str(head.trim_end());
    out.push('\n');
    for (name, t) in &c.targets {
        let mut line = format!(
            "{}  {}  {}  {}  {}",
            pad(name, name_w),
            pad(&rule(&t.draft, t.kind), 14),
            pad_left(&format::probability(t.probability), 8),
            pad(t.verdict.words(), 18),
            pad(&recommended(t, c.confidence), 22),
        );
        if upper_name.is_some() {
            match &t.upper {
                Some(u) => line.push_str(&format!(
                    "  {}  {}  {}",
                    pad(&rule(&u.rule, t.kind), 18),
                    pad_left(&format::probability(u.probability), 8),
                    pad_left(&gap(u.gap, t.kind), 10)
                )),
                None => line.push_str(&format!("  {}", pad("(no target)", 18))),
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "{}  {}  {}  {}  {} together\n",
        pad(&format!("all {} together", c.targets.len()), name_w),
        pad("", 14),
        pad_left(&format::probability(c.draft_joint_probability), 8),
        pad("", 18),
        format::probability(c.recommended_joint_probability),
    ));
    if let Some(u) = &c.upper_level {
        let label = u
            .label
            .as_deref()
            .map(|l| format!(" {l}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "upper level {}{}: all its targets together {}; gap = recommended − upper level (+ is above it)\n",
            u.set,
            label,
            format::probability(u.joint_probability)
        ));
    }
    if let Some(j) = &c.joint {
        out.push_str(&format!(
            "\njoint calibration (--joint {}): every target at a common confidence of {:.1}%\n",
            format::probability(j.target),
            j.common_confidence * 100.0
        ));
        out.push_str(&format!(
            "  {}  {}  {}\n",
            pad("target", name_w),
            pad("threshold", 22),
            pad_left("P(met)", 8)
        ));
        for (name, t) in &j.targets {
            let kind = c.targets.get(name).map_or(Kind::Level, |x| x.kind);
            out.push_str(&format!(
                "  {}  {}  {}\n",
                pad(name, name_w),
                pad(&rule(&t.rule, kind), 22),
                pad_left(&format::probability(t.probability), 8)
            ));
        }
        out.push_str(&format!(
            "  all {} together: {} (se {:.2} points), checked on an independent simulation (seed {}, {} draws)\n",
            j.targets.len(),
            format::probability(j.check.joint_probability),
            j.check.se * 100.0,
            j.check.seed,
            thousands(j.check.draws)
        ));
    }
    if c.targets.values().any(|t| !t.keep_plan.is_empty()) {
        out.push_str("\nkeeping the plan (--keep-plan): the lowest first-year target that leaves each plan target\nreachable with the probability asked for (draws whose first year lies near the threshold)\n");
        for (name, t) in &c.targets {
            for k in &t.keep_plan {
                let kind = s
                    .indicators
                    .iter()
                    .find(|i| &i.name == name)
                    .map_or(t.kind, |i| i.meta.kind);
                let threshold = k
                    .threshold
                    .map_or("none: no first year keeps it".to_string(), |x| {
                        format!(">= {}", format::threshold(x, kind))
                    });
                out.push_str(&format!(
                    "  {}  for {} at {}: {}; at the draft {}\n",
                    pad(name, name_w),
                    k.plan_target,
                    format::probability(k.keep),
                    threshold,
                    format::probability(k.at_draft)
                ));
            }
        }
    }
    out.push_str(&format!(
        "\nwhat decides a miss (first {} draws): drivers by rank correlation ρ with the indicator,\nand where the draws that miss the draft sit in each driver's distribution (p50 = no shift)\n",
        thousands(c.sensitivity_draws)
    ));
    for (name, t) in &c.targets {
        let parts: Vec<String> = t
            .decided_by
            .iter()
            .map(|d| {
                let rho = d
                    .rank_correlation
                    .map_or("ρ –".to_string(), |r| format!("ρ {r:.2}"));
                let at = d
                    .percentile_in_misses
                    .map_or(String::new(), |p| format!(", misses at {}", pct_rank(p)));
                format!("{} {rho}{at}", d.driver)
            })
            .collect();
        out.push_str(&format!("  {}  {}\n", pad(name, name_w), parts.join("; ")));
    }
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
