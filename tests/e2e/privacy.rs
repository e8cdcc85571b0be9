//! PIPL: contact details only with consent and never with the answers; the retention purge; a
//! configurable privacy notice; security headers; typed markup and formulas inert.

use crate::helpers::{spawn_app_with, valid_answers, with, Backend, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    contact_details_need_consent_and_stay_apart,
    security_headers_on_every_response_and_typed_markup_is_inert
);

const FORM: &str = "/s/2025-final/market?site=hall";
const PHONE: &str = "13800138000";

async fn contact_details_need_consent_and_stay_apart(app: TestApp) {
    // Typed without the box ticked: refused, naming the field, nothing stored.
    let token = app.token(FORM).await;
    let fields = with(&valid_answers(&token), "_contact", &[PHONE]);
    let refused = app.post_form(FORM, &fields).await;
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("联系方式（同意回访）"), "the field is named");
    assert!(app.stored(OPEN_CAMPAIGN).is_empty());

    let consented = with(&fields, "_contact_consent", &["yes"]);
    assert_eq!(app.post_form(FORM, &consented).await.status(), 303);
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0].1.iter().all(|(_, v)| !v.contains(PHONE)),
        "the contact is not an answer"
    );
    let ctx = app.context(OPEN_CAMPAIGN);
    let mut conn = app.pool.get().unwrap();
    assert_eq!(
        survey_server::db::contacts::count(&mut conn, ctx.campaign.id).unwrap(),
        1
    );

    // No export carries it.
    app.add_user("eva", "evaluator");
    let (eva, _) = app.signed_in("eva").await;
    for export in ["responses.csv", "bundle.zip", "responses.xlsx"] {
        let body = app.export(&eva, export).await;
        let text = readable(&body);
        assert!(text.contains("希望执法人员多做解释"), "{export} was read");
        assert!(!text.contains(PHONE), "{export} carries a contact");
    }

    // The purge removes what is past retention.
    // Retention counts from the campaign's end: nothing goes while it runs…
    let today = chrono::Utc::now().date_naive();
    let purged = survey_server::db::contacts::purge(&mut conn, today).unwrap();
    assert_eq!(purged.contacts, 0);
    // …and everything once it ended before the cutoff.
    let future = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap();
    let purged = survey_server::db::contacts::purge(&mut conn, future).unwrap();
    assert_eq!(purged.contacts, 1);
    assert_eq!(
        survey_server::db::contacts::count(&mut conn, ctx.campaign.id).unwrap(),
        0
    );
    assert_eq!(
        app.stored(OPEN_CAMPAIGN).len(),
        1,
        "responses are not purged"
    );
}

/// The text of a file, or of every file in it when it is a zip (a bundle, an XLSX).
fn readable(body: &[u8]) -> String {
    use std::io::Read;
    if !body.starts_with(b"PK") {
        return String::from_utf8_lossy(body).to_string();
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(body)).unwrap();
    let mut text = String::new();
    for i in 0..zip.len() {
        let mut bytes = Vec::new();
        zip.by_index(i).unwrap().read_to_end(&mut bytes).unwrap();
        text.push_str(&String::from_utf8_lossy(&bytes));
    }
    text
}

async fn security_headers_on_every_response_and_typed_markup_is_inert(app: TestApp) {
    for path in [FORM, "/console/login", "/api/openapi.json", "/nope"] {
        let response = app.get(path).await;
        let h = response.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("script-src"), "no script is allowed at all");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(
            !h.contains_key("strict-transport-security"),
            "no HSTS over plain HTTP"
        );
    }
    // Typed markup comes back escaped when the form is shown again.
    let token = app.token(FORM).await;
    let sly = "<script>alert(1)</script>";
    let mut fields = with(&valid_answers(&token), "suggestion", &[sly]);
    fields.retain(|(k, _)| k != "overall_sat");
    let page = app.post_form(FORM, &fields).await.text().await.unwrap();
    assert!(!page.contains(sly));
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test]
async fn hsts_and_a_configured_privacy_notice() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.public_url = "https://survey.example.cn".into();
        s.privacy_notice_zh = "本调查由某某评估中心实施，数据保存两年。".into();
    })
    .await;
    let response = app.get(FORM).await;
    assert_eq!(
        response.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    let page = response.text().await.unwrap();
    assert!(page.contains("本调查由某某评估中心实施，数据保存两年。"));
}
