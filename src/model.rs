//! Stage 4: the resolved site, ready to render.
//!
//! Incidents carry their derived bounds (docs/format.md, "Times"); records are sorted once;
//! indexes from a target, actor, campaign or any record to its incidents and
//! notes are built once, so every page and aggregate is a lookup, never a scan.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::bounds::{attack_seen, total_downtime, totals, AttackSeen, DurationBounds, Outcome, Status, Totals};
use crate::parse::{Note, Parsed};
use crate::records::{Actor, Campaign, Id, Incident, Kind, RelationKind, State, Target};
use crate::time::TimeSpan;
use crate::validate::{IncidentTimes, Validated};

/// One incident with everything derived from it.
#[derive(Debug)]
pub struct IncidentModel {
    pub id: Id,
    pub record: Incident,
    /// Its times as spans: `started`, `ended`, and lists parallel to the
    /// record's `observations`, `sources` (each one's `published`) and
    /// `actors` (when each statement was made).
    pub times: IncidentTimes,
    /// The impact (as written, or its default) and the bounds of the evidence.
    pub outcome: Outcome,
    /// `outcome.duration()`, which every table and title shows.
    pub duration: DurationBounds,
    /// The `up` observation that bounds the end, when no `ended` is written.
    pub up_by: Option<usize>,
    /// Where each of `record.targets` is in [`Site::targets`]: pages that
    /// gather targets (timelines, figures) count and group by number, not
    /// by looking ids up.
    pub target_at: Box<[u32]>,
}

/// A relation of an actor to another, as read from the first: the
/// relations an actor record writes, and those other records write to it.
#[derive(Debug, Clone)]
pub struct ActorRelation {
    /// The other actor's position in [`Site::actors`].
    pub other: usize,
    pub kind: RelationKind,
    /// The public source that says so.
    pub url: Option<String>,
    /// Whether the other actor's record writes it (so it reads backwards).
    pub reverse: bool,
}

#[derive(Debug)]
pub struct NoteModel {
    pub parsed: Parsed<Note>,
    pub date: Option<TimeSpan>,
}

/// The whole site.
#[derive(Debug)]
pub struct Site {
    pub title: String,
    pub description: Option<String>,
    /// Absolute, ending with `/`.
    pub base_url: String,
    pub language: String,
    pub zone: Tz,
    pub as_of: DateTime<Utc>,
    /// `as_of` as written in site.yaml, when it is.
    pub as_of_written: Option<crate::time::WrittenTime>,
    pub cname: Option<String>,
    /// Ordered by `started.earliest`, then id (docs/format.md, "Exports").
    pub incidents: Vec<IncidentModel>,
    /// Ordered by id.
    pub actors: Vec<Parsed<Actor>>,
    pub targets: Vec<Parsed<Target>>,
    pub campaigns: Vec<Parsed<Campaign>>,
    /// Newest first (undated last), then by id.
    pub notes: Vec<NoteModel>,
    /// Parallel to `actors`: each one's relations, both ways, in order of
    /// the other actor.
    pub relations: Vec<Vec<ActorRelation>>,
    /// Each actor's, target's and campaign's indexes into `incidents`, in
    /// incident order, by the record's position in its list.
    incidents_of: [Vec<Vec<usize>>; 3],
    /// Record → indexes into `notes`.
    notes_about: ByKind<Vec<usize>>,
    index: ByKind<usize>,
}

/// Each actor's relations, both ways: a relation one actor states shows
/// on the other's page too.
fn actor_relations(actors: &[Parsed<Actor>], position: &dyn Fn(Kind, &Id) -> usize) -> Vec<Vec<ActorRelation>> {
    let mut relations: Vec<Vec<ActorRelation>> = vec![Vec::new(); actors.len()];
    for (i, a) in actors.iter().enumerate() {
        for r in &a.record.relations {
            let other = position(Kind::Actor, &r.actor);
            let url = r.url.as_ref().map(|u| u.as_str().to_string());
            relations[i].push(ActorRelation {
                other,
                kind: r.kind,
                url: url.clone(),
                reverse: false,
            });
            relations[other].push(ActorRelation {
                other: i,
                kind: r.kind,
                url,
                reverse: true,
            });
        }
    }
    for list in &mut relations {
        list.sort_by_key(|r| (r.other, r.kind, r.reverse));
        // Both records may say a symmetric relation (`same-as`,
        // `allied-with`): shown once, by the page's own record when it
        // says it, with the first source given.
        list.dedup_by(|later, kept| {
            let same = later.other == kept.other && later.kind == kept.kind && later.kind != RelationKind::PartOf;
            if same && kept.url.is_none() {
                kept.url = later.url.take();
            }
            same
        });
    }
    relations
}

