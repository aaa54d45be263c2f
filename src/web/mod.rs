//! The browser layer (wasm32 only): turns a photo file into an upright
//! `ImageBitmap` for the widget, after checking it with the core's
//! [`crate::probe::inspect`]. It runs in the widget's Web Worker, so the page
//! never decodes on its main thread. No algorithm lives here.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ImageBitmap, ImageBitmapOptions, ImageOrientation, ResizeQuality};

use crate::probe::{inspect, PhotoInfo};

pub mod session;

/// A checked, decoded photo: its facts and the upright bitmap to draw.
#[wasm_bindgen]
pub struct LoadedPhoto {
    info: PhotoInfo,
    bitmap: ImageBitmap,
}

#[wasm_bindgen]
impl LoadedPhoto {
    /// Width after EXIF orientation, in pixels.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> u32 {
        self.info.width
    }

    /// Height after EXIF orientation, in pixels.
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.info.height
    }

    /// The EXIF orientation tag (1–8) that was applied.
    #[wasm_bindgen(getter)]
    pub fn orientation(&self) -> u8 {
        self.info.orientation
    }

    /// `"jpeg"` or `"png"`.
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.info.format.name().to_ascii_lowercase()
    }

    /// When the photo was taken, from its EXIF date (DateTimeOriginal, else
    /// DateTimeDigitized, else DateTime), as the camera's local time
    /// `"YYYY-MM-DDTHH:MM:SS"`; `undefined` when the file has no valid date.
    #[wasm_bindgen(getter)]
    pub fn taken(&self) -> Option<String> {
        self.info.taken.clone()
    }

    /// The upright bitmap (transferable to the page).
    #[wasm_bindgen(getter)]
    pub fn bitmap(&self) -> ImageBitmap {
        self.bitmap.clone()
    }
}

/// `value` as a JavaScript value (through JSON, which the replies are shaped for);
/// `failed` is the message when it cannot be.
fn to_js<T: serde::Serialize>(value: &T, failed: &str) -> Result<JsValue, JsError> {
    let text = serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new(failed))
}

/// Checks a photo file's bytes without decoding them; returns
/// `{format, width, height, orientation, stored_width, stored_height, taken}` or throws
/// an `Error` whose message can be shown as it is.
#[wasm_bindgen(js_name = inspectPhoto)]
pub fn inspect_photo(bytes: &[u8]) -> Result<JsValue, JsError> {
    let info = inspect(bytes).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&info, "could not describe the photo")
}

/// Reads a photo file, checks it, and decodes it with the browser's own decoder
/// (EXIF orientation honoured). When the upright photo's longer side exceeds
/// `max_side` (0 for no limit), the bitmap is reduced to that size (high-quality
/// resampling) for display; `width` and `height` stay the original's. A bad
/// file, or a photo under [`crate::align::MIN_SIDE`] pixels a side (nothing to
/// compare), rejects with a message written for the person who chose it; nothing
/// panics.
#[wasm_bindgen(js_name = loadPhoto)]
pub async fn load_photo(blob: Blob, max_side: u32) -> Result<LoadedPhoto, JsError> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| JsError::new("The file could not be read."))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let info = inspect(&bytes).map_err(|e| JsError::new(&e.to_string()))?;
    drop(bytes);
    // Refused here, so that it never replaces a photo being compared: it could not be aligned.
    let min = crate::align::MIN_SIDE;
    if info.width < min || info.height < min {
        return Err(JsError::new(&format!(
            "This photo is too small to compare ({}\u{d7}{} pixels; at least {min}\u{d7}{min} needed).",
            info.width, info.height
        )));
    }

    let options = ImageBitmapOptions::new();
    options.set_image_orientation(ImageOrientation::FromImage);
    let (w, h) = (info.width, info.height);
    if max_side > 0 && w.max(h) > max_side {
        let scale = f64::from(max_side) / f64::from(w.max(h));
        options.set_resize_width(((f64::from(w) * scale).round() as u32).max(1));
        options.set_resize_height(((f64::from(h) * scale).round() as u32).max(1));
        options.set_resize_quality(ResizeQuality::High);
    }
    let global = js_sys::global();
    let promise = if let Some(scope) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        scope.create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &options)
    } else if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        window.create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &options)
    } else {
        return Err(JsError::new("This browser cannot decode photos here."));
    }
    .map_err(|_| JsError::new("This browser cannot decode photos here."))?;
    let bitmap: ImageBitmap = JsFuture::from(promise)
        .await
        .map_err(|_| {
            JsError::new(&format!(
                "The {} file is damaged: the browser could not decode its pixels.",
                info.format.name()
            ))
        })?
        .unchecked_into();
    Ok(LoadedPhoto { info, bitmap })
}

