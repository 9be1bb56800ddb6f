//! `stix.json`: the site as a STIX 2.1 bundle for threat-intelligence platforms.
//!
//! Campaigns become `campaign`, actors `threat-actor`, targets `identity`,
//! attack kinds `attack-pattern` (with MITRE ATT&CK references where one
//! fits), links between them `relationship` (the basis as `confidence` and
//! `x_sitrep_basis`), and each incident a `sighting` of its campaign (or
//! attack pattern) at its targets, with `first_seen`/`last_seen` from the
//! derived bounds. Ids are UUIDv5 of a fixed namespace and the record id, and
//! timestamps come from `as_of`, so re-exports diff cleanly.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::model::Site;
use crate::records::{ActorKind, AttackKind, Basis, Id};

/// The namespace of every sitrep STIX id (UUIDv5 of the URL namespace and "sitrep").
fn namespace() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"sitrep")
}

fn stix_id(kind: &str, key: &str) -> String {
    format!(
        "{kind}--{}",
        Uuid::new_v5(&namespace(), format!("{kind}/{key}").as_bytes())
    )
}

fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
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

fn confidence(basis: Basis) -> u8 {
    match basis {
        Basis::Attributed => 85,
        Basis::Claimed => 50,
        Basis::Suspected => 15,
    }
}

fn actor_type(kind: Option<ActorKind>) -> &'static str {
    match kind {
        Some(ActorKind::Hacktivist) => "activist",
        Some(ActorKind::Criminal) => "criminal",
        Some(ActorKind::State) => "nation-state",
        Some(ActorKind::Unknown) | None => "unknown",
    }
}

/// One STIX object: the common properties, then its own (already JSON).
#[derive(Serialize)]
struct Object<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    spec_version: &'static str,
    id: &'a str,
    created: &'a str,
    modified: &'a str,
    #[serde(flatten)]
    properties: Value,
}

/// Writes objects one at a time into the bundle text, so the bundle is never
/// held as a tree in memory.
struct Writer<'w> {
    out: &'w mut dyn std::io::Write,
    now: String,
    first: bool,
    error: Option<std::io::Error>,
}

impl Writer<'_> {
    fn push(&mut self, kind: &str, id: &str, properties: Value) {
        let object = Object {
            kind,
            spec_version: "2.1",
            id,
            created: &self.now,
            modified: &self.now,
            properties,
        };
        // One object per line: compact, and a re-export diffs object by object.
        if self.error.is_some() {
            return;
        }
        // `objects` is only written when there is one: STIX wants no empty list.
        let sep: &[u8] = if self.first {
            b",\n  \"objects\": [\n    "
        } else {
            b",\n    "
        };
        self.first = false;
        let result = self
            .out
            .write_all(sep)
            .and_then(|()| serde_json::to_writer(&mut *self.out, &object).map_err(std::io::Error::other));
        if let Err(e) = result {
            self.error = Some(e);
        }
    }
}

