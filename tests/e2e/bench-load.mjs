// Load-time benchmark (not a test): `cargo xtask bench-load`.
// - time from navigation start to both demo photos painted, median of N runs;
// - while a 12 MP JPEG loads into the widget, the longest main-thread task.
import { base, launchChromium, installBenchHelpers } from "./bench-common.mjs";

const runs = Number(process.env.RUNS || 10);
const browser = await launchChromium();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const times = [];
for (let i = 0; i < runs; i++) {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  await page.addInitScript(() => {
    let seen = 0;
    document.addEventListener("photo-load", () => {
      if (++seen === 2) {
        requestAnimationFrame(() =>
          requestAnimationFrame(() => (window.__bothVisible = performance.now())),
        );
      }
    });
  });
  await page.goto(base);
  await page.waitForFunction(() => window.__bothVisible);
  times.push(await page.evaluate(() => window.__bothVisible));
  await page.close();
}

const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
await installBenchHelpers(page);
await page.goto(base);
await page.waitForFunction(() => document.querySelector("scalp-compare").photos.after);
const big = await page.evaluate(async () => {
  const canvas = new OffscreenCanvas(4000, 3000);
  const ctx = canvas.getContext("2d");
  // Photo-like entropy: a gradient under per-pixel noise (a ~4-5 MB JPEG, as phones make).
  const img = ctx.createImageData(4000, 3000);
  let seed = 12345;
  for (let i = 0; i < img.data.length; i += 4) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const base = ((i / 4) % 4000) / 16;
    img.data[i] = base + (seed & 63);
    img.data[i + 1] = base * 0.8 + ((seed >> 8) & 63);
    img.data[i + 2] = base * 0.6 + ((seed >> 16) & 63);
    img.data[i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.92 });
  const watch = watchMainThread();
  const t0 = performance.now();
  await document.querySelector("scalp-compare").load("after", new File([blob], "big.jpg"));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const t1 = performance.now();
  const { longTask, maxGap } = watch.stop();
  return { ms: t1 - t0, longTask, maxGap, mb: blob.size / 1e6 };
});
await browser.close();

console.log(`navigation -> both demo photos visible: median ${median(times).toFixed(0)} ms ` +
  `(min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}, ${runs} runs)`);
console.log(`12 MP JPEG (${big.mb.toFixed(1)} MB) file -> shown: ${big.ms.toFixed(0)} ms; ` +
  `longest main-thread task ${big.longTask.toFixed(0)} ms; longest 10 ms-timer gap ${big.maxGap.toFixed(0)} ms`);
