//! The key file: made with mode 0600 and never overwritten, refused when others may read or
//! write it or when it does not parse (the problem named, no secret shown), secrets derived
//! from its master secret, and a rotation that keeps the old key's heads verifiable.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use hmac::{Hmac, Mac};
use minyi_integrity::{SigningKey, TreeHead};
use survey_server::keys::{Keys, KeysError};

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

const SIGNING: &str = "0707070707070707070707070707070707070707070707070707070707070707";
const MASTER: &str = "6d6173746572206f6620746865206b657973206f66206d696e7969202020202e";

fn valid() -> String {
    format!(
        "format = \"minyi-keys/1\"\nsigning_key = \"{SIGNING}\"\nmaster_secret = \"{MASTER}\"\n"
    )
}

#[test]
fn a_new_key_file_is_the_owners_alone_and_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("minyi.keys");
    let keys = Keys::create(&path, None).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        Keys::create(&path, None).is_err(),
        "an existing file is kept"
    );
    let loaded = Keys::load(&path).unwrap();
    assert_eq!(loaded.public_key(), keys.public_key());
    assert_eq!(loaded.derive("x"), keys.derive("x"));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&keys.public_key().to_hex()),
        "the public key is noted"
    );
}

#[test]
fn a_key_file_others_may_read_or_write_is_refused_naming_who() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("minyi.keys");
    Keys::create(&path, None).unwrap();
    for (mode, who) in [
        (0o644, "readable by its group, readable by others"),
        (0o620, "writable by its group"),
        (0o602, "writable by others"),
    ] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let error = Keys::load(&path).unwrap_err();
        assert!(
            matches!(&error, KeysError::Permissions { mode: m, .. } if *m == mode),
            "{error}"
        );
        let message = error.to_string();
        assert!(message.contains(who), "{message}");
        assert!(message.contains(&format!("mode {mode:04o}")), "{message}");
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    assert!(Keys::load(&path).is_ok(), "read-only for the owner is fine");
}

#[test]
fn a_malformed_key_file_is_refused_naming_the_problem_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("minyi.keys");
    let cases = [
        ("not toml at all [", "line 1"),
        (
            &valid().replace("minyi-keys/1", "minyi-keys/9"),
            "format is \"minyi-keys/9\"",
        ),
        (
            &valid().replace(&format!("master_secret = \"{MASTER}\"\n"), ""),
            "master_secret",
        ),
        (
            &valid().replace(SIGNING, &SIGNING[..62]),
            "signing_key is not 64 hexadecimal digits",
        ),
        (
            &valid().replace(MASTER, &MASTER.replace('6', "g")),
            "master_secret is not 64 hexadecimal digits",
        ),
        (&(valid() + "colour = \"blue\"\n"), "colour"),
        (
            &(valid() + "[[retired]]\npublic_key = \"beef\"\nretired_at_ms = 1\n"),
            "retired key 1",
        ),
    ];
    for (text, named) in cases {
        write_private(&path, text);
        let error = Keys::load(&path).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, KeysError::Malformed { .. }), "{message}");
        assert!(message.contains(named), "{named}: {message}");
        assert!(
            !message.contains(SIGNING) && !message.contains(MASTER),
            "{message}"
        );
    }
    let missing = Keys::load(&dir.path().join("none.keys")).unwrap_err();
    assert!(matches!(missing, KeysError::Missing { .. }), "{missing}");
}

#[test]
fn derive_is_hmac_sha256_of_the_master_secret_and_the_label() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("minyi.keys");
    write_private(&path, &valid());
    let keys = Keys::load(&path).unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&hex::decode(MASTER).unwrap()).unwrap();
    mac.update(b"case-code-nullifier/1");
    let expected: [u8; 32] = mac.finalize().into_bytes().into();
    assert_eq!(keys.derive("case-code-nullifier/1"), expected);
    assert_ne!(keys.derive("case-code-nullifier/2"), expected);
    let shown = format!("{keys:?}");
    assert!(
        !shown.contains(SIGNING) && !shown.contains(MASTER),
        "{shown}"
    );
}

#[test]
fn rotation_retires_the_old_key_whose_heads_still_verify_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("minyi.keys");
    let mut keys = Keys::create(&path, Some(SigningKey::from_bytes(&[7; 32]).unwrap())).unwrap();
    let old = keys.public_key();
    let derived = keys.derive("case-code-nullifier/1");
    let head = keys.signing_key().sign(TreeHead {
        campaign: "2025-final".into(),
        tree_size: 3,
        timestamp_ms: 1,
        root: [5; 32],
    });
    keys.rotate().unwrap();
    let reloaded = Keys::load(&path).unwrap();
    assert_ne!(reloaded.public_key(), old);
    assert_eq!(reloaded.retired().len(), 1);
    assert_eq!(reloaded.retired()[0].public_key, old);
    assert_eq!(
        reloaded.derive("case-code-nullifier/1"),
        derived,
        "the master secret stays"
    );
    assert!(head.verify(&reloaded.retired()[0].public_key));
    assert!(!head.verify(&reloaded.public_key()));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the rewritten file too");
}
