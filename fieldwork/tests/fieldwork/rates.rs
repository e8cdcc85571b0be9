use minyi_fieldwork::disposition::Code;
use minyi_fieldwork::rates::{by_group, rates, Counts, EBasis, Eligibility, RatesError};

use crate::helpers::close;

/// I = 40, P = 10, R = 20, NC = 15, O = 5, UH = 30, UO = 10, NE = 20.
fn example() -> Counts {
    Counts {
        i: 40,
        p: 10,
        r: 20,
        nc: 15,
        o: 5,
        uh: 30,
        uo: 10,
        ne: 20,
    }
}

#[test]
fn counts_come_from_final_codes_by_class() {
    // One of each of the 27 codes: 1.1 | 1.2 | 2.11 2.12 | 2.20 2.21 2.22 | 2.31 2.32 2.33 2.35 |
    // 3.11–3.16 (6) | 3.21 3.90 | 4.10 4.20 4.31 4.32 4.33 4.70 4.80 4.90 (8).
    let counts: Counts = Code::ALL.into_iter().collect();
    let expected = Counts {
        i: 1,
        p: 1,
        r: 2,
        nc: 3,
        o: 4,
        uh: 6,
        uo: 2,
        ne: 8,
    };
    assert_eq!(counts, expected);
    assert_eq!(
        (counts.eligible(), counts.unknown(), counts.total()),
        (11, 8, 27)
    );
}

#[test]
fn every_rate_of_a_worked_example() {
    // Known eligible 40+10+20+15+5 = 90, unknown 30+10 = 40, all = 130.
    // e = 90 / (90 + 20) = 9/11; e-denominator = 90 + (9/11)·40 = 1350/11.
    // Contacted (I+P)+R+O = 75.
    let rates = rates(&example(), None);
    assert_eq!(rates.e_basis, EBasis::Estimated);
    assert!((rates.e - 9.0 / 11.0).abs() < 1e-12);
    close(rates.rr1, 40.0 / 130.0);
    close(rates.rr2, 50.0 / 130.0);
    close(rates.rr3, 440.0 / 1350.0); // 40 / (1350/11)
    close(rates.rr4, 550.0 / 1350.0);
    close(rates.rr5, 40.0 / 90.0);
    close(rates.rr6, 50.0 / 90.0);
    close(rates.coop1, 40.0 / 75.0);
    close(rates.coop2, 50.0 / 75.0);
    close(rates.coop3, 40.0 / 70.0);
    close(rates.coop4, 50.0 / 70.0);
    close(rates.ref1, 20.0 / 130.0);
    close(rates.ref2, 220.0 / 1350.0);
    close(rates.ref3, 20.0 / 90.0);
    close(rates.con1, 75.0 / 130.0);
    close(rates.con2, 825.0 / 1350.0);
    close(rates.con3, 75.0 / 90.0);
}

#[test]
fn an_e_override_changes_only_the_e_rates() {
    // e = 0.5: denominator 90 + 0.5·40 = 110.
    let e = Eligibility::new(0.5).unwrap();
    let rates = rates(&example(), Some(e));
    assert_eq!((rates.e, rates.e_basis), (0.5, EBasis::Override));
    close(rates.rr3, 40.0 / 110.0);
    close(rates.rr4, 50.0 / 110.0);
    close(rates.ref2, 20.0 / 110.0);
    close(rates.con2, 75.0 / 110.0);
    close(rates.rr1, 40.0 / 130.0);
    close(rates.rr5, 40.0 / 90.0);
}

#[test]
fn without_unknown_cases_rr1_rr3_and_rr5_agree() {
    // I = 3, R = 1, NE = 2: e = 4/6, every denominator 4; contacted 4.
    let counts = Counts {
        i: 3,
        r: 1,
        ne: 2,
        ..Counts::default()
    };
    let rates = rates(&counts, None);
    close(Some(rates.e), 4.0 / 6.0);
    for rate in [rates.rr1, rates.rr3, rates.rr5, rates.coop1, rates.coop3] {
        close(rate, 0.75);
    }
    for rate in [rates.ref1, rates.ref2, rates.ref3] {
        close(rate, 0.25);
    }
    for rate in [rates.con1, rates.con2, rates.con3] {
        close(rate, 1.0);
    }
}

#[test]
fn zero_denominators_give_no_rate() {
    let empty = rates(&Counts::default(), None);
    assert_eq!(
        (empty.rr1, empty.rr3, empty.coop1, empty.con3),
        (None, None, None, None)
    );
    assert_eq!((empty.e, empty.e_basis), (1.0, EBasis::Assumed));

    // Only unknown cases (UH = 5): e cannot be estimated, so e = 1 and RR3 = RR1 = 0/5;
    // RR5, COOP and CON3 have a zero denominator.
    let unknown = Counts {
        uh: 5,
        ..Counts::default()
    };
    let rates_unknown = rates(&unknown, None);
    assert_eq!(rates_unknown.e_basis, EBasis::Assumed);
    close(rates_unknown.rr1, 0.0);
    close(rates_unknown.rr3, 0.0);
    close(rates_unknown.con1, 0.0);
    assert_eq!(
        (rates_unknown.rr5, rates_unknown.coop1, rates_unknown.con3),
        (None, None, None)
    );

    // e = 0 removes the unknown cases from the e-denominator too: 0 + 0·5 = 0.
    let zero = rates(&unknown, Some(Eligibility::new(0.0).unwrap()));
    assert_eq!((zero.rr3, zero.ref2, zero.con2), (None, None, None));
}

#[test]
fn e_must_be_a_share() {
    for e in [-0.1, 1.000001, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(Eligibility::new(e), Err(RatesError::InvalidE(_))),
            "{e}"
        );
    }
    assert_eq!(Eligibility::new(1.0).unwrap().value(), 1.0);
}

#[test]
fn each_group_estimates_its_own_e() {
    // a: 1.1, 2.11, 4.31 → I 1, R 1, NE 1: e = 2/3, RR1 = 1/2, RR3 = 1/2 (no unknown).
    // b: 3.13, 1.1 → I 1, UH 1: its own e = 1/1, RR3 = 1/(1 + 1·1) = 1/2.
    // (A pooled e = 3/4 would give b RR3 = 1/1.75 = 4/7.)
    let cases = [
        ("a", Code::Complete),
        ("a", Code::Refusal),
        ("a", Code::NonWorking),
        ("b", Code::NoAnswer),
        ("b", Code::Complete),
    ];
    let groups = by_group(cases, None);
    assert_eq!(groups.keys().copied().collect::<Vec<_>>(), ["a", "b"]);
    let (a_counts, a) = groups["a"];
    assert_eq!((a_counts.i, a_counts.r, a_counts.ne), (1, 1, 1));
    close(Some(a.e), 2.0 / 3.0);
    close(a.rr1, 0.5);
    let (_, b) = groups["b"];
    close(Some(b.e), 1.0);
    close(b.rr3, 0.5);

    // An override applies to every group: b RR3 = 1 / (1 + 0·1) = 1.
    let overridden = by_group(cases, Some(Eligibility::new(0.0).unwrap()));
    close(overridden["b"].1.rr3, 1.0);
    close(overridden["a"].1.rr3, 0.5);
}
