// The widget's Web Workers (one loads, one analyses; the same module): turn photo
// files (or URLs) into upright, display-sized ImageBitmaps plus their pixels, from
// which the analysis worker makes its small working copies; align and measure
// pairs, all with the wasm core, so the page never decodes or computes on its main
// thread.
// A thin shim: the checks, messages and algorithms live in Rust (src/).
import init, { loadPhoto, alignPhotos, analyzePair, measurePhoto, saltEstimate, scoreAlignment, workingCopy } from "./pkg/scalp_compare.js";

const ready = init();
let wasmMemory = null;
ready.then((exports) => (wasmMemory = exports.memory));
// Long side of the working copies that analysis runs on (original pixels are
// restored in every answer).
const WORK_MAX_SIDE = 1024;
// The display-sized pixels are kept for coverage when they are at least this many
// times the working copy's size (the core's full-resolution colours).
const LARGER_AT_LEAST = 1.34;
const NONE = new Uint8Array(0);
// How long a request waits for a photo's pixels to arrive from the loading worker.
const PIXELS_WAIT_MS = 30000;
// Analysis worker: photo id -> its pixels as they arrived, then its working copy;
// requests waiting for pixels still on their way; ids freed before they arrived.
const copies = new Map();
const waiting = new Map();
const freed = new Set();

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    await ready;
    if (msg.kind === "load") await load(msg);
    else if (msg.kind === "align") await align(msg);
    else if (msg.kind === "analyze") await analyze(msg);
    else if (msg.kind === "score") await score(msg);
    else if (msg.kind === "measure") await measure(msg);
    else if (msg.kind === "salt") salt(msg);
    else if (msg.kind === "keep") keep(msg.photoId, msg.work);
    else if (msg.kind === "free") free(msg.photoId);
  } catch (error) {
    const message = error && error.message ? error.message : String(error);
    self.postMessage({ id: msg.id, ok: false, message });
  }
};

async function load({ id, url, file, maxSide, work = true }) {
  let blob = file;
  if (!blob) {
    let response;
    try {
      response = await fetch(url);
    } catch {
      throw new Error(`Could not download the photo ${shortName(url)}.`);
    }
    if (!response.ok) {
      throw new Error(`Could not download the photo ${shortName(url)} (HTTP ${response.status}).`);
    }
    blob = await response.blob();
  }
  const photo = await loadPhoto(blob, maxSide || 0);
  const reply = {
    id,
    ok: true,
    photoId: id,
    width: photo.width,
    height: photo.height,
    orientation: photo.orientation,
    format: photo.format,
    taken: photo.taken ?? null,
    bytes: blob.size,
    bitmap: photo.bitmap,
  };
  photo.free();
  // The photo is shown first. Its pixels follow in a second message, which the page
  // hands to the analysis worker for its working copy. (A whole-resolution bitmap
  // for deep zoom needs none.)
  if (!work) {
    self.postMessage(reply, [reply.bitmap]);
    return;
  }
  const copy = await createImageBitmap(reply.bitmap);
  self.postMessage(reply, [reply.bitmap]);
  let pixels = null;
  try {
    pixels = displayPixels(copy, reply.width);
  } catch {
    // The analysis worker answers "no longer loaded" for this photo.
  } finally {
    copy.close();
  }
  self.postMessage({ kind: "pixels", photoId: id, work: pixels }, pixels ? [pixels.rgba.buffer] : []);
}

/** The display bitmap's pixels, which the analysis worker makes its working copy from. */
function displayPixels(bitmap, originalWidth) {
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(bitmap, 0, 0);
  return { rgba: ctx.getImageData(0, 0, width, height).data, w: width, h: height, originalWidth };
}

/**
 * The analysis worker's copy of a photo: at most WORK_MAX_SIDE pixels a side, as
 * RGBA, with its scale factor, averaged in linear light by the core (a canvas
 * averages sRGB values, which reads strands blended with skin too dark). When the
 * display pixels are much larger they are kept too: coverage fits hair and skin
 * colours on them.
 */
function makeWorkingCopy(display) {
  const { rgba, w, h, originalWidth } = display;
  const t0 = performance.now();
  const copy = workingCopy(rgba, w, h, WORK_MAX_SIDE);
  const copyMs = performance.now() - t0;
  const work = { rgba: copy.rgba, w: copy.width, h: copy.height, factor: copy.width / originalWidth, copyMs };
  if (copy.width * LARGER_AT_LEAST < w) work.larger = { rgba, w, h };
  return work;
}

/** A photo's pixels have arrived (`null`: they could not be read). */
function keep(photoId, work) {
  if (freed.delete(photoId)) return;
  copies.set(photoId, work);
  wake(photoId);
}

/** The photo is no longer shown. */
function free(photoId) {
  if (!copies.delete(photoId)) freed.add(photoId);
  wake(photoId);
}

