//! Pixel buffers: 8-bit RGBA photos and floating-point grey working copies,
//! with conversion, area-averaging reduction and bilinear sampling.
//!
//! Nothing here knows where the pixels came from (a file, a canvas); nothing
//! here allocates more than the buffers it returns.

use std::fmt;

/// Why a pixel buffer could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RasterError {
    /// The buffer's length does not match `width * height * channels`.
    SizeMismatch {
        /// Bytes or samples expected.
        expected: usize,
        /// Bytes or samples given.
        actual: usize,
    },
    /// Width or height is zero.
    Empty,
}

impl fmt::Display for RasterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RasterError::SizeMismatch { expected, actual } => write!(
                f,
                "pixel buffer has {actual} values where {expected} were expected"
            ),
            RasterError::Empty => write!(f, "image has no pixels"),
        }
    }
}

impl std::error::Error for RasterError {}

/// An 8-bit RGBA image, rows top to bottom, 4 bytes a pixel (as a canvas's
/// `ImageData` holds it).
#[derive(Clone, PartialEq, Eq)]
pub struct RgbaImage {
    width: u32,
    height: u32,
    data: Vec<u8>,
}

impl fmt::Debug for RgbaImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RgbaImage({}x{})", self.width, self.height)
    }
}

impl RgbaImage {
    /// Wraps an RGBA byte buffer of `width * height * 4` bytes.
    pub fn from_raw(width: u32, height: u32, data: Vec<u8>) -> Result<Self, RasterError> {
        if width == 0 || height == 0 {
            return Err(RasterError::Empty);
        }
        let expected = width as usize * height as usize * 4;
        if data.len() != expected {
            return Err(RasterError::SizeMismatch {
                expected,
                actual: data.len(),
            });
        }
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// An image of one colour.
    pub fn filled(width: u32, height: u32, rgba: [u8; 4]) -> Self {
        let n = width as usize * height as usize;
        let data = rgba.iter().copied().cycle().take(n * 4).collect();
        Self {
            width,
            height,
            data,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The raw RGBA bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.data
    }

    /// The raw RGBA bytes, mutable.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.data
    }

    /// Gives the buffer back.
    pub fn into_raw(self) -> Vec<u8> {
        self.data
    }

    /// The pixel at column `x`, row `y`.
    ///
    /// # Panics
    /// When `(x, y)` is outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 4] {
        assert!(x < self.width && y < self.height, "pixel out of bounds");
        let i = (y as usize * self.width as usize + x as usize) * 4;
        [
            self.data[i],
            self.data[i + 1],
            self.data[i + 2],
            self.data[i + 3],
        ]
    }

    /// Sets the pixel at column `x`, row `y`.
    ///
    /// # Panics
    /// When `(x, y)` is outside the image.
    pub fn set_pixel(&mut self, x: u32, y: u32, rgba: [u8; 4]) {
        assert!(x < self.width && y < self.height, "pixel out of bounds");
        let i = (y as usize * self.width as usize + x as usize) * 4;
        self.data[i..i + 4].copy_from_slice(&rgba);
    }

    /// Luma (Rec. 601 weights) in 0–255 as floats.
    pub fn to_grey(&self) -> GreyImage {
        let data = self
            .data
            .chunks_exact(4)
            .map(|p| 0.299 * f32::from(p[0]) + 0.587 * f32::from(p[1]) + 0.114 * f32::from(p[2]))
            .collect();
        GreyImage {
            width: self.width,
            height: self.height,
            data,
        }
    }
}

/// A single-channel floating-point image: the working copy that analysis runs on.
#[derive(Clone, PartialEq)]
pub struct GreyImage {
    width: u32,
    height: u32,
    data: Vec<f32>,
}

impl fmt::Debug for GreyImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GreyImage({}x{})", self.width, self.height)
    }
}

