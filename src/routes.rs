//! The site's shape, in one place: every page and every other file of the
//! site, each with its path inside the site, its relative root (derived
//! from the path), its absolute URL and its content type.
//!
//! `build` renders [`Routes::pages`] and writes [`Routes::files`], `serve`
//! answers a request by [`Routes::find`], the sitemap is a map over the
//! pages, and a file of `static/` that would land on a generated path is
//! found by the same lookup ([`Routes::collisions`]). A new output format
//! is one more [`File`] variant here (its name) and one line where
//! [`crate::prepare::Prepared::write_file`] writes it. The search index is
//! the one output named by the data: its folder is its own
//! ([`crate::search::FOLDER`]), and `Prepared::search_index` makes it.

use crate::model::{list_path, page_path, Site};
use crate::records::{Id, Kind};

/// A page of the site.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Page {
    Home,
    NotFound,
    /// The search page, which reads the index (`search/`).
    Search,
    /// Page `n` (from 1) of the list of a kind.
    List(Kind, usize),
    Record(Kind, usize),
}

/// A file of the site that is not a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum File {
    Stix,
    IncidentsJson,
    IncidentsCsv,
    Feed,
    Robots,
    NoJekyll,
    /// The n-th file that is the same whatever the data (assets, schemas).
    Fixed(usize),
    Cname,
    Sitemap,
}

/// Anything `build` writes and `serve` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Page(Page),
    File(File),
}

/// Where a page is: its file in the site, the folder its URL names, and
/// the prefix that leads from it back to the site's root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// `incidents/x/index.html`.
    pub file: String,
    /// `incidents/x/` (what its URL and canonical link end with).
    pub folder: String,
    /// `../../`: one `../` per folder of `file`. The 404 page, which a host
    /// serves at any address, gets the base URL's path instead.
    pub root: String,
}

/// The prefix that leads from a file at `path` back to the site's root.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The content type a file of the site is served with, from its name.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The table of a site's outputs.
pub struct Routes<'a> {
    site: &'a Site,
    /// Names of the [`File::Fixed`] files, by position.
    fixed: &'a [String],
}

