//! Counts kept as responses and flags are stored, so that the progress page, the quality
//! panel and the quotas never count a campaign's rows: `response_counts` (written by
//! `responses::batch`) and `flag_counts` (here, by the batch and by flags set afterwards).
//! Derived data: the integrity log, not these tables, is the evidence.

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::upsert::excluded;

use super::schema::flag_counts;
use super::{DbConn, DbError};

/// Milliseconds in a day, and China Standard Time's offset from UTC.
const DAY_MS: i64 = 86_400_000;
const CST_OFFSET_MS: i64 = 8 * 3_600_000;

/// The day (since 1970-01-01, China Standard Time) a response submitted at `ms` counts under.
pub fn cst_day(ms: i64) -> i64 {
    (ms + CST_OFFSET_MS).div_euclid(DAY_MS)
}

/// Flags to add, per (campaign, unit, day of the response, flag).
pub type FlagCounts = BTreeMap<(i32, i32, i64, String), i64>;

/// Adds flags stored in the open transaction to `flag_counts`.
pub fn add_flags(c: &mut DbConn, counts: &FlagCounts) -> Result<(), DbError> {
    // One statement a row: diesel has no multi-row upsert on SQLite, and a batch touches few
    // (unit, day, flag) cells.
    for ((campaign_id, unit_id, day, flag), n) in counts {
        super::native(
            c,
            diesel::insert_into(flag_counts::table)
                .values((
                    flag_counts::campaign_id.eq(campaign_id),
                    flag_counts::unit_id.eq(unit_id),
                    flag_counts::day.eq(day),
                    flag_counts::flag.eq(flag),
                    flag_counts::n.eq(n),
                ))
                .on_conflict((
                    flag_counts::campaign_id,
                    flag_counts::unit_id,
                    flag_counts::day,
                    flag_counts::flag,
                ))
                .do_update()
                .set(flag_counts::n.eq(flag_counts::n + excluded(flag_counts::n))),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cst_day;

    #[test]
    fn a_day_turns_at_midnight_in_beijing() {
        // 2025-06-15 15:59:59.999 UTC is 23:59:59.999 in Beijing; a millisecond later it is the 16th.
        let before = 1_750_003_199_999;
        assert_eq!(cst_day(before) + 1, cst_day(before + 1));
        assert_eq!(cst_day(0), 0);
        assert_eq!(cst_day(-8 * 3_600_000 - 1), -1);
    }
}
