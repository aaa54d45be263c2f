//! Accuracy evaluation of hair coverage on synthetic photos with known coverage, on change
//! pairs, and on 24 real photos labelled with a baldness stage; the naive Otsu baseline side
//! by side; and the time for a 12 MP photo.
//!
//! Run: `cargo run --release --example eval_coverage`

use std::time::Instant;

use scalp_compare::coverage::synth::{render, Hair, Rng, Skin, SynthParams};
use scalp_compare::coverage::{otsu_baseline, Analyzer, CoverageOptions, Polygon};
use scalp_compare::RgbaImage;

#[path = "../tests/common/stats.rs"]
mod stats;
use stats::spearman;

/// The scenes rendered for every skin x hair combination.
fn scenes(skin: Skin, hair: Hair, seed: u64) -> Vec<SynthParams> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for k in 0..6 {
        let head = k >= 3;
        let wb = [
            1.0 + 0.15 * rng.normal().clamp(-1.5, 1.5),
            1.0,
            1.0 + 0.15 * rng.normal().clamp(-1.5, 1.5),
        ];
        out.push(SynthParams {
            width: if head { 384 } else { 256 },
            height: if head { 384 } else { 256 },
            skin,
            hair,
            strand_width: [3.0, 1.5, 0.8, 1.2, 1.0, 2.0][k],
            strand_length: [60.0, 40.0, 30.0, 40.0, 35.0, 50.0][k],
            density: 0.1 + 0.8 * rng.next_f32(),
            bald_patch: (k % 2 == 1).then_some((0.5, 0.45, 0.25, 0.1 * rng.next_f32())),
            light_gradient: 0.35 * rng.next_f32(),
            light_angle: rng.next_f32() * std::f32::consts::TAU,
            exposure: 0.8 + 0.4 * rng.next_f32(),
            shine: if k == 4 || k == 1 { 0.8 } else { 0.0 },
            white_balance: wb,
            blur: [0.0, 0.7, 0.0, 0.5, 0.0, 1.0][k],
            noise: 1.0 + 2.0 * rng.next_f32(),
            head,
            offset: (0.0, 0.0),
            seed: seed * 31 + k as u64,
        });
    }
    out
}

fn upscale(img: &RgbaImage, w: u32, h: u32) -> RgbaImage {
    let mut data = Vec::with_capacity(w as usize * h as usize * 4);
    for y in 0..h {
        let sy = (u64::from(y) * u64::from(img.height()) / u64::from(h)) as u32;
        for x in 0..w {
            let sx = (u64::from(x) * u64::from(img.width()) / u64::from(w)) as u32;
            data.extend_from_slice(&img.pixel(sx, sy));
        }
    }
    RgbaImage::from_raw(w, h, data).expect("size is consistent")
}

/// A copy a third the size, each pixel the mean of a 3x3 block of sRGB values (as a
/// browser canvas scales).
fn srgb_third(img: &RgbaImage) -> RgbaImage {
    let (w, h) = (img.width() / 3, img.height() / 3);
    let mut data = Vec::with_capacity(w as usize * h as usize * 4);
    for y in 0..h {
        for x in 0..w {
            let mut acc = [0u32; 3];
            for dy in 0..3 {
                for dx in 0..3 {
                    let p = img.pixel(x * 3 + dx, y * 3 + dy);
                    for k in 0..3 {
                        acc[k] += u32::from(p[k]);
                    }
                }
            }
            data.extend_from_slice(&[
                ((acc[0] + 4) / 9) as u8,
                ((acc[1] + 4) / 9) as u8,
                ((acc[2] + 4) / 9) as u8,
                255,
            ]);
        }
    }
    RgbaImage::from_raw(w, h, data).expect("size is consistent")
}

