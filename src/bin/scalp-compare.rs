//! `scalp-compare`: the command-line tool over the same core as the widget.
//!
//! ```text
//! scalp-compare info PHOTO [--json]
//! ```

// The CLI is native only; a wasm build of the package gets an empty binary.
#![cfg_attr(target_arch = "wasm32", allow(dead_code, unused_imports))]

use std::process::ExitCode;

#[cfg(target_arch = "wasm32")]
fn main() {}

const USAGE: &str = "usage: scalp-compare info PHOTO [--json]";

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            // One line, for people and for scripts.
            eprintln!("scalp-compare: {}", msg.replace('\n', " "));
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<String, String> {
    let Some(command) = args.first() else {
        return Err(USAGE.into());
    };
    match command.as_str() {
        "info" => info(&args[1..]),
        "-h" | "--help" | "help" => Ok(USAGE.into()),
        other => Err(format!("unknown command '{other}'; {USAGE}")),
    }
}

#[cfg(target_arch = "wasm32")]
fn info(_: &[String]) -> Result<String, String> {
    Err("the CLI runs natively only".into())
}

#[cfg(not(target_arch = "wasm32"))]
fn info(args: &[String]) -> Result<String, String> {
    let mut json = false;
    let mut path = None;
    for a in args {
        match a.as_str() {
            "--json" => json = true,
            flag if flag.starts_with("--") => return Err(format!("unknown option '{flag}'")),
            p if path.is_none() => path = Some(p),
            _ => return Err(format!("info takes one photo; {USAGE}")),
        }
    }
    let path = path.ok_or_else(|| USAGE.to_string())?;
    // Decode fully so that a file with damaged pixel data is caught too.
    let (info, _) = scalp_compare::decode::decode_file(path).map_err(|e| format!("{path}: {e}"))?;
    if json {
        serde_json::to_string(&info).map_err(|e| e.to_string())
    } else {
        Ok(format!(
            "{path}: {} {}x{} (EXIF orientation {}, stored {}x{})",
            info.format.name(),
            info.width,
            info.height,
            info.orientation,
            info.stored_width,
            info.stored_height
        ))
    }
}
