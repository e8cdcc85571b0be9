//! The `analysis` binary: `check` lists every problem and fails; `run` writes the tables and
//! prints the verdict sentence; keywords leave stop words out.

use std::process::Command;

use minyi_analysis::text::Keywords;

use super::helpers::{final_wave, setup, BASELINE};

fn analysis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_analysis"))
}

#[test]
fn check_lists_problems_and_fails() {
    let (_dir, path) = setup(BASELINE, &final_wave(), "");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("min_improvement = 1.0\n", "")
        .replacen("q1 = \"Q1\"", "q1 = \"Q1\"\nq9 = \"q2\"", 1);
    std::fs::write(&path, text).unwrap();
    let out = analysis().arg("check").arg(&path).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("2 problem(s)"), "{stderr}");
    assert!(
        stderr.contains("waves[0].input.items.q9") && stderr.contains("  - goal:"),
        "{stderr}"
    );
}

#[test]
fn run_writes_the_tables_and_prints_the_verdict() {
    let (dir, path) = setup(BASELINE, &final_wave(), "");
    let out_dir = dir.path().join("out");
    let out = analysis()
        .args(["run", "--config"])
        .arg(&path)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("按事先确定的规则"));
    assert!(out_dir.join("verdict.json").exists() && out_dir.join("estimates.parquet").exists());
    // And the report, rendered from those tables.
    for file in ["report.html", "report.pdf", "charts/unit_index.png"] {
        assert!(out_dir.join(file).exists(), "no {file}");
    }
    assert!(String::from_utf8_lossy(&out.stdout).contains("report: "));
}

#[test]
fn keywords_leave_out_stop_words_and_single_characters() {
    let k = Keywords::new();
    assert_eq!(
        k.words("希望执法人员态度更加耐心，多解释政策依据"),
        ["执法人员", "态度", "更加", "耐心", "解释", "政策", "依据"]
    );
    let top = k.top(["停车困难", "停车管理比较混乱", "停车"].into_iter(), 2);
    assert_eq!(top[0], ("停车".to_string(), 3));
}
