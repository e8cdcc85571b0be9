//! What decides whether a response of a batch is stored: its key, its stratum's quota, its
//! device. Each is read with one query per batch (after the batch took its campaigns' logs, so
//! no other writer of those campaigns runs meanwhile) and then kept up to date in memory as the
//! batch's responses are admitted one by one.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;

use crate::db::schema::{device_seen, response_counts, responses, sampling_plans, strata};
use crate::db::{DbConn, DbError};

use super::NewResponse;

/// The batch's keys already stored: key → response id.
pub fn stored_keys(
    c: &mut DbConn,
    batch: &[&NewResponse],
) -> Result<HashMap<String, i32>, DbError> {
    let keys: Vec<&str> = batch.iter().map(|n| n.idempotency_key.as_str()).collect();
    let rows: Vec<(String, i32)> = responses::table
        .filter(responses::idempotency_key.eq_any(&keys))
        .select((responses::idempotency_key, responses::id))
        .load(c)?;
    Ok(rows.into_iter().collect())
}

/// A stratum's quota: the cell it counts ('' counts the whole unit) and its size.
#[derive(Debug, Clone)]
struct Stratum {
    cell: String,
    quota: i64,
}

/// The quotas of the units in a batch, with their counts so far.
#[derive(Debug, Default)]
pub struct Quotas {
    /// (campaign, unit, respondent type or '') → quota.
    strata: HashMap<(i32, i32, String), i64>,
    /// (campaign, unit, cell) → responses counted so far.
    counts: HashMap<(i32, i32, String), i64>,
    /// Campaigns whose plan closes a full stratum (else a response past the quota is flagged).
    closing: HashSet<i32>,
}

/// What the quota says of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quota {
    /// Within its stratum's quota, or no quota applies.
    Within,
    /// Past the quota of a stratum that stays open: stored, flagged over quota.
    Over,
    /// Past the quota of a stratum the plan closes when full: refused.
    Full,
}

impl Quotas {
    /// Reads the strata of the batch's units and, only where a stratum exists, their counts.
    pub fn load(c: &mut DbConn, batch: &[&NewResponse]) -> Result<Quotas, DbError> {
        let campaigns: HashSet<i32> = batch.iter().map(|n| n.campaign_id).collect();
        let units: HashSet<i32> = batch.iter().map(|n| n.unit_id).collect();
        let rows: Vec<(i32, i32, String, i32)> = strata::table
            .filter(strata::campaign_id.eq_any(&campaigns))
            .filter(strata::unit_id.eq_any(&units))
            .select((
                strata::campaign_id,
                strata::unit_id,
                strata::respondent_type,
                strata::quota,
            ))
            .load(c)?;
        let mut quotas = Quotas::default();
        if rows.is_empty() {
            return Ok(quotas);
        }
        let with_strata: HashSet<i32> = rows.iter().map(|r| r.0).collect();
        let counted: Vec<(i32, i32, String, i64)> = response_counts::table
            .filter(response_counts::campaign_id.eq_any(&with_strata))
            .filter(response_counts::unit_id.eq_any(&units))
            .select((
                response_counts::campaign_id,
                response_counts::unit_id,
                response_counts::respondent_type,
                response_counts::n,
            ))
            .load(c)?;
        for (campaign, unit, cell, n) in counted {
            *quotas
                .counts
                .entry((campaign, unit, String::new()))
                .or_default() += n;
            if !cell.is_empty() {
                *quotas.counts.entry((campaign, unit, cell)).or_default() += n;
            }
        }
        let policies: Vec<(i32, String)> = sampling_plans::table
            .filter(sampling_plans::campaign_id.eq_any(&with_strata))
            .select((sampling_plans::campaign_id, sampling_plans::quota_policy))
            .load(c)?;
        quotas.closing = policies
            .into_iter()
            .filter(|(_, policy)| policy == "close_stratum")
            .map(|(campaign, _)| campaign)
            .collect();
        quotas.strata = rows
            .into_iter()
            .map(|(campaign, unit, cell, quota)| ((campaign, unit, cell), i64::from(quota)))
            .collect();
        Ok(quotas)
    }

