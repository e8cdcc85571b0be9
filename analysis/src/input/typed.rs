//! Typing a text table against the questionnaire and the column mapping: every answer parsed
//! once, every bad value stopping the batch with its file, row and column.
//! Rows count from 1, the header excluded (row 1 is a CSV file's second line).

use std::collections::BTreeMap;
use std::path::Path;

use minyi_questionnaire::Questionnaire;
use polars::prelude::*;
use rayon::prelude::*;

use super::answers::parse_item;
use super::table::cells;
use super::{Answers, InputError, WaveData};
use crate::config::ColumnMap;

/// Which column holds what, resolved against a table's header.
pub struct Resolved {
    pub columns: ColumnMap,
    /// Item id → column name, for every questionnaire item found in the table.
    pub items: BTreeMap<String, String>,
}

/// Resolves the mapping: mapped items must be questionnaire items and mapped columns must
/// exist; unmapped items are taken from a column named by their id when there is one.
pub fn resolve(
    frame: &DataFrame,
    file: &str,
    columns: &ColumnMap,
    mapped_items: &BTreeMap<String, String>,
    questionnaire: &Questionnaire,
) -> Result<Resolved, InputError> {
    let header: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let has = |name: &str| header.iter().any(|h| h == name);
    let require = |key: &str, name: &Option<String>| match name {
        Some(name) if !has(name) => Err(InputError::MissingColumn {
            file: file.to_string(),
            key: key.to_string(),
            column: name.clone(),
        }),
        _ => Ok(()),
    };
    if columns.unit.is_none() {
        return Err(InputError::MissingColumn {
            file: file.to_string(),
            key: "columns.unit".into(),
            column: "(not mapped)".into(),
        });
    }
    for (key, name) in [
        ("columns.unit", &columns.unit),
        ("columns.unit_name", &columns.unit_name),
        ("columns.respondent_type", &columns.respondent_type),
        ("columns.stratum", &columns.stratum),
        ("columns.weight", &columns.weight),
        ("columns.duration", &columns.duration),
        ("columns.submitted", &columns.submitted),
        ("columns.source", &columns.source),
        ("columns.version", &columns.version),
        ("columns.id", &columns.id),
        ("columns.flags", &columns.flags),
    ] {
        require(key, name)?;
    }
    let mut items = BTreeMap::new();
    for (item, column) in mapped_items {
        if questionnaire.item(item).is_none() {
            return Err(InputError::UnknownItem {
                file: file.to_string(),
                item: item.clone(),
            });
        }
        require(&format!("items.{item}"), &Some(column.clone()))?;
        items.insert(item.clone(), column.clone());
    }
    for (_, item) in questionnaire.items() {
        if !items.contains_key(&item.id) && has(&item.id) {
            items.insert(item.id.clone(), item.id.clone());
        }
    }
    Ok(Resolved {
        columns: columns.clone(),
        items,
    })
}

