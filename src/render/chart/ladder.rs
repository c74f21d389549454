//! The target ladder of one target set (`charts/ladder-<set>.svg`): the
//! page a negotiating meeting needs. Every target of the set on one common
//! probability scale (0–100%), against background bands for 偏高 / 适中 /
//! 偏低 (the settings' verdict bands), with
//! - the set's own target (its colour and marker) at its P(met),
//! - the upper level's target on the same indicator (its colour and
//!   marker) at the district's probability of meeting it,
//! - the recommended target (reddish purple diamond) at its P(met),
//!
//! each on its own lane of the row so none hides another, P(met) and the
//! verdict printed on the right, and a last row for the joint probability
//! with its "if independent" value as a hollow ring.

use super::style::{self, Shape, palette};
use super::svg::{Anchor, Doc, Key, Scale, TickKind, legend, text_width, x_axis};
use super::{Chart, ChartError, Spec};
use crate::briefing::{SetBriefing, Settings, TargetBriefing, Verdict};
use crate::render::format;
use crate::render::lang::Lang;

/// Width of the ladder in SVG units (wider than other charts: it has a
/// label column, the scale and a column of numbers).
pub const WIDTH: f64 = 960.0;
const ROW: f64 = 50.0;
const TOP: f64 = 128.0;

/// Where the probability scale is drawn: (left, right).
pub fn plot_span(set: &SetBriefing, upper: Option<&SetBriefing>, lang: Lang) -> (f64, f64) {
    let label_w = rows(set, upper, lang)
        .iter()
        .map(|r| text_width(&r.0, style::TEXT).max(text_width(&r.1, style::SMALL)))
        .fold(120.0, f64::max)
        // Room for a long English label ("fixed-asset investment, next
        // year at least 280 亿元" was cut at 300) while the scale keeps
        // at least 286 units.
        .min(420.0);
    (24.0 + label_w + 20.0, WIDTH - 230.0)
}

/// Each row's label and its second line (the upper level's target).
fn rows(set: &SetBriefing, upper: Option<&SetBriefing>, lang: Lang) -> Vec<(String, String)> {
    set.targets
        .iter()
        .map(|t| {
            let year = t.year.map(|y| format!("{y} ")).unwrap_or_default();
            let up = upper_target(t, upper)
                .map(|(u, p)| {
                    format!(
                        "{} {}: {}",
                        upper.map_or("", |s| s.label.as_str()),
                        u.text,
                        format::probability(p)
                    )
                })
                .unwrap_or_default();
            (format!("{year}{} {}", t.label, t.text), up)
        })
        .chain(std::iter::once((
            style::met_together(lang).to_string(),
            String::new(),
        )))
        .collect()
}

/// The upper level's target on the same indicator and year, and the
/// district's probability of meeting it.
fn upper_target<'a>(
    t: &TargetBriefing,
    upper: Option<&'a SetBriefing>,
) -> Option<(&'a TargetBriefing, f64)> {
    let u = upper?
        .targets
        .iter()
        .find(|u| u.indicator == t.indicator && u.year == t.year)?;
    let p = t.upper.as_ref().map_or(u.probability, |c| c.probability);
    Some((u, p))
}

pub fn title(set: &SetBriefing, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}：目标实现概率与建议目标", set.label),
        Lang::En => format!("{}: target ladder", set.label),
    }
}

