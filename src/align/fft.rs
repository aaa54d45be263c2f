//! A small complex FFT for power-of-two sizes, enough for the coarse stage's 2-D phase
//! correlation (and far smaller in WebAssembly than a general-purpose FFT library).
//!
//! Data is planar: real and imaginary parts in separate `f32` slices, so that the butterflies
//! are plain element-wise loops that the compiler vectorises (SSE natively, `simd128` in
//! wasm). The transform runs "down the columns": an `n` x `lanes` row-major array is
//! transformed along its row index, every column at once, with one twiddle per pair of rows.
//! A 2-D transform is a column pass, a transpose and another column pass ([`Fft::fft2`]).
//!
//! The algorithm is iterative decimation in time: a bit-reversal permutation of the rows,
//! then radix-2² passes (two radix-2 stages fused, so each pass over memory does the work of
//! two), preceded by one radix-2 pass when log2 `n` is odd. Like most FFT libraries, neither
//! direction normalises: `inverse(forward(x)) = n·x`.

use std::f64::consts::PI;

/// Twiddles and the bit-reversal permutation for one power-of-two size.
#[derive(Debug, Clone)]
pub(crate) struct Fft {
    n: usize,
    /// `cos(2πj/n)` for `j < n/2`.
    cos: Vec<f32>,
    /// `sin(2πj/n)` for `j < n/2` (the forward twiddle is `cos - i·sin`).
    sin: Vec<f32>,
    /// Bit-reversed index of each row.
    rev: Vec<u32>,
}

/// An `n` x `n` complex array, row-major, planar.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub re: Vec<f32>,
    pub im: Vec<f32>,
}

impl Grid {
    /// An `n` x `n` array of zeros.
    pub fn zeros(n: usize) -> Grid {
        Grid {
            re: vec![0.0; n * n],
            im: vec![0.0; n * n],
        }
    }
}

impl Fft {
    /// Plans transforms of length `n`, which must be a power of two (1 included).
    pub fn new(n: usize) -> Fft {
        assert!(n.is_power_of_two(), "FFT size {n} is not a power of two");
        let bits = n.trailing_zeros();
        let (cos, sin) = (0..n / 2)
            .map(|j| {
                let (s, c) = (2.0 * PI * j as f64 / n as f64).sin_cos();
                (c as f32, s as f32)
            })
            .unzip();
        let rev = (0..n as u32)
            .map(|i| {
                if bits == 0 {
                    0
                } else {
                    i.reverse_bits() >> (32 - bits)
                }
            })
            .collect();
        Fft { n, cos, sin, rev }
    }

    /// The twiddle `exp(∓2πi·j/n)`: minus for the forward transform, plus for the inverse.
    #[inline]
    fn twiddle(&self, j: usize, inverse: bool) -> (f32, f32) {
        let s = self.sin[j];
        (self.cos[j], if inverse { s } else { -s })
    }

    /// Transforms an `n` x `lanes` row-major array (real parts in `re`, imaginary in `im`)
    /// along its row index, in place: column `c` becomes the DFT of column `c`. With
    /// `lanes == 1` this is an ordinary 1-D transform. Unnormalised in both directions.
    pub fn columns(&self, re: &mut [f32], im: &mut [f32], lanes: usize, inverse: bool) {
        let n = self.n;
        assert!(re.len() == n * lanes && im.len() == n * lanes);
        if n < 2 || lanes == 0 {
            return;
        }
        for (i, &j) in self.rev.iter().enumerate() {
            let j = j as usize;
            if i < j {
                swap_rows(re, i, j, lanes);
                swap_rows(im, i, j, lanes);
            }
        }
        let mut h = 1;
        if n.trailing_zeros() % 2 == 1 {
            radix2(re, im, lanes);
            h = 2;
        }
        while h < n {
            self.radix4(re, im, lanes, h, inverse);
            h *= 4;
        }
    }