impl<'a> Routes<'a> {
    pub fn new(site: &'a Site, fixed: &'a [String]) -> Routes<'a> {
        Routes { site, fixed }
    }

    /// Every page, in a fixed order.
    pub fn pages(&self) -> Vec<Page> {
        let s = self.site;
        let mut pages = vec![Page::Home, Page::NotFound, Page::Search];
        for kind in Kind::ALL {
            pages.extend((1..=s.list_pages(kind)).map(|n| Page::List(kind, n)));
            pages.extend((0..s.count(kind)).map(|i| Page::Record(kind, i)));
        }
        pages
    }

    /// Every file that is not a page, in a fixed order.
    pub fn files(&self) -> Vec<File> {
        let mut files = vec![
            File::Stix,
            File::IncidentsJson,
            File::IncidentsCsv,
            File::Feed,
            File::Robots,
            File::NoJekyll,
        ];
        files.extend((0..self.fixed.len()).map(File::Fixed));
        if self.site.cname.is_some() {
            files.push(File::Cname);
        }
        files.push(File::Sitemap);
        files
    }

    /// The id of the `i`-th record of a kind.
    fn id(&self, kind: Kind, i: usize) -> &'a Id {
        let s = self.site;
        match kind {
            Kind::Incident => &s.incidents[i].id,
            Kind::Actor => &s.actors[i].id,
            Kind::Target => &s.targets[i].id,
            Kind::Campaign => &s.campaigns[i].id,
            Kind::Note => &s.notes[i].parsed.id,
        }
    }

    /// Where a page is.
    pub fn place(&self, page: Page) -> Place {
        let folder = match page {
            Page::Home => String::new(),
            Page::Search => crate::search::FOLDER.to_string(),
            Page::NotFound => {
                let base = url::Url::parse(&self.site.base_url).map_or_else(|_| "/".into(), |u| u.path().to_string());
                return Place {
                    file: "404.html".into(),
                    folder: "404.html".into(),
                    root: base,
                };
            }
            Page::List(kind, n) => list_path(kind, n),
            Page::Record(kind, i) => page_path(kind, self.id(kind, i)),
        };
        let file = format!("{folder}index.html");
        Place {
            root: root_of(&file),
            file,
            folder,
        }
    }

    /// The path of a file inside the site.
    pub fn file_path(&self, file: File) -> &'a str {
        match file {
            File::Stix => "stix.json",
            File::IncidentsJson => "incidents.json",
            File::IncidentsCsv => "incidents.csv",
            File::Feed => "feed.xml",
            File::Robots => "robots.txt",
            File::NoJekyll => ".nojekyll",
            File::Fixed(n) => &self.fixed[n],
            File::Cname => "CNAME",
            File::Sitemap => "sitemap.xml",
        }
    }

    /// The path of any output inside the site.
    pub fn path(&self, output: Output) -> String {
        match output {
            Output::Page(page) => self.place(page).file,
            Output::File(file) => self.file_path(file).to_string(),
        }
    }

    /// The absolute URL of a page.
    pub fn url(&self, page: Page) -> String {
        format!("{}{}", self.site.base_url, self.place(page).folder)
    }

    /// The output at a path of the site: `/incidents/x/`,
    /// `incidents/x/index.html`, `feed.xml`, …
    pub fn find(&self, path: &str) -> Option<Output> {
        let path = path.trim_start_matches('/');
        if let Some(file) = self.files().into_iter().find(|&f| self.file_path(f) == path) {
            return Some(Output::File(file));
        }
        self.find_page(path).map(Output::Page)
    }

    fn find_page(&self, path: &str) -> Option<Page> {
        if path == "404.html" {
            return Some(Page::NotFound);
        }
        let path = path.strip_suffix("index.html").unwrap_or(path).trim_end_matches('/');
        let parts: Vec<&str> = if path.is_empty() {
            Vec::new()
        } else {
            path.split('/').collect()
        };
        let kind_of = |folder: &str| Kind::ALL.into_iter().find(|k| k.folder() == folder);
        match parts.as_slice() {
            [] => Some(Page::Home),
            ["search"] => Some(Page::Search),
            [folder] => kind_of(folder).map(|kind| Page::List(kind, 1)),
            [folder, "page", n] => {
                let kind = kind_of(folder)?;
                let n: usize = n.parse().ok()?;
                (2..=self.site.list_pages(kind))
                    .contains(&n)
                    .then_some(Page::List(kind, n))
            }
            [folder, id] => {
                let kind = kind_of(folder)?;
                let id = Id::parse(id).ok()?;
                self.site.position(kind, &id).map(|i| Page::Record(kind, i))
            }
            _ => None,
        }
    }

    /// The files of `static/` (paths inside it) that would land on a
    /// generated output, with that output's path. The search index's folder
    /// is the index's alone: its files are named by the data.
    pub fn collisions<'p>(&self, static_files: &'p [String]) -> Vec<(&'p str, String)> {
        static_files
            .iter()
            .filter_map(|f| {
                if f.to_lowercase().starts_with(crate::search::FOLDER) {
                    return Some((f.as_str(), format!("{}* (the search index)", crate::search::FOLDER)));
                }
                // Generated names are lower case; a name that differs only
                // in case is the same file on Windows and macOS.
                let lower = f.to_lowercase();
                let generated = self.find(&lower)?;
                let path = self.path(generated);
                (path == lower || path == format!("{lower}/index.html")).then_some((f.as_str(), path))
            })
            .collect()
    }

    /// The sitemap's URLs: every page but the 404 and the search page
    /// (which holds nothing of its own), sorted.
    pub fn sitemap_urls(&self) -> Vec<String> {
        let mut urls: Vec<String> = self
            .pages()
            .into_iter()
            .filter(|&p| p != Page::NotFound && p != Page::Search)
            .map(|p| self.url(p))
            .collect();
        urls.sort();
        urls
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_and_content_types_are_derived_from_paths() {
        for (path, root, content) in [
            ("index.html", "", "text/html; charset=utf-8"),
            ("incidents/x/index.html", "../../", "text/html; charset=utf-8"),
            ("incidents/page/2/index.html", "../../../", "text/html; charset=utf-8"),
            ("incidents/index.html", "../", "text/html; charset=utf-8"),
            ("feed.xml", "", "application/xml"),
            ("assets/style.css", "../", "text/css; charset=utf-8"),
            ("CNAME", "", "application/octet-stream"),
        ] {
            assert_eq!(
                (root_of(path), content_type(path)),
                (root.to_string(), content),
                "{path}"
            );
        }
    }
}
