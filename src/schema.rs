//! JSON Schemas (draft 2020-12) of every record kind, generated from the
//! record types so they never drift from what `check` accepts. Written to
//! `site/schema/` and printed by `sitrep schema`; editors use them through a
//! `# yaml-language-server: $schema=…` line for completion and validation.

use schemars::{JsonSchema, SchemaGenerator};
use serde_json::Value;

use crate::records::{Actor, Campaign, Incident, NoteFront, SiteConfig, Target};

/// `(file name, schema)` for each record kind, in a fixed order.
pub fn all() -> Vec<(String, Value)> {
    vec![
        schema::<SiteConfig>("site", "content/site.yaml: site settings"),
        schema::<Incident>("incident", "content/incidents/<id>.yaml: one incident"),
        schema::<Actor>("actor", "content/actors/<id>.yaml: who attacks"),
        schema::<Target>("target", "content/targets/<id>.yaml: what is attacked"),
        schema::<Campaign>("campaign", "content/campaigns/<id>.yaml: a campaign"),
        schema::<NoteFront>("note", "front matter of content/notes/<id>.md"),
    ]
}

/// The schema of `T`, titled, and its file name (`<name>.schema.json`).
fn schema<T: JsonSchema>(name: &str, title: &str) -> (String, Value) {
    let schema = SchemaGenerator::default().into_root_schema_for::<T>();
    let mut value = schema.to_value();
    if let Value::Object(map) = &mut value {
        map.insert("title".into(), Value::String(title.into()));
    }
    (format!("{name}.schema.json"), value)
}

/// Pretty JSON with a final newline (a `Value` always serialises: its
/// keys are strings).
pub fn to_text(value: &Value) -> String {
    format!("{value:#}\n")
}
