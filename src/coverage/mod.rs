//! Hair coverage: the fraction of a scalp region where the camera sees hair rather than
//! skin, and how it changed between two visits, each with an uncertainty.
//!
//! What it does: a per-pixel hair fraction by linear unmixing between a skin colour and a
//! hair colour in linear light (a second hair colour on the other side of skin for grey
//! hair; when neutral strands range widely in lightness, as grey hair's pigmented and
//! white strands do, each pixel is unmixed with hair of the lightness that fits it; when
//! light strands are so dense that the class taken for skin lies between them and a darker
//! one, that darker class is the skin), after a smooth illumination field is removed;
//! which side of skin hair lies on is decided from the two colour classes (neutral,
//! yellower or redder than the skin locus, otherwise darker; under a colour cast, by how
//! they differ, which the cast leaves alone).
//! Hair lighter than skin is then read only where the map shows strands: smooth light on
//! skin, a bald scalp's shine, is taken out. It also finds the scalp automatically (head
//! against background) or takes a drawn region, normalises colour between visits
//! (shades-of-grey, then each visit's own skin), gives a per-cell change map, and refuses
//! photos that cannot support a number.
//! When the working copy is reduced (a phone photo), strands a few pixels wide become
//! blends of hair and skin there, so the skin and hair colours are fitted on nine tiles of
//! the region at full resolution, where pure hair and pure skin pixels exist, and only the
//! light field on the working copy ([`CoverageOptions::full_resolution_colours`]). Area
//! averaging in linear light keeps the working pixels exact mixtures of those colours.
//!
//! The uncertainty: the spread of readings when the fitted colours move by a plausible
//! error, combined with how far other plausible models of the same pixels land: the light
//! taken from the local skin level (a closing or opening of the log luminance) instead of
//! the smooth field; a hair colour half as far again from skin (the purest hair pixels may
//! still be part skin); the hair colour as seen, when dark strands that no pixel shows pure
//! (thinner than a pixel) were taken towards black; hair on the other side of skin when
//! texture (skin is smooth, hair is rough) disagrees with colour (not asked when hair is far
//! darker than a skin-coloured skin); light hair read with the smooth light left in; for one
//! photo whose colours were fitted again without its shine, the first fit's reading (the
//! same visit in a pair is not refitted, so the two readings stay within each other's
//! reach); and, for a change, each visit measured with the other visit's colours.
//! Beyond 30 points of uncertainty a photo or a pair gives no number
//! ([`CoverageError::Ambiguous`]). On the benchmark the error lies within the stated
//! uncertainty for about 87 % of photos and within twice it for about 96 %.
//!
//! What it does not do: diagnose anything, count hairs, or measure hair thickness. The
//! numbers are estimates of *visible* coverage in a photo. Known weak cases: light hair on
//! light skin, brown or auburn hair on the darkest skin, strong blur (hair then reads too
//! high), and shine or shading on a bald scalp under dark hair (can read as hair; strong shine
//! taken for the skin is refused as [`CoverageError::Glare`]; a wide shine that pulls the
//! fitted skin colour towards it is taken off and the colours of one photo fitted again).
//! [`salt_estimate`] is labelled as an estimate, not a SALT score taken by a clinician.
//!
//! Coordinates are pixels of the original photo (after EXIF orientation). Work happens on a
//! copy whose longer side is at most [`CoverageOptions::max_side`]; areas and polygons
//! that cross the API are in original pixels. A transform between visits maps AFTER
//! coordinates to BEFORE coordinates.
//!
//! ```
//! use scalp_compare::coverage::{synth, Analyzer, CoverageOptions};
//! let photo = synth::render(&synth::SynthParams { density: 0.4, ..Default::default() });
//! let mut analyzer = Analyzer::new(CoverageOptions::default());
//! let c = analyzer.coverage(&photo.image, Some(&photo.region)).unwrap();
//! assert!((c.coverage - photo.truth).abs() < 0.1);
//! ```

// Colour code indexes channels and small matrices by number; iterator chains read worse.
#![allow(clippy::needless_range_loop)]
#![deny(missing_docs)]

mod classify;
mod polygon;
mod region;
pub mod synth;
mod work;

use std::fmt;

pub use polygon::{Polygon, PolygonParseError};

use crate::raster::RgbaImage;
use classify::{Frame, LocalLevel, Model, Prepared};
use work::Lin;

/// Settings of an [`Analyzer`].
#[derive(Debug, Clone)]
pub struct CoverageOptions {
    /// Longest side of the working copy in pixels (photos larger than this are reduced by
    /// area averaging in linear light, which keeps partial hair coverage exact on average).
    pub max_side: u32,
    /// Keep the per-pixel hair map in the result (for an overlay).
    pub keep_hair_map: bool,
    /// Number of cells across and down the change map.
    pub cells: u32,
    /// Smallest region, in working pixels, that gives a number.
    pub min_region_work_px: usize,
    /// When the working copy is reduced (a phone photo), fit the skin and hair colours on
    /// full-resolution tiles of the region, where strands are resolved, and only the light
    /// field on the working copy. Off: everything is fitted on the working copy, where thin
    /// strands are blended with skin and read too pale.
    pub full_resolution_colours: bool,
    /// In a pair ([`Analyzer::change_with`]), read BEFORE alone over the common region for
    /// the visits' figures (see [`Change`]). Off: the figures are the pair's own fit, and the
    /// pair takes less time (for a caller that uses only the change).
    pub figures_from_before_alone: bool,
}

impl Default for CoverageOptions {
    fn default() -> Self {
        CoverageOptions {
            max_side: 1024,
            keep_hair_map: false,
            cells: 32,
            min_region_work_px: 1500,
            full_resolution_colours: true,
            figures_from_before_alone: true,
        }
    }
}

/// The same photo at a higher resolution than the one given for measurement (a caller
/// that keeps a small working copy, such as the browser worker, can hand this along): the
/// skin and hair colours are then fitted on it, where strands are less blended with skin.
#[derive(Debug, Clone, Copy)]
pub struct Larger<'a> {
    /// The larger copy, same framing as the measured photo.
    pub image: &'a RgbaImage,
    /// Its pixels per pixel of the measured photo (above 1).
    pub factor: f64,
}

/// Where the measured region came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionSource {
    /// Found automatically (the head against its background).
    Auto,
    /// Given by the caller.
    Given,
}

/// The per-pixel hair fraction at working size.
#[derive(Debug, Clone)]
pub struct HairMap {
    /// Width of the map.
    pub width: u32,
    /// Height of the map.
    pub height: u32,
    /// `map_coord = original_coord * scale`.
    pub scale: f64,
    /// Hair fraction per pixel in [0, 1], row-major; `NaN` outside the region.
    pub alpha: Vec<f32>,
}

/// A coverage measurement of one photo.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Fraction of the region covered by hair, in [0, 1].
    pub coverage: f64,
    /// Uncertainty of `coverage` (about one standard deviation), as a fraction.
    pub uncertainty: f64,
    /// Area of the measured region in original pixels.
    pub region_area_px: f64,
    /// Where the region came from.
    pub region_source: RegionSource,
    /// The measured region in original pixels (for an automatic region, the head outline).
    pub region: Polygon,
    /// The hair map, when [`CoverageOptions::keep_hair_map`] is set.
    pub hair_map: Option<HairMap>,
}

/// Per-cell change between visits over a grid laid on the BEFORE photo.
#[derive(Debug, Clone)]
pub struct CellMap {
    /// Cells across.
    pub cols: u32,
    /// Cells down.
    pub rows: u32,
    /// Left edge of the grid in BEFORE pixels.
    pub x0: f64,
    /// Top edge of the grid in BEFORE pixels.
    pub y0: f64,
    /// Cell width in BEFORE pixels.
    pub cell_w: f64,
    /// Cell height in BEFORE pixels.
    pub cell_h: f64,
    /// Change in percentage points per cell, row-major; `None` where the cell holds too
    /// little of the region.
    pub change_pp: Vec<Option<f32>>,
}

/// The change in coverage between two visits over the same region.
///
/// The change is the pair's own fit (hair on the same side of skin at both visits, the
/// same yardstick for both). The visits' figures are BEFORE as it reads alone over the
/// common region (as [`Analyzer::coverage_with`] reads it) and AFTER as that plus the
/// change, with BEFORE's and the change's uncertainties together; so a photo reads the
/// same whatever it is compared with. Where BEFORE cannot be read alone, or that plus the
/// change would leave 0-100 %, they are the pair fit's own (and so whenever
/// [`CoverageOptions::figures_from_before_alone`] is off). Either way `after - before` is
/// `change_pp`.
#[derive(Debug, Clone)]
pub struct Change {
    /// BEFORE over the common region.
    pub before: Coverage,
    /// AFTER over the same region (seen through the alignment), with its area and polygon
    /// in BEFORE pixels.
    pub after: Coverage,
    /// After minus before, in percentage points.
    pub change_pp: f64,
    /// Uncertainty of `change_pp` in percentage points.
    pub change_uncertainty_pp: f64,
    /// Per-cell change for a heat map.
    pub cell_map: CellMap,
}

/// Why coverage could not be measured.
#[derive(Debug, Clone, PartialEq)]
pub enum CoverageError {
    /// The region is not a usable polygon.
    InvalidRegion(String),
    /// The region covers too little of the photo.
    RegionTooSmall,
    /// No head could be told apart from the background.
    NoScalpFound,
    /// Too much of the region is blown out to white.
    Overexposed,
    /// Too much of the region is black.
    Underexposed,
    /// The photo is out of focus or moved.
    Blurred,
    /// The region shows no detail to tell hair from skin.
    NoContrast,
    /// The alignment matrix cannot be inverted.
    InvalidTransform,
    /// The two photos do not overlap enough over the region.
    NoOverlap,
    /// Equally plausible readings of the photo disagree too much to give a number (hair
    /// and skin alike in colour, or one material only that looks like two).
    Ambiguous,
    /// The hair and skin colours found are too close to tell a pixel's share of hair
    /// from the skin's own shading and mottling.
    AlikeColours,
    /// The class taken for skin does not have a skin's colour (greener than red, or far
    /// redder than any scalp, as auburn hair is): both classes found are hair, or hair and
    /// shine, and the scalp between was not found.
    NoSkinColour,
    /// What the model reads as partly hair varies smoothly, with none of the fine structure
    /// strands give: a change in the skin's own colour (flushed or darker skin, shade),
    /// not hair.
    NoStrands,
    /// The class taken for bare skin is far rougher than the hair beside it though it is
    /// the lighter of the two (a lighter surface shows camera noise less, not more): strong
    /// shine or glare across the scalp, cut up by strands, not skin.
    Glare,
}

/// Where a refusal is read, so that its advice is something the reader can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    /// In the widget's comparison, where a region can be drawn (the [`fmt::Display`] text).
    DrawRegion,
    /// At the command line, where a region is given with `--roi`.
    RoiOption,
    /// A photo measured whole, where no region can be given (a view of a SALT-style
    /// estimate, a visit on the progress chart): only retaking the photo helps.
    RetakeOnly,
    /// A region marked by someone else, read by a person who cannot change it (a patient
    /// reading the specialist's region): as [`Advice::RetakeOnly`], except that a region
    /// too small is said to be the marked region's fault, not the photo's.
    MarkedRegion,
}

