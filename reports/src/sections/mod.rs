//! The report's content, section by section, as a [`Document`]: written once, rendered by
//! both backends. Each section selects rows of the batch's tables and formats them; none
//! computes a statistic. Flagged estimates (small n or imprecise) are marked and never
//! headlined.

mod cover;
mod dimensions;
mod findings;
mod heads;
mod methods;
mod provenance;
mod quality;
mod summary;
mod units;

use crate::doc::{Block, Document};
use crate::lang::Lang;
use crate::tables::Batch;

/// A chart the sections may place: its id, title and caption (source and n).
#[derive(Debug, Clone)]
pub struct ChartRef {
    pub id: String,
    pub title: String,
    pub caption: String,
}

/// What every section reads.
pub struct Context<'a> {
    pub batch: &'a Batch,
    pub lang: Lang,
    pub charts: &'a [ChartRef],
}

impl Context<'_> {
    /// The text for the report's language.
    pub fn t(&self, zh: &str, en: &str) -> String {
        self.lang.pick(zh, en).to_string()
    }

    /// The block placing chart `id`, if it was drawn (a chart with no data is not).
    pub fn chart(&self, id: &str) -> Option<Block> {
        self.charts
            .iter()
            .find(|c| c.id == id)
            .map(|c| Block::Chart {
                id: c.id.clone(),
                title: c.title.clone(),
                caption: c.caption.clone(),
            })
    }

    /// `inner` in parentheses: `（…）` in Chinese, ` (…)` in English.
    pub fn paren(&self, inner: &str) -> String {
        match self.lang {
            Lang::Zh => format!("（{inner}）"),
            Lang::En => format!(" ({inner})"),
        }
    }

    /// `：` or `: `.
    pub fn colon(&self) -> &'static str {
        self.lang.pick("：", ": ")
    }

    /// `；` or `; `.
    pub fn semi(&self) -> &'static str {
        self.lang.pick("；", "; ")
    }

    /// A unit's display name.
    pub fn unit(&self, code: &str) -> String {
        self.batch.unit_name(code).to_string()
    }

    /// An indicator's or item's display name.
    pub fn label(&self, id: &str) -> String {
        self.batch.label(id, self.lang).to_string()
    }
}

/// The whole report in `lang`.
pub fn build(batch: &Batch, lang: Lang, charts: &[ChartRef]) -> Document {
    let cx = Context {
        batch,
        lang,
        charts,
    };
    let sections = [
        summary::verdict(&cx),
        summary::key_figures(&cx),
        units::scorecards(&cx),
        findings::problems(&cx),
        findings::systems(&cx),
        findings::business(&cx),
        dimensions::dimensions(&cx),
        dimensions::drivers(&cx),
        findings::open_text(&cx),
        quality::quality(&cx),
        methods::methods(&cx),
        provenance::provenance(&cx),
    ];
    Document {
        lang,
        cover: cover::cover(&cx),
        sections: sections.into_iter().flatten().collect(),
    }
}
