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

/// The whole bundle.
pub fn bundle(site: &Site) -> String {
    let now = timestamp(site.as_of);
    let common = |kind: &str, key: &str| -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("type".into(), json!(kind));
        m.insert("spec_version".into(), json!("2.1"));
        m.insert("id".into(), json!(stix_id(kind, key)));
        m.insert("created".into(), json!(now));
        m.insert("modified".into(), json!(now));
        m
    };
    let mut objects: Vec<Value> = Vec::new();
    for c in &site.campaigns {
        let mut o = common("campaign", c.id.as_str());
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
        let incidents = site.incidents_of(crate::records::Kind::Campaign, &c.id);
        if let Some(first) = incidents.iter().map(|&i| site.incidents[i].bounds.start_earliest).min() {
            o.insert("first_seen".into(), json!(timestamp(first)));
            let last = incidents
                .iter()
                .map(|&i| site.incidents[i].bounds.end_latest.unwrap_or(site.as_of))
                .max()
                .unwrap_or(site.as_of);
            o.insert("last_seen".into(), json!(timestamp(last)));
        }
        objects.push(Value::Object(o));
    }
    for a in &site.actors {
        let mut o = common("threat-actor", a.id.as_str());
        o.insert("name".into(), json!(a.record.name));
        o.insert("threat_actor_types".into(), json!([actor_type(a.record.kind)]));
        if !a.record.aliases.is_empty() {
            o.insert("aliases".into(), json!(a.record.aliases));
        }
        if let Some(d) = &a.record.description {
            o.insert("description".into(), json!(d));
        }
        objects.push(Value::Object(o));
    }
    for t in &site.targets {
        let mut o = common("identity", t.id.as_str());
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
        objects.push(Value::Object(o));
    }
    let used: BTreeSet<AttackKind> = site
        .incidents
        .iter()
        .flat_map(|i| i.record.attack.iter().copied())
        .collect();
    for kind in &used {
        let mut o = common("attack-pattern", kind.key());
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
        objects.push(Value::Object(o));
    }

    // Relationships, each once, keyed by (source, type, target).
    let mut relations: std::collections::BTreeMap<(String, &str, String), Option<Basis>> = Default::default();
    let mut relate = |from: String, kind: &'static str, to: String, basis: Option<Basis>| {
        let slot = relations.entry((from, kind, to)).or_insert(basis);
        // Keep the strongest basis seen.
        if let (Some(old), Some(new)) = (*slot, basis) {
            if confidence(new) > confidence(old) {
                *slot = Some(new);
            }
        }
    };
    let actor_ref = |id: &Id| stix_id("threat-actor", id.as_str());
    let target_ref = |id: &Id| stix_id("identity", id.as_str());
    let pattern_ref = |k: &AttackKind| stix_id("attack-pattern", k.key());
    for inc in &site.incidents {
        let r = &inc.record;
        for a in &r.actors {
            for t in &r.targets {
                relate(actor_ref(&a.actor), "targets", target_ref(t), Some(a.basis));
            }
            for k in &r.attack {
                relate(actor_ref(&a.actor), "uses", pattern_ref(k), Some(a.basis));
            }
            if let Some(c) = &r.campaign {
                relate(
                    stix_id("campaign", c.as_str()),
                    "attributed-to",
                    actor_ref(&a.actor),
                    Some(a.basis),
                );
            }
        }
        if let Some(c) = &r.campaign {
            for t in &r.targets {
                relate(stix_id("campaign", c.as_str()), "targets", target_ref(t), None);
            }
            for k in &r.attack {
                relate(stix_id("campaign", c.as_str()), "uses", pattern_ref(k), None);
            }
        }
    }
    for ((from, kind, to), basis) in relations {
        let mut o = common("relationship", &format!("{from}/{kind}/{to}"));
        o.insert("relationship_type".into(), json!(kind));
        o.insert("source_ref".into(), json!(from));
        o.insert("target_ref".into(), json!(to));
        if let Some(b) = basis {
            o.insert("confidence".into(), json!(confidence(b)));
            o.insert("x_sitrep_basis".into(), json!(b.key()));
        }
        objects.push(Value::Object(o));
    }

    for inc in &site.incidents {
        let r = &inc.record;
        let b = inc.bounds;
        let sighted = match (&r.campaign, r.attack.first()) {
            (Some(c), _) => stix_id("campaign", c.as_str()),
            (None, Some(k)) => pattern_ref(k),
            (None, None) => continue,
        };
        let mut o = common("sighting", inc.id.as_str());
        o.insert("sighting_of_ref".into(), json!(sighted));
        o.insert(
            "where_sighted_refs".into(),
            json!(r.targets.iter().map(target_ref).collect::<Vec<_>>()),
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
            json!([{ "source_name": "sitrep", "external_id": inc.id.as_str(), "url": site.url_of(crate::records::Kind::Incident, &inc.id) }]),
        );
        o.insert(
            "x_sitrep_status".into(),
            json!(if b.is_ongoing() { "ongoing" } else { "ended" }),
        );
        o.insert(
            "x_sitrep_duration_seconds".into(),
            json!({ "min": inc.duration.min, "max": inc.duration.max }),
        );
        objects.push(Value::Object(o));
    }

    let doc = json!({
        "type": "bundle",
        "id": stix_id("bundle", site.base_url.as_str()),
        "objects": objects,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
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
