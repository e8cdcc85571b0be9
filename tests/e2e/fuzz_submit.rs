//! Bad input at the submit endpoints: every malformed case a 4xx with a message and nothing
//! stored; then a seeded fuzz of mutated bodies — never a 5xx, and a row only for a 303.

use crate::helpers::{valid_answers, with, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    each_malformed_submission_is_a_4xx_with_a_message,
    mutated_bodies_never_cause_a_5xx_or_a_stray_row
);

const FORM: &str = "/s/2025-final/market?site=hall";

fn encode(fields: &[(String, String)]) -> Vec<u8> {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

async fn post_raw(app: &TestApp, content_type: &str, path: &str, body: Vec<u8>) -> (u16, String) {
    let response = app
        .client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

async fn each_malformed_submission_is_a_4xx_with_a_message(app: TestApp) {
    let form = "application/x-www-form-urlencoded";
    let valid = valid_answers(&app.token(FORM).await);
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("percent-encoded invalid UTF-8", {
            let mut b = encode(&with(&valid, "suggestion", &[]));
            b.extend_from_slice(b"&suggestion=%FF%FE");
            b
        }),
        ("raw invalid UTF-8", {
            let mut b = encode(&with(&valid, "suggestion", &[]));
            b.extend_from_slice(b"&suggestion=\xff\xfe\xfd");
            b
        }),
        ("duplicate keys", {
            let mut b = encode(&valid);
            b.extend_from_slice(b"&overall_sat=1");
            b
        }),
        (
            "Likert out of range",
            encode(&with(&valid, "overall_sat", &["6"])),
        ),
        (
            "Likert not a number",
            encode(&with(&valid, "overall_sat", &["4.5"])),
        ),
        (
            "0-10 out of range",
            encode(&with(&valid, "overall_score", &["11"])),
        ),
        (
            "0-10 negative",
            encode(&with(&valid, "overall_score", &["-1"])),
        ),
        (
            "unknown option",
            encode(&with(&valid, "respondent_type", &["alien"])),
        ),
        (
            "unknown field",
            encode(&with(&valid, "favourite_colour", &["blue"])),
        ),
        (
            "missing required",
            encode(&with(&valid, "overall_sat", &[])),
        ),
        ("no token", encode(&with(&valid, "_t", &[]))),
        ("garbage", b"&&&===&=%%%".to_vec()),
        ("empty body", Vec::new()),
        (
            "oversized",
            encode(&with(&valid, "suggestion", &[&"长".repeat(30_000)])),
        ),
        ("thousands of fields", {
            let many: Vec<(String, String)> =
                (0..5_000).map(|i| (format!("f{i}"), "1".into())).collect();
            encode(&[valid.clone(), many].concat())
        }),
    ];
    for (name, body) in cases.drain(..) {
        let (status, text) = post_raw(&app, form, FORM, body).await;
        assert!((400..500).contains(&status), "{name}: {status}");
        assert!(!text.trim().is_empty(), "{name}: a message");
    }
    let api = format!("/api/v1/campaigns/{OPEN_CAMPAIGN}/responses");
    let json_cases: Vec<(&str, &[u8])> = vec![
        ("not JSON", b"{\"token\": "),
        ("invalid UTF-8", b"{\"token\": \"\xff\"}"),
        ("wrong shape", b"[1, 2, 3]"),
        (
            "unknown top-level field",
            b"{\"token\":\"x\",\"unit\":\"market\",\"answers\":{},\"admin\":true}",
        ),
        (
            "answers not an object",
            b"{\"token\":\"x\",\"unit\":\"market\",\"answers\":[1]}",
        ),
        (
            "huge number",
            b"{\"token\":\"x\",\"unit\":\"market\",\"answers\":{\"overall_sat\":1e999}}",
        ),
    ];
    for (name, body) in json_cases {
        let (status, text) = post_raw(&app, "application/json", &api, body.to_vec()).await;
        assert!((400..500).contains(&status), "API {name}: {status}");
        assert!(text.contains("\"error\""), "API {name}: {text}");
    }
    assert_eq!(app.stored(OPEN_CAMPAIGN).len(), 0, "nothing was stored");
}

async fn mutated_bodies_never_cause_a_5xx_or_a_stray_row(app: TestApp) {
    let mut rng: u64 = 0xD1B5_4A32_D192_ED03;
    let mut next = move |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let mut accepted = 0;
    for _ in 0..150 {
        let token = app.token(FORM).await;
        let mut body = encode(&valid_answers(&token));
        for _ in 0..=next(3) {
            let at = next(body.len());
            match next(5) {
                0 => body.truncate(at),
                1 => {
                    let end = (at + 1 + next(20)).min(body.len());
                    body.drain(at..end);
                }
                2 => body.insert(at, [b'&', b'=', b'%', 0xff, b'9', b'x'][next(6)]),
                3 => body.extend_from_slice(b"&overall_sat=3"),
                _ => body[at] = next(256) as u8,
            }
        }
        let (status, text) = post_raw(&app, "application/x-www-form-urlencoded", FORM, body).await;
        assert!(status < 500, "a 5xx: {status} {text}");
        assert!(status == 303 || (400..500).contains(&status), "{status}");
        if status == 303 {
            accepted += 1;
        } else {
            assert!(!text.trim().is_empty(), "a message with the {status}");
        }
    }
    assert_eq!(
        app.stored(OPEN_CAMPAIGN).len(),
        accepted,
        "a row for each 303, no other"
    );
}
