//! The JSON API over HTTP, and its OpenAPI document.

use serde_json::{json, Value};
use survey_server::routes::{CONSOLE_ROUTES, PUBLIC_API_ROUTES};

use crate::helpers::{TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    a_citizen_app_submits_through_the_api,
    the_console_api_is_guarded_and_speaks_json
);

async fn post_json(app: &TestApp, path: &str, body: &Value) -> (u16, Value) {
    let r = app
        .client
        .post(app.url(path))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn answers() -> Value {
    let mut a = json!({
        "respondent_type": "visitor", "township": "taihuai", "contact_kind": ["inspection", "permit"],
        "contact_when": "m6", "overall_score": 9, "suggestion": "=1+1 很好",
        "prob_crude": "yes", "sys_certificate": "yes", "sys_rights": "no", "sys_recorded": "na"
    });
    for item in crate::helpers::LIKERT_ITEMS
        .iter()
        .chain(["standard_documents"].iter())
    {
        a[item] = json!("5");
    }
    for item in crate::helpers::PROBLEM_ITEMS {
        a[item] = json!("no");
    }
    a
}

async fn a_citizen_app_submits_through_the_api(app: TestApp) {
    let form: Value = app
        .get("/api/v1/campaigns/2025-final/form?unit=market")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(form["campaign"]["slug"], "2025-final");
    assert_eq!(form["questionnaire"]["version"], "2025.1");
    assert_eq!(form["units"].as_array().unwrap().len(), 12);
    let token = form["token"].as_str().unwrap().to_string();
    let body = json!({ "token": token, "unit": "market", "site": "hall", "answers": answers() });
    let path = "/api/v1/campaigns/2025-final/responses";
    assert_eq!(
        post_json(&app, path, &body).await,
        (201, json!({ "status": "stored" }))
    );
    assert_eq!(
        post_json(&app, path, &body).await,
        (200, json!({ "status": "already_stored" }))
    );
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 1);
    let get = |item: &str| {
        stored[0]
            .1
            .iter()
            .find(|(k, _)| k == item)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(get("contact_kind").as_deref(), Some("inspection;permit"));
    assert_eq!(get("overall_score").as_deref(), Some("9"));
    assert_eq!(get("suggestion").as_deref(), Some("=1+1 很好"));

    let fresh = |app: &TestApp| {
        let url = app.url("/api/v1/campaigns/2025-final/form");
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()["token"]
                .clone()
        }
    };
    let mut bad = json!({ "token": fresh(&app).await, "unit": "market", "answers": answers() });
    bad["answers"]["strict_duty"] = json!("6");
    bad["answers"]
        .as_object_mut()
        .unwrap()
        .remove("overall_sat");
    let (status, error) = post_json(&app, path, &bad).await;
    assert_eq!(status, 422);
    assert_eq!(error["error"]["code"], "invalid_answers");
    let fields: Vec<&str> = error["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["strict_duty", "overall_sat"]);

    let forged = json!({ "token": "x.1.y", "unit": "market", "answers": answers() });
    assert_eq!(
        post_json(&app, path, &forged).await.1["error"]["code"],
        "bad_token"
    );
    let unit = json!({ "token": fresh(&app).await, "unit": "ministry", "answers": answers() });
    assert_eq!(
        post_json(&app, path, &unit).await,
        (
            404,
            json!({ "error": { "code": "unknown_unit", "message": "未找到该单位：链接中的单位不在本次调查范围内。请重新扫描现场的二维码。" } })
        )
    );
    let extra = json!({ "token": "t", "unit": "market", "answers": {}, "colour": "red" });
    let (status, error) = post_json(&app, path, &extra).await;
    assert_eq!(status, 400);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{error}"
    );
    let raw = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    assert_eq!(
        raw.json::<Value>().await.unwrap()["error"]["code"],
        "malformed_body"
    );
    assert_eq!(
        app.stored(OPEN_CAMPAIGN).len(),
        1,
        "nothing stored by the refused requests"
    );

    let closed = app.get("/api/v1/campaigns/2024-baseline/form").await;
    assert_eq!(closed.status(), 410);
    assert_eq!(
        closed.json::<Value>().await.unwrap()["error"]["code"],
        "campaign_closed"
    );
}

