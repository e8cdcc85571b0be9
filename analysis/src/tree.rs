//! The indicator tree (METHODS §5) read from the questionnaire: the overall index at the root
//! (id [`ROOT`]), first- and second-level indicators, rated items at the leaves; and the
//! weights of each node's children from the batch (equal, expert, AHP; entropy is computed
//! from data in `run`).

use std::collections::BTreeMap;

use minyi_questionnaire::Questionnaire;

use crate::config::{IndicatorWeights, WeightMethod};
use crate::stats::{ahp, equal_weights};

/// The id of the overall composite index in the tree and in every output table.
pub const ROOT: &str = "index";

/// A node's child: an indicator (its index in [`Tree::nodes`]) or a rated item.
#[derive(Debug, Clone, PartialEq)]
pub enum Child {
    Node(usize),
    Item(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub children: Vec<Child>,
}

/// The tree; node 0 is the root.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

/// The weights of each node's children, in the order of [`Node::children`].
pub type NodeWeights = BTreeMap<String, Vec<f64>>;

impl Tree {
    pub fn from_questionnaire(q: &Questionnaire) -> Tree {
        let mut nodes = vec![Node {
            id: ROOT.into(),
            children: Vec::new(),
        }];
        for indicator in &q.indicators {
            nodes.push(Node {
                id: indicator.id.clone(),
                children: Vec::new(),
            });
        }
        for (i, indicator) in q.indicators.iter().enumerate() {
            let parent = match &indicator.parent {
                None => 0,
                Some(p) => nodes.iter().position(|n| &n.id == p).unwrap_or(0),
            };
            nodes[parent].children.push(Child::Node(i + 1));
        }
        for (_, item) in q.items() {
            if let (true, Some(indicator)) = (item.is_rated(), &item.indicator) {
                if let Some(n) = nodes.iter().position(|n| &n.id == indicator) {
                    nodes[n].children.push(Child::Item(item.id.clone()));
                }
            }
        }
        Tree { nodes }
    }

    pub fn node(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The ids of a node's children (indicator ids and item ids).
    pub fn child_ids(&self, node: usize) -> Vec<String> {
        self.nodes[node]
            .children
            .iter()
            .map(|c| match c {
                Child::Node(n) => self.nodes[*n].id.clone(),
                Child::Item(item) => item.clone(),
            })
            .collect()
    }

    /// Every item under a node.
    pub fn items_under(&self, node: usize) -> Vec<String> {
        self.item_weights(node, &NodeWeights::new(), &|_| true)
            .into_iter()
            .map(|(item, _)| item)
            .collect()
    }

    /// Each item's coefficient in a node's index: the product of the weights down the tree.
    /// Children without any available item are left out and their siblings' weights
    /// renormalised (a unit with no business respondents has a business-free index).
    pub fn item_weights(
        &self,
        node: usize,
        weights: &NodeWeights,
        available: &dyn Fn(&str) -> bool,
    ) -> Vec<(String, f64)> {
        let node_ref = &self.nodes[node];
        let given = weights
            .get(&node_ref.id)
            .cloned()
            .unwrap_or_else(|| equal_weights(node_ref.children.len()));
        let parts: Vec<(f64, Vec<(String, f64)>)> = node_ref
            .children
            .iter()
            .zip(given)
            .map(|(child, w)| {
                let items = match child {
                    Child::Node(n) => self.item_weights(*n, weights, available),
                    Child::Item(item) if available(item) => vec![(item.clone(), 1.0)],
                    Child::Item(_) => Vec::new(),
                };
                (w, items)
            })
            .filter(|(_, items)| !items.is_empty())
            .collect();
        let total: f64 = parts.iter().map(|(w, _)| w).sum();
        parts
            .into_iter()
            .flat_map(|(w, items)| {
                items
                    .into_iter()
                    .map(move |(item, a)| (item, a * w / total))
            })
            .collect()
    }
}

/// The weights the batch states (expert or AHP; equal for every node it leaves out).
/// Problems are `(key, message)`. Entropy weights come from data and are not built here.
pub fn configured_weights(
    tree: &Tree,
    config: &IndicatorWeights,
) -> Result<NodeWeights, Vec<(String, String)>> {
    let mut weights = NodeWeights::new();
    let mut problems = Vec::new();
    let children_of =
        |node: &str, key: &str, problems: &mut Vec<(String, String)>| match tree.node(node) {
            Some(n) => Some(tree.child_ids(n)),
            None => {
                problems.push((
                    key.to_string(),
                    format!(
                    "{node:?} is not a node of the indicator tree (\"{ROOT}\" or an indicator id)"
                ),
                ));
                None
            }
        };
    if config.method == WeightMethod::Expert {
        for (node, given) in &config.expert {
            let key = format!("indicators.expert.{node}");
            let Some(children) = children_of(node, &key, &mut problems) else {
                continue;
            };
            let mut row = Vec::new();
            for child in &children {
                match given.get(child) {
                    Some(&w) if w >= 0.0 && w.is_finite() => row.push(w),
                    Some(&w) => {
                        problems.push((format!("{key}.{child}"), format!("weight {w} is not ≥ 0")))
                    }
                    None => {
                        problems.push((key.clone(), format!("gives no weight for child {child:?}")))
                    }
                }
            }
            for child in given.keys().filter(|c| !children.contains(c)) {
                problems.push((
                    format!("{key}.{child}"),
                    format!(
                        "{child:?} is not a child of {node:?} (children: {})",
                        children.join(", ")
                    ),
                ));
            }
            let sum: f64 = row.iter().sum();
            if row.len() == children.len() && (sum - 1.0).abs() > 1e-6 {
                problems.push((key.clone(), format!("the weights sum to {sum}, not 1")));
            } else if row.len() == children.len() {
                weights.insert(node.clone(), row);
            }
        }
    }
    if config.method == WeightMethod::Ahp {
        for (node, spec) in &config.ahp {
            let key = format!("indicators.ahp.{node}");
            let Some(children) = children_of(node, &key, &mut problems) else {
                continue;
            };
            let mut sorted_given = spec.children.clone();
            sorted_given.sort();
            let mut sorted = children.clone();
            sorted.sort();
            if sorted_given != sorted {
                problems.push((
                    format!("{key}.children"),
                    format!(
                        "must list exactly the children of {node:?}: {}",
                        children.join(", ")
                    ),
                ));
                continue;
            }
            match ahp(node, &spec.matrix) {
                Err(e) => problems.push((format!("{key}.matrix"), e.to_string())),
                Ok(result) => {
                    let row = children
                        .iter()
                        .map(|c| {
                            result.weights[spec.children.iter().position(|g| g == c).unwrap_or(0)]
                        })
                        .collect();
                    weights.insert(node.clone(), row);
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(weights)
    } else {
        Err(problems)
    }
}
