// Alignment in wasm, in headless Chromium (part of `cargo xtask bench-align`):
// a 12 MP pair (4000x3000 JPEGs made from the demo photo under a known camera
// change) loaded into the widget; reports the worker's alignment time (after
// decoding), the wasm memory at the end, and the corner error against the truth;
// then the worker's coverage analysis of the same pair (both visits measured over
// the scalp region seen through the alignment, and the change map), and one photo's
// coverage alone (BEFORE, measured by the same worker through its `measure` message,
// as the widget measures a visit); `cargo xtask bench-coverage` runs it too.
import { base, launchChromium, installBenchHelpers, installWorkerProbe } from "./bench-common.mjs";

const runs = Number(process.env.RUNS || 3);
const browser = await launchChromium();
const results = [];
for (let run = 0; run < runs; run++) {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  await installBenchHelpers(page);
  await installWorkerProbe(page);
  await page.goto(base);
  await page.waitForFunction(() => {
    const el = document.querySelector("scalp-compare");
    return el.photos.before && el.photos.after && !el.busy;
  });
  const r = await page.evaluate(async (run) => {
    const src = await createImageBitmap(await (await fetch("samples/before.jpg")).blob());
    const [W, H] = [4000, 3000];
    const angle = ((run % 2 ? -1 : 1) * (8 + run * 3) * Math.PI) / 180;
    const scale = 1.1 - run * 0.05;
    async function make(transform) {
      const canvas = new OffscreenCanvas(W, H);
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#6d6a66";
      ctx.fillRect(0, 0, W, H);
      if (transform) {
        ctx.translate(W / 2 + 120, H / 2 - 90);
        ctx.rotate(angle);
        ctx.scale(scale, scale);
        ctx.translate(-W / 2, -H / 2);
        ctx.filter = "brightness(1.15) contrast(0.9)";
      }
      // The 640 px photo enlarged to 2500 px, the head filling most of the frame as on
      // a phone; at the 1024 px working size it keeps its own sharpness (enlarged to
      // cover the whole frame it is soft enough to be refused as blurred).
      const D = 2500;
      ctx.drawImage(src, (W - D) / 2, (H - D) / 2, D, D);
      ctx.resetTransform();
      ctx.filter = "none";
      // Sensor noise, so the JPEG is as heavy as a phone's.
      addSensorNoise(ctx, W, H, 99 + run + (transform ? 1 : 0), 16);
      return canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 });
    }
    const before = await make(false);
    const after = await make(true);
    const el = document.querySelector("scalp-compare");
    const beforeFile = new File([before], "before-12mp.jpg");
    await el.load("before", beforeFile);
    while (el.busy) await new Promise((r) => setTimeout(r, 20));
    const aligned = new Promise((resolve) =>
      el.addEventListener("aligned", (e) => resolve(e.detail), { once: true }),
    );
    const analysed = new Promise((resolve) =>
      el.addEventListener("analysis", (e) => resolve(e.detail), { once: true }),
    );
    const t0 = performance.now();
    await el.load("after", new File([after], "after-12mp.jpg"));
    const loaded = performance.now();
    const detail = await aligned;
    const done = performance.now();
    const analysis = await analysed;
    // One photo alone: BEFORE, measured by the widget's analysis worker on the working
    // copy it made for the alignment (and the display pixels it kept for the colours).
    const photo = await window.scalpWorkers.measure(beforeFile, null);
    const photoError = photo.ok ? null : photo.message;
    // Truth: C maps BEFORE to AFTER; the answer maps AFTER to BEFORE.
    const [c, s] = [Math.cos(angle) / scale, Math.sin(angle) / scale];
    const [ox, oy] = [W / 2 + 120, H / 2 - 90];
    const truth = [[c, s, W / 2 - c * ox - s * oy], [-s, c, H / 2 + s * ox - c * oy]];
    const m = detail.matrix;
    let err = 0;
    for (const [x, y] of [[0, 0], [W, 0], [W, H], [0, H]]) {
      const d = m[2][0] * x + m[2][1] * y + m[2][2];
      const ex = (m[0][0] * x + m[0][1] * y + m[0][2]) / d;
      const ey = (m[1][0] * x + m[1][1] * y + m[1][2]) / d;
      const tx = truth[0][0] * x + truth[0][1] * y + truth[0][2];
      const ty = truth[1][0] * x + truth[1][1] * y + truth[1][2];
      err += Math.hypot(ex - tx, ey - ty) / 4;
    }
    return {
      mb: (before.size + after.size) / 2e6,
      loadMs: loaded - t0,
      afterLoadToAligned: done - loaded,
      alignMs: detail.timing.align_ms,
      memoryMb: detail.timing.wasm_memory_bytes / 2 ** 20,
      errPx: err,
      diag: Math.hypot(W, H),
      confidence: detail.confidence,
      analysisMs: analysis.error ? NaN : analysis.timing_ms,
      analysisError: analysis.error || null,
      photoMs: photoError ? NaN : photo.result.timing_ms,
      photoError,
      copy: photo.ok ? photo.result.working_copy : null,
      copyMs: photo.ok ? photo.result.working_copy.ms : NaN,
    };
  }, run);
  results.push(r);
  await page.close();
}
await browser.close();
// What the worker measured on, as it reports it (the same copies serve the pair).
const copy = results.map((r) => r.copy).find(Boolean);
const side = (wh) => Math.max(...wh);
const workSize = copy ? `${side([copy.width, copy.height])} px` : "?";
const colours = !copy ? "?" : copy.larger ? `the ${side(copy.larger)} px display pixels` : "no larger pixels";
const med = (k) => [...results.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(results.length / 2)];
console.log(
  `wasm in Chromium, 12 MP pair (JPEG ~${med("mb").toFixed(1)} MB each), ${runs} runs: ` +
    `alignment after decoding median ${med("alignMs").toFixed(0)} ms ` +
    `(AFTER shown -> aligned ${med("afterLoadToAligned").toFixed(0)} ms); ` +
    `wasm memory ${Math.max(...results.map((r) => r.memoryMb)).toFixed(0)} MB; ` +
    `corner error median ${med("errPx").toFixed(2)} px of ${results[0].diag.toFixed(0)} px diagonal; ` +
    `confidence ${results.map((r) => r.confidence.toFixed(2)).join(", ")}`,
);
console.log(
  `wasm in Chromium, the same 12 MP pairs' coverage in the worker (both visits over the ` +
    `region seen through the alignment, plus the change map, on the ${workSize} working copies, ` +
    `colours from ${colours}): ` +
    `median ${med("analysisMs").toFixed(0)} ms per pair (${results.map((r) => r.analysisError ? "refused: " + r.analysisError : r.analysisMs.toFixed(0) + " ms").join("; ")})`,
);
console.log(
  `wasm in Chromium, one 12 MP photo's coverage (BEFORE, automatic region, its ${workSize} working ` +
    `copy with ${colours} for the colours, after decoding): median ${med("photoMs").toFixed(0)} ms (${results.map((r) => r.photoError ? "refused: " + r.photoError : r.photoMs.toFixed(0) + " ms").join("; ")}); ` +
    `making the working copy in linear light (the analysis worker, before the first alignment) median ${med("copyMs").toFixed(0)} ms`,
);
