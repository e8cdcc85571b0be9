//! Fieldwork from a frame (issue #13), through the evaluator's console: a 10 000-case frame
//! imported, bad frames refused whole, the draw (same seed, same sample), the SMS outbox, an
//! answer through a case's SMS link, attempts, and the AAPOR rates on the JSON equal to a hand
//! computation — with the phone numbers nowhere but the sealed columns.

use std::io::Read;

use minyi_fieldwork::disposition::Code;
use survey_server::db::fieldwork::{cases, draws};
use survey_server::demo::UNITS;
use survey_server::fieldwork::draw::CaseFrame;
use survey_server::fieldwork::seal::{FieldworkKeys, Purpose};

use crate::helpers::{token_in, valid_answers, Backend, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

const BOUNDARY: &str = "minyi-test-boundary-7f3a";

fn phone(i: usize) -> String {
    format!("1390{:07}", 1_000_000 + i)
}

/// A frame of `n` case parties over the demo's units: id, unit, party kind, month, phone, name.
fn frame_csv(n: usize) -> String {
    let mut csv = String::from("案件编号,执法单位,当事人类型,办结月份,手机号,姓名\n");
    for i in 0..n {
        let unit = UNITS[i % UNITS.len()].0;
        let kind = if (i / UNITS.len()).is_multiple_of(3) {
            "企业"
        } else {
            "个人"
        };
        csv += &format!(
            "F{i:06},{unit},{kind},2025-{:02},{},当事人{i}\n",
            1 + i % 12,
            phone(i)
        );
    }
    csv
}

/// A `multipart/form-data` body: the text fields, then the file.
fn multipart(csrf: &str, file_name: &str, file: &[u8], fields: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut text = |name: &str, value: &str| {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    };
    text("_csrf", csrf);
    for (name, value) in fields {
        text(name, value);
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

const MAPPING: [(&str, &str); 5] = [
    ("id_column", "案件编号"),
    ("unit_column", "执法单位"),
    ("phone_column", "手机号"),
    ("name_column", "姓名"),
    ("variables", "当事人类型,办结月份"),
];

async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    name: &str,
    file: &[u8],
) -> (u16, String) {
    let response = client
        .post(app.url(&format!(
            "/console/campaigns/{OPEN_CAMPAIGN}/fieldwork/frame"
        )))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(multipart(csrf, name, file, &MAPPING))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

fn frames_stored(app: &TestApp) -> usize {
    let id = app.context(OPEN_CAMPAIGN).campaign.id;
    usize::from(
        survey_server::db::fieldwork::frames::latest(&mut app.pool.get().unwrap(), id)
            .unwrap()
            .is_some(),
    )
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf)];
    form.extend_from_slice(fields);
    client
        .post(app.url(&format!(
            "/console/campaigns/{OPEN_CAMPAIGN}/fieldwork{path}"
        )))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The frame ids of a campaign's sample, opened with the app's keys.
fn sampled_ids(app: &TestApp) -> Vec<String> {
    let keys = FieldworkKeys::from_keys(&app.keys);
    let campaign = app.context(OPEN_CAMPAIGN).campaign.id;
    let mut conn = app.pool.get().unwrap();
    let draw = draws::of_campaign(&mut conn, campaign).unwrap().unwrap();
    let mut ids: Vec<String> = cases::of_draw(&mut conn, draw.id)
        .unwrap()
        .into_iter()
        .map(|c| {
            keys.open::<CaseFrame>(
                Purpose::CaseFrame,
                campaign,
                c.case_ref.as_bytes(),
                &c.sealed,
            )
            .unwrap()
            .id
        })
        .collect();
    ids.sort();
    ids
}

async fn import_and_draw(app: &TestApp, seed: &str) -> (reqwest::Client, String) {
    app.add_user("admin", "admin");
    let (client, csrf) = app.signed_in("admin").await;
    let (status, page) = upload(
        app,
        &client,
        &csrf,
        "frame.csv",
        frame_csv(10_000).as_bytes(),
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let drawn = post(
        app,
        &client,
        &csrf,
        "/draw",
        &[
            ("method", "srswor"),
            ("strata_by", "当事人类型"),
            ("expected_rate", "0.5"),
            ("reserve", "1"),
            ("target_per_unit", "4"),
            ("seed", seed),
        ],
    )
    .await;
    assert_eq!(drawn.status(), 303, "{}", drawn.text().await.unwrap());
    (client, csrf)
}

async fn a_frame_is_drawn_messaged_answered_and_counted(app: TestApp) {
    let (client, csrf) = import_and_draw(&app, "20251203").await;
    let page = client
        .get(app.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/fieldwork")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("10000 行"), "{page}");
    // 12 units × 2 party kinds; a unit's 4 completes shared 3 : 1 by frame counts (≈ 2/3 个人),
    // each stratum released ceil(target / 0.5).
    let campaign = app.context(OPEN_CAMPAIGN).campaign.id;
    let draw = draws::of_campaign(&mut app.pool.get().unwrap(), campaign)
        .unwrap()
        .unwrap();
    let strata = draws::strata(&mut app.pool.get().unwrap(), draw.id).unwrap();
    assert_eq!(strata.len(), 24);
    let released: i32 = strata.iter().map(|s| s.released).sum();
    assert_eq!(released, 12 * (6 + 2));
    for s in &strata {
        assert_eq!(s.n_selected, 2 * s.released, "{s:?}");
        assert!(
            (s.inclusion_probability() - f64::from(s.released) / f64::from(s.n_frame)).abs()
                < 1e-15
        );
    }

    // The outbox: one message per released case, each with its own one-time link.
    let outbox = post(&app, &client, &csrf, "/outbox.csv", &[]).await;
    assert_eq!(outbox.status(), 200);
    let csv = outbox.text().await.unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0], "phone,text");
    assert_eq!(lines.len() - 1, released as usize);
    let links: Vec<String> = lines[1..]
        .iter()
        .map(|l| {
            let start = l.find("/s/").unwrap();
            let end = l[start..].find(' ').map_or(l.len(), |e| start + e);
            l[start..end].to_string()
        })
        .collect();
    let mut distinct = links.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), links.len());
    // Nothing is due again today: a second outbox is empty.
    let again = post(&app, &client, &csrf, "/outbox.csv", &[])
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(again.trim_start_matches('\u{feff}').lines().count(), 1);

    // A case party answers through their link.
    let link = &links[0];
    let token = token_in(&app.get(link).await.text().await.unwrap());
    let submitted = app.post_form(link, &valid_answers(&token)).await;
    assert_eq!(submitted.status(), 303);
    let stored = app.stored(OPEN_CAMPAIGN);
    let (row, _) = stored.last().unwrap();
    assert_eq!(row.mode, "sms");
    assert!(!row.stratum.is_empty());
    assert_eq!(row.interviewer, "");

    // Attempts at four other cases: a refusal, a non-working number, no answer, and an
    // appointment then a complete.
    let fieldwork_cases = cases::of_draw(&mut app.pool.get().unwrap(), draw.id).unwrap();
    let released_cases: Vec<_> = fieldwork_cases
        .iter()
        .filter(|c| {
            let s = strata.iter().find(|s| s.stratum == c.stratum).unwrap();
            c.seq < s.released
        })
        .collect();
    let sms_answered = released_cases
        .iter()
        .find(|c| {
            row.stratum == c.stratum
                && link.contains(&format!("/{}?", app.unit_code(OPEN_CAMPAIGN, c.unit_id)))
        })
        .map(|c| c.id);
    let others: Vec<i32> = released_cases
        .iter()
        .map(|c| c.id)
        .filter(|id| Some(*id) != sms_answered)
        .take(8)
        .collect();
    let now = survey_server::db::now_ms();
    let attempt = |case_id: i32, code: &str, at: i64| cases::NewAttempt {
        case_id,
        attempted_at: at,
        mode: "phone".into(),
        interviewer: "wang".into(),
        code: code.into(),
        appointment_at: None,
        note_sealed: None,
    };
    {
        let mut conn = app.pool.get().unwrap();
        for a in [
            attempt(others[0], "2.11", now),
            attempt(others[1], "4.31", now),
            attempt(others[2], "3.13", now),
            attempt(others[3], "2.21", now - 10_000),
            attempt(others[3], "1.1", now),
        ] {
            cases::record_attempt(&mut conn, &a).unwrap();
        }
    }

    // The rates by hand. Released n; I = 2 (the SMS answer, the interview), R = 1, NE = 1,
    // everything else unknown eligibility (3.13 and 3.11 not attempted, both UH), NC = P = O = 0.
    let n = f64::from(released);
    let json: serde_json::Value = client
        .get(app.url(&format!("/api/v1/campaigns/{OPEN_CAMPAIGN}/fieldwork")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let overall = &json["rates"]["overall"];
    assert_eq!(overall["counts"]["i"], 2, "{json}");
    assert_eq!(overall["counts"]["r"], 1);
    assert_eq!(overall["counts"]["ne"], 1);
    assert_eq!(overall["counts"]["uh"], released as i64 - 4);
    let rate = |name: &str| overall["rates"][name].as_f64().unwrap();
    let e = 3.0 / 4.0;
    let unknown = n - 4.0;
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    close(rate("e"), e);
    close(rate("rr1"), 2.0 / (3.0 + unknown));
    close(rate("rr3"), 2.0 / (3.0 + e * unknown));
    close(rate("rr5"), 2.0 / 3.0);
    close(rate("coop1"), 2.0 / 3.0);
    close(rate("ref1"), 1.0 / (3.0 + unknown));
    close(rate("con1"), 3.0 / (3.0 + unknown));
    // By mode: the SMS answer is the sms group's one complete.
    let by_mode = json["rates"]["by_mode"].as_array().unwrap();
    let sms = by_mode.iter().find(|g| g["group"] == "sms").unwrap();
    assert_eq!(sms["counts"]["i"], 1);
    // e overridden.
    let overridden: serde_json::Value = client
        .get(app.url(&format!(
            "/api/v1/campaigns/{OPEN_CAMPAIGN}/fieldwork?e=0.5"
        )))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    close(
        overridden["rates"]["overall"]["rates"]["rr3"]
            .as_f64()
            .unwrap(),
        2.0 / (3.0 + 0.5 * unknown),
    );

    // The final codes the dispositions file carries.
    let dispositions = client
        .get(app.url(&format!(
            "/console/campaigns/{OPEN_CAMPAIGN}/fieldwork/dispositions.csv"
        )))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let count = |code: Code| {
        dispositions
            .lines()
            .filter(|l| l.split(',').nth(4) == Some(code.code()))
            .count()
    };
    assert_eq!(dispositions.lines().count() - 1, released as usize);
    assert_eq!(count(Code::Complete), 2);
    assert_eq!(count(Code::Refusal), 1);
    assert_eq!(count(Code::NonWorking), 1);

    // No phone number anywhere a viewer, an export or the database's plain columns show.
    let bundle = app.export(&client, "bundle.zip").await;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bundle)).unwrap();
    let mut exported = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        file.read_to_string(&mut exported).unwrap();
    }
    assert!(exported.contains("case_id,stratum,unit,inclusion_probability"));
    app.add_user("viewer", "viewer");
    let (viewer, _) = app.signed_in("viewer").await;
    let viewer_json = viewer
        .get(app.url(&format!("/api/v1/campaigns/{OPEN_CAMPAIGN}/fieldwork")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let evaluator_page = page + &dispositions + &viewer_json;
    let csv_export = String::from_utf8(app.export(&client, "responses.csv").await).unwrap();
    for i in (0..10_000).step_by(97) {
        let p = phone(i);
        assert!(!exported.contains(&p), "bundle holds {p}");
        assert!(!evaluator_page.contains(&p), "a page holds {p}");
        assert!(!csv_export.contains(&p), "the CSV export holds {p}");
    }
    if app.backend() == Backend::Sqlite {
        let path = app.database_url.trim_start_matches("sqlite://");
        let mut bytes = std::fs::read(path).unwrap();
        if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
            bytes.extend(wal);
        }
        for i in (0..10_000).step_by(97) {
            let p = phone(i);
            assert!(
                !bytes.windows(p.len()).any(|w| w == p.as_bytes()),
                "the database file holds {p} in plain text"
            );
        }
    }
}

