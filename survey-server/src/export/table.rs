//! The layout of an export: fixed columns, then one column per questionnaire item; the
//! codebook that explains every column and value.

use std::collections::HashMap;

use minyi_questionnaire::{
    likert_labels, not_applicable_label, yes_no_labels, Item, ItemKind, Lang, Questionnaire,
};

use crate::db::campaigns::CampaignContext;
use crate::db::responses::ExportRow;

/// The fixed columns before the item columns: the integrity crate's, so that a bundle's
/// `responses.csv` is exactly what its offline verification reads.
pub use minyi_integrity::bundle::FIXED_COLUMNS;

/// Everything needed to turn stored responses into rows.
pub struct Layout {
    items: Vec<Item>,
    units: HashMap<i32, (String, String)>,
    sites: HashMap<i32, String>,
    version: String,
    /// (item id, index in `items`), sorted by id bytewise as stored answers are: a row's
    /// answers are matched to their columns in one merge.
    by_id: Vec<(String, usize)>,
    /// Per item, what its value labels are.
    labels: Vec<Labels>,
}

/// How an item's stored value reads as a label.
enum Labels {
    /// Open text: the value itself.
    Text,
    /// One code: its label (the code itself when it has none or is unknown).
    One(Vec<(String, String)>),
    /// Codes joined by `;`: each its label, joined the same way.
    Several(Vec<(String, String)>),
}

/// What a row's cells are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cells {
    /// Codes exactly as stored (Parquet and the bundle, read by programs).
    Raw,
    /// Codes, each cell guarded against formula injection ([`neutralise`]): CSV.
    Codes,
    /// Chinese value labels, guarded: CSV with labels, XLSX.
    Labels,
}

/// Buffers reused from row to row, so that writing a row allocates nothing.
#[derive(Default)]
pub struct Scratch {
    /// Item index → 1 + the index of its answer in the row (0: not answered).
    slots: Vec<usize>,
    text: String,
    guarded: String,
}

impl Layout {
    pub fn new(ctx: &CampaignContext, q: &Questionnaire) -> Layout {
        let items: Vec<Item> = q.items().map(|(_, i)| i.clone()).collect();
        let mut by_id: Vec<(String, usize)> = items
            .iter()
            .enumerate()
            .map(|(k, i)| (i.id.clone(), k))
            .collect();
        by_id.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
        let labels = items
            .iter()
            .map(|item| match item.kind {
                ItemKind::Text { .. } => Labels::Text,
                ItemKind::Multi { .. } => Labels::Several(item_values(item).1),
                _ => Labels::One(item_values(item).1),
            })
            .collect();
        Layout {
            units: ctx
                .units
                .iter()
                .map(|u| (u.id, (u.code.clone(), u.name_zh.clone())))
                .collect(),
            sites: ctx.sites.iter().map(|s| (s.id, s.code.clone())).collect(),
            version: format!("{} {}", q.id, q.version),
            items,
            by_id,
            labels,
        }
    }

    pub fn header(&self) -> Vec<String> {
        FIXED_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .chain(self.items.iter().map(|i| i.id.clone()))
            .collect()
    }

    /// Columns in a row: the fixed ones, then one per item.
    pub fn width(&self) -> usize {
        FIXED_COLUMNS.len() + self.items.len()
    }

    /// The unit code of a unit id ('' when unknown).
    pub fn unit_code(&self, unit_id: i32) -> &str {
        self.units
            .get(&unit_id)
            .map_or("", |(code, _)| code.as_str())
    }

