//! Helpers shared by the messages that point at a problem in planner input:
//! a caret under the offending character, and a "did you mean" suggestion
//! for a misspelt name.

/// Characters of a formula shown around an error; longer formulas are cut
/// to a window around the error so a message stays readable.
const CARET_WINDOW: usize = 72;

/// Two lines: the formula (or a window of it around `offset`, with `…`
/// where it is cut) and a `^` under the character at byte `offset`.
pub fn caret(formula: &str, offset: usize) -> String {
    let chars: Vec<char> = formula
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let column = formula
        .char_indices()
        .take_while(|&(i, _)| i < offset)
        .count();
    if chars.len() <= CARET_WINDOW {
        let line: String = chars.iter().collect();
        return format!("{line}\n{}^", " ".repeat(column));
    }
    let start = column
        .saturating_sub(CARET_WINDOW / 2)
        .min(chars.len() - CARET_WINDOW);
    let end = start + CARET_WINDOW;
    let mut line = String::new();
    let mut col = column - start;
    if start > 0 {
        line.push('…');
        col += 1;
    }
    line.extend(&chars[start..end]);
    if end < chars.len() {
        line.push('…');
    }
    format!("{line}\n{}^", " ".repeat(col))
}

/// The candidate most similar to `name`, if any is similar enough to be worth
/// suggesting; shared by unknown-function and unknown-name errors so both
/// suggest in the same way. Comparison ignores ASCII case. Edit distance with
/// transpositions catches short typos (`gpd`, `mn`) that Jaro-Winkler misses;
/// Jaro-Winkler catches shared prefixes (`maximum` for `max`).
pub fn suggest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let name = name.to_ascii_lowercase();
    let max_edits = match name.len() {
        0..=3 => 1,
        4..=6 => 2,
        _ => 3,
    };
    let mut best: Option<(&'c str, usize, f64)> = None;
    for cand in candidates {
        let lower = cand.to_ascii_lowercase();
        let edits = strsim::osa_distance(&name, &lower);
        let similarity = strsim::jaro_winkler(&name, &lower);
        if edits > max_edits && similarity < 0.85 {
            continue;
        }
        if best.is_none_or(|(_, e, s)| (edits, -similarity) < (e, -s)) {
            best = Some((cand, edits, similarity));
        }
    }
    best.map(|(c, _, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expr::Func;

    #[test]
    fn suggests_the_closest_candidate_or_none() {
        assert_eq!(suggest("xyz", ["gdp", "exports"]), None);
        assert_eq!(suggest("GDP", ["gdp", "exports"]), Some("gdp"));
        assert_eq!(suggest("export", ["gdp", "exports"]), Some("exports"));
        assert_eq!(suggest("maximum", Func::ALL.map(Func::name)), Some("max"));
        assert_eq!(suggest("power", Func::ALL.map(Func::name)), Some("pow"));
        assert_eq!(suggest("x", Func::ALL.map(Func::name)), None);
        assert_eq!(suggest("gdp", Func::ALL.map(Func::name)), None);
    }
}