    /// Two fused decimation-in-time stages: spans `h` and `2h`, in groups of `4h` rows.
    fn radix4(&self, re: &mut [f32], im: &mut [f32], lanes: usize, h: usize, inverse: bool) {
        let n = self.n;
        let group = 4 * h * lanes;
        // Multiplying by W_4 = ∓i: (a, b) -> (±b, ∓a) forward (-i) / inverse (+i).
        let rot = if inverse { 1.0 } else { -1.0 };
        for (gre, gim) in re.chunks_exact_mut(group).zip(im.chunks_exact_mut(group)) {
            let [r0, r1, r2, r3] = quarters(gre);
            let [i0, i1, i2, i3] = quarters(gim);
            for k in 0..h {
                // Stage one pairs rows k and k+h with W_{2h}^k, stage two pairs k with k+2h
                // with W_{4h}^k, and k+h with k+3h with W_{4h}^{k+h} = W_{4h}^k · W_4.
                let (w1r, w1i) = self.twiddle(k * n / (2 * h), inverse);
                let (w2r, w2i) = self.twiddle(k * n / (4 * h), inverse);
                let (w3r, w3i) = (-rot * w2i, rot * w2r);
                let row = k * lanes..(k + 1) * lanes;
                let rows = [
                    &mut r0[row.clone()],
                    &mut i0[row.clone()],
                    &mut r1[row.clone()],
                    &mut i1[row.clone()],
                    &mut r2[row.clone()],
                    &mut i2[row.clone()],
                    &mut r3[row.clone()],
                    &mut i3[row],
                ];
                // k = 0 has twiddles 1, 1 and W_4: no multiplications.
                if k == 0 {
                    butterfly4::<true>(rows, (w1r, w1i), (w2r, w2i), (w3r, w3i));
                } else {
                    butterfly4::<false>(rows, (w1r, w1i), (w2r, w2i), (w3r, w3i));
                }
            }
        }
    }

    /// 2-D transform of the `n` x `n` array `g`, using `scratch` (same size) as work space.
    ///
    /// Each direction transforms the columns, transposes, and transforms the columns again,
    /// so the result comes out TRANSPOSED: the forward spectrum of an image stored at
    /// `[y * n + x]` holds frequency `(fx, fy)` at `[fx * n + fy]`, and the inverse of such a
    /// spectrum is the image at `[y * n + x]` again. Element-wise products of spectra do not
    /// care; reading a frequency does.
    pub fn fft2(&self, g: &mut Grid, scratch: &mut Grid, inverse: bool) {
        let n = self.n;
        self.columns(&mut g.re, &mut g.im, n, inverse);
        transpose(&g.re, &mut scratch.re, n);
        transpose(&g.im, &mut scratch.im, n);
        self.columns(&mut scratch.re, &mut scratch.im, n, inverse);
        std::mem::swap(g, scratch);
    }
}

/// `(ar + i·ai)·(br + i·bi)`.
#[inline(always)]
fn mul(ar: f32, ai: f32, br: f32, bi: f32) -> (f32, f32) {
    (ar * br - ai * bi, ar * bi + ai * br)
}

/// The radix-2² butterfly on four rows (real and imaginary parts of each, in order), with
/// stage-one twiddle `w1` and stage-two twiddles `w2` and `w3`. `TRIVIAL` when `w1 = w2 = 1`
/// and `w3 = ∓i` (the first twiddle of every group), which saves the multiplications.
#[inline(always)]
fn butterfly4<const TRIVIAL: bool>(
    rows: [&mut [f32]; 8],
    w1: (f32, f32),
    w2: (f32, f32),
    w3: (f32, f32),
) {
    let [a0r, a0i, a1r, a1i, a2r, a2i, a3r, a3i] = rows;
    let lanes = a0r.len();
    let (a0i, a1r, a1i) = (&mut a0i[..lanes], &mut a1r[..lanes], &mut a1i[..lanes]);
    let (a2r, a2i) = (&mut a2r[..lanes], &mut a2i[..lanes]);
    let (a3r, a3i) = (&mut a3r[..lanes], &mut a3i[..lanes]);
    let twiddle = |re: f32, im: f32, w: (f32, f32)| {
        if TRIVIAL {
            (re, im)
        } else {
            mul(re, im, w.0, w.1)
        }
    };
    // W_4 = (0, w3.1) when trivial: a rotation by a quarter turn.
    let quarter = |re: f32, im: f32| {
        if TRIVIAL {
            (-im * w3.1, re * w3.1)
        } else {
            mul(re, im, w3.0, w3.1)
        }
    };
    for x in 0..lanes {
        let (x1r, x1i) = twiddle(a1r[x], a1i[x], w1);
        let (x3r, x3i) = twiddle(a3r[x], a3i[x], w1);
        let (y0r, y0i) = (a0r[x] + x1r, a0i[x] + x1i);
        let (y1r, y1i) = (a0r[x] - x1r, a0i[x] - x1i);
        let (y2r, y2i) = twiddle(a2r[x] + x3r, a2i[x] + x3i, w2);
        let (y3r, y3i) = quarter(a2r[x] - x3r, a2i[x] - x3i);
        a0r[x] = y0r + y2r;
        a0i[x] = y0i + y2i;
        a2r[x] = y0r - y2r;
        a2i[x] = y0i - y2i;
        a1r[x] = y1r + y3r;
        a1i[x] = y1i + y3i;
        a3r[x] = y1r - y3r;
        a3i[x] = y1i - y3i;
    }
}

