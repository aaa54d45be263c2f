//! A comparison saved as a document: the two photos it is about, the alignment, the scalp
//! region, the annotations, the stored analysis and the view, as versioned JSON.
//!
//! [`Session::from_json`] reads a session file and [`Session::to_json`] writes one. They do not
//! hold the photos themselves, only what identifies them ([`PhotoMeta`]);
//! [`Session::check_photos`] says whether the loaded photos are the session's. [`Import::read`]
//! tells a session file from a W3C Web Annotation file, for a page with one "Open" button.
//!
//! # Format, version 1
//!
//! ```json
//! {"format": "scalp-compare-session", "version": 1, "saved_at": "2026-11-27T06:00:00.000Z",
//!  "photos": {"before": {"name": "before.jpg", "width": 4000, "height": 3000,
//!                        "bytes": 2811904, "checksum": "1a2b3c4d", "date": "2026-05-01",
//!                        "calibration": {"points": [[10, 10], [110, 10]], "mm": 10}},
//!             "after": null},
//!  "alignment": {"matrix": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "model": "similarity",
//!                "confidence": 0.92, "source": "auto", "locked": false},
//!  "region": [[100, 100], [900, 100], [500, 800]],
//!  "annotations": [],
//!  "analysis": {"any": "object"},
//!  "view": {"value": 50}}
//! ```
//!
//! `saved_at` and `view` may be left out; every other field except `format` and `version`
//! may be left out or `null` too and reads as empty. Inside `photos.*`, `bytes`, `checksum`,
//! `date` and `calibration` may be left out; inside `alignment`, `confidence`. The matrix maps
//! AFTER pixels to BEFORE pixels; the region is in BEFORE pixels; each annotation is in the
//! pixels of its own photo (see [`crate::annotation`]). `analysis` is kept as it is.
//!
//! Fields that version 1 does not define are refused, so that a typo is not silently lost —
//! except top-level fields whose names start with `x-`, which are extensions: this version
//! ignores them and does not write them back.
//!
//! # Versions
//!
//! `version` is a whole number that grows when the format changes in a way that an older
//! reader would misread. A file of a newer version is refused with a message asking for an
//! update. Reading goes: JSON → check `format` → check `version` → [`migrate`] (which brings
//! an older document up to [`VERSION`] one step at a time, as JSON) → typed reading of the
//! current version → [`Session::validate`]. Version 2 will add a `1 => v1_to_v2(doc)` step
//! there, and version 1 files will keep opening.

use crate::annotation::{
    self, parse_json, shorten, Annotation, AnnotationError, Photo, PhotoSources,
};
use crate::geometry::{Model, Transform};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use std::fmt;

/// The value of a session file's `format` field.
pub const FORMAT: &str = "scalp-compare-session";

/// The format version this build writes, and the newest it reads.
pub const VERSION: u64 = 1;

/// The longest photo name, in characters.
pub const MAX_NAME_CHARS: usize = 512;

/// The most points a region may have.
pub const MAX_REGION_POINTS: usize = 100_000;

/// A comparison document (format version 1). Build one with `Session::default()` and fill
/// it in, or read one with [`Session::from_json`]; it serialises (with `serde`) to the
/// version 1 file format, `format` and `version` included.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Session {
    /// When it was saved: a date `YYYY-MM-DD` or an ISO 8601 date-time.
    pub saved_at: Option<String>,
    /// The photos it is about.
    pub photos: Photos,
    /// How AFTER lies on BEFORE, if known.
    pub alignment: Option<Alignment>,
    /// The scalp region analysed, in BEFORE pixels (3 or more points), or automatic.
    pub region: Option<Vec<[f64; 2]>>,
    /// The annotations on either photo.
    pub annotations: Vec<Annotation>,
    /// Stored analysis results, kept as they are.
    pub analysis: Option<Map<String, Value>>,
    /// How the comparison was being viewed.
    pub view: Option<View>,
}

/// The two photos of a session. Both are always written (`null` when absent).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Photos {
    /// The earlier visit.
    pub before: Option<PhotoMeta>,
    /// The later visit.
    pub after: Option<PhotoMeta>,
}

/// What identifies a photo (the photo itself is not stored).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhotoMeta {
    /// Its file name, 1–512 characters.
    pub name: String,
    /// Width after EXIF orientation, in pixels, at least 1.
    pub width: u32,
    /// Height after EXIF orientation, in pixels, at least 1.
    pub height: u32,
    /// The file's size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// CRC-32 of the file, 8 hexadecimal digits (lowercase once normalised).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// When it was taken: `YYYY-MM-DD` or an ISO 8601 date-time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// A known length on the photo, for measuring.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
}

