//! `stix.json`: the site as a STIX 2.1 bundle for threat-intelligence platforms.
//!
//! Campaigns become `campaign`, actors `threat-actor`, targets `identity`,
//! attack kinds `attack-pattern` (with MITRE ATT&CK references where one
//! fits), links between them `relationship` (with `confidence`, the basis
//! as `x_sitrep_basis`, and the sources of claims and announcements as
//! external references), relations between actors `relationship` too
//! (`duplicate-of` for `same-as`, else `related-to`), and each outage a
//! `sighting` of its campaign (or attack pattern) at its targets, with
//! `first_seen`/`last_seen` from the derived bounds. An unverified claim or
//! an attack without impact is no observed outage: it is a `note` about
//! its targets, saying so. Ids are UUIDv5 of a fixed namespace and the record id, and
//! timestamps come from `as_of`, so re-exports diff cleanly.

use super::Input;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use uuid::Uuid;

use crate::bounds::Status;
use crate::model::Site;
use crate::records::{ActorKind, ActorRef, AttackKind, Basis, Id, Incident, Kind, RelationKind};

/// The namespace of every sitrep STIX id (UUIDv5 of the URL namespace and "sitrep").
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"sitrep")
}

fn stix_id(kind: &str, key: &str) -> String {
    static NAMESPACE: std::sync::LazyLock<Uuid> = std::sync::LazyLock::new(namespace);
    format!(
        "{kind}--{}",
        Uuid::new_v5(&NAMESPACE, format!("{kind}/{key}").as_bytes())
    )
}

/// A STIX timestamp, always with milliseconds.
fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    let mut text = crate::time::rfc3339(t);
    text.pop(); // the `Z`
    text.push_str(&format!(".{:03}Z", t.timestamp_subsec_millis()));
    text
}

/// ATT&CK technique for an attack kind, where one fits.
fn attack_reference(kind: AttackKind) -> Option<(&'static str, &'static str)> {
    match kind {
        AttackKind::Ddos => Some(("T1498", "Network Denial of Service")),
        AttackKind::Defacement => Some(("T1491", "Defacement")),
        AttackKind::Ransomware => Some(("T1486", "Data Encrypted for Impact")),
        AttackKind::Phishing => Some(("T1566", "Phishing")),
        AttackKind::DataLeak | AttackKind::Intrusion | AttackKind::Other => None,
    }
}

/// The confidence of a statement: as written, else what its basis implies
/// on the STIX scale (a credible attribution high, a claim or an
/// announcement medium, a suspicion low).
fn confidence(a: &ActorRef) -> u8 {
    a.confidence.map_or(
        match a.basis {
            Basis::Attributed => 85,
            Basis::Announced | Basis::Claimed => 50,
            Basis::Suspected => 15,
        },
        |c| c.value(),
    )
}

fn actor_type(kind: Option<ActorKind>) -> &'static str {
    match kind {
        Some(ActorKind::Hacktivist) => "activist",
        Some(ActorKind::Criminal) => "criminal",
        Some(ActorKind::State) => "nation-state",
        Some(ActorKind::Unknown) | None => "unknown",
    }
}

/// One STIX object: the common properties, then its own.
#[derive(Serialize)]
struct Object<'a, P> {
    #[serde(rename = "type")]
    kind: &'a str,
    spec_version: &'static str,
    id: &'a str,
    created: &'a str,
    modified: &'a str,
    #[serde(flatten)]
    properties: P,
}

#[derive(Serialize)]
struct CampaignProps<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_seen: Option<String>,
    name: &'a str,
}

#[derive(Serialize)]
struct ActorProps<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    aliases: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    name: &'a str,
    threat_actor_types: [&'static str; 1],
}

#[derive(Serialize)]
struct IdentityProps<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    contact_information: Option<&'a str>,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    identity_class: &'static str,
    name: &'a str,
}

#[derive(Serialize)]
struct Reference<'a> {
    external_id: &'a str,
    source_name: &'static str,
    url: String,
}

