//! The console: accounts and roles, sessions, CSRF, throttling, the audit log.

use survey_server::auth::Role;
use survey_server::routes::CONSOLE_ROUTES;

use crate::helpers::{value_of, TestApp, OPEN_CAMPAIGN, PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    every_console_route_requires_its_role,
    there_is_no_default_account_and_wrong_passwords_are_throttled,
    sessions_are_rotated_expire_and_end_at_logout,
    state_changes_need_the_csrf_token_and_are_audited,
);

fn concrete(path: &str) -> String {
    path.replace("{slug}", OPEN_CAMPAIGN)
}

/// Walks the route table: anonymous requests are sent to sign in (pages) or refused (401),
/// every role below the route's is refused (403), the route's role gets through.
async fn every_console_route_requires_its_role(app: TestApp) {
    for role in Role::ALL {
        app.add_user(role.as_str(), role.as_str());
    }
    assert!(CONSOLE_ROUTES.len() >= 6);
    for (method, path, needed) in CONSOLE_ROUTES {
        let url = app.url(&concrete(path));
        let anonymous = app.browser_client();
        let response = match *method {
            "get" => anonymous.get(&url).send().await.unwrap(),
            _ => anonymous.post(&url).send().await.unwrap(),
        };
        match *method {
            "get" if path.starts_with("/api/") => {
                assert_eq!(response.status(), 401, "{method} {path} anonymous");
                let body: serde_json::Value = response.json().await.unwrap();
                assert_eq!(body["error"]["code"], "not_signed_in");
            }
            "get" => {
                assert_eq!(response.status(), 303, "{method} {path} anonymous");
                assert!(response.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/console/login?next="));
            }
            _ => assert_eq!(response.status(), 401, "{method} {path} anonymous"),
        }
        for role in Role::ALL {
            let (client, csrf) = app.signed_in(role.as_str()).await;
            let response = match *method {
                "get" => client.get(&url).send().await.unwrap(),
                _ => client
                    .post(&url)
                    .form(&[("_csrf", csrf.as_str())])
                    .send()
                    .await
                    .unwrap(),
            };
            let status = response.status().as_u16();
            if !role.may(*needed) {
                assert_eq!(status, 403, "{method} {path} as {role}");
            } else {
                assert!(
                    ![401, 403].contains(&status),
                    "{method} {path} as {role}: {status}"
                );
                assert!(status < 500, "{method} {path} as {role}: {status}");
            }
        }
    }
}

async fn there_is_no_default_account_and_wrong_passwords_are_throttled(app: TestApp) {
    let client = app.browser_client();
    for (user, password) in [("admin", "admin"), ("admin", PASSWORD), ("root", "")] {
        assert_eq!(app.sign_in(&client, user, password).await.status(), 401);
    }
    app.add_user("eva", "evaluator");
    let login = app
        .browser_client()
        .get(app.url("/console/login"))
        .send()
        .await
        .unwrap();
    assert!(login.text().await.unwrap().contains("minyi 管理控制台登录"));
    for _ in 0..5 {
        let response = app.sign_in(&client, "eva", "wrong password!").await;
        assert_eq!(response.status(), 401);
        assert!(response.text().await.unwrap().contains("用户名或密码错误"));
    }
    // Locked now, even with the right password.
    let locked = app.sign_in(&client, "Eva", PASSWORD).await;
    assert_eq!(locked.status(), 429);
    assert!(locked.text().await.unwrap().contains("尝试次数过多"));
    assert_eq!(app.get("/console").await.status(), 303);
}

async fn sessions_are_rotated_expire_and_end_at_logout(app: TestApp) {
    app.add_user("viewer1", "viewer");
    let client = app.browser_client();
    let first = app.sign_in(&client, "viewer1", PASSWORD).await;
    let cookie = first.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("minyi_session="));
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let id = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("minyi_session=")
        .to_string();
    assert!(id.len() >= 43, "≥ 256 bits, base64url");
    let second = app.sign_in(&client, "viewer1", PASSWORD).await;
    let rotated = second.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(!rotated.contains(&id), "a new id at every sign-in");
    assert_eq!(
        client
            .get(app.url("/console"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Idle timeout: a session last seen 31 minutes ago is over.
    let mut conn = app.pool.get().unwrap();
    let stale = survey_server::db::now_ms() - 31 * 60_000;
    ({
        let c: &mut survey_server::db::DbConn = &mut conn;
        {
            use diesel::RunQueryDsl;
            diesel::sql_query(format!("UPDATE sessions SET last_seen_at = {stale}"))
                .execute(c)
                .unwrap()
        }
    });
    assert_eq!(
        client
            .get(app.url("/console"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );

    // Logout ends the session server-side: the old cookie no longer works.
    let (client, csrf) = app.signed_in("viewer1").await;
    let jar_cookie = client
        .get(app.url("/console"))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(jar_cookie, 200);
    let out = client
        .post(app.url("/console/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(
        client
            .get(app.url("/console"))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
}

async fn state_changes_need_the_csrf_token_and_are_audited(app: TestApp) {
    app.add_user("boss", "admin");
    let (client, csrf) = app.signed_in("boss").await;
    let close = app.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/close"));
    for form in [vec![], vec![("_csrf", "forged")]] {
        let refused = client.post(&close).form(&form).send().await.unwrap();
        assert_eq!(refused.status(), 403);
        assert_eq!(refused.headers()["x-minyi-error"], "csrf_mismatch");
    }
    assert_eq!(
        app.get(&format!("/s/{OPEN_CAMPAIGN}/market"))
            .await
            .status(),
        200,
        "still open"
    );
    let done = client
        .post(&close)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(
        app.get(&format!("/s/{OPEN_CAMPAIGN}/market"))
            .await
            .status(),
        410,
        "closed for citizens"
    );
    // The header works too (for the API).
    let reopen = client
        .post(app.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/open")))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(reopen.status(), 303);
    let page = client
        .get(app.url("/console/campaigns/2025-final"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("收集中"));
    let audit = client
        .get(app.url("/console/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("campaign.status"));
    assert!(audit.contains("2025-final → closed") && audit.contains("2025-final → open"));
    assert!(audit.contains("<td>boss</td>"));
    assert!(audit.contains("login"));
    let _ = value_of(&audit, "_csrf");
}