/// What the page asks of [`align_photos`], as JSON.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AlignRequest {
    /// The transform family wanted.
    model: crate::geometry::Model,
    /// Manual landmark pairs, in original pixels: `before[i]` matches `after[i]`.
    landmarks: Option<Landmarks>,
}

#[derive(serde::Deserialize)]
struct Landmarks {
    before: Vec<(f64, f64)>,
    after: Vec<(f64, f64)>,
}

/// What [`align_photos`] answers, as JSON. `matrix` maps AFTER to BEFORE in
/// the original photos' pixels.
#[derive(serde::Serialize)]
struct AlignReply {
    reliable: bool,
    matrix: [[f64; 3]; 3],
    model: crate::geometry::Model,
    confidence: f64,
    rotation_deg: f64,
    scale: f64,
    translation: (f64, f64),
    /// Per landmark pair: BEFORE-pixel distance between the BEFORE point and
    /// where the alignment sends its AFTER partner.
    residuals: Vec<f64>,
    message: Option<String>,
}

thread_local! {
    static ALIGNERS: std::cell::RefCell<Vec<crate::align::Aligner>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Aligns AFTER onto BEFORE from working copies of the two photos (RGBA, as a
/// canvas gives them). `before_factor`/`after_factor` say how the working
/// copies were reduced (working = original × factor); the answer is in
/// original pixels. `request` is JSON: `{"model": "similarity"|"affine"|
/// "homography", "landmarks": {"before": [[x,y],...], "after": [[x,y],...]}}`.
///
/// Returns `{reliable, matrix, model, confidence, rotation_deg, scale,
/// translation, residuals, message}`; an unreliable automatic alignment comes
/// back with `reliable: false`, the best guess and a message, so the page can
/// offer manual alignment instead of showing a wrong overlay. Throws only for
/// unusable input.
#[wasm_bindgen(js_name = alignPhotos)]
#[allow(clippy::too_many_arguments)]
pub fn align_photos(
    before_rgba: &[u8],
    before_width: u32,
    before_height: u32,
    before_factor: f64,
    after_rgba: &[u8],
    after_width: u32,
    after_height: u32,
    after_factor: f64,
    request: &str,
) -> Result<JsValue, JsError> {
    use crate::align::{AlignError, AlignOptions, Aligner};
    let fail = |e: &dyn std::fmt::Display| JsError::new(&e.to_string());
    let request: AlignRequest = serde_json::from_str(request).map_err(|e| fail(&e))?;
    let before = (before_rgba, before_width, before_height, before_factor);
    let after = (after_rgba, after_width, after_height, after_factor);
    let result = with_greys(before, after, |before, after| {
        Ok(ALIGNERS.with(|cell| {
            let mut aligners = cell.borrow_mut();
            let index = match aligners
                .iter()
                .position(|a| a.options().model == request.model)
            {
                Some(i) => i,
                None => {
                    aligners.push(Aligner::new(AlignOptions {
                        model: request.model,
                        ..AlignOptions::default()
                    }));
                    aligners.len() - 1
                }
            };
            let aligner = &mut aligners[index];
            match &request.landmarks {
                Some(l) => {
                    // Fitted in the photos' own pixels, as the CLI fits them (a misfit is judged
                    // there, and the panel shows each pair's distance in them), then refined on
                    // the working copies.
                    let model = aligner.landmark_model(l.before.len());
                    let fit =
                        crate::geometry::Transform::from_landmarks(&l.before, &l.after, model)?;
                    let start = fit.transform.rescaled(before_factor, after_factor);
                    aligner.align_from_landmark_fit(before, after, &start)
                }
                None => aligner.align(before, after),
            }
        }))
    })?;
    let (reliable, transform, confidence, message) = match result {
        Ok(a) => (true, a.transform, a.confidence, None),
        Err(AlignError::Unreliable {
            confidence,
            best_guess,
        }) => {
            let msg = AlignError::Unreliable {
                confidence,
                best_guess,
            }
            .to_string();
            (false, best_guess, confidence, Some(msg))
        }
        Err(e) => return Err(fail(&e)),
    };
    let t = transform.rescaled(1.0 / before_factor, 1.0 / after_factor);
    let residuals = request
        .landmarks
        .as_ref()
        .map(|l| {
            l.before
                .iter()
                .zip(&l.after)
                .map(|(&(bx, by), &(ax, ay))| {
                    let (x, y) = t.apply(ax, ay);
                    (x - bx).hypot(y - by)
                })
                .collect()
        })
        .unwrap_or_default();
    let reply = AlignReply {
        reliable,
        matrix: t.matrix,
        model: t.model,
        confidence,
        rotation_deg: t.rotation_deg(),
        scale: t.scale_factor(),
        translation: t.translation(),
        residuals,
        message,
    };
    to_js(&reply, "could not describe the alignment")
}

/// How well the photos' fine detail agrees under an alignment the aligner did not find
/// itself (nudged by hand, or set by the page): `matrix_json` maps AFTER to BEFORE in
/// original pixels, as [`align_photos`] answers; the working copies are scaled by
/// `before_factor` and `after_factor` (working = original * factor). Answers a confidence
/// on the scale of an automatic alignment's, 0..1: below 0.5 the photos do not confirm it.
#[wasm_bindgen(js_name = scoreAlignment)]
#[allow(clippy::too_many_arguments)]
pub fn score_alignment(
    before_rgba: &[u8],
    before_width: u32,
    before_height: u32,
    before_factor: f64,
    after_rgba: &[u8],
    after_width: u32,
    after_height: u32,
    after_factor: f64,
    matrix_json: &str,
) -> Result<f64, JsError> {
    let t = transform_from_json(matrix_json)?;
    let before = (before_rgba, before_width, before_height, before_factor);
    let after = (after_rgba, after_width, after_height, after_factor);
    with_greys(before, after, |b, a| {
        crate::align::Aligner::default()
            .score(b, a, &t.rescaled(before_factor, after_factor))
            .map_err(|e| JsError::new(&e.to_string()))
    })
}

/// A working copy as the web layer is handed it: RGBA pixels, width, height, and its
/// scale factor (working = original * factor).
type WorkCopy<'a> = (&'a [u8], u32, u32, f64);

/// Runs `f` on the grey versions of two working copies (BEFORE, AFTER), as the aligner
/// takes them, once their scale factors are checked.
fn with_greys<T>(
    before: WorkCopy,
    after: WorkCopy,
    f: impl FnOnce(crate::align::GreyRef, crate::align::GreyRef) -> Result<T, JsError>,
) -> Result<T, JsError> {
    use crate::align::{rgba_to_grey, GreyRef};
    let fail = |e: &dyn std::fmt::Display| JsError::new(&e.to_string());
    if !(before.3 > 0.0 && after.3 > 0.0) {
        return Err(JsError::new("working copies need a positive scale factor"));
    }
    let bg = rgba_to_grey(before.0, before.1, before.2).map_err(|e| fail(&e))?;
    let ag = rgba_to_grey(after.0, after.1, after.2).map_err(|e| fail(&e))?;
    let b = GreyRef::new(&bg, before.1, before.2).map_err(|e| fail(&e))?;
    let a = GreyRef::new(&ag, after.1, after.2).map_err(|e| fail(&e))?;
    f(b, a)
}

/// An AFTER->BEFORE alignment given as JSON (a 3x3 row-major matrix).
fn transform_from_json(matrix_json: &str) -> Result<crate::geometry::Transform, JsError> {
    let matrix: [[f64; 3]; 3] =
        serde_json::from_str(matrix_json).map_err(|e| JsError::new(&e.to_string()))?;
    crate::geometry::Transform::from_matrix(matrix)
        .ok_or_else(|| JsError::new("the alignment is not usable"))
}

/// What [`analyze_pair`] answers, as JSON: coverage of each visit over the same
/// scalp region, the change, and a per-cell change map in BEFORE's original
/// pixels (for the heat-map view).
#[derive(serde::Serialize)]
struct AnalysisReply {
    before: Side,
    after: Side,
    change_pp: f64,
    change_uncertainty_pp: f64,
    roi: Roi,
    cells: Cells,
}

#[derive(serde::Serialize)]
struct Side {
    coverage: f64,
    uncertainty: f64,
}

#[derive(serde::Serialize)]
struct Roi {
    source: &'static str,
    area_px: f64,
    polygon: Vec<(f64, f64)>,
}

impl Roi {
    /// The region a measurement used, from working pixels (`1 / factor` original pixels
    /// each) back to original pixels.
    fn of(c: &crate::coverage::Coverage, factor: f64) -> Roi {
        use crate::coverage::RegionSource;
        let k = 1.0 / factor;
        Roi {
            source: match c.region_source {
                RegionSource::Auto => "auto",
                RegionSource::Given => "given",
            },
            area_px: c.region_area_px * k * k,
            polygon: c
                .region
                .points
                .iter()
                .map(|&(x, y)| (x * k, y * k))
                .collect(),
        }
    }
}

/// A region given as JSON (`null`, or `[[x, y], ...]` in original pixels) in working
/// pixels (`factor` = working / original).
fn region_from_json(
    roi_json: &str,
    factor: f64,
) -> Result<Option<crate::coverage::Polygon>, JsError> {
    let roi: Option<Vec<(f64, f64)>> =
        serde_json::from_str(roi_json).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(roi.map(|pts| {
        crate::coverage::Polygon::new(
            pts.into_iter()
                .map(|(x, y)| (x * factor, y * factor))
                .collect(),
        )
    }))
}

#[derive(serde::Serialize)]
struct Cells {
    cols: u32,
    rows: u32,
    x0: f64,
    y0: f64,
    cell_w: f64,
    cell_h: f64,
    change_pp: Vec<Option<f32>>,
}

/// `big` as the larger copy of a working copy `width` pixels wide.
fn as_larger(
    big: &Option<crate::raster::RgbaImage>,
    width: u32,
) -> Option<crate::coverage::Larger<'_>> {
    big.as_ref().map(|b| crate::coverage::Larger {
        image: b,
        factor: f64::from(b.width()) / f64::from(width),
    })
}