const AMBIGUOUS: &str = "hair and skin cannot be told apart reliably in this photo (equally plausible readings differ by more than 30 points)";
const NO_SKIN_COLOUR: &str = "no scalp of a skin's colour was found between the hairs in this photo (the hair may hide it, or the light is strongly tinted)";
const NO_STRANDS: &str = "what reads as hair in this photo shows no strands, only a smooth change in the scalp's colour (redder or darker skin, or shade)";
const GLARE: &str =
    "strong shine or glare on the scalp in this photo hides the skin between the hairs";

impl CoverageError {
    /// The message for a person, with advice that fits where it is read: the same reason
    /// in every case; a region to draw, a region to give with `--roi`, or only a photo
    /// to retake. ([`fmt::Display`] gives the [`Advice::DrawRegion`] message.)
    pub fn message(&self, advice: Advice) -> String {
        // "draw X" / "give X with --roi" / None where no region can be given.
        let region = |what: &str| match advice {
            Advice::DrawRegion => Some(format!("draw {what}")),
            Advice::RoiOption => Some(format!("give {what} with --roi")),
            Advice::RetakeOnly | Advice::MarkedRegion => None,
        };
        let either = |reason: &str, what: &str, retake: &str| match region(what) {
            Some(r) => format!("{reason}; {r}, or {retake}"),
            None => format!("{reason}; {retake}"),
        };
        match self {
            CoverageError::InvalidRegion(why) => format!("the region cannot be used: {why}"),
            CoverageError::RegionTooSmall => match region("a larger area of scalp") {
                Some(r) => format!("the region is too small to measure hair coverage; {r}"),
                None if advice == Advice::MarkedRegion => "the region marked on the photo is too small to measure hair coverage; your specialist can mark a larger one".into(),
                None => "the scalp in this photo is too small to measure hair coverage; retake it closer to the head".into(),
            },
            CoverageError::NoScalpFound => match advice {
                Advice::DrawRegion => "could not find the head in the photo; draw the scalp region by hand".into(),
                Advice::RoiOption => "could not find the head in the photo; give the scalp region with --roi".into(),
                Advice::RetakeOnly | Advice::MarkedRegion => "could not find the head in the photo; retake it with the head in the middle of the frame, against a plain background".into(),
            },
            CoverageError::Overexposed => "the photo is too bright (overexposed) to measure hair coverage; retake it with less light or no flash".into(),
            CoverageError::Underexposed => "the photo is too dark (underexposed) to measure hair coverage; retake it with more light".into(),
            CoverageError::Blurred => "the photo is too blurred to measure hair coverage; retake it holding the camera still and in focus".into(),
            CoverageError::NoContrast => "the region shows no detail to tell hair from skin (blurred, featureless or not a scalp); retake the photo".into(),
            CoverageError::InvalidTransform => "the alignment between the two photos is not usable (it cannot be inverted)".into(),
            CoverageError::NoOverlap => "the two photos do not show enough of the same region to compare coverage".into(),
            CoverageError::Ambiguous => either(AMBIGUOUS, "a region over the area that matters", "retake the photo evenly lit and in focus"),
            CoverageError::AlikeColours => "hair and skin are too alike in colour in this photo to tell apart (less than about 40 % apart in tone and hue); a number would be a guess".into(),
            CoverageError::NoSkinColour => either(NO_SKIN_COLOUR, "a region where scalp shows", "retake the photo in neutral light"),
            CoverageError::NoStrands => either(NO_STRANDS, "a region over the area that matters", "retake the photo evenly lit"),
            CoverageError::Glare => match region("a region away from the shine") {
                Some(r) => format!("{GLARE}; retake the photo without flash or direct light, or {r}"),
                None => format!("{GLARE}; retake the photo without flash or direct light"),
            },
        }
    }
}

impl fmt::Display for CoverageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Advice::DrawRegion))
    }
}

impl std::error::Error for CoverageError {}

/// Measures hair coverage; keeps its options between photos.
///
/// Construct once and reuse for many photos.
#[derive(Debug, Clone)]
pub struct Analyzer {
    opts: CoverageOptions,
}

/// A photo prepared for measurement.
struct Work {
    lin: Lin,
    /// Texture map and light field of `lin`.
    prep: Prepared,
    scale: f64,
    mask: Vec<bool>,
    region: Polygon,
    source: RegionSource,
}

/// Below this ratio of fine to smoothed gradient peaks, a photo is called blurred.
const BLUR_RATIO: f32 = 1.2;

fn mask_count(m: &[bool]) -> usize {
    m.iter().filter(|&&b| b).count()
}

/// Exposure, detail and blur checks over the masked pixels.
/// `blur`: also check focus (over the whole photo, so once per photo is enough).
fn check_quality(
    img: &Lin,
    mask: &[bool],
    prep: &Prepared,
    blur: bool,
) -> Result<(), CoverageError> {
    let n = mask_count(mask).max(1) as f64;
    let (mut bright, mut dark, mut sum) = (0usize, 0usize, 0.0f64);
    for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        let p = img.px(i);
        let mx = p[0].max(p[1]).max(p[2]);
        if p[0].min(p[1]).min(p[2]) >= 0.96 {
            bright += 1;
        }
        if mx <= 0.004 {
            dark += 1;
        }
        sum += f64::from(img.luma(i));
    }
    if bright as f64 / n > 0.3 || sum / n > 0.85 {
        return Err(CoverageError::Overexposed);
    }
    if dark as f64 / n > 0.4 || sum / n < 0.004 {
        return Err(CoverageError::Underexposed);
    }
    // Detail: the 95th percentile of local fine texture.
    let mut t: Vec<f32> = mask
        .iter()
        .enumerate()
        .filter(|(_, &m)| m)
        .map(|(i, _)| prep.texture[i])
        .collect();
    let k = (t.len() as f64 * 0.95) as usize;
    let t95 = if k < t.len() {
        *t.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
    } else {
        0.0
    };
    if t95 < 0.004 {
        return Err(CoverageError::NoContrast);
    }
    if !blur {
        return Ok(());
    }
    // Blur: how much the strongest gradients drop between smoothing at sigma 1 (which
    // already suppresses pixel noise) and at sigma 3. Sharp edges drop a lot, blurred ones
    // hardly at all.
    let (w, h) = (img.w, img.h);
    let y: Vec<f32> = (0..w * h).map(|i| img.luma(i).max(0.0).sqrt()).collect();
    let yb = work::gauss_blur(&y, w, h, 3.0);
    let y = work::gauss_blur(&y, w, h, 1.0);
    let grad = |v: &[f32], i: usize| -> f32 {
        let (x, yy) = (i % w, i / w);
        if x == 0 || yy == 0 || x + 1 >= w || yy + 1 >= h {
            return 0.0;
        }
        let gx = v[i + 1] - v[i - 1];
        let gy = v[i + w] - v[i - w];
        (gx * gx + gy * gy).sqrt()
    };
    let mut g1: Vec<f32> = Vec::new();
    let mut g2: Vec<f32> = Vec::new();
    // Over the whole photo: a bare scalp is smooth by nature, but a photo that is in focus
    // has sharp edges somewhere (the head's outline, the background).
    for i in 0..w * h {
        g1.push(grad(&y, i));
        g2.push(grad(&yb, i));
    }
    let q = |v: &mut Vec<f32>| {
        let k = ((v.len() as f64 * 0.99) as usize).min(v.len().saturating_sub(1));
        if v.is_empty() {
            0.0
        } else {
            *v.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
        }
    };
    let (s1, s2) = (q(&mut g1), q(&mut g2));
    if s1 < BLUR_RATIO * s2 {
        return Err(CoverageError::Blurred);
    }
    Ok(())
}

/// Mean hair fraction over every `stride`-th row and column of the mask (for the
/// uncertainty, which needs several evaluations but not every pixel).
fn mean_alpha_sparse(fr: &Frame, prep: &Prepared, m: &Model, stride: usize) -> f64 {
    classify::mean_alpha_strided(fr, prep, m, stride)
}

fn mean_alpha(fr: &Frame, prep: &Prepared, m: &Model) -> (f64, Vec<f32>) {
    let a = classify::alpha_map(fr, prep, m);
    let n = mask_count(fr.mask).max(1);
    let s: f64 = a
        .iter()
        .zip(fr.mask)
        .filter(|(_, &m)| m)
        .map(|(v, _)| f64::from(*v))
        .sum();
    (s / n as f64, a)
}

/// A frame's hair map and its mean under `model`, refused when it shows no strands
/// ([`check_strands`]); for hair lighter than skin, with smooth light taken out
/// ([`smooth_light_removed`]); with `gate`, sharp strands read by their own tone
/// ([`strand_cores_read_whole`], least core reading `gate`). How much each of the last two
/// steps moved the reading is returned too: it counts as uncertainty (the reading without
/// the step is a plausible one too). The first two steps read one set of the map's local
/// statistics.
fn hair_reading(
    fr: &Frame,
    prep: &Prepared,
    model: &Model,
    gate: Option<f32>,
) -> Result<HairReading, CoverageError> {
    let (cov, mut a) = mean_alpha(fr, prep, model);
    let stats = LocalStats::new(&a, fr.mask, fr.img.w);
    let detail = stats.strand_detail();
    check_strands(detail)?;
    let (cov, smooth) = if model.dark_hair || !model.two_classes {
        (cov, 0.0)
    } else {
        match detail
            .and_then(|(ratio, _)| smooth_light_removed(&mut a, fr.mask, fr.img.w, &stats, ratio))
        {
            Some(c) => (c, (cov - c).abs()),
            None => (cov, 0.0),
        }
    };
    let mut reading = HairReading {
        cov,
        map: a,
        smooth,
        cores: 0.0,
        uncorrected: None,
    };
    if let Some(gate) = gate {
        let before = reading.map.clone();
        let shift = strand_cores_read_whole(&mut reading.map, fr.mask, fr.img.w, gate);
        // A shift within a two-class reading's floor uncertainty is not taken: it is as
        // likely the flat patches of overlapping or blurred strands as strands nearer the
        // skin in tone than the hair end.
        if shift.is_nan() || shift.abs() <= CORE_MIN_SHIFT {
            reading.map = before;
        } else {
            reading.cov += shift;
            reading.cores = shift;
            reading.uncorrected = Some(before);
        }
    }
    Ok(reading)
}

/// A frame's reading ([`hair_reading`]).
struct HairReading {
    /// The mean hair fraction over the mask.
    cov: f64,
    /// The hair map.
    map: Vec<f32>,
    /// How much smooth light removal took out.
    smooth: f64,
    /// How much reading strand cores whole added ([`strand_cores_read_whole`]).
    cores: f64,
    /// The hair map before strand cores were read whole, when that moved the reading.
    uncorrected: Option<Vec<f32>>,
}

/// How low a strand core may read, in units of the hair's tone sensitivity `sens =
/// |hair·(hair−skin)| / |hair−skin|²`: a pure hair pixel of a strand a fraction `t` nearer
/// the skin in tone than the hair colour reads about `1 − t·sens` (a strand further from
/// it reads 1), and a core must read at least `1 − CORE_TONE_REACH·sens` ([`core_gate`]).
/// The factor is not a tone strands reach (±15 % in the renders): it was set on the
/// coverage bench. `sens` is about 0.02 for black hair on light skin (gate 0.97, so those
/// strands are left as read; about 0.7 on type VI skin), 0.27 for brown hair on type IV
/// skin (0.64) and 2.7 for blond hair on type II skin (the floor, [`CORE_MIN`]).
const CORE_TONE_REACH: f32 = 1.35;

