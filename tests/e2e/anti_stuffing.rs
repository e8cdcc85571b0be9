//! Anti-stuffing as evidence: the device cookie (flag or refuse), the honeypot, speed and
//! straight-lining flags, rate limits behind a trusted proxy, bursts in the quality report.

use std::collections::HashMap;

use diesel::{QueryableByName, RunQueryDsl};

use crate::helpers::{spawn_app_with, valid_answers, with, Backend, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    a_second_response_from_one_device_is_flagged,
    fifty_concurrent_posts_from_one_refused_device_store_one,
    honeypot_speed_and_straight_lines_are_flagged_not_dropped,
    a_burst_shows_in_the_quality_report_and_a_spread_does_not
);

const FORM: &str = "/s/2025-final/market?site=hall";

#[derive(QueryableByName, Debug)]
struct Flag {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    response_id: i32,
    #[diesel(sql_type = diesel::sql_types::Text)]
    flag: String,
}

fn flags(app: &TestApp) -> HashMap<i32, Vec<String>> {
    let mut conn = app.pool.get().unwrap();
    let rows: Vec<Flag> = ({
        let c: &mut survey_server::db::DbConn = &mut conn;
        diesel::sql_query("SELECT response_id, flag FROM response_flags ORDER BY response_id, flag")
            .load(c)
    })
    .unwrap();
    let mut by_id: HashMap<i32, Vec<String>> = HashMap::new();
    for r in rows {
        by_id.entry(r.response_id).or_default().push(r.flag);
    }
    by_id
}

/// A phone with a cookie jar: the form sets its device cookie.
fn phone() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn answer(
    app: &TestApp,
    client: &reqwest::Client,
    fields: impl Fn(&str) -> Vec<(String, String)>,
) -> reqwest::Response {
    let page = client.get(app.url(FORM)).send().await.unwrap();
    let html = page.text().await.unwrap();
    let token = crate::helpers::token_in(&html);
    client
        .post(app.url(FORM))
        .form(&fields(&token))
        .send()
        .await
        .unwrap()
}

async fn a_second_response_from_one_device_is_flagged(app: TestApp) {
    let client = phone();
    let first = client.get(app.url(FORM)).send().await.unwrap();
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("minyi_device="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    for _ in 0..2 {
        assert_eq!(answer(&app, &client, valid_answers).await.status(), 303);
    }
    // Another phone is another device.
    assert_eq!(answer(&app, &phone(), valid_answers).await.status(), 303);
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 3, "a repeat is kept, not dropped");
    let flags = flags(&app);
    let repeats: Vec<i32> = stored
        .iter()
        .map(|(r, _)| r.id)
        .filter(|id| {
            flags
                .get(id)
                .is_some_and(|f| f.contains(&"device_repeat".to_string()))
        })
        .collect();
    assert_eq!(repeats, vec![stored[1].0.id]);

    // Under the `reject` policy the repeat is refused with a clear page.
    survey_server::db::campaigns::set_device_policy(
        &mut app.pool.get().unwrap(),
        OPEN_CAMPAIGN,
        "reject",
        "test",
    )
    .unwrap();
    let refused = answer(&app, &client, valid_answers).await;
    assert_eq!(refused.status(), 409);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("您已参与过本单位的评价"));
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 3);
}

