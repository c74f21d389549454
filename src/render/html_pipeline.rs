//! The report's "Key projects" section: the pipeline chart, how often each
//! pipeline target is missed, and the critical projects. Definitions are
//! those of [`crate::summary::pipeline`].

use super::format;
use super::html::{Section, escape};
use crate::scenario::Scenario;
use crate::summary::Summary;

/// Section id.
pub const ID: &str = "pipeline";

/// The section, or `None` without a pipeline.
pub fn section(s: &Scenario, summary: &Summary) -> Option<Section> {
    let pl = summary.pipeline.as_ref()?;
    let mut out = String::new();
    out.push_str(&format!(
        "<p>{} projects on the list. A project's <strong>contribution</strong> to a target is how often the target is missed in the draws where the project does not start; its <strong>lift</strong> is that minus how often it is missed when the project starts. A project is <strong>critical</strong> when its lift is at least {} points.</p>\n",
        pl.projects.len(),
        (pl.critical_lift * 100.0).round()
    ));
    if let Some(svg) = super::pipeline_chart::svg(s, pl) {
        // The SVG's own <title> names it; drop the XML-free header as is.
        out.push_str("<figure>\n");
        out.push_str(&svg);
        out.push_str("<figcaption>The project list by probability of starting, and the threshold the sum must reach.</figcaption>\n</figure>\n");
    }
    if !pl.targets.is_empty() {
        out.push_str("<table><thead><tr><th>target on the pipeline</th><th class=\"num\">P(missed)</th></tr></thead><tbody>\n");
        for t in &pl.targets {
            out.push_str(&format!(
                "<tr><td><code>{}</code> {}</td><td class=\"num\">{}</td></tr>\n",
                escape(&t.indicator),
                escape(&t.rule.describe(format::level)),
                format::probability(t.p_missed)
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    if pl.critical.is_empty() {
        out.push_str("<p>No project is critical: no single project moves a target's miss probability by that much.</p>\n");
    } else {
        out.push_str("<h3>Critical projects</h3>\n<table><thead><tr><th>project</th><th>target</th><th class=\"num\">P(missed | not started)</th><th class=\"num\">P(missed | started)</th><th class=\"num\">lift (points)</th></tr></thead><tbody>\n");
        for c in &pl.critical {
            out.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}</td></tr>\n",
                escape(&c.project),
                escape(&c.indicator),
                format::probability(c.p_missed_if_not_started),
                format::probability(c.p_missed_if_started),
                c.lift * 100.0
            ));
        }
        out.push_str("</tbody></table>\n");
    }
    Some(Section::new(ID, "Key projects", out))
}
