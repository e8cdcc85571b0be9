//! Instance secrets kept in the database, so every server process on one database (and every
//! restart) signs and checks form tokens with the same key.

use diesel::prelude::*;
use rand::RngCore;
use secrecy::SecretSlice;

use super::schema::instance_secrets;
use super::{DbConn, DbError};

const FORM_KEY: &str = "form_token_key";

/// The key that signs form tokens, created on first use.
pub fn form_token_key(conn: &mut DbConn) -> Result<SecretSlice<u8>, DbError> {
    let mut fresh = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut fresh);
    let fresh = hex::encode(fresh);
    let stored: String = crate::write_transaction!(conn, |c| {
        // Two processes starting together both try; the first insert wins, both read it.
        diesel::insert_into(instance_secrets::table)
            .values((
                instance_secrets::name.eq(FORM_KEY),
                instance_secrets::value.eq(&fresh),
            ))
            .on_conflict_do_nothing()
            .execute(c)?;
        instance_secrets::table
            .find(FORM_KEY)
            .select(instance_secrets::value)
            .first::<String>(c)
    })?;
    let bytes = hex::decode(stored)
        .map_err(|_| DbError::Invalid("instance secret form_token_key is not hex".into()))?;
    Ok(SecretSlice::from(bytes))
}
