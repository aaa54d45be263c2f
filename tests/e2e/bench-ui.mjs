// Smoothness benchmark (not a test): `cargo xtask bench-ui`.
// On a 12 MP pair (the demo photos upscaled to 4000x3000 with sensor-like noise,
// AFTER turned 8 degrees), in headless Chromium:
// - frame times (requestAnimationFrame deltas) while the slider handle is dragged
//   back and forth, and while the zoomed view is wheel-zoomed and dragged: p50,
//   p95, max, and the share of frames over 16.7 ms;
// - while the pair is aligned and measured in the worker: the longest main-thread
//   task (Long Tasks API) and the longest gap of a 10 ms timer.
import { base, launchChromium, installBenchHelpers } from "./bench-common.mjs";

const browser = await launchChromium({ gpu: true });
const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } });
await installBenchHelpers(page);
await page.goto(base);
await page.waitForFunction(() => {
  const el = document.querySelector("scalp-compare");
  return el.photos.before && el.photos.after && !el.busy;
});

// Make the 12 MP pair in the page and load it, watching the main thread meanwhile.
const load = await page.evaluate(async () => {
  const source = await createImageBitmap(await (await fetch("samples/before.jpg")).blob());
  const make = async (angle) => {
    const canvas = new OffscreenCanvas(4000, 3000);
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#777";
    ctx.fillRect(0, 0, 4000, 3000);
    ctx.translate(2000, 1500);
    ctx.rotate((angle * Math.PI) / 180);
    ctx.drawImage(source, -1500, -1500, 3000, 3000);
    ctx.resetTransform();
    addSensorNoise(ctx, 4000, 3000, 99 + angle, 8);
    return new File([await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 })], `v${angle}.jpg`);
  };
  const [b, a] = [await make(0), await make(8)];
  const watch = watchMainThread();
  const el = document.querySelector("scalp-compare");
  const t0 = performance.now();
  await Promise.all([el.load("before", b), el.load("after", a)]);
  const loading = watch.read();
  const tShown = performance.now();
  watch.reset();
  await new Promise((resolve) => {
    const poll = () => (el.busy || !el.analysis ? setTimeout(poll, 20) : resolve());
    poll();
  });
  const t1 = performance.now();
  return {
    loading,
    analysing: watch.stop(),
    shownMs: tShown - t0,
    ms: t1 - tShown,
    mb: (b.size + a.size) / 1e6,
    aligned: Boolean(el.alignment),
    alignMs: el.alignment && el._lastTiming ? el._lastTiming.align_ms : null,
    coverageMs: el.analysis ? el.analysis.timing_ms : null,
  };
});

/** Runs `action` while recording requestAnimationFrame deltas. */
async function frames(action) {
  await page.evaluate(() => {
    window.__deltas = [];
    let last = null;
    const tick = (t) => {
      if (last !== null) window.__deltas.push(t - last);
      last = t;
      if (window.__recording) requestAnimationFrame(tick);
    };
    window.__recording = true;
    requestAnimationFrame(tick);
  });
  await action();
  return page.evaluate(() => {
    window.__recording = false;
    return window.__deltas;
  });
}

const stats = (deltas) => {
  const s = [...deltas].sort((x, y) => x - y);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  // A frame is dropped when its delta spans two vsyncs (timer jitter puts on-time frames at 16.6-16.8 ms).
  return { n: s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1], over: s.filter((d) => d > 25).length / s.length };
};

const frame = await page.locator("scalp-compare .frame").boundingBox();
const handle = await page.locator("scalp-compare .handle").boundingBox();
const y = handle.y + handle.height / 2;

// Slider drag: three sweeps across the frame, one pointer move per frame.
const dragDeltas = await frames(async () => {
  await page.mouse.move(handle.x + handle.width / 2, y);
  await page.mouse.down();
  for (let sweep = 0; sweep < 3; sweep++) {
    for (let i = 0; i <= 60; i++) {
      const f = sweep % 2 ? 1 - i / 60 : i / 60;
      await page.mouse.move(frame.x + frame.width * (0.05 + 0.9 * f), y);
      await page.evaluate(() => new Promise(requestAnimationFrame));
    }
  }
  await page.mouse.up();
});

// Zoom: Ctrl+wheel in steps, then drag-pan while zoomed.
const zoomDeltas = await frames(async () => {
  await page.mouse.move(frame.x + frame.width * 0.4, frame.y + frame.height * 0.45);
  await page.keyboard.down("Control");
  for (let i = 0; i < 30; i++) {
    await page.mouse.wheel(0, -40);
    await page.evaluate(() => new Promise(requestAnimationFrame));
  }
  await page.keyboard.up("Control");
  await page.mouse.down();
  for (let i = 0; i <= 60; i++) {
    await page.mouse.move(frame.x + frame.width * (0.4 + 0.3 * Math.sin(i / 10)), frame.y + frame.height * (0.45 + 0.2 * Math.cos(i / 10)));
    await page.evaluate(() => new Promise(requestAnimationFrame));
  }
  await page.mouse.up();
});
const zoom = await page.evaluate(() => document.querySelector("scalp-compare").zoom.scale);
await browser.close();

const show = (name, s) =>
  console.log(`${name}: ${s.n} frames, p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, ` +
    `max ${s.max.toFixed(1)} ms, ${(s.over * 100).toFixed(1)}% of frames dropped (over 25 ms)`);
const watched = (w) =>
  `longest main-thread task ${w.longTask.toFixed(0)} ms, longest animation frame ${w.loaf.toFixed(0)} ms ` +
  `blocking ${w.loafBlocking.toFixed(0)} ms, longest 10 ms-timer gap ${w.maxGap.toFixed(0)} ms`;
console.log(`12 MP pair (${load.mb.toFixed(1)} MB of JPEG): both shown after ${load.shownMs.toFixed(0)} ms ` +
  `(${watched(load.loading)}); then aligned (${load.aligned}) and measured in ${load.ms.toFixed(0)} ms ` +
  `(${watched(load.analysing)})`);
console.log(`in the worker (wasm), on the 1024-px working copies of the 12 MP pair: alignment ` +
  `${Number(load.alignMs).toFixed(0)} ms; coverage of both visits and the change map ${Number(load.coverageMs).toFixed(0)} ms`);
show("slider drag on the 12 MP pair", stats(dragDeltas));
show(`zoom (to ${zoom.toFixed(1)}x) and pan on the 12 MP pair`, stats(zoomDeltas));