/// A source of a statement, as a STIX external reference.
#[derive(Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
struct SourceReference<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    source_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct PatternProps<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<Reference<'a>>,
    name: &'a str,
}

#[derive(Serialize)]
struct RelationshipProps<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<SourceReference<'a>>,
    relationship_type: &'a str,
    source_ref: &'a str,
    target_ref: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    x_sitrep_basis: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x_sitrep_relation: Option<&'static str>,
}

#[derive(Serialize)]
struct NoteProps<'a> {
    #[serde(rename = "abstract")]
    summary: &'a str,
    content: String,
    external_references: [Reference<'a>; 1],
    object_refs: Vec<&'a str>,
    x_sitrep_impact: &'static str,
    x_sitrep_status: &'static str,
}

#[derive(Serialize)]
struct SightingProps<'a> {
    count: u8,
    description: &'a str,
    external_references: [Reference<'a>; 1],
    first_seen: String,
    last_seen: String,
    sighting_of_ref: &'a str,
    where_sighted_refs: Vec<&'a str>,
    x_sitrep_duration_seconds: Seconds,
    x_sitrep_status: &'static str,
}

#[derive(Serialize)]
struct Seconds {
    max: Option<i64>,
    min: i64,
}

/// Writes objects one at a time into the bundle text, so the bundle is never
/// held as a tree in memory.
struct Writer<'w> {
    out: &'w mut dyn std::io::Write,
    now: String,
    first: bool,
}

impl Writer<'_> {
    fn push(&mut self, kind: &str, id: &str, properties: impl Serialize) -> std::io::Result<()> {
        let object = Object {
            kind,
            spec_version: "2.1",
            id,
            created: &self.now,
            modified: &self.now,
            properties,
        };
        // One object per line: compact, and a re-export diffs object by object.
        // `objects` is only written when there is one: STIX wants no empty list.
        let sep: &[u8] = if self.first {
            b",\n  \"objects\": [\n    "
        } else {
            b",\n    "
        };
        self.first = false;
        self.out.write_all(sep)?;
        serde_json::to_writer(&mut *self.out, &object).map_err(std::io::Error::other)
    }
}

/// A relationship between two objects, by their places in the id lists.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node {
    Campaign(usize),
    Actor(usize),
    Target(usize),
    Pattern(AttackKind),
}

/// The STIX ids of every record, computed once.
struct Ids {
    campaigns: Vec<String>,
    actors: Vec<String>,
    targets: Vec<String>,
    patterns: BTreeMap<AttackKind, String>,
}

impl Ids {
    fn new(site: &Site) -> Ids {
        let of = |kind: &str, ids: Vec<&Id>| ids.into_iter().map(|id| stix_id(kind, id.as_str())).collect();
        let used: BTreeSet<AttackKind> = site
            .incidents
            .iter()
            .flat_map(|i| i.record.attack.iter().copied())
            .collect();
        Ids {
            campaigns: of("campaign", site.campaigns.iter().map(|c| &c.id).collect()),
            actors: of("threat-actor", site.actors.iter().map(|a| &a.id).collect()),
            targets: of("identity", site.targets.iter().map(|t| &t.id).collect()),
            patterns: used.iter().map(|&k| (k, stix_id("attack-pattern", k.key()))).collect(),
        }
    }

    fn of(&self, node: Node) -> &str {
        match node {
            Node::Campaign(i) => &self.campaigns[i],
            Node::Actor(i) => &self.actors[i],
            Node::Target(i) => &self.targets[i],
            Node::Pattern(k) => &self.patterns[&k],
        }
    }
}

