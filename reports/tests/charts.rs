//! The charts of the demo batch: each renders, its SVG is XML naming the units and labels,
//! its PNG decodes with real Chinese glyphs in it, flagged estimates are marked, and a chart
//! without rows is left out. With `MINYI_TEST_ARTIFACTS` set, the images are written to
//! `$MINYI_TEST_ARTIFACTS/charts/` for people to look at.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use image::RgbImage;
use minyi_reports::charts::{draw_all, Chart};
use minyi_reports::{Batch, Lang};

fn fixture() -> Batch {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo");
    Batch::load(&dir).unwrap()
}

fn chart<'a>(charts: &'a [Chart], id: &str) -> &'a Chart {
    charts
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no chart {id}"))
}

/// Every text of the SVG, in order and joined without separators, so that a label wrapped
/// over lines reads whole again; the SVG must be well-formed XML.
fn svg_text(chart: &Chart) -> String {
    let doc = roxmltree::Document::parse(&chart.svg)
        .unwrap_or_else(|e| panic!("{}: SVG is not XML: {e}", chart.id));
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect()
}

fn png(chart: &Chart) -> RgbImage {
    image::load_from_memory(&chart.png)
        .unwrap_or_else(|e| panic!("{}: PNG does not decode: {e}", chart.id))
        .to_rgb8()
}

fn save(charts: &[Chart], lang: Lang) {
    let Some(dir) = std::env::var_os("MINYI_TEST_ARTIFACTS") else {
        return;
    };
    let dir = Path::new(&dir).join("charts");
    std::fs::create_dir_all(&dir).unwrap();
    for c in charts {
        let name = format!("{}-{}", lang.tag(), c.id);
        std::fs::write(dir.join(format!("{name}.png")), &c.png).unwrap();
        std::fs::write(dir.join(format!("{name}.svg")), &c.svg).unwrap();
    }
}

fn ids(charts: &[Chart]) -> Vec<&str> {
    charts.iter().map(|c| c.id.as_str()).collect()
}

const TWO_WAVE_CHARTS: [&str; 7] = [
    "unit_index",
    "unit_change",
    "likert",
    "problems",
    "ipa",
    "heatmap",
    "daily",
];

#[test]
fn every_chart_renders_for_the_fixture_in_both_languages() {
    let batch = fixture();
    for lang in [Lang::Zh, Lang::En] {
        let started = Instant::now();
        let charts = draw_all(&batch, lang).unwrap();
        eprintln!("draw_all({lang:?}): {:?}", started.elapsed());
        save(&charts, lang);
        assert_eq!(
            ids(&charts),
            TWO_WAVE_CHARTS,
            "a two-wave batch has no `waves`"
        );
        for c in &charts {
            assert!(!c.title.is_empty() && !c.caption.is_empty(), "{}", c.id);
            assert_eq!((c.width, png(c).width()), (1600, 1600), "{}", c.id);
            assert_eq!(png(c).height(), c.height, "{}", c.id);
            let text = svg_text(c);
            assert!(
                text.contains(&c.title),
                "{}: the title is in the image",
                c.id
            );
        }
        // The whole report must render in under 5 s; the charts are a part of it.
        assert!(
            started.elapsed().as_secs_f64() < 4.0,
            "{:?}",
            started.elapsed()
        );
    }
}

#[test]
fn svgs_name_the_units_and_labels_in_the_shipped_font() {
    let batch = fixture();
    let charts = draw_all(&batch, Lang::Zh).unwrap();
    for c in &charts {
        let first = c.svg.find("font-family=\"").unwrap() + 13;
        assert!(c.svg[first..].starts_with("Minyi Sans SC, "), "{}", c.id);
    }
    let wave = batch.current_wave();
    let with_index = |u: &str| batch.estimate(&wave, "unit", u, "index", "index").is_some();
    let units: Vec<&str> = batch
        .units
        .iter()
        .map(|u| u.unit.as_str())
        .filter(|u| with_index(u))
        .collect();
    assert!(units.len() >= 10, "the demo rates every unit");
    for id in ["unit_index", "unit_change", "heatmap", "problems"] {
        let text = svg_text(chart(&charts, id));
        for u in &units {
            assert!(
                text.contains(batch.unit_name(u)),
                "{id} names {}",
                batch.unit_name(u)
            );
        }
    }
    assert!(svg_text(chart(&charts, "unit_index")).contains("台怀镇"));
    for id in ["heatmap", "likert"] {
        let text = svg_text(chart(&charts, id));
        for d in batch.dimensions().into_iter().filter(|d| *d != "problems") {
            assert!(text.contains(batch.label(d, Lang::Zh)), "{id} names {d}");
        }
    }
    let problems = svg_text(chart(&charts, "problems"));
    let items = batch.items_under("problems");
    assert_eq!(items.len(), 7, "the seven prominent problems");
    for item in items {
        assert!(
            problems.contains(batch.label(item, Lang::Zh)),
            "problems names {item}"
        );
    }
    let heatmap = chart(&charts, "heatmap");
    assert!(
        heatmap.caption.contains("按 100 ×（1 - 发生率）计"),
        "{}",
        heatmap.caption
    );
    let ipa = svg_text(chart(&charts, "ipa"));
    assert!(
        ipa.contains("重点改进区") && ipa.contains("继续保持区"),
        "{ipa}"
    );
    let en = draw_all(&batch, Lang::En).unwrap();
    let squeezed = |s: &str| s.replace(' ', "");
    let heatmap = squeezed(&svg_text(chart(&en, "heatmap")));
    for d in batch.dimensions() {
        assert!(
            heatmap.contains(&squeezed(batch.label(d, Lang::En))),
            "English {d}"
        );
    }
}

