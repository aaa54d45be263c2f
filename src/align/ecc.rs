//! Refinement by maximising the enhanced correlation coefficient (ECC; Evangelidis & Psarakis,
//! "Parametric Image Alignment Using Enhanced Correlation Coefficient Maximization", PAMI 2008),
//! forward-additive Gauss–Newton, coarse to fine, with down-weighting of blocks whose content
//! changed.
//!
//! The template is AFTER and the input is BEFORE, so the warp maps AFTER to BEFORE like
//! [`Transform`](crate::geometry::Transform). The warp is kept in normalised coordinates
//! (`u = (x - cx) / s`, with `s` half the long side of the working image), which keeps the
//! Gauss–Newton system well conditioned and the same at every pyramid level.

use super::join;
use super::plane::{gaussian_blur, gradients, half, Plane};
use crate::geometry::{Model, Transform};

/// Margin, in level pixels, kept clear of BEFORE's border.
const BORDER: f64 = 3.0;

/// A trusted block with at least this many changed neighbours (of 8) is dropped too.
const DILATE_NEIGHBOURS: usize = 1;

/// Dilation is skipped when it would keep less than this fraction of the blocks.
const MIN_KEPT_AFTER_DILATION: f64 = 0.3;

/// One pyramid level of both photos.
pub(crate) struct Level {
    /// Working pixels per level pixel (1, 2, 4, ...).
    pub step: f64,
    pub tmpl: Plane,
    pub input: Plane,
    pub gx: Plane,
    pub gy: Plane,
    /// Unsmoothed copies, for the confidence measure.
    pub tmpl_raw: Plane,
    pub input_raw: Plane,
}

/// Normalisation of working coordinates for one photo.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Norm {
    pub cx: f64,
    pub cy: f64,
    pub s: f64,
}

impl Norm {
    pub fn of(p: &Plane) -> Norm {
        Norm {
            cx: p.w as f64 / 2.0,
            cy: p.h as f64 / 2.0,
            s: p.w.max(p.h) as f64 / 2.0,
        }
    }

    /// Working pixels -> normalised.
    pub fn normalise(self) -> Transform {
        Transform::scale(1.0 / self.s) * Transform::translate(-self.cx, -self.cy)
    }

    /// Normalised -> working pixels.
    pub fn denormalise(self) -> Transform {
        Transform::translate(self.cx, self.cy) * Transform::scale(self.s)
    }
}

/// Builds the pyramid, finest first, down to a long side of about `min_side` pixels.
pub(crate) fn pyramid(after: &Plane, before: &Plane, min_side: usize, smooth: f64) -> Vec<Level> {
    let mut levels = Vec::new();
    let mut a = after.clone();
    let mut b = before.clone();
    let mut step = 1.0;
    loop {
        let tmpl = gaussian_blur(&a, smooth);
        let input = gaussian_blur(&b, smooth);
        let (gx, gy) = gradients(&input);
        levels.push(Level {
            step,
            tmpl,
            input,
            gx,
            gy,
            tmpl_raw: a.clone(),
            input_raw: b.clone(),
        });
        if last_level(&a, &b, min_side, levels.len()) {
            break;
        }
        a = half(&a);
        b = half(&b);
        step *= 2.0;
    }
    levels
}

/// Whether [`pyramid`] stops after its `count`-th level, of `a` and `b`.
fn last_level(a: &Plane, b: &Plane, min_side: usize, count: usize) -> bool {
    let small = a.w.max(a.h).min(b.w.max(b.h));
    let smallest = a.w.min(a.h).min(b.w.min(b.h));
    small / 2 < min_side || smallest / 2 < 16 || count >= 7
}

/// The unsmoothed AFTER and BEFORE of the first level of [`pyramid`] whose AFTER has a
/// long side of at most `detail_side` (else of its last level), with its step: what
/// [`detail_agreement`] needs, without building the rest of the pyramid.
pub(crate) fn detail_planes(
    after: &Plane,
    before: &Plane,
    min_side: usize,
    detail_side: usize,
) -> (Plane, Plane, f64) {
    let (mut a, mut b) = (after.clone(), before.clone());
    let (mut step, mut count) = (1.0, 1);
    while a.w.max(a.h) > detail_side && !last_level(&a, &b, min_side, count) {
        a = half(&a);
        b = half(&b);
        step *= 2.0;
        count += 1;
    }
    (a, b, step)
}

