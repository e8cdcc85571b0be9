//! SMS invitations leave through one of two gateways: a CSV outbox the admin uploads to a
//! bulk-SMS portal, or the portal's HTTP API, called once per message.
//!
//! A phone number is personal information and the API's auth header a secret: neither
//! appears in an error, a `Debug` output or a log line written here.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use serde::Deserialize;
use url::Url;

use body::{Escaping, Template};

mod body;

/// One invitation: the recipient's mobile number and the text.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    pub phone: String,
    pub text: String,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("phone", &"<hidden>")
            .field("text", &self.text)
            .finish()
    }
}

/// The CSV that Chinese bulk-SMS portals take: a `phone,text` header, UTF-8 with a BOM (so
/// that Excel shows the Chinese), CRLF line ends, a value quoted when it needs to be.
pub fn outbox_csv(messages: &[Message]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let written: csv::Result<()> = std::iter::once(["phone", "text"])
        .chain(messages.iter().map(|m| [m.phone.as_str(), m.text.as_str()]))
        .try_for_each(|record| writer.write_record(record));
    written.expect("writing CSV to memory cannot fail");
    writer
        .into_inner()
        .expect("flushing CSV to memory cannot fail")
}

/// An SMS API called with one POST per message. The body is `body_template` with
/// `{{phone}}` and `{{text}}` replaced, each escaped for `content_type`.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpGatewayConfig {
    pub url: String,
    /// E.g. `{"mobile":"{{phone}}","content":"{{text}}"}` for JSON, or
    /// `mobile={{phone}}&content={{text}}` for a form.
    pub body_template: String,
    /// `application/json` (the default), `application/x-www-form-urlencoded` or
    /// `application/xml`; a `; charset=…` parameter is kept.
    #[serde(default = "default_content_type")]
    pub content_type: String,
    /// `Name: value`, e.g. `Authorization: Bearer …`; the value is a secret.
    #[serde(default)]
    pub auth_header: Option<String>,
    /// The most one message may take, connecting and reading the answer included.
    #[serde(default = "default_timeout_seconds")]
    pub timeout_seconds: u64,
}

fn default_content_type() -> String {
    "application/json".into()
}

fn default_timeout_seconds() -> u64 {
    10
}

impl fmt::Debug for HttpGatewayConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpGatewayConfig")
            .field("url", &"<hidden: may hold a key>")
            .field("body_template", &self.body_template)
            .field("content_type", &self.content_type)
            .field(
                "auth_header",
                &self.auth_header.as_ref().map(|_| "<hidden>"),
            )
            .field("timeout_seconds", &self.timeout_seconds)
            .finish()
    }
}

/// Why an [`HttpGatewayConfig`] is refused; each names the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    #[error("url: {0}")]
    Url(String),
    #[error("body_template: {0}")]
    BodyTemplate(String),
    #[error("content_type: {0}")]
    ContentType(String),
    #[error("auth_header: {0}")]
    AuthHeader(String),
    #[error("timeout_seconds: {0}")]
    Timeout(String),
    #[error("the HTTP client cannot be built: {0}")]
    Client(String),
}

/// Why one message was not accepted. No variant holds the phone number, the text or the
/// auth header's value, whatever the gateway answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The gateway answered with a status other than 2xx; `body` is the start of its answer.
    #[error("the SMS gateway answered {status}{}", colon_then(.body))]
    Status { status: u16, body: String },
    #[error("the SMS gateway did not answer within {seconds} s")]
    Timeout { seconds: u64 },
    #[error("the SMS gateway could not be reached: {detail}")]
    Connection { detail: String },
}

fn colon_then(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

impl SendError {
    /// Whether sending the same message later may succeed: a timeout, a connection error,
    /// 429 or a 5xx. A 4xx is the request's fault and will fail again.
    pub fn is_retryable(&self) -> bool {
        match self {
            SendError::Status { status, .. } => *status == 429 || *status >= 500,
            SendError::Timeout { .. } | SendError::Connection { .. } => true,
        }
    }
}

/// A checked [`HttpGatewayConfig`] with its HTTP client.
pub struct HttpGateway {
    client: reqwest::Client,
    url: Url,
    template: Template,
    escaping: Escaping,
    content_type: HeaderValue,
    auth: Option<(HeaderName, HeaderValue)>,
    timeout_seconds: u64,
}

impl fmt::Debug for HttpGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpGateway")
            .field("host", &self.url.host_str())
            .field("escaping", &self.escaping)
            .field("auth", &self.auth.as_ref().map(|(name, _)| name))
            .finish_non_exhaustive()
    }
}

