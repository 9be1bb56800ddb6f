//! The integration tests, one binary: each module drives the real `sitrep`
//! binary on real folders, for one area of the product.

mod common;

mod build;
mod check;
mod claims;
mod diff;
mod evidence;
mod readability;
mod scaffold;
mod search;
mod security;
mod serve;
