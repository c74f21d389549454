//! Charts of a comparison, in the chart vocabulary of
//! [`super::chart::style`]:
//! - `comparison`: the target sets side by side: per indicator, one bar per
//!   set that targets it (its colour, its threshold with its unit and its
//!   P(met) written on it; a set without a target there has no bar, never
//!   a 0% one), and a joint bar per set;
//! - `comparison-variants-<set>`: a dot plot of what each variant changes,
//!   in percentage points against the base, with ±2 paired standard errors
//!   (common random numbers keep them small), for only the targets the
//!   variant moves (a change of more than two standard errors and at least
//!   [`MOVED`]), and the set's joint probability always.
//!
//! Each function returns a whole SVG document, for a file or for embedding
//! in a report.

use super::chart::style::{self, palette};
use super::chart::svg::{Anchor, Doc, Key, Scale, TickKind, legend, text_width, x_axis};
use super::format;
use crate::briefing::Settings;
use crate::compare::Comparison;
use crate::render::lang::Lang;
use crate::scenario::{Kind, Scenario};

/// A change smaller than this (0.1 percentage point) is not a move.
pub const MOVED: f64 = 0.001;

fn indicator_label(s: &Scenario, name: &str, lang: Lang) -> (String, Kind, Option<String>) {
    match s.indicators.iter().find(|i| i.name == name) {
        Some(i) => (
            lang.meta_label(&i.meta, name).to_string(),
            i.meta.kind,
            i.meta.unit.clone(),
        ),
        None => (name.to_string(), Kind::Level, None),
    }
}

fn set_label(c: &Comparison, set: &str, lang: Lang) -> String {
    c.sets.get(set).map_or(set.to_string(), |s| {
        lang.label(s.label.as_deref(), s.label_en.as_deref(), set)
            .to_string()
    })
}

/// One bar: the set's index, its text, the text without the set's name
/// (the bar's colour and the legend say whose), its probability.
type Bar = (usize, String, String, f64);

/// P(met) of every target, sets side by side, and each set's joint bar.
pub fn sets_svg(s: &Scenario, c: &Comparison, settings: &Settings) -> String {
    let lang = settings.lang;
    const BAR: f64 = 20.0;
    // Per indicator: its label and bars (set index, bar text, probability).
    let mut groups: Vec<(String, Vec<Bar>)> = c
        .indicators
        .iter()
        .map(|(name, row)| {
            let (label, kind, unit) = indicator_label(s, name, lang);
            let bars = row
                .targets
                .iter()
                .filter_map(|(set, t)| {
                    let k = c.sets.get_index_of(set)?;
                    let short = format!(
                        "{}: {}",
                        super::chart::rule_text_unit(&t.rule, kind, unit.as_deref()),
                        format::probability(t.probability)
                    );
                    Some((
                        k,
                        format!("{} {short}", set_label(c, set, lang)),
                        short,
                        t.probability,
                    ))
                })
                .collect();
            (label, bars)
        })
        .collect();
    groups.push((
        style::met_together(lang).to_string(),
        c.sets
            .iter()
            .enumerate()
            .map(|(k, (name, set))| {
                (
                    k,
                    format!(
                        "{}: {}",
                        set_label(c, name, lang),
                        format::probability(set.joint_probability)
                    ),
                    format::probability(set.joint_probability),
                    set.joint_probability,
                )
            })
            .collect(),
    ));
    let label_w = groups
        .iter()
        .map(|g| text_width(&g.0, style::SMALL))
        .fold(80.0, f64::max)
        // Room for a plan target's long English label ("urban disposable
        // income per capita 2030 cumulative growth" was cut at 260).
        .min(340.0);
    let left = 24.0 + label_w + 14.0;
    let right = style::WIDTH - 24.0;
    let top = 104.0;
    let rows: f64 = groups.iter().map(|g| g.1.len().max(1) as f64).sum();
    let bottom = top + rows * BAR + groups.len() as f64 * 14.0 + 4.0;
    let height = bottom + 60.0;
    let title = match lang {
        Lang::Zh => format!("{}：各目标组对比", s.title_in(lang)),
        Lang::En => format!("{}: target sets compared", s.title_in(lang)),
    };
    let mut d = Doc::new(style::WIDTH, height, &title);
    d.title(&title);
    d.subtitle(&format!(
        "{} · {}",
        lang.t(
            "每个目标的实现概率（无此目标则无条形）",
            "probability that each target is met (no bar where a set has no target)"
        ),
        style::draws(c.draws, lang)
    ));
    let keys: Vec<(Key, String)> = c
        .sets
        .keys()
        .enumerate()
        .map(|(k, name)| {
            (
                Key::Swatch(palette::target_set(k).into()),
                set_label(c, name, lang),
            )
        })
        .collect();
    legend(&mut d, 24.0, 82.0, style::WIDTH - 24.0, &keys);
    let x = Scale::new(0.0, 1.0, left, right);
    x_axis(
        &mut d,
        &x,
        0.1,
        TickKind::Percent,
        bottom,
        top - 4.0,
        style::p_met(lang),
    );
    let mut y = top + 4.0;
    for (g, (label, bars)) in groups.iter().enumerate() {
        if g + 1 == groups.len() {
            d.line((24.0, y - 5.0), (right, y - 5.0), style::AXIS, 1.2);
        }
        let h = bars.len().max(1) as f64 * BAR;
        d.text(
            left - 10.0,
            y + h / 2.0 + 5.0,
            style::SMALL,
            Anchor::End,
            style::INK,
            label,
        );
        for (i, (k, text, short, p)) in bars.iter().enumerate() {
            let by = y + i as f64 * BAR;
            let colour = palette::target_set(*k);
            d.rect(
                left,
                by + 2.0,
                x.at(*p) - left,
                BAR - 4.0,
                colour,
                Some(text),
            );
            // The whole text beside the bar or inside it, where it fits;
            // else without the set's name; never past the canvas.
            let after = style::WIDTH - 8.0 - (x.at(*p) + 6.0);
            let within = x.at(*p) - left - 12.0;
            let fits = |t: &str, room: f64| text_width(t, 12.0) <= room;
            let (shown, inside) = [text, short]
                .into_iter()
                .find_map(|t| {
                    if *p <= 0.6 && fits(t, after) {
                        Some((t, false))
                    } else if fits(t, within) {
                        Some((t, true))
                    } else if fits(t, after) {
                        Some((t, false))
                    } else {
                        None
                    }
                })
                .unwrap_or((short, within > after));
            if inside {
                d.text(
                    left + 6.0,
                    by + BAR / 2.0 + 4.5,
                    12.0,
                    Anchor::Start,
                    "#FFFFFF",
                    shown,
                );
            } else {
                d.text(
                    x.at(*p) + 6.0,
                    by + BAR / 2.0 + 4.5,
                    12.0,
                    Anchor::Start,
                    colour,
                    shown,
                );
            }
        }
        y += h + 14.0;
    }
    d.finish()
}

