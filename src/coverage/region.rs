//! Internal: the automatic scalp region (the head against its background).
//!
//! A GrabCut-like loop without the graph cut: colour histograms of the centre (head) and the
//! border (background) with a centred spatial prior, the connected blob at the centre, holes
//! filled, then its convex hull. Bare scalp and hair both count as scalp.

use super::polygon::Polygon;
use super::work::{box_blur, linear_to_srgb, Lin};

const BINS: usize = 8;

fn bin(p: [f32; 3]) -> usize {
    let q = |v: f32| ((linear_to_srgb(v) * BINS as f32) as usize).min(BINS - 1);
    (q(p[0]) * BINS + q(p[1])) * BINS + q(p[2])
}

/// Block-averages a working image down so that its longer side is at most `max_side`.
fn shrink(img: &Lin, max_side: usize) -> (Lin, usize) {
    let f = img.w.max(img.h).div_ceil(max_side).max(1);
    let (w, h) = (img.w / f, img.h / f);
    let (w, h) = (w.max(1), h.max(1));
    let mut out = Lin::new(w, h);
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0.0f32; 3];
            let mut n = 0.0f32;
            for yy in y * f..((y + 1) * f).min(img.h) {
                for xx in x * f..((x + 1) * f).min(img.w) {
                    let p = img.px(yy * img.w + xx);
                    for k in 0..3 {
                        acc[k] += p[k];
                    }
                    n += 1.0;
                }
            }
            for k in 0..3 {
                out.c[k][y * w + x] = acc[k] / n.max(1.0);
            }
        }
    }
    (out, f)
}

