//! Coarse registration in the frequency domain: phase correlation for shifts and
//! Fourier–Mellin (log-polar magnitude spectra) for rotation and scale.
//!
//! Everything here works on a square `n` x `n` canvas holding a shrunken copy of each photo in
//! its top-left corner. Plans are made once per size and kept by [`Fourier`].

use super::fft::{Fft, Grid};
use super::plane::{area_downscale, Plane};
use crate::geometry::{Model, Transform};
use std::f64::consts::PI;

/// The FFT plan and buffers for one canvas size.
pub(crate) struct Fourier {
    n: usize,
    fft: Fft,
    buf_a: Grid,
    buf_b: Grid,
    scratch: Grid,
}

/// A peak found by phase correlation: the shift `d` such that `moving(x) ≈ reference(x - d)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peak {
    pub dx: f64,
    pub dy: f64,
    /// Height of the normalised correlation peak (1 for identical images).
    pub height: f64,
    /// Peak-to-sidelobe ratio: (peak - mean) / std of the surface away from the peak.
    pub psr: f64,
}

/// One photo prepared for the coarse stage.
pub(crate) struct Canvas {
    /// Working pixels per canvas pixel (`x_canvas = x_work / factor`).
    pub factor: f64,
    /// The shrunken, mean-removed photo (not windowed), `w` x `h` inside the canvas.
    pub img: Plane,
    /// Log-polar map of its high-passed magnitude spectrum.
    pub logpolar: Vec<f32>,
}

/// A coarse estimate from Fourier–Mellin, in WORKING pixel coordinates (AFTER to BEFORE).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Coarse {
    pub transform: Transform,
    pub peak: Peak,
}

impl Fourier {
    /// A canvas of `n` x `n`; `n` must be a power of two.
    pub fn new(n: usize) -> Fourier {
        Fourier {
            n,
            fft: Fft::new(n),
            buf_a: Grid::zeros(n),
            buf_b: Grid::zeros(n),
            scratch: Grid::zeros(n),
        }
    }

    pub fn size(&self) -> usize {
        self.n
    }

    /// 2-D transform of buffer `which` in place. The spectrum is stored transposed (see
    /// [`Fft::fft2`]): frequency `(fx, fy)` at `[fx * n + fy]`.
    fn fft2(&mut self, which: u8, inverse: bool) {
        let buf = if which == 0 {
            &mut self.buf_a
        } else {
            &mut self.buf_b
        };
        self.fft.fft2(buf, &mut self.scratch, inverse);
    }

    /// Shrinks `img` to fit the canvas and computes its log-polar spectrum.
    pub fn prepare(&mut self, img: &Plane) -> Canvas {
        let n = self.n;
        let factor = (img.w.max(img.h) as f64 / n as f64).max(1.0);
        let mut small = area_downscale(img, factor);
        let m = small.mean();
        small.data.iter_mut().for_each(|v| *v -= m);
        let win = hann_window(&small);
        self.fill(0, &win);
        self.fft2(0, false);
        // Magnitude, shifted so that DC sits at (n/2, n/2), log-compressed and high-passed.
        let mut mag = vec![0.0f32; n * n];
        let half = n / 2;
        for y in 0..n {
            let fy = (y + half) % n;
            let eta = (fy as f64 - half as f64) / n as f64;
            for x in 0..n {
                let fx = (x + half) % n;
                let xi = (fx as f64 - half as f64) / n as f64;
                let c = (PI * xi).cos() * (PI * eta).cos();
                let hp = ((1.0 - c) * (2.0 - c)) as f32;
                // Frequency (x, y) sits at [x * n + y] in the transposed spectrum.
                let (re, im) = (self.buf_a.re[x * n + y], self.buf_a.im[x * n + y]);
                mag[fy * n + fx] = (1.0 + (re * re + im * im).sqrt()).ln() * hp;
            }
        }
        let logpolar = log_polar(&mag, n);
        Canvas {
            factor,
            img: small,
            logpolar,
        }
    }

