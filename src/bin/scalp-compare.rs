//! `scalp-compare`: the command-line tool over the same core as the widget.
//!
//! ```text
//! scalp-compare info PHOTO [--json]
//! scalp-compare align BEFORE AFTER [--json] [--model similarity|affine|homography]
//!                     [--landmarks "bx,by>ax,ay;..."] [--overlay OUT.png]
//! scalp-compare coverage PHOTO [--roi "x,y;x,y;..."] [--json]
//! scalp-compare compare BEFORE AFTER [--roi "x,y;..."] [--json] [--heatmap OUT.png]
//!                     [--model similarity|affine|homography] [--landmarks "bx,by>ax,ay;..."]
//! scalp-compare salt TOP BACK LEFT RIGHT [--json]
//! ```
//!
//! Output goes to stdout; a failure exits non-zero with one line on stderr.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::run(&args) {
        Ok(out) => {
            use std::io::Write;
            // A reader that stops early (`| head`) closes the pipe: nothing more to say.
            match writeln!(std::io::stdout(), "{out}") {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    eprintln!("scalp-compare: could not write the result: {e}");
                    std::process::ExitCode::from(1)
                }
                _ => std::process::ExitCode::SUCCESS,
            }
        }
        Err(msg) => {
            // One line, for people and for scripts.
            eprintln!("scalp-compare: {}", msg.replace('\n', " "));
            std::process::ExitCode::from(1)
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::time::Instant;

    use scalp_compare::align::{rgba_to_grey, AlignOptions, Aligner, Alignment, GreyRef};
    use scalp_compare::coverage::{
        salt_estimate, Advice, Analyzer, Coverage, CoverageOptions, Polygon, RegionSource,
        SALT_LABEL, SALT_VIEWS,
    };
    use scalp_compare::decode::decode_file;
    use scalp_compare::geometry::{Model, Transform};
    use scalp_compare::RgbaImage;

    const USAGE: &str = "usage: scalp-compare info PHOTO [--json] | \
        align BEFORE AFTER [--json] [--model similarity|affine|homography] \
        [--landmarks \"bx,by>ax,ay;...\"] [--overlay OUT.png] | \
        coverage PHOTO [--roi \"x,y;x,y;...\"] [--json] | \
        compare BEFORE AFTER [--roi \"x,y;...\"] [--json] [--heatmap OUT.png] \
        [--model similarity|affine|homography] [--landmarks \"bx,by>ax,ay;...\"] | \
        salt TOP BACK LEFT RIGHT [--json]";

    /// Decodes a photo to compare or measure, refusing one too small to align, as the
    /// widget does (the CLI measured a 20x20 photo and asked for a larger region).
    fn read_photo(path: &str) -> Result<RgbaImage, String> {
        let (_, photo) = decode_file(path).map_err(|e| format!("{path}: {e}"))?;
        let min = scalp_compare::align::MIN_SIDE;
        if photo.width() < min || photo.height() < min {
            return Err(format!(
                "{path}: this photo is too small to compare ({}\u{d7}{} pixels; at least {min}\u{d7}{min} needed)",
                photo.width(),
                photo.height()
            ));
        }
        Ok(photo)
    }

    /// Parsed command-line words: positionals, flags and `--name value` options.
    struct Args<'a> {
        positional: Vec<&'a str>,
        json: bool,
        options: Vec<(&'a str, &'a str)>,
    }

    impl<'a> Args<'a> {
        fn parse(args: &'a [String], with_value: &[&str]) -> Result<Args<'a>, String> {
            let mut out = Args {
                positional: Vec::new(),
                json: false,
                options: Vec::new(),
            };
            let mut it = args.iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--json" => out.json = true,
                    name if with_value.contains(&name) => {
                        let value = it
                            .next()
                            .ok_or_else(|| format!("{name} needs a value; {USAGE}"))?;
                        out.options.push((name, value));
                    }
                    flag if flag.starts_with("--") => {
                        return Err(format!("unknown option '{flag}'; {USAGE}"))
                    }
                    p => out.positional.push(p),
                }
            }
            Ok(out)
        }

        fn get(&self, name: &str) -> Option<&'a str> {
            self.options
                .iter()
                .rev()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| *v)
        }
    }

    pub fn run(args: &[String]) -> Result<String, String> {
        let Some(command) = args.first() else {
            return Err(USAGE.into());
        };
        match command.as_str() {
            "info" => info(&args[1..]),
            "align" => align(&args[1..]),
            "coverage" => coverage(&args[1..]),
            "compare" => compare(&args[1..]),
            "salt" => salt(&args[1..]),
            "-h" | "--help" | "help" => Ok(USAGE.into()),
            other => Err(format!("unknown command '{other}'; {USAGE}")),
        }
    }

    fn info(args: &[String]) -> Result<String, String> {
        let a = Args::parse(args, &[])?;
        let [path] = a.positional[..] else {
            return Err(format!("info takes one photo; {USAGE}"));
        };
        // Decode fully so that a file with damaged pixel data is caught too.
        let (info, _) = decode_file(path).map_err(|e| format!("{path}: {e}"))?;
        if a.json {
            serde_json::to_string(&info).map_err(|e| e.to_string())
        } else {
            let taken = match &info.taken {
                Some(date) => format!(", taken {date}"),
                None => String::new(),
            };
            Ok(format!(
                "{path}: {} {}x{} (EXIF orientation {}, stored {}x{}{taken})",
                info.format.name(),
                info.width,
                info.height,
                info.orientation,
                info.stored_width,
                info.stored_height
            ))
        }
    }

    /// Landmark points, BEFORE and AFTER, pair by pair.
    type Points = Vec<(f64, f64)>;

    /// Parses `"bx,by>ax,ay;..."` into BEFORE and AFTER point lists.
    pub(crate) fn parse_landmarks(text: &str) -> Result<(Points, Points), String> {
        let point = |s: &str| -> Option<(f64, f64)> {
            let (x, y) = s.trim().split_once(',')?;
            let (x, y) = (x.trim().parse::<f64>().ok()?, y.trim().parse::<f64>().ok()?);
            (x.is_finite() && y.is_finite()).then_some((x, y))
        };
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (i, pair) in text.split(';').filter(|p| !p.trim().is_empty()).enumerate() {
            let parsed = pair
                .split_once('>')
                .and_then(|(b, a)| Some((point(b)?, point(a)?)));
            let (b, a) = parsed.ok_or_else(|| {
                format!(
                    "landmark pair {} ({:?}) is not \"bx,by>ax,ay\" with numbers",
                    i + 1,
                    pair.trim()
                )
            })?;
            before.push(b);
            after.push(a);
        }
        if before.len() < 2 {
            return Err("give at least 2 landmark pairs, as \"bx,by>ax,ay;bx,by>ax,ay\"".into());
        }
        Ok((before, after))
    }

    /// The `--model` option (similarity when not given).
    fn parse_model(a: &Args) -> Result<Model, String> {
        match a.get("--model").unwrap_or("similarity") {
            "similarity" => Ok(Model::Similarity),
            "affine" => Ok(Model::Affine),
            "homography" => Ok(Model::Homography),
            other => Err(format!(
                "unknown model '{other}': use similarity, affine or homography"
            )),
        }
    }

    /// Aligns AFTER onto BEFORE, automatically or from landmark pairs (which must lie in
    /// their photos), as `align` and `compare` both do.
    fn align_pair(
        before: &RgbaImage,
        after: &RgbaImage,
        model: Model,
        landmarks: Option<&(Points, Points)>,
    ) -> Result<Alignment, String> {
        if let Some((b, af)) = landmarks {
            within("BEFORE", b, before)?;
            within("AFTER", af, after)?;
        }
        let (bg, ag) = (grey(before), grey(after));
        let bref = GreyRef::new(&bg, before.width(), before.height()).map_err(|e| e.to_string())?;
        let aref = GreyRef::new(&ag, after.width(), after.height()).map_err(|e| e.to_string())?;
        let mut aligner = Aligner::new(AlignOptions {
            model,
            ..AlignOptions::default()
        });
        match landmarks {
            Some((b, af)) => aligner.align_with_landmarks(bref, aref, b, af),
            None => aligner.align(bref, aref),
        }
        .map_err(|e| e.to_string())
    }

    /// How far each landmark pair is left apart by `t`, in BEFORE pixels.
    fn residuals(t: &Transform, (before, after): &(Points, Points)) -> Vec<f64> {
        before
            .iter()
            .zip(after)
            .map(|(&(bx, by), &(ax, ay))| {
                let (x, y) = t.apply(ax, ay);
                (x - bx).hypot(y - by)
            })
            .collect()
    }

    /// What the text output says of an alignment's confidence: a landmark fit the photos'
    /// detail does not confirm is said to be so.
    fn confidence_text(confidence: f64) -> String {
        if confidence < AlignOptions::default().min_confidence {
            format!(
                "confidence {:.0}%: the photos' detail does not confirm this alignment",
                confidence * 100.0
            )
        } else {
            format!("confidence {:.0}%", confidence * 100.0)
        }
    }

    fn align(args: &[String]) -> Result<String, String> {
        let a = Args::parse(args, &["--model", "--landmarks", "--overlay"])?;
        let [before_path, after_path] = a.positional[..] else {
            return Err(format!("align takes two photos, BEFORE and AFTER; {USAGE}"));
        };
        let model = parse_model(&a)?;
        let landmarks = a.get("--landmarks").map(parse_landmarks).transpose()?;
        if let Some(out) = a.get("--overlay") {
            check_output(out, "--overlay", &[before_path, after_path])?;
        }

        let t0 = Instant::now();
        let before = read_photo(before_path)?;
        let after = read_photo(after_path)?;
        let decode_ms = t0.elapsed().as_secs_f64() * 1e3;

        let t1 = Instant::now();
        let result = align_pair(&before, &after, model, landmarks.as_ref())?;
        let align_ms = t1.elapsed().as_secs_f64() * 1e3;

        let t = result.transform;
        if let Some(out) = a.get("--overlay") {
            save_png(&overlay(&before, &after, &t)?, out, "overlay")?;
        }
        let (tx, ty) = t.translation();
        let mut json = serde_json::json!({
            "matrix": t.matrix,
            "model": t.model,
            "confidence": result.confidence,
            "rotation_deg": t.rotation_deg(),
            "scale": t.scale_factor(),
            "mirrored": t.mirrored(),
            "translation": [tx, ty],
            "timing_ms": {"decode": decode_ms, "align": align_ms},
        });
        if let Some(l) = &landmarks {
            json["landmark_residuals_px"] = serde_json::json!(residuals(&t, l));
        }
        if a.json {
            Ok(json.to_string())
        } else {
            Ok(format!(
                "aligned ({}, {}): {}rotation {:.2} deg, scale {:.4}, translation ({tx:.1}, {ty:.1}) px; decode {decode_ms:.0} ms, align {align_ms:.0} ms",
                t.model,
                confidence_text(result.confidence),
                if t.mirrored() { "mirrored, " } else { "" },
                t.rotation_deg(),
                t.scale_factor()
            ))
        }
    }

    fn parse_roi(text: Option<&str>) -> Result<Option<Polygon>, String> {
        text.map(|t| {
            t.parse::<Polygon>()
                .map_err(|e| format!("--roi is not a polygon \"x,y;x,y;...\": {e}"))
        })
        .transpose()
    }

    fn source_name(s: RegionSource) -> &'static str {
        match s {
            RegionSource::Auto => "auto",
            RegionSource::Given => "given",
        }
    }

    fn coverage(args: &[String]) -> Result<String, String> {
        let a = Args::parse(args, &["--roi"])?;
        let [path] = a.positional[..] else {
            return Err(format!("coverage takes one photo; {USAGE}"));
        };
        let roi = parse_roi(a.get("--roi"))?;
        let t0 = Instant::now();
        let photo = read_photo(path)?;
        roi_on_photo(roi.as_ref(), &photo, "the photo")?;
        let decode_ms = t0.elapsed().as_secs_f64() * 1e3;
        let t1 = Instant::now();
        let c = Analyzer::new(CoverageOptions::default())
            .coverage(&photo, roi.as_ref())
            .map_err(|e| format!("{path}: {}", e.message(Advice::RoiOption)))?;
        let ms = t1.elapsed().as_secs_f64() * 1e3;
        if a.json {
            Ok(serde_json::json!({
                "coverage": c.coverage,
                "uncertainty": c.uncertainty,
                "roi": {"source": source_name(c.region_source), "area_px": c.region_area_px},
                "timing_ms": {"decode": decode_ms, "coverage": ms},
            })
            .to_string())
        } else {
            Ok(format!(
                "{path}: hair coverage {:.1}% \u{b1} {:.1} pp over {:.0} px of scalp ({} region)",
                c.coverage * 100.0,
                c.uncertainty * 100.0,
                c.region_area_px,
                source_name(c.region_source)
            ))
        }
    }

    fn compare(args: &[String]) -> Result<String, String> {
        let a = Args::parse(args, &["--roi", "--heatmap", "--model", "--landmarks"])?;
        let [before_path, after_path] = a.positional[..] else {
            return Err(format!(
                "compare takes two photos, BEFORE and AFTER; {USAGE}"
            ));
        };
        let roi = parse_roi(a.get("--roi"))?;
        let model = parse_model(&a)?;
        let landmarks = a.get("--landmarks").map(parse_landmarks).transpose()?;
        if let Some(out) = a.get("--heatmap") {
            check_output(out, "--heatmap", &[before_path, after_path])?;
        }
        let t0 = Instant::now();
        let before = read_photo(before_path)?;
        let after = read_photo(after_path)?;
        roi_on_photo(roi.as_ref(), &before, "BEFORE")?;
        let decode_ms = t0.elapsed().as_secs_f64() * 1e3;
        let t1 = Instant::now();
        let alignment = align_pair(&before, &after, model, landmarks.as_ref())?;
        let align_ms = t1.elapsed().as_secs_f64() * 1e3;
        let t2 = Instant::now();
        let change = Analyzer::new(CoverageOptions::default())
            .change(&before, &after, alignment.transform.matrix, roi.as_ref())
            .map_err(|e| e.message(Advice::RoiOption))?;
        let coverage_ms = t2.elapsed().as_secs_f64() * 1e3;
        if let Some(out) = a.get("--heatmap") {
            write_heatmap(&before, &after, &alignment.transform, &change.cell_map, out)?;
        }
        let side = |c: &scalp_compare::coverage::Coverage| serde_json::json!({"coverage": c.coverage, "uncertainty": c.uncertainty});
        if a.json {
            let mut json = serde_json::json!({
                "matrix": alignment.transform.matrix,
                "model": alignment.transform.model,
                "confidence": alignment.confidence,
                "before": side(&change.before),
                "after": side(&change.after),
                "change_pp": change.change_pp,
                "change_uncertainty_pp": change.change_uncertainty_pp,
                "roi": {"source": source_name(change.before.region_source), "area_px": change.before.region_area_px},
                "timing_ms": {"decode": decode_ms, "align": align_ms, "coverage": coverage_ms},
            });
            if let Some(l) = &landmarks {
                json["landmark_residuals_px"] =
                    serde_json::json!(residuals(&alignment.transform, l));
            }
            Ok(json.to_string())
        } else {
            Ok(format!(
                "coverage {:.1}% \u{b1} {:.1} -> {:.1}% \u{b1} {:.1}: change {:+.1} \u{b1} {:.1} percentage points (alignment {})",
                change.before.coverage * 100.0,
                change.before.uncertainty * 100.0,
                change.after.coverage * 100.0,
                change.after.uncertainty * 100.0,
                change.change_pp,
                change.change_uncertainty_pp,
                confidence_text(alignment.confidence)
            ))
        }
    }

    /// A SALT-style estimate of hair loss from four views of one visit (top, back, left,
    /// right), each measured over its automatically found scalp.
    fn salt(args: &[String]) -> Result<String, String> {
        let a = Args::parse(args, &[])?;
        let [top, back, left, right] = a.positional[..] else {
            return Err(format!(
                "salt takes four photos of one visit: TOP BACK LEFT RIGHT; {USAGE}"
            ));
        };
        let paths = [top, back, left, right];
        let mut analyzer = Analyzer::new(CoverageOptions::default());
        let t0 = Instant::now();
        let mut measure = |i: usize| -> Result<Coverage, String> {
            let (view, path) = (SALT_VIEWS[i].0, paths[i]);
            let photo = read_photo(path).map_err(|e| format!("{view} view, {e}"))?;
            analyzer
                .coverage(&photo, None)
                .map_err(|e| format!("{view} view, {path}: {}", e.message(Advice::RetakeOnly)))
        };
        let measured = [measure(0)?, measure(1)?, measure(2)?, measure(3)?];
        let ms = t0.elapsed().as_secs_f64() * 1e3;
        let [t, b, l, r] = &measured;
        let est = salt_estimate(t, b, l, r);
        if a.json {
            let mut per_view = serde_json::Map::new();
            for (((view, weight), path), c) in SALT_VIEWS.iter().zip(paths).zip(&measured) {
                per_view.insert(
                    (*view).into(),
                    serde_json::json!({
                        "photo": path,
                        "coverage": c.coverage,
                        "uncertainty": c.uncertainty,
                        "weight": weight,
                        "roi": {"source": source_name(c.region_source), "area_px": c.region_area_px},
                    }),
                );
            }
            Ok(serde_json::json!({
                "label": SALT_LABEL,
                "loss_percent": est.estimated_loss_percent,
                "uncertainty_pp": est.uncertainty_pp,
                "views": per_view,
                "timing_ms": {"decode_and_coverage": ms},
            })
            .to_string())
        } else {
            let parts: Vec<String> = SALT_VIEWS
                .iter()
                .zip(&measured)
                .map(|((view, _), c)| {
                    format!(
                        "{view} {:.1}% \u{b1} {:.1}",
                        c.coverage * 100.0,
                        c.uncertainty * 100.0
                    )
                })
                .collect();
            Ok(format!(
                "{:.1}% of the scalp without visible hair \u{b1} {:.1} pp ({SALT_LABEL}; hair coverage {})",
                est.estimated_loss_percent,
                est.uncertainty_pp,
                parts.join(", ")
            ))
        }
    }

    /// The change map over BEFORE blended with the aligned AFTER: blue where hair came
    /// back, orange where it was lost (a colour-blind-safe pair), fading to none at 0.
    fn write_heatmap(
        before: &RgbaImage,
        after: &RgbaImage,
        t: &Transform,
        cells: &scalp_compare::coverage::CellMap,
        path: &str,
    ) -> Result<(), String> {
        let mut img = overlay(before, after, t)?;
        for (x, y, px) in img.enumerate_pixels_mut() {
            let cx = ((f64::from(x) + 0.5 - cells.x0) / cells.cell_w).floor();
            let cy = ((f64::from(y) + 0.5 - cells.y0) / cells.cell_h).floor();
            if cx < 0.0 || cy < 0.0 || cx >= f64::from(cells.cols) || cy >= f64::from(cells.rows) {
                continue;
            }
            let Some(Some(d)) = cells
                .change_pp
                .get(cy as usize * cells.cols as usize + cx as usize)
            else {
                continue;
            };
            let strength = (d.abs() / 30.0).min(1.0) * 0.7;
            let colour: [f32; 3] = if *d > 0.0 {
                [0.0, 114.0, 178.0]
            } else {
                [230.0, 159.0, 0.0]
            };
            for k in 0..3 {
                px[k] = (f32::from(px[k]) * (1.0 - strength) + colour[k] * strength).round() as u8;
            }
        }
        save_png(&img, path, "heat map")
    }

    /// Refuses an output file that is not a PNG or that is one of the input photos (which
    /// it would overwrite), before any work is done.
    fn check_output(out: &str, option: &str, inputs: &[&str]) -> Result<(), String> {
        let png = std::path::Path::new(out)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("png"));
        if !png {
            return Err(format!(
                "{option} {out}: the file is written as PNG; give a name ending in .png"
            ));
        }
        if let Some(input) = inputs.iter().find(|i| same_file(out, i)) {
            return Err(format!(
                "{option} {out} is the input photo {input}, which it would overwrite; give another file name"
            ));
        }
        Ok(())
    }

    /// Whether two paths name one file: however written (relative, `./`, through a symbolic
    /// link) and, on Unix, through a hard link. A path that does not exist names no input.
    fn same_file(a: &str, b: &str) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            match (std::fs::metadata(a), std::fs::metadata(b)) {
                (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
                _ => false,
            }
        }
        #[cfg(not(unix))]
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }

    /// Writes an image as PNG; `what` names it in the message when that fails.
    fn save_png(img: &image::RgbImage, path: &str, what: &str) -> Result<(), String> {
        img.save_with_format(path, image::ImageFormat::Png)
            .map_err(|e| format!("could not write the {what} {path}: {e}"))
    }

    /// Refuses landmarks outside their photo (a typo, or points from another photo's size).
    fn within(side: &str, points: &[(f64, f64)], photo: &RgbaImage) -> Result<(), String> {
        let (w, h) = (f64::from(photo.width()), f64::from(photo.height()));
        match points
            .iter()
            .position(|&(x, y)| !(0.0..=w).contains(&x) || !(0.0..=h).contains(&y))
        {
            Some(i) => Err(format!(
                "landmark pair {}: the {side} point ({}, {}) is outside the {side} photo ({}x{} pixels)",
                i + 1,
                points[i].0,
                points[i].1,
                photo.width(),
                photo.height()
            )),
            None => Ok(()),
        }
    }

    /// Refuses a `--roi` that lies wholly outside the photo it is drawn on (`whose`).
    fn roi_on_photo(roi: Option<&Polygon>, photo: &RgbaImage, whose: &str) -> Result<(), String> {
        let Some(roi) = roi else { return Ok(()) };
        let (w, h) = (f64::from(photo.width()), f64::from(photo.height()));
        let pts = &roi.points;
        let (x0, x1) = pts
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (y0, y1) = pts
            .iter()
            .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
        if x1 <= 0.0 || y1 <= 0.0 || x0 >= w || y0 >= h {
            return Err(format!(
                "--roi lies outside {whose} ({}x{} pixels): its corners are in that photo's pixel coordinates",
                photo.width(),
                photo.height()
            ));
        }
        Ok(())
    }

    /// Rec. 601 luma of a decoded photo, as the aligner takes it.
    fn grey(img: &RgbaImage) -> Vec<u8> {
        // The buffer always matches its size, so this cannot fail.
        rgba_to_grey(img.as_bytes(), img.width(), img.height()).unwrap_or_default()
    }

    /// BEFORE with AFTER laid onto it through the alignment, half and half,
    /// for a person to check by eye.
    fn overlay(
        before: &RgbaImage,
        after: &RgbaImage,
        t: &Transform,
    ) -> Result<image::RgbImage, String> {
        let inv = t
            .inverse()
            .ok_or("the alignment cannot be inverted, so no overlay was written")?;
        let (w, h) = (before.width(), before.height());
        let (aw, ah) = (after.width() as f64, after.height() as f64);
        let src = after.as_bytes();
        let stride = after.width() as usize * 4;
        let mut out = image::RgbImage::new(w, h);
        for (x, y, px) in out.enumerate_pixels_mut() {
            let b = before.pixel(x, y);
            let (ax, ay) = inv.apply(f64::from(x) + 0.5, f64::from(y) + 0.5);
            let (fx, fy) = (ax - 0.5, ay - 0.5);
            if fx < 0.0 || fy < 0.0 || fx > aw - 1.0 || fy > ah - 1.0 {
                *px = image::Rgb([b[0], b[1], b[2]]);
                continue;
            }
            let (x0, y0) = (fx as usize, fy as usize);
            let (x1, y1) = ((x0 + 1).min(aw as usize - 1), (y0 + 1).min(ah as usize - 1));
            let (tx, ty) = (fx - x0 as f64, fy - y0 as f64);
            let mut c = [0u8; 3];
            for (k, ck) in c.iter_mut().enumerate() {
                let at = |xx: usize, yy: usize| f64::from(src[yy * stride + xx * 4 + k]);
                let v = (at(x0, y0) * (1.0 - tx) + at(x1, y0) * tx) * (1.0 - ty)
                    + (at(x0, y1) * (1.0 - tx) + at(x1, y1) * tx) * ty;
                *ck = ((v + f64::from(b[k])) / 2.0).round() as u8;
            }
            *px = image::Rgb(c);
        }
        Ok(out)
    }

    #[cfg(test)]
    mod tests {
        use super::parse_landmarks;

        #[test]
        fn landmarks_parse_and_refuse_nonsense() {
            let (b, a) = parse_landmarks("10,20>30,40; 50.5,60>70,80").unwrap();
            assert_eq!(b, vec![(10.0, 20.0), (50.5, 60.0)]);
            assert_eq!(a, vec![(30.0, 40.0), (70.0, 80.0)]);
            assert!(parse_landmarks("10,20>30,40")
                .unwrap_err()
                .contains("at least 2"));
            let err = parse_landmarks("10,20>30,40;1,2>x,4").unwrap_err();
            assert!(err.contains("pair 2"), "{err}");
            assert!(parse_landmarks("1,2;3,4").is_err());
        }
    }
}