/// Keeps the 4-connected component of `mask` containing the most of `seed`, and fills its holes.
fn central_blob(mask: &[bool], w: usize, h: usize, seed: &[bool]) -> Vec<bool> {
    let mut label = vec![0u32; w * h];
    let mut best = (0usize, 0u32);
    let mut next = 0u32;
    let mut stack = Vec::new();
    for start in 0..w * h {
        if !mask[start] || label[start] != 0 {
            continue;
        }
        next += 1;
        let mut seeded = 0usize;
        stack.push(start);
        label[start] = next;
        while let Some(i) = stack.pop() {
            if seed[i] {
                seeded += 1;
            }
            let (x, y) = (i % w, i / w);
            let mut push = |j: usize| {
                if mask[j] && label[j] == 0 {
                    label[j] = next;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < w {
                push(i + 1);
            }
            if y > 0 {
                push(i - w);
            }
            if y + 1 < h {
                push(i + w);
            }
        }
        if seeded > best.0 {
            best = (seeded, next);
        }
    }
    if best.1 == 0 {
        return vec![false; w * h];
    }
    let blob: Vec<bool> = label.iter().map(|&l| l == best.1).collect();
    // Fill holes: flood the outside from the border.
    let mut outside = vec![false; w * h];
    for i in 0..w * h {
        let (x, y) = (i % w, i / w);
        if (x == 0 || y == 0 || x + 1 == w || y + 1 == h) && !blob[i] {
            outside[i] = true;
            stack.push(i);
        }
    }
    while let Some(i) = stack.pop() {
        let (x, y) = (i % w, i / w);
        let mut go = |j: usize| {
            if !blob[j] && !outside[j] {
                outside[j] = true;
                stack.push(j);
            }
        };
        if x > 0 {
            go(i - 1);
        }
        if x + 1 < w {
            go(i + 1);
        }
        if y > 0 {
            go(i - w);
        }
        if y + 1 < h {
            go(i + w);
        }
    }
    outside.iter().map(|&o| !o).collect()
}

/// The head outline in the coordinates of `img` (a working image), or `None`.
pub(crate) fn auto_region(img: &Lin) -> Option<Polygon> {
    let (small, f) = shrink(img, 160);
    let (w, h) = (small.w, small.h);
    if w < 8 || h < 8 {
        return None;
    }
    let bins: Vec<usize> = (0..w * h).map(|i| bin(small.px(i))).collect();
    let radius = |i: usize| {
        let u = ((i % w) as f32 + 0.5) / w as f32 * 2.0 - 1.0;
        let v = ((i / w) as f32 + 0.5) / h as f32 * 2.0 - 1.0;
        (u * u + v * v).sqrt()
    };
    let prior: Vec<f32> = (0..w * h)
        .map(|i| 1.0 / (1.0 + (6.0 * (radius(i) - 0.85)).exp()))
        .collect();
    let seed: Vec<bool> = (0..w * h).map(|i| radius(i) < 0.35).collect();
    let bw = (w.min(h) / 16).max(1);
    let mut fg: Vec<bool> = seed.clone();
    let mut bg: Vec<bool> = (0..w * h)
        .map(|i| {
            let (x, y) = (i % w, i / w);
            x < bw || y < bw || x + bw >= w || y + bw >= h
        })
        .collect();
    let mut blob = seed.clone();
    for _ in 0..5 {
        let mut hf = vec![0.0f32; BINS * BINS * BINS];
        let mut hb = vec![0.0f32; BINS * BINS * BINS];
        let (mut nf, mut nb) = (0.0f32, 0.0f32);
        for i in 0..w * h {
            if fg[i] {
                hf[bins[i]] += 1.0;
                nf += 1.0;
            } else if bg[i] {
                hb[bins[i]] += 1.0;
                nb += 1.0;
            }
        }
        if nf < 1.0 || nb < 1.0 {
            break;
        }
        let prob: Vec<f32> = (0..w * h)
            .map(|i| {
                let pf = (hf[bins[i]] + 0.5) / nf * prior[i];
                let pb = (hb[bins[i]] + 0.5) / nb * (1.0 - prior[i]);
                pf / (pf + pb)
            })
            .collect();
        let mut smooth = Vec::new();
        box_blur(&prob, w, h, 2, &mut smooth);
        let mask: Vec<bool> = smooth.iter().map(|&p| p > 0.5).collect();
        blob = central_blob(&mask, w, h, &seed);
        fg = blob.clone();
        bg = blob.iter().map(|&b| !b).collect();
    }
    // Open with radius 2 (cut thin bridges to arms or shoulders), keep the central blob.
    let as_f: Vec<f32> = blob.iter().map(|&b| f32::from(u8::from(b))).collect();
    let mut e = Vec::new();
    box_blur(&as_f, w, h, 2, &mut e);
    let eroded: Vec<f32> = e.iter().map(|&v| f32::from(u8::from(v > 0.999))).collect();
    let mut d = Vec::new();
    box_blur(&eroded, w, h, 2, &mut d);
    let opened: Vec<bool> = d.iter().zip(&blob).map(|(&v, &b)| v > 0.001 && b).collect();
    let blob = central_blob(&opened, w, h, &seed);
    let count = blob.iter().filter(|&&b| b).count();
    if count < w * h / 50 {
        return None;
    }
    let mut pts = Vec::new();
    for y in 0..h {
        for x in 0..w {
            if blob[y * w + x] {
                let edge = x == 0
                    || y == 0
                    || x + 1 == w
                    || y + 1 == h
                    || !blob[y * w + x - 1]
                    || !blob[y * w + x + 1]
                    || !blob[(y - 1) * w + x]
                    || !blob[(y + 1) * w + x];
                if edge {
                    let s = f as f64;
                    pts.push((x as f64 * s, y as f64 * s));
                    pts.push(((x + 1) as f64 * s, y as f64 * s));
                    pts.push((x as f64 * s, (y + 1) as f64 * s));
                    pts.push(((x + 1) as f64 * s, (y + 1) as f64 * s));
                }
            }
        }
    }
    let hull = Polygon::convex_hull(pts);
    (hull.points.len() >= 3).then_some(hull)
}
