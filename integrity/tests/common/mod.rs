//! The response the integrity tests log, again and again.

use minyi_integrity::leaf::LeafRecord;

/// A response of campaign `2025-final` with id `id` (its salt left to the log).
pub fn record(id: i64) -> LeafRecord {
    LeafRecord {
        salt: [0; 16],
        campaign: "2025-final".into(),
        response_id: id,
        unit: "u01".into(),
        site: "hall".into(),
        respondent_type: "resident".into(),
        lang: "zh".into(),
        questionnaire: "ab12".into(),
        submitted_at_ms: 1_750_000_000_000 + id,
        duration_ms: 180_000,
        link_check: "signed".into(),
        over_quota: false,
        collection: minyi_integrity::Collection::default(),
        answers: vec![
            ("overall".into(), "4".into()),
            ("trust".into(), "na".into()),
        ],
    }
}
