//! The machine-readable outputs and the site's other files that are not
//! pages, one [`Exporter`] each: every one writes to a [`Write`] from the
//! same [`Input`] (the model, the routes, the summaries' HTML), and none
//! calls into `render` itself.
//!
//! Written from Rust with explicit escaping for each format rather than
//! through HTML templates, so each context gets the escaping it needs. A new
//! format is a file here, a variant of `routes::File` and its line in
//! `Prepared::write_file` (see ARCHITECTURE.md).

use std::io::{self, Write};

use crate::model::Site;
use crate::routes::Routes;

pub mod atom;
pub mod csv;
pub mod json;
pub mod sitemap;
pub mod stix;

/// What every exporter reads.
pub struct Input<'a> {
    pub site: &'a Site,
    /// The site's pages and their URLs.
    pub routes: &'a Routes<'a>,
    /// Incident `i`'s summary as sanitised HTML (made once, with the pages).
    pub summary: &'a dyn Fn(usize) -> Option<String>,
}

/// The one shape of an exporter.
pub type Exporter = fn(&Input, &mut dyn Write) -> io::Result<()>;

/// `CNAME`: the custom domain GitHub Pages serves the site at.
pub fn cname(input: &Input, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "{}", input.site.cname.as_deref().unwrap_or_default())
}

/// `.nojekyll`: empty; its presence tells GitHub Pages to publish the site
/// as it is.
pub fn nothing(_: &Input, _: &mut dyn Write) -> io::Result<()> {
    Ok(())
}