/// Two distinct points of a photo (its pixels) that are `mm` millimetres apart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// The two points, `[x, y]`.
    pub points: [[f64; 2]; 2],
    /// Their distance in millimetres, more than 0.
    pub mm: f64,
}

/// The alignment of a session: a 3×3 matrix that maps AFTER pixels to BEFORE pixels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alignment {
    /// Row-major, finite, invertible, with a non-zero bottom-right entry.
    pub matrix: [[f64; 3]; 3],
    /// The transform family it was fitted as.
    pub model: Model,
    /// The aligner's confidence, when it came from one (always written; `null` when absent).
    pub confidence: Option<f64>,
    /// Where it came from: `"auto"`, `"landmarks"`, `"manual"`, `"set"`, … (1–64 characters).
    pub source: String,
    /// Whether the person fixed it, so that it is not replaced automatically.
    pub locked: bool,
}

/// The comparison view: where the slider was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    /// Slider position, 0–100.
    pub value: f64,
}

impl Serialize for Session {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Session", 10)?;
        st.serialize_field("format", FORMAT)?;
        st.serialize_field("version", &VERSION)?;
        match &self.saved_at {
            Some(t) => st.serialize_field("saved_at", t)?,
            None => st.skip_field("saved_at")?,
        }
        st.serialize_field("photos", &self.photos)?;
        st.serialize_field("alignment", &self.alignment)?;
        st.serialize_field("region", &self.region)?;
        st.serialize_field("annotations", &self.annotations)?;
        st.serialize_field("analysis", &self.analysis)?;
        match &self.view {
            Some(v) => st.serialize_field("view", v)?,
            None => st.skip_field("view")?,
        }
        st.end()
    }
}

impl Session {
    /// Reads a session file: checks that it is JSON, a scalp-compare session and of a version
    /// this build reads, brings it up to date ([`migrate`]), reads its fields, and
    /// normalises ([`Session::normalise`]) and checks ([`Session::validate`]) the result.
    pub fn from_json(text: &str) -> Result<Session, SessionError> {
        let value =
            parse_json(text).map_err(|(line, column)| SessionError::NotJson { line, column })?;
        Session::from_value(value)
    }

