//! The assessment report: the evaluator publishes a batch folder's report (from the command
//! line and through the console's upload form), any signed-in viewer opens the latest one and
//! the earlier ones; bad uploads are refused, naming the file, and store nothing.

use std::path::Path;

use survey_server::db::reports;
use survey_server::report::publish::publish_dir;

use crate::helpers::{value_of, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    a_viewer_opens_the_report_published_from_the_command_line,
    a_newer_upload_supersedes_the_last_and_both_stay_listed,
    bad_uploads_are_refused_naming_the_file_and_store_nothing,
);

/// The report may show itself and do nothing else: no script, request, form or frame.
const STRICT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'; sandbox";

/// The four files of an analysis batch folder, small and fake (no analysis run).
struct Batch {
    html: Vec<u8>,
    pdf: Vec<u8>,
    verdict: Vec<u8>,
    manifest: Vec<u8>,
}

fn batch(verdict: &str, sentence_zh: &str) -> Batch {
    let html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"generator\" content=\"minyi-reports 0.1.0\"><title>评估报告</title>\
         <style>body{{font-family:sans-serif}}</style></head><body><h1>满意度评估报告</h1>\
         <p>{sentence_zh}</p><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\">\
         <rect width=\"8\" height=\"8\"/></svg></body></html>"
    );
    // A binary comment line, as real PDFs have: the bytes must come back unchanged.
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    pdf.extend_from_slice(
        format!(
            "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>\
             endobj\n% {verdict}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        )
        .as_bytes(),
    );
    let verdict = serde_json::json!({
        "verdict": verdict,
        "measure": "index",
        "sentence_zh": sentence_zh,
        "sentence_en": format!("The goal is {verdict}."),
    });
    let manifest = serde_json::json!({
        "generated_at": "2025-12-20T08:30:00+00:00",
        "analysis_version": "0.1.0",
    });
    Batch {
        html: html.into_bytes(),
        pdf,
        verdict: verdict.to_string().into_bytes(),
        manifest: manifest.to_string().into_bytes(),
    }
}

/// Each file's name in the batch folder and its field in the upload form.
const FILES: [(&str, &str); 4] = [
    ("report.html", "report_html"),
    ("report.pdf", "report_pdf"),
    ("verdict.json", "verdict_json"),
    ("manifest.json", "manifest_json"),
];

impl Batch {
    fn contents(&self) -> [&Vec<u8>; 4] {
        [&self.html, &self.pdf, &self.verdict, &self.manifest]
    }