/// One twiddle-free radix-2 stage over pairs of adjacent rows.
fn radix2(re: &mut [f32], im: &mut [f32], lanes: usize) {
    for (pr, pi) in re
        .chunks_exact_mut(2 * lanes)
        .zip(im.chunks_exact_mut(2 * lanes))
    {
        let (ar, br) = pr.split_at_mut(lanes);
        let (ai, bi) = pi.split_at_mut(lanes);
        for (((ar, ai), br), bi) in ar.iter_mut().zip(ai).zip(br).zip(bi) {
            (*ar, *br) = (*ar + *br, *ar - *br);
            (*ai, *bi) = (*ai + *bi, *ai - *bi);
        }
    }
}

/// Splits a slice into four equal parts.
fn quarters(s: &mut [f32]) -> [&mut [f32]; 4] {
    let q = s.len() / 4;
    let (a, rest) = s.split_at_mut(q);
    let (b, rest) = rest.split_at_mut(q);
    let (c, d) = rest.split_at_mut(q);
    [a, b, c, d]
}

/// Swaps rows `i < j` of a row-major array with `lanes` values per row.
fn swap_rows(data: &mut [f32], i: usize, j: usize, lanes: usize) {
    let (head, tail) = data.split_at_mut(j * lanes);
    head[i * lanes..(i + 1) * lanes].swap_with_slice(&mut tail[..lanes]);
}

