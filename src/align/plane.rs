//! Small float-image helpers for registration: area resize, blur, pyramid, bilinear sampling.
//!
//! Coordinates follow the crate convention: (0,0) is the top-left corner of the top-left
//! pixel, so pixel (i, j) has its centre at (i + 0.5, j + 0.5). Every resize here maps
//! coordinates by a pure scale (`x_small = x_big * factor`), without half-pixel offsets.

/// A single-channel f32 image, row-major.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plane {
    pub w: usize,
    pub h: usize,
    pub data: Vec<f32>,
}

impl Plane {
    pub fn new(w: usize, h: usize) -> Plane {
        Plane {
            w,
            h,
            data: vec![0.0; w * h],
        }
    }

    pub fn from_u8(data: &[u8], w: usize, h: usize) -> Plane {
        Plane {
            w,
            h,
            data: data.iter().map(|&v| v as f32).collect(),
        }
    }

    #[inline]
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.w + x]
    }

    /// Bilinear sample at continuous coordinates (pixel-corner convention). Returns `None`
    /// outside the band between the outer pixel centres (plus half a pixel of clamping).
    #[inline]
    pub fn sample(&self, x: f64, y: f64) -> Option<f32> {
        let u = x - 0.5;
        let v = y - 0.5;
        let wm = (self.w - 1) as f64;
        let hm = (self.h - 1) as f64;
        if !(u >= -0.5 && v >= -0.5 && u <= wm + 0.5 && v <= hm + 0.5) {
            return None;
        }
        let u = u.clamp(0.0, wm);
        let v = v.clamp(0.0, hm);
        let x0 = (u as usize).min(self.w.saturating_sub(2));
        let y0 = (v as usize).min(self.h.saturating_sub(2));
        let fx = (u - x0 as f64) as f32;
        let fy = (v - y0 as f64) as f32;
        let x1 = (x0 + 1).min(self.w - 1);
        let y1 = (y0 + 1).min(self.h - 1);
        let r0 = y0 * self.w;
        let r1 = y1 * self.w;
        let a = self.data[r0 + x0] + fx * (self.data[r0 + x1] - self.data[r0 + x0]);
        let b = self.data[r1 + x0] + fx * (self.data[r1 + x1] - self.data[r1 + x0]);
        Some(a + fy * (b - a))
    }

    pub fn mean(&self) -> f32 {
        if self.data.is_empty() {
            return 0.0;
        }
        (self.data.iter().map(|&v| v as f64).sum::<f64>() / self.data.len() as f64) as f32
    }
}

/// Shrink by area averaging so that `x_out = x_in / factor` (factor >= 1). The output has
/// `floor(w / factor)` x `floor(h / factor)` pixels (at least 1).
pub(crate) fn area_downscale(src: &Plane, factor: f64) -> Plane {
    if factor <= 1.0 + 1e-12 {
        return src.clone();
    }
    let ow = ((src.w as f64 / factor).floor() as usize).max(1);
    let oh = ((src.h as f64 / factor).floor() as usize).max(1);
    let wx = area_weights(src.w, ow, factor);
    let wy = area_weights(src.h, oh, factor);
    // Horizontal pass.
    let mut tmp = vec![0.0f32; ow * src.h];
    for y in 0..src.h {
        let row = &src.data[y * src.w..(y + 1) * src.w];
        for (ox, taps) in wx.iter().enumerate() {
            let mut acc = 0.0f32;
            for &(i, wgt) in taps {
                acc += row[i] * wgt;
            }
            tmp[y * ow + ox] = acc;
        }
    }
    let mut out = Plane::new(ow, oh);
    for (oy, taps) in wy.iter().enumerate() {
        let dst = &mut out.data[oy * ow..(oy + 1) * ow];
        for &(i, wgt) in taps {
            let srow = &tmp[i * ow..(i + 1) * ow];
            for (d, s) in dst.iter_mut().zip(srow) {
                *d += s * wgt;
            }
        }
    }
    out
}

fn area_weights(n_in: usize, n_out: usize, factor: f64) -> Vec<Vec<(usize, f32)>> {
    (0..n_out)
        .map(|o| {
            let a = o as f64 * factor;
            let b = ((o + 1) as f64 * factor).min(n_in as f64);
            let mut taps = Vec::new();
            let mut total = 0.0;
            let mut i = a.floor() as usize;
            while (i as f64) < b && i < n_in {
                let lo = (i as f64).max(a);
                let hi = ((i + 1) as f64).min(b);
                if hi > lo {
                    taps.push((i, (hi - lo) as f32));
                    total += hi - lo;
                }
                i += 1;
            }
            if total > 0.0 {
                for t in taps.iter_mut() {
                    t.1 /= total as f32;
                }
            } else {
                taps.push((n_in.saturating_sub(1), 1.0));
            }
            taps
        })
        .collect()
}

