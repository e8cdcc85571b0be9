//! Instance secrets kept in the database, so every server process on one database (and every
//! restart) signs and checks form tokens with the same key. The integrity log's signing key
//! is not one of them: it lives in the key file (`crate::keys`), out of the database holder's
//! reach; older versions kept it here, and [`legacy_log_key`] reads it once to move it out.

use diesel::prelude::*;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};

use super::schema::instance_secrets;
use super::{DbConn, DbError};

const FORM_KEY: &str = "form_token_key";
const LOG_KEY: &str = "log_signing_key";

/// The key that signs form tokens, created on first use.
pub fn form_token_key(conn: &mut DbConn) -> Result<SecretSlice<u8>, DbError> {
    secret(conn, FORM_KEY)
}

/// The log's signing key as an older version stored it in the database, if it is still there.
pub fn legacy_log_key(conn: &mut DbConn) -> Result<Option<minyi_integrity::SigningKey>, DbError> {
    let stored: Option<String> = ({
        let c: &mut crate::db::DbConn = conn;
        instance_secrets::table
            .find(LOG_KEY)
            .select(instance_secrets::value)
            .first::<String>(c)
            .optional()
    })?;
    let Some(stored) = stored.map(secrecy::SecretString::from) else {
        return Ok(None);
    };
    let bytes = hex::decode(stored.expose_secret())
        .map_err(|_| DbError::Invalid(format!("instance secret {LOG_KEY} is not hex")))?;
    let bytes = secrecy::SecretSlice::from(bytes);
    minyi_integrity::SigningKey::from_bytes(bytes.expose_secret())
        .map(Some)
        .map_err(|e| DbError::Invalid(format!("instance secret {LOG_KEY}: {e}")))
}

/// Deletes the legacy log key from the database, once the key file holds it.
pub fn forget_legacy_log_key(conn: &mut DbConn) -> Result<(), DbError> {
    ({
        let c: &mut crate::db::DbConn = conn;
        diesel::delete(instance_secrets::table.find(LOG_KEY)).execute(c)
    })?;
    Ok(())
}

/// An instance secret of 32 random bytes, made by whichever process asks first.
fn secret(conn: &mut DbConn, name: &'static str) -> Result<SecretSlice<u8>, DbError> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let fresh = hex::encode(fresh);
    let stored: String = crate::db::write_transaction(conn, |c| {
        // Two processes starting together both try; the first insert wins, both read it.
        crate::db::native(
            c,
            diesel::insert_into(instance_secrets::table)
                .values((
                    instance_secrets::name.eq(name),
                    instance_secrets::value.eq(&fresh),
                ))
                .on_conflict_do_nothing(),
        )?;
        instance_secrets::table
            .find(name)
            .select(instance_secrets::value)
            .first::<String>(c)
    })?;
    let bytes = hex::decode(stored)
        .map_err(|_| DbError::Invalid(format!("instance secret {name} is not hex")))?;
    Ok(SecretSlice::from(bytes))
}
