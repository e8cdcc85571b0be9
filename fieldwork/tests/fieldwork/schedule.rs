use minyi_fieldwork::schedule::{
    cst_time_of_day_ms, next_case, next_window_start, parse_windows, projected_finish, status,
    CallRules, CaseStatus, CaseView, StratumProgress, Window, WindowError,
};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
/// 2025-03-01 00:00 CST = 2025-02-28T16:00:00Z.
const DAY: i64 = 1_740_758_400_000;

/// Epoch ms of `h:m` CST on 2025-03-01.
fn cst(h: i64, m: i64) -> i64 {
    DAY + h * HOUR + m * MINUTE
}

fn rules() -> CallRules {
    CallRules {
        windows: parse_windows("09:00-12:00,18:30-21:00").unwrap(),
        max_attempts: 5,
        min_gap_minutes: 60,
        responsive: false,
    }
}

fn case(key: usize) -> CaseView {
    CaseView {
        key,
        stratum: 0,
        attempts: 0,
        last_attempt_ms: None,
        appointment_ms: None,
        closed: false,
        held_by_other: false,
        seq: key as u32,
    }
}

fn window(start: u16, end: u16) -> Window {
    Window::new(start, end).unwrap()
}

#[test]
fn utc_instants_convert_to_china_standard_time() {
    // 2025-03-01T10:30:00Z is 18:30 CST: 18.5 h = 66 600 000 ms after local midnight.
    assert_eq!(cst(18, 30), 1_740_825_000_000);
    assert_eq!(cst_time_of_day_ms(1_740_825_000_000), 66_600_000);
    // 16:00Z is local midnight; one ms before the epoch is 07:59:59.999 CST.
    assert_eq!(cst_time_of_day_ms(DAY), 0);
    assert_eq!(cst_time_of_day_ms(-1), 8 * HOUR - 1);
}

#[test]
fn windows_parse_into_minutes_sorted() {
    // 09:00 = 540, 12:00 = 720, 18:30 = 1110, 21:00 = 1260.
    let windows = parse_windows("18:30 - 21:00，9:00–12:00").unwrap();
    assert_eq!(windows, [window(540, 720), window(1110, 1260)]);
    assert_eq!(windows[1].to_string(), "18:30-21:00");
    assert_eq!(parse_windows("20:00~24:00").unwrap(), [window(1200, 1440)]);
    // Windows may touch.
    assert_eq!(parse_windows("09:00-12:00,12:00-13:00").unwrap().len(), 2);
}

#[test]
fn bad_windows_are_refused_with_the_offending_text() {
    let check = |text: &str, expected: WindowError| {
        assert_eq!(parse_windows(text), Err(expected), "{text:?}");
    };
    check("", WindowError::Empty);
    check("  ", WindowError::Empty);
    check("09:00", WindowError::Format("09:00".into()));
    check("9-12", WindowError::Time("9".into()));
    check("25:00-26:00", WindowError::Time("25:00".into()));
    check("09:60-10:00", WindowError::Time("09:60".into()));
    check("24:30-24:45", WindowError::Time("24:30".into()));
    check("9:5-10:00", WindowError::Time("9:5".into()));
    check("21:00-18:30", WindowError::Order("21:00-18:30".into()));
    check("22:00-02:00", WindowError::Order("22:00-02:00".into()));
    check("09:00-09:00", WindowError::Order("09:00-09:00".into()));
    check(
        "11:00-13:00,09:00-12:00",
        WindowError::Overlap(window(540, 720), window(660, 780)),
    );
    assert!(Window::new(0, 1441).is_err());
}

#[test]
fn a_window_holds_its_start_and_not_its_end() {
    let evening = window(1110, 1260);
    assert!(!evening.contains(cst(18, 30) - 1));
    assert!(evening.contains(cst(18, 30)));
    assert!(evening.contains(cst(21, 0) - 1));
    assert!(!evening.contains(cst(21, 0)));
}

#[test]
fn the_next_window_opens_today_or_tomorrow() {
    let windows = rules().windows;
    assert_eq!(next_window_start(&windows, cst(8, 0)), Some(cst(9, 0)));
    assert_eq!(next_window_start(&windows, cst(10, 0)), Some(cst(18, 30)));
    // At a window's start the next start is the following one.
    assert_eq!(next_window_start(&windows, cst(9, 0)), Some(cst(18, 30)));
    assert_eq!(next_window_start(&windows, cst(12, 0)), Some(cst(18, 30)));
    assert_eq!(
        next_window_start(&windows, cst(21, 0)),
        Some(cst(24 + 9, 0))
    );
    assert_eq!(next_window_start(&[], cst(21, 0)), None);
}

