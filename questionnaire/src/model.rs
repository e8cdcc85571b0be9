//! The questionnaire's types, as read from its TOML file.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::item_serde::RawItem;
use crate::{check, LoadError};

/// A checked questionnaire. Construct it with [`Questionnaire::parse`]; every id is unique,
/// every indicator and condition resolves, every label is present in both languages.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// Stable id of the questionnaire family, e.g. `enforcement-satisfaction`.
    pub id: String,
    /// Version string; a changed questionnaire is a new version.
    pub version: String,
    pub title: Localized,
    #[serde(default)]
    pub intro: Option<Localized>,
    /// The indicator tree (指标体系): first-level indicators have no parent.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    pub sections: Vec<Section>,
}

/// Text in both languages the product ships.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `en` selects English; anything else (or nothing) is simplified Chinese.
    pub fn from_param(value: Option<&str>) -> Lang {
        match value {
            Some(v) if v.eq_ignore_ascii_case("en") => Lang::En,
            _ => Lang::Zh,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

impl Localized {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    #[serde(default)]
    pub parent: Option<String>,
    pub name: Localized,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: Localized,
    #[serde(default)]
    pub note: Option<Localized>,
    #[serde(default)]
    pub show_if: Option<Condition>,
    pub items: Vec<Item>,
}

/// Show a section or item only when an earlier choice item's answer is one of `any_of`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub item: String,
    pub any_of: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(try_from = "RawItem", into = "RawItem")]
pub struct Item {
    /// Stable id: lower-case ASCII letters, digits and `_`; it is also the form field name
    /// and the export column.
    pub id: String,
    pub text: Localized,
    pub kind: ItemKind,
    /// The leaf indicator this rated item measures.
    pub indicator: Option<String>,
    /// Defaults to true for every kind but open text; `None` when the file leaves it at that
    /// default or spells the default out, so that both hash alike.
    pub required: Option<bool>,
    pub show_if: Option<Condition>,
    /// A profile item the server also stores on the response row, for stratification.
    pub role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    /// 5-point Likert, coded 1–5, with an explicit "不了解/不适用" stored as such.
    Likert5 {
        scale: LikertScale,
        allow_na: bool,
    },
    Single {
        options: Vec<ChoiceOption>,
    },
    Multi {
        options: Vec<ChoiceOption>,
        max_choices: Option<usize>,
    },
    /// "Did you experience …": yes / no, optionally "记不清" (stored as not applicable).
    YesNo {
        allow_na: bool,
    },
    /// 0–10 rating.
    Scale10 {
        low: Localized,
        high: Localized,
    },
    /// Open text with a length cap in characters.
    Text {
        max_chars: usize,
    },
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum LikertScale {
    #[default]
    Satisfaction,
    Agreement,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    pub code: String,
    pub label: Localized,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    RespondentType,
}

impl Role {
    /// The role's name as written in the questionnaire file, e.g. `respondent_type`.
    pub fn name(self) -> &'static str {
        match self {
            Role::RespondentType => "respondent_type",
        }
    }
}

impl Questionnaire {
    /// Reads a questionnaire from TOML and checks it, reporting every problem found.
    pub fn parse(source: &str) -> Result<Questionnaire, LoadError> {
        let questionnaire: Questionnaire = toml::from_str(source)?;
        let errors = check::check(&questionnaire);
        if errors.is_empty() {
            Ok(questionnaire)
        } else {
            Err(LoadError::Invalid(errors))
        }
    }

    /// The built-in default questionnaire.
    pub fn default_questionnaire() -> Questionnaire {
        Questionnaire::parse(crate::DEFAULT_TOML).expect("the shipped questionnaire is valid")
    }

    /// SHA-256 of the canonical JSON form, hex: equal for files that differ only in layout.
    pub fn content_hash(&self) -> String {
        let canonical = serde_json::to_vec(self).expect("a questionnaire serializes");
        hex::encode(Sha256::digest(canonical))
    }

    pub fn items(&self) -> impl Iterator<Item = (&Section, &Item)> {
        self.sections
            .iter()
            .flat_map(|s| s.items.iter().map(move |i| (s, i)))
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().map(|(_, i)| i).find(|i| i.id == id)
    }

    /// The item that carries a role, e.g. the respondent type.
    pub fn item_with_role(&self, role: Role) -> Option<&Item> {
        self.items().map(|(_, i)| i).find(|i| i.role == Some(role))
    }
}

impl Item {
    pub fn is_required(&self) -> bool {
        self.required
            .unwrap_or(!matches!(self.kind, ItemKind::Text { .. }))
    }

    pub fn options(&self) -> &[ChoiceOption] {
        match &self.kind {
            ItemKind::Single { options } | ItemKind::Multi { options, .. } => options,
            _ => &[],
        }
    }

    /// Rated items feed the indicator tree and must name an indicator.
    pub fn is_rated(&self) -> bool {
        matches!(
            self.kind,
            ItemKind::Likert5 { .. } | ItemKind::YesNo { .. } | ItemKind::Scale10 { .. }
        )
    }
}
