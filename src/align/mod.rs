//! Automatic registration of an AFTER photo onto a BEFORE photo of the same scalp.
//!
//! [`Aligner::align`] finds a [`Transform`] that maps AFTER pixel coordinates to BEFORE pixel
//! coordinates, in the photos' ORIGINAL pixels, with a confidence. It does not warp or draw
//! anything: rendering samples the photos through the transform.
//!
//! The method: on a copy whose long side is capped ([`AlignOptions::max_side`]),
//! 1. coarse rotation and scale by Fourier–Mellin (phase correlation of the log-polar,
//!    high-passed magnitude spectra), the 180° ambiguity resolved by a second phase
//!    correlation for the shift;
//! 2. refinement by ECC (enhanced correlation coefficient, Evangelidis & Psarakis 2008) on a
//!    pyramid, coarse to fine, which is invariant to brightness and contrast and here
//!    down-weights blocks whose content changed;
//! 3. a confidence from the agreement of fine detail after alignment; below
//!    [`AlignOptions::min_confidence`] the answer is [`AlignError::Unreliable`] rather than a
//!    bad warp.
//!
//! ```
//! use scalp_compare::align::{AlignOptions, Aligner, GreyRef};
//!
//! // A synthetic textured photo and a copy shifted by 3 px to the right.
//! let (w, h) = (160u32, 120u32);
//! let pix = |x: i64, y: i64| ((x * 7 + y * 13) % 31 * 8 + (x * y) % 17) as u8;
//! let before: Vec<u8> = (0..h as i64).flat_map(|y| (0..w as i64).map(move |x| pix(x, y))).collect();
//! let after: Vec<u8> = (0..h as i64).flat_map(|y| (0..w as i64).map(move |x| pix(x + 3, y))).collect();
//!
//! let mut aligner = Aligner::new(AlignOptions::default());
//! let before = GreyRef::new(&before, w, h).unwrap();
//! let after = GreyRef::new(&after, w, h).unwrap();
//! let result = aligner.align(before, after).unwrap();
//! // AFTER's pixel (10, 10) shows what BEFORE has at (13, 10).
//! let (x, y) = result.transform.apply(10.0, 10.0);
//! assert!((x - 13.0).abs() < 0.1 && (y - 10.0).abs() < 0.1);
//! ```

mod ecc;
mod features;
mod fft;
mod fourier;
pub(crate) mod plane;

use crate::geometry::{GeometryError, Model, Transform};
use ecc::{detail_agreement, detail_planes, ecc_level, pyramid, EccRun, Level, Norm};
use features::{Matches, Orb};
use fourier::Fourier;
use plane::{area_downscale, Plane};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The smallest photo side, in pixels, that alignment accepts.
pub const MIN_SIDE: u32 = 32;

/// Below this peak-to-sidelobe ratio the Fourier–Mellin estimate is not trusted, and a
/// failed alignment is retried with a sweep over rotations and scales.
const SWEEP_BELOW_PSR: f64 = 30.0;

/// RANSAC tolerance of the feature fit, in working pixels per 640 px of long side.
const FEATURE_TOLERANCE: f64 = 3.0;

/// A feature fit with at least this many inliers is refined first, on its own.
const FEATURE_FIRST_INLIERS: usize = 8;

/// Coarse results closer than this (normalised units, 1 = half the long side) are the same.
const SAME_RESULT: f64 = 0.03;

/// How many distinct coarse results are refined fully before giving up.
const MAX_REFINED: usize = 3;

/// A borrowed 8-bit grey image: `width * height` bytes, row by row, no padding.
#[derive(Debug, Clone, Copy)]
pub struct GreyRef<'a> {
    data: &'a [u8],
    width: u32,
    height: u32,
}

