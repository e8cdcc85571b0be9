//! `dispositions.csv`: what happened to every released case, for the evaluator and the
//! analysis — the case's random reference, stratum, unit, inclusion probability, final AAPOR
//! code, attempts and mode. No phone number, name or frame id.

use crate::db::campaigns::CampaignContext;
use crate::fieldwork::status::Fieldwork;

pub const HEADER: [&str; 8] = [
    "case_id",
    "stratum",
    "unit",
    "inclusion_probability",
    "final_code",
    "attempts",
    "mode",
    "interviewer",
];

pub fn csv(ctx: &CampaignContext, fieldwork: &Fieldwork) -> Vec<u8> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(HEADER).expect("writing to memory");
    for case in &fieldwork.cases {
        let stratum = fieldwork
            .strata
            .iter()
            .find(|s| s.stratum == case.record.stratum);
        let unit = ctx
            .units
            .iter()
            .find(|u| u.id == case.record.unit_id)
            .map_or("", |u| u.code.as_str());
        let probability = stratum.map_or(0.0, |s| s.inclusion_probability());
        out.write_record([
            case.record.case_ref.as_str(),
            case.record.stratum.as_str(),
            unit,
            &format!("{probability}"),
            case.final_code.code(),
            &(case.attempts.len() + usize::from(case.sms_complete)).to_string(),
            case.mode(),
            case.interviewer(),
        ])
        .expect("writing to memory");
    }
    out.into_inner().expect("writing to memory")
}
