//! Internal: per-pixel hair fraction by linear unmixing between a skin colour and a hair
//! colour in linear light, after removing a smooth illumination field.
//!
//! Model per pixel `p`: `c_p = L_p * (a_p * hair + (1 - a_p) * skin)`, with `L` a smooth
//! (log-planar) illumination field and `a_p` the hair fraction in [0, 1]. Skin and hair
//! colours are shared by all frames of one measurement (before and after), so both visits
//! are measured with the same yardstick.

use super::work::{gauss_blur, Lin};

/// One image and the pixels of it to measure.
pub(crate) struct Frame<'a> {
    pub img: &'a Lin,
    pub mask: &'a [bool],
}

/// Per-frame derived data: illumination plane and texture map.
#[derive(Clone, Default)]
pub(crate) struct Prepared {
    /// ln L = p0 + p1 u + p2 v + p3 u^2 + p4 uv + p5 v^2 with u, v in [-1, 1].
    pub plane: [f64; 6],
    /// Local relative fine texture (hair evidence), 0 = smooth.
    pub texture: Vec<f32>,
    /// Per-pixel illumination from the local skin level (replaces `plane` when set).
    pub field: Option<Vec<f32>>,
    /// Shine on the bare skin, when the photo shows some ([`shine_field`]).
    pub shine: Option<Shine>,
}

/// Shine: light reflected off the surface of bare skin, added to the skin's own colour in
/// the light's colour (strands cut it off where they lie). A pixel with a share `b` of
/// shine is a mixture of hair and skin plus `b / (1 - b)` times the skin's light in the
/// light's colour, under `under` times the light field.
#[derive(Clone, Debug)]
pub(crate) struct Shine {
    /// The light's chromaticity (channels summing to 1).
    pub light: [f32; 3],
    /// At every pixel, the share of the local bare skin's light that is shine (0 outside
    /// the mask and where no bare skin is near).
    pub share: Vec<f32>,
    /// At every pixel, the light on the skin beneath the shine, as a multiple of the light
    /// field (1 where there is no shine).
    pub under: Vec<f32>,
    /// The model's second hair colour (light strands among dark ones) is this shine.
    pub is_hair2: bool,
}

/// The fitted colour model.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub skin: [f32; 3],
    pub hair: [f32; 3],
    /// A second hair colour on the other side of skin (grey hair: pigmented and white
    /// strands together), when the photo shows one.
    pub hair2: Option<[f32; 3]>,
    /// Hair is darker than skin.
    pub dark_hair: bool,
    /// Both classes were found; false when the region looked like one material only.
    pub two_classes: bool,
    /// When one class only: whether it is hair.
    pub all_hair: bool,
    /// Typical relative texture of skin (noise floor).
    pub skin_texture: f32,
    /// Typical relative texture of hair.
    pub hair_texture: f32,
    /// When strands of one neutral hue vary widely in lightness (grey hair: pigmented and
    /// white strands), the range of their lightness as multiples of `hair`; each pixel is
    /// then unmixed with hair of its own lightness within it ([`unmix_toned`]).
    pub tone: Option<(f32, f32)>,
    /// The hair colour as the photo shows it, when `hair` was taken further from skin
    /// because no pixel showed pure hair ([`toward_black`]); that reading stays plausible.
    pub hair_seen: Option<[f32; 3]>,
    /// The skin end found before the reddest pixels were taken for the skin instead
    /// ([`skin_among_reddest`]): the projection's peak (or the darker class, when dense light
    /// hair made that the skin); the reading under it stays plausible (with the second hair
    /// colour as found against the new skin).
    pub skin_seen: Option<[f32; 3]>,
    /// When the hair end showed no peak of pure hair pixels: the share of pixels near it
    /// (which chose between the "mostly hair" pixels and the extreme) and the end not
    /// chosen ([`share_purity`]).
    pub purity: Option<(f32, [f32; 3])>,
    /// Whether the side of skin hair is on was decided against the near-neutral rule only
    /// because the lighter class is less yellow ([`WHITE_YELLOWER_SLACK`]): the other side
    /// stays a plausible reading.
    pub side_doubt: bool,
}

const EPS: f32 = 1e-3;

/// Chroma (log-RGB distance from grey) below which a class counts as white, grey or black.
const NEUTRAL: f32 = 0.45;

/// Pixels sampled (over all frames) to fit the colour model and light fields.
const SAMPLES: usize = 15_000;

/// Iterations of the two-means split.
const KMEANS_ROUNDS: usize = 8;

/// Percentage of pixels near the hair end above which pure hair pixels are taken to exist.
const PURE_HAIR_PERCENT: usize = 6;

/// Rounds of (classes, colours, light field) refinement.
const FIT_ROUNDS: usize = 5;

/// Radius of the square over which the local skin level is taken (working pixels; wider
/// than a strand).
const LOCAL_RADIUS: usize = 4;

/// Where the local level is this far towards hair (fraction of the hair/skin log contrast),
/// the neighbourhood holds no skin and the fitted field is kept.
const LOCAL_DENSE: f32 = 0.3;

/// Smoothing of the local skin level (Gaussian sigma, working pixels).
const LOCAL_SMOOTH: f32 = 4.0;

/// The light field is refitted only where a neighbourhood's skin level is within this
/// much (log luminance) of the field's skin towards hair; darker neighbourhoods hold no
/// skin, only hair and the gaps between strands.
const ENVELOPE_WITHIN: f32 = 0.5;

/// The light-field refit counts in full below the first coverage and not at all above the
/// second (linearly between).
const ENVELOPE_FADE: (f32, f32) = (0.7, 0.9);

/// The noise lift of the local skin level ([`closing_lift`]) comes off in full below the
/// first coverage and not at all above the second (linearly between): in dense hair the
/// spread below the local skin level is the gaps' own texture, not noise.
const LIFT_FADE: (f32, f32) = (0.3, 0.6);

/// One class must be this much rougher than the other for texture to name it hair.
const TEXTURE_SIDE_RATIO: f32 = 1.1;

/// Ridge weight on the quadratic terms of the illumination field.
const QUAD_RIDGE: f64 = 1e-3;

fn luma(p: [f32; 3]) -> f32 {
    0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2]
}

/// The field's terms at pixel `(x, y)` (its centre) of a `w` x `h` frame.
fn basis(x: usize, y: usize, w: usize, h: usize) -> [f64; 6] {
    basis_at(x as f64 + 0.5, y as f64 + 0.5, w, h)
}

/// The field's terms at a point of a `w` x `h` frame, in its pixels.
fn basis_at(x: f64, y: f64, w: usize, h: usize) -> [f64; 6] {
    let u = x / w as f64 * 2.0 - 1.0;
    let v = y / h as f64 * 2.0 - 1.0;
    [1.0, u, v, u * u, u * v, v * v]
}

/// The light of the field `plane` (of a frame `w` x `h`) at pixel `(x, y)` (its centre).
fn illum(plane: &[f64; 6], x: usize, y: usize, w: usize, h: usize) -> f32 {
    illum_at(plane, x as f64 + 0.5, y as f64 + 0.5, w, h)
}

/// The light of the field `plane` (of a frame `w` x `h`) at a point in that frame's
/// pixels (not necessarily a pixel centre).
pub(crate) fn illum_at(plane: &[f64; 6], x: f64, y: f64, w: usize, h: usize) -> f32 {
    let b = basis_at(x, y, w, h);
    let s: f64 = plane.iter().zip(&b).map(|(p, q)| p * q).sum();
    s.exp() as f32
}

/// Texture and line maps for one frame.
pub(crate) fn prepare(img: &Lin) -> Prepared {
    let (w, h) = (img.w, img.h);
    let y: Vec<f32> = (0..w * h).map(|i| img.luma(i)).collect();
    let smooth = gauss_blur(&y, w, h, 1.5);
    let hp: Vec<f32> = y
        .iter()
        .zip(&smooth)
        .map(|(a, b)| (a - b).abs() / (b + 0.01))
        .collect();
    let texture = gauss_blur(&hp, w, h, 2.0);
    Prepared {
        plane: [0.0; 6],
        texture,
        field: None,
        shine: None,
    }
}

/// Sampled pixel indices of a frame's mask (about `target` of them).
fn sample_indices(mask: &[bool], target: usize) -> Vec<usize> {
    let n = mask.iter().filter(|&&b| b).count();
    let stride = (n / target.max(1)).max(1);
    mask.iter()
        .enumerate()
        .filter(|(_, &b)| b)
        .map(|(i, _)| i)
        .step_by(stride)
        .collect()
}

/// The per-channel median colour of the pixels of `lin` picked by `picks` (the index is the
/// second of each pair).
fn median_colour(lin: &[[f32; 3]], picks: &[(f32, usize)]) -> [f32; 3] {
    let mut ch: [Vec<f32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for &(_, i) in picks {
        for k in 0..3 {
            ch[k].push(lin[i][k]);
        }
    }
    [median(&mut ch[0]), median(&mut ch[1]), median(&mut ch[2])]
}

fn ln3(p: [f32; 3]) -> [f32; 3] {
    [(p[0] + EPS).ln(), (p[1] + EPS).ln(), (p[2] + EPS).ln()]
}

pub(crate) fn dist2(a: [f32; 3], b: [f32; 3]) -> f32 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

fn median(v: &mut [f32]) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let m = v.len() / 2;
    v.select_nth_unstable_by(m, |a, b| a.total_cmp(b));
    v[m]
}

fn quantile(v: &mut [f32], q: f32) -> f32 {
    if v.is_empty() {
        return 0.0;
    }
    let k = ((v.len() - 1) as f32 * q).round() as usize;
    v.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    v[k]
}

/// Alpha for one pixel colour (already divided by illumination).
fn unmix(c: [f32; 3], m: &Model) -> f32 {
    unmix_on(c, m, m.skin)
}

/// [`unmix`] with the skin colour `skin` in place of the model's.
fn unmix_on(c: [f32; 3], m: &Model, skin: [f32; 3]) -> f32 {
    let a = match m.tone {
        Some(range) => unmix_toned(c, skin, m.hair, range),
        None => unmix_one(c, skin, m.hair),
    };
    match m.hair2 {
        Some(h2) => a.max(unmix_one(c, skin, h2)),
        None => a,
    }
}

/// `c - skin = -u skin + v hair` by least squares: `u` is the hair fraction and `v / u` the
/// lightness of that hair as a multiple of `hair`. `None` when skin and hair have one hue
/// (lightness and fraction then trade off).
fn fraction_and_lightness(c: [f32; 3], skin: [f32; 3], hair: [f32; 3]) -> Option<(f32, f32)> {
    let d = [c[0] - skin[0], c[1] - skin[1], c[2] - skin[2]];
    let (ss, sh, hh) = (dot3(skin, skin), dot3(skin, hair), dot3(hair, hair));
    let (bs, bh) = (-dot3(skin, d), dot3(hair, d));
    let det = ss * hh - sh * sh;
    (det > 1e-6 * ss * hh).then(|| ((bs * hh + sh * bh) / det, (ss * bh + sh * bs) / det))
}

/// Alpha of `c` as a mixture of `skin` and hair of `hair`'s hue at a lightness within
/// `range` (multiples of `hair`): the lightness that fits `c` best, clamped to the range.
fn unmix_toned(c: [f32; 3], skin: [f32; 3], hair: [f32; 3], range: (f32, f32)) -> f32 {
    let g = match fraction_and_lightness(c, skin, hair) {
        Some((u, v)) if u > 1e-4 => (v / u).clamp(range.0, range.1),
        _ => 1.0,
    };
    unmix_one(c, skin, hair.map(|x| x * g))
}

/// Hair fraction above which a pixel's strand lightness is counted in [`tone_range`].
const TONE_PURE: f32 = 0.5;

/// Strands vary widely in lightness when the 90th percentile is this many times the 10th
/// (grey hair on the rendered photos: 2.8 to 5.6; white hair of one shade, with its
/// strand-to-strand variation and noise: about 1.3).
const TONE_SPREAD: f32 = 2.0;

/// Hair darker than this share of the skin's lightness is not read by its lightness.
const TONE_MIN_LIGHT: f32 = 0.2;

/// The 10th percentile of lightness must be at least this (multiples of the hair colour):
/// for black hair the lightness of a pixel is not measurable (the hair adds no light).
const TONE_FLOOR: f32 = 0.2;

/// The lightness range of neutral strands on coloured skin when it is wide (grey hair:
/// pigmented and white strands), from the mostly-hair pixels of `lin`; `None` otherwise.
fn tone_range(lin: &[[f32; 3]], skin: [f32; 3], hair: [f32; 3]) -> Option<(f32, f32)> {
    // Neutral hair on skin of a skin's hue: the two hues differ, so fraction and lightness
    // can be told apart. Not black hair: it adds too little light for its lightness to be
    // measured (hair at 2 to 11 % of the skin's lightness on the rendered photos; grey hair
    // 37 % or more).
    if chroma_norm(hair) >= NEUTRAL
        || chroma_norm(skin) < NEUTRAL
        || luma(hair) < TONE_MIN_LIGHT * luma(skin)
    {
        return None;
    }
    let mut g: Vec<f32> = lin
        .iter()
        .filter_map(|&c| fraction_and_lightness(c, skin, hair))
        .filter(|&(u, _)| u > TONE_PURE)
        .map(|(u, v)| v / u)
        .collect();
    if g.len() < 50 {
        return None;
    }
    let q10 = quantile(&mut g, 0.1);
    let q90 = quantile(&mut g, 0.9);
    if q10 <= TONE_FLOOR || q90 <= TONE_SPREAD * q10 {
        return None;
    }
    Some((quantile(&mut g, 0.05).max(0.05), quantile(&mut g, 0.95)))
}

/// Alpha of `c` on the mixing line from `skin` to `hair`.
fn unmix_one(c: [f32; 3], skin: [f32; 3], hair: [f32; 3]) -> f32 {
    let d = [hair[0] - skin[0], hair[1] - skin[1], hair[2] - skin[2]];
    let dd = dot3(d, d);
    if dd <= 0.0 {
        return 0.0;
    }
    let v = [c[0] - skin[0], c[1] - skin[1], c[2] - skin[2]];
    (dot3(v, d) / dd).clamp(0.0, 1.0)
}