#[test]
fn a_fresh_case_is_callable_in_a_window_only() {
    let rules = rules();
    assert_eq!(status(&rules, &case(0), cst(19, 0)), CaseStatus::Callable);
    assert_eq!(
        status(&rules, &case(0), cst(13, 0)),
        CaseStatus::OutsideWindow {
            next_window_ms: cst(18, 30)
        }
    );
    let anytime = CallRules {
        windows: vec![],
        ..rules
    };
    assert_eq!(status(&anytime, &case(0), cst(3, 0)), CaseStatus::Callable);
}

#[test]
fn closed_held_and_exhausted_cases_are_never_called() {
    let rules = rules();
    let now = cst(19, 0);
    let due = Some(now);
    let closed = CaseView {
        closed: true,
        appointment_ms: due,
        ..case(0)
    };
    assert_eq!(status(&rules, &closed, now), CaseStatus::Closed);
    let held = CaseView {
        held_by_other: true,
        appointment_ms: due,
        ..case(0)
    };
    assert_eq!(status(&rules, &held, now), CaseStatus::HeldByOther);
    let tried = |attempts| CaseView {
        attempts,
        last_attempt_ms: Some(now - 2 * HOUR),
        ..case(0)
    };
    assert_eq!(status(&rules, &tried(5), now), CaseStatus::MaxAttempts);
    assert_eq!(status(&rules, &tried(4), now), CaseStatus::Callable);
}

#[test]
fn an_appointment_is_due_five_minutes_early_whatever_the_window_and_gap() {
    let rules = rules();
    let at = cst(23, 0); // outside every window
    let booked = CaseView {
        attempts: 1,
        last_attempt_ms: Some(at - 10 * MINUTE), // within the 60-minute gap
        appointment_ms: Some(at),
        ..case(0)
    };
    assert_eq!(
        status(&rules, &booked, at - 5 * MINUTE - 1),
        CaseStatus::Appointment { at }
    );
    assert_eq!(
        status(&rules, &booked, at - 5 * MINUTE),
        CaseStatus::AppointmentDue { at }
    );
    assert_eq!(
        status(&rules, &booked, at + HOUR),
        CaseStatus::AppointmentDue { at }
    );
    // A future appointment holds the case even inside a window.
    let later = CaseView {
        appointment_ms: Some(cst(20, 0)),
        ..case(0)
    };
    assert_eq!(
        status(&rules, &later, cst(19, 0)),
        CaseStatus::Appointment { at: cst(20, 0) }
    );
}

#[test]
fn a_kept_appointment_gives_way_to_the_usual_rules() {
    // Called at 22:56 for a 23:00 appointment (after the due time 22:55): kept. At 23:30 the
    // gap (until 23:56) applies, and after it the window.
    let rules = rules();
    let kept = CaseView {
        attempts: 2,
        last_attempt_ms: Some(cst(22, 56)),
        appointment_ms: Some(cst(23, 0)),
        ..case(0)
    };
    assert_eq!(
        status(&rules, &kept, cst(23, 30)),
        CaseStatus::TooSoon { until: cst(23, 56) }
    );
    assert_eq!(
        status(&rules, &kept, cst(23, 56)),
        CaseStatus::OutsideWindow {
            next_window_ms: cst(24 + 9, 0)
        }
    );
}

#[test]
fn the_gap_runs_from_the_last_attempt() {
    let rules = rules();
    let called = CaseView {
        attempts: 1,
        last_attempt_ms: Some(cst(18, 40)),
        ..case(0)
    };
    assert_eq!(
        status(&rules, &called, cst(19, 39)),
        CaseStatus::TooSoon { until: cst(19, 40) }
    );
    assert_eq!(status(&rules, &called, cst(19, 40)), CaseStatus::Callable);
}

#[test]
fn due_appointments_come_first_earliest_first() {
    let rules = rules();
    let now = cst(19, 0);
    let cases = [
        case(0),
        CaseView {
            appointment_ms: Some(now + 3 * MINUTE),
            ..case(1)
        },
        CaseView {
            appointment_ms: Some(now - 10 * MINUTE),
            attempts: 4,
            ..case(2)
        },
        CaseView {
            appointment_ms: Some(now + HOUR),
            ..case(3)
        },
    ];
    assert_eq!(next_case(&rules, &cases, &[], now), Some(2));
    assert_eq!(next_case(&rules, &cases[..2], &[], now), Some(1));
    assert_eq!(next_case(&rules, &[cases[0], cases[3]], &[], now), Some(0));
}

