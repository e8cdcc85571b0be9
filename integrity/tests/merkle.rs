//! The tree hash against RFC 6962's definition and published test vectors.

use minyi_integrity::merkle::{empty_root, leaf_hash, root_of, Frontier};

/// The leaves and roots of the RFC 6962 test vectors used by Certificate Transparency
/// implementations (Google's `certificate-transparency` and Trillian's `merkle` test data).
const LEAVES: [&str; 8] = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
];
const ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

#[test]
fn published_roots_of_the_first_one_to_eight_leaves() {
    let leaves: Vec<_> = LEAVES
        .iter()
        .map(|l| leaf_hash(&hex::decode(l).unwrap()))
        .collect();
    let mut frontier = Frontier::new();
    for (n, expected) in ROOTS.iter().enumerate() {
        assert_eq!(
            hex::encode(root_of(&leaves[..=n])),
            *expected,
            "root of {} leaves",
            n + 1
        );
        frontier.push(leaves[n]);
        assert_eq!(
            hex::encode(frontier.root()),
            *expected,
            "frontier of {} leaves",
            n + 1
        );
    }
}

#[test]
fn the_empty_tree_hashes_the_empty_string() {
    assert_eq!(
        hex::encode(empty_root()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(Frontier::new().root(), empty_root());
}

#[test]
fn the_frontier_agrees_with_the_definition_at_every_size_and_survives_storage() {
    let leaves: Vec<_> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
    let mut frontier = Frontier::new();
    for n in 1..=leaves.len() {
        frontier.push(leaves[n - 1]);
        assert_eq!(frontier.root(), root_of(&leaves[..n]), "size {n}");
        let stored = Frontier::from_bytes(&frontier.to_bytes()).expect("reads back");
        assert_eq!(stored, frontier);
    }
}

#[test]
fn stored_frontier_bytes_of_the_wrong_shape_are_refused() {
    let mut frontier = Frontier::new();
    for i in 0u8..5 {
        frontier.push(leaf_hash(&[i]));
    }
    let bytes = frontier.to_bytes();
    assert!(Frontier::from_bytes(&bytes[..bytes.len() - 1]).is_none());
    assert!(
        Frontier::from_bytes(&bytes[..bytes.len() - 32]).is_none(),
        "size 5 needs two nodes"
    );
    assert!(Frontier::from_bytes(&[1, 2, 3]).is_none());
}
