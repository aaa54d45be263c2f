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