impl<'a> GreyRef<'a> {
    /// Wraps a grey buffer, checking that its length is `width * height` and that both sides
    /// are at least [`MIN_SIDE`] pixels.
    pub fn new(data: &'a [u8], width: u32, height: u32) -> Result<GreyRef<'a>, AlignError> {
        if width < MIN_SIDE || height < MIN_SIDE {
            return Err(AlignError::TooSmall { width, height });
        }
        let expected = width as usize * height as usize;
        if data.len() != expected {
            return Err(AlignError::BadBuffer {
                expected,
                got: data.len(),
            });
        }
        Ok(GreyRef {
            data,
            width,
            height,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixels, row by row.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }
}

/// Converts RGBA8 pixels (`width * height * 4` bytes) to grey (Rec. 601 luma), for
/// [`GreyRef::new`].
pub fn rgba_to_grey(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, AlignError> {
    let expected = width as usize * height as usize * 4;
    if rgba.len() != expected {
        return Err(AlignError::BadBuffer {
            expected,
            got: rgba.len(),
        });
    }
    Ok(rgba
        .chunks_exact(4)
        .map(|p| ((299 * p[0] as u32 + 587 * p[1] as u32 + 114 * p[2] as u32 + 500) / 1000) as u8)
        .collect())
}

/// Settings for an [`Aligner`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlignOptions {
    /// The transform family of the result: similarity (default) unless the camera tilted.
    pub model: Model,
    /// Long side, in pixels, of the working copy the photos are shrunk to (default 1024).
    pub max_side: u32,
    /// Side of the square Fourier canvas for the coarse stage (default 256), 64 to 1024,
    /// rounded down to a power of two.
    pub fourier_size: u32,
    /// Confidence below which alignment is refused with [`AlignError::Unreliable`]
    /// (default 0.5).
    pub min_confidence: f64,
    /// Down-weight regions whose content changed between the photos (default true).
    pub robust: bool,
}

impl Default for AlignOptions {
    fn default() -> Self {
        AlignOptions {
            model: Model::Similarity,
            max_side: 1024,
            fourier_size: 256,
            min_confidence: 0.5,
            robust: true,
        }
    }
}

/// A successful alignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// Maps AFTER pixel coordinates to BEFORE pixel coordinates (original photos).
    pub transform: Transform,
    /// How sure the aligner is, from 0 (no idea) to 1 (certain).
    pub confidence: f64,
    /// Final enhanced correlation coefficient of the refinement (-1..1) over the kept pixels.
    pub correlation: f64,
    /// Median local correlation of fine detail after alignment (-1..1); the main input of
    /// `confidence`.
    pub detail_correlation: f64,
    /// Fraction of AFTER that overlaps BEFORE (0..1).
    pub overlap: f64,
    /// Fraction of the overlap the refinement trusted (the rest looked changed), 0..1.
    pub inlier_fraction: f64,
    /// Peak-to-sidelobe ratio of the coarse phase correlation (0 when a starting transform
    /// was given).
    pub peak_to_sidelobe: f64,
}

/// Why two photos could not be aligned.
#[derive(Debug, Clone, PartialEq)]
pub enum AlignError {
    /// A photo is too small to align.
    TooSmall {
        /// Width given.
        width: u32,
        /// Height given.
        height: u32,
    },
    /// A pixel buffer does not have the length its size implies.
    BadBuffer {
        /// Bytes expected.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A photo is (almost) one flat colour, with nothing to align on.
    Featureless,
    /// The landmarks could not be used.
    Landmarks(GeometryError),
    /// The best alignment found is not trustworthy: the photos may show different places, or
    /// too much changed between them.
    Unreliable {
        /// The confidence reached (below the threshold).
        confidence: f64,
        /// The best guess, for showing to a person who may then place landmarks.
        best_guess: Transform,
    },
}

impl fmt::Display for AlignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlignError::TooSmall { width, height } => write!(
                f,
                "this photo is too small to align ({width}x{height} pixels; at least {MIN_SIDE}x{MIN_SIDE} needed)"
            ),
            AlignError::BadBuffer { expected, got } => write!(
                f,
                "the image data is damaged: expected {expected} bytes, got {got}"
            ),
            AlignError::Featureless => f.write_str(
                "one of the photos is almost blank, so there is nothing to line up",
            ),
            AlignError::Landmarks(e) => write!(f, "the landmarks could not be used: {e}"),
            AlignError::Unreliable { confidence, .. } => write!(
                f,
                "could not align these photos reliably (confidence {:.0}%); check that they show the same area, or place a few matching landmarks by hand",
                confidence * 100.0
            ),
        }
    }
}

impl std::error::Error for AlignError {}

impl From<GeometryError> for AlignError {
    fn from(e: GeometryError) -> Self {
        AlignError::Landmarks(e)
    }
}

