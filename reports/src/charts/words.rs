//! The words the charts share: waves, sources, n, the flag mark and its note.

pub(super) use crate::format::count;
use crate::lang::Lang;
use crate::tables::Batch;

/// Beside the name of a flagged estimate (small sample or imprecise).
pub(super) const FLAG: &str = "※";

/// What the flag mark means.
pub(super) fn flag_note(lang: Lang) -> &'static str {
    lang.pick(
        "※ 样本少于 30 或相对标准误大于 30%，仅供参考",
        "※ fewer than 30 answers or relative SE above 30%: indicative only",
    )
}

/// `2025 年调查` / `the 2025 survey` (a label that is not a year is kept as it is).
pub(super) fn survey(wave: &str, lang: Lang) -> String {
    let year = wave.len() == 4 && wave.chars().all(|c| c.is_ascii_digit());
    match (lang, year) {
        (Lang::Zh, true) => format!("{wave} 年调查"),
        (Lang::Zh, false) => format!("{wave}调查"),
        (Lang::En, _) => format!("the {wave} survey"),
    }
}

/// Whether the batch's estimates are weighted (design weights or a calibration).
pub(super) fn weighted(batch: &Batch) -> bool {
    let weighting = &batch.manifest.configuration["weighting"];
    let populations = weighting["populations"]
        .as_object()
        .is_some_and(|p| !p.is_empty());
    let calibrated = weighting["calibration"]
        .as_str()
        .is_some_and(|c| c != "none");
    populations || calibrated
}

/// `来源：2025 年调查，n = 3,214（加权估计）` / `Source: the 2025 survey, n = 3,214 (weighted
/// estimates)`.
pub(super) fn source(batch: &Batch, wave: &str, n: Option<u64>, lang: Lang) -> String {
    let mut text = format!("{}{}", lang.pick("来源：", "Source: "), survey(wave, lang));
    if let Some(n) = n {
        text += &format!("{}n = {}", lang.pick("，", ", "), count(n));
    }
    if weighted(batch) {
        text += lang.pick("（加权估计）", " (weighted estimates)");
    }
    text
}

/// [`source`] with the wave's n: the respondents behind its overall index.
pub(super) fn wave_source(batch: &Batch, wave: &str, lang: Lang) -> String {
    let n = batch
        .estimate(wave, "overall", "all", "index", "index")
        .map(|e| e.n);
    source(batch, wave, n, lang)
}

/// Several waves with their n: `来源：2024 年调查（n = 1,600）、2025 年调查（n = 1,700），加权估计`.
pub(super) fn sources(batch: &Batch, waves: &[(String, Option<u64>)], lang: Lang) -> String {
    let mut text = lang.pick("来源：", "Source: ").to_string() + &surveys(waves, lang);
    if weighted(batch) {
        text += lang.pick("，加权估计", ", weighted estimates");
    }
    text
}

/// `2024 年调查（n = 1,600）、2025 年调查（n = 1,700）`.
pub(super) fn surveys(waves: &[(String, Option<u64>)], lang: Lang) -> String {
    let each: Vec<String> = waves
        .iter()
        .map(|(wave, n)| match n {
            Some(n) => format!(
                "{}{}n = {}{}",
                survey(wave, lang),
                lang.pick("（", " ("),
                count(*n),
                lang.pick("）", ")")
            ),
            None => survey(wave, lang),
        })
        .collect();
    each.join(lang.pick("、", ", "))
}

/// Caption parts joined as sentences of one caption.
pub(super) fn join(parts: &[String], lang: Lang) -> String {
    let parts: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    match lang {
        Lang::Zh => parts.join("；") + "。",
        Lang::En => parts.join("; ") + ".",
    }
}

/// The index axis: `指数（0–100）`.
pub(super) fn index_axis(lang: Lang) -> &'static str {
    lang.pick("综合满意度指数（0–100）", "Satisfaction index (0–100)")
}

/// `全体` / `All`: the whole sample.
pub(super) fn all(lang: Lang) -> &'static str {
    lang.pick("全体", "All")
}

/// A name with the flag mark when its estimate is flagged.
pub(super) fn marked(name: &str, flagged: bool) -> String {
    if flagged {
        format!("{name} {FLAG}")
    } else {
        name.to_string()
    }
}

/// A title with its wave: `各单位综合满意度指数（2025）` / `… by unit (2025)`.
pub(super) fn titled(title: &str, wave: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{title}（{wave}）"),
        Lang::En => format!("{title} ({wave})"),
    }
}
