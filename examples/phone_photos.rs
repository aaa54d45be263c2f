//! Writes rendered 12 MP scalp photos with known coverage as JPEG files (quality 92, as a
//! phone saves them), with `truth.json` beside them: each photo's true coverage, its scalp
//! region, and what the native analysis (the CLI's path: the whole decoded JPEG) reads.
//! `tests/e2e/bench-coverage-browser.mjs` then measures the same files the way the browser
//! does, so the two can be compared on the same bytes.
//!
//! Run: `cargo run --release --example phone_photos -- DIR [COUNT]`

use std::fmt::Write as _;
use std::path::PathBuf;

use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;
use scalp_compare::coverage::synth::{render, Hair, Rng, Skin, SynthParams};
use scalp_compare::coverage::{Analyzer, CoverageOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "bench-out/phone".into()));
    let count: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(12);
    std::fs::create_dir_all(&dir).expect("the output folder can be made");
    let mut analyzer = Analyzer::new(CoverageOptions::default());
    let mut rng = Rng::new(4000);
    let mut json = String::from("[\n");
    for k in 0..count {
        let skin = Skin::ALL[k % 6];
        let hair = Hair::ALL[(k * 5 + k / 6) % 6];
        let head = k % 2 == 1;
        let p = SynthParams::phone_like(
            &mut rng,
            4000,
            3000,
            skin,
            hair,
            head,
            2.5,
            200.0,
            8000 + k as u64,
        );
        let s = render(&p);
        let file = format!("{k:02}-{skin:?}-{hair:?}.jpg").to_lowercase();
        let mut bytes = Vec::new();
        let rgb: Vec<u8> = s
            .image
            .as_bytes()
            .chunks_exact(4)
            .flat_map(|px| [px[0], px[1], px[2]])
            .collect();
        JpegEncoder::new_with_quality(&mut bytes, 92)
            .encode(&rgb, p.width, p.height, ExtendedColorType::Rgb8)
            .expect("the photo encodes");
        std::fs::write(dir.join(&file), &bytes).expect("the photo is written");
        // The native reading, on the decoded JPEG (the same bytes the browser gets).
        let (_, decoded) = scalp_compare::decode::decode(&bytes).expect("the JPEG decodes");
        let native = match analyzer.coverage(&decoded, Some(&s.region)) {
            Ok(c) => format!(
                "{{\"coverage\": {:.5}, \"uncertainty\": {:.5}}}",
                c.coverage, c.uncertainty
            ),
            Err(e) => format!("{{\"error\": {:?}}}", e.to_string()),
        };
        let region = s
            .region
            .points
            .iter()
            .map(|(x, y)| format!("[{x:.1}, {y:.1}]"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            json,
            "  {{\"file\": {file:?}, \"skin\": \"{skin:?}\", \"hair\": \"{hair:?}\", \"head\": {head}, \"strand_width\": {:.2}, \"truth\": {:.5}, \"region\": [{region}], \"native\": {native}}}{}",
            p.strand_width,
            s.truth,
            if k + 1 < count { "," } else { "" }
        );
        eprintln!("{file}: truth {:.1} %, native {native}", 100.0 * s.truth);
    }
    json.push_str("]\n");
    std::fs::write(dir.join("truth.json"), json).expect("truth.json is written");
}
