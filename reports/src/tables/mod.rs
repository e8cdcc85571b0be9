//! Reading a batch's output folder into typed tables. Every file is the analysis crate's
//! (`analysis/README.md`, "The output contract"); a missing file or a bad cell stops the
//! report with the file, row and reason named.

mod json;
mod rows;

use std::path::{Path, PathBuf};

pub use json::{
    Change, Criterion, Head, Input, Level, Manifest, Rule, Status, Verdict, Verification,
};
pub use rows::{
    Comparison, Daily, Distribution, Estimate, Importance, Keyword, Label, Quality, Ranking,
    Reliability, Sample, TreeWeight, Unit,
};

use crate::lang::Lang;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: missing — is this a batch output folder (analysis run --out)?")]
    Missing { path: String },
    #[error("{path}: cannot read: {message}")]
    Read { path: String, message: String },
    #[error("{path}, row {row}: {message}")]
    Row {
        path: String,
        row: u64,
        message: String,
    },
}

/// Every table of one batch folder.
#[derive(Debug, Clone)]
pub struct Batch {
    pub dir: PathBuf,
    pub estimates: Vec<Estimate>,
    pub comparisons: Vec<Comparison>,
    /// Absent when the batch has no baseline and final wave to compare.
    pub verdict: Option<Verdict>,
    pub reliability: Vec<Reliability>,
    pub importance: Vec<Importance>,
    pub ranking: Vec<Ranking>,
    pub sample: Vec<Sample>,
    pub quality: Vec<Quality>,
    pub screening: Vec<Estimate>,
    pub keywords: Vec<Keyword>,
    pub weights: Vec<TreeWeight>,
    pub units: Vec<Unit>,
    pub labels: Vec<Label>,
    pub distribution: Vec<Distribution>,
    pub daily: Vec<Daily>,
    pub inputs: Vec<Input>,
    pub manifest: Manifest,
}

impl Batch {
    /// Reads every table of the folder `dir`.
    pub fn load(dir: &Path) -> Result<Batch, LoadError> {
        let verdict_path = dir.join("verdict.json");
        Ok(Batch {
            dir: dir.to_path_buf(),
            estimates: csv_table(dir, "estimates.csv")?,
            comparisons: csv_table(dir, "comparisons.csv")?,
            verdict: if verdict_path.exists() {
                Some(json_file(dir, "verdict.json")?)
            } else {
                None
            },
            reliability: csv_table(dir, "reliability.csv")?,
            importance: csv_table(dir, "importance.csv")?,
            ranking: csv_table(dir, "ranking.csv")?,
            sample: csv_table(dir, "sample.csv")?,
            quality: csv_table(dir, "quality.csv")?,
            screening: csv_table(dir, "screening.csv")?,
            keywords: csv_table(dir, "keywords.csv")?,
            weights: csv_table(dir, "weights.csv")?,
            units: csv_table(dir, "units.csv")?,
            labels: csv_table(dir, "labels.csv")?,
            distribution: csv_table(dir, "distribution.csv")?,
            daily: csv_table(dir, "daily.csv")?,
            inputs: json_file(dir, "inputs.json")?,
            manifest: json_file(dir, "manifest.json")?,
        })
    }

    /// The wave labels in the batch's order.
    pub fn waves(&self) -> Vec<String> {
        self.manifest.waves().into_iter().map(|(w, _)| w).collect()
    }

    /// The wave with the given role (`baseline`, `final`).
    pub fn wave_with_role(&self, role: &str) -> Option<String> {
        self.manifest
            .waves()
            .into_iter()
            .find(|(_, r)| r == role)
            .map(|(w, _)| w)
    }

    /// The wave the report is about: the final wave, else the last one.
    pub fn current_wave(&self) -> String {
        self.wave_with_role("final")
            .or_else(|| self.waves().pop())
            .unwrap_or_default()
    }

    /// A unit's display name (its code when the batch gives none).
    pub fn unit_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.units
            .iter()
            .find(|u| u.unit == code)
            .map_or(code, |u| u.name.as_str())
    }

    /// The display name of an indicator or item in `lang` (its id when unlabelled).
    pub fn label<'a>(&'a self, id: &'a str, lang: Lang) -> &'a str {
        if id == "index" {
            return lang.pick("综合满意度指数", "Composite satisfaction index");
        }
        self.labels.iter().find(|l| l.id == id).map_or(id, |l| {
            let text = lang.pick(&l.zh, &l.en);
            if text.is_empty() {
                &l.zh
            } else {
                text
            }
        })
    }

    /// The estimate of `indicator`/`measure` for one wave and group, if the batch has it.
    pub fn estimate(
        &self,
        wave: &str,
        group_var: &str,
        group: &str,
        indicator: &str,
        measure: &str,
    ) -> Option<&Estimate> {
        self.estimates.iter().find(|e| {
            e.wave == wave
                && e.group_var == group_var
                && e.group == group
                && e.indicator == indicator
                && e.measure == measure
        })
    }

    /// The change of `indicator`/`measure` for a group, if the batch compared waves.
    pub fn comparison(
        &self,
        group_var: &str,
        group: &str,
        indicator: &str,
        measure: &str,
    ) -> Option<&Comparison> {
        self.comparisons.iter().find(|c| {
            c.group_var == group_var
                && c.group == group
                && c.indicator == indicator
                && c.measure == measure
        })
    }

    /// The first-level indicators of the tree (children of the composite), in tree order.
    pub fn dimensions(&self) -> Vec<&str> {
        self.labels
            .iter()
            .filter(|l| l.kind == "indicator" && l.parent.is_empty())
            .map(|l| l.id.as_str())
            .collect()
    }

    /// The items under an indicator (directly or through sub-indicators), in questionnaire order.
    pub fn items_under(&self, indicator: &str) -> Vec<&str> {
        let mut inside = vec![indicator];
        for l in &self.labels {
            if l.kind == "indicator" && inside.contains(&l.parent.as_str()) {
                inside.push(&l.id);
            }
        }
        self.labels
            .iter()
            .filter(|l| l.kind == "item" && inside.contains(&l.parent.as_str()))
            .map(|l| l.id.as_str())
            .collect()
    }
}

fn csv_table<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<Vec<T>, LoadError> {
    let path = dir.join(name);
    let shown = path.display().to_string();
    if !path.exists() {
        return Err(LoadError::Missing { path: shown });
    }
    let mut reader = csv::Reader::from_path(&path).map_err(|e| LoadError::Read {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for (i, row) in reader.deserialize().enumerate() {
        out.push(row.map_err(|e: csv::Error| LoadError::Row {
            path: shown.clone(),
            row: i as u64 + 1,
            message: e.to_string(),
        })?);
    }
    Ok(out)
}

fn json_file<T: serde::de::DeserializeOwned>(dir: &Path, name: &str) -> Result<T, LoadError> {
    let path = dir.join(name);
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::Missing {
            path: shown.clone(),
        },
        _ => LoadError::Read {
            path: shown.clone(),
            message: e.to_string(),
        },
    })?;
    serde_json::from_str(&text).map_err(|e| LoadError::Read {
        path: shown,
        message: e.to_string(),
    })
}