/// What a level of ECC achieved.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LevelResult {
    /// Final (weighted) correlation coefficient.
    pub rho: f64,
    pub iterations: usize,
    /// Fraction of template pixels that fell inside BEFORE.
    pub overlap: f64,
    /// Weighted fraction of the overlap kept by the robust weights.
    pub inliers: f64,
}

fn n_params(model: Model) -> usize {
    match model {
        Model::Similarity => 4,
        Model::Affine => 6,
        Model::Homography => 8,
    }
}

/// Options of one level's run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EccRun {
    pub model: Model,
    pub max_iter: usize,
    pub robust: bool,
    /// Stop when the largest corner displacement of an update is below this (level pixels).
    pub eps_px: f64,
}

/// Runs ECC on one level, updating `h` (normalised AFTER -> normalised BEFORE).
pub(crate) fn ecc_level(
    lv: &Level,
    na: Norm,
    nb: Norm,
    h: &mut [[f64; 3]; 3],
    run: EccRun,
) -> Option<LevelResult> {
    let np = n_params(run.model);
    let (tw, th) = (lv.tmpl.w, lv.tmpl.h);
    let stride = if tw * th > 400_000 { 2 } else { 1 };
    // Blocks for robust weighting: about 24 along the long side.
    let bsize = (tw.max(th) / 24).max(4);
    let bw = tw.div_ceil(bsize);
    let bh = th.div_ceil(bsize);
    let mut block_w = vec![1.0f32; bw * bh];
    let mut iw = vec![f32::NAN; tw * th];
    // AFTER with the fitted lighting change undone (see `fit_lighting`).
    let mut tc: Vec<f32> = lv.tmpl.data.clone();
    let step = lv.step;
    let gscale = nb.s / step; // d(level px)/dU
    let mut result = LevelResult {
        inliers: 1.0,
        ..LevelResult::default()
    };
    let corners = [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)];
    let mut best_h = *h;
    let mut best_rho = f64::NEG_INFINITY;
    for it in 0..run.max_iter {
        let m = *h;
        let geo = Geometry {
            lv,
            na,
            nb,
            m,
            model: run.model,
            stride,
            bsize,
            bw,
            block_w: &block_w,
            tc: &tc,
        };
        // Rows are split in two halves (a multiple of the stride) for two threads.
        let split = ((th / 2) / stride) * stride;
        let acc = if tw * th >= PARALLEL_PIXELS && split > 0 {
            let (top, bottom) = iw.split_at_mut(split * tw);
            let (a, b) = join(
                || geo.accumulate(0..split, top),
                || geo.accumulate(split..th, bottom),
            );
            a.merged(&b, np)
        } else {
            geo.accumulate(0..th, &mut iw)
        };
        let Acc {
            sw,
            st,
            si,
            stt,
            sii,
            sti,
            sj,
            sjt,
            sji,
            sjj,
            n_valid,
            n_total,
        } = acc;
        if n_total == 0 || (n_valid as f64) < 0.1 * n_total as f64 || sw < 50.0 {
            return None;
        }
        result.overlap = n_valid as f64 / n_total as f64;
        // Centre everything (weighted means).
        let mt = st / sw;
        let mi = si / sw;
        let tt = stt - sw * mt * mt;
        let ii = sii - sw * mi * mi;
        let ti = sti - sw * mt * mi;
        if tt <= 1e-9 || ii <= 1e-9 {
            return None;
        }
        let rho = ti / (tt * ii).sqrt();
        result.rho = rho;
        result.iterations = it + 1;
        if rho > best_rho {
            best_rho = rho;
            best_h = *h;
        }
        let mut hess = [[0.0f64; 8]; 8];
        let mut tp = [0.0f64; 8];
        let mut ip = [0.0f64; 8];
        for a in 0..np {
            let mja = sj[a] / sw;
            tp[a] = sjt[a] - mja * st;
            ip[a] = sji[a] - mja * si;
            for b in a..np {
                let v = sjj[a][b] - sw * mja * (sj[b] / sw);
                hess[a][b] = v;
                hess[b][a] = v;
            }
        }
        let gip = solve(&hess, &ip, np)?;
        let gtp = solve(&hess, &tp, np)?;
        let ip_g_ip = dot(&ip, &gip, np);
        let tp_g_ip = dot(&tp, &gip, np);
        let tp_g_tp = dot(&tp, &gtp, np);
        let lambda_n = ii - ip_g_ip;
        let lambda_d = ti - tp_g_ip;
        let lambda = if lambda_d > 1e-12 * (tt * ii).sqrt() {
            lambda_n / lambda_d
        } else {
            // The correlation would decrease: take the larger of the paper's two fall-backs.
            let l1 = (lambda_n.max(0.0) / (tt - tp_g_tp).max(1e-12)).sqrt();
            let l2 = (tp_g_ip - ti) / tp_g_tp.max(1e-12);
            l1.max(l2)
        };
        let mut delta = [0.0f64; 8];
        for a in 0..np {
            delta[a] = lambda * gtp[a] - gip[a];
        }
        if delta.iter().any(|d| !d.is_finite()) {
            return None;
        }
        let old = *h;
        apply_delta(h, &delta, run.model);
        // Largest displacement of the template corners, in level pixels.
        let mut moved = 0.0f64;
        for &(cu, cv) in &corners {
            let p0 = warp_point(
                &old,
                cu * na_aspect(na, lv, true),
                cv * na_aspect(na, lv, false),
            );
            let p1 = warp_point(
                h,
                cu * na_aspect(na, lv, true),
                cv * na_aspect(na, lv, false),
            );
            moved = moved.max((p1.0 - p0.0).hypot(p1.1 - p0.1) * gscale);
        }
        if !moved.is_finite() || moved > 0.25 * tw.max(th) as f64 {
            *h = old;
            return None;
        }
        if run.robust && (it == 2 || (it > 2 && it % 4 == 2)) {
            reweight(lv, &tc, &iw, bsize, bw, &mut block_w, stride);
            fit_lighting(lv, na, &iw, &mut tc, bsize, bw, &block_w, stride);
            reweight(lv, &tc, &iw, bsize, bw, &mut block_w, stride);
            result.inliers = block_inliers(&block_w);
        }
        if moved < run.eps_px && it >= 1 {
            // One more cheap check is not needed: the update was tiny.
            break;
        }
    }
    if !run.robust {
        result.inliers = 1.0;
    }
    // Keep the last estimate unless the correlation clearly fell (oscillation).
    if best_rho > result.rho + 0.02 {
        *h = best_h;
        result.rho = best_rho;
    }
    Some(result)
}

