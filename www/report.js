// The comparison report for <scalp-compare>: both photos aligned side by side with
// the annotations, coverage figures with their uncertainty, visit dates, notes,
// and the clinic's name or logo, drawn on a canvas and exported as PNG.
// Note text is drawn with fillText (never parsed as markup).

import { apply3, mul3, geometry, describe, calibrationText, DEFAULT_COLOR } from "./annotate.js";
import { fill } from "./i18n.js";

const WIDTH = 1600;
const MARGIN = 48;
const GAP = 24;
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** A canvas path through points. */
function trace(ctx, points, closed) {
  ctx.beginPath();
  points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  if (closed) ctx.closePath();
}

/** Draws one annotation's shared geometry on a canvas (as the SVG layer does on screen). */
function drawShape(ctx, geo, color) {
  ctx.lineJoin = "round";
  ctx.lineCap = "round";
  for (const path of geo.paths) {
    trace(ctx, path.points, path.closed);
    ctx.strokeStyle = "rgba(0,0,0,0.75)";
    ctx.lineWidth = 5;
    ctx.stroke();
    ctx.strokeStyle = color;
    ctx.lineWidth = 2.5;
    ctx.stroke();
  }
  if (geo.head) {
    trace(ctx, geo.head, true);
    ctx.fillStyle = color;
    ctx.strokeStyle = "rgba(0,0,0,0.75)";
    ctx.lineWidth = 1.5;
    ctx.fill();
    ctx.stroke();
  }
  if (geo.marker) {
    const [x, y] = geo.marker.at;
    const r = geo.marker.dot ? 3.5 : geo.marker.small ? 8 : 11;
    ctx.beginPath();
    ctx.arc(x, y, r, 0, Math.PI * 2);
    ctx.fillStyle = color;
    ctx.fill();
    ctx.strokeStyle = "rgba(0,0,0,0.8)";
    ctx.lineWidth = 1.5;
    ctx.stroke();
    if (geo.marker.number) {
      ctx.fillStyle = "#111";
      ctx.font = `700 ${geo.marker.small ? 11 : 13}px ${FONT}`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(String(geo.marker.number), x, y + 0.5);
    }
  }
  if (geo.label) {
    const [x, y] = geo.label.at;
    ctx.font = `600 15px ${FONT}`;
    ctx.textAlign = geo.label.anchor === "start" ? "left" : "center";
    ctx.textBaseline = "middle";
    const tx = geo.label.anchor === "start" ? x + 8 : x;
    ctx.lineWidth = 4;
    ctx.strokeStyle = "rgba(0,0,0,0.85)";
    ctx.strokeText(geo.label.text, tx, y);
    ctx.fillStyle = "#fff";
    ctx.fillText(geo.label.text, tx, y);
  }
}

/** Splits text into lines no wider than `width`. */
function wrap(ctx, text, width) {
  const lines = [];
  for (const para of String(text).split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/)) {
      const next = line ? `${line} ${word}` : word;
      if (ctx.measureText(next).width > width && line) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Draws a photo into a panel through a photo->panel matrix. Affine maps are one
 * canvas transform; a perspective map is drawn as a fine mesh of affine pieces.
 */
function drawWarped(ctx, photo, m) {
  const sx = photo.bitmap.width / photo.width;
  const sy = photo.bitmap.height / photo.height;
  const affine = Math.abs(m[2][0]) < 1e-12 && Math.abs(m[2][1]) < 1e-12;
  if (affine) {
    const k = m[2][2];
    ctx.save();
    ctx.transform(m[0][0] / k, m[1][0] / k, m[0][1] / k, m[1][1] / k, m[0][2] / k, m[1][2] / k);
    ctx.drawImage(photo.bitmap, 0, 0, photo.width, photo.height);
    ctx.restore();
    return;
  }
  const n = 24;
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      const x0 = (i / n) * photo.width;
      const x1 = ((i + 1) / n) * photo.width;
      const y0 = (j / n) * photo.height;
      const y1 = ((j + 1) / n) * photo.height;
      for (const tri of [
        [[x0, y0], [x1, y0], [x0, y1]],
        [[x1, y0], [x1, y1], [x0, y1]],
      ]) {
        const d = tri.map((p) => apply3(m, p));
        const [[ax, ay], [bx, by], [cx, cy]] = tri;
        const [[AX, AY], [BX, BY], [CX, CY]] = d;
        const det = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
        const a = ((BX - AX) * (cy - ay) - (CX - AX) * (by - ay)) / det;
        const c = ((CX - AX) * (bx - ax) - (BX - AX) * (cx - ax)) / det;
        const b = ((BY - AY) * (cy - ay) - (CY - AY) * (by - ay)) / det;
        const dd = ((CY - AY) * (bx - ax) - (BY - AY) * (cx - ax)) / det;
        ctx.save();
        // Slightly grown triangle so neighbouring pieces leave no hairline seams.
        const mx = (AX + BX + CX) / 3;
        const my = (AY + BY + CY) / 3;
        trace(ctx, d.map(([x, y]) => [x + (x - mx) * 0.02, y + (y - my) * 0.02]), true);
        ctx.clip();
        ctx.transform(a, b, c, dd, AX - a * ax - c * ay, AY - b * ax - dd * ay);
        ctx.drawImage(photo.bitmap, x0 * sx, y0 * sy, (x1 - x0) * sx, (y1 - y0) * sy, x0, y0, x1 - x0, y1 - y0);
        ctx.restore();
      }
    }
  }
}

