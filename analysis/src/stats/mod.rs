//! Design-based estimators (METHODS.md), on plain slices.