/// Dark pixels of a crop, as a set of coordinates relative to the crop.
fn ink(image: &RgbImage, (x0, y0): (u32, u32), (w, h): (u32, u32)) -> HashSet<(u32, u32)> {
    let mut out = HashSet::new();
    for y in 0..h {
        for x in 0..w {
            let p = image.get_pixel(x0 + x, y0 + y).0;
            if p.iter().map(|&c| c as u32).sum::<u32>() < 3 * 128 {
                out.insert((x, y));
            }
        }
    }
    out
}

#[test]
fn pngs_are_drawn_with_real_chinese_glyphs() {
    let batch = fixture();
    let charts = draw_all(&batch, Lang::Zh).unwrap();
    for c in &charts {
        let image = png(c);
        let colours: HashSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
        assert!(
            colours.len() > 100,
            "{}: only {} colours",
            c.id,
            colours.len()
        );
    }
    // The titles start with six different characters each ("各单位综合满" and "调查期间每日").
    // Drawn as tofu, every character would be the same box and both crops would be equal;
    // drawn as nothing, neither would have ink.
    let (a, b) = (chart(&charts, "unit_index"), chart(&charts, "daily"));
    assert!(a.title.starts_with("各单位综合满") && b.title.starts_with("调查期间每日"));
    let crop = ((40, 20), (6 * 27, 60));
    let (ink_a, ink_b) = (ink(&png(a), crop.0, crop.1), ink(&png(b), crop.0, crop.1));
    for (c, ink) in [(a, &ink_a), (b, &ink_b)] {
        assert!(
            ink.len() > 600,
            "{}: title has {} dark pixels",
            c.id,
            ink.len()
        );
    }
    let differ = ink_a.symmetric_difference(&ink_b).count();
    let union = ink_a.union(&ink_b).count();
    assert!(
        differ * 2 > union,
        "the two titles look alike: {differ} of {union} pixels differ"
    );
}

#[test]
fn a_flagged_estimate_is_marked() {
    let mut batch = fixture();
    let wave = batch.current_wave();
    let unit = batch.units[0].unit.clone();
    let name = batch.unit_name(&unit).to_string();
    for e in batch
        .estimates
        .iter_mut()
        .filter(|e| e.wave == wave && e.group_var == "unit")
    {
        let this = e.group == unit;
        e.flag_small = this && e.level == "index";
        e.flag_imprecise = this && e.indicator == "conduct";
    }
    let charts = draw_all(&batch, Lang::Zh).unwrap();
    let unit_index = chart(&charts, "unit_index");
    let text = svg_text(unit_index);
    assert!(text.contains(&format!("{name} ※")), "{text}");
    assert_eq!(
        text.matches(" ※").count(),
        1,
        "only the flagged unit is marked"
    );
    assert!(
        unit_index.caption.contains("仅供参考"),
        "{}",
        unit_index.caption
    );
    let heatmap = chart(&charts, "heatmap");
    assert!(svg_text(heatmap).contains('※') && heatmap.caption.contains('※'));
}

#[test]
fn the_waves_chart_needs_more_than_two_waves() {
    let mut batch = fixture();
    let base = batch.wave_with_role("baseline").unwrap();
    let earlier: Vec<_> = batch
        .estimates
        .iter()
        .filter(|e| e.wave == base && e.group_var == "overall" && e.indicator == "index")
        .map(|e| minyi_reports::tables::Estimate {
            wave: "2023".into(),
            ..e.clone()
        })
        .collect();
    batch.estimates.extend(earlier);
    let waves = batch.manifest.configuration["waves"]
        .as_array_mut()
        .unwrap();
    waves.insert(0, serde_json::json!({ "label": "2023", "role": "other" }));
    let charts = draw_all(&batch, Lang::Zh).unwrap();
    let text = svg_text(chart(&charts, "waves"));
    assert!(text.contains("2023") && text.contains(&base), "{text}");
}

#[test]
fn a_chart_without_rows_is_left_out() {
    let mut batch = fixture();
    batch.daily.clear();
    batch.importance.clear();
    batch.comparisons.clear();
    let charts = draw_all(&batch, Lang::Zh).unwrap();
    let expected: Vec<&str> = TWO_WAVE_CHARTS
        .into_iter()
        .filter(|id| !["daily", "ipa"].contains(id))
        .collect();
    assert_eq!(ids(&charts), expected);
    let change = chart(&charts, "unit_change");
    assert!(
        !svg_text(change).contains("[+"),
        "no change written without comparisons.csv"
    );
}
