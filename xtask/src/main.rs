//! `cargo xtask`: the project's two commands and their helpers, std only so it
//! builds in seconds on a fresh machine.
//!
//! - `cargo xtask demo`  — install what is missing, build the wasm, serve `www/`
//!   on http://127.0.0.1:8080/ (`PORT` overrides) until stopped.
//! - `cargo xtask test`  — install what is missing, then fmt, clippy, native
//!   tests, wasm-bindgen-test in headless Chromium, Playwright end-to-end tests.
//! - `cargo xtask build` — build `www/pkg` only; `cargo xtask size` prints the
//!   wasm size raw and gzipped; `cargo xtask serve` serves without building,
//!   with the end-to-end test pages under `/__tests__/`.
//! - `cargo xtask package` — build, then write the npm package folder
//!   `target/npm/scalp-compare/` (element, worker, wasm, types, package.json).

mod serve;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

type Result<T = ()> = std::result::Result<T, String>;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo(),
        Some("test") => test(),
        Some("build") => setup_build().and_then(|_| build_wasm()),
        Some("size") => size(),
        Some("package") => setup_build()
            .and_then(|_| build_wasm())
            .and_then(|_| package(&root().join("target/npm/scalp-compare")))
            .map(|dir| println!("npm package folder: {}", dir.display())),
        Some("serve") => serve_forever(true),
        Some("bench-load") => bench_load(),
        Some("bench-ui") => browser_bench("tests/e2e/bench-ui.mjs"),
        Some("bench-align") => bench_align(),
        Some("bench-coverage") => bench_coverage(),
        _ => Err(
            "usage: cargo xtask demo | test | build | package | size | serve | bench-load | \
             bench-ui | bench-align | bench-coverage"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the repository")
        .to_path_buf()
}

fn step(what: &str) {
    eprintln!("\n==> {what}");
}

/// Runs a command in the repository root; fails with its name when it fails.
fn run(cmd: &mut Command) -> Result {
    let shown = format!("{cmd:?}");
    let status = cmd
        .current_dir(root())
        .status()
        .map_err(|e| format!("could not start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("failed ({status}): {shown}"))
    }
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.current_dir(root()).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cargo() -> Command {
    Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

// ---------- installing what is missing ----------

/// The exact wasm-bindgen version pinned in Cargo.toml (`wasm-bindgen = "=X"`).
fn pinned_wasm_bindgen() -> Result<String> {
    let toml = std::fs::read_to_string(root().join("Cargo.toml"))
        .map_err(|e| format!("cannot read Cargo.toml: {e}"))?;
    toml.lines()
        .find_map(|l| {
            let l = l.trim();
            l.strip_prefix("wasm-bindgen = \"=")
                .and_then(|rest| rest.split('"').next())
                .map(str::to_string)
        })
        .ok_or_else(|| "Cargo.toml must pin wasm-bindgen as `wasm-bindgen = \"=X.Y.Z\"`".into())
}

fn ensure_wasm_target() -> Result {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        step("installing the wasm32 target");
        run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    Ok(())
}

fn ensure_wasm_bindgen() -> Result {
    let want = pinned_wasm_bindgen()?;
    let have = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    let runner = output(Command::new("wasm-bindgen-test-runner").arg("--version")).is_some();
    if !have.split_whitespace().any(|w| w == want) || !runner {
        step(&format!(
            "installing wasm-bindgen-cli {want} (takes a few minutes once)"
        ));
        run(cargo().args(["install", "wasm-bindgen-cli", "--force", "--version", &want]))?;
    }
    Ok(())
}

fn ensure_node_modules() -> Result {
    let root = root();
    let stamp = root.join("node_modules/.package-lock.json");
    let lock = root.join("package-lock.json");
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&stamp), modified(&lock)), (Some(s), Some(l)) if s >= l);
    if !fresh {
        if output(Command::new("npm").arg("--version")).is_none() {
            return Err(
                "npm is needed (Node.js 18 or newer): install Node.js, then run this again".into(),
            );
        }
        step("installing npm dev tools (playwright-core, axe-core, binaryen)");
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))?;
    }
    Ok(())
}

