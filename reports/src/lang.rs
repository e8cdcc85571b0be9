//! The report's language: simplified Chinese by default, English as an option.

/// The language a report is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `zh` or `en` (case-insensitive); anything else is an error naming the value.
    pub fn parse(text: &str) -> Result<Lang, String> {
        match text.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Ok(Lang::Zh),
            "en" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?}: use zh or en")),
        }
    }

    /// The text for this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The BCP 47 tag (for `<html lang>` and the PDF).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}
