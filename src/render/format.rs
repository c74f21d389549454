//! Numbers as planners read them: rates as percents, levels with sensible
//! digits, probabilities as percents.

use crate::scenario::Kind;

/// A value of an indicator of this kind: `9.1%`, `280.4`, `12`.
pub fn value(x: f64, kind: Kind) -> String {
    unsigned_zero(match kind {
        Kind::Rate => format!("{:.1}%", x * 100.0),
        Kind::Count => {
            if x.fract() == 0.0 {
                format!("{x:.0}")
            } else {
                format!("{x:.1}")
            }
        }
        Kind::Level => level(x),
    })
}

/// `-0.0%` reads as a fall: a value that rounds to zero prints without a sign.
fn unsigned_zero(s: String) -> String {
    match s.strip_prefix('-') {
        Some(rest) if !rest.contains(|c: char| c.is_ascii_digit() && c != '0') => rest.to_string(),
        _ => s,
    }
}

/// A threshold: like `value`, but rates keep one more digit when needed.
pub fn threshold(x: f64, kind: Kind) -> String {
    unsigned_zero(match kind {
        Kind::Rate => {
            let pct = x * 100.0;
            if (pct * 10.0 - (pct * 10.0).round()).abs() < 1e-9 {
                format!("{pct:.1}%")
            } else {
                format!("{pct:.2}%")
            }
        }
        _ => value(x, kind),
    })
}

/// Three significant digits at least, no exponent for everyday magnitudes.
pub fn level(x: f64) -> String {
    let a = x.abs();
    unsigned_zero(if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else if a >= 0.01 {
        format!("{x:.3}")
    } else {
        format!("{x:.3e}")
    })
}

/// A probability as a percent with one decimal: `62.8%`.
pub fn probability(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_as_percents_and_levels_keep_their_unit_scale() {
        assert_eq!(value(0.0912, Kind::Rate), "9.1%");
        assert_eq!(threshold(0.09, Kind::Rate), "9.0%");
        assert_eq!(threshold(0.125, Kind::Rate), "12.5%");
        assert_eq!(threshold(0.1225, Kind::Rate), "12.25%");
        assert_eq!(value(280.44, Kind::Level), "280.4");
        assert_eq!(value(12.0, Kind::Count), "12");
        assert_eq!(probability(0.62751), "62.8%");
    }

    #[test]
    fn a_value_that_rounds_to_zero_has_no_minus_sign() {
        assert_eq!(value(-0.0002, Kind::Rate), "0.0%");
        assert_eq!(value(-0.02, Kind::Count), "0.0");
        assert_eq!(threshold(-0.00001, Kind::Rate), "0.00%");
        assert_eq!(value(-0.0012, Kind::Rate), "-0.1%");
        assert_eq!(value(-1e-5, Kind::Level), "-1.000e-5");
    }
}