impl HttpGateway {
    /// Checks every setting: an http(s) URL, a template with `{{phone}}` and `{{text}}` (and,
    /// for JSON, valid JSON once they are filled in), a supported content type, an auth
    /// header `Name: value`, a timeout of 1 to 300 s.
    pub fn new(config: &HttpGatewayConfig) -> Result<HttpGateway, GatewayError> {
        let url = gateway_url(&config.url)?;
        let escaping = Escaping::of(&config.content_type)?;
        let content_type = HeaderValue::from_str(config.content_type.trim())
            .map_err(|_| GatewayError::ContentType("is not a valid header value".into()))?;
        let template = Template::parse(&config.body_template, escaping)?;
        let auth = config.auth_header.as_deref().map(auth_header).transpose()?;
        if !(1..=300).contains(&config.timeout_seconds) {
            return Err(GatewayError::Timeout(format!(
                "{} is not between 1 and 300",
                config.timeout_seconds
            )));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.timeout_seconds))
            // An API that redirects a POST is misconfigured, and a redirect would carry the
            // auth header to wherever it points.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| GatewayError::Client(e.to_string()))?;
        Ok(HttpGateway {
            client,
            url,
            template,
            escaping,
            content_type,
            auth,
            timeout_seconds: config.timeout_seconds,
        })
    }

    /// POSTs one message; `Ok` when the gateway answers 2xx. A gateway that answers 200 with
    /// an error code in its body is taken at its status.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        let body = self
            .template
            .render(&message.phone, &message.text, self.escaping);
        let mut request = (self.client.post(self.url.clone()))
            .header(CONTENT_TYPE, self.content_type.clone())
            .body(body);
        if let Some((name, value)) = &self.auth {
            request = request.header(name.clone(), value.clone());
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Err(self.failure(e, message)),
        };
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let answer = self.redact(&answer_start(response).await, message);
        Err(SendError::Status {
            status: status.as_u16(),
            body: answer.trim().chars().take(300).collect(),
        })
    }

    fn failure(&self, error: reqwest::Error, message: &Message) -> SendError {
        if error.is_timeout() {
            return SendError::Timeout {
                seconds: self.timeout_seconds,
            };
        }
        // The URL may hold a key; the error's causes do not name it.
        let error = error.without_url();
        let mut detail = error.to_string();
        let mut cause = std::error::Error::source(&error);
        while let Some(e) = cause {
            detail.push_str(&format!(": {e}"));
            cause = e.source();
        }
        SendError::Connection {
            detail: self.redact(&detail, message),
        }
    }

    /// `text` with the secrets (the auth header's value, the URL's query values), the
    /// message's text (as sent and as written in the body) and every run of seven digits or
    /// more (a phone number, in whatever form the gateway echoes it) hidden.
    fn redact(&self, text: &str, message: &Message) -> String {
        let mut text = text.to_owned();
        let auth = (self.auth.as_ref()).and_then(|(_, value)| value.to_str().ok());
        let query = self.url.query_pairs().map(|(_, value)| value.into_owned());
        for secret in auth.map(str::to_owned).into_iter().chain(query) {
            if secret.len() >= 4 {
                text = text.replace(&secret, "<secret>");
            }
        }
        let mut escaped = String::new();
        self.escaping.write(&message.text, &mut escaped);
        for sent in [&message.text, &escaped] {
            if !sent.is_empty() {
                text = text.replace(sent.as_str(), "<text>");
            }
        }
        hide_digit_runs(&text)
    }
}

/// The start of the gateway's answer, read no further than 4 KiB.
async fn answer_start(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < 4096 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn hide_digit_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        out.push_str(if run.len() >= 7 { "<digits>" } else { run });
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn gateway_url(url: &str) -> Result<Url, GatewayError> {
    // The URL is not repeated in a message: it may hold an API key.
    let url = Url::parse(url.trim()).map_err(|e| GatewayError::Url(format!("not a URL: {e}")))?;
    // An http(s) URL without a host does not parse.
    if !matches!(url.scheme(), "http" | "https") {
        return Err(GatewayError::Url("must begin http:// or https://".into()));
    }
    Ok(url)
}

fn auth_header(spec: &str) -> Result<(HeaderName, HeaderValue), GatewayError> {
    // Neither part is repeated in a message: a mistyped header may be all secret.
    let refused =
        |why: &str| GatewayError::AuthHeader(format!("{why}; write it as \"Name: value\""));
    let (name, value) = spec
        .split_once(':')
        .ok_or_else(|| refused("has no ':' between the header's name and its value"))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| refused("the part before ':' is not a header name (letters, digits, -)"))?;
    if matches!(
        name.as_str(),
        "content-type" | "content-length" | "host" | "transfer-encoding"
    ) {
        return Err(refused("names a header the gateway client sets itself"));
    }
    let value = value.trim();
    if value.is_empty() {
        return Err(refused("has no value after ':'"));
    }
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| refused("the value holds a character a header cannot carry"))?;
    value.set_sensitive(true);
    Ok((name, value))
}
