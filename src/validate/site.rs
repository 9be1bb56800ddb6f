//! The site's settings that reach every page or a file of their own
//! (`title`, `language`, `cname`, `timezone`, `base_url`): well-formed, or
//! an error at their line.

use super::limits::{markdown_at, short};
use super::{error_at, warning_at};
use crate::diagnostics::Diagnostic;
use crate::parse::Parsed;
use crate::path;
use crate::records::SiteConfig;

pub(super) fn check(p: &Parsed<SiteConfig>, out: &mut Vec<Diagnostic>) {
    let r = &p.record;
    short(p, &path!["title"], &r.title, out);
    markdown_at(p, &path!["description"], r.description.as_deref(), out);
    if let Some(language) = &r.language {
        if language_tags::LanguageTag::parse(language).is_err() {
            out.push(
                error_at(
                    p,
                    &path!["language"],
                    format!("`{language}` is not a BCP 47 language tag"),
                )
                .with_hint("write a tag such as `en`, `fr`, `de-CH` or `pt-BR`"),
            );
        }
    }
    if let Some(cname) = &r.cname {
        if let Err(why) = host_name(cname) {
            out.push(
                error_at(p, &path!["cname"], format!("`cname` must be a host name: {why}"))
                    .with_hint("write the custom domain alone, e.g. `incidents.example.org`"),
            );
        }
    }
    // IANA keeps a few old fixed-offset names: they never change to summer time.
    if let Some(zone) = r.timezone {
        let name = zone.0.name();
        let instead = match name {
            "EST" => Some("America/New_York"),
            "MST" => Some("America/Denver (or America/Phoenix, which has no daylight saving)"),
            "HST" => Some("Pacific/Honolulu"),
            "EST5EDT" | "CST6CDT" | "MST7MDT" | "PST8PDT" => Some("the city's zone, e.g. America/Chicago"),
            "CET" | "MET" | "EET" | "WET" => Some("the city's zone, e.g. Europe/Paris"),
            _ => None,
        };
        if let Some(instead) = instead {
            out.push(
                warning_at(
                    p,
                    &path!["timezone"],
                    format!(
                        "`{name}` is an old IANA name kept for compatibility: it follows no city's rules{}",
                        if matches!(name, "EST" | "MST" | "HST") {
                            ", and it has no daylight saving at all"
                        } else {
                            ""
                        }
                    ),
                )
                .with_hint(format!("write {instead}")),
            );
        }
    }
    let url = r.base_url.as_str();
    if let Ok(parsed) = url::Url::parse(url) {
        if parsed.query().is_some() || parsed.fragment().is_some() {
            out.push(
                error_at(
                    p,
                    &path!["base_url"],
                    "`base_url` has a query or a fragment (`?` or `#`)",
                )
                .with_hint("every page's address is made by adding to base_url; write it without `?…` or `#…`"),
            );
        }
    }
}

/// Why `name` is not a DNS host name (ASCII letters, digits, `-`, dots).
pub fn host_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 253 {
        return Err("it must have 1 to 253 characters".into());
    }
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("each part between dots must have 1 to 63 characters".into());
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err("only letters, digits, `-` and dots are allowed".into());
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("no part may start or end with `-`".into());
        }
    }
    Ok(())
}
