//! The checked values records are made of: ids, URLs, zones, references,
//! and their JSON Schemas. Each is checked while parsing, so a mistake
//! carries the line and column serde saw it at.

use crate::diagnostics::HELP;
use std::borrow::Cow;
use std::fmt;

use chrono_tz::Tz;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize};

use super::Kind;
use crate::time::{TimeSyntaxError, WrittenTime};

/// Reads a value from its text; the error in words.
type ReadText<T> = fn(&str) -> Result<T, String>;
/// Reads a value from a bare integer; the error in words.
type ReadInteger<T> = fn(i128) -> Result<T, String>;

/// Reads a value written as text (and, where `integer` is given, as a bare
/// YAML integer: `2024`, `85`), raising the error while the deserializer
/// still knows where the value is (so it gets its line).
struct Reader<T> {
    expecting: &'static str,
    text: ReadText<T>,
    integer: Option<ReadInteger<T>>,
}

impl<T> serde::de::Visitor<'_> for Reader<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.expecting)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        (self.text)(v).map_err(E::custom)
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<T, E> {
        match self.integer {
            Some(read) => read(i128::from(v)).map_err(E::custom),
            None => Err(E::invalid_type(serde::de::Unexpected::Unsigned(v), &self)),
        }
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
        match self.integer {
            Some(read) => read(i128::from(v)).map_err(E::custom),
            None => Err(E::invalid_type(serde::de::Unexpected::Signed(v), &self)),
        }
    }
}

/// Deserializes a string through `parse`.
fn from_str_with<'de, D: Deserializer<'de>, T>(
    d: D,
    expecting: &'static str,
    parse: ReadText<T>,
) -> Result<T, D::Error> {
    d.deserialize_str(Reader {
        expecting,
        text: parse,
        integer: None,
    })
}

/// Deserializes a string through `text`, or an integer through `integer`.
fn from_str_or_integer<'de, D: Deserializer<'de>, T>(
    d: D,
    expecting: &'static str,
    text: ReadText<T>,
    integer: ReadInteger<T>,
) -> Result<T, D::Error> {
    d.deserialize_any(Reader {
        expecting,
        text,
        integer: Some(integer),
    })
}

/// A record id: lowercase ASCII letters, digits and `-`, 1–64 characters,
/// starting with a letter or digit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
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
        if crate::guard::is_windows_device(text) {
            return Err(format!(
                "`{text}` is not a valid id: it is a device name on Windows (CON, PRN, AUX, NUL, COM1–9, LPT1–9), so its file could not be checked out there; add a word, e.g. `{text}-group`"
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct HttpUrl(String);

impl HttpUrl {
    pub fn parse(text: &str) -> Result<HttpUrl, String> {
        let url = url::Url::parse(text)
            .map_err(|e| format!("`{text}` is not an absolute URL ({e}){HELP}write it as `https://…`"))?;
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

    /// Its host (`www.service-public.fr`); every `HttpUrl` has one.
    pub fn host(&self) -> String {
        url::Url::parse(&self.0)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default()
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
            text.parse::<Tz>().map(Zone).map_err(|_| zone_mistake(text))
        })
    }
}

/// Why `text` is not an IANA zone name, with what to write: the name in
/// its right case, or a city for a zone abbreviation.
fn zone_mistake(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    if let Some(tz) = chrono_tz::TZ_VARIANTS
        .iter()
        .find(|tz| tz.name().to_ascii_lowercase() == lower)
    {
        return format!(
            "`{text}` is not an IANA timezone name: names are case-sensitive{HELP}write `{}`",
            tz.name()
        );
    }
    if (2..=5).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphabetic()) {
        return format!(
            "`{text}` is a zone abbreviation, not an IANA timezone name (abbreviations are ambiguous and have no daylight-saving rules){HELP}write the zone of a city, e.g. `Europe/Paris` or `America/Chicago`"
        );
    }
    format!("`{text}` is not an IANA timezone name{HELP}write e.g. `Europe/Paris` or `UTC`")
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

pub(super) fn required_title<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    required_text(d, "title")
}

pub(super) fn required_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    required_text(d, "name")
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
            format!("`{text}` is not a reference{HELP}write `incidents/<id>`, `actors/<id>`, `targets/<id>` or `campaigns/<id>`")
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
/// The regular expression of one time form, without anchors.
macro_rules! time_point_pattern {
    () => {
        "[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2})?)?)?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?"
    };
}

/// The regular expression of a written time (docs/format.md, "Times"), for JSON Schema.
/// One time, then optionally `/` and another time or `..`.
pub const TIME_PATTERN: &str = concat!("^", time_point_pattern!(), "(/(", time_point_pattern!(), "|[.][.]))?$");

/// Implements `JsonSchema` for each value type: its name in the schema and
/// the schema itself (what `check` accepts, in JSON Schema's words).
macro_rules! schemas {
    ($($type:ty as $name:literal: $schema:tt)*) => {$(
        impl JsonSchema for $type {
            fn schema_name() -> Cow<'static, str> {
                $name.into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!($schema)
            }
        }
    )*};
}

