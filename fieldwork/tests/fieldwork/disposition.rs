use minyi_fieldwork::disposition::{case_is_closed, final_code, Attempt, Class, Code};
use serde::de::value::{Error as DeError, StrDeserializer};
use serde::Deserialize;

fn attempts(list: &[(i64, &str)]) -> Vec<Attempt> {
    list.iter()
        .map(|&(at_ms, code)| Attempt {
            at_ms,
            code: Code::parse(code).unwrap(),
        })
        .collect()
}

fn check_final(list: &[(i64, &str)], expected: &str) {
    assert_eq!(final_code(&attempts(list)).code(), expected, "{list:?}");
}

#[test]
fn every_code_parses_back_and_all_is_in_aapor_order() {
    assert_eq!(Code::ALL.len(), 27);
    for code in Code::ALL {
        assert_eq!(Code::parse(code.code()), Some(code));
        assert!(!code.label_zh().is_empty() && !code.label_en().is_empty());
    }
    let numbers: Vec<f64> = Code::ALL
        .iter()
        .map(|c| c.code().parse().unwrap())
        .collect();
    assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
}

#[test]
fn codes_have_their_numbers_labels_and_classes() {
    #[rustfmt::skip]
    let table = [
        ("1.1", Class::I, "完成访问", "Complete"),
        ("1.2", Class::P, "部分完成", "Partial"),
        ("2.11", Class::R, "拒访", "Refusal"),
        ("2.12", Class::R, "中途终止", "Break-off"),
        ("2.20", Class::NC, "未接触到本人", "Non-contact"),
        ("2.21", Class::NC, "本人始终不便", "Respondent never available"),
        ("2.22", Class::NC, "已留言（确认本人）", "Answering machine, message left"),
        ("2.31", Class::O, "已故", "Deceased"),
        ("2.32", Class::O, "身体或精神原因无法受访", "Physically or mentally unable"),
        ("2.33", Class::O, "语言障碍", "Language barrier"),
        ("2.35", Class::O, "其他（合格未访）", "Other eligible non-interview"),
        ("3.11", Class::UH, "未拨打", "Not attempted"),
        ("3.12", Class::UH, "始终占线", "Always busy"),
        ("3.13", Class::UH, "无人接听", "No answer"),
        ("3.14", Class::UH, "语音信箱（身份不明）", "Answering machine, eligibility unknown"),
        ("3.15", Class::UH, "呼叫被拦截", "Call blocking"),
        ("3.16", Class::UH, "线路技术故障", "Technical phone problem"),
        ("3.21", Class::UO, "未确认是否本人", "Eligibility not established"),
        ("3.90", Class::UO, "其他（资格不明）", "Other, eligibility unknown"),
        ("4.10", Class::NE, "样本外", "Out of sample"),
        ("4.20", Class::NE, "传真或数据线路", "Fax or data line"),
        ("4.31", Class::NE, "空号", "Non-working number"),
        ("4.32", Class::NE, "停机", "Disconnected number"),
        ("4.33", Class::NE, "号码错误（非当事人）", "Wrong number"),
        ("4.70", Class::NE, "非案件当事人", "Not a case party"),
        ("4.80", Class::NE, "配额已满", "Quota filled"),
        ("4.90", Class::NE, "其他不合格", "Other ineligible"),
    ];
    let codes: Vec<&str> = Code::ALL.iter().map(|c| c.code()).collect();
    let expected: Vec<&str> = table.iter().map(|row| row.0).collect();
    assert_eq!(codes, expected);
    for (number, class, zh, en) in table {
        let code = Code::parse(number).unwrap();
        assert_eq!(
            (code.class(), code.label_zh(), code.label_en()),
            (class, zh, en)
        );
        assert_eq!(code.to_string(), number);
    }
    assert_eq!(Code::Refusal.code(), "2.11");
    assert_eq!(Code::NonWorking.label_zh(), "空号");
}

