//! Plane transforms between two photos of the same scalp, and fitting them from landmark pairs.
//!
//! A [`Transform`] is a 3x3 matrix that maps AFTER pixel coordinates to BEFORE pixel
//! coordinates. It does not resample images: that is for the raster and rendering code,
//! which sample BEFORE (or AFTER) through it.
//!
//! Coordinates are those of the original photos: x to the right, y down, (0,0) the top-left
//! corner of the top-left pixel, pixel centres at +0.5.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Mul;

/// Which family of transforms a [`Transform`] belongs to, and which one a fit should produce.
///
/// Serialised as a lowercase string: `"similarity"`, `"affine"` or `"homography"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Rotation, uniform scale and translation (4 degrees of freedom).
    #[default]
    Similarity,
    /// Any linear map plus translation: adds shear and non-uniform scale (6 degrees of freedom).
    Affine,
    /// A full projective map, for a camera that tilted between visits (8 degrees of freedom).
    Homography,
}

impl Model {
    /// The number of landmark pairs needed to fit this model: 2, 3 or 4.
    pub fn min_landmarks(self) -> usize {
        match self {
            Model::Similarity => 2,
            Model::Affine => 3,
            Model::Homography => 4,
        }
    }

    /// The more general of two models (`Similarity < Affine < Homography`).
    pub fn max(self, other: Model) -> Model {
        fn rank(m: Model) -> u8 {
            match m {
                Model::Similarity => 0,
                Model::Affine => 1,
                Model::Homography => 2,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Model::Similarity => "similarity",
            Model::Affine => "affine",
            Model::Homography => "homography",
        })
    }
}

/// A plane transform that maps AFTER pixel coordinates to BEFORE pixel coordinates.
///
/// Stored as a row-major 3x3 matrix `m` acting on column vectors `(x, y, 1)`:
/// `x' = (m[0][0] x + m[0][1] y + m[0][2]) / w`, `y' = (m[1][0] x + m[1][1] y + m[1][2]) / w`,
/// `w = m[2][0] x + m[2][1] y + m[2][2]`.
///
/// Transforms compose with `*` like matrices: `(a * b).apply(x, y) == a.apply(b.apply(x, y))`,
/// so `b` is applied first. If `b` maps AFTER to an intermediate frame and `a` maps that frame to
/// BEFORE, then `a * b` maps AFTER to BEFORE.
///
/// ```
/// use scalp_compare::geometry::Transform;
///
/// // AFTER was taken 10 degrees rotated and 20 px to the right of BEFORE.
/// let t = Transform::translate(-20.0, 0.0) * Transform::rotate(10f64.to_radians());
/// let (bx, by) = t.apply(100.0, 50.0); // where AFTER's (100, 50) lies in BEFORE
/// let back = t.inverse().unwrap().apply(bx, by);
/// assert!((back.0 - 100.0).abs() < 1e-9 && (back.1 - 50.0).abs() < 1e-9);
/// assert!((t.rotation_deg() - 10.0).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transform {
    /// The row-major 3x3 matrix, normalised so that `matrix[2][2] == 1` when possible.
    pub matrix: [[f64; 3]; 3],
    /// The family this transform belongs to.
    pub model: Model,
}

impl Default for Transform {
    fn default() -> Self {
        Transform::identity()
    }
}

impl Transform {
    /// The transform that leaves every point where it is.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// assert_eq!(Transform::identity().apply(3.0, 4.0), (3.0, 4.0));
    /// ```
    pub fn identity() -> Transform {
        Transform {
            matrix: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            model: Model::Similarity,
        }
    }

    /// A shift by `(tx, ty)` pixels: maps `(x, y)` to `(x + tx, y + ty)`.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// assert_eq!(Transform::translate(5.0, -2.0).apply(1.0, 1.0), (6.0, -1.0));
    /// ```
    pub fn translate(tx: f64, ty: f64) -> Transform {
        Transform {
            matrix: [[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]],
            model: Model::Similarity,
        }
    }

