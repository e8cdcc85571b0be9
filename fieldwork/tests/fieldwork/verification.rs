use std::collections::BTreeMap;

use minyi_fieldwork::verification::{
    mismatch, mismatch_by_interviewer, pick, sample_size, Mismatch, VerificationError, DEFAULT_MIN,
    DEFAULT_SHARE,
};

use crate::helpers::{close, within_binomial};

fn completes(lists: &[(&str, Vec<u64>)]) -> BTreeMap<String, Vec<u64>> {
    lists
        .iter()
        .map(|(name, ids)| (name.to_string(), ids.clone()))
        .collect()
}

#[test]
fn the_subsample_is_a_share_with_a_floor() {
    let size = |n| sample_size(n, DEFAULT_SHARE, DEFAULT_MIN).unwrap();
    assert_eq!(size(50), 5); // ceil(5.0)
    assert_eq!(size(25), 3); // ceil(2.5)
    assert_eq!(size(10), 2); // ceil(1.0) = 1, the floor 2
    assert_eq!(size(1), 1); // the floor, capped at n
    assert_eq!(size(0), 0);
    // 0.07 · 100 is 7.000000000000001 in binary: 7, not 8.
    assert_eq!(sample_size(100, 0.07, 0), Ok(7));
    for share in [-0.1, 1.1, f64::NAN] {
        assert!(matches!(
            sample_size(10, share, 2),
            Err(VerificationError::Share(_))
        ));
    }
}

#[test]
fn each_interviewer_gets_a_reproducible_subsample_of_their_own_completes() {
    // 王芳: 50 completes → 5; 李强: 11 → ceil(1.1) = 2; 张伟: 1 → 1.
    let lists = completes(&[
        ("王芳", (100..150).collect()),
        ("李强", (1..12).collect()),
        ("张伟", vec![7]),
    ]);
    let picked = pick(&lists, 0.1, 2, 7).unwrap();
    // Pinned, and reproduced by the Python appendix of FIELDWORK.md.
    assert_eq!(picked["王芳"], [104, 120, 121, 131, 139]);
    assert_eq!(picked["李强"], [5, 8]);
    assert_eq!(picked["张伟"], [7]);
    assert_eq!(pick(&lists, 0.1, 2, 7).unwrap(), picked);
    assert_ne!(pick(&lists, 0.1, 2, 8).unwrap()["王芳"], picked["王芳"]);
}

#[test]
fn the_order_of_a_list_and_the_other_interviewers_do_not_matter() {
    let sorted = completes(&[("李强", (1..12).collect())]);
    let shuffled = completes(&[
        ("李强", vec![11, 3, 5, 1, 9, 2, 8, 4, 10, 6, 7, 3]),
        ("王芳", (100..150).collect()),
    ]);
    let a = pick(&sorted, 0.1, 2, 7).unwrap();
    let b = pick(&shuffled, 0.1, 2, 7).unwrap();
    assert_eq!(a["李强"], b["李强"]);
}

#[test]
fn every_complete_is_equally_likely_to_be_checked() {
    // 10 completes, 2 picked: each id in a share 2/10 of 20 000 seeds.
    const REPS: u64 = 20_000;
    let lists = completes(&[("赵敏", (0..10).collect())]);
    let mut hits = [0u64; 10];
    for seed in 0..REPS {
        let picked = pick(&lists, DEFAULT_SHARE, DEFAULT_MIN, seed).unwrap();
        for &id in &picked["赵敏"] {
            hits[id as usize] += 1;
        }
    }
    for (id, &count) in hits.iter().enumerate() {
        within_binomial(count, REPS, 0.2, &format!("id {id}"));
    }
}

#[test]
fn mismatches_count_items_and_callbacks() {
    // Three callbacks of three items: 0, 1 and 2 differing → 3 of 9 items, 2 of 3 callbacks.
    let callbacks = [
        [true, true, true],
        [true, false, true],
        [false, false, true],
    ];
    let total = mismatch(callbacks);
    assert_eq!(
        (
            total.callbacks,
            total.callbacks_with_difference,
            total.items,
            total.differing
        ),
        (3, 2, 9, 3)
    );
    close(total.rate, 1.0 / 3.0);
    close(total.callback_rate, 2.0 / 3.0);
    assert_eq!(mismatch(Vec::<Vec<bool>>::new()), Mismatch::default());
    // A callback in which no item could be re-asked counts, with no item.
    let empty = mismatch([Vec::<bool>::new()]);
    assert_eq!((empty.callbacks, empty.rate), (1, None));
    close(empty.callback_rate, 0.0);
}

#[test]
fn mismatches_are_kept_per_interviewer() {
    // 王芳: 6 items, 1 differing → 1/6; 李强: 3 items, 3 differing → 1.
    let callbacks = [
        ("王芳", vec![true, true, true]),
        ("李强", vec![false, false, false]),
        ("王芳", vec![true, false, true]),
    ];
    let by = mismatch_by_interviewer(callbacks);
    assert_eq!(by.len(), 2);
    close(by["王芳"].rate, 1.0 / 6.0);
    close(by["王芳"].callback_rate, 0.5);
    close(by["李强"].rate, 1.0);
    assert_eq!(by["李强"].callbacks, 1);
}
