//! The web layer in headless Chromium (`cargo test --target wasm32-unknown-unknown`):
//! photo files become upright bitmaps; bad files become error values, not panics.
#![cfg(target_arch = "wasm32")]

use scalp_compare::web::{inspect_photo, load_photo};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const BEFORE: &[u8] = include_bytes!("../www/samples/before.jpg");
const ORIENT6: &[u8] = include_bytes!("fixtures/orient6.jpg");

fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).expect("blob")
}

/// The message of a refusal; panics if the photo was accepted.
fn refused<T>(result: Result<T, wasm_bindgen::JsError>) -> String {
    match result {
        Ok(_) => panic!("the file should have been refused"),
        Err(e) => message(e),
    }
}

/// A reply of the web layer as JSON, to read its fields.
fn json(reply: &JsValue) -> serde_json::Value {
    let text = js_sys::JSON::stringify(reply).unwrap().as_string().unwrap();
    serde_json::from_str(&text).unwrap()
}

fn message(err: wasm_bindgen::JsError) -> String {
    let value: JsValue = err.into();
    js_sys::Reflect::get(&value, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn decodes_a_real_photo() {
    let photo = load_photo(blob(BEFORE), 0).await.expect("sample decodes");
    assert_eq!((photo.width(), photo.height()), (640, 640));
    assert_eq!(photo.format(), "jpeg");
    let bitmap = photo.bitmap();
    assert_eq!((bitmap.width(), bitmap.height()), (640, 640));
}

#[wasm_bindgen_test]
async fn honours_exif_orientation_and_display_cap() {
    let photo = load_photo(blob(ORIENT6), 0).await.expect("fixture decodes");
    assert_eq!(
        (photo.width(), photo.height(), photo.orientation()),
        (32, 64, 6)
    );
    let bitmap = photo.bitmap();
    assert_eq!(
        (bitmap.width(), bitmap.height()),
        (32, 64),
        "bitmap is upright"
    );

    // Reduced for display, still upright; the reported size stays the original's.
    let small = load_photo(blob(ORIENT6), 32)
        .await
        .expect("fixture decodes");
    assert_eq!((small.width(), small.height()), (32, 64));
    let bitmap = small.bitmap();
    assert_eq!((bitmap.width(), bitmap.height()), (16, 32));
}

#[wasm_bindgen_test]
async fn truncated_photo_is_an_error_value() {
    let half = &BEFORE[..BEFORE.len() / 2];
    assert!(refused(load_photo(blob(half), 0).await).contains("incomplete"));
}

#[wasm_bindgen_test]
async fn text_and_empty_files_are_error_values() {
    let text = refused(load_photo(blob(b"<html>not a photo</html>"), 0).await);
    assert!(text.contains("not a photo"));
    assert!(refused(load_photo(blob(b""), 0).await).contains("empty"));
}

#[wasm_bindgen_test]
async fn a_photo_too_small_to_compare_is_refused_with_its_size() {
    // A whole, valid 1x1 PNG.
    const DOT: [u8; 69] = [
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
        0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8,
        0xdf, 0xe0, 0x00, 0x00, 0x04, 0x41, 0x01, 0xc0, 0x0c, 0xd1, 0xed, 0x91, 0x00, 0x00, 0x00,
        0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    let text = refused(load_photo(blob(&DOT), 0).await);
    assert!(
        text.contains("too small to compare (1\u{d7}1 pixels"),
        "{text}"
    );
    // The 64x32 fixture is large enough.
    assert!(load_photo(blob(ORIENT6), 0).await.is_ok());
}

#[wasm_bindgen_test]
async fn corrupt_pixels_are_an_error_value() {
    // Whole structure, garbage scan data: the browser's decoder refuses it.
    let mut bad = BEFORE[..700].to_vec();
    let sos = bad
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .unwrap_or(600);
    bad.truncate(sos);
    bad.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02]);
    bad.extend_from_slice(&[0xFF, 0xD9]);
    let result = load_photo(blob(&bad), 0).await;
    assert!(result.is_err(), "a JPEG with no usable scan must not load");
}

#[wasm_bindgen_test]
fn inspect_refuses_a_tiny_file_declaring_a_huge_size() {
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&30_000u32.to_be_bytes());
    chunk.extend_from_slice(&30_000u32.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
    let crc = crc32(&chunk);
    png.extend_from_slice(&chunk);
    png.extend_from_slice(&crc.to_be_bytes());
    assert!(refused(inspect_photo(&png)).contains("megapixels"));
    let info = inspect_photo(BEFORE).expect("sample is whole");
    let width = js_sys::Reflect::get(&info, &"width".into()).unwrap();
    assert_eq!(width.as_f64(), Some(640.0));
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

// ----- sessions and annotations, as the page's main thread calls them -----

use scalp_compare::web::session::{
    annotations_from_w3c, annotations_to_w3c, check_session, check_session_photos, read_import,
};

const SESSION: &str = r#"{"format": "scalp-compare-session", "version": 1,
  "photos": {"before": {"name": "a.jpg", "width": 640, "height": 640}, "after": null},
  "annotations": [{"id": "p1", "kind": "pin", "photo": "before", "points": [[10.004, 20]],
                   "note": "<img src=x onerror=alert(1)>"}]}"#;

#[wasm_bindgen_test]
fn a_session_is_checked_and_normalised() {
    let text = check_session(SESSION).expect("a good session");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["annotations"][0]["points"][0][0], 10.0);
    assert_eq!(
        doc["annotations"][0]["note"],
        "<img src=x onerror=alert(1)>"
    );
    let newer = SESSION.replace("\"version\": 1", "\"version\": 2");
    assert!(message(check_session(&newer).unwrap_err()).contains("newer version"));
    assert!(message(check_session("{\"format\": ").unwrap_err()).contains("not valid JSON"));
    let other = check_session_photos(&text, 800, 600, 0, 0).unwrap_err();
    assert!(message(other).contains("other photos"));
    check_session_photos(&text, 640, 640, 0, 0).expect("the same photo size");
}

