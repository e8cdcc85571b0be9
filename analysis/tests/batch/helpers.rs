//! A small questionnaire, small waves written as CSV, and a batch file around them.

use std::path::{Path, PathBuf};

use minyi_analysis::config::Batch;

pub const QUESTIONNAIRE: &str = r#"
id = "mini"
version = "1"
title = { zh = "小问卷", en = "Mini" }

[[indicators]]
id = "service"
name = { zh = "服务", en = "Service" }
[[indicators]]
id = "problems"
name = { zh = "问题", en = "Problems" }
[[indicators]]
id = "overall"
name = { zh = "总体", en = "Overall" }

[[sections]]
id = "s"
title = { zh = "题目", en = "Items" }

[[sections.items]]
id = "respondent_type"
type = "single"
role = "respondent_type"
text = { zh = "身份", en = "Type" }
options = [
  { code = "resident", label = { zh = "居民", en = "Resident" } },
  { code = "business", label = { zh = "经营者", en = "Business" } },
]

[[sections.items]]
id = "q1"
type = "likert5"
indicator = "service"
text = { zh = "一", en = "One" }

[[sections.items]]
id = "q2"
type = "likert5"
indicator = "service"
text = { zh = "二", en = "Two" }

[[sections.items]]
id = "p1"
type = "yes_no"
allow_na = true
indicator = "problems"
text = { zh = "问题", en = "Problem" }

[[sections.items]]
id = "sat"
type = "likert5"
indicator = "overall"
text = { zh = "总体", en = "Overall" }

[[sections.items]]
id = "note"
type = "text"
max_chars = 200
text = { zh = "建议", en = "Suggestions" }
"#;

/// Eight responses: unit A (N = 100) rows 1–4, unit B (N = 50) rows 5–8. `Q1` is item q1.
pub const BASELINE: &str = "\
id,unit,stratum,respondent_type,seconds,when,Q1,q2,p1,sat,note
1,A,A,resident,200,2024-05-01 10:00:00,5,4,no,5,停车管理比较混乱
2,A,A,resident,210,2024-05-01 11:00:00,4,na,yes,4,
3,A,A,business,190,2024-05-01 12:00:00,3,3,no,3,检查次数太多
4,A,A,resident,220,2024-05-01 13:00:00,na,5,no,4,
5,B,B,resident,205,2024-05-02 10:00:00,2,2,yes,2,停车困难
6,B,B,business,215,2024-05-02 11:00:00,3,4,no,3,
7,B,B,resident,195,2024-05-02 12:00:00,4,na,na,4,
8,B,B,resident,200,2024-05-02 13:00:00,5,5,no,5,
";

/// The baseline with unit A's answered q1 all 5.
pub fn final_wave() -> String {
    BASELINE
        .lines()
        .map(|line| {
            let mut cells: Vec<String> = line.split(',').map(String::from).collect();
            if cells[1] == "A" && cells[6] != "na" {
                cells[6] = "5".into();
            }
            cells.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn batch_toml(base: &str, fin: &str, extra: &str) -> String {
    format!(
        r#"
questionnaire = "mini.toml"
groups = ["unit", "respondent_type"]
overall_item = "sat"

[[waves]]
label = "base"
role = "baseline"
[waves.input]
path = "{base}"
[waves.input.columns]
unit = "unit"
stratum = "stratum"
respondent_type = "respondent_type"
duration = "seconds"
submitted = "when"
id = "id"
[waves.input.items]
q1 = "Q1"

[[waves]]
label = "final"
role = "final"
[waves.input]
path = "{fin}"
[waves.input.columns]
unit = "unit"
stratum = "stratum"
respondent_type = "respondent_type"
duration = "seconds"
submitted = "when"
id = "id"
[waves.input.items]
q1 = "Q1"

[weighting.populations]
A = 100
B = 50

[quality]
straight_lining = false
duplicate_window_seconds = 0

[goal]
statement = "总体指数提高至少 1 分"
min_improvement = 1.0
require_significance = false
{extra}
"#
    )
}

/// A folder with the questionnaire, both waves and `batch.toml`; returns (dir, batch path).
pub fn setup(base: &str, fin: &str, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mini.toml", QUESTIONNAIRE);
    write(dir.path(), "base.csv", base);
    write(dir.path(), "final.csv", fin);
    let batch = dir.path().join("batch.toml");
    std::fs::write(&batch, batch_toml("base.csv", "final.csv", extra)).unwrap();
    (dir, batch)
}

pub fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

pub fn load(path: &Path) -> Batch {
    Batch::load(path).unwrap()
}

pub fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: {actual} ≠ {expected}"
    );
}
