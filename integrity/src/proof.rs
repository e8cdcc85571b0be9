//! Consistency proofs (RFC 6962 §2.1.2, RFC 9162 §2.1.4): the few hashes that show the tree of
//! a log's first `old_size` leaves is a prefix of the tree over all its leaves — so an
//! evaluator holding an old head can check that a newer one only appended to it, without the
//! leaves themselves.
//!
//! The empty tree is consistent with every tree (RFC 9162 §2.1.4: a proof exists only for
//! 0 < m < n; for m = 0 there is nothing to prove): [`consistency_proof`] returns no hashes for
//! it and [`verify_consistency`] accepts it with an empty proof, provided the old root is the
//! empty tree's. Two heads of one size are consistent only when their roots are equal.

use crate::merkle::{empty_root, node_hash, root_of, split, Hash};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("a proof from {old_size} to {new_size} leaves: the old size is larger than the new")]
    OldLargerThanNew { old_size: u64, new_size: u64 },
    #[error(
        "a proof from {old_size} to {new_size} leaves has {expected} hashes, this one {found}"
    )]
    WrongLength {
        old_size: u64,
        new_size: u64,
        expected: usize,
        found: usize,
    },
    #[error("the proof does not lead to the root held for {old_size} leaves: that history was rewritten")]
    OldRootMismatch { old_size: u64 },
    #[error("the proof does not lead to the new root of {new_size} leaves: it is not a proof for this head")]
    NewRootMismatch { new_size: u64 },
}

/// PROOF(m, D[n]) of RFC 9162 §2.1.4.1 with m = `old_size` over the leaf hashes `leaves` (all
/// n of them, in order). Empty for m = n and for m = 0.
pub fn consistency_proof(leaves: &[Hash], old_size: u64) -> Result<Vec<Hash>, ProofError> {
    let new_size = leaves.len() as u64;
    if old_size > new_size {
        return Err(ProofError::OldLargerThanNew { old_size, new_size });
    }
    let mut proof = Vec::new();
    if 0 < old_size && old_size < new_size {
        subproof(old_size as usize, leaves, true, &mut proof);
    }
    Ok(proof)
}

/// SUBPROOF(m, D[n], b): `complete` is b, true while the old tree is a complete subtree of
/// the part of the new tree at hand (its root is then the old root itself, known to the
/// verifier, and left out).
fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root_of(leaves));
        }
        return;
    }
    let k = split(n as u64) as usize;
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root_of(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root_of(&leaves[..k]));
    }
}

/// How many hashes PROOF(m, D[n]) holds, for 0 < m < n (the same recursion, without hashing).
fn proof_len(m: u64, n: u64, complete: bool) -> usize {
    if m == n {
        return usize::from(!complete);
    }
    let k = split(n);
    1 + if m <= k {
        proof_len(m, k, complete)
    } else {
        proof_len(m - k, n - k, false)
    }
}

/// Checks that the tree of `new_size` leaves with root `new_root` extends the tree of
/// `old_size` leaves with root `old_root`, by the algorithm of RFC 9162 §2.1.4.2. The proof
/// must have exactly the length its sizes call for.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::OldLargerThanNew { old_size, new_size });
    }
    let expected = if old_size == 0 || old_size == new_size {
        0
    } else {
        proof_len(old_size, new_size, true)
    };
    if proof.len() != expected {
        return Err(ProofError::WrongLength {
            old_size,
            new_size,
            expected,
            found: proof.len(),
        });
    }
    if old_size == 0 {
        return match *old_root == empty_root() {
            true => Ok(()),
            false => Err(ProofError::OldRootMismatch { old_size }),
        };
    }
    if old_size == new_size {
        return match old_root == new_root {
            true => Ok(()),
            false => Err(ProofError::OldRootMismatch { old_size }),
        };
    }
    // Step 2: an old tree that is a complete subtree starts the path itself.
    let mut path = proof.iter();
    let start = if old_size.is_power_of_two() {
        *old_root
    } else {
        *path.next().expect("the length was checked")
    };
    // Steps 3–5: fn and sn are the last leaf's index in each tree, climbed past the levels
    // where the old tree's last node is a right child.
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (start, start);
    // Step 6.
    for c in path {
        if sn == 0 {
            return Err(ProofError::WrongLength {
                old_size,
                new_size,
                expected,
                found: proof.len(),
            });
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    // Step 7.
    if fr != *old_root {
        return Err(ProofError::OldRootMismatch { old_size });
    }
    if sr != *new_root || sn != 0 {
        return Err(ProofError::NewRootMismatch { new_size });
    }
    Ok(())
}