#[wasm_bindgen_test]
fn annotations_round_trip_through_w3c_and_bad_imports_throw() {
    let internal = r#"[{"id": "r1", "kind": "rect", "photo": "after", "points": [[1, 2], [30.5, 40]], "note": "scar"}]"#;
    let w3c = annotations_to_w3c(internal, "a.jpg", "b.jpg").expect("exports");
    assert!(w3c.contains("xywh=pixel:1,2,29.5,38"));
    let back = annotations_from_w3c(&w3c, "a.jpg", "b.jpg").expect("imports");
    let back: serde_json::Value = serde_json::from_str(&back).unwrap();
    assert_eq!(back[0]["photo"], "after");
    assert_eq!(back[0]["note"], "scar");
    let import: serde_json::Value =
        serde_json::from_str(&read_import(&w3c, "a.jpg", "b.jpg").unwrap()).unwrap();
    assert_eq!(import["kind"], "annotations");
    let foreign = message(read_import("{\"hello\": 1}", "a.jpg", "b.jpg").unwrap_err());
    assert!(foreign.contains("neither"), "{foreign}");
}

#[wasm_bindgen_test]
fn one_photo_is_measured_in_original_pixels_and_a_blank_one_is_refused() {
    use scalp_compare::coverage::synth::{render, SynthParams};
    use scalp_compare::web::measure_photo;
    let s = render(&SynthParams {
        width: 200,
        height: 200,
        density: 0.4,
        noise: 1.5,
        ..Default::default()
    });
    // The working copy is half the original's size: the region and the answer are in
    // original pixels.
    let roi = "[[0, 0], [400, 0], [400, 400], [0, 400]]";
    let reply =
        measure_photo(s.image.as_bytes(), 200, 200, 0.5, roi, Vec::new(), 0, 0).expect("measured");
    let v = json(&reply);
    let coverage = v["coverage"].as_f64().unwrap();
    assert!(
        (coverage - s.truth).abs() < 0.1,
        "{coverage} vs {}",
        s.truth
    );
    assert!(v["uncertainty"].as_f64().unwrap() > 0.0);
    assert_eq!(v["roi"]["source"], "given");
    let area = v["roi"]["area_px"].as_f64().unwrap();
    assert!((area - 160_000.0).abs() < 2_000.0, "{area}");
    let blank = vec![128u8; 200 * 200 * 4];
    let why = message(measure_photo(&blank, 200, 200, 1.0, "null", Vec::new(), 0, 0).unwrap_err());
    assert!(why.contains("no detail to tell hair from skin"), "{why}");
}