    /// Hands each cell of one response to `cell`, in column order (`""` for an empty cell):
    /// the fixed columns, then each item's value — its code, or its label, as `cells` says.
    /// `answers` are the row's, as [`ExportRow::answers`] decodes them (sorted by item id).
    pub fn each_cell<E>(
        &self,
        row: &ExportRow,
        answers: &[(&str, &str)],
        cells: Cells,
        scratch: &mut Scratch,
        mut cell: impl FnMut(&str) -> Result<(), E>,
    ) -> Result<(), E> {
        let Scratch {
            slots,
            text,
            guarded,
        } = scratch;
        let mut emit = |value: &str| {
            if cells != Cells::Raw && needs_guard(value) {
                guarded.clear();
                guarded.push('\'');
                guarded.push_str(value);
                cell(guarded)
            } else {
                cell(value)
            }
        };
        let (unit, unit_name) = self
            .units
            .get(&row.unit_id)
            .map_or(("", ""), |(c, n)| (c.as_str(), n.as_str()));
        text.clear();
        push_int(text, i64::from(row.id));
        emit(text)?;
        text.clear();
        push_timestamp(text, row.submitted_at);
        emit(text)?;
        emit(unit)?;
        emit(unit_name)?;
        emit(
            row.site_id
                .and_then(|s| self.sites.get(&s))
                .map_or("", String::as_str),
        )?;
        emit(row.respondent_type.as_deref().unwrap_or_default())?;
        emit(&row.lang)?;
        text.clear();
        push_seconds(text, row.duration_ms);
        emit(text)?;
        emit(&row.link_check)?;
        emit(if row.over_quota { "1" } else { "0" })?;
        emit(&self.version)?;
        emit(&row.mode)?;
        emit(&row.stratum)?;
        emit(&row.interviewer)?;

        // Answers and `by_id` are both sorted by item id: one merge finds each item's answer.
        slots.clear();
        slots.resize(self.items.len(), 0);
        let mut next = 0;
        for (a, (id, _)) in answers.iter().enumerate() {
            // Most often the next item in id order is the one (an equality test, not an order).
            while next < self.by_id.len() {
                let known = self.by_id[next].0.as_bytes();
                if known == id.as_bytes() || known > id.as_bytes() {
                    break;
                }
                next += 1;
            }
            while next < self.by_id.len() && self.by_id[next].0 == *id {
                slots[self.by_id[next].1] = a + 1;
                next += 1;
            }
        }
        for (k, slot) in slots.iter().enumerate() {
            let Some(&(_, value)) = slot.checked_sub(1).map(|a| &answers[a]) else {
                emit("")?;
                continue;
            };
            if cells != Cells::Labels {
                emit(value)?;
                continue;
            }
            match &self.labels[k] {
                Labels::Text => emit(value)?,
                Labels::One(values) => emit(label(values, value))?,
                Labels::Several(values) => {
                    text.clear();
                    for (n, code) in value.split(';').enumerate() {
                        if n > 0 {
                            text.push(';');
                        }
                        text.push_str(label(values, code));
                    }
                    emit(text)?;
                }
            }
        }
        Ok(())
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

/// The label of one code: its label, or the code itself when it has none or is unknown.
fn label<'a>(values: &'a [(String, String)], code: &'a str) -> &'a str {
    match values.iter().find(|(v, _)| v == code) {
        Some((_, l)) if !l.is_empty() => l,
        _ => code,
    }
}

/// A cell a spreadsheet would run as a formula (`= + - @`, or a tab or carriage return first)
/// gets a leading apostrophe, so Excel shows it as text (OWASP's CSV-injection advice).
pub fn neutralise(cell: String) -> String {
    if needs_guard(&cell) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn needs_guard(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Appends an integer in decimal.
fn push_int(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_digits(out, n.unsigned_abs(), 1);
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
fn push_digits(out: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    while n > 0 || digits.len() - at < width {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
}

/// Appends a time (milliseconds since the epoch) as RFC 3339 with milliseconds and `Z`, as
/// `to_rfc3339_opts(Millis, true)` writes it; nothing when it is out of range.
fn push_timestamp(out: &mut String, ms: i64) {
    use chrono::{Datelike, Timelike};
    let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else {
        return;
    };
    let year = t.year();
    if !(0..=9999).contains(&year) {
        out.push_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        return;
    }
    let parts = [
        (u64::from(t.month()), '-'),
        (u64::from(t.day()), 'T'),
        (u64::from(t.hour()), ':'),
        (u64::from(t.minute()), ':'),
        (u64::from(t.second()), '.'),
    ];
    push_digits(out, year as u64, 4);
    out.push('-');
    for (n, after) in parts {
        push_digits(out, n, 2);
        out.push(after);
    }
    push_digits(out, u64::from(t.timestamp_subsec_millis()), 3);
    out.push('Z');
}

/// Appends milliseconds as [`seconds`] writes them.
fn push_seconds(out: &mut String, ms: i64) {
    if ms < 0 {
        out.push('-');
    }
    push_digits(out, ms.unsigned_abs() / 1000, 1);
    out.push('.');
    push_digits(out, ms.unsigned_abs() % 1000, 3);
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
    use super::{neutralise, push_int, push_seconds, push_timestamp, seconds};

    #[test]
    fn cells_are_written_as_chrono_and_format_write_them() {
        for ms in [
            0,
            1,
            -1,
            999,
            1_700_000_180_000,
            1_700_000_180_123,
            -62_135_596_800_000,
            -62_135_596_800_001,
            253_402_300_799_999,
            253_402_300_800_000,
            i64::MAX,
            i64::MIN,
        ] {
            let mut out = String::new();
            push_timestamp(&mut out, ms);
            let expected = chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
                .unwrap_or_default();
            assert_eq!(out, expected, "{ms}");
            let mut out = String::new();
            push_seconds(&mut out, ms);
            assert_eq!(out, seconds(ms), "{ms}");
            let mut out = String::new();
            push_int(&mut out, ms);
            assert_eq!(out, ms.to_string());
        }
    }

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