    fn fill(&mut self, which: u8, p: &Plane) {
        let n = self.n;
        let buf = if which == 0 {
            &mut self.buf_a
        } else {
            &mut self.buf_b
        };
        buf.re.fill(0.0);
        buf.im.fill(0.0);
        let w = p.w.min(n);
        for y in 0..p.h.min(n) {
            buf.re[y * n..y * n + w].copy_from_slice(&p.data[y * p.w..y * p.w + w]);
        }
    }

    fn fill_raw(&mut self, which: u8, data: &[f32]) {
        let buf = if which == 0 {
            &mut self.buf_a
        } else {
            &mut self.buf_b
        };
        let len = data.len().min(buf.re.len());
        buf.re[..len].copy_from_slice(&data[..len]);
        buf.im.fill(0.0);
    }

    /// Phase correlation of two n x n arrays already in `buf_a` (reference) and `buf_b`
    /// (moving); returns the best few peaks.
    fn correlate_buffers(&mut self, peaks: usize) -> Vec<Peak> {
        let n = self.n;
        self.fft2(0, false);
        self.fft2(1, false);
        // Cross-power spectrum b·conj(a), normalised to unit magnitude, into buf_a.
        let (a, b) = (&mut self.buf_a, &self.buf_b);
        let mut maxmag = 0.0f32;
        for i in 0..n * n {
            let cr = b.re[i] * a.re[i] + b.im[i] * a.im[i];
            let ci = b.im[i] * a.re[i] - b.re[i] * a.im[i];
            a.re[i] = cr;
            a.im[i] = ci;
            maxmag = maxmag.max((cr * cr + ci * ci).sqrt());
        }
        let eps = maxmag * 1e-6 + 1e-20;
        for (re, im) in a.re.iter_mut().zip(a.im.iter_mut()) {
            let k = 1.0 / ((*re * *re + *im * *im).sqrt() + eps);
            *re *= k;
            *im *= k;
        }
        self.fft2(0, true);
        let scale = 1.0 / (n * n) as f32;
        let surface: Vec<f32> = self.buf_a.re.iter().map(|v| v * scale).collect();
        find_peaks(&surface, n, peaks)
    }

    /// Rotation and scale candidates, then a translation for each; the best first.
    /// `before`/`after` are the prepared canvases; the result is in working pixels.
    pub fn fourier_mellin(&mut self, before: &Canvas, after: &Canvas) -> Vec<Coarse> {
        let n = self.n;
        self.fill_raw(0, &before.logpolar);
        self.fill_raw(1, &after.logpolar);
        let rs_peaks = self.correlate_buffers(3);
        let (rmin, rmax) = radius_range(n);
        let log_base = (rmax / rmin).ln() / n as f64;
        let mut out: Vec<Coarse> = Vec::new();
        for rs in rs_peaks {
            // rows are angles (pi / n per row), columns log-radius.
            let angle = -rs.dy * PI / n as f64;
            let scale = (rs.dx * log_base).exp();
            if !(0.4..=2.5).contains(&scale) {
                continue;
            }
            for flip in [0.0, PI] {
                out.extend(self.centred_candidate(before, after, scale, angle + flip));
            }
        }
        out.sort_by(|a, b| b.peak.height.total_cmp(&a.peak.height));
        out
    }

    /// Exhaustive fall-back for when the spectra disagree (e.g. much of the scalp changed):
    /// tries each rotation and scale, finds the shift by phase correlation, and returns the
    /// `keep` best, in working pixels.
    pub fn sweep(
        &mut self,
        before: &Canvas,
        after: &Canvas,
        angles_deg: &[f64],
        scales: &[f64],
        keep: usize,
    ) -> Vec<Coarse> {
        let mut out: Vec<Coarse> = Vec::new();
        for &a in angles_deg {
            for &sc in scales {
                out.extend(self.centred_candidate(before, after, sc, a.to_radians()));
            }
        }
        out.sort_by(|a, b| b.peak.height.total_cmp(&a.peak.height));
        out.truncate(keep);
        out
    }