/**
 * Renders the report to a canvas. `data`:
 * {before, after: {bitmap, width, height, name, date}, matrix (AFTER->BEFORE or
 *  null), annotations, calibration, numbers (Map id -> number), analysis,
 *  labels: {before, after}, clinic, logo (ImageBitmap or null), generated (Date),
 *  views (optional: the four views of a SALT-style estimate, [{image (or null), title,
 *  reading}]), visits (optional: the coverage at each visit, [{label, coverage,
 *  uncertainty}, or {label, note} for a visit that could not be measured, or {label,
 *  pending: true} for one still being measured])}.
 */
export function renderReport(data) {
  const { before: b, after: a } = data;
  const t = data.t || fill;
  const panelW = (WIDTH - 2 * MARGIN - GAP) / 2;
  const s = Math.min(panelW / b.width, 900 / b.height);
  const panelH = b.height * s;
  const ox = (panelW - b.width * s) / 2;
  const toPanel = [
    [s, 0, ox],
    [0, s, 0],
    [0, 0, 1],
  ];
  const photoToPanel = {
    before: toPanel,
    after: data.matrix
      ? mul3(toPanel, data.matrix)
      : (() => {
          const k = Math.min(panelW / a.width, panelH / a.height);
          return [
            [k, 0, (panelW - a.width * k) / 2],
            [0, k, (panelH - a.height * k) / 2],
            [0, 0, 1],
          ];
        })(),
  };
  // Measure the text first, on a scratch canvas, to size the page.
  const scratch = document.createElement("canvas").getContext("2d");
  const textW = WIDTH - 2 * MARGIN;
  const summary = data.summary ? wrap((scratch.font = `17px ${FONT}`, scratch), data.summary, textW) : [];
  scratch.font = `15px ${FONT}`;
  const noteLines = [];
  // How rulers read millimetres, as the notes list on screen says.
  for (const [photo, cal] of Object.entries(data.calibration)) {
    if (cal) noteLines.push(...wrap(scratch, calibrationText(photo, cal, t), textW));
  }
  for (const item of data.annotations) {
    const n = data.numbers.get(item.id);
    if (!n && item.kind !== "text" && item.kind !== "ruler") continue;
    const line = describe(item, n || "\u2022", data.calibration[item.photo], t).replace(/^\u2022\. /, "\u2022 ");
    noteLines.push(...wrap(scratch, line, textW));
  }
  // The four views of a SALT-style estimate, in one row under the figures.
  const views = data.views || [];
  const viewW = (textW - 3 * GAP) / 4;
  const pictures = views.filter((v) => v.image);
  const viewImgH = pictures.length ? Math.max(...pictures.map((v) => (viewW * v.image.height) / v.image.width)) : 0;
  const viewsH = views.length ? viewImgH + 58 : 0;
  // The coverage at each visit: a chart (points with uncertainty bars) and a line per visit.
  const visits = data.visits && data.visits.length >= 2 ? data.visits : [];
  const visitLines = [];
  for (const v of visits) {
    const line = v.pending
      ? t("{visit}: not measured yet", { visit: v.label })
      : v.note
      ? t("{visit}: not measured: {reason}", { visit: v.label, reason: v.note })
      : t("{visit}: {coverage}% hair coverage \u00b1 {unc} points", {
          visit: v.label,
          coverage: Math.round(v.coverage * 100),
          unc: t.num1 ? t.num1(v.uncertainty * 100) : (v.uncertainty * 100).toFixed(1),
        });
    visitLines.push(...wrap(scratch, line, textW));
    if (Number.isFinite(v.unconfirmed)) visitLines.push(...wrap(scratch, t(UNCONFIRMED_VISIT, { visit: v.label, pct: v.unconfirmed }), textW));
  }
  const CHART_H = 200;
  const visitsH = visits.length ? 30 + CHART_H + 20 + visitLines.length * 21 + 16 : 0;
  const headerH = 96;
  const panelTop = MARGIN + headerH;
  const captionH = 34;
  const bodyTop = panelTop + panelH + captionH + 20;
  // Where the photos come from (their licence's credit), under the disclaimer.
  scratch.font = `14px ${FONT}`;
  const creditLines = data.credit ? wrap(scratch, data.credit, textW) : [];
  const height = Math.ceil(
    bodyTop +
      summary.length * 24 +
      16 +
      viewsH +
      visitsH +
      (noteLines.length ? 30 + noteLines.length * 21 : 0) +
      60 +
      creditLines.length * 20 +
      MARGIN,
  );
  const canvas = document.createElement("canvas");
  canvas.width = WIDTH;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, WIDTH, height);

  // Header: logo and clinic, title, date generated.
  let hx = MARGIN;
  if (data.logo) {
    const lh = 64;
    const lw = Math.min(240, (data.logo.width / data.logo.height) * lh);
    ctx.drawImage(data.logo, hx, MARGIN, lw, lh);
    hx += lw + 20;
  }
  ctx.fillStyle = "#1b1f24";
  ctx.textBaseline = "alphabetic";
  ctx.textAlign = "left";
  ctx.font = `700 28px ${FONT}`;
  ctx.fillText(data.clinic || t("Scalp comparison"), hx, MARGIN + 30);
  ctx.font = `17px ${FONT}`;
  ctx.fillStyle = "#4a525c";
  ctx.fillText(
    `${data.clinic ? `${t("Scalp comparison report")} \u00b7 ` : ""}${t("generated {date}", {
      date: data.generated.toLocaleDateString(t.lang || undefined, { year: "numeric", month: "long", day: "numeric" }),
    })}`,
    hx,
    MARGIN + 58,
  );

  // The two panels.
  for (const [i, side] of [[0, "before"], [1, "after"]]) {
    const px = MARGIN + i * (panelW + GAP);
    ctx.save();
    ctx.translate(px, panelTop);
    ctx.fillStyle = "#1d2126";
    ctx.fillRect(0, 0, panelW, panelH);
    ctx.beginPath();
    ctx.rect(0, 0, panelW, panelH);
    ctx.clip();
    drawWarped(ctx, data[side], photoToPanel[side]);
    // The region drawn by the specialist (BEFORE pixels): the figures are over it. On AFTER
    // it is shown through the alignment, so only when there is one.
    if (data.region && (side === "before" || data.matrix)) {
      const pts = data.region.map((p) => apply3(toPanel, p));
      ctx.lineWidth = 3;
      ctx.setLineDash([10, 6]);
      ctx.strokeStyle = "#000";
      trace(ctx, pts, true);
      ctx.stroke();
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
      ctx.setLineDash([]);
    }
    for (const item of data.annotations) {
      const geo = geometry(item, photoToPanel[item.photo], {
        number: data.numbers.get(item.id),
        calibration: data.calibration[item.photo],
        lang: t.lang,
      });
      drawShape(ctx, geo, item.color || DEFAULT_COLOR);
    }
    ctx.restore();
    const photo = data[side];
    ctx.fillStyle = "#1b1f24";
    ctx.font = `600 17px ${FONT}`;
    const caption = [data.labels[side], photo.date ? t("visit {date}", { date: photo.date }) : t("date not recorded")].join(
      " \u00b7 ",
    );
    ctx.fillText(caption, px, panelTop + panelH + 26);
  }
  if (!data.matrix) {
    ctx.fillStyle = "#7a1405";
    ctx.font = `15px ${FONT}`;
    ctx.fillText(t("The photos are not aligned: AFTER is shown as taken."), MARGIN, panelTop + panelH + captionH + 8);
  }

  // Figures, notes, disclaimer.
  let y = bodyTop + 18;
  /** Wrapped lines from the left margin, `step` apart, in the current font. */
  const writeLines = (lines, step) => {
    for (const line of lines) {
      ctx.fillText(line, MARGIN, y);
      y += step;
    }
  };
  ctx.fillStyle = "#1b1f24";
  ctx.font = `17px ${FONT}`;
  writeLines(summary, 24);
  y += 16;
  for (const [k, v] of views.entries()) {
    const x = MARGIN + k * (viewW + GAP);
    if (v.image) ctx.drawImage(v.image, x, y - 12, viewW, (viewW * v.image.height) / v.image.width);
    ctx.fillStyle = "#1b1f24";
    ctx.font = `600 15px ${FONT}`;
    ctx.fillText(v.title, x, y - 12 + viewImgH + 20);
    ctx.font = `15px ${FONT}`;
    ctx.fillText(v.reading, x, y - 12 + viewImgH + 40);
  }
  y += viewsH;
  if (visits.length) {
    drawVisits(ctx, visits, MARGIN, y, textW, CHART_H, t);
    y += 30 + CHART_H + 20;
    ctx.fillStyle = "#1b1f24";
    ctx.font = `15px ${FONT}`;
    writeLines(visitLines, 21);
    y += 16;
  }
  if (noteLines.length) {
    ctx.font = `700 17px ${FONT}`;
    ctx.fillText(t("Annotations"), MARGIN, y);
    y += 26;
    ctx.font = `15px ${FONT}`;
    writeLines(noteLines, 21);
  }
  y += 30;
  ctx.fillStyle = "#4a525c";
  ctx.font = `14px ${FONT}`;
  ctx.fillText(
    t("Coverage figures are estimates from photographs, with their uncertainty; they are not a diagnosis."),
    MARGIN,
    y,
  );
  y += 24;
  writeLines(creditLines, 20);
  return canvas;
}

