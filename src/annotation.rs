//! Annotations drawn on a photo — pins, arrows, rectangles, ellipses, polygons, freehand
//! strokes, text labels and rulers — their validation, and their exchange as
//! [W3C Web Annotations](https://www.w3.org/TR/annotation-model/).
//!
//! An [`Annotation`] lives on one photo and its points are pixels of that photo after EXIF
//! orientation, (0,0) the top-left corner (not of BEFORE through the alignment). This module
//! checks annotations ([`Annotation::validate`], [`validate_all`]), reads the product's own
//! JSON list ([`parse_list`]), and writes and reads W3C Web Annotations ([`to_w3c`],
//! [`from_w3c`]). It draws nothing and never interprets a note: notes are plain text, kept
//! verbatim, and the few SVG shapes it reads are parsed for their numbers only.
//!
//! Coordinates are rounded to 0.01 px on the way in ([`Annotation::normalise`]), and the
//! corners of rectangles and ellipses are put in the order top-left, bottom-right, so that a
//! list written with [`to_w3c`] reads back with [`from_w3c`] exactly.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::fmt;

/// The most points one annotation may have.
pub const MAX_POINTS: usize = 5000;

/// The longest note, in characters (Unicode scalar values, not bytes).
pub const MAX_NOTE_CHARS: usize = 5000;

/// The largest coordinate magnitude accepted, in pixels.
pub const MAX_COORD: f64 = 1e6;

/// The longest id, in characters.
pub const MAX_ID_CHARS: usize = 64;

/// The longest `created` / `modified` text, in characters.
pub const MAX_TIME_CHARS: usize = 64;

/// The prefix that turns an annotation's id into the W3C annotation's `id` (an IRI).
pub const W3C_ID_PREFIX: &str = "urn:scalp-compare:annotation:";

const W3C_CONTEXT: &str = "http://www.w3.org/ns/anno.jsonld";
const MEDIA_FRAGMENTS: &str = "http://www.w3.org/TR/media-frags/";

/// What an annotation draws, and how many points it takes.
///
/// Serialised in lowercase: `"pin"`, `"arrow"`, `"ellipse"`, `"rect"`, `"polygon"`,
/// `"freehand"`, `"text"`, `"ruler"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A marker at 1 point.
    Pin,
    /// An arrow: 2 points, tail then head.
    Arrow,
    /// An ellipse: 2 points, opposite corners of its axis-aligned bounding box.
    Ellipse,
    /// An axis-aligned rectangle: 2 points, opposite corners.
    Rect,
    /// A closed polygon: 3 or more points.
    Polygon,
    /// An open stroke: 2 or more points.
    Freehand,
    /// A text label anchored at 1 point; its note is the text and may not be empty.
    Text,
    /// A measuring line: 2 points, its ends.
    Ruler,
}