    /// A rotation by `theta` radians about the origin (the top-left corner of the photo).
    ///
    /// With y pointing down, a positive angle turns clockwise on screen.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// let (x, y) = Transform::rotate(std::f64::consts::FRAC_PI_2).apply(1.0, 0.0);
    /// assert!(x.abs() < 1e-12 && (y - 1.0).abs() < 1e-12);
    /// ```
    pub fn rotate(theta: f64) -> Transform {
        let (s, c) = theta.sin_cos();
        Transform {
            matrix: [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]],
            model: Model::Similarity,
        }
    }

    /// A uniform scaling by `s` about the origin: maps `(x, y)` to `(s x, s y)`.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// assert_eq!(Transform::scale(2.0).apply(1.5, 3.0), (3.0, 6.0));
    /// ```
    pub fn scale(s: f64) -> Transform {
        Transform {
            matrix: [[s, 0.0, 0.0], [0.0, s, 0.0], [0.0, 0.0, 1.0]],
            model: Model::Similarity,
        }
    }

    /// A similarity: scale by `scale` and rotate by `angle_rad` about the origin, then shift by
    /// `(tx, ty)`. Equal to `translate(tx, ty) * rotate(angle_rad) * scale(scale)`.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// let t = Transform::similarity(1.2, 0.3, 10.0, -4.0);
    /// let u = Transform::translate(10.0, -4.0) * Transform::rotate(0.3) * Transform::scale(1.2);
    /// assert!(t.max_corner_distance(&u, 100.0, 100.0) < 1e-9);
    /// assert!((t.scale_factor() - 1.2).abs() < 1e-12);
    /// ```
    pub fn similarity(scale: f64, angle_rad: f64, tx: f64, ty: f64) -> Transform {
        let (s, c) = angle_rad.sin_cos();
        Transform {
            matrix: [
                [scale * c, -scale * s, tx],
                [scale * s, scale * c, ty],
                [0.0, 0.0, 1.0],
            ],
            model: Model::Similarity,
        }
    }

    /// A similarity that rotates by `angle_rad` and scales by `scale` about the point
    /// `(cx, cy)`, which stays fixed.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// let t = Transform::similarity_about(1.1, 0.2, 320.0, 240.0);
    /// let (x, y) = t.apply(320.0, 240.0);
    /// assert!((x - 320.0).abs() < 1e-9 && (y - 240.0).abs() < 1e-9);
    /// ```
    pub fn similarity_about(scale: f64, angle_rad: f64, cx: f64, cy: f64) -> Transform {
        Transform::translate(cx, cy)
            * Transform::similarity(scale, angle_rad, 0.0, 0.0)
            * Transform::translate(-cx, -cy)
    }

    /// A transform from a row-major 3x3 matrix, checked and tagged with the simplest model
    /// that describes it (within `1e-9` relative).
    ///
    /// Returns `None` if an entry is not finite or the matrix cannot be inverted.
    ///
    /// ```
    /// use scalp_compare::geometry::{Model, Transform};
    /// let t = Transform::from_matrix([[1.0, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]).unwrap();
    /// assert_eq!(t.model, Model::Affine);
    /// assert!(Transform::from_matrix([[0.0; 3]; 3]).is_none());
    /// ```
    pub fn from_matrix(matrix: [[f64; 3]; 3]) -> Option<Transform> {
        if matrix.iter().flatten().any(|v| !v.is_finite()) {
            return None;
        }
        let mut t = Transform {
            matrix,
            model: Model::Homography,
        };
        t.normalise();
        if !t.matrix.iter().flatten().all(|v| v.is_finite()) {
            return None;
        }
        t.inverse()?;
        t.model = t.simplest_model(1e-9);
        Some(t)
    }

    /// Like [`from_matrix`](Self::from_matrix) but keeps the given `model` tag, for matrices
    /// known to be of that family (the caller's responsibility).
    pub(crate) fn with_model(matrix: [[f64; 3]; 3], model: Model) -> Transform {
        let mut t = Transform { matrix, model };
        t.normalise();
        t
    }

    fn normalise(&mut self) {
        let w = self.matrix[2][2];
        if w.abs() > 1e-300 && w != 1.0 {
            for row in self.matrix.iter_mut() {
                for v in row.iter_mut() {
                    *v /= w;
                }
            }
        }
    }

    fn simplest_model(&self, tol: f64) -> Model {
        let m = &self.matrix;
        let norm = m[0][0].abs() + m[0][1].abs() + m[1][0].abs() + m[1][1].abs();
        let tol_lin = tol * norm.max(1e-12);
        if m[2][0].abs() > tol || m[2][1].abs() > tol || (m[2][2] - 1.0).abs() > tol {
            Model::Homography
        } else if (m[0][0] - m[1][1]).abs() <= tol_lin && (m[0][1] + m[1][0]).abs() <= tol_lin {
            Model::Similarity
        } else {
            Model::Affine
        }
    }

    /// Maps the AFTER point `(x, y)` to BEFORE coordinates.
    ///
    /// A point that a homography sends to infinity comes back as non-finite numbers.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// assert_eq!(Transform::translate(1.0, 2.0).apply(0.5, 0.5), (1.5, 2.5));
    /// ```
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let m = &self.matrix;
        let u = m[0][0] * x + m[0][1] * y + m[0][2];
        let v = m[1][0] * x + m[1][1] * y + m[1][2];
        let w = m[2][0] * x + m[2][1] * y + m[2][2];
        if w == 1.0 {
            (u, v)
        } else {
            (u / w, v / w)
        }
    }

    /// The transform that undoes this one (maps BEFORE to AFTER), or `None` when the matrix is
    /// singular or nearly so.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// let t = Transform::similarity(0.8, -0.4, 12.0, 7.0);
    /// let id = t * t.inverse().unwrap();
    /// assert!(id.max_corner_distance(&Transform::identity(), 640.0, 640.0) < 1e-9);
    /// assert!(Transform::scale(0.0).inverse().is_none());
    /// ```
    pub fn inverse(&self) -> Option<Transform> {
        let m = &self.matrix;
        let c00 = m[1][1] * m[2][2] - m[1][2] * m[2][1];
        let c01 = m[1][2] * m[2][0] - m[1][0] * m[2][2];
        let c02 = m[1][0] * m[2][1] - m[1][1] * m[2][0];
        let det = m[0][0] * c00 + m[0][1] * c01 + m[0][2] * c02;
        let scale: f64 = m.iter().flatten().map(|v| v.abs()).fold(0.0, f64::max);
        if !det.is_finite() || scale == 0.0 || det.abs() <= 1e-12 * scale.powi(3) {
            return None;
        }
        let inv = [
            [
                c00 / det,
                (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det,
                (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det,
            ],
            [
                c01 / det,
                (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det,
                (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det,
            ],
            [
                c02 / det,
                (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det,
                (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det,
            ],
        ];
        let out = Transform::with_model(inv, self.model);
        if out.matrix.iter().flatten().all(|v| v.is_finite()) {
            Some(out)
        } else {
            None
        }
    }

    /// The rotation in degrees (positive: clockwise on screen, since y points down), read from
    /// the linear part. For affine maps and homographies it is the rotation of the x axis
    /// near the origin.
    pub fn rotation_deg(&self) -> f64 {
        let m = &self.matrix;
        // Average the rotation of the x and y axes: exact for similarities.
        (m[1][0] - m[0][1]).atan2(m[0][0] + m[1][1]).to_degrees()
    }

    /// The scale factor from AFTER to BEFORE pixels: the square root of the determinant of the
    /// linear part (greater than 1 when things look smaller in AFTER than in BEFORE).
    pub fn scale_factor(&self) -> f64 {
        let m = &self.matrix;
        (m[0][0] * m[1][1] - m[0][1] * m[1][0]).abs().sqrt()
    }

    /// Whether the linear part flips the picture over (a negative determinant): AFTER is a
    /// mirror image of BEFORE, which only an affine map or a homography can fit, and whose
    /// [`Transform::rotation_deg`] means little.
    pub fn mirrored(&self) -> bool {
        let m = &self.matrix;
        m[0][0] * m[1][1] - m[0][1] * m[1][0] < 0.0
    }

    /// The shift part: where AFTER's origin lands in BEFORE.
    pub fn translation(&self) -> (f64, f64) {
        self.apply(0.0, 0.0)
    }

    /// The same mapping expressed between resized copies of the photos.
    ///
    /// If BEFORE was resized by `before_factor` (working = original × factor) and AFTER by
    /// `after_factor`, and `self` maps AFTER to BEFORE in ORIGINAL pixels, the result maps
    /// working-AFTER to working-BEFORE pixels. Use the reciprocal factors to go back.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// let t = Transform::similarity(1.1, 0.2, 30.0, -12.0);
    /// let small = t.rescaled(0.5, 0.25);
    /// let (x, y) = t.apply(400.0, 200.0);
    /// let (xs, ys) = small.apply(100.0, 50.0);
    /// assert!((xs - 0.5 * x).abs() < 1e-9 && (ys - 0.5 * y).abs() < 1e-9);
    /// ```
    pub fn rescaled(&self, before_factor: f64, after_factor: f64) -> Transform {
        let mut t = Transform::scale(before_factor) * *self * Transform::scale(1.0 / after_factor);
        t.model = self.model;
        t
    }

    /// The largest distance, in BEFORE pixels, between where `self` and `other` send the four
    /// corners of an AFTER photo of `width` x `height` pixels.
    pub fn max_corner_distance(&self, other: &Transform, width: f64, height: f64) -> f64 {
        self.corner_distances(other, width, height)
            .into_iter()
            .fold(0.0, f64::max)
    }

    /// The mean distance, in BEFORE pixels, between where `self` and `other` send the four
    /// corners of an AFTER photo of `width` x `height` pixels.
    ///
    /// ```
    /// use scalp_compare::geometry::Transform;
    /// let d = Transform::translate(3.0, 4.0).mean_corner_distance(&Transform::identity(), 10.0, 10.0);
    /// assert!((d - 5.0).abs() < 1e-12);
    /// ```
    pub fn mean_corner_distance(&self, other: &Transform, width: f64, height: f64) -> f64 {
        self.corner_distances(other, width, height)
            .iter()
            .sum::<f64>()
            / 4.0
    }

    fn corner_distances(&self, other: &Transform, width: f64, height: f64) -> [f64; 4] {
        let corners = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)];
        corners.map(|(x, y)| {
            let (a, b) = self.apply(x, y);
            let (c, d) = other.apply(x, y);
            (a - c).hypot(b - d)
        })
    }

    /// Fits a transform of the given `model` that maps each `after` landmark onto the
    /// `before` landmark at the same index, and reports how far each one lands from its
    /// partner.
    ///
    /// - 2 pairs give a similarity exactly;
    /// - 3 or more, a least-squares similarity (Umeyama, without reflection) or affine map;
    /// - 4 or more, a homography (normalised DLT).
    ///
    /// A model that needs more pairs than given is an error, as are repeated or collinear
    /// points that leave the fit undetermined, and pairs the best fit leaves far apart
    /// ([`GeometryError::Inconsistent`]).
    ///
    /// ```
    /// use scalp_compare::geometry::{Model, Transform};
    /// let truth = Transform::similarity(1.25, 0.3, 40.0, -10.0);
    /// let after = [(100.0, 100.0), (500.0, 300.0)];
    /// let before = after.map(|(x, y)| truth.apply(x, y));
    /// let fit = Transform::from_landmarks(&before, &after, Model::Similarity).unwrap();
    /// assert!(fit.transform.max_corner_distance(&truth, 640.0, 640.0) < 1e-6);
    /// assert!(fit.rms < 1e-9);
    /// ```
    pub fn from_landmarks(
        before: &[(f64, f64)],
        after: &[(f64, f64)],
        model: Model,
    ) -> Result<LandmarkFit, GeometryError> {
        if before.len() != after.len() {
            return Err(GeometryError::MismatchedLandmarks {
                before: before.len(),
                after: after.len(),
            });
        }
        let needed = model.min_landmarks();
        if before.len() < needed {
            return Err(GeometryError::TooFewLandmarks {
                model,
                needed,
                given: before.len(),
            });
        }
        if before
            .iter()
            .chain(after)
            .any(|(x, y)| !x.is_finite() || !y.is_finite())
        {
            return Err(GeometryError::NotFinite);
        }
        let transform = match model {
            Model::Similarity => fit_similarity(before, after),
            Model::Affine => fit_affine(before, after),
            Model::Homography => fit_homography(before, after),
        }
        .ok_or(GeometryError::Degenerate)?;
        if transform.inverse().is_none() {
            return Err(GeometryError::Degenerate);
        }
        let residuals: Vec<f64> = before
            .iter()
            .zip(after)
            .map(|(&(bx, by), &(ax, ay))| {
                let (px, py) = transform.apply(ax, ay);
                (px - bx).hypot(py - by)
            })
            .collect();
        if residuals.iter().any(|r| !r.is_finite()) {
            return Err(GeometryError::Degenerate);
        }
        let rms = (residuals.iter().map(|r| r * r).sum::<f64>() / residuals.len() as f64).sqrt();
        // Pairs that no transform of this model brings together (a mirrored photo under a
        // similarity, pairs marked on different features) give a confident-looking
        // alignment that is nothing of the sort: refused, with how far off they are.
        let n = before.len() as f64;
        let (cx, cy) = before
            .iter()
            .fold((0.0, 0.0), |(sx, sy), &(x, y)| (sx + x / n, sy + y / n));
        let spread = (before
            .iter()
            .map(|&(x, y)| (x - cx).powi(2) + (y - cy).powi(2))
            .sum::<f64>()
            / n)
            .sqrt();
        let worst = residuals.iter().copied().fold(0.0, f64::max);
        if worst > LANDMARK_MISFIT_PX.max(LANDMARK_MISFIT_SHARE * spread) {
            return Err(GeometryError::Inconsistent {
                model,
                worst_px: worst,
            });
        }
        Ok(LandmarkFit {
            transform,
            residuals,
            rms,
        })
    }
}

impl Mul for Transform {
    type Output = Transform;

    /// Composition: `(a * b).apply(p) == a.apply(b.apply(p))` — `b` first, then `a`.
    /// The model of the result is the more general of the two.
    fn mul(self, rhs: Transform) -> Transform {
        let a = &self.matrix;
        let b = &rhs.matrix;
        let mut m = [[0.0; 3]; 3];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
            }
        }
        Transform::with_model(m, self.model.max(rhs.model))
    }
}

/// The result of [`Transform::from_landmarks`]: the fitted transform (AFTER to BEFORE) and how
/// well each landmark pair agrees with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandmarkFit {
    /// The fitted transform, mapping AFTER to BEFORE.
    pub transform: Transform,
    /// For each pair, the distance in BEFORE pixels between the BEFORE landmark and where the
    /// transform sends its AFTER partner.
    pub residuals: Vec<f64>,
    /// The root mean square of `residuals`.
    pub rms: f64,
}