#[test]
fn parse_refuses_what_is_not_a_code_and_ignores_spaces() {
    for text in ["", "2.1", "2.110", "5.0", "1,1", "refusal"] {
        assert_eq!(Code::parse(text), None, "{text:?}");
    }
    assert_eq!(Code::parse(" 2.11 "), Some(Code::Refusal));
}

#[test]
fn a_code_deserializes_from_its_number() {
    let code = Code::deserialize(StrDeserializer::<DeError>::new("4.31")).unwrap();
    assert_eq!(code, Code::NonWorking);
    let error = Code::deserialize(StrDeserializer::<DeError>::new("9.9")).unwrap_err();
    assert!(error.to_string().contains("9.9"), "{error}");
}

#[test]
fn every_code_but_not_attempted_may_be_recorded_for_a_call() {
    let refused: Vec<Code> = Code::ALL
        .into_iter()
        .filter(|c| !c.is_attempt_outcome())
        .collect();
    assert_eq!(refused, [Code::NotAttempted]);
}

#[test]
fn completes_refusals_incapacity_and_ineligibility_end_a_case() {
    let ending: Vec<&str> = Code::ALL
        .into_iter()
        .filter(|c| c.ends_case())
        .map(|c| c.code())
        .collect();
    assert_eq!(
        ending,
        [
            "1.1", "2.11", "2.31", "2.32", "2.33", "4.10", "4.20", "4.31", "4.32", "4.33", "4.70",
            "4.80", "4.90"
        ]
    );
}

#[test]
fn a_case_without_attempts_is_not_attempted() {
    check_final(&[], "3.11");
}

#[test]
fn the_final_code_follows_the_priority_whatever_the_order() {
    // 1.1 > 1.2 > 4.x > 2.1x > 2.3x > 2.2x > 3.x, each pair with the weaker code last.
    check_final(&[(1, "3.13"), (2, "2.11"), (3, "1.1")], "1.1");
    check_final(&[(1, "1.1"), (2, "2.11")], "1.1");
    check_final(&[(1, "1.1"), (2, "1.2")], "1.1");
    check_final(&[(1, "1.2"), (2, "4.33")], "1.2");
    check_final(&[(1, "4.33"), (2, "2.11")], "4.33");
    check_final(&[(1, "2.12"), (2, "2.32")], "2.12");
    check_final(&[(1, "2.33"), (2, "2.21")], "2.33");
    check_final(&[(1, "2.22"), (2, "3.13"), (3, "3.21")], "2.22");
}

#[test]
fn within_a_priority_the_latest_attempt_wins() {
    check_final(&[(1, "3.13"), (2, "3.12")], "3.12");
    // By time, not by place in the slice.
    check_final(&[(5, "3.12"), (1, "3.13")], "3.12");
    check_final(&[(1, "4.31"), (9, "4.33"), (3, "4.20")], "4.33");
    check_final(&[(2, "2.11"), (7, "2.12")], "2.12");
    // Equal times: the later in the slice.
    check_final(&[(4, "3.14"), (4, "3.16")], "3.16");
    check_final(&[(4, "3.16"), (4, "3.14")], "3.14");
}

#[test]
fn a_case_closes_on_an_ending_code_or_at_the_attempt_limit() {
    let check = |list: &[(i64, &str)], max: u32, closed: bool| {
        assert_eq!(
            case_is_closed(&attempts(list), max),
            closed,
            "{list:?} max {max}"
        );
    };
    check(&[], 3, false);
    check(&[(1, "3.13"), (2, "3.13")], 3, false);
    check(&[(1, "3.13"), (2, "3.13"), (3, "2.21")], 3, true);
    check(&[(1, "2.11")], 3, true);
    check(&[(1, "4.31")], 3, true);
    check(&[(1, "1.1")], 3, true);
    // A partial or a break-off may be resumed.
    check(&[(1, "1.2")], 3, false);
    check(&[(1, "2.12")], 3, false);
}