/// A strand core reads at least this (below it, a uniform patch is more likely skin).
const CORE_MIN: f32 = 0.2;

/// A core's 4-neighbours within this share of its reading count as the same strand.
const CORE_FLAT: f32 = 0.1;

/// Bare skin beside a core reads at most this share of the core's reading.
const CORE_SKIN: f32 = 0.25;

/// The least shift of a reading by strand cores that is taken (the two-class floor).
const CORE_MIN_SHIFT: f64 = 0.015;

/// The least reading of a strand core under `m` ([`strand_cores_read_whole`]):
/// [`CORE_TONE_REACH`] times the hair's tone sensitivity below 1, and at least
/// [`CORE_MIN`]. `None` when tone cannot move the reading, for one class only, and for grey
/// hair read strand by strand (`tone`: each pixel is already read at its own strand's
/// lightness).
fn core_gate(m: &Model) -> Option<f32> {
    if !m.two_classes || m.tone.is_some() {
        return None;
    }
    let d: [f32; 3] = [0, 1, 2].map(|k| m.hair[k] - m.skin[k]);
    let dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    if dd <= 0.0 {
        return None;
    }
    let sens = (m.hair[0] * d[0] + m.hair[1] * d[1] + m.hair[2] * d[2]).abs() / dd;
    let min_core = CORE_MIN.max(1.0 - CORE_TONE_REACH * sens);
    (min_core < 1.0).then_some(min_core)
}

/// Resolved strands read by their own tone: a "core" is a pixel on a flat patch (at least
/// 3 of its 4 neighbours read within [`CORE_FLAT`] of it) with bare skin within 2 px (a
/// sharp strand seen against the skin). A core reading at least `min_core` is taken as a
/// whole strand nearer the skin in tone than the hair colour: every pixel within 1 px of a
/// core is read relative to the largest core in its 3×3 neighbourhood. Blurred or thin
/// strands have no flat patch beside bare skin, so they are left as read; the middle of a
/// strand more than about 4 px wide (2 px from skin on each side, and 1 px beyond) is left
/// as read too, so such strands are corrected at their edges only. Returns the change of
/// the mean over the mask.
fn strand_cores_read_whole(a: &mut [f32], mask: &[bool], w: usize, min_core: f32) -> f64 {
    if w == 0 {
        return 0.0;
    }
    let h = a.len() / w;
    let at = |x: i64, y: i64| -> Option<f32> {
        if x < 0 || y < 0 || x >= w as i64 || y >= h as i64 {
            return None;
        }
        let i = y as usize * w + x as usize;
        mask[i].then(|| a[i])
    };
    let mut core = vec![false; w * h];
    let mut any = false;
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            let Some(v) = at(x, y) else { continue };
            if v < min_core {
                continue;
            }
            let tol = CORE_FLAT * v;
            let flat = [(1, 0), (-1, 0), (0, 1), (0, -1)]
                .iter()
                .filter(|&&(dx, dy)| at(x + dx, y + dy).is_some_and(|q| (q - v).abs() <= tol))
                .count();
            if flat < 3 {
                continue;
            }
            let skin = (-2..=2i64).any(|dy| {
                (-2..=2i64).any(|dx| at(x + dx, y + dy).is_some_and(|q| q <= CORE_SKIN * v))
            });
            if skin {
                core[y as usize * w + x as usize] = true;
                any = true;
            }
        }
    }
    if !any {
        return 0.0;
    }
    let src = a.to_vec();
    let (mut before, mut after, mut n) = (0.0f64, 0.0f64, 0usize);
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if !mask[i] {
                continue;
            }
            let mut r = 0.0f32;
            for yy in y.saturating_sub(1)..(y + 2).min(h) {
                for xx in x.saturating_sub(1)..(x + 2).min(w) {
                    let j = yy * w + xx;
                    if core[j] {
                        r = r.max(src[j]);
                    }
                }
            }
            let v = src[i];
            if r > 0.0 {
                a[i] = (v / r).min(1.0);
            }
            before += f64::from(v);
            after += f64::from(a[i]);
            n += 1;
        }
    }
    (after - before) / n.max(1) as f64
}

/// Model variants used to size the uncertainty: hair and skin colours moved by a plausible
/// estimation error.
fn perturbed(m: &Model) -> Vec<Model> {
    let mut out = Vec::new();
    for (dh, ds) in [(0.12f32, 0.0f32), (-0.12, 0.0), (0.0, 0.06), (0.0, -0.06)] {
        let mut v = m.clone();
        for k in 0..3 {
            let d = m.hair[k] - m.skin[k];
            v.hair[k] = m.skin[k] + d * (1.0 + dh);
            v.skin[k] = m.skin[k] * (1.0 + ds);
        }
        if let Some(h2) = m.hair2 {
            v.hair2 = Some([0, 1, 2].map(|k| m.skin[k] + (h2[k] - m.skin[k]) * (1.0 + dh)));
        }
        out.push(v);
    }
    out
}

/// Above this uncertainty (a fraction of the region) a photo gives no number.
const MAX_UNCERTAINTY: f64 = 0.3;

/// How much further from skin the hair colour of the "purer hair" alternative is.
const PURER_HAIR: f32 = 1.5;

/// Readings of one frame under other plausible models (means over every other row and
/// column, like the perturbed ones).
struct Alternatives {
    /// With the light taken from the local skin level instead of the fitted smooth field.
    local_light: f64,
    /// With hair on the other side of skin, when texture and colour disagree on the side.
    other_side: Option<f64>,
    /// With a hair colour half as far again from skin (the purest hair pixels seen may
    /// still be part skin: thin or blurred strands), within black and white.
    purer_hair: f64,
    /// With the hair colour as the photo shows it, when the model took it towards black
    /// (the strands might be mid-tone hair, not black hair seen in part).
    hair_as_seen: Option<f64>,
    /// With no shine, when the model found some (the brighter skin might be more light).
    no_shine: Option<f64>,
    /// With the skin colour as first found ([`Model::skin_seen`]), when the model took the
    /// reddest pixels for the skin instead (the first might be bare skin after all).
    skin_as_seen: Option<f64>,
}

impl Alternatives {
    /// The largest distance of an alternative reading from `base`.
    fn spread(&self, base: f64) -> f64 {
        let side = self.other_side.map_or(0.0, |v| (v - base).abs());
        let seen = self.hair_as_seen.map_or(0.0, |v| (v - base).abs());
        let shine = self.no_shine.map_or(0.0, |v| (v - base).abs());
        let skin = self.skin_as_seen.map_or(0.0, |v| (v - base).abs());
        (self.local_light - base)
            .abs()
            .max(skin)
            .max(side)
            .max(seen)
            .max(shine)
            .max((self.purer_hair - base).abs())
    }
}

/// Measures `fr` again under the alternatives; `base` is its reading under `model` (every
/// other row and column). `other_side` forces hair onto that side of skin for the second
/// reading (colours fitted on `detail` when given). `prep` is left as it was.
fn alternatives(
    fr: &Frame,
    prep: &mut Prepared,
    model: &Model,
    base: f64,
    other_side: Option<bool>,
    detail: Option<&mut Detail>,
) -> Alternatives {
    let local_light = if model.two_classes {
        prep.field = Some(classify::local_light(fr, prep, model, base));
        let v = mean_alpha_sparse(fr, prep, model, 2);
        prep.field = None;
        v
    } else {
        mean_alpha_sparse(fr, prep, model, 2)
    };
    let other_side = other_side.map(|dark| {
        // Hair on the other side, read without looking for shine.
        let plane = prep.plane;
        let shine = prep.shine.take();
        let (m, _) = fit_models(
            std::slice::from_ref(fr),
            std::slice::from_mut(prep),
            detail.map(std::slice::from_mut),
            Some(dark),
        );
        let v = mean_alpha_sparse(fr, prep, &m, 2);
        prep.plane = plane;
        prep.shine = shine;
        v
    });
    let mut purer = model.clone();
    for k in 0..3 {
        purer.hair[k] =
            (model.skin[k] + PURER_HAIR * (model.hair[k] - model.skin[k])).clamp(0.003, 1.0);
    }
    let hair_as_seen = model.hair_seen.map(|hair| {
        let seen = Model {
            hair,
            ..model.clone()
        };
        mean_alpha_sparse(fr, prep, &seen, 2)
    });
    let skin_as_seen = model.skin_seen.map(|skin| {
        let seen = Model {
            skin,
            tone: None,
            ..model.clone()
        };
        mean_alpha_sparse(fr, prep, &seen, 2)
    });
    let no_shine = prep.shine.take().map(|shine| {
        let v = mean_alpha_sparse(fr, prep, model, 2);
        prep.shine = Some(shine);
        v
    });
    Alternatives {
        local_light,
        other_side,
        purer_hair: mean_alpha_sparse(fr, prep, &purer, 2),
        hair_as_seen,
        no_shine,
        skin_as_seen,
    }
}

/// Full-resolution tiles of a photo inside the measured region, for fitting colours where
/// strands are resolved (see [`work::mosaic`]); `mask` marks the tile pixels inside it.
#[derive(Clone)]
struct Detail {
    lin: Lin,
    mask: Vec<bool>,
    prep: Prepared,
    /// Where each pixel sits in the working copy (working pixels), to divide it by the
    /// working copy's light field: the tiles then share one light level.
    at_work: Vec<(f64, f64)>,
}

/// Below this working scale (working pixels per original pixel), colours are fitted on
/// full-resolution detail.
const DETAIL_BELOW_SCALE: f64 = 0.75;

/// Side of one full-resolution detail tile, in original pixels.
const DETAIL_TILE: usize = 160;

/// Rounds of the working copy's own fit that give the shape of its light field for
/// levelling the detail tiles (the light settles in a couple; the colours are not kept).
const LIGHT_SHAPE_ROUNDS: usize = 2;

/// Detail tiles across and down the region's bounding box (at most this squared).
const DETAIL_GRID: usize = 3;

/// The bounding box `(x0, y0, x1, y1)` (end exclusive) of the set pixels of a mask `w`
/// pixels wide, or `None` when none is set.
fn mask_bounds(mask: &[bool], w: usize) -> Option<(usize, usize, usize, usize)> {
    let h = mask.len() / w.max(1);
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        let (x, y) = (i % w, i / w);
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x + 1);
        y1 = y1.max(y + 1);
    }
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}

/// Tile centres in working pixels: in each cell of a grid over the mask's bounding box, the
/// mask pixel nearest the cell's centre.
fn detail_centres(mask: &[bool], w: usize) -> Vec<(f64, f64)> {
    let Some((x0, y0, x1, y1)) = mask_bounds(mask, w) else {
        return Vec::new();
    };
    let g = DETAIL_GRID;
    let (cw, ch) = ((x1 - x0) as f64 / g as f64, (y1 - y0) as f64 / g as f64);
    let mut best = vec![(f64::INFINITY, (0.0, 0.0)); g * g];
    for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        let (x, y) = ((i % w) as f64 + 0.5, (i / w) as f64 + 0.5);
        let gx = (((x - x0 as f64) / cw) as usize).min(g - 1);
        let gy = (((y - y0 as f64) / ch) as usize).min(g - 1);
        let (mx, my) = (
            x0 as f64 + (gx as f64 + 0.5) * cw,
            y0 as f64 + (gy as f64 + 0.5) * ch,
        );
        let d = (x - mx).powi(2) + (y - my).powi(2);
        let b = &mut best[gy * g + gx];
        if d < b.0 {
            *b = (d, (x, y));
        }
    }
    best.into_iter()
        .filter(|b| b.0.is_finite())
        .map(|b| b.1)
        .collect()
}

