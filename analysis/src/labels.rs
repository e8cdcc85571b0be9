//! `labels.csv`: the display names of the indicators and rated items, so that the report can
//! name them without reading the questionnaire (it may be rendered where the file is not).

use minyi_questionnaire::Questionnaire;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LabelRow {
    /// `indicator` or `item`.
    pub kind: &'static str,
    pub id: String,
    /// The parent indicator (empty for a first-level indicator).
    pub parent: String,
    pub zh: String,
    pub en: String,
}

/// Every indicator in tree order, then every rated item in questionnaire order.
pub fn labels(q: &Questionnaire) -> Vec<LabelRow> {
    let indicators = q.indicators.iter().map(|i| LabelRow {
        kind: "indicator",
        id: i.id.clone(),
        parent: i.parent.clone().unwrap_or_default(),
        zh: i.name.zh.clone(),
        en: i.name.en.clone(),
    });
    let items = q.items().filter_map(|(_, item)| {
        let indicator = item.indicator.as_ref().filter(|_| item.is_rated())?;
        Some(LabelRow {
            kind: "item",
            id: item.id.clone(),
            parent: indicator.clone(),
            zh: item.text.zh.clone(),
            en: item.text.en.clone(),
        })
    });
    indicators.chain(items).collect()
}
