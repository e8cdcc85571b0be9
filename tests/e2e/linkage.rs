//! The linkage attack: someone holds the whole database — and the case-code slips, which they
//! printed — and tries to join what a citizen left beside their answers (a redeemed case code,
//! contact details, a device tag) back to the response, by time or by storage order. On both
//! backends there is no time to join on and no secret in the database that opens the traces;
//! on SQLite, pairing rows in storage order with responses in id order does no better than
//! chance (on PostgreSQL the pairing is possible through `xmin`/`ctid`, and worthless: see
//! SECURITY.md).

use diesel::{QueryableByName, RunQueryDsl};
use sha2::{Digest, Sha256};
use survey_server::anonymity::{AnonymityKeys, CONTACT_LABEL, NULLIFIER_LABEL};

use crate::case_codes::{codes_in, generate};
use crate::helpers::{valid_answers, Backend, TestApp, OPEN_CAMPAIGN};
use crate::on_both_backends;

on_both_backends!(joining_codes_contacts_and_devices_to_responses_does_no_better_than_chance);

const CITIZENS: usize = 20;

fn phone(i: usize) -> String {
    format!("1380013{i:04}")
}

/// `count` fresh codes for the police, as their slips print them (without dashes).
async fn case_codes(app: &TestApp, count: usize) -> Vec<String> {
    let page = generate(app, "police", &count.to_string()).await;
    codes_in(&page.text().await.unwrap())
        .iter()
        .map(|c| c.replace('-', ""))
        .collect()
}

/// Citizen `i` on a phone of their own (a fresh cookie jar, so a device cookie of its own),
/// with the case code from their slip, leaving a contact for a follow-up.
async fn citizen_answers(app: &TestApp, i: usize, code: &str) {
    let phone_browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let link = app.url(&format!("/s/{OPEN_CAMPAIGN}/police?site=case&code={code}"));
    let form = phone_browser.get(&link).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let token = crate::helpers::token_in(&form.text().await.unwrap());
    let mut fields = valid_answers(&token);
    fields.push(("_contact_consent".into(), "yes".into()));
    fields.push(("_contact".into(), phone(i)));
    let sent = phone_browser
        .post(&link)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303, "citizen {i}");
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Sealed {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    unit_id: i32,
    #[diesel(sql_type = diesel::sql_types::Binary)]
    sealed: Vec<u8>,
}

#[derive(QueryableByName)]
struct Nullifier {
    #[diesel(sql_type = diesel::sql_types::Text)]
    nullifier: String,
}

