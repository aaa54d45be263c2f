// Shared helpers for the end-to-end tests: waiting for photos, reading pixels
// from real screenshots, comparing regions.
import { PNG } from "pngjs";
import { expect } from "@playwright/test";

/** Waits until the element has both photos loaded and nothing is loading or aligning. */
export async function waitForPhotos(page, selector = "scalp-compare") {
  await page.waitForFunction((sel) => {
    const el = document.querySelector(sel);
    return el && el.photos && el.photos.before && el.photos.after && !el.busy;
  }, selector);
  // Let the canvases paint.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** A screenshot of the comparison frame (what a person sees), decoded. */
export async function frameShot(page, selector = "scalp-compare") {
  const buffer = await page.locator(`${selector} .frame`).screenshot({ animations: "disabled" });
  return PNG.sync.read(buffer);
}

/** Sets the split and waits for it to paint. */
export async function setValue(page, value, selector = "scalp-compare") {
  await page.evaluate(
    ([sel, v]) => {
      document.querySelector(sel).value = v;
      return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    },
    [selector, value],
  );
}

/**
 * Mean absolute RGB difference between two shots over a region given in
 * fractions of the frame: {x0, x1, y0, y1}.
 */
export function regionDiff(a, b, { x0, x1, y0, y1 }) {
  expect(a.width).toBe(b.width);
  expect(a.height).toBe(b.height);
  let sum = 0;
  let n = 0;
  for (let y = Math.floor(y0 * a.height); y < Math.floor(y1 * a.height); y++) {
    for (let x = Math.floor(x0 * a.width); x < Math.floor(x1 * a.width); x++) {
      const i = (y * a.width + x) * 4;
      sum +=
        Math.abs(a.data[i] - b.data[i]) +
        Math.abs(a.data[i + 1] - b.data[i + 1]) +
        Math.abs(a.data[i + 2] - b.data[i + 2]);
      n += 3;
    }
  }
  return sum / n;
}

/** Mean and standard deviation of grey level over a region (fractions). */
export function regionStats(img, { x0, x1, y0, y1 }) {
  const values = [];
  for (let y = Math.floor(y0 * img.height); y < Math.floor(y1 * img.height); y++) {
    for (let x = Math.floor(x0 * img.width); x < Math.floor(x1 * img.width); x++) {
      const i = (y * img.width + x) * 4;
      values.push((img.data[i] + img.data[i + 1] + img.data[i + 2]) / 3);
    }
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, sd };
}

/** The RGB of one pixel at fractional position (x, y). */
export function pixelAt(img, x, y) {
  const px = Math.min(img.width - 1, Math.floor(x * img.width));
  const py = Math.min(img.height - 1, Math.floor(y * img.height));
  const i = (py * img.width + px) * 4;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}

/** Shots of the frame showing only BEFORE (value 100) and only AFTER (value 0). */
export async function referenceShots(page, selector = "scalp-compare") {
  await setValue(page, 100, selector);
  const before = await frameShot(page, selector);
  await setValue(page, 0, selector);
  const after = await frameShot(page, selector);
  return { before, after };
}

/**
 * Normalised cross-correlation of the fine structure (grey minus its local
 * mean over a 31-pixel box) of two shots over a region: high when the same
 * scalp features sit at the same places.
 */
export function structureNcc(a, b, r) {
  const highPass = (img) => {
    const w = img.width;
    const h = img.height;
    const grey = new Float64Array(w * h);
    for (let i = 0; i < w * h; i++) grey[i] = img.data[4 * i] + img.data[4 * i + 1] + img.data[4 * i + 2];
    const sat = new Float64Array((w + 1) * (h + 1));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        sat[(y + 1) * (w + 1) + x + 1] = grey[y * w + x] + sat[y * (w + 1) + x + 1] + sat[(y + 1) * (w + 1) + x] - sat[y * (w + 1) + x];
      }
    }
    const R = 15;
    const out = [];
    for (let y = Math.floor(r.y0 * h); y < Math.floor(r.y1 * h); y += 2) {
      for (let x = Math.floor(r.x0 * w); x < Math.floor(r.x1 * w); x += 2) {
        const [x0, x1, y0, y1] = [Math.max(0, x - R), Math.min(w, x + R + 1), Math.max(0, y - R), Math.min(h, y + R + 1)];
        const sum = sat[y1 * (w + 1) + x1] - sat[y0 * (w + 1) + x1] - sat[y1 * (w + 1) + x0] + sat[y0 * (w + 1) + x0];
        out.push(grey[y * w + x] - sum / ((x1 - x0) * (y1 - y0)));
      }
    }
    return out;
  };
  const ga = highPass(a);
  const gb = highPass(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < ga.length; i++) {
    sab += ga[i] * gb[i];
    saa += ga[i] ** 2;
    sbb += gb[i] ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/**
 * Makes a photo in the page from the demo's BEFORE under a known camera change
 * (rotation in degrees and scale about the centre, shift in pixels,
 * brightness/contrast), optionally covered by `blobs` random discs, as a JPEG
 * blob URL (the page's CSP keeps `fetch` off blob URLs, so the blob itself is
 * kept in `window.samples` under that URL). Returns `{url, truth}`: truth is the
 * true matrix from the new photo's pixels to BEFORE's.
 */
export async function transformedSample(page, { angle, scale, dx = 0, dy = 0, filter = "none", blobs = 0 }) {
  return page.evaluate(
    async ({ angle, scale, dx, dy, filter, blobs }) => {
      const img = await createImageBitmap(await (await fetch("samples/before.jpg")).blob());
      const [w, h] = [img.width, img.height];
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#7a7a7a";
      ctx.fillRect(0, 0, w, h);
      ctx.filter = filter;
      const t = (angle * Math.PI) / 180;
      // C maps BEFORE pixels to the new photo's: shift * centre * rotate * scale * uncentre.
      ctx.translate(w / 2 + dx, h / 2 + dy);
      ctx.rotate(t);
      ctx.scale(scale, scale);
      ctx.translate(-w / 2, -h / 2);
      ctx.drawImage(img, 0, 0);
      ctx.resetTransform();
      ctx.filter = "none";
      let seed = 7;
      const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
      for (let i = 0; i < blobs; i++) {
        ctx.fillStyle = `rgb(${rnd() * 255},${rnd() * 255},${rnd() * 255})`;
        ctx.beginPath();
        ctx.arc(rnd() * w, rnd() * h, 20 + rnd() * 40, 0, Math.PI * 2);
        ctx.fill();
      }
      const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.92 });
      const url = URL.createObjectURL(blob);
      (window.samples ||= new Map()).set(url, blob);
      // Inverse of C: new photo -> BEFORE.
      const c = Math.cos(t) / scale;
      const s = Math.sin(t) / scale;
      const [ox, oy] = [w / 2 + dx, h / 2 + dy];
      return {
        url,
        truth: [
          [c, s, w / 2 - c * ox - s * oy],
          [-s, c, h / 2 + s * ox - c * oy],
          [0, 0, 1],
        ],
      };
    },
    { angle, scale, dx, dy, filter, blobs },
  );
}

/** Loads one shared real photo (a tanned bald head with a fringe of white hair) as
 *  both BEFORE and AFTER: a pair whose coverage cannot be told reliably. */
export async function loadUnmeasurablePair(page) {
  const photo = "../shared/photos/uze-hair-loss/topdown-stage6-1.jpg";
  await page.locator('scalp-compare input[data-side="before"]').setInputFiles(photo);
  await page.locator('scalp-compare input[data-side="after"]').setInputFiles(photo);
}

/** The exported report, decoded. */
export async function reportPng(page) {
  // As base64: a list of numbers that long is slow to pass out of the page.
  const text = await page.evaluate(async () => {
    const blob = await document.querySelector("scalp-compare").exportReport();
    const url = await new Promise((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.readAsDataURL(blob);
    });
    return url.slice(url.indexOf(",") + 1);
  });
  return PNG.sync.read(Buffer.from(text, "base64"));
}
