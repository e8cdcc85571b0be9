//! The demo's fieldwork on the open wave: a synthetic frame of case parties (当事人), the
//! sample drawn from it and some calls already made — all through the calls the console makes,
//! so that the calls page, the SMS outbox and the outcome rates have something to show.
//!
//! The frame is made up: phone numbers `19900xxxxxx`, names from a short list. Nothing in it
//! depends on chance but the sealing; the draw has a fixed seed.

#[path = "demo_calls.rs"]
mod calls;

use std::fmt::Write as _;

use anyhow::{anyhow, Context};
use minyi_fieldwork::draw::Method;
use minyi_fieldwork::frame_file::Mapping;

use super::{OPEN_CAMPAIGN, UNITS};
use crate::db::campaigns;
use crate::db::fieldwork::settings::{self, Settings};
use crate::db::fieldwork::{cases, draws, frames};
use crate::db::DbConn;
use crate::fieldwork::draw::{self, DrawRequest};
use crate::fieldwork::frame::{self, ImportError};
use crate::fieldwork::seal::FieldworkKeys;

/// The parties in the demo frame.
pub const FRAME_ROWS: usize = 3_000;
/// Who the audit log names for what the demo does.
const ACTOR: &str = "demo";
const FRAME_FILE: &str = "demo-frame.csv";
const HEADER: &str = "案件编号,执法单位,案件类型,当事人类型,办结月份,手机号,姓名";
const CASE_TYPES: [&str; 4] = ["行政处罚", "行政许可", "行政检查", "行政强制"];
const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "郭",
];
const GIVEN_NAMES: [&str; 16] = [
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛",
];

/// Adds the open wave's fieldwork unless it has some: the frame, the fieldwork settings (the
/// defaults), the draw, then the worked cases. A draw the demo did not make is left alone; one
/// it made but did not get to work (a run cut short) gets its calls now.
pub fn load(conn: &mut DbConn, keys: &FieldworkKeys) -> anyhow::Result<()> {
    let ctx =
        campaigns::load_context(conn, OPEN_CAMPAIGN)?.context("the demo's open wave is missing")?;
    let campaign_id = ctx.campaign.id;
    let draw_id = match draws::of_campaign(conn, campaign_id)? {
        Some(drawn) if drawn.drawn_by == ACTOR => drawn.id,
        Some(_) => return Ok(()),
        None => {
            match frames::latest(conn, campaign_id)? {
                Some(frame) if frame.imported_by != ACTOR => return Ok(()),
                Some(_) => {}
                None => {
                    let bytes = frame_csv();
                    frame::import(conn, keys, &ctx, FRAME_FILE, &bytes, &mapping(), ACTOR)
                        .map_err(explain)
                        .context("importing the demo frame")?;
                }
            }
            settings::save(conn, &Settings::defaults(campaign_id), ACTOR)?;
            draw::draw(conn, keys, &ctx, &draw_request(), ACTOR)
                .context("drawing the demo sample")?
                .draw_id
        }
    };
    if cases::attempts(conn, draw_id)?.is_empty() {
        calls::work(conn, keys, &ctx, draw_id).context("working the demo cases")?;
    }
    Ok(())
}

/// The frame's columns, as an evaluator maps them on the import page.
fn mapping() -> Mapping {
    Mapping {
        id: "案件编号".into(),
        unit: "执法单位".into(),
        strata: vec!["案件类型".into(), "当事人类型".into(), "办结月份".into()],
        phone: "手机号".into(),
        name: Some("姓名".into()),
    }
}

/// Eight completes per unit, shared between individuals and businesses by their frame counts;
/// half of the released cases expected to answer, as many again held back for top-ups.
fn draw_request() -> DrawRequest {
    DrawRequest {
        method: Method::Srswor,
        strata_by: vec!["当事人类型".into()],
        sort_by: None,
        expected_rate: 0.5,
        reserve: 1.0,
        seed: Some(2025),
        target_per_unit: Some(8),
    }
}

/// A case register extract as a unit would send it: [`FRAME_ROWS`] parties spread over the
/// units, about 70 % individuals, cases closed January to October 2025. Each unit is written
/// by its Chinese name in half of its rows and by its code in the other half.
fn frame_csv() -> Vec<u8> {
    let mut csv = String::with_capacity(FRAME_ROWS * 80);
    csv.push_str(HEADER);
    csv.push('\n');
    for i in 0..FRAME_ROWS {
        let (code, name_zh, _, _) = UNITS[i % UNITS.len()];
        let unit = if (i / UNITS.len()).is_multiple_of(2) {
            name_zh
        } else {
            code
        };
        let h = mix(i as u64);
        let case_type = CASE_TYPES[pick(h, 0, CASE_TYPES.len())];
        let party = if pick(h, 8, 10) < 7 {
            "个人"
        } else {
            "企业"
        };
        let month = pick(h, 16, 10) + 1;
        let surname = SURNAMES[pick(h, 24, SURNAMES.len())];
        let given = GIVEN_NAMES[pick(h, 32, GIVEN_NAMES.len())];
        writeln!(
            csv,
            "WTS-2025-{:05},{unit},{case_type},{party},2025-{month:02},19900{i:06},{surname}{given}",
            i + 1
        )
        .expect("writing to a String");
    }
    csv.into_bytes()
}

/// SplitMix64: the frame's values vary from row to row without a random number generator,
/// and without the stripes `i % n` would draw across the units.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number below `n` from the bits of `h` starting at `shift`.
fn pick(h: u64, shift: u32, n: usize) -> usize {
    ((h >> shift) & 0xFF) as usize % n
}

/// The frame's first problem, in the error: the demo's frame has none unless the code is wrong.
fn explain(e: ImportError) -> anyhow::Error {
    match e {
        ImportError::Problems(problems) => anyhow!(
            "{} problem(s), the first: {}",
            problems.len(),
            problems
                .first()
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
        ImportError::Db(e) => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minyi_fieldwork::frame_file::read_frame;

    #[test]
    fn the_demo_frame_reads_clean_with_about_seventy_percent_individuals() {
        let mut units: Vec<&str> = UNITS.iter().map(|u| u.0).collect();
        units.extend(UNITS.iter().map(|u| u.1));
        let frame = read_frame(FRAME_FILE, &frame_csv(), &mapping(), &units).unwrap();
        assert_eq!(frame.rows.len(), FRAME_ROWS);
        let individuals = frame.rows.iter().filter(|r| r.strata[1] == "个人").count();
        assert!((1_950..2_250).contains(&individuals), "{individuals}");
        assert!(frame.rows.iter().all(|r| r.phone.starts_with("19900")));
        assert_eq!(frame.rows[0].unit, "台怀镇");
        assert_eq!(frame.rows[UNITS.len()].unit, "taihuai");
    }
}
