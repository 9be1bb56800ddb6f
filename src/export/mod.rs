//! The machine-readable outputs, one file per format, each writing to a
//! [`std::io::Write`] from the model alone (none calls into `render`; the
//! feed takes the summaries' HTML as a function).
//!
//! Written from Rust with explicit escaping for each format rather than
//! through HTML templates, so each context gets the escaping it needs. A new
//! format is a file here and one line in `routes::File` (see ARCHITECTURE.md).

pub mod atom;
pub mod csv;
pub mod json;
pub mod sitemap;
pub mod stix;

pub use atom::atom_feed;
pub use csv::incidents_csv;
pub use json::incidents_json;
pub use sitemap::{robots, sitemap};