/// The whole bundle.
pub fn bundle(site: &Site, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write!(
        out,
        "{{\n  \"type\": \"bundle\",\n  \"id\": \"{}\"",
        stix_id("bundle", site.base_url.as_str())
    )?;
    let mut w = Writer {
        out,
        now: timestamp(site.as_of),
        first: true,
        error: None,
    };
    // Ids computed once per record.
    let campaign_ids: Vec<String> = site
        .campaigns
        .iter()
        .map(|c| stix_id("campaign", c.id.as_str()))
        .collect();
    let actor_ids: Vec<String> = site
        .actors
        .iter()
        .map(|a| stix_id("threat-actor", a.id.as_str()))
        .collect();
    let target_ids: Vec<String> = site
        .targets
        .iter()
        .map(|t| stix_id("identity", t.id.as_str()))
        .collect();
    let pattern_id = |k: AttackKind| stix_id("attack-pattern", k.key());
    let position = |kind: crate::records::Kind, id: &Id| site.position(kind, id).unwrap_or(0);
    use crate::records::Kind;

    for (c, id) in site.campaigns.iter().zip(&campaign_ids) {
        let mut o = Map::new();
        o.insert("name".into(), json!(c.record.name));
        if let Some(s) = &c.record.summary {
            o.insert("description".into(), json!(s));
        }
        if !c.record.hashtags.is_empty() {
            o.insert(
                "aliases".into(),
                json!(c.record.hashtags.iter().map(|h| format!("#{h}")).collect::<Vec<_>>()),
            );
        }
        if let Some((first, last, _)) = site.extent(site.incidents_of(Kind::Campaign, &c.id)) {
            o.insert("first_seen".into(), json!(timestamp(first)));
            o.insert("last_seen".into(), json!(timestamp(last)));
        }
        w.push("campaign", id, Value::Object(o));
    }
    for (a, id) in site.actors.iter().zip(&actor_ids) {
        let mut o = Map::new();
        o.insert("name".into(), json!(a.record.name));
        o.insert("threat_actor_types".into(), json!([actor_type(a.record.kind)]));
        if !a.record.aliases.is_empty() {
            o.insert("aliases".into(), json!(a.record.aliases));
        }
        if let Some(d) = &a.record.description {
            o.insert("description".into(), json!(d));
        }
        w.push("threat-actor", id, Value::Object(o));
    }
    for (t, id) in site.targets.iter().zip(&target_ids) {
        let mut o = Map::new();
        o.insert("name".into(), json!(t.record.name));
        o.insert("identity_class".into(), json!("organization"));
        let mut description = t.record.description.clone().unwrap_or_default();
        if let Some(sector) = &t.record.sector {
            description = format!("{description}\n\nSector: {sector}").trim().to_string();
        }
        if !description.is_empty() {
            o.insert("description".into(), json!(description));
        }
        if let Some(url) = &t.record.url {
            o.insert("contact_information".into(), json!(url.as_str()));
        }
        w.push("identity", id, Value::Object(o));
    }
    let used: BTreeSet<AttackKind> = site
        .incidents
        .iter()
        .flat_map(|i| i.record.attack.iter().copied())
        .collect();
    for kind in &used {
        let mut o = Map::new();
        o.insert(
            "name".into(),
            json!(attack_reference(*kind).map_or(kind.label(), |(_, name)| name)),
        );
        if let Some((id, _)) = attack_reference(*kind) {
            o.insert(
                "external_references".into(),
                json!([{
                    "source_name": "mitre-attack",
                    "external_id": id,
                    "url": format!("https://attack.mitre.org/techniques/{id}/"),
                }]),
            );
        }
        w.push("attack-pattern", &pattern_id(*kind), Value::Object(o));
    }

    // Relationships, each once, keyed by (source, type, target) with the
    // strongest basis seen.
    let mut relations: std::collections::BTreeMap<(String, &'static str, String), Option<Basis>> = Default::default();
    let mut relate = |from: String, kind: &'static str, to: String, basis: Option<Basis>| {
        let slot = relations.entry((from, kind, to)).or_insert(basis);
        if let (Some(old), Some(new)) = (*slot, basis) {
            if confidence(new) > confidence(old) {
                *slot = Some(new);
            }
        }
    };
    let patterns: std::collections::BTreeMap<AttackKind, String> = used.iter().map(|&k| (k, pattern_id(k))).collect();
    for inc in &site.incidents {
        let r = &inc.record;
        let campaign = r
            .campaign
            .as_ref()
            .map(|c| campaign_ids[position(Kind::Campaign, c)].as_str());
        for a in &r.actors {
            let actor = actor_ids[position(Kind::Actor, &a.actor)].as_str();
            for t in &r.targets {
                relate(
                    actor.to_string(),
                    "targets",
                    target_ids[position(Kind::Target, t)].clone(),
                    Some(a.basis),
                );
            }
            for k in &r.attack {
                relate(actor.to_string(), "uses", patterns[k].clone(), Some(a.basis));
            }
            if let Some(c) = campaign {
                relate(c.to_string(), "attributed-to", actor.to_string(), Some(a.basis));
            }
        }
        if let Some(c) = campaign {
            for t in &r.targets {
                relate(
                    c.to_string(),
                    "targets",
                    target_ids[position(Kind::Target, t)].clone(),
                    None,
                );
            }
            for k in &r.attack {
                relate(c.to_string(), "uses", patterns[k].clone(), None);
            }
        }
    }
    for ((from, kind, to), basis) in relations {
        let mut o = Map::new();
        o.insert("relationship_type".into(), json!(kind));
        o.insert("source_ref".into(), json!(from));
        o.insert("target_ref".into(), json!(to));
        if let Some(b) = basis {
            o.insert("confidence".into(), json!(confidence(b)));
            o.insert("x_sitrep_basis".into(), json!(b.key()));
        }
        w.push(
            "relationship",
            &stix_id("relationship", &format!("{from}/{kind}/{to}")),
            Value::Object(o),
        );
    }

    for inc in &site.incidents {
        let r = &inc.record;
        let b = inc.bounds;
        let sighted = match (&r.campaign, r.attack.first()) {
            (Some(c), _) => campaign_ids[position(Kind::Campaign, c)].clone(),
            (None, Some(k)) => patterns[k].clone(),
            (None, None) => continue,
        };
        let mut o = Map::new();
        o.insert("sighting_of_ref".into(), json!(sighted));
        o.insert(
            "where_sighted_refs".into(),
            json!(r
                .targets
                .iter()
                .map(|t| target_ids[position(Kind::Target, t)].as_str())
                .collect::<Vec<_>>()),
        );
        o.insert("first_seen".into(), json!(timestamp(b.start_earliest)));
        o.insert(
            "last_seen".into(),
            json!(timestamp(b.end_latest.unwrap_or(site.as_of).max(b.start_earliest))),
        );
        o.insert("count".into(), json!(1));
        o.insert("description".into(), json!(r.title));
        o.insert(
            "external_references".into(),
            json!([{ "source_name": "sitrep", "external_id": inc.id.as_str(), "url": site.url_of(Kind::Incident, &inc.id) }]),
        );
        o.insert("x_sitrep_status".into(), json!(inc.status()));
        o.insert(
            "x_sitrep_duration_seconds".into(),
            json!({ "min": inc.duration.min, "max": inc.duration.max }),
        );
        w.push("sighting", &stix_id("sighting", inc.id.as_str()), Value::Object(o));
    }
    if let Some(e) = w.error {
        return Err(e);
    }
    if !w.first {
        w.out.write_all(b"\n  ]")?;
    }
    w.out.write_all(b"\n}\n")
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