/** The coverage of each grid line of a coverage-at-each-visit chart. */
export const CHART_GRID = [0, 0.25, 0.5, 0.75, 1];

/**
 * The caution for a visit measured through an alignment made by hand that the photos'
 * detail does not confirm (`{visit}`, `{pct}`: its confidence): on the chart and in the report.
 */
export const UNCONFIRMED_VISIT =
  "{visit}: its photo may not be lined up well with the first visit's (its alignment was not made automatically, and the photos' detail does not confirm it: confidence {pct}%), so its point may be off.";

/**
 * The layout of a coverage-at-each-visit chart, shared by the widget's chart and the
 * report's. `box` is the whole chart `{x, w}` across and its plot `{top, bottom}` down;
 * `margin` `{left, right}` leaves room for the percent ticks and the last label.
 * Returns the plot's edges `{L, R, T, B}`, `px(i)` and `py(coverage)`, and the visits'
 * labels to write: `{index, text, x}`, each centred on `x`. A label gets the width
 * between the midpoints to its written neighbours (the first from the box's left edge,
 * the last to its right edge), is shortened with an ellipsis when it is longer, and is
 * moved along (never across a neighbour's share) to stay in the box, so no two labels
 * overlap and none is cut off. When that would leave a label fewer than eight characters,
 * only every second (third, ...) visit is labelled, always the first and the last.
 * `measure(text)` gives a text's width.
 */