/** Wakes the requests waiting for a photo's pixels. */
function wake(photoId) {
  for (const resume of waiting.get(photoId) || []) resume();
  waiting.delete(photoId);
}

/**
 * The working copy of a photo, made on first use (not as the photos arrive, when
 * both cores are busy decoding and the page is drawing); waits for pixels still on
 * their way. `undefined` when the photo is gone.
 */
async function copyOf(photoId) {
  if (!copies.has(photoId) && !freed.has(photoId)) {
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, PIXELS_WAIT_MS);
      const list = waiting.get(photoId) || [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      waiting.set(photoId, list);
    });
  }
  let copy = copies.get(photoId);
  if (copy && !copy.factor) {
    copy = makeWorkingCopy(copy);
    copies.set(photoId, copy);
  }
  return copy || undefined;
}

async function align({ id, before, after, request }) {
  const b = await copyOf(before);
  const a = await copyOf(after);
  if (!b || !a) throw new Error("The photos to align are no longer loaded.");
  self.postMessage({ id, progress: "aligning" });
  const t0 = performance.now();
  const result = alignPhotos(b.rgba, b.w, b.h, b.factor, a.rgba, a.w, a.h, a.factor, JSON.stringify(request || {}));
  result.timing_ms = performance.now() - t0;
  result.wasm_memory_bytes = wasmMemory ? wasmMemory.buffer.byteLength : 0;
  self.postMessage({ id, ok: true, result });
}

/** How well the photos' detail agrees under an alignment made or set by hand (0..1). */
async function score({ id, before, after, matrix }) {
  const b = await copyOf(before);
  const a = await copyOf(after);
  if (!b || !a) throw new Error("The photos to check are no longer loaded.");
  const result = scoreAlignment(b.rgba, b.w, b.h, b.factor, a.rgba, a.w, a.h, a.factor, JSON.stringify(matrix));
  self.postMessage({ id, ok: true, result });
}

// `whole`: a pair of visits measured whole for the chart, where no region is drawn;
// `retakeOnly`: read by someone who cannot draw one (a patient). A refusal then advises
// only a retake.
async function analyze({ id, before, after, matrix, roi, whole, retakeOnly }) {
  const b = await copyOf(before);
  const a = await copyOf(after);
  if (!b || !a) throw new Error("The photos to analyse are no longer loaded.");
  self.postMessage({ id, progress: "analyzing" });
  const t0 = performance.now();
  const result = analyzePair(
    b.rgba, b.w, b.h, b.factor, a.rgba, a.w, a.h, a.factor,
    JSON.stringify(matrix), JSON.stringify(roi || null),
    ...larger(b), ...larger(a), Boolean(whole), Boolean(retakeOnly),
  );
  result.timing_ms = performance.now() - t0;
  self.postMessage({ id, ok: true, result });
}

async function measure({ id, photo, roi }) {
  const p = await copyOf(photo);
  if (!p) throw new Error("The photo to measure is no longer loaded.");
  self.postMessage({ id, progress: "analyzing" });
  const t0 = performance.now();
  const result = measurePhoto(p.rgba, p.w, p.h, p.factor, JSON.stringify(roi || null), ...larger(p));
  result.timing_ms = performance.now() - t0;
  // What it was measured on (for the benchmarks): the working copy, the display-size
  // pixels kept for the colours (or none), and how long making the copy took.
  result.working_copy = {
    width: p.w,
    height: p.h,
    larger: p.larger ? [p.larger.w, p.larger.h] : null,
    ms: p.copyMs,
  };
  self.postMessage({ id, ok: true, result });
}

/** A SALT-style estimate from the four views' readings: [coverage, uncertainty] of top, back, left, right in turn. */
function salt({ id, readings }) {
  self.postMessage({ id, ok: true, result: saltEstimate(Float64Array.from(readings)) });
}

/** The larger copy's arguments for the core: pixels, width, height (none: empty). */
function larger(copy) {
  return copy.larger ? [copy.larger.rgba, copy.larger.w, copy.larger.h] : [NONE, 0, 0];
}

/** A photo URL's file name in quotes, for messages ("" when the URL has none). */
function shortName(url) {
  try {
    const u = new URL(url);
    // The last part of the path, even when the URL ends in "/"; else the site's name.
    const parts = u.pathname.split("/").filter(Boolean);
    let name = parts.length ? parts.at(-1) : u.host;
    try {
      name = decodeURIComponent(name);
    } catch {
      // Not valid percent-encoding: shown as written.
    }
    const chars = Array.from(name); // a data: URL's "name" is its whole content
    if (chars.length > 60) name = `${chars.slice(0, 57).join("")}\u2026`;
    return name ? `"${name}"` : "";
  } catch {
    return "";
  }
}