/// Full-resolution detail of a photo inside a working mask (`mask`, `w` working pixels
/// wide), or `None` when the source is not sharper than the working copy by
/// `1 / DETAIL_BELOW_SCALE` (`work_per_source`: working pixels per source pixel) or the
/// tiles hold too little of the region. `from_work` maps working pixels to the source's
/// pixels and `to_work` the other way; `gains` multiply the linear channels.
fn detail(
    source: &RgbaImage,
    work_per_source: f64,
    mask: &[bool],
    w: usize,
    gains: [f32; 3],
    from_work: impl Fn(f64, f64) -> Option<(f64, f64)>,
    to_work: impl Fn(f64, f64) -> Option<(f64, f64)>,
) -> Option<Detail> {
    if work_per_source >= DETAIL_BELOW_SCALE {
        return None;
    }
    let h = mask.len() / w.max(1);
    let centres: Vec<(f64, f64)> = detail_centres(mask, w)
        .into_iter()
        .filter_map(|(x, y)| from_work(x, y))
        .collect();
    let (lin, at) = work::mosaic(source, &centres, DETAIL_TILE, gains);
    // Each mosaic pixel in working pixels, and whether the region holds it there.
    let at_work: Vec<Option<(f64, f64)>> = at.into_iter().map(|(x, y)| to_work(x, y)).collect();
    let dmask: Vec<bool> = at_work
        .iter()
        .map(|p| {
            p.is_some_and(|(wx, wy)| {
                wx >= 0.0
                    && wy >= 0.0
                    && (wx as usize) < w
                    && (wy as usize) < h
                    && mask[wy as usize * w + wx as usize]
            })
        })
        .collect();
    // At least one whole tile's worth of the region.
    if mask_count(&dmask) < DETAIL_TILE * DETAIL_TILE {
        return None;
    }
    let prep = classify::prepare(&lin);
    let at_work = at_work
        .into_iter()
        .map(|p| p.unwrap_or((0.0, 0.0)))
        .collect();
    Some(Detail {
        lin,
        mask: dmask,
        prep,
        at_work,
    })
}

/// The sharpest copy of a photo at hand: `larger` when given, else the photo itself.
/// Returns it with its pixels per pixel of the photo.
fn sharpest<'a>(photo: &'a RgbaImage, larger: Option<Larger<'a>>) -> (&'a RgbaImage, f64) {
    match larger {
        Some(l) if l.factor > 1.0 && l.factor.is_finite() => (l.image, l.factor),
        _ => (photo, 1.0),
    }
}

/// Fits the colour model of `frames`: on their full-resolution `details` when given (then
/// each frame's own light field under those colours), otherwise on the frames themselves;
/// then refits each frame's light field to its local skin level
/// ([`classify::envelope_refit`]). `dark_hair` forces the side of skin hair is on.
/// Returns each frame's local skin level with the model.
fn fit_models(
    frames: &[Frame],
    preps: &mut [Prepared],
    details: Option<&mut [Detail]>,
    dark_hair: Option<bool>,
) -> (Model, Vec<Option<LocalLevel>>) {
    let model = fit_colours(frames, preps, details, dark_hair);
    // Shade darkens skin as hair darker than skin does, so a field fitted to every pixel
    // can take shade for hair; the skin between strands shows the light itself.
    let levels = frames
        .iter()
        .zip(preps.iter_mut())
        .map(|(fr, prep)| classify::envelope_refit(fr, prep, &model))
        .collect();
    (model, levels)
}

/// Finds shine on the bare skin of `fr` under `model` ([`classify::shine_field`], from its
/// local skin `level` when found) and keeps it in `prep`; a second hair colour that is that
/// shine leaves `model`.
fn find_shine(fr: &Frame, prep: &mut Prepared, model: &mut Model, level: Option<LocalLevel>) {
    prep.shine = classify::shine_field(fr, prep, model, level);
    if prep.shine.as_ref().is_some_and(|s| s.is_hair2) {
        model.hair2 = None;
    }
}

/// Most distance in chromaticity between the skin colours fitted with and without the
/// shine for the second fit to stand. Shine is light in the light's colour added to bare
/// skin; taken off, the same skin is left. On the rendered photos with shine, the refits
/// that found the same skin moved it by 0.0015 to 0.021 (type IV skin under auburn hair,
/// whose first fit took the shine-lit skin for skin and the skin beside it for hair: 63.6 %
/// for 22.0, then 38.5 %), and on the real crown photos with a flash highlight, 0.009 to
/// 0.016; those that split the photo elsewhere (light strands darkened where the first
/// fit had read them as part skin: blond on type I and II skin, auburn on type I), by
/// 0.059 to 0.10.
const SHINE_REFIT_SAME_SKIN: f32 = 0.03;

/// Fits the colours of `fr` again on its pixels with the shine found under `model` taken
/// off ([`classify::without_shine`]), with hair on the same side of skin; then finds the
/// light field and the shine again under the new colours. A strong shine over a wide part
/// of a scalp pulls the first fit's skin colour towards the shine-lit skin. Kept only when
/// the refit finds the same skin (see [`SHINE_REFIT_SAME_SKIN`]); otherwise `prep` and
/// `model` are left as they were. Returns whether they changed.
///
/// Used for one photo measured at its working size; not when its colours come from
/// full-resolution tiles (their pixels would need the shine too), and not for a pair (see
/// [`Analyzer::change_with`]).
fn refit_without_shine(fr: &Frame, prep: &mut Prepared, model: &mut Model) -> bool {
    let Some(lin) = classify::without_shine(fr, prep, model) else {
        return false;
    };
    let frames = [Frame {
        img: &lin,
        mask: fr.mask,
    }];
    let mut preps = [classify::prepare(&lin)];
    // The colours only: the light field that goes with them is fitted on `fr` below.
    let mut refit = fit_colours(&frames, &mut preps, None, Some(model.dark_hair));
    let moved = classify::dist2(
        classify::chromaticity(model.skin),
        classify::chromaticity(refit.skin),
    )
    .sqrt();
    if !refit.two_classes || moved >= SHINE_REFIT_SAME_SKIN {
        return false;
    }
    prep.shine = None;
    let level = classify::envelope_refit(fr, prep, &refit);
    find_shine(fr, prep, &mut refit, level);
    // (Refitted on the side `model` chose: as much in doubt as it was.)
    refit.side_doubt = model.side_doubt;
    *model = refit;
    true
}

/// The colour model of `frames` and each one's light field under it (see [`fit_models`]).
fn fit_colours(
    frames: &[Frame],
    preps: &mut [Prepared],
    details: Option<&mut [Detail]>,
    dark_hair: Option<bool>,
) -> Model {
    let Some(details) = details else {
        return classify::fit(frames, preps, dark_hair);
    };
    // The working copies' own fit gives the shape of each one's light field (dome shading,
    // a gradient); the tiles, taken from different places, are divided by it so that their
    // skin is at one level. It also says which side of skin hair is on, from the whole
    // region: the tiles alone are a few places, and on a soft photo (one enlarged 3x) they
    // took a stage 2 crown's skin for hair and read 13 % where the working copy reads 68 %.
    let shape = classify::fit_rounds(frames, preps, dark_hair, LIGHT_SHAPE_ROUNDS);
    // A side the working copy chose in doubt stays in doubt in the tiles' fit, which is
    // told it.
    let doubt = dark_hair.is_none() && shape.two_classes && shape.side_doubt;
    let dark_hair = dark_hair.or(shape.two_classes.then_some(shape.dark_hair));
    let levelled: Vec<Lin> = details
        .iter()
        .zip(frames.iter().zip(preps.iter()))
        .map(|(d, (fr, prep))| {
            let mut lin = d.lin.clone();
            for (i, &(x, y)) in d.at_work.iter().enumerate() {
                let l = classify::illum_at(&prep.plane, x, y, fr.img.w, fr.img.h).max(1e-3);
                for k in 0..3 {
                    lin.c[k][i] /= l;
                }
            }
            lin
        })
        .collect();
    let mut dpreps: Vec<Prepared> = details
        .iter_mut()
        .map(|d| {
            let mut p = std::mem::take(&mut d.prep);
            p.plane = [0.0; 6];
            p
        })
        .collect();
    let dframes: Vec<Frame> = details
        .iter()
        .zip(&levelled)
        .map(|(d, lin)| Frame {
            img: lin,
            mask: &d.mask,
        })
        .collect();
    let mut model = classify::fit(&dframes, &mut dpreps, dark_hair);
    model.side_doubt |= doubt;
    drop(dframes);
    for (d, p) in details.iter_mut().zip(dpreps) {
        d.prep = p;
    }
    for (fr, prep) in frames.iter().zip(preps.iter_mut()) {
        classify::fit_light(fr, prep, &model);
    }
    model
}

/// Below this distance between the skin and hair colours (log RGB; 0.36 is about 40 %
/// apart in tone, or less in several channels at once) a photo gives no number: the skin's
/// own shading and mottling differ as much.
const MIN_COLOUR_CONTRAST: f32 = 0.36;

/// Above this many times the hair's relative texture, a class of skin lighter than the
/// hair is not skin ([`CoverageError::Glare`]). On the rendered photos the skin that was
/// skin was at most 1.96 times as rough as darker hair (the real crown photos: at most
/// 1.96, mostly under 1); the skin that was a strong specular shine on type V and VI skin,
/// crossed by strands, 4.0 to 4.6 times (and read 23 and 30 points too high).
const SKIN_MAX_ROUGHER: f32 = 3.0;

/// Refuses a model whose skin and hair colours are too close to unmix, whose skin is not
/// skin-coloured, or whose skin, lighter than the hair, is far rougher than it (glare).
fn check_contrast(model: &Model) -> Result<(), CoverageError> {
    if model.two_classes && classify::colour_contrast(model) < MIN_COLOUR_CONTRAST {
        return Err(CoverageError::AlikeColours);
    }
    if model.two_classes && !classify::skin_coloured(model) {
        return Err(CoverageError::NoSkinColour);
    }
    if model.two_classes
        && model.dark_hair
        && model.skin_texture > SKIN_MAX_ROUGHER * model.hair_texture
    {
        return Err(CoverageError::Glare);
    }
    Ok(())
}

/// Smoothing scale (working pixels) that separates strand-scale detail of a hair map from
/// its slow changes.
const STRAND_SCALE: f32 = 4.0;

/// Below this share of strand-scale variation, where the map reads partly hair, what it
/// calls hair is not strands (see [`check_strands`]). Rendered photos, blurred strands
/// included, give 0.09 or more; a flushed bald scalp 0.025.
const MIN_STRAND_DETAIL: f64 = 0.04;