/// Aligns pairs of photos, keeping FFT plans and buffers between calls.
///
/// Create one and reuse it: plans are made on first use.
pub struct Aligner {
    options: AlignOptions,
    fourier: Option<Fourier>,
    sweeper: Option<Fourier>,
    orb: Option<Orb>,
}

impl fmt::Debug for Aligner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Aligner")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Default for Aligner {
    fn default() -> Self {
        Aligner::new(AlignOptions::default())
    }
}

/// The shrunken working copies of a pair.
struct Work {
    before: Plane,
    after: Plane,
    /// working = original * factor, per photo.
    fb: f64,
    fa: f64,
}

impl Aligner {
    /// An aligner with the given options.
    pub fn new(options: AlignOptions) -> Aligner {
        Aligner {
            options,
            fourier: None,
            sweeper: None,
            orb: None,
        }
    }

    /// The options in use.
    pub fn options(&self) -> &AlignOptions {
        &self.options
    }

    /// Finds the transform that maps AFTER onto BEFORE, from scratch.
    ///
    /// Copes with rotation up to about ±30° (more is usually found too), scale 0.75–1.35,
    /// shifts of a sixth of the frame, changes of brightness and contrast, and part of the
    /// scalp having changed. Fails with [`AlignError::Unreliable`] below the confidence
    /// threshold.
    pub fn align(&mut self, before: GreyRef, after: GreyRef) -> Result<Alignment, AlignError> {
        let work = self.prepare(before, after)?;
        let n = canvas_side(self.options.fourier_size);
        if self.fourier.as_ref().map(|f| f.size()) != Some(n) {
            self.fourier = Some(Fourier::new(n));
        }
        let mut starts: Vec<(Transform, f64)> = Vec::new();
        let mut best_psr = 0.0f64;
        // Matched local features: independent of the spectra, and unaffected by a change of
        // part of the scalp as long as enough of the rest matches.
        let orb: &Orb = self.orb.get_or_insert_with(Orb::new);
        // The two photos' features and the pyramid do not depend on each other.
        let ((feats_b, feats_a), levels) = join(
            || join(|| orb.detect(&work.before), || orb.detect(&work.after)),
            || pyramid(&work.after, &work.before, MIN_LEVEL_SIDE, 1.0),
        );
        let long = work.before.w.max(work.before.h) as f64;
        let tolerance = FEATURE_TOLERANCE * (long / 640.0).max(1.0);
        let matches = orb.matches(&feats_b, &feats_a);
        let feature_fit = matches.fit(tolerance);
        let evidence = Some((&matches, tolerance));
        // A fit on many matches is accurate to a pixel or two: refine it from a middle level,
        // where ECC cannot wander off to another basin, and stop there if it is trusted.
        let mut feature_first = None;
        if let Some(fit) = feature_fit.filter(|f| f.inliers >= FEATURE_FIRST_INLIERS) {
            let na = Norm::of(&work.after);
            let nb = Norm::of(&work.before);
            let h = (nb.normalise() * fit.transform * na.denormalise()).matrix;
            let from = detail_level(&levels);
            let r = self.finish(&work, &levels, from, h, 0.0, evidence);
            if r.is_ok() {
                return r;
            }
            feature_first = Some(r);
        }
        if let Some(f) = self.fourier.as_mut() {
            let cb = f.prepare(&work.before);
            let ca = f.prepare(&work.after);
            for c in f.fourier_mellin(&cb, &ca).into_iter().take(3) {
                best_psr = best_psr.max(c.peak.psr);
                starts.push((c.transform, c.peak.psr));
            }
        }
        if let Some(fit) = feature_fit {
            starts.insert(0, (fit.transform, best_psr));
        }
        // Same framing is common between visits: always try "no movement" too.
        let identity = Transform::identity().rescaled(work.fb, work.fa);
        starts.push((identity, 0.0));
        let first = self.refine_work(&work, &levels, &starts, evidence);
        let first = match (first, feature_first) {
            (
                Err(AlignError::Unreliable {
                    confidence: c1,
                    best_guess,
                }),
                Some(Err(AlignError::Unreliable { confidence: c2, .. })),
            ) if c1 >= c2 => Err(AlignError::Unreliable {
                confidence: c1,
                best_guess,
            }),
            (Err(_), Some(f @ Err(AlignError::Unreliable { .. }))) => f,
            (r, _) => r,
        };
        if first.is_ok() || best_psr >= SWEEP_BELOW_PSR {
            return first;
        }
        // Neither the spectra nor the features agreed on a rotation and scale: try them all,
        // coarsely.
        let ns = (n / 2).max(64);
        if self.sweeper.as_ref().map(|f| f.size()) != Some(ns) {
            self.sweeper = Some(Fourier::new(ns));
        }
        let mut starts = Vec::new();
        if let Some(f) = self.sweeper.as_mut() {
            let cb = f.prepare(&work.before);
            let ca = f.prepare(&work.after);
            // Steps of 4 degrees and 10% in scale stay within the refinement's reach.
            let angles: Vec<f64> = (-11..=11).map(|i| i as f64 * 4.0).collect();
            let scales: Vec<f64> = (0..8).map(|i| 0.72 * 1.1f64.powi(i)).collect();
            for c in f.sweep(&cb, &ca, &angles, &scales, 4) {
                starts.push((c.transform, c.peak.psr));
            }
        }
        let second = self.refine_work(&work, &levels, &starts, evidence);
        match (&first, &second) {
            (_, Ok(_)) => second,
            (
                Err(AlignError::Unreliable { confidence: c1, .. }),
                Err(AlignError::Unreliable { confidence: c2, .. }),
            ) if c2 > c1 => second,
            _ => first,
        }
    }

