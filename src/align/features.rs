//! A second, independent source of coarse estimates: oriented FAST corners with rotated BRIEF
//! descriptors (after Rublee et al., "ORB: an efficient alternative to SIFT or SURF", ICCV
//! 2011), matched by Hamming distance with a ratio test, and a similarity fitted by RANSAC.
//!
//! The spectra used by Fourier–Mellin are global: when a large part of one photo changed (hair
//! grew, lighting shifted) or the overlap is small, their peaks can point anywhere. Local
//! features that still match elsewhere give a start there. The result is only a start: ECC
//! refines it and the detail agreement decides whether it is trusted.

use super::plane::{area_downscale, gaussian_blur, Plane};
use crate::geometry::{Model, Transform};

/// Long side, in pixels, of the finest level features are detected on.
const BASE_SIDE: f64 = 512.0;
/// Scale step between detection levels and how many there are.
const LEVEL_STEP: f64 = 1.25;
const LEVELS: usize = 3;
/// Keypoints kept per photo (over all levels).
const BUDGET: usize = 700;
/// Radius of the orientation patch; descriptor samples stay within `PATTERN_R`.
const PATCH_R: i32 = 15;
const PATTERN_R: f32 = 12.0;
/// Keypoints are kept this far (level pixels) from the border.
const MARGIN: usize = 18;
/// Side of the grid cells that limit how many keypoints one small area may contribute.
const CELL: usize = 32;
const PER_CELL: usize = 3;
/// FAST threshold, relative to the mean absolute difference of pixels 3 apart.
const CONTRAST: f64 = 1.3;

/// A keypoint in WORKING pixel coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keypoint {
    pub x: f64,
    pub y: f64,
    /// Orientation (radians) from the intensity centroid.
    pub angle: f32,
}

/// Keypoints and their 256-bit descriptors.
pub(crate) struct FeatureSet {
    pub points: Vec<Keypoint>,
    desc: Vec<[u64; 4]>,
}

/// A similarity fitted to matched features.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FeatureFit {
    /// AFTER to BEFORE, working pixels.
    pub transform: Transform,
    pub inliers: usize,
}

/// The detector and descriptor, with its fixed sampling pattern.
pub(crate) struct Orb {
    /// Pairs of sample offsets (x1, y1, x2, y2), in level pixels.
    pattern: Vec<[f32; 4]>,
    /// Half-widths of the rows of the orientation disc.
    disc: Vec<i32>,
}

struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn gauss(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

impl Orb {
    pub fn new() -> Orb {
        let mut rng = Rng(0x0b5e_55ed_c0ff_ee11);
        let mut pattern = Vec::with_capacity(256);
        let point = |rng: &mut Rng| loop {
            let x = (rng.gauss() * 5.0) as f32;
            let y = (rng.gauss() * 5.0) as f32;
            if x.hypot(y) <= PATTERN_R {
                return (x, y);
            }
        };
        while pattern.len() < 256 {
            let a = point(&mut rng);
            let b = point(&mut rng);
            if (a.0 - b.0).hypot(a.1 - b.1) >= 1.5 {
                pattern.push([a.0, a.1, b.0, b.1]);
            }
        }
        let disc = (-PATCH_R..=PATCH_R)
            .map(|dy| (((PATCH_R * PATCH_R - dy * dy) as f64).sqrt()) as i32)
            .collect();
        Orb { pattern, disc }
    }

    /// Detects and describes keypoints of a working-resolution photo.
    pub fn detect(&self, img: &Plane) -> FeatureSet {
        let long = img.w.max(img.h) as f64;
        let base_factor = (long / BASE_SIDE).max(1.0);
        let mut levels = Vec::new();
        let mut total_area = 0.0;
        for l in 0..LEVELS {
            let f = base_factor * LEVEL_STEP.powi(l as i32);
            let p = area_downscale(img, f);
            if p.w < 2 * MARGIN + 8 || p.h < 2 * MARGIN + 8 {
                break;
            }
            total_area += (p.w * p.h) as f64;
            levels.push((gaussian_blur(&p, 1.2), f));
        }
        let mut set = FeatureSet {
            points: Vec::new(),
            desc: Vec::new(),
        };
        for (p, f) in &levels {
            let budget = ((BUDGET as f64 * (p.w * p.h) as f64 / total_area).ceil() as usize).max(8);
            let mut kps = fast_corners(p);
            kps.truncate(budget);
            for (x, y, _) in kps {
                let angle = self.orientation(p, x, y);
                set.desc.push(self.describe(p, x, y, angle));
                set.points.push(Keypoint {
                    x: (x as f64 + 0.5) * f,
                    y: (y as f64 + 0.5) * f,
                    angle,
                });
            }
        }
        set
    }

    fn orientation(&self, p: &Plane, x: usize, y: usize) -> f32 {
        let (mut m10, mut m01) = (0.0f32, 0.0f32);
        for (i, &hw) in self.disc.iter().enumerate() {
            let dy = i as i32 - PATCH_R;
            let row = ((y as i32 + dy) as usize) * p.w;
            let mut s = 0.0f32;
            let mut sx = 0.0f32;
            for dx in -hw..=hw {
                let v = p.data[row + (x as i32 + dx) as usize];
                s += v;
                sx += dx as f32 * v;
            }
            m10 += sx;
            m01 += dy as f32 * s;
        }
        m01.atan2(m10)
    }

    fn describe(&self, p: &Plane, x: usize, y: usize, angle: f32) -> [u64; 4] {
        let (s, c) = angle.sin_cos();
        let (xf, yf) = (x as f32, y as f32);
        let at = |dx: f32, dy: f32| -> f32 {
            let rx = (xf + c * dx - s * dy).round() as usize;
            let ry = (yf + s * dx + c * dy).round() as usize;
            p.data[ry * p.w + rx]
        };
        let mut d = [0u64; 4];
        for (k, q) in self.pattern.iter().enumerate() {
            if at(q[0], q[1]) < at(q[2], q[3]) {
                d[k / 64] |= 1 << (k % 64);
            }
        }
        d
    }

    /// Matches AFTER's features to BEFORE's (ratio test and mutual check).
    pub fn matches(&self, before: &FeatureSet, after: &FeatureSet) -> Matches {
        let pairs = match_features(before, after)
            .iter()
            .map(|&(ia, ib)| {
                let (a, b) = (&after.points[ia], &before.points[ib]);
                Pair {
                    a: (a.x, a.y),
                    b: (b.x, b.y),
                    dangle: (b.angle - a.angle) as f64,
                }
            })
            .collect();
        Matches { pairs }
    }
}

/// Matched features of a pair, in working pixels.
pub(crate) struct Matches {
    pairs: Vec<Pair>,
}

impl Matches {
    /// Fits a similarity (AFTER to BEFORE) by RANSAC; `tolerance` in working pixels.
    pub fn fit(&self, tolerance: f64) -> Option<FeatureFit> {
        if self.pairs.len() < 6 {
            return None;
        }
        let (t, inl) = ransac_similarity(&self.pairs, tolerance)?;
        Some(FeatureFit {
            transform: t,
            inliers: inl,
        })
    }

    /// How many matches a transform (AFTER to BEFORE, working pixels) explains within
    /// `tolerance`: chance agreement between unrelated photos stays in single figures.
    pub fn support(&self, t: &Transform, tolerance: f64) -> usize {
        let tol2 = tolerance * tolerance;
        self.pairs
            .iter()
            .filter(|p| {
                let (x, y) = t.apply(p.a.0, p.a.1);
                (x - p.b.0).powi(2) + (y - p.b.1).powi(2) <= tol2
            })
            .count()
    }
}

/// FAST-9 corners of a (smoothed) level, ranked by Harris response, non-maxima suppressed and
/// spread over a grid: (x, y, score), best first.
fn fast_corners(p: &Plane) -> Vec<(usize, usize, f32)> {
    let (w, h) = (p.w, p.h);
    // Threshold relative to the typical contrast at the circle's radius, so that it follows a change of gain.
    let mut sum = 0.0f64;
    let mut n = 0usize;
    for y in (MARGIN..h - MARGIN).step_by(2) {
        let row = &p.data[y * w..(y + 1) * w];
        for x in (MARGIN..w - MARGIN).step_by(2) {
            sum += (row[x + 3] - row[x]).abs() as f64;
            n += 1;
        }
    }
    let t = ((CONTRAST * sum / n.max(1) as f64) as f32).clamp(2.0, 60.0);
    let mut score = vec![0.0f32; w * h];
    let mut found = Vec::new();
    for y in MARGIN..h - MARGIN {
        let row = |dy: isize| -> &[f32] {
            let r = (y as isize + dy) as usize;
            &p.data[r * w..(r + 1) * w]
        };
        let rows = [row(-3), row(-2), row(-1), row(0), row(1), row(2), row(3)];
        for x in MARGIN..w - MARGIN {
            let c = rows[3][x];
            let (hi, lo) = (c + t, c - t);
            // A 9-arc holds one of the top and bottom pixels and one of the left and right.
            let (n, s, e, wv) = (rows[0][x], rows[6][x], rows[3][x + 3], rows[3][x - 3]);
            let maybe_bright = (n > hi || s > hi) && (e > hi || wv > hi);
            let maybe_dark = (n < lo || s < lo) && (e < lo || wv < lo);
            if !maybe_bright && !maybe_dark {
                continue;
            }
            let ring = [
                n,
                rows[0][x + 1],
                rows[1][x + 2],
                rows[2][x + 3],
                e,
                rows[4][x + 3],
                rows[5][x + 2],
                rows[6][x + 1],
                s,
                rows[6][x - 1],
                rows[5][x - 2],
                rows[4][x - 3],
                wv,
                rows[2][x - 3],
                rows[1][x - 2],
                rows[0][x - 1],
            ];
            let (mut bright, mut dark) = (0u32, 0u32);
            let mut strength = 0.0f32;
            for (k, &v) in ring.iter().enumerate() {
                if v > hi {
                    bright |= 1 << k;
                    strength += v - hi;
                } else if v < lo {
                    dark |= 1 << k;
                    strength += lo - v;
                }
            }
            if has_arc(bright) || has_arc(dark) {
                score[y * w + x] = strength;
                found.push((x, y, strength));
            }
        }
    }
    // Non-maximum suppression over 5x5.
    found.retain(|&(x, y, s)| {
        for yy in y - 2..=y + 2 {
            for xx in x - 2..=x + 2 {
                let o = score[yy * w + xx];
                if o > s || (o == s && (yy, xx) < (y, x)) {
                    return false;
                }
            }
        }
        true
    });
    // The strongest few per grid cell, then ranked by the Harris response, which prefers
    // corners to edges.
    found.sort_by(|a, b| b.2.total_cmp(&a.2));
    let gw = w.div_ceil(CELL);
    let mut count = vec![0usize; gw * h.div_ceil(CELL)];
    found.retain(|&(x, y, _)| {
        let c = &mut count[(y / CELL) * gw + x / CELL];
        *c += 1;
        *c <= PER_CELL
    });
    for f in found.iter_mut() {
        f.2 = harris(p, f.0, f.1);
    }
    found.retain(|f| f.2 > 0.0);
    found.sort_by(|a, b| b.2.total_cmp(&a.2));
    found
}

/// Whether a 16-bit circular mask has 9 consecutive set bits.
fn has_arc(mask: u32) -> bool {
    if mask.count_ones() < 9 {
        return false;
    }
    let mut m = mask | (mask << 16);
    for _ in 0..8 {
        m &= m >> 1;
    }
    m & 0xffff != 0
}

/// Harris response over a 7x7 window (central-difference gradients).
fn harris(p: &Plane, x: usize, y: usize) -> f32 {
    let w = p.w;
    let (mut sxx, mut syy, mut sxy) = (0.0f32, 0.0f32, 0.0f32);
    for yy in y - 3..=y + 3 {
        for xx in x - 3..=x + 3 {
            let i = yy * w + xx;
            let gx = p.data[i + 1] - p.data[i - 1];
            let gy = p.data[i + w] - p.data[i - w];
            sxx += gx * gx;
            syy += gy * gy;
            sxy += gx * gy;
        }
    }
    let tr = sxx + syy;
    sxx * syy - sxy * sxy - 0.04 * tr * tr
}

/// AFTER-index to BEFORE-index matches that pass a ratio test and a mutual check.
fn match_features(before: &FeatureSet, after: &FeatureSet) -> Vec<(usize, usize)> {
    let ham = |a: &[u64; 4], b: &[u64; 4]| -> u32 {
        (a[0] ^ b[0]).count_ones()
            + (a[1] ^ b[1]).count_ones()
            + (a[2] ^ b[2]).count_ones()
            + (a[3] ^ b[3]).count_ones()
    };
    let nb = before.desc.len();
    let mut best_for_b = vec![(u32::MAX, usize::MAX); nb];
    let mut cand = Vec::new();
    for (ia, da) in after.desc.iter().enumerate() {
        let (mut d1, mut d2, mut j1) = (u32::MAX, u32::MAX, usize::MAX);
        for (ib, db) in before.desc.iter().enumerate() {
            let d = ham(da, db);
            if d < best_for_b[ib].0 {
                best_for_b[ib] = (d, ia);
            }
            if d < d1 {
                d2 = d1;
                d1 = d;
                j1 = ib;
            } else if d < d2 {
                d2 = d;
            }
        }
        if j1 != usize::MAX && d1 <= 80 && (d1 as f64) < 0.85 * d2 as f64 {
            cand.push((ia, j1));
        }
    }
    cand.retain(|&(ia, ib)| best_for_b[ib].1 == ia);
    cand
}

#[derive(Debug, Clone, Copy)]
struct Pair {
    a: (f64, f64),
    b: (f64, f64),
    /// Orientation of the BEFORE keypoint minus that of the AFTER one.
    dangle: f64,
}

/// The similarity through two pairs, as (a, b, tx, ty) with `x' = a x - b y + tx`,
/// `y' = b x + a y + ty`.
fn two_point(p: &Pair, q: &Pair) -> Option<[f64; 4]> {
    let (dax, day) = (q.a.0 - p.a.0, q.a.1 - p.a.1);
    let (dbx, dby) = (q.b.0 - p.b.0, q.b.1 - p.b.1);
    let den = dax * dax + day * day;
    if den < 100.0 {
        return None;
    }
    // (dbx + i dby) / (dax + i day)
    let a = (dbx * dax + dby * day) / den;
    let b = (dby * dax - dbx * day) / den;
    let tx = p.b.0 - (a * p.a.0 - b * p.a.1);
    let ty = p.b.1 - (b * p.a.0 + a * p.a.1);
    Some([a, b, tx, ty])
}

fn inliers_of(pairs: &[Pair], m: &[f64; 4], tol2: f64, out: &mut Vec<usize>) {
    out.clear();
    let rot = m[1].atan2(m[0]);
    for (i, p) in pairs.iter().enumerate() {
        let x = m[0] * p.a.0 - m[1] * p.a.1 + m[2];
        let y = m[1] * p.a.0 + m[0] * p.a.1 + m[3];
        let e = (x - p.b.0).powi(2) + (y - p.b.1).powi(2);
        if e > tol2 {
            continue;
        }
        let da = (p.dangle - rot).rem_euclid(std::f64::consts::TAU);
        let da = da.min(std::f64::consts::TAU - da);
        if da < 0.45 {
            out.push(i);
        }
    }
}

/// Least-squares similarity through the given pairs.
fn fit_pairs(pairs: &[Pair], idx: &[usize]) -> Option<[f64; 4]> {
    let n = idx.len() as f64;
    if idx.len() < 2 {
        return None;
    }
    let (mut max, mut may, mut mbx, mut mby) = (0.0, 0.0, 0.0, 0.0);
    for &i in idx {
        max += pairs[i].a.0;
        may += pairs[i].a.1;
        mbx += pairs[i].b.0;
        mby += pairs[i].b.1;
    }
    let (max, may, mbx, mby) = (max / n, may / n, mbx / n, mby / n);
    let (mut sxx, mut sab, mut sba) = (0.0, 0.0, 0.0);
    for &i in idx {
        let (ax, ay) = (pairs[i].a.0 - max, pairs[i].a.1 - may);
        let (bx, by) = (pairs[i].b.0 - mbx, pairs[i].b.1 - mby);
        sxx += ax * ax + ay * ay;
        sab += ax * bx + ay * by;
        sba += ax * by - ay * bx;
    }
    if sxx < 1e-9 {
        return None;
    }
    let a = sab / sxx;
    let b = sba / sxx;
    Some([a, b, mbx - (a * max - b * may), mby - (b * max + a * may)])
}

/// RANSAC over two-point similarities; returns the refitted transform and its inlier count.
fn ransac_similarity(pairs: &[Pair], tolerance: f64) -> Option<(Transform, usize)> {
    let n = pairs.len();
    let tol2 = tolerance * tolerance;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ n as u64);
    let mut best: Vec<usize> = Vec::new();
    let mut cur = Vec::new();
    let mut needed = 2000usize;
    let mut it = 0usize;
    while it < needed {
        it += 1;
        let i = (rng.next_u64() % n as u64) as usize;
        let j = (rng.next_u64() % n as u64) as usize;
        if i == j {
            continue;
        }
        let Some(m) = two_point(&pairs[i], &pairs[j]) else {
            continue;
        };
        let s = m[0].hypot(m[1]);
        if !(0.3..=3.0).contains(&s) {
            continue;
        }
        inliers_of(pairs, &m, tol2, &mut cur);
        if cur.len() > best.len() {
            std::mem::swap(&mut best, &mut cur);
            let w = best.len() as f64 / n as f64;
            let p_fail = 1.0 - w * w;
            if p_fail <= 0.0 {
                needed = it;
            } else {
                let k = (1e-3f64.ln() / p_fail.ln()).ceil();
                needed = needed.min(k.max(50.0) as usize);
            }
        }
    }
    if best.len() < 6 {
        return None;
    }
    let mut m = fit_pairs(pairs, &best)?;
    for _ in 0..2 {
        inliers_of(pairs, &m, tol2, &mut cur);
        if cur.len() < best.len() {
            break;
        }
        std::mem::swap(&mut best, &mut cur);
        m = fit_pairs(pairs, &best)?;
    }
    let t = Transform::with_model(
        [[m[0], -m[1], m[2]], [m[1], m[0], m[3]], [0.0, 0.0, 1.0]],
        Model::Similarity,
    );
    Some((t, best.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texture(w: usize, h: usize, seed: u64) -> Plane {
        let mut p = Plane::new(w, h);
        let mut rng = Rng(seed);
        for v in p.data.iter_mut() {
            *v = (rng.next_u64() % 256) as f32;
        }
        gaussian_blur(&p, 2.0)
    }

    fn warp(src: &Plane, t: &Transform) -> Plane {
        let mut out = Plane::new(src.w, src.h);
        for y in 0..src.h {
            for x in 0..src.w {
                let (u, v) = t.apply(x as f64 + 0.5, y as f64 + 0.5);
                out.data[y * src.w + x] = src.sample(u, v).unwrap_or(100.0);
            }
        }
        out
    }

    #[test]
    fn arc_test() {
        assert!(has_arc(0b1_1111_1111));
        assert!(has_arc(0xf03f));
        assert!(!has_arc(0b1111_1111));
        assert!(!has_arc(0b0101_0101_0101_0101));
    }

    #[test]
    fn two_points_and_least_squares_agree_with_a_similarity() {
        let t = Transform::similarity(1.2, 0.4, 30.0, -12.0);
        let pairs: Vec<Pair> = [(10.0, 20.0), (200.0, 50.0), (90.0, 300.0)]
            .iter()
            .map(|&(x, y)| Pair {
                a: (x, y),
                b: t.apply(x, y),
                dangle: 0.4,
            })
            .collect();
        let m = two_point(&pairs[0], &pairs[1]).unwrap();
        let l = fit_pairs(&pairs, &[0, 1, 2]).unwrap();
        for v in [m, l] {
            assert!((v[0] - 1.2 * 0.4f64.cos()).abs() < 1e-9);
            assert!((v[1] - 1.2 * 0.4f64.sin()).abs() < 1e-9);
            assert!((v[2] - 30.0).abs() < 1e-6 && (v[3] + 12.0).abs() < 1e-6);
        }
    }

    #[test]
    fn recovers_rotation_scale_and_shift_of_a_texture() {
        let before = texture(400, 300, 99);
        let truth = Transform::translate(25.0, -15.0)
            * Transform::similarity_about(1.15, 35f64.to_radians(), 200.0, 150.0);
        let after = warp(&before, &truth);
        let orb = Orb::new();
        let fb = orb.detect(&before);
        let fa = orb.detect(&after);
        assert!(fb.points.len() > 100, "{}", fb.points.len());
        let m = orb.matches(&fb, &fa);
        let fit = m.fit(3.0).expect("a fit");
        assert!(fit.inliers >= 20, "{fit:?}");
        let err = fit.transform.max_corner_distance(&truth, 400.0, 300.0);
        assert!(err < 3.0, "{err} {fit:?}");
        assert!(m.support(&truth, 3.0) >= fit.inliers * 9 / 10);
        // An unrelated texture matches by chance only.
        let other = orb.detect(&texture(400, 300, 12345));
        let m = orb.matches(&other, &fa);
        let chance = m.fit(3.0).map_or(0, |f| f.inliers);
        assert!(chance < 10, "{chance}");
    }
}