export function chartLayout(labels, box, margin, measure) {
  const [L, R, T, B] = [box.x + margin.left, box.x + box.w - margin.right, box.top, box.bottom];
  const n = labels.length;
  const px = (i) => (n === 1 ? (L + R) / 2 : L + ((R - L) * i) / (n - 1));
  const py = (c) => B - (B - T) * Math.min(1, Math.max(0, c));
  const GAP = 8; // between two labels; a quarter of it at the box's edges (glyphs overhang)
  const KEEP = 8; // characters a shortened label keeps at least (a date's year and month)
  /** The labels of the visits `shown`, each fitted between its shown neighbours. */
  const fit = (shown) =>
    shown.map((i, k) => {
      const from = k === 0 ? box.x + GAP / 4 : (px(shown[k - 1]) + px(i)) / 2 + GAP / 2;
      const to = k === shown.length - 1 ? box.x + box.w - GAP / 4 : (px(i) + px(shown[k + 1])) / 2 - GAP / 2;
      const room = Math.max(0, to - from);
      const chars = Array.from(String(labels[i])); // whole characters, never half an emoji
      let kept = chars.length;
      let text = chars.join("");
      if (measure(text) > room) {
        kept--;
        while (kept > 0 && measure(`${chars.slice(0, kept).join("")}\u2026`) > room) kept--;
        text = `${chars.slice(0, kept).join("")}\u2026`;
      }
      const width = measure(text);
      const ok = width <= room && kept >= Math.min(KEEP, chars.length);
      return { index: i, text, x: Math.min(Math.max(px(i), from + width / 2), to - width / 2), ok };
    });
  for (let step = 1; ; step++) {
    const shown = [];
    for (let i = 0; i < n; i += step) shown.push(i);
    if (n && shown.at(-1) !== n - 1) {
      // The last visit always; a labelled one just before it makes room.
      if (shown.length > 1 && n - 1 - shown.at(-1) <= step / 2) shown.pop();
      shown.push(n - 1);
    }
    const fitted = fit(shown);
    if (shown.length <= 2 || fitted.every((f) => f.ok)) {
      return { L, R, T, B, px, py, labels: fitted.map(({ ok: _ok, ...label }) => label) };
    }
  }
}