/// The larger copy handed along with a working copy, or `None` when `rgba` is empty.
fn larger_copy(
    rgba: Vec<u8>,
    width: u32,
    height: u32,
) -> Result<Option<crate::raster::RgbaImage>, JsError> {
    if rgba.is_empty() {
        return Ok(None);
    }
    crate::raster::RgbaImage::from_raw(width, height, rgba)
        .map(Some)
        .map_err(|e| JsError::new(&format!("the larger copy of the photo is unusable: {e}")))
}

/// A working copy of at most `max_side` pixels a side, averaged in linear light (see
/// [`crate::coverage::working_copy`]): `{rgba, width, height}`.
#[wasm_bindgen(js_name = workingCopy)]
pub fn working_copy(
    rgba: &[u8],
    width: u32,
    height: u32,
    max_side: u32,
) -> Result<JsValue, JsError> {
    let photo = crate::raster::RgbaImage::from_raw(width, height, rgba.to_vec())
        .map_err(|e| JsError::new(&e.to_string()))?;
    let (copy, _) = crate::coverage::working_copy(&photo, max_side);
    let out = js_sys::Object::new();
    let (w, h) = (copy.width(), copy.height());
    let pixels = js_sys::Uint8ClampedArray::from(copy.as_bytes());
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&out, &JsValue::from_str(k), v);
    set("rgba", &pixels)
        .and_then(|_| set("width", &JsValue::from(w)))
        .and_then(|_| set("height", &JsValue::from(h)))
        .map_err(|_| JsError::new("could not describe the working copy"))?;
    Ok(out.into())
}