/// The dot product of two colours.
fn dot3(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

struct Sample {
    frame: usize,
    idx: usize,
    c: [f32; 3],
}

/// Fits the shared model and each frame's illumination field. `dark_hair` forces which
/// side of skin hair is on (to measure a second visit the way the first was measured).
pub(crate) fn fit(frames: &[Frame], preps: &mut [Prepared], dark_hair: Option<bool>) -> Model {
    fit_rounds(frames, preps, dark_hair, FIT_ROUNDS)
}

/// [`fit`] with `rounds` of (classes, colours, light field) refinement.
pub(crate) fn fit_rounds(
    frames: &[Frame],
    preps: &mut [Prepared],
    dark_hair: Option<bool>,
    rounds: usize,
) -> Model {
    let rounds = rounds.max(1);
    let per_frame = SAMPLES / frames.len().max(1);
    let mut samples: Vec<Sample> = Vec::new();
    for (f, fr) in frames.iter().enumerate() {
        for idx in sample_indices(fr.mask, per_frame) {
            samples.push(Sample {
                frame: f,
                idx,
                c: fr.img.px(idx),
            });
        }
    }
    let mut model = Model {
        skin: [0.5; 3],
        hair: [0.1; 3],
        hair2: None,
        dark_hair: true,
        two_classes: true,
        all_hair: false,
        skin_texture: 0.0,
        hair_texture: 0.0,
        tone: None,
        hair_seen: None,
        skin_seen: None,
        purity: None,
        side_doubt: false,
    };
    if samples.len() < 16 {
        model.two_classes = false;
        return model;
    }
    let mut labels = vec![0u8; samples.len()];
    for iter in 0..rounds {
        // Illumination-normalised log colours.
        let feats: Vec<[f32; 3]> = samples
            .iter()
            .map(|s| {
                let fr = &frames[s.frame];
                let (x, y) = (s.idx % fr.img.w, s.idx / fr.img.w);
                let l = illum(&preps[s.frame].plane, x, y, fr.img.w, fr.img.h);
                ln3([s.c[0] / l, s.c[1] / l, s.c[2] / l])
            })
            .collect();
        // 2-means, initialised from the darkest and brightest 15 %.
        let mut ly: Vec<f32> = feats.iter().map(|f| (f[0] + f[1] + f[2]) / 3.0).collect();
        let lo = quantile(&mut ly, 0.15);
        let hi = quantile(&mut ly, 0.85);
        let mut cent = [[lo; 3], [hi; 3]];
        for (ci, sel) in [(0usize, true), (1usize, false)] {
            let mut acc = [0.0f64; 3];
            let mut n = 0usize;
            for f in &feats {
                let m = (f[0] + f[1] + f[2]) / 3.0;
                if (sel && m <= lo) || (!sel && m >= hi) {
                    for k in 0..3 {
                        acc[k] += f64::from(f[k]);
                    }
                    n += 1;
                }
            }
            if n > 0 {
                cent[ci] = acc.map(|a| (a / n as f64) as f32);
            }
        }
        for _ in 0..KMEANS_ROUNDS {
            let mut acc = [[0.0f64; 3]; 2];
            let mut n = [0usize; 2];
            for (f, l) in feats.iter().zip(labels.iter_mut()) {
                *l = u8::from(dist2(*f, cent[1]) < dist2(*f, cent[0]));
                let k = *l as usize;
                for c in 0..3 {
                    acc[k][c] += f64::from(f[c]);
                }
                n[k] += 1;
            }
            for k in 0..2 {
                if n[k] > 0 {
                    cent[k] = acc[k].map(|a| (a / n[k] as f64) as f32);
                }
            }
        }
        // Which cluster is skin: decided from the two colours (relative hue, chroma and
        // lightness, which a white-balance cast shifts equally for both).
        let mut tex: [Vec<f32>; 2] = [Vec::new(), Vec::new()];
        for (s, &l) in samples.iter().zip(&labels) {
            tex[l as usize].push(preps[s.frame].texture[s.idx]);
        }
        let n0 = tex[0].len();
        let n1 = tex[1].len();
        let t0 = median(&mut tex[0]);
        let t1 = median(&mut tex[1]);
        let dark = if cent[0][0] + cent[0][1] + cent[0][2] <= cent[1][0] + cent[1][1] + cent[1][2] {
            0
        } else {
            1
        };
        let lighter = match dark_hair {
            Some(d) => !d,
            None => {
                let (t_dark, t_light) = if dark == 0 { (t0, t1) } else { (t1, t0) };
                let (lighter, doubt) =
                    hair_is_lighter(cent[dark], cent[1 - dark], t_light / t_dark.max(1e-6));
                model.side_doubt = doubt;
                // Skin is redder than green; a "skin" clearly greener than red, beside a
                // hair class that is not, is hair (dense dark hair under heavy noise).
                let (skin_c, hair_c) = if lighter {
                    (cent[dark], cent[1 - dark])
                } else {
                    (cent[1 - dark], cent[dark])
                };
                // The centres are ln of (colour + EPS).
                let skin_like = |c: [f32; 3]| has_skin_colour(c.map(f32::exp));
                if !skin_like(skin_c) && skin_like(hair_c) {
                    model.side_doubt = false;
                    !lighter
                } else {
                    lighter
                }
            }
        };
        let hair_cluster = if lighter { 1 - dark } else { dark };
        let skin_cluster = 1 - hair_cluster;
        model.dark_hair = hair_cluster == dark;
        model.skin_texture = if skin_cluster == 0 { t0 } else { t1 };
        model.hair_texture = if hair_cluster == 0 { t0 } else { t1 };
        let sep = dist2(cent[0], cent[1]).sqrt();
        model.two_classes = n0.min(n1) * 50 >= samples.len() && sep > 0.08;
        // End members in linear light: project every pixel on the axis from the skin
        // centre to the hair centre; skin = per-channel median of the lowest 5 %, hair =
        // median of the highest 8 % (pure pixels sit at the ends of the mixing line).
        let lin_norm: Vec<[f32; 3]> = feats.iter().map(|f| f.map(|v| v.exp() - EPS)).collect();
        let sc = cent[skin_cluster].map(|v| v.exp() - EPS);
        let hc = cent[hair_cluster].map(|v| v.exp() - EPS);
        let axis = [hc[0] - sc[0], hc[1] - sc[1], hc[2] - sc[2]];
        let mut proj: Vec<(f32, usize)> = lin_norm
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let v = [c[0] - sc[0], c[1] - sc[1], c[2] - sc[2]];
                (v[0] * axis[0] + v[1] * axis[1] + v[2] * axis[2], i)
            })
            .collect();
        proj.sort_by(|a, b| a.0.total_cmp(&b.0));
        let end = |range: &[(f32, usize)]| median_colour(&lin_norm, range);
        // Skin: the peak of the projection histogram on the skin side (shine and other
        // outliers beyond it are ignored); hair: the median of the most hair-ward 4 %.
        let n = proj.len();
        let t_lo = proj[n / 200].0;
        let t_hi = proj[n - 1 - n / 200].0;
        const NB: usize = 64;
        let span = (t_hi - t_lo).max(1e-9);
        let bin_of = |t: f32| (((t - t_lo) / span * NB as f32) as usize).min(NB - 1);
        let mut hist = [0.0f32; NB];
        for &(t, _) in &proj {
            if t >= t_lo && t <= t_hi {
                hist[bin_of(t)] += 1.0;
            }
        }
        let sm = smoothed(&hist);
        let peak = (0..NB * 6 / 10)
            .max_by(|&a, &b| sm[a].total_cmp(&sm[b]))
            .unwrap_or(0);
        let near: Vec<(f32, usize)> = proj
            .iter()
            .copied()
            .filter(|&(t, _)| t >= t_lo && t <= t_hi && bin_of(t).abs_diff(peak) <= 1)
            .collect();
        let mut near_tex: Vec<f32> = near
            .iter()
            .map(|&(_, i)| preps[samples[i].frame].texture[samples[i].idx])
            .collect();
        if !near_tex.is_empty() {
            model.skin_texture = median(&mut near_tex);
        }
        let skin = if near.is_empty() {
            end(&proj[..(n / 20).max(1)])
        } else {
            end(&near)
        };
        // Hair: the peak on the hair side when pure hair pixels make one (strand to strand
        // tone varies, so the extreme would overshoot); otherwise the most hair-ward 4 %.
        let upper = NB * 6 / 10..NB;
        let hpeak = upper
            .clone()
            .max_by(|&a, &b| sm[a].total_cmp(&sm[b]))
            .unwrap_or(NB - 1);
        let upper_mean = upper.clone().map(|i| sm[i]).sum::<f32>() / upper.len() as f32;
        let hnear: Vec<(f32, usize)> = proj
            .iter()
            .copied()
            .filter(|&(t, _)| t >= t_lo && t <= t_hi && bin_of(t).abs_diff(hpeak) <= 2)
            .collect();
        let nhi = (n * 4 / 100).max(1);
        let t_top = proj[n - nhi..].iter().map(|p| p.0).sum::<f32>() / nhi as f32;
        let t_skin = t_lo + (peak as f32 + 0.5) / NB as f32 * span;
        let t_hpeak = t_lo + (hpeak as f32 + 0.5) / NB as f32 * span;
        let mut resolved = true;
        let mut peaked = false;
        model.purity = None;
        let hair = if hpeak > upper.start + 1
            && sm[hpeak] > 2.0 * upper_mean
            && hnear.len() > 20
            && t_hpeak >= t_skin + 0.75 * (t_top - t_skin)
        {
            peaked = true;
            end(&hnear)
        } else {
            // The "mostly hair" pixels: beyond halfway from the skin peak to the extreme.
            let mid = t_skin + 0.5 * (t_top - t_skin);
            let high = t_skin + 0.75 * (t_top - t_skin);
            let n_high = n - proj.partition_point(|p| p.0 < high);
            let first = proj.partition_point(|p| p.0 < mid).min(n - 1);
            let (mostly, extreme) = (end(&proj[first..]), end(&proj[n - nhi..]));
            let share = n_high as f32 / n as f32;
            if n_high * 100 >= PURE_HAIR_PERCENT * n {
                model.purity = Some((share, extreme));
                mostly
            } else {
                // Few pixels near the extreme: no pure hair pixels (blur, sub-pixel
                // strands); the extreme is the best estimate of the hair colour.
                resolved = false;
                model.purity = Some((share, mostly));
                extreme
            }
        };
        // Without a peak of pure hair pixels, the hair end is part skin; dark hair whose
        // end is a darkened skin colour is near-black hair seen in part.
        model.hair_seen = None;
        let hair = if peaked || !model.dark_hair {
            hair
        } else {
            let ends = proj[n - nhi..].iter().map(|&(_, i)| &samples[i]);
            let beside = |s: &Sample| {
                let pos = |c: [f32; 3]| {
                    let v = [c[0] - sc[0], c[1] - sc[1], c[2] - sc[2]];
                    (dot3(v, axis) - t_skin) / (t_top - t_skin).max(1e-9)
                };
                beside_mean(&frames[s.frame], &preps[s.frame], s.idx, pos)
            };
            match toward_black(skin, hair, surround(ends, beside)) {
                Some(h) => {
                    model.hair_seen = Some(hair);
                    h
                }
                None => hair,
            }
        };
        model.skin = skin;
        model.hair = hair;
        model.hair2 = second_hair(&lin_norm, &samples, preps, skin, hair);
        if iter + 1 == rounds && !model.dark_hair && has_skin_colour(skin) {
            if let Some(h2) = model.hair2.filter(|&h2| is_blend_of(skin, hair, h2)) {
                // Light hair so dense that bare skin is rarely seen: what read as skin is
                // hair and skin blended, and the darker class beyond it is the skin. (A
                // "skin" without a skin's colour is refused as such: both classes may be
                // hair, and the darker one is not taken for the skin.)
                model.skin = h2;
                model.hair2 = None;
            }
        }
        if iter + 1 == rounds {
            if let Some(c) = skin_among_reddest(&lin_norm, model.skin, model.hair) {
                // Hair so dense that both ends are blends: the skin is the reddest pixels
                // (the gaps between strands), and the strands' lightness spread is read
                // against it, though no pixel may have shown pure hair.
                model.skin_seen = Some(model.skin);
                model.skin = c;
                model.hair2 = second_hair(&lin_norm, &samples, preps, c, model.hair);
                resolved = true;
            }
        }
        let skin = model.skin;
        // Only where pure hair pixels exist (blended ones spread in lightness too), or
        // where the skin was found among the reddest pixels.
        model.tone = if resolved {
            tone_range(&lin_norm, skin, hair)
        } else {
            None
        };
        if !model.two_classes {
            // One material: decide which by texture level.
            let mut all_t: Vec<f32> = samples
                .iter()
                .map(|s| preps[s.frame].texture[s.idx])
                .collect();
            model.all_hair = median(&mut all_t) > 0.06;
        }
        if iter + 1 == rounds {
            break;
        }
        // Refit each frame's illumination plane from ln Y - ln(model luminance).
        for (f, fr) in frames.iter().enumerate() {
            let pts = samples
                .iter()
                .zip(&lin_norm)
                .filter(|(s, _)| s.frame == f)
                .map(|(s, c)| (s.idx, s.c, *c));
            if let Some(p) = plane_fit(fr, pts, &model) {
                // The residual against the raw colours is the whole field. The first frame's
                // constant belongs to the colours; its field carries only shape. With several
                // frames, each after the first keeps its own exposure.
                let mut new = p;
                if f == 0 {
                    new[0] = 0.0;
                }
                preps[f].plane = new;
            }
        }
    }
    model
}

/// Most difference in ln(R/G) between the skin and hair ends for them to count as one hue
/// ([`skin_among_reddest`]): both then blends of the same strands with the skin. Set on the
/// rendered bench (grey strands at 73 to 88 % coverage: 0.003 to 0.012).
const SAME_HUE_RED: f32 = 0.05;

/// Share (percent) of the pixels, the reddest, whose median colour is taken for the skin
/// in [`skin_among_reddest`]. Set on the rendered bench.
const REDDEST_PERCENT: usize = 5;

/// Pixels darker than this share of the skin end's lightness are left out of the reddest
/// ([`skin_among_reddest`]): their ratio of red to green is mostly noise. Set on the
/// rendered bench (0.1 and 0 took blends of dark skin with grey strands).
const REDDEST_MIN_LIGHT: f32 = 0.25;

/// How much redder (ln R/G) than both ends the reddest pixels must be to be the skin
/// ([`skin_among_reddest`]). Set on the rendered bench: dense grey hair 0.27 to 0.61; the
/// noise in sparse renders moves them 0.03 to 0.26, and those are kept out by the near-grey
/// and same-hue tests before this one.
const REDDEST_BEYOND: f32 = 0.2;

