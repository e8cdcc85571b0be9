//! Signing in: the form's pre-session CSRF token, the `next` it goes to, and the audit of
//! throttled attempts.

use survey_server::db::accounts;

use crate::helpers::{value_of, TestApp, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    a_sign_in_needs_the_token_of_its_own_sign_in_page,
    an_unsafe_next_is_ignored_and_never_a_500,
    throttled_sign_ins_are_audited_without_the_password,
);

/// The sign-in page's token in a client that keeps its cookie.
async fn sign_in_token(app: &TestApp, client: &reqwest::Client) -> String {
    let page = client.get(app.url("/console/login")).send().await.unwrap();
    value_of(&page.text().await.unwrap(), "_csrf")
}

async fn post_login(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: Option<&str>,
    next: &str,
) -> reqwest::Response {
    let mut form = vec![("username", "eva"), ("password", PASSWORD), ("next", next)];
    form.extend(csrf.map(|t| ("_csrf", t)));
    client
        .post(app.url("/console/login"))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn a_sign_in_needs_the_token_of_its_own_sign_in_page(app: TestApp) {
    app.add_user("eva", "evaluator");
    // A page on another site posting the form: no cookie, or a token of its own.
    let forged = app.browser_client();
    let attacker = app.browser_client();
    let attackers_token = sign_in_token(&app, &attacker).await;
    let victim = app.browser_client();
    let own_token = sign_in_token(&app, &victim).await;
    for (client, csrf, case) in [
        (&forged, None, "no token"),
        (&forged, Some(attackers_token.as_str()), "no cookie"),
        (
            &victim,
            Some(attackers_token.as_str()),
            "another browser's token",
        ),
        (&victim, Some("x"), "a made-up token"),
        (&victim, None, "no token with the cookie"),
    ] {
        let response = post_login(&app, client, csrf, "/console").await;
        assert_eq!(response.status(), 403, "{case}");
        assert!(
            response.text().await.unwrap().contains("请求已失效"),
            "{case}"
        );
    }
    let audited = accounts::recent_audit(&mut app.pool.get().unwrap(), 50).unwrap();
    assert!(
        audited.iter().all(|e| !e.action.starts_with("login")),
        "{audited:?}"
    );
    let response = post_login(&app, &victim, Some(&own_token), "/console").await;
    assert_eq!(response.status(), 303);
    let page = victim.get(app.url("/console")).send().await.unwrap();
    assert_eq!(page.status(), 200, "signed in");
}

async fn an_unsafe_next_is_ignored_and_never_a_500(app: TestApp) {
    app.add_user("eva", "evaluator");
    for next in [
        "/console\r\nSet-Cookie: evil=1",
        "/console/\u{0}",
        "//evil.example/console",
        "https://evil.example/",
        "/console/市场",
    ] {
        let client = app.browser_client();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", next)
            .finish();
        let page = client
            .get(app.url(&format!("/console/login?{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "GET with next {next:?}");
        let html = page.text().await.unwrap();
        assert_eq!(value_of(&html, "next"), "/console", "{next:?}");
        let csrf = value_of(&html, "_csrf");
        let response = post_login(&app, &client, Some(&csrf), next).await;
        assert_eq!(response.status(), 303, "POST with next {next:?}");
        assert_eq!(response.headers()["location"], "/console", "{next:?}");
    }
    let client = app.browser_client();
    let csrf = sign_in_token(&app, &client).await;
    let kept = "/console/campaigns/2025-final?tab=plan";
    let response = post_login(&app, &client, Some(&csrf), kept).await;
    assert_eq!(response.headers()["location"], kept);
}

async fn throttled_sign_ins_are_audited_without_the_password(app: TestApp) {
    app.add_user("eva", "evaluator");
    let client = app.browser_client();
    for _ in 0..5 {
        let response = app.sign_in(&client, "eva", "wrong password!").await;
        assert_eq!(response.status(), 401);
    }
    let locked = app.sign_in(&client, "Eva", PASSWORD).await;
    assert_eq!(locked.status(), 429);
    let audited = accounts::recent_audit(&mut app.pool.get().unwrap(), 50).unwrap();
    let throttled: Vec<_> = audited
        .iter()
        .filter(|e| e.action == "login.throttled")
        .collect();
    assert_eq!(throttled.len(), 1, "{audited:?}");
    assert_eq!(throttled[0].username, "Eva", "as typed, like login.failed");
    for entry in &audited {
        for secret in [PASSWORD, "wrong password!"] {
            assert!(!entry.detail.contains(secret) && !entry.username.contains(secret));
        }
    }
}
