//! The table `calibrate` prints: per target the draft, its probability and
//! verdict, the recommended threshold, and the gap to the upper level; then
//! the joint calibration and the drivers that decide a miss.
//! Chinese by default, in the scenario's labels and the targets' published
//! wording (地区生产总值增速, 9%以上), as `run`'s headline prints them;
//! `--lang en` prints the English table exactly as it was before the tables
//! were translated, code names and all (scripts and the README read it).

use super::format;
use super::lang::Lang;
use super::names::{Names, indicator_text};
use super::table::{pad, pad_left, rule_text, thousands};
use crate::calibrate::{Calibration, Verdict};
use crate::scenario::{Kind, Rule, Scenario};

/// A rule with numbers formatted for the indicator's kind.
fn rule(r: &Rule, kind: Kind, lang: Lang) -> String {
    rule_text(r, |x| format::threshold(x, kind), lang)
}

/// The verdict: bilingual in English (as it always was), Chinese alone in Chinese.
fn verdict(v: Verdict, lang: Lang) -> &'static str {
    match (lang, v) {
        (Lang::En, _) => v.words(),
        (Lang::Zh, Verdict::TooAmbitious) => "偏高",
        (Lang::Zh, Verdict::Within) => "适中",
        (Lang::Zh, Verdict::TooTimid) => "偏低",
    }
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

/// [`gap`] in the language: points are 个百分点 in Chinese.
fn gap_text(x: f64, kind: Kind, lang: Lang) -> String {
    match (lang, kind) {
        (Lang::Zh, Kind::Rate) => format!("{:+.1} 个百分点", x * 100.0),
        _ => gap(x, kind),
    }
}

/// The recommended rule, with its own probability when it differs from Q
/// (indicators that move in steps).
fn recommended(
    t: &crate::calibrate::TargetCalibration,
    unit: Option<&str>,
    q: f64,
    lang: Lang,
) -> String {
    // A planner reads the target as it can be published (rounded, with the
    // rounded rule's own probability); the English table keeps the exact
    // threshold scripts read.
    if lang == Lang::Zh {
        let p = &t.published;
        return format!(
            "{}（{}）",
            crate::briefing::publish::text(&p.rule, t.kind, unit, lang),
            format::probability(p.probability)
        );
    }
    let r = rule(&t.recommended_rule, t.kind, lang);
    if (t.recommended_probability - q).abs() > 0.005 {
        format!("{r} ({})", format::probability(t.recommended_probability))
    } else {
        r
    }
}

fn pct_rank(p: f64) -> String {
    format!("p{:.0}", p * 100.0)
}

