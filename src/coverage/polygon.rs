//! A simple polygon in pixel coordinates: area, point-in-polygon, rasterising to a mask.

use std::fmt;
use std::str::FromStr;

/// Why a polygon string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolygonParseError(String);

impl fmt::Display for PolygonParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PolygonParseError {}

/// A closed polygon, vertices in pixel coordinates of one photo ((0,0) the top-left corner
/// of the top-left pixel, x right, y down). The last vertex joins the first.
#[derive(Debug, Clone, PartialEq)]
pub struct Polygon {
    /// The vertices, in order (either winding).
    pub points: Vec<(f64, f64)>,
}

impl Polygon {
    /// A polygon through these vertices.
    pub fn new(points: Vec<(f64, f64)>) -> Self {
        Self { points }
    }

    /// The axis-aligned rectangle `[x0, x1] x [y0, y1]`.
    pub fn rectangle(x0: f64, y0: f64, x1: f64, y1: f64) -> Self {
        Self::new(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    }

    /// An ellipse centred at `(cx, cy)` with semi-axes `rx`, `ry`, as `n` vertices.
    pub fn ellipse(cx: f64, cy: f64, rx: f64, ry: f64, n: usize) -> Self {
        let n = n.max(3);
        let points = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64 * std::f64::consts::TAU;
                (cx + rx * t.cos(), cy + ry * t.sin())
            })
            .collect();
        Self::new(points)
    }

    /// The enclosed area in square pixels (shoelace formula; self-intersecting polygons
    /// give the signed sum of their loops).
    pub fn area(&self) -> f64 {
        let n = self.points.len();
        if n < 3 {
            return 0.0;
        }
        let mut s = 0.0;
        for i in 0..n {
            let (x0, y0) = self.points[i];
            let (x1, y1) = self.points[(i + 1) % n];
            s += x0 * y1 - x1 * y0;
        }
        (s / 2.0).abs()
    }

    /// True when `(x, y)` lies inside (even-odd rule).
    pub fn contains(&self, x: f64, y: f64) -> bool {
        let n = self.points.len();
        if n < 3 {
            return false;
        }
        let mut inside = false;
        let mut j = n - 1;
        for i in 0..n {
            let (xi, yi) = self.points[i];
            let (xj, yj) = self.points[j];
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
        inside
    }

    /// The same polygon with every vertex multiplied by `s` (e.g. to a reduced working size).
    pub fn scaled(&self, s: f64) -> Polygon {
        Polygon::new(self.points.iter().map(|&(x, y)| (x * s, y * s)).collect())
    }

    /// True when every coordinate is finite and there are at least 3 vertices.
    pub fn is_valid(&self) -> bool {
        self.points.len() >= 3
            && self
                .points
                .iter()
                .all(|(x, y)| x.is_finite() && y.is_finite())
    }

    /// A `width * height` mask (row-major, `true` inside) of the pixels whose centres lie
    /// inside the polygon (even-odd rule, scanline fill).
    pub fn rasterize(&self, width: u32, height: u32) -> Vec<bool> {
        let (w, h) = (width as usize, height as usize);
        let mut mask = vec![false; w * h];
        let n = self.points.len();
        if n < 3 || !self.is_valid() {
            return mask;
        }
        let mut xs: Vec<f64> = Vec::with_capacity(n);
        for row in 0..h {
            let y = row as f64 + 0.5;
            xs.clear();
            let mut j = n - 1;
            for i in 0..n {
                let (xi, yi) = self.points[i];
                let (xj, yj) = self.points[j];
                if (yi > y) != (yj > y) {
                    xs.push((xj - xi) * (y - yi) / (yj - yi) + xi);
                }
                j = i;
            }
            xs.sort_by(|a, b| a.total_cmp(b));
            for pair in xs.chunks_exact(2) {
                // Pixel centres c + 0.5 with pair[0] <= c + 0.5 < pair[1].
                let start = (pair[0] - 0.5).ceil().max(0.0);
                let end = (pair[1] - 0.5).ceil().min(w as f64);
                if end <= start {
                    continue;
                }
                let (s, e) = (start as usize, end as usize);
                mask[row * w + s..row * w + e].fill(true);
            }
        }
        mask
    }

    /// The convex hull of a set of points (Andrew's monotone chain), counter-clockwise in
    /// a y-up frame. Fewer than 3 distinct points give a degenerate polygon.
    pub fn convex_hull(mut pts: Vec<(f64, f64)>) -> Polygon {
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        pts.dedup();
        if pts.len() < 3 {
            return Polygon::new(pts);
        }
        let cross = |o: (f64, f64), a: (f64, f64), b: (f64, f64)| {
            (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
        };
        let mut hull: Vec<(f64, f64)> = Vec::with_capacity(pts.len() * 2);
        for &p in &pts {
            while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0 {
                hull.pop();
            }
            hull.push(p);
        }
        let lower = hull.len() + 1;
        for &p in pts.iter().rev().skip(1) {
            while hull.len() >= lower && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
        Polygon::new(hull)
    }
}

impl fmt::Display for Polygon {
    /// Writes `x,y;x,y;...`, the form [`Polygon::from_str`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (x, y)) in self.points.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            write!(f, "{x},{y}")?;
        }
        Ok(())
    }
}