    /// Fits a transform to landmark pairs (BEFORE and AFTER points, in original pixels, same
    /// order), then refines it automatically.
    ///
    /// With landmarks the search starts close to the answer, so this works where [`align`]
    /// alone fails. If refinement is not trustworthy the landmark fit is returned unchanged,
    /// with its own confidence ([`Aligner::score`]).
    ///
    /// [`align`]: Aligner::align
    pub fn align_with_landmarks(
        &mut self,
        before: GreyRef,
        after: GreyRef,
        before_points: &[(f64, f64)],
        after_points: &[(f64, f64)],
    ) -> Result<Alignment, AlignError> {
        let model = self.landmark_model(before_points.len());
        let fit = Transform::from_landmarks(before_points, after_points, model)?;
        self.align_from_landmark_fit(before, after, &fit.transform)
    }

    /// The model a fit to `pairs` landmark pairs uses: the aligner's own when there are
    /// enough pairs for it, else a similarity.
    pub fn landmark_model(&self, pairs: usize) -> Model {
        if pairs >= self.options.model.min_landmarks() {
            self.options.model
        } else {
            Model::Similarity
        }
    }

    /// Refines a landmark fit `start` (AFTER to BEFORE, in the pixels of `before` and
    /// `after`) automatically, as [`Aligner::align_with_landmarks`] does; when refinement is
    /// not trustworthy, `start` unchanged with its own confidence ([`Aligner::score`]). For a
    /// caller that fits the landmarks in other pixels than it aligns in (the browser fits
    /// them in the photos' own pixels and aligns smaller copies).
    pub fn align_from_landmark_fit(
        &mut self,
        before: GreyRef,
        after: GreyRef,
        start: &Transform,
    ) -> Result<Alignment, AlignError> {
        match self.refine(before, after, start) {
            Ok(a) => Ok(a),
            // The fit is kept: its confidence is its own, not the refinement's it refused.
            Err(AlignError::Unreliable { confidence, .. }) => Ok(Alignment {
                transform: *start,
                confidence: self.score(before, after, start).unwrap_or(confidence),
                correlation: 0.0,
                detail_correlation: 0.0,
                overlap: 0.0,
                inlier_fraction: 0.0,
                peak_to_sidelobe: 0.0,
            }),
            Err(e) => Err(e),
        }
    }

    /// Refines a given starting transform (AFTER to BEFORE, original pixels), which should be
    /// within a few percent of the truth.
    pub fn refine(
        &mut self,
        before: GreyRef,
        after: GreyRef,
        initial: &Transform,
    ) -> Result<Alignment, AlignError> {
        let work = self.prepare(before, after)?;
        let start = initial.rescaled(work.fb, work.fa);
        let levels = pyramid(&work.after, &work.before, MIN_LEVEL_SIDE, 1.0);
        self.refine_work(&work, &levels, &[(start, 0.0)], None)
    }

