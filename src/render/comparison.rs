//! The tables `compare` prints: target sets side by side, then each
//! variant's probabilities and their change against the base.
//! Chinese by default, in the scenario's labels and the targets' published
//! wording (地区生产总值增速, 9%以上); `--lang en` prints the English table
//! exactly as it was before the tables were translated, code names and all
//! (scripts and the README read it).

use super::format;
use super::lang::Lang;
use super::names::Names;
use super::table::{pad, pad_left, thousands};
use crate::compare::Comparison;
use crate::scenario::Scenario;

fn points(x: f64) -> String {
    format!("{:+.1}", x * 100.0)
}

pub fn render(s: &Scenario, c: &Comparison, lang: Lang) -> String {
    let mut out = String::new();
    let names = Names::new(s, lang);
    let hash = &c.scenario.hash[..c.scenario.hash.len().min(19)];
    out.push_str(&match lang {
        Lang::En => format!(
            "{}\n{} draws, seed {}, scenario {} ({})\n\n",
            s.title_in(lang),
            thousands(c.draws),
            c.seed,
            s.name,
            hash
        ),
        Lang::Zh => format!(
            "{}\n{} 次抽样，种子 {}，情景 {}（{}）\n\n",
            s.title_in(lang),
            thousands(c.draws),
            c.seed,
            s.name,
            hash
        ),
    });
    let name_w = c
        .indicators
        .keys()
        .map(|k| unicode_width::UnicodeWidthStr::width(names.indicator(k).as_str()))
        .max()
        .unwrap_or(9)
        .max(12);
    const COL: usize = 27;
    out.push_str(lang.t(
        "各目标组并列：达成概率，以及目标值在预测分布中所处的百分位\n（p50 = 本地区自身的中位数）\n",
        "target sets side by side: P(met), and the percentile of the projected\ndistribution the threshold sits at (p50 = the district's own median)\n",
    ));
    let mut head = format!(
        "{}  {}",
        pad(lang.t("指标", "indicator"), name_w),
        pad_left(lang.t("中位数", "median"), 8)
    );
    for (name, set) in &c.sets {
        let mut h = match (lang, &set.label) {
            (Lang::Zh, Some(l)) => l.clone(),
            (_, None) => name.clone(),
            (Lang::En, Some(l)) => format!("{name} {l}"),
        };
        if set.upper_level {
            h.push_str(lang.t("（上级）", " (upper)"));
        }
        head.push_str(&format!("   {}", pad(&h, COL)));
    }
    out.push_str(head.trim_end());
    out.push('\n');
    for (name, row) in &c.indicators {
        let mut line = format!(
            "{}  {}",
            pad(&names.indicator(name), name_w),
            pad_left(&format::value(row.median, row.kind), 8)
        );
        for set in c.sets.keys() {
            let cell = match row.targets.get(set) {
                Some(t) => format!(
                    "{} {} {}",
                    pad(&names.rule(name, &t.rule, row.kind), 11),
                    pad_left(&format::probability(t.probability), 6),
                    pad_left(&format!("p{:.0}", t.percentile * 100.0), 4)
                ),
                None => String::new(),
            };
            line.push_str(&format!("   {}", pad(&cell, COL)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let all = lang.t("同时达成", "all together");
    let mut line = format!("{}  {}", pad(all, name_w), pad("", 8));
    for set in c.sets.values() {
        line.push_str(&format!(
            "   {}",
            pad(
                &format!(
                    "{} {}",
                    pad("", 11),
                    pad_left(&format::probability(set.joint_probability), 6)
                ),
                COL
            )
        ));
    }
    out.push_str(line.trim_end());
    out.push('\n');

    if c.variants.is_empty() {
        out.push_str(lang.t(
            "\n此情景没有变体（见 README 中的 [variants]）\n",
            "\nno variants in this scenario (see [variants] in the README)\n",
        ));
        return out;
    }
    out.push_str(&match lang {
        Lang::En => format!(
            "\nvariants against the base, on the same {} draws and seed (common random numbers):\nP(met) and its change in percentage points\n",
            thousands(c.draws)
        ),
        Lang::Zh => format!(
            "\n各变体与基准对比，使用相同的 {} 次抽样和种子（公共随机数）：\n达成概率及其变化（百分点）\n",
            thousands(c.draws)
        ),
    });
    let vname_w = c.variants.keys().map(|k| k.len()).max().unwrap_or(4);
    for (name, v) in &c.variants {
        let label = v.label.as_deref().unwrap_or("");
        let changes: Vec<String> = v
            .overrides
            .iter()
            .map(|o| format!("{} = {}", o.path, o.value))
            .collect();
        out.push_str(&format!(
            "  {}  {}{}{}\n",
            pad(name, vname_w),
            label,
            if label.is_empty() {
                ""
            } else {
                lang.t("：", ": ")
            },
            if changes.is_empty() {
                lang.t("（无改动）", "(no change)").to_string()
            } else {
                changes.join(", ")
            }
        ));
        if !v.common_random_numbers {
            out.push_str(&format!(
                "  {}  {}\n  {}  {}\n",
                pad("", vname_w),
                lang.t(
                    "注意：此变体抽取驱动因素的方式与基准不同，因此",
                    "note: this variant draws its drivers differently from the base, so its"
                ),
                pad("", vname_w),
                lang.t(
                    "它的随机数与基准不共用；差异中包含随机噪声",
                    "random numbers are not common with the base's; differences include noise"
                ),
            ));
        }
    }
    const VCOL: usize = 16;
    for (set_name, set) in &c.sets {
        let mut head = format!(
            "\n{}  {}",
            pad(
                &match (lang, &set.label) {
                    (Lang::Zh, Some(l)) => format!("目标组 {l}"),
                    _ => format!("{} {set_name}", lang.t("目标组", "target set")),
                },
                name_w + 12
            ),
            pad_left(lang.t("基准", "base"), 6)
        );
        // Chinese heads each variant's column with its label (listed above
        // beside its name and changes).
        for (name, v) in &c.variants {
            let head_text = match (lang, &v.label) {
                (Lang::Zh, Some(l)) => l.as_str(),
                _ => name.as_str(),
            };
            head.push_str(&format!("  {}", pad_left(head_text, VCOL)));
        }
        out.push_str(head.trim_end());
        out.push('\n');
        for (ind, row) in &c.indicators {
            let Some(t) = row.targets.get(set_name) else {
                continue;
            };
            let mut line = format!(
                "{} {}  {}",
                pad(&names.indicator(ind), name_w),
                pad(&names.rule(ind, &t.rule, row.kind), 11),
                pad_left(&format::probability(t.probability), 6)
            );
            for v in c.variants.values() {
                let cell = v
                    .sets
                    .get(set_name)
                    .and_then(|vs| vs.targets.get(ind))
                    .map_or("–".to_string(), |vt| {
                        format!(
                            "{} ({})",
                            format::probability(vt.probability),
                            points(vt.change)
                        )
                    });
                line.push_str(&format!("  {}", pad_left(&cell, VCOL)));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        let mut line = format!(
            "{} {}  {}",
            pad(all, name_w),
            pad("", 11),
            pad_left(&format::probability(set.joint_probability), 6)
        );
        for v in c.variants.values() {
            let cell = v.sets.get(set_name).map_or("–".to_string(), |vs| {
                format!(
                    "{} ({})",
                    format::probability(vs.joint_probability),
                    points(vs.joint_change)
                )
            });
            line.push_str(&format!("  {}", pad_left(&cell, VCOL)));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