/// The check applies when at least this share of the region reads partly hair.
const MIN_PARTLY_HAIR: f64 = 0.2;

/// Local means of a hair map and of its square at strand scale, on every other pixel of
/// every other row: the variation at strand scale survives (the samples are not
/// averaged), at a quarter of the cost.
struct LocalStats {
    /// Width of the sampled grid.
    w: usize,
    /// 1 where a sample lies in the region.
    inside: Vec<f32>,
    /// Blurred `inside`, the map and its square (weights and weighted sums).
    wt: Vec<f32>,
    s1: Vec<f32>,
    s2: Vec<f32>,
}

impl LocalStats {
    /// The statistics of `alpha` (a frame `w` pixels wide) inside `mask`.
    fn new(alpha: &[f32], mask: &[bool], w: usize) -> Self {
        let h = mask.len() / w.max(1);
        let (sw, sh) = (w.div_ceil(2), h.div_ceil(2));
        let (mut inside, mut a) = (vec![0.0f32; sw * sh], vec![0.0f32; sw * sh]);
        for y in 0..sh {
            for x in 0..sw {
                let i = 2 * y * w + 2 * x;
                if mask[i] {
                    inside[y * sw + x] = 1.0;
                    a[y * sw + x] = alpha[i].clamp(0.0, 1.0);
                }
            }
        }
        let a2: Vec<f32> = a.iter().map(|v| v * v).collect();
        let [wt, s1, s2] =
            [&inside, &a, &a2].map(|v| work::gauss_blur(v, sw, sh, STRAND_SCALE / 2.0));
        LocalStats {
            w: sw,
            inside,
            wt,
            s1,
            s2,
        }
    }

    /// Local mean and variance of the map at sample `i`, where it is well inside the
    /// region.
    fn at(&self, i: usize) -> Option<(f32, f32)> {
        if self.inside[i] == 0.0 || self.wt[i] < 0.9 {
            return None;
        }
        let mean = self.s1[i] / self.wt[i];
        Some((mean, (self.s2[i] / self.wt[i] - mean * mean).max(0.0)))
    }

    /// Where the map reads partly hair, the share of the variation expected of strands (a
    /// mean `m` over skin and strands varies by `m (1 - m)`) that it shows; and the share of
    /// the region such places cover. `None` when too few places read partly hair.
    fn strand_detail(&self) -> Option<(f64, f64)> {
        let (mut seen, mut expected, mut n) = (0.0f64, 0.0f64, 0usize);
        for i in 0..self.inside.len() {
            let Some((mean, var)) = self.at(i) else {
                continue;
            };
            if !(0.15..=0.85).contains(&mean) {
                continue;
            }
            seen += f64::from(var);
            expected += f64::from(mean * (1.0 - mean));
            n += 1;
        }
        let total = self.inside.iter().filter(|&&v| v > 0.0).count();
        (n >= 25).then(|| (seen / expected, n as f64 / total as f64))
    }
}

/// Light hair read where the map shows no strands: where a light-hair map `alpha` (of a
/// frame `w` pixels wide, `mask` marking the region) reads partly hair but varies at strand
/// scale far less than strands at that coverage would (by the photo's own ratio of
/// variation seen to expected, `ratio`: [`LocalStats::strand_detail`] of `st`, the map's
/// statistics), the reading is lowered to the coverage whose strands would vary that
/// little. Smooth light on skin, a bald scalp's shine, reads as light hair by colour, but
/// has no strands. Returns the new mean over the mask.
fn smooth_light_removed(
    alpha: &mut [f32],
    mask: &[bool],
    w: usize,
    st: &LocalStats,
    ratio: f64,
) -> Option<f64> {
    let rho = ratio as f32;
    let mut factor = vec![1.0f32; st.inside.len()];
    for (i, f) in factor.iter_mut().enumerate() {
        let Some((m, v)) = st.at(i) else {
            continue;
        };
        if m >= 0.05 && v < SMOOTH_SHARE * rho * m * (1.0 - m) {
            // The smaller coverage x with rho x (1 - x) = v.
            let d = (1.0 - 4.0 * v / rho.max(1e-6)).max(0.0);
            *f = (0.5 * (1.0 - d.sqrt()) / m).min(1.0);
        }
    }
    let sh = factor.len() / st.w;
    let factor = work::gauss_blur(&factor, st.w, sh, STRAND_SCALE / 2.0);
    let (mut sum, mut n) = (0.0f64, 0usize);
    for (i, (a, _)) in alpha
        .iter_mut()
        .zip(mask)
        .enumerate()
        .filter(|(_, (_, &m))| m)
    {
        let (x, y) = (i % w, i / w);
        *a *= factor[(y / 2) * st.w + x / 2];
        sum += f64::from(*a);
        n += 1;
    }
    (n > 0).then(|| sum / n as f64)
}

/// Below this share of the strand-scale variation expected, a light-hair reading is taken
/// for smooth light ([`smooth_light_removed`]).
const SMOOTH_SHARE: f32 = 0.25;

/// Refuses a hair map whose partly-hair places, covering a good share of the region, show
/// no strand-scale detail: hair is strands over skin, so a reading made of smooth patches
/// is the skin's own colour changing (a flushed crown read as thin hair). `detail` is the
/// map's [`LocalStats::strand_detail`].
fn check_strands(detail: Option<(f64, f64)>) -> Result<(), CoverageError> {
    match detail {
        Some((detail, share)) if detail < MIN_STRAND_DETAIL && share >= MIN_PARTLY_HAIR => {
            Err(CoverageError::NoStrands)
        }
        _ => Ok(()),
    }
}

/// The side of skin texture puts hair on, when it disagrees with the colour model's.
/// `alpha` is the frame's hair map under `model`.
///
/// Not asked when the colours leave no doubt: hair at least [`SURE_DARKER`] times darker
/// than a skin that has a skin's colour (not grey or white). Texture tells the sides apart
/// poorly where hair is dense (the gaps between strands are as rough as the strands), and
/// dark hair on lighter skin is the common case it would then cast doubt on.
fn disputed_side(fr: &Frame, alpha: &[f32], model: &Model) -> Option<bool> {
    if classify::side_is_certain(model, SURE_DARKER) {
        return None;
    }
    // The side chose against white hair only by hue (see `classify::Model::side_doubt`):
    // the other is a plausible reading.
    if model.side_doubt && model.two_classes {
        return Some(!model.dark_hair);
    }
    classify::texture_says_dark_hair(fr, alpha, model).filter(|&dark| dark != model.dark_hair)
}

/// How many times darker than skin (in luminance) hair must be for its side to be taken
/// from colour alone.
const SURE_DARKER: f32 = 5.0;

/// The shades-of-grey (Minkowski p = 6) illuminant estimate over the mask, per channel.
fn shades_of_grey(img: &Lin, mask: &[bool]) -> [f64; 3] {
    let mut norm = [0.0f64; 3];
    for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        for (k, nk) in norm.iter_mut().enumerate() {
            *nk += f64::from(img.c[k][i]).powi(6);
        }
    }
    norm.map(|v| v.powf(1.0 / 6.0).max(1e-12))
}

/// Skins this much apart in a channel (relative) are corrected ([`skin_gains`]); within
/// it, the shades-of-grey correction stands and AFTER is not fitted again.
const SKIN_GAIN_MIN: f32 = 0.05;

/// Skin colour ratios below or above which a correction is not the same skin under other
/// light but a fit gone astray.
const SKIN_GAIN_RANGE: (f32, f32) = (0.5, 2.0);

/// Per-channel gains (green kept) that bring AFTER's skin colour (`after`'s) to BEFORE's,
/// when both visits found skin and hair darker than it and the two skins differ in
/// chromaticity by more than [`SKIN_GAIN_MIN`] in a channel; `None` otherwise.
fn skin_gains(before: &Model, after: &Model) -> Option<[f32; 3]> {
    // Skin found among the reddest pixels at one visit only is not the same material as
    // the other visit's blended skin end.
    if !(before.two_classes && after.two_classes && before.dark_hair)
        || before.skin_seen.is_some() != after.skin_seen.is_some()
    {
        return None;
    }
    let r = [0, 1, 2].map(|k| before.skin[k] / after.skin[k].max(1e-6));
    let g = r.map(|v| v / r[1]);
    let plausible = g
        .iter()
        .all(|v| v.is_finite() && *v > SKIN_GAIN_RANGE.0 && *v < SKIN_GAIN_RANGE.1);
    (plausible && g.iter().any(|v| (v - 1.0).abs() > SKIN_GAIN_MIN)).then_some(g)
}

impl Analyzer {
    /// An analyzer with these options.
    pub fn new(opts: CoverageOptions) -> Self {
        Analyzer { opts }
    }

    /// The options in use.
    pub fn options(&self) -> &CoverageOptions {
        &self.opts
    }

    fn prepare(&self, img: &RgbaImage, region: Option<&Polygon>) -> Result<Work, CoverageError> {
        let (lin, scale) = work::to_linear_reduced(img, self.opts.max_side.max(64));
        let prep = classify::prepare(&lin);
        let (region, source) = match region {
            Some(p) => {
                if !p.is_valid() {
                    return Err(CoverageError::InvalidRegion(
                        "it needs at least 3 points with finite coordinates".into(),
                    ));
                }
                (p.clone(), RegionSource::Given)
            }
            None => {
                // A blank photo has no head: report exposure first, it says more.
                let all = vec![true; lin.w * lin.h];
                check_quality(&lin, &all, &prep, true)?;
                let poly = region::auto_region(&lin).ok_or(CoverageError::NoScalpFound)?;
                (poly.scaled(1.0 / scale), RegionSource::Auto)
            }
        };
        let mask = region.scaled(scale).rasterize(lin.w as u32, lin.h as u32);
        if mask_count(&mask) < self.opts.min_region_work_px {
            return Err(CoverageError::RegionTooSmall);
        }
        Ok(Work {
            lin,
            prep,
            scale,
            mask,
            region,
            source,
        })
    }

    fn hair_map(
        &self,
        a: Vec<f32>,
        mask: &[bool],
        w: usize,
        h: usize,
        scale: f64,
    ) -> Option<HairMap> {
        self.opts.keep_hair_map.then(|| HairMap {
            width: w as u32,
            height: h as u32,
            scale,
            alpha: a
                .into_iter()
                .zip(mask)
                .map(|(v, &m)| if m { v } else { f32::NAN })
                .collect(),
        })
    }

    /// Measures the hair coverage of `photo` over `region` (pixels of `photo`), or over the
    /// automatically found scalp when `region` is `None`.
    pub fn coverage(
        &mut self,
        photo: &RgbaImage,
        region: Option<&Polygon>,
    ) -> Result<Coverage, CoverageError> {
        self.coverage_with(photo, None, region)
    }

    /// [`Analyzer::coverage`], with the colours fitted on `larger` (the same photo at a
    /// higher resolution) when given. Everything else, and every coordinate, is `photo`'s.
    pub fn coverage_with(
        &mut self,
        photo: &RgbaImage,
        larger: Option<Larger>,
        region: Option<&Polygon>,
    ) -> Result<Coverage, CoverageError> {
        let wk = self.prepare(photo, region)?;
        self.coverage_of(photo, larger, wk)
    }

