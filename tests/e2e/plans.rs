//! Sampling plans: Cochran's size with the finite-population correction, allocated over the
//! units, shown with the achieved margins; quotas closing a unit or marking the surplus.

use crate::helpers::{valid_answers, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    a_plan_allocates_the_sample_over_units,
    quotas_close_a_unit_or_mark_the_surplus
);

const UNITS: [&str; 12] = [
    "taihuai",
    "jingangku",
    "shizui",
    "market",
    "police",
    "tourism",
    "planning",
    "rural",
    "emergency",
    "hr",
    "approval",
    "brigade",
];

async fn save_plan(app: &TestApp, population: u64, policy: &str) -> reqwest::Response {
    let admin = format!("admin-{}", uuid::Uuid::new_v4().simple());
    app.add_user(&admin, "admin");
    let (client, csrf) = app.signed_in(&admin).await;
    let mut form: Vec<(String, String)> = [
        ("_csrf", csrf.as_str()),
        ("confidence", "0.95"),
        ("margin", "0.05"),
        ("min_per_unit", "30"),
        ("allocation", "proportional"),
        ("quota_policy", policy),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for unit in UNITS {
        form.push((format!("pop_{unit}"), population.to_string()));
    }
    client
        .post(app.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/plan")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn a_plan_allocates_the_sample_over_units(app: TestApp) {
    assert_eq!(save_plan(&app, 1000, "accept_and_mark").await.status(), 303);
    let mut conn = app.pool.get().unwrap();
    let ctx = app.context(OPEN_CAMPAIGN);
    let (plan, rows) = survey_server::db::plans::load(&mut conn, ctx.campaign.id)
        .unwrap()
        .unwrap();
    assert_eq!(plan.allocation, "proportional");
    // n0 = 1.959964² · 0.25 / 0.05² = 384.146; with N = 12 000: 384.146 / (1 + 383.146/12 000)
    // = 372.26, rounded up to 373, spread over 12 equal units: 31 or 32 each.
    let total: i32 = rows.iter().map(|r| r.target).sum();
    assert_eq!(total, 373);
    assert!(
        rows.iter().all(|r| r.target == 31 || r.target == 32),
        "{rows:?}"
    );
    assert!(rows
        .iter()
        .all(|r| r.quota == r.target && r.population == 1000));

    let form = "/s/2025-final/market";
    let token = app.token(form).await;
    assert_eq!(
        app.post_form(form, &valid_answers(&token)).await.status(),
        303
    );
    app.add_user("leader", "viewer");
    let (viewer, _) = app.signed_in("leader").await;
    let page = viewer
        .get(app.url("/console/campaigns/2025-final/plan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("置信水平 95%") && page.contains("按比例分配"));
    // One response of a population of 1 000: ±1.96·√(0.25·999/(1·999)) = ±98.0 points.
    assert!(
        page.contains("<td class=\"r\">98.0</td>"),
        "achieved margin of error shown"
    );
    assert!(
        !page.contains("计算并保存"),
        "viewers see the plan, not the form"
    );

    // Bad input is named, nothing saved over the plan.
    let bad = save_plan(&app, 0, "sometimes").await;
    assert_eq!(bad.status(), 422);
    let text = bad.text().await.unwrap();
    assert!(text.contains("超出配额时：请选择一项"), "{text:.400}");
}

async fn quotas_close_a_unit_or_mark_the_surplus(app: TestApp) {
    // Populations of 2: every unit's target and quota is 2.
    assert_eq!(save_plan(&app, 2, "close_stratum").await.status(), 303);
    let form = "/s/2025-final/market";
    for expected in [303, 303, 409] {
        let token = app.token(form).await;
        let response = app.post_form(form, &valid_answers(&token)).await;
        assert_eq!(response.status(), expected);
        if expected == 409 {
            assert!(response.text().await.unwrap().contains("本单位样本已收满"));
        }
    }
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 2);
    // Another unit is still open.
    let token = app.token("/s/2025-final/police").await;
    assert_eq!(
        app.post_form("/s/2025-final/police", &valid_answers(&token))
            .await
            .status(),
        303
    );

    assert_eq!(save_plan(&app, 2, "accept_and_mark").await.status(), 303);
    let token = app.token(form).await;
    assert_eq!(
        app.post_form(form, &valid_answers(&token)).await.status(),
        303
    );
    let marks: Vec<bool> = app
        .stored(OPEN_CAMPAIGN)
        .into_iter()
        .map(|(r, _)| r.over_quota)
        .collect();
    assert_eq!(marks, [false, false, false, true]);
}

on_both_backends!(strata_by_unit_and_respondent_type_have_their_own_quotas);

async fn strata_by_unit_and_respondent_type_have_their_own_quotas(app: TestApp) {
    app.add_user("boss", "admin");
    let (client, csrf) = app.signed_in("boss").await;
    let mut form: Vec<(String, String)> = [
        ("_csrf", csrf.as_str()),
        ("confidence", "0.95"),
        ("margin", "0.05"),
        ("min_per_unit", "30"),
        ("allocation", "proportional"),
        ("quota_policy", "close_stratum"),
        ("by_respondent_type", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for unit in UNITS {
        for (kind, n) in [
            ("resident", 2),
            ("visitor", 2),
            ("business", 0),
            ("party", 0),
            ("other", 0),
        ] {
            form.push((format!("pop_{unit}_{kind}"), n.to_string()));
        }
    }
    let saved = client
        .post(app.url("/console/campaigns/2025-final/plan"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303);
    let plan: serde_json::Value = client
        .get(app.url("/api/v1/campaigns/2025-final/plan"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(plan["plan"]["by_respondent_type"], true);
    let strata = plan["strata"].as_array().unwrap();
    assert_eq!(
        strata.len(),
        24,
        "12 units × the 2 respondent types with people"
    );
    assert!(
        strata.iter().all(|s| s["target"] == 2 && s["quota"] == 2),
        "{strata:?}"
    );

    let form_path = "/s/2025-final/market";
    for (kind, expected) in [
        ("resident", 303),
        ("resident", 303),
        ("resident", 409),
        ("visitor", 303),
    ] {
        let token = app.token(form_path).await;
        let fields = crate::helpers::with(&valid_answers(&token), "respondent_type", &[kind]);
        let status = app.post_form(form_path, &fields).await.status().as_u16();
        assert_eq!(
            status, expected,
            "{kind}: market × resident fills at 2; market × visitor does not"
        );
    }
    let page = client
        .get(app.url("/console/campaigns/2025-final/plan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("本地居民") && page.contains("游客或香客"));
}
