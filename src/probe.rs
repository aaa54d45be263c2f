//! Checking a photo file before anything decodes it: what format it is, its
//! size, its EXIF orientation, and whether the file is whole.
//!
//! [`inspect`] reads only headers and structure (JPEG markers, PNG chunks and
//! their checksums), so it is fast even on a 12-megapixel photo and never
//! allocates the image itself. It refuses, with a message written for the person
//! who picked the file, what a decoder would choke on or should never be asked
//! to decode: an empty file, a file that is not an image, a format the product
//! does not read, a truncated or damaged file, and absurd dimensions (over
//! [`MAX_PIXELS`]), including a tiny file that merely *declares* a huge size.
//! It does not check the compressed pixel data itself.

use std::fmt;

/// The largest photo accepted, in pixels (100 megapixels). Phone photos are
/// 12–50 MP; anything bigger is refused before it is decoded.
pub const MAX_PIXELS: u64 = 100_000_000;

/// The longest side accepted, in pixels.
pub const MAX_SIDE: u32 = 30_000;

/// The image formats the product reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    /// JPEG / JFIF / EXIF, baseline or progressive.
    Jpeg,
    /// PNG.
    Png,
}

impl ImageFormat {
    /// The format's usual name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Png => "PNG",
        }
    }
}

/// What [`inspect`] learns about a photo file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PhotoInfo {
    /// The file's format.
    pub format: ImageFormat,
    /// Width in pixels as the photo is meant to be seen, after EXIF orientation.
    pub width: u32,
    /// Height in pixels as the photo is meant to be seen, after EXIF orientation.
    pub height: u32,
    /// EXIF orientation tag, 1–8 (1 when absent): how the stored pixels must be
    /// turned to be seen upright. 5–8 swap width and height.
    pub orientation: u8,
    /// Width of the pixel grid as stored in the file.
    pub stored_width: u32,
    /// Height of the pixel grid as stored in the file.
    pub stored_height: u32,
}

impl PhotoInfo {
    /// Number of pixels.
    pub fn pixels(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// Why a file cannot be used as a photo. The `Display` text is meant to be
/// shown as it is, in the widget or on the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeError {
    /// The file has no bytes at all.
    Empty,
    /// The file is not an image in any format we recognise.
    NotAnImage,
    /// A real image format that the product does not read (HEIC, WebP, ...).
    Unsupported(&'static str),
    /// The file ends before the image does.
    Truncated(ImageFormat),
    /// The file's structure is broken; the text says where.
    Corrupt(ImageFormat, String),
    /// The declared dimensions are beyond what is accepted.
    TooLarge {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
    },
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeError::Empty => write!(f, "The file is empty."),
            ProbeError::NotAnImage => {
                write!(f, "This file is not a photo: expected a JPEG or PNG image.")
            }
            ProbeError::Unsupported(name) => write!(
                f,
                "{name} images are not supported: please save the photo as JPEG or PNG."
            ),
            ProbeError::Truncated(format) => write!(
                f,
                "The {} file is incomplete (it ends too early); it may not have finished copying.",
                format.name()
            ),
            ProbeError::Corrupt(format, detail) => {
                write!(f, "The {} file is damaged: {detail}.", format.name())
            }
            ProbeError::TooLarge { width, height } => {
                let mp = u64::from(*width) * u64::from(*height);
                write!(
                    f,
                    "The photo declares {width}\u{d7}{height} pixels ({:.0} megapixels); photos over {} megapixels or {MAX_SIDE} pixels a side are refused.",
                    mp as f64 / 1e6,
                    MAX_PIXELS / 1_000_000
                )
            }
        }
    }
}

impl std::error::Error for ProbeError {}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Checks a photo file's bytes and reports its format, size and orientation.
///
/// ```
/// // A PNG signature and nothing else is a truncated PNG, not a panic.
/// let bytes = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// let err = scalp_compare::inspect(&bytes).unwrap_err();
/// assert!(err.to_string().contains("incomplete"));
/// ```
pub fn inspect(bytes: &[u8]) -> Result<PhotoInfo, ProbeError> {
    if bytes.is_empty() {
        return Err(ProbeError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xD8]) || bytes == [0xFF] {
        return inspect_jpeg(bytes);
    }
    if bytes.starts_with(&PNG_SIGNATURE) || (bytes.len() < 8 && PNG_SIGNATURE.starts_with(bytes)) {
        return inspect_png(bytes);
    }
    Err(sniff_other(bytes))
}

