use minyi_fieldwork::draw::{
    draw, draw_stratum, fnv1a64, generator, inclusion_probability, shuffle_prefix, sizes,
    stream_seed, top_up, uniform_below, DrawError, DrawSpec, Method, Purpose, Stratum, StratumDraw,
};
use rand::RngCore;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::helpers::within_binomial;

fn stratum(name: &str, n_frame: usize, target: usize) -> Stratum {
    Stratum {
        name: name.to_owned(),
        rows: (0..n_frame).collect(),
        target,
    }
}

fn spec(seed: u64, method: Method) -> DrawSpec {
    DrawSpec {
        expected_rate: 0.5,
        reserve: 1.0,
        seed,
        method,
    }
}

/// A source of scripted `next_u64` values, to follow the integer draws by hand.
struct Script(Vec<u64>);

impl RngCore for Script {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0.remove(0)
    }
    fn fill_bytes(&mut self, _: &mut [u8]) {
        unimplemented!("only next_u64 is scripted")
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), rand::Error> {
        unimplemented!("only next_u64 is scripted")
    }
}

#[test]
fn sizes_release_target_over_rate_and_hold_a_reserve() {
    // n = min(N, ceil(target / r)), n_max = min(N, ceil(n · (1 + reserve))).
    assert_eq!(sizes(1000, 100, 0.5, 1.0), Ok((200, 400)));
    assert_eq!(sizes(300, 100, 0.5, 1.0), Ok((200, 300)));
    assert_eq!(sizes(150, 100, 0.5, 1.0), Ok((150, 150)));
    assert_eq!(sizes(1000, 100, 0.3, 0.0), Ok((334, 334))); // 333.33… → 334
    assert_eq!(sizes(1000, 100, 1.0, 0.5), Ok((100, 150)));
    // 21 / 0.7 is 30.000000000000004 and 100 · 1.1 is 110.00000000000001 in binary: 30 and 110.
    assert_eq!(sizes(1000, 21, 0.7, 0.0), Ok((30, 30)));
    assert_eq!(sizes(1000, 100, 1.0, 0.1), Ok((100, 110)));
    assert_eq!(sizes(0, 100, 0.5, 1.0), Ok((0, 0)));
}

#[test]
fn bad_settings_are_refused() {
    for r in [0.0, -0.5, 1.01, f64::NAN] {
        assert!(
            matches!(sizes(10, 1, r, 0.0), Err(DrawError::ExpectedRate(_))),
            "{r}"
        );
    }
    for reserve in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(sizes(10, 1, 0.5, reserve), Err(DrawError::Reserve(_))),
            "{reserve}"
        );
    }
    let zero = draw_stratum(&stratum("a", 10, 0), &spec(1, Method::Srswor));
    assert_eq!(zero, Err(DrawError::ZeroTarget("a".into())));
    let twice = draw(
        &[stratum("a", 10, 1), stratum("a", 5, 1)],
        &spec(1, Method::Srswor),
    );
    assert_eq!(twice, Err(DrawError::DuplicateStratum("a".into())));
}

#[test]
fn an_empty_stratum_draws_nothing() {
    for method in [Method::Srswor, Method::Systematic] {
        let empty = draw_stratum(&stratum("empty", 0, 5), &spec(1, method)).unwrap();
        assert_eq!(
            (empty.n_frame, empty.order.len(), empty.released),
            (0, 0, 0)
        );
        assert_eq!(empty.inclusion_probability(), 0.0);
    }
}

#[test]
fn a_small_stratum_is_taken_whole() {
    // target 30 at r = 0.5 wants 60 released from N = 20: all 20, in a random order.
    for method in [Method::Srswor, Method::Systematic] {
        let whole = draw_stratum(&stratum("small", 20, 30), &spec(3, method)).unwrap();
        let mut rows = whole.order.clone();
        rows.sort_unstable();
        assert_eq!(rows, (0..20).collect::<Vec<_>>());
        assert_eq!(whole.released, 20);
        assert_eq!(whole.inclusion_probability(), 1.0);
    }
}

