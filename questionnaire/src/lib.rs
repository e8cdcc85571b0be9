//! The questionnaire model shared by minyi's survey server and its analysis.
//!
//! A questionnaire is a TOML file (see `questionnaires/default.toml` at the workspace root):
//! a version, an indicator tree, sections of items with stable ids and zh-CN/en text.
//! [`Questionnaire::parse`] reads and checks a file, naming every problem it finds;
//! [`answers::parse_submission`] turns a citizen's submitted fields into typed [`Answer`]s.

pub mod answers;
mod check;
mod item_serde;
mod model;
mod text;

pub use answers::{Answer, Answers, FieldError, FieldProblem};
pub use check::CheckError;
pub use model::{
    ChoiceOption, Condition, Indicator, Item, ItemKind, Lang, LikertScale, Localized,
    Questionnaire, Role, Section,
};
pub use text::{likert_labels, not_applicable_label, yes_no_labels};

/// The default questionnaire shipped with minyi (the file `questionnaires/default.toml`).
pub const DEFAULT_TOML: &str = include_str!("../../questionnaires/default.toml");

/// Why a questionnaire file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not valid TOML for a questionnaire: {0}")]
    Syntax(#[from] toml::de::Error),
    #[error("{} problem(s) in the questionnaire:\n{}", .0.len(), list(.0))]
    Invalid(Vec<CheckError>),
}

fn list(errors: &[CheckError]) -> String {
    errors
        .iter()
        .map(|e| format!("  - {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}