impl Kind {
    /// The kind's name as written in JSON and in messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pin => "pin",
            Kind::Arrow => "arrow",
            Kind::Ellipse => "ellipse",
            Kind::Rect => "rect",
            Kind::Polygon => "polygon",
            Kind::Freehand => "freehand",
            Kind::Text => "text",
            Kind::Ruler => "ruler",
        }
    }

    /// The fewest and the most points this kind takes.
    pub fn point_range(self) -> (usize, usize) {
        match self {
            Kind::Pin | Kind::Text => (1, 1),
            Kind::Arrow | Kind::Ruler | Kind::Rect | Kind::Ellipse => (2, 2),
            Kind::Polygon => (3, MAX_POINTS),
            Kind::Freehand => (2, MAX_POINTS),
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        [
            Kind::Pin,
            Kind::Arrow,
            Kind::Ellipse,
            Kind::Rect,
            Kind::Polygon,
            Kind::Freehand,
            Kind::Text,
            Kind::Ruler,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which of the two photos an annotation is drawn on. Serialised as `"before"` / `"after"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Photo {
    /// The earlier visit.
    Before,
    /// The later visit.
    After,
}

impl Photo {
    /// `"before"` or `"after"`, as written in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Photo::Before => "before",
            Photo::After => "after",
        }
    }

    /// `"BEFORE"` or `"AFTER"`, as the widget labels the photos in messages.
    pub fn label(self) -> &'static str {
        match self {
            Photo::Before => "BEFORE",
            Photo::After => "AFTER",
        }
    }
}

/// One annotation, in the product's own JSON form (snake_case, unknown fields refused):
///
/// ```json
/// {"id": "a1", "kind": "rect", "photo": "before", "points": [[10, 20.5], [40, 60.5]],
///  "note": "thinning here", "color": "#ff8800",
///  "created": "2026-11-27T06:00:00.000Z", "modified": "2026-11-27T06:05:00.000Z"}
/// ```
///
/// `note` may be left out (empty); `color`, `created` and `modified` may be left out or
/// `null` and are not written when absent. See [`Annotation::validate`] for the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    /// 1–64 characters of `A-Z a-z 0-9 _ . : -`, unique within a list.
    pub id: String,
    /// What it draws.
    pub kind: Kind,
    /// The photo it is on.
    pub photo: Photo,
    /// `[x, y]` in pixels of that photo after EXIF orientation, (0,0) its top-left corner.
    pub points: Vec<[f64; 2]>,
    /// Plain text, kept verbatim (markup in it is text, never interpreted); may be empty
    /// except for [`Kind::Text`].
    #[serde(default)]
    pub note: String,
    /// Stroke colour, `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// When it was made (an ISO 8601 date-time, by convention); kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When it was last changed (an ISO 8601 date-time, by convention); kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
}

impl Annotation {
    /// Puts the annotation in its normal form: coordinates rounded to 0.01 px, a rectangle's
    /// or ellipse's two corners reordered to top-left then bottom-right, and the colour in
    /// lowercase. Everything that reads annotations does this before [`validate`](Self::validate).
    pub fn normalise(&mut self) {
        for p in &mut self.points {
            *p = [round2(p[0]), round2(p[1])];
        }
        if matches!(self.kind, Kind::Rect | Kind::Ellipse)
            && self.points.len() == 2
            && self.points.iter().flatten().all(|v| v.is_finite())
        {
            let [a, b] = [self.points[0], self.points[1]];
            self.points = vec![
                [a[0].min(b[0]), a[1].min(b[1])],
                [a[0].max(b[0]), a[1].max(b[1])],
            ];
        }
        if let Some(c) = &mut self.color {
            c.make_ascii_lowercase();
        }
    }

    /// Checks the annotation on its own (not the uniqueness of its id; see [`validate_all`]):
    ///
    /// - `id`: 1–64 characters of `A-Z a-z 0-9 _ . : -`;
    /// - points: 1 for pin and text, 2 for arrow, ruler, rect and ellipse, at least 3 for a
    ///   polygon and 2 for freehand, never more than [`MAX_POINTS`]; every coordinate finite
    ///   and within ±[`MAX_COORD`]; a rect or ellipse with zero width or height, and an arrow
    ///   or ruler whose ends coincide, are refused;
    /// - note: at most [`MAX_NOTE_CHARS`] characters; a text label needs a note that is not
    ///   just white space;
    /// - color: `#rrggbb` when present; `created` / `modified`: at most 64 characters.
    ///
    /// The error names the annotation by id and kind (its position is added by the list
    /// functions).
    pub fn validate(&self) -> Result<(), AnnotationError> {
        match self.problem() {
            None => Ok(()),
            Some(problem) => Err(AnnotationError::Item {
                index: None,
                id: Some(self.id.clone()),
                kind: Some(self.kind),
                problem,
            }),
        }
    }

    fn problem(&self) -> Option<String> {
        let id_chars = self.id.chars().count();
        if id_chars == 0 || id_chars > MAX_ID_CHARS || !self.id.chars().all(is_id_char) {
            return Some(format!(
                "has an id that is not 1–{MAX_ID_CHARS} letters, digits or _ . : -"
            ));
        }
        let n = self.points.len();
        let (min, max) = self.kind.point_range();
        let plural = |k: usize| if k == 1 { "point" } else { "points" };
        if min == max && n != min {
            return Some(format!("needs {min} {}, it has {n}", plural(min)));
        }
        if n < min {
            return Some(format!("needs at least {min} points, it has {n}"));
        }
        if n > max {
            return Some(format!("has {n} points, at most {max} are allowed"));
        }
        if self.points.iter().flatten().any(|v| !v.is_finite()) {
            return Some("has a coordinate that is not a finite number".into());
        }
        if self.points.iter().flatten().any(|v| v.abs() > MAX_COORD) {
            return Some("has a coordinate beyond 1000000 px".into());
        }
        match self.kind {
            Kind::Rect | Kind::Ellipse => {
                let [a, b] = [self.points[0], self.points[1]];
                if a[0] == b[0] || a[1] == b[1] {
                    return Some("has zero width or height".into());
                }
            }
            Kind::Arrow | Kind::Ruler if self.points[0] == self.points[1] => {
                return Some("has both ends at the same place".into());
            }
            _ => {}
        }
        let note_chars = self.note.chars().count();
        if note_chars > MAX_NOTE_CHARS {
            return Some(format!(
                "has a note of {note_chars} characters, at most {MAX_NOTE_CHARS} are allowed"
            ));
        }
        if self.kind == Kind::Text && self.note.trim().is_empty() {
            return Some("is a text label with no text".into());
        }
        if let Some(c) = &self.color {
            if !is_hex_color(c) {
                return Some(format!(
                    "has the colour “{}”; colours are written #rrggbb",
                    shorten(c, 20)
                ));
            }
        }
        for (name, t) in [("created", &self.created), ("modified", &self.modified)] {
            if t.as_ref()
                .is_some_and(|t| t.chars().count() > MAX_TIME_CHARS)
            {
                return Some(format!(
                    "has a {name} time longer than {MAX_TIME_CHARS} characters"
                ));
            }
        }
        None
    }
}

/// Checks every annotation of a list ([`Annotation::validate`]) and that no two share an id.
/// The error names the first bad one by its position (from 1), id and kind.
pub fn validate_all(list: &[Annotation]) -> Result<(), AnnotationError> {
    let mut seen = std::collections::HashMap::new();
    for (i, a) in list.iter().enumerate() {
        a.validate().map_err(|e| e.at(i + 1))?;
        if let Some(first) = seen.insert(a.id.as_str(), i + 1) {
            return Err(AnnotationError::Item {
                index: Some(i + 1),
                id: Some(a.id.clone()),
                kind: Some(a.kind),
                problem: format!("has the same id as annotation {first}"),
            });
        }
    }
    Ok(())
}

/// Reads a list of annotations in the product's own JSON form (an array of [`Annotation`]
/// objects), normalises ([`Annotation::normalise`]) and checks ([`validate_all`]) it. All or
/// nothing: one bad annotation refuses the whole list.
pub fn parse_list(text: &str) -> Result<Vec<Annotation>, AnnotationError> {
    let value =
        parse_json(text).map_err(|(line, column)| AnnotationError::NotJson { line, column })?;
    list_from_value(&value)
}

/// Like [`parse_list`], from JSON already parsed.
pub fn list_from_value(value: &Value) -> Result<Vec<Annotation>, AnnotationError> {
    let items = value.as_array().ok_or_else(|| {
        AnnotationError::NotAnnotations("This is not a list of annotations.".into())
    })?;
    let mut list = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let mut a = Annotation::deserialize(item).map_err(|e| AnnotationError::Item {
            index: Some(i + 1),
            id: item.get("id").and_then(Value::as_str).map(str::to_owned),
            kind: item
                .get("kind")
                .and_then(Value::as_str)
                .and_then(Kind::from_name),
            problem: format!("is not valid: {e}"),
        })?;
        a.normalise();
        list.push(a);
    }
    validate_all(&list)?;
    Ok(list)
}

/// The names of the two photos, written as each W3C annotation's `target.source`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhotoSources {
    /// The BEFORE photo's name (a file name, or any IRI the page uses for it).
    pub before: String,
    /// The AFTER photo's name.
    pub after: String,
}

impl PhotoSources {
    /// Two photo names.
    pub fn new(before: impl Into<String>, after: impl Into<String>) -> PhotoSources {
        PhotoSources {
            before: before.into(),
            after: after.into(),
        }
    }

    /// The `target.source` written for BEFORE and AFTER: the names themselves, or, when the
    /// two names are equal, the name with `#before` and `#after` appended so that the two
    /// photos stay apart (and read back to the right one).
    pub fn targets(&self) -> (String, String) {
        if self.before == self.after {
            (
                format!("{}#before", self.before),
                format!("{}#after", self.after),
            )
        } else {
            (self.before.clone(), self.after.clone())
        }
    }

    /// Which photo a `target.source` names: AFTER's target, BEFORE's target, or the literal
    /// `"before"` / `"after"`.
    pub fn photo_of(&self, source: &str) -> Option<Photo> {
        let (before, after) = self.targets();
        if source == after {
            Some(Photo::After)
        } else if source == before {
            Some(Photo::Before)
        } else {
            match source {
                "before" => Some(Photo::Before),
                "after" => Some(Photo::After),
                _ => None,
            }
        }
    }
}