    /// Like [`from_json`](Self::from_json), from JSON already parsed.
    pub fn from_value(value: Value) -> Result<Session, SessionError> {
        let Value::Object(doc) = value else {
            return Err(SessionError::NotASession);
        };
        if doc.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(SessionError::NotASession);
        }
        let version = match doc.get("version").map(|v| whole(v, u64::MAX)) {
            Some(Some(v)) if v >= 1 => v,
            _ => return Err(SessionError::BadVersion),
        };
        if version > VERSION {
            return Err(SessionError::Newer { version });
        }
        let doc = migrate(doc, version)?;
        let mut session = read_v1(&doc)?;
        session.normalise();
        session.validate()?;
        Ok(session)
    }

    /// The session as a version 1 file (pretty-printed JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Puts the session in normal form: annotations normalised
    /// ([`Annotation::normalise`]), checksums in lowercase.
    pub fn normalise(&mut self) {
        for a in &mut self.annotations {
            a.normalise();
        }
        for p in [&mut self.photos.before, &mut self.photos.after]
            .into_iter()
            .flatten()
        {
            if let Some(c) = &mut p.checksum {
                c.make_ascii_lowercase();
            }
        }
    }

    /// Checks every field against the rules of version 1 (see the field docs); the error
    /// names the first bad field by its path, e.g. `photos.before.width`.
    pub fn validate(&self) -> Result<(), SessionError> {
        if let Some(t) = &self.saved_at {
            if !is_iso_date(t) {
                return Err(field("saved_at", DATE));
            }
        }
        for (name, photo) in [
            ("before", &self.photos.before),
            ("after", &self.photos.after),
        ] {
            if let Some(p) = photo {
                validate_photo(p, &format!("photos.{name}"))?;
            }
        }
        if let Some(a) = &self.alignment {
            if a.matrix.iter().flatten().any(|v| !v.is_finite()) {
                return Err(field("alignment.matrix", MATRIX));
            }
            if a.matrix[2][2] == 0.0 {
                return Err(field(
                    "alignment.matrix",
                    "must have a bottom-right entry other than 0",
                ));
            }
            if Transform::from_matrix(a.matrix).is_none() {
                return Err(field(
                    "alignment.matrix",
                    "cannot be inverted (it would squash the photo flat)",
                ));
            }
            if a.confidence
                .is_some_and(|c| !(c.is_finite() && (0.0..=1.0).contains(&c)))
            {
                return Err(field(
                    "alignment.confidence",
                    "must be a number from 0 to 1, or null",
                ));
            }
            if a.source.is_empty() || a.source.chars().count() > 64 {
                return Err(field("alignment.source", SOURCE));
            }
        }
        if let Some(region) = &self.region {
            if region.len() < 3 || region.len() > MAX_REGION_POINTS {
                return Err(field("region", REGION));
            }
            if region
                .iter()
                .flatten()
                .any(|v| !v.is_finite() || v.abs() > annotation::MAX_COORD)
            {
                return Err(field("region", REGION));
            }
        }
        annotation::validate_all(&self.annotations).map_err(SessionError::Annotations)?;
        if let Some(v) = &self.view {
            if !(0.0..=100.0).contains(&v.value) {
                return Err(field("view.value", VIEW));
            }
        }
        Ok(())
    }

    /// Checks that the loaded photos (their sizes after EXIF orientation, `None` when not
    /// loaded) are the ones the session is about. A photo the session does not describe,
    /// or one that is not loaded, is not checked.
    pub fn check_photos(
        &self,
        before: Option<(u32, u32)>,
        after: Option<(u32, u32)>,
    ) -> Result<(), SessionError> {
        for (photo, meta, loaded) in [
            (Photo::Before, &self.photos.before, before),
            (Photo::After, &self.photos.after, after),
        ] {
            if let (Some(m), Some(loaded)) = (meta, loaded) {
                if (m.width, m.height) != loaded {
                    return Err(SessionError::OtherPhotos {
                        photo,
                        name: m.name.clone(),
                        saved: (m.width, m.height),
                        loaded,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Brings a session document of format version `version` up to [`VERSION`], as JSON, before
/// it is read as the current version. Version 1 is current, so there is nothing to do yet;
/// each future version adds one step here (`1 => migrate(v1_to_v2(doc)?, 2)`), so that every
/// older file keeps opening.
pub fn migrate(doc: Map<String, Value>, version: u64) -> Result<Map<String, Value>, SessionError> {
    match version {
        VERSION => Ok(doc),
        v if v > VERSION => Err(SessionError::Newer { version: v }),
        _ => Err(SessionError::BadVersion),
    }
}

/// Why a session cannot be read or used. The `Display` text is one sentence, meant to be
/// shown as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionError {
    /// The text is not JSON; where it stops making sense (both from 1).
    NotJson {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
    },
    /// JSON, but not an object whose `format` is `"scalp-compare-session"`.
    NotASession,
    /// Saved by a newer scalp-compare, in this format version.
    Newer {
        /// The file's format version.
        version: u64,
    },
    /// `version` is missing, 0 or not a whole number.
    BadVersion,
    /// A field breaks a rule.
    Field {
        /// Its path, e.g. `photos.before.width`.
        path: String,
        /// What it must be, to follow the path, e.g. `must be a whole number of at least 1`.
        problem: String,
    },
    /// An annotation breaks a rule.
    Annotations(AnnotationError),
    /// A loaded photo is not the session's (its size differs).
    OtherPhotos {
        /// Which photo.
        photo: Photo,
        /// Its name in the session.
        name: String,
        /// Its size in the session.
        saved: (u32, u32),
        /// The loaded photo's size.
        loaded: (u32, u32),
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::NotJson { line, column } => {
                write!(f, "This file is not valid JSON (line {line}, column {column}).")
            }
            SessionError::NotASession => f.write_str("This is not a scalp-compare session file."),
            SessionError::Newer { version } => write!(
                f,
                "This session was saved by a newer version of scalp-compare (format version \
                 {version}); this version reads version {VERSION}. Update scalp-compare to open it."
            ),
            SessionError::BadVersion => f.write_str(
                "This session file has no valid format version (\"version\" must be a whole number such as 1).",
            ),
            SessionError::Field { path, problem } => {
                write!(f, "Session field {path} {problem}.")
            }
            SessionError::Annotations(e) => write!(f, "Session annotations: {e}."),
            SessionError::OtherPhotos {
                photo,
                name,
                saved,
                loaded,
            } => write!(
                f,
                "This session is for other photos: {label} was {} ({}×{}), the loaded {label} is {}×{}.",
                shorten(name, 80),
                saved.0,
                saved.1,
                loaded.0,
                loaded.1,
                label = photo.label()
            ),
        }
    }
}

impl std::error::Error for SessionError {}

/// What an imported file turned out to be.
#[derive(Debug, Clone, PartialEq)]
pub enum Import {
    /// A scalp-compare session (boxed: it is much larger than a list).
    Session(Box<Session>),
    /// Annotations: W3C Web Annotations, or a list in the product's own form.
    Annotations(Vec<Annotation>),
}

impl Import {
    /// Reads a file that is either a session or annotations. It is a session if it is an
    /// object with a `format` field; W3C Web Annotations if it is an array, or an object whose
    /// `type` is `Annotation`, `AnnotationPage` or `AnnotationCollection`. An array whose
    /// first item has a `kind` and no `target` is read as the product's own annotation list
    /// ([`annotation::list_from_value`]). `sources` names the loaded photos, for W3C targets.
    pub fn read(text: &str, sources: &PhotoSources) -> Result<Import, ImportError> {
        let value =
            parse_json(text).map_err(|(line, column)| ImportError::NotJson { line, column })?;
        let is_type = |name: &str| match value.get("type") {
            Some(Value::String(s)) => s == name,
            Some(Value::Array(a)) => a.iter().any(|t| t.as_str() == Some(name)),
            _ => false,
        };
        if value.get("format").is_some() {
            return Session::from_value(value)
                .map(|s| Import::Session(Box::new(s)))
                .map_err(ImportError::Session);
        }
        if let Some(first) = value.as_array().and_then(|a| a.first()) {
            if first.get("kind").is_some() && first.get("target").is_none() {
                return annotation::list_from_value(&value)
                    .map(Import::Annotations)
                    .map_err(ImportError::Annotations);
            }
        }
        if value.is_array()
            || is_type("Annotation")
            || is_type("AnnotationPage")
            || is_type("AnnotationCollection")
        {
            return annotation::from_w3c(&value, sources)
                .map(Import::Annotations)
                .map_err(ImportError::Annotations);
        }
        Err(ImportError::Neither)
    }
}

/// Why an imported file cannot be used. The `Display` text is meant to be shown as it is.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportError {
    /// The text is not JSON; where it stops making sense (both from 1).
    NotJson {
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
    },
    /// JSON, but neither a session nor annotations.
    Neither,
    /// A session that cannot be read.
    Session(SessionError),
    /// Annotations that cannot be read.
    Annotations(AnnotationError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotJson { line, column } => {
                write!(
                    f,
                    "This file is not valid JSON (line {line}, column {column})."
                )
            }
            ImportError::Neither => {
                f.write_str("This file is neither a scalp-compare session nor W3C Web Annotations.")
            }
            ImportError::Session(e) => e.fmt(f),
            ImportError::Annotations(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ImportError {}

// What fields must be, as the messages say it.
const WHOLE1: &str = "must be a whole number of at least 1";
const DATE: &str = "must be a date like 2026-11-27 or an ISO date-time like 2026-11-27T06:00:00Z";
const MATRIX: &str = "must be a 3×3 matrix of numbers";
const SOURCE: &str = "must be a text of 1 to 64 characters";
const REGION: &str = "must be a list of at least 3 points [x, y] within 1000000 px, or null";
const VIEW: &str = "must be a number from 0 to 100";

fn field(path: &str, problem: &str) -> SessionError {
    SessionError::Field {
        path: path.to_owned(),
        problem: problem.to_owned(),
    }
}

fn validate_photo(p: &PhotoMeta, path: &str) -> Result<(), SessionError> {
    let at = |name: &str| format!("{path}.{name}");
    let chars = p.name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(field(
            &at("name"),
            "must be a file name of 1 to 512 characters",
        ));
    }
    if p.width == 0 {
        return Err(field(&at("width"), WHOLE1));
    }
    if p.height == 0 {
        return Err(field(&at("height"), WHOLE1));
    }
    if p.checksum
        .as_ref()
        .is_some_and(|c| c.len() != 8 || !c.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Err(field(
            &at("checksum"),
            "must be 8 hexadecimal digits (the file's CRC-32)",
        ));
    }
    if p.date.as_ref().is_some_and(|d| !is_iso_date(d)) {
        return Err(field(&at("date"), DATE));
    }
    if let Some(c) = &p.calibration {
        if c.points.iter().flatten().any(|v| !v.is_finite()) || c.points[0] == c.points[1] {
            return Err(field(
                &at("calibration.points"),
                "must be two different points [x, y]",
            ));
        }
        if !(c.mm.is_finite() && c.mm > 0.0 && c.mm <= MAX_MM) {
            return Err(field(
                &at("calibration.mm"),
                "must be a number above 0 and at most 1000 (a metre)",
            ));
        }
    }
    Ok(())
}

/// `YYYY-MM-DD`, optionally followed by `T` (or a space) and a time with optional fraction
/// and zone: `06:00`, `06:00:00.000Z`, `06:00:00+01:00`.
/// The longest calibration line a scalp photo can hold, in millimetres.
const MAX_MM: f64 = 1000.0;

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    if b.len() < 10
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    // A day the month has (2026-02-31 is no date), and a time of day that exists.
    let (year, month) = (num(0..4), num(5..7));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=12).contains(&month) || !(1..=days).contains(&num(8..10)) {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    let time = &b[11..];
    matches!(b[10], b'T' | b' ')
        && time.len() >= 5
        && time.len() <= 30
        && time[..2].iter().all(u8::is_ascii_digit)
        && time[2] == b':'
        && time[3..5].iter().all(u8::is_ascii_digit)
        && num(11..13) <= 23
        && num(14..16) <= 59
        && time[5..]
            .iter()
            .all(|c| c.is_ascii_digit() || b":.+-Z".contains(c))
}

/// A whole number at most `max` (an integer, or a float with no fraction).
fn whole(v: &Value, max: u64) -> Option<u64> {
    let n = v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 1.8e19)
            .map(|f| f as u64)
    })?;
    (n <= max).then_some(n)
}

/// The members of an object at `path`, refusing members not in `allowed`.
fn object<'a>(
    v: &'a Value,
    path: &str,
    allowed: &[&str],
) -> Result<&'a Map<String, Value>, SessionError> {
    let m = v
        .as_object()
        .ok_or_else(|| field(path, "must be an object"))?;
    for key in m.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(field(
                &format!("{path}.{}", shorten(key, 40)),
                "is not part of a version 1 session",
            ));
        }
    }
    Ok(m)
}