#[wasm_bindgen_test]
fn a_linear_working_copy_and_the_larger_copy_read_a_phone_photo_right() {
    use scalp_compare::coverage::synth::{render, Hair, Skin, SynthParams};
    use scalp_compare::web::{measure_photo, working_copy};
    // Sharp strands 2.4 px wide at full size: under a pixel in the working copy a third the
    // size.
    // White hair on dark skin: lighter than skin, it has no darkest end to be taken to when
    // no pixel of the working copy is pure hair.
    let s = render(&SynthParams {
        width: 600,
        height: 600,
        skin: Skin::V,
        hair: Hair::White,
        strand_width: 2.4,
        strand_length: 90.0,
        density: 0.4,
        noise: 1.5,
        seed: 12,
        ..Default::default()
    });
    let copy = working_copy(s.image.as_bytes(), 600, 600, 200).expect("copied");
    let get = |k: &str| js_sys::Reflect::get(&copy, &JsValue::from_str(k)).unwrap();
    assert_eq!(get("width").as_f64(), Some(200.0));
    assert_eq!(get("height").as_f64(), Some(200.0));
    let rgba = js_sys::Uint8ClampedArray::from(get("rgba")).to_vec();
    assert_eq!(rgba.len(), 200 * 200 * 4);
    let roi = "[[0, 0], [600, 0], [600, 600], [0, 600]]";
    let read = |larger: Vec<u8>, lw: u32| {
        let reply =
            measure_photo(&rgba, 200, 200, 1.0 / 3.0, roi, larger, lw, lw).expect("measured");
        let v = json(&reply);
        v["coverage"].as_f64().unwrap()
    };
    let with = read(s.image.as_bytes().to_vec(), 600);
    let alone = read(Vec::new(), 0);
    assert!((with - s.truth).abs() < 0.03, "{with} vs {}", s.truth);
    assert!(
        alone - s.truth > 0.05,
        "{alone} vs {} without the larger copy",
        s.truth
    );
    // A larger copy of the wrong size is refused with a reason.
    let why =
        message(measure_photo(&rgba, 200, 200, 1.0 / 3.0, roi, vec![0; 10], 600, 600).unwrap_err());
    assert!(why.contains("larger copy"), "{why}");
}

#[wasm_bindgen_test]
fn a_pair_is_analysed_with_each_visits_larger_copy() {
    use scalp_compare::coverage::synth::{render, Hair, Skin, SynthParams};
    use scalp_compare::coverage::working_copy;
    use scalp_compare::web::analyze_pair;
    // Regrowth between visits; sharp strands 2.4 px wide at full size, the working copies a third
    // of it; each visit's full-size pixels go along as its larger copy. White hair on dark
    // skin, whose colour only the larger copy shows.
    let base = SynthParams {
        width: 600,
        height: 600,
        skin: Skin::V,
        hair: Hair::White,
        strand_width: 2.4,
        strand_length: 90.0,
        density: 0.3,
        noise: 1.5,
        seed: 21,
        ..Default::default()
    };
    let b = render(&base);
    let a = render(&SynthParams {
        density: 0.45,
        ..base
    });
    let (bw, _) = working_copy(&b.image, 200);
    let (aw, _) = working_copy(&a.image, 200);
    let identity = "[[1,0,0],[0,1,0],[0,0,1]]";
    let roi = "[[0, 0], [600, 0], [600, 600], [0, 600]]";
    let read = |with_larger: bool| {
        let larger = |img: &scalp_compare::RgbaImage| {
            if with_larger {
                (img.as_bytes().to_vec(), 600, 600)
            } else {
                (Vec::new(), 0, 0)
            }
        };
        let (lb, lbw, lbh) = larger(&b.image);
        let (la, law, lah) = larger(&a.image);
        let reply = analyze_pair(
            bw.as_bytes(),
            200,
            200,
            1.0 / 3.0,
            aw.as_bytes(),
            200,
            200,
            1.0 / 3.0,
            identity,
            roi,
            lb,
            lbw,
            lbh,
            la,
            law,
            lah,
            false,
            false,
        )
        .expect("analysed");
        let v = json(&reply);
        (
            v["before"]["coverage"].as_f64().unwrap(),
            v["after"]["coverage"].as_f64().unwrap(),
            v["change_pp"].as_f64().unwrap(),
        )
    };
    let (cb, ca, change) = read(true);
    let truth = 100.0 * (a.truth - b.truth);
    assert!((cb - b.truth).abs() < 0.03, "before {cb} vs {}", b.truth);
    assert!((ca - a.truth).abs() < 0.03, "after {ca} vs {}", a.truth);
    assert!((change - truth).abs() < 2.5, "change {change} vs {truth}");
    // Without the larger copies both visits read high.
    let (cb0, ca0, _) = read(false);
    assert!(cb0 - b.truth > 0.04 && ca0 - a.truth > 0.04, "{cb0} {ca0}");
}

