//! Checking a photo file before anything decodes it: what format it is, its
//! size, its EXIF orientation and capture date, and whether the file is whole.
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
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
    /// When the photo was taken, as the camera's local date and time in ISO
    /// 8601 form, `"YYYY-MM-DDTHH:MM:SS"` (no time zone). Read from EXIF
    /// DateTimeOriginal, else DateTimeDigitized, else the IFD0 DateTime; `None`
    /// (JSON `null`) when the file has no EXIF date or only a blank or
    /// impossible one.
    pub taken: Option<String>,
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

/// Checks a photo file's bytes and reports its format, size, orientation and
/// capture date.
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
    exif: ExifFacts,
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
    let ExifFacts { orientation, taken } = exif;
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
        taken,
    })
}

fn inspect_jpeg(b: &[u8]) -> Result<PhotoInfo, ProbeError> {
    const F: ImageFormat = ImageFormat::Jpeg;
    let corrupt = |what: &str| ProbeError::Corrupt(F, what.to_string());
    let mut pos = 2;
    let mut size: Option<(u32, u32)> = None;
    let mut exif = ExifFacts::default();
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
                exif = exif_facts(&seg[6..]);
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
                let info = check_size(F, width, height, exif)?;
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
    let mut exif = ExifFacts::default();
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
                check_size(F, width, height, ExifFacts::default())?;
                size = Some((width, height));
            }
            b"eXIf" => exif = exif_facts(data),
            b"IEND" => {
                let (width, height) = size.unwrap_or((0, 0));
                return check_size(F, width, height, exif);
            }
            _ => {}
        }
        pos += 12 + len;
    }
}

/// What [`exif_facts`] reads from an EXIF block.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ExifFacts {
    /// Orientation tag, 1–8 (1 when absent or out of range).
    orientation: u8,
    /// Capture date as `"YYYY-MM-DDTHH:MM:SS"`, when there is a valid one.
    taken: Option<String>,
}

impl Default for ExifFacts {
    fn default() -> Self {
        ExifFacts {
            orientation: 1,
            taken: None,
        }
    }
}

// EXIF tags read by `exif_facts`.
const TAG_ORIENTATION: u16 = 0x0112;
const TAG_DATE_TIME: u16 = 0x0132;
const TAG_EXIF_IFD: u16 = 0x8769;
const TAG_DATE_TIME_ORIGINAL: u16 = 0x9003;
const TAG_DATE_TIME_DIGITIZED: u16 = 0x9004;

// TIFF field types used here.
const TYPE_ASCII: u16 = 2;
const TYPE_SHORT: u16 = 3;
const TYPE_LONG: u16 = 4;
const TYPE_IFD: u16 = 13;

/// A TIFF-structured EXIF block and its byte order. Every read is bounds-
/// checked and answers `None` when it falls outside the block.
struct Tiff<'a> {
    bytes: &'a [u8],
    little: bool,
}

impl<'a> Tiff<'a> {
    fn new(bytes: &'a [u8]) -> Option<Self> {
        let little = match bytes.get(0..2)? {
            b"II" => true,
            b"MM" => false,
            _ => return None,
        };
        let tiff = Tiff { bytes, little };
        (tiff.u16_at(2)? == 42).then_some(tiff)
    }

    fn slice(&self, at: usize, len: usize) -> Option<&'a [u8]> {
        self.bytes.get(at..at.checked_add(len)?)
    }

    fn u16_at(&self, at: usize) -> Option<u16> {
        let raw: [u8; 2] = self.slice(at, 2)?.try_into().ok()?;
        Some(if self.little {
            u16::from_le_bytes(raw)
        } else {
            u16::from_be_bytes(raw)
        })
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let raw: [u8; 4] = self.slice(at, 4)?.try_into().ok()?;
        Some(if self.little {
            u32::from_le_bytes(raw)
        } else {
            u32::from_be_bytes(raw)
        })
    }

    /// The entries of the IFD at `offset` that lie inside the block, as
    /// `(tag, type, count, position of the entry)`.
    fn entries(&self, offset: usize) -> impl Iterator<Item = (u16, u16, u32, usize)> + '_ {
        let count = self.u16_at(offset).unwrap_or(0);
        (0..usize::from(count)).map_while(move |i| {
            let entry = offset.checked_add(2 + i * 12)?;
            self.slice(entry, 12)?;
            let tag = self.u16_at(entry)?;
            let kind = self.u16_at(entry + 2)?;
            let n = self.u32_at(entry + 4)?;
            Some((tag, kind, n, entry))
        })
    }

    /// The bytes of an ASCII entry: in the entry itself when they fit in four
    /// bytes, else at the offset it holds.
    fn ascii(&self, entry: usize, count: u32) -> Option<&'a [u8]> {
        let count = usize::try_from(count).ok()?;
        if count <= 4 {
            self.slice(entry + 8, count)
        } else {
            self.slice(usize::try_from(self.u32_at(entry + 8)?).ok()?, count)
        }
    }
}

