//! Fieldwork in real browsers (issue #13): three interviewers, each in a headless Chromium of
//! their own, sign in through the sign-in page and work 30 cases by clicking — "下一个案件",
//! then an outcome chosen in the select or the script answered and saved — with an
//! appointment two minutes ahead that the queue hands out again as due, and completes
//! spread over all three. An evaluator queues verifications; a fourth session (another
//! interviewer) calls one back and re-answers the key items, one differently. The final codes,
//! the stored interviews and the verification record are then read back from the library.

use std::collections::BTreeMap;
use std::time::Duration;

use fantoccini::{Client, Locator};
use minyi_fieldwork::disposition::Code;
use minyi_fieldwork::draw::Method;
use minyi_fieldwork::frame_file::Mapping;
use serde_json::{json, Value};
use survey_server::db::fieldwork::{draws, settings, verifications};
use survey_server::demo::UNITS;
use survey_server::fieldwork::draw::{draw, DrawRequest};
use survey_server::fieldwork::frame;
use survey_server::fieldwork::seal::FieldworkKeys;
use survey_server::fieldwork::status;

use crate::browser::{screenshot, start, Browser};
use crate::helpers::{valid_answers, TestApp, OPEN_CAMPAIGN, PASSWORD};
use crate::on_both_backends;

const CALLS: &str = "/console/campaigns/2025-final/calls";
const VERIFY: &str = "/console/campaigns/2025-final/verify";
const INTERVIEWERS: [&str; 3] = ["iva", "ivb", "ivc"];
const CASES: usize = 30;
/// A call-back booked two to three minutes ahead (the input has minutes only): due at once,
/// since an appointment is due from five minutes before it — and not kept by the call that
/// booked it.
const APPOINTMENT_AHEAD_S: i64 = 2 * 60 + 30;