/// What [`measure_photo`] answers, in the photo's original pixels.
#[derive(serde::Serialize)]
struct PhotoReply {
    coverage: f64,
    uncertainty: f64,
    roi: Roi,
}

/// Measures hair coverage on one photo's working copy (`factor` = working / original
/// pixels) over `roi_json`: `null` finds the scalp automatically, `[[x, y], ...]` is a
/// polygon in original pixels. Throws with a message for a person when the photo cannot
/// support a number; without a region, its advice is only what a photo measured whole
/// can follow (retaking it), since no region is drawn on a SALT-style view or a visit.
///
/// `larger` (`larger_width` x `larger_height` RGBA; empty when there is none) is the same
/// photo at a higher resolution: the hair and skin colours are fitted on it.
#[wasm_bindgen(js_name = measurePhoto)]
#[allow(clippy::too_many_arguments)]
pub fn measure_photo(
    rgba: &[u8],
    width: u32,
    height: u32,
    factor: f64,
    roi_json: &str,
    larger: Vec<u8>,
    larger_width: u32,
    larger_height: u32,
) -> Result<JsValue, JsError> {
    use crate::coverage::{Advice, Analyzer, CoverageOptions};
    use crate::raster::RgbaImage;
    let fail = |e: &dyn std::fmt::Display| JsError::new(&e.to_string());
    let region = region_from_json(roi_json, factor)?;
    let photo = RgbaImage::from_raw(width, height, rgba.to_vec()).map_err(|e| fail(&e))?;
    let big = larger_copy(larger, larger_width, larger_height)?;
    // A photo measured whole (a SALT-style view, a visit) has no region to draw: its
    // refusals advise retaking it.
    let advice = if region.is_some() {
        Advice::DrawRegion
    } else {
        Advice::RetakeOnly
    };
    let c = Analyzer::new(CoverageOptions::default())
        .coverage_with(&photo, as_larger(&big, width), region.as_ref())
        .map_err(|e| JsError::new(&e.message(advice)))?;
    let reply = PhotoReply {
        coverage: c.coverage,
        uncertainty: c.uncertainty,
        roi: Roi::of(&c, factor),
    };
    to_js(&reply, "could not describe the measurement")
}

