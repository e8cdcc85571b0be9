//! The layout of an export: fixed columns, then one column per questionnaire item; the
//! codebook that explains every column and value.

use std::collections::HashMap;

use minyi_questionnaire::{
    likert_labels, not_applicable_label, yes_no_labels, Item, ItemKind, Lang, Questionnaire,
};

use crate::db::campaigns::CampaignContext;
use crate::db::responses::ResponseWithAnswers;

/// The fixed columns before the item columns: the integrity crate's, so that a bundle's
/// `responses.csv` is exactly what its offline verification reads.
pub use minyi_integrity::bundle::FIXED_COLUMNS;

/// Everything needed to turn stored responses into rows.
pub struct Layout {
    items: Vec<Item>,
    units: HashMap<i32, (String, String)>,
    sites: HashMap<i32, String>,
    version: String,
}

impl Layout {
    pub fn new(ctx: &CampaignContext, q: &Questionnaire) -> Layout {
        Layout {
            items: q.items().map(|(_, i)| i.clone()).collect(),
            units: ctx
                .units
                .iter()
                .map(|u| (u.id, (u.code.clone(), u.name_zh.clone())))
                .collect(),
            sites: ctx.sites.iter().map(|s| (s.id, s.code.clone())).collect(),
            version: format!("{} {}", q.id, q.version),
        }
    }

    pub fn header(&self) -> Vec<String> {
        FIXED_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(self.items.iter().map(|i| i.id.clone()))
            .collect()
    }

    /// One response as cells: codes, or Chinese value labels when `labels` is set. Every
    /// cell is neutralised against formula injection (for spreadsheets).
    pub fn row(&self, row: &ResponseWithAnswers, labels: bool) -> Vec<String> {
        self.cells(row, labels)
            .into_iter()
            .map(neutralise)
            .collect()
    }

    /// One response as codes, exactly as stored (for Parquet, read by programs).
    pub fn raw_row(&self, row: &ResponseWithAnswers) -> Vec<String> {
        self.cells(row, false)
    }

    fn cells(&self, (response, answers): &ResponseWithAnswers, labels: bool) -> Vec<String> {
        let (unit, unit_name) = self
            .units
            .get(&response.unit_id)
            .cloned()
            .unwrap_or_default();
        let submitted = chrono::DateTime::from_timestamp_millis(response.submitted_at)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default();
        let mut cells = vec![
            response.id.to_string(),
            submitted,
            unit,
            unit_name,
            response
                .site_id
                .and_then(|s| self.sites.get(&s).cloned())
                .unwrap_or_default(),
            response.respondent_type.clone().unwrap_or_default(),
            response.lang.clone(),
            seconds(response.duration_ms),
            response.link_check.clone(),
            u8::from(response.over_quota).to_string(),
            self.version.clone(),
        ];
        for item in &self.items {
            let value = answers
                .iter()
                .find(|(k, _)| *k == item.id)
                .map(|(_, v)| v.as_str());
            let cell = match value {
                None => String::new(),
                Some(v) if labels => label_of(item, v),
                Some(v) => v.to_string(),
            };
            cells.push(cell);
        }
        cells
    }

    /// The codebook: one row per (column, value) with its meaning.
    pub fn codebook(&self) -> Vec<[String; 6]> {
        let mut rows = vec![[
            "column".into(),
            "type".into(),
            "indicator".into(),
            "question".into(),
            "value".into(),
            "label".into(),
        ]];
        for item in &self.items {
            let (kind, values) = item_values(item);
            let indicator = item.indicator.clone().unwrap_or_default();
            let question = item.text.zh.clone();
            if values.is_empty() {
                rows.push([
                    item.id.clone(),
                    kind.into(),
                    indicator.clone(),
                    question.clone(),
                    String::new(),
                    String::new(),
                ]);
            }
            for (value, label) in values {
                rows.push([
                    item.id.clone(),
                    kind.into(),
                    indicator.clone(),
                    question.clone(),
                    value,
                    label,
                ]);
            }
        }
        rows.into_iter().map(|r| r.map(neutralise)).collect()
    }
}

fn item_values(item: &Item) -> (&'static str, Vec<(String, String)>) {
    let zh = Lang::Zh;
    let na = (String::from("na"), not_applicable_label(zh).to_string());
    match &item.kind {
        ItemKind::Likert5 { scale, allow_na } => {
            let mut v: Vec<_> = likert_labels(*scale, zh)
                .iter()
                .enumerate()
                .map(|(i, l)| ((i + 1).to_string(), l.to_string()))
                .collect();
            if *allow_na {
                v.push(na);
            }
            ("likert5", v)
        }
        ItemKind::YesNo { allow_na } => {
            let [yes, no, unsure] = yes_no_labels(zh);
            let mut v = vec![("yes".into(), yes.into()), ("no".into(), no.into())];
            if *allow_na {
                v.push(("na".into(), unsure.into()));
            }
            ("yes_no", v)
        }
        ItemKind::Scale10 { low, high } => (
            "scale10",
            (0..=10)
                .map(|i| {
                    let label = match i {
                        0 => low.zh.clone(),
                        10 => high.zh.clone(),
                        _ => String::new(),
                    };
                    (i.to_string(), label)
                })
                .collect(),
        ),
        ItemKind::Single { options } => (
            "single",
            options
                .iter()
                .map(|o| (o.code.clone(), o.label.zh.clone()))
                .collect(),
        ),
        ItemKind::Multi { options, .. } => (
            "multi (codes joined by ;)",
            options
                .iter()
                .map(|o| (o.code.clone(), o.label.zh.clone()))
                .collect(),
        ),
        ItemKind::Text { .. } => ("text", Vec::new()),
    }
}

fn label_of(item: &Item, stored: &str) -> String {
    let (_, values) = item_values(item);
    let find = |code: &str| {
        values
            .iter()
            .find(|(v, _)| v == code)
            .map_or(code.to_string(), |(_, l)| {
                if l.is_empty() {
                    code.to_string()
                } else {
                    l.clone()
                }
            })
    };
    match item.kind {
        ItemKind::Multi { .. } => stored.split(';').map(find).collect::<Vec<_>>().join(";"),
        ItemKind::Text { .. } => stored.to_string(),
        _ => find(stored),
    }
}

/// A cell a spreadsheet would run as a formula (`= + - @`, or a tab or carriage return first)
/// gets a leading apostrophe, so Excel shows it as text (OWASP's CSV-injection advice).
pub fn neutralise(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// Milliseconds as seconds with three decimals, exactly (integer arithmetic: the integrity
/// log's verifier reads the duration back to the millisecond).
pub fn seconds(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{:03}",
        ms.unsigned_abs() / 1000,
        ms.unsigned_abs() % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formula_like_cells_are_neutralised() {
        for (cell, expected) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("执法=好", "执法=好"),
            ("4", "4"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell.to_string()), expected);
        }
    }
}
