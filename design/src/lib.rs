//! The survey design: sample sizes, allocation, margins of error (METHODS.md §9).
