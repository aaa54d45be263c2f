//! Accuracy and speed of automatic alignment on synthetic pairs made from real scalp photos.
//!
//! Run: `cargo run --release --example eval_align [-- PAIRS_PER_LEVEL] [--photos DIR]...
//! [--write DIR]`. `--photos` adds other real photographs (any JPEG/PNG, reduced to 640 px);
//! `--write` saves every pair (PNG) with its true transform and this method's result in
//! `DIR/pairs.json`, for `bench/opencv_align.py` to run the peer method on the same pairs
//! (`cargo xtask bench-align` does all of it).
//!
//! Each pair is a real photo (BEFORE) and a copy warped by a random similarity (AFTER), with
//! lighting change, noise and JPEG re-encoding; the "hard" level also covers a fifth of AFTER
//! with dark strands. Error of a pair: mean distance over AFTER's four corners between the
//! estimated and true AFTER-to-BEFORE mapping, in BEFORE pixels; success when below 0.25% of
//! BEFORE's diagonal. Also: unrelated pairs (should be refused) and time per 12 MP pair.
//!
//! Environment switches for diagnosis: `VERBOSE` (one line per pair), `CLEAN` (no lighting,
//! noise or JPEG), `ONLY=LEVEL` (that level only; same pairs), `NOLIGHT`, `NOGROW` (no strands), `MIRROR` (mirror BEFORE beyond its border
//! instead of a flat fill), `NOROBUST` (no down-weighting of changed regions).