/// Levels with at least this many pixels accumulate on two threads (natively).
const PARALLEL_PIXELS: usize = 120_000;

/// Weighted sums of one ECC iteration.
#[derive(Default)]
struct Acc {
    sw: f64,
    st: f64,
    si: f64,
    stt: f64,
    sii: f64,
    sti: f64,
    sj: [f64; 8],
    sjt: [f64; 8],
    sji: [f64; 8],
    sjj: [[f64; 8]; 8],
    n_valid: usize,
    n_total: usize,
}

impl Acc {
    fn merged(mut self, o: &Acc, np: usize) -> Acc {
        self.sw += o.sw;
        self.st += o.st;
        self.si += o.si;
        self.stt += o.stt;
        self.sii += o.sii;
        self.sti += o.sti;
        for a in 0..np {
            self.sj[a] += o.sj[a];
            self.sjt[a] += o.sjt[a];
            self.sji[a] += o.sji[a];
            for b in a..np {
                self.sjj[a][b] += o.sjj[a][b];
            }
        }
        self.n_valid += o.n_valid;
        self.n_total += o.n_total;
        self
    }
}

/// What one ECC iteration reads.
struct Geometry<'a> {
    lv: &'a Level,
    na: Norm,
    nb: Norm,
    m: [[f64; 3]; 3],
    model: Model,
    stride: usize,
    bsize: usize,
    bw: usize,
    block_w: &'a [f32],
    tc: &'a [f32],
}