/// Writes annotations as a JSON array of W3C Web Annotations (JSON-LD), one per annotation:
///
/// ```json
/// {"@context": "http://www.w3.org/ns/anno.jsonld", "id": "urn:scalp-compare:annotation:a1",
///  "type": "Annotation", "motivation": "commenting",
///  "created": "…", "modified": "…",
///  "body": {"type": "TextualBody", "value": "note", "format": "text/plain", "purpose": "commenting"},
///  "target": {"source": "before.jpg", "selector": {…}}}
/// ```
///
/// `motivation` is `"highlighting"` and `body` is left out when the note is empty;
/// `created`/`modified` only when set. A rect's selector is a media-fragments
/// `FragmentSelector` (`"xywh=pixel:x,y,w,h"`); with a colour, the selector is an array of that
/// `FragmentSelector` followed by an equivalent `SvgSelector` `<rect>` carrying the colour
/// (W3C: alternative selectors of one region). Every other kind is an `SvgSelector` holding
/// one element in an `<svg>` wrapper: `<ellipse cx cy rx ry/>`, `<polygon points/>`,
/// `<polyline points/>` (freehand), `<line class="arrow"|"ruler" x1 y1 x2 y2/>`,
/// `<circle class="pin"|"text" cx cy r="0"/>`, with `stroke="#rrggbb"` when coloured.
/// Numbers are written in their shortest decimal form; coordinates are taken to the
/// nearest 0.01 px. The annotations are expected to be valid; a colour that is not `#rrggbb`
/// is left out rather than written into the SVG.
pub fn to_w3c(annotations: &[Annotation], sources: &PhotoSources) -> Value {
    let (before, after) = sources.targets();
    Value::Array(
        annotations
            .iter()
            .map(|a| {
                let mut m = Map::new();
                m.insert("@context".into(), W3C_CONTEXT.into());
                m.insert("id".into(), format!("{W3C_ID_PREFIX}{}", a.id).into());
                m.insert("type".into(), "Annotation".into());
                let motivation = if a.note.is_empty() {
                    "highlighting"
                } else {
                    "commenting"
                };
                m.insert("motivation".into(), motivation.into());
                if let Some(t) = &a.created {
                    m.insert("created".into(), t.as_str().into());
                }
                if let Some(t) = &a.modified {
                    m.insert("modified".into(), t.as_str().into());
                }
                if !a.note.is_empty() {
                    m.insert(
                        "body".into(),
                        json!({"type": "TextualBody", "value": a.note,
                               "format": "text/plain", "purpose": "commenting"}),
                    );
                }
                let source = match a.photo {
                    Photo::Before => &before,
                    Photo::After => &after,
                };
                m.insert(
                    "target".into(),
                    json!({"source": source, "selector": selector(a)}),
                );
                Value::Object(m)
            })
            .collect(),
    )
}

/// The W3C selector of one annotation (see [`to_w3c`]).
fn selector(a: &Annotation) -> Value {
    let stroke = match &a.color {
        Some(c) if is_hex_color(c) => format!(" stroke=\"{}\"", c.to_ascii_lowercase()),
        _ => String::new(),
    };
    let h = |i: usize, axis: usize| a.points.get(i).map_or(0, |p| hundredths(p[axis]));
    let (x0, y0, x1, y1) = (h(0, 0), h(0, 1), h(1, 0), h(1, 1));
    let (left, top) = (x0.min(x1), y0.min(y1));
    let (width, height) = ((x1 - x0).abs(), (y1 - y0).abs());
    let element = match a.kind {
        Kind::Rect => {
            let fragment = json!({
                "type": "FragmentSelector",
                "conformsTo": MEDIA_FRAGMENTS,
                "value": format!("xywh=pixel:{},{},{},{}",
                    dec(left, 2), dec(top, 2), dec(width, 2), dec(height, 2)),
            });
            if stroke.is_empty() {
                return fragment;
            }
            let rect = format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{stroke}/>",
                dec(left, 2),
                dec(top, 2),
                dec(width, 2),
                dec(height, 2)
            );
            return json!([fragment, svg_selector(&rect)]);
        }
        Kind::Ellipse => format!(
            "<ellipse cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\"{stroke}/>",
            dec((x0 + x1) * 5, 3),
            dec((y0 + y1) * 5, 3),
            dec(width * 5, 3),
            dec(height * 5, 3)
        ),
        Kind::Polygon | Kind::Freehand => {
            let points: Vec<String> = a
                .points
                .iter()
                .map(|p| format!("{},{}", dec(hundredths(p[0]), 2), dec(hundredths(p[1]), 2)))
                .collect();
            let name = if a.kind == Kind::Polygon {
                "polygon"
            } else {
                "polyline"
            };
            format!("<{name} points=\"{}\"{stroke}/>", points.join(" "))
        }
        Kind::Arrow | Kind::Ruler => format!(
            "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"{stroke}/>",
            a.kind.name(),
            dec(x0, 2),
            dec(y0, 2),
            dec(x1, 2),
            dec(y1, 2)
        ),
        Kind::Pin | Kind::Text => format!(
            "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"0\"{stroke}/>",
            a.kind.name(),
            dec(x0, 2),
            dec(y0, 2)
        ),
    };
    svg_selector(&element)
}

fn svg_selector(element: &str) -> Value {
    json!({
        "type": "SvgSelector",
        "value": format!("<svg xmlns=\"http://www.w3.org/2000/svg\">{element}</svg>"),
    })
}

/// Reads W3C Web Annotations from text; see [`from_w3c`]. Text that is not JSON is refused
/// with the line and column where it stops making sense.
pub fn from_w3c_text(
    text: &str,
    sources: &PhotoSources,
) -> Result<Vec<Annotation>, AnnotationError> {
    let value =
        parse_json(text).map_err(|(line, column)| AnnotationError::NotJson { line, column })?;
    from_w3c(&value, sources)
}

/// Reads W3C Web Annotations into annotations, all or nothing: one unusable item refuses the
/// whole import, with a message naming it by position (from 1).
///
/// Accepted: an array of annotations, one annotation object, an `AnnotationPage`
/// (`{"type": "AnnotationPage", "items": [...]}`), or an `AnnotationCollection` whose
/// `first` page is embedded (a collection that continues on other pages is refused: they
/// cannot be fetched here). For each annotation:
///
/// - the note is `bodyValue`, or the first `TextualBody` in `body` (object or array) whose
///   `purpose` is absent, `"commenting"` or `"describing"`; other bodies (tags, links) are
///   ignored; no body means an empty note;
/// - `target` is an object or an array (its first entry is used); a target that is only an
///   IRI covers the whole photo and is refused; `target.source` must be BEFORE's or AFTER's
///   name as in [`PhotoSources::targets`], or the literal `"before"` / `"after"`;
/// - the selector (an object or array; an `SvgSelector` is preferred to a `FragmentSelector`)
///   is a media-fragments `xywh=x,y,w,h` or `xywh=pixel:x,y,w,h` (a rect; `percent:` is
///   refused, the photo's size being unknown here), or SVG with one `rect`, `ellipse`,
///   `circle` (class `pin` or `text`, else a pin when `r` is 0 and an ellipse otherwise),
///   `polygon`, `polyline` (freehand), `line` (an arrow, or a ruler with class `ruler`) or
///   `path` of straight lines (`M`, `L`, `H`, `V`, `Z`, absolute or relative: a polygon
///   when closed, else freehand); a `stroke="#rrggbb"` (or `#rgb`) becomes the colour;
/// - the id loses the `urn:scalp-compare:annotation:` prefix; a foreign id keeps the last
///   segment of its IRI with disallowed characters dropped, or becomes `w3c-<position>`;
///   repeated ids get `-2`, `-3`, … appended. `created` and `modified` are kept.
///
/// The annotations are then normalised and checked as in [`validate_all`].
pub fn from_w3c(value: &Value, sources: &PhotoSources) -> Result<Vec<Annotation>, AnnotationError> {
    let items = w3c_items(value)?;
    let mut taken = HashSet::new();
    let mut list = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let index = i + 1;
        let mut a = w3c_item(item, index, sources).map_err(|problem| AnnotationError::Item {
            index: Some(index),
            id: None,
            kind: None,
            problem,
        })?;
        a.id = unique_id(a.id, &mut taken);
        a.normalise();
        a.validate().map_err(|e| e.at(index))?;
        list.push(a);
    }
    Ok(list)
}

