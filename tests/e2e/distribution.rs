//! QR codes and posters: every generated code decodes (with zbar, a real decoder) to its
//! intended link, and a response records whether its link was generated or edited.

use std::io::Read;
use std::process::Command;

use crate::helpers::{valid_answers, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(
    qr_codes_decode_to_their_signed_links,
    responses_record_how_their_link_checked_out
);

/// Decodes a QR image with `zbarimg` (Debian's zbar-tools, installed by `.ci/run`).
fn decode(image: &[u8], ext: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("code.{ext}"));
    std::fs::write(&file, image).unwrap();
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&file)
        .output()
        .expect("zbarimg is needed (apt-get install zbar-tools)");
    assert!(
        out.status.success(),
        "zbarimg could not decode {ext}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim_end()
        .to_string()
}

async fn qr_codes_decode_to_their_signed_links(app: TestApp) {
    app.add_user("admin1", "admin");
    let (client, _) = app.signed_in("admin1").await;
    let url = app.url(&format!(
        "/console/campaigns/{OPEN_CAMPAIGN}/qr?unit=market&site=hall"
    ));
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let link = response.headers()["x-minyi-link"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        link.starts_with(&app.url("/s/2025-final/market?site=hall&src=")),
        "{link}"
    );
    assert_eq!(decode(&response.bytes().await.unwrap(), "png"), link);

    let svg = client
        .get(format!("{url}&format=svg"))
        .send()
        .await
        .unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().starts_with("<?xml"));

    let unknown = client
        .get(app.url(&format!(
            "/console/campaigns/{OPEN_CAMPAIGN}/qr?unit=ministry"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    let posters = client
        .get(app.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/posters")))
        .send()
        .await
        .unwrap();
    let posters = posters.text().await.unwrap();
    assert_eq!(
        posters.matches("<section class=\"p\">").count(),
        12 * 3,
        "12 units × 3 sites"
    );
    assert!(posters.contains("@page{size:A4") && posters.contains("请用手机扫描二维码"));
    assert!(posters.contains("市场监管局 · 政务服务大厅"));

    let zip = client
        .get(app.url(&format!("/console/campaigns/{OPEN_CAMPAIGN}/qr.zip")))
        .send()
        .await
        .unwrap();
    assert_eq!(zip.headers()["content-type"], "application/zip");
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(zip.bytes().await.unwrap())).unwrap();
    assert_eq!(archive.len(), 12 * 3 * 2 + 2);
    let mut links = String::new();
    archive
        .by_name("links.csv")
        .unwrap()
        .read_to_string(&mut links)
        .unwrap();
    // Decode a few of the archive's PNGs against the listed links.
    for line in links.lines().skip(1).step_by(7) {
        let mut parts = line.splitn(3, ',');
        let (unit, site, link) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        let mut png = Vec::new();
        archive
            .by_name(&format!("{unit}-{site}.png"))
            .unwrap()
            .read_to_end(&mut png)
            .unwrap();
        assert_eq!(decode(&png, "png"), link);
    }
}

async fn responses_record_how_their_link_checked_out(app: TestApp) {
    app.add_user("admin1", "admin");
    let (client, _) = app.signed_in("admin1").await;
    let url = app.url(&format!(
        "/console/campaigns/{OPEN_CAMPAIGN}/qr?unit=market&site=hall"
    ));
    let link = client.get(&url).send().await.unwrap().headers()["x-minyi-link"]
        .to_str()
        .unwrap()
        .to_string();
    let path = link.trim_start_matches(&app.address).to_string();
    let edited = path.replace("/market?", "/police?");
    let typed = "/s/2025-final/market?site=hall".to_string();
    for form in [&path, &edited, &typed] {
        let token = app.token(form).await;
        assert_eq!(
            app.post_form(form, &valid_answers(&token)).await.status(),
            303,
            "{form}"
        );
    }
    let checks: Vec<String> = app
        .stored(OPEN_CAMPAIGN)
        .into_iter()
        .map(|(r, _)| r.link_check)
        .collect();
    assert_eq!(checks, ["signed", "invalid", "unsigned"]);
}