impl GreyImage {
    /// Wraps `width * height` samples, rows top to bottom.
    pub fn from_raw(width: u32, height: u32, data: Vec<f32>) -> Result<Self, RasterError> {
        if width == 0 || height == 0 {
            return Err(RasterError::Empty);
        }
        let expected = width as usize * height as usize;
        if data.len() != expected {
            return Err(RasterError::SizeMismatch {
                expected,
                actual: data.len(),
            });
        }
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// An image of zeros.
    pub fn zeros(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            data: vec![0.0; width as usize * height as usize],
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The samples, rows top to bottom.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// The samples, mutable.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }

    /// The sample at column `x`, row `y`.
    ///
    /// # Panics
    /// When `(x, y)` is outside the image.
    pub fn get(&self, x: u32, y: u32) -> f32 {
        assert!(x < self.width && y < self.height, "pixel out of bounds");
        self.data[y as usize * self.width as usize + x as usize]
    }

    /// Bilinear sample at `(x, y)` in pixel coordinates where (0,0) is the
    /// top-left corner of the top-left pixel (pixel centres at +0.5). Returns
    /// `None` outside the area covered by pixel centres.
    pub fn sample(&self, x: f64, y: f64) -> Option<f32> {
        let fx = x - 0.5;
        let fy = y - 0.5;
        let max_x = f64::from(self.width - 1);
        let max_y = f64::from(self.height - 1);
        if !(0.0..=max_x).contains(&fx) || !(0.0..=max_y).contains(&fy) {
            return None;
        }
        let x0 = (fx.floor() as u32).min(self.width.saturating_sub(2));
        let y0 = (fy.floor() as u32).min(self.height.saturating_sub(2));
        let x1 = (x0 + 1).min(self.width - 1);
        let y1 = (y0 + 1).min(self.height - 1);
        let tx = (fx - f64::from(x0)) as f32;
        let ty = (fy - f64::from(y0)) as f32;
        let top = self.get(x0, y0) * (1.0 - tx) + self.get(x1, y0) * tx;
        let bottom = self.get(x0, y1) * (1.0 - tx) + self.get(x1, y1) * tx;
        Some(top * (1.0 - ty) + bottom * ty)
    }

    /// A copy whose longer side is at most `max_side`, reduced by area
    /// averaging (each output pixel is the mean of the input area it covers),
    /// and the factor `scale` such that `output_coord = input_coord * scale`.
    /// An image already small enough is returned as it is with `scale == 1`.
    pub fn reduce_to_fit(&self, max_side: u32) -> (GreyImage, f64) {
        let long = self.width.max(self.height);
        if long <= max_side || max_side == 0 {
            return (self.clone(), 1.0);
        }
        let scale = f64::from(max_side) / f64::from(long);
        let w = ((f64::from(self.width) * scale).round() as u32).max(1);
        let h = ((f64::from(self.height) * scale).round() as u32).max(1);
        // Separable box filter with fractional edge weights: rows first.
        let horizontal = resample_axis(&self.data, self.width, self.height, w, true);
        let data = resample_axis(&horizontal, w, self.height, h, false);
        let out = GreyImage {
            width: w,
            height: h,
            data,
        };
        (out, f64::from(w) / f64::from(self.width))
    }
}

/// Area-average taps for reducing `in_len` samples to `out_len`: per output
/// sample, the first input index and the weights of the inputs it covers
/// (fractional at the edges, summing to one).
pub(crate) fn area_taps(in_len: usize, out_len: usize) -> Vec<(usize, Vec<f32>)> {
    let ratio = in_len as f64 / out_len as f64;
    (0..out_len)
        .map(|o| {
            let start = o as f64 * ratio;
            let end = ((o + 1) as f64 * ratio).min(in_len as f64);
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(in_len).max(first + 1);
            let weights = (first..last)
                .map(|i| {
                    let lo = start.max(i as f64);
                    let hi = end.min((i + 1) as f64);
                    ((hi - lo).max(0.0) / (end - start)) as f32
                })
                .collect();
            (first, weights)
        })
        .collect()
}

/// Area-average resampling along one axis to `out_len` samples.
fn resample_axis(src: &[f32], w: u32, h: u32, out_len: u32, along_x: bool) -> Vec<f32> {
    let (w, h) = (w as usize, h as usize);
    let out_len = out_len as usize;
    let taps = area_taps(if along_x { w } else { h }, out_len);
    if along_x {
        let mut out = vec![0.0; out_len * h];
        for y in 0..h {
            let row = &src[y * w..(y + 1) * w];
            for (o, (first, weights)) in taps.iter().enumerate() {
                out[y * out_len + o] = weights
                    .iter()
                    .zip(&row[*first..])
                    .map(|(wt, v)| wt * v)
                    .sum();
            }
        }
        out
    } else {
        let mut out = vec![0.0; w * out_len];
        for (o, (first, weights)) in taps.iter().enumerate() {
            let dst = &mut out[o * w..(o + 1) * w];
            for (k, wt) in weights.iter().enumerate() {
                let row = &src[(first + k) * w..(first + k + 1) * w];
                for (d, v) in dst.iter_mut().zip(row) {
                    *d += wt * v;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_raw_checks_length() {
        assert!(RgbaImage::from_raw(2, 2, vec![0; 16]).is_ok());
        assert_eq!(
            RgbaImage::from_raw(2, 2, vec![0; 15]),
            Err(RasterError::SizeMismatch {
                expected: 16,
                actual: 15
            })
        );
        assert_eq!(RgbaImage::from_raw(0, 2, vec![]), Err(RasterError::Empty));
        assert!(GreyImage::from_raw(3, 1, vec![0.0; 2]).is_err());
    }

    #[test]
    fn grey_uses_luma_weights() {
        let mut img = RgbaImage::filled(2, 1, [255, 0, 0, 255]);
        img.set_pixel(1, 0, [255, 255, 255, 255]);
        let g = img.to_grey();
        assert!((g.get(0, 0) - 76.245).abs() < 1e-3);
        assert!((g.get(1, 0) - 255.0).abs() < 1e-3);
    }

    #[test]
    fn bilinear_sample_at_centres_and_between() {
        let g = GreyImage::from_raw(2, 2, vec![0.0, 10.0, 20.0, 30.0]).unwrap();
        assert_eq!(g.sample(0.5, 0.5), Some(0.0));
        assert_eq!(g.sample(1.5, 1.5), Some(30.0));
        assert_eq!(g.sample(1.0, 0.5), Some(5.0));
        assert_eq!(g.sample(1.0, 1.0), Some(15.0));
        assert_eq!(g.sample(0.2, 0.5), None);
        assert_eq!(g.sample(1.6, 1.0), None);
    }

    #[test]
    fn reduce_keeps_mean_and_aspect() {
        let data: Vec<f32> = (0..300 * 200).map(|i| (i % 300) as f32).collect();
        let g = GreyImage::from_raw(300, 200, data).unwrap();
        let (small, scale) = g.reduce_to_fit(100);
        assert_eq!((small.width(), small.height()), (100, 67));
        assert!((scale - 1.0 / 3.0).abs() < 1e-9);
        let mean = |s: &[f32]| s.iter().sum::<f32>() / s.len() as f32;
        assert!((mean(small.as_slice()) - mean(g.as_slice())).abs() < 0.5);
        // A horizontal ramp stays a ramp: pixel 10 averages input 30..33.
        assert!((small.get(10, 5) - 31.0).abs() < 1e-3);
        let (same, s1) = small.reduce_to_fit(500);
        assert_eq!((same.width(), s1), (100, 1.0));
    }
}