#[derive(QueryableByName)]
struct Secret {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

fn query<T: QueryableByName<survey_server::db::MultiBackend> + 'static>(
    app: &TestApp,
    sql: &str,
) -> Vec<T> {
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(sql)
        .load(&mut *conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn columns(app: &TestApp, table: &str) -> Vec<String> {
    let sql = match app.backend() {
        Backend::Sqlite => format!("SELECT name FROM pragma_table_info('{table}')"),
        Backend::Postgres => format!(
            "SELECT column_name::text AS name FROM information_schema.columns \
             WHERE table_name = '{table}' ORDER BY ordinal_position"
        ),
    };
    query::<Name>(app, &sql)
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// Rows in the order the database stores them: a plain scan on SQLite (key order for these
/// `WITHOUT ROWID` tables), physical order on PostgreSQL.
fn in_storage_order(app: &TestApp, select: &str, table: &str) -> String {
    match app.backend() {
        Backend::Sqlite => format!("SELECT {select} FROM {table}"),
        Backend::Postgres => format!("SELECT {select} FROM {table} ORDER BY ctid"),
    }
}

/// How many of the rows, paired in storage order with the responses in id order, belong to
/// the response they are paired with (each row's true owner given as a citizen number).
fn paired_right(owners: &[usize]) -> usize {
    owners.iter().enumerate().filter(|(k, i)| k == *i).count()
}

async fn joining_codes_contacts_and_devices_to_responses_does_no_better_than_chance(app: TestApp) {
    let codes = case_codes(&app, CITIZENS).await;
    assert_eq!(codes.len(), CITIZENS);
    for (i, code) in codes.iter().enumerate() {
        citizen_answers(&app, i, code).await;
    }
    let responses = app.stored(OPEN_CAMPAIGN);
    assert_eq!(responses.len(), CITIZENS);
    let ctx = app.context(OPEN_CAMPAIGN);
    let campaign = ctx.campaign.id;

    // By time: the traces keep none, and the codes' rows are untouched by their use.
    for (table, expected) in [
        ("contacts", vec!["id", "campaign_id", "unit_id", "sealed"]),
        (
            "case_code_uses",
            vec!["campaign_id", "nullifier", "unit_id"],
        ),
        ("device_seen", vec!["campaign_id", "unit_id", "device_tag"]),
    ] {
        assert_eq!(columns(&app, table), expected, "{table}");
    }
    let redeemed: Vec<Name> = query(
        &app,
        "SELECT code_hash AS name FROM case_codes WHERE redeemed_at IS NOT NULL",
    );
    assert!(redeemed.is_empty(), "a code's row records no use");
    assert_eq!(
        query::<Name>(&app, "SELECT device_tag AS name FROM device_seen").len(),
        CITIZENS,
        "each phone left a device tag"
    );

    // With a slip in hand, the holder computes the code's hash (case_codes.code_hash) — and
    // finds nothing else derived from it: every secret the database holds fails to produce
    // the nullifiers.
    let nullifiers: Vec<String> =
        query::<Nullifier>(&app, &in_storage_order(&app, "nullifier", "case_code_uses"))
            .into_iter()
            .map(|n| n.nullifier)
            .collect();
    assert_eq!(nullifiers.len(), CITIZENS);
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| hex::encode(Sha256::digest(c.as_bytes())))
        .collect();
    let secrets: Vec<Secret> = query(&app, "SELECT value FROM instance_secrets");
    for hash in &hashes {
        assert!(!nullifiers.contains(hash));
        assert!(!nullifiers.contains(&hex::encode(Sha256::digest(hash.as_bytes()))));
        for secret in &secrets {
            let db_key = hex::decode(&secret.value).unwrap_or_default();
            for separator in ["", "\0"] {
                let guess = AnonymityKeys::new(
                    keyed(&db_key, &format!("{NULLIFIER_LABEL}{separator}")),
                    keyed(&db_key, &format!("{CONTACT_LABEL}{separator}")),
                );
                assert!(!nullifiers.contains(&guess.nullifier(campaign, hash)));
            }
        }
    }

    // The contacts are sealed: no phone number in them, and no key in the database opens them.
    let contacts: Vec<Sealed> = query(&app, &in_storage_order(&app, "unit_id, sealed", "contacts"));
    assert_eq!(
        contacts.len(),
        CITIZENS,
        "every consented contact was stored"
    );
    for c in &contacts {
        assert!(!String::from_utf8_lossy(&c.sealed).contains("1380013"));
    }

    // By storage order, with the server's own keys to tell who is who.
    let keys = app.anonymity_keys();
    let contact_owners: Vec<usize> = contacts
        .iter()
        .map(|c| {
            let opened = keys.open(campaign, c.unit_id, &c.sealed).unwrap();
            (0..CITIZENS).position(|i| phone(i) == opened).unwrap()
        })
        .collect();
    let code_owners: Vec<usize> = nullifiers
        .iter()
        .map(|n| {
            hashes
                .iter()
                .position(|h| keys.nullifier(campaign, h) == *n)
                .unwrap()
        })
        .collect();
    // The responses were stored one after another: response k is citizen k.
    if app.backend() == Backend::Sqlite {
        // A random permutation fixes one point on average; 8 or more of 20 happens about once
        // in 100 000 runs by chance alone, and every time when rows keep the responses' order.
        assert!(
            paired_right(&contact_owners) < 8,
            "contacts in storage order follow the responses: {contact_owners:?}"
        );
        assert!(
            paired_right(&code_owners) < 8,
            "nullifiers in storage order follow the responses: {code_owners:?}"
        );
    }
}

/// HMAC-SHA256(key, label): what a key derived from a database secret would be.
fn keyed(key: &[u8], label: &str) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(label.as_bytes());
    mac.finalize().into_bytes().into()
}
