//! Consistency proofs against RFC 6962's definition (every pair of sizes up to 70, each
//! mutation refused) and the published vectors of Certificate Transparency's reference
//! implementation.

use minyi_integrity::merkle::{empty_root, leaf_hash, root_of, Hash};
use minyi_integrity::proof::{consistency_proof, verify_consistency, ProofError};

const MAX: usize = 70;

fn leaves(n: usize) -> Vec<Hash> {
    (0..n as u32).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

/// Whether the proof for (m, n) verifies as one for (m, n) with the true roots.
fn verifies(all: &[Hash], m: usize, n: usize, proof: &[Hash]) -> Result<(), ProofError> {
    verify_consistency(
        m as u64,
        n as u64,
        &root_of(&all[..m]),
        &root_of(&all[..n]),
        proof,
    )
}

#[test]
fn every_pair_of_sizes_up_to_seventy_verifies() {
    let all = leaves(MAX);
    for n in 1..=MAX {
        for m in 1..=n {
            let proof = consistency_proof(&all[..n], m as u64).unwrap();
            assert_eq!(verifies(&all, m, n, &proof), Ok(()), "{m} → {n}");
        }
    }
}

#[test]
fn equal_sizes_need_no_proof_and_equal_roots() {
    let all = leaves(9);
    for n in 1..=9 {
        assert!(consistency_proof(&all[..n], n as u64).unwrap().is_empty());
    }
    let other = leaf_hash(b"other");
    assert_eq!(
        verify_consistency(5, 5, &root_of(&all[..5]), &other, &[]),
        Err(ProofError::OldRootMismatch { old_size: 5 })
    );
}

#[test]
fn the_empty_tree_is_consistent_with_every_tree() {
    let all = leaves(7);
    assert!(consistency_proof(&all, 0).unwrap().is_empty());
    assert_eq!(
        verify_consistency(0, 7, &empty_root(), &root_of(&all), &[]),
        Ok(())
    );
    // …but a head of no leaves carrying another root is not the empty tree's.
    assert_eq!(
        verify_consistency(0, 7, &all[0], &root_of(&all), &[]),
        Err(ProofError::OldRootMismatch { old_size: 0 })
    );
    assert!(verify_consistency(0, 7, &empty_root(), &root_of(&all), &[all[0]]).is_err());
}

#[test]
fn an_old_size_past_the_log_is_refused() {
    let all = leaves(4);
    assert_eq!(
        consistency_proof(&all, 5),
        Err(ProofError::OldLargerThanNew {
            old_size: 5,
            new_size: 4
        })
    );
    assert!(verify_consistency(5, 4, &root_of(&all), &root_of(&all), &[]).is_err());
}

#[test]
fn a_flipped_byte_in_any_proof_hash_is_refused() {
    let all = leaves(MAX);
    for n in 2..=MAX {
        for m in 1..n {
            let proof = consistency_proof(&all[..n], m as u64).unwrap();
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i][(i + m) % 32] ^= 0x01;
                assert!(verifies(&all, m, n, &bad).is_err(), "{m} → {n}, hash {i}");
            }
        }
    }
}

#[test]
fn a_wrong_old_or_new_root_is_refused() {
    let all = leaves(MAX);
    let stranger = leaf_hash(b"rewritten");
    for n in 2..=MAX {
        let new_root = root_of(&all[..n]);
        for m in 1..n {
            let proof = consistency_proof(&all[..n], m as u64).unwrap();
            let old_root = root_of(&all[..m]);
            let (m64, n64) = (m as u64, n as u64);
            assert!(
                verify_consistency(m64, n64, &stranger, &new_root, &proof).is_err(),
                "old root, {m} → {n}"
            );
            assert!(
                verify_consistency(m64, n64, &old_root, &stranger, &proof).is_err(),
                "new root, {m} → {n}"
            );
        }
    }
}

#[test]
fn a_log_rewritten_before_the_old_size_fails_its_proof() {
    let all = leaves(MAX);
    for n in 2..=MAX {
        for m in 1..n {
            // The server rewrote leaf j < m and proves from its new history.
            for j in [0, m - 1] {
                let mut rewritten = all[..n].to_vec();
                rewritten[j] = leaf_hash(b"rewritten");
                let proof = consistency_proof(&rewritten, m as u64).unwrap();
                let result = verify_consistency(
                    m as u64,
                    n as u64,
                    &root_of(&all[..m]),
                    &root_of(&rewritten),
                    &proof,
                );
                assert!(result.is_err(), "{m} → {n}, leaf {j} rewritten");
            }
        }
    }
}

#[test]
fn a_proof_checked_against_other_sizes_is_refused() {
    let all = leaves(MAX + 1);
    for n in 2..=MAX {
        for m in 1..n {
            let proof = consistency_proof(&all[..n], m as u64).unwrap();
            // The same hashes offered for neighbouring sizes, with those sizes' true roots: they
            // prove nothing there unless they happen to be that pair's own proof.
            for (m2, n2) in [(m - 1, n), (m + 1, n), (m, n - 1), (m, n + 1)] {
                if m2 == 0 || m2 > n2 {
                    continue;
                }
                let own = consistency_proof(&all[..n2], m2 as u64).unwrap();
                if own != proof {
                    assert!(
                        verifies(&all, m2, n2, &proof).is_err(),
                        "{m} → {n} offered as {m2} → {n2}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_truncated_or_extended_proof_is_refused() {
    let all = leaves(MAX);
    for n in 2..=MAX {
        for m in 1..n {
            let proof = consistency_proof(&all[..n], m as u64).unwrap();
            let short = &proof[..proof.len() - 1];
            assert!(
                matches!(
                    verifies(&all, m, n, short),
                    Err(ProofError::WrongLength { .. })
                ),
                "{m} → {n} truncated"
            );
            let mut long = proof.clone();
            long.push(all[0]);
            assert!(verifies(&all, m, n, &long).is_err(), "{m} → {n} extended");
        }
    }
    let proof_of_equal: [Hash; 1] = [all[0]];
    assert!(verifies(&all, 3, 3, &proof_of_equal).is_err());
}

/// The eight leaves of the RFC 6962 test vectors (see tests/merkle.rs) and the consistency
/// proofs published with Certificate Transparency's reference implementation
/// (`merkle_tree_test.cc`, also transparency-dev/merkle's `testonly` data).
#[test]
fn published_consistency_proofs_of_the_eight_leaf_tree() {
    let inputs = [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ];
    let all: Vec<Hash> = inputs
        .iter()
        .map(|l| leaf_hash(&hex::decode(l).unwrap()))
        .collect();
    let vectors: [(usize, usize, &[&str]); 4] = [
        (1, 1, &[]),
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    for (m, n, expected) in vectors {
        let proof = consistency_proof(&all[..n], m as u64).unwrap();
        let hexes: Vec<String> = proof.iter().map(hex::encode).collect();
        assert_eq!(hexes, expected, "{m} → {n}");
        assert_eq!(verifies(&all, m, n, &proof), Ok(()), "{m} → {n}");
    }
}
