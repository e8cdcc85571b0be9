//! `minyi-leaf/2`: how a response was collected is committed to, and a self-selected web
//! response keeps its `minyi-leaf/1` bytes.

mod common;

use minyi_integrity::leaf::{Collection, FORMAT, FORMAT_2};

fn tag(bytes: &[u8]) -> &[u8] {
    let len = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
    &bytes[4..4 + len]
}

#[test]
fn a_web_response_is_still_leaf_1_and_a_fieldwork_response_is_leaf_2() {
    let web = common::record(7);
    assert_eq!(tag(&web.encode()), FORMAT.as_bytes());
    let mut phone = web.clone();
    phone.collection = Collection {
        mode: "phone".into(),
        stratum: "market|个人".into(),
        interviewer: "wang".into(),
    };
    let bytes = phone.encode();
    assert_eq!(tag(&bytes), FORMAT_2.as_bytes());
    // The three fields sit before the answer count, after over_quota.
    let text = String::from_utf8_lossy(&bytes);
    let at = |s: &str| text.find(s).unwrap();
    assert!(at("phone") < at("market|个人") && at("market|个人") < at("wang"));
    assert!(at("wang") < at("overall"));
}

#[test]
fn changing_mode_stratum_or_interviewer_changes_the_leaf() {
    let mut base = common::record(8);
    base.collection = Collection {
        mode: "phone".into(),
        stratum: "s1".into(),
        interviewer: "wang".into(),
    };
    let hash = base.hash();
    let changes: [fn(&mut Collection); 4] = [
        |c| c.mode = "face".into(),
        |c| c.stratum = "s2".into(),
        |c| c.interviewer = "li".into(),
        |c| *c = Collection::default(),
    ];
    for change in changes {
        let mut other = base.clone();
        change(&mut other.collection);
        assert_ne!(other.hash(), hash, "{:?}", other.collection);
    }
    // Fields are length-prefixed: moving a character between stratum and interviewer shows.
    let mut shifted = base.clone();
    shifted.collection.stratum = "s1w".into();
    shifted.collection.interviewer = "ang".into();
    assert_ne!(shifted.hash(), hash);
}
