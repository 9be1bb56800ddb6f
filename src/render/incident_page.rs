//! An incident's own page: its facts, how sure each time is, the bounds
//! of the outage (or why there is none), observations and sources.

use crate::render::TemplateError;
use tera::Context;

use super::views::{IncidentStatementView, ObservationView, SourceLink, SourceView};
use super::Renderer;
use crate::bounds::Status;
use crate::records::{Impact, Kind, State};
use crate::routes::Place;
use crate::time::TimeSpan;
use crate::wording;

impl Renderer<'_> {
    pub fn incident(&self, i: usize, at: &Place) -> Result<String, TemplateError> {
        let s = self.site;
        let inc = &s.incidents[i];
        let r = &inc.record;
        let mut c = self.context(at, "incidents");
        c.insert("incident", &self.row(i, usize::MAX));
        c.insert("summary_html", &self.summary(i));
        c.insert("tags", &r.tags);
        c.insert("impact_words", impact_words(inc.outcome.impact, inc.status()));
        self.insert_bounds(&mut c, i);
        let observations: Vec<ObservationView> = r
            .observations
            .iter()
            .zip(&inc.times.observations)
            .map(|(o, span)| ObservationView {
                at: o.at.text().to_string(),
                at_words: self.when(&o.at, *span),
                state: match o.state {
                    State::Down => "down",
                    State::Up => "up",
                    State::Attacked => "attacked",
                },
                source: o.source.as_ref().map(|id| {
                    r.source(Some(id))
                        .and_then(|src| src.title.clone().or(src.publisher.clone()))
                        .unwrap_or_else(|| id.to_string())
                }),
            })
            .collect();
        c.insert("observations", &observations);
        let sources: Vec<SourceView> = r
            .sources
            .iter()
            .zip(&inc.times.published)
            .map(|(src, published)| SourceView {
                id: src.id.as_str(),
                title: src.title.as_deref(),
                publisher: src.publisher.as_deref(),
                url: src.url.as_ref().map(|u| u.as_str()),
                archived: src.archived.as_ref().map(|u| u.as_str()),
                published: src.published.as_ref().map(|p| p.text()),
                published_words: src
                    .published
                    .as_ref()
                    .zip(*published)
                    .map(|(p, span)| self.when(p, span)),
            })
            .collect();
        c.insert("sources", &sources);
        c.insert("statements", &self.incident_statements(i));
        c.insert("notes", &self.note_links(Kind::Incident, &inc.id));
        c.insert(
            "timeline",
            &super::timeline::incident_svg(s, &self.shared.as_of, i, "facts"),
        );
        self.render("incident.html", &c)
    }

    /// Every statement of incident `i`, in the order they were made (those
    /// without a date last, as written), each with who says so and when.
    fn incident_statements(&self, i: usize) -> Vec<IncidentStatementView> {
        let s = self.site;
        let inc = &s.incidents[i];
        let r = &inc.record;
        let mut order: Vec<usize> = (0..r.actors.len()).collect();
        order.sort_by_key(|&n| {
            (
                inc.times.statements[n]
                    .map(|t| (0, t.earliest, t.latest))
                    .unwrap_or((1, s.as_of, s.as_of)),
                n,
            )
        });
        order
            .into_iter()
            .map(|n| {
                let a = &r.actors[n];
                let source = a
                    .source
                    .as_ref()
                    .and_then(|id| r.sources.iter().find(|src| src.id == *id));
                IncidentStatementView {
                    actor: self.link(Kind::Actor, &a.actor),
                    basis: a.basis.key(),
                    confidence: a.confidence.map(|c| c.value()),
                    source: source.map(SourceLink::of),
                    source_id: a.source.as_ref().map(|id| id.to_string()),
                    at: a.at.as_ref().map(|t| t.text().to_string()),
                    at_words: self.statement_when(i, n),
                }
            })
            .collect()
    }

    /// The bounds S and E in words.
    fn insert_bounds(&self, c: &mut Context, i: usize) {
        let s = self.site;
        let inc = &s.incidents[i];
        let zone = s.zone;
        let between = |from, to| {
            if from < to {
                wording::when(
                    TimeSpan {
                        earliest: from,
                        latest: to,
                    },
                    false,
                    zone,
                )
            } else {
                wording::instant(from, zone)
            }
        };
        let b = inc.outcome.bounds;
        c.insert("start_bounds", &between(b.start_earliest, b.start_latest));
        let end = match (inc.outcome.end(), inc.status()) {
            (_, Status::NoImpact) => "no outage to end".to_string(),
            ((Some(e), Some(l)), _) => between(e, l),
            ((Some(e), None), Status::Unverified) => format!(
                "not before {}; no end known, and no outage verified",
                wording::instant(e, zone)
            ),
            ((Some(e), None), _) => format!("not before {}; not known to have ended", wording::instant(e, zone)),
            ((None, _), _) => "no end known".to_string(),
        };
        c.insert("end_bounds", &end);
        let (start_label, end_label) = match inc.status() {
            Status::Unverified => ("May have begun", "May have ended"),
            Status::NoImpact => ("Attack began", "Outage ended"),
            Status::Ongoing | Status::Ended => ("Outage began", "Outage ended"),
        };
        c.insert("start_label", start_label);
        c.insert("end_label", end_label);
    }
}

/// What the impact means for the reader.
fn impact_words(impact: Impact, status: Status) -> &'static str {
    match (impact, status) {
        (Impact::Degraded, Status::Ongoing) => "the target was slow or partly unavailable, and is not known to have recovered",
        (Impact::Degraded, _) => "the target was slow or partly unavailable, and recovered",
        (_, Status::Ongoing) => "the target went down, and is not known to be back up",
        (_, Status::Ended) => "the target went down, and came back up",
        (_, Status::NoImpact) => "the target stayed available: an attack without impact, which adds no downtime",
        (_, Status::Unverified) => {
            "claimed or reported, not verified: nothing shows the target went down, so it counts in no downtime total (totals state it apart)"
        }
    }
}