/// Parses every mapped column of `frame` into a wave.
pub fn typed(
    frame: &DataFrame,
    path: &Path,
    label: &str,
    resolved: &Resolved,
    questionnaire: &Questionnaire,
) -> Result<WaveData, InputError> {
    let file = path.display().to_string();
    let rows = frame.height();
    let text = |name: &str| -> Result<&StringChunked, InputError> {
        frame
            .column(name)
            .and_then(|c| c.str())
            .map_err(|e| InputError::Unreadable {
                file: file.clone(),
                message: e.to_string(),
            })
    };
    let optional_text = |name: &Option<String>| -> Result<Vec<Option<String>>, InputError> {
        Ok(match name {
            Some(name) => {
                let column = text(name)?;
                cells(column)
                    .take(rows)
                    .map(|v| v.map(String::from))
                    .collect()
            }
            None => vec![None; rows],
        })
    };
    let bad = |row: usize, column: &str, message: String| InputError::BadValue {
        file: file.clone(),
        row: row + 1,
        column: column.to_string(),
        message,
    };
    let c = &resolved.columns;
    // The fixed columns on one thread while the item columns are typed on the others.
    let fixed = || -> Result<Fixed, InputError> {
        let unit_column = c.unit.clone().unwrap_or_default();
        let unit = optional_text(&c.unit)?
            .into_iter()
            .enumerate()
            .map(|(r, u)| u.ok_or_else(|| bad(r, &unit_column, "the unit is empty".into())))
            .collect::<Result<Vec<_>, _>>()?;
        let mut unit_names = BTreeMap::new();
        for (u, name) in unit.iter().zip(optional_text(&c.unit_name)?) {
            if let Some(name) = name {
                unit_names.entry(u.clone()).or_insert(name);
            }
        }
        let stratum = match &c.stratum {
            Some(name) => optional_text(&c.stratum)?
                .into_iter()
                .enumerate()
                .map(|(r, s)| s.ok_or_else(|| bad(r, name, "the stratum is empty".into())))
                .collect::<Result<Vec<_>, _>>()?,
            None => unit.clone(),
        };
        let numbers = |name: &Option<String>, what: &str, positive: bool| {
            optional_text(name)?
                .into_iter()
                .enumerate()
                .map(|(r, v)| match v {
                    None => Ok(None),
                    Some(v) => match v.parse::<f64>() {
                        Ok(x) if x.is_finite() && (x > 0.0 || (!positive && x >= 0.0)) => {
                            Ok(Some(x))
                        }
                        _ => Err(bad(
                            r,
                            name.as_deref().unwrap_or_default(),
                            format!("{what} {v:?} is not a number ≥ 0"),
                        )),
                    },
                })
                .collect::<Result<Vec<Option<f64>>, InputError>>()
        };
        let weight = match &c.weight {
            Some(name) => Some(
                numbers(&c.weight, "the weight", true)?
                    .into_iter()
                    .enumerate()
                    .map(|(r, w)| w.ok_or_else(|| bad(r, name, "the weight is empty".into())))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            None => None,
        };
        let duration = numbers(&c.duration, "the duration", false)?;
        let submitted = optional_text(&c.submitted)?
            .into_iter()
            .enumerate()
            .map(|(r, v)| match v {
                None => Ok(None),
                Some(v) => parse_time(&v).map(Some).ok_or_else(|| {
                    bad(
                        r,
                        c.submitted.as_deref().unwrap_or_default(),
                        format!("{v:?} is not a time (RFC 3339 or YYYY-MM-DD HH:MM:SS)"),
                    )
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let id = optional_text(&c.id)?
            .into_iter()
            .enumerate()
            .map(|(r, v)| v.unwrap_or_else(|| (r + 1).to_string()))
            .collect();
        let or = |v: Vec<Option<String>>, default: &str| -> Vec<String> {
            v.into_iter()
                .map(|s| s.unwrap_or_else(|| default.to_string()))
                .collect()
        };
        Ok(Fixed {
            unit,
            unit_names,
            stratum,
            weight,
            duration,
            submitted,
            id,
            source: or(optional_text(&c.source)?, ""),
            version: or(optional_text(&c.version)?, &questionnaire.version),
            server_flags: optional_text(&c.flags)?
                .into_iter()
                .map(|f| {
                    f.map(|f| {
                        f.split(';')
                            .map(|s| s.trim().to_string())
                            .filter(|s| !s.is_empty())
                            .collect()
                    })
                    .unwrap_or_default()
                })
                .collect(),
        })
    };
    // The item columns are typed in parallel; the first bad value in column order is reported.
    let items = || -> Result<BTreeMap<String, Answers>, InputError> {
        resolved
            .items
            .par_iter()
            .map(|(id, column)| {
                let item = questionnaire
                    .item(id)
                    .ok_or_else(|| InputError::UnknownItem {
                        file: file.clone(),
                        item: id.clone(),
                    })?;
                let values = text(column)?;
                let parsed = parse_item(item, values, rows)
                    .map_err(|(row, message)| bad(row, column, message))?;
                Ok((id.clone(), parsed))
            })
            .collect::<Vec<Result<_, InputError>>>()
            .into_iter()
            .collect()
    };
    let (fixed, answers) = rayon::join(fixed, items);
    let (fixed, answers) = (fixed?, answers?);
    let respondent_type = match &c.respondent_type {
        Some(_) => optional_text(&c.respondent_type)?,
        None => match answers.get("respondent_type") {
            Some(Answers::Choice(v)) => v.clone(),
            _ => vec![None; rows],
        },
    };
    Ok(WaveData {
        label: label.to_string(),
        id: fixed.id,
        unit: fixed.unit,
        unit_names: fixed.unit_names,
        respondent_type,
        stratum: fixed.stratum,
        weight: fixed.weight,
        duration: fixed.duration,
        submitted: fixed.submitted,
        source: fixed.source,
        version: fixed.version,
        answers,
        server_flags: fixed.server_flags,
    })
}

/// The columns every wave has, typed.
struct Fixed {
    unit: Vec<String>,
    unit_names: BTreeMap<String, String>,
    stratum: Vec<String>,
    weight: Option<Vec<f64>>,
    duration: Vec<Option<f64>>,
    submitted: Vec<Option<i64>>,
    id: Vec<String>,
    source: Vec<String>,
    version: Vec<String>,
    server_flags: Vec<Vec<String>>,
}

/// Seconds since 1970 from RFC 3339 or `YYYY-MM-DD HH:MM:SS` (taken as UTC).
fn parse_time(v: &str) -> Option<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Some(t.timestamp());
    }
    chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}