/// A member that is present and not `null`.
fn get<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.get(key).filter(|v| !v.is_null())
}

fn text(v: &Value, path: &str, problem: &str) -> Result<String, SessionError> {
    v.as_str()
        .map(str::to_owned)
        .ok_or_else(|| field(path, problem))
}

fn number(v: &Value, path: &str, problem: &str) -> Result<f64, SessionError> {
    v.as_f64().ok_or_else(|| field(path, problem))
}

fn point(v: &Value, path: &str, problem: &str) -> Result<[f64; 2], SessionError> {
    match v.as_array().map(Vec::as_slice) {
        Some([x, y]) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => Ok([x, y]),
            _ => Err(field(path, problem)),
        },
        _ => Err(field(path, problem)),
    }
}

/// Reads a (migrated) version 1 document into a [`Session`], with the path of the first
/// field of the wrong shape in the error. The values' ranges are left to
/// [`Session::validate`].
fn read_v1(doc: &Map<String, Value>) -> Result<Session, SessionError> {
    const TOP: [&str; 9] = [
        "format",
        "version",
        "saved_at",
        "photos",
        "alignment",
        "region",
        "annotations",
        "analysis",
        "view",
    ];
    for key in doc.keys() {
        if !TOP.contains(&key.as_str()) && !key.starts_with("x-") {
            return Err(field(
                shorten(key, 40).as_str(),
                "is not part of a version 1 session",
            ));
        }
    }
    let mut s = Session::default();
    if let Some(v) = get(doc, "saved_at") {
        s.saved_at = Some(text(v, "saved_at", DATE)?);
    }
    if let Some(v) = get(doc, "photos") {
        let photos = object(v, "photos", &["before", "after"])?;
        for (name, slot) in [
            ("before", &mut s.photos.before),
            ("after", &mut s.photos.after),
        ] {
            if let Some(p) = get(photos, name) {
                *slot = Some(read_photo(p, &format!("photos.{name}"))?);
            }
        }
    }
    if let Some(v) = get(doc, "alignment") {
        let m = object(
            v,
            "alignment",
            &["matrix", "model", "confidence", "source", "locked"],
        )?;
        let rows = get(m, "matrix")
            .and_then(Value::as_array)
            .filter(|rows| rows.len() == 3)
            .ok_or_else(|| field("alignment.matrix", MATRIX))?;
        let mut matrix = [[0.0; 3]; 3];
        for (row, r) in matrix.iter_mut().zip(rows) {
            let r = r
                .as_array()
                .filter(|r| r.len() == 3)
                .ok_or_else(|| field("alignment.matrix", MATRIX))?;
            for (cell, c) in row.iter_mut().zip(r) {
                *cell = number(c, "alignment.matrix", MATRIX)?;
            }
        }
        const MODEL: &str = "must be \"similarity\", \"affine\" or \"homography\"";
        let model = match get(m, "model").and_then(Value::as_str) {
            Some("similarity") => Model::Similarity,
            Some("affine") => Model::Affine,
            Some("homography") => Model::Homography,
            _ => return Err(field("alignment.model", MODEL)),
        };
        let confidence = match get(m, "confidence") {
            Some(c) => Some(number(
                c,
                "alignment.confidence",
                "must be a number or null",
            )?),
            None => None,
        };
        let source = text(
            get(m, "source").unwrap_or(&Value::Null),
            "alignment.source",
            SOURCE,
        )?;
        let locked = get(m, "locked")
            .and_then(Value::as_bool)
            .ok_or_else(|| field("alignment.locked", "must be true or false"))?;
        s.alignment = Some(Alignment {
            matrix,
            model,
            confidence,
            source,
            locked,
        });
    }
    if let Some(v) = get(doc, "region") {
        let points = v.as_array().ok_or_else(|| field("region", REGION))?;
        s.region = Some(
            points
                .iter()
                .map(|p| point(p, "region", REGION))
                .collect::<Result<_, _>>()?,
        );
    }
    if let Some(v) = get(doc, "annotations") {
        if !v.is_array() {
            return Err(field("annotations", "must be a list of annotations"));
        }
        s.annotations = annotation::list_from_value(v).map_err(SessionError::Annotations)?;
    }
    if let Some(v) = get(doc, "analysis") {
        let m = v
            .as_object()
            .ok_or_else(|| field("analysis", "must be an object or null"))?;
        s.analysis = Some(m.clone());
    }
    if let Some(v) = get(doc, "view") {
        let m = object(v, "view", &["value"])?;
        let value = number(get(m, "value").unwrap_or(&Value::Null), "view.value", VIEW)?;
        s.view = Some(View { value });
    }
    Ok(s)
}

