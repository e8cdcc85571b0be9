//! Hostile values at the submit endpoints: control characters (PostgreSQL text cannot hold
//! NUL), `_…` fields no form sends, tokens from the future — each refused the same way on both
//! backends, naming the field, with nothing stored.

use serde_json::{json, Map, Value};
use survey_server::db::{contacts, now_ms, secrets};
use survey_server::token::FormSigner;

use crate::helpers::{token_in, valid_answers, with, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    a_control_character_in_any_value_is_refused_naming_the_field,
    underscored_fields_other_than_the_forms_own_are_refused_naming_them,
    the_api_refuses_control_characters_and_stray_fields_naming_them,
    a_token_from_the_future_is_refused_and_no_duration_is_negative,
);

const FORM: &str = "/s/2025-final/market?site=hall";
const API: &str = "/api/v1/campaigns/2025-final/responses";

/// Posts `fields` and checks the 422 names `field` with `message`, and nothing was stored.
async fn check_refused(
    app: &TestApp,
    path: &str,
    fields: &[(String, String)],
    field: &str,
    message: &str,
) {
    let response = app.post_form(path, fields).await;
    assert_eq!(response.status(), 422, "{field}: {fields:?}");
    let body = response.text().await.unwrap();
    assert!(
        body.contains(&format!(r##"href="#q-{field}""##)),
        "the summary names {field}"
    );
    assert!(body.contains(message), "{field}: expected {message:?}");
    assert_eq!(
        app.stored(OPEN_CAMPAIGN).len(),
        0,
        "{field}: nothing stored"
    );
}

async fn a_control_character_in_any_value_is_refused_naming_the_field(app: TestApp) {
    let valid = valid_answers(&app.token(FORM).await);
    let control = "含有不允许的控制字符";
    let nul_text = with(&valid, "suggestion", &["a\u{0}b"]);
    check_refused(&app, FORM, &nul_text, "suggestion", control).await;
    let escape = with(&valid, "strict_duty", &["4\u{1b}"]);
    check_refused(&app, FORM, &escape, "strict_duty", control).await;
    let contact = with(
        &with(&valid, "_contact_consent", &["yes"]),
        "_contact",
        &["138\u{0}0000"],
    );
    check_refused(&app, FORM, &contact, "_contact", control).await;
    let campaign_id = app.context(OPEN_CAMPAIGN).campaign.id;
    let kept = contacts::count(&mut app.pool.get().unwrap(), campaign_id).unwrap();
    assert_eq!(kept, 0, "no contact kept either");
    let english = format!("{FORM}&lang=en");
    let bell = with(&valid, "suggestion", &["a\u{7}b"]);
    check_refused(&app, &english, &bell, "suggestion", "control character").await;

    // A textarea's tabs and line breaks are the citizen's text.
    let lines = with(&valid, "suggestion", &["第一行\r\n第二行\t完"]);
    assert_eq!(app.post_form(FORM, &lines).await.status(), 303);
    let stored = app.stored(OPEN_CAMPAIGN);
    let text = stored[0].1.iter().find(|(k, _)| k == "suggestion").unwrap();
    assert!(
        text.1.contains("第一行") && text.1.contains("第二行\t完"),
        "{text:?}"
    );
}

async fn underscored_fields_other_than_the_forms_own_are_refused_naming_them(app: TestApp) {
    let valid = valid_answers(&app.token(FORM).await);
    let unknown = "表单中没有这个字段";
    for field in ["_admin", "_t2"] {
        check_refused(&app, FORM, &with(&valid, field, &["1"]), field, unknown).await;
    }
    // The form's own fields, sent empty as a browser sends them, pass.
    let own = with(&with(&valid, "_homepage", &[""]), "_contact", &[""]);
    assert_eq!(app.post_form(FORM, &own).await.status(), 303);
}

/// The HTML form's fields as the API's answers (repeated fields become an array).
fn api_body(fields: &[(String, String)]) -> Value {
    let mut answers = Map::new();
    for (name, value) in fields.iter().filter(|(k, _)| k != "_t") {
        match answers.get_mut(name) {
            Some(Value::Array(values)) => values.push(json!(value)),
            Some(one) => *one = json!([one.clone(), value]),
            None => {
                answers.insert(name.clone(), json!(value));
            }
        }
    }
    let token = &fields.iter().find(|(k, _)| k == "_t").unwrap().1;
    json!({ "token": token, "unit": "market", "site": "hall", "answers": answers })
}

async fn the_api_refuses_control_characters_and_stray_fields_naming_them(app: TestApp) {
    let valid = valid_answers(&app.token(FORM).await);
    for (fields, field, message) in [
        (
            with(&valid, "suggestion", &["a\u{0}b"]),
            "suggestion",
            "控制字符",
        ),
        (
            with(&valid, "_debug", &["1"]),
            "_debug",
            "表单中没有这个字段",
        ),
    ] {
        let response = app
            .client
            .post(app.url(API))
            .json(&api_body(&fields))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422, "{field}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_answers", "{error}");
        let named = &error["error"]["fields"][0];
        assert_eq!(named["field"], field, "{error}");
        assert!(
            named["message"].as_str().unwrap().contains(message),
            "{error}"
        );
    }
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0, "nothing stored");
    let response = app.client.post(app.url(API)).json(&api_body(&valid));
    assert_eq!(response.send().await.unwrap().status(), 201);
}

/// A token signed with the instance's own key, as if served by a server whose clock runs ahead.
async fn a_token_from_the_future_is_refused_and_no_duration_is_negative(app: TestApp) {
    let key = secrets::form_token_key(&mut app.pool.get().unwrap()).unwrap();
    let signer = FormSigner::new(key, 72);
    let far_token = signer.issue(now_ms() + 10 * 60_000);
    let response = app.post_form(FORM, &valid_answers(&far_token)).await;
    assert_eq!(response.status(), 400, "refused like a tampered token");
    let body = response.text().await.unwrap();
    assert!(
        body.contains("希望执法人员多做解释。"),
        "the answers are kept"
    );
    assert_ne!(token_in(&body), far_token, "with a fresh token");
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0, "nothing stored");

    // Within the allowed clock skew: stored, served "now" as far as this server can tell.
    let early = valid_answers(&signer.issue(now_ms() + 30_000));
    assert_eq!(app.post_form(FORM, &early).await.status(), 303);
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 1);
    assert!(stored[0].0.duration_ms >= 0, "{}", stored[0].0.duration_ms);
}
