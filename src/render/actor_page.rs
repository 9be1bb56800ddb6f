//! An actor's page: who it is, how it relates to other actors (both
//! ways), and every statement about it kept apart by who makes it: what
//! it announced and claimed, what others attribute to it or suspect.

use super::views::{RelationView, SourceLink, StatementGroup, StatementView};
use super::{Renderer, ROW_LINKS};
use crate::markdown::to_html;
use crate::model::ROWS_PER_PAGE;
use crate::records::{ActorRef, Basis, Id, Kind};
use crate::render::TemplateError;
use crate::routes::Place;

impl Renderer<'_> {
    pub fn actor(&self, i: usize, at: &Place) -> Result<String, TemplateError> {
        let p = &self.site.actors[i];
        let title = format!("Incidents involving {}", p.record.name);
        let (mut c, incidents) = self.record_page(Kind::Actor, p, &title, None, at);
        c.insert("description_html", &p.record.description.as_deref().map(to_html));
        c.insert("relations", &self.relations(i));
        c.insert("by_basis", &self.statements(&p.id, incidents));
        self.render("actor.html", &c)
    }

    /// The relations of actor `i`, both those its record writes and those
    /// other records write to it.
    fn relations(&self, i: usize) -> Vec<RelationView> {
        let s = self.site;
        s.relations[i]
            .iter()
            .map(|r| RelationView {
                words: if r.reverse {
                    r.kind.reverse_words()
                } else {
                    r.kind.words()
                },
                kind: r.kind.key(),
                actor: self.link(Kind::Actor, &s.actors[r.other].id),
                url: r.url.clone(),
            })
            .collect()
    }

    /// The statements about actor `id` in `incidents`, grouped by basis in
    /// the order of [`Basis::ALL`]; the most recent [`ROWS_PER_PAGE`] of each.
    fn statements(&self, id: &Id, incidents: &[usize]) -> Vec<StatementGroup> {
        let s = self.site;
        let mut groups: Vec<StatementGroup> = Basis::ALL
            .iter()
            .map(|b| StatementGroup {
                basis: b.key(),
                statements: Vec::new(),
                hidden: 0,
            })
            .collect();
        let mut all: Vec<Vec<(usize, usize)>> = vec![Vec::new(); Basis::ALL.len()];
        for &k in incidents {
            let r = &s.incidents[k].record;
            for (n, a) in r.actors.iter().enumerate().filter(|(_, a)| a.actor == *id) {
                if let Some(g) = Basis::ALL.iter().position(|b| *b == a.basis) {
                    all[g].push((k, n));
                }
            }
        }
        for (group, found) in groups.iter_mut().zip(all) {
            group.hidden = found.len().saturating_sub(ROWS_PER_PAGE);
            group.statements = found[group.hidden..]
                .iter()
                .map(|&(k, n)| self.statement(k, n))
                .collect();
        }
        groups.retain(|g| !g.statements.is_empty());
        groups
    }

    /// Actor entry `n` of incident `k`, with the source it cites and when.
    fn statement(&self, k: usize, n: usize) -> StatementView {
        let s = self.site;
        let inc = &s.incidents[k];
        let r = &inc.record;
        let a: &ActorRef = &r.actors[n];
        let source = r.source(a.source.as_ref());
        let (targets, more_targets) = self.target_links(&r.targets, ROW_LINKS);
        StatementView {
            incident: self.link(Kind::Incident, &inc.id),
            status: inc.status().key(),
            status_label: inc.status().label(),
            duration: crate::wording::how_long(inc.status(), inc.duration),
            targets,
            more_targets,
            source: source.map(SourceLink::of),
            at: a.at.as_ref().map(|t| t.text().to_string()),
            at_words: self.statement_when(k, n),
            confidence: a.confidence.map(|c| c.value()),
        }
    }
}
