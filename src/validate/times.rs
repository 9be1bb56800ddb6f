//! Every time of the content, resolved in the site's zone; then `as_of`;
//! then the open intervals (`A/..`) closed at it.
//!
//! Two passes because `as_of` depends on the data: by default it is the
//! latest end of any time written, and `A/..` runs up to it without
//! moving it (docs/format.md, "Times").

use rayon::prelude::*;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::{at, error_at};
use crate::diagnostics::Diagnostic;
use crate::parse::{Content, Parsed};
use crate::path;
use crate::time::{Resolved, TimeSpan, WrittenTime};

/// The spans of one incident's times, in record order.
#[derive(Clone, Debug)]
pub struct IncidentTimes {
    pub started: TimeSpan,
    pub ended: Option<TimeSpan>,
    pub observations: Vec<TimeSpan>,
    /// Each source's `published`.
    pub published: Vec<Option<TimeSpan>>,
    /// Each actor entry's `at`.
    pub statements: Vec<Option<TimeSpan>>,
}

/// Every time of the content, closed at `as_of`.
pub struct Times {
    /// Parallel to `content.incidents`; `None` where a time that decides
    /// the bounds did not resolve (reported).
    pub incidents: Vec<Option<IncidentTimes>>,
    /// Parallel to `content.notes`.
    pub notes: Vec<Option<TimeSpan>>,
    pub as_of: DateTime<Utc>,
}

/// One incident's times before `as_of` is known.
struct Pending {
    started: Option<Resolved>,
    ended: Option<Option<Resolved>>,
    observations: Vec<Option<Resolved>>,
    published: Vec<Option<Resolved>>,
    statements: Vec<Option<Resolved>>,
}

impl Pending {
    fn all(&self) -> impl Iterator<Item = &Resolved> {
        [self.started.as_ref(), self.ended.as_ref().and_then(Option::as_ref)]
            .into_iter()
            .flatten()
            .chain(self.observations.iter().flatten())
            .chain(self.published.iter().flatten())
            .chain(self.statements.iter().flatten())
    }

    fn close(self, as_of: DateTime<Utc>) -> Option<IncidentTimes> {
        let close = |r: Option<Resolved>| r.map(|r| r.close(as_of));
        let ended = match self.ended {
            Some(e) => Some(close(e)?),
            None => None,
        };
        Some(IncidentTimes {
            started: close(self.started)?,
            ended,
            observations: self.observations.into_iter().map(close).collect::<Option<_>>()?,
            published: self.published.into_iter().map(close).collect(),
            statements: self.statements.into_iter().map(close).collect(),
        })
    }
}