/// The whole bundle: records, then relationships, then sightings.
pub fn bundle(input: &Input, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let site = input.site;
    write!(
        out,
        "{{\n  \"type\": \"bundle\",\n  \"id\": \"{}\"",
        stix_id("bundle", site.base_url.as_str())
    )?;
    let mut w = Writer {
        out,
        now: timestamp(site.as_of),
        first: true,
    };
    let ids = Ids::new(site);
    write_campaigns_and_actors(&mut w, site, &ids)?;
    write_targets_and_patterns(&mut w, site, &ids)?;
    write_relationships(&mut w, site, &ids)?;
    write_sightings(&mut w, site, &ids)?;
    if !w.first {
        w.out.write_all(b"\n  ]")?;
    }
    w.out.write_all(b"\n}\n")
}

/// Where the record a reference names is. Validation refuses a dangling
/// reference, so there always is one; were there none, the reference is
/// left out (never pointed at another record).
fn position(site: &Site, kind: Kind, id: &Id) -> Option<usize> {
    site.position(kind, id)
}

fn write_campaigns_and_actors(w: &mut Writer, site: &Site, ids: &Ids) -> std::io::Result<()> {
    for (c, id) in site.campaigns.iter().zip(&ids.campaigns) {
        let extent = site.extent(site.incidents_of(Kind::Campaign, &c.id));
        let props = CampaignProps {
            name: &c.record.name,
            description: c.record.summary.as_deref(),
            aliases: c.record.hashtags.iter().map(|h| format!("#{h}")).collect(),
            first_seen: extent.map(|(first, _, _)| timestamp(first)),
            last_seen: extent.map(|(_, last, _)| timestamp(last)),
        };
        w.push("campaign", id, props)?;
    }
    for (a, id) in site.actors.iter().zip(&ids.actors) {
        let props = ActorProps {
            name: &a.record.name,
            threat_actor_types: [actor_type(a.record.kind)],
            aliases: &a.record.aliases,
            description: a.record.description.as_deref(),
        };
        w.push("threat-actor", id, props)?;
    }
    Ok(())
}

fn write_targets_and_patterns(w: &mut Writer, site: &Site, ids: &Ids) -> std::io::Result<()> {
    for (t, id) in site.targets.iter().zip(&ids.targets) {
        let mut description = t.record.description.clone().unwrap_or_default();
        if let Some(sector) = &t.record.sector {
            description = format!("{description}\n\nSector: {sector}").trim().to_string();
        }
        let props = IdentityProps {
            name: &t.record.name,
            identity_class: "organization",
            description,
            contact_information: t.record.url.as_ref().map(|u| u.as_str()),
        };
        w.push("identity", id, props)?;
    }
    for (kind, id) in &ids.patterns {
        let reference = attack_reference(*kind);
        let props = PatternProps {
            name: reference.map_or(kind.label(), |(_, name)| name),
            external_references: reference
                .map(|(id, _)| Reference {
                    source_name: "mitre-attack",
                    external_id: id,
                    url: format!("https://attack.mitre.org/techniques/{id}/"),
                })
                .into_iter()
                .collect(),
        };
        w.push("attack-pattern", id, props)?;
    }
    Ok(())
}

/// What a relationship says, merged over the incidents that say it.
#[derive(Default)]
struct Relation<'a> {
    /// The strongest statement: its basis and confidence.
    basis: Option<(u8, Basis)>,
    /// The sources of the claims and announcements behind it.
    sources: BTreeSet<SourceReference<'a>>,
    /// Between two actors: how they relate, and the source that says so.
    between_actors: Option<RelationKind>,
}

/// The source a statement cites: the actor's own word, or the third party
/// that attributes or suspects it.
fn statement_source<'a>(r: &'a Incident, a: &'a ActorRef) -> Option<SourceReference<'a>> {
    let src = r.source(a.source.as_ref())?;
    Some(SourceReference {
        source_name: src
            .publisher
            .as_deref()
            .or(src.title.as_deref())
            .unwrap_or(src.id.as_str()),
        description: src.title.as_deref(),
        url: src.url.as_ref().map(|u| u.as_str()),
    })
}

