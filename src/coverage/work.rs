//! Internal working rasters: linear-light RGB planes at a capped size, filters, warping.

use crate::raster::RgbaImage;

/// sRGB byte to linear light in [0, 1].
pub(crate) fn srgb_to_linear(v: f32) -> f32 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear light in [0, 1] to an sRGB value in [0, 1].
pub(crate) fn linear_to_srgb(v: f32) -> f32 {
    let v = v.clamp(0.0, 1.0);
    if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// Linear-light RGB planes, row-major.
#[derive(Clone, Debug, Default)]
pub(crate) struct Lin {
    pub w: usize,
    pub h: usize,
    pub c: [Vec<f32>; 3],
}

impl Lin {
    pub fn new(w: usize, h: usize) -> Self {
        Lin {
            w,
            h,
            c: [vec![0.0; w * h], vec![0.0; w * h], vec![0.0; w * h]],
        }
    }

    pub fn luma(&self, i: usize) -> f32 {
        0.2126 * self.c[0][i] + 0.7152 * self.c[1][i] + 0.0722 * self.c[2][i]
    }

    pub fn px(&self, i: usize) -> [f32; 3] {
        [self.c[0][i], self.c[1][i], self.c[2][i]]
    }

    /// The pixel that covers point `(x, y)` (pixel coordinates, centres at +0.5); `None`
    /// outside. Nearest, not interpolated: an interpolated sample blends neighbouring
    /// pixels, so strands and skin would come out as mixtures that are not in the photo.
    pub fn sample(&self, x: f64, y: f64) -> Option<[f32; 3]> {
        if !(x >= 0.0 && y >= 0.0 && x < self.w as f64 && y < self.h as f64) {
            return None;
        }
        let i = (y as usize) * self.w + x as usize;
        Some(self.px(i))
    }
}

/// Converts a photo to linear light, reduced by area averaging so that its longer side is
/// at most `max_side`. Returns the planes and `scale` (work = original * scale). Works row
/// by row, so memory stays at the size of the output.
pub(crate) fn to_linear_reduced(img: &RgbaImage, max_side: u32) -> (Lin, f64) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let long = w.max(h);
    let (ow, oh, scale) = if long as u32 <= max_side || max_side == 0 {
        (w, h, 1.0)
    } else {
        let s = f64::from(max_side) / long as f64;
        let ow = ((w as f64 * s).round() as usize).max(1);
        let oh = ((h as f64 * s).round() as usize).max(1);
        (ow, oh, ow as f64 / w as f64)
    };
    let lut: Vec<f32> = (0..256).map(|v| srgb_to_linear(v as f32 / 255.0)).collect();
    let bytes = img.as_bytes();
    let mut out = Lin::new(ow, oh);
    if scale == 1.0 {
        for i in 0..w * h {
            for k in 0..3 {
                out.c[k][i] = lut[bytes[i * 4 + k] as usize];
            }
        }
        return (out, 1.0);
    }
    let tx = crate::raster::area_taps(w, ow);
    let ty = crate::raster::area_taps(h, oh);
    // For each input row, the output rows it contributes to, with weights.
    let mut row_dst: Vec<Vec<(usize, f32)>> = vec![Vec::new(); h];
    for (o, (first, weights)) in ty.iter().enumerate() {
        for (k, &wt) in weights.iter().enumerate() {
            row_dst[first + k].push((o, wt));
        }
    }
    let mut lin_row = vec![[0.0f32; 3]; w];
    let mut hrow = vec![[0.0f32; 3]; ow];
    for (y, dsts) in row_dst.iter().enumerate() {
        if dsts.is_empty() {
            continue;
        }
        let src = &bytes[y * w * 4..(y + 1) * w * 4];
        for (x, p) in lin_row.iter_mut().enumerate() {
            *p = [
                lut[src[x * 4] as usize],
                lut[src[x * 4 + 1] as usize],
                lut[src[x * 4 + 2] as usize],
            ];
        }
        for (o, (first, weights)) in tx.iter().enumerate() {
            let mut acc = [0.0f32; 3];
            for (wt, p) in weights.iter().zip(&lin_row[*first..]) {
                acc[0] += wt * p[0];
                acc[1] += wt * p[1];
                acc[2] += wt * p[2];
            }
            hrow[o] = acc;
        }
        for &(oy, wt) in dsts {
            for (ox, p) in hrow.iter().enumerate() {
                let i = oy * ow + ox;
                out.c[0][i] += wt * p[0];
                out.c[1][i] += wt * p[1];
                out.c[2][i] += wt * p[2];
            }
        }
    }
    (out, scale)
}