    fn write_to(&self, dir: &Path) {
        for ((name, _), bytes) in FILES.iter().zip(self.contents()) {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }

    /// The upload form's file fields, as a browser sends them.
    fn fields(&self) -> Vec<(&'static str, Vec<u8>)> {
        let files = FILES.iter().zip(self.contents());
        files
            .map(|((_, field), bytes)| (*field, bytes.clone()))
            .collect()
    }
}

/// A `multipart/form-data` body (reqwest is built without its multipart feature): the
/// content type with its boundary, and the body.
fn multipart(csrf: Option<&str>, files: &[(&str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "minyi-test-boundary-5b1e0c7a";
    let token = csrf.map(|t| ("_csrf", None, t.as_bytes().to_vec()));
    let files = files
        .iter()
        .map(|(name, bytes)| (*name, Some(*name), bytes.clone()));
    let mut body = Vec::new();
    for (name, filename, bytes) in token.into_iter().chain(files) {
        let filename = filename
            .map(|f| format!("; filename=\"{f}\""))
            .unwrap_or_default();
        let head =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"{filename}");
        body.extend_from_slice(format!("{head}\r\n\r\n").as_bytes());
        body.extend_from_slice(&bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn campaign_path(rest: &str) -> String {
    format!("/console/campaigns/{OPEN_CAMPAIGN}{rest}")
}

async fn get(app: &TestApp, client: &reqwest::Client, rest: &str) -> reqwest::Response {
    let url = app.url(&campaign_path(rest));
    client.get(url).send().await.unwrap()
}

async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    files: &[(&str, Vec<u8>)],
) -> reqwest::Response {
    let (content_type, body) = multipart(Some(csrf), files);
    client
        .post(app.url(&campaign_path("/report")))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, client: &reqwest::Client) -> String {
    get(app, client, "").await.text().await.unwrap()
}

fn publications(app: &TestApp) -> Vec<reports::Publication> {
    let id = app.context(OPEN_CAMPAIGN).campaign.id;
    reports::list(&mut app.pool.get().unwrap(), id).unwrap()
}

async fn a_viewer_opens_the_report_published_from_the_command_line(app: TestApp) {
    app.add_user("leader", "viewer");
    let (viewer, _) = app.signed_in("leader").await;
    let none = get(&app, &viewer, "/report").await;
    assert_eq!(none.status(), 404);
    assert_eq!(none.headers()["x-minyi-error"], "no_report");
    assert!(none.text().await.unwrap().contains("尚未发布评估报告"));

    let sentence = "满意度较基线上升 4.4 分，但未能确认达到 2025 年目标。";
    let files = batch("inconclusive", sentence);
    let dir = tempfile::tempdir().unwrap();
    files.write_to(dir.path());
    let published = publish_dir(&app.pool, OPEN_CAMPAIGN, dir.path(), None).unwrap();
    assert_eq!(published.verdict, "inconclusive");

    let html = get(&app, &viewer, "/report").await;
    assert_eq!(html.status(), 200);
    let headers = html.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["content-security-policy"], STRICT_CSP);
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(html.bytes().await.unwrap(), files.html);

    let pdf = get(&app, &viewer, "/report.pdf").await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let disposition = pdf.headers()["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("inline"), "{disposition}");
    assert_eq!(pdf.bytes().await.unwrap(), files.pdf);

    let page = get(&app, &viewer, "").await;
    // The console's own pages keep their policy (form posts to the same origin).
    let page_csp = page.headers()["content-security-policy"].clone();
    assert!(page_csp.to_str().unwrap().contains("form-action 'self'"));
    let page = page.text().await.unwrap();
    for expected in [sentence, "尚无定论", "2025-12-20 16:30", "/report.pdf"] {
        assert!(page.contains(expected), "campaign page lacks {expected}");
    }
    assert!(!page.contains("发布新报告"), "a viewer gets no upload form");

    let stored = publications(&app);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].published_by, "cli");
    let sha256 = <sha2::Sha256 as sha2::Digest>::digest(&files.html);
    assert_eq!(stored[0].html_sha256, hex::encode(sha256));

    let anonymous = app.browser_client();
    for path in ["/report", "/report.pdf"] {
        let refused = get(&app, &anonymous, path).await;
        assert_eq!(refused.status(), 303, "{path}");
        let location = refused.headers()["location"].to_str().unwrap();
        assert!(location.starts_with("/console/login?next="), "{location}");
    }
    let (content_type, body) = multipart(None, &files.fields());
    let anonymous_upload = anonymous
        .post(app.url(&campaign_path("/report")))
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous_upload.status(), 401);
    assert_eq!(publications(&app).len(), 1);
}

async fn a_newer_upload_supersedes_the_last_and_both_stay_listed(app: TestApp) {
    app.add_user("eva", "evaluator");
    app.add_user("leader", "viewer");
    let (evaluator, csrf) = app.signed_in("eva").await;
    let form = get(&app, &evaluator, "").await;
    let form = form.text().await.unwrap();
    assert!(form.contains("enctype=\"multipart/form-data\""));
    assert_eq!(value_of(&form, "_csrf"), csrf);

    let first = batch("not_met", "第一期：满意度没有达到目标。");
    let second = batch("met", "第二期：满意度大幅提升，达到 2025 年目标。");
    for files in [&first, &second] {
        let response = upload(&app, &evaluator, &csrf, &files.fields()).await;
        assert_eq!(response.status(), 303);
        let location = response.headers()["location"].to_str().unwrap();
        assert_eq!(location, campaign_path("#report"));
    }
    let stored = publications(&app);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].published_by, "eva");
    let (latest, earlier) = (stored[0].id, stored[1].id);
    assert!(latest > earlier);

    let (viewer, viewer_csrf) = app.signed_in("leader").await;
    let latest_html = get(&app, &viewer, "/report").await.bytes().await.unwrap();
    assert_eq!(latest_html, second.html);
    let old = get(&app, &viewer, &format!("/report?id={earlier}")).await;
    assert_eq!(old.headers()["content-security-policy"], STRICT_CSP);
    assert_eq!(old.bytes().await.unwrap(), first.html);
    let old_pdf = get(&app, &viewer, &format!("/report.pdf?id={earlier}")).await;
    assert_eq!(old_pdf.bytes().await.unwrap(), first.pdf);
    let unknown = get(&app, &viewer, "/report?id=999999").await;
    assert_eq!(unknown.status(), 404);

    let page = page(&app, &viewer).await;
    let (latest_at, earlier_at) = (
        page.find("第二期").expect("latest sentence"),
        page.find("以往发布").expect("earlier publications"),
    );
    assert!(latest_at < earlier_at);
    assert!(page.contains("已达到目标") && page.contains("未达到目标"));
    assert!(page.contains(&format!("/report?id={earlier}")));
    assert!(!page.contains("第一期"), "only the latest sentence");

    // A viewer may read but not publish.
    let refused = upload(&app, &viewer, &viewer_csrf, &first.fields()).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(publications(&app).len(), 2);

    // Append-only: the database refuses to change or remove a publication.
    let mut conn = app.pool.get().unwrap();
    for sql in ["UPDATE reports SET verdict = 'met'", "DELETE FROM reports"] {
        let result = {
            let c: &mut survey_server::db::DbConn = &mut conn;
            {
                diesel::RunQueryDsl::execute(diesel::sql_query(sql), c)
            }
        };
        assert!(result.is_err(), "{sql} was allowed");
    }
    let audit = survey_server::db::accounts::recent_audit(&mut conn, 20).unwrap();
    let published = audit.iter().filter(|e| e.action == "report.publish");
    assert_eq!(published.count(), 2);
}