use scalp_compare::align::{AlignError, AlignOptions, Aligner, GreyRef};
use scalp_compare::geometry::Transform;
use std::time::Instant;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/photos/uze-hair-loss/"
);

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.next()
    }
    fn gauss(&mut self) -> f64 {
        let u = self.next().max(1e-12);
        let v = self.next();
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

fn load(path: &std::path::Path) -> (Vec<u8>, u32, u32) {
    let img = image::open(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_luma8();
    let (w, h) = img.dimensions();
    let img = if w.max(h) > 640 {
        let s = 640.0 / w.max(h) as f64;
        let (nw, nh) = ((w as f64 * s).round() as u32, (h as f64 * s).round() as u32);
        image::imageops::resize(&img, nw, nh, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    let (w, h) = img.dimensions();
    (img.into_raw(), w, h)
}

/// JPEG and PNG files in a folder, sorted.
fn photos_in(dir: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            matches!(ext, "jpg" | "jpeg" | "png")
        })
        .collect();
    v.sort();
    v
}

fn sample(src: &[u8], w: u32, h: u32, x: f64, y: f64) -> Option<f64> {
    let u = x - 0.5;
    let v = y - 0.5;
    if u < 0.0 || v < 0.0 || u > (w - 1) as f64 || v > (h - 1) as f64 {
        return None;
    }
    let x0 = (u as u32).min(w - 2);
    let y0 = (v as u32).min(h - 2);
    let fx = u - x0 as f64;
    let fy = v - y0 as f64;
    let p = |x: u32, y: u32| src[(y * w + x) as usize] as f64;
    let a = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
    let b = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
    Some(a * (1.0 - fy) + b * fy)
}

#[derive(Clone, Copy)]
struct Level {
    name: &'static str,
    rot_deg: f64,
    scale: (f64, f64),
    shift: f64,
    light: f64,
    overgrow: bool,
}

/// AFTER(x) = photometric(BEFORE(T x)) with T mapping AFTER to BEFORE.
fn synthesise(before: &[u8], w: u32, h: u32, t: &Transform, lv: &Level, rng: &mut Rng) -> Vec<u8> {
    let clean = std::env::var("CLEAN").is_ok();
    let gain = 1.0 + rng.range(-lv.light, lv.light);
    let offset = rng.range(-40.0, 40.0) * lv.light / 0.4;
    let grad = rng.range(-lv.light, lv.light) * 0.5;
    let mut out = vec![0u8; (w * h) as usize];
    for y in 0..h {
        for x in 0..w {
            let (bx, by) = t.apply(x as f64 + 0.5, y as f64 + 0.5);
            let v = if std::env::var("MIRROR").is_ok() {
                let m = |v: f64, n: f64| {
                    let p = v.rem_euclid(2.0 * n);
                    (if p > n { 2.0 * n - p } else { p }).clamp(0.5, n - 0.5)
                };
                sample(before, w, h, m(bx, w as f64), m(by, h as f64)).unwrap_or(90.0)
            } else {
                sample(before, w, h, bx, by).unwrap_or(90.0)
            };
            let g = gain * (1.0 + grad * (x as f64 / w as f64 - 0.5));
            let v = if clean || std::env::var("NOLIGHT").is_ok() {
                v
            } else {
                v * g + offset + 4.0 * rng.gauss()
            };
            out[(y * w + x) as usize] = v.round().clamp(0.0, 255.0) as u8;
        }
    }
    if lv.overgrow && std::env::var("NOGROW").is_err() {
        // Dark strands over a rectangle of a fifth of the area.
        let rw = (w as f64 * 0.447) as i64;
        let rh = (h as f64 * 0.447) as i64;
        let x0 = rng.range(0.0, (w as i64 - rw) as f64) as i64;
        let y0 = rng.range(0.0, (h as i64 - rh) as f64) as i64;
        for _ in 0..400 {
            let mut px = x0 as f64 + rng.range(0.0, rw as f64);
            let mut py = y0 as f64 + rng.range(0.0, rh as f64);
            let mut ang = rng.range(0.0, std::f64::consts::TAU);
            let dark = rng.range(10.0, 50.0);
            for _ in 0..60 {
                let (ix, iy) = (px as i64, py as i64);
                if ix >= x0 && ix < x0 + rw && iy >= y0 && iy < y0 + rh {
                    for (dx, dy) in [(0, 0), (1, 0), (0, 1)] {
                        let (qx, qy) = (ix + dx, iy + dy);
                        if qx < w as i64 && qy < h as i64 {
                            out[(qy as u32 * w + qx as u32) as usize] = dark as u8;
                        }
                    }
                }
                ang += rng.range(-0.15, 0.15);
                px += ang.cos();
                py += ang.sin();
            }
        }
    }
    if clean {
        return out;
    }
    // JPEG round trip at quality 80.
    let mut buf = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 80);
    let img = image::GrayImage::from_raw(w, h, out.clone()).expect("size");
    if img.write_with_encoder(enc).is_ok() {
        if let Ok(d) = image::load_from_memory(&buf) {
            return d.to_luma8().into_raw();
        }
    }
    out
}

fn random_transform(w: u32, h: u32, lv: &Level, rng: &mut Rng) -> Transform {
    let (cx, cy) = (w as f64 / 2.0, h as f64 / 2.0);
    let ang = rng.range(-lv.rot_deg, lv.rot_deg).to_radians();
    let s = rng.range(lv.scale.0, lv.scale.1);
    let tx = rng.range(-lv.shift, lv.shift) * w as f64;
    let ty = rng.range(-lv.shift, lv.shift) * h as f64;
    Transform::translate(tx, ty) * Transform::similarity_about(s, ang, cx, cy)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut pairs = 30usize;
    let mut paths = photos_in(DIR);
    let mut write: Option<std::path::PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--photos" => paths.extend(photos_in(it.next().expect("--photos DIR"))),
            "--write" => write = Some(it.next().expect("--write DIR").into()),
            n => pairs = n.parse().expect("PAIRS_PER_LEVEL is a number"),
        }
    }
    if let Some(dir) = &write {
        std::fs::create_dir_all(dir).expect("output folder");
    }
    let photos: Vec<(Vec<u8>, u32, u32)> = paths.iter().map(|p| load(p)).collect();
    println!(
        "{} photos ({} scalp photos + others), {pairs} pairs per level",
        photos.len(),
        photos_in(DIR).len()
    );
    let mut written = Vec::new();
    let levels = [
        Level {
            name: "easy",
            rot_deg: 5.0,
            scale: (0.95, 1.05),
            shift: 0.03,
            light: 0.1,
            overgrow: false,
        },
        Level {
            name: "medium",
            rot_deg: 15.0,
            scale: (0.85, 1.2),
            shift: 0.08,
            light: 0.25,
            overgrow: false,
        },
        Level {
            name: "hard",
            rot_deg: 30.0,
            scale: (0.75, 1.35),
            shift: 0.15,
            light: 0.4,
            overgrow: true,
        },
    ];
    let mut aligner = Aligner::new(AlignOptions {
        robust: std::env::var("NOROBUST").is_err(),
        ..AlignOptions::default()
    });
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let only = std::env::var("ONLY").ok();
    for lv in &levels {
        let skip = only.as_deref().is_some_and(|o| o != lv.name);
        let mut errs = Vec::new();
        let mut ok = 0;
        let mut refused = 0;
        let mut confs = Vec::new();
        let mut time = 0.0;
        for i in 0..pairs {
            let (b, w, h) = &photos[i % photos.len()];
            let t = random_transform(*w, *h, lv, &mut rng);
            let a = synthesise(b, *w, *h, &t, lv, &mut rng);
            let diag = (*w as f64).hypot(*h as f64);
            if skip {
                continue;
            }
            let start = Instant::now();
            let res = aligner.align(
                GreyRef::new(b, *w, *h).expect("before"),
                GreyRef::new(&a, *w, *h).expect("after"),
            );
            let took = start.elapsed().as_secs_f64();
            time += took;
            let (est, conf) = match &res {
                Ok(al) => (al.transform, al.confidence),
                Err(AlignError::Unreliable {
                    confidence,
                    best_guess,
                }) => {
                    refused += 1;
                    (*best_guess, *confidence)
                }
                Err(e) => panic!("{e}"),
            };
            let err = est.mean_corner_distance(&t, *w as f64, *h as f64);
            let success = res.is_ok() && err < 0.0025 * diag;
            if success {
                ok += 1;
            }
            if let Some(dir) = &write {
                let name = |side: &str| format!("{}-{i:03}-{side}.png", lv.name);
                let save = |data: &[u8], file: &str| {
                    image::GrayImage::from_raw(*w, *h, data.to_vec())
                        .expect("size")
                        .save(dir.join(file))
                        .expect("write pair");
                };
                save(b, &name("before"));
                save(&a, &name("after"));
                written.push(serde_json::json!({
                    "level": lv.name,
                    "before": name("before"),
                    "after": name("after"),
                    "width": w,
                    "height": h,
                    "truth": t.matrix,
                    "ours": {
                        "success": success,
                        "error_px": if res.is_ok() { Some(err) } else { None },
                        "ms": took * 1000.0,
                    },
                }));
            }
            if std::env::var("VERBOSE").is_ok() {
                println!(
                    "  {} #{i}: rot {:+.1} scale {:.3} shift ({:+.0},{:+.0}) -> err {err:.3} px conf {conf:.2}",
                    lv.name,
                    t.rotation_deg(),
                    t.scale_factor(),
                    t.translation().0,
                    t.translation().1
                );
            }
            errs.push(err);
            confs.push(conf);
        }
        if skip {
            continue;
        }
        let med = median(&mut errs.clone());
        let worst = errs.iter().cloned().fold(0.0, f64::max);
        println!(
            "{:>7}: success {ok}/{pairs}, refused {refused}, median corner error {med:.3} px, worst {worst:.2} px, median confidence {:.2}, {:.0} ms/pair",
            lv.name,
            median(&mut confs),
            1000.0 * time / pairs as f64
        );
    }
    if let Some(dir) = &write {
        let text = serde_json::to_string_pretty(&written).expect("json");
        std::fs::write(dir.join("pairs.json"), text).expect("write pairs.json");
    }
    if only.is_some() {
        return;
    }
    // Unrelated photos.
    let mut refused = 0;
    let mut confs = Vec::new();
    let n_unrel = pairs.min(photos.len() - 1);
    for i in 0..n_unrel {
        let (b, w, h) = &photos[i];
        let (a, aw, ah) = &photos[(i * 7 + 5) % photos.len()];
        if std::ptr::eq(a, b) {
            continue;
        }
        match aligner.align(
            GreyRef::new(b, *w, *h).expect("b"),
            GreyRef::new(a, *aw, *ah).expect("a"),
        ) {
            Ok(al) => confs.push(al.confidence),
            Err(AlignError::Unreliable { confidence, .. }) => {
                refused += 1;
                confs.push(confidence)
            }
            Err(e) => panic!("{e}"),
        }
    }
    let maxc = confs.iter().cloned().fold(0.0, f64::max);
    println!(
        "unrelated: refused {refused}/{}, median confidence {:.2}, max {maxc:.2}",
        confs.len(),
        median(&mut confs)
    );
    // A 12 MP pair: 4000x3000, made by upscaling a photo (timing only).
    let (b, w, h) = &photos[0];
    let big = |src: &[u8], t: &Transform| -> Vec<u8> {
        let (bw, bh) = (4000u32, 3000u32);
        let mut out = vec![0u8; (bw * bh) as usize];
        for y in 0..bh {
            for x in 0..bw {
                let (ax, ay) = t.apply(x as f64 + 0.5, y as f64 + 0.5);
                let (sx, sy) = (ax * *w as f64 / bw as f64, ay * *h as f64 / bh as f64);
                out[(y * bw + x) as usize] = sample(src, *w, *h, sx, sy).unwrap_or(90.0) as u8;
            }
        }
        out
    };
    let t = Transform::similarity_about(1.1, 0.2, 2000.0, 1500.0);
    let big_b = big(b, &Transform::identity());
    let big_a = big(b, &t);
    let start = Instant::now();
    let res = aligner.align(
        GreyRef::new(&big_b, 4000, 3000).expect("b"),
        GreyRef::new(&big_a, 4000, 3000).expect("a"),
    );
    let el = start.elapsed().as_secs_f64();
    let err = match &res {
        Ok(a) => a.transform.mean_corner_distance(&t, 4000.0, 3000.0),
        Err(_) => f64::NAN,
    };
    println!(
        "12 MP pair: {:.0} ms, corner error {err:.2} px (of 5000 px diagonal)",
        el * 1000.0
    );
}