/// Names formats we recognise but do not read, so the message can say what the
/// file is.
fn sniff_other(bytes: &[u8]) -> ProbeError {
    let at = |offset: usize, magic: &[u8]| bytes.get(offset..offset + magic.len()) == Some(magic);
    if at(4, b"ftyp") {
        let brand = bytes.get(8..12).unwrap_or_default();
        return match brand {
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                ProbeError::Unsupported("HEIC")
            }
            b"avif" | b"avis" => ProbeError::Unsupported("AVIF"),
            _ => ProbeError::NotAnImage,
        };
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return ProbeError::Unsupported("WebP");
    }
    if at(0, b"GIF87a") || at(0, b"GIF89a") {
        return ProbeError::Unsupported("GIF");
    }
    if at(0, b"II*\0") || at(0, b"MM\0*") {
        return ProbeError::Unsupported("TIFF");
    }
    if at(0, b"BM") && bytes.len() > 26 {
        return ProbeError::Unsupported("BMP");
    }
    ProbeError::NotAnImage
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn check_size(
    format: ImageFormat,
    width: u32,
    height: u32,
    orientation: u8,
) -> Result<PhotoInfo, ProbeError> {
    if width == 0 || height == 0 {
        return Err(ProbeError::Corrupt(
            format,
            format!("it declares a size of {width}\u{d7}{height} pixels"),
        ));
    }
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ProbeError::TooLarge { width, height });
    }
    let (w, h) = if orientation >= 5 {
        (height, width)
    } else {
        (width, height)
    };
    Ok(PhotoInfo {
        format,
        width: w,
        height: h,
        orientation,
        stored_width: width,
        stored_height: height,
    })
}

fn inspect_jpeg(b: &[u8]) -> Result<PhotoInfo, ProbeError> {
    const F: ImageFormat = ImageFormat::Jpeg;
    let corrupt = |what: &str| ProbeError::Corrupt(F, what.to_string());
    let mut pos = 2;
    let mut size: Option<(u32, u32)> = None;
    let mut orientation = 1u8;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        let Some(&first) = b.get(pos) else {
            return Err(ProbeError::Truncated(F));
        };
        if first != 0xFF {
            return Err(corrupt("a header segment is out of place"));
        }
        while b.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = b.get(pos) else {
            return Err(ProbeError::Truncated(F));
        };
        pos += 1;
        match marker {
            0x01 | 0xD0..=0xD7 => continue,
            0xD8 => return Err(corrupt("it starts twice")),
            0xD9 => return Err(corrupt("it ends before any image data")),
            _ => {}
        }
        let Some(len) = be16(b, pos) else {
            return Err(ProbeError::Truncated(F));
        };
        let len = usize::from(len);
        if len < 2 {
            return Err(corrupt("a header segment has an impossible length"));
        }
        let Some(seg) = b.get(pos + 2..pos + len) else {
            return Err(ProbeError::Truncated(F));
        };
        match marker {
            0xE1 if seg.starts_with(b"Exif\0\0") => {
                orientation = exif_orientation(&seg[6..]).unwrap_or(1);
            }
            0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                if seg.len() < 6 {
                    return Err(corrupt("its frame header is too short"));
                }
                let height = u32::from(be16(seg, 1).unwrap_or(0));
                let width = u32::from(be16(seg, 3).unwrap_or(0));
                size = Some((width, height));
            }
            0xDA => {
                let Some((width, height)) = size else {
                    return Err(corrupt("image data comes before the frame header"));
                };
                let info = check_size(F, width, height, orientation)?;
                // Entropy-coded data never contains FF D9 (0xFF is stuffed as
                // FF 00), so a whole file has an end-of-image marker after the
                // first scan. Bytes after it (some cameras append data) are fine.
                let data = &b[pos + len..];
                if !data.windows(2).any(|w| w == [0xFF, 0xD9]) {
                    return Err(ProbeError::Truncated(F));
                }
                return Ok(info);
            }
            _ => {}
        }
        pos += len;
    }
}

