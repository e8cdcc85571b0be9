//! The demo form in a real headless Chromium (Debian's `chromium` + `chromedriver`, installed
//! by `.ci/run`), at a phone's 360-px width with WeChat's in-app browser user agent: filled in,
//! submitted, thanked and stored; and the same with JavaScript disabled.
//! Screenshots are kept in `test-artifacts/` (or `$MINYI_TEST_ARTIFACTS`).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

use crate::helpers::{spawn_app, valid_answers, Backend, TestApp, OPEN_CAMPAIGN};

const WECHAT_UA: &str = "Mozilla/5.0 (Linux; Android 13; V2203A) AppleWebKit/537.36 (KHTML, like Gecko) \
Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5075 MMWEBSDK/20230504 MicroMessenger/8.0.37.2380 \
WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64";

pub struct Browser {
    pub client: Client,
    pub driver_url: String,
    _driver: Child,
}

/// Switches page scripts off through chromedriver's DevTools passthrough.
async fn disable_scripts(b: &Browser) {
    let session = b.client.session_id().await.unwrap().expect("a session");
    let response = reqwest::Client::new()
        .post(format!(
            "{}/session/{session}/goog/cdp/execute",
            b.driver_url
        ))
        .json(
            &json!({ "cmd": "Emulation.setScriptExecutionDisabled", "params": { "value": true } }),
        )
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{}",
        response.text().await.unwrap()
    );
}

