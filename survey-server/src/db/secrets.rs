//! Instance secrets kept in the database, so every server process on one database (and every
//! restart) signs and checks form tokens with the same key.

use diesel::prelude::*;
use rand::RngCore;
use secrecy::SecretSlice;

use super::schema::instance_secrets;
use super::{DbConn, DbError};

const FORM_KEY: &str = "form_token_key";
const LOG_KEY: &str = "log_signing_key";

/// The key that signs form tokens, created on first use.
pub fn form_token_key(conn: &mut DbConn) -> Result<SecretSlice<u8>, DbError> {
    secret(conn, FORM_KEY)
}

/// The Ed25519 key that signs the integrity log's tree heads, created on first use (at setup:
/// `migrate`, or the first start on SQLite). Its public half is what the evaluator keeps.
pub fn log_signing_key(conn: &mut DbConn) -> Result<minyi_integrity::SigningKey, DbError> {
    let bytes = secret(conn, LOG_KEY)?;
    minyi_integrity::SigningKey::from_bytes(secrecy::ExposeSecret::expose_secret(&bytes))
        .map_err(|e| DbError::Invalid(format!("instance secret {LOG_KEY}: {e}")))
}

/// An instance secret of 32 random bytes, made by whichever process asks first.
fn secret(conn: &mut DbConn, name: &'static str) -> Result<SecretSlice<u8>, DbError> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let fresh = hex::encode(fresh);
    let stored: String = crate::write_transaction!(conn, |c| {
        // Two processes starting together both try; the first insert wins, both read it.
        diesel::insert_into(instance_secrets::table)
            .values((
                instance_secrets::name.eq(name),
                instance_secrets::value.eq(&fresh),
            ))
            .on_conflict_do_nothing()
            .execute(c)?;
        instance_secrets::table
            .find(name)
            .select(instance_secrets::value)
            .first::<String>(c)
    })?;
    let bytes = hex::decode(stored)
        .map_err(|_| DbError::Invalid(format!("instance secret {name} is not hex")))?;
    Ok(SecretSlice::from(bytes))
}
