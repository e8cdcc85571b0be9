//! GET of the citizen's form and of the error pages.

use crate::helpers::{TestApp, CLOSED_CAMPAIGN, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    form_is_small_self_contained_and_chinese_by_default,
    english_with_lang_en,
    form_is_gzipped_for_a_weak_signal,
    link_without_unit_shows_a_unit_picker,
    closed_unknown_and_not_found_pages_are_clear,
);

async fn form_is_small_self_contained_and_chinese_by_default(app: TestApp) {
    let response = app
        .get(&format!("/s/{OPEN_CAMPAIGN}/market?site=hall"))
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let body = response.text().await.unwrap();
    assert!(
        body.len() <= 30 * 1024,
        "form page is {} bytes, over 30 KB",
        body.len()
    );
    assert!(body.contains(r#"<html lang="zh-CN">"#));
    assert!(body.contains("行政执法群众满意度调查"));
    assert!(body.contains("评价单位：市场监管局"));
    assert!(body.contains("隐私说明"));
    assert!(body.contains(r#"<meta name="viewport" content="width=device-width,initial-scale=1">"#));
    // Zero external requests: no script, no external stylesheet, font, image or link target.
    assert!(!body.contains("<script"));
    assert_eq!(body.matches("<link").count(), 1);
    assert!(
        body.contains(r#"<link rel="icon" href="data:,">"#),
        "the only link: no favicon fetch"
    );
    assert!(!body.contains("<img"));
    assert!(!body.contains("http://") && !body.contains("https://") && !body.contains("//cdn"));
    assert!(!body.contains("@font-face") && !body.contains("url("));
    // Accessible structure: a fieldset with a legend per question, labels around inputs.
    assert_eq!(
        body.matches("<fieldset").count(),
        body.matches("<legend>").count()
    );
    assert!(body.matches("<fieldset").count() >= 30);
    assert!(body.contains(r#"<label class="c w"><input type="radio" name="strict_duty" value="na">不了解/不适用</label>"#));
    assert!(body.contains(r#"action="/s/2025-final/market?site=hall""#));
}

async fn form_is_gzipped_for_a_weak_signal(app: TestApp) {
    let response = app
        .client
        .get(app.url(&format!("/s/{OPEN_CAMPAIGN}/market")))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response.bytes().await.unwrap().len();
    assert!(compressed < 8 * 1024, "gzipped form is {compressed} bytes");
}

async fn english_with_lang_en(app: TestApp) {
    let body = app
        .get(&format!("/s/{OPEN_CAMPAIGN}/police?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains(r#"<html lang="en">"#));
    assert!(body.contains("Public satisfaction with administrative law enforcement"));
    assert!(body.contains("Unit rated: Public Security Sub-bureau"));
    assert!(
        body.contains("Don&#39;t know / not applicable")
            || body.contains("Don't know / not applicable")
    );
    assert!(body.contains(r#"action="/s/2025-final/police?lang=en""#));
    assert!(
        body.len() <= 30 * 1024,
        "English form page is {} bytes",
        body.len()
    );
}

async fn link_without_unit_shows_a_unit_picker(app: TestApp) {
    let body = app
        .get(&format!("/s/{OPEN_CAMPAIGN}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(body.contains(r#"<select id="unit-select" name="_unit">"#));
    assert!(body.contains(r#"<option value="brigade">综合行政执法队</option>"#));
    assert!(!body.contains("评价单位："));
}

async fn closed_unknown_and_not_found_pages_are_clear(app: TestApp) {
    let closed = app.get(&format!("/s/{CLOSED_CAMPAIGN}/market")).await;
    assert_eq!(closed.status(), 410);
    assert_eq!(closed.headers()["x-minyi-error"], "campaign_closed");
    assert!(closed.text().await.unwrap().contains("本次调查已结束"));

    let closed_en = app
        .get(&format!("/s/{CLOSED_CAMPAIGN}/market?lang=en"))
        .await;
    assert!(closed_en
        .text()
        .await
        .unwrap()
        .contains("This survey has ended"));

    let unknown = app.get("/s/no-such-wave/market").await;
    assert_eq!(unknown.status(), 404);
    assert!(unknown.text().await.unwrap().contains("未找到该调查"));

    let unit = app.get(&format!("/s/{OPEN_CAMPAIGN}/no-such-unit")).await;
    assert_eq!(unit.status(), 404);
    assert!(unit.text().await.unwrap().contains("未找到该单位"));

    let doubled = app
        .get(&format!("/s/{OPEN_CAMPAIGN}/market?lang=en&lang=zh"))
        .await;
    assert_eq!(doubled.status(), 400);
    assert_eq!(doubled.headers()["x-minyi-error"], "malformed_body");

    let mut conn = app.pool.get().unwrap();
    survey_server::db::campaigns::set_status(&mut conn, OPEN_CAMPAIGN, "draft", "test").unwrap();
    // A change made outside this server (here straight in the database, as the CLI or a
    // second server would) shows on its pages within a second: the campaign's row is cached
    // that long. (Submissions are refused at once: the writer reads the status again.)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let draft = app.get(&format!("/s/{OPEN_CAMPAIGN}/market")).await;
    assert_eq!(draft.status(), 403);
    assert!(draft.text().await.unwrap().contains("调查尚未开始"));

    let nowhere = app.get("/nowhere").await;
    assert_eq!(nowhere.status(), 404);
    assert!(nowhere.text().await.unwrap().contains("页面不存在"));
}