#[test]
fn the_order_holds_distinct_frame_rows_of_the_stratum() {
    let rows: Vec<usize> = (0..500).map(|i| 1000 + 3 * i).collect();
    let frame = Stratum {
        name: "区司法局".into(),
        rows: rows.clone(),
        target: 50,
    };
    for method in [Method::Srswor, Method::Systematic] {
        let drawn = draw_stratum(&frame, &spec(9, method)).unwrap();
        // n = 50 / 0.5 = 100, n_max = 100 · 2 = 200.
        assert_eq!(
            (drawn.n_frame, drawn.released, drawn.order.len()),
            (500, 100, 200)
        );
        let mut order = drawn.order.clone();
        order.sort_unstable();
        order.dedup();
        assert_eq!(order.len(), 200);
        assert!(order.iter().all(|row| rows.contains(row)));
        assert_eq!(drawn.released_rows(), &drawn.order[..100]);
        assert_eq!(drawn.reserve_rows(), &drawn.order[100..]);
    }
}

#[test]
fn the_same_seed_draws_the_same_sample_and_another_seed_another() {
    let strata = [stratum("a", 1000, 100), stratum("b", 800, 40)];
    for method in [Method::Srswor, Method::Systematic] {
        let first = draw(&strata, &spec(42, method)).unwrap();
        assert_eq!(first, draw(&strata, &spec(42, method)).unwrap());
        let other = draw(&strata, &spec(43, method)).unwrap();
        assert_ne!(first[0].order, other[0].order);
        assert_ne!(first[1].order, other[1].order);
    }
}

#[test]
fn a_stratum_draw_depends_on_its_name_not_on_the_other_strata() {
    let spec = spec(42, Method::Srswor);
    let alone = draw(&[stratum("b", 800, 40)], &spec).unwrap();
    let together = draw(&[stratum("a", 1000, 100), stratum("b", 800, 40)], &spec).unwrap();
    assert_eq!(alone[0], together[1]);
    let renamed = draw(&[stratum("c", 800, 40)], &spec).unwrap();
    assert_ne!(alone[0].order, renamed[0].order);
}

#[test]
fn systematic_selection_takes_every_kth_row() {
    // N = 10, n_max = 5 (target 5, r = 1, no reserve): rows floor((a + 10j) / 5) = floor(a/5)
    // + 2j with a in 0..10, so all the even rows or all the odd rows.
    let spec = DrawSpec {
        expected_rate: 1.0,
        reserve: 0.0,
        seed: 0,
        method: Method::Systematic,
    };
    let (mut even, mut odd) = (0, 0);
    for seed in 0..200 {
        let mut rows = draw_stratum(&stratum("s", 10, 5), &DrawSpec { seed, ..spec })
            .unwrap()
            .order;
        rows.sort_unstable();
        match rows.as_slice() {
            [0, 2, 4, 6, 8] => even += 1,
            [1, 3, 5, 7, 9] => odd += 1,
            other => panic!("seed {seed}: {other:?}"),
        }
    }
    assert!(even > 0 && odd > 0);
}

/// Each row's share of `reps` draws in which it is among the first `m` of `order`.
fn prefix_frequencies(method: Method, reps: u64, n_frame: usize, m: usize) -> Vec<u64> {
    // N = 10, target 2, r = 0.5, reserve 0.5: n = 4 released, n_max = 6 selected.
    let mut hits = vec![0; n_frame];
    for seed in 0..reps {
        let drawn = draw_stratum(&stratum("s", n_frame, 2), &spec_with(seed, method)).unwrap();
        assert_eq!((drawn.released, drawn.order.len()), (4, 6));
        for &row in &drawn.order[..m] {
            hits[row] += 1;
        }
    }
    hits
}

