//! An export bundle is verified before use: refused when it does not verify, unless the batch
//! says `allow_unverified = true` — and then `inputs.json` says it was overridden. A verified
//! bundle's signed head goes into `inputs.json` whole, for the report to print.

use std::io::Write;
use std::path::Path;

use minyi_analysis::input::VerificationStatus;
use minyi_analysis::output;
use minyi_analysis::run::{self, RunError};
use minyi_integrity::bundle::FIXED_COLUMNS;
use minyi_integrity::merkle::Frontier;
use minyi_integrity::{LeafRecord, SignedHead, SigningKey, TreeHead};

use super::helpers::{load, write, QUESTIONNAIRE};

const CAMPAIGN: &str = "2025-final";
const CONTENT_HASH: &str = "ab12";
/// When the bundle's head was signed: 2025-11-30T08:00:00.250Z.
const SIGNED_AT_MS: i64 = 1_764_489_600_250;
const ITEMS: [&str; 6] = ["respondent_type", "q1", "q2", "p1", "sat", "note"];

/// (unit, respondent type, answers in ITEMS order)
fn rows() -> Vec<(&'static str, &'static str, [&'static str; 6])> {
    let mut rows = Vec::new();
    for i in 0..12 {
        let unit = if i % 2 == 0 { "A" } else { "B" };
        let v = ["3", "4", "5"][i % 3];
        rows.push((unit, "resident", ["resident", v, "4", "no", v, ""]));
    }
    rows
}

/// Writes a bundle signed with key [7; 32]; `tamper` changes one stored answer afterwards.
/// Returns the public key's hex and the head the bundle was cut at.
fn bundle(path: &Path, tamper: bool) -> (String, SignedHead) {
    let key = SigningKey::from_bytes(&[7; 32]).unwrap();
    let mut frontier = Frontier::new();
    let mut log = String::from("leaf_index,response_id,salt,leaf_hash\n");
    let mut header: Vec<&str> = FIXED_COLUMNS.to_vec();
    header.extend(ITEMS);
    let mut csv = header.join(",") + "\n";
    for (i, (unit, kind, answers)) in rows().into_iter().enumerate() {
        let id = 100 + i as i64;
        let submitted = 1_750_000_000_000 + 60_000 * i as i64;
        let record = LeafRecord {
            salt: [i as u8 + 1; 16],
            campaign: CAMPAIGN.into(),
            response_id: id,
            unit: unit.into(),
            site: "hall".into(),
            respondent_type: kind.into(),
            lang: "zh".into(),
            questionnaire: CONTENT_HASH.into(),
            submitted_at_ms: submitted,
            duration_ms: 180_000,
            link_check: "signed".into(),
            over_quota: false,
            collection: minyi_integrity::Collection::default(),
            answers: ITEMS
                .iter()
                .zip(answers)
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        frontier.push(record.hash());
        log += &format!(
            "{i},{id},{},{}\n",
            hex::encode(record.salt),
            hex::encode(record.hash())
        );
        let time = chrono::DateTime::from_timestamp_millis(submitted)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let mut answers = answers;
        if tamper && i == 4 {
            answers[1] = "1";
        }
        csv += &format!(
            "{id},{time},{unit},单位,hall,{kind},zh,180.000,signed,0,mini 1,web,,,{}\n",
            answers.join(",")
        );
    }
    let head = key.sign(TreeHead {
        campaign: CAMPAIGN.into(),
        tree_size: frontier.size(),
        timestamp_ms: SIGNED_AT_MS,
        root: frontier.root(),
    });
    let manifest = serde_json::json!({
        "campaign": CAMPAIGN,
        "questionnaire": { "content_hash": CONTENT_HASH },
        "log": { "head": head },
    });
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, text) in [
        ("manifest.json", manifest.to_string()),
        ("responses.csv", csv),
        ("log.csv", log),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    (key.public().to_hex(), head)
}

fn batch(dir: &Path, key: Option<&str>, allow: bool) -> std::path::PathBuf {
    write(dir, "mini.toml", QUESTIONNAIRE);
    let key = key
        .map(|k| format!("public_key = \"{k}\"\n"))
        .unwrap_or_default();
    let text = format!(
        r#"questionnaire = "mini.toml"
{key}allow_unverified = {allow}
overall_item = "sat"
[[waves]]
label = "2025"
role = "final"
[waves.input]
path = "wave.zip"
[goal]
statement = "总体指数不低于 60"
min_final = 60.0
"#
    );
    let path = dir.join("batch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_verified_bundle_is_read_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = bundle(&dir.path().join("wave.zip"), false);
    let tables = run::run(&load(&batch(dir.path(), Some(&key), false)), false).unwrap();
    assert_eq!(
        tables.inputs[0].verification.status,
        VerificationStatus::Verified
    );
    assert_eq!(tables.inputs[0].rows, 12);
    assert_eq!(
        tables.unit_names["A"], "单位",
        "the bundle's unit_name column"
    );
    assert!(tables
        .estimates
        .iter()
        .any(|r| r.indicator == "q1" && r.group == "all"));
}

#[test]
fn inputs_json_carries_the_signed_head_a_bundle_was_cut_at() {
    let dir = tempfile::tempdir().unwrap();
    let (key, signed) = bundle(&dir.path().join("wave.zip"), false);
    let batch = load(&batch(dir.path(), Some(&key), false));
    let out = dir.path().join("out");
    output::write(&out, &batch, &run::run(&batch, false).unwrap()).unwrap();
    let inputs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("inputs.json")).unwrap()).unwrap();
    let verification = &inputs[0]["verification"];
    assert_eq!(verification["status"], "verified");
    let root = hex::encode(signed.head.root);
    assert_eq!(root.len(), 64);
    assert_eq!(signed.signature.len(), 128);
    assert_eq!(
        verification["head"],
        serde_json::json!({
            "campaign": CAMPAIGN,
            "tree_size": 12,
            "root": root,
            "signed_at": "2025-11-30T08:00:00.250Z",
            "timestamp_ms": SIGNED_AT_MS,
            "public_key": key,
            "signature": signed.signature,
        })
    );
}

#[test]
fn a_tampered_bundle_is_refused_unless_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let (key, _) = bundle(&dir.path().join("wave.zip"), true);
    let err = run::run(&load(&batch(dir.path(), Some(&key), false)), false).unwrap_err();
    assert!(matches!(err, RunError::Input(_)), "{err}");
    let message = err.to_string();
    assert!(
        message.contains("wave.zip")
            && message.contains("altered")
            && message.contains("allow_unverified"),
        "{message}"
    );

    let tables = run::run(&load(&batch(dir.path(), Some(&key), true)), false).unwrap();
    let v = &tables.inputs[0].verification;
    assert_eq!(v.status, VerificationStatus::Failed);
    assert!(v.overridden);
    assert!(v.problems[0].contains("row 5"), "{:?}", v.problems);
    assert_eq!(
        v.head.as_ref().map(|h| h.tree_size),
        Some(12),
        "the head the bundle claims is kept, for the report to name"
    );
}

#[test]
fn a_bundle_without_a_key_is_a_check_problem_unless_overridden() {
    let dir = tempfile::tempdir().unwrap();
    bundle(&dir.path().join("wave.zip"), false);
    let problems = minyi_analysis::check::check(&load(&batch(dir.path(), None, false)));
    assert!(
        problems.iter().any(|p| p.key == "public_key"),
        "{problems:?}"
    );
    let tables = run::run(&load(&batch(dir.path(), None, true)), false).unwrap();
    assert_eq!(
        tables.inputs[0].verification.status,
        VerificationStatus::Unverifiable
    );
}