    /// The stratum a response counts in: its respondent type's, else the unit's as a whole.
    fn stratum(&self, new: &NewResponse) -> Option<Stratum> {
        let cell = new.respondent_type.clone().unwrap_or_default();
        let exact = (new.campaign_id, new.unit_id, cell);
        if let Some(quota) = self.strata.get(&exact) {
            return Some(Stratum {
                cell: exact.2,
                quota: *quota,
            });
        }
        let whole = (new.campaign_id, new.unit_id, String::new());
        self.strata.get(&whole).map(|quota| Stratum {
            cell: String::new(),
            quota: *quota,
        })
    }

    /// What the quota says of `new`, counting the responses admitted so far.
    pub fn check(&self, new: &NewResponse) -> Quota {
        let Some(stratum) = self.stratum(new) else {
            return Quota::Within;
        };
        let key = (new.campaign_id, new.unit_id, stratum.cell);
        let count = self.counts.get(&key).copied().unwrap_or(0);
        match (
            count >= stratum.quota,
            self.closing.contains(&new.campaign_id),
        ) {
            (false, _) => Quota::Within,
            (true, true) => Quota::Full,
            (true, false) => Quota::Over,
        }
    }

    /// Counts an admitted response.
    pub fn admit(&mut self, new: &NewResponse) {
        if self.strata.is_empty() {
            return;
        }
        let cell = new.respondent_type.clone().unwrap_or_default();
        *self
            .counts
            .entry((new.campaign_id, new.unit_id, String::new()))
            .or_default() += 1;
        if !cell.is_empty() {
            *self
                .counts
                .entry((new.campaign_id, new.unit_id, cell))
                .or_default() += 1;
        }
    }
}

/// The device tags of the batch already seen, per campaign and unit; and those the batch adds.
#[derive(Debug, Default)]
pub struct Devices {
    seen: HashSet<(i32, i32, String)>,
    added: Vec<(i32, i32, String)>,
}

impl Devices {
    pub fn load(c: &mut DbConn, batch: &[&NewResponse]) -> Result<Devices, DbError> {
        let tags: Vec<&str> = batch
            .iter()
            .filter_map(|n| n.device_tag.as_deref())
            .collect();
        if tags.is_empty() {
            return Ok(Devices::default());
        }
        let campaigns: HashSet<i32> = batch.iter().map(|n| n.campaign_id).collect();
        let units: HashSet<i32> = batch.iter().map(|n| n.unit_id).collect();
        // Every column of the key is constrained, so the lookups use the primary key (campaign,
        // unit, tag) and never scan the campaign's devices.
        let rows: Vec<(i32, i32, String)> = device_seen::table
            .filter(device_seen::campaign_id.eq_any(&campaigns))
            .filter(device_seen::unit_id.eq_any(&units))
            .filter(device_seen::device_tag.eq_any(&tags))
            .select((
                device_seen::campaign_id,
                device_seen::unit_id,
                device_seen::device_tag,
            ))
            .load(c)?;
        Ok(Devices {
            seen: rows.into_iter().collect(),
            added: Vec::new(),
        })
    }

    /// Whether the response's device answered for its unit before (in the database or
    /// earlier in the batch). A response without a device tag never repeats.
    pub fn repeats(&self, new: &NewResponse) -> bool {
        new.device_tag.as_ref().is_some_and(|tag| {
            self.seen
                .contains(&(new.campaign_id, new.unit_id, tag.clone()))
        })
    }

    /// Records an admitted response's device.
    pub fn admit(&mut self, new: &NewResponse) {
        if let Some(tag) = &new.device_tag {
            let key = (new.campaign_id, new.unit_id, tag.clone());
            if self.seen.insert(key.clone()) {
                self.added.push(key);
            }
        }
    }

    /// Stores the devices the batch added, in the open transaction.
    pub fn save(self, c: &mut DbConn) -> Result<(), DbError> {
        let rows: Vec<_> = self
            .added
            .iter()
            .map(|(campaign, unit, tag)| {
                (
                    device_seen::campaign_id.eq(*campaign),
                    device_seen::unit_id.eq(*unit),
                    device_seen::device_tag.eq(tag.as_str()),
                )
            })
            .collect();
        for rows in rows.chunks(1000) {
            crate::db::native(c, diesel::insert_into(device_seen::table).values(rows))?;
        }
        Ok(())
    }
}