/// The skin colour when the skin end `skin` is not one (near grey: dense neutral strands,
/// blurred, leave no pixel of bare skin at the peak, and the peak is a blend of the strands
/// with the skin) and has the hue of the `hair` end (a blend of the same strands): the
/// median colour of the reddest pixels of `lin` ([`REDDEST_PERCENT`], those not too dark),
/// the gaps between strands, when they are far redder than both ends and have a skin's
/// colour, not a near-grey one. `None` otherwise. Earlier attempts at a dense-hair skin end
/// on the projection (the highest local maximum, pixels past 15 to 30 %) made the bench
/// worse: on grey hair the skin side of the projection is the white strands.
fn skin_among_reddest(lin: &[[f32; 3]], skin: [f32; 3], hair: [f32; 3]) -> Option<[f32; 3]> {
    let rg = |c: [f32; 3]| ((c[0] + EPS) / (c[1] + EPS)).ln();
    if chroma_norm(skin) >= NEUTRAL || (rg(skin) - rg(hair)).abs() >= SAME_HUE_RED {
        return None;
    }
    let floor = REDDEST_MIN_LIGHT * luma(skin);
    let mut red: Vec<(f32, usize)> = lin
        .iter()
        .enumerate()
        .filter(|(_, c)| luma(**c) >= floor)
        .map(|(i, c)| (rg(*c), i))
        .collect();
    let k = (lin.len() * REDDEST_PERCENT / 100).max(1);
    if red.len() < k {
        return None;
    }
    red.sort_by(|a, b| a.0.total_cmp(&b.0));
    let cand = median_colour(lin, &red[red.len() - k..]);
    (rg(cand) - rg(skin).max(rg(hair)) > REDDEST_BEYOND
        && has_skin_colour(cand)
        && chroma_norm(cand) >= NEUTRAL)
        .then_some(cand)
}

/// How far an unresolved dark hair end is taken towards black ([`toward_black`]), as a
/// share of the way to where its first channel would reach zero. On the rendered photos
/// the ideal share is 0.8 to 1.0 for black hair on skin I to IV and 0.45 to 0.95 for brown.
const TOWARD_BLACK: f32 = 0.85;

/// [`toward_black`] applies in full when the hair end's darkening is this even across the
/// channels (least over most) and not at all at the first value (linearly between).
const TOWARD_BLACK_EVEN: (f32, f32) = (0.8, 0.9);

/// [`toward_black`] applies in full when the hair end is this much darker than skin (in
/// its most darkened channel) and not at all at the first value: an end barely darker
/// than skin may be mid-tone hair (brown on type V skin: hair at half the skin's
/// lightness), not black hair seen in part.
const TOWARD_BLACK_DARK: (f32, f32) = (0.45, 0.6);

/// [`toward_black`] applies in full when the most hair-like pixels sit among pixels this
/// far from skin towards them ([`surround`], [`SURROUND_STEP`] pixels away) and not at all
/// from the second value: thin strands, never seen pure, lie beside skin (0.37 to 0.64 on
/// rendered sharp strands 0.8 px wide; 0.61 to 0.80 on blurred 2 px strands on sparse head
/// views), while pure hair sits in hair (0.83 to 0.99 on the real crown photos, where
/// strands make a mass, 0.93 or more on 16 of 22).
const TOWARD_BLACK_SURROUND: (f32, f32) = (0.75, 0.85);

/// [`toward_black`] applies in full, however uneven the darkening, when the mixing line from
/// skin through the hair end, followed on towards the bound, meets the grey axis
/// ([`meets_grey`]: its most over its least channel comes down to this, at the first value,
/// and not at all from the second) at a colour much darker than skin (see
/// [`TOWARD_BLACK_GREY_LIGHT`]). Black hair is dark grey, and on dark skin its floor is not
/// small beside the skin: black on type VI skin is 85 % darker than skin in red but 65 % in
/// blue (least over most 0.75 to 0.77 on the bench, below [`TOWARD_BLACK_EVEN`]), yet the
/// line through its thin strands meets grey (1.03 to 1.14 on the bench); auburn and blond
/// never do (the line only grows more coloured beyond the hair end, 2 or more). Set on the
/// bench.
const TOWARD_BLACK_GREY: (f32, f32) = (1.3, 1.6);

/// [`TOWARD_BLACK_GREY`] holds in full when the grey the line meets is at most this share
/// of the skin's luminance and not at all from the second value: near-black hair (0.17 to
/// 0.19 for black on type VI skin on the bench, about 0.22 for the true colours), not grey
/// hair (mixed dark and white strands: 0.27 to 0.48 on skin II and III). Set on the bench.
const TOWARD_BLACK_GREY_LIGHT: (f32, f32) = (0.22, 0.28);

/// [`TOWARD_BLACK_GREY`] holds in full when the grey the line meets has at most this
/// luminance (linear, under the fitted light) and not at all from the second value: black
/// hair reflects a few percent whatever the skin (0.003 to 0.011 on the bench, black on
/// skin I to VI), grey hair far more (0.10 to 0.30; with the relative test alone a
/// phone-size II/grey photo was taken further towards black and read 1.3 pp further off).
/// Set on the bench.
const TOWARD_BLACK_GREY_LEVEL: (f32, f32) = (0.03, 0.06);

/// How far from a pixel (working pixels, across and down and diagonally) its surround is
/// read: beyond a strand's width and its blur (next to it, 1 px away, blurred strands sat
/// among their own blur as pure hair sits among hair: 0.89 to 0.95 against 0.87 to 1.0).
const SURROUND_STEP: usize = 3;

/// The median over `ends` (the most hair-like pixels) of `beside` (the mean position of the
/// pixels around one, between skin, 0, and those pixels, 1); 1 when there are none.
fn surround<'s>(
    ends: impl Iterator<Item = &'s Sample>,
    beside: impl Fn(&Sample) -> Option<f32>,
) -> f32 {
    let mut v: Vec<f32> = ends.filter_map(beside).collect();
    if v.is_empty() {
        1.0
    } else {
        median(&mut v)
    }
}

/// The mean of `pos` (of a colour under the frame's light field) over the 8 pixels
/// [`SURROUND_STEP`] away from pixel `idx` (across, down and diagonally) inside the mask;
/// `None` when none is.
fn beside_mean(
    fr: &Frame,
    prep: &Prepared,
    idx: usize,
    pos: impl Fn([f32; 3]) -> f32,
) -> Option<f32> {
    let (w, h) = (fr.img.w, fr.img.h);
    let (x, y) = (idx % w, idx / w);
    let (mut sum, mut n) = (0.0f32, 0usize);
    let r = SURROUND_STEP;
    for yy in (y.saturating_sub(r)..(y + r + 1).min(h)).step_by(r) {
        for xx in (x.saturating_sub(r)..(x + r + 1).min(w)).step_by(r) {
            let j = yy * w + xx;
            if j == idx || !fr.mask[j] {
                continue;
            }
            let l = illum(&prep.plane, xx, yy, w, h);
            sum += pos(fr.img.px(j).map(|v| v / l));
            n += 1;
        }
    }
    (n > 0).then(|| sum / n as f32)
}

/// The hair colour of dark strands that no pixel shows pure (thinner than a pixel, or
/// blurred), from `hair`, the most hair-like pixels seen, which are then part skin: the
/// mixing line from `skin` through `hair` is followed towards black. Black hair on skin is
/// skin darkened evenly in every channel, and how far the line can go before a channel
/// reaches zero bounds how much skin those pixels hold; dark hair is near that bound.
/// `None` (keep `hair`) unless `hair` is darker than `skin` in every channel, evenly or
/// along a line that meets the grey axis at a dark grey (hair of another hue, auburn or
/// blond, is not black; [`meets_grey`]), and by enough, and those pixels have skin around
/// them (`surround`, see [`TOWARD_BLACK_SURROUND`]), not more hair. Where the line meets
/// grey, the hair is taken no further than its first colour near grey: black hair is not
/// bluer than grey, and often warmer.
fn toward_black(skin: [f32; 3], hair: [f32; 3], surround: f32) -> Option<[f32; 3]> {
    if (0..3).any(|k| !(skin[k] > 0.0 && hair[k] < skin[k])) {
        return None;
    }
    let dark = [0, 1, 2].map(|k| 1.0 - hair[k] / skin[k]);
    let most = dark.iter().copied().fold(0.0f32, f32::max);
    let least = dark.iter().copied().fold(1.0f32, f32::min);
    if most >= 1.0 {
        return None;
    }
    let (grey, at) = meets_grey(skin, hair, most);
    let share = TOWARD_BLACK
        * (1.0 - fade(least / most, TOWARD_BLACK_EVEN)).max(grey)
        * (1.0 - fade(most, TOWARD_BLACK_DARK))
        * fade(surround, TOWARD_BLACK_SURROUND);
    if share <= 0.0 {
        return None;
    }
    // The hair fraction of the pixels seen as hair, were the hair `share` of the way to
    // the bound (and not beyond the first near-grey colour on the line).
    let mut seen = 1.0 - share * (1.0 - most);
    if at > seen {
        // Towards the cap as the grey gate opens (no jump as it starts to).
        seen += grey * (at - seen);
    }
    Some([0, 1, 2].map(|k| skin[k] + (hair[k] - skin[k]) / seen))
}

/// Steps in which [`meets_grey`] follows the mixing line.
const GREY_STEPS: usize = 200;

/// Whether the mixing line from `skin` through the hair end `hair`, followed on towards the
/// bound where its first channel reaches zero (the hair end then holds `most` hair), meets
/// the grey axis at a dark grey: the gate (0 to 1, from [`TOWARD_BLACK_GREY`],
/// [`TOWARD_BLACK_GREY_LIGHT`] and [`TOWARD_BLACK_GREY_LEVEL`]) and the hair fraction
/// `hair` holds were the hair the first colour on the line as near grey as the gate's full
/// value, or else the most nearly grey one (1 when that is `hair` itself: the line grows
/// more coloured beyond it).
fn meets_grey(skin: [f32; 3], hair: [f32; 3], most: f32) -> (f32, f32) {
    let step = [0, 1, 2].map(|k| skin[k] - hair[k]);
    // (most over least channel, hair fraction, luminance)
    let mut best = (f32::MAX, 1.0f32, 1.0f32);
    for i in 0..GREY_STEPS {
        let a = 1.0 - (1.0 - most) * i as f32 / GREY_STEPS as f32;
        let c = [0, 1, 2].map(|k| skin[k] - step[k] / a);
        let least = c.iter().copied().fold(f32::MAX, f32::min);
        if least <= 0.0 {
            break;
        }
        let ratio = c.iter().copied().fold(0.0f32, f32::max) / least;
        if ratio < best.0 {
            best = (ratio, a, luma(c));
        }
        // Near enough grey: black hair is often warmer than grey, and the line's greyest
        // point would be past it.
        if ratio <= TOWARD_BLACK_GREY.0 {
            break;
        }
    }
    let (ratio, at, level) = best;
    if at >= 1.0 {
        return (0.0, 1.0);
    }
    (
        fade(ratio, TOWARD_BLACK_GREY)
            * fade(level / luma(skin).max(1e-9), TOWARD_BLACK_GREY_LIGHT)
            * fade(level, TOWARD_BLACK_GREY_LEVEL),
        at,
    )
}

/// How many times further from skin `m.hair` is than the hair colour the photo shows
/// (1 unless [`toward_black`] took it further).
fn reach(m: &Model) -> f32 {
    let Some(seen) = m.hair_seen else {
        return 1.0;
    };
    let d = |c: [f32; 3]| {
        let v = [c[0] - m.skin[0], c[1] - m.skin[1], c[2] - m.skin[2]];
        dot3(v, v).sqrt()
    };
    let s = d(seen);
    if s > 0.0 {
        d(m.hair) / s
    } else {
        1.0
    }
}

/// Takes the hair colours of two visits' models the same share of the way towards black
/// (the mean of the two, from each one's own hair colour as seen): the same strands read
/// as black hair seen in part in one visit and as mid-tone hair in the other would read
/// as a change.
pub(crate) fn share_reach(a: &mut Model, b: &mut Model) {
    let (ra, rb) = (reach(a), reach(b));
    if ra == rb {
        return;
    }
    let r = 0.5 * (ra + rb);
    for m in [a, b] {
        let seen = m.hair_seen.unwrap_or(m.hair);
        m.hair = [0, 1, 2].map(|k| m.skin[k] + (seen[k] - m.skin[k]) * r);
        m.hair_seen = (r > 1.0).then_some(seen);
    }
}

/// Shares of pixels near the hair end within this of the threshold are near it: two visits
/// both near it choose together ([`share_purity`]). Farther apart, the hair differs (a
/// relit I/white loss, whose denser visit shows more pure hair, read 9.2 pp short when
/// the two chose together, 1.9 pp each on its own).
const PURITY_NEAR: f32 = 0.015;

/// Makes two visits' choice between the "mostly hair" pixels and the extreme for the hair
/// end ([`Model::purity`]) together, from the mean of their shares of pixels near the end:
/// the same strands, seen by two visits on either side of the threshold (6.2 and 5.9 %),
/// took hair colours 25 % apart and read -3.3 pp for no change. Only when both are near the
/// threshold ([`PURITY_NEAR`]), and not when either visit took
/// its hair towards black ([`toward_black`]; [`share_reach`] makes those alike). A visit
/// whose end becomes the extreme no longer reads strands by their own lightness.
pub(crate) fn share_purity(a: &mut Model, b: &mut Model) {
    let (Some((sa, _)), Some((sb, _))) = (a.purity, b.purity) else {
        return;
    };
    let threshold = PURE_HAIR_PERCENT as f32 / 100.0;
    let near = |s: f32| (s - threshold).abs() <= PURITY_NEAR;
    if a.hair_seen.is_some() || b.hair_seen.is_some() || !near(sa) || !near(sb) {
        return;
    }
    let mostly = 0.5 * (sa + sb) >= threshold;
    for m in [a, b] {
        if let Some((s, other)) = m.purity {
            if (s >= threshold) != mostly {
                m.purity = Some((s, m.hair));
                m.hair = other;
                if !mostly {
                    m.tone = None;
                }
            }
        }
    }
}

