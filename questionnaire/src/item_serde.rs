//! An item as written in the file: every field any kind may take, then parsed into the typed
//! [`Item`]. An unknown field, or a field that does not belong to the item's type, is an error
//! that names the item.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{ChoiceOption, Condition, Item, ItemKind, LikertScale, Localized, Role};

/// Every field an item may have, in the file's spelling; `TryFrom<RawItem> for Item` refuses
/// the others, naming the item.
const KNOWN_FIELDS: &[&str] = &[
    "id",
    "type",
    "text",
    "indicator",
    "required",
    "show_if",
    "role",
    "scale",
    "allow_na",
    "options",
    "max_choices",
    "low",
    "high",
    "max_chars",
];

// Not `deny_unknown_fields`: serde's message would not say which item the field is on. Unknown
// fields are collected in `extra` instead and refused, with the item's id, when it is parsed.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// Keys that are none of the above; never written back.
    #[serde(flatten, skip_serializing)]
    extra: BTreeMap<String, toml::Value>,
}

impl TryFrom<RawItem> for Item {
    type Error = String;

    fn try_from(raw: RawItem) -> Result<Item, String> {
        let id = raw.id.clone();
        let fail = |problem: String| format!("item {id:?}: {problem}");
        if !raw.extra.is_empty() {
            let names = raw
                .extra
                .keys()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let plural = if raw.extra.len() == 1 { "" } else { "s" };
            let known = KNOWN_FIELDS
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(fail(format!(
                "unknown field{plural} {names}, expected one of {known}"
            )));
        }
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
        // Spelling out the kind's default (`required = true` on a rated item) means the same as
        // leaving it out, so it is stored the same way and does not change the content hash.
        let default_required = !matches!(kind, ItemKind::Text { .. });
        Ok(Item {
            id: raw.id,
            text: raw.text,
            kind,
            indicator: raw.indicator,
            required: raw.required.filter(|&r| r != default_required),
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
            extra: BTreeMap::new(),
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