#[test]
fn then_fewest_attempts_then_oldest_call_then_seq() {
    let rules = rules();
    let now = cst(19, 0);
    let called = |key, attempts, hours_ago| CaseView {
        attempts,
        last_attempt_ms: Some(now - hours_ago * HOUR),
        ..case(key)
    };
    assert_eq!(
        next_case(&rules, &[called(0, 2, 5), called(1, 1, 2)], &[], now),
        Some(1)
    );
    assert_eq!(
        next_case(&rules, &[called(0, 1, 2), called(1, 1, 5)], &[], now),
        Some(1)
    );
    // Never called (attempts 1 but no time, e.g. an imported count) before called.
    let untimed = CaseView {
        attempts: 1,
        ..case(1)
    };
    assert_eq!(
        next_case(&rules, &[called(0, 1, 5), untimed], &[], now),
        Some(1)
    );
    let late_seq = CaseView { seq: 9, ..case(0) };
    assert_eq!(next_case(&rules, &[late_seq, case(1)], &[], now), Some(1));
    // Equal in everything: the first.
    assert_eq!(next_case(&rules, &[case(4), case(4)], &[], now), Some(0));
}

#[test]
fn a_responsive_queue_serves_the_stratum_furthest_behind() {
    let rules = CallRules {
        responsive: true,
        ..rules()
    };
    let now = cst(19, 0);
    // Ratios: stratum 0 5/10 = 0.5, stratum 1 1/10 = 0.1, stratum 2 10/10 met.
    let strata = [
        StratumProgress {
            completes: 5,
            target: 10,
        },
        StratumProgress {
            completes: 1,
            target: 10,
        },
        StratumProgress {
            completes: 10,
            target: 10,
        },
    ];
    let in_stratum = |key, stratum, attempts| CaseView {
        stratum,
        attempts,
        last_attempt_ms: (attempts > 0).then_some(now - 5 * HOUR),
        ..case(key)
    };
    let cases = [
        in_stratum(0, 2, 0),
        in_stratum(1, 0, 3),
        in_stratum(2, 1, 4),
    ];
    assert_eq!(next_case(&rules, &cases, &strata, now), Some(2));
    assert_eq!(next_case(&rules, &cases[..2], &strata, now), Some(1));
    // A stratum without a progress entry ranks with the met ones.
    let unknown = [in_stratum(0, 9, 0), in_stratum(1, 0, 3)];
    assert_eq!(next_case(&rules, &unknown, &strata, now), Some(1));
    // Not responsive: fewest attempts decides.
    let plain = CallRules {
        responsive: false,
        ..rules.clone()
    };
    assert_eq!(next_case(&plain, &cases, &strata, now), Some(0));
    // Equal ratios (1/3 and 2/6) fall through to attempts.
    let equal = [
        StratumProgress {
            completes: 1,
            target: 3,
        },
        StratumProgress {
            completes: 2,
            target: 6,
        },
    ];
    let tied = [in_stratum(0, 0, 2), in_stratum(1, 1, 1)];
    assert_eq!(next_case(&rules, &tied, &equal, now), Some(1));
}

#[test]
fn no_case_when_none_is_callable() {
    let rules = rules();
    assert_eq!(next_case(&rules, &[], &[], cst(19, 0)), None);
    assert_eq!(next_case(&rules, &[case(0)], &[], cst(13, 0)), None);
}

#[test]
fn the_finish_is_projected_at_the_rate_so_far() {
    // 20 completes in 10 h: 80 more take 40 h → now + 144 000 000 ms.
    let now = 10 * HOUR;
    assert_eq!(projected_finish(20, 100, 0, now), Some(now + 40 * HOUR));
    // 3 completes in 10 ms, 1 more: ceil(10 · 1 / 3) = 4 ms → 14.
    assert_eq!(projected_finish(3, 4, 0, 10), Some(14));
    assert_eq!(projected_finish(100, 100, 0, now), Some(now));
    assert_eq!(projected_finish(0, 100, 0, now), None);
    assert_eq!(projected_finish(5, 100, now, 0), None);
}

#[test]
fn a_window_deserializes_from_its_text_and_only_if_valid() {
    use serde::de::value::{Error, StrDeserializer};
    use serde::Deserialize;
    let parse = |text| Window::deserialize(StrDeserializer::<Error>::new(text));
    assert_eq!(parse("18:30-21:00"), Ok(window(1110, 1260)));
    let error = parse("21:00-18:30").unwrap_err();
    assert!(error.to_string().contains("cross midnight"), "{error}");
}