/// ~200 case parties over the demo units, all but a few released (4 per unit), callable all
/// day with no gap between calls, so a case not answered can be called again at once.
fn draw_sample(app: &TestApp) -> usize {
    let mut csv = String::from("案件编号,执法单位,当事人类型,手机号,姓名\n");
    for i in 0..17 * UNITS.len() {
        let unit = UNITS[i % UNITS.len()].0;
        csv += &format!("C{i:04},{unit},个人,1391{:07},当事人{i}\n", 3_000_000 + i);
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
    rules.min_gap_minutes = 0;
    settings::save(&mut conn, &rules, "eva").unwrap();
    fieldwork(app).cases.len()
}

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

/// A Chromium at a phone's 360-px width.
async fn phone() -> Browser {
    let metrics = json!({ "deviceMetrics": { "width": 360, "height": 780, "pixelRatio": 2.0 } });
    start(Some(metrics), true, None).await
}

/// Polls until the page's path (and query) satisfies `done`; returns it.
async fn wait_for_url(c: &Client, what: &str, done: impl Fn(&str, Option<&str>) -> bool) -> String {
    for _ in 0..100 {
        let url = c.current_url().await.unwrap();
        if done(url.path(), url.query()) {
            return url.path().to_string();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never reached {what}; at {}",
        c.current_url().await.unwrap()
    );
}

async fn click(c: &Client, css: &str) {
    let element = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    element
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

async fn type_into(c: &Client, css: &str, text: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Signs in through the real sign-in page.
async fn sign_in(app: &TestApp, c: &Client, username: &str) {
    c.goto(&app.url("/console/login")).await.unwrap();
    type_into(c, "#username", username).await;
    type_into(c, "#password", PASSWORD).await;
    click(c, "button[type=submit]").await;
    wait_for_url(c, "the console", |path, _| path == "/console").await;
}

/// From the queue page, "下一个案件": the case it opened.
async fn next_case(app: &TestApp, c: &Client) -> String {
    c.goto(&app.url(CALLS)).await.unwrap();
    let next = c
        .find(Locator::XPath("//button[normalize-space()='下一个案件']"))
        .await
        .unwrap();
    next.click().await.unwrap();
    let path = wait_for_url(c, "a case page", |path, _| {
        path.starts_with(&format!("{CALLS}/"))
    })
    .await;
    c.find(Locator::Css("a.tel"))
        .await
        .expect("the case's tel: link");
    path.rsplit('/').next().unwrap().to_string()
}

/// A call's outcome chosen in the select and saved (with an appointment as CST local time).
async fn record_outcome(c: &Client, code: Code, appointment: Option<&str>) {
    let select = c.find(Locator::Css("select#code")).await.unwrap();
    select.select_by_value(code.code()).await.unwrap();
    if let Some(at) = appointment {
        // A datetime-local's typed form depends on the browser's locale; its value does not.
        let script = "document.getElementById('appointment').value = arguments[0]";
        c.execute(script, vec![Value::String(at.into())])
            .await
            .unwrap();
    }
    type_into(c, "#note", "浏览器测试").await;
    click(c, "form[action$='/outcome'] button[type=submit]").await;
    wait_for_url(c, "the queue", |path, q| {
        path == CALLS && q == Some("done=outcome")
    })
    .await;
}

/// The script answered by clicking every answer of `helpers::valid_answers`, then saved.
async fn answer_script(c: &Client) {
    for (name, value) in valid_answers("")
        .iter()
        .filter(|(k, _)| !k.starts_with('_'))
    {
        if name == "suggestion" {
            type_into(c, "textarea[name=suggestion]", value).await;
        } else {
            click(c, &format!("input[name={name}][value=\"{value}\"]")).await;
        }
    }
    click(c, "form[action$='/interview'] button[type=submit]").await;
    wait_for_url(c, "the queue", |path, q| {
        path == CALLS && q == Some("done=saved")
    })
    .await;
}

/// A local time in China Standard Time as a `datetime-local` input writes it.
fn cst_input(offset: chrono::Duration) -> String {
    let cst = chrono::FixedOffset::east_opt(8 * 3600).unwrap();
    (chrono::Utc::now() + offset)
        .with_timezone(&cst)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// What is done with fresh cases, in turn: half of them interviewed.
const PLAN: [Code; 6] = [
    Code::Complete,
    Code::NoAnswer,
    Code::Complete,
    Code::Refusal,
    Code::Complete,
    Code::NonWorking,
];

struct Work {
    /// Each worked case's last code, as the test recorded it.
    last: BTreeMap<String, Code>,
    /// Each interviewer's completes.
    completes: BTreeMap<&'static str, usize>,
    appointment: String,
}

/// Rounds in which each interviewer takes a case (three held at once, never the same, none
/// opened by another), then works it; until 30 cases were worked.
async fn work_cases(app: &TestApp, browsers: &[Browser]) -> Work {
    let mut work = Work {
        last: BTreeMap::new(),
        completes: BTreeMap::new(),
        appointment: String::new(),
    };
    let mut turn = 0;
    while work.last.len() < CASES {
        assert!(turn < 3 * CASES, "30 cases never worked");
        let mut held = Vec::new();
        for b in browsers {
            held.push(next_case(app, &b.client).await);
        }
        for (i, case) in held.iter().enumerate() {
            assert!(!held[..i].contains(case), "{case} handed out twice");
        }
        // Another interviewer's held case is refused, its number not shown.
        let (me, other) = (&browsers[1].client, &held[0]);
        me.goto(&app.url(&format!("{CALLS}/{other}")))
            .await
            .unwrap();
        let page = me.source().await.unwrap();
        assert!(page.contains(r#"data-error="case_not_held""#), "{page}");
        assert!(!page.contains("tel:"), "{page}");
        for ((b, case), who) in browsers.iter().zip(&held).zip(INTERVIEWERS) {
            let c = &b.client;
            c.goto(&app.url(&format!("{CALLS}/{case}"))).await.unwrap();
            let code = if turn == 0 {
                work.appointment = case.clone();
                Code::NeverAvailable
            } else if work.last.contains_key(case) {
                Code::Complete
            } else {
                PLAN[turn % PLAN.len()]
            };
            if turn == 1 {
                screenshot(c, "calls-case-360.png").await;
            }
            if code == Code::Complete {
                answer_script(c).await;
                *work.completes.entry(who).or_default() += 1;
            } else {
                let at = (code == Code::NeverAvailable)
                    .then(|| cst_input(chrono::Duration::seconds(APPOINTMENT_AHEAD_S)));
                record_outcome(c, code, at.as_deref()).await;
            }
            work.last.insert(case.clone(), code);
            turn += 1;
        }
    }
    if work.last[&work.appointment] != Code::Complete {
        complete_appointment(app, &browsers[0], &mut work).await;
    }
    work
}

/// Waits on the queue page until the appointment is due, then "下一个案件" hands it out first.
async fn complete_appointment(app: &TestApp, b: &Browser, work: &mut Work) {
    let c = &b.client;
    for _ in 0..180 {
        c.goto(&app.url(CALLS)).await.unwrap();
        if c.source().await.unwrap().contains("已到时间") {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert_eq!(
        next_case(app, c).await,
        work.appointment,
        "the due appointment first"
    );
    answer_script(c).await;
    *work.completes.entry(INTERVIEWERS[0]).or_default() += 1;
    work.last.insert(work.appointment.clone(), Code::Complete);
}

async fn three_interviewers_work_thirty_cases_in_browsers_and_one_is_verified(app: TestApp) {
    for user in INTERVIEWERS.iter().chain(&["ivd"]) {
        app.add_user(user, "interviewer");
    }
    app.add_user("eva", "evaluator");
    assert!(draw_sample(&app) >= CASES);
    let mut browsers = Vec::new();
    for user in INTERVIEWERS {
        let b = phone().await;
        sign_in(&app, &b.client, user).await;
        browsers.push(b);
    }
    let work = work_cases(&app, &browsers).await;

    // The final codes are what the pages recorded, the appointment case completed.
    let fw = fieldwork(&app);
    let worked: Vec<_> = fw.cases.iter().filter(|c| !c.attempts.is_empty()).collect();
    let count = |codes: &mut dyn Iterator<Item = Code>| {
        let mut n: BTreeMap<&str, usize> = BTreeMap::new();
        codes.for_each(|code| *n.entry(code.code()).or_default() += 1);
        n
    };
    assert_eq!(
        count(&mut worked.iter().map(|c| c.final_code)),
        count(&mut work.last.values().copied())
    );
    let appointment = fw
        .cases
        .iter()
        .find(|c| c.record.case_ref == work.appointment)
        .unwrap();
    assert_eq!(appointment.final_code, Code::Complete);
    assert!(appointment.attempts.iter().any(|a| a.code == "2.21"));
    assert!(
        fw.cases.iter().all(|c| c.held.is_none()),
        "every hold let go"
    );

    // Each interviewer's completes are stored as phone interviews under their name.
    assert!(work.completes.values().sum::<usize>() >= 10);
    let stored = app.stored(OPEN_CAMPAIGN);
    for who in INTERVIEWERS {
        let mine = work.completes.get(who).copied().unwrap_or(0);
        assert!(mine >= 2, "{who} completed {mine}");
        let rows = stored.iter().filter(|(r, _)| r.interviewer == who);
        assert!(rows.clone().all(|(r, _)| r.mode == "phone"));
        assert_eq!(rows.count(), mine, "{who}'s interviews");
    }

    // An evaluator queues verifications; a fourth interviewer calls one back.
    let (eva, csrf) = app.signed_in("eva").await;
    let queued = eva
        .post(app.url("/console/campaigns/2025-final/fieldwork/verification"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 303);
    let checker = phone().await;
    let c = &checker.client;
    sign_in(&app, c, "ivd").await;
    c.goto(&app.url(VERIFY)).await.unwrap();
    click(c, &format!("a[href^='{VERIFY}/']")).await;
    let path = wait_for_url(c, "a callback page", |path, _| {
        path.starts_with(&format!("{VERIFY}/"))
    })
    .await;
    let case_ref = path.rsplit('/').next().unwrap().to_string();
    click(c, "input[name=_reached][value=yes]").await;
    let names = c
        .execute(
            "return [...new Set([...document.querySelectorAll('form input[type=radio]')]
             .map(e => e.name))].filter(n => n !== '_reached')",
            vec![],
        )
        .await
        .unwrap();
    let names: Vec<String> = serde_json::from_value(names).unwrap();
    assert_eq!(names.len(), 3, "{names:?}");
    let original: BTreeMap<String, String> = valid_answers("").into_iter().collect();
    for name in &names {
        // The overall satisfaction is answered differently this time.
        let value = if name == "overall_sat" {
            "2"
        } else {
            &original[name]
        };
        click(c, &format!("input[name={name}][value=\"{value}\"]")).await;
    }
    assert!(names.iter().any(|n| n == "overall_sat"));
    screenshot(c, "verify-360.png").await;
    click(c, &format!("form[action^='{VERIFY}/'] button[type=submit]")).await;
    wait_for_url(c, "the verification list", |path, _| path == VERIFY).await;

    let campaign = app.context(OPEN_CAMPAIGN).campaign.id;
    let mut conn = app.pool.get().unwrap();
    let draw = draws::of_campaign(&mut conn, campaign).unwrap().unwrap();
    let records = verifications::of_draw(&mut conn, draw.id).unwrap();
    assert!(records.len() >= 3, "each interviewer's share queued");
    let case = fw
        .cases
        .iter()
        .find(|c| c.record.case_ref == case_ref)
        .unwrap();
    let record = records
        .iter()
        .find(|r| r.case_id == case.record.id)
        .unwrap();
    assert_eq!(record.checked_by.as_deref(), Some("ivd"));
    assert_eq!(
        (record.reached, record.items, record.mismatches),
        (Some(true), Some(3), Some(1))
    );
    assert_ne!(record.interviewer, "ivd");
    for b in browsers.into_iter().chain([checker]) {
        let _ = b.client.close().await;
    }
}

on_both_backends!(three_interviewers_work_thirty_cases_in_browsers_and_one_is_verified);
