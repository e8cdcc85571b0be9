//! Valid submissions: stored once, durably, and thanked.

use crate::helpers::{valid_answers, with, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    valid_post_is_stored_and_thanked,
    double_post_with_one_key_stores_one_response,
    concurrent_posts_with_one_key_store_one_response,
    picked_unit_and_business_section_are_stored,
    answers_to_a_hidden_section_are_not_stored,
    retry_after_close_is_still_thanked,
);

const FORM: &str = "/s/2025-final/market?site=hall";

async fn valid_post_is_stored_and_thanked(app: TestApp) {
    let token = app.token(FORM).await;
    let response = app.post_form(FORM, &valid_answers(&token)).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/thanks/2025-final");
    let thanks = app.get("/thanks/2025-final").await.text().await.unwrap();
    assert!(thanks.contains("提交成功"));

    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 1);
    let (row, answers) = &stored[0];
    assert_eq!(app.unit_code(OPEN_CAMPAIGN, row.unit_id), "market");
    assert!(row.site_id.is_some(), "the site of the link is recorded");
    assert_eq!(row.respondent_type.as_deref(), Some("resident"));
    assert_eq!(row.lang, "zh-CN");
    assert!(row.duration_ms >= 0);
    let get = |item: &str| {
        answers
            .iter()
            .find(|(k, _)| k == item)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("strict_duty"), Some("4"));
    assert_eq!(
        get("standard_documents"),
        Some("na"),
        "不了解 is stored as such, not a number"
    );
    assert_eq!(get("contact_kind"), Some("inspection;penalty"));
    assert_eq!(get("prob_crude"), Some("yes"));
    assert_eq!(get("overall_score"), Some("8"));
    assert_eq!(get("suggestion"), Some("希望执法人员多做解释。"));
    assert_eq!(get("biz_burden"), None);
    assert_eq!(
        answers.len(),
        valid_answers(&token).len() - 2,
        "every answer but _t, one row for the multi"
    );
}

async fn double_post_with_one_key_stores_one_response(app: TestApp) {
    let token = app.token(FORM).await;
    let fields = valid_answers(&token);
    for _ in 0..3 {
        let response = app.post_form(FORM, &fields).await;
        assert_eq!(response.status(), 303, "a retry is thanked like the first");
    }
    // A resend with different answers under the same key does not add or change anything.
    let changed = with(&fields, "overall_sat", &["1"]);
    assert_eq!(app.post_form(FORM, &changed).await.status(), 303);
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 1);
    let overall = stored[0]
        .1
        .iter()
        .find(|(k, _)| k == "overall_sat")
        .unwrap();
    assert_eq!(overall.1, "4");
    // A new form is a new response.
    let second = app.token(FORM).await;
    assert_eq!(
        app.post_form(FORM, &valid_answers(&second)).await.status(),
        303
    );
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 2);
}

async fn concurrent_posts_with_one_key_store_one_response(app: TestApp) {
    let token = app.token(FORM).await;
    let fields = valid_answers(&token);
    let posts = (0..8).map(|_| app.post_form(FORM, &fields));
    // join_all starts every request before awaiting any, so they race on the server.
    let responses = futures::future::join_all(posts).await;
    for r in responses {
        assert_eq!(r.status(), 303);
    }
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 1);
}

async fn picked_unit_and_business_section_are_stored(app: TestApp) {
    let form = "/s/2025-final?lang=en";
    let token = app.token(form).await;
    let mut fields = with(&valid_answers(&token), "respondent_type", &["business"]);
    fields = with(&fields, "_unit", &["police"]);
    for (item, value) in [
        ("biz_inspections", "1_2"),
        ("biz_burden", "5"),
        ("biz_random", "na"),
        ("biz_flexible", "3"),
        ("biz_complaint", "2"),
    ] {
        fields = with(&fields, item, &[value]);
    }
    let response = app.post_form(form, &fields).await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/thanks/2025-final?lang=en");
    let thanks = app
        .get("/thanks/2025-final?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(thanks.contains("Thank you"));
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 1);
    let (row, answers) = &stored[0];
    assert_eq!(app.unit_code(OPEN_CAMPAIGN, row.unit_id), "police");
    assert_eq!(row.site_id, None);
    assert_eq!(row.respondent_type.as_deref(), Some("business"));
    assert_eq!(row.lang, "en");
    assert!(answers.contains(&("biz_burden".into(), "5".into())));
    assert!(answers.contains(&("biz_random".into(), "na".into())));
}

async fn answers_to_a_hidden_section_are_not_stored(app: TestApp) {
    // Without CSS :has() a resident may see and answer the business section; those answers
    // do not apply to them and are not stored (the condition is checked on the server).
    let token = app.token(FORM).await;
    let fields = with(&valid_answers(&token), "biz_burden", &["1"]);
    assert_eq!(app.post_form(FORM, &fields).await.status(), 303);
    let stored = app.stored(OPEN_CAMPAIGN);
    assert!(!stored[0].1.iter().any(|(k, _)| k == "biz_burden"));
}

async fn retry_after_close_is_still_thanked(app: TestApp) {
    let token = app.token(FORM).await;
    let fields = valid_answers(&token);
    assert_eq!(app.post_form(FORM, &fields).await.status(), 303);
    survey_server::db::campaigns::set_status(
        &mut app.pool.get().unwrap(),
        OPEN_CAMPAIGN,
        "closed",
        "test",
    )
    .unwrap();
    // The acknowledged response's retry is thanked; a new response is refused.
    assert_eq!(app.post_form(FORM, &fields).await.status(), 303);
    let refused = app
        .post_form(FORM, &with(&fields, "_t", &[&new_token(&app).await]))
        .await;
    assert_eq!(refused.status(), 410);
    assert!(refused.text().await.unwrap().contains("本次调查已结束"));
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 1);
}

/// A form token for a response not yet sent: the closed campaign serves no form, so reopen it
/// for a moment to take one.
async fn new_token(app: &TestApp) -> String {
    let mut conn = app.pool.get().unwrap();
    survey_server::db::campaigns::set_status(&mut conn, OPEN_CAMPAIGN, "open", "test").unwrap();
    let token = app.token(FORM).await;
    survey_server::db::campaigns::set_status(&mut conn, OPEN_CAMPAIGN, "closed", "test").unwrap();
    token
}