/// `dst = srcᵀ` for `n` x `n` arrays, in cache-sized blocks.
fn transpose(src: &[f32], dst: &mut [f32], n: usize) {
    const B: usize = 16;
    for by in (0..n).step_by(B) {
        for bx in (0..n).step_by(B) {
            for y in by..(by + B).min(n) {
                for x in bx..(bx + B).min(n) {
                    dst[x * n + y] = src[y * n + x];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values in [-1, 1).
    fn noise(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed | 1;
        (0..len)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f64 / (1u64 << 23) as f64 - 1.0) as f32
            })
            .collect()
    }

    /// The O(n²) DFT in f64 along the rows of an `n` x `lanes` array.
    fn naive(re: &[f32], im: &[f32], lanes: usize, inverse: bool) -> (Vec<f64>, Vec<f64>) {
        let n = re.len() / lanes;
        let sign = if inverse { 1.0 } else { -1.0 };
        let mut or = vec![0.0; n * lanes];
        let mut oi = vec![0.0; n * lanes];
        for c in 0..lanes {
            for k in 0..n {
                let (mut sr, mut si) = (0.0f64, 0.0f64);
                for t in 0..n {
                    // Reduce k·t mod n first so the angle stays exact for large n.
                    let a = sign * 2.0 * PI * ((k * t) % n) as f64 / n as f64;
                    let (s, co) = a.sin_cos();
                    let (xr, xi) = (re[t * lanes + c] as f64, im[t * lanes + c] as f64);
                    sr += xr * co - xi * s;
                    si += xr * s + xi * co;
                }
                or[k * lanes + c] = sr;
                oi[k * lanes + c] = si;
            }
        }
        (or, oi)
    }

    /// Largest difference between the FFT and the naive DFT, relative to the RMS of the
    /// exact output.
    fn relative_error(n: usize, lanes: usize, inverse: bool, seed: u64) -> f64 {
        let re = noise(n * lanes, seed);
        let im = noise(n * lanes, seed + 1);
        let (er, ei) = naive(&re, &im, lanes, inverse);
        let (mut fr, mut fi) = (re.clone(), im.clone());
        Fft::new(n).columns(&mut fr, &mut fi, lanes, inverse);
        let rms = (er.iter().chain(&ei).map(|v| v * v).sum::<f64>() / (2 * n * lanes) as f64)
            .sqrt()
            .max(1e-30);
        let worst = (0..n * lanes)
            .map(|i| {
                (fr[i] as f64 - er[i])
                    .abs()
                    .max((fi[i] as f64 - ei[i]).abs())
            })
            .fold(0.0, f64::max);
        worst / rms
    }

    #[test]
    fn matches_the_naive_dft() {
        for (seed, n) in [1usize, 2, 4, 8, 16, 32, 64, 128, 1024]
            .into_iter()
            .enumerate()
        {
            for inverse in [false, true] {
                let err = relative_error(n, 1, inverse, 10 + seed as u64);
                // f32 has a 6e-8 epsilon; the error of a radix-2 FFT grows like log2 n.
                assert!(err < 2e-6, "n = {n}, inverse = {inverse}: error {err}");
            }
        }
    }

    #[test]
    fn transforms_every_column_at_once() {
        for n in [2usize, 8, 32, 64] {
            let err = relative_error(n, 5, false, 99);
            assert!(err < 2e-6, "n = {n}: error {err}");
        }
    }

    #[test]
    fn a_single_frequency_lands_in_one_bin() {
        let n = 64;
        let f = 5;
        let mut re: Vec<f32> = (0..n)
            .map(|t| (2.0 * PI * (f * t) as f64 / n as f64).cos() as f32)
            .collect();
        let mut im = vec![0.0; n];
        Fft::new(n).columns(&mut re, &mut im, 1, false);
        for k in 0..n {
            let mag = re[k].hypot(im[k]);
            let want = if k == f || k == n - f {
                n as f32 / 2.0
            } else {
                0.0
            };
            assert!((mag - want).abs() < 1e-3, "bin {k}: {mag}, want {want}");
        }
    }

    #[test]
    fn inverse_of_forward_is_n_times_the_input() {
        for n in [1usize, 2, 4, 8, 64, 256, 1024, 4096] {
            let re = noise(n, 3);
            let im = noise(n, 4);
            let (mut r, mut i) = (re.clone(), im.clone());
            let fft = Fft::new(n);
            fft.columns(&mut r, &mut i, 1, false);
            fft.columns(&mut r, &mut i, 1, true);
            for t in 0..n {
                let (dr, di) = (r[t] / n as f32 - re[t], i[t] / n as f32 - im[t]);
                assert!(dr.abs() < 1e-5 && di.abs() < 1e-5, "n = {n}, t = {t}");
            }
        }
    }

    #[test]
    fn fft2_is_the_2d_dft_transposed_and_inverts() {
        let n = 16;
        let re = noise(n * n, 5);
        let im = noise(n * n, 6);
        let mut g = Grid {
            re: re.clone(),
            im: im.clone(),
        };
        let mut scratch = Grid::zeros(n);
        let fft = Fft::new(n);
        fft.fft2(&mut g, &mut scratch, false);
        let mut worst = 0.0f64;
        for fy in 0..n {
            for fx in 0..n {
                let (mut sr, mut si) = (0.0f64, 0.0f64);
                for y in 0..n {
                    for x in 0..n {
                        let a = -2.0 * PI * ((fx * x + fy * y) % n) as f64 / n as f64;
                        let (s, c) = a.sin_cos();
                        let (xr, xi) = (re[y * n + x] as f64, im[y * n + x] as f64);
                        sr += xr * c - xi * s;
                        si += xr * s + xi * c;
                    }
                }
                let got = (g.re[fx * n + fy] as f64, g.im[fx * n + fy] as f64);
                worst = worst.max((got.0 - sr).abs()).max((got.1 - si).abs());
            }
        }
        assert!(worst < 1e-4, "2-D error {worst}");
        fft.fft2(&mut g, &mut scratch, true);
        let nn = (n * n) as f32;
        for t in 0..n * n {
            assert!((g.re[t] / nn - re[t]).abs() < 1e-5, "re at {t}");
            assert!((g.im[t] / nn - im[t]).abs() < 1e-5, "im at {t}");
        }
    }

    #[test]
    #[should_panic(expected = "not a power of two")]
    fn refuses_other_sizes() {
        Fft::new(12);
    }
}
