//! The record types of docs/format.md, exactly as they are written in `content/`.
//!
//! Strict by construction: unknown keys are errors, closed vocabularies are
//! enums, times, ids and URLs are checked while parsing so a mistake carries
//! the line and column serde saw it at. Cross-record rules (references, time
//! contradictions) belong to `validate`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::time::WrittenTime;

mod values;
mod vocab;

use values::{required_name, required_title};
pub use values::{Confidence, HttpUrl, Id, RecordRef, Zone};
pub use vocab::{ActorKind, AttackKind, Basis, Impact, Kind, RelationKind, State};

/// `content/site.yaml`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct SiteConfig {
    /// The site title.
    #[serde(deserialize_with = "required_title")]
    #[schemars(length(min = 1))]
    pub title: String,
    /// Markdown shown on the home page.
    pub description: Option<String>,
    /// Absolute URL the site is published at; may contain a sub-path (`https://org.github.io/repo/`).
    pub base_url: HttpUrl,
    /// The `<html lang>` of every page; default `en`.
    pub language: Option<String>,
    /// IANA zone of times written without an offset, and of display; default `UTC`.
    pub timezone: Option<Zone>,
    /// The "now" for ongoing incidents (the end of the interval it denotes); default: the latest time in the data.
    pub as_of: Option<WrittenTime>,
    /// Custom domain: writes `CNAME` for GitHub Pages.
    pub cname: Option<String>,
}

/// `content/incidents/<id>.yaml`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Incident {
    /// What happened, in a line.
    #[serde(deserialize_with = "required_title")]
    #[schemars(length(min = 1))]
    pub title: String,
    /// One paragraph of Markdown.
    pub summary: Option<String>,
    /// The id of the campaign this incident belongs to.
    pub campaign: Option<Id>,
    /// The kinds of attack (at least one).
    pub attack: Vec<AttackKind>,
    /// The ids of what was attacked (at least one).
    pub targets: Vec<Id>,
    /// Who did it, and on what basis; empty when unknown.
    #[serde(default)]
    pub actors: Vec<ActorRef>,
    /// What the attack did: `outage`, `degraded`, `none` or `unknown`. Default: `outage` with a `down` observation or an `ended` time, else `unknown`.
    pub impact: Option<Impact>,
    /// When the attack began, as precisely as known.
    pub started: WrittenTime,
    /// When service was restored; absent = not known to have ended.
    pub ended: Option<WrittenTime>,
    /// Checks that bound the outage ("still down at …", "back up at …").
    #[serde(default)]
    pub observations: Vec<Observation>,
    /// Where the facts come from.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Free labels, e.g. hashtags.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl Incident {
    /// The source of this incident with id `id` (what a statement or an
    /// observation cites).
    pub fn source(&self, id: Option<&Id>) -> Option<&Source> {
        let id = id?;
        self.sources.iter().find(|s| s.id == *id)
    }

    /// Each actor its statements name, once, in the order first named.
    pub fn actors_named(&self) -> Vec<&Id> {
        let mut named: Vec<&Id> = Vec::with_capacity(self.actors.len());
        for a in &self.actors {
            if !named.contains(&&a.actor) {
                named.push(&a.actor);
            }
        }
        named
    }

    /// The impact as written, else the default: `outage` when the evidence
    /// says the target went down (a `down` observation, an `ended` time),
    /// else `unknown`, a claim nobody has verified.
    pub fn impact(&self) -> Impact {
        self.impact.unwrap_or_else(|| {
            let down = self.observations.iter().any(|o| o.state == State::Down);
            if down || self.ended.is_some() {
                Impact::Outage
            } else {
                Impact::Unknown
            }
        })
    }
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorRef {
    /// The id of an actor.
    pub actor: Id,
    /// `announced` (the actor said beforehand it would attack this target), `claimed` (the actor said it did), `attributed` (a credible third party says so) or `suspected`.
    pub basis: Basis,
    /// How sure the statement is: 0–100, or `low`, `medium`, `high` (15, 50, 85).
    pub confidence: Option<Confidence>,
    /// The id of the source of this incident that makes the statement.
    pub source: Option<Id>,
    /// When the statement was made.
    pub at: Option<WrittenTime>,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// When the check was made.
    pub at: WrittenTime,
    /// What the check found: `down` or `up` (the service), or `attacked`
    /// (the attack itself seen under way).
    pub state: State,
    /// The id of a source of this incident.
    pub source: Option<Id>,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Unique within the incident; observations refer to it.
    pub id: Id,
    /// Title of the article, post or report.
    pub title: Option<String>,
    /// Who published it.
    pub publisher: Option<String>,
    /// Where to read it (http or https).
    pub url: Option<HttpUrl>,
    /// A copy in a web archive, for posts that vanish (http or https).
    pub archived: Option<HttpUrl>,
    /// When it was published.
    pub published: Option<WrittenTime>,
}

/// `content/actors/<id>.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// The name the actor is best known by.
    #[serde(deserialize_with = "required_name")]
    #[schemars(length(min = 1))]
    pub name: String,
    /// Other names.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// What kind of actor.
    pub kind: Option<ActorKind>,
    /// Country the actor operates from or claims.
    pub country: Option<String>,
    /// Markdown.
    pub description: Option<String>,
    /// Pages about the actor (http or https).
    #[serde(default)]
    pub links: Vec<HttpUrl>,
    /// Other actor records and how this one relates to them, with the public source that says so.
    #[serde(default)]
    pub relations: Vec<Relation>,
}

/// How an actor relates to another actor record.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// The id of the other actor.
    pub actor: Id,
    /// `same-as` (one group under two names, kept as two records), `part-of` or `allied-with`.
    pub kind: RelationKind,
    /// The public source that says so (http or https).
    pub url: Option<HttpUrl>,
}

/// `content/targets/<id>.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The name of the organisation or service.
    #[serde(deserialize_with = "required_name")]
    #[schemars(length(min = 1))]
    pub name: String,
    /// Its website (http or https).
    pub url: Option<HttpUrl>,
    /// E.g. government, media, health.
    pub sector: Option<String>,
    /// Country of the target.
    pub country: Option<String>,
    /// Markdown.
    pub description: Option<String>,
}

/// `content/campaigns/<id>.yaml`.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// The campaign name.
    #[serde(deserialize_with = "required_name")]
    #[schemars(length(min = 1))]
    pub name: String,
    /// Hashtags used, without `#`.
    #[serde(default)]
    pub hashtags: Vec<String>,
    /// Markdown.
    pub summary: Option<String>,
    /// What set it off, in Markdown.
    pub trigger: Option<String>,
}

/// The front matter of `content/notes/<id>.md`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteFront {
    /// The note title.
    #[serde(deserialize_with = "required_title")]
    #[schemars(length(min = 1))]
    pub title: String,
    /// When the note was written.
    pub date: Option<WrittenTime>,
    /// The records the note is about; it is shown on their pages.
    #[serde(default)]
    pub about: Vec<RecordRef>,
}
