//! The results half of the workshop page, redrawn on the server after each
//! change from the same briefing as the report: the headline (each
//! target's P(met), verdict and recommended target; the joint
//! probability), the chosen set's target ladder, and for a plan the fan
//! charts of its targeted indicators. Written with maud, the report's one
//! escaper; chart SVG is written by the chart modules, which escape their
//! own text.

use crate::briefing::{Briefing, Settings};
use crate::render::chart::ladder;
use crate::render::fan;
use crate::render::headline;
use crate::render::html_plan;
use crate::scenario::Scenario;
use crate::summary::Summary;
use maud::{PreEscaped, html};

/// The results for the target set `set` (the first set when `None` or
/// unknown); the briefing's other sets are left out, so the projector
/// shows the one the meeting is on.
pub fn results(
    s: &Scenario,
    summary: &Summary,
    settings: &Settings,
    set: Option<&str>,
) -> Result<String, String> {
    let full = crate::briefing::build(s, summary, settings);
    let chosen = set
        .and_then(|n| full.sets.iter().position(|b| b.name == n))
        .unwrap_or(0);
    // The ladder reads the upper level's set beside the chosen one.
    let upper = full
        .sets
        .iter()
        .enumerate()
        .find(|(_, b)| b.upper_level)
        .map(|(k, b)| (b, k));
    let ladder_svg = full
        .sets
        .get(chosen)
        .map(|b| ladder::svg(b, chosen, upper, settings));
    let shown = Briefing {
        settings: full.settings.clone(),
        sets: full.sets.get(chosen).cloned().into_iter().collect(),
        plan: full.plan.clone(),
    };
    let fans = if summary.is_plan() {
        let targeted = |name: &str| {
            summary
                .target_sets
                .values()
                .any(|set| set.targets.iter().any(|t| t.indicator == name))
                || summary
                    .plan_targets
                    .as_ref()
                    .is_some_and(|p| p.targets.iter().any(|t| t.indicator == name))
        };
        // Only the targeted indicators' fans: what the meeting decides on,
        // and a fraction of the drawing time of all of them.
        let drawn = fan::charts(s, summary, settings)
            .into_iter()
            .filter(|(name, _)| targeted(name))
            .map(|(name, chart)| {
                Ok(fan::Drawn {
                    stem: format!("fan-{name}"),
                    svg: fan::svg(&chart)?,
                    png: Vec::new(),
                    title: chart.title,
                    indicator: name,
                })
            })
            .collect::<Result<Vec<_>, fan::FanError>>()
            .map_err(|e| e.to_string())?;
        Some(html_plan::fan_figures(summary, &drawn, settings.lang))
    } else {
        None
    };
    let lang = settings.lang;
    Ok(html! {
        div.headline { (headline::html(&shown, &[])) }
        @if let (Some(svg), Some(b)) = (&ladder_svg, shown.sets.first()) {
            figure.chart.ladder id=(format!("chart-ladder-{}", b.name)) {
                (PreEscaped(strip_prolog(svg)))
                figcaption { (crate::render::text::clean(&ladder::title(b, lang))) }
            }
        }
        @if let Some(f) = &fans {
            div.fans { (f) }
        }
    }
    .into_string())
}

fn strip_prolog(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}
