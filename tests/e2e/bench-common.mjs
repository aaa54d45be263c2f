// Shared by the browser benchmarks (`cargo xtask bench-ui | bench-load |
// bench-align | bench-coverage`; not tests): the headless system Chromium they
// run in, page-side helpers installed before the page's own scripts, and a probe
// that asks the widget's own analysis worker to measure a photo the widget loaded.
import { chromium } from "playwright-core";

export const base = process.env.BASE_URL || "http://127.0.0.1:8080/";

/** The system Chromium, headless; `gpu: true` leaves its GPU process on (for frame timing). */
export function launchChromium({ gpu = false } = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless=new", "--no-sandbox", ...(gpu ? [] : ["--disable-gpu"]), "--disable-dev-shm-usage",
      "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

/**
 * Installs in `page`, before it loads:
 * - `watchMainThread()`: starts watching the main thread and returns
 *   `{read, reset, stop}`; each reading is `{longTask, loaf, loafBlocking, maxGap}`:
 *   the longest task (Long Tasks API), the longest animation frame and the
 *   longest part of one that blocked input, and the longest gap of a timer
 *   that should tick every 10 ms;
 * - `addSensorNoise(ctx, w, h, seed, amplitude)`: grey per-pixel noise in
 *   [-amplitude, amplitude) (a power of two), so a JPEG is as heavy as a phone's.
 */
export function installBenchHelpers(page) {
  return page.addInitScript(() => {
    window.watchMainThread = () => {
      const m = { longTask: 0, loaf: 0, loafBlocking: 0, maxGap: 0 };
      const tasks = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) m.longTask = Math.max(m.longTask, e.duration);
      });
      tasks.observe({ type: "longtask" });
      // Long animation frames include rendering; blockingDuration is what input would have waited.
      const frames = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          m.loaf = Math.max(m.loaf, e.duration);
          m.loafBlocking = Math.max(m.loafBlocking, e.blockingDuration || 0);
        }
      });
      frames.observe({ type: "long-animation-frame" });
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        m.maxGap = Math.max(m.maxGap, now - last);
        last = now;
      }, 10);
      return {
        read: () => ({ ...m }),
        reset: () => Object.assign(m, { longTask: 0, loaf: 0, loafBlocking: 0, maxGap: 0 }),
        stop: () => {
          clearInterval(timer);
          tasks.disconnect();
          frames.disconnect();
          return { ...m };
        },
      };
    };
    window.addSensorNoise = (ctx, w, h, seed, amplitude) => {
      const img = ctx.getImageData(0, 0, w, h);
      for (let i = 0; i < img.data.length; i += 4) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const n = ((seed >>> 24) & (2 * amplitude - 1)) - amplitude;
        img.data[i] += n;
        img.data[i + 1] += n;
        img.data[i + 2] += n;
      }
      ctx.putImageData(img, 0, 0);
    };
  });
}

/**
 * Installs in `page`, before it loads, `scalpWorkers.measure(file, roi)`: the
 * coverage of a photo that `<scalp-compare>` loaded with `el.load(side, file)`,
 * measured by the widget's own analysis worker (scalp-compare.worker.js) on the
 * pixels the widget handed it, through the worker's `measure` message (as the
 * widget measures a visit). `roi` is `null` (automatic) or `[[x, y], ...]` in
 * original pixels. Resolves with the worker's reply: `{ok: true, result}` (with
 * `result.timing_ms`, the time of the measurement itself, and
 * `result.working_copy`) or `{ok: false, message}`.
 *
 * It only watches the messages the widget posts to its workers (which photo id a
 * file was loaded as; which worker keeps the pixels) and adds its own request
 * (ids the widget never uses, so the widget ignores the replies); nothing the
 * widget sends is changed.
 */
export function installWorkerProbe(page) {
  return page.addInitScript(() => {
    const post = Worker.prototype.postMessage;
    const photoIds = new WeakMap(); // the File given to el.load -> the photo id of its load request
    const kept = new Map(); // photo id -> true once its pixels were handed to the analysis worker
    const waiting = new Map(); // photo id -> callbacks waiting for that
    let analysis = null;
    let next = 1;
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message && message.kind === "load" && message.file) photoIds.set(message.file, message.id);
      if (message && message.kind === "keep") {
        analysis = this;
        kept.set(message.photoId, true);
        for (const resolve of waiting.get(message.photoId) || []) resolve();
        waiting.delete(message.photoId);
      }
      return post.call(this, message, ...rest);
    };
    const pixelsKept = (photoId) =>
      kept.has(photoId)
        ? Promise.resolve()
        : new Promise((resolve) => waiting.set(photoId, [...(waiting.get(photoId) || []), resolve]));
    window.scalpWorkers = {
      async measure(file, roi) {
        if (!photoIds.has(file)) throw new Error(`${file.name} was not loaded into the widget`);
        const photo = photoIds.get(file);
        await pixelsKept(photo);
        const id = `bench-${next++}`;
        return new Promise((resolve) => {
          const listen = (event) => {
            if (event.data.id !== id || event.data.progress) return;
            analysis.removeEventListener("message", listen);
            resolve(event.data);
          };
          analysis.addEventListener("message", listen);
          post.call(analysis, { kind: "measure", id, photo, roi });
        });
      },
    };
  });
}
