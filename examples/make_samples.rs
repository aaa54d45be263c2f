//! Makes the demo pair in `www/samples/` from one real photo: BEFORE is the
//! photo as it is; AFTER is a *simulated* follow-up of the same scalp: another
//! camera pose (rotation, zoom, shift), other light and white balance, and hair
//! painted back into the thinning crown.
//!
//! The shared photos are of different people, so two of them are never shown as
//! one patient. Run from the crate root:
//! `cargo run --release --example make_samples -- ../shared/photos/uze-hair-loss/topdown-stage4-2.jpg`
//! It writes `before.jpg`, `after.jpg` and `pair.json` (the true AFTER→BEFORE
//! transform, row-major 3x3, for alignment tests).

use std::error::Error;

use image::{ImageEncoder, RgbImage};

/// A small deterministic generator (xorshift64*), so the samples are reproducible.
struct Rng(u64);

impl Rng {
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }
}

fn luma(p: [f32; 3]) -> f32 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

fn main() -> Result<(), Box<dyn Error>> {
    let src = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/photos/uze-hair-loss/topdown-stage4-2.jpg".into());
    let out_dir = std::path::Path::new("www/samples");
    std::fs::create_dir_all(out_dir)?;
    let bytes = std::fs::read(&src)?;
    std::fs::write(out_dir.join("before.jpg"), &bytes)?;
    let (_, before) = scalp_compare::decode::decode(&bytes)?;
    let (w, h) = (before.width() as usize, before.height() as usize);
    let px = |x: usize, y: usize| -> [f32; 3] {
        let p = before.pixel(x as u32, y as u32);
        [f32::from(p[0]), f32::from(p[1]), f32::from(p[2])]
    };

    // 1. Paint hair back in where scalp shows through in the crown.
    let mut img: Vec<[f32; 3]> = (0..w * h).map(|i| px(i % w, i / w)).collect();
    let lumas: Vec<f32> = img.iter().map(|p| luma(*p)).collect();
    let mut sorted = lumas.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let (dark_lo, dark_hi) = (sorted[sorted.len() / 6], sorted[sorted.len() / 3]);
    let light = sorted[sorted.len() * 3 / 5];
    // Hair colour: the mean of the pixels between the 17th and 33rd percentile.
    let mut hair = [0f32; 3];
    let mut n = 0f32;
    for p in img
        .iter()
        .filter(|p| (dark_lo..=dark_hi).contains(&luma(**p)))
    {
        for c in 0..3 {
            hair[c] += p[c];
        }
        n += 1.0;
    }
    for c in &mut hair {
        *c /= n.max(1.0);
    }
    let (cx, cy) = (w as f64 * 0.5, h as f64 * 0.47);
    let crown_r = w.min(h) as f64 * 0.36;
    let mut rng = Rng(0x5ca1_9c0f_fee5_eed5);
    let mut painted = 0;
    while painted < 2600 {
        let x0 = rng.range(0.0, w as f64);
        let y0 = rng.range(0.0, h as f64);
        let r = ((x0 - cx).powi(2) + (y0 - cy).powi(2)).sqrt();
        if r > crown_r {
            continue;
        }
        // Grow strands where skin shows (bright), rarely over existing hair.
        let l = lumas[y0 as usize * w + x0 as usize];
        if l < light && rng.next_f64() > 0.15 {
            continue;
        }
        painted += 1;
        // Strands flow outwards from a whorl with a slight swirl.
        let base = (y0 - cy).atan2(x0 - cx) + 0.6 + rng.range(-0.35, 0.35);
        let len = rng.range(14.0, 34.0);
        let curl = rng.range(-0.02, 0.02);
        let width = rng.range(0.45, 0.85);
        let shade = rng.range(0.85, 1.25) as f32;
        let (mut x, mut y, mut a) = (x0, y0, base);
        let steps = (len * 2.0) as usize;
        for s in 0..steps {
            x += a.cos() * 0.5;
            y += a.sin() * 0.5;
            a += curl;
            // Tapered tip, soft edges: a pixel half covered counts half.
            let taper = 1.0 - s as f64 / steps as f64 * 0.6;
            let rad = width * taper;
            let (xi, yi) = (x.floor() as i64, y.floor() as i64);
            for yy in yi - 2..=yi + 2 {
                for xx in xi - 2..=xi + 2 {
                    if xx < 0 || yy < 0 || xx >= w as i64 || yy >= h as i64 {
                        continue;
                    }
                    let d = ((xx as f64 + 0.5 - x).powi(2) + (yy as f64 + 0.5 - y).powi(2)).sqrt();
                    let cover = ((rad - d + 0.5).clamp(0.0, 1.0) * 0.45) as f32;
                    if cover <= 0.0 {
                        continue;
                    }
                    let p = &mut img[yy as usize * w + xx as usize];
                    for c in 0..3 {
                        p[c] = p[c] * (1.0 - cover) + hair[c] * shade * cover;
                    }
                }
            }
        }
    }

    // 2. Another camera pose: AFTER pixel (u,v) shows BEFORE point T(u,v).
    let angle = 6f64.to_radians();
    let zoom = 1.12; // AFTER is taken closer: BEFORE distances look 1.12x larger.
    let s = 1.0 / zoom;
    let (c, sn) = (s * angle.cos(), s * angle.sin());
    let (ox, oy) = (w as f64 / 2.0, h as f64 / 2.0);
    let (shift_x, shift_y) = (5.0, -4.0);
    // T(u,v) = R*s*(p - o) + o + shift
    let tx = ox + shift_x - (c * ox - sn * oy);
    let ty = oy + shift_y - (sn * ox + c * oy);
    let matrix = [[c, -sn, tx], [sn, c, ty], [0.0, 0.0, 1.0]];

    let sample = |x: f64, y: f64| -> [f32; 3] {
        let fx = (x - 0.5).clamp(0.0, (w - 1) as f64);
        let fy = (y - 0.5).clamp(0.0, (h - 1) as f64);
        let (x0, y0) = (fx.floor() as usize, fy.floor() as usize);
        let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
        let (ax, ay) = ((fx - x0 as f64) as f32, (fy - y0 as f64) as f32);
        let mut out = [0f32; 3];
        for (c, o) in out.iter_mut().enumerate() {
            let top = img[y0 * w + x0][c] * (1.0 - ax) + img[y0 * w + x1][c] * ax;
            let bot = img[y1 * w + x0][c] * (1.0 - ax) + img[y1 * w + x1][c] * ax;
            *o = top * (1.0 - ay) + bot * ay;
        }
        out
    };

    // 3. Other light: warmer white balance and light falling from the left.
    let mut after = RgbImage::new(w as u32, h as u32);
    for (u, v, p) in after.enumerate_pixels_mut() {
        let (x, y) = (u as f64 + 0.5, v as f64 + 0.5);
        let bx = matrix[0][0] * x + matrix[0][1] * y + matrix[0][2];
        let by = matrix[1][0] * x + matrix[1][1] * y + matrix[1][2];
        let q = sample(bx, by);
        let light = (1.12 - 0.22 * x / w as f64) as f32;
        let gains = [1.08, 1.0, 0.88];
        for c in 0..3 {
            let lin = (q[c] / 255.0).powf(2.2) * gains[c] * light * light;
            p[c] = (lin.powf(1.0 / 2.2) * 255.0).round().clamp(0.0, 255.0) as u8;
        }
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90).write_image(
        after.as_raw(),
        w as u32,
        h as u32,
        image::ExtendedColorType::Rgb8,
    )?;
    std::fs::write(out_dir.join("after.jpg"), &jpeg)?;
    let pair = serde_json::json!({
        "before": "before.jpg",
        "after": "after.jpg",
        "source": src.rsplit('/').next(),
        "simulated": true,
        "after_to_before": matrix,
        "note": "AFTER is simulated from BEFORE: rotated 6 degrees, 1.12x closer, shifted, warmer light from the left, hair painted into the crown."
    });
    std::fs::write(
        out_dir.join("pair.json"),
        serde_json::to_string_pretty(&pair)?,
    )?;
    println!(
        "wrote {}/before.jpg, after.jpg, pair.json",
        out_dir.display()
    );
    Ok(())
}
