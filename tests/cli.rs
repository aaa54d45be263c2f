//! The `scalp-compare` command line, as a script or a person calls it.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn cli(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scalp-compare"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the CLI runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn info_json_gives_size_and_orientation() {
    let (ok, out, _) = cli(&["info", "www/samples/before.jpg", "--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(v["width"], 640);
    assert_eq!(v["height"], 640);
    assert_eq!(v["orientation"], 1);
    assert_eq!(v["format"], "jpeg");
    // The sample carries no EXIF date: the key is there, as null.
    assert!(v["taken"].is_null(), "{v}");
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "format",
        "width",
        "height",
        "orientation",
        "stored_width",
        "stored_height",
        "taken",
    ] {
        assert!(keys.contains(&key), "{key} missing from {v}");
    }

    let (ok, out, _) = cli(&["info", "--json", "tests/fixtures/orient6.jpg"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(32), Some(64))
    );
    assert_eq!(v["orientation"], 6);
}

#[test]
fn bad_files_exit_non_zero_with_one_line() {
    let dir = std::env::temp_dir().join(format!("scalp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = dir.join("notes.jpg");
    std::fs::write(&text, "not a photo").unwrap();
    let half = dir.join("half.jpg");
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/samples/after.jpg"
    ))
    .unwrap();
    std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();

    for (path, says) in [
        (text.to_str().unwrap(), "not a photo"),
        (half.to_str().unwrap(), "incomplete"),
        ("no/such/photo.jpg", "could not read"),
    ] {
        let (ok, out, err) = cli(&["info", path, "--json"]);
        assert!(!ok, "{path} must fail");
        assert!(out.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains(says), "{err}");
    }
    let (ok, _, err) = cli(&["frobnicate"]);
    assert!(!ok && err.contains("unknown command"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn align_json_follows_the_contract() {
    let (ok, out, err) = cli(&[
        "align",
        "www/samples/before.jpg",
        "www/samples/after.jpg",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let truth: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/www/samples/pair.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for r in 0..3 {
        for c in 0..3 {
            let (got, want) = (
                v["matrix"][r][c].as_f64().unwrap(),
                truth["after_to_before"][r][c].as_f64().unwrap(),
            );
            let tol = if c == 2 && r < 2 { 2.0 } else { 0.01 };
            assert!((got - want).abs() < tol, "matrix[{r}][{c}] {got} vs {want}");
        }
    }
    assert_eq!(v["model"], "similarity");
    assert!(v["confidence"].as_f64().unwrap() > 0.7);
    assert!((v["rotation_deg"].as_f64().unwrap() - 6.0).abs() < 0.2);
    assert!((v["scale"].as_f64().unwrap() - 1.0 / 1.12).abs() < 0.01);
    assert_eq!(v["translation"].as_array().unwrap().len(), 2);
    assert!(v["timing_ms"]["decode"].is_number() && v["timing_ms"]["align"].is_number());

    // Landmarks: two pairs from the true mapping give the same answer, with residuals.
    let (ok, out, err) = cli(&[
        "align",
        "www/samples/before.jpg",
        "www/samples/after.jpg",
        "--json",
        "--landmarks",
        "150.17,100.11>100,100;475.50,421.60>500,420",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let residuals = v["landmark_residuals_px"].as_array().unwrap();
    assert_eq!(residuals.len(), 2);
    assert!(residuals.iter().all(|r| r.as_f64().unwrap() < 3.0), "{out}");

    // Unrelated photos: refused, one line.
    let (ok, _, err) = cli(&[
        "align",
        "www/samples/before.jpg",
        "tests/fixtures/orient6.jpg",
    ]);
    assert!(!ok);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn coverage_and_compare_json_follow_the_contract() {
    let (ok, out, err) = cli(&["coverage", "www/samples/before.jpg", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let c = v["coverage"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&c));
    assert!(v["uncertainty"].as_f64().unwrap() > 0.0);
    assert_eq!(v["roi"]["source"], "auto");
    assert!(v["roi"]["area_px"].as_f64().unwrap() > 10_000.0);
    assert!(v["timing_ms"].is_object());

    let roi = "200,200;450,200;450,450;200,450";
    let (ok, out, err) = cli(&["coverage", "www/samples/before.jpg", "--roi", roi, "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["roi"]["source"], "given");
    assert!((v["roi"]["area_px"].as_f64().unwrap() - 250.0 * 250.0).abs() < 250.0 * 250.0 * 0.05);

    let heat = std::env::temp_dir().join(format!("scalp-heat-test-{}.png", std::process::id()));
    let (ok, out, err) = cli(&[
        "compare",
        "www/samples/before.jpg",
        "www/samples/after.jpg",
        "--roi",
        roi,
        "--json",
        "--heatmap",
        heat.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["matrix"].as_array().unwrap().len(), 3);
    let (b, a) = (
        v["before"]["coverage"].as_f64().unwrap(),
        v["after"]["coverage"].as_f64().unwrap(),
    );
    assert!(((a - b) * 100.0 - v["change_pp"].as_f64().unwrap()).abs() < 1e-9);
    // Hair was painted into the crown of the simulated follow-up.
    assert!(v["change_pp"].as_f64().unwrap() > 3.0, "{out}");
    assert!(v["confidence"].as_f64().unwrap() > 0.5);
    assert!(heat.exists());
    std::fs::remove_file(heat).ok();

    let (ok, _, err) = cli(&["coverage", "www/samples/before.jpg", "--roi", "1,2;3"]);
    assert!(!ok && err.contains("--roi"), "{err}");
}

#[test]
fn compare_aligns_with_the_model_and_landmarks_it_is_given() {
    let pair = [
        "compare",
        "www/samples/before.jpg",
        "www/samples/after.jpg",
        "--json",
    ];
    let run = |extra: &[&str]| {
        let args: Vec<&str> = pair.iter().chain(extra).copied().collect();
        let (ok, out, err) = cli(&args);
        assert!(ok, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let auto = run(&[]);
    assert_eq!(auto["model"], "similarity");
    assert!(auto.get("landmark_residuals_px").is_none());
    // The model asked for is the one fitted (it was taken and ignored).
    assert_eq!(run(&["--model", "affine"])["model"], "affine");
    // From two landmark pairs, refined: the same comparison, with each pair's residual.
    let v = run(&["--landmarks", "150.17,100.11>100,100;475.50,421.60>500,420"]);
    let residuals = v["landmark_residuals_px"].as_array().unwrap();
    assert_eq!(residuals.len(), 2);
    assert!(residuals.iter().all(|r| r.as_f64().unwrap() < 3.0), "{v}");
    let gap = (v["change_pp"].as_f64().unwrap() - auto["change_pp"].as_f64().unwrap()).abs();
    assert!(gap < 1.0, "landmarks {v} vs automatic {auto}");
    // A landmark off its photo is named, and nothing is measured.
    let (ok, out, err) = cli(&[
        "compare",
        "www/samples/before.jpg",
        "www/samples/after.jpg",
        "--landmarks",
        "150,100>100,100;9000,421>500,420",
    ]);
    assert!(!ok && out.is_empty());
    assert!(err.contains("landmark pair 2: the BEFORE point"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// Four views of one visit give a SALT-style estimate, labelled as such: the views' losses
/// weighted 40/24/18/18, each view read as `coverage` reads it alone. A view that cannot be
/// read is named in the one-line message.
#[test]
fn salt_weights_four_views_and_names_the_one_that_fails() {
    let views = [
        "www/samples/before.jpg",
        "www/samples/after.jpg",
        "www/samples/after.jpg",
        "www/samples/before.jpg",
    ];
    let mut args = vec!["salt"];
    args.extend(views);
    args.push("--json");
    let (ok, out, err) = cli(&args);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["label"]
        .as_str()
        .unwrap()
        .contains("not a clinical SALT score"));
    let mut loss = 0.0;
    for ((name, weight), photo) in [
        ("top", 0.40),
        ("back", 0.24),
        ("left", 0.18),
        ("right", 0.18),
    ]
    .into_iter()
    .zip(views)
    {
        let view = &v["views"][name];
        assert_eq!(view["weight"].as_f64().unwrap(), weight);
        assert_eq!(view["photo"], photo);
        let (ok, alone, err) = cli(&["coverage", photo, "--json"]);
        assert!(ok, "{err}");
        let alone: serde_json::Value = serde_json::from_str(&alone).unwrap();
        assert_eq!(view["coverage"], alone["coverage"], "{name}");
        assert_eq!(view["uncertainty"], alone["uncertainty"], "{name}");
        loss += weight * 100.0 * (1.0 - view["coverage"].as_f64().unwrap());
    }
    assert!(
        (v["loss_percent"].as_f64().unwrap() - loss).abs() < 1e-9,
        "{out}"
    );
    let u = v["uncertainty_pp"].as_f64().unwrap();
    assert!(u > 0.0 && u < 30.0, "{out}");

    let (ok, text, err) = cli(&["salt", views[0], views[1], views[2], views[3]]);
    assert!(ok, "{err}");
    assert!(text.contains("without visible hair") && text.contains("not a clinical SALT score"));

    let dir = std::env::temp_dir().join(format!("scalp-salt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let notes = dir.join("notes.jpg");
    std::fs::write(&notes, "not a photo").unwrap();
    let (ok, out, err) = cli(&[
        "salt",
        views[0],
        notes.to_str().unwrap(),
        views[2],
        views[3],
    ]);
    assert!(!ok && out.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("back view") && err.contains("not a photo"),
        "{err}"
    );
    let (ok, _, err) = cli(&["salt", views[0], views[1]]);
    assert!(!ok && err.contains("four photos"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

/// A photo that cannot support a number is refused with advice the command line can
/// follow: a region given with `--roi` for `coverage`; for a SALT view, measured whole,
/// only a retake. (Stage 6-1 of the shared photos: a tanned bald crown with a white rim.)
#[test]
fn a_refused_photo_is_told_what_helps_at_the_command_line() {
    let crown = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/photos/uze-hair-loss/topdown-stage6-1.jpg"
    );
    let (ok, out, err) = cli(&["coverage", crown, "--json"]);
    assert!(!ok && out.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains("cannot be told apart"), "{err}");
    assert!(err.contains("with --roi") && !err.contains("draw"), "{err}");

    let other = "www/samples/before.jpg";
    let (ok, _, err) = cli(&["salt", crown, other, other, other]);
    assert!(!ok);
    assert!(
        err.contains("top view") && err.contains("cannot be told apart"),
        "{err}"
    );
    assert!(
        err.contains("retake the photo") && !err.contains("region"),
        "{err}"
    );
}

#[test]
fn an_output_file_never_overwrites_a_photo_and_bad_inputs_are_named() {
    let dir = std::env::temp_dir().join(format!("scalp-cli-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let before = dir.join("before.png");
    let after = dir.join("after.jpg");
    // A PNG input (the only kind an output could be mistaken for), and a JPEG one.
    image::open("www/samples/before.jpg")
        .unwrap()
        .save(&before)
        .unwrap();
    std::fs::copy("www/samples/after.jpg", &after).unwrap();
    let (b, a) = (before.to_str().unwrap(), after.to_str().unwrap());
    let original = std::fs::read(&before).unwrap();

    // The heat map or overlay aimed at an input photo (written another way) is refused
    // before any work, and the photo is untouched.
    let same = format!("{}/./before.png", dir.display());
    // A hard link is the same file under another name.
    let linked = dir.join("linked.png");
    let linked_ok = std::fs::hard_link(&before, &linked).is_ok();
    let linked = linked.to_str().unwrap();
    let mut cases = vec![
        vec!["compare", b, a, "--heatmap", &same],
        vec!["align", b, a, "--overlay", b],
    ];
    if linked_ok && cfg!(unix) {
        cases.push(vec!["compare", b, a, "--heatmap", linked]);
    }
    for args in cases {
        let (ok, out, err) = cli(&args);
        assert!(!ok && out.is_empty(), "{args:?}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains("which it would overwrite"), "{err}");
    }
    assert_eq!(
        std::fs::read(&before).unwrap(),
        original,
        "BEFORE was overwritten"
    );
    // An output that is not a PNG (or is the JPEG input) is refused by its name.
    let (ok, _, err) = cli(&["compare", b, a, "--heatmap", a]);
    assert!(!ok && err.contains("give a name ending in .png"), "{err}");
    let (ok, _, err) = cli(&["align", b, a, "--overlay", "map.txt"]);
    assert!(!ok && err.contains("give a name ending in .png"), "{err}");

    // Landmarks outside their photo are refused, naming the pair and the photo's size.
    let (ok, out, err) = cli(&[
        "align",
        b,
        a,
        "--landmarks",
        "100,100>120,110;-5000,-5000>200,200",
    ]);
    assert!(!ok && out.is_empty());
    assert!(
        err.contains("landmark pair 2")
            && err.contains("(-5000, -5000) is outside the BEFORE photo (640x640 pixels)"),
        "{err}"
    );
    // A region wholly outside the photo says so (not "too small").
    let (ok, _, err) = cli(&["coverage", b, "--roi", "5000,5000;6000,5000;6000,6000"]);
    assert!(
        !ok && err.contains("--roi lies outside the photo (640x640 pixels)"),
        "{err}"
    );
    let (ok, _, err) = cli(&["compare", b, a, "--roi", "5000,5000;6000,5000;6000,6000"]);
    assert!(!ok && err.contains("--roi lies outside BEFORE"), "{err}");

    // A good output is written as a PNG beside them.
    let map = dir.join("map.png");
    let (ok, _, err) = cli(&["compare", b, a, "--heatmap", map.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(image::open(&map).unwrap().width(), 640);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_photo_too_small_to_compare_is_refused_as_the_widget_refuses_it() {
    let dir = std::env::temp_dir().join(format!("scalp-cli-small-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let small = dir.join("small.png");
    image::RgbImage::from_pixel(20, 31, image::Rgb([180, 140, 120]))
        .save(&small)
        .unwrap();
    let small = small.to_str().unwrap();
    let big = "www/samples/before.jpg";
    for args in [
        vec!["coverage", small, "--json"],
        vec!["compare", big, small, "--json"],
        vec!["align", small, big, "--json"],
        vec!["salt", big, big, small, big, "--json"],
    ] {
        let (ok, out, err) = cli(&args);
        assert!(!ok, "{args:?} must fail");
        assert!(out.is_empty());
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(
            err.contains("too small to compare (20\u{d7}31 pixels; at least 32\u{d7}32 needed)")
                && err.contains("small.png"),
            "{args:?}: {err}"
        );
    }
    // `info` still describes it.
    let (ok, _, _) = cli(&["info", small, "--json"]);
    assert!(ok);
    std::fs::remove_dir_all(dir).ok();
}