fn ensure_chromium() -> Result {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    if output(Command::new("apt-get").arg("--version")).is_none() {
        return Err(format!(
            "the browser tests need Chromium at {CHROMIUM} and ChromeDriver at {CHROMEDRIVER}; \
             this machine has no apt-get, so install both by hand and run this again"
        ));
    }
    step("installing Debian's chromium and chromium-driver");
    let root_user = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root_user {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update"]))?;
    run(&mut apt(&["install", "-y", "chromium", "chromium-driver"]))
}

fn setup_build() -> Result {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_node_modules()
}

// ---------- building ----------

fn build_wasm() -> Result {
    step("building the wasm core");
    run(cargo().args([
        "build",
        "--release",
        "--lib",
        "--package",
        "scalp-compare",
        "--target",
        WASM_TARGET,
    ]))?;
    let root = root();
    let pkg = root.join("www/pkg");
    let wasm = root.join("target/wasm32-unknown-unknown/release/scalp_compare.wasm");
    run(Command::new("wasm-bindgen")
        .args(["--target", "web", "--out-dir"])
        .arg(&pkg)
        .arg(&wasm))?;
    let bg = pkg.join("scalp_compare_bg.wasm");
    run(Command::new(root.join("node_modules/.bin/wasm-opt"))
        .args([
            "-O3",
            "--enable-simd",
            "--enable-bulk-memory",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-mutable-globals",
            "--enable-reference-types",
            "--enable-multivalue",
        ])
        .arg(&bg)
        .arg("-o")
        .arg(&bg))?;
    print_size(&bg);
    Ok(())
}

fn print_size(wasm: &Path) {
    let raw = wasm.metadata().map(|m| m.len()).unwrap_or(0);
    let gz = output(
        Command::new("sh")
            .arg("-c")
            .arg(format!("gzip -9 -c '{}' | wc -c", wasm.display())),
    )
    .and_then(|s| s.trim().parse::<u64>().ok());
    match gz {
        Some(gz) => eprintln!(
            "wasm: {:.1} KB raw, {:.1} KB gzipped ({})",
            raw as f64 / 1024.0,
            gz as f64 / 1024.0,
            wasm.display()
        ),
        None => eprintln!("wasm: {:.1} KB raw", raw as f64 / 1024.0),
    }
}

/// The files of the npm package, from `www/` (the element's modules and types)
/// and `www/pkg/` (wasm-bindgen's output).
const PACKAGE_FILES: &[&str] = &[
    "scalp-compare.js",
    "scalp-compare.d.ts",
    "scalp-compare.worker.js",
    "landmarks.js",
    "annotate.js",
    "report.js",
    "i18n.js",
    "pkg/scalp_compare.js",
    "pkg/scalp_compare.d.ts",
    "pkg/scalp_compare_bg.wasm",
    "pkg/scalp_compare_bg.wasm.d.ts",
];

/// The crate's version, for the package.
fn crate_version() -> Result<String> {
    let toml = std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    toml.lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| "Cargo.toml has no version".into())
}