/// The `type` of a JSON-LD object as a list (it may be a string or an array of strings).
fn types(v: &Value) -> Vec<&str> {
    match v.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn w3c_items(value: &Value) -> Result<Vec<&Value>, AnnotationError> {
    if let Value::Array(items) = value {
        return Ok(items.iter().collect());
    }
    if !value.is_object() {
        return refuse("This file is not W3C Web Annotations.");
    }
    let t = types(value);
    if t.contains(&"AnnotationPage") {
        return page_items(value);
    }
    if t.contains(&"AnnotationCollection") {
        return match value.get("first") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(first @ Value::Object(_)) => {
                if first.get("next").is_some_and(|n| !n.is_null()) {
                    refuse("This annotation collection continues on other pages, which cannot be fetched here.")
                } else {
                    page_items(first)
                }
            }
            Some(_) => refuse(
                "This annotation collection keeps its annotations elsewhere, where they cannot be fetched from here.",
            ),
        };
    }
    if t.contains(&"Annotation") || (t.is_empty() && value.get("target").is_some()) {
        return Ok(vec![value]);
    }
    refuse("This file is not W3C Web Annotations.")
}

/// A refusal of the whole file, with a sentence saying why.
fn refuse<T>(text: &str) -> Result<T, AnnotationError> {
    Err(AnnotationError::NotAnnotations(text.to_owned()))
}

/// The `items` of an annotation page (none when absent).
fn page_items(page: &Value) -> Result<Vec<&Value>, AnnotationError> {
    match page.get("items") {
        Some(Value::Array(items)) => Ok(items.iter().collect()),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => refuse("This annotation page's items are not a list."),
    }
}

/// One W3C annotation, converted but not yet normalised or checked; the error is the
/// problem, to follow "annotation N".
fn w3c_item(item: &Value, index: usize, sources: &PhotoSources) -> Result<Annotation, String> {
    if !item.is_object() {
        return Err("is not an annotation object".into());
    }
    let t = types(item);
    if !t.is_empty() && !t.contains(&"Annotation") {
        return Err(format!("is a “{}”, not an Annotation", shorten(t[0], 40)));
    }
    let id = item
        .get("id")
        .and_then(Value::as_str)
        .and_then(id_from_iri)
        .unwrap_or_else(|| format!("w3c-{index}"));
    let note = note_of(item);
    let target = match item.get("target") {
        Some(Value::Array(list)) => list.first(),
        other => other,
    };
    let target = match target {
        None | Some(Value::Null) => return Err("has no target".into()),
        Some(Value::String(_)) => {
            return Err(
                "covers a whole photo; scalp-compare needs a selector that says where on the photo it is"
                    .into(),
            )
        }
        Some(t @ Value::Object(_)) => t,
        Some(_) => return Err("has a target that is not an object".into()),
    };
    let source = target
        .get("source")
        .and_then(Value::as_str)
        .ok_or("has no target source (the photo it is on)")?;
    let photo = sources.photo_of(source).ok_or_else(|| {
        let (before, after) = sources.targets();
        format!(
            "is on “{}”, which is neither of the loaded photos ({}, {})",
            shorten(source, 80),
            shorten(&before, 80),
            shorten(&after, 80)
        )
    })?;
    let selectors: Vec<&Value> = match target.get("selector") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(list)) => list.iter().collect(),
        Some(s) => vec![s],
    };
    if selectors.is_empty() {
        return Err(
            "covers a whole photo; scalp-compare needs a selector that says where on the photo it is"
                .into(),
        );
    }
    let of_type = |name: &str| selectors.iter().copied().find(|s| types(s).contains(&name));
    let shape = if let Some(s) = of_type("SvgSelector") {
        let svg = s
            .get("value")
            .and_then(Value::as_str)
            .ok_or("has an SvgSelector without its SVG")?;
        svg::parse(svg)?
    } else if let Some(s) = of_type("FragmentSelector") {
        let fragment = s
            .get("value")
            .and_then(Value::as_str)
            .ok_or("has a FragmentSelector without a value")?;
        svg::Shape {
            kind: Kind::Rect,
            points: fragment_rect(fragment)?,
            color: None,
        }
    } else {
        let name = types(selectors[0]).first().copied().unwrap_or("untyped");
        return Err(format!(
            "uses a {} selector, which scalp-compare cannot read",
            shorten(name, 40)
        ));
    };
    let time = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
    Ok(Annotation {
        id,
        kind: shape.kind,
        photo,
        points: shape.points,
        note,
        color: shape.color,
        created: time("created"),
        modified: time("modified"),
    })
}