fn inspect_png(b: &[u8]) -> Result<PhotoInfo, ProbeError> {
    const F: ImageFormat = ImageFormat::Png;
    let mut pos = 8;
    let mut size: Option<(u32, u32)> = None;
    let mut orientation = 1u8;
    loop {
        let (Some(len), Some(kind)) = (be32(b, pos), b.get(pos + 4..pos + 8)) else {
            return Err(ProbeError::Truncated(F));
        };
        let len = len as usize;
        let Some(data) = b.get(pos + 8..pos + 8 + len) else {
            return Err(ProbeError::Truncated(F));
        };
        let Some(crc) = be32(b, pos + 8 + len) else {
            return Err(ProbeError::Truncated(F));
        };
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(kind);
        hasher.update(data);
        if hasher.finalize() != crc {
            let name = String::from_utf8_lossy(kind).into_owned();
            return Err(ProbeError::Corrupt(
                F,
                format!("the checksum of its {name} chunk does not match"),
            ));
        }
        if size.is_none() && kind != b"IHDR" {
            return Err(ProbeError::Corrupt(F, "it has no header chunk".into()));
        }
        match kind {
            b"IHDR" => {
                if len != 13 {
                    return Err(ProbeError::Corrupt(
                        F,
                        "its header has the wrong size".into(),
                    ));
                }
                let width = be32(data, 0).unwrap_or(0);
                let height = be32(data, 4).unwrap_or(0);
                // Refuse absurd sizes at once, before walking megabytes of data.
                check_size(F, width, height, 1)?;
                size = Some((width, height));
            }
            b"eXIf" => orientation = exif_orientation(data).unwrap_or(1),
            b"IEND" => {
                let (width, height) = size.unwrap_or((0, 0));
                return check_size(F, width, height, orientation);
            }
            _ => {}
        }
        pos += 12 + len;
    }
}