/// Why landmark pairs could not be turned into a transform.
#[derive(Debug, Clone, PartialEq)]
pub enum GeometryError {
    /// The two photos were given different numbers of landmarks.
    MismatchedLandmarks {
        /// Landmarks on BEFORE.
        before: usize,
        /// Landmarks on AFTER.
        after: usize,
    },
    /// Not enough landmark pairs for the requested model.
    TooFewLandmarks {
        /// The requested model.
        model: Model,
        /// Pairs the model needs.
        needed: usize,
        /// Pairs given.
        given: usize,
    },
    /// A coordinate was not a finite number.
    NotFinite,
    /// The landmarks coincide or lie on one line, so they do not pin a transform down.
    Degenerate,
    /// No transform of the model brings the pairs together: the best fit leaves a pair
    /// `worst_px` BEFORE pixels from its partner (more than [`LANDMARK_MISFIT_PX`] and
    /// [`LANDMARK_MISFIT_SHARE`] of the landmarks' spread).
    Inconsistent {
        /// The model fitted.
        model: Model,
        /// The largest distance left between a pair, in BEFORE pixels.
        worst_px: f64,
    },
}

/// A landmark fit leaving a pair this many BEFORE pixels apart or fewer is kept, however
/// close together the landmarks are...
pub const LANDMARK_MISFIT_PX: f64 = 12.0;

