//! An admin creates a wave, opens it, citizens answer, the admin closes it.

use crate::helpers::{valid_answers, TestApp};
use crate::on_both_backends;

on_both_backends!(
    an_admin_creates_opens_and_closes_a_wave,
    a_bad_wave_is_refused_naming_each_field
);

fn wave(fields: &[(&str, &str)], csrf: &str) -> Vec<(String, String)> {
    let mut out = vec![("_csrf".to_string(), csrf.to_string())];
    out.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out
}

async fn an_admin_creates_opens_and_closes_a_wave(app: TestApp) {
    app.add_user("admin1", "admin");
    let (client, csrf) = app.signed_in("admin1").await;
    let form = client
        .get(app.url("/console/campaigns/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("新建测评活动") && form.contains("enforcement-satisfaction 2025.1"));
    let version = form
        .split(r#"<option value=""#)
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let today = survey_server::startup::today();
    let fields = wave(
        &[
            ("slug", "2026-pilot"),
            ("label_zh", "2026年试点测评"),
            ("label_en", "2026 pilot"),
            ("wave", "2026-pilot"),
            ("starts_on", "2020-01-01"),
            ("ends_on", "2099-12-31"),
            ("questionnaire", &version),
            ("questionnaire_toml", ""),
            ("units", "taihuai"),
            ("units", "market"),
            (
                "sites",
                "hall,政务服务大厅,Service hall\nbus,公交站,Bus stop",
            ),
        ],
        &csrf,
    );
    let created = client
        .post(app.url("/console/campaigns"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    assert_eq!(
        created.headers()["location"],
        "/console/campaigns/2026-pilot"
    );
    // A draft is not yet open to citizens.
    assert_eq!(app.get("/s/2026-pilot/market").await.status(), 403);
    let open = app.url("/console/campaigns/2026-pilot/open");
    assert_eq!(
        client
            .post(open)
            .form(&[("_csrf", &csrf)])
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    let form = "/s/2026-pilot/market?site=bus";
    let token = app.token(form).await;
    assert_eq!(
        app.post_form(form, &valid_answers(&token)).await.status(),
        303
    );
    assert_eq!(
        app.get("/s/2026-pilot/police").await.status(),
        404,
        "not a unit of this wave"
    );
    let ctx = app.context("2026-pilot");
    assert_eq!(ctx.units.len(), 2);
    assert_eq!(
        ctx.sites
            .iter()
            .map(|s| s.code.as_str())
            .collect::<Vec<_>>(),
        ["hall", "bus"]
    );
    assert_eq!(app.stored("2026-pilot").len(), 1);
    let close = app.url("/console/campaigns/2026-pilot/close");
    assert_eq!(
        client
            .post(close)
            .form(&[("_csrf", &csrf)])
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    assert_eq!(app.get(form).await.status(), 410);
    let audit = client
        .get(app.url("/console/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("campaign.create") && audit.contains("2026-pilot → open"));
    assert!(!today.is_empty());
}

async fn a_bad_wave_is_refused_naming_each_field(app: TestApp) {
    app.add_user("admin1", "admin");
    let (client, csrf) = app.signed_in("admin1").await;
    let bad_toml =
        "id = \"x\"\nversion = \"1\"\ntitle = { zh = \"\", en = \"t\" }\nsections = []\n";
    let fields = wave(
        &[
            ("slug", "Bad Slug!"),
            ("label_zh", ""),
            ("label_en", "x"),
            ("wave", "w"),
            ("starts_on", "2025-13-01"),
            ("ends_on", "2025-01-01"),
            ("questionnaire_toml", bad_toml),
            ("units", "ministry"),
            ("sites", "just one column"),
        ],
        &csrf,
    );
    let refused = client
        .post(app.url("/console/campaigns"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    for expected in [
        "链接名（slug）",
        "中文名称：不能为空",
        "开始日期：请用 YYYY-MM-DD 格式",
        "没有代码为 ministry 的单位",
        "投放点第 1 行",
        "问卷文件：",
        "title has an empty Chinese (zh) text",
    ] {
        assert!(page.contains(expected), "missing {expected:?}");
    }
    assert!(
        page.contains(r#"value="Bad Slug!""#),
        "what was typed is kept"
    );
    // A slug already in use.
    let taken = wave(
        &[
            ("slug", "2025-final"),
            ("label_zh", "重复"),
            ("label_en", "dup"),
            ("wave", "w"),
            ("starts_on", "2025-01-01"),
            ("ends_on", "2025-12-31"),
            ("questionnaire", "1"),
            ("units", "market"),
        ],
        &csrf,
    );
    let refused = client
        .post(app.url("/console/campaigns"))
        .form(&taken)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("链接名 2025-final 已被使用"));
}

on_both_backends!(progress_shows_units_days_and_link_checks);

async fn progress_shows_units_days_and_link_checks(app: TestApp) {
    for form in [
        "/s/2025-final/market?site=hall",
        "/s/2025-final/market",
        "/s/2025-final/police",
    ] {
        let token = app.token(form).await;
        assert_eq!(
            app.post_form(form, &valid_answers(&token)).await.status(),
            303
        );
    }
    app.add_user("leader", "viewer");
    let (client, _) = app.signed_in("leader").await;
    let json: serde_json::Value = client
        .get(app.url("/console/campaigns/2025-final/progress.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["total"], 3);
    let units = json["units"].as_array().unwrap();
    assert_eq!(units.len(), 12);
    let count = |code: &str| units.iter().find(|u| u["unit"] == code).unwrap()["responses"].clone();
    assert_eq!(count("market"), 2);
    assert_eq!(count("police"), 1);
    assert_eq!(count("shizui"), 0);
    assert_eq!(
        json["per_day"],
        serde_json::json!([[survey_server::startup::today(), 3]])
    );
    assert_eq!(json["link_checks"], serde_json::json!([["unsigned", 3]]));
    let page = client
        .get(app.url("/console/campaigns/2025-final/progress"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(r#"<meta http-equiv="refresh" content="60">"#));
    assert!(page.contains("<svg") && page.contains("3 份</title>"));
    assert!(!page.contains("<script"));
}

on_both_backends!(an_admin_adds_and_renames_units);

async fn an_admin_adds_and_renames_units(app: TestApp) {
    app.add_user("admin1", "admin");
    let (client, csrf) = app.signed_in("admin1").await;
    let save = |fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("_csrf", csrf.clone())];
        form.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
        client.post(app.url("/console/units")).form(&form).send()
    };
    let added = save(vec![
        ("code", "culture"),
        ("name_zh", "文化和旅游执法队"),
        ("name_en", "Culture brigade"),
        ("kind", "department"),
    ]);
    assert_eq!(added.await.unwrap().status(), 303);
    let renamed = save(vec![
        ("code", "market"),
        ("name_zh", "市场监督管理局"),
        ("name_en", "Market Regulation"),
        ("kind", "department"),
    ]);
    assert_eq!(renamed.await.unwrap().status(), 303);
    let page = client
        .get(app.url("/console/units"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("文化和旅游执法队") && page.contains("市场监督管理局"));
    assert_eq!(page.matches("<code>").count(), 13);
    // The renamed unit shows in the citizen's form of a wave it belongs to.
    let form = app.get("/s/2025-final/market").await.text().await.unwrap();
    assert!(form.contains("评价单位：市场监督管理局"));
    let bad = save(vec![
        ("code", "Bad Code"),
        ("name_zh", ""),
        ("name_en", "x"),
        ("kind", "agency"),
    ])
    .await
    .unwrap();
    assert_eq!(bad.status(), 422);
    let text = bad.text().await.unwrap();
    for expected in [
        "代码：只能用小写字母",
        "中文名称：不能为空",
        "类型：请选择部门或乡镇",
    ] {
        assert!(text.contains(expected), "{expected}");
    }
    let audit = client
        .get(app.url("/console/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("unit.save"));
}