    /// How well the photos' fine detail agrees under a given transform (AFTER to BEFORE,
    /// original pixels), on the scale of [`Alignment::confidence`], without refining it:
    /// the check for an alignment made by hand (nudged, or set by a page), which the
    /// aligner did not find itself. It is judged on a copy about 200-400 px long, so a
    /// transform off by more than a few pixels there (about 1 % of the photo), or photos of
    /// other scalps, score about 0; the transform the aligner would trust scores at least
    /// [`AlignOptions::min_confidence`]. (Matched features, which can lift an automatic
    /// alignment's confidence, are not searched for here.)
    pub fn score(
        &self,
        before: GreyRef,
        after: GreyRef,
        transform: &Transform,
    ) -> Result<f64, AlignError> {
        let work = self.prepare(before, after)?;
        let na = Norm::of(&work.after);
        let nb = Norm::of(&work.before);
        let h = (nb.normalise() * transform.rescaled(work.fb, work.fa) * na.denormalise()).matrix;
        if !h.iter().flatten().all(|v| v.is_finite()) {
            return Ok(0.0);
        }
        // The level the aligner judges its own results on.
        let (a, b, step) = detail_planes(&work.after, &work.before, MIN_LEVEL_SIDE, DETAIL_SIDE);
        let (detail, overlap) = detail_agreement(&a, &b, step, na, nb, &h);
        Ok(confidence_from(detail, overlap, 0))
    }

    fn prepare(&self, before: GreyRef, after: GreyRef) -> Result<Work, AlignError> {
        let max_side = self.options.max_side.max(64) as f64;
        let shrink = |g: GreyRef| -> Result<(Plane, f64), AlignError> {
            let p = Plane::from_u8(g.data, g.width as usize, g.height as usize);
            let long = g.width.max(g.height) as f64;
            let factor = if long > max_side {
                max_side / long
            } else {
                1.0
            };
            let small = area_downscale(&p, 1.0 / factor);
            let mean = small.mean();
            let var = small
                .data
                .iter()
                .map(|&v| ((v - mean) as f64).powi(2))
                .sum::<f64>()
                / small.data.len().max(1) as f64;
            if var < 1.0 {
                return Err(AlignError::Featureless);
            }
            Ok((small, factor))
        };
        let (b, fb) = shrink(before)?;
        let (a, fa) = shrink(after)?;
        Ok(Work {
            before: b,
            after: a,
            fb,
            fa,
        })
    }