/// A BEFORE/AFTER pair of close-ups (AFTER shifted by a few pixels, relit when `relight`),
/// the matrix taking AFTER to BEFORE, the region, and the true change in points.
fn render_pair(
    skin: Skin,
    hair: Hair,
    d_before: f32,
    d_after: f32,
    relight: bool,
    seed: u64,
    rng: &mut Rng,
) -> (
    scalp_compare::coverage::synth::SynthImage,
    scalp_compare::coverage::synth::SynthImage,
    [[f64; 3]; 3],
    Polygon,
    f64,
) {
    let base = SynthParams {
        width: 320,
        height: 320,
        skin,
        hair,
        strand_width: 1.5,
        strand_length: 40.0,
        density: d_before,
        noise: 1.5,
        seed,
        ..Default::default()
    };
    let before = render(&base);
    let shift = (
        rng.next_f32() as f64 * 6.0 - 3.0,
        rng.next_f32() as f64 * 6.0 - 3.0,
    );
    let after_p = SynthParams {
        density: d_after,
        offset: shift,
        light_gradient: if relight { 0.3 } else { 0.0 },
        light_angle: 1.0,
        exposure: if relight { 1.25 } else { 1.0 },
        white_balance: if relight { [1.15, 1.0, 0.85] } else { [1.0; 3] },
        shine: if relight { 0.4 } else { 0.0 },
        seed,
        ..base.clone()
    };
    let after = render(&after_p);
    // AFTER pixel p sees world p + shift = BEFORE pixel p + shift.
    let m = [[1.0, 0.0, shift.0], [0.0, 1.0, shift.1], [0.0, 0.0, 1.0]];
    let region = Polygon::rectangle(20.0, 20.0, 300.0, 300.0);
    // Truth over the region: before alpha directly; after alpha seen through the shift.
    let mask = region.rasterize(320, 320);
    let mut tb = 0.0;
    let mut ta = 0.0;
    let mut n = 0.0;
    for y in 0..320usize {
        for x in 0..320usize {
            if !mask[y * 320 + x] {
                continue;
            }
            tb += f64::from(before.alpha[y * 320 + x]);
            let ax = (x as f64 - shift.0).round() as usize;
            let ay = (y as f64 - shift.1).round() as usize;
            ta += f64::from(after.alpha[ay.min(319) * 320 + ax.min(319)]);
            n += 1.0;
        }
    }
    let truth = 100.0 * (ta - tb) / n;
    (before, after, m, region, truth)
}

