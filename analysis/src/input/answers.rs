//! One item's text column typed by its kind: Likert 1–5 (na/不了解/不适用 missing), 0–10,
//! yes/no (是/否; na/记不清 missing), option codes, `a;b` multi-choices, open text.

use minyi_questionnaire::{Item, ItemKind};
use polars::prelude::StringChunked;

use super::table::cells;
use super::Answers;

/// One item's column, typed by its kind. `Err((row, message))` at the first bad value.
pub fn parse_item(
    item: &Item,
    values: &StringChunked,
    rows: usize,
) -> Result<Answers, (usize, String)> {
    let each = |f: &dyn Fn(&str) -> Result<Option<f64>, String>| {
        cells(values)
            .take(rows)
            .enumerate()
            .map(|(r, v)| match v {
                None => Ok(None),
                Some(v) => f(v).map_err(|m| (r, m)),
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let score = |low: f64, high: f64, allow_na: bool| {
        move |v: &str| -> Result<Option<f64>, String> {
            // The common case, one digit, without the float parser.
            if let &[digit @ b'0'..=b'9'] = v.as_bytes() {
                let x = f64::from(digit - b'0');
                if (low..=high).contains(&x) {
                    return Ok(Some(x));
                }
            }
            if allow_na && (v == "na" || v == "不了解" || v == "不适用") {
                return Ok(None);
            }
            match v.parse::<f64>() {
                Ok(x) if x.fract() == 0.0 && (low..=high).contains(&x) => Ok(Some(x)),
                _ => Err(format!("{v:?} is outside the scale {low}–{high}")),
            }
        }
    };
    Ok(match &item.kind {
        ItemKind::Likert5 { .. } => Answers::Score(each(&score(1.0, 5.0, true))?),
        ItemKind::Scale10 { .. } => Answers::Score(each(&score(0.0, 10.0, false))?),
        ItemKind::YesNo { .. } => Answers::YesNo(
            each(&|v| match v {
                "yes" | "是" | "1" => Ok(Some(1.0)),
                "no" | "否" | "0" => Ok(Some(0.0)),
                "na" | "记不清" | "不适用" => Ok(None),
                _ => Err(format!("{v:?} is not yes, no or na")),
            })?
            .into_iter()
            .map(|v| v.map(|x| x == 1.0))
            .collect(),
        ),
        ItemKind::Single { options } => {
            let known = |v: &str| options.iter().any(|o| o.code == v);
            Answers::Choice(
                cells(values)
                    .take(rows)
                    .enumerate()
                    .map(|(r, v)| match v {
                        None => Ok(None),
                        Some(v) if known(v) => Ok(Some(v.to_string())),
                        Some(v) => Err((r, format!("{v:?} is not an option of {}", item.id))),
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        ItemKind::Multi { options, .. } => Answers::Multi(
            cells(values)
                .take(rows)
                .enumerate()
                .map(|(r, v)| {
                    let codes: Vec<String> = v
                        .map(|v| v.split(';').map(|c| c.trim().to_string()).collect())
                        .unwrap_or_default();
                    match codes
                        .iter()
                        .find(|c| !options.iter().any(|o| &o.code == *c))
                    {
                        Some(c) => Err((r, format!("{c:?} is not an option of {}", item.id))),
                        None => Ok(codes),
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        ItemKind::Text { .. } => Answers::Text(
            cells(values)
                .take(rows)
                .map(|v| v.map(String::from))
                .collect(),
        ),
    })
}
