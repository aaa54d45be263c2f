#![cfg(not(target_arch = "wasm32"))]
//! Hair coverage: accuracy on synthetic photos with known coverage, change pairs, refusals,
//! and stage ordering on 24 real photos.

use scalp_compare::coverage::synth::{render, Hair, Skin, SynthImage, SynthParams};
use scalp_compare::coverage::{
    salt_estimate, working_copy, Analyzer, CoverageError, CoverageOptions, Larger, Polygon,
    RegionSource,
};
use scalp_compare::RgbaImage;

#[path = "common/stats.rs"]
mod stats;
use stats::spearman;

const IDENTITY: [[f64; 3]; 3] = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

fn analyzer() -> Analyzer {
    Analyzer::new(CoverageOptions::default())
}

/// One of the 24 real top-down photos in the shared folder, decoded.
fn shared_photo(file: &str) -> RgbaImage {
    let path = format!(
        "{}/../shared/photos/uze-hair-loss/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    scalp_compare::decode::decode_file(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .1
}

fn closeup(skin: Skin, hair: Hair, density: f32, seed: u64) -> SynthParams {
    SynthParams {
        width: 160,
        height: 160,
        skin,
        hair,
        strand_width: 2.0,
        strand_length: 40.0,
        density,
        noise: 1.5,
        seed,
        ..Default::default()
    }
}

/// Dark hair on lighter skin, the common case: every combination within 10 pp, mean within
/// 5 pp (measured: see the report printed with `--nocapture`).
#[test]
fn dark_hair_on_lighter_skin_is_accurate() {
    let mut an = analyzer();
    let mut errs = Vec::new();
    for skin in [Skin::I, Skin::II, Skin::III, Skin::IV] {
        for hair in [Hair::Black, Hair::Brown] {
            for (k, d) in [0.15f32, 0.35, 0.55].iter().enumerate() {
                let s = render(&closeup(skin, hair, *d, 10 + k as u64));
                let c = an.coverage(&s.image, Some(&s.region)).expect("measurable");
                let e = 100.0 * (c.coverage - s.truth);
                println!(
                    "{skin:?}/{hair:?} truth {:.1} got {:.1} err {e:+.1}",
                    100.0 * s.truth,
                    100.0 * c.coverage
                );
                assert!(c.uncertainty > 0.0 && c.uncertainty < 0.2);
                errs.push(e.abs());
            }
        }
    }
    let mae = errs.iter().sum::<f64>() / errs.len() as f64;
    let worst = errs.iter().cloned().fold(0.0, f64::max);
    println!("MAE {mae:.2} pp, worst {worst:.2} pp");
    assert!(mae <= 5.0, "MAE {mae}");
    assert!(worst <= 12.0, "worst {worst}");
}

/// Black strands thinner than a pixel are never seen pure: their darkest pixels are still
/// part skin. Taken as the hair colour, those pixels made every strand pixel read as more
/// hair than it is (skin I to IV: +9.6 to +10.9 pp, MAE 10.2). The hair colour is now
/// followed towards black from them (MAE 1.1, worst +1.7). Black hair is dark grey, not
/// zero, so on type V and VI skin it darkens the skin unevenly (85 % in red, 65 % in blue on
/// type VI) and was not followed (VI read up to 12 points high); it is now followed as far as
/// the dark grey its mixing line meets.
#[test]
fn strands_thinner_than_a_pixel_are_not_read_as_paler_hair() {
    let mut an = analyzer();
    let mut errs = Vec::new();
    for skin in Skin::ALL {
        for (k, d) in [0.3f32, 0.6].iter().enumerate() {
            let s = render(&SynthParams {
                strand_width: 0.8,
                strand_length: 30.0,
                ..closeup(skin, Hair::Black, *d, 40 + k as u64)
            });
            let c = an.coverage(&s.image, Some(&s.region)).expect("measurable");
            let e = 100.0 * (c.coverage - s.truth);
            println!(
                "{skin:?} truth {:.1} got {:.1} +- {:.1} err {e:+.1}",
                100.0 * s.truth,
                100.0 * c.coverage,
                100.0 * c.uncertainty
            );
            assert!(e.abs() <= 100.0 * c.uncertainty, "{skin:?}: {e:+.1} pp");
            errs.push(e.abs());
        }
    }
    let mae = errs.iter().sum::<f64>() / errs.len() as f64;
    println!("MAE {mae:.2} pp");
    assert!(mae <= 4.0, "MAE {mae}");
    assert!(errs.iter().all(|&e| e <= 6.0), "{errs:?}");
}

/// Dense grey hair, blurred, leaves no bare skin pure: the skin end found was a blend of the
/// strands and the skin, as grey as the hair end and of its hue, and dense hair read sparse
/// with a confident number (II/grey 75.5 % read 46.8 +- 13.8 on the bench; here all eight
/// photos read 25 to 30 points low, each beyond its uncertainty). The skin is now sought
/// among the reddest pixels, the gaps between strands, and the reading under the blend stays
/// a plausible one, so most such photos are refused as ambiguous instead (6 of the 8).
#[test]
fn dense_grey_hair_is_mostly_not_read_sparse_with_confidence() {
    let mut an = analyzer();
    let mut honest = 0;
    for seed in 71u64..79 {
        let s = render(&SynthParams {
            width: 256,
            height: 256,
            strand_width: 1.5,
            blur: 0.7,
            shine: 0.8,
            ..closeup(Skin::II, Hair::Grey, 0.72, seed)
        });
        match an.coverage(&s.image, Some(&s.region)) {
            Ok(c) => {
                let e = 100.0 * (c.coverage - s.truth);
                println!(
                    "truth {:.1} got {:.1} +- {:.1} err {e:+.1}",
                    100.0 * s.truth,
                    100.0 * c.coverage,
                    100.0 * c.uncertainty
                );
                if e.abs() <= 100.0 * c.uncertainty {
                    honest += 1;
                }
            }
            Err(e) => {
                println!("truth {:.1} refused: {e}", 100.0 * s.truth);
                // Refused for what the photo shows, not for another reason (blur, say).
                if e == CoverageError::Ambiguous {
                    honest += 1;
                }
            }
        }
    }
    assert!(
        honest >= 5,
        "{honest} of 8 refused or within their uncertainty"
    );
}

/// Dense auburn strands thinner than a pixel on the darkest skin: the two colour classes
/// found are both mostly auburn (strands, and gaps blended with them), and the redder one
/// was taken for skin: dense hair read as sparse (82 % read 23.5 +- 9.7 on the bench; here
/// 88 % read 28 +- 12). Auburn is 4 to 5 times redder than green, no scalp is, so such a
/// photo now says no scalp was found instead of giving a number.
#[test]
fn dense_thin_auburn_on_the_darkest_skin_is_not_read_as_sparse() {
    let mut an = analyzer();
    for seed in [3u64, 4, 5] {
        let s = render(&SynthParams {
            strand_width: 0.8,
            strand_length: 30.0,
            noise: 2.3,
            ..closeup(Skin::VI, Hair::Auburn, 0.9, seed)
        });
        match an.coverage(&s.image, Some(&s.region)) {
            Ok(c) => {
                let e = 100.0 * (c.coverage - s.truth);
                println!(
                    "truth {:.1} got {:.1} +- {:.1}",
                    100.0 * s.truth,
                    100.0 * c.coverage,
                    100.0 * c.uncertainty
                );
                assert!(e.abs() <= 100.0 * c.uncertainty, "{e:+.1} pp");
            }
            Err(e) => println!("truth {:.1} refused: {e}", 100.0 * s.truth),
        }
    }
}

/// Grey hair is pigmented and white strands together: their lightness varies from darker
/// than the skin to far lighter. Read with one hair colour, the darker and the lighter
/// strands both fell short of it and grey hair read low (these ten photos: MAE 14.3, worst
/// -24.0). Each pixel is now read with hair of its own lightness (MAE 4.3 over 8, worst
/// -11.0; the two others are refused as ambiguous, where they read -22 and -8).
#[test]
fn grey_hair_is_read_strand_by_strand() {
    let mut an = analyzer();
    let mut errs = Vec::new();
    for skin in [Skin::I, Skin::III, Skin::IV, Skin::V, Skin::VI] {
        for (k, d) in [0.3f32, 0.6].iter().enumerate() {
            let p = SynthParams {
                width: 256,
                height: 256,
                strand_width: 3.0,
                strand_length: 60.0,
                ..closeup(skin, Hair::Grey, *d, 40 + k as u64)
            };
            let s = render(&p);
            match an.coverage(&s.image, Some(&s.region)) {
                Ok(c) => {
                    let e = 100.0 * (c.coverage - s.truth);
                    println!(
                        "{skin:?}/Grey truth {:.1} got {:.1} +- {:.1} err {e:+.1}",
                        100.0 * s.truth,
                        100.0 * c.coverage,
                        100.0 * c.uncertainty
                    );
                    errs.push(e.abs());
                }
                Err(e) => println!("{skin:?}/Grey truth {:.1}: {e}", 100.0 * s.truth),
            }
        }
    }
    let mae = errs.iter().sum::<f64>() / errs.len() as f64;
    let worst = errs.iter().cloned().fold(0.0, f64::max);
    println!("MAE {mae:.2} pp, worst {worst:.2} pp over {}", errs.len());
    assert!(errs.len() >= 8, "only {} of 10 measured", errs.len());
    assert!(mae <= 6.0, "MAE {mae}");
    assert!(worst <= 12.0, "worst {worst}");
}

/// Every skin x hair combination gives a number in [0, 1] with an uncertainty, or says
/// plainly that hair and skin cannot be told apart; most give a number. The error is printed
/// (the hard light-hair cases are known to be weak, see the module docs).
#[test]
fn every_combination_gives_a_bounded_number_or_says_it_cannot() {
    let mut an = analyzer();
    let mut measured = 0;
    for skin in Skin::ALL {
        for hair in Hair::ALL {
            let s = render(&SynthParams {
                width: 128,
                height: 128,
                ..closeup(skin, hair, 0.3, 3)
            });
            match an.coverage(&s.image, Some(&s.region)) {
                Ok(c) => {
                    assert!((0.0..=1.0).contains(&c.coverage));
                    assert!(c.uncertainty.is_finite() && c.uncertainty > 0.0);
                    println!(
                        "{skin:?}/{hair:?}: truth {:.1} got {:.1}",
                        100.0 * s.truth,
                        100.0 * c.coverage
                    );
                    measured += 1;
                }
                Err(e) => {
                    assert!(
                        matches!(
                            e,
                            CoverageError::Ambiguous
                                | CoverageError::AlikeColours
                                | CoverageError::NoSkinColour
                        ),
                        "{skin:?}/{hair:?}: {e}"
                    );
                    let why = e.to_string();
                    assert!(
                        why.contains("cannot be told apart")
                            || why.contains("too alike")
                            || why.contains("skin's colour")
                    );
                    println!("{skin:?}/{hair:?}: refused: {e}");
                }
            }
        }
    }
    assert!(measured >= 30, "only {measured}/36 combinations measured");
}

/// The stated uncertainty is honest: over every skin x hair combination, with thin blurred
/// strands and with wide sharp ones, under a light gradient and a white-balance cast, the
/// true coverage lies within twice the stated uncertainty for at least 85 % of the photos
/// that get a number, and at most a third say they cannot give one (measured: 17 of 72
/// refused, 52 of 55 within twice).
#[test]
fn the_uncertainty_covers_the_error() {
    let mut an = analyzer();
    let (mut within, mut n) = (0usize, 0usize);
    for (si, skin) in Skin::ALL.into_iter().enumerate() {
        for (hi, hair) in Hair::ALL.into_iter().enumerate() {
            for (k, (width, blur)) in [(0.8f32, 0.7f32), (2.5, 0.0)].into_iter().enumerate() {
                let s = render(&SynthParams {
                    width: 128,
                    height: 128,
                    strand_width: width,
                    blur,
                    light_gradient: 0.25,
                    light_angle: si as f32,
                    white_balance: [1.1, 1.0, 0.9],
                    ..closeup(
                        skin,
                        hair,
                        0.2 + 0.12 * hi as f32,
                        (si * 20 + hi * 2 + k) as u64,
                    )
                });
                let Ok(c) = an.coverage(&s.image, Some(&s.region)) else {
                    println!("{skin:?}/{hair:?} w{width}: refused");
                    continue;
                };
                let ok = (c.coverage - s.truth).abs() <= 2.0 * c.uncertainty;
                println!(
                    "{skin:?}/{hair:?} w{width}: truth {:.1} got {:.1} +- {:.1}{}",
                    100.0 * s.truth,
                    100.0 * c.coverage,
                    100.0 * c.uncertainty,
                    if ok { "" } else { "  OUTSIDE" }
                );
                within += usize::from(ok);
                n += 1;
            }
        }
    }
    println!("within twice the uncertainty: {within}/{n} measured of 72");
    assert!(n * 3 >= 72 * 2, "refused {} of 72", 72 - n);
    assert!(
        within * 100 >= 85 * n,
        "only {within}/{n} within twice the uncertainty"
    );
}

fn pair(
    skin: Skin,
    hair: Hair,
    before: f32,
    after: f32,
    relight: bool,
) -> (RgbaImage, RgbaImage, f64) {
    let base = SynthParams {
        width: 200,
        height: 200,
        skin,
        hair,
        strand_width: 2.0,
        strand_length: 40.0,
        density: before,
        noise: 1.5,
        seed: 77,
        ..Default::default()
    };
    let b = render(&base);
    let a = render(&SynthParams {
        density: after,
        light_gradient: if relight { 0.2 } else { 0.0 },
        exposure: if relight { 0.85 } else { 1.0 },
        white_balance: if relight { [1.1, 1.0, 0.9] } else { [1.0; 3] },
        ..base
    });
    (b.image, a.image, 100.0 * (a.truth - b.truth))
}

#[test]
fn no_change_under_other_light_reads_near_zero() {
    // Every skin x hair combination, the second visit darker, warmer and unevenly lit:
    // within 1 pp, as the issue asks (measured: 0.94 pp at most, 35 of 36 given a number;
    // brown hair on type VI skin is refused as too alike in colour).
    let mut an = analyzer();
    let mut measured = 0;
    for skin in Skin::ALL {
        for hair in Hair::ALL {
            let (b, a, truth) = pair(skin, hair, 0.4, 0.4, true);
            assert!(truth.abs() < 1e-9);
            let c = match an.change(&b, &a, IDENTITY, None) {
                Ok(c) => c,
                Err(e) => {
                    println!("{skin:?}/{hair:?} no change: {e}");
                    continue;
                }
            };
            println!(
                "{skin:?}/{hair:?} no change: {:.2} +- {:.2} pp",
                c.change_pp, c.change_uncertainty_pp
            );
            assert!(
                c.change_pp.abs() <= 1.0,
                "{skin:?}/{hair:?}: {:+.2} pp for no change",
                c.change_pp
            );
            measured += 1;
        }
    }
    assert!(measured >= 32, "only {measured} of 36 pairs given a number");
}

/// A second visit under warmer, brighter light with a highlight on the scalp, and no
/// change in the hair. The colour correction between visits follows the brightest pixels,
/// and the highlight (in the light's colour, less red than skin) moved it, so the second
/// visit's skin came out far redder than the first's, and the two visits' readings
/// disagreed: V/Brown and V/Black were refused as ambiguous, IV/Black read +1.3 +- 18.9.
/// Beside dark hair the skin itself now sets the correction: +1.4 +- 13.7, +1.2 +- 6.2,
/// +1.7 +- 6.6 and 0.0 +- 10.4. (Still above the 1 pp asked of a no-change pair: the
/// highlight's own reading differs a little.)
#[test]
fn shine_at_one_visit_does_not_tint_the_other() {
    let mut an = analyzer();
    let mut report = Vec::new();
    for (k, (skin, hair)) in [
        (Skin::V, Hair::Brown),
        (Skin::IV, Hair::Black),
        (Skin::V, Hair::Black),
        (Skin::III, Hair::Brown),
    ]
    .into_iter()
    .enumerate()
    {
        let base = SynthParams {
            width: 320,
            height: 320,
            skin,
            hair,
            strand_width: 1.5,
            strand_length: 40.0,
            density: 0.45,
            noise: 1.5,
            seed: 940 + k as u64,
            ..Default::default()
        };
        let b = render(&base);
        let a = render(&SynthParams {
            light_gradient: 0.3,
            light_angle: 1.0,
            exposure: 1.25,
            white_balance: [1.15, 1.0, 0.85],
            shine: 0.4,
            ..base.clone()
        });
        let c = an
            .change(&b.image, &a.image, IDENTITY, None)
            .expect("measurable");
        report.push((
            format!("{skin:?}/{hair:?}"),
            c.change_pp,
            c.change_uncertainty_pp,
        ));
    }
    println!("{report:?}");
    for (name, change, unc) in &report {
        assert!(
            change.abs() <= 2.0 && change.abs() <= *unc && *unc < 15.0,
            "{name}: {change:+.2} +- {unc:.2} pp for no change"
        );
    }
}

#[test]
fn regrowth_and_loss_point_the_right_way() {
    let mut an = analyzer();
    for (skin, hair) in [
        (Skin::I, Hair::Black),
        (Skin::III, Hair::Brown),
        (Skin::II, Hair::Auburn),
    ] {
        for (d0, d1) in [(0.3f32, 0.5f32), (0.5, 0.3)] {
            let (b, a, truth) = pair(skin, hair, d0, d1, false);
            let c = an.change(&b, &a, IDENTITY, None).expect("measurable");
            println!(
                "{skin:?}/{hair:?} {d0}->{d1}: truth {truth:.1} got {:.1} pp",
                c.change_pp
            );
            assert_eq!(c.change_pp > 0.0, truth > 0.0);
            assert!((c.change_pp - truth).abs() < 6.0);
            assert_eq!(c.cell_map.change_pp.len(), 32 * 32);
        }
    }
}

#[test]
fn shifted_after_is_warped_back() {
    let mut an = analyzer();
    let base = closeup(Skin::II, Hair::Black, 0.4, 5);
    let before = render(&SynthParams {
        width: 200,
        height: 200,
        ..base.clone()
    });
    let after = render(&SynthParams {
        width: 200,
        height: 200,
        offset: (4.0, -3.0),
        ..base
    });
    let m = [[1.0, 0.0, 4.0], [0.0, 1.0, -3.0], [0.0, 0.0, 1.0]];
    let region = Polygon::rectangle(20.0, 20.0, 180.0, 180.0);
    let c = an
        .change(&before.image, &after.image, m, Some(&region))
        .expect("measurable");
    assert!(c.change_pp.abs() < 1.0, "{}", c.change_pp);
    let singular = [[0.0; 3]; 3];
    assert_eq!(
        an.change(&before.image, &after.image, singular, Some(&region))
            .unwrap_err(),
        CoverageError::InvalidTransform
    );
}

/// The same scalp photographed again a fraction of a pixel off reads no change: the AFTER
/// photo is brought onto BEFORE without blending neighbouring pixels, which would leave no
/// pure strand pixel and read more hair (6-9 points in these three before the fix).
#[test]
fn a_sub_pixel_shift_reads_no_change() {
    let mut an = analyzer();
    for (skin, hair, shift) in [
        (Skin::I, Hair::Auburn, (1.6, -2.3)),
        (Skin::III, Hair::Black, (-0.5, 2.5)),
        (Skin::VI, Hair::Auburn, (2.7, 0.4)),
    ] {
        let base = SynthParams {
            width: 240,
            height: 240,
            strand_width: 1.5,
            ..closeup(skin, hair, 0.45, 21)
        };
        let before = render(&base);
        let after = render(&SynthParams {
            offset: shift,
            ..base
        });
        let m = [[1.0, 0.0, shift.0], [0.0, 1.0, shift.1], [0.0, 0.0, 1.0]];
        let region = Polygon::rectangle(20.0, 20.0, 220.0, 220.0);
        let c = an
            .change(&before.image, &after.image, m, Some(&region))
            .expect("measurable");
        println!(
            "{skin:?}/{hair:?} shifted {shift:?}: {:+.2} +- {:.2} pp",
            c.change_pp, c.change_uncertainty_pp
        );
        assert!(
            c.change_pp.abs() < 1.0,
            "{skin:?}/{hair:?}: {}",
            c.change_pp
        );
    }
}

/// A pair whose second visit's own colour fit goes astray (dark skin, auburn hair, the
/// second visit brighter, warmer, shinier and unevenly lit; no change in hair) must not
/// show a confident change: each visit is also measured with the other's colours, and the
/// disagreement goes into the uncertainty. Without that check this pair read +37 +- 16
/// points.
#[test]
fn a_visit_whose_fit_goes_astray_is_not_a_confident_change() {
    let base = SynthParams {
        width: 320,
        height: 320,
        strand_width: 1.5,
        ..closeup(Skin::V, Hair::Auburn, 0.2, 504)
    };
    let shift = (1.3, -0.8);
    let before = render(&base);
    let after = render(&SynthParams {
        offset: shift,
        light_gradient: 0.3,
        light_angle: 1.0,
        exposure: 1.25,
        white_balance: [1.15, 1.0, 0.85],
        shine: 0.4,
        ..base
    });
    let m = [[1.0, 0.0, shift.0], [0.0, 1.0, shift.1], [0.0, 0.0, 1.0]];
    let region = Polygon::rectangle(20.0, 20.0, 300.0, 300.0);
    match analyzer().change(&before.image, &after.image, m, Some(&region)) {
        Ok(c) => {
            println!(
                "V/Auburn relit, no change: {:+.1} +- {:.1} pp",
                c.change_pp, c.change_uncertainty_pp
            );
            assert!(
                c.change_pp.abs() <= c.change_uncertainty_pp,
                "{:+.1} +- {:.1} pp for no change",
                c.change_pp,
                c.change_uncertainty_pp
            );
        }
        // Or AFTER's "skin" is too red for a scalp: its fit took auburn for skin.
        Err(e) => assert!(
            matches!(e, CoverageError::Ambiguous | CoverageError::NoSkinColour),
            "{e:?}"
        ),
    }
}

/// Dense dark hair on lighter skin (a first visit before any loss) gets a number, and a
/// right one. Texture cannot tell the sides apart in dense hair (the gaps between strands
/// are as rough as the strands), and its doubt used to refuse most of these.
#[test]
fn dense_dark_hair_gets_a_number() {
    let mut an = analyzer();
    for skin in [Skin::I, Skin::II, Skin::III] {
        for hair in [Hair::Black, Hair::Brown] {
            for (density, width, seed) in [(0.85f32, 4.0f32, 3u64), (0.9, 3.0, 4)] {
                let s = render(&SynthParams {
                    width: 256,
                    height: 256,
                    strand_width: width,
                    strand_length: 60.0,
                    ..closeup(skin, hair, density, seed)
                });
                let c = an
                    .coverage(&s.image, None)
                    .unwrap_or_else(|e| panic!("{skin:?}/{hair:?} {density}: refused: {e}"));
                let err = 100.0 * (c.coverage - s.truth);
                println!(
                    "{skin:?}/{hair:?} density {density}: truth {:.1} error {err:+.1} +- {:.1}",
                    100.0 * s.truth,
                    100.0 * c.uncertainty
                );
                assert!(err.abs() < 3.0, "{skin:?}/{hair:?} {density}: {err:+.1}");
            }
        }
    }
}

/// The shading of a rounded head (darker towards its rim) on a thinly haired scalp, in a
/// phone-size photo, is not read as hair. With dark hair, shade and hair both darken a
/// pixel; the light field fitted under the full-resolution colours started flat and stayed
/// too flat, reading the shaded rim as part hair.
#[test]
fn shade_on_a_thinly_haired_head_is_not_hair() {
    let mut an = analyzer();
    for (skin, hair, seed) in [
        (Skin::II, Hair::Black, 31u64),
        (Skin::I, Hair::Brown, 32),
        (Skin::III, Hair::Black, 33),
    ] {
        let s = render(&SynthParams {
            width: 2400,
            height: 1800,
            skin,
            hair,
            strand_width: 3.0,
            strand_length: 200.0,
            density: 0.15,
            bald_patch: Some((0.5, 0.45, 0.25, 0.05)),
            blur: 0.5,
            noise: 1.5,
            head: true,
            seed,
            ..Default::default()
        });
        let c = an.coverage(&s.image, Some(&s.region)).expect("measurable");
        let err = 100.0 * (c.coverage - s.truth);
        println!(
            "{skin:?}/{hair:?} head, truth {:.1}: error {err:+.1} +- {:.1}",
            100.0 * s.truth,
            100.0 * c.uncertainty
        );
        assert!(err.abs() < 3.0, "{skin:?}/{hair:?}: {err:+.1}");
    }
}

/// A strong specular shine on a top-of-head view of type V skin (at its peak ten times the
/// skin's own light), crossed by auburn strands, was taken for the skin and the real skin
/// for hair: it read 70.5 +- 19.3 % for 47.2 %. The shine is the lighter class yet far
/// rougher than the hair (strands cut it up), which bare skin never is: refused as glare,
/// with the reason. The same head without the shine is measured within its uncertainty.
#[test]
fn strong_shine_taken_for_skin_is_refused_as_glare() {
    let params = SynthParams {
        width: 384,
        height: 384,
        skin: Skin::V,
        hair: Hair::Auburn,
        strand_width: 1.0,
        strand_length: 35.0,
        density: 0.48,
        light_gradient: 0.25,
        light_angle: 0.37,
        shine: 0.8,
        white_balance: [1.04, 1.0, 1.17],
        noise: 1.3,
        head: true,
        seed: 1337,
        ..Default::default()
    };
    let mut an = analyzer();
    let s = render(&params);
    let e = an
        .coverage(&s.image, Some(&s.region))
        .expect_err("the shine is not skin");
    assert_eq!(e, CoverageError::Glare);
    assert!(e.to_string().contains("without flash"), "{e}");
    let s = render(&SynthParams {
        shine: 0.0,
        ..params
    });
    let c = an
        .coverage(&s.image, Some(&s.region))
        .expect("measured without the shine");
    let err = c.coverage - s.truth;
    println!(
        "without shine: truth {:.1} read {:.1} +- {:.1}",
        100.0 * s.truth,
        100.0 * c.coverage,
        100.0 * c.uncertainty
    );
    assert!(
        err.abs() <= c.uncertainty,
        "{err:+.3} +- {:.3}",
        c.uncertainty
    );
}

/// A strong shine over a wide part of a close-up (type IV skin, auburn strands 1.5 px wide,
/// blurred by 0.7 px) pulls the first fit's skin colour towards the shine-lit skin, and
/// the unlit skin beside it reads as hair. The colours are fitted again with the shine
/// taken off: 38.4 +- 11.7 % for 21.9 %, where it read 63.3 +- 16.8 % (2.5 times its
/// uncertainty off).
#[test]
fn a_wide_shine_does_not_make_the_skin_beside_it_hair() {
    let s = wide_shine_scalp();
    let c = analyzer()
        .coverage(&s.image, Some(&s.region))
        .expect("measurable");
    let err = c.coverage - s.truth;
    println!(
        "truth {:.1} read {:.1} +- {:.1}",
        100.0 * s.truth,
        100.0 * c.coverage,
        100.0 * c.uncertainty
    );
    assert!(err.abs() < 0.2, "{err:+.3} +- {:.3}", c.uncertainty);
    assert!(
        err.abs() <= 2.0 * c.uncertainty,
        "{err:+.3} +- {:.3}",
        c.uncertainty
    );
}

/// Type IV skin under auburn strands 1.5 px wide, with a strong, wide shine and blur 0.7
/// (the worst photo of the benchmark before one photo's colours were fitted again with the
/// shine taken off).
fn wide_shine_scalp() -> SynthImage {
    render(&SynthParams {
        width: 256,
        height: 256,
        skin: Skin::IV,
        hair: Hair::Auburn,
        strand_width: 1.5,
        strand_length: 40.0,
        density: 0.26,
        bald_patch: Some((0.5, 0.45, 0.25, 0.015)),
        light_gradient: 0.12,
        light_angle: 5.875,
        exposure: 0.878,
        shine: 0.8,
        white_balance: [0.867, 1.0, 0.844],
        blur: 0.7,
        noise: 1.34,
        seed: 1024,
        ..Default::default()
    })
}

/// One photo measured alone is fitted again with its shine taken off; the same photo in a
/// pair is not. The two readings differ (38.4 % alone, 63.6 % in the pair), so the reading
/// alone counts the other as uncertainty: a clinic that measures each visit on its own
/// and then the pair must not see numbers that contradict each other. Before, it read
/// 38.4 +- 11.7 %.
#[test]
fn one_photo_alone_and_in_a_pair_agree_within_the_uncertainty() {
    let s = wide_shine_scalp();
    let mut an = analyzer();
    let alone = an.coverage(&s.image, Some(&s.region)).expect("measurable");
    let pair = an
        .change(&s.image, &s.image, IDENTITY, Some(&s.region))
        .expect("measurable");
    println!(
        "alone {:.1} +- {:.1}, in the pair {:.1} +- {:.1}",
        100.0 * alone.coverage,
        100.0 * alone.uncertainty,
        100.0 * pair.before.coverage,
        100.0 * pair.before.uncertainty
    );
    assert!(
        (alone.coverage - pair.before.coverage).abs() <= alone.uncertainty,
        "alone {:.3} +- {:.3}, in the pair {:.3}",
        alone.coverage,
        alone.uncertainty,
        pair.before.coverage
    );
    assert!(pair.change_pp.abs() < 0.5, "{:+.2} pp", pair.change_pp);
}

/// Light strands so dense that little bare skin shows, on dark skin: the class first taken
/// for skin is the strands blended with the skin, and the darker one the skin. White hair
/// on type V skin was refused as ambiguous and now reads 74.1 +- 16.8 % for 85.4 %; blond
/// on type VI under shine and blur read 86.5 +- 4.8 % for 66.7 % (four times its
/// uncertainty off) and is now refused: the readings it cannot rule out lie too far apart.
#[test]
fn dense_light_hair_on_dark_skin_is_read_against_the_skin() {
    let mut an = analyzer();
    let white = render(&SynthParams {
        width: 256,
        height: 256,
        skin: Skin::V,
        hair: Hair::White,
        strand_width: 3.0,
        strand_length: 60.0,
        density: 0.841,
        light_gradient: 0.279,
        light_angle: 2.874,
        exposure: 0.813,
        white_balance: [1.225, 1.0, 0.878],
        noise: 1.84,
        seed: 1426,
        ..Default::default()
    });
    let c = an
        .coverage(&white.image, Some(&white.region))
        .expect("measurable");
    let err = c.coverage - white.truth;
    println!(
        "white on V: truth {:.1} read {:.1} +- {:.1}",
        100.0 * white.truth,
        100.0 * c.coverage,
        100.0 * c.uncertainty
    );
    assert!(
        err.abs() <= c.uncertainty,
        "{err:+.3} +- {:.3}",
        c.uncertainty
    );
    let blond = render(&SynthParams {
        width: 256,
        height: 256,
        skin: Skin::VI,
        hair: Hair::Blond,
        strand_width: 1.5,
        strand_length: 40.0,
        density: 0.765,
        bald_patch: Some((0.5, 0.45, 0.25, 0.093)),
        light_gradient: 0.271,
        light_angle: 6.197,
        exposure: 1.076,
        shine: 0.8,
        white_balance: [1.062, 1.0, 0.849],
        blur: 0.7,
        noise: 2.39,
        seed: 1675,
        ..Default::default()
    });
    match an.coverage(&blond.image, Some(&blond.region)) {
        Ok(c) => {
            let err = c.coverage - blond.truth;
            assert!(
                err.abs() <= 2.0 * c.uncertainty,
                "blond on VI: {err:+.3} +- {:.3}",
                c.uncertainty
            );
        }
        Err(e) => assert_eq!(e, CoverageError::Ambiguous, "{e}"),
    }
}

/// Type I skin under a cool white balance with thin brown strands (a 256 px close-up of the bench's).
fn pale_skin_brown_strands() -> SynthParams {
    SynthParams {
        width: 256,
        height: 256,
        skin: Skin::I,
        hair: Hair::Brown,
        strand_width: 0.8,
        strand_length: 30.0,
        density: 0.692,
        light_gradient: 0.217,
        light_angle: 0.073,
        exposure: 0.920,
        white_balance: [0.876, 1.0, 1.193],
        noise: 2.73,
        seed: 64,
        ..Default::default()
    }
}

/// Pale skin under a cool white balance beside thin brown strands is near neutral and far
/// less chromatic than the strands, as white hair beside skin is; but it is less yellow than
/// they are, which white hair blended with skin never is. It read 41 +- 12 % for 65.5 %
/// (the skin taken for white hair); now the right side, with the other as uncertainty.
#[test]
fn pale_skin_beside_thin_brown_strands_is_not_white_hair() {
    let photo = render(&pale_skin_brown_strands());
    let c = analyzer()
        .coverage(&photo.image, Some(&photo.region))
        .expect("measurable");
    let err = c.coverage - photo.truth;
    println!(
        "brown on I: truth {:.1} read {:.1} +- {:.1}",
        100.0 * photo.truth,
        100.0 * c.coverage,
        100.0 * c.uncertainty
    );
    assert!(c.coverage > 0.5, "read {:.3}", c.coverage);
    assert!(
        err.abs() <= c.uncertainty,
        "{err:+.3} +- {:.3}",
        c.uncertainty
    );
    // The side is chosen in doubt (by hue alone): the other reading counts in the
    // uncertainty, also when the colours come from full-resolution tiles of a larger photo.
    let big = render(&SynthParams {
        width: 768,
        height: 768,
        strand_width: 2.4,
        strand_length: 90.0,
        ..pale_skin_brown_strands()
    });
    let mut tiles = Analyzer::new(CoverageOptions {
        max_side: 256,
        ..CoverageOptions::default()
    });
    match tiles.coverage(&big.image, Some(&big.region)) {
        Ok(t) => {
            println!(
                "at 3x with tiles: truth {:.1} read {:.1} +- {:.1}",
                100.0 * big.truth,
                100.0 * t.coverage,
                100.0 * t.uncertainty
            );
            assert!(t.uncertainty > 0.15, "+- {:.3}", t.uncertainty);
            assert!((t.coverage - big.truth).abs() <= t.uncertainty);
        }
        // The two readings differ by more than 30 points: no number.
        Err(e) => assert_eq!(e, CoverageError::Ambiguous, "{e}"),
    }
}

/// Brown hair on the darkest skin is nearly the skin's own colour: no number, and the
/// reason says so. Without the check one was refused as ambiguous and two read +14 +- 25
/// and -10 +- 13 points off.
#[test]
fn hair_the_colour_of_skin_is_refused_as_such() {
    let mut an = analyzer();
    for (density, seed) in [(0.3f32, 41u64), (0.5, 42), (0.7, 43)] {
        let s = render(&SynthParams {
            width: 256,
            height: 256,
            strand_width: 3.0,
            strand_length: 60.0,
            ..closeup(Skin::VI, Hair::Brown, density, seed)
        });
        let r = an.coverage(&s.image, None);
        if let Ok(c) = &r {
            println!(
                "VI/brown {density}: truth {:.1} read {:.1} +- {:.1}",
                100.0 * s.truth,
                100.0 * c.coverage,
                100.0 * c.uncertainty
            );
        }
        assert_eq!(r.unwrap_err(), CoverageError::AlikeColours);
    }
}

#[test]
fn bad_photos_are_refused_with_a_reason() {
    let mut an = analyzer();
    let white = RgbaImage::filled(200, 200, [255, 255, 255, 255]);
    let black = RgbaImage::filled(200, 200, [0, 0, 0, 255]);
    let flat = RgbaImage::filled(200, 200, [180, 140, 120, 255]);
    assert_eq!(
        an.coverage(&white, None).unwrap_err(),
        CoverageError::Overexposed
    );
    assert_eq!(
        an.coverage(&black, None).unwrap_err(),
        CoverageError::Underexposed
    );
    assert_eq!(
        an.coverage(&flat, None).unwrap_err(),
        CoverageError::NoContrast
    );
    // Blurred by 8 px. (By 6 this close-up still reads 35 +- 11 % for 40 %: the mean of a
    // blurred mixture is kept, and the uncertainty covers what the blur costs.)
    let blurred = render(&SynthParams {
        blur: 8.0,
        ..closeup(Skin::III, Hair::Black, 0.4, 1)
    });
    let e = an.coverage(&blurred.image, None).unwrap_err();
    assert!(
        matches!(e, CoverageError::Blurred | CoverageError::NoContrast),
        "{e:?}"
    );
    assert!(e.to_string().contains("photo") || e.to_string().contains("region"));
    let tiny = Polygon::rectangle(0.0, 0.0, 10.0, 10.0);
    let ok = render(&closeup(Skin::III, Hair::Black, 0.4, 1));
    assert_eq!(
        an.coverage(&ok.image, Some(&tiny)).unwrap_err(),
        CoverageError::RegionTooSmall
    );
    assert!("1,2;3".parse::<Polygon>().is_err());
}

#[test]
fn automatic_region_finds_the_head() {
    let mut an = analyzer();
    let s = render(&SynthParams {
        width: 320,
        height: 320,
        head: true,
        density: 0.5,
        noise: 1.5,
        bald_patch: Some((0.5, 0.45, 0.2, 0.1)),
        ..Default::default()
    });
    let c = an.coverage(&s.image, None).expect("measurable");
    assert_eq!(c.region_source, RegionSource::Auto);
    let truth = s.head_outline.rasterize(320, 320);
    let got = c.region.rasterize(320, 320);
    let inter = truth.iter().zip(&got).filter(|(a, b)| **a && **b).count() as f64;
    let union = truth.iter().zip(&got).filter(|(a, b)| **a || **b).count() as f64;
    println!("IoU {:.3}", inter / union);
    assert!(inter / union > 0.8);
    assert!((c.region_area_px - c.region.area()).abs() / c.region.area() < 0.05);
}

#[test]
fn area_is_reported_in_original_pixels_for_large_photos() {
    let mut an = Analyzer::new(CoverageOptions {
        max_side: 200,
        keep_hair_map: true,
        ..Default::default()
    });
    let s = render(&SynthParams {
        width: 400,
        height: 400,
        ..closeup(Skin::II, Hair::Black, 0.4, 2)
    });
    let region = Polygon::rectangle(0.0, 0.0, 400.0, 400.0);
    let c = an.coverage(&s.image, Some(&region)).expect("measurable");
    assert!((c.region_area_px - 160_000.0).abs() < 2000.0);
    assert!(
        (c.coverage - s.truth).abs() < 0.08,
        "{} vs {}",
        c.coverage,
        s.truth
    );
    let map = c.hair_map.expect("kept");
    assert_eq!((map.width, map.height), (200, 200));
}

#[test]
fn salt_weights_views() {
    let mut an = analyzer();
    let s = render(&closeup(Skin::II, Hair::Black, 0.5, 4));
    let c = an.coverage(&s.image, Some(&s.region)).expect("measurable");
    let e = salt_estimate(&c, &c, &c, &c);
    assert!((e.estimated_loss_percent - 100.0 * (1.0 - c.coverage)).abs() < 1e-9);
    assert!(e.uncertainty_pp > 0.0);
}

/// Coverage falls as the baldness stage rises on 24 real top-down photos (automatic region).
/// Photos whose plausible readings disagree too much are refused, with a reason; the rest
/// still cover every stage. Measured 2026-11-27: 20 measured, Spearman -0.865 (goal <= -0.7).
#[test]
fn real_photos_rank_by_stage() {
    let mut an = analyzer();
    let (mut stages, mut covs) = (Vec::new(), Vec::new());
    for stage in 2..=7 {
        for k in 1..=4 {
            let img = shared_photo(&format!("topdown-stage{stage}-{k}.jpg"));
            match an.coverage(&img, None) {
                Ok(c) => {
                    stages.push(f64::from(stage));
                    covs.push(c.coverage);
                }
                Err(e) => {
                    assert!(
                        matches!(e, CoverageError::Ambiguous | CoverageError::NoStrands),
                        "stage {stage}-{k}: {e}"
                    );
                    println!("stage {stage}-{k}: refused");
                }
            }
        }
    }
    assert!(covs.len() >= 16, "refused too many: {}", 24 - covs.len());
    for stage in 2..=7 {
        let n = stages.iter().filter(|&&s| s == f64::from(stage)).count();
        assert!(n >= 2, "stage {stage}: only {n} photos measured");
    }
    let rho = spearman(&covs, &stages);
    println!("Spearman {rho:.3} over {}", covs.len());
    assert!(rho <= -0.7, "{rho}");
}

/// Every reason the core gives for not measuring is in the widget's Spanish table, word
/// for word (the widget translates the core's message by looking it up there).
#[test]
fn every_refusal_reason_has_a_spanish_translation() {
    let table = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/www/i18n.js"))
        .expect("www/i18n.js");
    for e in [
        CoverageError::RegionTooSmall,
        CoverageError::NoScalpFound,
        CoverageError::Overexposed,
        CoverageError::Underexposed,
        CoverageError::Blurred,
        CoverageError::NoContrast,
        CoverageError::InvalidTransform,
        CoverageError::NoOverlap,
        CoverageError::Ambiguous,
        CoverageError::AlikeColours,
        CoverageError::NoSkinColour,
        CoverageError::NoStrands,
        CoverageError::Glare,
    ] {
        let key = format!("\"{e}\":");
        assert!(table.contains(&key), "no Spanish for: {e}");
    }
}

/// A close-up `side` px square with sharp strands 2.4 px wide: resolved at full size, under a
/// pixel in a working copy a third the size.
fn phone_closeup(side: u32, skin: Skin, hair: Hair, density: f32, seed: u64) -> SynthParams {
    SynthParams {
        width: side,
        height: side,
        strand_width: 2.4,
        strand_length: 90.0,
        ..closeup(skin, hair, density, seed)
    }
}

#[test]
fn phone_photos_take_their_colours_from_full_resolution() {
    // Strands 2.4 px wide at full size are under a pixel in the working copy (a third of
    // the size), blended with skin there: colours fitted on the working copy alone read
    // the hair too close to skin and the coverage too high. Tiles at full size read it
    // right, for dark hair on light skin and light hair on dark skin.
    let mut tiles = Analyzer::new(CoverageOptions {
        max_side: 256,
        ..Default::default()
    });
    let mut reduced = Analyzer::new(CoverageOptions {
        max_side: 256,
        full_resolution_colours: false,
        ..Default::default()
    });
    let mut worst_reduced: f64 = 0.0;
    for (skin, hair, density, seed) in [
        (Skin::II, Hair::Black, 0.5, 1),
        (Skin::III, Hair::Brown, 0.3, 2),
        (Skin::IV, Hair::Black, 0.7, 3),
        (Skin::V, Hair::White, 0.4, 4),
        (Skin::VI, Hair::Blond, 0.3, 5),
    ] {
        let s = render(&phone_closeup(768, skin, hair, density, seed));
        let err = |an: &mut Analyzer| {
            an.coverage(&s.image, Some(&s.region))
                .map(|c| 100.0 * (c.coverage - s.truth))
        };
        let t = err(&mut tiles).expect("measurable");
        let r = err(&mut reduced).expect("measurable");
        println!("{skin:?}/{hair:?} {density}: tiles {t:+.2} pp, working copy only {r:+.2} pp");
        assert!(
            t.abs() < 3.0,
            "{skin:?}/{hair:?}: {t:+.2} pp with full-size colours"
        );
        worst_reduced = worst_reduced.max(r.abs());
    }
    // The test can fail: the old way is measurably off on the same photos.
    assert!(worst_reduced > 6.0, "{worst_reduced}");
}

#[test]
fn phone_pairs_take_their_colours_from_full_resolution() {
    // A regrowth pair at phone size, AFTER shifted and under other light: both visits'
    // colours come from full-size tiles (AFTER's through the alignment).
    let mut an = Analyzer::new(CoverageOptions {
        max_side: 256,
        ..Default::default()
    });
    let base = phone_closeup(768, Skin::II, Hair::Black, 0.3, 9);
    let shift = (12.0, -9.0);
    let b = render(&base);
    let a = render(&SynthParams {
        density: 0.45,
        offset: shift,
        light_gradient: 0.2,
        exposure: 0.9,
        white_balance: [1.08, 1.0, 0.92],
        ..base.clone()
    });
    // AFTER pixel p sees world p + shift = BEFORE pixel p + shift.
    let m = [[1.0, 0.0, shift.0], [0.0, 1.0, shift.1], [0.0, 0.0, 1.0]];
    let region = Polygon::rectangle(40.0, 40.0, 700.0, 700.0);
    let mask = region.rasterize(768, 768);
    let (mut tb, mut ta, mut n) = (0.0, 0.0, 0.0);
    for y in 0..768usize {
        for x in 0..768usize {
            if mask[y * 768 + x] {
                tb += f64::from(b.alpha[y * 768 + x]);
                let (ax, ay) = ((x as f64 - shift.0) as usize, (y as f64 - shift.1) as usize);
                ta += f64::from(a.alpha[ay * 768 + ax]);
                n += 1.0;
            }
        }
    }
    let truth = 100.0 * (ta - tb) / n;
    let c = an
        .change(&b.image, &a.image, m, Some(&region))
        .expect("measurable");
    println!(
        "phone pair: truth {truth:+.2} pp, got {:+.2} +- {:.2} pp; before {:.1} % (truth {:.1}), after {:.1} % (truth {:.1})",
        c.change_pp,
        c.change_uncertainty_pp,
        100.0 * c.before.coverage,
        100.0 * tb / n,
        100.0 * c.after.coverage,
        100.0 * ta / n
    );
    assert!(
        (c.change_pp - truth).abs() < 2.5,
        "{} vs {truth}",
        c.change_pp
    );
    assert!((c.before.coverage - tb / n).abs() < 0.03);
    assert!((c.after.coverage - ta / n).abs() < 0.03);
}

#[test]
fn a_larger_copy_given_alongside_lends_its_colours() {
    // The browser measures a small working copy; the same photo larger, handed along,
    // lends its resolved strands to the colour fit.
    let mut an = analyzer();
    let mut worst_alone: f64 = 0.0;
    for (skin, hair, density, seed) in [
        (Skin::II, Hair::Black, 0.4, 4),
        (Skin::III, Hair::Brown, 0.3, 5),
        (Skin::V, Hair::White, 0.4, 4),
        (Skin::IV, Hair::White, 0.3, 6),
    ] {
        let s = render(&phone_closeup(900, skin, hair, density, seed));
        let (small, _) = working_copy(&s.image, 300);
        let region = Polygon::rectangle(0.0, 0.0, 300.0, 300.0);
        let alone = an.coverage(&small, Some(&region)).expect("measurable");
        let larger = Larger {
            image: &s.image,
            factor: 3.0,
        };
        let with = an
            .coverage_with(&small, Some(larger), Some(&region))
            .expect("measurable");
        let (e_alone, e_with) = (
            100.0 * (alone.coverage - s.truth),
            100.0 * (with.coverage - s.truth),
        );
        println!(
            "{skin:?}/{hair:?}: truth {:.1} %, small copy alone {e_alone:+.2} pp, with the larger copy {e_with:+.2} pp",
            100.0 * s.truth,
        );
        assert!(e_with.abs() < 3.0, "{skin:?}/{hair:?}: {e_with:+.2} pp");
        worst_alone = worst_alone.max(e_alone.abs());
        // Coordinates stay the small photo's.
        assert!((with.region_area_px - 90_000.0).abs() < 1.0);
    }
    // The test can fail: the small copy alone is measurably off.
    assert!(worst_alone > 5.0, "{worst_alone:+.2} pp alone at worst");
}

#[test]
fn the_working_copy_keeps_strand_mixtures_exact() {
    // Made with `working_copy` (linear light), the small copy reads what the photo reads;
    // its size and scale are those asked for.
    let s = render(&SynthParams {
        width: 900,
        height: 600,
        strand_width: 3.0,
        strand_length: 90.0,
        ..closeup(Skin::II, Hair::Black, 0.4, 6)
    });
    let (small, scale) = working_copy(&s.image, 300);
    assert_eq!((small.width(), small.height()), (300, 200));
    assert!((scale - 1.0 / 3.0).abs() < 1e-9);
    let mut an = analyzer();
    let region = Polygon::rectangle(0.0, 0.0, 300.0, 200.0);
    let larger = Larger {
        image: &s.image,
        factor: 3.0,
    };
    let c = an
        .coverage_with(&small, Some(larger), Some(&region))
        .expect("measurable");
    println!(
        "truth {:.1} %, read {:.1} %",
        100.0 * s.truth,
        100.0 * c.coverage
    );
    assert!((c.coverage - s.truth).abs() < 0.03);
    let (same, one) = working_copy(&small, 1024);
    assert_eq!((same.as_bytes(), one), (small.as_bytes(), 1.0));
}

/// Reads each named photo and checks that its error is within `limit` pp and within its
/// stated uncertainty; returns the errors.
fn errors_within(an: &mut Analyzer, photos: Vec<(String, SynthParams)>, limit: f64) -> Vec<f64> {
    let mut report = Vec::new();
    for (name, p) in photos {
        let s = render(&p);
        let c = an.coverage(&s.image, Some(&s.region)).expect("measurable");
        let err = 100.0 * (c.coverage - s.truth);
        report.push((name, err, 100.0 * c.uncertainty));
    }
    println!("{report:?}");
    for (name, err, unc) in &report {
        assert!(
            err.abs() <= limit && err.abs() <= *unc,
            "{name}: {err:+.1} +- {unc:.1}"
        );
    }
    report.into_iter().map(|r| r.1).collect()
}

/// Shine on the bald patch of a scalp with white or grey hair is not hair. By colour it is:
/// a bald scalp's highlight whitens the skin as white strands do. But it is smooth, and the
/// strands are not: where the map reads partly hair with far less strand-scale variation
/// than the photo's strands show, it is lowered to what that variation supports. Before,
/// these read 8 to 12 points high.
#[test]
fn shine_on_a_bald_patch_is_not_white_hair() {
    let photos = [
        (Skin::III, Hair::White, 0.3f32),
        (Skin::IV, Hair::White, 0.2),
        (Skin::V, Hair::White, 0.35),
        (Skin::II, Hair::White, 0.25),
    ]
    .into_iter()
    .enumerate()
    .map(|(k, (skin, hair, density))| {
        let p = SynthParams {
            width: 256,
            height: 256,
            strand_width: 1.5,
            bald_patch: Some((0.5, 0.45, 0.25, 0.0)),
            shine: 0.8,
            ..closeup(skin, hair, density, 620 + k as u64)
        };
        (format!("{skin:?}/{hair:?}"), p)
    })
    .collect();
    errors_within(&mut analyzer(), photos, 5.0);
}

/// Shine on a thinly haired scalp with dark hair: light off the skin's surface, in the
/// light's colour, which the strands cut off where they lie. Taken for more light, it made
/// the strands across the highlight read as far more hair than they are. Top-of-head
/// views of brown and black strands on types III to V with a strong highlight: they read
/// +2.0, +9.3, +3.1 and +5.0 (mean 4.8), now -0.2, +4.0, +2.0 and +3.3.
#[test]
fn shine_on_a_scalp_with_dark_hair_is_light_on_the_skin() {
    let photos = [
        (Skin::IV, Hair::Brown, 0.3f32),
        (Skin::V, Hair::Black, 0.35),
        (Skin::III, Hair::Brown, 0.25),
        (Skin::IV, Hair::Black, 0.3),
    ]
    .into_iter()
    .enumerate()
    .map(|(k, (skin, hair, density))| {
        let p = SynthParams {
            width: 384,
            height: 384,
            strand_width: 1.0,
            strand_length: 35.0,
            head: true,
            shine: 0.8,
            noise: 2.0,
            ..closeup(skin, hair, density, 930 + k as u64)
        };
        (format!("{skin:?}/{hair:?}"), p)
    })
    .collect();
    let errors = errors_within(&mut analyzer(), photos, 5.0);
    let mean = errors.iter().map(|e| e.abs()).sum::<f64>() / errors.len() as f64;
    assert!(mean <= 3.0, "mean error {mean:.1} pp");
}

/// Dense white hair on dark skin, blurred: both colour classes are mostly hair, and nearly
/// grey. The lighter one is still the less red and the more neutral; that is white hair, not
/// skin. These read 26 +- 12 % and 26 +- 10 % for a truth of 80 % and 70 %, confidently the
/// wrong way round. Now they are refused (the readings of either side differ too much), or
/// read within their uncertainty.
#[test]
fn dense_blurred_white_hair_on_dark_skin_is_not_read_the_wrong_way_round() {
    let mut an = analyzer();
    for (skin, blur, density) in [(Skin::V, 1.5f32, 0.8f32), (Skin::VI, 1.0, 0.7)] {
        let s = render(&SynthParams {
            width: 256,
            height: 256,
            strand_width: 1.0,
            blur,
            ..closeup(skin, Hair::White, density, 78)
        });
        match an.coverage(&s.image, Some(&s.region)) {
            Ok(c) => {
                let err = 100.0 * (c.coverage - s.truth);
                let unc = 100.0 * c.uncertainty;
                assert!(err.abs() <= unc, "{skin:?}: {err:+.1} outside +- {unc:.1}");
            }
            Err(e) => assert!(
                matches!(e, CoverageError::Ambiguous | CoverageError::AlikeColours),
                "{skin:?}: {e}"
            ),
        }
    }
}

/// Dense white hair, one pixel wide, on type V skin under shine, a top-of-head view: both
/// colour classes found are hair (blended and shiny strands), and the "skin" is greener than
/// red. It read 85 % +- 2.5 against a truth of 66 %; it is now refused with its reason.
#[test]
fn a_skin_class_without_a_skins_colour_is_refused() {
    let mut an = analyzer();
    let s = render(&SynthParams {
        width: 384,
        height: 384,
        skin: Skin::V,
        hair: Hair::White,
        strand_width: 1.0,
        strand_length: 35.0,
        density: 0.66,
        light_gradient: 0.11,
        light_angle: 0.82,
        exposure: 0.83,
        shine: 0.8,
        white_balance: [0.81, 1.0, 1.03],
        noise: 1.2,
        head: true,
        seed: 1430,
        ..Default::default()
    });
    match an.coverage(&s.image, Some(&s.region)) {
        Ok(c) => {
            let err = 100.0 * (c.coverage - s.truth);
            let unc = 100.0 * c.uncertainty;
            assert!(err.abs() <= unc, "{err:+.1} outside +- {unc:.1}");
        }
        Err(e) => {
            assert_eq!(e, CoverageError::NoSkinColour);
            assert!(e.to_string().contains("skin's colour"), "{e}");
        }
    }
}

/// The demo photo enlarged to fill most of a 12 MP frame, on a grey background, with heavy
/// grey sensor noise (as the wasm benchmark makes it): the fit took the dense dark hair for
/// skin and the scalp for light hair, and the photo was refused for a skin greener than
/// red. The side of skin hair is on is now chosen, when colour and tone leave it open, so
/// that the skin has a skin's colour, and the photo reads as it does without the noise.
#[test]
fn dark_hair_fitted_as_skin_under_heavy_noise_is_put_back() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/samples/before.jpg");
    let (_, photo) = scalp_compare::decode::decode_file(path).expect("the demo photo decodes");
    let (w, h, side) = (4000u32, 3000u32, 2500u32);
    let (x0, y0) = ((w - side) / 2, (h - side) / 2);
    let scale = f64::from(photo.width()) / f64::from(side);
    let make = |amplitude: i32| {
        let mut img = RgbaImage::filled(w, h, [0x6d, 0x6a, 0x66, 255]);
        let mut seed: u32 = 99;
        for y in 0..h {
            for x in 0..w {
                let mut px = img.pixel(x, y);
                if (x0..x0 + side).contains(&x) && (y0..y0 + side).contains(&y) {
                    // Bilinear enlargement.
                    let sx = ((f64::from(x - x0) + 0.5) * scale - 0.5).max(0.0);
                    let sy = ((f64::from(y - y0) + 0.5) * scale - 0.5).max(0.0);
                    let (ix, iy) = (sx as u32, sy as u32);
                    let (fx, fy) = (sx - f64::from(ix), sy - f64::from(iy));
                    let (jx, jy) = (
                        (ix + 1).min(photo.width() - 1),
                        (iy + 1).min(photo.height() - 1),
                    );
                    let (a, b, c, d) = (
                        photo.pixel(ix, iy),
                        photo.pixel(jx, iy),
                        photo.pixel(ix, jy),
                        photo.pixel(jx, jy),
                    );
                    for k in 0..3 {
                        let top = f64::from(a[k]) * (1.0 - fx) + f64::from(b[k]) * fx;
                        let bottom = f64::from(c[k]) * (1.0 - fx) + f64::from(d[k]) * fx;
                        px[k] = (top * (1.0 - fy) + bottom * fy).round() as u8;
                    }
                }
                // Grey noise in [-amplitude, amplitude), the same in every channel.
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let n = if amplitude > 0 {
                    ((seed >> 24) as i32 & (2 * amplitude - 1)) - amplitude
                } else {
                    0
                };
                for v in &mut px[..3] {
                    *v = (i32::from(*v) + n).clamp(0, 255) as u8;
                }
                img.set_pixel(x, y, px);
            }
        }
        img
    };
    let mut an = analyzer();
    let clean = an
        .coverage(&make(0), None)
        .expect("the clean frame is measured");
    let noisy = an
        .coverage(&make(16), None)
        .unwrap_or_else(|e| panic!("the noisy frame is refused: {e}"));
    println!(
        "clean {:.1} +- {:.1}, noisy {:.1} +- {:.1}",
        100.0 * clean.coverage,
        100.0 * clean.uncertainty,
        100.0 * noisy.coverage,
        100.0 * noisy.uncertainty
    );
    // Read on the wrong side of skin, this frame gives about one minus its coverage, which
    // is near half here: the tolerance is tight so that it cannot pass that way.
    assert!((noisy.coverage - clean.coverage).abs() < 0.02);
}

