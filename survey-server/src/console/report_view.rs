//! The report's part of the campaign page (the latest verdict, earlier publications, the
//! evaluator's upload form) and the report pages' refusals.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::HttpResponse;
use maud::{html, Markup};

use super::may;
use super::views::{html_response, page};
use crate::auth::guard::CSRF_FIELD;
use crate::auth::session::CurrentUser;
use crate::auth::Access;
use crate::db::campaigns::Campaign;
use crate::db::reports::Publication;
use crate::report::{ReportError, ReportFile};

/// The verdict in words, with a mark that does not rely on colour.
pub fn verdict_words(verdict: &str) -> (&'static str, &'static str) {
    match verdict {
        "met" => ("✔", "已达到目标"),
        "not_met" => ("✘", "未达到目标"),
        _ => ("？", "尚无定论"),
    }
}

/// Milliseconds since the epoch as China Standard Time, `YYYY-MM-DD HH:MM`.
fn local_time(ms: i64) -> String {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).expect("valid offset");
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&cst).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn verdict_badge(verdict: &str) -> Markup {
    let (mark, words) = verdict_words(verdict);
    html! { span class={ "vd " (verdict) } { span aria-hidden="true" { (mark) } " " (words) } }
}

/// The campaign page's report section: `publications` newest first.
pub fn panel(user: &CurrentUser, slug: &str, publications: &[Publication]) -> Markup {
    let base = format!("/console/campaigns/{slug}");
    html! {
        h2 id="report" { "评估报告" }
        @if let Some(latest) = publications.first() {
            p { (verdict_badge(&latest.verdict)) }
            p class="sentence" { (latest.sentence_zh) }
            p {
                "发布于 " (local_time(latest.published_at)) "（北京时间），发布人 " (latest.published_by)
                "；报告生成于 " (local_time(latest.generated_at)) "。"
            }
            p {
                a href=(format!("{base}/report")) { "打开报告（网页）" }
                @if latest.pdf_sha256.is_some() {
                    " · " a href=(format!("{base}/report.pdf")) { "打开 PDF" }
                }
            }
            @if publications.len() > 1 {
                h3 { "以往发布" }
                table {
                    tr { th { "发布时间" } th { "结论" } th { "发布人" } th { "报告" } }
                    @for p in &publications[1..] {
                        tr {
                            td { (local_time(p.published_at)) }
                            td { (verdict_badge(&p.verdict)) }
                            td { (p.published_by) }
                            td {
                                a href=(format!("{base}/report?id={}", p.id)) { "网页" }
                                @if p.pdf_sha256.is_some() {
                                    " · " a href=(format!("{base}/report.pdf?id={}", p.id)) { "PDF" }
                                }
                            }
                        }
                    }
                }
            }
        } @else {
            p { "尚未发布评估报告。" }
        }
        @if may(user, Access::Evaluator) { (upload_form(user, &base)) }
    }
}

fn upload_form(user: &CurrentUser, base: &str) -> Markup {
    let files = [
        (ReportFile::Html, ".html,text/html", "（必需）"),
        (ReportFile::Pdf, ".pdf,application/pdf", "（可选）"),
        (ReportFile::Verdict, ".json,application/json", "（必需）"),
        (ReportFile::Manifest, ".json,application/json", "（必需）"),
    ];
    html! {
        h3 { "发布新报告" }
        p { "选择分析批次文件夹中的文件。新发布的报告成为最新报告，以往的报告保留可查。" }
        form method="post" action=(format!("{base}/report")) enctype="multipart/form-data" {
            input type="hidden" name=(CSRF_FIELD) value=(user.csrf_token);
            @for (file, accept, note) in files {
                label class="f" for=(file.field()) { (file.name()) (note) }
                input type="file" id=(file.field()) name=(file.field()) accept=(accept);
            }
            button type="submit" { "发布报告" }
        }
    }
}

fn with_code(mut response: HttpResponse, code: &'static str) -> HttpResponse {
    response.headers_mut().insert(
        HeaderName::from_static("x-minyi-error"),
        HeaderValue::from_static(code),
    );
    response
}

fn back(campaign: &Campaign) -> Markup {
    html! { p { a href=(format!("/console/campaigns/{}#report", campaign.slug)) { "返回“" (campaign.label_zh) "”" } } }
}

/// 404: no report published yet (or no publication of that id).
pub fn none(user: &CurrentUser, campaign: &Campaign, asked_for_one: bool) -> HttpResponse {
    let line = if asked_for_one {
        "没有找到这一期评估报告。"
    } else {
        "这个测评活动尚未发布评估报告。"
    };
    let body = html! { p { (line) } (back(campaign)) };
    with_code(
        html_response(404, page("评估报告", Some(user), body)),
        "no_report",
    )
}

/// 404: the report was published without a PDF.
pub fn no_pdf(user: &CurrentUser, campaign: &Campaign) -> HttpResponse {
    let body = html! { p { "这一期评估报告发布时没有附 PDF，请打开网页版。" } (back(campaign)) };
    with_code(
        html_response(404, page("评估报告", Some(user), body)),
        "no_report_pdf",
    )
}

/// 400 or 413: the upload was refused, naming the file; nothing was stored.
pub fn rejected(user: &CurrentUser, campaign: &Campaign, refusal: &ReportError) -> HttpResponse {
    let (status, code) = if refusal.is_too_large() {
        (413, "report_too_large")
    } else {
        (400, "report_rejected")
    };
    let body = html! {
        div class="sum" role="alert" { p class="err" { (refusal.message_zh()) } }
        p { "报告没有发布，也没有保存任何内容。请检查后重新上传。" }
        (back(campaign))
    };
    with_code(
        html_response(status, page("报告未发布", Some(user), body)),
        code,
    )
}