/// Measures hair coverage on both visits over one scalp region seen through the
/// alignment, from the same working copies as [`align_photos`]. `matrix_json`
/// is the AFTER→BEFORE matrix in original pixels; `roi_json` is `null` (find
/// the scalp automatically) or `[[x, y], ...]` in BEFORE's original pixels.
/// Throws with a message for a person when a photo cannot support a number. With
/// `measured_whole` (a pair of visits on the progress chart, where no region is drawn) or
/// `retake_only` (a reader who cannot draw one: a patient's read-only view), its advice is
/// only to retake a photo (with `retake_only` alone, a region given is the specialist's:
/// one too small is said to be so; `measured_whole` takes precedence).
///
/// `before_larger` and `after_larger` are the same photos at a higher resolution
/// (`[rgba, width, height]` as in [`measure_photo`]; empty when there is none).
#[wasm_bindgen(js_name = analyzePair)]
#[allow(clippy::too_many_arguments)]
pub fn analyze_pair(
    before_rgba: &[u8],
    before_width: u32,
    before_height: u32,
    before_factor: f64,
    after_rgba: &[u8],
    after_width: u32,
    after_height: u32,
    after_factor: f64,
    matrix_json: &str,
    roi_json: &str,
    before_larger: Vec<u8>,
    before_larger_width: u32,
    before_larger_height: u32,
    after_larger: Vec<u8>,
    after_larger_width: u32,
    after_larger_height: u32,
    measured_whole: bool,
    retake_only: bool,
) -> Result<JsValue, JsError> {
    use crate::coverage::{Advice, Analyzer, CoverageOptions};
    use crate::raster::RgbaImage;
    let fail = |e: &dyn std::fmt::Display| JsError::new(&e.to_string());
    let t = transform_from_json(matrix_json)?;
    let region = region_from_json(roi_json, before_factor)?;
    let work_t = t.rescaled(before_factor, after_factor);
    let before = RgbaImage::from_raw(before_width, before_height, before_rgba.to_vec())
        .map_err(|e| fail(&e))?;
    let after = RgbaImage::from_raw(after_width, after_height, after_rgba.to_vec())
        .map_err(|e| fail(&e))?;
    let big_b = larger_copy(before_larger, before_larger_width, before_larger_height)?;
    let big_a = larger_copy(after_larger, after_larger_width, after_larger_height)?;
    let advice = if measured_whole {
        Advice::RetakeOnly
    } else if retake_only && region.is_some() {
        Advice::MarkedRegion
    } else if retake_only {
        Advice::RetakeOnly
    } else {
        Advice::DrawRegion
    };
    // A pair of visits on the chart gives only its change: BEFORE is not read alone again.
    let options = CoverageOptions {
        figures_from_before_alone: !measured_whole,
        ..CoverageOptions::default()
    };
    let change = Analyzer::new(options)
        .change_with(
            [&before, &after],
            [
                as_larger(&big_b, before_width),
                as_larger(&big_a, after_width),
            ],
            work_t.matrix,
            region.as_ref(),
        )
        .map_err(|e| JsError::new(&e.message(advice)))?;
    let k = 1.0 / before_factor;
    let c = &change.cell_map;
    let reply = AnalysisReply {
        before: Side {
            coverage: change.before.coverage,
            uncertainty: change.before.uncertainty,
        },
        after: Side {
            coverage: change.after.coverage,
            uncertainty: change.after.uncertainty,
        },
        change_pp: change.change_pp,
        change_uncertainty_pp: change.change_uncertainty_pp,
        roi: Roi::of(&change.before, before_factor),
        cells: Cells {
            cols: c.cols,
            rows: c.rows,
            x0: c.x0 * k,
            y0: c.y0 * k,
            cell_w: c.cell_w * k,
            cell_h: c.cell_h * k,
            change_pp: c.change_pp.clone(),
        },
    };
    to_js(&reply, "could not describe the analysis")
}