/// Reads grey strands by their own lightness in both visits when one visit's model does
/// ([`Model::tone`]): the same strands read that way in one visit only would read as a
/// change. The range is in multiples of the hair colour, so the visit without one takes the
/// other's range scaled to its own hair (relative to each one's skin, which the light
/// scales alike): the same strand lightnesses, not the same multiples of a hair colour
/// fitted further from skin or nearer it. Not when one visit's skin was found among the
/// reddest pixels and the other's was not ([`skin_among_reddest`]): the other's skin end is
/// a blend of the strands' hue, against which fraction and lightness cannot be told apart.
pub(crate) fn share_tone(a: &mut Model, b: &mut Model) {
    if a.skin_seen.is_some() != b.skin_seen.is_some() {
        return;
    }
    let (from, to) = match (a.tone.is_some(), b.tone.is_some()) {
        (true, false) => (&*a, b),
        (false, true) => (&*b, a),
        _ => return,
    };
    let rel = |m: &Model| luma(m.hair) / luma(m.skin).max(EPS);
    let f = rel(from) / rel(to).max(EPS);
    to.tone = from.tone.map(|(lo, hi)| (lo * f, hi * f));
}

/// 1 at or below `lo`, 0 at or above `hi`, linear between.
fn fade(v: f32, (lo, hi): (f32, f32)) -> f32 {
    ((hi - v) / (hi - lo)).clamp(0.0, 1.0)
}

/// The illumination field of `fr` (least squares on ln luminance, a smooth quadratic
/// surface) that best explains pixels `(index, colour as seen, colour under the current
/// field)` as mixtures of the model's skin and hair.
fn plane_fit(
    fr: &Frame,
    pts: impl Iterator<Item = (usize, [f32; 3], [f32; 3])>,
    model: &Model,
) -> Option<[f64; 6]> {
    let (w, h) = (fr.img.w, fr.img.h);
    let points = pts.map(|(idx, raw, c)| {
        let a = if model.two_classes {
            unmix(c, model)
        } else if model.all_hair {
            1.0
        } else {
            0.0
        };
        let refl = [
            a * model.hair[0] + (1.0 - a) * model.skin[0],
            a * model.hair[1] + (1.0 - a) * model.skin[1],
            a * model.hair[2] + (1.0 - a) * model.skin[2],
        ];
        let r = f64::from((luma(raw) + EPS).ln() - (luma(refl) + EPS).ln());
        (idx % w, idx / w, r)
    });
    field_through(points, w, h, 0)
}

/// The smooth field (the terms of [`basis`]) through `(x, y, value)` points of a `w` x `h`
/// frame by least squares, or `None` below `min_points` points or when it cannot be solved.
fn field_through(
    points: impl Iterator<Item = (usize, usize, f64)>,
    w: usize,
    h: usize,
    min_points: usize,
) -> Option<[f64; 6]> {
    let mut ata = [[0.0f64; 6]; 6];
    let mut atb = [0.0f64; 6];
    let mut n = 0usize;
    for (x, y, v) in points {
        let row = basis(x, y, w, h);
        for i in 0..6 {
            for j in 0..6 {
                ata[i][j] += row[i] * row[j];
            }
            atb[i] += row[i] * v;
        }
        n += 1;
    }
    if n < min_points {
        return None;
    }
    for (i, row) in ata.iter_mut().enumerate() {
        // A ridge keeps the field smooth; QUAD_RIDGE damps the curved terms.
        row[i] += if i >= 3 { QUAD_RIDGE } else { 1e-3 } * (n as f64).max(1.0);
    }
    solve(ata, atb)
}

/// Fits only the illumination field of `fr` (exposure included), from a flat start, under
/// colours fitted elsewhere: the full-resolution detail of the same photo, where strands
/// are resolved and pure hair and skin pixels exist, or the other visit's.
pub(crate) fn fit_light(fr: &Frame, prep: &mut Prepared, model: &Model) {
    prep.plane = [0.0; 6];
    let idx = sample_indices(fr.mask, SAMPLES);
    let (w, h) = (fr.img.w, fr.img.h);
    for _ in 0..FIT_ROUNDS {
        let plane = prep.plane;
        let pts = idx.iter().map(|&i| {
            let raw = fr.img.px(i);
            let l = illum(&plane, i % w, i / w, w, h);
            (i, raw, raw.map(|v| v / l))
        });
        match plane_fit(fr, pts, model) {
            Some(p) => prep.plane = p,
            None => break,
        }
    }
}

/// Least distance in chromaticity between a second hair colour and the skin's
/// ([`second_hair`]). A population beyond skin with the skin's own chromaticity is the same
/// skin under more or less light (a light gradient or shine that the light field left in),
/// not strands. On the rendered photos such populations were 0.0002 and 0.0015 from the
/// skin (auburn and black hair on type II skin, head views with a strong light gradient,
/// read 15.7 and 9.2 points too high with them, 7.5 and 0.5 points off without); white,
/// grey, blond and brown strands 0.028 and more.
const SECOND_HAIR_FROM_SKIN: f32 = 0.006;

