//! What pages share: each incident's summary as HTML, its table row and its
//! timeline bar title, made at most once (in parallel first by `build`, on
//! demand by `serve`).

use crate::render::TemplateError;
use std::sync::OnceLock;

use crate::model::Site;

/// What pages share, computed at most once per incident and only when a page
/// needs it: `build` needs all of it, `serve` only what is viewed.
pub struct Shared {
    /// Each incident's summary as sanitised HTML.
    pub(super) summaries: Vec<OnceLock<Option<String>>>,
    /// Each incident's table row from `incident_row.html`, with the root mark (`html::ROOT_MARK`)
    /// where the page's `root` goes.
    pub(super) rows: Vec<OnceLock<Result<String, TemplateError>>>,
    /// Each incident's bar title on timelines (it is drawn on up to three).
    pub(super) bar_titles: Vec<OnceLock<String>>,
    /// Each incident's times in words, for its row and its page.
    pub(super) times: Vec<OnceLock<TimeWords>>,
    /// `as_of` in words, for every page and every timeline's "as of" line.
    pub(super) as_of: String,
}

/// An incident's `started`, `ended` and bounding `up` in words.
#[derive(Clone)]
pub(super) struct TimeWords {
    pub started: String,
    pub ended: Option<String>,
    pub up_by: Option<String>,
}

impl Shared {
    pub fn new(site: &Site) -> Shared {
        let n = site.incidents.len();
        Shared {
            summaries: (0..n).map(|_| OnceLock::new()).collect(),
            rows: (0..n).map(|_| OnceLock::new()).collect(),
            bar_titles: (0..n).map(|_| OnceLock::new()).collect(),
            times: (0..n).map(|_| OnceLock::new()).collect(),
            as_of: crate::wording::as_of(site),
        }
    }
}