/// Box mean of radius `r` (window 2r+1, clamped at the borders): running sums along rows,
/// then running column sums row by row (cache friendly).
pub(crate) fn box_blur(src: &[f32], w: usize, h: usize, r: usize, out: &mut Vec<f32>) {
    let mut tmp = vec![0.0f32; w * h];
    // 1/n for every window size n a row can have.
    let inv: Vec<f64> = (0..=2 * r + 1).map(|n| 1.0 / n.max(1) as f64).collect();
    for (row, dst) in src.chunks_exact(w).zip(tmp.chunks_exact_mut(w)) {
        // The window of x is [x - r, x + r] clamped: the sum runs ahead of x by r.
        let mut acc: f64 = row[..(r + 1).min(w)].iter().map(|&v| f64::from(v)).sum();
        for (x, d) in dst.iter_mut().enumerate() {
            let (lo, hi) = (x.saturating_sub(r), (x + r + 1).min(w));
            *d = (acc * inv[hi - lo]) as f32;
            if hi < w {
                acc += f64::from(row[hi]);
            }
            if x >= r {
                acc -= f64::from(row[lo]);
            }
        }
    }
    out.clear();
    out.resize(w * h, 0.0);
    let mut acc = vec![0.0f64; w];
    let (mut lo, mut hi) = (0usize, 0usize);
    for y in 0..h {
        let want_hi = (y + r + 1).min(h);
        while hi < want_hi {
            for (a, v) in acc.iter_mut().zip(&tmp[hi * w..(hi + 1) * w]) {
                *a += f64::from(*v);
            }
            hi += 1;
        }
        let want_lo = y.saturating_sub(r);
        while lo < want_lo {
            for (a, v) in acc.iter_mut().zip(&tmp[lo * w..(lo + 1) * w]) {
                *a -= f64::from(*v);
            }
            lo += 1;
        }
        let inv = 1.0 / (hi - lo) as f64;
        for (o, a) in out[y * w..(y + 1) * w].iter_mut().zip(&acc) {
            *o = (a * inv) as f32;
        }
    }
}

/// Approximate Gaussian blur (three box passes) with standard deviation about `sigma`.
pub(crate) fn gauss_blur(src: &[f32], w: usize, h: usize, sigma: f32) -> Vec<f32> {
    // Three boxes of radius r give variance 3 * ((2r+1)^2 - 1) / 12.
    let r = (((4.0 * sigma * sigma + 1.0).sqrt() - 1.0) / 2.0)
        .round()
        .max(0.0) as usize;
    let mut a = src.to_vec();
    let mut b = Vec::new();
    if r == 0 {
        return a;
    }
    for _ in 0..3 {
        box_blur(&a, w, h, r, &mut b);
        std::mem::swap(&mut a, &mut b);
    }
    a
}

