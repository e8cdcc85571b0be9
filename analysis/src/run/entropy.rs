//! Entropy weights from data (METHODS §5): at each node, the children's 0–100 indices per
//! unit (equal weights below the node) are the indicator columns of `entropy_weights`. They
//! come from one wave (the baseline), so both waves are scored with the same weights; units
//! missing any child of a node are left out of that node's computation.

use std::collections::BTreeMap;

use crate::input::WaveData;
use crate::stats::{entropy_weights, Design};
use crate::tree::{NodeWeights, Tree};

use super::estimates::{group_estimates, groups, ItemSpec, Prepared};
use super::RunError;

pub fn weights(
    data: &WaveData,
    design: &Design,
    items: &[ItemSpec],
    tree: &Tree,
) -> Result<NodeWeights, RunError> {
    let mut index: BTreeMap<(String, String), f64> = BTreeMap::new();
    let units = groups(data, &["unit".to_string()]);
    let prepared = Prepared::new(data, items).map_err(|source| RunError::Stats {
        wave: data.label.clone(),
        step: "coding the items".into(),
        source,
    })?;
    for group in units.iter().skip(1) {
        for r in group_estimates(
            &data.label,
            design,
            &prepared,
            tree,
            &NodeWeights::new(),
            group,
        )? {
            let measure = if r.level == "item" {
                "index"
            } else {
                "index_equal"
            };
            if r.measure == measure {
                index.insert((group.value.clone(), r.indicator.clone()), r.estimate);
            }
        }
    }
    let mut out = NodeWeights::new();
    for (n, node) in tree.nodes.iter().enumerate() {
        if node.children.len() < 2 {
            continue;
        }
        let children = tree.child_ids(n);
        let mut columns = vec![Vec::new(); children.len()];
        for group in units.iter().skip(1) {
            let values: Option<Vec<f64>> = children
                .iter()
                .map(|c| index.get(&(group.value.clone(), c.clone())).copied())
                .collect();
            if let Some(values) = values {
                columns
                    .iter_mut()
                    .zip(values)
                    .for_each(|(col, v)| col.push(v));
            }
        }
        // Incidence-type items can sit at 0 everywhere; an all-zero column has no entropy.
        let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
        let w = entropy_weights(&slices).map_err(|e| RunError::Stats {
            wave: data.label.clone(),
            step: format!("entropy weights of {}", node.id),
            source: e,
        })?;
        out.insert(node.id.clone(), w);
    }
    Ok(out)
}
