//! Sessions and annotations for the page: JSON text in, JSON text out, over
//! [`crate::session`] and [`crate::annotation`]. A refusal throws an `Error`
//! whose message can be shown as it is. No rule lives here.

use wasm_bindgen::prelude::*;

use crate::annotation::{self, PhotoSources};
use crate::session::{Import, Session};

fn fail(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

fn to_text(value: &impl serde::Serialize) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(fail)
}

/// Reads a session file and returns it normalised, as version 1 JSON text.
#[wasm_bindgen(js_name = checkSession)]
pub fn check_session(json: &str) -> Result<String, JsError> {
    Ok(Session::from_json(json).map_err(fail)?.to_json())
}

/// Reads a list of annotations in the product's own form and returns it
/// normalised (coordinates to 0.01 px, rect/ellipse corners ordered), as JSON text.
#[wasm_bindgen(js_name = checkAnnotations)]
pub fn check_annotations(json: &str) -> Result<String, JsError> {
    to_text(&annotation::parse_list(json).map_err(fail)?)
}

/// Writes a list of annotations (the product's own form, checked first) as a
/// JSON array of W3C Web Annotations whose targets are the two photo names.
#[wasm_bindgen(js_name = annotationsToW3c)]
pub fn annotations_to_w3c(
    annotations_json: &str,
    before_source: &str,
    after_source: &str,
) -> Result<String, JsError> {
    let list = annotation::parse_list(annotations_json).map_err(fail)?;
    let sources = PhotoSources::new(before_source, after_source);
    serde_json::to_string_pretty(&annotation::to_w3c(&list, &sources)).map_err(fail)
}

/// Reads W3C Web Annotations (an array, one annotation, or a page) into the
/// product's own list, as JSON text; all or nothing.
#[wasm_bindgen(js_name = annotationsFromW3c)]
pub fn annotations_from_w3c(
    text: &str,
    before_source: &str,
    after_source: &str,
) -> Result<String, JsError> {
    let sources = PhotoSources::new(before_source, after_source);
    to_text(&annotation::from_w3c_text(text, &sources).map_err(fail)?)
}

/// Reads a file that is a session or annotations. Returns
/// `{"kind":"session","session":{...}}` or `{"kind":"annotations","annotations":[...]}`.
#[wasm_bindgen(js_name = readImport)]
pub fn read_import(text: &str, before_source: &str, after_source: &str) -> Result<String, JsError> {
    #[derive(serde::Serialize)]
    #[serde(tag = "kind", rename_all = "lowercase")]
    enum Reply {
        Session {
            session: Box<Session>,
        },
        Annotations {
            annotations: Vec<annotation::Annotation>,
        },
    }
    let sources = PhotoSources::new(before_source, after_source);
    let reply = match Import::read(text, &sources).map_err(fail)? {
        Import::Session(session) => Reply::Session { session },
        Import::Annotations(annotations) => Reply::Annotations { annotations },
    };
    to_text(&reply)
}

/// Checks that the loaded photos (sizes after EXIF orientation; 0 for a photo
/// not loaded) are the session's; throws "This session is for other photos: …"
/// when not.
#[wasm_bindgen(js_name = checkSessionPhotos)]
pub fn check_session_photos(
    session_json: &str,
    before_w: u32,
    before_h: u32,
    after_w: u32,
    after_h: u32,
) -> Result<(), JsError> {
    let session = Session::from_json(session_json).map_err(fail)?;
    let size = |w: u32, h: u32| (w > 0 && h > 0).then_some((w, h));
    session
        .check_photos(size(before_w, before_h), size(after_w, after_h))
        .map_err(fail)
}