impl Geometry<'_> {
    /// Sums over template rows `rows`; writes the warped BEFORE value of each visited pixel
    /// (NaN outside) into `iw`, which holds exactly those rows.
    #[allow(clippy::needless_range_loop)] // `j` and the sums share the index `b`.
    fn accumulate(&self, rows: std::ops::Range<usize>, iw: &mut [f32]) -> Acc {
        let lv = self.lv;
        let (na, nb, m, np) = (self.na, self.nb, self.m, n_params(self.model));
        let (tw, step) = (lv.tmpl.w, lv.step);
        let (in_w, in_h) = (lv.input.w as f64, lv.input.h as f64);
        let gscale = nb.s / step;
        let projective = matches!(self.model, Model::Homography);
        let mut acc = Acc::default();
        let y0 = rows.start;
        for y in rows.step_by(self.stride) {
            let v = ((y as f64 + 0.5) * step - na.cy) / na.s;
            let brow = (y / self.bsize) * self.bw;
            for x in (0..tw).step_by(self.stride) {
                acc.n_total += 1;
                let u = ((x as f64 + 0.5) * step - na.cx) / na.s;
                let d = if projective {
                    m[2][0] * u + m[2][1] * v + m[2][2]
                } else {
                    1.0
                };
                let (xw, yw) = if projective {
                    (
                        (m[0][0] * u + m[0][1] * v + m[0][2]) / d,
                        (m[1][0] * u + m[1][1] * v + m[1][2]) / d,
                    )
                } else {
                    (
                        m[0][0] * u + m[0][1] * v + m[0][2],
                        m[1][0] * u + m[1][1] * v + m[1][2],
                    )
                };
                let px = (nb.cx + nb.s * xw) / step;
                let py = (nb.cy + nb.s * yw) / step;
                let idx = (y - y0) * tw + x;
                // Stay clear of BEFORE's border, where smoothing and gradients are one-sided
                // and AFTER may show what BEFORE does not.
                if !(px >= BORDER && py >= BORDER && px <= in_w - BORDER && py <= in_h - BORDER) {
                    iw[idx] = f32::NAN;
                    continue;
                }
                // Bilinear weights shared by the value and both gradients (BORDER keeps
                // all four neighbours inside).
                let (u0, v0) = (px - 0.5, py - 0.5);
                let (x0, yy0) = (u0 as usize, v0 as usize);
                let fx = (u0 - x0 as f64) as f32;
                let fy = (v0 - yy0 as f64) as f32;
                let k = yy0 * lv.input.w + x0;
                let kw = lv.input.w;
                let bil = |p: &[f32]| -> f32 {
                    let a = p[k] + fx * (p[k + 1] - p[k]);
                    let b = p[k + kw] + fx * (p[k + kw + 1] - p[k + kw]);
                    a + fy * (b - a)
                };
                let ival = bil(&lv.input.data);
                iw[idx] = ival;
                acc.n_valid += 1;
                let w = self.block_w[brow + x / self.bsize] as f64;
                if w <= 0.0 {
                    continue;
                }
                let gxv = bil(&lv.gx.data) as f64 * gscale;
                let gyv = bil(&lv.gy.data) as f64 * gscale;
                let mut j = [0.0f64; 8];
                match self.model {
                    Model::Similarity => {
                        j[0] = gxv * u + gyv * v;
                        j[1] = -gxv * v + gyv * u;
                        j[2] = gxv;
                        j[3] = gyv;
                    }
                    Model::Affine => {
                        j[0] = gxv * u;
                        j[1] = gxv * v;
                        j[2] = gxv;
                        j[3] = gyv * u;
                        j[4] = gyv * v;
                        j[5] = gyv;
                    }
                    Model::Homography => {
                        let id = 1.0 / d;
                        j[0] = gxv * u * id;
                        j[1] = gxv * v * id;
                        j[2] = gxv * id;
                        j[3] = gyv * u * id;
                        j[4] = gyv * v * id;
                        j[5] = gyv * id;
                        j[6] = -(gxv * xw + gyv * yw) * u * id;
                        j[7] = -(gxv * xw + gyv * yw) * v * id;
                    }
                }
                let t = self.tc[y * tw + x] as f64;
                let i = ival as f64;
                acc.sw += w;
                acc.st += w * t;
                acc.si += w * i;
                acc.stt += w * t * t;
                acc.sii += w * i * i;
                acc.sti += w * t * i;
                for a in 0..np {
                    let wj = w * j[a];
                    acc.sj[a] += wj;
                    acc.sjt[a] += wj * t;
                    acc.sji[a] += wj * i;
                    for b in a..np {
                        acc.sjj[a][b] += wj * j[b];
                    }
                }
            }
        }
        acc
    }
}

