//! `sitemap.xml` and `robots.txt`: what search engines read.

use super::Input;
use std::io::{self, Write};

use crate::escape::xml;

/// The sitemap: the URL of every page a search engine should list, sorted.
pub fn sitemap(input: &Input, w: &mut dyn Write) -> io::Result<()> {
    let urls = input.routes.sitemap_urls();
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    )?;
    for u in &urls {
        write!(w, "<url>\n<loc>{}</loc>\n</url>\n", xml(u))?;
    }
    w.write_all(b"</urlset>\n")
}

/// `robots.txt`: everything may be crawled; where the sitemap is.
pub fn robots(input: &Input, w: &mut dyn Write) -> io::Result<()> {
    let site = input.site;
    write!(w, "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n", site.base_url)
}