/// ...and one leaving them up to this share of the landmarks' spread (their root mean
/// square distance from their centre) apart: clicks are a few pixels off, a mirrored
/// photo's pairs under a similarity as far off as the landmarks are spread.
pub const LANDMARK_MISFIT_SHARE: f64 = 0.1;

impl fmt::Display for GeometryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GeometryError::MismatchedLandmarks { before, after } => write!(
                f,
                "each landmark needs a partner: {before} marked on the before photo, {after} on the after photo"
            ),
            GeometryError::TooFewLandmarks { model, needed, given } => {
                let a = if matches!(model, Model::Affine) { "an" } else { "a" };
                write!(
                    f,
                    "{a} {model} alignment needs at least {needed} landmark pairs, {given} given"
                )
            }
            GeometryError::NotFinite => f.write_str("a landmark has an invalid position"),
            GeometryError::Degenerate => f.write_str(
                "the landmarks are too close together or on one line; spread them over the photo",
            ),
            GeometryError::Inconsistent { model, worst_px } => {
                write!(
                    f,
                    "no {model} alignment brings these pairs together (one is left {worst_px:.0} px from its partner); check that each pair marks the same spot"
                )?;
                // A similarity cannot mirror; an affine alignment can.
                if matches!(model, Model::Similarity) {
                    f.write_str(", or, if one photo is mirrored, use the affine model")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for GeometryError {}

fn centroid(pts: &[(f64, f64)]) -> (f64, f64) {
    let n = pts.len() as f64;
    let (sx, sy) = pts
        .iter()
        .fold((0.0, 0.0), |(ax, ay), &(x, y)| (ax + x, ay + y));
    (sx / n, sy / n)
}

/// Least-squares similarity (Umeyama 1991 restricted to proper rotations; in 2-D this is the
/// closed form below). Exact for 2 pairs.
fn fit_similarity(before: &[(f64, f64)], after: &[(f64, f64)]) -> Option<Transform> {
    let (mbx, mby) = centroid(before);
    let (max, may) = centroid(after);
    let (mut sxx, mut sxy, mut var) = (0.0, 0.0, 0.0);
    for (&(bx, by), &(ax, ay)) in before.iter().zip(after) {
        let (ax, ay, bx, by) = (ax - max, ay - may, bx - mbx, by - mby);
        // b ≈ (a_c - b_s i) style: a = sum(ax bx + ay by), b = sum(ax by - ay bx)
        sxx += ax * bx + ay * by;
        sxy += ax * by - ay * bx;
        var += ax * ax + ay * ay;
    }
    if var <= 1e-12 {
        return None;
    }
    let a = sxx / var;
    let b = sxy / var;
    if a.hypot(b) <= 1e-12 {
        return None;
    }
    let tx = mbx - (a * max - b * may);
    let ty = mby - (b * max + a * may);
    Some(Transform::with_model(
        [[a, -b, tx], [b, a, ty], [0.0, 0.0, 1.0]],
        Model::Similarity,
    ))
}

/// Least-squares affine map by the normal equations, on centred coordinates.
fn fit_affine(before: &[(f64, f64)], after: &[(f64, f64)]) -> Option<Transform> {
    let (mbx, mby) = centroid(before);
    let (max, may) = centroid(after);
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    let (mut bxx, mut bxy, mut byx, mut byy) = (0.0, 0.0, 0.0, 0.0);
    for (&(bx, by), &(ax, ay)) in before.iter().zip(after) {
        let (ax, ay, bx, by) = (ax - max, ay - may, bx - mbx, by - mby);
        sxx += ax * ax;
        sxy += ax * ay;
        syy += ay * ay;
        bxx += bx * ax;
        bxy += bx * ay;
        byx += by * ax;
        byy += by * ay;
    }
    let det = sxx * syy - sxy * sxy;
    if det.abs() <= 1e-9 * (sxx * syy).max(1e-300) {
        return None;
    }
    // [m00 m01] = [bxx bxy] * inv([[sxx sxy],[sxy syy]])
    let m00 = (bxx * syy - bxy * sxy) / det;
    let m01 = (bxy * sxx - bxx * sxy) / det;
    let m10 = (byx * syy - byy * sxy) / det;
    let m11 = (byy * sxx - byx * sxy) / det;
    let tx = mbx - (m00 * max + m01 * may);
    let ty = mby - (m10 * max + m11 * may);
    Some(Transform::with_model(
        [[m00, m01, tx], [m10, m11, ty], [0.0, 0.0, 1.0]],
        Model::Affine,
    ))
}

/// Hartley normalisation: centre the points and scale them to a mean distance of sqrt(2).
fn hartley(pts: &[(f64, f64)]) -> Option<Transform> {
    let (cx, cy) = centroid(pts);
    let mean_d = pts
        .iter()
        .map(|&(x, y)| (x - cx).hypot(y - cy))
        .sum::<f64>()
        / pts.len() as f64;
    if mean_d <= 1e-12 {
        return None;
    }
    let s = std::f64::consts::SQRT_2 / mean_d;
    Some(Transform::scale(s) * Transform::translate(-cx, -cy))
}

/// Normalised DLT: the right null vector of the 2n x 9 system, found as the eigenvector of
/// AᵀA with the smallest eigenvalue (Jacobi iteration on the 9x9 symmetric matrix).
fn fit_homography(before: &[(f64, f64)], after: &[(f64, f64)]) -> Option<Transform> {
    let nb = hartley(before)?;
    let na = hartley(after)?;
    let mut ata = [[0.0f64; 9]; 9];
    for (&(bx, by), &(ax, ay)) in before.iter().zip(after) {
        let (x, y) = na.apply(ax, ay);
        let (u, v) = nb.apply(bx, by);
        let r1 = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, -u];
        let r2 = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, -v];
        for r in [r1, r2] {
            for i in 0..9 {
                for j in 0..9 {
                    ata[i][j] += r[i] * r[j];
                }
            }
        }
    }
    let (vals, vecs) = jacobi_eigen(ata);
    let mut k = 0;
    for i in 1..9 {
        if vals[i] < vals[k] {
            k = i;
        }
    }
    // A clear null space has exactly one tiny eigenvalue; two means the points are degenerate.
    let mut sorted = vals;
    sorted.sort_by(|a, b| a.total_cmp(b));
    if sorted[1] <= 1e-10 * sorted[8].max(1e-300) {
        return None;
    }
    let h = [
        [vecs[0][k], vecs[1][k], vecs[2][k]],
        [vecs[3][k], vecs[4][k], vecs[5][k]],
        [vecs[6][k], vecs[7][k], vecs[8][k]],
    ];
    let hn = Transform {
        matrix: h,
        model: Model::Homography,
    };
    let t = nb.inverse()? * hn * na;
    if t.matrix[2][2].abs() <= 1e-12 {
        return None;
    }
    let mut out = Transform::with_model(t.matrix, Model::Homography);
    out.model = Model::Homography;
    Some(out)
}

