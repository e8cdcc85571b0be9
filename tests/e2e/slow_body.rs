//! A body that stops arriving — shorter than its `Content-Length`, the connection held open —
//! is answered 408 once the read timeout passes (one second here), and nothing is stored.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, OPEN_CAMPAIGN};

mod a_body_shorter_than_its_content_length_is_answered_408_after_the_read_timeout {
    use crate::helpers::{spawn_app_with, Backend};

    #[tokio::test]
    async fn sqlite() {
        let app = spawn_app_with(Backend::Sqlite, |s| s.body_timeout_seconds = 1).await;
        super::slow_bodies_are_answered_408(app).await
    }

    #[tokio::test]
    async fn postgres() {
        let app = spawn_app_with(Backend::Postgres, |s| s.body_timeout_seconds = 1).await;
        super::slow_bodies_are_answered_408(app).await
    }
}

/// Sends the headers of a 100-byte body and 10 bytes of it, then waits for the server to
/// answer and close; returns the reply and how long it took.
async fn ten_of_a_hundred_bytes(
    app: &TestApp,
    path: &str,
    content_type: &str,
) -> (String, Duration) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: {content_type}\r\n\
         Content-Length: 100\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(b"_t=abcdefg").await.unwrap();
    let started = Instant::now();
    let mut reply = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut reply))
        .await
        .unwrap_or_else(|_| panic!("{path}: no answer within 10 s"))
        .unwrap();
    (
        String::from_utf8_lossy(&reply).into_owned(),
        started.elapsed(),
    )
}

async fn slow_bodies_are_answered_408(app: TestApp) {
    let form = "application/x-www-form-urlencoded";
    for (path, content_type, says) in [
        ("/s/2025-final/market?site=hall", form, "提交超时"),
        ("/s/2025-final/market?site=hall&lang=en", form, "timed out"),
        (
            "/api/v1/campaigns/2025-final/responses",
            "application/json",
            r#""code":"body_timeout""#,
        ),
        ("/console/login", form, "提交超时"),
    ] {
        let (reply, took) = ten_of_a_hundred_bytes(&app, path, content_type).await;
        assert!(reply.starts_with("HTTP/1.1 408"), "{path}: {reply}");
        assert!(reply.contains(says), "{path}: {reply}");
        assert!(
            took < Duration::from_secs(4),
            "{path}: answered after {took:?}"
        );
    }
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0, "nothing stored");
}