    /// ECC from each start at the coarsest level; then the distinct results, best correlation
    /// first, down the pyramid until one is trusted.
    fn refine_work(
        &self,
        work: &Work,
        levels: &[Level],
        starts: &[(Transform, f64)],
        evidence: Option<(&Matches, f64)>,
    ) -> Result<Alignment, AlignError> {
        let na = Norm::of(&work.after);
        let nb = Norm::of(&work.before);
        let coarsest = levels.len() - 1;
        let mut found: Vec<([[f64; 3]; 3], f64, f64)> = Vec::new(); // (h, rho, psr)
        for &(start, psr) in starts {
            let mut h = (nb.normalise() * start * na.denormalise()).matrix;
            let run = EccRun {
                model: Model::Similarity,
                max_iter: 40,
                robust: false,
                eps_px: 0.02,
            };
            if let Some(r) = ecc_level(&levels[coarsest], na, nb, &mut h, run) {
                found.push((h, r.rho, psr));
            }
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1));
        // Distinct results only: starts that converged together need one refinement.
        let mut distinct: Vec<([[f64; 3]; 3], f64, f64)> = Vec::new();
        for f in found {
            if distinct
                .iter()
                .all(|d| corner_gap(&d.0, &f.0) > SAME_RESULT)
            {
                distinct.push(f);
            }
        }
        let mut outcome: Option<Result<Alignment, AlignError>> = None;
        for &(h, _, psr) in distinct.iter().take(MAX_REFINED) {
            let res = self.finish(work, levels, coarsest, h, psr, evidence);
            let better = match (&outcome, &res) {
                (None, _) | (_, Ok(_)) => true,
                (
                    Some(Err(AlignError::Unreliable { confidence: c1, .. })),
                    Err(AlignError::Unreliable { confidence: c2, .. }),
                ) => c2 > c1,
                _ => false,
            };
            if better {
                outcome = Some(res);
            }
            if outcome.as_ref().is_some_and(|o| o.is_ok()) {
                break;
            }
        }
        outcome.unwrap_or_else(|| {
            let guess = starts.first().map(|s| s.0).unwrap_or_default();
            Err(AlignError::Unreliable {
                confidence: 0.0,
                best_guess: guess.rescaled(1.0 / work.fb, 1.0 / work.fa),
            })
        })
    }

    /// Refines one coarse result down the pyramid and judges it.
    fn finish(
        &self,
        work: &Work,
        levels: &[Level],
        from: usize,
        mut h: [[f64; 3]; 3],
        psr: f64,
        evidence: Option<(&Matches, f64)>,
    ) -> Result<Alignment, AlignError> {
        let opts = self.options;
        let na = Norm::of(&work.after);
        let nb = Norm::of(&work.before);
        let from = from.min(levels.len() - 1);
        let mut last = None;
        for (l, lv) in levels.iter().enumerate().take(from + 1).rev() {
            let model = if l <= 1 {
                opts.model
            } else {
                Model::Similarity
            };
            let run = EccRun {
                model,
                max_iter: if l == from { 40 } else { 25 },
                robust: opts.robust,
                eps_px: if l == 0 { 0.002 } else { 0.02 },
            };
            let mut trial = h;
            if let Some(r) = ecc_level(lv, na, nb, &mut trial, run) {
                h = trial;
                last = Some(r);
            }
        }
        let result = last.unwrap_or_default();
        // Confidence from fine-detail agreement at a middle level (long side ~200-400 px).
        let lv = &levels[detail_level(levels)];
        let (detail, _) = detail_agreement(&lv.tmpl_raw, &lv.input_raw, lv.step, na, nb, &h);
        let work_t = nb.denormalise()
            * Transform {
                matrix: h,
                model: opts.model,
            }
            * na.normalise();
        let support = evidence.map_or(0, |(m, tol)| m.support(&work_t, tol));
        let confidence = confidence_from(detail, result.overlap, support);
        let mut transform = work_t.rescaled(1.0 / work.fb, 1.0 / work.fa);
        transform.model = opts.model;
        if !transform.matrix.iter().flatten().all(|v| v.is_finite()) {
            return Err(AlignError::Unreliable {
                confidence: 0.0,
                best_guess: Transform::identity(),
            });
        }
        if confidence < opts.min_confidence {
            return Err(AlignError::Unreliable {
                confidence,
                best_guess: transform,
            });
        }
        Ok(Alignment {
            transform,
            confidence,
            correlation: result.rho,
            detail_correlation: detail,
            overlap: result.overlap,
            inlier_fraction: result.inliers,
            peak_to_sidelobe: psr,
        })
    }
}

