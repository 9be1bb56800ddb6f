//! sitrep: incident records and notes in, a static site out.
//!
//! The pipeline, one module per stage, each private to the crate (so the
//! compiler flags what nothing uses):
//! [`load`] (walk `content/`) → [`parse`] (YAML, front matter) →
//! [`validate`] (references, time contradictions, limits, site settings) →
//! [`model`] (the resolved site, with [`bounds`] of every outage) →
//! [`prepare`] (templates, assets, what pages share; where every output is
//! made: [`render`], [`export`], [`search`]) → [`write`] (atomic output).
//! The time model of docs/format.md ("Times") lives in [`time`] and
//! [`bounds`]; its wording in [`wording`]. [`check`] runs the stages up to
//! the model (what `sitrep check` reports); [`build`] writes every output,
//! [`serve`] answers each on request. [`cli`] is the command line, and the
//! only way in.

mod bounds;
mod build;
mod check;
pub mod cli;
mod diagnostics;
mod diff;
mod escape;
mod export;
mod guard;
mod load;
mod markdown;
mod model;
mod parse;
mod prepare;
mod records;
mod render;
mod routes;
mod scaffold;
mod schema;
mod search;
mod serve;
mod time;
mod validate;
mod wording;
mod write;

pub(crate) use diagnostics::yaml_path as path;

/// How the search page (`assets/search.js`) reads the index: the rules
/// that the tests reading a built index as the page does must share.
pub mod search_rules {
    pub use crate::search::postings::{shards_of, MAX_PREFIX_SHARDS, SHARD_BYTES};
    pub use crate::search::tokens::words;
    pub use crate::search::MAX_RECORD_WORDS;
}

/// Cases per property test: `PROPTEST_CASES` when set (for longer runs),
/// else `default`.
#[cfg(test)]
fn test_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
