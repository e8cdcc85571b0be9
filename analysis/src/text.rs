//! Open-text answers: Chinese word segmentation (jieba) and keyword counts per unit, with the
//! stop-word list in `stopwords_zh.txt`. Words of one character and tokens without a letter
//! (punctuation, numbers) are left out.

use std::collections::{BTreeMap, HashSet};

use jieba_rs::Jieba;
use minyi_questionnaire::{ItemKind, Questionnaire};
use serde::Serialize;

use crate::input::{Answers, WaveData};

/// The shipped stop words.
pub const STOPWORDS: &str = include_str!("stopwords_zh.txt");

/// How many keywords per unit `keywords.csv` keeps.
pub const TOP_WORDS: usize = 20;

/// Segments text and counts keywords.
pub struct Keywords {
    jieba: Jieba,
    stop: HashSet<String>,
}

impl Default for Keywords {
    fn default() -> Self {
        Keywords::new()
    }
}

impl Keywords {
    pub fn new() -> Self {
        let stop = STOPWORDS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect();
        Keywords {
            jieba: Jieba::new(),
            stop,
        }
    }

    /// The keywords of one answer, in order, stop words and one-character words left out.
    pub fn words<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba
            .cut(text, true)
            .into_iter()
            .map(|t| t.word.trim())
            .filter(|w| w.chars().count() > 1)
            .filter(|w| w.chars().any(char::is_alphabetic))
            .filter(|w| !self.stop.contains(*w))
            .collect()
    }

    /// Counts per word over many answers, most frequent first (ties by word), at most `top`.
    pub fn top<'a>(
        &self,
        texts: impl Iterator<Item = &'a str>,
        top: usize,
    ) -> Vec<(String, usize)> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for text in texts {
            for word in self.words(text) {
                *counts.entry(word.to_string()).or_default() += 1;
            }
        }
        let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(top);
        ranked
    }
}

/// One row of `keywords.csv`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeywordRow {
    pub wave: String,
    pub unit: String,
    pub item: String,
    pub rank: usize,
    pub word: String,
    pub count: usize,
    /// Answers with any text, in the unit.
    pub answers: usize,
}

/// Keyword counts of every open-text item, per unit and for the whole wave.
/// `keywords` is made on first use: a batch without open-text answers never loads the
/// segmentation dictionary.
pub fn keyword_rows(
    data: &WaveData,
    q: &Questionnaire,
    keywords: &std::sync::OnceLock<Keywords>,
) -> Vec<KeywordRow> {
    let mut rows = Vec::new();
    for (_, item) in q
        .items()
        .filter(|(_, i)| matches!(i.kind, ItemKind::Text { .. }))
    {
        let Some(Answers::Text(texts)) = data.answers.get(&item.id) else {
            continue;
        };
        if texts.iter().all(Option::is_none) {
            continue;
        }
        let keywords = keywords.get_or_init(Keywords::new);
        let distinct: std::collections::BTreeSet<&str> =
            data.unit.iter().map(String::as_str).collect();
        let units =
            std::iter::once("all".to_string()).chain(distinct.into_iter().map(String::from));
        for unit in units {
            let answers: Vec<&str> = texts
                .iter()
                .zip(&data.unit)
                .filter(|(_, u)| unit == "all" || **u == unit)
                .filter_map(|(t, _)| t.as_deref())
                .collect();
            for (rank, (word, count)) in keywords
                .top(answers.iter().copied(), TOP_WORDS)
                .into_iter()
                .enumerate()
            {
                rows.push(KeywordRow {
                    wave: data.label.clone(),
                    unit: unit.clone(),
                    item: item.id.clone(),
                    rank: rank + 1,
                    word,
                    count,
                    answers: answers.len(),
                });
            }
        }
    }
    rows
}
