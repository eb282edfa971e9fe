//! colors.get: Google's static palettes.

use serde_json::{Map, Value, json};

const CALENDAR: [&str; 24] = [
    "#ac725e", "#d06b64", "#f83a22", "#fa573c", "#ff7537", "#ffad46", "#42d692", "#16a765",
    "#7bd148", "#b3dc6c", "#fbe983", "#fad165", "#92e1c0", "#9fe1e7", "#9fc6e7", "#4986e7",
    "#9a9cff", "#b99aff", "#c2c2c2", "#cabdbf", "#cca6ac", "#f691b2", "#cd74e6", "#a47ae2",
];

const EVENT: [&str; 11] = [
    "#a4bdfc", "#7ae7bf", "#dbadff", "#ff887c", "#fbd75b", "#ffb878", "#46d6db", "#e1e1e1",
    "#5484ed", "#51b749", "#dc2127",
];

fn palette(colors: &[&str]) -> Value {
    let m: Map<String, Value> = colors
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                (i + 1).to_string(),
                json!({"background": c, "foreground": "#1d1d1d"}),
            )
        })
        .collect();
    Value::Object(m)
}

/// Built once: the palettes never change, and colors.get is a hot path in benchmarks.
static COLORS: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
    json!({
        "kind": "calendar#colors",
        "updated": "2012-02-14T00:00:00.000Z",
        "calendar": palette(&CALENDAR),
        "event": palette(&EVENT),
    })
});

pub(crate) fn colors() -> Value {
    COLORS.clone()
}