/// The notes about each record, by position in the notes' order.
fn notes_about(notes: &[NoteModel]) -> ByKind<Vec<usize>> {
    let mut notes_about: ByKind<Vec<usize>> = ByKind::default();
    for (i, n) in notes.iter().enumerate() {
        for r in &n.parsed.record.front.about {
            let list = notes_about.entry(r.kind, &r.id);
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    notes_about
}

/// An incident of the model, from its parsed record and what validation derived.
fn incident_model(p: Parsed<Incident>, c: crate::validate::Checked) -> IncidentModel {
    let obs = &p.record.observations;
    let (t, bounds) = (c.times, c.bounds);
    let outcome = Outcome {
        impact: p.record.impact(),
        bounds,
    };
    // The written `up` whose span ends where E.latest does.
    let up_by = match (&p.record.ended, bounds.end_latest) {
        (None, Some(end)) => obs
            .iter()
            .zip(&t.observations)
            .position(|(o, s)| o.state == State::Up && s.latest == end),
        _ => None,
    };
    IncidentModel {
        up_by,
        id: p.id,
        record: p.record,
        times: t,
        duration: outcome.duration(),
        outcome,
        target_at: Box::default(),
    }
}

/// Who and what each incident involves, by position: each incident's
/// targets' positions, and the incidents of each actor, target and
/// campaign. One lookup per reference, and no id copied (at 100k
/// incidents, keying lists by id was a third of the model's time).
fn link_incidents(
    incidents: &mut [IncidentModel],
    counts: [usize; 3],
    position: &dyn Fn(Kind, &Id) -> usize,
) -> [Vec<Vec<usize>>; 3] {
    let mut incidents_of: [Vec<Vec<usize>>; 3] = counts.map(|n| vec![Vec::new(); n]);
    for (i, inc) in incidents.iter_mut().enumerate() {
        let r = &inc.record;
        let mut push = |slot: usize, at: usize| {
            let list = &mut incidents_of[slot][at];
            if list.last() != Some(&i) {
                list.push(i);
            }
        };
        let target_at: Box<[u32]> = r.targets.iter().map(|t| position(Kind::Target, t) as u32).collect();
        for &t in target_at.iter() {
            push(TARGETS, t as usize);
        }
        for a in &r.actors {
            push(ACTORS, position(Kind::Actor, &a.actor));
        }
        if let Some(c) = &r.campaign {
            push(CAMPAIGNS, position(Kind::Campaign, c));
        }
        inc.target_at = target_at;
    }
    incidents_of
}

impl Site {
    /// Assembles the model; `base_url` overrides the one in `site.yaml`.
    pub fn build(v: Validated, base_url: Option<&str>) -> Site {
        let Validated {
            content,
            zone,
            as_of,
            incidents: checked,
            note_dates,
        } = v;
        let site = content.site.expect("validated content has a site");
        let mut incidents: Vec<IncidentModel> = content
            .incidents
            .into_iter()
            .zip(checked)
            .map(|(p, c)| incident_model(p, c))
            .collect();
        // Records are big: sort keys, then move each record once (a
        // comparison sort moves them log n times).
        incidents.sort_by_cached_key(|inc| (inc.times.started.earliest, inc.id.clone()));

        let mut actors = content.actors;
        actors.sort_by(|a, b| a.id.cmp(&b.id));
        let mut targets = content.targets;
        targets.sort_by(|a, b| a.id.cmp(&b.id));
        let mut campaigns = content.campaigns;
        campaigns.sort_by(|a, b| a.id.cmp(&b.id));
        let mut notes: Vec<NoteModel> = content
            .notes
            .into_iter()
            .zip(note_dates)
            .map(|(parsed, date)| NoteModel { parsed, date })
            .collect();
        notes.sort_by(|a, b| {
            let key = |n: &NoteModel| n.date.map(|d| std::cmp::Reverse(d.earliest));
            // Dated notes first, newest first; then by id.
            (key(a).is_none(), key(a), &a.parsed.id).cmp(&(key(b).is_none(), key(b), &b.parsed.id))
        });

        let mut index: ByKind<usize> = ByKind::default();
        let lists: [(Kind, Vec<&Id>); 5] = [
            (Kind::Incident, incidents.iter().map(|x| &x.id).collect()),
            (Kind::Actor, actors.iter().map(|x| &x.id).collect()),
            (Kind::Target, targets.iter().map(|x| &x.id).collect()),
            (Kind::Campaign, campaigns.iter().map(|x| &x.id).collect()),
            (Kind::Note, notes.iter().map(|x| &x.parsed.id).collect()),
        ];
        for (kind, ids) in lists {
            index.reserve(kind, ids.len());
            for (i, id) in ids.into_iter().enumerate() {
                index.insert(kind, id, i);
            }
        }

        let position = |kind: Kind, id: &Id| *index.get(kind, id).expect("validated references exist");
        let incidents_of = link_incidents(
            &mut incidents,
            [actors.len(), targets.len(), campaigns.len()],
            &position,
        );
        let relations = actor_relations(&actors, &position);
        let notes_about = notes_about(&notes);

        let mut base = base_url.unwrap_or(site.record.base_url.as_str()).to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        Site {
            title: site.record.title,
            description: site.record.description,
            base_url: base,
            language: site.record.language.unwrap_or_else(|| "en".into()),
            zone,
            as_of,
            as_of_written: site.record.as_of,
            cname: site.record.cname,
            incidents,
            actors,
            targets,
            campaigns,
            notes,
            relations,
            incidents_of,
            notes_about,
            index,
        }
    }

    /// Position of a record in its list.
    /// The title or name of the record `id` of `kind`, if there is one.
    pub fn name(&self, kind: Kind, id: &Id) -> Option<&str> {
        let i = self.position(kind, id)?;
        Some(match kind {
            Kind::Incident => &self.incidents[i].record.title,
            Kind::Actor => &self.actors[i].record.name,
            Kind::Target => &self.targets[i].record.name,
            Kind::Campaign => &self.campaigns[i].record.name,
            Kind::Note => &self.notes[i].parsed.record.front.title,
        })
    }

    pub fn position(&self, kind: Kind, id: &Id) -> Option<usize> {
        self.index.get(kind, id).copied()
    }

    /// The incidents of a target, actor or campaign, in incident order.
    pub fn incidents_of(&self, kind: Kind, id: &Id) -> &[usize] {
        let slot = match kind {
            Kind::Actor => ACTORS,
            Kind::Target => TARGETS,
            Kind::Campaign => CAMPAIGNS,
            Kind::Incident | Kind::Note => return &[],
        };
        self.position(kind, id).map_or(&[], |at| &self.incidents_of[slot][at])
    }

    /// The notes about a record.
    pub fn notes_about(&self, kind: Kind, id: &Id) -> &[usize] {
        self.notes_about.get(kind, id).map_or(&[], Vec::as_slice)
    }

    /// Total downtime of a set of incidents, overlaps counted once.
    pub fn downtime(&self, incidents: &[usize]) -> DurationBounds {
        total_downtime(incidents.iter().map(|&i| &self.incidents[i].outcome))
    }

    /// The totals of a set of incidents: downtime, and unverified claims'
    /// time apart from it. Pages and `incidents.json` both use this.
    pub fn totals(&self, incidents: &[usize]) -> Totals {
        totals(incidents.iter().map(|&i| &self.incidents[i].outcome))
    }

    /// The totals of the whole site: the union over all incidents (a
    /// moment of outage counts once however many targets were down).
    pub fn site_totals(&self) -> Totals {
        totals(self.incidents.iter().map(|i| &i.outcome))
    }

    /// When a set of incidents may have been under way: from the earliest
    /// start to the latest possible end (`as_of` for an open one, the
    /// start for an attack without impact), and whether an outage among
    /// them is ongoing. `None` for no incident.
    pub fn extent(&self, incidents: &[usize]) -> Option<(DateTime<Utc>, DateTime<Utc>, bool)> {
        let first = incidents
            .iter()
            .map(|&i| self.incidents[i].outcome.bounds.start_earliest)
            .min()?;
        let last = incidents
            .iter()
            .map(|&i| self.incidents[i].last_moment(self.as_of))
            .max()?;
        let ongoing = incidents.iter().any(|&i| self.incidents[i].status() == Status::Ongoing);
        Some((first, last, ongoing))
    }

    /// How many records of a kind there are.
    pub fn count(&self, kind: Kind) -> usize {
        match kind {
            Kind::Incident => self.incidents.len(),
            Kind::Actor => self.actors.len(),
            Kind::Target => self.targets.len(),
            Kind::Campaign => self.campaigns.len(),
            Kind::Note => self.notes.len(),
        }
    }

    /// How many pages the list of a kind takes (at least one).
    pub fn list_pages(&self, kind: Kind) -> usize {
        self.count(kind).div_ceil(ROWS_PER_PAGE).max(1)
    }

    /// How many of `incidents` have each status, in the order of [`Status::ALL`].
    pub fn status_counts(&self, incidents: &[usize]) -> [usize; 4] {
        let mut counts = [0; 4];
        for &i in incidents {
            let status = self.incidents[i].status();
            if let Some(k) = Status::ALL.iter().position(|s| *s == status) {
                counts[k] += 1;
            }
        }
        counts
    }

    /// The absolute URL of a record's page.
    pub fn url_of(&self, kind: Kind, id: &Id) -> String {
        format!("{}{}", self.base_url, page_path(kind, id))
    }
}

impl IncidentModel {
    /// The last moment the incident may have affected its target: the end
    /// of its possible part, `as_of` while open, its start when it had no
    /// impact.
    pub fn last_moment(&self, as_of: DateTime<Utc>) -> DateTime<Utc> {
        match self.outcome.possible() {
            Some((_, Some(end))) => end,
            Some((_, None)) => as_of,
            None => self.times.started.latest.min(as_of),
        }
    }

    /// `ongoing`, `ended`, `no-impact` or `unverified`, as every page and export says it.
    pub fn status(&self) -> Status {
        self.outcome.status()
    }

    /// How long the attack itself was seen under way (its `attacked`
    /// observations; indexes are into `record.observations`).
    pub fn attack_seen(&self) -> Option<AttackSeen> {
        attack_seen(
            (self
                .record
                .observations
                .iter()
                .zip(&self.times.observations)
                .enumerate())
            .filter(|(_, (o, _))| o.state == State::Attacked)
            .map(|(i, (_, span))| (i, *span)),
        )
    }

    /// The latest moment the record's facts reach: the largest `latest`
    /// bound of its written times (started, ended, observations,
    /// statements, sources' `published`), capped at `as_of`. What a feed
    /// entry's `updated` is, so a new statement about an old attack comes
    /// first.
    pub fn updated(&self, as_of: DateTime<Utc>) -> DateTime<Utc> {
        let t = &self.times;
        [t.started]
            .into_iter()
            .chain(t.ended)
            .chain(t.observations.iter().copied())
            .chain(t.statements.iter().flatten().copied())
            .chain(t.published.iter().flatten().copied())
            .map(|s| s.latest)
            .max()
            .unwrap_or(t.started.latest)
            .min(as_of)
    }
}

/// Most rows a table shows on one page: pages stay small and usable at 100k
/// incidents. The list of each kind is paginated at this size; other pages
/// show the most recent incidents and say how many more there are.
pub const ROWS_PER_PAGE: usize = 1000;

/// A record page's folder inside the site: `incidents/<id>/`.
pub fn page_path(kind: Kind, id: &Id) -> String {
    format!("{}/{}/", kind.folder(), id)
}

/// Page `n` (from 1) of the list of a kind: `incidents/`, `incidents/page/2/`, …
pub fn list_path(kind: Kind, n: usize) -> String {
    if n == 1 {
        format!("{}/", kind.folder())
    } else {
        format!("{}/page/{n}/", kind.folder())
    }
}

/// A map from a record (kind and id) to `T`. Looked up with a borrowed id:
/// pages look records up on every link, so a lookup must not allocate.
#[derive(Debug)]
struct ByKind<T>([HashMap<Id, T>; 5]);

/// Where actors', targets' and campaigns' incidents are in `Site::incidents_of`.
const ACTORS: usize = 0;
const TARGETS: usize = 1;
const CAMPAIGNS: usize = 2;

impl<T> Default for ByKind<T> {
    fn default() -> Self {
        ByKind(std::array::from_fn(|_| HashMap::new()))
    }
}

impl<T: Default> ByKind<T> {
    fn slot(kind: Kind) -> usize {
        match kind {
            Kind::Incident => 0,
            Kind::Actor => 1,
            Kind::Target => 2,
            Kind::Campaign => 3,
            Kind::Note => 4,
        }
    }

    fn get(&self, kind: Kind, id: &Id) -> Option<&T> {
        self.0[Self::slot(kind)].get(id)
    }

    /// The value for a key, made on first use; the id is copied only then.
    fn entry(&mut self, kind: Kind, id: &Id) -> &mut T {
        let map = &mut self.0[Self::slot(kind)];
        if !map.contains_key(id) {
            map.insert(id.clone(), T::default());
        }
        map.get_mut(id).expect("just inserted")
    }

    fn insert(&mut self, kind: Kind, id: &Id, value: T) {
        self.0[Self::slot(kind)].insert(id.clone(), value);
    }

    fn reserve(&mut self, kind: Kind, additional: usize) {
        self.0[Self::slot(kind)].reserve(additional);
    }
}
