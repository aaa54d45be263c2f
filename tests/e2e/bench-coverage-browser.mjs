// Coverage accuracy in the browser (part of `cargo xtask bench-coverage`; not a test):
// the rendered 12 MP JPEGs that `examples/phone_photos.rs` wrote, with their truth and
// the native reading, measured in headless Chromium the way the analysis worker does it
// (scalp-compare.worker.js): decoded by the browser into the 2560 px display bitmap,
// its pixels read back, a 1024 px working copy averaged in linear light, and the display
// pixels handed along for the colours. Prints both readings per photo and the mean
// absolute error of each over the photos both give a number for.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { base, launchChromium } from "./bench-common.mjs";

const dir = process.env.PHONE_DIR || "bench-out/phone";
const truth = JSON.parse(readFileSync(join(dir, "truth.json"), "utf8"));
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(base);
await page.evaluate(async () => {
  const core = await import(new URL("pkg/scalp_compare.js", document.baseURI).href);
  await core.default();
  // As the loading and analysis workers do (DISPLAY_MAX_SIDE, WORK_MAX_SIDE, LARGER_AT_LEAST).
  window.measureLikeTheWorker = async (b64, region) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const photo = await core.loadPhoto(new Blob([bytes], { type: "image/jpeg" }), 2560);
    const bitmap = photo.bitmap;
    const originalWidth = photo.width;
    photo.free();
    const { width: w, height: h } = bitmap;
    const ctx = new OffscreenCanvas(w, h).getContext("2d", { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    const rgba = ctx.getImageData(0, 0, w, h).data;
    const copy = core.workingCopy(rgba, w, h, 1024);
    const factor = copy.width / originalWidth;
    const larger = copy.width * 1.34 < w ? [rgba, w, h] : [new Uint8Array(0), 0, 0];
    try {
      const r = core.measurePhoto(copy.rgba, copy.width, copy.height, factor, JSON.stringify(region), ...larger);
      return { coverage: r.coverage, uncertainty: r.uncertainty };
    } catch (e) {
      return { error: String(e.message || e) };
    }
  };
});

const pp = (v) => (v >= 0 ? "+" : "") + v.toFixed(1);
const show = (r, t) => (r.error ? "refused".padStart(8) + "      -" : `${pp(100 * (r.coverage - t)).padStart(8)} ${(100 * r.uncertainty).toFixed(1).padStart(6)}`);
console.log("12 MP JPEGs (4000x3000, quality 92, strands 2.5-5 px wide): error against the truth, in points");
console.log(`${"photo".padEnd(22)} ${"truth".padStart(6)} | ${"native".padStart(8)} ${"unc".padStart(6)} | ${"browser".padStart(8)} ${"unc".padStart(6)}`);
const both = [];
let refused = { native: 0, browser: 0 };
for (const p of truth) {
  const b64 = readFileSync(join(dir, p.file)).toString("base64");
  const web = await page.evaluate(([b, r]) => window.measureLikeTheWorker(b, r), [b64, p.region]);
  const nat = p.native;
  refused.native += nat.error ? 1 : 0;
  refused.browser += web.error ? 1 : 0;
  console.log(`${p.file.padEnd(22)} ${(100 * p.truth).toFixed(1).padStart(6)} | ${show(nat, p.truth)} | ${show(web, p.truth)}`);
  if (!nat.error && !web.error) both.push([Math.abs(nat.coverage - p.truth), Math.abs(web.coverage - p.truth), web.coverage - nat.coverage]);
}
const mean = (i) => (100 * both.reduce((s, r) => s + r[i], 0)) / Math.max(1, both.length);
console.log(
  `over the ${both.length} photos both measure: native MAE ${mean(0).toFixed(2)} pp, browser MAE ${mean(1).toFixed(2)} pp; ` +
    `browser minus native: mean ${mean(2).toFixed(2)} pp; refused: native ${refused.native}, browser ${refused.browser} of ${truth.length}`,
);
await browser.close();
