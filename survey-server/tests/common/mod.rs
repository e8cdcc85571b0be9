//! What the binary-level tests share: running the binary, a free port and a valid form body.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::{Command, Output};

use minyi_questionnaire::{ItemKind, Questionnaire};

pub const FORM: &str = "/s/2025-final/market?site=hall";
pub const MARKER_ITEM: &str = "suggestion";

/// Runs the `survey-server` binary to completion (logging errors only).
pub fn survey_server(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_survey-server"))
        .args(args)
        .env("RUST_LOG", "error")
        .output()
        .unwrap()
}

/// A finished command's standard output, then its standard error.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A valid form body whose open-text answer is `marker`.
pub fn body(q: &Questionnaire, token: &str, marker: &str, i: usize) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    s.append_pair("_t", token);
    for (_, item) in q.items() {
        let value = match &item.kind {
            ItemKind::Likert5 { .. } => ["1", "2", "3", "4", "5"][i % 5].to_string(),
            ItemKind::YesNo { .. } => "no".into(),
            ItemKind::Scale10 { .. } => (i % 11).to_string(),
            ItemKind::Text { .. } if item.id == MARKER_ITEM => marker.to_string(),
            ItemKind::Text { .. } => "崩溃测试".into(),
            _ => item.options()[0].code.clone(),
        };
        s.append_pair(&item.id, &value);
    }
    s.finish()
}

/// The form token in a served form page.
pub fn token_in(html: &str) -> String {
    let marker = r#"name="_t" value=""#;
    let start = html.find(marker).expect("a form token") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}
