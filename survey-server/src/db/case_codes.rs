//! One-time case codes: 128 random bits from the OS's CSPRNG, shown once as 26 Crockford
//! base32 characters in groups, stored only as a SHA-256, redeemed in the transaction that
//! stores the response they admit. A redemption leaves only a nullifier (a keyed hash of the
//! code, see [`crate::anonymity`]) in `case_code_uses`, with no time: the code's own row is
//! never touched, so a code printed on a slip cannot be followed to its response.

use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::schema::{case_code_uses, case_codes};
use super::{now_ms, DbConn, DbError};
use crate::anonymity::AnonymityKeys;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh code, e.g. `7QH3-M9PK-2C4R-X8TV-N5W1-ZB6D-Y0`.
pub fn generate() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format_code(u128::from_be_bytes(bytes))
}

/// 128 bits written as a code: 26 Crockford base32 characters in groups of four.
pub fn format_code(mut value: u128) -> String {
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
    crate::db::write_transaction(conn, |c| {
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
        crate::db::accounts::insert_audit(
            c,
            actor,
            "case_codes.create",
            &format!("{} codes, unit {unit_id}", codes.len()),
        )?;
        Ok(())
    })
}

pub fn state(
    conn: &mut DbConn,
    keys: &AnonymityKeys,
    campaign_id: i32,
    typed: &str,
) -> Result<CodeState, DbError> {
    let code_hash = hash(typed);
    let nullifier = keys.nullifier(campaign_id, &code_hash);
    let (found, used): (Option<(i32, Option<i64>)>, i64) = ({
        let c: &mut crate::db::DbConn = conn;
        {
            let found = case_codes::table
                .filter(case_codes::campaign_id.eq(campaign_id))
                .filter(case_codes::code_hash.eq(&code_hash))
                .select((case_codes::unit_id, case_codes::redeemed_at))
                .first(c)
                .optional()?;
            let used = case_code_uses::table
                .filter(case_code_uses::campaign_id.eq(campaign_id))
                .filter(case_code_uses::nullifier.eq(&nullifier))
                .count()
                .get_result(c)?;
            Ok::<_, DbError>((found, used))
        }
    })?;
    Ok(match found {
        None => CodeState::Unknown,
        // Redeemed before nullifiers existed (redeemed_at 0), or since.
        Some((_, Some(_))) => CodeState::Used,
        Some(_) if used > 0 => CodeState::Used,
        Some((unit_id, None)) => CodeState::Valid { unit_id },
    })
}

/// The stratum a code was made for (a sampled case's SMS link), empty for a printed slip's
/// code; `None` for an unknown code.
pub fn stratum(
    conn: &mut DbConn,
    campaign_id: i32,
    typed: &str,
) -> Result<Option<String>, DbError> {
    Ok(case_codes::table
        .filter(case_codes::campaign_id.eq(campaign_id))
        .filter(case_codes::code_hash.eq(hash(typed)))
        .select(case_codes::stratum)
        .first(conn)
        .optional()?)
}

/// Redeems a case code for a unit inside the caller's transaction: `Err(CaseCodeUnknown)` when
/// the campaign has no such code for the unit, `Err(CaseCodeUsed)` when it was used (the caller
/// then rolls back). Only the nullifier is written.
pub fn redeem(
    c: &mut DbConn,
    campaign_id: i32,
    unit_id: i32,
    code: &crate::db::responses::CaseCodeUse,
) -> Result<(), DbError> {
    let found: Option<Option<i64>> = case_codes::table
        .filter(case_codes::campaign_id.eq(campaign_id))
        .filter(case_codes::unit_id.eq(unit_id))
        .filter(case_codes::code_hash.eq(&code.hash))
        .select(case_codes::redeemed_at)
        .first(c)
        .optional()?;
    match found {
        None => Err(DbError::CaseCodeUnknown),
        Some(Some(_)) => Err(DbError::CaseCodeUsed),
        Some(None) => {
            let fresh = crate::db::native(
                c,
                diesel::insert_into(case_code_uses::table)
                    .values((
                        case_code_uses::campaign_id.eq(campaign_id),
                        case_code_uses::nullifier.eq(&code.nullifier),
                        case_code_uses::unit_id.eq(unit_id),
                    ))
                    .on_conflict_do_nothing(),
            )?;
            if fresh == 1 {
                Ok(())
            } else {
                Err(DbError::CaseCodeUsed)
            }
        }
    }
}

/// How many codes of each unit of a campaign were redeemed: (unit id, count). Aggregates only.
pub fn redeemed_by_unit(conn: &mut DbConn, campaign_id: i32) -> Result<Vec<(i32, i64)>, DbError> {
    Ok(({
        let c: &mut crate::db::DbConn = conn;
        case_code_uses::table
            .filter(case_code_uses::campaign_id.eq(campaign_id))
            .group_by(case_code_uses::unit_id)
            .select((case_code_uses::unit_id, diesel::dsl::count_star()))
            .load(c)
    })?)
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
