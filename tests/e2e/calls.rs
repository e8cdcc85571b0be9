//! The interviewer's pages (issue #13, CATI/CAPI): next case, the case page with its `tel:`
//! link, an outcome with an appointment, holds between two interviewers, an interview refused
//! for a missing answer and then stored with mode, stratum and interviewer, the case then
//! complete — and viewers kept out of every calls page.

use minyi_fieldwork::disposition::Code;
use minyi_fieldwork::draw::Method;
use minyi_fieldwork::frame_file::Mapping;
use survey_server::db::fieldwork::{cases, draws, settings};
use survey_server::demo::UNITS;
use survey_server::fieldwork::draw::{draw, CaseContact, DrawRequest};
use survey_server::fieldwork::frame;
use survey_server::fieldwork::seal::{FieldworkKeys, Purpose};
use survey_server::fieldwork::status;

use crate::helpers::{valid_answers, value_of, without, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

const CALLS: &str = "/console/campaigns/2025-final/calls";

/// Four case parties per demo unit, imported and drawn straight through the library (2
/// completes wanted per unit at an expected rate of 0.5: every row released), callable all
/// day.
fn draw_sample(app: &TestApp) {
    let mut csv = String::from("案件编号,执法单位,当事人类型,手机号,姓名\n");
    for i in 0..4 * UNITS.len() {
        let unit = UNITS[i % UNITS.len()].0;
        csv += &format!("C{i:04},{unit},个人,1391{:07},当事人{i}\n", 2_000_000 + i);
    }
    let mapping = Mapping {
        id: "案件编号".into(),
        unit: "执法单位".into(),
        strata: vec!["当事人类型".into()],
        phone: "手机号".into(),
        name: Some("姓名".into()),
    };
    let keys = FieldworkKeys::from_keys(&app.keys);
    let ctx = app.context(OPEN_CAMPAIGN);
    let mut conn = app.pool.get().unwrap();
    frame::import(
        &mut conn,
        &keys,
        &ctx,
        "frame.csv",
        csv.as_bytes(),
        &mapping,
        "admin",
    )
    .unwrap();
    let request = DrawRequest {
        method: Method::Srswor,
        strata_by: Vec::new(),
        sort_by: None,
        expected_rate: 0.5,
        reserve: 1.0,
        seed: Some(20_251_203),
        target_per_unit: Some(2),
    };
    draw(&mut conn, &keys, &ctx, &request, "eva").unwrap();
    let mut rules = settings::get(&mut conn, ctx.campaign.id).unwrap();
    rules.call_windows = "00:00-24:00".into();
    settings::save(&mut conn, &rules, "eva").unwrap();
}

/// The fieldwork as the server reads it.
fn fieldwork(app: &TestApp) -> status::Fieldwork {
    let id = app.context(OPEN_CAMPAIGN).campaign.id;
    let keys = FieldworkKeys::from_keys(&app.keys);
    status::load(
        &mut app.pool.get().unwrap(),
        &keys,
        &app.anonymity_keys(),
        id,
    )
    .unwrap()
    .unwrap()
}

fn case_of(app: &TestApp, case_ref: &str) -> status::Case {
    fieldwork(app)
        .cases
        .into_iter()
        .find(|c| c.record.case_ref == case_ref)
        .unwrap()
}

fn phone_of(app: &TestApp, case: &status::Case) -> String {
    let campaign = app.context(OPEN_CAMPAIGN).campaign.id;
    let sealed = cases::contact(&mut app.pool.get().unwrap(), case.record.id)
        .unwrap()
        .unwrap();
    let contact: CaseContact = FieldworkKeys::from_keys(&app.keys)
        .open(
            Purpose::CaseContact,
            campaign,
            case.record.case_ref.as_bytes(),
            &sealed,
        )
        .unwrap();
    contact.phone
}

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// `POST …/calls/next` → the case it handed out.
async fn next_case(client: &reqwest::Client, app: &TestApp, csrf: &str) -> String {
    let response = post(client, app, &format!("{CALLS}/next"), &[("_csrf", csrf)]).await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    location
        .strip_prefix(&format!("{CALLS}/"))
        .unwrap()
        .to_string()
}

async fn get(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A local time in China Standard Time as a `datetime-local` input writes it.
fn cst_input(offset: chrono::Duration) -> String {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    (chrono::Utc::now() + offset)
        .with_timezone(&cst)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

async fn interviewers_call_record_outcomes_and_key_interviews(app: TestApp) {
    for (user, role) in [
        ("iva", "interviewer"),
        ("ivb", "interviewer"),
        ("eva", "evaluator"),
    ] {
        app.add_user(user, role);
    }
    let (ia, csrf_a) = app.signed_in("iva").await;
    let (status, page) = get(&ia, &app, CALLS).await;
    assert_eq!(status, 200);
    assert!(page.contains("尚未抽取样本"), "{page}");
    let (status, _) = get(&ia, &app, "/console/campaigns/no-such-wave/calls").await;
    assert_eq!(status, 404);

    draw_sample(&app);
    let released = fieldwork(&app).cases.len();
    assert_eq!(released, 4 * UNITS.len());
    let (status, page) = get(&ia, &app, CALLS).await;
    assert_eq!(status, 200);
    assert!(page.contains("下一个案件"), "{page}");
    assert!(
        page.contains(&format!("现在可拨打 <strong>{released}</strong> 个")),
        "{page}"
    );

    // Next case: held for iva, its page shows the party's number as a tel: link.
    let first = next_case(&ia, &app, &csrf_a).await;
    let (status, page) = get(&ia, &app, &format!("{CALLS}/{first}")).await;
    assert_eq!(status, 200);
    let phone = phone_of(&app, &case_of(&app, &first));
    assert!(page.contains(&format!(r#"href="tel:{phone}""#)), "{page}");
    assert!(!first.contains(&phone));

    // A second interviewer cannot open it, and is given another case.
    let (ib, csrf_b) = app.signed_in("ivb").await;
    let (status, page) = get(&ib, &app, &format!("{CALLS}/{first}")).await;
    assert_eq!(status, 403);
    assert!(!page.contains(&phone));
    let others = next_case(&ib, &app, &csrf_b).await;
    assert_ne!(others, first);

    // Bad outcome fields: each named, nothing written.
    let outcome = format!("{CALLS}/{first}/outcome");
    let long_note = "长".repeat(501);
    let past = cst_input(-chrono::Duration::hours(1));
    let bad = post(
        &ia,
        &app,
        &outcome,
        &[
            ("_csrf", &csrf_a),
            ("code", "1.1"),
            ("appointment", &past),
            ("note", &long_note),
            ("mode", "fax"),
        ],
    )
    .await;
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    for message in [
        "完成访问（1.1）只能通过提交问卷记录",
        "预约时间须晚于现在",
        "备注请不超过 500 字",
        "请选择联系方式",
    ] {
        assert!(page.contains(message), "{message}: {page}");
    }
    assert!(case_of(&app, &first).attempts.is_empty());

    // 2.21 with an appointment tomorrow: recorded, the hold let go, the appointment queued.
    let tomorrow = cst_input(chrono::Duration::days(1));
    let recorded = post(
        &ia,
        &app,
        &outcome,
        &[
            ("_csrf", &csrf_a),
            ("code", "2.21"),
            ("appointment", &tomorrow),
            ("note", "晚上六点后方便"),
            ("mode", "phone"),
        ],
    )
    .await;
    assert_eq!(recorded.status(), 303);
    assert_eq!(
        recorded.headers()["location"],
        format!("{CALLS}?done=outcome")
    );
    let case = case_of(&app, &first);
    assert_eq!(case.attempts.len(), 1);
    let attempt = &case.attempts[0];
    assert_eq!(
        (attempt.code.as_str(), attempt.mode.as_str()),
        ("2.21", "phone")
    );
    assert_eq!(attempt.interviewer, "iva");
    assert!(case.appointment().is_some());
    let note = attempt.note_sealed.as_ref().unwrap();
    assert!(
        !note.windows("六点".len()).any(|w| w == "六点".as_bytes()),
        "the note is sealed"
    );
    assert!(case.held.is_none());
    let (_, page) = get(&ia, &app, CALLS).await;
    assert!(
        page.contains(&first[..8]) && page.contains("预约回访"),
        "{page}"
    );

    // Next gives another case; a script with a missing answer is refused, nothing stored.
    let second = next_case(&ia, &app, &csrf_a).await;
    assert!(second != first && second != others);
    let (status, page) = get(&ia, &app, &format!("{CALLS}/{second}")).await;
    assert_eq!(status, 200);
    let token = value_of(&page, "_t");
    let mut answers = valid_answers(&token);
    answers.push(("_csrf".into(), csrf_a.clone()));
    answers.push(("_mode".into(), "phone".into()));
    let interview = format!("{CALLS}/{second}/interview");
    let before = app.stored(OPEN_CAMPAIGN).len();
    let refused = ia
        .post(app.url(&interview))
        .form(&without(&answers, "overall_sat"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(page.contains("此题为必答题"), "{page}");
    assert!(page.contains(r##"href="#q-overall_sat""##), "{page}");
    assert!(
        page.contains(r#"value="resident" checked"#),
        "answers kept: {page}"
    );
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), before);

    // The valid script: stored once (a double click stores nothing more), the case complete.
    for _ in 0..2 {
        let saved = ia
            .post(app.url(&interview))
            .form(&answers)
            .send()
            .await
            .unwrap();
        assert_eq!(saved.status(), 303);
        assert_eq!(saved.headers()["location"], format!("{CALLS}?done=saved"));
    }
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), before + 1);
    let case = case_of(&app, &second);
    assert_eq!(case.final_code, Code::Complete);
    assert!(case.closed);
    assert_eq!(case.attempts.len(), 1);
    let (status, _) = get(&ia, &app, &format!("{CALLS}/{second}")).await;
    assert_eq!(status, 403, "no longer held");

    // The export row carries the mode, the stratum and the interviewer.
    let (eva, _) = app.signed_in("eva").await;
    let rows = parse_csv(&app.export(&eva, "responses.csv").await);
    let column = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let row = rows[1..]
        .iter()
        .find(|r| r[column("mode")] == "phone")
        .expect("the interview's row");
    assert_eq!(row[column("stratum")], case.record.stratum);
    assert_eq!(row[column("interviewer")], "iva");
    assert_eq!(row[column("link_check")], "unsigned");
    let unit = app.unit_code(OPEN_CAMPAIGN, case.record.unit_id);
    assert_eq!(row[column("unit")], unit);
}

fn parse_csv(body: &[u8]) -> Vec<Vec<String>> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

async fn viewers_are_refused_every_calls_page(app: TestApp) {
    draw_sample(&app);
    app.add_user("iva", "interviewer");
    app.add_user("vic", "viewer");
    let (ia, csrf_a) = app.signed_in("iva").await;
    let held = next_case(&ia, &app, &csrf_a).await;
    let (viewer, csrf) = app.signed_in("vic").await;
    let (status, _) = get(&viewer, &app, CALLS).await;
    assert_eq!(status, 403);
    let (status, _) = get(&viewer, &app, &format!("{CALLS}/{held}")).await;
    assert_eq!(status, 403);
    for path in [
        format!("{CALLS}/next"),
        format!("{CALLS}/{held}/outcome"),
        format!("{CALLS}/{held}/interview"),
    ] {
        let response = post(&viewer, &app, &path, &[("_csrf", &csrf), ("code", "2.20")]).await;
        assert_eq!(response.status(), 403, "{path}");
    }
    let case = case_of(&app, &held);
    assert!(case.attempts.is_empty());
    assert_eq!(case.held.map(|(who, _)| who).as_deref(), Some("iva"));
    let campaign = app.context(OPEN_CAMPAIGN).campaign.id;
    let draw = draws::of_campaign(&mut app.pool.get().unwrap(), campaign)
        .unwrap()
        .unwrap();
    assert_eq!(
        cases::holds(&mut app.pool.get().unwrap(), draw.id)
            .unwrap()
            .len(),
        1
    );
}

on_both_backends!(
    interviewers_call_record_outcomes_and_key_interviews,
    viewers_are_refused_every_calls_page,
);