/// Separable Gaussian blur with clamped borders.
pub(crate) fn gaussian_blur(src: &Plane, sigma: f64) -> Plane {
    if sigma <= 0.0 || src.w == 0 || src.h == 0 {
        return src.clone();
    }
    let r = (3.0 * sigma).ceil() as isize;
    let mut k: Vec<f32> = (-r..=r)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp() as f32)
        .collect();
    let s: f32 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= s);
    let (w, h) = (src.w as isize, src.h as isize);
    let mut tmp = vec![0.0f32; src.data.len()];
    for y in 0..h {
        let row = &src.data[(y * w) as usize..((y + 1) * w) as usize];
        let out = &mut tmp[(y * w) as usize..((y + 1) * w) as usize];
        for x in 0..w {
            let mut acc = 0.0;
            if x >= r && x + r < w {
                let base = (x - r) as usize;
                for (j, kv) in k.iter().enumerate() {
                    acc += row[base + j] * kv;
                }
            } else {
                for (j, kv) in k.iter().enumerate() {
                    let xx = (x + j as isize - r).clamp(0, w - 1) as usize;
                    acc += row[xx] * kv;
                }
            }
            out[x as usize] = acc;
        }
    }
    let mut out = Plane::new(src.w, src.h);
    for (j, kv) in k.iter().enumerate() {
        let dy = j as isize - r;
        for y in 0..h {
            let yy = (y + dy).clamp(0, h - 1) as usize;
            let srow = &tmp[yy * src.w..(yy + 1) * src.w];
            let drow = &mut out.data[y as usize * src.w..(y as usize + 1) * src.w];
            for (d, s) in drow.iter_mut().zip(srow) {
                *d += s * kv;
            }
        }
    }
    out
}

/// Halve: blur lightly, then average 2x2 blocks, so that `x_out = x_in / 2`.
pub(crate) fn half(src: &Plane) -> Plane {
    let b = gaussian_blur(src, 0.6);
    let ow = (src.w / 2).max(1);
    let oh = (src.h / 2).max(1);
    let mut out = Plane::new(ow, oh);
    for y in 0..oh {
        let y0 = (2 * y).min(src.h - 1);
        let y1 = (2 * y + 1).min(src.h - 1);
        for x in 0..ow {
            let x0 = (2 * x).min(src.w - 1);
            let x1 = (2 * x + 1).min(src.w - 1);
            out.data[y * ow + x] =
                0.25 * (b.at(x0, y0) + b.at(x1, y0) + b.at(x0, y1) + b.at(x1, y1));
        }
    }
    out
}

/// Central-difference gradients (per pixel).
pub(crate) fn gradients(src: &Plane) -> (Plane, Plane) {
    let (w, h) = (src.w, src.h);
    let mut gx = Plane::new(w, h);
    let mut gy = Plane::new(w, h);
    for y in 0..h {
        let ym = y.saturating_sub(1);
        let yp = (y + 1).min(h - 1);
        for x in 0..w {
            let xm = x.saturating_sub(1);
            let xp = (x + 1).min(w - 1);
            let dx = (xp - xm).max(1) as f32;
            let dy = (yp - ym).max(1) as f32;
            gx.data[y * w + x] = (src.at(xp, y) - src.at(xm, y)) / dx;
            gy.data[y * w + x] = (src.at(x, yp) - src.at(x, ym)) / dy;
        }
    }
    (gx, gy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_downscale_keeps_mean_and_size() {
        let mut p = Plane::new(10, 6);
        for (i, v) in p.data.iter_mut().enumerate() {
            *v = (i % 7) as f32;
        }
        let q = area_downscale(&p, 2.0);
        assert_eq!((q.w, q.h), (5, 3));
        assert!((q.mean() - p.mean()).abs() < 1e-4);
        let r = area_downscale(&p, 2.5);
        assert_eq!((r.w, r.h), (4, 2));
    }

    #[test]
    fn bilinear_sample_hits_centres() {
        let mut p = Plane::new(3, 2);
        p.data = vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0];
        assert_eq!(p.sample(1.5, 0.5), Some(1.0));
        assert_eq!(p.sample(2.0, 1.0), Some(6.5));
        assert_eq!(p.sample(0.2, 0.2), Some(0.0));
        assert!(p.sample(-0.1, 0.5).is_none());
        assert!(p.sample(3.1, 0.5).is_none());
    }
}