async fn fifty_concurrent_posts_from_one_refused_device_store_one(app: TestApp) {
    survey_server::db::campaigns::set_device_policy(
        &mut app.pool.get().unwrap(),
        OPEN_CAMPAIGN,
        "reject",
        "test",
    )
    .unwrap();
    let client = phone();
    let mut tokens = Vec::new();
    for _ in 0..50 {
        let html = client
            .get(app.url(FORM))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        tokens.push(crate::helpers::token_in(&html));
    }
    let posts = tokens.into_iter().map(|token| {
        let (client, url) = (client.clone(), app.url(FORM));
        tokio::spawn(async move {
            client
                .post(url)
                .form(&valid_answers(&token))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    let mut statuses = Vec::new();
    for p in posts {
        statuses.push(p.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 1);
}

/// Rated answers that vary, as a person's do.
fn varied(token: &str, seed: usize) -> Vec<(String, String)> {
    let mut fields = valid_answers(token);
    let mut x = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for item in crate::helpers::LIKERT_ITEMS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        fields = with(&fields, item, &[&(x % 5 + 1).to_string()]);
    }
    fields
}

async fn honeypot_speed_and_straight_lines_are_flagged_not_dropped(app: TestApp) {
    let honeypot = |t: &str| with(&varied(t, 1), "_homepage", &["http://spam.example"]);
    assert_eq!(answer(&app, &phone(), honeypot).await.status(), 303);
    assert_eq!(
        answer(&app, &phone(), valid_answers).await.status(),
        303,
        "all 4s"
    );
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 2, "flagged responses are stored");
    let flags = flags(&app);
    let first = &flags[&stored[0].0.id];
    assert!(
        first.contains(&"honeypot".into()) && first.contains(&"speeder".into()),
        "{first:?}"
    );
    assert!(!first.contains(&"straight_lining".into()), "{first:?}");
    let second = &flags[&stored[1].0.id];
    assert!(second.contains(&"straight_lining".into()), "{second:?}");
    assert!(!second.contains(&"honeypot".into()), "{second:?}");
}

async fn a_burst_shows_in_the_quality_report_and_a_spread_does_not(app: TestApp) {
    // 60 people with their own answers at the hall, then 200 near-identical ones from a script
    // (each with a fresh phone: cookies do not stop it, the burst detector does).
    for seed in 0..60 {
        assert_eq!(
            answer(&app, &phone(), |t| varied(t, seed)).await.status(),
            303
        );
    }
    let flagged_before = flags(&app)
        .values()
        .filter(|f| f.contains(&"burst".into()))
        .count();
    assert_eq!(flagged_before, 0, "an ordinary spread is not a burst");
    for _ in 0..200 {
        let script = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        assert_eq!(answer(&app, &script, |t| varied(t, 3)).await.status(), 303);
    }
    // Burst flags are written a batch at a time (within a fraction of a second).
    let mut bursts = 0;
    for _ in 0..50 {
        bursts = flags(&app)
            .values()
            .filter(|f| f.contains(&"burst".into()))
            .count();
        if bursts >= 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        bursts >= 200,
        "every response of the burst is flagged: {bursts}"
    );

    app.add_user("eva", "evaluator");
    let (eva, _) = app.signed_in("eva").await;
    let report: serde_json::Value = eva
        .get(app.url(&format!("/api/v1/campaigns/{OPEN_CAMPAIGN}/quality")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = &report["rows"][0];
    assert_eq!(row["unit"], "market");
    assert_eq!(row["responses"], 260);
    assert!(row["flagged"]["burst"].as_i64().unwrap() >= 200, "{row}");
    let dashboard = eva
        .get(app.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/progress")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dashboard.contains("数据质量") && dashboard.contains("短时集中雷同"));
}

#[tokio::test]
async fn rate_limits_answer_429_per_address_and_network_behind_a_trusted_proxy() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.rate_limit_per_address = 3;
        s.rate_limit_per_network = 5;
        s.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    let post = |forwarded: &'static str| {
        let app = &app;
        async move {
            let token = app.token(FORM).await;
            app.client
                .post(app.url(FORM))
                .header("X-Forwarded-For", forwarded)
                .form(&valid_answers(&token))
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..3 {
        assert_eq!(post("203.0.113.7").await.status(), 303);
    }
    let limited = post("203.0.113.7").await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    assert!(limited.text().await.unwrap().contains("提交过于频繁"));
    // Another address of the same /24 has two left on the network's limit, then 429 too.
    assert_eq!(post("203.0.113.8").await.status(), 303);
    assert_eq!(post("203.0.113.9").await.status(), 303);
    assert_eq!(post("203.0.113.10").await.status(), 429);
    // Another network is not held back; a forged header from an untrusted peer would not help
    // (the peer here is the trusted proxy, so the header is believed).
    assert_eq!(post("198.51.100.1").await.status(), 303);
    assert_eq!(
        app.stored(OPEN_CAMPAIGN).len(),
        6,
        "nothing refused was stored"
    );
}

#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.rate_limit_per_address = 2).await;
    for (i, forwarded) in ["10.0.0.1", "10.0.0.2", "10.0.0.3"].iter().enumerate() {
        let token = app.token(FORM).await;
        let status = app
            .client
            .post(app.url(FORM))
            .header("X-Forwarded-For", *forwarded)
            .form(&valid_answers(&token))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(
            status,
            if i < 2 { 303 } else { 429 },
            "the peer's own address counts"
        );
    }
}