/// Resolves `t`, reporting at `path` of `p` why it denotes nothing.
fn resolve<T>(
    zone: Tz,
    p: &Parsed<T>,
    t: &WrittenTime,
    path: &[crate::diagnostics::Seg],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Resolved> {
    t.resolve(zone)
        .map_err(|e| diagnostics.push(error_at(p, path, e.to_string())))
        .ok()
}

/// Resolves every time; errors go to `diagnostics`.
pub fn resolve_all(content: &Content, zone: Tz, diagnostics: &mut Vec<Diagnostic>) -> Times {
    // Incidents are independent: resolved in parallel, merged in order.
    let found: Vec<(Pending, Vec<Diagnostic>)> = content
        .incidents
        .par_iter()
        .map(|p| {
            let mut d = Vec::new();
            let r = &p.record;
            let pending = Pending {
                started: resolve(zone, p, &r.started, &path!["started"], &mut d),
                ended: r.ended.as_ref().map(|t| resolve(zone, p, t, &path!["ended"], &mut d)),
                observations: (r.observations.iter().enumerate())
                    .map(|(i, o)| resolve(zone, p, &o.at, &path!["observations", i, "at"], &mut d))
                    .collect(),
                published: (r.sources.iter().enumerate())
                    .map(|(i, s)| {
                        let t = s.published.as_ref()?;
                        resolve(zone, p, t, &path!["sources", i, "published"], &mut d)
                    })
                    .collect(),
                statements: (r.actors.iter().enumerate())
                    .map(|(i, a)| resolve(zone, p, a.at.as_ref()?, &path!["actors", i, "at"], &mut d))
                    .collect(),
            };
            (pending, d)
        })
        .collect();
    let (pending, found): (Vec<Pending>, Vec<Vec<Diagnostic>>) = found.into_iter().unzip();
    diagnostics.extend(found.into_iter().flatten());
    let notes: Vec<Option<Resolved>> = content
        .notes
        .iter()
        .map(|p| resolve(zone, p, p.record.front.date.as_ref()?, &path!["date"], diagnostics))
        .collect();

    // "Now": as written, else the latest end of any closed time in the data.
    let written = content.site.as_ref().and_then(|s| {
        let t = s.record.as_of.as_ref()?;
        let r = resolve(zone, s, t, &path!["as_of"], diagnostics)?;
        if r.latest.is_none() {
            diagnostics.push(
                error_at(s, &path!["as_of"], format!("`as_of` ({t}) cannot be open-ended"))
                    .with_hint("as_of is the \"now\" of the data: write when it was last checked, e.g. `2024-08-26T12/2024-08-26T18`"),
            );
        }
        r.latest
    });
    let times = || pending.iter().flat_map(Pending::all).chain(notes.iter().flatten());
    let as_of = written.or_else(|| times().filter_map(|r| r.closed()).map(|s| s.latest).max());
    let Some(as_of) = as_of else {
        if times().next().is_some() {
            // Every time is open (`A/..`): nothing says when "now" is, and
            // none is invented (the epoch, or the clock); no time is
            // measured against it, so nothing else is reported of them.
            no_as_of(content, diagnostics);
        }
        return Times {
            incidents: pending.iter().map(|_| None).collect(),
            notes: notes.iter().map(|_| None).collect(),
            as_of: DateTime::<Utc>::UNIX_EPOCH,
        };
    };
    Times {
        incidents: pending.into_iter().map(|p| p.close(as_of)).collect(),
        notes: notes.into_iter().map(|r| r.map(|r| r.close(as_of))).collect(),
        as_of,
    }
}

/// The error for an `as_of` that cannot be derived: at `site.yaml`'s
/// first line, or the first incident's `started` without one.
fn no_as_of(content: &Content, diagnostics: &mut Vec<Diagnostic>) {
    const MESSAGE: &str =
        "as_of cannot be derived: every time in the data is open-ended (`A/..`), so nothing says when \"now\" is";
    const HINT: &str =
        "write `as_of:` in content/site.yaml: when the data was last checked, e.g. `as_of: 2024-08-26T18`";
    let diagnostic = match (&content.site, content.incidents.first()) {
        (Some(s), _) => error_at(s, &[], MESSAGE),
        (None, Some(p)) => error_at(p, &path!["started"], MESSAGE),
        (None, None) => return,
    };
    diagnostics.push(diagnostic.with_hint(HINT));
}

/// The error for a time wholly after `as_of`.
pub fn after_as_of<T>(
    p: &Parsed<T>,
    path: &[crate::diagnostics::Seg],
    time: Option<&WrittenTime>,
    as_of: DateTime<Utc>,
    zone: Tz,
) -> Diagnostic {
    let what = time.map_or(String::new(), |t| format!(" ({t})"));
    let open = time.is_some_and(WrittenTime::is_open);
    error_at(
        p,
        path,
        format!(
            "this time{what} is wholly after as_of, which ends at {}",
            crate::time::local_text(as_of, zone)
        ),
    )
    .with_hint(if open {
        "`A/..` runs up to as_of and does not move it: set `as_of` in content/site.yaml to when the data was last checked"
    } else {
        "`as_of` in content/site.yaml is the \"now\" of the data: move it later, or fix this time"
    })
}

/// `at` of a path, for the contradiction checks that report at the later of two fields.
pub fn line_of<T>(p: &Parsed<T>, path: &[crate::diagnostics::Seg]) -> usize {
    at(p, path).0
}
