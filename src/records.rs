//! The record types of docs/format.md, exactly as they are written in `content/`.
//!
//! Strict by construction: unknown keys are errors, closed vocabularies are
//! enums, times, ids and URLs are checked while parsing so a mistake carries
//! the line and column serde saw it at. Cross-record rules (references, time
//! contradictions) belong to `validate`.

use std::fmt;

use chrono_tz::Tz;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;

use crate::time::WrittenTime;

/// Deserializes a string through `parse`, raising the error while the
/// deserializer still knows where the value is (so it gets its line).
fn from_str_with<'de, D, T>(d: D, expecting: &'static str, parse: fn(&str) -> Result<T, String>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    struct Visitor<T> {
        expecting: &'static str,
        parse: fn(&str) -> Result<T, String>,
    }
    impl<T> serde::de::Visitor<'_> for Visitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.expecting)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            (self.parse)(v).map_err(E::custom)
        }
    }
    d.deserialize_str(Visitor { expecting, parse })
}

/// A record id: lowercase ASCII letters, digits and `-`, 1–64 characters,
/// starting with a letter or digit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

impl Id {
    /// Checks `text` against the id rule; the error says what is wrong.
    pub fn parse(text: &str) -> Result<Id, String> {
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if text.is_empty() || text.len() > 64 {
            return Err(format!("`{text}` is not a valid id: it must be 1–64 characters long"));
        }
        if text.starts_with('-') {
            return Err(format!(
                "`{text}` is not a valid id: it must start with a letter or digit"
            ));
        }
        if let Some(bad) = text.chars().find(|c| !ok_char(*c)) {
            return Err(format!(
                "`{text}` is not a valid id: `{bad}` is not allowed; use lowercase letters a-z, digits and `-`"
            ));
        }
        Ok(Id(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_str_with(d, "an id such as `la-voix-du-nord`", Id::parse)
    }
}

/// An absolute `http`/`https` URL; anything else is refused at load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl(String);

impl HttpUrl {
    pub fn parse(text: &str) -> Result<HttpUrl, String> {
        let url = url::Url::parse(text)
            .map_err(|e| format!("`{text}` is not an absolute URL ({e}); write it as `https://…`"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!(
                "`{text}` has the scheme `{}`: only http and https URLs are allowed",
                url.scheme()
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{text}` has no host"));
        }
        Ok(HttpUrl(url.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for HttpUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_str_with(d, "an http(s) URL", HttpUrl::parse)
    }
}

/// An IANA timezone name such as `Europe/Paris`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone(pub Tz);

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_str_with(d, "an IANA timezone name", |text| {
            text.parse::<Tz>()
                .map(Zone)
                .map_err(|_| format!("`{text}` is not an IANA timezone name; write e.g. `Europe/Paris` or `UTC`"))
        })
    }
}

/// A required text (a title, a name): YAML's null (`title:` with nothing
/// after it, `~`, `null`) or blanks are an error, where serde would take
/// them for the text "null", "~" or "".
fn required_text<'de, D: Deserializer<'de>>(d: D, key: &str) -> Result<String, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) if !text.trim().is_empty() => Ok(text),
        _ => Err(serde::de::Error::custom(format!("`{key}` has no text"))),
    }
}

fn required_title<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    required_text(d, "title")
}

fn required_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    required_text(d, "name")
}

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
    pub const ALL: [AttackKind; 7] = [
        AttackKind::Ddos,
        AttackKind::Defacement,
        AttackKind::DataLeak,
        AttackKind::Ransomware,
        AttackKind::Intrusion,
        AttackKind::Phishing,
        AttackKind::Other,
    ];

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
    /// The actor said it did it.
    Claimed,
    /// Someone credible (an agency, a researcher) says the actor did it.
    Attributed,
    /// Someone thinks so, without proof.
    Suspected,
}

impl Basis {
    pub fn key(self) -> &'static str {
        match self {
            Basis::Claimed => "claimed",
            Basis::Attributed => "attributed",
            Basis::Suspected => "suspected",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Down,
    Up,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
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

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorRef {
    /// The id of an actor.
    pub actor: Id,
    /// `claimed` (the actor said so), `attributed` (a credible party says so) or `suspected`.
    pub basis: Basis,
}

#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// When the check was made.
    pub at: WrittenTime,
    /// What the check found: `down` or `up`.
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
    /// When it was published.
    pub published: Option<WrittenTime>,
}

/// `content/actors/<id>.yaml`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
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
}

/// `content/targets/<id>.yaml`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
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
#[derive(Clone, Debug, Deserialize, JsonSchema)]
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

/// `incidents/<id>` and the like, in a note's `about`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordRef {
    pub kind: Kind,
    pub id: Id,
}

impl RecordRef {
    /// Parses `incidents/<id>` and the like.
    pub fn parse(text: &str) -> Result<RecordRef, String> {
        let bad = || {
            format!("`{text}` is not a reference: write `incidents/<id>`, `actors/<id>`, `targets/<id>` or `campaigns/<id>`")
        };
        let (folder, id) = text.split_once('/').ok_or_else(bad)?;
        let kind = match folder {
            "incidents" => Kind::Incident,
            "actors" => Kind::Actor,
            "targets" => Kind::Target,
            "campaigns" => Kind::Campaign,
            _ => return Err(bad()),
        };
        Ok(RecordRef {
            kind,
            id: Id::parse(id)?,
        })
    }
}

impl<'de> Deserialize<'de> for RecordRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_str_with(d, "a reference such as `incidents/<id>`", RecordRef::parse)
    }
}

/// The regular expression of an id, for JSON Schema.
pub const ID_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,63}$";
/// The regular expression of a written time (docs/format.md, "Times"), for JSON Schema.
pub const TIME_PATTERN: &str =
    "^[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2})?)?)?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$";

impl JsonSchema for Id {
    fn schema_name() -> Cow<'static, str> {
        "Id".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": ID_PATTERN,
            "description": "The id of a record: its file name without extension (lowercase letters, digits and `-`)."
        })
    }
}

impl JsonSchema for HttpUrl {
    fn schema_name() -> Cow<'static, str> {
        "HttpUrl".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]+",
            "description": "An absolute http or https URL."
        })
    }
}

impl JsonSchema for Zone {
    fn schema_name() -> Cow<'static, str> {
        "Zone".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$",
            "description": "An IANA timezone name such as `Europe/Paris` or `UTC`."
        })
    }
}

impl JsonSchema for WrittenTime {
    fn schema_name() -> Cow<'static, str> {
        "Time".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A time written with the precision that is known: `2024`, `2024-08`, `2024-08-25`, `2024-08-25T14`, `2024-08-25T14:30` or `2024-08-25T14:30:15`, optionally followed by `Z` or `+HH:MM`/`-HH:MM`; without an offset it is in the site's timezone.",
            "anyOf": [
                { "type": "string", "pattern": TIME_PATTERN },
                { "type": "integer", "minimum": 1000, "maximum": 9999 }
            ]
        })
    }
}

impl JsonSchema for RecordRef {
    fn schema_name() -> Cow<'static, str> {
        "RecordRef".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^(incidents|actors|targets|campaigns)/[a-z0-9][a-z0-9-]{0,63}$",
            "description": "A record this note is about: `incidents/<id>`, `actors/<id>`, `targets/<id>` or `campaigns/<id>`."
        })
    }
}
