//! The browser layer (wasm32 only): turns a photo file into an upright
//! `ImageBitmap` for the widget, after checking it with the core's
//! [`crate::probe::inspect`]. It runs in the widget's Web Worker, so the page
//! never decodes on its main thread. No algorithm lives here.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ImageBitmap, ImageBitmapOptions, ImageOrientation, ResizeQuality};

use crate::probe::{inspect, PhotoInfo};

/// A checked, decoded photo: its facts and the upright bitmap to draw.
#[wasm_bindgen]
pub struct LoadedPhoto {
    info: PhotoInfo,
    bitmap: ImageBitmap,
}

#[wasm_bindgen]
impl LoadedPhoto {
    /// Width after EXIF orientation, in pixels.
    #[wasm_bindgen(getter)]
    pub fn width(&self) -> u32 {
        self.info.width
    }

    /// Height after EXIF orientation, in pixels.
    #[wasm_bindgen(getter)]
    pub fn height(&self) -> u32 {
        self.info.height
    }

    /// The EXIF orientation tag (1–8) that was applied.
    #[wasm_bindgen(getter)]
    pub fn orientation(&self) -> u8 {
        self.info.orientation
    }

    /// `"jpeg"` or `"png"`.
    #[wasm_bindgen(getter)]
    pub fn format(&self) -> String {
        self.info.format.name().to_ascii_lowercase()
    }

    /// The upright bitmap (transferable to the page).
    #[wasm_bindgen(getter)]
    pub fn bitmap(&self) -> ImageBitmap {
        self.bitmap.clone()
    }
}

/// Checks a photo file's bytes without decoding them; returns
/// `{format, width, height, orientation, stored_width, stored_height}` or throws
/// an `Error` whose message can be shown as it is.
#[wasm_bindgen(js_name = inspectPhoto)]
pub fn inspect_photo(bytes: &[u8]) -> Result<JsValue, JsError> {
    let info = inspect(bytes).map_err(|e| JsError::new(&e.to_string()))?;
    let text = serde_json::to_string(&info).map_err(|e| JsError::new(&e.to_string()))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("could not describe the photo"))
}

/// Reads a photo file, checks it, and decodes it with the browser's own decoder
/// (EXIF orientation honoured). When the upright photo's longer side exceeds
/// `max_side` (0 for no limit), the bitmap is reduced to that size (high-quality
/// resampling) for display; `width` and `height` stay the original's. A bad
/// file rejects with a message written for the person who chose it; nothing
/// panics.
#[wasm_bindgen(js_name = loadPhoto)]
pub async fn load_photo(blob: Blob, max_side: u32) -> Result<LoadedPhoto, JsError> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| JsError::new("The file could not be read."))?;
    let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
    let info = inspect(&bytes).map_err(|e| JsError::new(&e.to_string()))?;
    drop(bytes);

    let options = ImageBitmapOptions::new();
    options.set_image_orientation(ImageOrientation::FromImage);
    let (w, h) = (info.width, info.height);
    if max_side > 0 && w.max(h) > max_side {
        let scale = f64::from(max_side) / f64::from(w.max(h));
        options.set_resize_width(((f64::from(w) * scale).round() as u32).max(1));
        options.set_resize_height(((f64::from(h) * scale).round() as u32).max(1));
        options.set_resize_quality(ResizeQuality::High);
    }
    let global = js_sys::global();
    let promise = if let Some(scope) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        scope.create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &options)
    } else if let Some(window) = global.dyn_ref::<web_sys::Window>() {
        window.create_image_bitmap_with_blob_and_image_bitmap_options(&blob, &options)
    } else {
        return Err(JsError::new("This browser cannot decode photos here."));
    }
    .map_err(|_| JsError::new("This browser cannot decode photos here."))?;
    let bitmap: ImageBitmap = JsFuture::from(promise)
        .await
        .map_err(|_| {
            JsError::new(&format!(
                "The {} file is damaged: the browser could not decode its pixels.",
                info.format.name()
            ))
        })?
        .unchecked_into();
    Ok(LoadedPhoto { info, bitmap })
}