/// Writes the npm-ready package folder `dir` from a built `www/`.
fn package(dir: &Path) -> Result<PathBuf> {
    step(&format!("writing the npm package to {}", dir.display()));
    let www = root().join("www");
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .map_err(|e| format!("could not clear {}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir.join("pkg")).map_err(|e| e.to_string())?;
    for file in PACKAGE_FILES {
        std::fs::copy(www.join(file), dir.join(file)).map_err(|e| {
            format!("could not copy www/{file} (run `cargo xtask build` first?): {e}")
        })?;
    }
    std::fs::copy(root().join("README.md"), dir.join("README.md")).map_err(|e| e.to_string())?;
    let files = PACKAGE_FILES
        .iter()
        .map(|f| format!("    \"{f}\""))
        .collect::<Vec<_>>()
        .join(",\n");
    let manifest = format!(
        r#"{{
  "name": "scalp-compare",
  "version": "{version}",
  "description": "Compare scalp photographs over time: a <scalp-compare> custom element with automatic alignment, hair-coverage change, annotations and reports. Photos never leave the browser.",
  "license": "MIT OR Apache-2.0",
  "type": "module",
  "main": "./scalp-compare.js",
  "module": "./scalp-compare.js",
  "types": "./scalp-compare.d.ts",
  "exports": {{
    ".": {{
      "types": "./scalp-compare.d.ts",
      "default": "./scalp-compare.js"
    }},
    "./worker": "./scalp-compare.worker.js",
    "./core": {{
      "types": "./pkg/scalp_compare.d.ts",
      "default": "./pkg/scalp_compare.js"
    }},
    "./scalp_compare_bg.wasm": "./pkg/scalp_compare_bg.wasm",
    "./package.json": "./package.json"
  }},
  "sideEffects": [
    "./scalp-compare.js",
    "./landmarks.js"
  ],
  "files": [
{files},
    "README.md"
  ],
  "keywords": ["scalp", "hair-loss", "before-after", "image-comparison", "web-component", "webassembly"]
}}
"#,
        version = crate_version()?
    );
    std::fs::write(dir.join("package.json"), manifest).map_err(|e| e.to_string())?;
    Ok(dir.to_path_buf())
}

fn size() -> Result {
    let bg = root().join("www/pkg/scalp_compare_bg.wasm");
    if !bg.exists() {
        setup_build()?;
        build_wasm()?;
    } else {
        print_size(&bg);
    }
    Ok(())
}

// ---------- the two commands ----------

fn port() -> Result<u16> {
    match env::var("PORT") {
        Ok(p) => p
            .parse()
            .map_err(|_| format!("PORT must be a port number, not {p:?}")),
        Err(_) => Ok(8080),
    }
}

fn demo() -> Result {
    setup_build()?;
    build_wasm()?;
    serve_forever(false)
}

/// Serves `www/` (and, for `cargo xtask serve`, the e2e test pages under
/// `/__tests__/`) until stopped.
fn serve_forever(with_tests: bool) -> Result {
    let tests = with_tests.then(|| root().join("tests/e2e/pages"));
    let server = serve::Server::start(root().join("www"), tests, port()?)?;
    println!("\nscalp-compare demo: {}  (Ctrl+C to stop)", server.url());
    server.wait();
    Ok(())
}

