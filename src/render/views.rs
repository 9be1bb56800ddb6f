//! The values templates see: small borrowed `Serialize` structs built for
//! display, apart from the model, so that a template change never touches
//! the model (the pattern of Zola's `ser.rs`). One struct per thing a page
//! shows; no page is a `json!` value.

use serde::Serialize;

#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description_html: Option<String>,
    pub base_url: &'a str,
    pub language: &'a str,
    pub timezone: &'a str,
    pub as_of: String,
}

#[derive(Serialize, Clone)]
pub struct Link {
    pub name: String,
    pub url: String,
}

/// An actor as a row names it: once, with the bases of all its
/// statements on the incident ("claimed, attributed").
#[derive(Serialize)]
pub struct ActorLink {
    pub name: String,
    pub url: String,
    /// Its first basis, with the highest confidence given for it (`bases[0]`).
    pub basis: &'static str,
    /// 0–100, when the record gives one.
    pub confidence: Option<u8>,
    /// Every basis its statements give, in record order, each once, with
    /// the highest confidence given for it.
    pub bases: Vec<BasisView>,
}

#[derive(Serialize)]
pub struct BasisView {
    pub basis: &'static str,
    pub confidence: Option<u8>,
}

/// One statement on an incident's page: who, on what basis, who says so
/// (the source's publisher, linked), and when.
#[derive(Serialize)]
pub struct IncidentStatementView {
    pub actor: Link,
    pub basis: &'static str,
    pub confidence: Option<u8>,
    /// The source that makes it, and its id (an anchor on the page).
    pub source: Option<SourceLink>,
    pub source_id: Option<String>,
    pub at: Option<String>,
    pub at_words: Option<String>,
}

/// One row of the who / what / when / how-long table.
#[derive(Serialize)]
pub struct IncidentRow {
    pub id: String,
    pub url: String,
    pub title: String,
    pub attack: Vec<&'static str>,
    pub targets: Vec<Link>,
    /// Targets left out of `targets` (table rows name [`ROW_LINKS`]).
    pub more_targets: usize,
    pub actors: Vec<ActorLink>,
    /// Actors left out of `actors`.
    pub more_actors: usize,
    pub campaign: Option<Link>,
    /// As written (for `<time datetime>`), then in words.
    pub started: String,
    pub started_words: String,
    pub ended: Option<String>,
    pub ended_words: Option<String>,
    /// With no `ended`: the `up` observation that bounds the end.
    pub up_by: Option<String>,
    pub up_by_words: Option<String>,
    pub duration: String,
    /// "attacked for at least 3 d 4 h (seen from … to …)", with
    /// `attacked` observations.
    pub attacked: Option<String>,
    /// `ongoing`, `ended`, `no-impact` or `unverified` (a CSS class too).
    pub status: &'static str,
    pub status_label: &'static str,
    pub impact: &'static str,
    /// Sort keys for the optional table script.
    pub start_key: i64,
    pub min_seconds: i64,
    /// The upper bound for sorting; an open one sorts after every bounded one.
    pub max_sort: i64,
}

#[derive(Serialize)]
pub struct Figures {
    pub incidents: usize,
    pub targets: usize,
    pub actors: usize,
    pub campaigns: usize,
    /// Outages not known to have ended.
    pub ongoing: usize,
    /// Claims nobody verified.
    pub unverified: usize,
    /// Attacks the target absorbed.
    pub no_impact: usize,
    /// The incidents by status in words: "1 ongoing, 3 ended, 1 unverified claim".
    pub breakdown: String,
    pub downtime: String,
}

/// One statement about an actor on its page: what it announced or
/// claimed, or what others attribute to it, with its source and date.
#[derive(Serialize)]
pub struct StatementView {
    pub incident: Link,
    pub status: &'static str,
    pub status_label: &'static str,
    /// How long, as the incident's table row says it.
    pub duration: String,
    pub targets: Vec<Link>,
    pub more_targets: usize,
    pub source: Option<SourceLink>,
    /// When the statement was made: as written, and in words.
    pub at: Option<String>,
    pub at_words: Option<String>,
    pub confidence: Option<u8>,
}

/// A source named by what a reader recognises, linked when it is online.
#[derive(Serialize)]
pub struct SourceLink {
    pub name: String,
    pub url: Option<String>,
}

impl SourceLink {
    /// By its publisher, else its title, else its id.
    pub fn of(src: &crate::records::Source) -> SourceLink {
        SourceLink {
            name: (src.publisher.as_deref())
                .or(src.title.as_deref())
                .unwrap_or(src.id.as_str())
                .to_string(),
            url: src.url.as_ref().map(|u| u.as_str().to_string()),
        }
    }
}

/// The statements of one basis on an actor's page.
#[derive(Serialize)]
pub struct StatementGroup {
    pub basis: &'static str,
    pub statements: Vec<StatementView>,
    /// Statements left out (the most recent are shown).
    pub hidden: usize,
}

/// A relation between two actors, as read from the page's actor.
#[derive(Serialize)]
pub struct RelationView {
    /// "the same group as", "part of", "has as a part", "allied with".
    pub words: &'static str,
    pub kind: &'static str,
    pub actor: Link,
    pub url: Option<String>,
}

#[derive(Serialize)]
pub struct Charts {
    pub per_day: String,
    pub per_target: String,
    pub per_actor: String,
    pub per_attack: String,
}

#[derive(Serialize)]
pub struct ObservationView {
    /// `down` or `up`.
    pub state: &'static str,
    pub at: String,
    pub at_words: String,
    pub source: Option<String>,
}

#[derive(Serialize)]
pub struct SourceView<'a> {
    pub id: &'a str,
    pub title: Option<&'a str>,
    pub publisher: Option<&'a str>,
    pub url: Option<&'a str>,
    /// A copy in a web archive.
    pub archived: Option<&'a str>,
    pub published: Option<&'a str>,
    pub published_words: Option<String>,
}

/// Where a list page stands among the pages of its list.
#[derive(Serialize)]
pub struct Pager {
    /// This page's number and the number of pages, from 1.
    pub current: usize,
    pub total: usize,
    /// The positions of this page's first and last record in the list, from 1,
    /// and how many records the whole list has ("41–60 of 312").
    pub first: usize,
    pub last: usize,
    pub count: usize,
    /// The paths of the pages before and after, where there are.
    pub prev: Option<String>,
    pub next: Option<String>,
    /// Every page: its number and path.
    pub pages: Vec<(usize, String)>,
}

#[derive(Serialize)]
pub struct Entry {
    pub name: String,
    pub url: String,
    pub detail: String,
    /// A note's date as written, for `<time datetime>` (`detail` has it in words).
    pub date: Option<String>,
    pub incidents: usize,
    pub downtime: String,
}

/// An actor, target or campaign as its page shows it: its id and every
/// field as the record writes it (`actor.name`, `actor.aliases`,
/// `target.url`), so a field added to a record reaches the templates as is.
#[derive(Serialize)]
pub struct RecordView<'a, R> {
    pub id: &'a str,
    #[serde(flatten)]
    pub record: &'a R,
}

#[derive(Serialize)]
pub struct NoteView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub date: Option<&'a str>,
    pub date_words: Option<String>,
}