pub fn render(s: &Scenario, c: &Calibration, lang: Lang) -> String {
    let mut out = String::new();
    let names = Names::new(s, lang);
    let set = names.set(&c.set, c.set_label.as_deref());
    let hash = &c.scenario.hash[..c.scenario.hash.len().min(19)];
    let q = format::probability(c.confidence);
    let (low, high) = (
        format::probability(c.bands.too_ambitious_below),
        format::probability(c.bands.too_timid_above),
    );
    out.push_str(&match lang {
        Lang::En => format!(
            "{}\ncalibration of target set {}\n{} draws, seed {}, scenario {} ({})\n\
             confidence {q}: each recommended threshold is met with probability {q}\n\
             verdict on the draft: too ambitious below {low}, too timid above {high} (--ambitious-below, --timid-above)\n\n",
            s.title_in(lang),
            set,
            thousands(c.draws),
            c.seed,
            s.name,
            hash
        ),
        Lang::Zh => format!(
            "{}\n目标组“{}”的校准\n{} 次抽样，种子 {}，情景 {}（{}）\n\
             置信度 {q}：每个建议目标的达成概率为 {q}\n\
             对草案的判断：达成概率低于 {low} 为偏高，高于 {high} 为偏低（--ambitious-below、--timid-above）\n\n",
            s.title_in(lang),
            set,
            thousands(c.draws),
            c.seed,
            s.name,
            hash
        ),
    });
    let name_w = c
        .targets
        .keys()
        .map(|k| unicode_width::UnicodeWidthStr::width(names.indicator(k).as_str()))
        .max()
        .unwrap_or(6)
        .max(6);
    let upper_name = c.upper_level.as_ref().map(|u| match lang {
        Lang::Zh => names.set(&u.set, u.label.as_deref()),
        Lang::En => u.set.clone(),
    });
    let mut head = format!(
        "{}  {}  {}  {}  {}",
        pad(lang.t("目标", "target"), name_w),
        pad(lang.t("草案", "draft"), 14),
        pad_left(lang.t("P(草案)", "P(draft)"), 8),
        pad(lang.t("判断", "verdict"), 18),
        pad(
            &match lang {
                Lang::En => format!("recommended at {q}"),
                Lang::Zh => format!("建议目标（{q}）"),
            },
            22
        ),
    );
    if let Some(u) = &upper_name {
        head.push_str(&format!(
            "  {}  {}  {}",
            pad(
                &match lang {
                    Lang::En => format!("{u} (upper level)"),
                    Lang::Zh => format!("{u}（上级要求）"),
                },
                18
            ),
            pad_left(lang.t("P(上级)", "P(upper)"), 8),
            pad_left(lang.t("差距", "gap"), 10)
        ));
    }
    out.push_str(head.trim_end());
    out.push('\n');
    for (name, t) in &c.targets {
        let mut line = format!(
            "{}  {}  {}  {}  {}",
            pad(&names.indicator(name), name_w),
            pad(&names.rule(name, &t.draft, t.kind), 14),
            pad_left(&format::probability(t.probability), 8),
            pad(verdict(t.verdict, lang), 18),
            pad(
                &recommended(
                    t,
                    indicator_text(s, name, lang).1.as_deref(),
                    c.confidence,
                    lang
                ),
                22
            ),
        );
        if upper_name.is_some() {
            match &t.upper {
                Some(u) => line.push_str(&format!(
                    "  {}  {}  {}",
                    pad(&names.rule(name, &u.rule, t.kind), 18),
                    pad_left(&format::probability(u.probability), 8),
                    pad_left(&gap_text(u.gap, t.kind, lang), 10)
                )),
                None => line.push_str(&format!(
                    "  {}",
                    pad(lang.t("（无此目标）", "(no target)"), 18)
                )),
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let (all, together) = match lang {
        Lang::En => (format!("all {} together", c.targets.len()), " together"),
        Lang::Zh => (format!("{} 项同时达成", c.targets.len()), " 同时达成"),
    };
    out.push_str(&format!(
        "{}  {}  {}  {}  {}{together}\n",
        pad(&all, name_w),
        pad("", 14),
        pad_left(&format::probability(c.draft_joint_probability), 8),
        pad("", 18),
        format::probability(c.recommended_joint_probability),
    ));
    if let Some(u) = &c.upper_level {
        let upper = names.set(&u.set, u.label.as_deref());
        out.push_str(&match lang {
            Lang::En => format!(
                "upper level {upper}: all its targets together {}; gap = recommended − upper level (+ is above it)\n",
                format::probability(u.joint_probability)
            ),
            Lang::Zh => format!(
                "上级要求“{upper}”：全部目标同时达成 {}；差距 = 建议目标 − 上级要求（+ 为高于上级）\n",
                format::probability(u.joint_probability)
            ),
        });
    }
    if let Some(j) = &c.joint {
        out.push_str(&match lang {
            Lang::En => format!(
                "\njoint calibration (--joint {}): every target at a common confidence of {:.1}%\n",
                format::probability(j.target),
                j.common_confidence * 100.0
            ),
            Lang::Zh => format!(
                "\n联合校准（--joint {}）：每个目标取相同的置信度 {:.1}%\n",
                format::probability(j.target),
                j.common_confidence * 100.0
            ),
        });
        out.push_str(&format!(
            "  {}  {}  {}\n",
            pad(lang.t("目标", "target"), name_w),
            pad(lang.t("目标值", "threshold"), 22),
            pad_left(lang.t("达成概率", "P(met)"), 8)
        ));
        for (name, t) in &j.targets {
            let kind = c.targets.get(name).map_or(Kind::Level, |x| x.kind);
            out.push_str(&format!(
                "  {}  {}  {}\n",
                pad(&names.indicator(name), name_w),
                pad(&names.exact(name, &t.rule, kind), 22),
                pad_left(&format::probability(t.probability), 8)
            ));
        }
        out.push_str(&match lang {
            Lang::En => format!(
                "  all {} together: {} (se {:.2} points), checked on an independent simulation (seed {}, {} draws)\n",
                j.targets.len(),
                format::probability(j.check.joint_probability),
                j.check.se * 100.0,
                j.check.seed,
                thousands(j.check.draws)
            ),
            Lang::Zh => format!(
                "  {} 项同时达成：{}（标准误 {:.2} 个百分点），经独立模拟核验（种子 {}，{} 次抽样）\n",
                j.targets.len(),
                format::probability(j.check.joint_probability),
                j.check.se * 100.0,
                j.check.seed,
                thousands(j.check.draws)
            ),
        });
    }
    if c.targets.values().any(|t| !t.keep_plan.is_empty()) {
        out.push_str(lang.t(
            "\n守住规划（--keep-plan）：使每个规划目标仍以所要求的概率可达成的最低首年目标\n（首年落在目标附近的抽样）\n",
            "\nkeeping the plan (--keep-plan): the lowest first-year target that leaves each plan target\nreachable with the probability asked for (draws whose first year lies near the threshold)\n",
        ));
        for (name, t) in &c.targets {
            for k in &t.keep_plan {
                let kind = s
                    .indicators
                    .iter()
                    .find(|i| &i.name == name)
                    .map_or(t.kind, |i| i.meta.kind);
                let threshold = k.threshold.map_or(
                    lang.t("无：任何首年都守不住", "none: no first year keeps it")
                        .to_string(),
                    |x| names.exact(name, &Rule::AtLeast { threshold: x }, kind),
                );
                out.push_str(&match lang {
                    Lang::En => format!(
                        "  {}  for {} at {}: {}; at the draft {}\n",
                        pad(name, name_w),
                        k.plan_target,
                        format::probability(k.keep),
                        threshold,
                        format::probability(k.at_draft)
                    ),
                    Lang::Zh => format!(
                        "  {}  {} 达 {}：{}；按草案 {}\n",
                        pad(&names.indicator(name), name_w),
                        names.indicator(&k.plan_target),
                        format::probability(k.keep),
                        threshold,
                        format::probability(k.at_draft)
                    ),
                });
            }
        }
    }
    out.push_str(&match lang {
        Lang::En => format!(
            "\nwhat decides a miss (first {} draws): drivers by rank correlation ρ with the indicator,\nand where the draws that miss the draft sit in each driver's distribution (p50 = no shift)\n",
            thousands(c.sensitivity_draws)
        ),
        Lang::Zh => format!(
            "\n什么决定未达成（前 {} 次抽样）：按与指标的秩相关 ρ 排列的驱动因素，\n以及未达成草案的抽样在各驱动因素分布中的位置（p50 = 无偏移）\n",
            thousands(c.sensitivity_draws)
        ),
    });
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
                    .map_or(String::new(), |p| match lang {
                        Lang::En => format!(", misses at {}", pct_rank(p)),
                        Lang::Zh => format!("，未达成时位于 {}", pct_rank(p)),
                    });
                format!("{} {rho}{at}", names.driver(&d.driver, d.label.as_deref()))
            })
            .collect();
        out.push_str(&format!(
            "  {}  {}\n",
            pad(&names.indicator(name), name_w),
            parts.join(lang.t("；", "; "))
        ));
    }
    out.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