schemas! {
    Id as "Id": { "type": "string", "pattern": ID_PATTERN, "description": "The id of a record: its file name without extension (lowercase letters, digits and `-`)." }
    HttpUrl as "HttpUrl": { "type": "string", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#]+", "description": "An absolute http or https URL." }
    Zone as "Zone": { "type": "string", "pattern": "^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$", "description": "An IANA timezone name such as `Europe/Paris` or `UTC`." }
    RecordRef as "RecordRef": {
        "type": "string",
        "pattern": "^(incidents|actors|targets|campaigns)/[a-z0-9][a-z0-9-]{0,63}$",
        "description": "A record this note is about: `incidents/<id>`, `actors/<id>`, `targets/<id>` or `campaigns/<id>`."
    }
    WrittenTime as "Time": {
        "description": "A time written with the precision that is known: `2024`, `2024-08`, `2024-08-25`, `2024-08-25T14`, `2024-08-25T14:30` or `2024-08-25T14:30:15`, optionally followed by `Z` or `+HH:MM`/`-HH:MM`; without an offset it is in the site's timezone. Where only a range is known, an interval `A/B` of two such times (from the start of A to the end of B), or `A/..` (at A or later, up to as_of).",
        "anyOf": [{ "type": "string", "pattern": TIME_PATTERN }, { "type": "integer", "minimum": 1000, "maximum": 9999 }]
    }
    Confidence as "Confidence": {
        "description": "How sure the statement is: an integer from 0 to 100 (the STIX 2.1 scale), or `low`, `medium` or `high` (15, 50, 85).",
        "anyOf": [{ "type": "integer", "minimum": 0, "maximum": 100 }, { "enum": ["low", "medium", "high"] }]
    }
}

/// How sure a statement about an actor is: 0–100, the scale of STIX 2.1;
/// the words `low`, `medium` and `high` are its Low/Med/High (15/50/85).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Confidence(u8);

impl Confidence {
    pub fn value(self) -> u8 {
        self.0
    }

    fn from_word(text: &str) -> Result<Confidence, String> {
        match text {
            "low" => Ok(Confidence(15)),
            "medium" => Ok(Confidence(50)),
            "high" => Ok(Confidence(85)),
            _ => Err(format!(
                "`{text}` is not a confidence{HELP}write an integer from 0 to 100, or `low`, `medium` or `high`"
            )),
        }
    }

    fn from_number(n: i128) -> Result<Confidence, String> {
        u8::try_from(n)
            .ok()
            .filter(|n| *n <= 100)
            .map(Confidence)
            .ok_or_else(|| format!("confidence {n} is not from 0 to 100"))
    }
}

impl<'de> Deserialize<'de> for Confidence {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let expecting = "a confidence: an integer from 0 to 100, or `low`, `medium` or `high`";
        from_str_or_integer(d, expecting, Confidence::from_word, Confidence::from_number)
    }
}

/// How records read a time: as text, or (an unquoted `2024`) as a number.
impl<'de> Deserialize<'de> for WrittenTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let expecting = "a time such as `2024-08-25`, `2024-08-25T14:30+02:00` or `2024-08-24/2024-08-25`";
        fn read(text: &str) -> Result<WrittenTime, String> {
            text.parse().map_err(|e: TimeSyntaxError| e.to_string())
        }
        from_str_or_integer(d, expecting, read, |n| read(&n.to_string()))
    }
}