/// Reads the orientation and the capture date from a TIFF-structured EXIF
/// block in one pass: IFD0, then the Exif sub-IFD it points to. Anything
/// missing, out of range or pointing outside the block is ignored, never a
/// panic.
fn exif_facts(tiff: &[u8]) -> ExifFacts {
    let mut facts = ExifFacts::default();
    let Some(t) = Tiff::new(tiff) else {
        return facts;
    };
    let Some(ifd0) = t.u32_at(4).and_then(|o| usize::try_from(o).ok()) else {
        return facts;
    };
    let mut date_time = None;
    let mut exif_ifd = None;
    for (tag, kind, count, entry) in t.entries(ifd0) {
        match (tag, kind) {
            (TAG_ORIENTATION, TYPE_SHORT) => {
                if let Some(value) = t.u16_at(entry + 8).filter(|v| (1..=8).contains(v)) {
                    facts.orientation = value as u8;
                }
            }
            (TAG_DATE_TIME, TYPE_ASCII) => {
                date_time = t.ascii(entry, count).and_then(exif_date);
            }
            (TAG_EXIF_IFD, TYPE_LONG | TYPE_IFD) if count == 1 => {
                exif_ifd = t.u32_at(entry + 8).and_then(|o| usize::try_from(o).ok());
            }
            _ => {}
        }
    }
    let (mut original, mut digitized) = (None, None);
    // The Exif IFD is read once and never followed further, so a pointer back
    // to IFD0 (or to itself) cannot loop.
    for (tag, kind, count, entry) in exif_ifd.into_iter().flat_map(|o| t.entries(o)) {
        match (tag, kind) {
            (TAG_DATE_TIME_ORIGINAL, TYPE_ASCII) => {
                original = t.ascii(entry, count).and_then(exif_date);
            }
            (TAG_DATE_TIME_DIGITIZED, TYPE_ASCII) => {
                digitized = t.ascii(entry, count).and_then(exif_date);
            }
            _ => {}
        }
    }
    facts.taken = original.or(digitized).or(date_time);
    facts
}