fn test() -> Result {
    setup_build()?;
    ensure_chromium()?;

    step("cargo fmt --check");
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    step("clippy (native, all targets)");
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("clippy (wasm32: web layer and its tests)");
    run(cargo().args([
        "clippy",
        "--package",
        "scalp-compare",
        "--lib",
        "--tests",
        "--target",
        WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))?;

    step("native tests");
    run(cargo().args(["test", "--workspace"]))?;

    step("wasm-bindgen-test in headless Chromium");
    run(cargo()
        .args([
            "test",
            "--release",
            "--package",
            "scalp-compare",
            "--target",
            WASM_TARGET,
            "--test",
            "web",
        ])
        .env("CHROMEDRIVER", CHROMEDRIVER))?;

    build_wasm()?;

    let dir = package(&root().join("target/npm/scalp-compare"))?;
    step("checking the npm package");
    run(Command::new("node")
        .arg("tests/package-check.mjs")
        .arg(&dir))?;

    step("end-to-end tests (Playwright, headless Chromium)");
    let server = serve::Server::start(root().join("www"), Some(root().join("tests/e2e/pages")), 0)?;
    let result = run(Command::new(root().join("node_modules/.bin/playwright"))
        .args(["test", "--config", "tests/e2e/playwright.config.js"])
        .env("BASE_URL", server.url())
        .env("CHROMIUM", CHROMIUM));
    result?;
    eprintln!("\nall checks passed");
    Ok(())
}

/// Prints load-time figures measured in headless Chromium (see
/// `tests/e2e/bench-load.mjs`).
fn bench_load() -> Result {
    browser_bench("tests/e2e/bench-load.mjs")
}

/// Builds, serves `www/` on a free port and runs a Node benchmark script that
/// drives headless Chromium against it.
fn browser_bench(script: &str) -> Result {
    browser_benches(&[script], &[])
}

/// [`browser_bench`] for several scripts in turn, with one build and one server; `envs`
/// are passed to each script as environment variables.
fn browser_benches(scripts: &[&str], envs: &[(&str, &Path)]) -> Result {
    setup_build()?;
    ensure_chromium()?;
    build_wasm()?;
    let server = serve::Server::start(root().join("www"), None, 0)?;
    for script in scripts {
        run(Command::new("node")
            .arg(script)
            .env("BASE_URL", server.url())
            .env("CHROMIUM", CHROMIUM)
            .envs(envs.iter().copied()))?;
    }
    Ok(())
}

/// A Python virtual environment under `target/` with the benchmark's peer tools
/// (OpenCV, scikit-image's bundled photos), made once.
fn bench_python() -> Result<PathBuf> {
    let venv = root().join("target/bench-venv");
    let python = venv.join("bin/python");
    let ready = output(Command::new(&python).args(["-c", "import cv2, skimage"])).is_some();
    if !ready {
        step("installing the benchmark's Python tools (opencv-python-headless, scikit-image)");
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "opencv-python-headless",
            "scikit-image",
        ]))?;
    }
    Ok(python)
}

/// The alignment benchmark: our method and OpenCV's SIFT+RANSAC on the same
/// pairs (native), then a 12 MP pair in wasm in headless Chromium.
fn bench_align() -> Result {
    let python = bench_python()?;
    let out = root().join("bench-out");
    step("exporting scikit-image's bundled photographs");
    run(Command::new(&python)
        .arg("bench/export_photos.py")
        .arg(out.join("photos")))?;
    step("scalp-compare on the evaluation pairs (native, release)");
    let pairs = env::var("PAIRS").unwrap_or_else(|_| "36".into());
    run(example("eval_align")
        .arg(&pairs)
        .arg("--photos")
        .arg(out.join("photos"))
        .arg("--write")
        .arg(out.join("align")))?;
    step("OpenCV SIFT+RANSAC on the same pairs; the table");
    run(Command::new(&python)
        .arg("bench/opencv_align.py")
        .arg(out.join("align")))?;
    step("12 MP pair in wasm, headless Chromium");
    browser_bench("tests/e2e/bench-align-wasm.mjs")
}

/// `cargo run --quiet --release --example NAME --`, to which the example's arguments are
/// added.
fn example(name: &str) -> Command {
    let mut c = cargo();
    c.args(["run", "--quiet", "--release", "--example", name, "--"]);
    c
}

/// The coverage benchmark: accuracy on rendered photos with known coverage, change
/// pairs, the staged real photos, and the Otsu baseline beside it (native); then the
/// worker's time for 12 MP pairs in Chromium, and rendered 12 MP JPEGs measured the
/// way the browser does beside the native reading of the same files.
fn bench_coverage() -> Result {
    step("coverage accuracy (native, release)");
    run(&mut example("eval_coverage"))?;
    step("rendering 12 MP JPEGs with known coverage (bench-out/phone)");
    let dir = root().join("bench-out/phone");
    run(example("phone_photos").arg(&dir))?;
    step("12 MP pairs in wasm, headless Chromium (alignment, then coverage); the JPEGs as the browser measures them");
    browser_benches(
        &[
            "tests/e2e/bench-align-wasm.mjs",
            "tests/e2e/bench-coverage-browser.mjs",
        ],
        &[("PHONE_DIR", dir.as_path())],
    )
}
