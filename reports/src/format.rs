//! Number formatting, the report's only arithmetic: rounding for display. One decimal for
//! indices and changes, as the verdict sentence prints them, percentages for shares.

use crate::lang::Lang;

/// An index or mean: `72.4`.
pub fn index(value: f64) -> String {
    format!("{value:.1}")
}

/// A change with its sign: `+4.4`, `-0.3`.
pub fn change(value: f64) -> String {
    format!("{value:+.1}")
}

/// An interval: `68.2–76.1` (or `—` when the batch has none).
pub fn interval(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("{l:.1}–{h:.1}"),
        _ => "—".into(),
    }
}

/// A change's interval with signs: `+2.8 至 +6.0` / `+2.8 to +6.0`.
pub fn change_interval(low: Option<f64>, high: Option<f64>, lang: Lang) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("{l:+.1} {} {h:+.1}", lang.pick("至", "to")),
        _ => "—".into(),
    }
}

/// A share as a percentage: `63.5%`.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A share interval in percent: `58.1–68.6%`.
pub fn percent_interval(low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("{:.1}–{:.1}%", l * 100.0, h * 100.0),
        _ => "—".into(),
    }
}

/// A p-value: `0.012`, `<0.001`.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
        None => "—".into(),
    }
}

/// A count with thousands separators: `12,345`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An optional number with `digits` decimals.
pub fn optional(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "—".into(), |v| format!("{v:.digits$}"))
}

/// Hex digits in groups of 16 separated by spaces, so that a 64-digit hash reads as four
/// groups and breaks between them: `3f2a…(16) 91c0…(16) …`.
pub fn hex_groups(hex: &str) -> String {
    let digits: Vec<char> = hex.chars().collect();
    digits
        .chunks(16)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_as_the_verdict_sentence_does() {
        assert_eq!(index(72.449), "72.4");
        assert_eq!(change(4.36), "+4.4");
        assert_eq!(change(-0.04), "-0.0");
        assert_eq!(
            change_interval(Some(2.75), Some(6.04), Lang::Zh),
            "+2.8 至 +6.0"
        );
        assert_eq!(percent(0.6351), "63.5%");
        assert_eq!(p_value(Some(0.0004)), "<0.001");
        assert_eq!(p_value(Some(0.0123)), "0.012");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(999), "999");
        assert_eq!(interval(None, Some(1.0)), "—");
    }

    #[test]
    fn hex_reads_in_groups_of_sixteen() {
        let root = "0123456789abcdef".repeat(4);
        assert_eq!(
            hex_groups(&root),
            "0123456789abcdef 0123456789abcdef 0123456789abcdef 0123456789abcdef"
        );
        assert_eq!(hex_groups("abc"), "abc");
        assert_eq!(hex_groups(""), "");
    }
}