/// Keyed by (source, type, target, basis): one relationship for each kind
/// of statement (an actor claimed it; a third party attributes it), each
/// with its own confidence and sources, none hiding another.
type Relations<'a> = BTreeMap<(Node, &'static str, Node, Option<Basis>), Relation<'a>>;

/// Relationships, each once per basis, with the strongest statement of
/// that basis seen.
fn relationships<'a>(site: &'a Site) -> Relations<'a> {
    let mut relations: Relations<'a> = BTreeMap::new();
    let mut relate = |from: Node, kind: &'static str, to: Node, said: Option<(&'a ActorRef, &'a Incident)>| {
        let slot = relations
            .entry((from, kind, to, said.map(|(a, _)| a.basis)))
            .or_default();
        if let Some((a, r)) = said {
            let strength = (confidence(a), a.basis);
            if slot.basis.is_none_or(|old| strength.0 > old.0) {
                slot.basis = Some(strength);
            }
            slot.sources.extend(statement_source(r, a));
        }
    };
    for inc in &site.incidents {
        let r = &inc.record;
        let targets: Vec<Node> = (r.targets.iter())
            .filter_map(|t| position(site, Kind::Target, t).map(Node::Target))
            .collect();
        let campaign = (r.campaign.as_ref())
            .and_then(|c| position(site, Kind::Campaign, c))
            .map(Node::Campaign);
        for a in &r.actors {
            let Some(actor) = position(site, Kind::Actor, &a.actor).map(Node::Actor) else {
                continue;
            };
            for &t in &targets {
                relate(actor, "targets", t, Some((a, r)));
            }
            // An announcement is an intent: the actor targets, nothing more is known.
            if a.basis == Basis::Announced {
                continue;
            }
            for &k in &r.attack {
                relate(actor, "uses", Node::Pattern(k), Some((a, r)));
            }
            if let Some(c) = campaign {
                relate(c, "attributed-to", actor, Some((a, r)));
            }
        }
        if let Some(c) = campaign {
            for &t in &targets {
                relate(c, "targets", t, None);
            }
            for &k in &r.attack {
                relate(c, "uses", Node::Pattern(k), None);
            }
        }
    }
    for (i, a) in site.actors.iter().enumerate() {
        for rel in &a.record.relations {
            // STIX has no type for part-of or allied-with: both are
            // `related-to`, keyed apart so that neither hides the other.
            let kind = match rel.kind {
                RelationKind::SameAs => "duplicate-of",
                RelationKind::PartOf => "related-to/part-of",
                RelationKind::AlliedWith => "related-to/allied-with",
            };
            let Some(other) = position(site, Kind::Actor, &rel.actor).map(Node::Actor) else {
                continue;
            };
            let slot = relations.entry((Node::Actor(i), kind, other, None)).or_default();
            slot.between_actors = Some(rel.kind);
            slot.sources.extend(rel.url.as_ref().map(|u| SourceReference {
                source_name: "relation source",
                description: None,
                url: Some(u.as_str()),
            }));
        }
    }
    relations
}

/// The relationships, written in the order of their STIX ids.
fn write_relationships(w: &mut Writer, site: &Site, ids: &Ids) -> std::io::Result<()> {
    let mut relations: Vec<(&str, &str, &str, Option<Basis>, Relation)> = relationships(site)
        .into_iter()
        .map(|((from, kind, to, basis), rel)| (ids.of(from), kind, ids.of(to), basis, rel))
        .collect();
    relations.sort_unstable_by(|a, b| (a.0, a.1, a.2, a.3).cmp(&(b.0, b.1, b.2, b.3)));
    for (from, kind, to, basis, rel) in relations {
        let props = RelationshipProps {
            // The STIX type: the key up to its `/` (see `relationships`).
            relationship_type: kind.split('/').next().unwrap_or(kind),
            source_ref: from,
            target_ref: to,
            confidence: rel.basis.map(|(c, _)| c),
            x_sitrep_basis: rel.basis.map(|(_, b)| b.key()),
            description: rel
                .between_actors
                .map(|k| format!("Source actor is {} the target actor.", k.words())),
            x_sitrep_relation: rel.between_actors.map(RelationKind::key),
            external_references: rel.sources.into_iter().collect(),
        };
        w.push(
            "relationship",
            &stix_id(
                "relationship",
                &match basis {
                    Some(b) => format!("{from}/{kind}/{to}/{}", b.key()),
                    None => format!("{from}/{kind}/{to}"),
                },
            ),
            props,
        )?;
    }
    Ok(())
}