fn na_aspect(na: Norm, lv: &Level, x: bool) -> f64 {
    let (w, h) = (lv.tmpl.w as f64 * lv.step, lv.tmpl.h as f64 * lv.step);
    if x {
        w / 2.0 / na.s
    } else {
        h / 2.0 / na.s
    }
}

fn warp_point(m: &[[f64; 3]; 3], u: f64, v: f64) -> (f64, f64) {
    let d = m[2][0] * u + m[2][1] * v + m[2][2];
    (
        (m[0][0] * u + m[0][1] * v + m[0][2]) / d,
        (m[1][0] * u + m[1][1] * v + m[1][2]) / d,
    )
}

fn apply_delta(h: &mut [[f64; 3]; 3], d: &[f64; 8], model: Model) {
    match model {
        Model::Similarity => {
            h[0][0] += d[0];
            h[1][1] += d[0];
            h[0][1] -= d[1];
            h[1][0] += d[1];
            h[0][2] += d[2];
            h[1][2] += d[3];
        }
        Model::Affine => {
            h[0][0] += d[0];
            h[0][1] += d[1];
            h[0][2] += d[2];
            h[1][0] += d[3];
            h[1][1] += d[4];
            h[1][2] += d[5];
        }
        Model::Homography => {
            h[0][0] += d[0];
            h[0][1] += d[1];
            h[0][2] += d[2];
            h[1][0] += d[3];
            h[1][1] += d[4];
            h[1][2] += d[5];
            h[2][0] += d[6];
            h[2][1] += d[7];
        }
    }
}

/// Drops blocks whose normalised residual is far above the typical one, and (unless too
/// little would be left) the blocks next to them.
fn reweight(
    lv: &Level,
    tmpl: &[f32],
    iw: &[f32],
    bsize: usize,
    bw: usize,
    block_w: &mut [f32],
    stride: usize,
) {
    let (tw, th) = (lv.tmpl.w, lv.tmpl.h);
    // Global (unweighted over valid pixels) means and deviations.
    let (mut n, mut st, mut si, mut stt, mut sii) = (0.0f64, 0.0, 0.0, 0.0, 0.0);
    for y in (0..th).step_by(stride) {
        for x in (0..tw).step_by(stride) {
            let i = iw[y * tw + x];
            if i.is_nan() {
                continue;
            }
            let t = tmpl[y * tw + x] as f64;
            let i = i as f64;
            n += 1.0;
            st += t;
            si += i;
            stt += t * t;
            sii += i * i;
        }
    }
    if n < 10.0 {
        return;
    }
    let mt = st / n;
    let mi = si / n;
    let sdt = (stt / n - mt * mt).max(1e-12).sqrt();
    let sdi = (sii / n - mi * mi).max(1e-12).sqrt();
    let mut sum = vec![0.0f64; block_w.len()];
    let mut cnt = vec![0.0f64; block_w.len()];
    for y in (0..th).step_by(stride) {
        for x in (0..tw).step_by(stride) {
            let i = iw[y * tw + x];
            if i.is_nan() {
                continue;
            }
            let t = tmpl[y * tw + x] as f64;
            let e = (t - mt) / sdt - (i as f64 - mi) / sdi;
            let b = (y / bsize) * bw + x / bsize;
            sum[b] += e * e;
            cnt[b] += 1.0;
        }
    }
    let full = ((bsize / stride).max(1) * (bsize / stride).max(1)) as f64;
    let mut scores: Vec<f64> = Vec::new();
    let mut per_block = vec![f64::NAN; block_w.len()];
    for b in 0..block_w.len() {
        if cnt[b] >= 0.25 * full {
            let s = sum[b] / cnt[b];
            per_block[b] = s;
            scores.push(s);
        }
    }
    if scores.len() < 8 {
        return;
    }
    scores.sort_by(|a, b| a.total_cmp(b));
    let med = scores[scores.len() / 2];
    let mut dev: Vec<f64> = scores.iter().map(|s| (s - med).abs()).collect();
    dev.sort_by(|a, b| a.total_cmp(b));
    let mad = 1.4826 * dev[dev.len() / 2];
    let cut = med + 2.5 * mad.max(0.05 * med);
    let bad: Vec<bool> = per_block.iter().map(|s| !s.is_nan() && *s > cut).collect();
    let bh = block_w.len() / bw;
    let mut dilated = vec![false; bad.len()];
    for (b, d) in dilated.iter_mut().enumerate() {
        let (bx, by) = (b % bw, b / bw);
        // A block next to a changed one is suspect: changes rarely end on block borders.
        let near = (by.saturating_sub(1)..(by + 2).min(bh))
            .flat_map(|y| (bx.saturating_sub(1)..(bx + 2).min(bw)).map(move |x| y * bw + x))
            .filter(|&n| bad[n])
            .count();
        *d = near >= DILATE_NEIGHBOURS;
    }
    // Scattered changes would leave too little after dilation: then drop only the changed
    // blocks themselves.
    let valid = per_block.iter().filter(|s| !s.is_nan()).count();
    let kept = per_block
        .iter()
        .zip(&dilated)
        .filter(|(s, &d)| !s.is_nan() && !d)
        .count();
    let dilate = kept as f64 >= MIN_KEPT_AFTER_DILATION * valid as f64;
    for ((w, &b), &d) in block_w.iter_mut().zip(&bad).zip(&dilated) {
        *w = if b || (dilate && d) { 0.0 } else { 1.0 };
    }
}