/// One dot of the variants chart.
struct Dot {
    label: String,
    change: f64,
    se: f64,
    joint: bool,
}

/// What each variant changes for one set, against the base; `None` when
/// the set does not exist.
pub fn variants_svg(
    s: &Scenario,
    c: &Comparison,
    set: &str,
    settings: &Settings,
) -> Option<String> {
    let lang = settings.lang;
    let k = c.sets.get_index_of(set)?;
    let base_joint = c.sets.get(set)?.joint_probability;
    let colour = palette::target_set(k);
    // Per variant: its label and its dots.
    let groups: Vec<(String, Vec<Dot>)> = c
        .variants
        .iter()
        .filter_map(|(name, v)| {
            let vs = v.sets.get(set)?;
            let mut dots: Vec<Dot> = vs
                .targets
                .iter()
                .filter(|(_, t)| t.change.abs() >= MOVED && t.change.abs() > 2.0 * t.change_se)
                .map(|(ind, t)| {
                    let (label, kind, unit) = indicator_label(s, ind, lang);
                    let base = c
                        .indicators
                        .get(ind)
                        .and_then(|r| r.targets.get(set))
                        .map(|b| b.probability);
                    Dot {
                        label: format!(
                            "{label} {} ({} → {})",
                            super::chart::rule_text_unit(&t.rule, kind, unit.as_deref()),
                            base.map_or("—".to_string(), format::probability),
                            format::probability(t.probability)
                        ),
                        change: t.change,
                        se: t.change_se,
                        joint: false,
                    }
                })
                .collect();
            dots.push(Dot {
                label: format!(
                    "{} ({} → {})",
                    style::met_together(lang),
                    format::probability(base_joint),
                    format::probability(vs.joint_probability)
                ),
                change: vs.joint_change,
                se: vs.joint_change_se,
                joint: true,
            });
            Some((
                lang.label(v.label.as_deref(), v.label_en.as_deref(), name)
                    .to_string(),
                dots,
            ))
        })
        .collect();
    const ROW: f64 = 26.0;
    let label_w = groups
        .iter()
        .flat_map(|g| g.1.iter().map(|d| text_width(&d.label, 12.0)))
        .fold(120.0, f64::max)
        .min(420.0);
    let left = 24.0 + label_w + 14.0;
    let right = style::WIDTH - 30.0;
    let top = 110.0;
    let rows: usize = groups.iter().map(|g| g.1.len() + 1).sum();
    let bottom = top + rows as f64 * ROW + 6.0;
    let height = bottom + 60.0;
    // The scale: symmetric about 0, in percentage points, wide enough for
    // every dot and its whiskers.
    let reach = groups
        .iter()
        .flat_map(|g| g.1.iter().map(|d| d.change.abs() + 2.0 * d.se))
        .fold(0.01, f64::max)
        * 100.0;
    let step = super::chart::nice_step(2.0 * reach, 6.0);
    let span = (reach / step).ceil() * step;
    let x = Scale::new(-span, span, left, right);
    let set_name = set_label(c, set, lang);
    let title = match lang {
        Lang::Zh => format!("{}：各情景相对基准的变化", set_name),
        Lang::En => format!("{}: what each variant changes", set_name),
    };
    let mut d = Doc::new(style::WIDTH, height, &title);
    d.title(&title);
    d.subtitle(
        &match lang {
            Lang::Zh => format!(
                "实现概率的变化（百分点），±2 个配对标准误（同一组随机数）；只列出有变化的目标 · {}",
                style::draws(c.draws, lang)
            ),
            Lang::En => format!(
                "change in P(met), percentage points, ±2 paired standard errors (common random numbers); only the targets a variant moves · {}",
                style::draws(c.draws, lang)
            ),
        },
    );
    legend(
        &mut d,
        24.0,
        82.0,
        style::WIDTH - 24.0,
        &[
            (
                Key::Marker(style::set_shape(k), colour.into()),
                set_name.clone(),
            ),
            (
                Key::Marker(style::Shape::Ring, colour.into()),
                style::met_together(lang).into(),
            ),
        ],
    );
    x_axis(
        &mut d,
        &x,
        step,
        TickKind::Value(Kind::Level),
        bottom,
        top - 4.0,
        lang.t(
            "相对基准的变化（百分点）",
            "change against the base (percentage points)",
        ),
    );
    let x0 = x.at(0.0);
    d.line((x0, top - 4.0), (x0, bottom), style::INK, 1.5);
    let mut y = top;
    for (variant, dots) in &groups {
        d.bold(
            24.0,
            y + ROW * 0.65,
            style::SMALL,
            Anchor::Start,
            style::INK,
            variant,
        );
        y += ROW;
        for dot in dots {
            let cy = y + ROW / 2.0;
            d.text(
                left - 10.0,
                cy + 4.0,
                12.0,
                Anchor::End,
                style::INK,
                &dot.label,
            );
            let (w0, w1) = (
                x.at(100.0 * (dot.change - 2.0 * dot.se)),
                x.at(100.0 * (dot.change + 2.0 * dot.se)),
            );
            d.line((w0, cy), (w1, cy), colour, 1.5);
            d.line((w0, cy - 4.0), (w0, cy + 4.0), colour, 1.5);
            d.line((w1, cy - 4.0), (w1, cy + 4.0), colour, 1.5);
            let shape = if dot.joint {
                style::Shape::Ring
            } else {
                style::set_shape(k)
            };
            let pp = dot.change * 100.0;
            let text = if pp.abs() < 0.1 {
                format!("{pp:+.2}")
            } else {
                format!("{pp:+.1}")
            };
            d.marker_as(
                "change",
                shape,
                (x.at(100.0 * dot.change), cy),
                7.0,
                colour,
                &format!("{variant} · {}: {text} ± {:.1}", dot.label, 200.0 * dot.se),
            );
            // The number outside the whiskers, away from zero unless that
            // would run into the labels.
            let room_left = w0 - 10.0 - text_width(&text, 12.0) > left;
            let (tx, anchor) = if dot.change >= 0.0 || !room_left {
                (w1.max(x.at(100.0 * dot.change) + 8.0) + 6.0, Anchor::Start)
            } else {
                (w0.min(x.at(100.0 * dot.change) - 8.0) - 6.0, Anchor::End)
            };
            d.text(tx, cy + 4.0, 12.0, anchor, style::INK, &text);
            y += ROW;
        }
    }
    Some(d.finish())
}
