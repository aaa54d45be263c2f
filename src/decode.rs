//! Native decoding of photo files into upright RGBA pixels (the CLI and the
//! tests). The file is checked with [`crate::probe::inspect`] first, so a bad
//! or absurd file is refused before any pixel memory is allocated; EXIF
//! orientation is applied, so the result is the photo as it is meant to be seen.
//!
//! The browser does not use this module: there the page's own decoder
//! (`createImageBitmap` with `imageOrientation: "from-image"`) is the fast path.

use std::fmt;
use std::path::Path;

use crate::probe::{inspect, PhotoInfo, ProbeError};
use crate::raster::RgbaImage;

/// Why a photo could not be decoded.
#[derive(Debug)]
pub enum DecodeError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is not a usable photo (see the message).
    Probe(ProbeError),
    /// The headers looked right but the pixel data is broken.
    Pixels(String),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Io(e) => write!(f, "could not read the file: {e}"),
            DecodeError::Probe(e) => write!(f, "{e}"),
            DecodeError::Pixels(e) => write!(f, "The photo's pixel data is damaged: {e}."),
        }
    }
}

impl std::error::Error for DecodeError {}

impl From<ProbeError> for DecodeError {
    fn from(e: ProbeError) -> Self {
        DecodeError::Probe(e)
    }
}

/// Decodes a JPEG or PNG file's bytes into upright RGBA pixels.
pub fn decode(bytes: &[u8]) -> Result<(PhotoInfo, RgbaImage), DecodeError> {
    let info = inspect(bytes)?;
    let format = match info.format {
        crate::probe::ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        crate::probe::ImageFormat::Png => image::ImageFormat::Png,
    };
    let mut img = image::load_from_memory_with_format(bytes, format)
        .map_err(|e| DecodeError::Pixels(e.to_string()))?;
    if let Some(o) = image::metadata::Orientation::from_exif(info.orientation) {
        img.apply_orientation(o);
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let out = RgbaImage::from_raw(w, h, rgba.into_raw())
        .map_err(|e| DecodeError::Pixels(e.to_string()))?;
    Ok((info, out))
}

/// Reads and decodes a photo file.
pub fn decode_file(path: impl AsRef<Path>) -> Result<(PhotoInfo, RgbaImage), DecodeError> {
    let bytes = std::fs::read(path).map_err(DecodeError::Io)?;
    decode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode_jpeg(img: &image::RgbImage) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    /// Inserts an EXIF APP1 segment with the given orientation after SOI.
    fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = b"MM\0\x2A\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&1u16.to_be_bytes());
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1]);
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0; 6]);
        let mut seg = b"Exif\0\0".to_vec();
        seg.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&seg);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn decodes_and_applies_exif_rotation() {
        // 40x20, left half black, right half white.
        let img = image::RgbImage::from_fn(40, 20, |x, _| {
            if x < 20 {
                image::Rgb([0, 0, 0])
            } else {
                image::Rgb([255, 255, 255])
            }
        });
        let jpeg = encode_jpeg(&img);
        let (info, plain) = decode(&jpeg).unwrap();
        assert_eq!((info.width, info.height), (40, 20));
        assert_eq!((plain.width(), plain.height()), (40, 20));

        // Orientation 6: stored pixels must turn 90 degrees clockwise to be
        // upright, so the stored left (black) half ends up on top.
        let (info, upright) = decode(&with_orientation(&jpeg, 6)).unwrap();
        assert_eq!((info.width, info.height, info.orientation), (20, 40, 6));
        assert_eq!((upright.width(), upright.height()), (20, 40));
        assert!(upright.pixel(10, 5)[0] < 40, "top is the dark half");
        assert!(upright.pixel(10, 35)[0] > 215, "bottom is the light half");
    }

    #[test]
    fn bad_files_give_messages() {
        let err = decode(b"not a photo").unwrap_err();
        assert!(err.to_string().contains("not a photo"), "{err}");
        let err = decode_file("/no/such/file.jpg").unwrap_err();
        assert!(
            err.to_string().starts_with("could not read the file"),
            "{err}"
        );
    }
}