/// Looks beyond skin on the side away from `hair` for a textured population (white strands
/// among pigmented ones, or the reverse) and returns its colour. Smooth outliers (shine,
/// shading) and the skin's own colour under other light do not count.
fn second_hair(
    lin: &[[f32; 3]],
    samples: &[Sample],
    preps: &[Prepared],
    skin: [f32; 3],
    hair: [f32; 3],
) -> Option<[f32; 3]> {
    let d = [hair[0] - skin[0], hair[1] - skin[1], hair[2] - skin[2]];
    let dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    if dd <= 0.0 || lin.len() < 100 {
        return None;
    }
    let t: Vec<f32> = lin
        .iter()
        .map(|c| ((c[0] - skin[0]) * d[0] + (c[1] - skin[1]) * d[1] + (c[2] - skin[2]) * d[2]) / dd)
        .collect();
    let tex = |i: usize| preps[samples[i].frame].texture[samples[i].idx];
    let mut skin_tex: Vec<f32> = (0..t.len())
        .filter(|&i| t[i].abs() < 0.1)
        .map(tex)
        .collect();
    let mut opp: Vec<usize> = (0..t.len()).filter(|&i| t[i] < -0.3).collect();
    if opp.len() * 100 < 4 * t.len() || skin_tex.len() < 20 {
        return None;
    }
    let st = median(&mut skin_tex);
    let mut ot: Vec<f32> = opp.iter().map(|&i| tex(i)).collect();
    if median(&mut ot) < 1.5 * st {
        return None;
    }
    // "Mostly hair" on that side: beyond halfway to the 4 % extreme.
    opp.sort_by(|&a, &b| t[a].total_cmp(&t[b]));
    let k = (t.len() * 4 / 100).max(1).min(opp.len());
    let extreme = opp[..k].iter().map(|&i| t[i]).sum::<f32>() / k as f32;
    let mid = 0.5 * extreme;
    let mut ch: [Vec<f32>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for &i in opp.iter().filter(|&&i| t[i] <= mid) {
        for k in 0..3 {
            ch[k].push(lin[i][k]);
        }
    }
    let second = [median(&mut ch[0]), median(&mut ch[1]), median(&mut ch[2])];
    (dist2(chromaticity(second), chromaticity(skin)).sqrt() >= SECOND_HAIR_FROM_SKIN)
        .then_some(second)
}

/// Most distance from the line between two colours, as a share of their distance apart, at
/// which a third lies on it ([`is_blend_of`]). On the rendered photos, light hair with a
/// second, darker class: dense strands on dark skin, whose "skin" was the strands blended
/// with it, 0.006 to 0.043; blond strands with darker ones around type III skin, 0.175.
/// (Type II skin between white and dark grey strands: 0.33.)
const BLEND_OFF_LINE: f32 = 0.1;

/// Whether `skin` lies between `hair` and the second colour `hair2` on the line from one to
/// the other (within [`BLEND_OFF_LINE`]), from 15 to 85 % of the way: a blend of the two.
/// A scalp between white and pigmented strands is off that line (a skin's hue, neutral
/// strands); where dense light strands leave little bare skin, the class taken for skin
/// can be the strands blended with the skin, and the textured darker class the skin.
fn is_blend_of(skin: [f32; 3], hair: [f32; 3], hair2: [f32; 3]) -> bool {
    // How far along from `hair2` to `hair` (cut to 0..1, which the range below excludes).
    let along = unmix_one(skin, hair2, hair);
    if !(0.15..=0.85).contains(&along) {
        return false;
    }
    let d = [0, 1, 2].map(|k| hair[k] - hair2[k]);
    let off = [0, 1, 2].map(|k| skin[k] - hair2[k] - along * d[k]);
    dot3(off, off) < BLEND_OFF_LINE * BLEND_OFF_LINE * dot3(d, d)
}

/// Whether the model's side of skin for hair is beyond doubt from colour alone: hair at
/// least `ratio` times darker than skin, and skin with a skin's colour (not near grey, as
/// white or grey hair would be) or hair with no skin's colour.
pub(crate) fn side_is_certain(m: &Model, ratio: f32) -> bool {
    if !m.two_classes || !m.dark_hair {
        return false;
    }
    let skin_chroma = chroma_norm(m.skin);
    // Skin of a skin's colour, or (a greyish skin under cool light) hair that could not be
    // skin, being clearly greener than red.
    luma(m.skin) >= ratio * luma(m.hair).max(EPS)
        && (skin_chroma >= NEUTRAL || !has_skin_colour(m.hair))
}

/// Red below this share of green makes a colour no skin's ([`has_skin_colour`]).
const SKIN_RED_OVER_GREEN: f32 = 0.9;

/// Red above this many times green makes a colour no skin's ([`has_skin_colour`]).
const SKIN_MAX_RED_OVER_GREEN: f32 = 3.5;

/// Whether a linear colour could be skin's: not clearly greener than red, nor far redder
/// than skin. Skin of every type is well redder than green (1.4 to 2.2 times in linear
/// light), enough to survive a camera's white balance (cool light and heavy noise have
/// brought a real scalp to 1.0); a class clearly greener than red is hair (white or grey
/// strands blended with the scalp, or dark hair taken for skin) or light, not the scalp.
/// Auburn hair is 4 to 5.4 times redder than green (the rendered photos' fitted hair), far
/// beyond any scalp seen (the fitted skin of the real crown photos: at most 2.9, of the
/// rendered ones under their casts: 2.7).
fn has_skin_colour(c: [f32; 3]) -> bool {
    c[0] >= SKIN_RED_OVER_GREEN * c[1] && c[0] <= SKIN_MAX_RED_OVER_GREEN * c[1]
}

/// Whether the model's skin has a skin's colour ([`has_skin_colour`]).
pub(crate) fn skin_coloured(m: &Model) -> bool {
    has_skin_colour(m.skin)
}

/// The distance between the skin and hair colours in log RGB.
pub(crate) fn colour_contrast(m: &Model) -> f32 {
    dist2(ln3(m.skin), ln3(m.hair)).sqrt()
}

/// How far a linear colour is from grey: the length of its [`chroma`] coordinates.
fn chroma_norm(c: [f32; 3]) -> f32 {
    chroma_len(ln3(c))
}

/// How far a log-RGB colour is from grey: the length of its [`chroma`] coordinates.
fn chroma_len(c: [f32; 3]) -> f32 {
    let (a, b) = chroma(c);
    a.hypot(b)
}

/// Chroma coordinates of a log-RGB colour: (ln R/B, ln G/B).
fn chroma(c: [f32; 3]) -> (f32, f32) {
    (c[0] - c[2], c[1] - c[2])
}

/// Given the darker and the lighter cluster centre (log RGB), is the lighter one hair?
///
/// Skin of every type lies on a narrow locus of hue; white and grey hair are nearly neutral,
/// blond is yellower than skin, auburn far redder. Otherwise the darker class is hair.
///
/// A white-balance cast moves both classes' chroma alike, so the rule leans on their
/// difference: "redder" along the skin locus, "yellower" across it. White hair is less red
/// than the skin beside it and not less yellow (brown hair, on the locus, makes light skin
/// the less red class but also the less yellow); blond is yellower than any skin.
/// `rougher` is how many times rougher the lighter class is than the darker
/// ([`Prepared::texture`]).
///
/// Returns the answer and whether it is in doubt: a near-neutral lighter class, far less
/// chromatic than the darker one, that is not white hair only because it is less yellow
/// (pale skin beside brown strands looks so; a plausible reading still takes it for hair).
fn hair_is_lighter(dark: [f32; 3], light: [f32; 3], rougher: f32) -> (bool, bool) {
    let (ad, bd) = chroma(dark);
    let (al, bl) = chroma(light);
    let (md, ml) = (chroma_len(dark), chroma_len(light));
    let ratio = luma(light.map(f32::exp)) / luma(dark.map(f32::exp)).max(EPS);
    let yellow = |a: f32, b: f32| b - 0.5 * a;
    let redder = al - ad;
    let yellower = yellow(al, bl) - yellow(ad, bd);
    // White or grey hair on skin: the more neutral class. Under a cast white hair takes on
    // some colour, so a lighter class of up to a light skin's chroma counts as well when
    // the differences say white, it is not far lighter (light skin beside auburn hair
    // differs as white hair beside dark skin does) and it is not smoother than the darker
    // class: the lit side of a bald scalp, or its shine, is also lighter, less red and
    // less saturated than the rest, but as smooth as skin. (When the darker class is near
    // grey too, it is no bare scalp: both classes are dense white hair, blurred, and the
    // gaps between strands are the rougher one.)
    let whiter = redder < -WHITE_LESS_RED && yellower >= 0.0;
    // Near neutral and far less chromatic than the darker class, yet less yellow than it
    // (beyond [`WHITE_YELLOWER_SLACK`]): no white hair beside skin is, pale skin beside
    // brown strands can be. The side is then in doubt.
    let near_neutral = ml < NEUTRAL && ml < 0.6 * md;
    let neutral = near_neutral && yellower >= -WHITE_YELLOWER_SLACK;
    let doubt = near_neutral && !neutral;
    if neutral
        || (whiter
            && ml < md
            && ml < CAST_NEUTRAL
            && ratio < CAST_WHITE_RATIO
            && (rougher >= CAST_WHITE_ROUGHER || md < NEUTRAL))
    {
        return (true, false); // white or grey hair on skin
    }
    if md < NEUTRAL && md < 0.6 * ml {
        return (false, doubt); // black or grey hair on skin
    }
    // Blond hair on darker skin is yellower than it. Blended with the skin between thin or
    // blurred strands the difference shrinks; a smaller one counts when it is at least half
    // the difference in redness (auburn hair makes the light skin beside it a little
    // yellower, but far less red) and the class is clearly lighter.
    let blond = yellower > BLOND_YELLOWER
        || (yellower > BLENDED_BLOND_YELLOWER
            && yellower > 0.5 * redder.abs()
            && ratio > BLENDED_BLOND_LIGHTER);
    if blond && -redder < 0.8 {
        return (true, false); // blond hair on darker skin
    }
    // Auburn on dark skin: far redder than the darker class, which has a skin's chroma and
    // is not many times darker (auburn is a mid-toned hair; type VI skin is half its
    // light). A skin-coloured class beside one far darker is skin, with dark strands.
    let auburn = md > 0.6 && redder > 0.6 && ratio < AUBURN_MAX_RATIO;
    (auburn, doubt && !auburn)
}

/// How much less yellow than the darker class a near-neutral lighter class may be and
/// still be white or grey hair ([`hair_is_lighter`]). Neutral strands blended with skin
/// pull its chroma towards grey, which leaves the blend no less yellow than the skin
/// (rendered white and grey hair: -0.008 to +0.18); pale skin beside brown or blond strands
/// is both less red and less yellow than they are (-0.019 to -0.30).
const WHITE_YELLOWER_SLACK: f32 = 0.015;

/// How much less red (ln R/B) than the darker class a lighter one must be to count as
/// white or grey hair when its own chroma is not near grey ([`hair_is_lighter`]).
const WHITE_LESS_RED: f32 = 0.05;

/// Chroma up to which a lighter class that differs from the darker as white hair does is
/// taken for white hair under a colour cast (type I skin is about 0.6 without one).
const CAST_NEUTRAL: f32 = 0.85;

/// ...and the most it may be lighter than the darker class (white hair over type III skin
/// is about 1.9 times lighter as seen through blended classes).
const CAST_WHITE_RATIO: f32 = 2.0;

/// ...and how rough it must be against the darker class (white strands on the rendered
/// set: 0.87 to 4; the smooth lit or shining part of real bald crowns: 0.6 to 0.76).
const CAST_WHITE_ROUGHER: f32 = 0.85;

/// How much yellower (across the skin locus) than the darker class a lighter class must be
/// to be blond hair.
const BLOND_YELLOWER: f32 = 0.2;

/// ...or, blended with skin, at least this much yellower and [`BLENDED_BLOND_LIGHTER`]
/// times lighter. Blond beside type III skin (1.1 to 1.25 times) and brown hair beside type
/// VI skin (about 1.3) are left alone: they are too alike to say, and refused as such.
const BLENDED_BLOND_YELLOWER: f32 = 0.05;

/// See [`BLENDED_BLOND_YELLOWER`].
const BLENDED_BLOND_LIGHTER: f32 = 1.4;

/// Largest lightness ratio of an auburn class over the skin beside it (auburn over type VI
/// skin is about 2; black strands blended with type IV skin against that skin, 12).
const AUBURN_MAX_RATIO: f32 = 5.0;

/// Solves a small linear system by Gaussian elimination with partial pivoting.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let piv = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for r in col + 1..N {
            let f = a[r][col] / a[col][col];
            for c in col..N {
                a[r][c] -= f * a[col][c];
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = [0.0; N];
    for r in (0..N).rev() {
        let mut s = b[r];
        for c in r + 1..N {
            s -= a[r][c] * x[c];
        }
        x[r] = s / a[r][r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Mean hair fraction over the mask pixels on every `stride`-th row and column.
pub(crate) fn mean_alpha_strided(fr: &Frame, prep: &Prepared, m: &Model, stride: usize) -> f64 {
    let (w, h) = (fr.img.w, fr.img.h);
    let stride = stride.max(1);
    let (mut sum, mut n) = (0.0f64, 0usize);
    for y in (0..h).step_by(stride) {
        for x in (0..w).step_by(stride) {
            let i = y * w + x;
            if fr.mask[i] {
                sum += f64::from(pixel_alpha(fr, prep, m, x, y));
                n += 1;
            }
        }
    }
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

fn pixel_alpha(fr: &Frame, prep: &Prepared, m: &Model, x: usize, y: usize) -> f32 {
    if !m.two_classes {
        return if m.all_hair { 1.0 } else { 0.0 };
    }
    let (w, h) = (fr.img.w, fr.img.h);
    let l = match &prep.field {
        Some(f) => f[y * w + x],
        None => illum(&prep.plane, x, y, w, h),
    };
    let i = y * w + x;
    let c = fr.img.px(i).map(|v| v / l);
    // Under the light from the local skin level, shine counts as light.
    match (&prep.shine, &prep.field) {
        (Some(sh), None) if sh.share[i] > 0.0 => unmix_on(
            c.map(|v| v / sh.under[i]),
            m,
            shiny_skin(m.skin, sh.light, sh.share[i]),
        ),
        _ => unmix(c, m),
    }
}

/// The hair fraction of every pixel of a frame (0 outside the mask).
pub(crate) fn alpha_map(fr: &Frame, prep: &Prepared, m: &Model) -> Vec<f32> {
    let (w, h) = (fr.img.w, fr.img.h);
    let mut out = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            if fr.mask[y * w + x] {
                out[y * w + x] = pixel_alpha(fr, prep, m, x, y);
            }
        }
    }
    out
}

/// Max (or min) filter over a square of side `2r+1`, separable.
fn rank_filter(src: &[f32], w: usize, h: usize, r: usize, max: bool) -> Vec<f32> {
    let pick = |a: f32, b: f32| if max { a.max(b) } else { a.min(b) };
    let n = 2 * r + 1;
    // The largest power of two within the window: two runs of it, one from each end,
    // cover the window.
    let k = 1usize << (usize::BITS - 1 - n.leading_zeros());
    let mut tmp = vec![0.0f32; w * h];
    let mut run = vec![0.0f32; w + 2 * r];
    let mut next = vec![0.0f32; w + 2 * r];
    for (row, dst) in src.chunks_exact(w).zip(tmp.chunks_exact_mut(w)) {
        // The row with its edge values repeated r times at each end (the edge value is in
        // every clamped window it would fill, so the extreme is unchanged).
        run[..r].fill(row[0]);
        run[r..r + w].copy_from_slice(row);
        run[r + w..].fill(row[w - 1]);
        // run[j] = extreme of the `s` values from j, doubling s up to k.
        let mut s = 1;
        while s < k {
            let len = run.len() - s;
            for (o, (a, b)) in next[..len].iter_mut().zip(run.iter().zip(&run[s..])) {
                *o = pick(*a, *b);
            }
            std::mem::swap(&mut run, &mut next);
            s *= 2;
        }
        for (x, d) in dst.iter_mut().enumerate() {
            *d = pick(run[x], run[x + n - k]);
        }
    }
    // Rows at a time, so the inner loop runs along memory.
    let mut out = vec![0.0f32; w * h];
    for (y, row) in out.chunks_exact_mut(w).enumerate() {
        let (a, b) = (y.saturating_sub(r), (y + r).min(h - 1));
        row.copy_from_slice(&tmp[a * w..(a + 1) * w]);
        for yy in a + 1..=b {
            for (o, &v) in row.iter_mut().zip(&tmp[yy * w..(yy + 1) * w]) {
                *o = pick(*o, v);
            }
        }
    }
    out
}

/// The illumination of every pixel of the mask from the local skin level: the fitted field,
/// corrected by a morphological closing (dark hair) or opening (light hair) of the
/// log-luminance residual, which follows shine and shading that a smooth field misses.
/// Where the neighbourhood holds no skin (dense hair), the fitted field stands.
/// `cov` is the frame's reading under the fitted field ([`mean_alpha_strided`], stride 2).
pub(crate) fn local_light(fr: &Frame, prep: &Prepared, m: &Model, cov: f64) -> Vec<f32> {
    let (w, h) = (fr.img.w, fr.img.h);
    let (base, q, c, contrast) = local_skin_level(fr, prep, m);
    let lim = LOCAL_DENSE * contrast;
    let dark = m.dark_hair;
    // Less the noise lift of the closing, as in [`envelope_refit`].
    let lift = noise_lift(fr, m, &q, &c, contrast, cov as f32);
    let d: Vec<f32> = c
        .iter()
        .map(|&v| {
            if beyond_skin(v, dark, lim) {
                0.0
            } else {
                v - lift
            }
        })
        .collect();
    let d = gauss_blur(&d, w, h, LOCAL_SMOOTH);
    base.iter().zip(&d).map(|(b, v)| (b + v).exp()).collect()
}

/// Whether a local skin level `v` (see [`local_skin_level`]) lies more than `lim` towards
/// hair (darker for dark hair): its neighbourhood holds no skin, only hair and gaps.
fn beyond_skin(v: f32, dark_hair: bool, lim: f32) -> bool {
    (if dark_hair { -v } else { v }) > lim
}

/// The ln of the fitted light field at every pixel of the mask (0 outside); each pixel's
/// log-luminance residual against skin under it; the local skin level (that residual,
/// closed for dark hair or opened for light hair over a square wider than a strand: 0
/// where the brightest (darkest) skin nearby is at the field's skin level); and the
/// hair/skin log-luminance contrast.
fn local_skin_level(fr: &Frame, prep: &Prepared, m: &Model) -> (Vec<f32>, Vec<f32>, Vec<f32>, f32) {
    let (w, h) = (fr.img.w, fr.img.h);
    let ls = (luma(m.skin) + EPS).ln();
    let lh = (luma(m.hair) + EPS).ln();
    let contrast = (lh - ls).abs().max(1e-3);
    let mut base = vec![0.0f32; w * h];
    let mut q = vec![0.0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if fr.mask[i] {
                let b = basis(x, y, w, h);
                let ln_l: f64 = prep.plane.iter().zip(&b).map(|(p, q)| p * q).sum();
                base[i] = ln_l as f32;
                q[i] = (fr.img.luma(i) + EPS).ln() - ln_l as f32 - ls;
            }
        }
    }
    let r = LOCAL_RADIUS;
    let dark = m.dark_hair;
    let c = rank_filter(&rank_filter(&q, w, h, r, dark), w, h, r, !dark);
    (base, q, c, contrast)
}

/// Refits the light field of `fr` to the local skin level: the log-luminance residual
/// (against skin) closed (dark hair) or opened (light hair) over a square wider than a
/// strand, taken where the neighbourhood holds skin, and a smooth field fitted to it by
/// least squares. Hair darker than skin and shade both darken a pixel, so a field fitted
/// to every pixel can read shade as hair and stay too flat; the skin between strands
/// shows the light itself.
///
/// Returns the local skin level it found, for [`shine_field`].
pub(crate) fn envelope_refit(fr: &Frame, prep: &mut Prepared, m: &Model) -> Option<LocalLevel> {
    if !m.two_classes {
        return None;
    }
    let (_, q, c, contrast) = local_skin_level(fr, prep, m);
    let before = prep.plane;
    envelope_refit_with(fr, prep, m, &q, &c, contrast);
    let moved = std::array::from_fn(|k| prep.plane[k] - before[k]);
    Some(LocalLevel {
        q,
        c,
        contrast,
        moved,
    })
}

/// A frame's local skin level ([`local_skin_level`]) as found under one light field, and how
/// far the field's terms have moved since.
pub(crate) struct LocalLevel {
    q: Vec<f32>,
    c: Vec<f32>,
    contrast: f32,
    moved: [f64; 6],
}

/// [`envelope_refit`] from the frame's local skin level `c` and residuals `q`.
fn envelope_refit_with(
    fr: &Frame,
    prep: &mut Prepared,
    m: &Model,
    q: &[f32],
    c: &[f32],
    contrast: f32,
) {
    let (w, h) = (fr.img.w, fr.img.h);
    let (r, dark) = (LOCAL_RADIUS, m.dark_hair);
    let lim = (LOCAL_DENSE * contrast).min(ENVELOPE_WITHIN);
    let points = (r..h.saturating_sub(r))
        .step_by(2)
        .flat_map(|y| (r..w.saturating_sub(r)).step_by(2).map(move |x| (x, y)))
        .filter(|&(x, y)| fr.mask[y * w + x] && !beyond_skin(c[y * w + x], dark, lim))
        .map(|(x, y)| (x, y, f64::from(c[y * w + x])));
    let Some(d) = field_through(points, w, h, 100) else {
        return;
    };
    // In dense hair the brightest pixels near each point are gaps between strands, still
    // part hair: the refit fades out as the reading rises.
    let cov = mean_alpha_strided(fr, prep, m, 2) as f32;
    let wgt = f64::from(fade(cov, ENVELOPE_FADE));
    for (p, v) in prep.plane.iter_mut().zip(d) {
        *p += wgt * v;
    }
    // The closing keeps the brightest skin nearby, which camera noise lifts above the
    // skin's own level: the level comes down by that lift, the shape stays.
    prep.plane[0] -= wgt * f64::from(noise_lift(fr, m, q, c, contrast, cov));
}

/// What comes off the local skin level `c` of dark hair (see [`local_skin_level`]) for
/// the lift of camera noise ([`closing_lift`]), faded out as coverage `cov` rises
/// ([`LIFT_FADE`]). Nothing for light hair: there the opening's darkest skin nearby is also
/// pulled down by pigmented strands (grey hair), and on the bench taking a lift off cost
/// grey hair more than it gave white hair.
fn noise_lift(fr: &Frame, m: &Model, q: &[f32], c: &[f32], contrast: f32, cov: f32) -> f32 {
    if !m.dark_hair {
        return 0.0;
    }
    let share = fade(cov, LIFT_FADE);
    if share <= 0.0 {
        return 0.0;
    }
    closing_lift(q, c, fr.mask, 0.5 * contrast)
        .map_or(0.0, |l| share * l.clamp(0.0, MAX_LIFT_SHARE * contrast))
}

/// The most that comes off for noise, as a share of the hair/skin contrast: a wider spread
/// below the local skin level is the texture of the gaps in dense hair that was read as
/// sparse, not noise (on the bench, worst case 64 pp uncapped, 58 pp capped).
const MAX_LIFT_SHARE: f32 = 0.15;

/// How far the closing that gives the local skin level `c` lifts bare skin above its own
/// level by camera noise, in ln luminance (negative for an opening): the most common
/// difference between `c` and a pixel's own residual `q` (see [`local_skin_level`]) within
/// `lim` of zero. Pixels that are their own local skin level (the extreme of their square)
/// are left out: they pile up at exactly zero. `None` when too few pixels lie within.
fn closing_lift(q: &[f32], c: &[f32], mask: &[bool], lim: f32) -> Option<f32> {
    const NB: usize = 80;
    let lim = lim.min(MAX_LIFT);
    let bin = 2.0 * lim / NB as f32;
    let gaps = || {
        c.iter()
            .zip(q)
            .zip(mask)
            .filter(|(_, &m)| m)
            .map(|((c, q), _)| c - q)
            .filter(|v| *v != 0.0 && v.abs() < lim)
    };
    let mut hist = [0.0f32; NB];
    let mut n = 0usize;
    for v in gaps() {
        hist[(((v + lim) / bin) as usize).min(NB - 1)] += 1.0;
        n += 1;
    }
    if n < 100 {
        return None;
    }
    let sm = smoothed(&hist);
    let peak = (0..NB).max_by(|&a, &b| sm[a].total_cmp(&sm[b]))?;
    // The peak to within a bin, then the mean of the gaps within 3 bins of it.
    let at = -lim + (peak as f32 + 0.5) * bin;
    let (sum, k) = gaps()
        .filter(|v| (v - at).abs() <= 3.0 * bin)
        .fold((0.0f64, 0usize), |(s, k), v| (s + f64::from(v), k + 1));
    Some((sum / k.max(1) as f64) as f32)
}

/// The largest noise lift looked for (ln luminance; noise of sd 0.1 lifts about 0.18).
const MAX_LIFT: f32 = 0.3;

/// A histogram smoothed with the weights 1, 2, 3, 2, 1 (bins beyond the ends count as empty).
fn smoothed(hist: &[f32]) -> Vec<f32> {
    let n = hist.len() as i32;
    (0..n)
        .map(|i| {
            [(-2i32, 1.0f32), (-1, 2.0), (0, 3.0), (1, 2.0), (2, 1.0)]
                .iter()
                .filter(|&&(d, _)| (0..n).contains(&(i + d)))
                .map(|&(d, wgt)| wgt * hist[(i + d) as usize])
                .sum()
        })
        .collect()
}

/// Which side of skin hair is on, judged by texture instead of colour: skin is a smooth
/// surface, hair is many strands of slightly different tone. Compares the median 3x3
/// roughness (in square-root light, where camera noise is about even) of the pixels deep
/// inside each class. `alpha` is the frame's hair map under `m` ([`alpha_map`]).
/// `Some(true)` when the darker class is the rougher one; `None` when the two are too alike
/// to say.
pub(crate) fn texture_says_dark_hair(fr: &Frame, alpha: &[f32], m: &Model) -> Option<bool> {
    if !m.two_classes {
        return None;
    }
    let (w, h) = (fr.img.w, fr.img.h);
    let mut t = vec![f32::NAN; w * h];
    let mut s = vec![0.0f32; w * h];
    for i in 0..w * h {
        if fr.mask[i] {
            t[i] = alpha[i];
            s[i] = fr.img.luma(i).max(0.0).sqrt();
        }
    }
    // [darker class, lighter class]
    let mut rough: [Vec<f32>; 2] = [Vec::new(), Vec::new()];
    for y in 1..h.saturating_sub(1) {
        for x in 1..w.saturating_sub(1) {
            let i = y * w + x;
            if t[i].is_nan() {
                continue;
            }
            let hair = t[i] >= 0.5;
            let mut inside = true;
            let (mut sum, mut sq) = (0.0f32, 0.0f32);
            for dy in 0..3 {
                for dx in 0..3 {
                    let j = (y + dy - 1) * w + x + dx - 1;
                    inside &= !t[j].is_nan() && (t[j] >= 0.5) == hair;
                    sum += s[j];
                    sq += s[j] * s[j];
                }
            }
            if inside {
                let mean = sum / 9.0;
                let darker = hair == m.dark_hair;
                rough[usize::from(!darker)].push((sq / 9.0 - mean * mean).max(0.0).sqrt());
            }
        }
    }
    // A class with (almost) no inside pixels is all thin lines: strands.
    let level = |v: &mut Vec<f32>| {
        if v.len() < 20 {
            f32::INFINITY
        } else {
            median(v)
        }
    };
    let (rd, rl) = (level(&mut rough[0]), level(&mut rough[1]));
    if rd.is_infinite() && rl.is_infinite() {
        return None;
    }
    if rd > TEXTURE_SIDE_RATIO * rl {
        Some(true)
    } else if rl > TEXTURE_SIDE_RATIO * rd {
        Some(false)
    } else {
        None
    }
}

/// Chromaticity of a colour: its channels over their sum.
pub(crate) fn chromaticity(c: [f32; 3]) -> [f32; 3] {
    let s = (c[0] + c[1] + c[2]).max(1e-9);
    c.map(|v| v / s)
}

/// Pixels within this share of the hair/skin contrast of their local skin level
/// ([`local_skin_level`]) count as bare skin for [`shine_field`]...
const SHINE_NEAR: f32 = 0.2;

/// ...and within this much (ln luminance) at most.
const SHINE_NEAR_MAX: f32 = 0.15;

/// Smoothing of the local colour of bare skin (Gaussian sigma, working pixels).
const SHINE_SMOOTH: f32 = 6.0;

/// Side of the square cells (working pixels) on which the local colour of bare skin is
/// taken.
const SHINE_CELL: usize = 4;

/// Least (smoothed) share of bare-skin pixels nearby for a local skin colour.
const SHINE_MIN_SKIN: f32 = 0.05;

/// Local skin colours at most this many times as bright as the skin are not taken for
/// shine: shine adds light.
const SHINE_CANDIDATE_BRIGHT: f32 = 1.0;

/// The most shifted of the brighter local skin colours, as many as this percentage of all,
/// give the shift's direction...
const SHINE_TOP_PERCENT: usize = 5;

/// ...and shows shine when their median shift (in chromaticity) is at least this...
const SHINE_MIN_SHIFT: f32 = 0.01;

/// ...when it points towards grey (the cosine of the angle at least this)...
const SHINE_TOWARD_GREY: f32 = 0.5;

/// ...when that skin is at least this many times brighter than the skin (shine adds light;
/// strands blended in take it away). On the rendered photos with shine 1.25 to 2.7, except
/// type I skin, where shine adds least (1.11 to 1.15); without shine, up to 1.18.
const SHINE_MIN_BRIGHT: f32 = 1.2;

/// ...and when the light's chromaticity found on that line is this near grey.
const SHINE_MAX_OFF_GREY: f32 = 0.06;

/// A second hair colour this near the light's chromaticity is the shine...
const SHINE_HAIR2_NEAR: f32 = 0.05;

/// ...when the local skin colour of half the photo is shifted less than this share of the
/// most shifted: the shine is in one place, not wherever strands are.
const SHINE_LOCAL: f32 = 0.2;

/// Shares of shine below this are noise.
const SHINE_DEAD: f32 = 0.03;

/// The largest share of shine taken.
const SHINE_MAX_SHARE: f32 = 0.9;

/// Shine on the bare skin of `fr` under `m` and the frame's light field.
///
/// Shine is light reflected off the skin's surface, added to its own colour in the light's
/// colour; strands cut it off where they lie. So where there is shine, the mixing line
/// runs from skin with shine to hair (not from brighter skin to brighter hair, as more
/// light would make it). The local colour of bare skin (the mean of the pixels at their
/// neighbourhood's skin level) shows it: brighter than the skin, and shifted in
/// chromaticity towards the light's, which is the point along that shift nearest grey.
/// `None` when the skin shows no such shift, and for hair lighter than skin or strands
/// of many lightnesses (grey hair), whose light strands look like shine.
/// `level` is the frame's local skin level when already found (by [`envelope_refit`]).
pub(crate) fn shine_field(
    fr: &Frame,
    prep: &Prepared,
    m: &Model,
    level: Option<LocalLevel>,
) -> Option<Shine> {
    if !m.two_classes || !m.dark_hair || m.tone.is_some() {
        return None;
    }
    let (w, h) = (fr.img.w, fr.img.h);
    let LocalLevel {
        q,
        c,
        contrast,
        moved,
    } = level.unwrap_or_else(|| {
        let (_, q, c, contrast) = local_skin_level(fr, prep, m);
        LocalLevel {
            q,
            c,
            contrast,
            moved: [0.0; 6],
        }
    });
    let near = (SHINE_NEAR * contrast).min(SHINE_NEAR_MAX);
    let lim = LOCAL_DENSE * contrast;
    // The local bare-skin colour, which is smooth, on a grid of cells: the bare-skin
    // pixels' count and colours (under the light field) summed in each cell, smoothed.
    let b = SHINE_CELL;
    let (gw, gh) = (w.div_ceil(b), h.div_ceil(b));
    let mut wt = vec![0.0f32; gw * gh];
    let mut col: [Vec<f32>; 3] = [0, 1, 2].map(|_| vec![0.0f32; gw * gh]);
    let mut inside = vec![false; gw * gh];
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            if !fr.mask[i] {
                continue;
            }
            let g = (y / b) * gw + x / b;
            inside[g] = true;
            // The level under the field as it is now: it moved with the field (the gap
            // between a pixel and its level did not).
            let now = c[i]
                - basis(x, y, w, h)
                    .iter()
                    .zip(&moved)
                    .map(|(a, d)| a * d)
                    .sum::<f64>() as f32;
            if beyond_skin(now, true, lim) || (q[i] - c[i]).abs() > near {
                continue;
            }
            wt[g] += 1.0;
            for k in 0..3 {
                col[k][g] += fr.img.c[k][i];
            }
        }
    }
    // Under the light field at each cell's centre (the field is smooth).
    for g in (0..gw * gh).filter(|&g| wt[g] > 0.0) {
        let (cx, cy) = (((g % gw) * b) as f64, ((g / gw) * b) as f64);
        let l = illum_at(&prep.plane, cx + 0.5 * b as f64, cy + 0.5 * b as f64, w, h);
        for ch in &mut col {
            ch[g] /= l;
        }
    }
    let sigma = SHINE_SMOOTH / b as f32;
    let ws = gauss_blur(&wt, gw, gh, sigma);
    let cs = col.map(|v| gauss_blur(&v, gw, gh, sigma));
    let s_chr = chromaticity(m.skin);
    let shift = |g: usize| {
        let k = chromaticity([cs[0][g], cs[1][g], cs[2][g]]);
        [0, 1, 2].map(|j| k[j] - s_chr[j])
    };
    let per_cell = (b * b) as f32;
    let valid = |g: usize| inside[g] && ws[g] >= SHINE_MIN_SKIN * per_cell;
    let mut disp: Vec<(f32, usize)> = (0..gw * gh)
        .filter(|&g| valid(g))
        .map(|g| {
            let d = shift(g);
            (dot3(d, d).sqrt(), g)
        })
        .collect();
    if disp.len() < 50 {
        return None;
    }
    let s_sum = m.skin[0] + m.skin[1] + m.skin[2];
    let k_sum = |g: usize| (cs[0][g] + cs[1][g] + cs[2][g]) / ws[g];
    // The most shifted first (one order for every selection below: each order would be
    // compiled once more); the median shift of all local skin colours.
    let by_shift = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0);
    let typical = {
        let k = disp.len() / 2;
        disp.select_nth_unstable_by(k, by_shift);
        disp[k].0
    };
    // Shine adds light: only local skin brighter than the skin can be shine. Of those, the
    // most shifted (as many as a percentage of all), in no particular order; then their
    // median shift.
    let n_top = (disp.len() * SHINE_TOP_PERCENT / 100).max(10);
    let mut top: Vec<(f32, usize)> = disp
        .iter()
        .copied()
        .filter(|&(_, g)| k_sum(g) > SHINE_CANDIDATE_BRIGHT * s_sum)
        .collect();
    if top.len() < 10 {
        return None;
    }
    if top.len() > n_top {
        top.select_nth_unstable_by(n_top, by_shift);
        top.truncate(n_top);
    }
    let n_top = top.len();
    top.select_nth_unstable_by(n_top / 2, by_shift);
    let far = top[n_top / 2].0;
    if far < SHINE_MIN_SHIFT {
        return None;
    }
    let mut u = [0.0f32; 3];
    for &(_, g) in &top {
        let d = shift(g);
        for k in 0..3 {
            u[k] += d[k];
        }
    }
    let norm = dot3(u, u).sqrt().max(1e-9);
    let u = u.map(|v| v / norm);
    let grey = [1.0 / 3.0; 3];
    let to_grey = [0, 1, 2].map(|k| grey[k] - s_chr[k]);
    let along = dot3(to_grey, u);
    if along < SHINE_TOWARD_GREY * dot3(to_grey, to_grey).sqrt() {
        return None;
    }
    let mut bright: Vec<f32> = top.iter().map(|&(_, g)| k_sum(g) / s_sum).collect();
    let bright = median(&mut bright);
    // The light: along the shift, nearest grey, and at least as far as the most shifted
    // skin (the median of them: the extreme is noise).
    let t = along.max(far);
    let light = [0, 1, 2].map(|k| s_chr[k] + t * u[k]);
    if bright < SHINE_MIN_BRIGHT || dist2(light, grey).sqrt() > SHINE_MAX_OFF_GREY {
        return None;
    }
    // A cell's share of shine: how far its local skin colour lies towards the light's; the
    // light on the skin beneath: the local skin's own brightness without the shine.
    let cell_share: Vec<f32> = (0..gw * gh)
        .map(|g| {
            if valid(g) {
                (dot3(shift(g), u) / t - SHINE_DEAD).clamp(0.0, SHINE_MAX_SHARE)
            } else {
                0.0
            }
        })
        .collect();
    let cell_under: Vec<f32> = (0..gw * gh)
        .map(|g| {
            if cell_share[g] > 0.0 {
                ((1.0 - cell_share[g]) * k_sum(g) / s_sum).max(0.05)
            } else {
                1.0
            }
        })
        .collect();
    // Each pixel's, between the centres of the cells around it.
    let (mut share, mut under) = (vec![0.0f32; w * h], vec![1.0f32; w * h]);
    for y in 0..h {
        let fy = ((y as f32 + 0.5) / b as f32 - 0.5).clamp(0.0, (gh - 1) as f32);
        let (y0, ty) = (fy as usize, fy.fract());
        let y1 = (y0 + 1).min(gh - 1);
        for x in 0..w {
            let i = y * w + x;
            if !fr.mask[i] {
                continue;
            }
            let fx = ((x as f32 + 0.5) / b as f32 - 0.5).clamp(0.0, (gw - 1) as f32);
            let (x0, tx) = (fx as usize, fx.fract());
            let x1 = (x0 + 1).min(gw - 1);
            let at = |v: &[f32]| {
                let top = v[y0 * gw + x0] * (1.0 - tx) + v[y0 * gw + x1] * tx;
                let bottom = v[y1 * gw + x0] * (1.0 - tx) + v[y1 * gw + x1] * tx;
                top * (1.0 - ty) + bottom * ty
            };
            share[i] = at(&cell_share);
            under[i] = at(&cell_under);
        }
    }
    let is_hair2 = m.hair2.is_some_and(|h2| {
        dist2(chromaticity(h2), light).sqrt() < SHINE_HAIR2_NEAR && typical < SHINE_LOCAL * far
    });
    Some(Shine {
        light,
        share,
        under,
        is_hair2,
    })
}

