//! One-time case codes: 128 random bits from the OS's CSPRNG, shown once as 26 Crockford
//! base32 characters in groups, stored only as a SHA-256, redeemed in the transaction that
//! stores the response they admit.

use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::schema::case_codes;
use super::{now_ms, DbConn, DbError};

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh code, e.g. `7QH3-M9PK-2C4R-X8TV-N5W1-ZB6D-Y0`.
pub fn generate() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let mut value = u128::from_be_bytes(bytes);
    let mut chars = Vec::with_capacity(26);
    for _ in 0..26 {
        chars.push(CROCKFORD[(value & 31) as usize] as char);
        value >>= 5;
    }
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// The canonical form of a typed code: upper case, no separators, Crockford's look-alikes
/// (O→0, I/L→1) folded, so a code read aloud or typed loosely still matches.
pub fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect()
}

pub fn hash(typed: &str) -> String {
    hex::encode(Sha256::digest(normalise(typed).as_bytes()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeState {
    Unknown,
    Used,
    /// Unused, for this unit.
    Valid {
        unit_id: i32,
    },
}

/// Stores the hashes of `codes` for a unit of a campaign.
pub fn insert(
    conn: &mut DbConn,
    campaign_id: i32,
    unit_id: i32,
    codes: &[String],
    actor: &str,
) -> Result<(), DbError> {
    let now = now_ms();
    crate::write_transaction!(conn, |c| {
        for code in codes {
            diesel::insert_into(case_codes::table)
                .values((
                    case_codes::campaign_id.eq(campaign_id),
                    case_codes::unit_id.eq(unit_id),
                    case_codes::code_hash.eq(hash(code)),
                    case_codes::created_at.eq(now),
                ))
                .execute(c)?;
        }
        crate::insert_audit!(
            c,
            actor,
            "case_codes.create",
            &format!("{} codes, unit {unit_id}", codes.len())
        )?;
        Ok(())
    })
}

pub fn state(conn: &mut DbConn, campaign_id: i32, typed: &str) -> Result<CodeState, DbError> {
    let found: Option<(i32, Option<i64>)> = crate::with_conn!(conn, |c| case_codes::table
        .filter(case_codes::campaign_id.eq(campaign_id))
        .filter(case_codes::code_hash.eq(hash(typed)))
        .select((case_codes::unit_id, case_codes::redeemed_at))
        .first(c)
        .optional())?;
    Ok(match found {
        None => CodeState::Unknown,
        Some((_, Some(_))) => CodeState::Used,
        Some((unit_id, None)) => CodeState::Valid { unit_id },
    })
}

/// Marks the code used, inside the caller's transaction: one row changes, or none when the
/// code is unknown or already used (the caller then rolls back).
#[macro_export]
macro_rules! redeem_case_code {
    ($c:expr, $campaign_id:expr, $unit_id:expr, $code_hash:expr, $now:expr) => {
        diesel::update(
            $crate::db::schema::case_codes::table
                .filter($crate::db::schema::case_codes::campaign_id.eq($campaign_id))
                .filter($crate::db::schema::case_codes::unit_id.eq($unit_id))
                .filter($crate::db::schema::case_codes::code_hash.eq($code_hash))
                .filter($crate::db::schema::case_codes::redeemed_at.is_null()),
        )
        .set($crate::db::schema::case_codes::redeemed_at.eq($now))
        .execute($c)
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_26_crockford_characters_and_normalise() {
        let code = generate();
        assert_eq!(code.len(), 26 + 6, "{code}");
        let plain = normalise(&code);
        assert_eq!(plain.len(), 26);
        assert!(plain.bytes().all(|b| CROCKFORD.contains(&b)));
        assert_eq!(hash(&code), hash(&code.to_lowercase().replace('-', " ")));
        assert_eq!(normalise("ol-IL"), "0111");
        assert_ne!(generate(), generate());
    }
}