fn spec_with(seed: u64, method: Method) -> DrawSpec {
    DrawSpec {
        expected_rate: 0.5,
        reserve: 0.5,
        seed,
        method,
    }
}

#[test]
fn every_prefix_includes_each_row_with_probability_m_over_n() {
    // 20 000 draws of N = 10 rows, n = 4, n_max = 6 (a fractional interval 10/6 for the
    // systematic method): the first m of the order (m = 2, 4 released, 6 after a top-up)
    // must hold each row in a share m/10 of the draws.
    const REPS: u64 = 20_000;
    for method in [Method::Srswor, Method::Systematic] {
        for m in [2, 4, 6] {
            for (row, &hits) in prefix_frequencies(method, REPS, 10, m).iter().enumerate() {
                let what = format!("{method:?}, prefix {m}, row {row}");
                within_binomial(hits, REPS, m as f64 / 10.0, &what);
            }
        }
    }
}

#[test]
fn a_released_srswor_prefix_is_a_simple_random_sample() {
    // Every pair of the N = 10 rows is in the first m = 4 with probability
    // m(m − 1) / (N(N − 1)) = 12/90.
    const REPS: u64 = 20_000;
    let mut pairs = [[0u64; 10]; 10];
    for seed in 0..REPS {
        let drawn = draw_stratum(&stratum("s", 10, 2), &spec_with(seed, Method::Srswor)).unwrap();
        for &a in drawn.released_rows() {
            for &b in drawn.released_rows() {
                pairs[a][b] += u64::from(a < b);
            }
        }
    }
    for (a, row) in pairs.iter().enumerate() {
        for (b, &count) in row.iter().enumerate().skip(a + 1) {
            within_binomial(count, REPS, 12.0 / 90.0, &format!("pair {a},{b}"));
        }
    }
}

#[test]
fn inclusion_probability_is_released_over_n() {
    assert_eq!(inclusion_probability(200, 1000), 0.2);
    assert_eq!(inclusion_probability(7, 7), 1.0);
    assert_eq!(inclusion_probability(0, 0), 0.0);
}

#[test]
fn a_top_up_releases_more_of_the_reserve_until_none_is_left() {
    let drawn = StratumDraw {
        stratum: "a".into(),
        n_frame: 10,
        order: vec![3, 1, 4, 0, 5, 9],
        released: 4,
    };
    assert_eq!(top_up(&drawn, 1), Ok(5));
    assert_eq!(top_up(&drawn, 10), Ok(6));
    assert_eq!(top_up(&drawn, 0), Ok(4));
    let spent = StratumDraw {
        released: 6,
        ..drawn
    };
    let error = top_up(&spent, 1).unwrap_err();
    assert_eq!(
        error,
        DrawError::Exhausted {
            stratum: "a".into(),
            selected: 6
        }
    );
}