async fn bad_frames_are_refused_whole(app: TestApp) {
    app.add_user("admin", "admin");
    let (client, csrf) = app.signed_in("admin").await;
    let good = frame_csv(20);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "missing column",
            good.replace("手机号", "电话").into_bytes(),
            "手机号",
        ),
        (
            "duplicate id",
            (good.clone() + "F000003,market,个人,2025-01,13912345678,某\n").into_bytes(),
            "第 22 行",
        ),
        (
            "malformed phone",
            good.replacen(&phone(5), "1234", 1).into_bytes(),
            "第 7 行",
        ),
        (
            "unit not in the campaign",
            good.replacen("taihuai", "nowhere", 1).into_bytes(),
            "第 2 行",
        ),
        ("empty file", Vec::new(), "请选择抽样框文件"),
        ("header only", b"\xEF\xBB\xBF".to_vec(), "frame.csv"),
    ];
    for (what, file, expected) in cases {
        let (status, page) = upload(&app, &client, &csrf, "frame.csv", &file).await;
        assert_eq!(status, 422, "{what}: {page}");
        let listed = errors(&page);
        assert!(
            listed.contains(expected),
            "{what}: no {expected:?} in {listed}"
        );
        assert_eq!(frames_stored(&app), 0, "{what}: something was imported");
        assert!(!page.contains("1234\""), "{what}");
    }
    // 50 MB: refused before it is read whole, nothing imported.
    let big = vec![b'a'; 50 * 1024 * 1024];
    let (status, page) = upload(&app, &client, &csrf, "big.csv", &big).await;
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("提交内容过长"), "{page}");
    assert_eq!(frames_stored(&app), 0);
    // A good one goes in.
    let (status, _) = upload(&app, &client, &csrf, "frame.csv", good.as_bytes()).await;
    assert_eq!(status, 303);
    assert_eq!(frames_stored(&app), 1);
}

