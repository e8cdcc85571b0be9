//! The assessment report end to end: rendered from the demo batch's tables, opened in a real
//! headless Chromium at desktop and phone widths (screenshots kept in the test artifacts; no
//! console error, no request to anywhere, no sideways scrolling on the phone), and read back
//! from the PDF with poppler's `pdftotext`: the verdict sentence and the headline numbers are
//! there exactly as `verdict.json` and `estimates.csv` give them.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::browser::{artifacts, number, screenshot, start};

/// The demo batch's tables (the reports crate's fixture) in a fresh folder, with its report.
fn rendered(lang: Option<minyi_reports::Lang>) -> (tempfile::TempDir, PathBuf) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/tests/fixtures/demo");
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&fixture).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let options = minyi_reports::Options {
        lang,
        skip_pdf: false,
    };
    let out = minyi_reports::render(dir.path(), &options).unwrap();
    assert!(out.pdf.is_some());
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// Text without any whitespace or soft hyphen, so that line breaks and hyphenation in the PDF
/// do not matter.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{ad}')
        .collect()
}

#[test]
fn the_pdf_says_the_verdict_and_the_headline_numbers_of_the_tables() {
    let (_keep, dir) = rendered(None);
    let verdict: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("verdict.json")).unwrap()).unwrap();
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(dir.join("report.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext is needed (apt-get install poppler-utils)");
    assert!(output.status.success());
    let text = squeeze(&String::from_utf8(output.stdout).unwrap());
    let sentence = verdict["sentence_zh"].as_str().unwrap();
    assert!(
        text.contains(&squeeze(sentence)),
        "no verdict sentence in the PDF"
    );
    let index = |v: &Value| format!("{:.1}", v.as_f64().unwrap());
    for number in [
        index(&verdict["base"]["estimate"]),
        index(&verdict["final"]["estimate"]),
        format!("{:+.1}", verdict["change"]["estimate"].as_f64().unwrap()),
    ] {
        assert!(text.contains(&number), "{number} not in the PDF");
    }
    // The final wave's overall index and its interval, as estimates.csv has them.
    let mut reader = csv::Reader::from_path(dir.join("estimates.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| {
            r[col("wave")] == *verdict["final"]["wave"].as_str().unwrap()
                && &r[col("group_var")] == "overall"
                && &r[col("indicator")] == "index"
                && &r[col("measure")] == "index"
        })
        .unwrap();
    let cell = |name: &str| row[col(name)].parse::<f64>().unwrap();
    let interval = format!("{:.1}–{:.1}", cell("ci_low"), cell("ci_high"));
    assert!(text.contains(&interval), "{interval} not in the PDF");
    // And the English report says the English sentence.
    let (_keep, en) = rendered(Some(minyi_reports::Lang::En));
    let output = Command::new("pdftotext")
        .arg(en.join("report.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = squeeze(&String::from_utf8(output.stdout).unwrap());
    assert!(text.contains(&squeeze(verdict["sentence_en"].as_str().unwrap())));
}

async fn browser_errors(b: &crate::browser::Browser) -> Vec<String> {
    let session = b.client.session_id().await.unwrap().expect("a session");
    let response = reqwest::Client::new()
        .post(format!("{}/session/{session}/se/log", b.driver_url))
        .json(&json!({ "type": "browser" }))
        .send()
        .await
        .unwrap();
    let logs: Value = response.json().await.unwrap();
    logs["value"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING")
                .map(|e| e["message"].to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn the_html_report_opens_cleanly_on_desktop_and_phone() {
    let (_keep, dir) = rendered(None);
    let url = url::Url::from_file_path(dir.join("report.html")).unwrap();
    let phone = json!({ "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 2.0 } });
    for (name, mobile, window) in [
        ("desktop", None, Some((1280, 900))),
        ("phone", Some(phone), None),
    ] {
        let b = start(mobile, true, window).await;
        let c = &b.client;
        c.goto(url.as_str()).await.unwrap();
        let title = c.title().await.unwrap();
        assert!(title.contains("行政执法群众满意度"), "{title}");
        let source = c.source().await.unwrap();
        assert!(source.contains("评估结论"));
        screenshot(c, &format!("report-{name}.png")).await;
        // The whole page, for people to look at.
        let height = number(c, "return document.documentElement.scrollHeight").await;
        assert!(height > 3000.0, "{name}: the report is {height}px tall");
        let resources = number(c, "return performance.getEntriesByType('resource').length").await;
        assert_eq!(resources, 0.0, "{name}: the report fetched something");
        let charts = number(
            c,
            "return document.querySelectorAll('figure.chart svg').length",
        )
        .await;
        assert!(charts >= 7.0, "{name}: {charts} charts");
        if name == "phone" {
            let overflow = number(
                c,
                "return document.documentElement.scrollWidth - window.innerWidth",
            )
            .await;
            assert!(
                overflow <= 1.0,
                "the phone scrolls sideways by {overflow}px"
            );
        }
        let errors = browser_errors(&b).await;
        assert!(errors.is_empty(), "{name}: console says {errors:?}");
        c.clone().close().await.unwrap();
    }
    std::fs::copy(dir.join("report.html"), artifacts().join("report.html")).unwrap();
    std::fs::copy(dir.join("report.pdf"), artifacts().join("report.pdf")).unwrap();
}