/// The ladder of `set` (the `index`-th target set, for its colour), with
/// the upper level's set and its index when `set` is not itself the upper
/// level.
pub fn svg(
    set: &SetBriefing,
    index: usize,
    upper: Option<(&SetBriefing, usize)>,
    settings: &Settings,
) -> String {
    let lang = settings.lang;
    let upper = upper.filter(|(u, _)| !set.upper_level && u.name != set.name);
    let upper_set = upper.map(|u| u.0);
    let labels = rows(set, upper_set, lang);
    let n = labels.len() as f64;
    let height = TOP + ROW * n + 70.0;
    let (left, right) = plot_span(set, upper_set, lang);
    let colour = palette::target_set(index);
    let shape = style::set_shape(index);
    let title = title(set, lang);
    let mut d = Doc::new(WIDTH, height, &title);
    d.title(&title);
    let (a, b) = (settings.bands.high_below, settings.bands.low_above);
    d.subtitle(
        &match lang {
            Lang::Zh => format!(
                "实现概率低于 {} 为偏高，{}–{} 为适中，高于 {} 为偏低 · 建议目标按置信水平 {} 给出",
                format::probability(a),
                format::probability(a),
                format::probability(b),
                format::probability(b),
                format::probability(settings.confidence)
            ),
            Lang::En => format!(
                "too high below {}, about right {}–{}, too low above {} · recommendations at confidence {}",
                format::probability(a),
                format::probability(a),
                format::probability(b),
                format::probability(b),
                format::probability(settings.confidence)
            ),
        },
    );
    let mut keys = vec![(Key::Marker(shape, colour.into()), set.label.clone())];
    if let Some((u, k)) = upper {
        keys.push((
            Key::Marker(style::set_shape(k), palette::target_set(k).into()),
            u.label.clone(),
        ));
    }
    keys.push((
        Key::Marker(Shape::Diamond, style::RECOMMENDATION.into()),
        lang.t("建议目标", "recommended target").into(),
    ));
    keys.push((
        Key::Line(style::RECOMMENDATION.into(), true),
        format!(
            "{} {}",
            lang.t("置信水平", "confidence"),
            format::probability(settings.confidence)
        ),
    ));
    keys.push((
        Key::Marker(Shape::Ring, style::INK.into()),
        style::if_independent(lang).into(),
    ));
    legend(&mut d, 24.0, 84.0, WIDTH - 24.0, &keys);

    let x = Scale::new(0.0, 1.0, left, right);
    let (top, bottom) = (TOP - 10.0, TOP + ROW * n);
    // Verdict bands behind everything, each named at the top.
    for (lo, hi, fill, verdict) in [
        (0.0, a, style::TOO_HIGH_BG, Verdict::High),
        (a, b, style::FIT_BG, Verdict::Fit),
        (b, 1.0, style::TOO_LOW_BG, Verdict::Low),
    ] {
        if hi > lo {
            d.raw(&format!(
                "<rect class=\"band\" data-verdict=\"{}\" x=\"{:.3}\" y=\"{top:.1}\" width=\"{:.3}\" height=\"{:.1}\" fill=\"{fill}\"/>\n",
                verdict.text(Lang::En),
                x.at(lo),
                x.at(hi) - x.at(lo),
                bottom - top
            ));
            d.text(
                (x.at(lo) + x.at(hi)) / 2.0,
                top - 6.0,
                style::SMALL,
                Anchor::Middle,
                style::MUTED,
                verdict.text(lang),
            );
        }
    }
    // Ticks every 10 points, or every 20 where long labels leave the scale
    // too narrow for eleven of them to stand apart.
    let step = if right - left < 400.0 { 0.2 } else { 0.1 };
    x_axis(
        &mut d,
        &x,
        step,
        TickKind::Percent,
        bottom,
        top,
        style::p_met(lang),
    );
    // The confidence the recommendations aim at.
    let xc = x.at(settings.confidence);
    d.dashed((xc, top), (xc, bottom), style::RECOMMENDATION, 1.2);

    let col = right + 16.0;
    for (k, (label, up_label)) in labels.iter().enumerate() {
        let y = TOP + ROW * k as f64 + ROW / 2.0;
        d.line((left, y), (right, y), "#FFFFFF", 1.0);
        if k + 1 == labels.len() {
            // The joint row.
            d.line(
                (24.0, y - ROW / 2.0),
                (WIDTH - 24.0, y - ROW / 2.0),
                style::AXIS,
                1.2,
            );
            d.bold(
                left - 12.0,
                y + 5.0,
                style::TEXT,
                Anchor::End,
                style::INK,
                label,
            );
            d.marker_as(
                "independent",
                Shape::Ring,
                (x.at(set.independent), y - 12.0),
                7.0,
                style::INK,
                &format!(
                    "{}: {}",
                    style::if_independent(lang),
                    format::probability(set.independent)
                ),
            );
            d.marker_as(
                "joint",
                shape,
                (x.at(set.joint), y),
                9.0,
                colour,
                &format!(
                    "{}: {}",
                    style::met_together(lang),
                    format::probability(set.joint)
                ),
            );
            d.bold(
                col,
                y - 2.0,
                style::TEXT,
                Anchor::Start,
                colour,
                &format::probability(set.joint),
            );
            d.text(
                col,
                y + 15.0,
                style::SMALL,
                Anchor::Start,
                style::MUTED,
                &format!(
                    "{}: {}",
                    style::if_independent(lang),
                    format::probability(set.independent)
                ),
            );
            continue;
        }
        let t = &set.targets[k];
        if up_label.is_empty() {
            d.text(
                left - 12.0,
                y + 5.0,
                style::TEXT,
                Anchor::End,
                style::INK,
                label,
            );
        } else {
            d.text(
                left - 12.0,
                y - 2.0,
                style::TEXT,
                Anchor::End,
                style::INK,
                label,
            );
        }
        // Lanes: the upper level above the centre, the draft on it, the
        // recommendation below, so markers at the same probability all show.
        if let (Some((u, p)), Some((_, uk))) = (upper_target(t, upper_set), upper) {
            let uc = palette::target_set(uk);
            d.text(
                left - 12.0,
                y + 15.0,
                style::SMALL,
                Anchor::End,
                uc,
                up_label,
            );
            d.marker_as(
                "upper",
                style::set_shape(uk),
                (x.at(p), y - 12.0),
                7.0,
                uc,
                &format!(
                    "{} {}: {}",
                    upper_set.map_or("", |s| s.label.as_str()),
                    u.text,
                    format::probability(p)
                ),
            );
        }
        d.marker_as(
            "draft",
            shape,
            (x.at(t.probability), y),
            8.0,
            colour,
            &format!(
                "{} {}: {}",
                set.label,
                t.text,
                format::probability(t.probability)
            ),
        );
        if let Some(r) = &t.recommendation {
            d.marker_as(
                "recommendation",
                Shape::Diamond,
                (x.at(r.probability), y + 12.0),
                7.0,
                style::RECOMMENDATION,
                &format!(
                    "{} {}: {}",
                    lang.t("建议", "recommended"),
                    r.text,
                    format::probability(r.probability)
                ),
            );
        }
        d.bold(
            col,
            y - 2.0,
            style::TEXT,
            Anchor::Start,
            colour,
            &format!(
                "{} {}",
                format::probability(t.probability),
                t.verdict.text(lang)
            ),
        );
        if let Some(r) = &t.recommendation {
            d.text(
                col,
                y + 15.0,
                style::SMALL,
                Anchor::Start,
                style::RECOMMENDATION,
                &format!(
                    "{} {}: {}",
                    lang.t("建议", "rec."),
                    r.text,
                    format::probability(r.probability)
                ),
            );
        }
    }
    d.finish()
}