/// The problems listed at the top of the fieldwork page.
fn errors(page: &str) -> &str {
    let Some(start) = page.find("class=\"errors\"") else {
        return "";
    };
    let end = page[start..]
        .find("</div>")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

on_both_backends!(
    a_frame_is_drawn_messaged_answered_and_counted,
    bad_frames_are_refused_whole
);

#[tokio::test]
async fn the_same_seed_draws_the_same_sample_and_another_seed_another() {
    let first = crate::helpers::spawn_app(Backend::Sqlite).await;
    import_and_draw(&first, "7").await;
    let second = crate::helpers::spawn_app(Backend::Sqlite).await;
    import_and_draw(&second, "7").await;
    let third = crate::helpers::spawn_app(Backend::Sqlite).await;
    import_and_draw(&third, "8").await;
    let (a, b, c) = (
        sampled_ids(&first),
        sampled_ids(&second),
        sampled_ids(&third),
    );
    assert_eq!(a.len(), 12 * 16);
    assert_eq!(a, b, "the same seed drew another sample");
    assert_ne!(a, c, "another seed drew the same sample");
}

/// A bulk-SMS portal's API stand-in: a real HTTP server on port 0 that records each body and
/// answers 200 — or 500 for a body holding `fail`.
async fn sms_portal() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    let bodies = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = bodies.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    // One request: headers, then Content-Length bytes of body.
                    let head_end = loop {
                        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        let mut chunk = [0u8; 4096];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap_or(0));
                    while buffer.len() < head_end + length {
                        let mut chunk = [0u8; 4096];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body =
                        String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned();
                    buffer.drain(..head_end + length);
                    let status = if body.contains("fail") {
                        "500 Internal Server Error"
                    } else {
                        "200 OK"
                    };
                    let authorised = head.contains("x-api-key: secret-key");
                    seen.lock().unwrap().push(format!("{authorised} {body}"));
                    let reply = format!("HTTP/1.1 {status}\r\ncontent-length: 2\r\n\r\nok");
                    if socket.write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, bodies)
}

