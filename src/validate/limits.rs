//! What a record may hold and cost, checked with the other mistakes.
//!
//! Content comes from pull requests. A 100 KB title repeated in a
//! timeline's 40 lanes and on 500 target pages turns one file into
//! gigabytes of site, and Markdown nested 100,000 deep stalls the
//! sanitiser. Short texts (titles, names, aliases, tags) are capped at
//! [`MAX_SHORT_TEXT`] characters and Markdown at [`markdown::MAX_DEPTH`]
//! levels, each an error at its line. The site's own settings are checked
//! in [`super::site`].

use rayon::prelude::*;

use super::error_at;
use crate::diagnostics::{Diagnostic, Seg};
use crate::markdown;
use crate::parse::{Content, Parsed};
use crate::path;

/// The most characters a title, a name, an alias, a tag or a hashtag may have.
pub const MAX_SHORT_TEXT: usize = 300;

/// Checks one short text at `path`.
pub(super) fn short<T>(p: &Parsed<T>, path: &[Seg], text: &str, out: &mut Vec<Diagnostic>) {
    // Bytes bound characters: most texts are decided without counting.
    if text.len() > MAX_SHORT_TEXT && text.chars().count() > MAX_SHORT_TEXT {
        out.push(
            error_at(
                p,
                path,
                format!(
                    "this text has {} characters, more than the {MAX_SHORT_TEXT} a title, name or tag may have",
                    text.chars().count()
                ),
            )
            .with_hint("shorten it; put the rest in the summary or description, which have no such limit"),
        );
    }
}

/// A title or name followed by ` #…` on its line: YAML took the rest for a
/// comment (`title: We are #1` is the title "We are"), which is rarely meant.
/// `paths` are the record's titles and names.
fn cut_by_comment<T>(p: &Parsed<T>, paths: impl IntoIterator<Item = Vec<Seg>>, out: &mut Vec<Diagnostic>) {
    // Found without parsing: most files have no such line, and only a
    // title or a name on one of the lines that have one is looked up.
    if !p.yaml.contains(" #") {
        return;
    }
    let suspects: Vec<usize> = (p.yaml.lines().enumerate())
        .filter(|(_, l)| {
            let body = l.trim_start_matches([' ', '-']);
            l.contains(" #") && ["title: ", "name: ", "publisher: "].iter().any(|k| body.starts_with(k))
        })
        .map(|(n, _)| n + p.first_line)
        .collect();
    for path in paths {
        if suspects.is_empty() {
            return;
        }
        let (line, column, width) = crate::validate::at(p, &path);
        let Some(text) = suspects
            .contains(&line)
            .then(|| p.yaml.lines().nth(line - p.first_line))
            .flatten()
        else {
            continue;
        };
        let value: String = text.chars().skip(column - 1).take(width).collect();
        let rest: String = text.chars().skip(column - 1 + width).collect();
        if value.starts_with(['"', '\'']) || !rest.trim_start().starts_with('#') {
            continue;
        }
        let key = match path.last() {
            Some(Seg::Key(k)) => k.as_str(),
            _ => "title",
        };
        let whole = format!("{value}{}", rest.trim_end()).replace('"', "\\\"");
        out.push(
            Diagnostic::warning(
                &p.file,
                (line, column),
                format!("`#` starts a comment here: the {key} reads only `{value}`"),
            )
            .with_width(width)
            .with_hint(format!("if `#` is part of the {key}, quote it: `{key}: \"{whole}\"`")),
        );
    }
}

/// Checks each short text of the list at `key`.
fn shorts<T>(p: &Parsed<T>, key: &str, texts: &[String], out: &mut Vec<Diagnostic>) {
    for (i, text) in texts.iter().enumerate() {
        short(p, &path![key, i], text, out);
    }
}