    /// Given a rotation+scale candidate in canvas pixels, finds the shift by phase correlation.
    /// A similarity of `scale` and `angle` about the canvases' centres, its shift found by
    /// phase correlation, in working pixels; `None` when no shift peak is found.
    fn centred_candidate(
        &mut self,
        before: &Canvas,
        after: &Canvas,
        scale: f64,
        angle: f64,
    ) -> Option<Coarse> {
        let cb = (before.img.w as f64 / 2.0, before.img.h as f64 / 2.0);
        let ca = (after.img.w as f64 / 2.0, after.img.h as f64 / 2.0);
        let lin = Transform::similarity_about(scale, angle, 0.0, 0.0);
        let cand = Transform::translate(cb.0, cb.1) * lin * Transform::translate(-ca.0, -ca.1);
        let c = self.translation_for(before, after, &cand)?;
        let work = c.transform.rescaled(before.factor, after.factor);
        Some(Coarse {
            transform: Transform::with_model(work.matrix, Model::Similarity),
            peak: c.peak,
        })
    }

    fn translation_for(
        &mut self,
        before: &Canvas,
        after: &Canvas,
        cand: &Transform,
    ) -> Option<Coarse> {
        let inv = cand.inverse()?;
        let (bw, bh) = (before.img.w, before.img.h);
        let mut warped = Plane::new(bw, bh);
        for y in 0..bh {
            for x in 0..bw {
                let (u, v) = inv.apply(x as f64 + 0.5, y as f64 + 0.5);
                if let Some(val) = after.img.sample(u, v) {
                    warped.data[y * bw + x] = val;
                }
            }
        }
        let m = warped.mean();
        warped.data.iter_mut().for_each(|v| *v -= m);
        let wb = hann_window(&before.img);
        let ww = hann_window(&warped);
        self.fill(0, &wb);
        self.fill(1, &ww);
        let peak = *self.correlate_buffers(1).first()?;
        // warped(x) = before(x - d)  =>  true = translate(-d) * cand
        let t = Transform::translate(-peak.dx, -peak.dy) * *cand;
        Some(Coarse { transform: t, peak })
    }
}

fn radius_range(n: usize) -> (f64, f64) {
    (2.0, n as f64 * 0.5 * 0.95)
}

/// Resamples an fftshifted magnitude into log-polar: rows are angles in [0, pi), columns
/// log-spaced radii.
fn log_polar(mag: &[f32], n: usize) -> Vec<f32> {
    let (rmin, rmax) = radius_range(n);
    let c = n as f64 / 2.0;
    let log_base = (rmax / rmin).ln() / n as f64;
    let mut out = vec![0.0f32; n * n];
    let radii: Vec<f64> = (0..n).map(|j| rmin * (j as f64 * log_base).exp()).collect();
    for i in 0..n {
        let th = PI * i as f64 / n as f64;
        let (s, co) = th.sin_cos();
        for (j, r) in radii.iter().enumerate() {
            let x = c + r * co;
            let y = c + r * s;
            let x0 = x.floor();
            let y0 = y.floor();
            let fx = (x - x0) as f32;
            let fy = (y - y0) as f32;
            let (x0, y0) = (x0 as usize, y0 as usize);
            let x1 = (x0 + 1).min(n - 1);
            let y1 = (y0 + 1).min(n - 1);
            let a = mag[y0 * n + x0] * (1.0 - fx) + mag[y0 * n + x1] * fx;
            let b = mag[y1 * n + x0] * (1.0 - fx) + mag[y1 * n + x1] * fx;
            out[i * n + j] = a * (1.0 - fy) + b * fy;
        }
    }
    out
}