/// Fits a lighting change that varies linearly across AFTER, `t = m(u, v) i + a(u, v)` with
/// `m` and `a` linear in the normalised template coordinates, to the trusted pixels (weighted
/// least squares), and writes AFTER with it undone into `tc`. ECC itself only absorbs one
/// gain and offset for the whole photo; uneven light (a lamp to one side) otherwise pulls the
/// warp. The correction lives in AFTER's coordinates, so the warp's Jacobian is unchanged.
#[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
fn fit_lighting(
    lv: &Level,
    na: Norm,
    iw: &[f32],
    tc: &mut [f32],
    bsize: usize,
    bw: usize,
    block_w: &[f32],
    stride: usize,
) {
    let (tw, th) = (lv.tmpl.w, lv.tmpl.h);
    let step = lv.step;
    let mut ata = [[0.0f64; 8]; 8];
    let mut atb = [0.0f64; 8];
    let mut n = 0.0;
    for y in (0..th).step_by(stride) {
        let v = ((y as f64 + 0.5) * step - na.cy) / na.s;
        for x in (0..tw).step_by(stride) {
            let i = iw[y * tw + x];
            if i.is_nan() {
                continue;
            }
            let w = block_w[(y / bsize) * bw + x / bsize] as f64;
            if w <= 0.0 {
                continue;
            }
            let u = ((x as f64 + 0.5) * step - na.cx) / na.s;
            let i = i as f64;
            let f = [i, i * u, i * v, 1.0, u, v];
            let t = lv.tmpl.data[y * tw + x] as f64;
            for a in 0..6 {
                atb[a] += w * f[a] * t;
                for b in a..6 {
                    ata[a][b] += w * f[a] * f[b];
                }
            }
            n += w;
        }
    }
    if n < 100.0 {
        return;
    }
    for a in 0..6 {
        for b in 0..a {
            ata[a][b] = ata[b][a];
        }
    }
    let Some(c) = solve(&ata, &atb, 6) else {
        return;
    };
    // Gain at the corners: must stay positive and not swing wildly.
    let ax = tw as f64 * step / 2.0 / na.s;
    let ay = th as f64 * step / 2.0 / na.s;
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for (u, v) in [(-ax, -ay), (ax, -ay), (ax, ay), (-ax, ay)] {
        let m = c[0] + c[1] * u + c[2] * v;
        lo = lo.min(m);
        hi = hi.max(m);
    }
    if !(lo > 0.0 && hi < 3.0 * lo) || c.iter().take(6).any(|v| !v.is_finite()) {
        return;
    }
    for y in 0..th {
        let v = ((y as f64 + 0.5) * step - na.cy) / na.s;
        for x in 0..tw {
            let u = ((x as f64 + 0.5) * step - na.cx) / na.s;
            let m = c[0] + c[1] * u + c[2] * v;
            let a = c[3] + c[4] * u + c[5] * v;
            let idx = y * tw + x;
            tc[idx] = ((lv.tmpl.data[idx] as f64 - a) / m) as f32;
        }
    }
}

fn block_inliers(block_w: &[f32]) -> f64 {
    if block_w.is_empty() {
        return 1.0;
    }
    block_w.iter().map(|&w| w as f64).sum::<f64>() / block_w.len() as f64
}