async fn bad_uploads_are_refused_naming_the_file_and_store_nothing(app: TestApp) {
    app.add_user("eva", "evaluator");
    let (evaluator, csrf) = app.signed_in("eva").await;
    let good = batch("met", "达到目标。");
    let scripted = String::from_utf8(good.html.clone())
        .unwrap()
        .replace("</body>", "<SCRIPT>alert(1)</SCRIPT></body>");
    let mut huge_html = good.html.clone();
    huge_html.resize(16 * 1024 * 1024 + 1, b' ');
    let odd_verdict = r#"{"verdict":"good","sentence_zh":"好","sentence_en":"good"}"#;
    let text = |s: &str| Some(s.as_bytes().to_vec());
    // (field, its content instead of the good one or `None` for left out, the refusal); a
    // file over its limit is refused with 413, any other with 400.
    let cases = [
        (
            "report_html",
            text("<html></html>"),
            "不是 minyi 生成的评估报告",
        ),
        ("report_html", text(&scripted), "report.html 含有脚本"),
        ("report_html", text(""), "缺少 report.html"),
        ("verdict_json", None, "缺少 verdict.json"),
        ("manifest_json", None, "缺少 manifest.json"),
        (
            "verdict_json",
            text("{\"verdict\": "),
            "verdict.json 不是有效的 JSON",
        ),
        (
            "verdict_json",
            text(odd_verdict),
            "应为 met、not_met 或 inconclusive",
        ),
        (
            "manifest_json",
            text(r#"{"generated_at":"1/1"}"#),
            "generated_at（“1/1”）",
        ),
        (
            "report_pdf",
            text("%PDF-1.4 cut short"),
            "report.pdf 不是完整的 PDF 文件",
        ),
        (
            "verdict_json",
            Some(vec![b' '; (1 << 20) + 1]),
            "verdict.json 超过 1 MB",
        ),
        ("report_html", Some(huge_html), "report.html 超过 16 MB"),
    ];
    for (field, content, message) in cases {
        let mut fields = good.fields();
        fields.retain(|(f, _)| *f != field);
        fields.extend(content.map(|c| (field, c)));
        let response = upload(&app, &evaluator, &csrf, &fields).await;
        let status = if message.contains("超过") { 413 } else { 400 };
        assert_eq!(response.status(), status, "{message}");
        let page = response.text().await.unwrap();
        assert!(page.contains(message), "no {message:?} in:\n{page}");
        assert!(page.contains("没有保存任何内容"));
    }

    // A forged CSRF token, and a form that is not a file form at all.
    let forged = upload(&app, &evaluator, "forged", &good.fields()).await;
    assert_eq!(forged.status(), 403);
    let plain = evaluator
        .post(app.url(&campaign_path("/report")))
        .form(&[("_csrf", csrf.as_str()), ("report_html", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 400);
    assert!(plain.text().await.unwrap().contains("multipart/form-data"));

    assert!(publications(&app).is_empty());
    let page = page(&app, &evaluator).await;
    assert!(page.contains("尚未发布评估报告"));
}