/// Runs two independent jobs: on two threads natively (where the aligner is compared with
/// libraries that use every core), one after the other in WebAssembly, which has no threads
/// here. A panic in either job is passed on.
pub(crate) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::scope(|s| {
            let first = s.spawn(a);
            let second = b();
            match first.join() {
                Ok(v) => (v, second),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
    #[cfg(target_arch = "wasm32")]
    {
        (a(), b())
    }
}

/// The long side of the coarsest pyramid level, about (in working pixels).
const MIN_LEVEL_SIDE: usize = 80;

/// The longest side of the level where confidence is measured (see [`detail_level`]).
const DETAIL_SIDE: usize = 400;

/// The level (long side about 200-400 px) where confidence is measured and a feature fit is
/// refined from.
fn detail_level(levels: &[Level]) -> usize {
    levels
        .iter()
        .position(|lv| lv.tmpl.w.max(lv.tmpl.h) <= DETAIL_SIDE)
        .unwrap_or(levels.len() - 1)
}

/// Largest distance between where two normalised warps send the corners of the unit square.
fn corner_gap(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> f64 {
    let ap = |m: &[[f64; 3]; 3], u: f64, v: f64| {
        let d = m[2][0] * u + m[2][1] * v + m[2][2];
        (
            (m[0][0] * u + m[0][1] * v + m[0][2]) / d,
            (m[1][0] * u + m[1][1] * v + m[1][2]) / d,
        )
    };
    [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
        .iter()
        .map(|&(u, v)| {
            let (p, q) = (ap(a, u, v), ap(b, u, v));
            (p.0 - q.0).hypot(p.1 - q.1)
        })
        .fold(0.0, f64::max)
}

/// Maps the detail correlation (and overlap) to 0..1. Calibrated on unrelated scalp photos
/// (detail correlation about 0-0.1) and the same photo under strong changes (0.4 and up).
///
/// `support` is how many matched features the result explains. Unrelated photos give a few
/// at most; dozens cannot agree with one similarity by chance, so strong support also
/// vouches for a result whose fine detail was blurred by noise or a change of scale, as long
/// as that detail still agrees somewhat.
fn confidence_from(detail: f64, overlap: f64, support: usize) -> f64 {
    let c = ((detail - 0.12) / (0.40 - 0.12)).clamp(0.0, 1.0);
    let f = if detail > 0.12 {
        ((support as f64 - 10.0) / (40.0 - 10.0)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let o = (overlap / 0.3).clamp(0.0, 1.0);
    c.max(f) * o
}

/// The Fourier canvas side for [`AlignOptions::fourier_size`]: clamped to 64–1024 and rounded
/// down to a power of two, which the FFT needs.
fn canvas_side(fourier_size: u32) -> usize {
    1 << (fourier_size as usize).clamp(64, 1024).ilog2()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourier_canvas_is_a_power_of_two_in_range() {
        let sides: Vec<usize> = [0, 64, 100, 255, 256, 300, 1024, 5000]
            .into_iter()
            .map(canvas_side)
            .collect();
        assert_eq!(sides, [64, 64, 64, 128, 256, 256, 1024, 1024]);
    }

    #[test]
    fn any_fourier_size_aligns() {
        // The doc example's texture, shifted by 3 px, with a canvas side that is not a power
        // of two.
        let (w, h) = (160u32, 120u32);
        let pix = |x: i64, y: i64| ((x * 7 + y * 13) % 31 * 8 + (x * y) % 17) as u8;
        let before: Vec<u8> = (0..h as i64)
            .flat_map(|y| (0..w as i64).map(move |x| pix(x, y)))
            .collect();
        let after: Vec<u8> = (0..h as i64)
            .flat_map(|y| (0..w as i64).map(move |x| pix(x + 3, y)))
            .collect();
        let mut aligner = Aligner::new(AlignOptions {
            fourier_size: 200,
            ..AlignOptions::default()
        });
        let r = aligner
            .align(
                GreyRef::new(&before, w, h).unwrap(),
                GreyRef::new(&after, w, h).unwrap(),
            )
            .unwrap();
        let (x, y) = r.transform.apply(10.0, 10.0);
        assert!(
            (x - 13.0).abs() < 0.1 && (y - 10.0).abs() < 0.1,
            "({x}, {y})"
        );
    }

    #[test]
    fn a_score_is_taken_on_the_level_the_aligner_judges_on() {
        for (aw, ah, bw, bh) in [
            (1024, 768, 1024, 768),
            (1024, 300, 700, 1024),
            (390, 260, 400, 300),
            (160, 40, 160, 40),
        ] {
            let a = Plane::new(aw, ah);
            let b = Plane::new(bw, bh);
            let levels = pyramid(&a, &b, MIN_LEVEL_SIDE, 1.0);
            let lv = &levels[detail_level(&levels)];
            let (da, db, step) = detail_planes(&a, &b, MIN_LEVEL_SIDE, DETAIL_SIDE);
            assert_eq!(
                (da.w, da.h, db.w, db.h, step),
                (
                    lv.tmpl_raw.w,
                    lv.tmpl_raw.h,
                    lv.input_raw.w,
                    lv.input_raw.h,
                    lv.step
                ),
                "{aw}x{ah} and {bw}x{bh}"
            );
        }
    }

    #[test]
    fn feature_support_lifts_confidence_only_with_some_detail() {
        assert_eq!(confidence_from(0.05, 1.0, 200), 0.0);
        assert!(confidence_from(0.2, 1.0, 0) < 0.5);
        assert!(confidence_from(0.2, 1.0, 50) > 0.9);
        assert!(confidence_from(0.2, 0.05, 50) < 0.5);
        assert_eq!(confidence_from(0.5, 1.0, 0), 1.0);
    }
}
