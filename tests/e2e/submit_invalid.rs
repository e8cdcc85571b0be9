//! Invalid submissions: 4xx naming the field, answers kept, nothing stored.

use crate::helpers::{valid_answers, with, without, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    each_kind_of_invalid_answer_is_refused_naming_the_field,
    missing_required_answers_are_all_named,
    business_respondents_must_answer_their_section,
    missing_unit_choice_is_named,
    tampered_or_missing_token_shows_the_form_again,
    oversized_and_malformed_bodies_are_refused,
);

const FORM: &str = "/s/2025-final/market?site=hall";

/// Posts `fields` and checks: the status, the field's error next to it, the summary linking to
/// it, every other answer kept, and nothing stored.
async fn check_refused(app: &TestApp, fields: &[(String, String)], item: &str, message: &str) {
    let response = app.post_form(FORM, fields).await;
    assert_eq!(response.status(), 422, "{item}: {fields:?}");
    let body = response.text().await.unwrap();
    assert!(
        body.contains(&format!(r#"<p class="err" id="e-{item}">"#)),
        "no error next to {item}"
    );
    assert!(
        body.contains(message),
        "{item}: expected message {message:?}"
    );
    assert!(
        body.contains(&format!(r##"href="#q-{item}""##)),
        "summary does not link {item}"
    );
    assert!(body.contains(r#"role="alert""#));
    // Answers are kept: the resident's choice is still checked.
    assert!(body.contains(
        r#"name="respondent_type" id="respondent_type-resident" value="resident" checked"#
    ));
    let text = &fields.iter().find(|(k, _)| k == "suggestion").unwrap().1;
    assert!(body.contains(text.as_str()), "the open text is kept");
    assert_eq!(
        app.stored(OPEN_CAMPAIGN).len(),
        0,
        "{item}: nothing may be stored"
    );
}

async fn each_kind_of_invalid_answer_is_refused_naming_the_field(app: TestApp) {
    let valid = valid_answers(&app.token(FORM).await);
    type Case<'a> = (Vec<(String, String)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            with(&valid, "strict_duty", &["6"]),
            "strict_duty",
            "超出了本题的取值范围",
        ),
        (
            with(&valid, "strict_duty", &["0"]),
            "strict_duty",
            "超出了本题的取值范围",
        ),
        (
            with(&valid, "fair_equal", &["很满意"]),
            "fair_equal",
            "超出了本题的取值范围",
        ),
        (
            with(&valid, "overall_score", &["11"]),
            "overall_score",
            "超出了本题的取值范围",
        ),
        (
            with(&valid, "overall_score", &["-1"]),
            "overall_score",
            "超出了本题的取值范围",
        ),
        (
            with(&valid, "township", &["beijing"]),
            "township",
            "不是本题的选项",
        ),
        (
            with(&valid, "township", &["taihuai", "shizui"]),
            "township",
            "本题只能选一项",
        ),
        (
            with(&valid, "prob_brutal", &["maybe"]),
            "prob_brutal",
            "不是本题的选项",
        ),
        (
            with(&valid, "contact_kind", &["bribe"]),
            "contact_kind",
            "不是本题的选项",
        ),
        (
            with(&valid, "suggestion", &[&"很".repeat(301)]),
            "suggestion",
            "请不超过 300 个字",
        ),
    ];
    for (fields, item, message) in cases {
        check_refused(&app, &fields, item, message).await;
    }
    // An item the questionnaire does not have is named in the summary.
    let unknown = with(&valid, "favourite_colour", &["blue"]);
    let response = app.post_form(FORM, &unknown).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(
        body.contains(r##"问卷中没有这道题： <a href="#q-favourite_colour">favourite_colour</a>"##)
    );
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0);
    // 300 characters exactly is fine.
    let fine = with(&valid, "suggestion", &[&"很".repeat(300)]);
    assert_eq!(app.post_form(FORM, &fine).await.status(), 303);
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 1);
}

async fn missing_required_answers_are_all_named(app: TestApp) {
    let valid = valid_answers(&app.token(FORM).await);
    let fields = without(&without(&valid, "overall_sat"), "prob_profit");
    let response = app.post_form(FORM, &fields).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("请修改以下 2 处后再提交"));
    assert!(body.contains(r##"此题为必答题，请作答： <a href="#q-prob_profit">第 19 题</a> <a href="#q-overall_sat">第 33 题</a>"##));
    for item in ["overall_sat", "prob_profit"] {
        assert!(
            body.contains(&format!(r#"id="e-{item}">此题为必答题，请作答"#)),
            "{item}"
        );
    }
    // The worst case — a business operator who answered nothing else — stays under 30 KB.
    let token = valid.iter().find(|(k, _)| k == "_t").unwrap().1.clone();
    let empty = vec![
        ("_t".to_string(), token),
        ("respondent_type".into(), "business".into()),
    ];
    let response = app.post_form(FORM, &empty).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("请修改以下 33 处后再提交"));
    assert!(
        body.len() <= 30 * 1024,
        "the form with every error is {} bytes",
        body.len()
    );
    // An empty value is no answer.
    check_refused(
        &app,
        &with(&valid, "trust_law", &[""]),
        "trust_law",
        "此题为必答题",
    )
    .await;
    // The optional suggestion may be left out.
    assert_eq!(
        app.post_form(FORM, &without(&valid, "suggestion"))
            .await
            .status(),
        303
    );
}

async fn business_respondents_must_answer_their_section(app: TestApp) {
    let valid = valid_answers(&app.token(FORM).await);
    let business = with(&valid, "respondent_type", &["business"]);
    let response = app.post_form(FORM, &business).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    for item in [
        "biz_inspections",
        "biz_burden",
        "biz_random",
        "biz_flexible",
        "biz_complaint",
    ] {
        assert!(
            body.contains(&format!(r#"id="e-{item}""#)),
            "{item} must be required"
        );
    }
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0);
}

async fn missing_unit_choice_is_named(app: TestApp) {
    let form = "/s/2025-final";
    let valid = valid_answers(&app.token(form).await);
    let response = app.post_form(form, &valid).await;
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains(r##"<a href="#q-_unit">您这次接触的执法单位</a>"##));
    let wrong = app
        .post_form(form, &with(&valid, "_unit", &["ministry"]))
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong
        .text()
        .await
        .unwrap()
        .contains("“ministry”不是本题的选项"));
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0);
}

async fn tampered_or_missing_token_shows_the_form_again(app: TestApp) {
    let valid = valid_answers(&app.token(FORM).await);
    let token = valid.iter().find(|(k, _)| k == "_t").unwrap().1.clone();
    let (key_and_time, _mac) = token.rsplit_once('.').unwrap();
    let forged = format!("{key_and_time}.AAAAAAAAAAAAAAAAAAAAAA");
    for fields in [
        with(&valid, "_t", &[&forged]),
        without(&valid, "_t"),
        with(&valid, "_t", &["junk"]),
    ] {
        let response = app.post_form(FORM, &fields).await;
        assert_eq!(response.status(), 400);
        let body = response.text().await.unwrap();
        assert!(body.contains("页面已过期或无法识别"));
        assert!(
            body.contains(r#"value="resident" checked"#),
            "answers are kept"
        );
        assert_ne!(
            crate::helpers::token_in(&body),
            forged,
            "a fresh token is issued"
        );
    }
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0);
}

async fn oversized_and_malformed_bodies_are_refused(app: TestApp) {
    let valid = valid_answers(&app.token(FORM).await);
    let huge = with(&valid, "suggestion", &[&"x".repeat(100 * 1024)]);
    let response = app.post_form(FORM, &huge).await;
    assert_eq!(response.status(), 413);
    assert_eq!(response.headers()["x-minyi-error"], "body_too_large");
    assert!(response.text().await.unwrap().contains("提交内容过长"));

    let malformed = app
        .client
        .post(app.url(FORM))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("respondent_type=%E4%B8&_t")
        .send()
        .await
        .unwrap();
    assert!(
        malformed.status().is_client_error(),
        "got {}",
        malformed.status()
    );

    let wrong_type = app
        .client
        .post(app.url(FORM))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 400);
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0);
}