/// Reads the orientation tag (0x0112) from a TIFF-structured EXIF block.
fn exif_orientation(tiff: &[u8]) -> Option<u8> {
    let little = match tiff.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let raw: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if little {
            u16::from_le_bytes(raw)
        } else {
            u16::from_be_bytes(raw)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let raw: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if little {
            u32::from_le_bytes(raw)
        } else {
            u32::from_be_bytes(raw)
        })
    };
    if u16_at(2)? != 42 {
        return None;
    }
    let ifd = u32_at(4)? as usize;
    let count = usize::from(u16_at(ifd)?);
    (0..count).find_map(|i| {
        let entry = ifd + 2 + i * 12;
        if u16_at(entry)? != 0x0112 || u16_at(entry + 2)? != 3 {
            return None;
        }
        let value = u16_at(entry + 8)?;
        (1..=8).contains(&value).then_some(value as u8)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal but well-formed baseline JPEG header sequence around a fake scan.
    pub(crate) fn fake_jpeg(width: u16, height: u16, exif_orientation: Option<u16>) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        if let Some(o) = exif_orientation {
            let mut tiff = b"MM\0\x2A\0\0\0\x08".to_vec();
            tiff.extend_from_slice(&1u16.to_be_bytes());
            tiff.extend_from_slice(&0x0112u16.to_be_bytes());
            tiff.extend_from_slice(&3u16.to_be_bytes());
            tiff.extend_from_slice(&1u32.to_be_bytes());
            tiff.extend_from_slice(&o.to_be_bytes());
            tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
            let mut seg = b"Exif\0\0".to_vec();
            seg.extend_from_slice(&tiff);
            v.extend_from_slice(&[0xFF, 0xE1]);
            v.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
            v.extend_from_slice(&seg);
        }
        v.extend_from_slice(&[0xFF, 0xC0, 0, 11, 8]);
        v.extend_from_slice(&height.to_be_bytes());
        v.extend_from_slice(&width.to_be_bytes());
        v.extend_from_slice(&[1, 1, 0x11, 0]);
        v.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0]);
        v.extend_from_slice(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD9]);
        v
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut v = (data.len() as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(data);
        let mut h = crc32fast::Hasher::new();
        h.update(kind);
        h.update(data);
        v.extend_from_slice(&h.finalize().to_be_bytes());
        v
    }

    pub(crate) fn fake_png(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = width.to_be_bytes().to_vec();
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut v = PNG_SIGNATURE.to_vec();
        v.extend(png_chunk(b"IHDR", &ihdr));
        v.extend(png_chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00]));
        v.extend(png_chunk(b"IEND", &[]));
        v
    }

    #[test]
    fn reads_jpeg_size() {
        let info = inspect(&fake_jpeg(4000, 3000, None)).unwrap();
        assert_eq!(info.format, ImageFormat::Jpeg);
        assert_eq!((info.width, info.height, info.orientation), (4000, 3000, 1));
    }

    #[test]
    fn exif_orientation_6_swaps_sides() {
        let info = inspect(&fake_jpeg(4000, 3000, Some(6))).unwrap();
        assert_eq!((info.width, info.height), (3000, 4000));
        assert_eq!((info.stored_width, info.stored_height), (4000, 3000));
        assert_eq!(info.orientation, 6);
        let info = inspect(&fake_jpeg(40, 30, Some(3))).unwrap();
        assert_eq!((info.width, info.height, info.orientation), (40, 30, 3));
    }

    #[test]
    fn out_of_range_orientation_is_ignored() {
        let info = inspect(&fake_jpeg(40, 30, Some(9))).unwrap();
        assert_eq!((info.width, info.height, info.orientation), (40, 30, 1));
    }

    #[test]
    fn truncated_jpeg_at_every_length_is_an_error_not_a_panic() {
        let whole = fake_jpeg(64, 48, Some(6));
        for cut in 1..whole.len() - 1 {
            let err = inspect(&whole[..cut]).unwrap_err();
            assert!(
                matches!(err, ProbeError::Truncated(_) | ProbeError::Corrupt(..)),
                "cut at {cut}: {err:?}"
            );
        }
    }

    #[test]
    fn truncated_png_at_every_length_is_an_error() {
        let whole = fake_png(64, 48);
        for cut in 1..whole.len() {
            assert!(inspect(&whole[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!(inspect(&whole).unwrap().width, 64);
    }

    #[test]
    fn damaged_png_chunk_is_reported() {
        let mut png = fake_png(64, 48);
        png[40] ^= 0x55; // inside IDAT
        let err = inspect(&png).unwrap_err();
        assert!(err.to_string().contains("damaged"), "{err}");
    }

    #[test]
    fn tiny_file_declaring_huge_size_is_refused() {
        let err = inspect(&fake_png(30_000, 30_000)).unwrap_err();
        assert_eq!(
            err,
            ProbeError::TooLarge {
                width: 30_000,
                height: 30_000
            }
        );
        assert!(err.to_string().contains("900 megapixels"), "{err}");
        assert!(matches!(
            inspect(&fake_jpeg(12_000, 9_000, None)),
            Err(ProbeError::TooLarge { .. })
        ));
        // 12 MP is fine.
        assert!(inspect(&fake_jpeg(4_000, 3_000, None)).is_ok());
    }

    #[test]
    fn zero_size_is_damaged() {
        assert!(matches!(
            inspect(&fake_jpeg(0, 10, None)),
            Err(ProbeError::Corrupt(..))
        ));
    }

    #[test]
    fn empty_text_and_other_formats_have_their_own_messages() {
        assert_eq!(inspect(b""), Err(ProbeError::Empty));
        assert_eq!(inspect(b"hello, world"), Err(ProbeError::NotAnImage));
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        assert_eq!(inspect(heic), Err(ProbeError::Unsupported("HEIC")));
        assert_eq!(
            inspect(b"RIFF\0\0\0\0WEBPVP8 "),
            Err(ProbeError::Unsupported("WebP"))
        );
        let msg = ProbeError::Unsupported("HEIC").to_string();
        assert!(msg.contains("JPEG"), "{msg}");
    }

    #[test]
    fn real_photo_is_whole_and_its_truncation_is_caught() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/samples/before.jpg");
        let bytes = std::fs::read(path).expect("sample photo is in the repository");
        let info = inspect(&bytes).unwrap();
        assert_eq!((info.width, info.height), (640, 640));
        let half = &bytes[..bytes.len() / 2];
        assert_eq!(inspect(half), Err(ProbeError::Truncated(ImageFormat::Jpeg)));
    }
}