    /// [`Analyzer::coverage_with`] over a prepared photo and its region's mask.
    fn coverage_of(
        &mut self,
        photo: &RgbaImage,
        larger: Option<Larger>,
        mut wk: Work,
    ) -> Result<Coverage, CoverageError> {
        let prep = std::mem::take(&mut wk.prep);
        // Focus was checked over the whole photo already when the region was found.
        check_quality(&wk.lin, &wk.mask, &prep, wk.source != RegionSource::Auto)?;
        let detail = self.detail_of(photo, larger, &wk, &wk.mask);
        self.read_one(&wk, &wk.mask, prep, detail)
    }

    /// Full-resolution detail of `photo` (its `larger` copy when given) over `mask`, in
    /// the working pixels of `wk`, when the options ask for it and it is sharper.
    fn detail_of(
        &self,
        photo: &RgbaImage,
        larger: Option<Larger>,
        wk: &Work,
        mask: &[bool],
    ) -> Option<Detail> {
        // Working pixels per pixel of the sharpest copy.
        let (source, factor) = sharpest(photo, larger);
        let scale = wk.scale / factor;
        self.opts
            .full_resolution_colours
            .then(|| {
                detail(
                    source,
                    scale,
                    mask,
                    wk.lin.w,
                    [1.0; 3],
                    |x, y| Some((x / scale, y / scale)),
                    |x, y| Some((x * scale, y * scale)),
                )
            })
            .flatten()
    }

    /// One photo's reading over `mask` (in `wk`'s working pixels), from its texture map
    /// and light field `prep` and its full-resolution `detail`, once its quality passed
    /// [`check_quality`].
    fn read_one(
        &mut self,
        wk: &Work,
        mask: &[bool],
        prep: Prepared,
        mut detail: Option<Detail>,
    ) -> Result<Coverage, CoverageError> {
        let mut prep = [prep];
        let frames = [Frame { img: &wk.lin, mask }];
        let (mut model, levels) = fit_models(
            &frames,
            &mut prep,
            detail.as_mut().map(std::slice::from_mut),
            None,
        );
        let level = levels.into_iter().next().flatten();
        find_shine(&frames[0], &mut prep[0], &mut model, level);
        check_contrast(&model)?;
        // The reading under the first fit stays a plausible one: how far it lands from the
        // refit's is uncertainty (and keeps this photo's number within reach of the same
        // visit's reading in a pair, which does not refit).
        let mut first = None;
        if detail.is_none() && prep[0].shine.is_some() {
            let before = mean_alpha_sparse(&frames[0], &prep[0], &model, 2);
            if refit_without_shine(&frames[0], &mut prep[0], &mut model) {
                check_contrast(&model)?;
                first = Some(before);
            }
        }
        // Sharp strands are read whole on a single photo only: in a pair, cores found in
        // one visit and not the other moved small changes by up to 1.8 pp on the bench.
        let HairReading {
            cov,
            map: a,
            smooth,
            cores,
            uncorrected,
        } = hair_reading(&frames[0], &prep[0], &model, core_gate(&model))?;
        let mut dev: f64 = 0.0;
        let base = mean_alpha_sparse(&frames[0], &prep[0], &model, 2);
        for m in perturbed(&model) {
            dev = dev.max((mean_alpha_sparse(&frames[0], &prep[0], &m, 2) - base).abs());
        }
        // Other plausible models of the same pixels: how far they land is uncertainty too.
        // The side is judged on the map as first read: reading cores whole must not settle
        // a dispute.
        let side = disputed_side(&frames[0], uncorrected.as_ref().unwrap_or(&a), &model);
        drop(uncorrected);
        let spread = alternatives(
            &frames[0],
            &mut prep[0],
            &model,
            base,
            side,
            detail.as_mut(),
        )
        .spread(base + cores);
        let floor = if model.two_classes { 0.015 } else { 0.05 };
        let area = mask_count(mask) as f64 / (wk.scale * wk.scale);
        let spread = spread
            .max(smooth)
            .max(cores.abs())
            .max(first.map_or(0.0, |f| (f - base - cores).abs()));
        let uncertainty = (floor * floor + dev * dev + spread * spread).sqrt();
        if uncertainty > MAX_UNCERTAINTY {
            return Err(CoverageError::Ambiguous);
        }
        Ok(Coverage {
            coverage: cov,
            uncertainty,
            region_area_px: area,
            region_source: wk.source,
            region: wk.region.clone(),
            hair_map: self.hair_map(a, mask, wk.lin.w, wk.lin.h, wk.scale),
        })
    }

    /// Measures the change in coverage from `before` to `after` over one region.
    ///
    /// `after_to_before` maps AFTER pixel coordinates to BEFORE pixel coordinates (a 3x3
    /// homogeneous matrix, row-major; the identity when the photos are already aligned).
    /// AFTER is resampled into BEFORE's frame (from output to input: each BEFORE pixel is
    /// sampled from AFTER at the inverse mapping). `region` is in BEFORE pixels; `None`
    /// finds the scalp automatically in BEFORE. AFTER's colour is brought to BEFORE's
    /// illuminant (shades-of-grey ratio); then each visit's skin colour, hair colour and
    /// light field are measured on its own pixels, with hair taken to be on the same side of
    /// skin as in BEFORE, so a change of light alone reads as (nearly) no change.
    pub fn change(
        &mut self,
        before: &RgbaImage,
        after: &RgbaImage,
        after_to_before: [[f64; 3]; 3],
        region: Option<&Polygon>,
    ) -> Result<Change, CoverageError> {
        self.change_with([before, after], [None, None], after_to_before, region)
    }