impl FromStr for Polygon {
    type Err = PolygonParseError;

    /// Reads `"x,y;x,y;x,y"` (at least three vertices, pixel coordinates; spaces allowed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut points = Vec::new();
        for (i, part) in s.split(';').enumerate() {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            let mut it = part.split(',');
            let (Some(xs), Some(ys), None) = (it.next(), it.next(), it.next()) else {
                return Err(PolygonParseError(format!(
                    "region point {} (\"{part}\") should be two numbers \"x,y\"; write the region as \"x,y;x,y;x,y\"",
                    i + 1
                )));
            };
            let parse = |v: &str| -> Result<f64, PolygonParseError> {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        PolygonParseError(format!(
                            "region point {} has \"{}\", which is not a number",
                            i + 1,
                            v.trim()
                        ))
                    })
            };
            points.push((parse(xs)?, parse(ys)?));
        }
        if points.len() < 3 {
            return Err(PolygonParseError(format!(
                "a region needs at least 3 points \"x,y;x,y;x,y\", this one has {}",
                points.len()
            )));
        }
        Ok(Polygon::new(points))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn area_contains_and_raster_agree() {
        let p = Polygon::rectangle(1.0, 1.0, 5.0, 3.0);
        assert!((p.area() - 8.0).abs() < 1e-12);
        assert!(p.contains(2.0, 2.0));
        assert!(!p.contains(0.5, 2.0));
        let m = p.rasterize(6, 4);
        assert_eq!(m.iter().filter(|&&b| b).count(), 8);
        let e = Polygon::ellipse(50.0, 50.0, 30.0, 20.0, 200);
        let n = e.rasterize(100, 100).iter().filter(|&&b| b).count() as f64;
        assert!((n - e.area()).abs() / e.area() < 0.02);
    }

    #[test]
    fn parse_round_trip_and_errors() {
        let p: Polygon = "0,0; 10,0;10,5".parse().unwrap();
        assert_eq!(p.points.len(), 3);
        assert_eq!(p.to_string().parse::<Polygon>().unwrap(), p);
        assert!("0,0;1,1".parse::<Polygon>().is_err());
        let e = "0,0;a,1;2,2".parse::<Polygon>().unwrap_err();
        assert!(e.to_string().contains("not a number"));
        assert!("0,0,0;1,1;2,2".parse::<Polygon>().is_err());
    }

    #[test]
    fn hull_of_square_points() {
        let pts = vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.5, 0.5)];
        let h = Polygon::convex_hull(pts);
        assert_eq!(h.points.len(), 4);
        assert!((h.area() - 1.0).abs() < 1e-12);
    }
}