/// The note of a W3C annotation: `bodyValue`, or the first commenting/describing
/// `TextualBody`, or empty.
fn note_of(item: &Value) -> String {
    if let Some(Value::String(s)) = item.get("bodyValue") {
        return s.clone();
    }
    let textual = |b: &&Value| {
        let t = types(b);
        let purpose = b.get("purpose").map(Value::as_str);
        (t.is_empty() || t.contains(&"TextualBody"))
            && matches!(
                purpose,
                None | Some(Some("commenting")) | Some(Some("describing"))
            )
            && b.get("value").is_some_and(Value::is_string)
    };
    let body = match item.get("body") {
        Some(Value::Array(list)) => list.iter().find(textual),
        Some(b @ Value::Object(_)) => Some(b).filter(textual),
        _ => None,
    };
    body.and_then(|b| b.get("value"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The two corners of a media-fragments `xywh=` rectangle, in pixels.
fn fragment_rect(fragment: &str) -> Result<Vec<[f64; 2]>, String> {
    let spec = fragment
        .trim_start_matches('#')
        .split('&')
        .find_map(|part| part.trim().strip_prefix("xywh="))
        .ok_or(
            "has a FragmentSelector without xywh=, so it does not say where on the photo it is",
        )?;
    let spec = if let Some(rest) = spec.strip_prefix("pixel:") {
        rest
    } else if spec.starts_with("percent:") {
        return Err("gives its area in percent of the photo; scalp-compare needs pixels".into());
    } else {
        spec
    };
    let numbers: Vec<f64> = spec
        .split(',')
        .map(|s| s.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
        .collect::<Option<_>>()
        .filter(|v: &Vec<f64>| v.len() == 4)
        .ok_or_else(|| {
            format!(
                "has a FragmentSelector “{}” that is not xywh=x,y,w,h",
                shorten(fragment, 60)
            )
        })?;
    let [x, y, w, h] = [numbers[0], numbers[1], numbers[2], numbers[3]];
    if w < 0.0 || h < 0.0 {
        return Err("has a FragmentSelector with a negative width or height".into());
    }
    Ok(vec![[x, y], [x + w, y + h]])
}

/// An internal id from a W3C `id`: ours without its prefix, or the last segment of a
/// foreign IRI with disallowed characters dropped; `None` when nothing usable is left.
fn id_from_iri(iri: &str) -> Option<String> {
    let raw = match iri.strip_prefix(W3C_ID_PREFIX) {
        Some(ours) => ours,
        None => iri.rsplit(['/', '#']).find(|s| !s.is_empty()).unwrap_or(""),
    };
    let id: String = raw
        .chars()
        .filter(|&c| is_id_char(c))
        .take(MAX_ID_CHARS)
        .collect();
    (!id.is_empty()).then_some(id)
}

/// `id`, or `id-2`, `id-3`, … if it is taken; the result is recorded as taken.
fn unique_id(id: String, taken: &mut HashSet<String>) -> String {
    if taken.insert(id.clone()) {
        return id;
    }
    (2..)
        .map(|k| {
            let suffix = format!("-{k}");
            let base: String = id.chars().take(MAX_ID_CHARS - suffix.len()).collect();
            base + &suffix
        })
        .find(|candidate| taken.insert(candidate.clone()))
        .unwrap_or(id)
}

/// Why annotations cannot be read or used. The `Display` text is meant for the person who
/// chose the file, as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum AnnotationError {
    /// The text is not JSON; where it stops making sense (both from 1).
    NotJson {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
    },
    /// The JSON is not annotations at all; the text is a whole sentence.
    NotAnnotations(String),
    /// One annotation is unusable. Displayed as
    /// `annotation 3 ("a7", rect) needs 2 points, it has 1`.
    Item {
        /// Its position in the list, from 1, when it is in one.
        index: Option<usize>,
        /// Its id, when known.
        id: Option<String>,
        /// Its kind, when known.
        kind: Option<Kind>,
        /// What is wrong, to follow the annotation's name.
        problem: String,
    },
}

impl AnnotationError {
    /// The same error, placed at position `index` (from 1) of a list.
    pub fn at(self, index: usize) -> AnnotationError {
        match self {
            AnnotationError::Item {
                id, kind, problem, ..
            } => AnnotationError::Item {
                index: Some(index),
                id,
                kind,
                problem,
            },
            other => other,
        }
    }
}

impl fmt::Display for AnnotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnnotationError::NotJson { line, column } => {
                write!(
                    f,
                    "This file is not valid JSON (line {line}, column {column})."
                )
            }
            AnnotationError::NotAnnotations(text) => f.write_str(text),
            AnnotationError::Item {
                index,
                id,
                kind,
                problem,
            } => {
                f.write_str("annotation")?;
                if let Some(i) = index {
                    write!(f, " {i}")?;
                }
                let id = id.as_deref().map(|id| format!("{:?}", shorten(id, 40)));
                match (id, kind) {
                    (Some(id), Some(kind)) => write!(f, " ({id}, {kind})")?,
                    (Some(id), None) => write!(f, " ({id})")?,
                    (None, Some(kind)) => write!(f, " ({kind})")?,
                    (None, None) => {}
                }
                write!(f, " {problem}")
            }
        }
    }
}

impl std::error::Error for AnnotationError {}

/// Parses JSON text (a leading byte-order mark is allowed); on failure, the line and column
/// (from 1) where it broke.
pub(crate) fn parse_json(text: &str) -> Result<Value, (usize, usize)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| (e.line().max(1), e.column().max(1)))
}

/// `v` rounded to 0.01, with -0 made 0.
fn round2(v: f64) -> f64 {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// `v` in hundredths, rounded (saturating; coordinates are at most 1e6 in valid input).
fn hundredths(v: f64) -> i64 {
    (v * 100.0).round() as i64
}

/// `n / 10^digits` in its shortest decimal form: `dec(2050, 2)` is `"20.5"`.
fn dec(n: i64, digits: u32) -> String {
    let scale = 10i64.pow(digits);
    let sign = if n < 0 { "-" } else { "" };
    let (whole, frac) = (
        n.unsigned_abs() / scale as u64,
        n.unsigned_abs() % scale as u64,
    );
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{frac:0width$}", width = digits as usize);
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-')
}

/// `#rrggbb`, either case.
fn is_hex_color(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// `s` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        s.chars().take(max).chain(['…']).collect()
    }
}

/// A reader for the few SVG shapes an annotation can be: it finds one shape element (in an
/// optional `<svg>` or `<g>` wrapper) and takes its numbers, nothing else. Markup is never
/// kept or interpreted.
mod svg {
    use super::Kind;

    /// A shape read from SVG, in the pixels of its photo.
    pub(super) struct Shape {
        pub kind: Kind,
        pub points: Vec<[f64; 2]>,
        pub color: Option<String>,
    }