    /// [`Analyzer::change`] of `[before, after]`, with each visit's colours fitted on its
    /// `larger` copy when given. Every coordinate is that of the photos in `photos`.
    pub fn change_with(
        &mut self,
        photos: [&RgbaImage; 2],
        larger: [Option<Larger>; 2],
        after_to_before: [[f64; 3]; 3],
        region: Option<&Polygon>,
    ) -> Result<Change, CoverageError> {
        let [before, after] = photos;
        let mut wb = self.prepare(before, region)?;
        let (alin, ascale) = work::to_linear_reduced(after, self.opts.max_side.max(64));
        let (mut wa, valid) = work::warp_into(
            &alin,
            ascale,
            &after_to_before,
            wb.lin.w,
            wb.lin.h,
            wb.scale,
        )
        .ok_or(CoverageError::InvalidTransform)?;
        let before_n = mask_count(&wb.mask);
        let mask: Vec<bool> = wb.mask.iter().zip(&valid).map(|(&a, &b)| a && b).collect();
        let n = mask_count(&mask);
        if n < self.opts.min_region_work_px || n * 2 < before_n {
            return Err(CoverageError::NoOverlap);
        }
        // BEFORE alone over the common region is read at the end, as a single photo is,
        // from the same texture map and light field and the same detail tiles.
        let alone_prep = self.opts.figures_from_before_alone.then(|| wb.prep.clone());
        let mut preps = [std::mem::take(&mut wb.prep), classify::prepare(&wa)];
        check_quality(&wb.lin, &mask, &preps[0], wb.source != RegionSource::Auto)?;
        check_quality(&wa, &mask, &preps[1], true)?;
        // Bring AFTER's illuminant to BEFORE's (not both to grey: the skin's own hue is
        // evidence the classifier uses).
        let gb = shades_of_grey(&wb.lin, &mask);
        let ga = shades_of_grey(&wa, &mask);
        let gains = [0, 1, 2].map(|k| (gb[k] / ga[k] * ga[1] / gb[1]) as f32);
        for k in 0..3 {
            wa.c[k].iter_mut().for_each(|v| *v *= gains[k]);
        }
        // Full-resolution detail of each visit over the common region (AFTER's through the
        // alignment, with its colour correction).
        let bs = wb.scale;
        let before_to_after =
            work::invert3(&after_to_before).ok_or(CoverageError::InvalidTransform)?;
        let full = self.opts.full_resolution_colours;
        let (src_a, ka) = sharpest(after, larger[1]);
        let mut detail_b = self.detail_of(before, larger[0], &wb, &mask);
        let alone = alone_prep.map(|p| (p, detail_b.clone()));
        let mut detail_a = full
            .then(|| {
                detail(
                    src_a,
                    ascale / ka,
                    &mask,
                    wb.lin.w,
                    gains,
                    |x, y| {
                        work::apply3(&before_to_after, x / bs, y / bs)
                            .map(|(ax, ay)| (ax * ka, ay * ka))
                    },
                    |x, y| {
                        work::apply3(&after_to_before, x / ka, y / ka)
                            .map(|(bx, by)| (bx * bs, by * bs))
                    },
                )
            })
            .flatten();
        // Each visit gets its own skin and hair colours and light field, measured on its
        // own skin; hair is taken to be on the same side of skin in both.
        let fb = [Frame {
            img: &wb.lin,
            mask: &mask,
        }];
        let [pb, pa] = &mut preps;
        let mut model_b = fit_colours(
            &fb,
            std::slice::from_mut(pb),
            detail_b.as_mut().map(std::slice::from_mut),
            None,
        );
        // AFTER with hair on BEFORE's side of skin.
        let dark = model_b.dark_hair;
        let fit_after = |img: &Lin, prep: &mut Prepared, detail: Option<&mut Detail>| {
            fit_colours(
                &[Frame { img, mask: &mask }],
                std::slice::from_mut(prep),
                detail.map(std::slice::from_mut),
                Some(dark),
            )
        };
        let mut model_a = fit_after(&wa, pa, detail_a.as_mut());
        // The shades-of-grey correction above follows the brightest pixels, and shine at
        // one visit only (light off a bare scalp, in the light's colour) moves it. Beside
        // dark hair, the skin is the same material at both visits: its colour fitted at
        // each gives the correction, and AFTER is measured again under it. (Beside white
        // hair the brightest pixels are the strands, a white reference; there the
        // correction stands.)
        if let Some(g) = skin_gains(&model_b, &model_a) {
            for k in 0..3 {
                wa.c[k].iter_mut().for_each(|v| *v *= g[k]);
                if let Some(d) = detail_a.as_mut() {
                    d.lin.c[k].iter_mut().for_each(|v| *v *= g[k]);
                }
            }
            pa.plane = [0.0; 6];
            model_a = fit_after(&wa, pa, detail_a.as_mut());
        }
        let fa = [Frame {
            img: &wa,
            mask: &mask,
        }];
        // Grey strands read by their own lightness in one visit and not the other, or dark
        // strands taken towards black in one only, would read as a change; both are read
        // the same way, from the light-field refit on.
        classify::share_purity(&mut model_b, &mut model_a);
        classify::share_tone(&mut model_b, &mut model_a);
        classify::share_reach(&mut model_b, &mut model_a);
        let level_b = classify::envelope_refit(&fb[0], pb, &model_b);
        let level_a = classify::envelope_refit(&fa[0], pa, &model_a);
        find_shine(&fb[0], pb, &mut model_b, level_b);
        find_shine(&fa[0], pa, &mut model_a, level_a);
        // Not fitted again without shine here ([`refit_without_shine`]): with shine at one
        // visit only, the visit fitted again drifted from the other (a no-change V/brown
        // pair read +3.4 pp instead of +1.4).
        check_contrast(&model_b)?;
        check_contrast(&model_a)?;
        let frames = [fb, fa].map(|f| f.into_iter().next());
        let (Some(frb), Some(fra)) = (&frames[0], &frames[1]) else {
            return Err(CoverageError::NoOverlap);
        };
        let rb = hair_reading(frb, &preps[0], &model_b, None)?;
        let ra = hair_reading(fra, &preps[1], &model_a, None)?;
        let (cb, ab, smooth_b) = (rb.cov, rb.map, rb.smooth);
        let (ca, aa, smooth_a) = (ra.cov, ra.map, ra.smooth);
        let (mut devb, mut deva, mut devc): (f64, f64, f64) = (0.0, 0.0, 0.0);
        let (cb2, ca2) = (
            mean_alpha_sparse(frb, &preps[0], &model_b, 2),
            mean_alpha_sparse(fra, &preps[1], &model_a, 2),
        );
        for (mb, ma) in perturbed(&model_b).iter().zip(perturbed(&model_a).iter()) {
            let b = mean_alpha_sparse(frb, &preps[0], mb, 2);
            let a = mean_alpha_sparse(fra, &preps[1], ma, 2);
            devb = devb.max((b - cb2).abs());
            deva = deva.max((a - ca2).abs());
            devc = devc.max(((a - b) - (ca2 - cb2)).abs());
        }
        // Other plausible models, the same one for both visits.
        let side = disputed_side(frb, &ab, &model_b);
        let [pb, pa] = &mut preps;
        let alt_b = alternatives(frb, pb, &model_b, cb2, side, detail_b.as_mut());
        let alt_a = alternatives(fra, pa, &model_a, ca2, side, detail_a.as_mut());
        let spread_b = alt_b.spread(cb2).max(smooth_b);
        let spread_a = alt_a.spread(ca2).max(smooth_a);
        // The light taken out of a light-hair map (as shine) lowers a reading; the change
        // with it left in is a plausible one too.
        let mut spread_c = (smooth_a - smooth_b).abs();
        spread_c = spread_c.max(((alt_a.local_light - alt_b.local_light) - (ca2 - cb2)).abs());
        spread_c = spread_c.max(((alt_a.purer_hair - alt_b.purer_hair) - (ca2 - cb2)).abs());
        if let (Some(b), Some(a)) = (alt_b.other_side, alt_a.other_side) {
            spread_c = spread_c.max(((a - b) - (ca2 - cb2)).abs());
        }
        for (b, a) in [
            (alt_b.hair_as_seen, alt_a.hair_as_seen),
            (alt_b.no_shine, alt_a.no_shine),
            (alt_b.skin_as_seen, alt_a.skin_as_seen),
        ] {
            if b.is_some() || a.is_some() {
                let (b, a) = (b.unwrap_or(cb2), a.unwrap_or(ca2));
                spread_c = spread_c.max(((a - b) - (ca2 - cb2)).abs());
            }
        }
        // Each visit measured with the other's colours (its own light field refitted under
        // them): the same yardstick for both. How far those changes land counts too; a
        // visit whose own fit went astray disagrees with the other's colours. The light
        // here is the smooth fit alone: with the local-skin-level refit as well, the bench's
        // pair changes fell within their stated uncertainty for 22 of 32 pairs, not 28 of 31.
        // A crossed reading near either of the visit's own readings (under the refined light,
        // or under the same smooth light) shows no disagreement of colours: set against the
        // refined one alone, the gap between the two lights counted too, and a photo
        // compared with itself was given up to +-24 points.
        let crossed = |fr: &Frame, prep: &mut Prepared, m: &Model| {
            let plane = prep.plane;
            classify::fit_light(fr, prep, m);
            let v = mean_alpha_sparse(fr, prep, m, 2);
            prep.plane = plane;
            v
        };
        let after_as_before = crossed(fra, &mut preps[1], &model_b);
        let before_as_after = crossed(frb, &mut preps[0], &model_a);
        let after_own = crossed(fra, &mut preps[1], &model_a);
        let before_own = crossed(frb, &mut preps[0], &model_b);
        let apart = |x: f64, own: f64, refined: f64| (x - own).abs().min((x - refined).abs());
        spread_c = spread_c.max(apart(after_as_before, after_own, ca2));
        spread_c = spread_c.max(apart(before_as_after, before_own, cb2));
        let devb = devb.hypot(spread_b);
        let deva = deva.hypot(spread_a);
        let devc = devc.hypot(spread_c);
        let floor = if model_b.two_classes && model_a.two_classes {
            0.015
        } else {
            0.05
        };
        // Cell map over the region's bounding box.
        let (w, h) = (wb.lin.w, wb.lin.h);
        let (x0, y0, x1, y1) = mask_bounds(&mask, w).unwrap_or((0, 0, w, h));
        let cells = self.opts.cells.max(1) as usize;
        let cw = (x1 - x0) as f64 / cells as f64;
        let ch = (y1 - y0) as f64 / cells as f64;
        let mut sums = vec![(0.0f64, 0usize); cells * cells];
        for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
            let (x, y) = (i % w, i / w);
            let cx = (((x - x0) as f64 + 0.5) / cw) as usize;
            let cy = (((y - y0) as f64 + 0.5) / ch) as usize;
            let c = cy.min(cells - 1) * cells + cx.min(cells - 1);
            sums[c].0 += f64::from(aa[i] - ab[i]);
            sums[c].1 += 1;
        }
        let full = cw * ch;
        let cell_map = CellMap {
            cols: cells as u32,
            rows: cells as u32,
            x0: x0 as f64 / wb.scale,
            y0: y0 as f64 / wb.scale,
            cell_w: cw / wb.scale,
            cell_h: ch / wb.scale,
            change_pp: sums
                .iter()
                .map(|&(s, c)| {
                    (c as f64 >= 0.25 * full && c > 0).then(|| (100.0 * s / c as f64) as f32)
                })
                .collect(),
        };
        let area = n as f64 / (wb.scale * wb.scale);
        let unc = |d: f64| (floor * floor + d * d).sqrt();
        let change_unc = (0.005f64.powi(2) + devc * devc).sqrt();
        if unc(devb) > MAX_UNCERTAINTY
            || unc(deva) > MAX_UNCERTAINTY
            || change_unc > MAX_UNCERTAINTY
        {
            return Err(CoverageError::Ambiguous);
        }
        // Each visit's figure: BEFORE as it reads alone over this region, and AFTER as that
        // plus the change. A photo's figure then does not depend on the photo it is
        // compared with (the stage 5 crown read 14 % alone and 27 % beside a copy of
        // itself), and, where AFTER shows all of BEFORE's region, it is the one its visit
        // shows in a chart of visits. The pair's own fit, with hair on the same side of
        // skin in both and shared purity, tone and reach, is the yardstick for the change.
        // Where BEFORE cannot be read alone, or that plus the change would leave 0-100 %,
        // the pair fit gives the figures too: then they depend on the photo compared with,
        // and the chart's point for the first visit (its reading alone) can differ.
        let change = ca - cb;
        let one = alone.and_then(|(p, d)| self.read_one(&wb, &mask, p, d).ok());
        let (cov_b, unc_b, cov_a, unc_a) = match one {
            Some(one) if (0.0..=1.0).contains(&(one.coverage + change)) => (
                one.coverage,
                one.uncertainty,
                one.coverage + change,
                one.uncertainty.hypot(change_unc),
            ),
            // BEFORE not readable alone, or the change would take AFTER past 0 or 100 %:
            // the pair fit's own figures, whose difference is the change.
            _ => (cb, unc(devb), ca, unc(deva)),
        };
        let before_cov = Coverage {
            coverage: cov_b,
            uncertainty: unc_b,
            region_area_px: area,
            region_source: wb.source,
            region: wb.region.clone(),
            hair_map: self.hair_map(ab, &mask, w, h, wb.scale),
        };
        let after_cov = Coverage {
            coverage: cov_a,
            uncertainty: unc_a,
            region_area_px: area,
            region_source: wb.source,
            region: wb.region,
            hair_map: self.hair_map(aa, &mask, w, h, wb.scale),
        };
        Ok(Change {
            before: before_cov,
            after: after_cov,
            change_pp: 100.0 * change,
            change_uncertainty_pp: 100.0 * change_unc,
            cell_map,
        })
    }
}

/// The four views of a SALT-style estimate, in the order [`salt_estimate`] takes them,
/// with the share of the scalp each stands for.
pub const SALT_VIEWS: [(&str, f64); 4] = [
    ("top", 0.40),
    ("back", 0.24),
    ("left", 0.18),
    ("right", 0.18),
];

/// A SALT-style estimate of hair loss from four views.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaltEstimate {
    /// Estimated percentage of scalp without visible hair, 0..100, weighted over the views
    /// (top 40 %, back 24 %, left 18 %, right 18 %). An estimate from photos, not a
    /// clinical SALT score.
    pub estimated_loss_percent: f64,
    /// Uncertainty in percentage points.
    pub uncertainty_pp: f64,
}

/// What a SALT-style estimate is, said wherever one is shown.
pub const SALT_LABEL: &str = "SALT-style estimate from photos, not a clinical SALT score";

/// Combines coverages of the top, back, left and right views into a SALT-style estimate of
/// loss (100 * (1 - coverage) per view, weighted 40/24/18/18). Uncertainties are combined
/// as if independent.
pub fn salt_estimate(
    top: &Coverage,
    back: &Coverage,
    left: &Coverage,
    right: &Coverage,
) -> SaltEstimate {
    salt_from_readings([top, back, left, right].map(|c| (c.coverage, c.uncertainty)))
}

/// [`salt_estimate`] from each view's `(coverage, uncertainty)` as fractions, in the order
/// of [`SALT_VIEWS`] (a reading measured elsewhere, such as in a browser's worker).
pub fn salt_from_readings(readings: [(f64, f64); 4]) -> SaltEstimate {
    let views = readings.into_iter().zip(SALT_VIEWS.map(|(_, w)| w));
    let loss: f64 = views
        .clone()
        .map(|((c, _), w)| w * 100.0 * (1.0 - c.clamp(0.0, 1.0)))
        .sum();
    let var: f64 = views.map(|((_, u), w)| (w * 100.0 * u).powi(2)).sum();
    SaltEstimate {
        estimated_loss_percent: loss,
        uncertainty_pp: var.sqrt(),
    }
}

/// A copy of `photo` whose longer side is at most `max_side`, each pixel the area mean of
/// the pixels it covers in linear light (then back to sRGB), with the copy's pixels per
/// pixel of `photo`. A pixel where a strand crosses skin stays the true mixture of the two
/// colours; an average of sRGB values (a browser canvas) reads it darker, so dark hair too
/// high. Returns the photo itself (scale 1) when it is small enough.
pub fn working_copy(photo: &RgbaImage, max_side: u32) -> (RgbaImage, f64) {
    let max_side = max_side.max(1);
    if photo.width().max(photo.height()) <= max_side {
        return (photo.clone(), 1.0);
    }
    let (lin, scale) = work::to_linear_reduced(photo, max_side);
    // sRGB bytes by table: 2^16 steps of linear light resolve even the darkest byte.
    const STEPS: usize = 1 << 16;
    let lut: Vec<u8> = (0..STEPS)
        .map(|i| (work::linear_to_srgb(i as f32 / (STEPS - 1) as f32) * 255.0).round() as u8)
        .collect();
    let mut data = vec![255u8; lin.w * lin.h * 4];
    for (i, px) in data.chunks_exact_mut(4).enumerate() {
        for k in 0..3 {
            let v = (lin.c[k][i].clamp(0.0, 1.0) * (STEPS - 1) as f32).round() as usize;
            px[k] = lut[v];
        }
    }
    let image = RgbaImage::from_raw(lin.w as u32, lin.h as u32, data)
        .unwrap_or_else(|_| RgbaImage::filled(1, 1, [0, 0, 0, 255]));
    (image, scale)
}

