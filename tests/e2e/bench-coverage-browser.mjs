// Coverage accuracy in the browser (part of `cargo xtask bench-coverage`; not a test):
// the rendered 12 MP JPEGs that `examples/phone_photos.rs` wrote, with their truth and
// the native reading, measured in headless Chromium by what ships: each is loaded into
// a `<scalp-compare>` (its loading worker decodes it to the display bitmap and hands the
// pixels on), and the widget's analysis worker (scalp-compare.worker.js) measures it
// through its `measure` message, on its working copy with the display pixels for the
// colours. Prints both readings per photo and the mean absolute error of each over the
// photos both give a number for; then times a SALT-style estimate from four of them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { base, launchChromium, installWorkerProbe } from "./bench-common.mjs";

const dir = process.env.PHONE_DIR || "bench-out/phone";
const truth = JSON.parse(readFileSync(join(dir, "truth.json"), "utf8"));
const browser = await launchChromium();
const page = await browser.newPage();
await installWorkerProbe(page);
await page.goto(base);
await page.evaluate(async () => {
  // The demo's own pair settles first; then a widget of our own, with nothing else
  // to align or analyse, loads each photo as BEFORE (replacing the last one).
  await customElements.whenDefined("scalp-compare");
  const demo = document.querySelector("scalp-compare");
  while (!(demo.photos.before && demo.photos.after && !demo.busy)) await new Promise((r) => setTimeout(r, 20));
  const el = document.createElement("scalp-compare");
  el.setAttribute("autosave", "off");
  document.body.append(el);
  // A JPEG file from its bytes in base64.
  window.jpegFile = (b64, name) => new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: "image/jpeg" });
  window.measureInTheWorker = async (b64, name, region) => {
    const file = window.jpegFile(b64, name);
    if (!(await el.load("before", file))) throw new Error(`${name} was not loaded`);
    const reply = await window.scalpWorkers.measure(file, region);
    if (!reply.ok) return { error: reply.message };
    return { coverage: reply.result.coverage, uncertainty: reply.result.uncertainty };
  };
});

const pp = (v) => (v >= 0 ? "+" : "") + v.toFixed(1);
const show = (r, t) => (r.error ? "refused".padStart(8) + "      -" : `${pp(100 * (r.coverage - t)).padStart(8)} ${(100 * r.uncertainty).toFixed(1).padStart(6)}`);
console.log("12 MP JPEGs (4000x3000, quality 92, strands 2.5-5 px wide): error against the truth, in points");
console.log(`${"photo".padEnd(22)} ${"truth".padStart(6)} | ${"native".padStart(8)} ${"unc".padStart(6)} | ${"browser".padStart(8)} ${"unc".padStart(6)}`);
const both = [];
const measured = []; // (the photos both measure, in order)
let refused = { native: 0, browser: 0 };
for (const p of truth) {
  const b64 = readFileSync(join(dir, p.file)).toString("base64");
  const web = await page.evaluate(([b, n, r]) => window.measureInTheWorker(b, n, r), [b64, p.file, p.region]);
  const nat = p.native;
  refused.native += nat.error ? 1 : 0;
  refused.browser += web.error ? 1 : 0;
  console.log(`${p.file.padEnd(22)} ${(100 * p.truth).toFixed(1).padStart(6)} | ${show(nat, p.truth)} | ${show(web, p.truth)}`);
  if (!nat.error && !web.error) {
    measured.push(p);
    both.push([Math.abs(nat.coverage - p.truth), Math.abs(web.coverage - p.truth), web.coverage - nat.coverage]);
  }
}
const mean = (i) => (100 * both.reduce((s, r) => s + r[i], 0)) / Math.max(1, both.length);
console.log(
  `over the ${both.length} photos both measure: native MAE ${mean(0).toFixed(2)} pp, browser MAE ${mean(1).toFixed(2)} pp; ` +
    `browser minus native: mean ${mean(2).toFixed(2)} pp; refused: native ${refused.native}, browser ${refused.browser} of ${truth.length}`,
);
// A SALT-style estimate from four of these photos as four views: the widget's
// saltEstimate, from the files to the weighted estimate (decoding, working copies and
// four measurements in the workers), three runs; the first four photos both readings
// above measured (a refused view refuses the whole estimate, and the estimate measures
// each view over its automatic region: a refusal is said, not a failed bench).
const four = measured.slice(0, 4).map((p) => readFileSync(join(dir, p.file)).toString("base64"));
const saltMs = [];
let saltError = four.length < 4 ? `only ${four.length} photos were measured` : null;
for (let run = 0; run < 3 && !saltError; run++) {
  const r = await page.evaluate(async (b64s) => {
    const [top, back, left, right] = b64s.map((b, i) => window.jpegFile(b, `view-${i}.jpg`));
    const t0 = performance.now();
    try {
      await document.querySelector("scalp-compare").saltEstimate({ top, back, left, right });
    } catch (e) {
      return { error: e.message };
    }
    return { ms: performance.now() - t0 };
  }, four);
  if (r.error) saltError = r.error;
  else saltMs.push(r.ms);
}
saltMs.sort((a, b) => a - b);
console.log(
  saltError
    ? `SALT-style estimate from four 12 MP JPEGs in the widget: not timed (${saltError})`
    : `SALT-style estimate from four 12 MP JPEGs in the widget: median ${saltMs[1].toFixed(0)} ms ` +
        `(${saltMs.map((v) => v.toFixed(0)).join(", ")} ms over 3 runs)`,
);
await browser.close();
