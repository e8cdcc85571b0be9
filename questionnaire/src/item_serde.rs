//! An item as written in the file: every field any kind may take, unknown fields refused, then
//! parsed into the typed [`Item`] (a field that does not belong to the item's type is an error).

use serde::{Deserialize, Serialize};

use crate::{ChoiceOption, Condition, Item, ItemKind, LikertScale, Localized, Role};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawItem {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    text: Localized,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    indicator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    required: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    show_if: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scale: Option<LikertScale>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    allow_na: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    options: Option<Vec<ChoiceOption>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_choices: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    low: Option<Localized>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    high: Option<Localized>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_chars: Option<usize>,
}

impl TryFrom<RawItem> for Item {
    type Error = String;

    fn try_from(raw: RawItem) -> Result<Item, String> {
        let id = raw.id.clone();
        let fail = |problem: String| format!("item {id:?}: {problem}");
        let allowed: &[&str] = match raw.kind.as_str() {
            "likert5" => &["scale", "allow_na"],
            "single" => &["options"],
            "multi" => &["options", "max_choices"],
            "yes_no" => &["allow_na"],
            "scale10" => &["low", "high"],
            "text" => &["max_chars"],
            other => {
                return Err(fail(format!(
                    "unknown type {other:?} (likert5, single, multi, yes_no, scale10, text)"
                )))
            }
        };
        let given = [
            ("scale", raw.scale.is_some()),
            ("allow_na", raw.allow_na.is_some()),
            ("options", raw.options.is_some()),
            ("max_choices", raw.max_choices.is_some()),
            ("low", raw.low.is_some()),
            ("high", raw.high.is_some()),
            ("max_chars", raw.max_chars.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(f, set)| *set && !allowed.contains(f)) {
            return Err(fail(format!("type {} does not take `{field}`", raw.kind)));
        }
        let missing = |field: &str| fail(format!("type {} needs `{field}`", raw.kind));
        let kind = match raw.kind.as_str() {
            "likert5" => ItemKind::Likert5 {
                scale: raw.scale.unwrap_or_default(),
                allow_na: raw.allow_na.unwrap_or(true),
            },
            "single" => ItemKind::Single {
                options: raw.options.ok_or_else(|| missing("options"))?,
            },
            "multi" => ItemKind::Multi {
                options: raw.options.ok_or_else(|| missing("options"))?,
                max_choices: raw.max_choices,
            },
            "yes_no" => ItemKind::YesNo {
                allow_na: raw.allow_na.unwrap_or(false),
            },
            "scale10" => ItemKind::Scale10 {
                low: raw.low.ok_or_else(|| missing("low"))?,
                high: raw.high.ok_or_else(|| missing("high"))?,
            },
            _ => ItemKind::Text {
                max_chars: raw.max_chars.ok_or_else(|| missing("max_chars"))?,
            },
        };
        Ok(Item {
            id: raw.id,
            text: raw.text,
            kind,
            indicator: raw.indicator,
            required: raw.required,
            show_if: raw.show_if,
            role: raw.role,
        })
    }
}

impl From<Item> for RawItem {
    fn from(item: Item) -> RawItem {
        let mut raw = RawItem {
            id: item.id,
            kind: String::new(),
            text: item.text,
            indicator: item.indicator,
            required: item.required,
            show_if: item.show_if,
            role: item.role,
            scale: None,
            allow_na: None,
            options: None,
            max_choices: None,
            low: None,
            high: None,
            max_chars: None,
        };
        raw.kind = match item.kind {
            ItemKind::Likert5 { scale, allow_na } => {
                (raw.scale, raw.allow_na) = (Some(scale), Some(allow_na));
                "likert5"
            }
            ItemKind::Single { options } => {
                raw.options = Some(options);
                "single"
            }
            ItemKind::Multi {
                options,
                max_choices,
            } => {
                (raw.options, raw.max_choices) = (Some(options), max_choices);
                "multi"
            }
            ItemKind::YesNo { allow_na } => {
                raw.allow_na = Some(allow_na);
                "yes_no"
            }
            ItemKind::Scale10 { low, high } => {
                (raw.low, raw.high) = (Some(low), Some(high));
                "scale10"
            }
            ItemKind::Text { max_chars } => {
                raw.max_chars = Some(max_chars);
                "text"
            }
        }
        .to_string();
        raw
    }
}
