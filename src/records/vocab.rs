//! The closed vocabularies of records: each an enum with `ALL` where
//! pages list them, and `key()`, the word records and exports use.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The kinds of attack an incident records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AttackKind {
    Ddos,
    Defacement,
    DataLeak,
    Ransomware,
    Intrusion,
    Phishing,
    Other,
}

impl AttackKind {
    /// The word used in records and exports.
    pub fn key(self) -> &'static str {
        match self {
            AttackKind::Ddos => "ddos",
            AttackKind::Defacement => "defacement",
            AttackKind::DataLeak => "data-leak",
            AttackKind::Ransomware => "ransomware",
            AttackKind::Intrusion => "intrusion",
            AttackKind::Phishing => "phishing",
            AttackKind::Other => "other",
        }
    }

    /// The words shown to readers.
    pub fn label(self) -> &'static str {
        match self {
            AttackKind::Ddos => "DDoS",
            AttackKind::Defacement => "defacement",
            AttackKind::DataLeak => "data leak",
            AttackKind::Ransomware => "ransomware",
            AttackKind::Intrusion => "intrusion",
            AttackKind::Phishing => "phishing",
            AttackKind::Other => "other",
        }
    }
}

/// How an actor is linked to an incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// The actor said beforehand it would attack this target.
    Announced,
    /// The actor said it did it.
    Claimed,
    /// Someone credible (an agency, a researcher) says the actor did it.
    Attributed,
    /// Someone thinks so, without proof.
    Suspected,
}

impl Basis {
    /// In the order actor pages show them: the actor's own words first.
    pub const ALL: [Basis; 4] = [Basis::Announced, Basis::Claimed, Basis::Attributed, Basis::Suspected];

    pub fn key(self) -> &'static str {
        match self {
            Basis::Announced => "announced",
            Basis::Claimed => "claimed",
            Basis::Attributed => "attributed",
            Basis::Suspected => "suspected",
        }
    }
}

/// What an attack did to its target (docs/format.md, "Impact").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// The target was unavailable.
    Outage,
    /// The target was slow or partly unavailable.
    Degraded,
    /// The target was checked and stayed available, or credibly denied any effect.
    None,
    /// Claimed or reported, not verified.
    Unknown,
}

impl Impact {
    pub fn key(self) -> &'static str {
        match self {
            Impact::Outage => "outage",
            Impact::Degraded => "degraded",
            Impact::None => "none",
            Impact::Unknown => "unknown",
        }
    }

    /// Whether the evidence bounds a real outage (the target went down, or slowed).
    pub fn is_outage(self) -> bool {
        matches!(self, Impact::Outage | Impact::Degraded)
    }
}

/// How one actor record relates to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RelationKind {
    /// The same group, known under another name (two records, never merged).
    SameAs,
    /// A sub-group or a member of the other.
    PartOf,
    /// Working with the other.
    AlliedWith,
}

impl RelationKind {
    pub fn key(self) -> &'static str {
        match self {
            RelationKind::SameAs => "same-as",
            RelationKind::PartOf => "part-of",
            RelationKind::AlliedWith => "allied-with",
        }
    }

    /// The relation as read from this actor: "same group as", "part of".
    pub fn words(self) -> &'static str {
        match self {
            RelationKind::SameAs => "the same group as",
            RelationKind::PartOf => "part of",
            RelationKind::AlliedWith => "allied with",
        }
    }

    /// The relation as read from the other actor.
    pub fn reverse_words(self) -> &'static str {
        match self {
            RelationKind::SameAs => "the same group as",
            RelationKind::PartOf => "has as a part",
            RelationKind::AlliedWith => "allied with",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Down,
    Up,
    /// The attack itself seen under way (a target list, attack traffic,
    /// the attackers' proof), whatever it did to the target: it bounds
    /// nothing of the outage.
    Attacked,
}

impl State {
    pub fn key(self) -> &'static str {
        match self {
            State::Down => "down",
            State::Up => "up",
            State::Attacked => "attacked",
        }
    }

    /// What the mark of an observation says: "seen down", "seen under attack".
    pub fn seen(self) -> &'static str {
        match self {
            State::Down => "seen down",
            State::Up => "seen up",
            State::Attacked => "seen under attack",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActorKind {
    Hacktivist,
    Criminal,
    State,
    Unknown,
}

impl ActorKind {
    pub fn key(self) -> &'static str {
        match self {
            ActorKind::Hacktivist => "hacktivist",
            ActorKind::Criminal => "criminal",
            ActorKind::State => "state",
            ActorKind::Unknown => "unknown",
        }
    }
}

/// The kinds of record a note can be about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Incident,
    Actor,
    Target,
    Campaign,
    Note,
}

impl Kind {
    /// Every kind, in the order the site lists them.
    pub const ALL: [Kind; 5] = [Kind::Incident, Kind::Actor, Kind::Target, Kind::Campaign, Kind::Note];

    /// The kind's records as a heading says them: `Incidents`.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Incident => "Incidents",
            Kind::Actor => "Actors",
            Kind::Target => "Targets",
            Kind::Campaign => "Campaigns",
            Kind::Note => "Notes",
        }
    }

    /// One record of the kind, as a word: `actor` (the template of its
    /// page, its schema's name, what `sitrep new` is told).
    pub fn word(self) -> &'static str {
        match self {
            Kind::Incident => "incident",
            Kind::Actor => "actor",
            Kind::Target => "target",
            Kind::Campaign => "campaign",
            Kind::Note => "note",
        }
    }

    /// The folder under `content/` and under the site.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Incident => "incidents",
            Kind::Actor => "actors",
            Kind::Target => "targets",
            Kind::Campaign => "campaigns",
            Kind::Note => "notes",
        }
    }
}