pub fn artifacts() -> PathBuf {
    let dir = std::env::var("MINYI_TEST_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../test-artifacts"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn browser(wait_for_loads: bool) -> Browser {
    let emulation = json!({
        "deviceMetrics": { "width": 360, "height": 780, "pixelRatio": 2.0 },
        "userAgent": WECHAT_UA
    });
    start(Some(emulation), wait_for_loads, None).await
}

/// Starts chromedriver and a headless Chromium session: with `mobile` emulation (device
/// metrics, user agent) or at a desktop `window` size, and optionally without waiting for
/// page loads.
pub async fn start(
    mobile: Option<Value>,
    wait_for_loads: bool,
    window: Option<(u32, u32)>,
) -> Browser {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let chromedriver =
        std::env::var("MINYI_CHROMEDRIVER").unwrap_or("/usr/bin/chromedriver".into());
    let driver = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{chromedriver} is needed (apt-get install chromium-driver): {e}")
        });
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-quic".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-dev-shm-usage".into(),
    ];
    if let Some((w, h)) = window {
        args.push(format!("--window-size={w},{h}"));
    }
    let mut options = json!({
        "binary": std::env::var("MINYI_CHROMIUM").unwrap_or("/usr/bin/chromium".into()),
        "args": args,
    });
    if let Some(mobile) = mobile {
        options["mobileEmulation"] = mobile;
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
    if !wait_for_loads {
        // With page scripts off chromedriver never sees a navigation finish; the test polls.
        caps.insert("pageLoadStrategy".into(), json!("none"));
    }
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        match ClientBuilder::native()
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => {
                return Browser {
                    client,
                    driver_url: url,
                    _driver: driver,
                }
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    panic!("could not start a Chromium session through {chromedriver}");
}

async fn fill_and_submit(client: &Client, fields: &[(String, String)]) {
    for (name, value) in fields.iter().filter(|(k, _)| !k.starts_with('_')) {
        if name == "suggestion" {
            client
                .find(Locator::Css("textarea[name=suggestion]"))
                .await
                .unwrap()
                .send_keys(value)
                .await
                .unwrap();
            continue;
        }
        let selector = format!("input[name={name}][value=\"{value}\"]");
        let input = client
            .find(Locator::Css(&selector))
            .await
            .unwrap_or_else(|_| panic!("{selector}"));
        input
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {selector}: {e}"));
    }
    client
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Polls the page source until it contains `text` (pages load without the driver waiting).
async fn wait_for(client: &Client, text: &str) -> String {
    for _ in 0..100 {
        if let Ok(source) = client.source().await {
            if source.contains(text) {
                return source;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the page never showed {text:?}");
}

async fn wait_for_thanks(client: &Client) -> String {
    for _ in 0..50 {
        let url = client.current_url().await.unwrap();
        if url.path().starts_with("/thanks/") {
            return client.source().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "no thank-you page; at {}",
        client.current_url().await.unwrap()
    );
}

pub async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert!(png.len() > 1000, "screenshot is blank");
    std::fs::write(artifacts().join(name), png).unwrap();
}

pub async fn number(client: &Client, script: &str) -> f64 {
    match client.execute(script, vec![]).await.unwrap() {
        Value::Number(n) => n.as_f64().unwrap(),
        other => panic!("{script} gave {other}"),
    }
}

fn assert_stored_one(app: &TestApp, unit: &str) {
    let stored = app.stored(OPEN_CAMPAIGN);
    assert_eq!(stored.len(), 1);
    assert_eq!(app.unit_code(OPEN_CAMPAIGN, stored[0].0.unit_id), unit);
    assert!(stored[0].1.contains(&("overall_sat".into(), "4".into())));
    assert!(stored[0]
        .1
        .contains(&("standard_documents".into(), "na".into())));
}

#[tokio::test]
async fn phone_fills_the_demo_form_and_is_thanked() {
    let app = spawn_app(Backend::Sqlite).await;
    let b = browser(true).await;
    let c = &b.client;
    c.goto(&app.url("/s/2025-final/market?site=hall"))
        .await
        .unwrap();
    assert_eq!(c.title().await.unwrap(), "行政执法群众满意度调查");
    // A phone-width page: no horizontal scrolling, touch targets of at least 44 px.
    assert!(number(c, "return document.documentElement.scrollWidth").await <= 360.0);
    let smallest =
        "return Math.min(...[...document.querySelectorAll('label.c,button,select,textarea')]
        .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().height))";
    assert!(number(c, smallest).await >= 44.0);
    // Nothing but the page itself is fetched.
    let fetched = c
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fetched, json!([]), "the page fetched more than itself");
    // The business section shows only for business operators (CSS :has, no script).
    let biz = c
        .find(Locator::Css("input[name=biz_burden]"))
        .await
        .unwrap();
    assert!(!biz.is_displayed().await.unwrap());
    c.find(Locator::Css("input[name=respondent_type][value=business]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(biz.is_displayed().await.unwrap());
    screenshot(c, "form-phone-business-shown.png").await;
    fill_and_submit(c, &valid_answers("")).await;
    let thanks = wait_for_thanks(c).await;
    assert!(thanks.contains("提交成功"));
    screenshot(c, "thanks-phone.png").await;
    assert_stored_one(&app, "market");
    let _ = b.client.close().await;
}

/// Scripts are switched off for the page through the DevTools protocol
/// (`Emulation.setScriptExecutionDisabled`, DevTools' own "Disable JavaScript"); a probe page
/// proves they are off. The whole form must render and show its parts. (With page scripts
/// off, chromedriver cannot click — it hangs — so the submission without a script is what the
/// HTTP tests do: the page has no script to need.)
#[tokio::test]
async fn form_loads_with_javascript_disabled() {
    tokio::time::timeout(Duration::from_secs(90), no_javascript())
        .await
        .expect("browser hung");
}

async fn no_javascript() {
    let app = spawn_app(Backend::Sqlite).await;
    let b = browser(false).await;
    let c = &b.client;
    disable_scripts(&b).await;
    c.goto("data:text/html,<title>off</title><script>document.title='on'</script>")
        .await
        .unwrap();
    wait_for(c, "<title>").await;
    assert_eq!(
        c.title().await.unwrap(),
        "off",
        "page scripts must be disabled"
    );
    c.goto(&app.url("/s/2025-final?lang=en")).await.unwrap();
    let page = wait_for(c, "</form>").await;
    assert_eq!(
        c.title().await.unwrap(),
        "Public satisfaction with administrative law enforcement"
    );
    assert!(page.contains(r#"<select id="unit-select" name="_unit">"#));
    assert!(page.matches("<fieldset").count() >= 30);
    let submit = c.find(Locator::Css("button[type=submit]")).await.unwrap();
    assert!(submit.is_displayed().await.unwrap());
    screenshot(c, "form-phone-no-js.png").await;
    let _ = b.client.close().await;
}