fn read_photo(v: &Value, path: &str) -> Result<PhotoMeta, SessionError> {
    let m = object(
        v,
        path,
        &[
            "name",
            "width",
            "height",
            "bytes",
            "checksum",
            "date",
            "calibration",
        ],
    )?;
    let at = |name: &str| format!("{path}.{name}");
    let size = |name: &str| {
        get(m, name)
            .and_then(|v| whole(v, u64::from(u32::MAX)))
            .filter(|&n| n >= 1)
            .map(|n| n as u32)
            .ok_or_else(|| field(&at(name), WHOLE1))
    };
    let mut p = PhotoMeta {
        name: text(
            get(m, "name").unwrap_or(&Value::Null),
            &at("name"),
            "must be a file name of 1 to 512 characters",
        )?,
        width: size("width")?,
        height: size("height")?,
        bytes: None,
        checksum: None,
        date: None,
        calibration: None,
    };
    if let Some(v) = get(m, "bytes") {
        p.bytes = Some(
            whole(v, u64::MAX)
                .ok_or_else(|| field(&at("bytes"), "must be a whole number of bytes"))?,
        );
    }
    if let Some(v) = get(m, "checksum") {
        p.checksum = Some(text(
            v,
            &at("checksum"),
            "must be 8 hexadecimal digits (the file's CRC-32)",
        )?);
    }
    if let Some(v) = get(m, "date") {
        p.date = Some(text(v, &at("date"), DATE)?);
    }
    if let Some(v) = get(m, "calibration") {
        let path = at("calibration");
        let c = object(v, &path, &["points", "mm"])?;
        let points_path = format!("{path}.points");
        const POINTS: &str = "must be two different points [x, y]";
        let points = match get(c, "points")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            Some([a, b]) => [
                point(a, &points_path, POINTS)?,
                point(b, &points_path, POINTS)?,
            ],
            _ => return Err(field(&points_path, POINTS)),
        };
        let mm = number(
            get(c, "mm").unwrap_or(&Value::Null),
            &format!("{path}.mm"),
            "must be a number above 0",
        )?;
        p.calibration = Some(Calibration { points, mm });
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotation::Kind;

    fn minimal() -> &'static str {
        r#"{"format": "scalp-compare-session", "version": 1}"#
    }

    fn full() -> Session {
        Session {
            saved_at: Some("2026-11-27T06:00:00.000Z".into()),
            photos: Photos {
                before: Some(PhotoMeta {
                    name: "before.jpg".into(),
                    width: 4000,
                    height: 3000,
                    bytes: Some(2_811_904),
                    checksum: Some("1a2b3c4d".into()),
                    date: Some("2026-05-01".into()),
                    calibration: Some(Calibration {
                        points: [[10.0, 10.0], [110.5, 10.0]],
                        mm: 10.0,
                    }),
                }),
                after: None,
            },
            alignment: Some(Alignment {
                matrix: [[1.0, 0.1, 5.0], [-0.1, 1.0, 2.5], [0.0, 0.0, 1.0]],
                model: Model::Similarity,
                confidence: Some(0.92),
                source: "auto".into(),
                locked: true,
            }),
            region: Some(vec![[1.0, 1.0], [100.0, 1.0], [50.5, 80.0]]),
            annotations: vec![Annotation {
                id: "a1".into(),
                kind: Kind::Pin,
                photo: Photo::After,
                points: vec![[3.25, 4.0]],
                note: "here".into(),
                color: None,
                created: None,
                modified: None,
            }],
            analysis: serde_json::json!({"change_pp": -2.5, "cells": [1, null]})
                .as_object()
                .cloned(),
            view: Some(View { value: 37.5 }),
        }
    }

    #[test]
    fn round_trip() {
        let s = full();
        let text = s.to_json();
        assert!(text.starts_with("{\n  \"format\": \"scalp-compare-session\",\n  \"version\": 1,"));
        assert_eq!(Session::from_json(&text).unwrap(), s);
        let empty = Session::from_json(minimal()).unwrap();
        assert_eq!(empty, Session::default());
        assert_eq!(Session::from_json(&empty.to_json()).unwrap(), empty);
    }

    #[test]
    fn versions() {
        let v = |version: &str| {
            Session::from_json(&format!(
                r#"{{"format": "scalp-compare-session", "version": {version}}}"#
            ))
        };
        assert!(v("1").is_ok());
        assert!(v("1.0").is_ok());
        assert_eq!(v("2").unwrap_err(), SessionError::Newer { version: 2 });
        for bad in ["0", "-1", "1.5", "\"1\"", "null"] {
            assert_eq!(v(bad).unwrap_err(), SessionError::BadVersion, "{bad}");
        }
        assert_eq!(
            Session::from_json(r#"{"format": "scalp-compare-session"}"#).unwrap_err(),
            SessionError::BadVersion
        );
        assert!(matches!(
            migrate(Map::new(), 0),
            Err(SessionError::BadVersion)
        ));
    }

    #[test]
    fn field_paths() {
        let with = |extra: &str| {
            Session::from_json(&format!(
                r#"{{"format": "scalp-compare-session", "version": 1, {extra}}}"#
            ))
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            with(r#""photos": {"before": {"name": "b.jpg", "width": 0, "height": 3}}"#),
            "Session field photos.before.width must be a whole number of at least 1."
        );
        assert_eq!(
            with(r#""photos": {"after": {"name": "b.jpg", "width": "4000", "height": 3}}"#),
            "Session field photos.after.width must be a whole number of at least 1."
        );
        assert!(with(
            r#""photos": {"after": {"name": "b", "width": 1, "height": 1, "checksum": "xyz"}}"#
        )
        .contains("photos.after.checksum"));
        assert!(with(
            r#""photos": {"after": {"name": "b", "width": 1, "height": 1, "date": "May 1"}}"#
        )
        .contains("photos.after.date"));
        assert!(with(r#""photos": {"after": {"name": "b", "width": 1, "height": 1, "calibration": {"points": [[1,1],[1,1]], "mm": 3}}}"#)
            .contains("photos.after.calibration.points"));
        assert!(with(r#""photos": {"after": {"name": "b", "width": 1, "height": 1, "calibration": {"points": [[1,1],[2,1]], "mm": 0}}}"#)
            .contains("photos.after.calibration.mm"));
        assert!(with(
            r#""photos": {"before": {"name": "b", "width": 1, "height": 1, "colour": 1}}"#
        )
        .contains("photos.before.colour is not part"));
        assert!(with(r#""alignment": {"matrix": [[1,0,0],[0,1,0],[0,0,0]], "model": "affine", "source": "set", "locked": false}"#)
            .contains("bottom-right"));
        assert!(with(r#""alignment": {"matrix": [[1,2,0],[2,4,0],[0,0,1]], "model": "affine", "source": "set", "locked": false}"#)
            .contains("cannot be inverted"));
        assert!(with(r#""alignment": {"matrix": [[1,0,0],[0,1,0]], "model": "affine", "source": "set", "locked": false}"#)
            .contains("alignment.matrix must be a 3×3"));
        assert!(with(r#""alignment": {"matrix": [[1,0,0],[0,1,0],[0,0,1]], "model": "rigid", "source": "set", "locked": false}"#)
            .contains("alignment.model"));
        assert!(with(r#""region": [[0,0],[1,1]]"#).contains("Session field region"));
        assert!(with(r#""view": {"value": 101}"#).contains("view.value"));
        assert!(with(r#""analysis": [1]"#).contains("analysis must be an object"));
        assert!(with(r#""colour": 1"#).contains("Session field colour is not part"));
        assert_eq!(
            with(
                r#""annotations": [{"id": "a7", "kind": "rect", "photo": "before", "points": [[1,1]]}]"#
            ),
            "Session annotations: annotation 1 (\"a7\", rect) needs 2 points, it has 1."
        );
    }

    #[test]
    fn extensions_are_ignored() {
        let s = Session::from_json(
            r#"{"format": "scalp-compare-session", "version": 1, "x-clinic": {"id": 3}}"#,
        )
        .unwrap();
        assert!(!s.to_json().contains("x-clinic"));
    }

    #[test]
    fn dates() {
        for ok in [
            "2026-11-27",
            "2026-11-27T06:00",
            "2026-11-27T06:00:00.000Z",
            "2026-11-27 06:00:00+01:00",
            "2024-02-29",
            "2026-12-31T23:59",
        ] {
            assert!(is_iso_date(ok), "{ok}");
        }
        for bad in [
            "2026-13-01",
            "2026-11-27X",
            "27/11/2026",
            "2026-11-27T6",
            "2026-1-27",
            // Days the month has not, and times of day that do not exist.
            "2026-02-31",
            "2026-02-29",
            "2026-04-31",
            "2026-12-01T99:99",
            "2026-12-01T24:00",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
    }

    #[test]
    fn out_of_range_figures_from_a_hand_edited_file_are_refused() {
        let good = full().to_json();
        let with = |edit: &dyn Fn(&mut Value)| {
            let mut v: Value = serde_json::from_str(&good).unwrap();
            edit(&mut v);
            Session::from_json(&v.to_string())
        };
        for c in [5.0, -3.0] {
            let err = with(&|v| v["alignment"]["confidence"] = serde_json::json!(c)).unwrap_err();
            assert!(err.to_string().contains("alignment.confidence"), "{err}");
        }
        assert!(with(&|v| v["alignment"]["confidence"] = serde_json::json!(0.5)).is_ok());
        let err = with(&|v| {
            v["photos"]["before"]["calibration"] =
                serde_json::json!({"points": [[0, 0], [10, 0]], "mm": 1e300})
        })
        .unwrap_err();
        assert!(err.to_string().contains("calibration.mm"), "{err}");
    }

    #[test]
    fn check_photos_names_the_mismatch() {
        let s = full();
        assert!(s.check_photos(Some((4000, 3000)), Some((1, 1))).is_ok());
        assert!(s.check_photos(None, None).is_ok());
        assert_eq!(
            s.check_photos(Some((3000, 2000)), None).unwrap_err().to_string(),
            "This session is for other photos: BEFORE was before.jpg (4000×3000), the loaded BEFORE is 3000×2000."
        );
    }

    #[test]
    fn import_detects_the_kind_of_file() {
        let src = PhotoSources::new("a.jpg", "b.jpg");
        assert!(matches!(
            Import::read(minimal(), &src),
            Ok(Import::Session(_))
        ));
        assert!(matches!(Import::read("[]", &src), Ok(Import::Annotations(v)) if v.is_empty()));
        let own = r#"[{"id": "p", "kind": "pin", "photo": "after", "points": [[1, 2]]}]"#;
        assert!(matches!(Import::read(own, &src), Ok(Import::Annotations(v)) if v.len() == 1));
        assert_eq!(
            Import::read(r#"{"a": 1}"#, &src).unwrap_err().to_string(),
            "This file is neither a scalp-compare session nor W3C Web Annotations."
        );
        assert_eq!(
            Import::read(r#"{"format": "other"}"#, &src)
                .unwrap_err()
                .to_string(),
            "This is not a scalp-compare session file."
        );
        assert_eq!(
            Session::from_json("[]").unwrap_err(),
            SessionError::NotASession
        );
    }
}