/// One view in [`SaltReply`]: its reading and its weight.
#[derive(serde::Serialize)]
struct SaltView {
    coverage: f64,
    uncertainty: f64,
    weight: f64,
}

/// What [`salt_estimate`] answers (the shape of the CLI's `salt --json`).
#[derive(serde::Serialize)]
struct SaltReply {
    label: &'static str,
    loss_percent: f64,
    uncertainty_pp: f64,
    views: SaltViews,
}

/// The views of [`SaltReply`], by name (named fields: a map built from
/// [`crate::coverage::SALT_VIEWS`] cost the wasm 3.5 KB more).
#[derive(serde::Serialize)]
struct SaltViews {
    top: SaltView,
    back: SaltView,
    left: SaltView,
    right: SaltView,
}

/// A SALT-style estimate of hair loss from the coverage measured on four views of one
/// visit. `readings` holds each view's coverage and uncertainty (fractions, as
/// [`measure_photo`] answers), top, back, left, right: `[c, u, c, u, c, u, c, u]`.
/// Answers `{label, loss_percent, uncertainty_pp, views: {top: {coverage, uncertainty,
/// weight}, ...}}`, the shape of the CLI's `salt --json`; throws naming the view whose
/// reading is missing or not a fraction.
#[wasm_bindgen(js_name = saltEstimate)]
pub fn salt_estimate(readings: &[f64]) -> Result<JsValue, JsError> {
    use crate::coverage::{salt_from_readings, SALT_LABEL, SALT_VIEWS};
    let mut given = [(0.0, 0.0); 4];
    for (i, (slot, (view, _))) in given.iter_mut().zip(SALT_VIEWS).enumerate() {
        let (c, u) = (readings.get(2 * i), readings.get(2 * i + 1));
        *slot = c
            .zip(u)
            .map(|(&c, &u)| (c, u))
            .filter(|&(c, u)| (0.0..=1.0).contains(&c) && u.is_finite() && u >= 0.0)
            .ok_or_else(|| {
                JsError::new(&format!(
                    "the {view} view has no coverage reading (a fraction 0 to 1 with its uncertainty)"
                ))
            })?;
    }
    let est = salt_from_readings(given);
    let view = |i: usize| SaltView {
        coverage: given[i].0,
        uncertainty: given[i].1,
        weight: SALT_VIEWS[i].1,
    };
    let reply = SaltReply {
        label: SALT_LABEL,
        loss_percent: est.estimated_loss_percent,
        uncertainty_pp: est.uncertainty_pp,
        views: SaltViews {
            top: view(0),
            back: view(1),
            left: view(2),
            right: view(3),
        },
    };
    to_js(&reply, "could not describe the estimate")
}
