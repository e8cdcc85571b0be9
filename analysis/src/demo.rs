//! Synthetic demo waves: a 2024 baseline and a 2025 final with a known, moderate improvement,
//! unequal unit sizes, "不了解" answers, some speeders and, in the final wave, a stuffed burst
//! of identical answers. For demos and tests only; it never feeds a real report unasked.

use std::path::{Path, PathBuf};

use minyi_questionnaire::{ItemKind, Questionnaire};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The rated units of the demo (as the server's demo ships them), with their population of
/// contacts per year and the demo's true baseline mean on the 1–5 scale.
pub const UNITS: [(&str, f64, f64); 12] = [
    ("taihuai", 40_000.0, 3.6),
    ("jingangku", 6_000.0, 3.4),
    ("shizui", 5_000.0, 3.3),
    ("market", 12_000.0, 3.5),
    ("police", 30_000.0, 3.7),
    ("tourism", 50_000.0, 3.5),
    ("planning", 4_000.0, 3.2),
    ("rural", 3_000.0, 3.4),
    ("emergency", 2_500.0, 3.6),
    ("hr", 2_000.0, 3.8),
    ("approval", 8_000.0, 3.9),
    ("brigade", 15_000.0, 3.1),
];

/// The true improvement of the final wave on the 1–5 latent scale (about 6 index points).
pub const TRUE_SHIFT: f64 = 0.25;

/// Respondent types and their population shares (for the raking margin).
pub const TYPES: [(&str, f64); 4] = [
    ("resident", 0.40),
    ("visitor", 0.35),
    ("business", 0.15),
    ("party", 0.10),
];

const SUGGESTIONS: [&str; 10] = [
    "希望执法人员态度更加耐心，多解释政策依据",
    "检查次数太多，影响正常经营，建议合并检查",
    "处罚标准要统一，不能同样的问题处理不一样",
    "景区停车管理混乱，执法不够及时",
    "执法人员能主动出示证件，很规范",
    "希望多采用提醒和指导，少罚款",
    "投诉渠道不够通畅，反馈太慢",
    "旺季游客多，希望加强秩序管理",
    "执法过程公开透明，点赞",
    "对商户的检查要提前告知依据和流程",
];

/// Box–Muller: one standard normal draw.
fn normal(rng: &mut StdRng) -> f64 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

fn pick<'a>(rng: &mut StdRng, shares: &[(&'a str, f64)]) -> &'a str {
    let total: f64 = shares.iter().map(|s| s.1).sum();
    let mut x = rng.gen::<f64>() * total;
    for (name, share) in shares {
        x -= share;
        if x <= 0.0 {
            return name;
        }
    }
    shares[shares.len() - 1].0
}

/// One wave as CSV text: `final_wave` shifts every unit's mean by [`TRUE_SHIFT`] and lowers
/// problem incidence; `burst` appends identical answers from one site within two minutes.
pub fn wave_csv(q: &Questionnaire, seed: u64, final_wave: bool, burst: usize) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    let items: Vec<_> = q.items().map(|(_, i)| i).collect();
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "response_id",
        "submitted_at",
        "unit",
        "respondent_type",
        "duration_seconds",
        "site",
    ];
    header.extend(
        items
            .iter()
            .filter(|i| i.id != "respondent_type")
            .map(|i| i.id.as_str()),
    );
    let _ = out.write_record(&header);
    let start = if final_wave {
        1_760_000_000
    } else {
        1_728_000_000
    };
    let shift = if final_wave { TRUE_SHIFT } else { 0.0 };
    let mut id = 0;
    for (unit, population, mean) in UNITS {
        // Unequal samples: roughly proportional to √N, at least 25.
        let n = (population.sqrt() * 0.6).round().max(25.0) as usize;
        for _ in 0..n {
            id += 1;
            let kind = pick(
                &mut rng,
                &[
                    ("resident", 0.45),
                    ("visitor", 0.25),
                    ("business", 0.2),
                    ("party", 0.1),
                ],
            );
            let person =
                mean + shift + 0.6 * normal(&mut rng) + if kind == "party" { -0.3 } else { 0.0 };
            let speeder = rng.gen::<f64>() < 0.03;
            let duration = if speeder {
                rng.gen_range(20.0..50.0)
            } else {
                240.0 * (0.35 * normal(&mut rng)).exp()
            };
            let mut row = vec![
                id.to_string(),
                format_time(start + id * 900 + rng.gen_range(0..600)),
                unit.to_string(),
                kind.to_string(),
                format!("{duration:.1}"),
                ["hall", "scenic", "case"][rng.gen_range(0..3)].to_string(),
            ];
            for item in items.iter().filter(|i| i.id != "respondent_type") {
                row.push(answer(&mut rng, item, kind, person, final_wave));
            }
            let _ = out.write_record(&row);
        }
    }
    for k in 0..burst {
        id += 1;
        let mut row = vec![
            id.to_string(),
            format_time(start + 3_000_000 + 8 * k as i64),
            "brigade".into(),
            "resident".into(),
            "95.0".into(),
            "hall".into(),
        ];
        for item in items.iter().filter(|i| i.id != "respondent_type") {
            row.push(match &item.kind {
                ItemKind::Likert5 { .. } => "5".into(),
                ItemKind::Scale10 { .. } => "10".into(),
                ItemKind::YesNo { .. } => if item.indicator.as_deref() == Some("problems") {
                    "no"
                } else {
                    "yes"
                }
                .into(),
                ItemKind::Single { options } if item.show_if.is_none() => options[0].code.clone(),
                ItemKind::Multi { options, .. } => options[0].code.clone(),
                _ => String::new(),
            });
        }
        let _ = out.write_record(&row);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn format_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default()
}

