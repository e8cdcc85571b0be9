//! Fixed answer labels shared by every questionnaire.

use crate::{Lang, LikertScale};

/// Labels of the points 1..=5 of a Likert scale, lowest first.
pub fn likert_labels(scale: LikertScale, lang: Lang) -> [&'static str; 5] {
    match (scale, lang) {
        (LikertScale::Satisfaction, Lang::Zh) => {
            ["非常不满意", "不太满意", "一般", "比较满意", "非常满意"]
        }
        (LikertScale::Satisfaction, Lang::En) => [
            "Very dissatisfied",
            "Dissatisfied",
            "Neutral",
            "Satisfied",
            "Very satisfied",
        ],
        (LikertScale::Agreement, Lang::Zh) => {
            ["非常不同意", "不太同意", "一般", "比较同意", "非常同意"]
        }
        (LikertScale::Agreement, Lang::En) => [
            "Strongly disagree",
            "Disagree",
            "Neutral",
            "Agree",
            "Strongly agree",
        ],
    }
}

/// The explicit "don't know / not applicable" option, stored as `na`, never as a number.
pub fn not_applicable_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "不了解/不适用",
        Lang::En => "Don't know / not applicable",
    }
}

/// Labels of yes, no and "can't remember" (stored as `na`) for incidence items.
pub fn yes_no_labels(lang: Lang) -> [&'static str; 3] {
    match lang {
        Lang::Zh => ["是", "否", "记不清"],
        Lang::En => ["Yes", "No", "Can't remember"],
    }
}