#[wasm_bindgen_test]
fn four_views_weigh_into_a_salt_estimate_and_a_missing_one_is_named() {
    use scalp_compare::web::salt_estimate;
    // Top, back, left, right: coverage and uncertainty of each.
    let readings = [0.5, 0.1, 1.0, 0.0, 0.8, 0.05, 0.8, 0.05];
    let v = json(&salt_estimate(&readings).expect("estimated"));
    // Loss per view 50, 0, 20, 20 points, weighted 40/24/18/18.
    let loss = v["loss_percent"].as_f64().unwrap();
    assert!(
        (loss - (0.4 * 50.0 + 0.18 * 20.0 * 2.0)).abs() < 1e-9,
        "{loss}"
    );
    let unc = v["uncertainty_pp"].as_f64().unwrap();
    let expected = ((0.4f64 * 10.0).powi(2) + 2.0 * (0.18f64 * 5.0).powi(2)).sqrt();
    assert!((unc - expected).abs() < 1e-9, "{unc}");
    assert_eq!(v["views"]["back"]["weight"], 0.24);
    assert!(v["label"]
        .as_str()
        .unwrap()
        .contains("not a clinical SALT score"));
    let left_unmeasured = [0.5, 0.1, 1.0, 0.0, f64::NAN, 0.05, 0.8, 0.05];
    let why = message(salt_estimate(&left_unmeasured).unwrap_err());
    assert!(
        why.contains("the left view has no coverage reading"),
        "{why}"
    );
    let why = message(salt_estimate(&readings[..6]).unwrap_err());
    assert!(
        why.contains("the right view has no coverage reading"),
        "{why}"
    );
}

#[wasm_bindgen_test]
fn a_hand_alignment_is_scored_in_original_pixels() {
    use scalp_compare::coverage::synth::{render, SynthParams};
    use scalp_compare::web::score_alignment;
    let s = render(&SynthParams {
        width: 300,
        height: 300,
        density: 0.4,
        noise: 1.5,
        ..Default::default()
    });
    let px = s.image.as_bytes();
    // BEFORE's working copy is half its photo's size, AFTER's a quarter (AFTER was taken at
    // twice the resolution); the matrix maps AFTER's pixels to BEFORE's.
    let score = |m: &str| score_alignment(px, 300, 300, 0.5, px, 300, 300, 0.25, m);
    let lined_up = score("[[0.5,0,0],[0,0.5,0],[0,0,1]]").expect("scored");
    assert!(lined_up > 0.9, "{lined_up}");
    // The factors the other way round, or 36 px of the 600 px BEFORE (6 %) off: not confirmed.
    let swapped = score_alignment(
        px,
        300,
        300,
        0.25,
        px,
        300,
        300,
        0.5,
        "[[0.5,0,0],[0,0.5,0],[0,0,1]]",
    )
    .expect("scored");
    assert!(swapped < 0.3, "{swapped}");
    let off = score("[[0.5,0,36],[0,0.5,0],[0,0,1]]").expect("scored");
    assert!(off < 0.3, "{off}");
    let why = message(score("[[0,0,0],[0,0,0],[0,0,1]]").unwrap_err());
    assert!(why.contains("alignment is not usable"), "{why}");
}
