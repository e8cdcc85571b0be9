//! The report as a document of plain blocks, written once (`sections/`) and rendered by two
//! backends: `html` and `pdf`. Text here is plain: each backend escapes it for its format.

use crate::lang::Lang;

/// The whole report.
#[derive(Debug, Clone)]
pub struct Document {
    pub lang: Lang,
    pub cover: Cover,
    pub sections: Vec<Section>,
}

/// The cover page: the title and the facts a reader checks first.
#[derive(Debug, Clone)]
pub struct Cover {
    pub title: String,
    pub subtitle: String,
    /// Label and value, e.g. ("评估机构", "某某大学第三方评估中心").
    pub facts: Vec<(String, String)>,
}

/// A numbered section of the report.
#[derive(Debug, Clone)]
pub struct Section {
    /// A stable anchor, e.g. `verdict`, `units`.
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// How a verdict, a note or a table cell should stand out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Good news (a goal met, a significant improvement).
    Good,
    /// Neither (inconclusive, a caveat).
    Caution,
    /// Bad news or a problem the reader must not miss (not met, an unverified input).
    Alert,
    /// A small-sample or imprecise estimate: shown, marked, never headlined.
    Flagged,
}

/// One key figure of the summary.
#[derive(Debug, Clone)]
pub struct Figure {
    pub label: String,
    pub value: String,
    /// Under the value: its interval, n, or why it is marked.
    pub note: String,
    pub tone: Tone,
}

/// A table cell.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
    /// Numbers are right-aligned.
    pub numeric: bool,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
            numeric: false,
        }
    }

    pub fn number(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
            numeric: true,
        }
    }

    pub fn tone(mut self, tone: Tone) -> Cell {
        self.tone = tone;
        self
    }
}

/// A table with a caption and notes under it (source, n, what a mark means).
#[derive(Debug, Clone)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub notes: Vec<String>,
}

/// The building blocks of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// The verdict: one sentence a non-statistician can repeat, then the numbers.
    Verdict {
        tone: Tone,
        sentence: String,
        details: Vec<String>,
    },
    Subheading(String),
    Paragraph(String),
    Figures(Vec<Figure>),
    Table(Table),
    /// A chart drawn by `charts`, by its id; the caption carries source and n.
    Chart {
        id: String,
        title: String,
        caption: String,
    },
    Note {
        tone: Tone,
        text: String,
    },
    List(Vec<String>),
    /// A paragraph with runs in a fixed-width face, set apart like a note: a hash or a key the
    /// reader may copy and check (e.g. the signed log head a wave was computed from).
    Spans {
        tone: Tone,
        spans: Vec<Span>,
    },
}

/// A run of a [`Block::Spans`] paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Text(String),
    /// Hex digits in groups separated by spaces (`format::hex_groups`), set fixed-width. A
    /// line breaks only between groups: on a phone after any group, in print after every
    /// fourth, so that a 64-digit hash is never split on paper.
    Code(String),
    /// A line break: a hash goes on a line of its own, after its label.
    Break,
}