/**
 * The coverage-at-each-visit chart under its heading, at (x, y) with the plot `h` high:
 * grid lines at every 25 %, each measured visit a point with its uncertainty bar, a grey
 * line between them, and each visit's label under the plot.
 */
function drawVisits(ctx, visits, x, y, w, h, t) {
  ctx.fillStyle = "#1b1f24";
  ctx.font = `700 17px ${FONT}`;
  ctx.fillText(t("Hair coverage at each visit, over the first visit's scalp region (an estimate; bars show the uncertainty)"), x, y);
  ctx.font = `13px ${FONT}`;
  const { L, R, B, px, py, labels } = chartLayout(
    visits.map((v) => v.label),
    { x, w, top: y + 22, bottom: y + h - 12 },
    { left: 56, right: 40 },
    (text) => ctx.measureText(text).width,
  );
  ctx.textAlign = "right";
  for (const pct of CHART_GRID) {
    ctx.strokeStyle = "#d5dbe1";
    ctx.lineWidth = 1;
    const gy = Math.round(py(pct)) + 0.5; // crisp, one pixel
    ctx.beginPath();
    ctx.moveTo(L, gy);
    ctx.lineTo(R, gy);
    ctx.stroke();
    ctx.fillStyle = "#4a525c";
    ctx.fillText(`${pct * 100}%`, L - 8, py(pct) + 4);
  }
  ctx.textAlign = "center";
  for (const label of labels) ctx.fillText(label.text, label.x, B + 22);
  ctx.textAlign = "left";
  const measured = [...visits.entries()].filter(([, v]) => !v.note && !v.pending);
  ctx.strokeStyle = "#9aa3ad";
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (const [k, [i, v]] of measured.entries()) ctx[k ? "lineTo" : "moveTo"](px(i), py(v.coverage));
  ctx.stroke();
  for (const [i, v] of measured) {
    const [lo, hi] = [py(v.coverage - v.uncertainty), py(v.coverage + v.uncertainty)];
    ctx.strokeStyle = "#1b1f24";
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(px(i), lo);
    ctx.lineTo(px(i), hi);
    for (const yy of [lo, hi]) {
      ctx.moveTo(px(i) - 7, yy);
      ctx.lineTo(px(i) + 7, yy);
    }
    ctx.stroke();
    ctx.fillStyle = "#0b5cad";
    ctx.beginPath();
    ctx.arc(px(i), py(v.coverage), 6, 0, Math.PI * 2);
    ctx.fill();
    if (Number.isFinite(v.unconfirmed)) {
      // Hollow, as on screen: the alignment behind it is not confirmed (its line says so).
      ctx.fillStyle = "#fff";
      ctx.beginPath();
      ctx.arc(px(i), py(v.coverage), 3.5, 0, Math.PI * 2);
      ctx.fill();
    }
  }
}

/** The canvas as a PNG Blob. */
export function toPng(canvas) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("The report image could not be made."))), "image/png"),
  );
}