/// Turns an EXIF date, `"YYYY:MM:DD HH:MM:SS"` (NUL-terminated), into
/// `"YYYY-MM-DDTHH:MM:SS"`. Blank (spaces), zeroed and impossible dates (month
/// 13, 31 April, 25 o'clock, ...) give `None`.
fn exif_date(raw: &[u8]) -> Option<String> {
    let text = raw.get(..19)?;
    if raw.get(19).is_some_and(|&b| b != 0 && b != b' ') {
        return None;
    }
    let mut fields = [0u32; 6];
    for (i, field) in fields.iter_mut().enumerate() {
        // Fields start at 0, 5, 8, 11, 14, 17; the year has four digits.
        let (start, len) = if i == 0 { (0, 4) } else { (2 + 3 * i, 2) };
        let digits = &text[start..start + len];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *field = digits
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
        let separator = text.get(start + len);
        let expected: &[u8] = match i {
            0 | 1 => b":-",
            2 => b" T",
            3 | 4 => b":",
            _ => b"",
        };
        if let Some(sep) = separator.filter(|_| i < 5) {
            if !expected.contains(sep) {
                return None;
            }
        }
    }
    let [year, month, day, hour, minute, second] = fields;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if year == 0 || day == 0 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One IFD entry for [`tiff_block`]: tag, TIFF type, count, and the value
    /// bytes in the block's byte order (stored after the IFDs when longer than
    /// four bytes).
    pub(crate) struct Entry {
        tag: u16,
        kind: u16,
        count: u32,
        value: Vec<u8>,
    }

    /// A SHORT entry holding `value`.
    pub(crate) fn short(little: bool, tag: u16, value: u16) -> Entry {
        let bytes = if little {
            value.to_le_bytes()
        } else {
            value.to_be_bytes()
        };
        Entry {
            tag,
            kind: TYPE_SHORT,
            count: 1,
            value: bytes.to_vec(),
        }
    }

    /// A NUL-terminated ASCII entry holding `text`.
    pub(crate) fn ascii(tag: u16, text: &str) -> Entry {
        let mut value = text.as_bytes().to_vec();
        value.push(0);
        Entry {
            tag,
            kind: TYPE_ASCII,
            count: value.len() as u32,
            value,
        }
    }

    /// A TIFF-structured EXIF block: IFD0 holding `ifd0` and, when `exif` is
    /// not empty, an ExifIFDPointer to a sub-IFD holding `exif`.
    pub(crate) fn tiff_block(little: bool, ifd0: Vec<Entry>, exif: Vec<Entry>) -> Vec<u8> {
        let u16b = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let u32b = |v: u32| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let ifd_len = |n: usize| 2 + 12 * n + 4;
        let has_exif = !exif.is_empty();
        let ifd0_len = ifd_len(ifd0.len() + usize::from(has_exif));
        let exif_at = 8 + ifd0_len;
        let mut data_at = exif_at + if has_exif { ifd_len(exif.len()) } else { 0 };
        let mut ifd0 = ifd0;
        if has_exif {
            ifd0.push(Entry {
                tag: TAG_EXIF_IFD,
                kind: TYPE_LONG,
                count: 1,
                value: u32b(exif_at as u32).to_vec(),
            });
        }
        let mut head = if little { b"II" } else { b"MM" }.to_vec();
        head.extend_from_slice(&u16b(42));
        head.extend_from_slice(&u32b(8));
        let mut data = Vec::new();
        for ifd in [ifd0, exif] {
            if ifd.is_empty() {
                continue;
            }
            head.extend_from_slice(&u16b(ifd.len() as u16));
            for e in ifd {
                head.extend_from_slice(&u16b(e.tag));
                head.extend_from_slice(&u16b(e.kind));
                head.extend_from_slice(&u32b(e.count));
                if e.value.len() <= 4 {
                    let mut inline = e.value.clone();
                    inline.resize(4, 0);
                    head.extend_from_slice(&inline);
                } else {
                    head.extend_from_slice(&u32b(data_at as u32));
                    data_at += e.value.len();
                    data.extend_from_slice(&e.value);
                }
            }
            head.extend_from_slice(&u32b(0));
        }
        head.extend_from_slice(&data);
        head
    }

    /// A minimal but well-formed baseline JPEG header sequence around a fake
    /// scan, with an APP1 EXIF segment holding `tiff` when given.
    pub(crate) fn fake_jpeg_with_exif(width: u16, height: u16, tiff: Option<&[u8]>) -> Vec<u8> {
        let mut v = vec![0xFF, 0xD8];
        if let Some(tiff) = tiff {
            let mut seg = b"Exif\0\0".to_vec();
            seg.extend_from_slice(tiff);
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

    /// [`fake_jpeg_with_exif`] with a big-endian EXIF block holding only an
    /// orientation tag, when given.
    pub(crate) fn fake_jpeg(width: u16, height: u16, exif_orientation: Option<u16>) -> Vec<u8> {
        let tiff = exif_orientation
            .map(|o| tiff_block(false, vec![short(false, TAG_ORIENTATION, o)], vec![]));
        fake_jpeg_with_exif(width, height, tiff.as_deref())
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
        assert_eq!(info.taken, None, "the sample carries no EXIF date");
        let half = &bytes[..bytes.len() / 2];
        assert_eq!(inspect(half), Err(ProbeError::Truncated(ImageFormat::Jpeg)));
    }

    #[test]
    fn date_time_original_is_read_in_both_byte_orders() {
        for little in [true, false] {
            let tiff = tiff_block(
                little,
                vec![
                    short(little, TAG_ORIENTATION, 6),
                    ascii(TAG_DATE_TIME, "2024:06:01 09:00:00"),
                ],
                vec![
                    ascii(TAG_DATE_TIME_ORIGINAL, "2024:03:05 14:30:07"),
                    ascii(TAG_DATE_TIME_DIGITIZED, "2024:03:05 14:30:08"),
                ],
            );
            let info = inspect(&fake_jpeg_with_exif(40, 30, Some(&tiff))).unwrap();
            assert_eq!(
                info.taken.as_deref(),
                Some("2024-03-05T14:30:07"),
                "{little}"
            );
            assert_eq!((info.orientation, info.width, info.height), (6, 30, 40));
        }
    }

    #[test]
    fn date_falls_back_to_digitized_then_ifd0_date_time() {
        let tiff = tiff_block(
            true,
            vec![ascii(TAG_DATE_TIME, "2024:06:01 09:00:00")],
            vec![ascii(TAG_DATE_TIME_DIGITIZED, "2023:12:31 23:59:59")],
        );
        assert_eq!(
            exif_facts(&tiff).taken.as_deref(),
            Some("2023-12-31T23:59:59")
        );
        for little in [true, false] {
            let tiff = tiff_block(
                little,
                vec![ascii(TAG_DATE_TIME, "2024:06:01 09:00:00")],
                vec![],
            );
            let info = inspect(&fake_jpeg_with_exif(40, 30, Some(&tiff))).unwrap();
            assert_eq!(info.taken.as_deref(), Some("2024-06-01T09:00:00"));
            assert_eq!(info.orientation, 1);
        }
    }

    #[test]
    fn blank_and_zero_dates_are_none() {
        for blank in ["    :  :     :  :  ", "0000:00:00 00:00:00", ""] {
            let tiff = tiff_block(
                false,
                vec![ascii(TAG_DATE_TIME, blank)],
                vec![ascii(TAG_DATE_TIME_ORIGINAL, blank)],
            );
            let info = inspect(&fake_jpeg_with_exif(40, 30, Some(&tiff))).unwrap();
            assert_eq!(info.taken, None, "{blank:?}");
        }
        // A blank original does not hide a real DateTime.
        let tiff = tiff_block(
            true,
            vec![ascii(TAG_DATE_TIME, "2022:02:02 02:02:02")],
            vec![ascii(TAG_DATE_TIME_ORIGINAL, "    :  :     :  :  ")],
        );
        assert_eq!(
            exif_facts(&tiff).taken.as_deref(),
            Some("2022-02-02T02:02:02")
        );
        // No EXIF at all.
        assert_eq!(inspect(&fake_jpeg(40, 30, None)).unwrap().taken, None);
    }

    #[test]
    fn exif_date_checks_every_field() {
        let ok = |raw: &str| exif_date(raw.as_bytes());
        assert_eq!(
            ok("2024:02:29 00:00:00\0").as_deref(),
            Some("2024-02-29T00:00:00")
        );
        assert_eq!(
            ok("2000:02:29 12:34:56").as_deref(),
            Some("2000-02-29T12:34:56")
        );
        for bad in [
            "2023:02:29 00:00:00",
            "1900:02:29 00:00:00",
            "2024:04:31 00:00:00",
            "2024:13:01 00:00:00",
            "2024:00:01 00:00:00",
            "2024:01:00 00:00:00",
            "2024:01:32 00:00:00",
            "2024:01:01 24:00:00",
            "2024:01:01 23:60:00",
            "2024:01:01 23:59:60",
            "2024:01:01 23:59",
            "2024/01/01 23:59:59",
            "2024:01:01 23:59:5x",
            "2024:01:01 23:59:591",
            "+024:01:01 23:59:59",
        ] {
            assert_eq!(ok(bad), None, "{bad}");
        }
    }

    #[test]
    fn png_exif_chunk_gives_the_date() {
        let tiff = tiff_block(
            false,
            vec![short(false, TAG_ORIENTATION, 8)],
            vec![ascii(TAG_DATE_TIME_ORIGINAL, "2021:07:14 18:05:00")],
        );
        let mut png = fake_png(64, 48);
        let iend = png.len() - 12;
        png.splice(iend..iend, png_chunk(b"eXIf", &tiff));
        let info = inspect(&png).unwrap();
        assert_eq!(info.taken.as_deref(), Some("2021-07-14T18:05:00"));
        assert_eq!((info.orientation, info.width, info.height), (8, 48, 64));
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["taken"], "2021-07-14T18:05:00");
        let json = serde_json::to_value(inspect(&fake_png(4, 4)).unwrap()).unwrap();
        assert!(json["taken"].is_null(), "{json}");
    }

    #[test]
    fn garbage_offsets_give_no_date_and_no_panic() {
        let date = "2024:03:05 14:30:07";
        for little in [true, false] {
            let u32b = |v: u32| {
                if little {
                    v.to_le_bytes()
                } else {
                    v.to_be_bytes()
                }
            };
            let good = tiff_block(
                little,
                vec![short(little, TAG_ORIENTATION, 3)],
                vec![ascii(TAG_DATE_TIME_ORIGINAL, date)],
            );
            assert_eq!(
                exif_facts(&good).taken.as_deref(),
                Some("2024-03-05T14:30:07")
            );
            // IFD0: 8 + 2 + 2 entries * 12 + 4 = 38; the Exif IFD's one entry
            // starts at 40 and its value offset is at 48.
            let pointer_at = 8 + 2 + 12 + 8;
            let value_at = 38 + 2 + 8;
            for bad in [u32::MAX, u32::MAX - 3, 0x7FFF_FFFF, good.len() as u32, 3] {
                let mut tiff = good.clone();
                tiff[value_at..value_at + 4].copy_from_slice(&u32b(bad));
                let facts = exif_facts(&tiff);
                assert_eq!(
                    (facts.orientation, facts.taken),
                    (3, None),
                    "value at {bad}"
                );
                let mut tiff = good.clone();
                tiff[pointer_at..pointer_at + 4].copy_from_slice(&u32b(bad));
                assert_eq!(exif_facts(&tiff).orientation, 3, "pointer {bad}");
                let mut tiff = good.clone();
                tiff[4..8].copy_from_slice(&u32b(bad));
                assert_eq!(exif_facts(&tiff), ExifFacts::default(), "ifd0 at {bad}");
                // The photo itself stays readable.
                let info = inspect(&fake_jpeg_with_exif(40, 30, Some(&tiff))).unwrap();
                assert_eq!((info.width, info.taken), (40, None));
            }
            // An Exif IFD pointing back to IFD0, and an IFD claiming 65535
            // entries, end quietly.
            let mut tiff = good.clone();
            tiff[pointer_at..pointer_at + 4].copy_from_slice(&u32b(8));
            assert_eq!(exif_facts(&tiff).taken, None);
            let mut tiff = good.clone();
            tiff[8..10].copy_from_slice(&[0xFF, 0xFF]);
            assert_eq!(exif_facts(&tiff).orientation, 3);
        }
    }

    #[test]
    fn truncated_and_scrambled_exif_never_panics() {
        let tiff = tiff_block(
            true,
            vec![
                short(true, TAG_ORIENTATION, 6),
                ascii(TAG_DATE_TIME, "2024:06:01 09:00:00"),
            ],
            vec![
                ascii(TAG_DATE_TIME_ORIGINAL, "2024:03:05 14:30:07"),
                ascii(TAG_DATE_TIME_DIGITIZED, "2024:03:05 14:30:08"),
            ],
        );
        for cut in 0..tiff.len() {
            let facts = exif_facts(&tiff[..cut]);
            assert!((1..=8).contains(&facts.orientation));
            let info = inspect(&fake_jpeg_with_exif(40, 30, Some(&tiff[..cut]))).unwrap();
            assert_eq!(info.stored_width, 40);
        }
        // Deterministic pseudo-random byte damage (xorshift).
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..4000 {
            let mut damaged = tiff.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % damaged.len() as u64) as usize;
                damaged[at] = next() as u8;
            }
            let facts = exif_facts(&damaged);
            assert!((1..=8).contains(&facts.orientation));
            if let Some(taken) = facts.taken {
                assert_eq!(taken.len(), 19, "{taken}");
            }
        }
        for len in 0..64 {
            let noise: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut tiff = b"MM\0\x2A".to_vec();
            tiff.extend_from_slice(&noise);
            exif_facts(&tiff);
            tiff[..4].copy_from_slice(b"II\x2A\0");
            exif_facts(&tiff);
        }
    }
}