/// One answer of a demo respondent with latent satisfaction `person`.
fn answer(
    rng: &mut StdRng,
    item: &minyi_questionnaire::Item,
    kind: &str,
    person: f64,
    final_wave: bool,
) -> String {
    let business_only = item.show_if.is_some() || item.id.starts_with("biz_");
    if business_only && kind != "business" {
        return String::new();
    }
    match &item.kind {
        ItemKind::Likert5 { allow_na, .. } => {
            if *allow_na && rng.gen::<f64>() < 0.08 {
                return "na".into();
            }
            let v = (person + 0.5 * normal(rng)).round().clamp(1.0, 5.0);
            format!("{v}")
        }
        ItemKind::Scale10 { .. } => {
            let v = (2.5 * (person - 1.0) + 1.2 * normal(rng))
                .round()
                .clamp(0.0, 10.0);
            format!("{v}")
        }
        ItemKind::YesNo { allow_na } => {
            if *allow_na && rng.gen::<f64>() < 0.05 {
                return "na".into();
            }
            let problem = item.indicator.as_deref() == Some("problems");
            let p = if problem {
                (0.45 - 0.1 * person).clamp(0.02, 0.5) * if final_wave { 0.7 } else { 1.0 }
            } else {
                (0.3 + 0.12 * person).clamp(0.1, 0.95)
            };
            if rng.gen::<f64>() < p { "yes" } else { "no" }.into()
        }
        ItemKind::Single { options } => options[rng.gen_range(0..options.len())].code.clone(),
        ItemKind::Multi { options, .. } => {
            let a = rng.gen_range(0..options.len());
            let b = rng.gen_range(0..options.len());
            let mut codes = vec![options[a].code.clone()];
            if b != a && rng.gen::<f64>() < 0.3 {
                codes.push(options[b].code.clone());
            }
            codes.join(";")
        }
        ItemKind::Text { .. } => {
            if rng.gen::<f64>() < 0.3 {
                SUGGESTIONS[rng.gen_range(0..SUGGESTIONS.len())].into()
            } else {
                String::new()
            }
        }
    }
}

/// Writes `baseline-2024.csv` and `final-2025.csv` into `dir`; returns their paths.
pub fn write_demo_data(dir: &Path) -> std::io::Result<(PathBuf, PathBuf)> {
    let q = Questionnaire::default_questionnaire();
    std::fs::create_dir_all(dir)?;
    let base = dir.join("baseline-2024.csv");
    let fin = dir.join("final-2025.csv");
    std::fs::write(&base, wave_csv(&q, 2024, false, 0))?;
    std::fs::write(&fin, wave_csv(&q, 2025, true, 15))?;
    Ok((base, fin))
}

/// The shipped demo batch file (`batches/demo.toml`).
pub const DEMO_BATCH: &str = include_str!("../../batches/demo.toml");

/// Writes a self-contained demo batch into `dir`: the default questionnaire, the two
/// synthetic waves in `demo-data/` and `demo.toml` pointing at them; returns the batch path.
pub fn write_demo_batch(dir: &Path) -> std::io::Result<PathBuf> {
    write_demo_data(&dir.join("demo-data"))?;
    std::fs::write(
        dir.join("questionnaire.toml"),
        minyi_questionnaire::DEFAULT_TOML,
    )?;
    let batch = DEMO_BATCH.replace(
        "questionnaire = \"../questionnaires/default.toml\"",
        "questionnaire = \"questionnaire.toml\"",
    );
    let path = dir.join("demo.toml");
    std::fs::write(&path, batch)?;
    Ok(path)
}