/// `fr`'s pixels with the shine found in `prep` taken off: each pixel loses the shine on its
/// skin part (one minus its hair fraction under `m`). The photo as it would look without
/// the shine, for fitting the colours again ([`crate::coverage`]'s refit without shine).
/// `None` when `prep` holds no shine.
pub(crate) fn without_shine(fr: &Frame, prep: &Prepared, m: &Model) -> Option<Lin> {
    let sh = prep.shine.as_ref()?;
    let (w, h) = (fr.img.w, fr.img.h);
    let mut out = Lin::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            let mut c = fr.img.px(i);
            if fr.mask[i] && sh.share[i] > 0.0 {
                let a = pixel_alpha(fr, prep, m, x, y);
                // The shine on bare skin here, in the photo's units (as `pixel_alpha` reads
                // it: the shiny skin under `under` times the light field).
                let lit = shiny_skin(m.skin, sh.light, sh.share[i]);
                let l = sh.under[i] * illum(&prep.plane, x, y, w, h);
                for k in 0..3 {
                    c[k] = (c[k] - (1.0 - a) * l * (lit[k] - m.skin[k])).max(1e-4);
                }
            }
            for k in 0..3 {
                out.c[k][i] = c[k];
            }
        }
    }
    Some(out)
}

/// The skin colour under `m`'s light field at a pixel with a share `share` of shine of the
/// light's chromaticity `light` (see [`Shine`]).
fn shiny_skin(skin: [f32; 3], light: [f32; 3], share: f32) -> [f32; 3] {
    let add = share / (1.0 - share) * (skin[0] + skin[1] + skin[2]);
    [0, 1, 2].map(|k| skin[k] + add * light[k])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::synth::{render, Hair, Skin, SynthParams};
    use crate::coverage::work::to_linear_reduced;

    #[test]
    fn skin_under_more_light_is_not_a_second_hair_colour() {
        // Bare skin, dark strands, and a rough population beyond skin on the other side:
        // white strands, or the same skin under 1.6 times the light.
        let (skin, hair) = ([0.6, 0.4, 0.3], [0.1, 0.07, 0.05]);
        let second = |beyond: [f32; 3]| {
            let (mut lin, mut samples, mut texture) = (Vec::new(), Vec::new(), Vec::new());
            for idx in 0..1000 {
                let (c, t) = match idx {
                    0..600 => (skin, 0.01),
                    600..800 => (hair, 0.1),
                    _ => (beyond, 0.1),
                };
                lin.push(c);
                samples.push(Sample { frame: 0, idx, c });
                texture.push(t);
            }
            let preps = [Prepared {
                texture,
                ..Prepared::default()
            }];
            second_hair(&lin, &samples, &preps, skin, hair)
        };
        assert_eq!(second([0.9, 0.9, 0.9]), Some([0.9, 0.9, 0.9]));
        assert_eq!(second(skin.map(|v| v * 1.6)), None);
    }

    fn measure(p: &SynthParams) -> (Lin, Vec<bool>, Prepared, Model) {
        let s = render(p);
        let (lin, _) = to_linear_reduced(&s.image, 1024);
        let mask = vec![true; lin.w * lin.h];
        let mut prep = [prepare(&lin)];
        let model = fit(
            &[Frame {
                img: &lin,
                mask: &mask,
            }],
            &mut prep,
            None,
        );
        let [prep] = prep;
        (lin, mask, prep, model)
    }

    /// Blond hair blended with type VI skin lies on the line between the two; pink skin
    /// between white and dark grey strands does not, and a colour at one end is that colour.
    #[test]
    fn a_blend_of_two_colours_is_told_from_skin_between_strands() {
        let skin = [0.076, 0.037, 0.023];
        let blond = [0.62, 0.43, 0.18];
        let blend = [0, 1, 2].map(|k| 0.4 * skin[k] + 0.6 * blond[k]);
        assert!(is_blend_of(blend, blond, skin));
        // Pink skin between white and dark grey strands is off their line.
        assert!(!is_blend_of(
            [0.78, 0.49, 0.34],
            [0.83, 0.82, 0.78],
            [0.3, 0.3, 0.29]
        ));
        // Near one end it is that colour, not a blend.
        let near = [0, 1, 2].map(|k| 0.95 * skin[k] + 0.05 * blond[k]);
        assert!(!is_blend_of(near, blond, skin));
    }

    /// Thin black strands over type IV skin blend into a class with some of the skin's
    /// red; the skin beside it is far redder, as auburn hair is beside type VI skin. The
    /// lightness tells them apart: the black strands stay hair (they were once taken for
    /// skin and the photo read as its complement), the auburn strands too.
    #[test]
    fn black_strands_on_brown_skin_are_not_read_as_auburn_on_dark_skin() {
        for (skin, hair, density) in [
            (Skin::IV, Hair::Black, 0.45),
            (Skin::IV, Hair::Black, 0.6),
            (Skin::VI, Hair::Auburn, 0.45),
        ] {
            let p = SynthParams {
                width: 320,
                height: 320,
                skin,
                hair,
                strand_width: 1.5,
                strand_length: 40.0,
                density,
                noise: 1.5,
                seed: 9018,
                ..Default::default()
            };
            let truth = render(&p).truth;
            let (_, _, _, model) = measure(&p);
            let hair_lighter = luma(model.hair) > luma(model.skin);
            assert_eq!(
                hair_lighter,
                hair == Hair::Auburn,
                "{skin:?}/{hair:?} at {truth:.2}: skin {:?}, hair {:?}",
                model.skin,
                model.hair
            );
        }
    }

    /// White hair under a warm cast takes on some colour (chroma 0.5 to 0.8, as much as
    /// type I skin has without one), so its neutrality alone no longer marks it as hair. The
    /// difference between the classes, which no cast changes, still does: the white class
    /// is less red than the skin and not less yellow. Brown hair on light skin, where the
    /// lighter class is also the less red, stays dark hair. (From about 70 % white hair the
    /// skin between strands is as rough as they are, and the rule leaves the side to
    /// neutrality alone, as before.)
    #[test]
    fn white_hair_under_a_warm_cast_is_the_lighter_class() {
        let mut wrong = Vec::new();
        for (skin, hair) in [
            (Skin::I, Hair::White),
            (Skin::II, Hair::White),
            (Skin::III, Hair::White),
            (Skin::I, Hair::Brown),
            (Skin::II, Hair::Brown),
        ] {
            for (k, density) in [0.25f32, 0.45, 0.6].into_iter().enumerate() {
                let p = SynthParams {
                    width: 256,
                    height: 256,
                    skin,
                    hair,
                    strand_width: 2.0,
                    strand_length: 40.0,
                    density,
                    white_balance: [1.2, 1.0, 0.8],
                    noise: 1.5,
                    seed: 7100 + k as u64,
                    ..Default::default()
                };
                let (_, _, _, model) = measure(&p);
                if model.dark_hair != (hair == Hair::Brown) {
                    wrong.push(format!("{skin:?}/{hair:?} at density {density}"));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "hair taken on the wrong side of skin: {wrong:?}"
        );
    }

    /// Blond hair on darker skin is yellower than the skin; thin or blurred strands blend
    /// with the skin between them and the difference shrinks below the 0.2 that marks blond
    /// on its own. It is then taken as blond when it is also yellower by half its difference
    /// in redness (auburn hair makes the light skin beside it a little yellower, but far less
    /// red) and clearly lighter (blond beside type III skin is barely so, and left alone;
    /// so is blond blurred by a pixel on type IV skin, whose classes blend to under 1.4
    /// times apart in lightness).
    #[test]
    fn thin_blond_hair_on_darker_skin_is_the_lighter_class() {
        let mut wrong = Vec::new();
        for (k, (skin, width, blur, density)) in [
            (Skin::IV, 1.0f32, 0.5f32, 0.5f32),
            (Skin::IV, 0.8, 0.0, 0.6),
            (Skin::V, 1.0, 0.5, 0.5),
            (Skin::V, 0.8, 0.0, 0.6),
            (Skin::V, 1.5, 1.0, 0.5),
        ]
        .into_iter()
        .enumerate()
        {
            let p = SynthParams {
                width: 256,
                height: 256,
                skin,
                hair: Hair::Blond,
                strand_width: width,
                strand_length: 35.0,
                density,
                blur,
                noise: 1.5,
                seed: 7300 + (k % 3) as u64,
                ..Default::default()
            };
            let (_, _, _, model) = measure(&p);
            if model.dark_hair {
                wrong.push(format!("{skin:?} w{width} blur {blur} density {density}"));
            }
        }
        assert!(wrong.is_empty(), "blond taken for skin: {wrong:?}");
    }

    /// Strands are read by their own lightness for grey hair only: not for white hair of
    /// one shade, nor black hair (whose lightness cannot be measured), shine or not. (Sparse
    /// grey hair, a third of the scalp or less, is mostly not recognised: too few pixels are
    /// pure hair.)
    #[test]
    fn only_grey_hair_is_read_by_strand_lightness() {
        for (skin, hair, shine, grey) in [
            (Skin::IV, Hair::Grey, 0.0, true),
            (Skin::II, Hair::Grey, 0.0, true),
            (Skin::IV, Hair::White, 0.0, false),
            (Skin::II, Hair::Black, 0.0, false),
            (Skin::II, Hair::Black, 0.8, false),
        ] {
            let p = SynthParams {
                width: 256,
                height: 256,
                skin,
                hair,
                strand_width: 3.0,
                strand_length: 60.0,
                density: 0.6,
                shine,
                noise: 1.5,
                seed: 41,
                ..Default::default()
            };
            let (_, _, _, model) = measure(&p);
            assert_eq!(
                model.tone.is_some(),
                grey,
                "{skin:?}/{hair:?} shine {shine}: {:?}",
                model.tone
            );
        }
    }

    #[test]
    fn only_an_evenly_darkened_unresolved_end_is_taken_towards_black() {
        let skin = [0.6f32, 0.45, 0.35];
        let ratio = |h: [f32; 3]| [0, 1, 2].map(|k| h[k] / skin[k]);
        // Black strands seen in part: skin darkened by 70 % in every channel, beside skin.
        let seen = skin.map(|v| v * 0.3);
        let h = toward_black(skin, seen, 0.6).expect("taken towards black");
        let r = ratio(h);
        assert!(r.iter().all(|&v| v > 0.0 && v < 0.1), "{r:?}");
        assert!((r[0] - r[2]).abs() < 1e-4, "hue kept: {r:?}");
        // The same end among pixels as dark as itself: pure hair, kept.
        assert!(toward_black(skin, seen, 0.95).is_none());
        // Between the two, part of the way.
        let half = ratio(toward_black(skin, seen, 0.8).expect("part of the way"))[0];
        assert!(half > r[0] && half < 0.3, "{half}");
        // Auburn-like: darkened unevenly (the hair has its own hue).
        assert!(toward_black(skin, [0.3, 0.09, 0.05], 0.6).is_none());
        // Barely darker than skin: may be mid-tone hair.
        assert!(toward_black(skin, skin.map(|v| v * 0.6), 0.6).is_none());
        // Lighter than skin in one channel: not dark hair.
        assert!(toward_black(skin, [0.2, 0.2, 0.4], 0.6).is_none());
    }

    #[test]
    fn black_on_the_darkest_skin_is_taken_towards_black_up_to_grey() {
        // Type VI skin and black hair (dark grey) in linear light: darkened 86 % in red but
        // 66 % in blue, too unevenly for the evenness test alone.
        let skin = [0.0762f32, 0.0368, 0.0232];
        let hair = [0.0110f32, 0.0091, 0.0080];
        // Thin strands seen in part: the most hair-like pixels are three quarters hair.
        let seen = [0, 1, 2].map(|k| 0.25 * skin[k] + 0.75 * hair[k]);
        // Not past grey: every channel above zero, the most at most 1.6 times the least.
        let short_of_grey = |h: [f32; 3]| {
            let lo = h.iter().copied().fold(f32::MAX, f32::min);
            let hi = h.iter().copied().fold(0.0f32, f32::max);
            lo > 0.0 && hi / lo < 1.6
        };
        let h = toward_black(skin, seen, 0.6).expect("taken towards black");
        assert!(short_of_grey(h), "not past grey: {h:?}");
        for k in 0..3 {
            assert!((h[k] - hair[k]).abs() < 0.5 * (seen[k] - hair[k]), "{h:?}");
        }
        // Strands seen nine tenths pure: not taken past the grey the line meets (followed
        // to where a channel reaches zero, the hair would be far bluer than grey).
        let nearly = [0, 1, 2].map(|k| 0.1 * skin[k] + 0.9 * hair[k]);
        let h = toward_black(skin, nearly, 0.6).expect("taken towards black");
        assert!(short_of_grey(h), "not past grey: {h:?}");
        // A hair of its own hue darker than that skin (auburn-like, its blue falls most): the
        // line beyond it grows redder and never meets grey; kept as seen.
        assert!(toward_black(skin, [0.03, 0.008, 0.004], 0.6).is_none());
        // Among pixels as dark as itself: pure hair, kept.
        assert!(toward_black(skin, seen, 0.95).is_none());
    }

    /// A two-class model of dark `hair` on `skin`.
    fn dark_model(skin: [f32; 3], hair: [f32; 3]) -> Model {
        Model {
            skin,
            hair,
            hair2: None,
            dark_hair: true,
            two_classes: true,
            all_hair: false,
            skin_texture: 0.05,
            hair_texture: 0.2,
            tone: None,
            hair_seen: None,
            skin_seen: None,
            purity: None,
            side_doubt: false,
        }
    }

    #[test]
    fn two_visits_take_their_hair_equally_far_towards_black() {
        let m = |hair: [f32; 3], seen: Option<[f32; 3]>| Model {
            hair_seen: seen,
            skin_seen: None,
            ..dark_model([0.6, 0.4, 0.3], hair)
        };
        // BEFORE taken twice as far from skin as seen; AFTER kept as seen.
        let mut b = m([0.0, 0.0, 0.0], Some([0.3, 0.2, 0.15]));
        let mut a = m([0.3, 0.2, 0.15], None);
        share_reach(&mut b, &mut a);
        for x in [&b, &a] {
            assert!((reach(x) - 1.5).abs() < 1e-5, "{}", reach(x));
            assert_eq!(x.hair_seen, Some([0.3, 0.2, 0.15]));
        }
        assert!((a.hair[0] - 0.15).abs() < 1e-6, "{:?}", a.hair);
    }

    #[test]
    fn rank_filter_takes_the_extreme_of_the_square() {
        let mut v = vec![0.0f32; 7 * 5];
        v[2 * 7 + 3] = 5.0;
        let mx = rank_filter(&v, 7, 5, 1, true);
        assert_eq!(mx[7 + 2], 5.0);
        assert_eq!(mx[3 * 7 + 4], 5.0);
        assert_eq!(mx[0], 0.0);
        let mn = rank_filter(&mx, 7, 5, 1, false);
        assert_eq!(mn[2 * 7 + 3], 5.0, "a closing keeps a 3x3 plateau");
    }

    #[test]
    fn the_side_is_certain_when_the_dark_class_cannot_be_skin() {
        // A greyish scalp under cool light with dark hair 20x darker: texture is asked
        // about the side unless the dark class is clearly greener than red (no skin is).
        let model = |hair: [f32; 3]| dark_model([0.64, 0.63, 0.6], hair);
        assert!(side_is_certain(&model([0.031, 0.04, 0.053]), 5.0));
        assert!(!side_is_certain(&model([0.04, 0.035, 0.03]), 5.0));
        // A skin-coloured scalp is certain either way; hair not dark enough is not.
        let warm = Model {
            skin: [0.7, 0.45, 0.3],
            ..model([0.04, 0.035, 0.03])
        };
        assert!(side_is_certain(&warm, 5.0));
        assert!(!side_is_certain(&model([0.2, 0.25, 0.3]), 5.0));
    }

    #[test]
    fn rank_filter_matches_the_square_taken_directly() {
        let (w, h) = (11, 6);
        let mut rng = crate::coverage::synth::Rng::new(3);
        let v: Vec<f32> = (0..w * h).map(|_| rng.next_f32()).collect();
        for r in 0..7 {
            for max in [true, false] {
                let got = rank_filter(&v, w, h, r, max);
                for y in 0..h {
                    for x in 0..w {
                        let mut want = v[y * w + x];
                        for yy in y.saturating_sub(r)..=(y + r).min(h - 1) {
                            for xx in x.saturating_sub(r)..=(x + r).min(w - 1) {
                                let u = v[yy * w + xx];
                                want = if max { want.max(u) } else { want.min(u) };
                            }
                        }
                        assert_eq!(got[y * w + x], want, "r {r} max {max} at ({x}, {y})");
                    }
                }
            }
        }
    }

    #[test]
    fn the_noise_lift_of_the_closing_is_measured_on_bare_skin() {
        // Bare skin with noise of sd 0.05 (ln luminance), a slow gradient and a few dark
        // strands: the measured lift is what a closing over 9x9 lifts the noise alone by,
        // and the strands and gradient do not change it.
        let (w, h) = (200, 200);
        let mut rng = crate::coverage::synth::Rng::new(5);
        let noise: Vec<f32> = (0..w * h).map(|_| 0.05 * rng.normal()).collect();
        let mut q: Vec<f32> = noise
            .iter()
            .enumerate()
            .map(|(i, n)| n + 0.3 * (i % w) as f32 / w as f32)
            .collect();
        for y in (0..h).step_by(25) {
            for v in &mut q[y * w..(y + 2) * w] {
                *v -= 1.0;
            }
        }
        let mask = vec![true; w * h];
        let r = LOCAL_RADIUS;
        let close = |v: &[f32]| rank_filter(&rank_filter(v, w, h, r, true), w, h, r, false);
        let mut lifted: Vec<f32> = close(&noise)
            .iter()
            .zip(&noise)
            .map(|(c, n)| c - n)
            .collect();
        let want = median(&mut lifted);
        let lift = closing_lift(&q, &close(&q), &mask, 0.5).expect("enough pixels");
        assert!(
            (lift - want).abs() < 0.15 * want,
            "lift {lift}, closing lifts {want}"
        );
        // Without noise there is nothing to take off.
        let flat = vec![0.0f32; w * h];
        assert_eq!(closing_lift(&flat, &flat, &mask, 0.5), None);
    }

    #[test]
    fn local_light_reads_bare_skin_under_shine_as_bare() {
        // Sparse dark strands on pale skin with a strong shine spot: with the local light,
        // bare skin under the shine reads as bare.
        let p = SynthParams {
            width: 200,
            height: 200,
            skin: Skin::II,
            hair: Hair::Black,
            density: 0.15,
            shine: 0.8,
            noise: 1.0,
            seed: 7,
            ..Default::default()
        };
        let s = render(&p);
        let (lin, mask, mut prep, model) = measure(&p);
        let fr = Frame {
            img: &lin,
            mask: &mask,
        };
        let skin_error = |prep: &Prepared| -> f64 {
            let a = alpha_map(&fr, prep, &model);
            let (mut sum, mut n) = (0.0f64, 0usize);
            for (i, &t) in s.alpha.iter().enumerate() {
                if t == 0.0 {
                    sum += f64::from(a[i]);
                    n += 1;
                }
            }
            sum / n as f64
        };
        let cov = mean_alpha_strided(&fr, &prep, &model, 2);
        prep.field = Some(local_light(&fr, &prep, &model, cov));
        let local = skin_error(&prep);
        assert!(
            local < 0.03,
            "bare skin reads {local:.3} hair with the local light"
        );
    }

    /// Two visits whose shares of pixels near the hair end lie either side of the threshold,
    /// both near it, choose their hair ends together; far apart, or with hair taken towards
    /// black, each keeps its own.
    #[test]
    fn two_visits_near_the_purity_threshold_choose_their_hair_end_together() {
        let (skin, mostly, extreme) = ([0.41, 0.197, 0.1], [0.63, 0.60, 0.57], [0.79, 0.77, 0.74]);
        let visit = |share: f32| {
            let resolved = share >= PURE_HAIR_PERCENT as f32 / 100.0;
            let (hair, other) = if resolved {
                (mostly, extreme)
            } else {
                (extreme, mostly)
            };
            Model {
                dark_hair: false,
                tone: resolved.then_some((0.18, 1.2)),
                purity: Some((share, other)),
                ..dark_model(skin, hair)
            }
        };
        // 6.2 and 5.9 %: the mean, 6.05 %, says "mostly hair" for both.
        let (mut a, mut b) = (visit(0.062), visit(0.059));
        share_purity(&mut a, &mut b);
        assert_eq!((a.hair, b.hair), (mostly, mostly));
        assert_eq!(b.purity, Some((0.059, extreme)));
        // 6.1 and 5.7 %: the mean says "the extreme" for both, read by one colour.
        let (mut a, mut b) = (visit(0.061), visit(0.057));
        share_purity(&mut a, &mut b);
        assert_eq!((a.hair, b.hair), (extreme, extreme));
        assert_eq!(a.tone, None);
        // 9 and 5.5 %: the hair differs; each keeps its own.
        let (mut a, mut b) = (visit(0.09), visit(0.055));
        share_purity(&mut a, &mut b);
        assert_eq!((a.hair, b.hair), (mostly, extreme));
        // Taken towards black: left to `share_reach`.
        let (mut a, mut b) = (visit(0.062), visit(0.059));
        b.hair_seen = Some(mostly);
        share_purity(&mut a, &mut b);
        assert_eq!((a.hair, b.hair), (mostly, extreme));
    }

    /// A visit that read grey strands by one hair colour takes the other visit's range of
    /// strand lightness in its own hair colour's multiples: the same strands, whatever hair
    /// colour each visit fitted (a no-change IV/grey pair read -3.3 pp when the multiples
    /// were copied as they were, the second visit's hair colour fitted 25 % lighter).
    #[test]
    fn a_shared_strand_lightness_range_keeps_the_strands_lightness() {
        let skin = [0.41, 0.197, 0.1];
        let model = |hair: [f32; 3], tone| Model {
            dark_hair: false,
            tone,
            ..dark_model(skin, hair)
        };
        let mut before = model([0.63, 0.60, 0.57], Some((0.18, 1.2)));
        let mut after = model([0.79, 0.77, 0.74], None);
        share_tone(&mut before, &mut after);
        assert_eq!(before.tone, Some((0.18, 1.2)));
        let (lo, hi) = after.tone.expect("shared");
        let bounds = |m: &Model, g: f32| luma(m.hair) * g;
        assert!((bounds(&after, lo) - bounds(&before, 0.18)).abs() < 1e-4);
        assert!((bounds(&after, hi) - bounds(&before, 1.2)).abs() < 1e-4);
        // Neither or both with a range: nothing to share.
        let mut a = model([0.63, 0.60, 0.57], None);
        let mut b = model([0.79, 0.77, 0.74], None);
        share_tone(&mut a, &mut b);
        assert_eq!((a.tone, b.tone), (None, None));
    }

    /// Shine is found where the skin shines, in the light's colour, and not on the same
    /// scalp without it.
    /// Dark strands on type V skin, with a highlight of strength `shine` (see
    /// `synth::render`: centred at (148, 102)).
    fn shiny_scalp(shine: f32) -> SynthParams {
        SynthParams {
            width: 256,
            height: 256,
            skin: Skin::V,
            hair: Hair::Black,
            strand_width: 1.5,
            density: 0.3,
            shine,
            noise: 1.5,
            seed: 11,
            ..Default::default()
        }
    }

    #[test]
    fn shine_is_found_where_the_skin_shines_and_only_there() {
        for shine in [0.8f32, 0.0] {
            let (lin, mask, prep, model) = measure(&shiny_scalp(shine));
            let fr = Frame {
                img: &lin,
                mask: &mask,
            };
            let found = shine_field(&fr, &prep, &model, None);
            if shine == 0.0 {
                assert!(found.is_none(), "shine found on a scalp without any");
                continue;
            }
            let sh = found.expect("the highlight is found");
            // The highlight's centre (see `synth::render`) and a corner far from it.
            let share_at = |x: f64, y: f64| sh.share[y as usize * lin.w + x as usize];
            let (cx, cy) = (128.0 + 256.0 * 0.08, 128.0 - 256.0 * 0.10);
            let (centre, corner) = (share_at(cx, cy), share_at(240.0, 240.0));
            assert!(
                centre > 0.3 && corner < 0.05,
                "share {centre} at the highlight, {corner} far from it"
            );
            // The light is white (no colour cast here).
            assert!(
                sh.light.iter().all(|&v| (v - 1.0 / 3.0).abs() < 0.04),
                "light {:?}",
                sh.light
            );
        }
    }

    /// A patch of skin whose colour shifts more than the shine's but darker (a tinted
    /// shadow, a red patch of skin) is not shine, and does not hide the shine elsewhere:
    /// which of the two came out most shifted used to decide, so ±1-level noise could
    /// switch the shine off on a real photo.
    #[test]
    fn a_darker_tinted_patch_does_not_hide_the_shine() {
        let s = render(&shiny_scalp(0.8));
        let (mut lin, _) = to_linear_reduced(&s.image, 1024);
        // The left third, tinted and darkened (the highlight is right of the centre).
        for y in 0..lin.h {
            for x in 0..lin.w / 3 {
                let i = y * lin.w + x;
                for (k, f) in [0.45f32, 0.6, 0.85].into_iter().enumerate() {
                    lin.c[k][i] *= f;
                }
            }
        }
        let mask = vec![true; lin.w * lin.h];
        let mut prep = [prepare(&lin)];
        let fr = Frame {
            img: &lin,
            mask: &mask,
        };
        let model = fit(std::slice::from_ref(&fr), &mut prep, None);
        let sh = shine_field(&fr, &prep[0], &model, None).expect("the highlight is found");
        let (cx, cy) = (128.0 + 256.0 * 0.08, 128.0 - 256.0 * 0.10);
        let share_at = |x: f64, y: f64| sh.share[y as usize * lin.w + x as usize];
        assert!(
            share_at(cx, cy) > 0.3 && share_at(20.0, 128.0) < 0.05,
            "share {} at the highlight, {} in the tinted patch",
            share_at(cx, cy),
            share_at(20.0, 128.0)
        );
    }

    #[test]
    fn taking_the_shine_off_leaves_the_photo_without_it() {
        let (lin, mask, mut prep, model) = measure(&shiny_scalp(0.8));
        let fr = Frame {
            img: &lin,
            mask: &mask,
        };
        prep.shine = shine_field(&fr, &prep, &model, None);
        let off = without_shine(&fr, &prep, &model).expect("there is shine to take off");
        let (plain, ..) = measure(&shiny_scalp(0.0));
        // Mean luminance over a square around the highlight's centre (see `synth::render`).
        let (cx, cy) = (128 + 20, 128 - 26);
        let around = |img: &Lin| {
            let mut sum = 0.0;
            for y in cy - 8..=cy + 8 {
                for x in cx - 8..=cx + 8 {
                    sum += img.luma(y * img.w + x);
                }
            }
            sum / 289.0
        };
        let (shiny, taken, without) = (around(&lin), around(&off), around(&plain));
        // Most of the light the shine added is gone (measured: 90 %), and no more than it.
        let gone = (shiny - taken) / (shiny - without);
        assert!(
            shiny > 3.0 * without,
            "the highlight: {shiny} against {without}"
        );
        assert!(
            (0.8..=1.05).contains(&gone),
            "{gone} of the shine taken off: {taken}; rendered without: {without}"
        );
        // Nothing changes where there is no shine.
        let sh = prep.shine.as_ref().expect("shine found");
        let untouched = (0..lin.w * lin.h).filter(|&i| sh.share[i] == 0.0);
        assert!(untouched.clone().count() > lin.w * lin.h / 2);
        assert!(untouched.into_iter().all(|i| off.px(i) == lin.px(i)));
    }

    #[test]
    fn texture_names_dark_strands_as_hair() {
        let p = SynthParams {
            width: 160,
            height: 160,
            skin: Skin::III,
            hair: Hair::Brown,
            strand_width: 2.0,
            density: 0.35,
            noise: 1.5,
            seed: 3,
            ..Default::default()
        };
        let (lin, mask, prep, model) = measure(&p);
        let fr = Frame {
            img: &lin,
            mask: &mask,
        };
        let alpha = alpha_map(&fr, &prep, &model);
        assert_eq!(texture_says_dark_hair(&fr, &alpha, &model), Some(true));
    }
}