/// An unverified claim or an attack without impact: a note about its
/// targets (and campaign), never a sighting of an outage.
fn write_note(w: &mut Writer, site: &Site, ids: &Ids, inc: &crate::model::IncidentModel) -> std::io::Result<()> {
    let r = &inc.record;
    let status = inc.status();
    let content = match status {
        Status::NoImpact => "An attack without impact: the target stayed available, or credibly denied any effect.",
        _ => "A claimed or reported attack that nobody has verified: nothing shows the target went down.",
    };
    let mut object_refs: Vec<&str> = r
        .targets
        .iter()
        .filter_map(|t| Some(ids.targets[position(site, Kind::Target, t)?].as_str()))
        .collect();
    object_refs.extend(
        (r.campaign.as_ref())
            .and_then(|c| position(site, Kind::Campaign, c))
            .map(|c| ids.campaigns[c].as_str()),
    );
    let props = NoteProps {
        summary: &r.title,
        content: content.to_string(),
        object_refs,
        external_references: [Reference {
            source_name: "sitrep",
            external_id: inc.id.as_str(),
            url: site.url_of(Kind::Incident, &inc.id),
        }],
        x_sitrep_impact: inc.outcome.impact.key(),
        x_sitrep_status: status.key(),
    };
    w.push("note", &stix_id("note", inc.id.as_str()), props)
}

/// Each outage, a sighting of its campaign (or attack pattern) at its
/// targets; each other incident, a note.
fn write_sightings(w: &mut Writer, site: &Site, ids: &Ids) -> std::io::Result<()> {
    for inc in &site.incidents {
        if !inc.outcome.impact.is_outage() {
            write_note(w, site, ids, inc)?;
            continue;
        }
        let r = &inc.record;
        let b = inc.outcome.bounds;
        let sighted = match (&r.campaign, r.attack.first()) {
            (Some(c), _) => match position(site, Kind::Campaign, c) {
                Some(c) => ids.campaigns[c].as_str(),
                None => continue,
            },
            (None, Some(k)) => ids.patterns[k].as_str(),
            (None, None) => continue,
        };
        let props = SightingProps {
            sighting_of_ref: sighted,
            where_sighted_refs: r
                .targets
                .iter()
                .filter_map(|t| Some(ids.targets[position(site, Kind::Target, t)?].as_str()))
                .collect(),
            first_seen: timestamp(b.start_earliest),
            last_seen: timestamp(b.end_latest.unwrap_or(site.as_of).max(b.start_earliest)),
            count: 1,
            description: &r.title,
            external_references: [Reference {
                source_name: "sitrep",
                external_id: inc.id.as_str(),
                url: site.url_of(Kind::Incident, &inc.id),
            }],
            x_sitrep_status: inc.status().key(),
            x_sitrep_duration_seconds: Seconds {
                min: inc.duration.min,
                max: inc.duration.max,
            },
        };
        w.push("sighting", &stix_id("sighting", inc.id.as_str()), props)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_uuid_v5() {
        let a = stix_id("threat-actor", "russian-cyber-army-team");
        assert_eq!(a, stix_id("threat-actor", "russian-cyber-army-team"));
        assert!(a.starts_with("threat-actor--"));
        let uuid = Uuid::parse_str(&a["threat-actor--".len()..]).unwrap();
        assert_eq!(uuid.get_version_num(), 5);
        assert_ne!(a, stix_id("identity", "russian-cyber-army-team"));
    }
}
