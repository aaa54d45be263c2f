//! # scalp-compare
//!
//! Compare scalp photographs over time: read and check photos, align two visits,
//! and estimate how hair coverage changed between them.
//!
//! The core modules are pure Rust and know nothing of the browser, so everything
//! here runs natively (the `scalp-compare` CLI, the tests) and in WebAssembly.
//! The browser layer lives in `web` and is compiled only for `wasm32`.
//!
//! Coordinates everywhere are pixels of the original photo after EXIF
//! orientation: x to the right, y down, (0,0) the top-left corner of the
//! top-left pixel (pixel centres at +0.5). A transform between visits maps
//! AFTER coordinates to BEFORE coordinates.

pub mod align;
pub mod annotation;
pub mod coverage;
pub mod geometry;
pub mod probe;
pub mod raster;
pub mod session;

#[cfg(not(target_arch = "wasm32"))]
pub mod decode;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use probe::{inspect, ImageFormat, PhotoInfo, ProbeError, MAX_PIXELS};
pub use raster::{GreyImage, RgbaImage};