#[allow(clippy::needless_range_loop)]
/// Multiplies a (mean-removed) image by a separable Hann window over its own extent.
fn hann_window(p: &Plane) -> Plane {
    let wx: Vec<f32> = (0..p.w)
        .map(|i| (0.5 - 0.5 * (2.0 * PI * (i as f64 + 0.5) / p.w as f64).cos()) as f32)
        .collect();
    let wy: Vec<f32> = (0..p.h)
        .map(|i| (0.5 - 0.5 * (2.0 * PI * (i as f64 + 0.5) / p.h as f64).cos()) as f32)
        .collect();
    let mut out = p.clone();
    for y in 0..p.h {
        for x in 0..p.w {
            out.data[y * p.w + x] *= wx[x] * wy[y];
        }
    }
    out
}

/// The strongest local maxima of a correlation surface, with sub-pixel refinement, PSR and
/// signed (wrapped) shifts.
fn find_peaks(s: &[f32], n: usize, count: usize) -> Vec<Peak> {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut out = Vec::new();
    // Global statistics for the sidelobes (computed once; the peak area is small).
    let mean = s.iter().map(|&v| v as f64).sum::<f64>() / s.len() as f64;
    let var = s.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / s.len() as f64;
    let std = var.sqrt().max(1e-12);
    let wrap = |d: isize| -> usize { d.rem_euclid(n as isize) as usize };
    for _ in 0..count {
        let mut best = None::<(usize, usize, f32)>;
        for y in 0..n {
            for x in 0..n {
                let v = s[y * n + x];
                if best.is_some_and(|b| v <= b.2) {
                    continue;
                }
                let near = taken.iter().any(|&(tx, ty)| {
                    let ddx = (x as isize - tx as isize).rem_euclid(n as isize);
                    let ddy = (y as isize - ty as isize).rem_euclid(n as isize);
                    let ddx = ddx.min(n as isize - ddx);
                    let ddy = ddy.min(n as isize - ddy);
                    ddx <= 4 && ddy <= 4
                });
                if !near {
                    best = Some((x, y, v));
                }
            }
        }
        let Some((px, py, pv)) = best else { break };
        taken.push((px, py));
        let at = |dx: isize, dy: isize| -> f64 {
            s[wrap(py as isize + dy) * n + wrap(px as isize + dx)] as f64
        };
        let c = at(0, 0);
        let sub = |m: f64, p: f64| -> f64 {
            let den = m - 2.0 * c + p;
            if den.abs() > 1e-12 {
                (0.5 * (m - p) / den).clamp(-0.5, 0.5)
            } else {
                0.0
            }
        };
        let ox = sub(at(-1, 0), at(1, 0));
        let oy = sub(at(0, -1), at(0, 1));
        let signed = |p: usize| -> f64 {
            if p >= n / 2 {
                p as f64 - n as f64
            } else {
                p as f64
            }
        };
        // Energy of the peak spreads over neighbours for sub-pixel shifts: sum the 3x3.
        let mut height = 0.0;
        for dy in -1..=1 {
            for dx in -1..=1 {
                height += at(dx, dy).max(0.0);
            }
        }
        out.push(Peak {
            dx: signed(px) + ox,
            dy: signed(py) + oy,
            height,
            psr: (pv as f64 - mean) / std,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texture(w: usize, h: usize, seed: u64) -> Plane {
        let mut p = Plane::new(w, h);
        let mut s = seed;
        for v in p.data.iter_mut() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            *v = (s % 256) as f32;
        }
        super::super::plane::gaussian_blur(&p, 1.5)
    }

    #[test]
    fn phase_correlation_finds_integer_shift() {
        let mut f = Fourier::new(64);
        let a = texture(64, 64, 7);
        let mut b = Plane::new(64, 64);
        for y in 0..64 {
            for x in 0..64 {
                let sx = (x + 64 - 5) % 64;
                let sy = (y + 64 + 3) % 64;
                b.data[y * 64 + x] = a.at(sx, sy);
            }
        }
        f.fill(0, &a);
        f.fill(1, &b);
        let p = f.correlate_buffers(1)[0];
        assert!(
            (p.dx - 5.0).abs() < 0.1 && (p.dy + 3.0).abs() < 0.1,
            "{p:?}"
        );
        assert!(p.height > 0.5, "{p:?}");
        assert!(p.psr > 20.0, "{p:?}");
    }
}