/// The ladder of every set, in order, drawn in parallel.
pub fn render_all(
    sets: &[SetBriefing],
    settings: &Settings,
    png: bool,
) -> Result<Vec<Chart>, ChartError> {
    use rayon::prelude::*;
    let upper = sets
        .iter()
        .enumerate()
        .find(|(_, s)| s.upper_level)
        .map(|(k, s)| (s, k));
    sets.par_iter()
        .enumerate()
        .map(|(k, set)| {
            let svg = svg(set, k, upper, settings);
            let png = if png {
                crate::render::raster::png(&svg)?
            } else {
                Vec::new()
            };
            Ok(Chart {
                spec: Spec::Ladder(k),
                stem: format!("ladder-{}", set.name),
                title: title(set, settings.lang),
                svg,
                png,
            })
        })
        .collect()
}

/// The ladder of `calibrate`'s result (`calibration.svg`): the calibrated
/// set's draft targets, the upper level's on the same indicators and the
/// recommended thresholds, on the probability scale with the calibration's
/// own bands and confidence. `s` names the columns as the calibration does
/// (for a plan, its [`crate::plan_view`]).
pub fn calibration_svg(
    s: &crate::scenario::Scenario,
    c: &crate::calibrate::Calibration,
    settings: &Settings,
) -> String {
    use crate::briefing::{Bands, Recommendation, UpperComparison};
    let lang = settings.lang;
    let settings = Settings {
        confidence: c.confidence,
        bands: Bands {
            high_below: c.bands.too_ambitious_below,
            low_above: c.bands.too_timid_above,
        },
        ..settings.clone()
    };
    let set_index = |name: &str| s.target_sets.iter().position(|t| t.name == name);
    let set_label = |name: &str| {
        s.target_sets
            .iter()
            .find(|t| t.name == name)
            .map_or(name, |t| lang.meta_label(&t.meta, name))
            .to_string()
    };
    let describe = |ind: &str| crate::render::names::indicator_text(s, ind, lang);
    let upper_name = c.upper_level.as_ref().map(|u| u.set.clone());
    let mut targets = Vec::new();
    let mut upper_targets = Vec::new();
    for (ind, t) in &c.targets {
        let (label, unit) = describe(ind);
        // Targets read as `run`'s ladder writes them (9%以上).
        let text = |rule: &crate::scenario::Rule| {
            crate::briefing::publish::text(rule, t.kind, unit.as_deref(), lang)
        };
        let base = TargetBriefing {
            indicator: ind.clone(),
            year: None,
            label: label.clone(),
            unit: unit.clone(),
            kind: t.kind,
            rule: t.draft,
            wording: None,
            text: text(&t.draft),
            probability: t.probability,
            se: t.se,
            verdict: Verdict::of(t.probability, &settings.bands),
            // The target as it can be published (rounded, with its own
            // probability), as `run`'s ladder shows it: calibration.json
            // keeps the exact threshold for scripts.
            recommendation: Some(Recommendation {
                rule: t.published.rule,
                text: text(&t.published.rule),
                probability: t.published.probability,
                se: crate::summary::proportion_se(t.published.probability, c.draws),
                advice: None,
            }),
            upper: None,
        };
        if let (Some(u), Some(name)) = (&t.upper, &upper_name) {
            upper_targets.push(TargetBriefing {
                rule: u.rule,
                text: text(&u.rule),
                probability: u.probability,
                se: crate::summary::proportion_se(u.probability, c.draws),
                verdict: Verdict::of(u.probability, &settings.bands),
                recommendation: None,
                ..base.clone()
            });
            targets.push(TargetBriefing {
                upper: Some(UpperComparison {
                    set: name.clone(),
                    rule: u.rule,
                    probability: u.probability,
                    // Not drawn: the ladder shows probabilities.
                    percentile: f64::NAN,
                    gap: u.gap,
                }),
                ..base
            });
        } else {
            targets.push(base);
        }
    }
    let brief = |name: &str, targets: Vec<TargetBriefing>, joint: f64| SetBriefing {
        name: name.to_string(),
        label: set_label(name),
        upper_level: Some(name) == upper_name.as_deref(),
        joint,
        joint_se: crate::summary::proportion_se(joint, c.draws),
        independent: targets.iter().map(|t| t.probability).product(),
        counts: [0; 3],
        targets,
    };
    let draft = brief(&c.set, targets, c.draft_joint_probability);
    let upper = c
        .upper_level
        .as_ref()
        .map(|u| brief(&u.set, upper_targets, u.joint_probability));
    svg(
        &draft,
        set_index(&c.set).unwrap_or(0),
        upper.as_ref().map(|u| (u, set_index(&u.name).unwrap_or(1))),
        &settings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::briefing::{Bands, Recommendation};
    use crate::scenario::{Kind, Rule};

    fn target(
        indicator: &str,
        label: &str,
        text: &str,
        p: f64,
        rec: Option<f64>,
    ) -> TargetBriefing {
        TargetBriefing {
            indicator: indicator.into(),
            year: None,
            label: label.into(),
            unit: None,
            kind: Kind::Rate,
            rule: Rule::AtLeast { threshold: 0.09 },
            wording: None,
            text: text.into(),
            probability: p,
            se: 0.003,
            verdict: Verdict::of(p, &Bands::default()),
            recommendation: rec.map(|q| Recommendation {
                rule: Rule::AtLeast { threshold: 0.085 },
                text: "8.5%以上".into(),
                probability: q,
                se: 0.003,
                advice: None,
            }),
            upper: None,
        }
    }

    fn set(
        name: &str,
        label: &str,
        upper_level: bool,
        targets: Vec<TargetBriefing>,
    ) -> SetBriefing {
        SetBriefing {
            name: name.into(),
            label: label.into(),
            upper_level,
            joint: 0.21,
            joint_se: 0.003,
            independent: 0.15,
            counts: [0, 0, 0],
            targets,
        }
    }

    /// (role, x) of every marker.
    fn markers(svg: &str) -> Vec<(String, f64)> {
        svg.split("<g class=\"marker\" data-role=\"")
            .skip(1)
            .map(|m| {
                let role = &m[..m.find('"').unwrap()];
                let at = m.find("translate(").unwrap() + 10;
                let x = &m[at..at + m[at..].find(',').unwrap()];
                (role.to_string(), x.parse().unwrap())
            })
            .collect()
    }

    #[test]
    fn markers_sit_at_their_probabilities_and_bands_at_the_configured_edges() {
        let draft = set(
            "draft",
            "district draft",
            false,
            vec![
                target("gdp", "GDP growth", "≥ 9.0%", 0.62, Some(0.71)),
                target("fai", "investment growth", "≥ 20.0%", 0.35, None),
            ],
        );
        let city = set(
            "city",
            "city",
            true,
            vec![target("gdp", "GDP growth", "≥ 10.0%", 0.38, None)],
        );
        let settings = Settings {
            lang: Lang::En,
            bands: Bands {
                high_below: 0.4,
                low_above: 0.8,
            },
            ..Settings::default()
        };
        let svg = svg(&draft, 0, Some((&city, 1)), &settings);
        let (left, right) = plot_span(&draft, Some(&city), Lang::En);
        let x = |p: f64| left + p * (right - left);
        let m = markers(&svg);
        let want = [
            ("upper", 0.38),
            ("draft", 0.62),
            ("recommendation", 0.71),
            ("draft", 0.35),
            ("independent", 0.15),
            ("joint", 0.21),
        ];
        assert_eq!(m.len(), want.len(), "{m:?}");
        for ((role, got), (wrole, p)) in m.iter().zip(want) {
            assert_eq!(role, wrole);
            assert!((got - x(p)).abs() < 1e-3, "{role} at {got}, want {}", x(p));
        }
        // Bands at 0–40%, 40–80%, 80–100%.
        let edges: Vec<(f64, f64)> = svg
            .split("<rect class=\"band\"")
            .skip(1)
            .map(|r| {
                let num = |k: &str| -> f64 {
                    let at = r.find(&format!(" {k}=\"")).unwrap() + k.len() + 3;
                    r[at..at + r[at..].find('"').unwrap()].parse().unwrap()
                };
                (num("x"), num("x") + num("width"))
            })
            .collect();
        for ((a, b), (wa, wb)) in edges.iter().zip([(0.0, 0.4), (0.4, 0.8), (0.8, 1.0)]) {
            assert!(
                (a - x(wa)).abs() < 1e-2 && (b - x(wb)).abs() < 1e-2,
                "{edges:?}"
            );
        }
        assert_eq!(edges.len(), 3);
        // English throughout, the recommendation's text as given.
        assert!(svg.contains("too high") && svg.contains("about right") && svg.contains("too low"));
        assert!(svg.contains("rec. 8.5%以上: 71.0%"));
        // The upper level's own ladder has no upper markers.
        let own = super::svg(&city, 1, Some((&city, 1)), &settings);
        assert!(markers(&own).iter().all(|(r, _)| r != "upper"));
    }
}
