//! Small pictures of a driver's distribution for the report's assumptions
//! table: the density of a continuous driver as a filled curve, the
//! probabilities of a discrete one as bars. Drawn from the distribution
//! itself (its CDF and probabilities), not from draws, so the picture shows
//! exactly what was assumed.
//!
//! The SVG holds numbers only (no text), so it needs no escaping.

use crate::model::distribution::Marginal;

pub const WIDTH: f64 = 160.0;
pub const HEIGHT: f64 = 40.0;
/// Points of a density curve; values of a discrete distribution drawn as bars.
const POINTS: usize = 64;
const MAX_BARS: usize = 40;

const FILL: &str = "#56B4E9";
const STROKE: &str = "#0072B2";

/// An inline `<svg>` of the distribution, `WIDTH` by `HEIGHT` pixels, the
/// default interval (10%–90%) shaded darker.
pub fn svg(m: &Marginal, alt: &str) -> String {
    svg_in(m, alt, crate::briefing::Interval::default())
}

/// [`svg`] with the settings' interval shaded darker under the curve (the
/// one interval every chart and table shows).
pub fn svg_in(m: &Marginal, alt: &str, interval: crate::briefing::Interval) -> String {
    let body = if m.is_discrete() {
        discrete_values(m).map_or_else(|| continuous(m, interval), |v| bars(m, &v))
    } else {
        continuous(m, interval)
    };
    format!(
        "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">{body}</svg>",
        super::chart::svg::escape(alt)
    )
}

/// The distinct values of a discrete distribution between its 0.05% and
/// 99.95% quantiles, if there are few enough to draw as bars.
fn discrete_values(m: &Marginal) -> Option<Vec<f64>> {
    let mut values: Vec<f64> = Vec::new();
    let n = 400;
    for k in 0..=n {
        let u = 0.0005 + 0.999 * k as f64 / n as f64;
        let v = m.quantile(u);
        if !v.is_finite() {
            continue;
        }
        if values.last() != Some(&v) {
            values.push(v);
        }
        if values.len() > MAX_BARS {
            return None;
        }
    }
    values.dedup();
    Some(values)
}

fn bars(m: &Marginal, values: &[f64]) -> String {
    let (lo, hi) = match (values.first(), values.last()) {
        (Some(&a), Some(&b)) => (a, b),
        _ => return String::new(),
    };
    let probs: Vec<f64> = values.iter().map(|&v| m.pmf(v)).collect();
    let top = probs.iter().copied().fold(0.0, f64::max);
    if top <= 0.0 {
        return String::new();
    }
    let slots = values.len() as f64;
    let slot_w = WIDTH / slots;
    let bar_w = (slot_w * 0.7).max(1.0);
    let mut out = String::new();
    for (k, (&v, &p)) in values.iter().zip(&probs).enumerate() {
        // Place by value when values are unevenly spaced, else by slot.
        let cx = if hi > lo && values.len() > 1 {
            slot_w / 2.0 + (v - lo) / (hi - lo) * (WIDTH - slot_w)
        } else {
            slot_w * (k as f64 + 0.5)
        };
        let h = (HEIGHT - 2.0) * p / top;
        out.push_str(&format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{FILL}\" stroke=\"{STROKE}\" stroke-width=\"0.5\"/>",
            cx - bar_w / 2.0,
            HEIGHT - h,
            bar_w,
            h
        ));
    }
    out
}