#[allow(clippy::needless_range_loop)]
/// Eigen-decomposition of a symmetric 9x9 matrix by cyclic Jacobi rotations.
/// Returns eigenvalues and a matrix whose columns are the eigenvectors.
fn jacobi_eigen(mut a: [[f64; 9]; 9]) -> ([f64; 9], [[f64; 9]; 9]) {
    const N: usize = 9;
    let mut v = [[0.0; N]; N];
    for (i, row) in v.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for _sweep in 0..100 {
        let mut off = 0.0;
        let mut total = 0.0;
        for (i, row) in a.iter().enumerate() {
            for (j, x) in row.iter().enumerate() {
                total += x * x;
                if i != j {
                    off += x * x;
                }
            }
        }
        if off <= 1e-30 * total.max(1e-300) {
            break;
        }
        for p in 0..N {
            for q in p + 1..N {
                if a[p][q].abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..N {
                    let akp = a[k][p];
                    let akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..N {
                    let apk = a[p][k];
                    let aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let vkp = row[p];
                    let vkq = row[q];
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut vals = [0.0; N];
    for (i, val) in vals.iter_mut().enumerate() {
        *val = a[i][i];
    }
    (vals, v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &Transform, b: &Transform, tol: f64) -> bool {
        a.max_corner_distance(b, 640.0, 640.0) < tol
    }

    #[test]
    fn a_mirror_image_is_told_from_a_rotation() {
        let turned = Transform::similarity_about(1.1, 2.0, 50.0, 50.0);
        assert!(!turned.mirrored());
        let flipped =
            Transform::from_matrix([[-1.0, 0.0, 100.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]).unwrap();
        assert!(flipped.mirrored());
        assert!(!(flipped * flipped).mirrored());
    }

    #[test]
    fn similarity_exact_from_two_landmarks() {
        let truth = Transform::similarity(0.83, -0.45, -25.0, 60.0);
        let after = [(50.0, 80.0), (600.0, 500.0)];
        let before = after.map(|(x, y)| truth.apply(x, y));
        let fit = Transform::from_landmarks(&before, &after, Model::Similarity).unwrap();
        assert!(close(&fit.transform, &truth, 1e-6));
        assert!(fit.residuals.iter().all(|r| *r < 1e-6));
        assert_eq!(fit.transform.model, Model::Similarity);
        assert!((fit.transform.rotation_deg() - (-0.45f64).to_degrees()).abs() < 1e-6);
        assert!((fit.transform.scale_factor() - 0.83).abs() < 1e-9);
    }

    #[test]
    fn least_squares_with_noise() {
        let truth = Transform::similarity(1.1, 0.2, 15.0, -30.0);
        let mut seed = 12345u64;
        let mut noise = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 10_000) as f64 / 10_000.0 - 0.5
        };
        let after: Vec<(f64, f64)> = (0..20)
            .map(|i| (30.0 * i as f64 % 640.0, (70.0 * i as f64 + 13.0) % 640.0))
            .collect();
        let before: Vec<(f64, f64)> = after
            .iter()
            .map(|&(x, y)| {
                let (u, v) = truth.apply(x, y);
                (u + noise(), v + noise())
            })
            .collect();
        for model in [Model::Similarity, Model::Affine, Model::Homography] {
            let fit = Transform::from_landmarks(&before, &after, model).unwrap();
            assert!(fit.rms < 0.5, "{model}: rms {}", fit.rms);
            let err = fit.transform.mean_corner_distance(&truth, 640.0, 640.0);
            assert!(err < 1.0, "{model}: corner error {err}");
        }
    }

    #[test]
    fn affine_and_homography_exact() {
        let aff =
            Transform::from_matrix([[1.1, 0.2, 5.0], [-0.1, 0.9, 7.0], [0.0, 0.0, 1.0]]).unwrap();
        assert_eq!(aff.model, Model::Affine);
        let hom = Transform::from_matrix([[1.0, 0.1, 5.0], [0.05, 0.95, -3.0], [1e-4, -2e-4, 1.0]])
            .unwrap();
        assert_eq!(hom.model, Model::Homography);
        let after = [(10.0, 20.0), (600.0, 40.0), (620.0, 610.0), (30.0, 590.0)];
        for truth in [aff, hom] {
            let model = truth.model;
            let before = after.map(|(x, y)| truth.apply(x, y));
            let fit = Transform::from_landmarks(&before, &after, model).unwrap();
            assert!(close(&fit.transform, &truth, 1e-6), "{model}");
            assert_eq!(fit.transform.model, model);
        }
    }

    #[test]
    fn inverse_and_composition() {
        let a = Transform::similarity(1.3, 0.7, 10.0, 20.0);
        let b = Transform::from_matrix([[1.0, 0.1, 5.0], [0.05, 0.95, -3.0], [1e-4, -2e-4, 1.0]])
            .unwrap();
        let ab = a * b;
        let (x, y) = b.apply(100.0, 200.0);
        let (x, y) = a.apply(x, y);
        let (u, v) = ab.apply(100.0, 200.0);
        assert!((x - u).abs() < 1e-9 && (y - v).abs() < 1e-9);
        assert_eq!(ab.model, Model::Homography);
        let inv = ab.inverse().unwrap();
        assert!(close(&(inv * ab), &Transform::identity(), 1e-9));
        assert!(close(&(ab * inv), &Transform::identity(), 1e-9));
        let back = b.inverse().unwrap() * a.inverse().unwrap();
        assert!(close(&back, &inv, 1e-9));
    }

    /// A mirrored AFTER marked at the same four spots: no similarity brings the pairs
    /// together (the fit it gave, at a twenty-fifth of the size, was applied as if by hand);
    /// an affine fit does. Clicks a few pixels off still fit.
    #[test]
    fn pairs_no_transform_of_the_model_joins_are_refused() {
        let before = [
            (150.0, 200.0),
            (500.0, 180.0),
            (480.0, 520.0),
            (200.0, 500.0),
        ];
        let mirrored = before.map(|(x, y)| (640.0 - x, y));
        let err = Transform::from_landmarks(&before, &mirrored, Model::Similarity).unwrap_err();
        let GeometryError::Inconsistent { worst_px, .. } = err else {
            panic!("{err:?}");
        };
        assert!(worst_px > 100.0, "{worst_px}");
        assert!(err
            .to_string()
            .starts_with("no similarity alignment brings these pairs together (one is left"));
        let fit = Transform::from_landmarks(&before, &mirrored, Model::Affine).unwrap();
        assert!(fit.rms < 1e-6);
        let truth = Transform::similarity(1.1, 0.2, 30.0, -20.0);
        let off = [(3.0, -2.0), (-4.0, 1.0), (2.0, 4.0), (-1.0, -3.0)];
        let clicked: Vec<(f64, f64)> = before
            .iter()
            .zip(off)
            .map(|(&(x, y), (dx, dy))| {
                let (ax, ay) = truth.inverse().unwrap().apply(x, y);
                (ax + dx, ay + dy)
            })
            .collect();
        let fit = Transform::from_landmarks(&before, &clicked, Model::Similarity).unwrap();
        assert!(fit.rms > 1.0 && fit.rms < 10.0, "{}", fit.rms);
    }

    #[test]
    fn errors_for_bad_landmarks() {
        let p = [(1.0, 1.0), (2.0, 2.0)];
        assert!(matches!(
            Transform::from_landmarks(&p, &p[..1], Model::Similarity),
            Err(GeometryError::MismatchedLandmarks { .. })
        ));
        let few = Transform::from_landmarks(&p, &p, Model::Affine);
        assert!(matches!(
            few,
            Err(GeometryError::TooFewLandmarks { needed: 3, .. })
        ));
        // Said as a person would: "an affine", "a homography".
        assert_eq!(
            few.unwrap_err().to_string(),
            "an affine alignment needs at least 3 landmark pairs, 2 given"
        );
        assert!(Transform::from_landmarks(&p, &p, Model::Homography)
            .unwrap_err()
            .to_string()
            .starts_with("a homography alignment needs at least 4"));
        let same = [(5.0, 5.0), (5.0, 5.0)];
        assert_eq!(
            Transform::from_landmarks(&same, &same, Model::Similarity),
            Err(GeometryError::Degenerate)
        );
        let line = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)];
        assert_eq!(
            Transform::from_landmarks(&line, &line, Model::Affine),
            Err(GeometryError::Degenerate)
        );
        assert_eq!(
            Transform::from_landmarks(&line, &line, Model::Homography),
            Err(GeometryError::Degenerate)
        );
        assert!(!GeometryError::Degenerate.to_string().is_empty());
    }

    #[test]
    fn serde_round_trip() {
        let t = Transform::similarity(1.2, 0.1, 3.0, 4.0);
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("\"model\":\"similarity\""), "{json}");
        assert!(json.contains("\"matrix\":[["), "{json}");
        let back: Transform = serde_json::from_str(&json).unwrap();
        assert_eq!(back.model, t.model);
        assert!(close(&back, &t, 1e-9));
    }
}