fn main() {
    let verbose = std::env::args().any(|a| a == "-v");
    let mut analyzer = Analyzer::new(CoverageOptions::default());
    println!("Synthetic photos with known coverage (6 scenes per combination: 3 close-ups, 3 head views;");
    println!(
        "lighting gradients, white balance, shine, blur, noise). Errors in percentage points.\n"
    );
    println!(
        "{:<6} {:<7} | {:>7} {:>7} {:>6} {:>7} | {:>9} {:>9}",
        "skin", "hair", "MAE", "worst", "unc", "refused", "Otsu MAE", "Otsu wst"
    );
    let mut all_err = Vec::new();
    let mut all_otsu = Vec::new();
    let mut refusals = 0;
    // How often the error is within the stated uncertainty (once and twice).
    let (mut within1, mut within2) = (0usize, 0usize);
    let mut worst_combo = (0.0f64, String::new());
    let mut combo_maes = Vec::new();
    // (true coverage, signed error) of every photo given a number, in points.
    let mut signed: Vec<(f64, f64)> = Vec::new();
    for (si, skin) in Skin::ALL.iter().enumerate() {
        for (hi, hair) in Hair::ALL.iter().enumerate() {
            let mut errs = Vec::new();
            let mut otsu = Vec::new();
            let mut uncs = Vec::new();
            for p in scenes(*skin, *hair, (si * 10 + hi + 1) as u64) {
                let s = render(&p);
                match analyzer.coverage(&s.image, Some(&s.region)) {
                    Ok(c) => {
                        let e = 100.0 * (c.coverage - s.truth);
                        if verbose {
                            println!(
                                "   {:?} {:?} w{} head{} truth {:.1} got {:.1} err {:+.1} unc {:.1}",
                                skin,
                                hair,
                                p.strand_width,
                                p.head,
                                100.0 * s.truth,
                                100.0 * c.coverage,
                                e,
                                100.0 * c.uncertainty
                            );
                        }
                        errs.push(e.abs());
                        signed.push((100.0 * s.truth, e));
                        uncs.push(100.0 * c.uncertainty);
                        within1 += usize::from(e.abs() <= 100.0 * c.uncertainty);
                        within2 += usize::from(e.abs() <= 200.0 * c.uncertainty);
                    }
                    Err(e) => {
                        refusals += 1;
                        if verbose {
                            println!(
                                "   {skin:?} {hair:?} w{} head{} truth {:.1} refused: {e}",
                                p.strand_width,
                                p.head,
                                100.0 * s.truth
                            );
                        }
                    }
                }
                if let Some(o) = otsu_baseline(&s.image, &s.region) {
                    otsu.push((100.0 * (o - s.truth)).abs());
                }
            }
            let mae = errs.iter().sum::<f64>() / errs.len().max(1) as f64;
            let worst = errs.iter().cloned().fold(0.0, f64::max);
            let omae = otsu.iter().sum::<f64>() / otsu.len().max(1) as f64;
            let oworst = otsu.iter().cloned().fold(0.0, f64::max);
            let unc = uncs.iter().sum::<f64>() / uncs.len().max(1) as f64;
            println!(
                "{:<6} {:<7} | {:>7.2} {:>7.2} {:>6.2} {:>7} | {:>9.2} {:>9.2}",
                format!("{skin:?}"),
                format!("{hair:?}"),
                mae,
                worst,
                unc,
                format!("{}/6", 6 - errs.len()),
                omae,
                oworst
            );
            if worst > worst_combo.0 {
                worst_combo = (worst, format!("{skin:?}/{hair:?}"));
            }
            combo_maes.push(mae);
            all_err.extend(errs);
            all_otsu.extend(otsu);
        }
    }
    let mae = all_err.iter().sum::<f64>() / all_err.len().max(1) as f64;
    let worst = all_err.iter().cloned().fold(0.0, f64::max);
    let omae = all_otsu.iter().sum::<f64>() / all_otsu.len().max(1) as f64;
    let oworst = all_otsu.iter().cloned().fold(0.0, f64::max);
    println!(
        "\nALL {} photos: MAE {:.2} pp, worst {:.2} pp ({}), worst combination MAE {:.2} pp; refused {}",
        all_err.len(),
        mae,
        worst,
        worst_combo.1,
        combo_maes.iter().cloned().fold(0.0, f64::max),
        refusals
    );
    println!("Otsu baseline: MAE {omae:.2} pp, worst {oworst:.2} pp");
    let measured = all_err.len().max(1) as f64;
    println!(
        "Honesty: the error is within the stated uncertainty for {:.0} % of the photos, within twice it for {:.0} %",
        100.0 * within1 as f64 / measured,
        100.0 * within2 as f64 / measured
    );

    // Where the error comes from: the mean signed error by true coverage shows readings
    // pulled towards the middle (thin hair read high, dense hair read low).
    println!("By true coverage (mean signed error = bias):");
    for (lo, hi) in [
        (0.0, 20.0),
        (20.0, 35.0),
        (35.0, 50.0),
        (50.0, 65.0),
        (65.0, 101.0),
    ] {
        let band: Vec<f64> = signed
            .iter()
            .filter(|(t, _)| (lo..hi).contains(t))
            .map(|&(_, e)| e)
            .collect();
        let n = band.len().max(1) as f64;
        println!(
            "  {:>3.0}-{:<3.0} % : {:>3} photos, bias {:+6.2} pp, MAE {:5.2} pp",
            lo,
            hi.min(100.0),
            band.len(),
            band.iter().sum::<f64>() / n,
            band.iter().map(|e| e.abs()).sum::<f64>() / n
        );
    }

    // Phone-size photos: strands a few pixels wide at full size, blended with skin in the
    // reduced working copy.
    println!("\nPhone-size photos (3072 px square, worked on at 1024 px; strands 2-4 px wide at full size).");
    println!("Colours fitted on full-resolution tiles (the default), on the reduced copy only, and as the browser");
    println!(
        "measured before this change: a 1024 px copy averaged in sRGB values (a canvas), alone:"
    );
    println!(
        "{:<14} {:>5} {:>6} | {:>8} {:>6} | {:>8} {:>6} | {:>8}",
        "photo", "w", "truth", "tiles", "unc", "reduced", "unc", "canvas"
    );
    let mut reduced_only = Analyzer::new(CoverageOptions {
        full_resolution_colours: false,
        ..CoverageOptions::default()
    });
    let (mut big_err, mut big_err_old) = (Vec::new(), Vec::new());
    let (mut big_err_canvas, mut big_refused_canvas) = (Vec::new(), 0usize);
    // Errors on the photos all three ways give a number for: tiles, reduced copy, canvas.
    let mut common: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let (mut big_within, mut big_refused, mut big_refused_old) = (0usize, 0usize, 0usize);
    let mut rng = Rng::new(2026);
    for (si, skin) in Skin::ALL.iter().enumerate() {
        for j in 0..4 {
            let hair = Hair::ALL[(si + 3 * j + j / 2) % 6];
            let head = (si + j) % 2 == 1;
            let p = SynthParams::phone_like(
                &mut rng,
                3072,
                3072,
                *skin,
                hair,
                head,
                2.0,
                150.0,
                7000 + (si * 4 + j) as u64,
            );
            let s = render(&p);
            let show = |r: &Result<scalp_compare::coverage::Coverage, _>| match r {
                Ok(c) => (
                    format!("{:+.1}", 100.0 * (c.coverage - s.truth)),
                    format!("{:.1}", 100.0 * c.uncertainty),
                ),
                Err(_) => ("refused".to_string(), "-".to_string()),
            };
            let new = analyzer.coverage(&s.image, Some(&s.region));
            let old = reduced_only.coverage(&s.image, Some(&s.region));
            let canvas =
                analyzer.coverage(&srgb_third(&s.image), Some(&s.region.scaled(1.0 / 3.0)));
            let (a, au) = show(&new);
            let (b, bu) = show(&old);
            let (c, _) = show(&canvas);
            println!(
                "{:<14} {:>5.1} {:>6.1} | {:>8} {:>6} | {:>8} {:>6} | {:>8}",
                format!("{skin:?}/{hair:?}"),
                p.strand_width,
                100.0 * s.truth,
                a,
                au,
                b,
                bu,
                c
            );
            match &canvas {
                Ok(c) => big_err_canvas.push((100.0 * (c.coverage - s.truth)).abs()),
                Err(_) => big_refused_canvas += 1,
            }
            if let (Ok(a), Ok(b), Ok(c)) = (&new, &old, &canvas) {
                for (k, r) in [a, b, c].iter().enumerate() {
                    common[k].push((100.0 * (r.coverage - s.truth)).abs());
                }
            }
            match new {
                Ok(c) => {
                    let e = (100.0 * (c.coverage - s.truth)).abs();
                    big_within += usize::from(e <= 100.0 * c.uncertainty);
                    big_err.push(e);
                }
                Err(_) => big_refused += 1,
            }
            match old {
                Ok(c) => big_err_old.push((100.0 * (c.coverage - s.truth)).abs()),
                Err(_) => big_refused_old += 1,
            }
        }
    }
    let mae = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let worst = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
    println!(
        "phone-size: tiles MAE {:.2} pp, worst {:.2} over {} ({} refused; within the stated uncertainty {}/{}); reduced copy only MAE {:.2} pp, worst {:.2} over {} ({} refused)",
        mae(&big_err),
        worst(&big_err),
        big_err.len(),
        big_refused,
        big_within,
        big_err.len(),
        mae(&big_err_old),
        worst(&big_err_old),
        big_err_old.len(),
        big_refused_old
    );
    println!(
        "phone-size, the browser's old canvas copy alone: MAE {:.2} pp, worst {:.2} over {} ({} refused)",
        mae(&big_err_canvas),
        worst(&big_err_canvas),
        big_err_canvas.len(),
        big_refused_canvas
    );
    println!(
        "phone-size, over the {} photos all three give a number for: tiles MAE {:.2} pp, reduced copy {:.2} pp, canvas copy {:.2} pp",
        common[0].len(),
        mae(&common[0]),
        mae(&common[1]),
        mae(&common[2])
    );

    // Change pairs.
    println!("\nChange pairs (AFTER shifted by a few pixels, warped back):");
    println!(
        "{:<26} | {:>8} {:>8} {:>8} {:>7} | {:>8}",
        "pair", "true pp", "got pp", "err pp", "unc", "Otsu err"
    );
    let mut cerr = Vec::new();
    let mut cotsu = Vec::new();
    let (mut cwithin, mut cright) = (0usize, 0usize);
    let mut rng = Rng::new(99);
    for (i, (name, d_before, d_after, relight)) in [
        ("regrowth", 0.35f32, 0.50f32, false),
        ("further loss", 0.55, 0.40, false),
        ("no change, other light", 0.45, 0.45, true),
        ("small regrowth", 0.30, 0.34, true),
        ("no change, other light", 0.20, 0.20, true),
        ("loss, other light", 0.70, 0.55, true),
    ]
    .iter()
    .enumerate()
    {
        let skin = Skin::ALL[i % 6];
        let hair = [
            Hair::Black,
            Hair::Brown,
            Hair::Blond,
            Hair::Grey,
            Hair::Auburn,
            Hair::White,
        ][i];
        let (before, after, m, region, truth) = render_pair(
            skin,
            hair,
            *d_before,
            *d_after,
            *relight,
            500 + i as u64,
            &mut rng,
        );
        match analyzer.change(&before.image, &after.image, m, Some(&region)) {
            Ok(c) => {
                let e = c.change_pp - truth;
                let ob = otsu_baseline(&before.image, &region).unwrap_or(0.0);
                let oa = otsu_baseline(&after.image, &region).unwrap_or(0.0);
                let oe = 100.0 * (oa - ob) - truth;
                println!(
                    "{:<26} | {:>8.2} {:>8.2} {:>8.2} {:>7.2} | {:>8.2}",
                    format!("{name} ({skin:?}/{hair:?})"),
                    truth,
                    c.change_pp,
                    e,
                    c.change_uncertainty_pp,
                    oe
                );
                cerr.push(e.abs());
                cotsu.push(oe.abs());
                cwithin += usize::from(e.abs() <= c.change_uncertainty_pp);
                cright += usize::from(truth.abs() < 1.0 || (truth > 0.0) == (c.change_pp > 0.0));
            }
            Err(e) => println!("{name}: refused: {e}"),
        }
    }
    println!(
        "change MAE {:.2} pp, worst {:.2} pp; Otsu change MAE {:.2} pp",
        cerr.iter().sum::<f64>() / cerr.len().max(1) as f64,
        cerr.iter().cloned().fold(0.0, f64::max),
        cotsu.iter().sum::<f64>() / cotsu.len().max(1) as f64
    );
    println!(
        "change within its stated uncertainty: {cwithin}/{}; direction right (or |truth| < 1 pp): {cright}/{}",
        cerr.len(),
        cerr.len()
    );

    // A pair for every skin x hair combination: regrowth, loss and no change, half of
    // them relit (other exposure, white balance, gradient and shine at the second visit).
    println!("\nChange pairs over all 36 skin x hair combinations (close-ups, half relit):");
    let mut rng = Rng::new(4242);
    let (mut serr, mut srefused, mut sright, mut swithin) = (Vec::new(), 0usize, 0usize, 0usize);
    let mut sotsu = Vec::new();
    let (mut nochange_n, mut nochange_in) = (0usize, 0usize);
    for (si, skin) in Skin::ALL.iter().enumerate() {
        for (hi, hair) in Hair::ALL.iter().enumerate() {
            let k = si * 6 + hi;
            let d_before = 0.15 + 0.6 * rng.next_f32();
            let delta = [-0.15f32, -0.05, 0.0, 0.05, 0.15][k % 5];
            let relight = k % 2 == 1;
            let seed = 9000 + k as u64;
            let (before, after, m, region, truth) = render_pair(
                *skin,
                *hair,
                d_before,
                (d_before + delta).clamp(0.05, 0.95),
                relight,
                seed,
                &mut rng,
            );
            let name = format!("{skin:?}/{hair:?}{}", if relight { " relit" } else { "" });
            let ob = otsu_baseline(&before.image, &region).unwrap_or(0.0);
            let oa = otsu_baseline(&after.image, &region).unwrap_or(0.0);
            let otsu_change = 100.0 * (oa - ob);
            match analyzer.change(&before.image, &after.image, m, Some(&region)) {
                Ok(c) => {
                    let e = c.change_pp - truth;
                    if verbose {
                        println!(
                            "   {name:<16} true {truth:+6.2} got {:+6.2} err {e:+6.2} unc {:.2}",
                            c.change_pp, c.change_uncertainty_pp
                        );
                    }
                    serr.push(e.abs());
                    sotsu.push((otsu_change - truth).abs());
                    swithin += usize::from(e.abs() <= c.change_uncertainty_pp);
                    sright +=
                        usize::from(truth.abs() < 1.0 || (truth > 0.0) == (c.change_pp > 0.0));
                    // No change by design (same strands, the second visit shifted by up
                    // to 3 px, so the region sees a hair's breadth more or less).
                    if delta == 0.0 {
                        nochange_n += 1;
                        nochange_in += usize::from(c.change_pp.abs() <= 1.0);
                    }
                }
                Err(e) => {
                    srefused += 1;
                    if verbose {
                        println!("   {name:<16} true {truth:+6.2} refused: {e}");
                    }
                }
            }
        }
    }
    println!(
        "sweep: change MAE {:.2} pp, worst {:.2} pp over {} pairs ({} refused); within the stated uncertainty {}/{}; direction right (or |truth| < 1 pp) {}/{}; no-change pairs within +-1 pp {}/{}; Otsu change MAE over the same pairs {:.2} pp",
        serr.iter().sum::<f64>() / serr.len().max(1) as f64,
        serr.iter().cloned().fold(0.0, f64::max),
        serr.len(),
        srefused,
        swithin,
        serr.len(),
        sright,
        serr.len(),
        nochange_in,
        nochange_n,
        sotsu.iter().sum::<f64>() / sotsu.len().max(1) as f64
    );

    // Real photos.
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/photos/uze-hair-loss"
    );
    println!("\nReal photos ({dir}), automatic region:");
    let mut stages = Vec::new();
    let mut covs = Vec::new();
    let mut otsus = Vec::new();
    for stage in 2..=7 {
        for k in 1..=4 {
            let path = format!("{dir}/topdown-stage{stage}-{k}.jpg");
            let Ok((_, img)) = scalp_compare::decode::decode_file(&path) else {
                println!("  cannot read {path}");
                continue;
            };
            match analyzer.coverage(&img, None) {
                Ok(c) => {
                    let area =
                        c.region_area_px / (f64::from(img.width()) * f64::from(img.height()));
                    let o = otsu_baseline(&img, &c.region).unwrap_or(0.0);
                    println!(
                        "  stage {stage}-{k}: coverage {:5.1} % +- {:4.1}  region {:4.1} % of photo  (Otsu {:5.1} %)",
                        100.0 * c.coverage,
                        100.0 * c.uncertainty,
                        100.0 * area,
                        100.0 * o
                    );
                    stages.push(f64::from(stage));
                    covs.push(c.coverage);
                    otsus.push(o);
                }
                Err(e) => println!("  stage {stage}-{k}: refused: {e}"),
            }
        }
    }
    println!(
        "Spearman(coverage, stage) = {:.3} over {} photos; Otsu baseline {:.3}",
        spearman(&covs, &stages),
        covs.len(),
        spearman(&otsus, &stages)
    );

    // Timing.
    let s = render(&SynthParams {
        width: 800,
        height: 600,
        head: true,
        density: 0.5,
        bald_patch: Some((0.5, 0.45, 0.2, 0.1)),
        ..Default::default()
    });
    let big = upscale(&s.image, 4000, 3000);
    let t = Instant::now();
    let reps = 3;
    for _ in 0..reps {
        let _ = analyzer.coverage(&big, None);
    }
    let auto = t.elapsed().as_secs_f64() / f64::from(reps);
    let region = s.region.scaled(5.0);
    let t = Instant::now();
    for _ in 0..reps {
        let _ = analyzer.coverage(&big, Some(&region));
    }
    let given = t.elapsed().as_secs_f64() / f64::from(reps);
    let t = Instant::now();
    let ident = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    let _ = analyzer.change(&big, &big, ident, Some(&region));
    let change = t.elapsed().as_secs_f64();
    println!(
        "\nTime per 12 MP photo (4000x3000, native, this build): coverage {:.0} ms (automatic region), {:.0} ms (given region); change of two 12 MP photos {:.0} ms",
        auto * 1e3,
        given * 1e3,
        change * 1e3
    );
}