/// Stages 7-1 and 7-3 of the shared photos: bald crowns whose lit side is lighter, less red
/// and less saturated than the rest, as white hair under a warm cast is beside skin. It is
/// as smooth as the skin around it, so it stays skin: without that check they read 35 %
/// and 39 % hair (17 % and 9 % with it).
#[test]
fn the_lit_side_of_a_real_bald_crown_is_not_white_hair() {
    for (file, most) in [
        ("topdown-stage7-1.jpg", 0.25),
        ("topdown-stage7-3.jpg", 0.2),
    ] {
        let c = analyzer()
            .coverage(&shared_photo(file), None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(c.coverage < most, "{file}: {:.3}", c.coverage);
    }
}

/// Stage 6-2 of the shared photos: a bald crown, flushed redder towards the top of the
/// photo, read 39 % hair before the strand check (the flush taken for thin hair). Now
/// refused with the reason.
#[test]
fn a_flushed_real_crown_is_refused_not_read_as_hair() {
    let img = shared_photo("topdown-stage6-2.jpg");
    let e = analyzer().coverage(&img, None).expect_err("refused");
    assert_eq!(e, CoverageError::NoStrands);
}

/// Camera noise on dark skin between a few dark strands: the local skin level (the
/// brightest skin nearby) sits above the skin's own level by the noise, and taken as the
/// level it made bare skin part hair (these read 17, 19 and 26 % for 12-13 %; now 13, 14
/// and 16 %). The level now comes down by that lift.
#[test]
fn noise_on_bare_dark_skin_is_not_hair() {
    let mut an = analyzer();
    for (skin, seed) in [(Skin::IV, 71u64), (Skin::V, 72), (Skin::VI, 73)] {
        let p = SynthParams {
            width: 256,
            height: 256,
            blur: 0.5,
            noise: 3.0,
            ..closeup(skin, Hair::Black, 0.12, seed)
        };
        let s = render(&p);
        let c = an.coverage(&s.image, Some(&s.region)).expect("measurable");
        let e = 100.0 * (c.coverage - s.truth);
        println!(
            "{skin:?}: truth {:.1} % read {:.1} % +- {:.1}",
            100.0 * s.truth,
            100.0 * c.coverage,
            100.0 * c.uncertainty
        );
        assert!(e.abs() <= 4.5, "{skin:?}: error {e:.1} pp");
    }
}

/// A photo compared with itself reads as it does alone, with no change and the narrowest
/// uncertainty: the stage 5 crown read 14 % alone and 27 % beside a copy of itself, and
/// the stage 7 crown's "no change" came with +-24 points.
#[test]
fn a_photo_compared_with_itself_reads_as_alone_with_no_change() {
    let mut an = analyzer();
    for file in [
        "topdown-stage4-1.jpg",
        "topdown-stage5-1.jpg",
        "topdown-stage7-2.jpg",
    ] {
        let photo = shared_photo(file);
        let alone = an.coverage(&photo, None).expect("measurable alone");
        let pair = an
            .change(&photo, &photo, IDENTITY, None)
            .expect("measurable");
        println!(
            "{file}: alone {:.3} +- {:.3}; pair {:.3} / {:.3}, change {:+.2} +- {:.2} pp",
            alone.coverage,
            alone.uncertainty,
            pair.before.coverage,
            pair.after.coverage,
            pair.change_pp,
            pair.change_uncertainty_pp
        );
        assert!(
            (pair.before.coverage - alone.coverage).abs() < 1e-9,
            "{file}"
        );
        assert!(
            (pair.before.uncertainty - alone.uncertainty).abs() < 1e-9,
            "{file}"
        );
        assert!(
            (pair.after.coverage - alone.coverage).abs() < 1e-9,
            "{file}"
        );
        assert!(pair.change_pp.abs() < 0.01, "{file}");
        assert!(pair.change_uncertainty_pp < 1.0, "{file}");
    }
    // Two visits: BEFORE's figure is its reading alone (AFTER shows all of its region
    // here), and AFTER's is that plus the change.
    let base = SynthParams {
        width: 320,
        height: 320,
        skin: Skin::III,
        hair: Hair::Brown,
        strand_width: 1.5,
        strand_length: 40.0,
        density: 0.3,
        noise: 1.5,
        seed: 77,
        ..Default::default()
    };
    let b = render(&base);
    let a = render(&SynthParams {
        density: 0.5,
        ..base.clone()
    });
    let alone = an.coverage(&b.image, None).expect("measurable alone");
    let pair = an
        .change(&b.image, &a.image, IDENTITY, None)
        .expect("measurable");
    assert!((pair.before.coverage - alone.coverage).abs() < 1e-9);
    assert!((pair.after.coverage - pair.before.coverage - pair.change_pp / 100.0).abs() < 1e-9);
    assert!(pair.change_pp > 5.0, "regrowth: {:+.2}", pair.change_pp);
    let both = (alone.uncertainty.powi(2) + (pair.change_uncertainty_pp / 100.0).powi(2)).sqrt();
    assert!((pair.after.uncertainty - both).abs() < 1e-9);
}

/// A photo enlarged three times (as a soft photo from a large sensor is: no detail finer
/// than the original's pixels) reads as the photo itself. Its full-resolution tiles hold no
/// finer detail than the working copy, and on their own they took this stage 2 crown's
/// skin for hair (13 % against 69 %).
#[test]
fn an_enlarged_photo_reads_as_the_photo_itself() {
    let photo = shared_photo("topdown-stage2-2.jpg");
    let (w, h) = (photo.width(), photo.height());
    let src = image::RgbaImage::from_raw(w, h, photo.as_bytes().to_vec()).unwrap();
    let big = image::imageops::resize(&src, w * 3, h * 3, image::imageops::FilterType::CatmullRom);
    let big = RgbaImage::from_raw(w * 3, h * 3, big.into_raw()).unwrap();
    let alone = analyzer().coverage(&photo, None).expect("the photo reads");
    let enlarged = analyzer()
        .coverage(&big, None)
        .expect("the enlarged photo reads");
    let gap = 100.0 * (enlarged.coverage - alone.coverage).abs();
    assert!(
        gap < 8.0,
        "{:.1} % enlarged against {:.1} %",
        100.0 * enlarged.coverage,
        100.0 * alone.coverage
    );
}

/// Thick, sharp white strands on pale skin vary in tone from strand to strand, and a pixel's
/// reading moves several times as much as its strand's tone: the pixels wholly covered by
/// hair read about 0.6, so a dense head read 20 pp thin (and outside its uncertainty). The
/// flat cores of such strands, with bare skin beside them, are now read as whole strands.
#[test]
fn thick_light_strands_are_read_whole() {
    for seed in 1..=4 {
        let photo = render(&SynthParams {
            width: 256,
            height: 256,
            skin: Skin::I,
            hair: Hair::White,
            strand_width: 3.0,
            strand_length: 60.0,
            density: 0.75,
            noise: 1.5,
            seed,
            ..Default::default()
        });
        let c = analyzer()
            .coverage(&photo.image, Some(&photo.region))
            .expect("measurable");
        let err = c.coverage - photo.truth;
        println!(
            "seed {seed}: truth {:.1} read {:.1} +- {:.1}",
            100.0 * photo.truth,
            100.0 * c.coverage,
            100.0 * c.uncertainty
        );
        // (Measured: −11.1 to −12.9 pp now, −18.1 to −21.7 before.)
        assert!(err.abs() < 0.155, "seed {seed}: {err:+.3}");
        assert!(
            err.abs() <= c.uncertainty,
            "seed {seed}: {err:+.3} +- {:.3}",
            c.uncertainty
        );
    }
}