/// Checks one Markdown text at `path`.
pub(super) fn markdown_at<T>(p: &Parsed<T>, path: &[Seg], text: Option<&str>, out: &mut Vec<Diagnostic>) {
    if text.and_then(markdown::too_deep).is_some() {
        out.push(nesting_error(error_at(p, path, "")));
    }
}

fn nesting_error(at: Diagnostic) -> Diagnostic {
    Diagnostic {
        message: format!(
            "this Markdown nests more than {} levels deep (lists, quotes, emphasis or HTML elements inside each other)",
            markdown::MAX_DEPTH
        ),
        ..at
    }
    .with_hint("flatten the nesting; a text needs a few levels at most")
}

/// Checks every record of `content`.
pub fn check(content: &Content, out: &mut Vec<Diagnostic>) {
    if let Some(p) = &content.site {
        super::site::check(p, out);
    }
    // Incidents are most of a site, and Markdown may need a parse: in
    // parallel; diagnostics are sorted after validation anyway.
    let per_incident: Vec<Diagnostic> = content
        .incidents
        .par_iter()
        .flat_map_iter(|p| {
            let out = &mut Vec::new();
            let r = &p.record;
            short(p, &path!["title"], &r.title, out);
            shorts(p, "tags", &r.tags, out);
            for (i, s) in r.sources.iter().enumerate() {
                for (key, text) in [("title", &s.title), ("publisher", &s.publisher)] {
                    if let Some(text) = text {
                        short(p, &path!["sources", i, key], text, out);
                    }
                }
            }
            // Paths made only if the file has a comment to look at.
            let titles = (r.sources.iter().enumerate()).flat_map(|(i, s)| {
                let keys = [("title", s.title.is_some()), ("publisher", s.publisher.is_some())];
                keys.into_iter()
                    .filter(|k| k.1)
                    .map(move |(key, _)| path!["sources", i, key].to_vec())
            });
            cut_by_comment(p, std::iter::once_with(|| path!["title"].to_vec()).chain(titles), out);
            markdown_at(p, &path!["summary"], r.summary.as_deref(), out);
            std::mem::take(out)
        })
        .collect();
    out.extend(per_incident);
    for p in &content.actors {
        let r = &p.record;
        short(p, &path!["name"], &r.name, out);
        cut_by_comment(p, std::iter::once_with(|| path!["name"].to_vec()), out);
        shorts(p, "aliases", &r.aliases, out);
        if let Some(country) = &r.country {
            short(p, &path!["country"], country, out);
        }
        markdown_at(p, &path!["description"], r.description.as_deref(), out);
    }
    for p in &content.targets {
        let r = &p.record;
        short(p, &path!["name"], &r.name, out);
        cut_by_comment(p, std::iter::once_with(|| path!["name"].to_vec()), out);
        for (key, text) in [("sector", &r.sector), ("country", &r.country)] {
            if let Some(text) = text {
                short(p, &path![key], text, out);
            }
        }
        markdown_at(p, &path!["description"], r.description.as_deref(), out);
    }
    for p in &content.campaigns {
        let r = &p.record;
        short(p, &path!["name"], &r.name, out);
        cut_by_comment(p, std::iter::once_with(|| path!["name"].to_vec()), out);
        shorts(p, "hashtags", &r.hashtags, out);
        markdown_at(p, &path!["summary"], r.summary.as_deref(), out);
        markdown_at(p, &path!["trigger"], r.trigger.as_deref(), out);
    }
    for p in &content.notes {
        short(p, &path!["title"], &p.record.front.title, out);
        cut_by_comment(p, std::iter::once_with(|| path!["title"].to_vec()), out);
        let body = &p.record.body;
        if let Some(offset) = markdown::too_deep(body) {
            // The body starts after the front matter and its two `---` lines.
            let first = p.first_line + p.yaml.lines().count() + 1;
            let before = &body[..offset];
            let line = first + before.matches('\n').count();
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            out.push(nesting_error(Diagnostic::error(&p.file, (line, column), "")));
        }
    }
}