fn dot(a: &[f64; 8], b: &[f64; 8], n: usize) -> f64 {
    (0..n).map(|i| a[i] * b[i]).sum()
}

#[allow(clippy::needless_range_loop)]
/// Solves the symmetric system `a x = b` (n <= 8) by Gaussian elimination with pivoting.
fn solve(a: &[[f64; 8]; 8], b: &[f64; 8], n: usize) -> Option<[f64; 8]> {
    let mut m = [[0.0f64; 9]; 8];
    for i in 0..n {
        m[i][..n].copy_from_slice(&a[i][..n]);
        m[i][n] = b[i];
    }
    let scale = (0..n).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    if scale <= 0.0 || !scale.is_finite() {
        return None;
    }
    for col in 0..n {
        let piv = (col..n).max_by(|&p, &q| m[p][col].abs().total_cmp(&m[q][col].abs()))?;
        if m[piv][col].abs() <= 1e-14 * scale {
            return None;
        }
        m.swap(col, piv);
        for r in 0..n {
            if r != col {
                let f = m[r][col] / m[col][col];
                if f != 0.0 {
                    for c in col..=n {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
    }
    let mut x = [0.0f64; 8];
    for i in 0..n {
        x[i] = m[i][n] / m[i][i];
    }
    Some(x)
}

/// Robust "detail" agreement after alignment: the median over blocks of the local correlation
/// of band-passed images (a difference of Gaussians), BEFORE seen through `h`. Near 0 for
/// unrelated photos, high for the same scalp. Also returns the fraction of AFTER's pixels
/// that land inside BEFORE.
pub(crate) fn detail_agreement(
    tmpl_raw: &Plane,
    input_raw: &Plane,
    step: f64,
    na: Norm,
    nb: Norm,
    h: &[[f64; 3]; 3],
) -> (f64, f64) {
    let band = |p: &Plane| -> Plane {
        let a = gaussian_blur(p, 1.0);
        let b = gaussian_blur(p, 3.0);
        let mut out = a;
        for (o, v) in out.data.iter_mut().zip(&b.data) {
            *o -= v;
        }
        out
    };
    let t = band(tmpl_raw);
    let i = band(input_raw);
    let (tw, th) = (t.w, t.h);
    let bsize = (tw.max(th) / 8).max(8);
    let bw = tw.div_ceil(bsize);
    let bh = th.div_ceil(bsize);
    let nb_blocks = bw * bh;
    let mut acc = vec![[0.0f64; 6]; nb_blocks]; // n, st, si, stt, sii, sti
    let mut inside = 0usize;
    for y in 0..th {
        let v = ((y as f64 + 0.5) * step - na.cy) / na.s;
        for x in 0..tw {
            let u = ((x as f64 + 0.5) * step - na.cx) / na.s;
            let (xw, yw) = warp_point(h, u, v);
            let px = (nb.cx + nb.s * xw) / step;
            let py = (nb.cy + nb.s * yw) / step;
            if px < BORDER || py < BORDER || px > i.w as f64 - BORDER || py > i.h as f64 - BORDER {
                continue;
            }
            let Some(iv) = i.sample(px, py) else { continue };
            inside += 1;
            let tv = t.data[y * tw + x] as f64;
            let iv = iv as f64;
            let a = &mut acc[(y / bsize) * bw + x / bsize];
            a[0] += 1.0;
            a[1] += tv;
            a[2] += iv;
            a[3] += tv * tv;
            a[4] += iv * iv;
            a[5] += tv * iv;
        }
    }
    let full = (bsize * bsize) as f64;
    let mut nccs: Vec<f64> = acc
        .iter()
        .filter(|a| a[0] >= 0.5 * full)
        .filter_map(|a| {
            let n = a[0];
            let vt = a[3] - a[1] * a[1] / n;
            let vi = a[4] - a[2] * a[2] / n;
            let c = a[5] - a[1] * a[2] / n;
            if vt <= 1e-6 * n || vi <= 1e-6 * n {
                None
            } else {
                Some(c / (vt * vi).sqrt())
            }
        })
        .collect();
    let overlap = inside as f64 / (tw * th).max(1) as f64;
    if nccs.len() < 4 {
        return (0.0, overlap);
    }
    nccs.sort_by(|a, b| a.total_cmp(b));
    (nccs[nccs.len() / 2], overlap)
}