    struct Tag<'a> {
        name: &'a str,
        closing: bool,
        attrs: Vec<(&'a str, &'a str)>,
    }

    impl<'a> Tag<'a> {
        fn attr(&self, name: &str) -> Option<&'a str> {
            self.attrs.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
        }

        fn has_class(&self, class: &str) -> bool {
            self.attr("class")
                .is_some_and(|c| c.split_whitespace().any(|c| c == class))
        }

        /// A length attribute (a number, optionally with `px`), or `default` when absent.
        fn number(&self, name: &str, default: Option<f64>) -> Result<f64, String> {
            let Some(raw) = self.attr(name) else {
                return default
                    .ok_or_else(|| format!("has an SVG <{}> without its {name}", self.name));
            };
            let text = raw.trim();
            let text = text.strip_suffix("px").unwrap_or(text);
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "has an SVG {name}=“{}” that is not a number of pixels",
                        super::shorten(raw, 20)
                    )
                })
        }

        fn size(&self, name: &str) -> Result<f64, String> {
            let v = self.number(name, None)?;
            if v < 0.0 {
                return Err(format!("has an SVG <{}> with a negative {name}", self.name));
            }
            Ok(v)
        }
    }

    /// Splits SVG text into tags, refusing text content, DOCTYPEs and malformed tags.
    fn tags(s: &str) -> Result<Vec<Tag<'_>>, String> {
        let b = s.as_bytes();
        let bad = || "has an SvgSelector whose SVG is malformed".to_string();
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i == b.len() {
                return Ok(out);
            }
            if b[i] != b'<' {
                // Text content: reported in document order, after any element before it.
                out.push(Tag {
                    name: "#text",
                    closing: false,
                    attrs: Vec::new(),
                });
                return Ok(out);
            }
            let rest = &s[i..];
            if let Some((_, close)) = [("<!--", "-->"), ("<?", "?>")]
                .into_iter()
                .find(|(open, _)| rest.starts_with(open))
            {
                i += rest.find(close).ok_or_else(bad)? + close.len();
                continue;
            }
            i += 1;
            let closing = b.get(i) == Some(&b'/');
            if closing {
                i += 1;
            }
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_:.-".contains(&b[i])) {
                i += 1;
            }
            if start == i {
                return Err(bad());
            }
            let full = &s[start..i];
            let name = full.rsplit(':').next().unwrap_or(full);
            let mut attrs = Vec::new();
            loop {
                let before = i;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                match b.get(i) {
                    None => return Err(bad()),
                    Some(b'>') => {
                        i += 1;
                        break;
                    }
                    Some(b'/') if b.get(i + 1) == Some(&b'>') && !closing => {
                        i += 2;
                        break;
                    }
                    _ if closing || before == i => return Err(bad()),
                    _ => {}
                }
                let a = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_:.-".contains(&b[i])) {
                    i += 1;
                }
                let attr = &s[a..i];
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                if attr.is_empty() || b.get(i) != Some(&b'=') {
                    return Err(bad());
                }
                i += 1;
                while i < b.len() && b[i].is_ascii_whitespace() {
                    i += 1;
                }
                let quote = match b.get(i) {
                    Some(&q @ (b'"' | b'\'')) => q,
                    _ => return Err(bad()),
                };
                let v = i + 1;
                let len = b[v..].iter().position(|&c| c == quote).ok_or_else(bad)?;
                attrs.push((attr, &s[v..v + len]));
                i = v + len + 1;
            }
            out.push(Tag {
                name,
                closing,
                attrs,
            });
        }
    }

    /// The one shape in `svg`.
    pub(super) fn parse(svg: &str) -> Result<Shape, String> {
        let mut shape: Option<Tag> = None;
        for tag in tags(svg)? {
            match tag.name {
                "svg" | "g" => {}
                "#text" => {
                    return Err("has text in its SVG, which scalp-compare cannot read".into())
                }
                "rect" | "ellipse" | "circle" | "polygon" | "polyline" | "line" | "path" => {
                    if tag.closing {
                        continue;
                    }
                    if shape.is_some() {
                        return Err(
                            "has more than one SVG shape; scalp-compare reads one shape per annotation"
                                .into(),
                        );
                    }
                    shape = Some(tag);
                    continue;
                }
                other => {
                    return Err(format!(
                        "has an SVG <{}> element, which scalp-compare cannot read",
                        super::shorten(other, 24)
                    ))
                }
            }
            if !tag.closing && tag.attr("transform").is_some() {
                return Err("uses an SVG transform, which scalp-compare cannot apply".into());
            }
        }
        let tag = shape.ok_or("has an SvgSelector with no shape in it")?;
        if tag.attr("transform").is_some() {
            return Err("uses an SVG transform, which scalp-compare cannot apply".into());
        }
        let color = tag.attr("stroke").and_then(|c| {
            let c = c.trim().to_ascii_lowercase();
            if super::is_hex_color(&c) {
                Some(c)
            } else if c.len() == 4 && super::is_hex_color(&format!("{c}000")) {
                Some(c.chars().flat_map(|d| [d, d]).skip(1).collect())
            } else {
                None
            }
        });
        let (kind, points) = match tag.name {
            "rect" => {
                let (x, y) = (tag.number("x", Some(0.0))?, tag.number("y", Some(0.0))?);
                let (w, h) = (tag.size("width")?, tag.size("height")?);
                (Kind::Rect, vec![[x, y], [x + w, y + h]])
            }
            "ellipse" | "circle" => {
                let (cx, cy) = (tag.number("cx", Some(0.0))?, tag.number("cy", Some(0.0))?);
                let (rx, ry) = if tag.name == "ellipse" {
                    (tag.size("rx")?, tag.size("ry")?)
                } else {
                    let r = if tag.attr("r").is_some() {
                        tag.size("r")?
                    } else {
                        0.0
                    };
                    (r, r)
                };
                if tag.name == "circle" && tag.has_class("text") {
                    (Kind::Text, vec![[cx, cy]])
                } else if tag.name == "circle" && (tag.has_class("pin") || rx == 0.0) {
                    (Kind::Pin, vec![[cx, cy]])
                } else {
                    (Kind::Ellipse, vec![[cx - rx, cy - ry], [cx + rx, cy + ry]])
                }
            }
            "polygon" | "polyline" => {
                let raw = tag
                    .attr("points")
                    .ok_or_else(|| format!("has an SVG <{}> without its points", tag.name))?;
                let kind = if tag.name == "polygon" {
                    Kind::Polygon
                } else {
                    Kind::Freehand
                };
                (kind, points(raw)?)
            }
            "line" => {
                let kind = if tag.has_class("ruler") {
                    Kind::Ruler
                } else {
                    Kind::Arrow
                };
                let mut p = [0.0; 4];
                for (v, name) in p.iter_mut().zip(["x1", "y1", "x2", "y2"]) {
                    *v = tag.number(name, Some(0.0))?;
                }
                (kind, vec![[p[0], p[1]], [p[2], p[3]]])
            }
            _ => {
                let d = tag.attr("d").ok_or("has an SVG <path> without its d")?;
                let (points, closed) = path(d)?;
                let kind = if closed {
                    Kind::Polygon
                } else {
                    Kind::Freehand
                };
                (kind, points)
            }
        };
        Ok(Shape {
            kind,
            points,
            color,
        })
    }

    /// Reads one SVG number at `*i` (after skipping white space and one comma), or `None`
    /// when there is no number there.
    fn number(b: &[u8], i: &mut usize) -> Option<f64> {
        skip_separators(b, i);
        let start = *i;
        let mut j = *i;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let digits = |j: &mut usize| {
            let s = *j;
            while b.get(*j).is_some_and(u8::is_ascii_digit) {
                *j += 1;
            }
            *j - s
        };
        let mut n = digits(&mut j);
        if b.get(j) == Some(&b'.') {
            j += 1;
            n += digits(&mut j);
        }
        if n == 0 {
            return None;
        }
        if matches!(b.get(j), Some(b'e' | b'E')) {
            let mut k = j + 1;
            if matches!(b.get(k), Some(b'+' | b'-')) {
                k += 1;
            }
            if digits(&mut k) > 0 {
                j = k;
            }
        }
        let v = std::str::from_utf8(&b[start..j])
            .ok()?
            .parse::<f64>()
            .ok()?;
        *i = j;
        v.is_finite().then_some(v)
    }

    fn skip_separators(b: &[u8], i: &mut usize) {
        while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
        if b.get(*i) == Some(&b',') {
            *i += 1;
            while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
                *i += 1;
            }
        }
    }

    /// An SVG `points` list: `x,y x,y …` (any mix of commas and white space).
    fn points(raw: &str) -> Result<Vec<[f64; 2]>, String> {
        let b = raw.as_bytes();
        let mut i = 0;
        let mut out = Vec::new();
        loop {
            skip_separators(b, &mut i);
            if i == b.len() {
                return Ok(out);
            }
            match (number(b, &mut i), number(b, &mut i)) {
                (Some(x), Some(y)) => out.push([x, y]),
                _ => return Err("has SVG points that are not pairs of numbers".into()),
            }
        }
    }

    /// An SVG path of straight lines (`M L H V Z`, absolute or relative, one subpath): its
    /// points and whether it is closed. A closing point equal to the first is dropped.
    fn path(d: &str) -> Result<(Vec<[f64; 2]>, bool), String> {
        let b = d.as_bytes();
        let mut i = 0;
        let mut out: Vec<[f64; 2]> = Vec::new();
        let mut command: Option<u8> = None;
        let mut closed = false;
        let mut current = [0.0, 0.0];
        loop {
            skip_separators(b, &mut i);
            let Some(&c) = b.get(i) else { break };
            if closed {
                return Err(
                    "has an SVG path that goes on after it is closed; scalp-compare reads one shape per annotation"
                        .into(),
                );
            }
            if c.is_ascii_alphabetic() {
                i += 1;
                match c {
                    b'Z' | b'z' if !out.is_empty() => closed = true,
                    b'M' | b'm' if !out.is_empty() => {
                        return Err(
                            "has an SVG path of several parts; scalp-compare reads one shape per annotation"
                                .into(),
                        )
                    }
                    b'M' | b'm' => command = Some(c),
                    b'L' | b'l' | b'H' | b'h' | b'V' | b'v' if !out.is_empty() => {
                        command = Some(c)
                    }
                    b'Z' | b'z' | b'L' | b'l' | b'H' | b'h' | b'V' | b'v' => {
                        return Err("has an SVG path that does not start with M".into())
                    }
                    _ => {
                        return Err(format!(
                            "has an SVG path with a {} command; scalp-compare reads paths of straight lines (M, L, H, V, Z) only",
                            char::from(c)
                        ))
                    }
                }
                continue;
            }
            let Some(cmd) = command else {
                return Err("has an SVG path that does not start with M".into());
            };
            let relative = cmd.is_ascii_lowercase();
            let base = if relative { current } else { [0.0, 0.0] };
            let bad = || "has an SVG path whose numbers do not fit its commands".to_string();
            let p = match cmd.to_ascii_uppercase() {
                b'H' => [base[0] + number(b, &mut i).ok_or_else(bad)?, current[1]],
                b'V' => [current[0], base[1] + number(b, &mut i).ok_or_else(bad)?],
                _ => {
                    let x = number(b, &mut i).ok_or_else(bad)?;
                    let y = number(b, &mut i).ok_or_else(bad)?;
                    [base[0] + x, base[1] + y]
                }
            };
            out.push(p);
            current = p;
            // Coordinates after a moveto are implicit linetos.
            command = match cmd {
                b'M' => Some(b'L'),
                b'm' => Some(b'l'),
                other => Some(other),
            };
        }
        if closed && out.len() > 1 && out.first() == out.last() {
            out.pop();
        }
        Ok((out, closed))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn numbers_follow_svg_grammar() {
            assert_eq!(
                points("10,20 30.5 -4e1,.5-1").unwrap(),
                vec![[10.0, 20.0], [30.5, -40.0], [0.5, -1.0]]
            );
            assert!(points("1,2 3").is_err());
            assert!(points("1,x").is_err());
        }

        #[test]
        fn paths_of_straight_lines() {
            let (p, closed) = path("M10 10 L 20 10 L 20 20 Z").unwrap();
            assert!(closed);
            assert_eq!(p, vec![[10.0, 10.0], [20.0, 10.0], [20.0, 20.0]]);
            let (p, closed) = path("m5,5 10,0 h5 v-5 l-1-1").unwrap();
            assert!(!closed);
            assert_eq!(
                p,
                vec![
                    [5.0, 5.0],
                    [15.0, 5.0],
                    [20.0, 5.0],
                    [20.0, 0.0],
                    [19.0, -1.0]
                ]
            );
            let (p, closed) = path("M0 0L10 0L10 10L0 0z").unwrap();
            assert!(closed);
            assert_eq!(p.len(), 3);
            assert!(path("M0 0 C 1 1 2 2 3 3")
                .unwrap_err()
                .contains("C command"));
            assert!(path("M0 0 L1 1 M 5 5 L 6 6").is_err());
            assert!(path("L1 1").is_err());
            assert!(path("M0 0 L1").is_err());
            assert!(path("M0 0 L1 1 Z L 2 2").is_err());
        }

        #[test]
        fn tags_tolerate_quotes_order_wrappers_and_comments() {
            let s = parse(
                "<?xml version='1.0'?><!-- x --><svg:svg xmlns:svg='http://www.w3.org/2000/svg' width=\"10\">\n\
                 <g><polygon fill = 'none' points = '1,1 5,1 5,5' stroke='#F80'></polygon></g></svg:svg>",
            )
            .unwrap();
            assert_eq!(s.kind, Kind::Polygon);
            assert_eq!(s.points.len(), 3);
            assert_eq!(s.color.as_deref(), Some("#ff8800"));
        }

        #[test]
        fn refuses_what_it_cannot_read() {
            for (svg, says) in [
                ("<svg><text x='1'>hi</text></svg>", "<text>"),
                ("<svg><circle r='1'/><circle r='2'/></svg>", "more than one"),
                ("<svg></svg>", "no shape"),
                (
                    "<svg><rect width='1' height='1' transform='scale(2)'/></svg>",
                    "transform",
                ),
                (
                    "<svg><g transform='scale(2)'><rect width='1' height='1'/></g></svg>",
                    "transform",
                ),
                ("<svg><rect width=1 height=1/></svg>", "malformed"),
                ("<svg><rect width='1' height='1'", "malformed"),
                ("<svg><rect width='-1' height='1'/></svg>", "negative"),
                ("<svg><rect width='50%' height='1'/></svg>", "not a number"),
                ("<svg><polygon/></svg>", "without its points"),
                ("<svg><script>alert(1)</script></svg>", "<script>"),
                ("<svg><circle r='1'/>text</svg>", "text in its SVG"),
            ] {
                let e = parse(svg).err().unwrap_or_else(|| panic!("accepted {svg}"));
                assert!(e.contains(says), "{svg}: {e}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann(id: &str, kind: Kind, points: &[[f64; 2]]) -> Annotation {
        Annotation {
            id: id.into(),
            kind,
            photo: Photo::Before,
            points: points.to_vec(),
            note: String::new(),
            color: None,
            created: None,
            modified: None,
        }
    }

    fn sources() -> PhotoSources {
        PhotoSources::new("a.jpg", "b.jpg")
    }

    #[test]
    fn decimals_are_shortest() {
        assert_eq!(dec(2050, 2), "20.5");
        assert_eq!(dec(1000, 2), "10");
        assert_eq!(dec(-5, 2), "-0.05");
        assert_eq!(dec(12345, 3), "12.345");
        assert_eq!(dec(0, 3), "0");
        assert_eq!(round2(-0.001), 0.0);
        assert!(round2(-0.001).is_sign_positive());
        assert_eq!(round2(10.256), 10.26);
    }

    #[test]
    fn normalise_rounds_and_orders_corners() {
        let mut a = ann("r", Kind::Rect, &[[40.004, 10.0], [10.0, 30.126]]);
        a.color = Some("#FF0000".into());
        a.normalise();
        assert_eq!(a.points, vec![[10.0, 10.0], [40.0, 30.13]]);
        assert_eq!(a.color.as_deref(), Some("#ff0000"));
    }

    #[test]
    fn validation_messages_name_the_item() {
        let list = vec![
            ann("a1", Kind::Pin, &[[1.0, 1.0]]),
            ann("a2", Kind::Pin, &[[1.0, 1.0]]),
            ann("a7", Kind::Rect, &[[1.0, 1.0]]),
        ];
        assert_eq!(
            validate_all(&list).unwrap_err().to_string(),
            "annotation 3 (\"a7\", rect) needs 2 points, it has 1"
        );
        let dup = vec![list[0].clone(), list[0].clone()];
        assert_eq!(
            validate_all(&dup).unwrap_err().to_string(),
            "annotation 2 (\"a1\", pin) has the same id as annotation 1"
        );
    }

    #[test]
    fn validation_rules() {
        let ok = |a: &Annotation| a.validate().is_ok();
        assert!(ok(&ann("a-1_x.y:z", Kind::Pin, &[[0.0, 0.0]])));
        assert!(!ok(&ann("", Kind::Pin, &[[0.0, 0.0]])));
        assert!(!ok(&ann("a b", Kind::Pin, &[[0.0, 0.0]])));
        assert!(!ok(&ann(&"x".repeat(65), Kind::Pin, &[[0.0, 0.0]])));
        assert!(ok(&ann(&"x".repeat(64), Kind::Pin, &[[0.0, 0.0]])));
        assert!(!ok(&ann("p", Kind::Polygon, &[[0.0, 0.0], [1.0, 0.0]])));
        assert!(!ok(&ann("f", Kind::Freehand, &[[0.0, 0.0]])));
        assert!(!ok(&ann(
            "f",
            Kind::Freehand,
            &vec![[0.0, 0.0]; MAX_POINTS + 1]
        )));
        assert!(!ok(&ann("p", Kind::Pin, &[[f64::NAN, 0.0]])));
        assert!(!ok(&ann("p", Kind::Pin, &[[1e6 + 1.0, 0.0]])));
        assert!(!ok(&ann("r", Kind::Rect, &[[0.0, 0.0], [0.0, 5.0]])));
        assert!(!ok(&ann("e", Kind::Ellipse, &[[0.0, 5.0], [3.0, 5.0]])));
        assert!(!ok(&ann("l", Kind::Ruler, &[[2.0, 2.0], [2.0, 2.0]])));
        assert!(!ok(&ann("l", Kind::Arrow, &[[2.0, 2.0], [2.0, 2.0]])));
        let mut t = ann("t", Kind::Text, &[[0.0, 0.0]]);
        t.note = "  ".into();
        assert!(!ok(&t));
        t.note = "é".repeat(MAX_NOTE_CHARS);
        assert!(ok(&t), "notes are counted in characters, not bytes");
        t.note.push('x');
        assert!(!ok(&t));
        let mut c = ann("c", Kind::Pin, &[[0.0, 0.0]]);
        c.color = Some("red".into());
        assert!(!ok(&c));
        c.color = Some("#12abEF".into());
        assert!(ok(&c));
    }

    #[test]
    fn internal_list_refuses_unknown_fields_and_names_the_item() {
        let e = parse_list(r#"[{"id":"a","kind":"pin","photo":"after","points":[[1,2]],"x":1}]"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("annotation 1 (\"a\", pin) is not valid: unknown field `x`"),
            "{e}"
        );
        let e = parse_list("[{]").unwrap_err().to_string();
        assert_eq!(e, "This file is not valid JSON (line 1, column 3).");
    }

    #[test]
    fn export_shapes() {
        let mut e = ann("e", Kind::Ellipse, &[[10.1, 20.0], [20.2, 30.0]]);
        e.color = Some("#00ff00".into());
        let mut r = ann("r", Kind::Rect, &[[10.0, 20.5], [40.0, 60.5]]);
        r.note = "n".into();
        let w = to_w3c(&[e, r], &sources());
        assert_eq!(
            w[0]["target"]["selector"]["value"],
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><ellipse cx=\"15.15\" cy=\"25\" rx=\"5.05\" ry=\"5\" stroke=\"#00ff00\"/></svg>"
        );
        assert_eq!(w[0]["motivation"], "highlighting");
        assert!(w[0].get("body").is_none());
        assert_eq!(
            w[1]["target"]["selector"]["value"],
            "xywh=pixel:10,20.5,30,40"
        );
        assert_eq!(w[1]["motivation"], "commenting");
        assert_eq!(w[1]["body"]["value"], "n");
        assert_eq!(w[1]["id"], "urn:scalp-compare:annotation:r");
    }

    #[test]
    fn equal_photo_names_stay_apart() {
        let s = PhotoSources::new("scalp.jpg", "scalp.jpg");
        let mut a = ann("x", Kind::Pin, &[[1.0, 1.0]]);
        a.photo = Photo::After;
        let w = to_w3c(std::slice::from_ref(&a), &s);
        assert_eq!(w[0]["target"]["source"], "scalp.jpg#after");
        assert_eq!(from_w3c(&w, &s).unwrap(), vec![a]);
    }

    #[test]
    fn foreign_ids() {
        assert_eq!(
            id_from_iri("urn:scalp-compare:annotation:a1").as_deref(),
            Some("a1")
        );
        assert_eq!(
            id_from_iri("#a88b22d0-6106-4872").as_deref(),
            Some("a88b22d0-6106-4872")
        );
        assert_eq!(id_from_iri("https://x.org/anno/12/").as_deref(), Some("12"));
        assert_eq!(id_from_iri("https://x.org/an no/é").as_deref(), None);
        let mut taken = HashSet::new();
        assert_eq!(unique_id("a".into(), &mut taken), "a");
        assert_eq!(unique_id("a".into(), &mut taken), "a-2");
        assert_eq!(unique_id("a".into(), &mut taken), "a-3");
        let long = "y".repeat(64);
        assert_eq!(unique_id(long.clone(), &mut taken), long);
        assert_eq!(unique_id(long, &mut taken).chars().count(), 64);
    }

    #[test]
    fn fragments() {
        assert_eq!(
            fragment_rect("xywh=pixel:10.5,20,30,40").unwrap(),
            vec![[10.5, 20.0], [40.5, 60.0]]
        );
        assert_eq!(
            fragment_rect("#t=1&xywh=1,2,3,4").unwrap(),
            vec![[1.0, 2.0], [4.0, 6.0]]
        );
        assert!(fragment_rect("xywh=percent:1,2,3,4")
            .unwrap_err()
            .contains("percent"));
        assert!(fragment_rect("xywh=1,2,3").is_err());
        assert!(fragment_rect("t=10").is_err());
        assert!(fragment_rect("xywh=1,2,-3,4").is_err());
    }

    #[test]
    fn bodies() {
        let item = json!({"body": [
            {"type": "TextualBody", "value": "tag", "purpose": "tagging"},
            {"type": "SpecificResource", "source": "http://x"},
            {"type": "TextualBody", "value": "<b>hi</b>", "purpose": "describing"}]});
        assert_eq!(note_of(&item), "<b>hi</b>");
        assert_eq!(note_of(&json!({"bodyValue": "v"})), "v");
        assert_eq!(note_of(&json!({"body": "http://x"})), "");
        assert_eq!(note_of(&json!({"body": {"value": "plain"}})), "plain");
    }
}