#[test]
fn fnv1a64_matches_the_published_test_vectors() {
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn chacha20_gives_the_rfc_7539_keystream() {
    // RFC 7539 §2.3.2 test vector for a zero key and nonce, block 0: keystream bytes
    // 76 b8 e0 ad a0 f1 3d 90 | 40 5d 6a e5 53 86 bd 28, read as little-endian u64s.
    let mut rng = ChaCha20Rng::from_seed([0; 32]);
    assert_eq!(rng.next_u64(), 0x903d_f1a0_ade0_b876);
    assert_eq!(rng.next_u64(), 0x28bd_8653_e56a_5d40);
}

#[test]
fn the_stream_seed_is_seed_name_hash_and_purpose() {
    let bytes = stream_seed(1, Purpose::Draw, "a");
    assert_eq!(bytes[..8], [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(bytes[8..16], 0xaf63_dc4c_8601_ec8c_u64.to_le_bytes());
    assert_eq!(&bytes[16..20], b"draw");
    assert_eq!(bytes[20..], [0; 12]);
    let verification = stream_seed(1, Purpose::Verification, "a");
    assert_eq!(&verification[16..28], b"verification");
    assert_eq!(verification[28..], [0; 4]);
    let mut from_seed = ChaCha20Rng::from_seed(bytes);
    assert_eq!(
        generator(1, Purpose::Draw, "a").next_u64(),
        from_seed.next_u64()
    );
}

#[test]
fn uniform_below_rejects_the_biased_low_words() {
    // n = 10: 2^64 mod 10 = 6, so a product whose low word is below 6 is drawn again.
    // x = 0: 0·10 = 0, low 0 < 6, rejected. x = 2^63 + 1: 10·x = 5·2^64 + 10, low 10 ≥ 6,
    // the high word 5 is the result.
    let mut script = Script(vec![0, (1 << 63) + 1]);
    assert_eq!(uniform_below(&mut script, 10), 5);
    assert!(script.0.is_empty());
    // x = 2^64 − 1: 10·x = 9·2^64 + (2^64 − 10): 9.  x = 5: 50, high word 0.
    assert_eq!(uniform_below(&mut Script(vec![u64::MAX]), 10), 9);
    assert_eq!(uniform_below(&mut Script(vec![5]), 10), 0);
    // n = 1: the threshold is 0, nothing is rejected, the result is 0.
    assert_eq!(uniform_below(&mut Script(vec![0]), 1), 0);
}

#[test]
#[should_panic(expected = "non-empty range")]
fn uniform_below_zero_is_a_bug() {
    uniform_below(&mut Script(vec![0]), 0);
}

#[test]
fn shuffle_prefix_is_a_partial_fisher_yates() {
    // i = 0: uniform_below(3) of 2^64 − 1 = 2 (3·x = 2·2^64 + 2^64 − 3, and 2^64 mod 3 = 1
    // ≤ the low word): swap 0 and 2 → c b a. i = 1: uniform_below(2) of 0 = 0 (2^64 mod 2 = 0,
    // nothing rejected): no swap. k = 2 stops there.
    let mut items = ['a', 'b', 'c'];
    let mut script = Script(vec![u64::MAX, 0]);
    shuffle_prefix(&mut script, &mut items, 2);
    assert_eq!(items, ['c', 'b', 'a']);
    assert!(script.0.is_empty());
}

#[test]
fn golden_draw() {
    // Pinned: a change here means the same seed no longer draws the same sample, which breaks
    // the reproduction of every earlier draw. The vectors were reproduced by an independent
    // Python implementation of FIELDWORK.md §3 (ChaCha20 block function, FNV-1a, Lemire,
    // Fisher–Yates; the appendix there).
    // "A": N = 20, target 3, r = 0.5, reserve 1 → n = 6, n_max = 12.
    // "市场监管局": N = 50, target 4 → n = 8, n_max = 16.
    let strata = [stratum("A", 20, 3), stratum("市场监管局", 50, 4)];
    let srswor = draw(&strata, &spec(20_250_301, Method::Srswor)).unwrap();
    assert_eq!(srswor[0].order, [19, 8, 2, 17, 15, 16, 4, 18, 1, 13, 6, 12]);
    assert_eq!(srswor[0].released, 6);
    assert_eq!(
        srswor[1].order,
        [25, 39, 2, 9, 3, 12, 29, 11, 19, 37, 38, 48, 35, 10, 0, 42]
    );
    assert_eq!(srswor[1].released, 8);
    let systematic = draw(&strata, &spec(20_250_301, Method::Systematic)).unwrap();
    assert_eq!(
        systematic[0].order,
        [8, 3, 18, 16, 4, 6, 19, 13, 9, 1, 14, 11]
    );
    assert_eq!(
        systematic[1].order,
        [39, 4, 10, 14, 17, 32, 23, 29, 42, 26, 48, 45, 35, 20, 7, 1]
    );
}
