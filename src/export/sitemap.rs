//! `sitemap.xml` and `robots.txt`: what search engines read.

use std::io::{self, Write};

use crate::escape::xml;
use crate::model::Site;

/// The sitemap of `urls` (absolute, in order).
pub fn sitemap(urls: &[String], w: &mut dyn Write) -> io::Result<()> {
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    )?;
    for u in urls {
        write!(w, "<url>\n<loc>{}</loc>\n</url>\n", xml(u))?;
    }
    w.write_all(b"</urlset>\n")
}

/// `robots.txt`: everything may be crawled; where the sitemap is.
pub fn robots(site: &Site, w: &mut dyn Write) -> io::Result<()> {
    write!(w, "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n", site.base_url)
}