async fn the_console_api_is_guarded_and_speaks_json(app: TestApp) {
    app.add_user("leader", "viewer");
    app.add_user("boss", "admin");
    let (viewer, _) = app.signed_in("leader").await;
    let list: Value = viewer
        .get(app.url("/api/v1/campaigns"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["slug"], "2024-baseline");
    assert_eq!(list[1]["status"], "open");
    let status = app.url("/api/v1/campaigns/2025-final/status");
    let refused = viewer
        .post(&status)
        .json(&json!({ "status": "closed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"]["code"],
        "forbidden"
    );
    let (admin, csrf) = app.signed_in("boss").await;
    let no_token = admin
        .post(&status)
        .json(&json!({ "status": "closed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_token.json::<Value>().await.unwrap()["error"]["code"],
        "csrf_mismatch"
    );
    let done = admin
        .post(&status)
        .header("X-CSRF-Token", &csrf)
        .json(&json!({ "status": "closed" }))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(app.get("/s/2025-final/market").await.status(), 410);
    let odd = admin
        .post(&status)
        .header("X-CSRF-Token", &csrf)
        .json(&json!({ "status": "paused" }))
        .send()
        .await
        .unwrap();
    assert_eq!(odd.status(), 400);
}

/// Every API route the server has is in its OpenAPI document, with its method.
#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await;
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let console_api = CONSOLE_ROUTES
        .iter()
        .filter(|(_, p, _)| p.starts_with("/api/"))
        .map(|(m, p, _)| (*m, *p));
    for (method, path) in PUBLIC_API_ROUTES.iter().copied().chain(console_api) {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is not documented"
        );
    }
    let codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
        ["enum"]
        .clone();
    for code in [
        "unknown_campaign",
        "campaign_closed",
        "invalid_answers",
        "bad_token",
        "csrf_mismatch",
        "quota_full",
    ] {
        assert!(codes.as_array().unwrap().contains(&json!(code)), "{code}");
    }
}

on_both_backends!(the_console_actions_work_over_json);

async fn the_console_actions_work_over_json(app: TestApp) {
    app.add_user("boss", "admin");
    let (admin, csrf) = app.signed_in("boss").await;
    let post = |path: &str, body: Value| {
        admin
            .post(app.url(path))
            .header("X-CSRF-Token", &csrf)
            .json(&body)
            .send()
    };
    let wave = json!({
        "slug": "2026-json", "label_zh": "接口测评", "label_en": "API wave", "wave": "2026",
        "starts_on": "2020-01-01", "ends_on": "2099-12-31", "questionnaire": 1,
        "units": ["market", "police"],
        "sites": [{ "code": "hall", "name_zh": "大厅", "name_en": "Hall" }]
    });
    let created = post("/api/v1/campaigns", wave.clone()).await.unwrap();
    assert_eq!(created.status(), 201);
    assert_eq!(
        created.json::<Value>().await.unwrap(),
        json!({ "slug": "2026-json", "status": "draft" })
    );
    let again = post("/api/v1/campaigns", wave).await.unwrap();
    assert_eq!(again.status(), 422);
    let error: Value = again.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_request");
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .contains("已被使用"));
    let bad = post("/api/v1/campaigns", json!({ "slug": "x", "units": [] }))
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(
        bad.json::<Value>().await.unwrap()["error"]["fields"]
            .as_array()
            .unwrap()
            .len()
            >= 4
    );

    let plan = json!({
        "confidence": 0.95, "margin": 0.05, "allocation": "proportional", "min_per_unit": 30,
        "quota_policy": "accept_and_mark", "populations": { "market": 600, "police": 400 }
    });
    let saved = post("/api/v1/campaigns/2026-json/plan", plan)
        .await
        .unwrap();
    assert_eq!(saved.status(), 200);
    let saved: Value = saved.json().await.unwrap();
    // N = 1 000: 384.146 / (1 + 383.146 / 1 000) = 277.7 → 278, split 60:40.
    let targets: Vec<i64> = saved["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["target"].as_i64().unwrap())
        .collect();
    assert_eq!(targets.iter().sum::<i64>(), 278);
    assert_eq!(targets, [167, 111]);
    let read: Value = admin
        .get(app.url("/api/v1/campaigns/2026-json/plan"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read, saved);
    let missing = post(
        "/api/v1/campaigns/2026-json/plan",
        json!({ "confidence": 2 }),
    )
    .await
    .unwrap();
    assert_eq!(missing.status(), 422);

    let codes = post(
        "/api/v1/campaigns/2026-json/case-codes",
        json!({ "unit": "police", "count": 2 }),
    )
    .await
    .unwrap();
    assert_eq!(codes.status(), 201);
    let codes: Value = codes.json().await.unwrap();
    assert_eq!(codes["codes"].as_array().unwrap().len(), 2);
    assert!(codes["links"][0]
        .as_str()
        .unwrap()
        .contains("/s/2026-json/police?site=case&code="));
    let too_many = post(
        "/api/v1/campaigns/2026-json/case-codes",
        json!({ "unit": "police", "count": 5000 }),
    )
    .await
    .unwrap();
    assert_eq!(too_many.status(), 400);

    let progress: Value = admin
        .get(app.url("/api/v1/campaigns/2026-json/progress"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(progress["units"][0]["target"], 167);
    assert_eq!(progress["units"][0]["completion"], 0.0);
    assert_eq!(progress["units"][0]["over_quota"], 0);
}