fn continuous(m: &Marginal, interval: crate::briefing::Interval) -> String {
    let (a, b) = (m.quantile(0.005), m.quantile(0.995));
    if !(a.is_finite() && b.is_finite()) || b <= a {
        // A fixed value: one line in the middle.
        return format!(
            "<line x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{HEIGHT}\" stroke=\"{STROKE}\" stroke-width=\"2\"/>",
            x = WIDTH / 2.0
        );
    }
    let step = (b - a) / (POINTS - 1) as f64;
    let dens: Vec<f64> = (0..POINTS)
        .map(|k| {
            let x = a + k as f64 * step;
            ((m.cdf(x + step / 2.0) - m.cdf(x - step / 2.0)) / step).max(0.0)
        })
        .collect();
    let top = dens.iter().copied().fold(0.0, f64::max);
    if top.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return String::new();
    }
    let mut d = format!("M0,{HEIGHT}");
    for (k, y) in dens.iter().enumerate() {
        let px = WIDTH * k as f64 / (POINTS - 1) as f64;
        let py = HEIGHT - (HEIGHT - 2.0) * y / top;
        d.push_str(&format!(" L{px:.1},{py:.1}"));
    }
    d.push_str(&format!(" L{WIDTH},{HEIGHT} Z"));
    // The interval: the curve's points between its quantiles, filled darker.
    let (pa, pb) = interval.probabilities();
    let (qa, qb) = (m.quantile(pa), m.quantile(pb));
    let px = |x: f64| (WIDTH * (x - a) / (b - a)).clamp(0.0, WIDTH);
    let mut band = format!("M{:.1},{HEIGHT}", px(qa));
    for (k, y) in dens.iter().enumerate() {
        let x = a + k as f64 * step;
        if x >= qa && x <= qb {
            let py = HEIGHT - (HEIGHT - 2.0) * y / top;
            band.push_str(&format!(" L{:.1},{py:.1}", px(x)));
        }
    }
    band.push_str(&format!(" L{:.1},{HEIGHT} Z", px(qb)));
    format!(
        "<path d=\"{d}\" fill=\"{FILL}\" fill-opacity=\"0.35\" stroke=\"{STROKE}\" stroke-width=\"1.2\"/><path class=\"interval\" d=\"{band}\" fill=\"{FILL}\" fill-opacity=\"0.8\"/>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::distribution::Distribution;

    #[test]
    fn a_normal_driver_is_drawn_as_a_curve_peaking_in_the_middle() {
        let m = Distribution::normal(0.09, 0.02)
            .and_then(|d| d.marginal())
            .unwrap();
        let s = svg(&m, "g");
        assert!(s.starts_with("<svg") && s.contains("<path"));
        // The highest point (smallest y) is at the middle of the curve.
        let d = s.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
        let pts: Vec<(f64, f64)> = d
            .split(" L")
            .skip(1)
            .filter_map(|p| {
                let (x, y) = p.trim_end_matches(" Z").split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect();
        let peak = pts
            .iter()
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|p| p.0)
            .unwrap();
        assert!((peak - WIDTH / 2.0).abs() < WIDTH / 20.0, "peak at {peak}");
    }

    #[test]
    fn the_interval_is_shaded_between_its_quantiles() {
        // Normal(0, 1) drawn over its 0.5%-99.5% quantiles (±2.5758): the
        // 10%-90% interval (±1.2816) spans 1.2816 / 2.5758 = 49.8% of the
        // width, centred.
        let m = Distribution::normal(0.0, 1.0)
            .and_then(|d| d.marginal())
            .unwrap();
        let s = svg(&m, "g");
        let band = s.split("class=\"interval\" d=\"").nth(1).unwrap();
        let band = band.split('"').next().unwrap();
        let xs: Vec<f64> = band
            .split(['M', 'L'])
            .filter_map(|p| p.trim().trim_end_matches(" Z").split_once(','))
            .map(|(x, _)| x.parse().unwrap())
            .collect();
        let (lo, hi) = (xs[0], xs[xs.len() - 1]);
        let want = WIDTH * (1.0 - 1.2816 / 2.5758) / 2.0;
        assert!(
            (lo - want).abs() < 0.2 && (WIDTH - hi - want).abs() < 0.2,
            "{lo} {hi}"
        );
    }

    #[test]
    fn a_binomial_driver_is_drawn_as_one_bar_per_value() {
        let m = Distribution::binomial(6.0, 0.8)
            .and_then(|d| d.marginal())
            .unwrap();
        let s = svg(&m, "pv");
        // P(X = k) >= 0.0005 for k = 1..6 (P(X = 0) = 0.2^6 = 0.000064 is
        // below the 0.05% quantile).
        assert_eq!(s.matches("<rect").count(), 6);
    }
}