/// The naive baseline the evaluation compares against: Otsu's threshold on the grey level
/// inside the region, the darker class counted as hair. Returns the fraction of region
/// pixels in the darker class, or `None` for an empty region.
pub fn otsu_baseline(photo: &RgbaImage, region: &Polygon) -> Option<f64> {
    let mask = region.rasterize(photo.width(), photo.height());
    let mut hist = [0usize; 256];
    for (p, &m) in photo.as_bytes().chunks_exact(4).zip(&mask) {
        if m {
            let g = 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]);
            hist[(g.round() as usize).min(255)] += 1;
        }
    }
    let total: usize = hist.iter().sum();
    if total == 0 {
        return None;
    }
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut wb, mut sb, mut best, mut thr) = (0.0f64, 0.0f64, -1.0f64, 0usize);
    for (t, &c) in hist.iter().enumerate() {
        wb += c as f64;
        sb += t as f64 * c as f64;
        let wf = total as f64 - wb;
        if wb == 0.0 || wf == 0.0 {
            continue;
        }
        let mb = sb / wb;
        let mf = (sum_all - sb) / wf;
        let between = wb * wf * (mb - mf).powi(2);
        if between > best {
            best = between;
            thr = t;
        }
    }
    let dark: usize = hist[..=thr].iter().sum();
    Some(dark as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strands over skin vary at the scale of a strand; a flushed patch read as hair varies
    /// only slowly. Both maps below read about half hair in their middle.
    #[test]
    fn smooth_light_on_bare_skin_is_taken_out_of_a_light_hair_map() {
        let (w, h) = (160usize, 160usize);
        let mask = vec![true; w * h];
        // Strands (2 px lines every 5 px) over the left half; bare skin on the right, with
        // a smooth highlight reading up to 0.8 there.
        let strand = |x: usize, y: usize| x < 80 && (x + y / 3) % 5 < 2;
        let glow = |x: usize, y: usize| {
            let (dx, dy) = (x as f32 - 120.0, y as f32 - 80.0);
            0.8 * (-(dx * dx + dy * dy) / (2.0 * 15.0 * 15.0)).exp()
        };
        let mut map: Vec<f32> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                if strand(x, y) {
                    1.0
                } else {
                    glow(x, y)
                }
            })
            .collect();
        let strands_only = (0..w * h).filter(|&i| strand(i % w, i / w)).count() as f64;
        let truth = strands_only / (w * h) as f64;
        let before = map.iter().map(|&v| f64::from(v)).sum::<f64>() / (w * h) as f64;
        let st = LocalStats::new(&map, &mask, w);
        let (ratio, _) = st.strand_detail().expect("partly hair");
        let after = smooth_light_removed(&mut map, &mask, w, &st, ratio).expect("inside");
        // The highlight added about 4.5 points; at most a fifth of it is left, and the
        // strands (away from the highlight) keep their reading.
        assert!(before - truth > 0.04, "{before} {truth}");
        assert!(
            (after - truth).abs() < 0.2 * (before - truth),
            "{after} {truth}"
        );
        let kept = (0..w * h)
            .filter(|&i| strand(i % w, i / w) && i % w < 60)
            .map(|i| map[i])
            .fold(1.0f32, f32::min);
        assert!(kept > 0.95, "a strand fell to {kept}");
    }

    /// A sharp 4 px strand lighter than the hair colour reads 0.6 flat across, with bare
    /// skin beside it: it is read as a whole strand, its 1 px edges in proportion. A blurred
    /// strand (no flat patch) and a flat patch far from bare skin are left as read.
    #[test]
    fn sharp_strand_cores_are_read_whole() {
        let (w, h) = (40usize, 40usize);
        let mask = vec![true; w * h];
        let sharp = |x: usize| match x {
            10 | 15 => 0.3,
            11..=14 => 0.6,
            _ => 0.0,
        };
        let mut map: Vec<f32> = (0..w * h).map(|i| sharp(i % w)).collect();
        let before = map.iter().map(|&v| f64::from(v)).sum::<f64>() / (w * h) as f64;
        let shift = strand_cores_read_whole(&mut map, &mask, w, 0.4);
        let (row, expect) = (&map[20 * w..21 * w], [0.5, 1.0, 1.0, 1.0, 1.0, 0.5]);
        for (x, e) in (10..16).zip(expect) {
            assert!((row[x] - e).abs() < 1e-5, "x {x}: {} for {e}", row[x]);
        }
        assert!(row[..10].iter().chain(&row[16..]).all(|&v| v == 0.0));
        let after = map.iter().map(|&v| f64::from(v)).sum::<f64>() / (w * h) as f64;
        assert!((shift - (after - before)).abs() < 1e-9 && shift > 0.0);

        // A ramp (a blurred strand) has no flat patch; a flat patch of 0.6 over the whole
        // map has no bare skin beside it; a flat patch below the gate is not a strand.
        let ramp = |x: usize| (1.0 - (x as f32 - 20.0).abs() / 8.0).max(0.0) * 0.6;
        for (name, f, gate) in [
            ("ramp", &ramp as &dyn Fn(usize) -> f32, 0.4),
            ("no skin", &|_| 0.6, 0.4),
            ("below the gate", &sharp, 0.7),
        ] {
            let mut map: Vec<f32> = (0..w * h).map(|i| f(i % w)).collect();
            let kept = map.clone();
            assert_eq!(
                strand_cores_read_whole(&mut map, &mask, w, gate),
                0.0,
                "{name}"
            );
            assert_eq!(map, kept, "{name}");
        }
    }

    /// One of each refusal.
    fn every_refusal() -> [CoverageError; 14] {
        use CoverageError::*;
        [
            InvalidRegion("it needs at least 3 points with finite coordinates".into()),
            RegionTooSmall,
            NoScalpFound,
            Overexposed,
            Underexposed,
            Blurred,
            NoContrast,
            InvalidTransform,
            NoOverlap,
            Ambiguous,
            AlikeColours,
            NoSkinColour,
            NoStrands,
            Glare,
        ]
    }

    /// The widget shows the core's refusals translated by their English text: each one it
    /// can show (in a comparison, or on a photo measured whole) has a Spanish entry.
    #[test]
    fn every_refusal_the_widget_shows_is_translated() {
        let spanish = include_str!("../../www/i18n.js");
        for e in &every_refusal() {
            if matches!(e, CoverageError::InvalidRegion(_)) {
                continue; // the widget draws no region of fewer than 3 corners
            }
            for advice in [Advice::DrawRegion, Advice::RetakeOnly, Advice::MarkedRegion] {
                let key = format!("\"{}\":", e.message(advice));
                assert!(spanish.contains(&key), "no Spanish for {key}");
            }
        }
    }

    /// Every refusal gives its reason wherever it is read, and advises only what the
    /// reader can do there: in the widget draw a region, at the command line give one
    /// with `--roi`, on a photo measured whole retake it.
    #[test]
    fn each_refusal_advises_what_its_reader_can_do() {
        use CoverageError::*;
        let mut region_advice = 0;
        for e in &every_refusal() {
            let draw = e.to_string();
            assert_eq!(draw, e.message(Advice::DrawRegion));
            let roi = e.message(Advice::RoiOption);
            let whole = e.message(Advice::RetakeOnly);
            assert!(
                !roi.contains("draw") && !whole.contains("draw"),
                "{roi} / {whole}"
            );
            assert!(!whole.contains("--roi"), "{whole}");
            if draw.contains("draw") {
                region_advice += 1;
                assert!(roi.contains("--roi"), "{roi}");
                assert!(whole.contains("retake"), "{whole}");
                // The reason is the same in all three.
                let reason = |m: &str| m[..m.find("; ").unwrap_or(m.len())].to_string();
                assert_eq!(reason(&draw), reason(&roi));
                // A region too small is the scalp found being too small, for a whole photo.
                if !matches!(e, RegionTooSmall) {
                    assert_eq!(reason(&draw), reason(&whole), "{draw} / {whole}");
                }
            } else {
                assert_eq!(draw, roi);
                assert_eq!(draw, whole);
            }
        }
        // Region too small, no head found, and the four the colour model refuses.
        assert_eq!(region_advice, 6);
        // A patient reading a region the specialist marked: never to draw, and a region too
        // small is the marked region's, not the photo's.
        for e in &every_refusal() {
            let marked = e.message(Advice::MarkedRegion);
            assert!(
                !marked.contains("draw") && !marked.contains("--roi"),
                "{marked}"
            );
            if !matches!(e, RegionTooSmall) {
                assert_eq!(marked, e.message(Advice::RetakeOnly));
            }
        }
        assert_eq!(
            RegionTooSmall.message(Advice::MarkedRegion),
            "the region marked on the photo is too small to measure hair coverage; your specialist can mark a larger one"
        );
        assert_eq!(
            Ambiguous.message(Advice::RetakeOnly),
            "hair and skin cannot be told apart reliably in this photo (equally plausible readings differ by more than 30 points); retake the photo evenly lit and in focus"
        );
    }

    /// [`LocalStats::strand_detail`] of a hair map.
    fn strand_detail(alpha: &[f32], mask: &[bool], w: usize) -> Option<(f64, f64)> {
        LocalStats::new(alpha, mask, w).strand_detail()
    }

    #[test]
    fn strand_detail_tells_strands_from_a_smooth_patch() {
        let (w, h) = (120usize, 120usize);
        let mask = vec![true; w * h];
        // Strands: 2 px lines every 4 px, over four fifths of the width.
        let strands: Vec<f32> = (0..w * h)
            .map(|i| {
                let (x, y) = (i % w, i / w);
                let on = (x + y / 3) % 4 < 2;
                if on && (x as f32) < 0.8 * w as f32 {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        // A smooth patch: a wide bump, about half at its flanks.
        let patch: Vec<f32> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32 - 60.0, (i / w) as f32 - 60.0);
                (-(x * x + y * y) / (2.0 * 35.0 * 35.0)).exp()
            })
            .collect();
        let (ds, share_s) = strand_detail(&strands, &mask, w).expect("partly hair");
        let (dp, share_p) = strand_detail(&patch, &mask, w).expect("partly hair");
        assert!(ds > 0.5, "strands: {ds}");
        assert!(dp < MIN_STRAND_DETAIL, "patch: {dp}");
        assert!(share_s > 0.2 && share_p > 0.2, "{share_s} {share_p}");
        assert!(check_strands(strand_detail(&strands, &mask, w)).is_ok());
        assert_eq!(
            check_strands(strand_detail(&patch, &mask, w)),
            Err(CoverageError::NoStrands)
        );
        // Little of the region partly hair: not judged.
        let mostly_bare: Vec<f32> = patch.iter().map(|v| (v - 0.9).max(0.0) * 10.0).collect();
        assert!(check_strands(strand_detail(&mostly_bare, &mask, w)).is_ok());
    }
}