async fn invitations_go_out_through_the_http_gateway(backend: Backend) {
    let (url, bodies) = sms_portal().await;
    let app = crate::helpers::spawn_app_with(backend, |settings| {
        settings.sms_gateway = Some(survey_server::fieldwork::sms_gateway::HttpGatewayConfig {
            url: url.clone(),
            body_template: r#"{"mobile":"{{phone}}","content":"{{text}}"}"#.into(),
            content_type: "application/json".into(),
            auth_header: Some("X-Api-Key: secret-key".into()),
            timeout_seconds: 5,
        });
    })
    .await;
    let (client, csrf) = import_and_draw(&app, "11").await;
    let sent = post(&app, &client, &csrf, "/send", &[]).await;
    assert_eq!(sent.status(), 303, "{}", sent.text().await.unwrap());
    let campaign = app.context(OPEN_CAMPAIGN).campaign.id;
    let draw = draws::of_campaign(&mut app.pool.get().unwrap(), campaign)
        .unwrap()
        .unwrap();
    let released: i32 = draws::strata(&mut app.pool.get().unwrap(), draw.id)
        .unwrap()
        .iter()
        .map(|s| s.released)
        .sum();
    let bodies = bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), released as usize);
    assert!(
        bodies
            .iter()
            .all(|b| b.starts_with("true {\"mobile\":\"1390")),
        "{bodies:?}"
    );
    assert!(bodies.iter().all(|b| b.contains("?code=")));
    // Recorded as sent: nothing is due any more.
    let recorded = cases::sms_sent(&mut app.pool.get().unwrap(), draw.id).unwrap();
    assert_eq!(recorded.len(), released as usize);
    assert!(recorded
        .iter()
        .all(|(_, n, _, status)| *n == 0 && status == "sent"));
}

#[tokio::test]
async fn invitations_go_out_through_the_http_gateway_sqlite() {
    invitations_go_out_through_the_http_gateway(Backend::Sqlite).await;
}

#[tokio::test]
async fn invitations_go_out_through_the_http_gateway_postgres() {
    invitations_go_out_through_the_http_gateway(Backend::Postgres).await;
}
