//! The cover: title, campaign, commissioning body, evaluator, waves, date.

use super::Context;
use crate::doc::Cover;
use crate::format;

pub fn cover(cx: &Context) -> Cover {
    let m = &cx.batch.manifest;
    let mut facts = Vec::new();
    let mut fact = |label: String, value: String| facts.push((label, value));
    if let Some(v) = m.report_field("commissioned_by") {
        fact(cx.t("委托单位", "Commissioned by"), v.into());
    }
    if let Some(v) = m.report_field("evaluator") {
        fact(cx.t("评估机构", "Evaluator"), v.into());
    }
    let waves: Vec<String> = m
        .waves()
        .into_iter()
        .map(|(wave, role)| {
            let role = match role.as_str() {
                "baseline" => cx.t("基线", "baseline"),
                "final" => cx.t("终期", "final"),
                _ => cx.t("其他", "other"),
            };
            let n = cx
                .batch
                .sample
                .iter()
                .find(|s| s.wave == wave && s.group_var == "overall")
                .map(|s| format::count(s.n));
            let (open, sep, close) = (
                cx.lang.pick("（", " ("),
                cx.lang.pick("，", ", "),
                cx.lang.pick("）", ")"),
            );
            match n {
                Some(n) => format!("{wave}{open}{role}{sep}n = {n}{close}"),
                None => format!("{wave}{open}{role}{close}"),
            }
        })
        .collect();
    fact(
        cx.t("调查轮次", "Waves"),
        waves.join(cx.lang.pick("；", "; ")),
    );
    fact(
        cx.t("报告日期", "Date"),
        m.generated_at.get(..10).unwrap_or(&m.generated_at).into(),
    );
    fact(
        cx.t("分析工具", "Analysis"),
        format!("minyi analysis {}", m.analysis_version),
    );
    Cover {
        title: cx.t(
            "行政执法群众满意度第三方评估报告",
            "Third-party assessment of public satisfaction with administrative law enforcement",
        ),
        subtitle: m
            .report_field("campaign")
            .map(str::to_string)
            .unwrap_or_else(|| cx.t("2025 年目标评估", "The 2025 goal assessment")),
        facts,
    }
}
