//! The SMS gateways against a real HTTP server started here, which records every request:
//! the body is the template with escaped values, the auth header arrives, and a failure never
//! shows the phone number, the text or the secret.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use survey_server::fieldwork::sms_gateway::{
    outbox_csv, GatewayError, HttpGateway, HttpGatewayConfig, Message, SendError,
};

const PHONE: &str = "13812345678";
const SECRET: &str = "sk-live-9f8e7d6c5b4a";
const URL_KEY: &str = "urlkey-0a1b2c3d";
/// Quotes, a backslash, a line break, Chinese and form-special characters.
const TEXT: &str =
    "您好，请评价\"城管局\"的执法：\\ 回复 T 退订\nhttps://minyi.example/s/abc?x=1&y=2";

#[derive(Debug, Clone)]
struct Recorded {
    path: String,
    content_type: Option<String>,
    api_key: Option<String>,
    body: String,
}

type Log = Arc<Mutex<Vec<Recorded>>>;

/// A gateway on a random port: `/sms` answers 200, `/broken` 500 echoing the request (as
/// some gateways do), `/moved` 302, `/silent` nothing for a minute.
struct TestGateway {
    base: String,
    log: Log,
}

impl TestGateway {
    async fn spawn() -> TestGateway {
        let log = Log::default();
        let shared = web::Data::new(log.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .default_service(web::to(answer))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        tokio::spawn(server);
        TestGateway {
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    fn config(&self, path: &str) -> HttpGatewayConfig {
        HttpGatewayConfig {
            url: format!("{}{path}?key={URL_KEY}", self.base),
            body_template: r#"{"mobile":"{{phone}}","content":"{{text}}","sign":"【民意】"}"#
                .into(),
            content_type: "application/json".into(),
            auth_header: Some(format!("X-Api-Key: {SECRET}")),
            timeout_seconds: 5,
        }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }
}

async fn answer(request: HttpRequest, body: String, log: web::Data<Log>) -> HttpResponse {
    let header = |name: &str| (request.headers().get(name)).map(|v| v.to_str().unwrap().to_owned());
    log.lock().unwrap().push(Recorded {
        path: request.path().to_owned(),
        content_type: header("content-type"),
        api_key: header("x-api-key"),
        body: body.clone(),
    });
    match request.path() {
        "/sms" => HttpResponse::Ok().body(r#"{"code":0}"#),
        "/broken" => HttpResponse::InternalServerError().body(format!(
            "send failed for {} (key {}): {body}",
            request.query_string(),
            header("x-api-key").unwrap_or_default()
        )),
        "/moved" => HttpResponse::Found()
            .insert_header(("location", "http://127.0.0.1:1/elsewhere"))
            .finish(),
        "/silent" => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            HttpResponse::Ok().finish()
        }
        _ => HttpResponse::NotFound().finish(),
    }
}

fn message() -> Message {
    Message {
        phone: PHONE.into(),
        text: TEXT.into(),
    }
}

/// Neither the phone number (in any common form), the text, the auth header's value nor the
/// URL's key appears in the error, displayed or debugged.
fn assert_nothing_private(error: &SendError) {
    for shown in [error.to_string(), format!("{error:?}")] {
        for private in [PHONE, "138-1234-5678", SECRET, URL_KEY, "城管局", "退订"] {
            assert!(!shown.contains(private), "{shown} shows {private}");
        }
    }
}

#[tokio::test]
async fn a_json_body_is_the_template_with_json_escaped_values() {
    let server = TestGateway::spawn().await;
    let gateway = HttpGateway::new(&server.config("/sms")).unwrap();
    gateway.send(&message()).await.unwrap();

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.path, "/sms");
    assert_eq!(
        request.body,
        r#"{"mobile":"13812345678","content":"您好，请评价\"城管局\"的执法：\\ 回复 T 退订\nhttps://minyi.example/s/abc?x=1&y=2","sign":"【民意】"}"#
    );
    let parsed: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(parsed["content"], TEXT);
    assert_eq!(request.content_type.as_deref(), Some("application/json"));
    assert_eq!(request.api_key.as_deref(), Some(SECRET));
}

#[tokio::test]
async fn a_form_body_is_the_template_with_percent_encoded_values() {
    let server = TestGateway::spawn().await;
    let config = HttpGatewayConfig {
        body_template: "mobile={{phone}}&content={{text}}&sign=minyi".into(),
        content_type: "application/x-www-form-urlencoded; charset=utf-8".into(),
        ..server.config("/sms")
    };
    HttpGateway::new(&config)
        .unwrap()
        .send(&message())
        .await
        .unwrap();

    let request = &server.requests()[0];
    assert_eq!(
        request.body,
        "mobile=13812345678&content=%E6%82%A8%E5%A5%BD%EF%BC%8C%E8%AF%B7%E8%AF%84%E4%BB%B7%22\
         %E5%9F%8E%E7%AE%A1%E5%B1%80%22%E7%9A%84%E6%89%A7%E6%B3%95%EF%BC%9A%5C%20%E5%9B%9E%E5%A4\
         %8D%20T%20%E9%80%80%E8%AE%A2%0Ahttps%3A%2F%2Fminyi.example%2Fs%2Fabc%3Fx%3D1%26y%3D2\
         &sign=minyi"
    );
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(request.body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(fields[1], ("content".to_owned(), TEXT.to_owned()));
    assert_eq!(
        request.content_type.as_deref(),
        Some("application/x-www-form-urlencoded; charset=utf-8")
    );
}

#[tokio::test]
async fn an_xml_body_is_the_template_with_xml_escaped_values() {
    let server = TestGateway::spawn().await;
    let config = HttpGatewayConfig {
        body_template: "<sms><to>{{phone}}</to><body>{{text}}</body></sms>".into(),
        content_type: "text/xml".into(),
        ..server.config("/sms")
    };
    let text = "<a href='x'>&\"</a>";
    let message = Message {
        phone: PHONE.into(),
        text: text.into(),
    };
    HttpGateway::new(&config)
        .unwrap()
        .send(&message)
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].body,
        "<sms><to>13812345678</to><body>&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;</body></sms>"
    );
}

#[tokio::test]
async fn a_gateway_without_an_auth_header_sends_none() {
    let server = TestGateway::spawn().await;
    let config = HttpGatewayConfig {
        auth_header: None,
        ..server.config("/sms")
    };
    HttpGateway::new(&config)
        .unwrap()
        .send(&message())
        .await
        .unwrap();
    assert_eq!(server.requests()[0].api_key, None);
}

#[tokio::test]
async fn a_500_is_an_error_that_hides_what_the_gateway_echoed() {
    let server = TestGateway::spawn().await;
    let gateway = HttpGateway::new(&server.config("/broken")).unwrap();
    let error = gateway.send(&message()).await.unwrap_err();

    let SendError::Status { status, body } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(*status, 500);
    // What the gateway said is kept, what it echoed is not.
    assert_eq!(
        body,
        r#"send failed for key=<secret> (key <secret>): {"mobile":"<digits>","content":"<text>","sign":"【民意】"}"#
    );
    assert!(error
        .to_string()
        .starts_with("the SMS gateway answered 500: send failed"));
    assert!(error.is_retryable());
    assert_nothing_private(&error);
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let server = TestGateway::spawn().await;
    let error = (HttpGateway::new(&server.config("/moved")).unwrap())
        .send(&message())
        .await
        .unwrap_err();
    assert!(
        matches!(error, SendError::Status { status: 302, .. }),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_gateway_that_never_answers_times_out() {
    let server = TestGateway::spawn().await;
    let config = HttpGatewayConfig {
        timeout_seconds: 1,
        ..server.config("/silent")
    };
    let started = Instant::now();
    let error = (HttpGateway::new(&config).unwrap())
        .send(&message())
        .await
        .unwrap_err();
    assert_eq!(error, SendError::Timeout { seconds: 1 });
    assert_eq!(
        error.to_string(),
        "the SMS gateway did not answer within 1 s"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_nothing_private(&error);
}

#[tokio::test]
async fn a_gateway_that_cannot_be_reached_is_a_connection_error() {
    // A port that was free a moment ago: nothing listens there.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config = HttpGatewayConfig {
        url: format!("http://127.0.0.1:{port}/sms?key={URL_KEY}"),
        body_template: "{\"m\":\"{{phone}}\",\"t\":\"{{text}}\"}".into(),
        content_type: "application/json".into(),
        auth_header: Some(format!("Authorization: Bearer {SECRET}")),
        timeout_seconds: 5,
    };
    let error = (HttpGateway::new(&config).unwrap())
        .send(&message())
        .await
        .unwrap_err();
    assert!(matches!(error, SendError::Connection { .. }), "{error:?}");
    assert!(error
        .to_string()
        .starts_with("the SMS gateway could not be reached"));
    assert!(error.is_retryable());
    assert_nothing_private(&error);
}

/// A config that works, to spoil one setting at a time.
fn valid() -> HttpGatewayConfig {
    HttpGatewayConfig {
        url: format!("https://sms.example.com/send?key={URL_KEY}"),
        body_template: r#"{"mobile":"{{phone}}","content":"{{text}}"}"#.into(),
        content_type: "application/json".into(),
        auth_header: Some(format!("X-Api-Key: {SECRET}")),
        timeout_seconds: 10,
    }
}

fn refused(config: HttpGatewayConfig, expected: GatewayError) {
    let error = HttpGateway::new(&config).unwrap_err();
    assert_eq!(error, expected);
    let shown = error.to_string();
    assert!(
        !shown.contains(SECRET) && !shown.contains(URL_KEY),
        "{shown}"
    );
}

#[test]
fn a_bad_config_is_refused_naming_the_setting() {
    let auth = |spec: &str| HttpGatewayConfig {
        auth_header: Some(spec.into()),
        ..valid()
    };
    let template = |body: &str| HttpGatewayConfig {
        body_template: body.into(),
        ..valid()
    };
    let how = "; write it as \"Name: value\"";
    for (config, expected) in [
        (
            HttpGatewayConfig {
                url: format!("ftp://sms.example.com/?key={URL_KEY}"),
                ..valid()
            },
            GatewayError::Url("must begin http:// or https://".into()),
        ),
        (
            HttpGatewayConfig {
                url: format!("sms.example.com/send?key={URL_KEY}"),
                ..valid()
            },
            GatewayError::Url("not a URL: relative URL without a base".into()),
        ),
        (
            template(r#"{"content":"{{text}}"}"#),
            GatewayError::BodyTemplate("has no {{phone}}".into()),
        ),
        (
            template("mobile={{phone}}"),
            GatewayError::BodyTemplate("has no {{text}}".into()),
        ),
        (
            template(r#"{"m":"{{mobile}}","c":"{{text}}"}"#),
            GatewayError::BodyTemplate(
                "{{mobile}} is not a placeholder: use {{phone}} and {{text}}".into(),
            ),
        ),
        (
            template(r#"{"m":"{{phone}}","c":"{{text"}"#),
            GatewayError::BodyTemplate("a \"{{\" has no \"}}\" after it".into()),
        ),
        (
            HttpGatewayConfig {
                content_type: "text/plain".into(),
                ..valid()
            },
            GatewayError::ContentType(
                "\"text/plain\" is not supported: use application/json, \
                 application/x-www-form-urlencoded or application/xml"
                    .into(),
            ),
        ),
        (
            auth(&format!("Bearer {SECRET}")),
            GatewayError::AuthHeader(format!(
                "has no ':' between the header's name and its value{how}"
            )),
        ),
        (
            auth(&format!("X Api {SECRET}: x")),
            GatewayError::AuthHeader(format!(
                "the part before ':' is not a header name (letters, digits, -){how}"
            )),
        ),
        (
            auth("X-Api-Key:  "),
            GatewayError::AuthHeader(format!("has no value after ':'{how}")),
        ),
        (
            auth(&format!("X-Api-Key: {SECRET}\r\nX-Other: 1")),
            GatewayError::AuthHeader(format!(
                "the value holds a character a header cannot carry{how}"
            )),
        ),
        (
            auth("Content-Type: text/plain"),
            GatewayError::AuthHeader(format!(
                "names a header the gateway client sets itself{how}"
            )),
        ),
        (
            HttpGatewayConfig {
                timeout_seconds: 0,
                ..valid()
            },
            GatewayError::Timeout("0 is not between 1 and 300".into()),
        ),
    ] {
        refused(config, expected);
    }
}

#[test]
fn a_json_template_must_be_json_once_filled_in() {
    let config = HttpGatewayConfig {
        body_template: r#"{"mobile":"{{phone}}","content":{{text}}}"#.into(),
        ..valid()
    };
    let GatewayError::BodyTemplate(why) = HttpGateway::new(&config).unwrap_err() else {
        panic!("not a template error");
    };
    assert!(
        why.starts_with("is not JSON once {{phone}} and {{text}} are filled in"),
        "{why}"
    );
    assert!(
        why.ends_with(r#"as in {"mobile":"{{phone}}","content":"{{text}}"}"#),
        "{why}"
    );
}

#[test]
fn a_config_reads_with_its_defaults() {
    let config: HttpGatewayConfig = serde_json::from_str(
        r#"{"url":"https://sms.example.com/send","body_template":"m={{phone}}&t={{text}}"}"#,
    )
    .unwrap();
    assert_eq!(config.content_type, "application/json");
    assert_eq!(config.timeout_seconds, 10);
    assert_eq!(config.auth_header, None);
    let misspelt = serde_json::from_str::<HttpGatewayConfig>(
        r#"{"url":"https://x.example","body_template":"","timeout":3}"#,
    );
    assert!(misspelt
        .unwrap_err()
        .to_string()
        .contains("unknown field `timeout`"));
}

#[test]
fn debug_output_shows_no_secret_and_no_phone() {
    let config = valid();
    let gateway = HttpGateway::new(&config).unwrap();
    for shown in [
        format!("{config:?}"),
        format!("{gateway:?}"),
        format!("{:?}", message()),
    ] {
        for private in [SECRET, URL_KEY, PHONE] {
            assert!(!shown.contains(private), "{shown} shows {private}");
        }
    }
}

#[test]
fn the_outbox_is_a_bom_crlf_csv_with_values_quoted_as_needed() {
    let messages = [
        Message {
            phone: "13812345678".into(),
            text: "您好，请评价本次执法".into(),
        },
        Message {
            phone: "13912345678".into(),
            text: "评价\"城管局\", 链接:\nhttps://minyi.example/s/abc".into(),
        },
    ];
    let csv = outbox_csv(&messages);
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "\u{feff}phone,text\r\n\
         13812345678,您好，请评价本次执法\r\n\
         13912345678,\"评价\"\"城管局\"\", 链接:\nhttps://minyi.example/s/abc\"\r\n"
    );
    assert_eq!(outbox_csv(&[]), b"\xEF\xBB\xBFphone,text\r\n");
}