/// Inverts a 3x3 matrix; `None` when (nearly) singular or not finite.
pub(crate) fn invert3(m: &[[f64; 3]; 3]) -> Option<[[f64; 3]; 3]> {
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    if !det.is_finite() || det.abs() < 1e-12 {
        return None;
    }
    let inv = [
        [
            (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det,
            (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det,
            (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det,
        ],
        [
            (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det,
            (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det,
            (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det,
        ],
        [
            (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det,
            (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det,
            (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det,
        ],
    ];
    if inv.iter().flatten().all(|v| v.is_finite()) {
        Some(inv)
    } else {
        None
    }
}

/// Applies a 3x3 projective matrix to a point; `None` at infinity.
pub(crate) fn apply3(m: &[[f64; 3]; 3], x: f64, y: f64) -> Option<(f64, f64)> {
    let wz = m[2][0] * x + m[2][1] * y + m[2][2];
    if wz.abs() < 1e-12 || !wz.is_finite() {
        return None;
    }
    Some((
        (m[0][0] * x + m[0][1] * y + m[0][2]) / wz,
        (m[1][0] * x + m[1][1] * y + m[1][2]) / wz,
    ))
}

/// Warps `src` (the AFTER working image, scale `src_scale` from AFTER original pixels) into
/// a `w x h` grid over BEFORE's working frame (scale `dst_scale`). `after_to_before` maps
/// AFTER original pixels to BEFORE original pixels; each output pixel is sampled from AFTER
/// at the inverse mapping (from output to input). Returns the image and a validity mask.
///
/// Each output pixel is the AFTER pixel it lands in, not an interpolation of neighbours:
/// interpolating blurs, which leaves no pure strand pixel to fit the hair colour on, so a
/// photo compared with a shifted copy of itself read 5-9 points more hair.
pub(crate) fn warp_into(
    src: &Lin,
    src_scale: f64,
    after_to_before: &[[f64; 3]; 3],
    w: usize,
    h: usize,
    dst_scale: f64,
) -> Option<(Lin, Vec<bool>)> {
    let before_to_after = invert3(after_to_before)?;
    let mut out = Lin::new(w, h);
    let mut valid = vec![false; w * h];
    for y in 0..h {
        for x in 0..w {
            let bx = (x as f64 + 0.5) / dst_scale;
            let by = (y as f64 + 0.5) / dst_scale;
            let Some((ax, ay)) = apply3(&before_to_after, bx, by) else {
                continue;
            };
            if let Some(p) = src.sample(ax * src_scale, ay * src_scale) {
                let i = y * w + x;
                out.c[0][i] = p[0];
                out.c[1][i] = p[1];
                out.c[2][i] = p[2];
                valid[i] = true;
            }
        }
    }
    Some((out, valid))
}

/// Full-resolution tiles of `img` laid side by side in one linear image, with where each
/// of its pixels sits in the photo (the pixel's centre, in `img`'s pixels).
///
/// Each tile is `tile` x `tile` original pixels (clipped to the photo) centred on one of
/// `centres`; `gains` multiply the linear channels (a white-balance correction). Used to
/// fit colours where strands are resolved, when the working copy is reduced.
pub(crate) fn mosaic(
    img: &RgbaImage,
    centres: &[(f64, f64)],
    tile: usize,
    gains: [f32; 3],
) -> (Lin, Vec<(f64, f64)>) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let tw = tile.min(w);
    let th = tile.min(h);
    let n = centres.len();
    let mut out = Lin::new(tw * n.max(1), th);
    let mut at = vec![(0.0, 0.0); out.w * out.h];
    let lut: Vec<f32> = (0..256).map(|v| srgb_to_linear(v as f32 / 255.0)).collect();
    let bytes = img.as_bytes();
    for (t, &(cx, cy)) in centres.iter().enumerate() {
        let x0 = ((cx - tw as f64 / 2.0).round().max(0.0) as usize).min(w - tw);
        let y0 = ((cy - th as f64 / 2.0).round().max(0.0) as usize).min(h - th);
        for y in 0..th {
            for x in 0..tw {
                let (sx, sy) = (x0 + x, y0 + y);
                let s = (sy * w + sx) * 4;
                let o = y * out.w + t * tw + x;
                for k in 0..3 {
                    out.c[k][o] = lut[bytes[s + k] as usize] * gains[k];
                }
                at[o] = (sx as f64 + 0.5, sy as f64 + 0.5);
            }
        }
    }
    (out, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_blur_is_the_mean_of_the_clamped_square() {
        let (w, h) = (9, 7);
        let mut rng = crate::coverage::synth::Rng::new(5);
        let v: Vec<f32> = (0..w * h).map(|_| rng.next_f32()).collect();
        let mut out = Vec::new();
        for r in 0..6 {
            box_blur(&v, w, h, r, &mut out);
            for y in 0..h {
                for x in 0..w {
                    let (mut sum, mut n) = (0.0f64, 0);
                    for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
                        for xx in x.saturating_sub(r)..=(x + r).min(w - 1) {
                            sum += f64::from(v[yy * w + xx]);
                            n += 1;
                        }
                    }
                    let want = (sum / f64::from(n)) as f32;
                    let got = out[y * w + x];
                    assert!(
                        (got - want).abs() < 1e-6,
                        "r {r} at ({x}, {y}): {got} vs {want}"
                    );
                }
            }
        }
    }
}
