//! `daily`: the responses received per day of collection, one panel per wave on a shared
//! scale, the responses a quality screen flagged drawn over the foot of each day's bar.

use plotters::prelude::*;

use super::axis::{self, Scale};
use super::frame::Figure;
use super::ink::{self, Area, Drawn, Ink, Look};
use super::marks::{self, Key};
use super::palette::{BLUE, MUTED, VERMILION};
use super::words;
use crate::lang::Lang;
use crate::tables::Batch;

pub(super) struct Daily {
    title: String,
    caption: String,
    panels: Vec<Panel>,
    lang: Lang,
}

struct Panel {
    wave: String,
    /// Responses received in the wave (`quality.csv`).
    received: Option<u64>,
    heading: String,
    /// (`YYYY-MM-DD`, responses, flagged), in date order.
    days: Vec<(String, u64, u64)>,
}

/// One panel per wave with days in `daily.csv` (`unit = all`); `None` without any.
pub(super) fn plan(batch: &Batch, lang: Lang) -> Option<Daily> {
    let panels: Vec<Panel> = batch
        .waves()
        .into_iter()
        .filter_map(|wave| {
            let mut days: Vec<(String, u64, u64)> = batch
                .daily
                .iter()
                .filter(|d| d.wave == wave && d.unit == "all")
                .map(|d| (d.date.clone(), d.responses, d.flagged))
                .collect();
            if days.is_empty() {
                return None;
            }
            days.sort();
            let totals = batch
                .quality
                .iter()
                .find(|q| q.wave == wave && q.unit == "all");
            let heading = match (totals, lang) {
                (Some(q), Lang::Zh) => format!(
                    "{}：收到答卷 {} 份，其中被质量筛查标记 {} 份",
                    words::survey(&wave, lang),
                    words::count(q.responses),
                    words::count(q.flagged)
                ),
                (Some(q), Lang::En) => format!(
                    "{}: {} responses received, {} flagged by the quality screens",
                    words::survey(&wave, lang),
                    words::count(q.responses),
                    words::count(q.flagged)
                ),
                (None, _) => words::survey(&wave, lang),
            };
            Some(Panel {
                received: totals.map(|q| q.responses),
                wave,
                heading,
                days,
            })
        })
        .collect();
    if panels.is_empty() {
        return None;
    }
    let received: Vec<(String, Option<u64>)> = panels
        .iter()
        .map(|p| (p.wave.clone(), p.received))
        .collect();
    let caption = vec![
        match lang {
            Lang::Zh => format!("来源：{}收到的全部答卷，按北京时间计日", words::surveys(&received, lang)),
            Lang::En => format!("Source: every response received in {}, by day in UTC+8", words::surveys(&received, lang)),
        },
        lang.pick(
            "每日条形为收到的答卷数，底部橙红色部分为其中被质量筛查标记的答卷",
            "each bar is a day's responses, its vermilion foot those flagged by the quality screens",
        )
        .to_string(),
    ];
    Some(Daily {
        title: lang
            .pick(
                "调查期间每日收到的答卷",
                "Responses received per day of collection",
            )
            .to_string(),
        caption: words::join(&caption, lang),
        panels,
        lang,
    })
}

const PANEL: i32 = 300;
const HEAD: i32 = 50;

impl Figure for Daily {
    const ID: &'static str = "daily";

    fn title(&self) -> &str {
        &self.title
    }
    fn caption(&self) -> &str {
        &self.caption
    }
    fn body_height(&self) -> u32 {
        (HEAD + self.panels.len() as i32 * PANEL) as u32
    }

    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>, ink: Ink) -> Drawn<DB> {
        let (w, _) = area.dim_in_pixel();
        let lang = self.lang;
        let legend = [
            (
                Key::Square(BLUE),
                lang.pick("收到的答卷", "Responses").to_string(),
            ),
            (
                Key::Square(VERMILION),
                lang.pick("其中被标记", "of which flagged").to_string(),
            ),
        ];
        marks::legend(area, ink, &legend, (100, 18))?;
        let most = self
            .panels
            .iter()
            .flat_map(|p| p.days.iter().map(|d| d.1 as f64));
        let (_, top) = axis::span(most, 10.0, (0.0, f64::INFINITY));
        for (i, panel) in self.panels.iter().enumerate() {
            let y0 = HEAD + i as i32 * PANEL;
            let y = Scale {
                lo: 0.0,
                hi: top,
                from: y0 + PANEL - 60,
                to: y0 + 50,
            };
            self.panel(area, ink, panel, y, w as i32)?;
        }
        Ok(())
    }
}

impl Daily {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &Area<DB>,
        ink: Ink,
        panel: &Panel,
        y: Scale,
        w: i32,
    ) -> Drawn<DB> {
        let left = 100;
        ink.text(
            area,
            &panel.heading,
            (left, y.to - 30),
            Look::new(24.0).bold(),
        )?;
        let label = self.lang.pick("答卷（份）", "Responses");
        axis::y_axis(area, ink, y, (left, w), label, |v| format!("{v:.0}"))?;
        // Days on a calendar axis, so that a pause in collection shows as a gap.
        let days: Option<Vec<i64>> = panel.days.iter().map(|d| day_number(&d.0)).collect();
        let at: Vec<i64> = match days {
            Some(days) => days.iter().map(|d| d - days[0]).collect(),
            None => (0..panel.days.len() as i64).collect(),
        };
        let span = at.last().map_or(1, |last| last + 1) as i32;
        let slot = (w - left - 10) / span.max(1);
        let date_look = Look::new(18.0).color(MUTED).center();
        let gap = ink::width("00-00", date_look) + 16;
        let mut last_label: Option<i32> = None;
        for (&k, (date, responses, flagged)) in at.iter().zip(&panel.days) {
            let x0 = left + 10 + k as i32 * slot;
            let x1 = x0 + (slot * 4 / 5).max(1);
            let base = y.at(0.0);
            let bar = [(x0, y.at(*responses as f64)), (x1, base)];
            area.draw(&Rectangle::new(bar, BLUE.filled()))?;
            if *flagged > 0 {
                let foot = [(x0, y.at(*flagged as f64)), (x1, base)];
                area.draw(&Rectangle::new(foot, VERMILION.filled()))?;
            }
            let middle = (x0 + x1) / 2;
            // A date under a bar unless it would touch the last one written.
            if !matches!(last_label, Some(last) if middle - last < gap) {
                let short = date.get(5..10).unwrap_or(date);
                ink.text(area, short, (middle, base + 18), date_look)?;
                last_label = Some(middle);
            }
        }
        Ok(())
    }
}

/// Days since 0000-03-01 of a `YYYY-MM-DD` date (H. Hinnant's `days_from_civil`), to lay
/// the days out on a calendar; `None` when the text is not such a date.
fn day_number(date: &str) -> Option<i64> {
    let mut parts = date.get(..10)?.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era)
}

#[cfg(test)]
mod tests {
    use super::day_number;

    #[test]
    fn days_count_across_months_and_leap_years() {
        let gap = |a: &str, b: &str| day_number(b).unwrap() - day_number(a).unwrap();
        assert_eq!(gap("2025-10-17", "2025-11-13"), 27);
        assert_eq!(gap("2024-02-28", "2024-03-01"), 2);
        assert_eq!(gap("2025-02-28", "2025-03-01"), 1);
        assert_eq!(gap("2024-12-31", "2025-01-01"), 1);
        assert_eq!(day_number("2025-13-01"), None);
        assert_eq!(day_number("yesterday"), None);
    }
}
