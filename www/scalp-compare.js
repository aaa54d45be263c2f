// <scalp-compare>: a before/after scalp photo comparison, as a custom element.
//
// A thin shim: it wires the page (DOM, pointer, keyboard, drag & drop) to Web
// Workers that run the wasm core (photo checks, decoding, alignment, coverage).
// Photos never leave the browser. Usage:
//
//   <script type="module" src="scalp-compare.js"></script>
//   <scalp-compare before="a.jpg" after="b.jpg"></scalp-compare>
//
// Attributes: before, after, value (0-100), direction (horizontal|vertical),
// before-label, after-label, aspect-ratio (e.g. "4/3"), readonly, align-model,
// before-date, after-date, clinic, clinic-logo, autosave ("off").
// Properties: value, direction, photos, alignment, analysis, region, busy,
// annotations (W3C JSON), session (versioned document), ready; load(),
// setRegion(), undo(), redo(), exportReport(), printReport(), loadSession(),
// importFile().
// Events (bubbling, composed): slide {value}, photo-load {side, width, height,
// orientation}, photo-error {side, message}, aligned {matrix, model, confidence,
// source}, align-failed {message, confidence}, analysis {before, after, change_pp, ...},
// annotation-change {annotations}.

import "./landmarks.js";
import initCore, * as core from "./pkg/scalp_compare.js";
import { Annotator, apply3, inv3, mul3 } from "./annotate.js";
import { renderReport, toPng, chartLayout, CHART_GRID, UNCONFIRMED_VISIT } from "./report.js";
import { pickLanguage, translator, markTexts, relabel } from "./i18n.js";

const SIDES = ["before", "after"];
// Below this confidence an alignment is not trusted (the core's `AlignOptions::min_confidence`).
const MIN_CONFIDENCE = 0.5;
// Display copies are capped; analysis keeps original-pixel coordinates.
const DISPLAY_MAX_SIDE = 2560;

// Two workers running the same module: one loads photos (so a new photo shows at
// once), the other analyses (alignment, coverage), so neither waits on the other.
const workers = { load: null, analysis: null };

// The wasm core on the page's own thread, for the light model work that must
// answer at once (checking sessions, converting annotations). Heavy work stays
// in the workers.
let coreReady = null;
function loadCore() {
  coreReady ||= initCore().then(() => core);
  return coreReady;
}

const STORAGE_PREFIX = "scalp-compare:session:";
const PHOTO_PREFIX = "scalp-compare:photo:";

/** The ways to look at the pair (`mode` attribute). */
const MODES = {
  slider: "Slider",
  fade: "Fade",
  "side-by-side": "Side by side",
  difference: "Difference",
  blink: "Blink",
  heatmap: "Change map",
};
const BLINK_MS = 800;
// How long the zoom must rest before its level is said to a screen reader (ms).
const ZOOM_SAY_MS = 600;
// Deepest zoom: far enough to see single hairs on a 12 MP photo's display copy.
const MAX_ZOOM = 16;
const SIDE_GAP = 6;

/** Offers a Blob to the person as a download. */
function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/** The font of the coverage chart's ticks and labels (measured to fit the labels). */
const CHART_FONT = "12px system-ui, sans-serif";

/** The width the coverage chart is drawn at: its figure's layout width, within 240-640 px. */
function chartWidth(figure) {
  return Math.round(Math.min(640, Math.max(240, figure.clientWidth || 600)));
}

/** Longest time between the two clicks of a double-click (browsers default to 500 ms). */
const DOUBLE_CLICK_MS = 600;

/** The four views of a SALT-style estimate, in the order the core weighs them. */
const SALT_VIEWS = ["top", "back", "left", "right"];

/** How each view is named under its picture. */
const VIEW_NAMES = { top: "Top", back: "Back", left: "Left", right: "Right" };

/** Longest side, in canvas pixels, of the small copy of each view shown under the estimate. */
const THUMB_SIDE = 400;

/** A small canvas copy of `bitmap`, at most `side` pixels on its longest side. */
function thumbnail(bitmap, side) {
  const s = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * s));
  canvas.height = Math.max(1, Math.round(bitmap.height * s));
  const g = canvas.getContext("2d");
  g.imageSmoothingQuality = "high";
  g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return canvas;
}

/** Whether `v` has the shape of a SALT-style estimate (as `saltEstimate` makes one). */
/** The day a loaded photo was taken, by its EXIF date ("2026-01-10"), else null. */
function takenDay(p) {
  return p && p.taken ? String(p.taken).slice(0, 10) : null;
}

function isSaltEstimate(v) {
  // Within the ranges an estimate can have: a hand-edited file's "250 % of the scalp" or
  // a negative uncertainty is not shown as one.
  const within = (x, lo, hi) => Number.isFinite(x) && x >= lo && x <= hi;
  return Boolean(
    v &&
      typeof v.label === "string" &&
      within(v.loss_percent, 0, 100) &&
      within(v.uncertainty_pp, 0, 100) &&
      v.views &&
      SALT_VIEWS.every(
        (k) =>
          v.views[k] &&
          within(v.views[k].coverage, 0, 1) &&
          within(v.views[k].uncertainty, 0, 1) &&
          within(v.views[k].weight, 0, 1),
      ),
  );
}

/** Whether two SALT-style estimates are the same numbers (a session's may order its keys otherwise). */
function sameSaltEstimate(a, b) {
  const flat = (v) => [v.label, v.loss_percent, v.uncertainty_pp, ...SALT_VIEWS.flatMap((k) => [v.views[k].coverage, v.views[k].uncertainty, v.views[k].weight])];
  return isSaltEstimate(a) && isSaltEstimate(b) && flat(a).every((x, i) => x === flat(b)[i]);
}

/** A file name stem from a photo name: "IMG_0042.jpg" -> "IMG_0042". */
const stem = (name) => String(name || "photo").replace(/\.[^.]*$/, "").replace(/[^\w.-]+/g, "_");
let nextRequest = 1;
const pending = new Map();

/**
 * Starts a worker. A module worker must come from the page's own origin, so one served from
 * elsewhere (the element loaded from a CDN) is started from a same-origin blob that imports
 * it; it then finds the wasm beside itself as usual.
 */
function startWorker() {
  const url = new URL("./scalp-compare.worker.js", import.meta.url);
  if (url.origin === location.origin) return new Worker(url, { type: "module" });
  const blob = new Blob([`import ${JSON.stringify(url.href)};\n`], { type: "text/javascript" });
  const blobUrl = URL.createObjectURL(blob);
  const w = new Worker(blobUrl, { type: "module" });
  // Let go once the worker has answered or failed (it has its script then), not kept for
  // the page's life.
  w.started = () => URL.revokeObjectURL(blobUrl);
  return w;
}

function worker(role) {
  if (!workers[role]) {
    const w = startWorker();
    w.onmessage = (event) => {
      if (w.started) w.started();
      w.started = null;
      if (event.data.kind === "pixels") {
        // A loaded photo's pixels, for the analysis worker's working copy.
        const { photoId, work } = event.data;
        worker("analysis").postMessage({ kind: "keep", photoId, work }, work ? [work.rgba.buffer] : []);
        return;
      }
      const handler = pending.get(event.data.id);
      if (!handler) return;
      if (event.data.progress) {
        if (handler.progress) handler.progress(event.data.progress);
        return;
      }
      pending.delete(event.data.id);
      handler(event.data);
    };
    w.onerror = () => {
      if (w.started) w.started();
      w.started = null;
      workers[role] = null;
      for (const [id, handler] of [...pending]) {
        if (handler.role !== role) continue;
        pending.delete(id);
        handler({ ok: false, message: "The photo tools could not start in this browser." });
      }
    };
    workers[role] = w;
  }
  return workers[role];
}

/** Sends a job to a worker; resolves with its answer (never rejects). */
function ask(role, message, transfer = []) {
  return new Promise((resolve) => {
    const id = nextRequest++;
    resolve.role = role;
    pending.set(id, resolve);
    let w;
    try {
      w = worker(role);
    } catch (error) {
      // The worker could not be started at all (a page policy forbids it).
      pending.delete(id);
      resolve({ ok: false, message: `The photo tools could not start on this page: ${error.message}` });
      return;
    }
    w.postMessage({ ...message, id }, transfer);
  });
}

/** Lets the analysis worker drop a photo's working copy. */
function freePhoto(photoId) {
  try {
    worker("analysis").postMessage({ kind: "free", photoId });
  } catch {
    // No worker: nothing held there.
  }
}

/**
 * The analysis worker is shared by every comparison on the page. When one is gone for good
 * (taken off the page and dropped, as a clinic app does moving on to the next patient), the
 * working copies of its photos (about 20 MB each at 12 MP) are freed there. An element only
 * moved in the page keeps them: it is not collected.
 */
const collected = new FinalizationRegistry((photoIds) => {
  for (const id of photoIds) freePhoto(id);
});

/**
 * What this browser stored under `key`, through `check` (which may throw); null when
 * nothing is stored, the storage cannot be read, or the entry is broken.
 */
function readStored(key, check) {
  try {
    const text = localStorage.getItem(key);
    return text ? check(text) : null;
  } catch {
    return null;
  }
}

/** What `readStored` finds under the first of `keys` that holds something, or null. */
function readFirst(keys, check) {
  for (const key of new Set(keys)) {
    const found = key && readStored(key, check);
    if (found) return found;
  }
  return null;
}

/**
 * Query parameters that sign or authorise a link, on every host: AWS (`X-Amz-*`, and
 * `AWSAccessKeyId` of its older links), Google Cloud (`X-Goog-*`, `GoogleAccessId`), Akamai
 * and ImageKit tokens, and any name with signature, token, credential, secret or password in it.
 */
const SECRET_PARAM =
  /^(x-amz-.*|x-goog-.*|awsaccesskeyid|googleaccessid|hdnts|hdnea|ik-s|.*signature.*|.*token.*|.*credential.*|.*secret.*|.*password.*|apikey|api_key)$/i;

/**
 * Parameters that belong to a signature only when the link carries one: Azure's SAS fields
 * beside `sig`, CloudFront's and older signed links' beside `Signature` or `Key-Pair-Id`.
 * Elsewhere the same short names ("st", "key") may be a clinic's own, and are kept.
 */
const SIGNED_WITH = [
  { when: /^sig$/i, also: /^(sig|sv|ss|srt|sp|se|st|spr|sr|si|sdd|skoid|sktid|skt|ske|sks|skv|ses)$/i },
  { when: /^(signature|key-pair-id)$/i, also: /^(expires|policy|key-pair-id)$/i },
];

/**
 * A photo's name as shown, saved and printed: `file` and the query parameters of `search`
 * (a URL's "?..." part) that tell photos apart, without those that sign the link.
 */
function publicName(file, search) {
  const params = [...new URLSearchParams(search)];
  const names = params.map(([k]) => k);
  const rules = SIGNED_WITH.filter((r) => names.some((k) => r.when.test(k)));
  const kept = params.filter(([k]) => !SECRET_PARAM.test(k) && !rules.some((r) => r.also.test(k)));
  const query = kept.map(([k, v]) => (v ? `${k}=${v}` : k)).join("&");
  return `${file}${query ? `?${query}` : ""}`;
}

/** A photo's part of a browser-storage key: name (`legacy`: with the URL's query), file size, pixel size. */
function photoKeyPart(p, legacy) {
  const name = legacy ? p.legacyName || p.name : p.keyName || p.name;
  return `${name}|${p.bytes || 0}|${p.width}x${p.height}`;
}

/** The browser-storage key of the work saved for a pair of photos ("-" for a missing one). */
function pairStorageKey(before, after, legacy) {
  const id = (p) => (p ? photoKeyPart(p, legacy) : "-");
  return `${STORAGE_PREFIX}${id(before)}::${id(after)}`;
}

/**
 * A hand alignment as the visits chart keeps it, from an alignment `al` (shown, or saved
 * with a pair's work) and whether the specialist locked it.
 */
function handEntry(al, locked) {
  return {
    matrix: al.matrix,
    model: al.model || modelOf(al.matrix),
    confidence: Number.isFinite(al.confidence) ? al.confidence : null,
    hand: true,
    locked: Boolean(locked),
  };
}

/**
 * An alignment's confidence in whole percent (as the chip shows it) when it is below the
 * trusted level, so that "confidence 50%" never comes with a caution; else null.
 */
function unconfirmedPct(confidence) {
  if (!Number.isFinite(confidence)) return null;
  const pct = Math.round(confidence * 100);
  return pct < MIN_CONFIDENCE * 100 ? pct : null;
}

/** Percent-decoded text, or the text as written when it is not valid percent-encoding. */
function decoded(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The names of a photo loaded from `parsed` (a URL): `name` in messages, session files and
 * reports (a signed link's signature, token and expiry stay out of it; other query
 * parameters, "?visit=3", tell photos apart; a path ending in "/" is named by its last
 * folder, else by the site); `keyName`, what the work saved in this browser is kept under
 * (without the query: a signed link's changes at every visit, and the work must still be
 * found); `legacyName`, the last part of the URL with its query, the name before signed
 * links were understood, still read in this browser's storage keys of that time.
 */
function namesOfUrl(parsed) {
  const url = parsed.href;
  const path = parsed.pathname.split("/");
  return {
    name: publicName(decoded(path.filter(Boolean).at(-1) || parsed.host), parsed.search),
    keyName: decoded(path.at(-1) || url),
    legacyName: decoded(url.split("/").pop() || url),
  };
}

/**
 * Loads a photo in the loading worker; its pixels follow in a message of their own,
 * which moves on to the analysis worker (transferred, not copied).
 */
async function requestPhoto(source, { full = false } = {}) {
  // `full`: the whole-resolution bitmap for deep zoom, without a working copy.
  const message = { kind: "load", maxSide: full ? 0 : DISPLAY_MAX_SIDE, work: !full };
  if (typeof source === "string") message.url = source;
  else message.file = source;
  return ask("load", message);
}

const STYLE = `
:host {
  display: block;
  position: relative;
  width: 100%;
  max-width: 100%;
  /* 14 px at the browser's default text size; it grows with the reader's text size and
     with a font-size the page gives the element. */
  font: 0.875rem/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  /* The text outside the photos is on the page's background, so it takes the page's
     colour (light on a dark page); quieter text is the same colour, a little faded. */
  color: var(--scalp-compare-text, inherit);
  --_accent: var(--scalp-compare-accent, #0b5cad);
  --_muted: var(--scalp-compare-muted, color-mix(in srgb, currentColor 78%, transparent));
}
:host([hidden]) { display: none; }
.frame {
  position: relative;
  width: 100%;
  aspect-ratio: var(--_aspect, 4 / 3);
  /* Never taller than the screen (a phone held sideways): narrower instead, keeping the
     photos' shape, so both photos and the handle are in view at once. */
  max-width: max(240px, calc((var(--_aspect, 4 / 3)) * (100svh - 64px)));
  margin-inline: auto;
  overflow: hidden;
  background: var(--scalp-compare-background, #1d2126);
  border-radius: var(--scalp-compare-radius, 8px);
  /* The page still scrolls vertically over the photos; a pinch zooms the photos, not the page. */
  touch-action: pan-y;
  user-select: none;
  -webkit-user-select: none;
  cursor: ew-resize;
  contain: layout paint;
}
:host([direction="vertical"]) .frame { cursor: ns-resize; }
canvas.layer {
  position: absolute;
  inset: 0;
  width: 100%;
  height: 100%;
  display: block;
}
canvas.after {
  inset: auto;
  left: 0;
  top: 0;
  transform-origin: 0 0;
}
canvas.before { clip-path: inset(0 calc(100% - var(--_split)) 0 0); }
:host([direction="vertical"]) canvas.before { clip-path: inset(0 0 calc(100% - var(--_split)) 0); }
.divider {
  position: absolute;
  top: 0;
  bottom: 0;
  left: var(--_split);
  width: 0;
  border-left: 2px solid var(--scalp-compare-divider, #fff);
  box-shadow: 0 0 3px rgba(0, 0, 0, 0.6);
  transform: translateX(-1px);
  pointer-events: none;
}
:host([direction="vertical"]) .divider {
  top: var(--_split);
  bottom: auto;
  left: 0;
  right: 0;
  width: auto;
  height: 0;
  border-left: 0;
  border-top: 2px solid var(--scalp-compare-divider, #fff);
  transform: translateY(-1px);
}
.handle {
  position: absolute;
  top: 50%;
  left: var(--_split);
  width: 44px;
  height: 44px;
  margin: -22px 0 0 -22px;
  border-radius: 50%;
  background: var(--scalp-compare-handle, #fff);
  color: #1b1f24;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.55);
  display: grid;
  place-items: center;
  touch-action: none;
  cursor: grab;
  outline: none;
}
:host([direction="vertical"]) .handle { top: var(--_split); left: 50%; }
.handle svg { width: 26px; height: 26px; pointer-events: none; }
:host([direction="vertical"]) .handle svg { transform: rotate(90deg); }
.handle:focus-visible {
  outline: 3px solid var(--_accent);
  outline-offset: 3px;
  box-shadow: 0 0 0 6px #fff, 0 1px 4px rgba(0, 0, 0, 0.55);
}
.frame.dragging .handle { cursor: grabbing; }
.label {
  position: absolute;
  top: 10px;
  padding: 2px 8px;
  border-radius: 4px;
  background: rgba(0, 0, 0, 0.66);
  color: #fff;
  font-weight: 600;
  font-size: 0.93em;
  letter-spacing: 0.03em;
  pointer-events: none;
  max-width: 45%;
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
}
.label.before { left: 10px; }
/* Each label shows only over its own photo: at either end of the slider, or where the split
   is narrower than the label, the other photo's name is not shown over this one. */
.label-side { position: absolute; inset: 0; pointer-events: none; }
.label-side.before { clip-path: inset(0 calc(100% - var(--_split)) 0 0); }
.label-side.after { clip-path: inset(0 0 0 var(--_split)); }
:host([direction="vertical"]) .label-side.before { clip-path: inset(0 0 calc(100% - var(--_split)) 0); }
:host([direction="vertical"]) .label-side.after { clip-path: inset(var(--_split) 0 0 0); }
:host .frame:not([data-mode="slider"]) .label-side, :host .frame.adjusting .label-side { clip-path: none; }
.label.after { right: 10px; }
:host([direction="vertical"]) .label.after { top: auto; bottom: 10px; right: auto; left: 10px; }
.message {
  position: absolute;
  inset: 0;
  display: grid;
  place-items: center;
  padding: 16px;
  text-align: center;
  color: #e8ecf0;
  pointer-events: none;
}
.message[hidden] { display: none; }
.progress {
  display: block;
  width: 140px;
  height: 4px;
  margin: 10px auto 0;
  border-radius: 2px;
  background: rgba(255, 255, 255, 0.25);
  overflow: hidden;
  position: relative;
}
.progress::after {
  content: "";
  position: absolute;
  top: 0;
  bottom: 0;
  width: 40%;
  background: #fff;
  animation: slide 1.1s ease-in-out infinite;
}
@keyframes slide { from { left: -40%; } to { left: 100%; } }
@media (prefers-reduced-motion: reduce) { .progress::after { animation: none; left: 30%; } }
.alert {
  position: absolute;
  left: 10px;
  right: 10px;
  bottom: 10px;
  display: flex;
  gap: 10px;
  align-items: flex-start;
  padding: 10px 12px;
  border-radius: 6px;
  background: #fff4f2;
  color: #7a1405;
  border: 1px solid #d6452d;
  box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3);
  cursor: auto;
}
.alert[hidden] { display: none; }
.alert p { margin: 0; flex: 1; }
.alert button {
  border: 0;
  background: transparent;
  color: inherit;
  font-size: 1.45em;
  line-height: 1;
  cursor: pointer;
  /* A target a finger can hit; it overhangs the alert's padding, not its text. */
  min-width: 36px;
  min-height: 36px;
  margin: -8px -8px -8px 0;
  padding: 0;
  border-radius: 4px;
}
.alert button:focus-visible { outline: 3px solid var(--_accent); outline-offset: -3px; }
.drop {
  position: absolute;
  top: 0;
  bottom: 0;
  border: 3px dashed #fff;
  background: rgba(11, 92, 173, 0.45);
  color: #fff;
  font-weight: 600;
  display: grid;
  place-items: center;
  pointer-events: none;
}
.drop[hidden] { display: none; }
.chip {
  display: flex;
  align-items: center;
  min-height: 22px;
  margin-top: 6px;
  font-size: 0.93em;
  color: var(--_muted);
}
.chip:empty::before { content: "\\00a0"; }
.chip .progress { display: inline-block; width: 60px; margin: 0 0 0 10px; background: #c5ccd4; }
.chip .progress::after { background: var(--_accent); }
.notice {
  position: absolute;
  left: 10px;
  right: 10px;
  top: 44px;
  display: flex;
  flex-wrap: wrap;
  gap: 8px 12px;
  align-items: center;
  padding: 10px 12px;
  border-radius: 6px;
  background: #fffbea;
  color: #3d3200;
  border: 1px solid #8a6d00;
  cursor: auto;
}
.notice[hidden] { display: none; }
.notice p { margin: 0; flex: 1 1 220px; }
.notice button, .nudge button, .note-editor button {
  font: inherit;
  min-height: 40px;
  padding: 6px 12px;
  border-radius: 6px;
  border: 1px solid #6b7480;
  background: #fff;
  color: #1b1f24;
  cursor: pointer;
}
:host([readonly]) .notice button, :host([readonly]) .nudge, :host([readonly]) scalp-landmarks {
  display: none;
}
.frame.adjusting { cursor: move; touch-action: none; }
.frame.adjusting canvas.before { clip-path: none; opacity: 0.5; }
.frame.adjusting .divider, .frame.adjusting .handle { display: none; }
.frame:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
.nudge {
  position: absolute;
  right: 10px;
  bottom: 10px;
  display: grid;
  grid-template-columns: repeat(4, 44px);
  gap: 4px;
  cursor: auto;
}
.nudge[hidden] { display: none; }
.nudge button { min-width: 44px; min-height: 44px; padding: 0; font-size: 1.3em; }
.toolbar .check { display: inline-flex; align-items: center; gap: 6px; min-height: 44px; }
canvas.overlay { pointer-events: none; }
/* (A container, so the summary can reserve more lines on a phone.) */
.analysis { margin-top: 2px; container-type: inline-size; }
/* Three lines reserved (four on a phone), so the numbers arriving never push the page down. */
/* (A visit's label can be one long file name: it wraps rather than widen the page.) */
.summary { margin: 0 0 6px; font-size: 1em; line-height: 1.4; min-height: 4.2em; overflow-wrap: anywhere; }
@container (max-width: 480px) { .summary { min-height: 5.6em; } }
/* The patient's sentence is in words, so longer. */
:host([readonly]) .summary { min-height: 5.6em; }
@container (max-width: 480px) { :host([readonly]) .summary { min-height: 8.4em; } }
.salt { margin: 0 0 6px; font-size: 1em; line-height: 1.4; }
/* Empty until an estimate is asked for; it stays in the page so that screen readers
   announce what first appears in it. */
.salt:empty { margin: 0; }
/* The four views two by two on a phone, in one row where there is room. */
.salt-box { container-type: inline-size; }
.salt-views { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; max-width: 720px; margin: 0 0 8px; }
@container (min-width: 520px) { .salt-views { grid-template-columns: repeat(4, minmax(0, 1fr)); } }
.salt-views[hidden] { display: none; }
.salt-views.stale { opacity: 0.45; }
.salt-views figure { margin: 0; }
.salt-views canvas { display: block; width: 100%; height: auto; border-radius: 4px; background: var(--scalp-compare-background, #1d2126); }
.salt-views figcaption { font-size: 0.93em; line-height: 1.3; margin-top: 2px; }
.salt-views figcaption span { display: block; }
.views { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center; }
.legend { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 6px; font-size: 0.93em; }
.legend[hidden] { display: none; }
.swatch {
  display: inline-block;
  width: 14px;
  height: 14px;
  border-radius: 3px;
  /* Outlined: the orange alone is faint on white; in forced colours the key keeps its
     colours, as the map on the photo does. */
  box-sizing: border-box;
  border: 1px solid currentColor;
  forced-color-adjust: none;
}
.swatch.gain { background: rgb(0, 114, 178); }
.swatch.loss { background: rgb(230, 159, 0); margin-left: 8px; }
.legend .note { color: var(--_muted); }
.frame.drawing { cursor: crosshair; touch-action: none; }
.frame.drawing .divider, .frame.drawing .handle { display: none; }
/* No photo yet: nothing to split, and the prompt is not covered by the handle. */
.frame.empty .divider, .frame.empty .handle { display: none; }
.frame.empty { cursor: default; }
.toolbar {
  display: flex;
  flex-wrap: wrap;
  gap: 8px;
  margin-top: 8px;
}
:host([readonly]) .toolbar { display: none; }
/* Each group of tools under its name, so a long toolbar reads as a few labelled sets;
   a group shares a row with the next where there is room. */
.toolbar { column-gap: 24px; }
.toolbar.file-tools { column-gap: 8px; }
.toolbar [role="group"] { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.toolbar [role="group"]::before, .toolbar.file-tools::before {
  content: attr(aria-label);
  content: attr(aria-label) / ""; /* read once, as the group's name, not again as text */
  contain: inline-size; /* on its own line, without widening its group */
  flex-basis: 100%;
  margin-bottom: -4px;
  font-size: 0.86em;
  font-weight: 600;
  color: var(--_muted);
}
.toolbar button, .views button {
  font: inherit;
  padding: 8px 14px;
  min-height: 44px;
  border-radius: 6px;
  border: 1px solid #6b7480;
  background: #fff;
  color: #1b1f24;
  cursor: pointer;
}
.toolbar button:hover, .views button:hover { background: #eef3f8; }
.toolbar button:focus-visible, .views button:focus-visible {
  outline: 3px solid var(--_accent);
  outline-offset: 2px;
}
/* A light ring inside the accent one: the focus shows on a dark page as on a light one. */
.toolbar button:focus-visible, .views button:focus-visible, .views select:focus-visible,
.views input:focus-visible, .timeline .visit:focus-visible, .toolbar .check input:focus-visible {
  box-shadow: 0 0 0 2px #fff;
}
.toolbar button[disabled], .views button[disabled], .toolbar button[aria-disabled="true"] {
  opacity: 0.55;
  cursor: default;
}
.toolbar button[aria-pressed="true"], .views button[aria-pressed="true"] {
  background: #0b5cad;
  color: #fff;
  border-color: #0b5cad;
}
/* Visits: the timeline and the coverage chart. */
.visits { margin-top: 8px; }
.visits[hidden], .coverage-chart[hidden] { display: none; }
.timeline { display: flex; flex-wrap: wrap; gap: 6px; }
.timeline .visit {
  font: inherit;
  min-height: 44px;
  padding: 6px 12px;
  border-radius: 22px;
  border: 1px solid #6b7480;
  background: #fff;
  color: #1b1f24;
  cursor: pointer;
  display: inline-flex;
  gap: 8px;
  align-items: center;
}
.timeline .visit { max-width: 100%; text-align: start; }
.timeline .visit > span:first-child { min-width: 0; overflow-wrap: anywhere; }
.timeline .visit[aria-pressed="true"] { border-color: var(--_accent); box-shadow: inset 0 0 0 1px var(--_accent); }
.timeline .visit:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
.timeline .visit[aria-pressed="true"]:focus-visible { box-shadow: inset 0 0 0 1px var(--_accent), 0 0 0 2px #fff; }
/* (After the rules it overrides.) */
@media (forced-colors: active) {
  /* The chosen tool, view toggle and visits stay marked when the system sets the colours. */
  .toolbar button[aria-pressed="true"], .views button[aria-pressed="true"],
  .timeline .visit[aria-pressed="true"] {
    forced-color-adjust: none;
    background: Highlight;
    color: HighlightText;
    border-color: Highlight;
  }
}
.timeline .badge { font-size: 0.79em; font-weight: 700; letter-spacing: 0.04em; padding: 1px 6px; border-radius: 4px; background: var(--_accent); color: #fff; }
.coverage-chart { margin: 10px 0 0; }
.coverage-chart figcaption { font-size: 0.93em; color: var(--_muted); }
.coverage-chart svg { display: block; width: 100%; max-width: 640px; height: auto; }
.coverage-chart .chart-notes { margin: 4px 0 0; padding-left: 18px; font-size: 0.93em; line-height: 1.35; overflow-wrap: anywhere; }
.coverage-chart .chart-notes[hidden] { display: none; }
.coverage-chart .grid { stroke: color-mix(in srgb, currentColor 22%, transparent); stroke-width: 1; }
.coverage-chart .tick { font: ${CHART_FONT}; fill: var(--_muted); }
.coverage-chart .trend { fill: none; stroke: var(--_accent); stroke-width: 2; }
.coverage-chart .bar, .coverage-chart .cap { stroke: currentColor; stroke-width: 1.5; }
.coverage-chart .point { fill: var(--_accent); stroke: #fff; stroke-width: 1.5; }
.coverage-chart .point.unconfirmed { fill: #fff; stroke: var(--_accent); stroke-width: 2; }
/* (A table is never narrower than its text, whatever its width says: it goes inside one,
   or it widens the page on a phone.) */
.sr-only {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
}
/* Zoomed: the photos take one-finger pans and pinches. */
.frame.zoomed { touch-action: none; cursor: grab; }
.frame.zoomed.panning, .frame.zoomed.panning * { cursor: grabbing; }
.zoom-level { font-variant-numeric: tabular-nums; color: var(--_muted); }
.zoom-level[hidden] { display: none; }
/* Views other than the slider. */
.frame:not([data-mode="slider"]) { cursor: default; }
.frame:not([data-mode="slider"]) .divider, .frame:not([data-mode="slider"]) .handle { display: none; }
.frame:not([data-mode="slider"]) canvas.before { clip-path: none; }
.frame[data-mode="fade"] canvas.before { opacity: var(--_fade, 0.5); }
.frame[data-mode="difference"] canvas.before { mix-blend-mode: difference; }
.frame[data-mode="blink"].blink-after canvas.before,
.frame[data-mode="heatmap"] canvas.before { visibility: hidden; }
.frame[data-mode="blink"].blink-after .label.before,
.frame[data-mode="blink"]:not(.blink-after) .label.after,
.frame[data-mode="heatmap"] .label.before { display: none; }
.views label { display: inline-flex; align-items: center; gap: 6px; min-height: 44px; }
.views label[hidden], .views button[hidden] { display: none; }
.views select {
  font: inherit;
  min-height: 40px;
  padding: 4px 8px;
  border-radius: 6px;
  border: 1px solid #6b7480;
  background: #fff;
  color: #1b1f24;
}
.views select:focus-visible, .views input:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
/* Annotations: drawn in frame pixels over both photos. */
svg.annotations {
  position: absolute;
  inset: 0;
  width: 100%;
  height: 100%;
  pointer-events: none;
  overflow: hidden;
}
.frame.annotating { touch-action: none; cursor: default; }
.frame.annotating svg.annotations { pointer-events: all; }
.frame.annotate-draw svg.annotations { cursor: crosshair; }
svg.annotations .shape { pointer-events: none; outline: none; }
svg.annotations:focus { outline: none; }
svg.annotations:focus-visible { outline: 3px solid var(--_accent); outline-offset: -3px; }
.frame.annotating:not(.annotate-draw) svg.annotations .shape { pointer-events: visiblePainted; cursor: move; }
.frame.annotating svg.annotations .shape.mirror { pointer-events: none; }
svg.annotations .hit { fill: none; stroke: transparent; stroke-width: 16px; }
svg.annotations polygon.hit { fill: transparent; }
svg.annotations .casing { fill: none; stroke: rgba(0, 0, 0, 0.75); stroke-width: 5px; stroke-linejoin: round; stroke-linecap: round; }
svg.annotations .ink { fill: none; stroke-width: 2.5px; stroke-linejoin: round; stroke-linecap: round; }
svg.annotations .head, svg.annotations circle.pin, svg.annotations .dot { stroke: rgba(0, 0, 0, 0.8); stroke-width: 1.5px; }
svg.annotations .pin-number {
  font: 700 13px system-ui, sans-serif;
  fill: #111;
  text-anchor: middle;
  dominant-baseline: middle;
}
svg.annotations .label-text {
  font: 600 15px system-ui, sans-serif;
  fill: #fff;
  stroke: rgba(0, 0, 0, 0.85);
  stroke-width: 4px;
  paint-order: stroke;
}
svg.annotations .shape.selected .ink { stroke-dasharray: 7 4; }
svg.annotations .shape.selected .casing, svg.annotations .shape:focus-visible .casing {
  stroke: var(--_accent);
  stroke-width: 7px;
}
svg.annotations .shape:focus-visible circle.pin { stroke: #fff; stroke-width: 3px; }
svg.annotations .grip { fill: #fff; stroke: var(--_accent); stroke-width: 2px; cursor: grab; pointer-events: all; }
svg.annotations .vertex { fill: #fff; stroke: #000; stroke-width: 1px; }
svg.annotations .draft { opacity: 0.85; }
.note-editor {
  position: absolute;
  z-index: 5;
  display: grid;
  gap: 8px;
  padding: 10px;
  /* Its width includes the padding, and in a short frame it scrolls rather than being cut. */
  box-sizing: border-box;
  max-height: calc(100% - 20px);
  overflow: auto;
  border-radius: 8px;
  background: #fff;
  color: #1b1f24;
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.45);
  cursor: auto;
  user-select: text;
  -webkit-user-select: text;
}
.note-editor[hidden] { display: none; }
.note-editor label { display: grid; gap: 4px; font-weight: 600; }
.note-editor textarea, .note-editor input {
  font: inherit;
  font-weight: 400;
  width: 100%;
  box-sizing: border-box;
  padding: 6px 8px;
  border: 1px solid #6b7480;
  border-radius: 4px;
}
.note-editor .row { display: flex; gap: 8px; justify-content: flex-end; }
.annotate-status { flex-basis: 100%; order: 2; min-height: 1.4em; font-size: 0.93em; color: var(--_muted); }
.notes { list-style: none; margin: 8px 0 0; padding: 0; font-size: 1em; }
.notes[hidden] { display: none; }
.notes li { padding: 2px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.notes li.calibration { color: var(--_muted); }
:host([readonly]) .file-tools { display: none; }
`;

const ARROWS = `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M9 6 3 12l6 6M15 6l6 6-6 6" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round"/></svg>`;

let sheet = null;
function styleSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
  }
  return sheet;
}

/**
 * A CSS transform for a row-major 3x3: matrix() when affine (painted in place),
 * matrix3d() when it has perspective.
 */
function cssTransform(h) {
  const f = (v) => +v.toFixed(9);
  if (Math.abs(h[2][0]) < 1e-12 && Math.abs(h[2][1]) < 1e-12) {
    const s = h[2][2];
    return `matrix(${[h[0][0], h[1][0], h[0][1], h[1][1], h[0][2], h[1][2]].map((v) => f(v / s)).join(",")})`;
  }
  const m = [h[0][0], h[1][0], 0, h[2][0], h[0][1], h[1][1], 0, h[2][1], 0, 0, 1, 0, h[0][2], h[1][2], 0, h[2][2]];
  return `matrix3d(${m.map(f).join(",")})`;
}

/** Checks and copies a 3x3 matrix; throws a TypeError a developer can act on. */
function checkMatrix(m) {
  const ok =
    Array.isArray(m) &&
    m.length === 3 &&
    m.every((r) => Array.isArray(r) && r.length === 3 && r.every((v) => Number.isFinite(v)));
  if (!ok) throw new TypeError("alignment.matrix must be a 3x3 array of finite numbers");
  const det =
    m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
    m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
    m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
  if (!(Math.abs(det) > 1e-12)) throw new TypeError("alignment.matrix is not invertible");
  return m.map((r) => r.slice());
}

/** The model a matrix needs: similarity, affine or homography. */
function modelOf(m) {
  if (Math.abs(m[2][0]) > 1e-12 || Math.abs(m[2][1]) > 1e-12) return "homography";
  const similar = Math.abs(m[0][0] - m[1][1]) < 1e-9 && Math.abs(m[0][1] + m[1][0]) < 1e-9;
  return similar ? "similarity" : "affine";
}

function clamp(v) {
  return Math.min(100, Math.max(0, v));
}

/** The `<scalp-compare>` element. */
export class ScalpCompare extends HTMLElement {
  static get observedAttributes() {
    return [
      "before",
      "after",
      "value",
      "direction",
      "before-label",
      "after-label",
      "aspect-ratio",
      "readonly",
      "mode",
      "lang",
    ];
  }

  constructor() {
    super();
    this._value = 50;
    this._photos = { before: null, after: null };
    // Whether each side's photo was named by the `before`/`after` attribute.
    this._fromAttr = { before: false, after: false };
    this._loading = { before: 0, after: 0 }; // the request being loaded on a side, 0 for none
    this._loadSeq = { before: 0, after: 0 }; // only ever goes up: an older reply is dropped
    // Why each side's last photo was not loaded, until that side loads one (or the
    // message is dismissed): a photo loaded on one side must not hide the other's.
    this._loadErrors = { before: null, after: null };
    this._drag = null;
    const root = this.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in Document.prototype) {
      root.adoptedStyleSheets = [styleSheet()];
    } else {
      // Older browsers: a <style> element, carrying the page's CSP nonce if given.
      const style = document.createElement("style");
      if (this.getAttribute("nonce")) style.nonce = this.getAttribute("nonce");
      style.textContent = STYLE;
      this._fallbackStyle = style;
    }
    root.innerHTML = `
      <div class="frame" part="frame">
        <canvas class="layer after" part="after"></canvas>
        <canvas class="layer before" part="before"></canvas>
        <canvas class="layer overlay" part="overlay" aria-hidden="true"></canvas>
        <div class="divider" part="divider"></div>
        <div class="handle" part="handle" role="slider" tabindex="0"
             aria-valuemin="0" aria-valuemax="100">${ARROWS}</div>
        <div class="label-side before"><span class="label before" part="label before-label" dir="auto"></span></div>
        <div class="label-side after"><span class="label after" part="label after-label" dir="auto"></span></div>
        <div class="message" part="message" role="status" aria-live="polite"></div>
        <div class="nudge" part="nudge" hidden>
          <button type="button" data-nudge="left" aria-label="Move AFTER left">&larr;</button>
          <button type="button" data-nudge="right" aria-label="Move AFTER right">&rarr;</button>
          <button type="button" data-nudge="up" aria-label="Move AFTER up">&uarr;</button>
          <button type="button" data-nudge="down" aria-label="Move AFTER down">&darr;</button>
          <button type="button" data-nudge="ccw" aria-label="Rotate AFTER anticlockwise">&#x27f2;</button>
          <button type="button" data-nudge="cw" aria-label="Rotate AFTER clockwise">&#x27f3;</button>
          <button type="button" data-nudge="smaller" aria-label="Make AFTER smaller">&minus;</button>
          <button type="button" data-nudge="larger" aria-label="Make AFTER larger">+</button>
        </div>
        <div class="drop" hidden></div>
        <div class="notice" part="notice" hidden>
          <p></p><button type="button" data-action="landmarks">Align by landmarks&hellip;</button>
        </div>
        <div class="alert" part="alert" role="alert" hidden>
          <p></p><button type="button" aria-label="Dismiss message">&times;</button>
        </div>
      </div>
      <div class="chip" part="status" role="status" aria-live="polite"></div>
      <div class="analysis" part="analysis">
        <p class="summary" part="summary" role="status" aria-live="polite"></p>
        <p class="salt" part="salt" role="status" aria-live="polite"></p>
        <div class="salt-box"><div class="salt-views" part="salt-views" role="group" hidden></div></div>
        <div class="views">
          <label class="mode">View
            <select data-action="mode">${Object.entries(MODES)
              .map(([k, v]) => `<option value="${k}">${v}</option>`)
              .join("")}</select>
          </label>
          <label class="fade" hidden>BEFORE opacity
            <input type="range" min="0" max="100" value="50" data-action="fade">
          </label>
          <button type="button" data-action="blink-pause" aria-pressed="false" hidden>Pause blinking</button>
          <span class="zoom-level" part="zoom-level" hidden></span>
          <span class="sr-only zoom-said" role="status"></span>
          <button type="button" data-action="zoom-reset" hidden>Reset zoom</button>
          <button type="button" data-action="heatmap" aria-pressed="false" disabled>Show change map</button>
          <span class="legend" part="legend" hidden>
            <span class="swatch gain"></span><span>hair came back</span>
            <span class="swatch loss"></span><span>hair was lost</span>
            <span class="note">(stronger colour = bigger change)</span>
          </span>
        </div>
      </div>
      <div class="visits" part="visits" hidden>
        <div class="timeline" part="timeline" role="group"
             aria-label="Visits: pick two to compare (the last two picked)"></div>
        <figure class="coverage-chart" part="progress-chart" hidden>
          <figcaption>Hair coverage at each visit, over the first visit's scalp region (an estimate; bars show the uncertainty)</figcaption>
          <svg class="chart" viewBox="0 0 600 180" aria-hidden="true" focusable="false"></svg>
          <div class="sr-only"><table><thead><tr><th>Visit</th><th>Hair coverage</th></tr></thead><tbody></tbody></table></div>
          <ul class="chart-notes" aria-hidden="true" hidden></ul>
        </figure>
      </div>
      <div class="toolbar" part="toolbar">
        <span class="photo-tools" role="group" aria-label="Photos">
          <button type="button" data-pick="before">Choose BEFORE photo&hellip;</button>
          <button type="button" data-pick="after">Choose AFTER photo&hellip;</button>
        </span>
        <input type="file" accept="image/*" data-side="before" hidden>
        <input type="file" accept="image/*" data-side="after" hidden>
        <span class="align-tools" role="group" aria-label="Alignment">
          <button type="button" data-action="landmarks">Align by landmarks&hellip;</button>
          <button type="button" data-action="adjust" aria-pressed="false">Adjust alignment</button>
          <button type="button" data-action="auto">Reset to automatic</button>
          <label class="check"><input type="checkbox" data-action="lock"> Lock alignment</label>
        </span>
        <span class="region-tools" role="group" aria-label="Measured region">
          <button type="button" data-action="draw-region" aria-pressed="false">Draw scalp region</button>
          <span class="sr-only region-news" role="status" aria-live="polite"></span>
          <button type="button" data-action="clear-region" disabled>Automatic region</button>
        </span>
      </div>
      <div class="toolbar annotate-bar" part="annotate-toolbar">
        <span class="annotate-status" role="status" aria-live="polite"></span>
      </div>
      <ul class="notes" part="notes" aria-label="Annotations" hidden></ul>
      <div class="toolbar file-tools" part="file-toolbar" role="group" aria-label="Session and report">
        <button type="button" data-file="import">Open session or annotations&hellip;</button>
        <button type="button" data-file="session">Save session</button>
        <button type="button" data-file="w3c">Export annotations</button>
        <button type="button" data-file="report">Export report (PNG)</button>
        <button type="button" data-file="print">Print report</button>
        <input type="file" accept=".json,.jsonld,application/json,application/ld+json" data-file-input hidden>
      </div>
      <scalp-landmarks part="landmarks" hidden></scalp-landmarks>`;
    if (this._fallbackStyle) root.prepend(this._fallbackStyle);
    this._t = translator("en");
    const $ = (s) => root.querySelector(s);
    this._frame = $(".frame");
    this._canvas = { before: $("canvas.before"), after: $("canvas.after") };
    this._handle = $(".handle");
    this._label = { before: $(".label.before"), after: $(".label.after") };
    this._message = $(".message");
    this._alert = $(".alert");
    this._drop = $(".drop");
    this._chip = $(".chip");
    this._notice = $(".notice");
    this._nudge = $(".nudge");
    this._lock = $('input[data-action="lock"]');
    this._adjustButton = $('button[data-action="adjust"]');
    this._landmarks = $("scalp-landmarks");
    this._alignment = null;
    this._locked = false;
    this._alignToken = 0;
    this._alignPending = false;
    for (const button of root.querySelectorAll('button[data-action="landmarks"]')) {
      button.addEventListener("click", () => {
        this._landmarksOpener = button;
        this._openLandmarks();
      });
    }
    // Closed: the keyboard goes back to the button that opened the panel (or the
    // toolbar's, when the notice that held it has gone).
    this._landmarks.addEventListener("landmarks-close", () => {
      const active = this.shadowRoot.activeElement;
      if (active && active !== this._landmarks) return;
      const opener = this._landmarksOpener;
      const target = opener && opener.isConnected && opener.getClientRects().length && !opener.disabled
        ? opener
        : root.querySelector('.toolbar button[data-action="landmarks"]');
      if (target) target.focus({ preventScroll: true });
    });
    this._adjustButton.addEventListener("click", () => this._setAdjusting(!this._adjusting));
    $('button[data-action="auto"]').addEventListener("click", () => {
      this._setLocked(false);
      this._autoAlign();
    });
    this._lock.addEventListener("change", () => {
      this._setLocked(this._lock.checked);
      this._autosave();
    });
    for (const button of root.querySelectorAll("[data-nudge]")) {
      button.addEventListener("click", () => this._nudgeBy(button.dataset.nudge, false));
    }
    this._landmarks.addEventListener("landmarks-apply", (e) => this._alignFromLandmarks(e.detail));
    this._overlay = $("canvas.overlay");
    this._summary = $(".summary");
    this._saltLine = $(".salt");
    this._saltFigures = $(".salt-views");
    this._saltThumbs = null;
    this._salt = null;
    this._saltKey = null; // the storage key of the pair the estimate belongs to
    this._saltError = null;
    this._saltViews = "";
    this._legend = $(".legend");
    this._heatButton = $('button[data-action="heatmap"]');
    this._drawButton = $('button[data-action="draw-region"]');
    this._regionNews = $(".region-news");
    this._clearRegionButton = $('button[data-action="clear-region"]');
    this._analysis = null;
    this._analysisToken = 0;
    this._region = null;
    this._pairRegionRestored = false; // the last photo change found a region saved for the new pair
    this._heat = false;
    this._heatButton.addEventListener("click", () => this._setHeat(!this._heat));
    this._drawButton.addEventListener("click", (event) => {
      if (this._drawing) {
        this._finishRegion();
        return;
      }
      this._setDrawing(true);
      // From the keyboard (a click with no pointer): show the cross where Space acts.
      const b = this._photos.before;
      if (this._drawing && event.detail === 0 && b) {
        this._regionCursor = [b.width / 2, b.height / 2];
        this._drawOverlay();
      }
    });
    this._clearRegionButton.addEventListener("click", () => {
      const hadFocus = this.shadowRoot.activeElement === this._clearRegionButton;
      this.setRegion(null);
      // It is disabled now: the keyboard goes on to the button that draws a region.
      if (hadFocus) this._drawButton.focus({ preventScroll: true });
    });

    this._alert.querySelector("button").addEventListener("click", () => {
      this._loadErrors = { before: null, after: null };
      this._hideError();
      // The keyboard stays in the widget: on the comparison's handle, or (in a view without
      // one, or with no photo yet) the first control that can be used.
      const shown = (el) => el && el.getClientRects().length && !el.disabled && !this._alert.contains(el);
      const controls = root.querySelectorAll("button, select, input, [tabindex='0']");
      const target = [this._handle, ...controls].find(shown);
      if (target) target.focus({ preventScroll: true });
    });
    for (const button of root.querySelectorAll("[data-pick]")) {
      button.addEventListener("click", () =>
        root.querySelector(`input[data-side="${button.dataset.pick}"]`).click(),
      );
    }
    for (const input of root.querySelectorAll("input[type=file][data-side]")) {
      input.addEventListener("change", () => {
        const file = input.files && input.files[0];
        if (file) this.load(input.dataset.side, file);
        input.value = "";
      });
    }
    this._mode = "slider";
    this._fade = 50;
    this._zoom = { s: 1, x: 0, y: 0 };
    this._pointers = new Map();
    this._drawTouch = null; // the finger drawing the region, while it is down
    this._visits = [];
    this._picks = [];
    this._progress = [];
    this._visitNotes = []; // why a visit has no point on the chart
    this._alignCache = new Map();
    // Alignments made or set by hand for the first visit and a later one ("first|later"):
    // the visits chart measures that visit through it, not the automatic one.
    this._handAlign = new Map();
    /** Per photo storage key: the annotation ids this element knows are stored there. */
    this._storedIds = new Map();
    /** The working copies of the photos shown, freed in the worker when this element is collected. */
    this._workIds = new Set();
    collected.register(this, this._workIds);
    this._visitsBox = $(".visits");
    this._timeline = $(".timeline");
    this._chart = $(".coverage-chart");
    this._zoomLabel = $(".zoom-level");
    this._zoomSaid = $(".zoom-said");
    this._zoomReset = $('button[data-action="zoom-reset"]');
    this._zoomReset.addEventListener("click", () => this._setZoom({ s: 1, x: 0, y: 0 }));
    this._modeSelect = $('select[data-action="mode"]');
    this._fadeInput = $('input[data-action="fade"]');
    this._blinkButton = $('button[data-action="blink-pause"]');
    this._modeSelect.addEventListener("change", () => (this.mode = this._modeSelect.value));
    this._fadeInput.addEventListener("input", () => {
      this._fade = Number(this._fadeInput.value);
      this._renderMode();
    });
    this._blinkButton.addEventListener("click", () => {
      this._blinkPaused = !this._blinkPaused;
      this._renderMode();
    });
    this._annotateStatus = $(".annotate-status");
    this._annotator = new Annotator(
      {
        photoToFrame: (photo) => this._photoToFrame(photo),
        panels: () => this._panels(),
        photoAt: (x, y) => this._photoAt(x, y),
        readonly: () => this.hasAttribute("readonly"),
        // The current language's translator, and its language (rulers write "5,25 mm" in Spanish).
        t: Object.defineProperty((text, vars) => this._t(text, vars), "lang", { get: () => this._t.lang }),
        changed: () => this._annotationsChanged(),
        // What opening a session changes besides the annotations, for its undo step.
        state: () => this._sessionState(),
        setState: (state) => this._setSessionState(state),
        status: (text) => (this._annotateStatus.textContent = text),
        pinch: (first, event) => this._startPinch(first, event),
        joinPinch: (event) => this._joinPinch(event),
        toolChanged: (tool) => {
          if (!tool) return;
          this._setAdjusting(false);
          this._setDrawing(false);
        },
      },
      { frame: this._frame, before: $(".divider"), toolbar: $(".annotate-bar"), notes: $(".notes") },
    );
    this._dates = { before: null, after: null };
    this._bindFiles();
    this._core = null;
    loadCore().then(
      (c) => {
        this._core = c;
        this._coreStarted();
      },
      () => {
        // Said where the tools are, and they cannot be used (the alert goes when a photo
        // loads). The usual cause: a page policy without 'wasm-unsafe-eval'.
        const message = this._t(
          "The annotation and session tools could not start: this page or browser does not allow WebAssembly here (a Content-Security-Policy needs 'wasm-unsafe-eval').",
        );
        this._showError(message);
        this._annotateStatus.textContent = message;
        for (const b of root.querySelectorAll('.annotate-bar button, [data-file="import"], [data-file="session"], [data-file="w3c"]')) {
          b.disabled = true;
        }
      },
    );
    markTexts(root);
    this._bindPointer();
    this._bindKeyboard();
    this._bindDrop();
    this._resizeObserver = new ResizeObserver(() => this._drawAll());
    // The chart is drawn at its width: again when that changes.
    this._chartObserver = new ResizeObserver(() => {
      if (!this._chart.hidden && chartWidth(this._chart) !== this._chartWidth) this._renderChart();
    });
    this._renderLabels();
    this._renderValue();
    this._renderMessage();
  }

  connectedCallback() {
    this._applyLanguage();
    if (!this._visits.length) this._readChildVisits();
    this._readChildViews();
    if (!this._childObserver) {
      this._childObserver = new MutationObserver(() => {
        this._readChildVisits();
        this._readChildViews();
      });
    }
    this._childObserver.observe(this, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ["src", "data-date", "data-view", "alt"],
    });
    this._resizeObserver.observe(this._frame);
    this._chartObserver.observe(this._chart);
    this._applyAspect();
    this._renderMode();
  }

  disconnectedCallback() {
    this._resizeObserver.disconnect();
    this._chartObserver.disconnect();
    if (this._childObserver) this._childObserver.disconnect();
    clearInterval(this._blinkTimer);
    this._blinkTimer = null;
  }

  attributeChangedCallback(name, _old, value) {
    switch (name) {
      case "before":
      case "after":
        // The page names the photo for this side: when it cannot be shown, or the page takes
        // it away, the old one is not left under the page's (new) labels.
        if (value) {
          this._load(name, value, null, true).catch(() => {
            // Not a URL at all: said as any photo not loaded is, on screen and to the page,
            // named by its last part only (what follows a "?" can be a signed link's secrets).
            this._clearSide(name);
            const shown = value.split(/[?#]/)[0].split("/").filter(Boolean).pop() || "";
            this._notLoaded(name, shown, "This is not a valid web address.");
          });
        }
        else if (this._fromAttr[name]) this._clearSide(name); // not a photo shown by `load()` or a visit
        break;
      case "value": {
        const v = parseFloat(value);
        if (Number.isFinite(v) && clamp(v) !== this._value) {
          this._value = clamp(v);
          this._renderValue();
        }
        break;
      }
      case "direction":
        this._handle.setAttribute("aria-orientation", this.direction);
        break;
      case "before-label":
      case "after-label":
        this._renderLabels();
        this._renderValue();
        this._renderSummary(); // it names the visits too
        break;
      case "aspect-ratio":
        this._applyAspect();
        break;
      case "lang":
        this._applyLanguage();
        break;
      case "mode": {
        const mode = value in MODES ? value : "slider";
        if (mode !== this._mode) {
          this._mode = mode;
          this._renderMode();
        }
        break;
      }
      case "readonly":
        this._renderMessage();
        if (value !== null) {
          this._setAdjusting(false);
          this._setDrawing(false);
          this._landmarks.hidden = true;
          this._annotator.setTool(null);
        }
        this._annotator.render();
        this._renderSummary(); // its caution is worded for whoever reads it
        break;
    }
  }

  /** Picks the UI language (`lang` here, on an ancestor, or the page's) and relabels everything. */
  _applyLanguage() {
    const lang = pickLanguage(this);
    // The widget's text is marked as the language it is in (English when the page's is not
    // one it speaks: read by a screen reader in an English voice), and as left to right
    // within a right-to-left page.
    for (const el of this.shadowRoot.children) {
      el.lang = lang;
      el.dir = "ltr";
    }
    if (this._t.lang === lang) return;
    this._t = translator(lang);
    relabel(this.shadowRoot, this._t);
    this._landmarks.setTranslator(this._t);
    this._renderLabels();
    this._renderValue();
    this._renderMessage();
    this._renderChip();
    if (!this._notice.hidden && this._noticeMake) this._notice.querySelector("p").textContent = this._noticeMake();
    this._renderMode();
    this._setHeat(this._heat);
    this._renderDrawButton();
    this._renderTimeline();
    this._renderChart();
    this._renderSummary();
    if (!this._saltBusy) this._renderSaltLine();
    if (!this._alert.hidden && SIDES.some((s) => this._loadErrors[s])) this._showLoadErrors();
    this._annotator.render();
  }

  /**
   * How the pair is shown: "slider", "fade", "side-by-side", "difference",
   * "blink" or "heatmap". Every view keeps the alignment and the annotations.
   */
  get mode() {
    return this._mode;
  }

  set mode(v) {
    const mode = v in MODES ? v : "slider";
    if (this.getAttribute("mode") !== mode) this.setAttribute("mode", mode);
  }

  /** BEFORE's opacity in the fade view, 0-100. */
  get fade() {
    return this._fade;
  }

  set fade(v) {
    const n = Number(v);
    if (!Number.isFinite(n)) return;
    this._fade = clamp(n);
    this._fadeInput.value = String(this._fade);
    this._renderMode();
  }

  /** Applies the view: which layers show, the controls it needs, redraws. */
  _renderMode() {
    const mode = this._mode;
    const frame = this._frame;
    const was = frame.dataset.mode;
    frame.dataset.mode = mode;
    this._modeSelect.value = mode;
    frame.style.setProperty("--_fade", String(this._fade / 100));
    this.shadowRoot.querySelector("label.fade").hidden = mode !== "fade";
    this._blinkButton.hidden = mode !== "blink";
    // Blinking starts paused for a reader whose system asks for less motion.
    if (mode === "blink" && was !== "blink" && matchMedia("(prefers-reduced-motion: reduce)").matches) {
      this._blinkPaused = true;
    }
    this._blinkButton.setAttribute("aria-pressed", String(Boolean(this._blinkPaused)));
    this._blinkButton.textContent = this._t(this._blinkPaused ? "Resume blinking" : "Pause blinking");
    if (mode === "blink" && !this._blinkPaused && this.isConnected) {
      this._blinkTimer ||= setInterval(() => {
        this._blinkShowsAfter = !this._blinkShowsAfter;
        frame.classList.toggle("blink-after", this._blinkShowsAfter);
      }, BLINK_MS);
    } else {
      clearInterval(this._blinkTimer);
      this._blinkTimer = null;
    }
    if (mode !== "blink") {
      this._blinkShowsAfter = false;
      frame.classList.remove("blink-after");
    }
    if (mode !== "slider") this._setAdjusting(false);
    if (mode === "heatmap") this._setHeat(true);
    else if (was === "heatmap") this._setHeat(false);
    if (was !== mode) this._drawAll();
  }

  /** The split position, 0 (all AFTER) to 100 (all BEFORE). */
  get value() {
    return this._value;
  }

  set value(v) {
    const n = clamp(Number(v));
    if (Number.isFinite(n)) this.setAttribute("value", String(n));
  }

  /** "horizontal" (default) or "vertical". */
  get direction() {
    return this.getAttribute("direction") === "vertical" ? "vertical" : "horizontal";
  }

  set direction(v) {
    this.setAttribute("direction", v === "vertical" ? "vertical" : "horizontal");
  }

  /**
   * The alignment of AFTER onto BEFORE: `{matrix, model, confidence, source}`
   * where `matrix` (row-major 3x3) maps AFTER pixels to BEFORE pixels, both in
   * the original photos' pixels after EXIF orientation; `null` when none.
   * Set it to a 3x3 array or `{matrix}` to restore a saved alignment (null
   * shows the photos unaligned).
   */
  get alignment() {
    const a = this._alignment;
    return a && { ...a, matrix: a.matrix.map((r) => r.slice()), locked: this._locked };
  }

  set alignment(v) {
    this._cancelAutoAlign(); // a restored alignment wins over one still being computed
    if (v === null || v === undefined) {
      this._alignment = null;
      this._draw("after");
      this._renderChip();
      ++this._analysisToken;
      this._setAnalysis(null, "");
      this._chartHandAlignment();
      this._autosave(); // a hand alignment taken back stays taken back after a reload
      return;
    }
    const matrix = checkMatrix(Array.isArray(v) ? v : v.matrix);
    const scale = matrix[2][2];
    const m = matrix.map((r) => r.map((x) => x / scale));
    this._notice.hidden = true;
    this._setAlignment(
      {
        matrix: m,
        model: modelOf(m),
        confidence: Number.isFinite(v.confidence) ? v.confidence : null,
        source: v.source === "manual" ? "manual" : "set",
      },
      false,
    );
    if (v.locked !== undefined) {
      this._setLocked(Boolean(v.locked));
      this._autosave(); // the lock is work to keep, as when the checkbox sets it
    }
  }

  /** True while a photo is loading or the photos are being aligned. */
  get busy() {
    return Boolean(
      this._loading.before || this._loading.after || this._alignPending || this._analysisPending,
    );
  }

  /** Facts about the loaded photos: `{before: {width, height, orientation, name}, after: ...}`. */
  get photos() {
    const describe = (p) =>
      p && { width: p.width, height: p.height, orientation: p.orientation, name: p.name };
    return { before: describe(this._photos.before), after: describe(this._photos.after) };
  }

  /**
   * Loads a photo into one side from a URL or a File/Blob. Resolves true when it
   * is shown; on a bad photo shows a message, keeps what was there, resolves false.
   */
  load(side, source) {
    return this._load(side, source, null);
  }

  /**
   * [`load`], or, with `fetched` (a promise of `{source, reply}`: a photo already asked
   * of the loading worker, and which source it is), shows that photo on `side` once it
   * arrives (the side shows it is loading meanwhile).
   */
  async _load(side, source, fetched, fromPage = false) {
    if (!SIDES.includes(side)) throw new RangeError(`side must be "before" or "after"`);
    // A bad source throws here, before anything changes.
    if (typeof source === "string") new URL(source, document.baseURI);
    else if (!fetched && !(source instanceof Blob)) throw new TypeError("source must be a URL or a File/Blob");
    const token = ++this._loadSeq[side];
    this._loading[side] = token;
    // A photo asked for otherwise (`load()`, a visit, a file) is not the attribute's: taking
    // the attribute away then leaves it (and this load) alone.
    if (!fromPage) this._fromAttr[side] = false;
    this._renderMessage();
    let reply;
    if (fetched) {
      try {
        ({ source, reply } = await fetched);
      } catch (error) {
        // Nothing arrived: the side stops showing that it is loading.
        if (token === this._loadSeq[side]) {
          this._loading[side] = 0;
          this._renderMessage();
        }
        throw error;
      }
    }
    const parsed = typeof source === "string" ? new URL(source, document.baseURI) : null;
    const url = parsed ? parsed.href : null;
    const fileName = source.name || "photo";
    const { name, keyName, legacyName } = parsed ? namesOfUrl(parsed) : { name: fileName, keyName: fileName, legacyName: fileName };
    if (!fetched) reply = await requestPhoto(url || source);
    if (token !== this._loadSeq[side]) {
      // A newer photo was asked for meanwhile (or the load was cancelled): this one is
      // let go here and in the analysis worker, which would otherwise keep its pixels.
      if (reply.bitmap) reply.bitmap.close();
      if (reply.ok && reply.photoId) freePhoto(reply.photoId);
      return false;
    }
    this._loading[side] = 0;
    if (!reply.ok) {
      this._notLoaded(side, name, reply.message);
      this._renderMessage();
      if (fromPage) this._clearSide(side);
      return false;
    }
    const old = this._photos[side];
    this._photos[side] = { ...reply, name, keyName, legacyName, src: url, source: url || source };
    this._fromAttr[side] = fromPage;
    this._workIds.add(reply.photoId);
    this._loadErrors[side] = null;
    this._showLoadErrors();
    this._draw(side);
    this._renderMessage();
    this._photosChanged(old, side);
    this._emit("photo-load", {
      side,
      width: reply.width,
      height: reply.height,
      orientation: reply.orientation,
    });
    return true;
  }

  /** "BEFORE photo "x.jpg" was not loaded. <why>", in the widget's language. */
  _notLoadedText(side, name, why) {
    return this._t("{side} photo {name} was not loaded. {message}", {
      side: this._t(side === "before" ? "BEFORE" : "AFTER"),
      name: JSON.stringify(name),
      message: why,
    });
  }

  /**
   * Takes the photo off `side` (the page asked for another that could not be shown, or
   * for none): it is not shown under labels the page gave for another photo, possibly
   * another patient's. A photo loading there meanwhile is let go.
   */
  _clearSide(side) {
    this._cancelLoad(side);
    const old = this._photos[side];
    if (!old) return;
    this._photos[side] = null;
    this._draw(side);
    this._photosChanged(old, side);
  }

  // ----- alignment -----

  /** A photo was replaced: the old alignment no longer holds; align afresh. */
  _photosChanged(old, side) {
    if (this._orderSaid) {
      this._orderSaid = false;
      this._annotateStatus.textContent = ""; // it named the photos put in date order
    }
    if (old) {
      old.bitmap.close();
      if (old.full) old.full.close();
      freePhoto(old.photoId);
      this._workIds.delete(old.photoId);
    }
    // A region drawn on BEFORE still outlines the same scalp when only AFTER changes (the
    // next visit is compared over it), unless work saved for the new pair says otherwise.
    const region = side === "after" && this._photos.before ? this._region : null;
    this._alignment = null;
    this._region = null;
    this._clearRegionButton.disabled = true;
    this._renderDrawButton();
    this._setDrawing(false);
    this._setAnalysis(null, "");
    ++this._analysisToken;
    this._setAdjusting(false);
    this._setLocked(false);
    this._landmarks.hidden = true;
    this._notice.hidden = true;
    this._setZoom({ s: 1, x: 0, y: 0 });
    this._draw("after");
    this._pairRegionRestored = false;
    const restored = this._restoreForPhotos(side);
    if (region && !this._pairRegionRestored) {
      this._region = region;
      this._clearRegionButton.disabled = false;
      this._renderDrawButton();
      this._drawOverlay();
      this._autosave();
    }
    // (A session whose alignment was made for other photos leaves none: see `_applySession`.)
    if (!restored || !this._alignment) this._autoAlign();
  }

  _alignModel() {
    const m = this.getAttribute("align-model");
    return m === "affine" || m === "homography" ? m : "similarity";
  }

  /** Aligns AFTER onto BEFORE in the worker; the slider stays usable meanwhile. */
  async _autoAlign() {
    const b = this._photos.before;
    const a = this._photos.after;
    this._notAligned = false;
    if (!b || !a) return;
    const known = this._cachedAlignment(b.src, a.src);
    if (known) {
      this._cancelAutoAlign();
      this._notice.hidden = true;
      this._lastTiming = undefined; // nothing was measured now: no timing to report
      this._setAlignment({ ...known, source: "auto" });
      return;
    }
    const token = ++this._alignToken;
    this._alignPending = true;
    this._notice.hidden = true;
    this._showChip(this._t("Aligning photos\u2026"), true);
    const reply = await ask("analysis", {
      kind: "align",
      before: b.photoId,
      after: a.photoId,
      request: { model: this._alignModel() },
    });
    if (token !== this._alignToken) return;
    this._alignPending = false;
    if (this._locked) {
      this._renderChip();
      return;
    }
    const r = reply.ok ? reply.result : null;
    if (!r || !r.reliable) {
      // Never a wrong overlay: show the photos as taken and say so.
      this._alignment = null;
      this._draw("after");
      this._setAnalysis(null, "");
      this._notAligned = true;
      this._renderChip();
      // A hand alignment this replaces (Reset to automatic) is gone from the chart and
      // from what is saved, as when it is taken back.
      this._chartHandAlignment();
      this._autosave();
      // (Made again in another language when `lang` changes.)
      const notice = () =>
        this.hasAttribute("readonly")
          ? this._t("These photos could not be lined up automatically, so they are shown as taken.")
          : r
            ? this._t.message(r.message)
            : this._t("Could not align these photos: {message}", { message: this._t.message(reply.message) });
      this._showNotice(notice);
      // `message`: the core's English text; `text`: the notice as shown, in the interface's language.
      this._emit("align-failed", {
        message: r ? r.message : `Could not align these photos: ${reply.message}`,
        text: notice(),
        confidence: r ? r.confidence : 0,
      });
      return;
    }
    this._lastTiming = { align_ms: r.timing_ms, wasm_memory_bytes: r.wasm_memory_bytes };
    if (b.src && a.src) {
      this._alignCache.set(`${b.src}|${a.src}`, { matrix: r.matrix, model: r.model, confidence: r.confidence });
    }
    this._setAlignment({ matrix: r.matrix, model: r.model, confidence: r.confidence, source: "auto" });
  }

  _cancelAutoAlign() {
    ++this._alignToken;
    this._alignPending = false;
  }

  /** Applies an alignment from the tools, redraws and announces it. */
  _setAlignment(a, emit = true) {
    this._notAligned = false;
    const was = this._alignment;
    this._alignment = { ...a, model: a.model || modelOf(a.matrix) };
    this._draw("after");
    this._renderChip();
    // A hand alignment is work to keep; so is taking one back (Reset to automatic).
    if (a.source !== "auto" || (was && was.source !== "auto")) this._autosave();
    this._scheduleAnalysis(emit ? 0 : 400);
    this._chartHandAlignment();
    if (emit) {
      const { matrix, model, confidence, source } = this._alignment;
      const timing = source === "auto" ? this._lastTiming : undefined;
      this._emit("aligned", { matrix: matrix.map((r) => r.slice()), model, confidence, source, timing });
    }
  }

  /**
   * The visits chart measures each later visit through its alignment with the first: when
   * the pair shown is the first visit and a later one, an alignment made or set by hand
   * for it is the one the chart uses (a visit the automatic alignment could not align gets
   * its point), and taking it back gives the automatic one back.
   */
  _chartHandAlignment(measure = true) {
    // (`measure`: measure the visits again when the chart's alignment for that visit
    // changed; returns whether it did.)
    const key = this._shownVisitKey();
    if (!key) return false;
    const al = this._alignment;
    const hand = al && al.source !== "auto" ? handEntry(al, this._locked) : null;
    const was = this._handAlign.get(key) || null;
    if (JSON.stringify(was && was.matrix) === JSON.stringify(hand && hand.matrix)) {
      // The same alignment (restored with its pair's work): its lock is the one shown.
      if (was && was.locked !== Boolean(this._locked)) {
        was.locked = Boolean(this._locked);
        this._lockChanged(was);
      }
      return false;
    }
    if (hand) this._handAlign.set(key, hand);
    else this._handAlign.delete(key);
    if (measure) this._measureVisits();
    return true;
  }

  /**
   * The hand alignment (and its lock) saved in this browser with the pair of photos `b`
   * and `a` (as loaded: names, bytes and size key the work), for the visits chart; null
   * when there is none or nothing is saved here.
   */
  _savedHandAlignment(b, a) {
    if (!b || !a || this._noAutosave()) return null;
    const keys = [pairStorageKey(b, a, false), pairStorageKey(b, a, true)];
    const saved = readFirst(keys, (text) => JSON.parse(this._core.checkSession(text)));
    const al = saved && saved.alignment;
    if (!al || al.source === "auto" || !Array.isArray(al.matrix)) return null;
    return handEntry(al, al.locked);
  }

  /** `first|later` when the pair shown is the first visit and a later one, else null. */
  _shownVisitKey() {
    const first = this._visits[0] && this._visits[0].src;
    const b = this._photos.before;
    const a = this._photos.after;
    if (!first || !b || !a || b.src !== first || !this._visits.some((v, i) => i > 0 && v.src === a.src)) return null;
    return `${first}|${a.src}`;
  }

  /**
   * The specialist locked (or unlocked) the alignment shown: when the chart measures a
   * visit through it, its caution follows (a locked alignment has been checked), whichever
   * pair is shown later.
   */
  _lockChartHandAlignment(on) {
    const key = this._shownVisitKey();
    const entry = key && this._handAlign.get(key);
    const al = this._alignment;
    if (!entry || !al || JSON.stringify(entry.matrix) !== JSON.stringify(al.matrix)) return;
    entry.locked = Boolean(on);
    this._lockChanged(entry);
  }

  /** A chart hand alignment's lock changed: its point's caution and `progress` follow. */
  _lockChanged(entry) {
    this._renderChart();
    if (this._progress.some((p) => p && p.hand === entry)) this._emit("progress", { progress: this.progress });
  }

  _renderChip() {
    const a = this._alignment;
    if (!a) {
      this._chip.setAttribute("aria-busy", "false");
      if (this._alignPending) this._showChip(this._t("Aligning photos\u2026"), true);
      else this._chip.textContent = this._notAligned ? this._t("Not aligned") : "";
      return;
    }
    // A hand alignment is announced once, with its score: while the score is coming the
    // chip is busy (a screen reader waits), not read twice per nudge.
    const scoring =
      !Number.isFinite(a.confidence) && a !== this._unscorable && Boolean(this._photos.before && this._photos.after);
    this._chip.setAttribute("aria-busy", String(scoring));
    const how = this._t({ auto: "Aligned automatically", manual: "Aligned by hand", set: "Alignment restored" }[a.source]);
    const conf = Number.isFinite(a.confidence)
      ? ` \u00b7 ${this._t("confidence {pct}%", { pct: Math.round(a.confidence * 100) })}`
      : "";
    this._showChip(`${how}${conf}${this._locked ? ` \u00b7 ${this._t("locked")}` : ""}`);
  }

  _showChip(text, busy = false) {
    this._chip.textContent = text;
    if (busy) {
      const bar = document.createElement("span");
      bar.className = "progress";
      this._chip.append(bar);
    }
  }

  /** Shows the notice made by `make()` (made again when the language changes). */
  _showNotice(make) {
    this._noticeMake = make;
    this._notice.querySelector("p").textContent = make();
    this._notice.hidden = false;
  }

  _setLocked(on) {
    const was = Boolean(this._locked);
    this._locked = on;
    this._lock.checked = on;
    // Locked, the alignment is the specialist's: the summary's and the chart's cautions
    // about it go.
    if (was !== Boolean(on)) {
      this._renderSummary();
      this._lockChartHandAlignment(on);
    }
    if (on) this._setAdjusting(false);
    for (const b of this.shadowRoot.querySelectorAll('.toolbar [data-action="landmarks"], [data-action="adjust"]')) {
      b.disabled = on;
    }
    if (on) this._landmarks.hidden = true;
    this._renderChip();
  }

  _openLandmarks() {
    const { before, after } = this._photos;
    if (!before || !after || this._locked || this.hasAttribute("readonly")) return;
    this._setAdjusting(false);
    this._landmarks.open({ before, after });
  }

  async _alignFromLandmarks({ before, after, model }) {
    const b = this._photos.before;
    const a = this._photos.after;
    if (!b || !a) return;
    const reply = await ask("analysis", {
      kind: "align",
      before: b.photoId,
      after: a.photoId,
      request: { model, landmarks: { before, after } },
    });
    if (b !== this._photos.before || a !== this._photos.after) return;
    if (!reply.ok) {
      this._landmarks.showError(this._t.message(reply.message));
      return;
    }
    const r = reply.result;
    this._cancelAutoAlign(); // an automatic run still going must not replace this
    this._notice.hidden = true;
    this._setAlignment({ matrix: r.matrix, model: r.model, confidence: r.confidence, source: "manual" });
    this._landmarks.showResult({ residuals: r.residuals, confidence: r.confidence, model: r.model });
  }

  /** The AFTER->BEFORE matrix that reproduces the unaligned display. */
  _rawMatrix() {
    const { before: b, after: a } = this._photos;
    const W = this._frame.clientWidth;
    const H = this._frame.clientHeight;
    const sb = Math.min(W / b.width, H / b.height);
    const ka = Math.min(W / a.width, H / a.height);
    const ob = [(W - b.width * sb) / 2, (H - b.height * sb) / 2];
    const oa = [(W - a.width * ka) / 2, (H - a.height * ka) / 2];
    return [
      [ka / sb, 0, (oa[0] - ob[0]) / sb],
      [0, ka / sb, (oa[1] - ob[1]) / sb],
      [0, 0, 1],
    ];
  }

  /** BEFORE pixels per CSS pixel of the frame. */
  _beforePerCss() {
    return 1 / this._beforeToCss().s;
  }

  _setAdjusting(on) {
    const both = this._photos.before && this._photos.after;
    on = Boolean(on && both && !this._locked && !this.hasAttribute("readonly"));
    if (on === Boolean(this._adjusting)) return;
    if (on) {
      this._annotator.setTool(null);
      if (this._mode !== "slider") this.mode = "slider";
    }
    this._adjusting = on;
    this._frame.classList.toggle("adjusting", on);
    this._nudge.hidden = !on;
    this._adjustButton.setAttribute("aria-pressed", String(on));
    if (on) {
      if (!this._alignment) {
        this._setAlignment({ matrix: this._rawMatrix(), model: "similarity", confidence: null, source: "manual" }, false);
      }
      this._frame.tabIndex = 0;
      this._frame.setAttribute("role", "application");
      this._frame.setAttribute(
        "aria-label",
        this._t("Adjust alignment: arrow keys move AFTER, [ and ] rotate it, - and + scale it, Escape when done"),
      );
      this._frame.focus({ preventScroll: true });
    } else {
      this._frame.removeAttribute("tabindex");
      this._frame.removeAttribute("role");
      this._frame.removeAttribute("aria-label");
    }
  }

  /** Moves, turns or scales AFTER by one step (about BEFORE's centre). */
  _nudgeBy(kind, big) {
    if (!this._adjusting) return;
    const b = this._photos.before;
    const step = big ? 10 : 1;
    const px = step * this._beforePerCss();
    let g;
    const about = (m) => {
      const [cx, cy] = [b.width / 2, b.height / 2];
      return mul3(mul3([[1, 0, cx], [0, 1, cy], [0, 0, 1]], m), [[1, 0, -cx], [0, 1, -cy], [0, 0, 1]]);
    };
    switch (kind) {
      case "left": g = [[1, 0, -px], [0, 1, 0], [0, 0, 1]]; break;
      case "right": g = [[1, 0, px], [0, 1, 0], [0, 0, 1]]; break;
      case "up": g = [[1, 0, 0], [0, 1, -px], [0, 0, 1]]; break;
      case "down": g = [[1, 0, 0], [0, 1, px], [0, 0, 1]]; break;
      case "cw":
      case "ccw": {
        const t = ((kind === "cw" ? 1 : -1) * step * 0.1 * Math.PI) / 180;
        g = about([[Math.cos(t), -Math.sin(t), 0], [Math.sin(t), Math.cos(t), 0], [0, 0, 1]]);
        break;
      }
      case "larger":
      case "smaller": {
        const f = 1 + (kind === "larger" ? 1 : -1) * step * 0.001;
        g = about([[f, 0, 0], [0, f, 0], [0, 0, 1]]);
        break;
      }
      default:
        return;
    }
    const m = mul3(g, this._alignment.matrix);
    this._setAlignment({ matrix: m, model: modelOf(m), confidence: null, source: "manual" });
  }

  // ----- coverage analysis -----

  /**
   * The latest coverage analysis: `{before: {coverage, uncertainty}, after: {...},
   * change_pp, change_uncertainty_pp, roi: {source, area_px, polygon},
   * alignment_confidence}` (coverage as fractions 0..1, change in percentage points,
   * polygon in BEFORE pixels, the alignment's confidence 0..1 or null), or `null` while
   * none is available.
   */
  get analysis() {
    return this._analysis && JSON.parse(JSON.stringify(this._analysis));
  }

  /** The drawn scalp region (BEFORE pixels, `[[x, y], ...]`), or `null` for automatic. */
  get region() {
    return this._region && this._region.map((p) => p.slice());
  }

  set region(points) {
    this.setRegion(points);
  }

  /** Sets the measured region (BEFORE pixels) or `null` for the automatic one; re-measures. */
  setRegion(points) {
    if (points !== null && points !== undefined) {
      const ok =
        Array.isArray(points) &&
        points.length >= 3 &&
        points.every((p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite));
      if (!ok) throw new TypeError("region must be null or at least 3 [x, y] points in BEFORE pixels");
      this._region = points.map((p) => p.slice());
    } else {
      this._region = null;
    }
    this._clearRegionButton.disabled = !this._region;
    this._renderDrawButton();
    this._drawOverlay();
    this._scheduleAnalysis(0);
    this._autosave();
  }

  _scheduleAnalysis(delay = 250) {
    clearTimeout(this._analysisTimer);
    ++this._analysisToken; // one still in flight is for what was there before
    this._analysisPending = Boolean(this._photos.before && this._photos.after && this._alignment);
    this._analysisTimer = setTimeout(() => this._analyze(), delay);
  }

  async _analyze() {
    const b = this._photos.before;
    const a = this._photos.after;
    const alignment = this._alignment;
    const token = ++this._analysisToken;
    if (!b || !a || !alignment) {
      this._analysisPending = false;
      this._setAnalysis(null, "");
      return;
    }
    this._analysisPending = true;
    this._summary.textContent = this._t("Measuring hair coverage\u2026");
    if (!Number.isFinite(alignment.confidence)) {
      // Made or set by hand: the photos' own detail says whether it lines them up.
      const scored = await ask("analysis", { kind: "score", before: b.photoId, after: a.photoId, matrix: alignment.matrix });
      // A newer alignment has its own analysis scheduled.
      if (token !== this._analysisToken || alignment !== this._alignment) return;
      if (scored.ok) alignment.confidence = scored.result;
      else this._unscorable = alignment; // (said as it is, without a score)
      if (!this._alignPending) this._renderChip(); // (a new automatic alignment says so meanwhile)
    }
    // A patient cannot draw a region: a refusal advises only a retake.
    const readonly = this.hasAttribute("readonly");
    const reply = await ask("analysis", {
      kind: "analyze",
      before: b.photoId,
      after: a.photoId,
      matrix: alignment.matrix,
      roi: this._region,
      retakeOnly: readonly,
    });
    if (token !== this._analysisToken) return;
    this._analysisPending = false;
    if (!reply.ok) {
      const error = { message: reply.message, readonly };
      // (Its advice is for the reader it was asked for; another, meanwhile, has it asked again.)
      if (readonly !== this.hasAttribute("readonly")) {
        this._setAnalysis(null, this._t("Measuring hair coverage\u2026"));
        this._analysisError = error;
        this._scheduleAnalysis(0);
        return;
      }
      const text = this._analysisErrorText(error);
      this._setAnalysis(null, text);
      this._analysisError = error;
      this._emit("analysis", { error: reply.message, text });
      return;
    }
    const r = reply.result;
    const analysis = {
      before: r.before,
      after: r.after,
      change_pp: r.change_pp,
      change_uncertainty_pp: r.change_uncertainty_pp,
      roi: r.roi,
      cells: r.cells,
      alignment_confidence: Number.isFinite(alignment.confidence) ? alignment.confidence : null,
      timing_ms: r.timing_ms,
    };
    this._setAnalysis(analysis, this._summaryText(analysis));
    this._emit("analysis", this.analysis);
  }

  /** Why the pair gave no number, in the reader's language. */
  _analysisErrorText(error = this._analysisError) {
    return this._t("Hair coverage could not be measured: {message}.", { message: this._t.message(error.message) });
  }

  _setAnalysis(analysis, text) {
    this._analysisError = null;
    if (!analysis && !text) {
      // Cleared: forget any measurement still scheduled or running.
      clearTimeout(this._analysisTimer);
      ++this._analysisToken;
      this._analysisPending = false;
    }
    this._analysis = analysis;
    this._summary.textContent = text;
    this._heatButton.disabled = !analysis;
    // In the change-map view the map comes (back) with the numbers it shows.
    if (!analysis || this._mode === "heatmap") this._setHeat(Boolean(analysis));
    this._drawOverlay();
  }

  /** The summary line again (another language, reader or lock): the figures, or that they are coming. */
  _renderSummary() {
    if (this._analysisPending) this._summary.textContent = this._t("Measuring hair coverage\u2026");
    else if (this._analysis) this._summary.textContent = this._summaryText(this._analysis);
    else if (this._analysisError) {
      // Its advice was chosen for the reader at the time (a patient is only told to
      // retake): another reader has it measured again.
      if (this._analysisError.readonly !== this.hasAttribute("readonly")) this._scheduleAnalysis(0);
      else this._summary.textContent = this._analysisErrorText();
    }
  }

  /**
   * One plain-language sentence, short enough for the lines reserved for it (the patient's,
   * in words, has more); a caution about a hand alignment may follow.
   */
  _summaryText(a) {
    const pct = (v) => `${Math.round(v * 100)}%`;
    const pp = (v) => this._t.num1(Math.abs(v));
    const t = this._t;
    const before = this._labelOf("before");
    const after = this._labelOf("after");
    const d = a.change_pp;
    const u = a.change_uncertainty_pp;
    const numbers = { pp: pp(d), u: pp(u), sign: d >= 0 ? "+" : "\u2212" };
    // The change said one of three ways: more hair, less, or no clear change (within its ±).
    const trend = (more, less, none) => t(d > u ? more : d < -u ? less : none, numbers);
    // An alignment made by hand that the photos' detail does not confirm: the change can
    // be a misalignment's (its uncertainty does not cover that). (A specialist who locked
    // the alignment has checked it.)
    const unconfirmed = this._locked ? null : unconfirmedPct(a.alignment_confidence);
    if (this.hasAttribute("readonly")) {
      // The patient's sentence: no symbols or jargon, and whom to ask.
      const change = trend(
        "more hair, up by about {pp} percentage points (give or take {u})",
        "less hair, down by about {pp} percentage points (give or take {u})",
        "no clear change (the photos cannot show a change smaller than about {u} percentage points)",
      );
      return (
        t(
          "In these photos hair covers about {b} of the scalp{where} at {before} and about {a} at {after}: {change}. An estimate from photos, not a diagnosis: your specialist can tell you what it means.",
          {
            b: pct(a.before.coverage),
            a: pct(a.after.coverage),
            where: a.roi.source === "given" ? t(" in the area your specialist marked") : "",
            before,
            after,
            change,
          },
        ) + (unconfirmed !== null ? t(" These photos may not be lined up well, so the change may be off.") : "")
      );
    }
    const direction = trend(
      "{pp} \u00b1 {u} points more hair",
      "{pp} \u00b1 {u} points less hair",
      "no clear change ({sign}{pp} \u00b1 {u} points)",
    );
    // Both are measured over the same scalp, as far as both photos show it (a visit's
    // point on the chart is over the first visit's whole region, so it can differ).
    const where = a.roi.source === "given" ? t(" in the drawn region") : t(" where both photos show the scalp");
    const caution =
      unconfirmed !== null
        ? t(" The photos' detail does not confirm this alignment (confidence {pct}%): check the overlay, and lock it once it is right.", {
            pct: unconfirmed,
          })
        : "";
    return (
      t(
        "Hair coverage {b} \u00b1 {bu} at {before}, {a} \u00b1 {au} at {after}: {direction}{where}. An estimate, not a diagnosis.",
        {
          b: pct(a.before.coverage),
          bu: pp(a.before.uncertainty * 100),
          a: pct(a.after.coverage),
          au: pp(a.after.uncertainty * 100),
          before,
          after,
          direction,
          where,
        },
      ) + caution
    );
  }

  _setHeat(on) {
    if (this._mode === "heatmap") on = true;
    this._heat = Boolean(on && this._analysis);
    this._heatButton.setAttribute("aria-pressed", String(this._heat));
    this._heatButton.textContent = this._t(this._heat ? "Hide change map" : "Show change map");
    // The change-map view is the map: a button to hide it there would do nothing.
    this._heatButton.hidden = this._mode === "heatmap";
    this._legend.hidden = !this._heat;
    this._drawOverlay();
  }

  /** BEFORE pixels -> frame CSS pixels: scale and offset of the contained BEFORE photo. */
  _beforeToCss(pane = this._pane("before")) {
    const b = this._photos.before;
    const W = this._frame.clientWidth;
    const H = this._frame.clientHeight;
    if (!b || !W || !H) return null;
    const s = Math.min(pane.w / b.width, pane.h / b.height);
    const z = this._zoom;
    return {
      s: s * z.s,
      ox: pane.x + z.s * (pane.w - b.width * s) / 2 + z.x,
      oy: pane.y + z.s * (pane.h - b.height * s) / 2 + z.y,
      W,
      H,
    };
  }

  /** The zoom of a pane as a matrix (pane-local scale about its corner, then pan). */
  _zoomMatrix(pane) {
    const z = this._zoom;
    return [
      [z.s, 0, pane.x * (1 - z.s) + z.x],
      [0, z.s, pane.y * (1 - z.s) + z.y],
      [0, 0, 1],
    ];
  }

  /**
   * Zooms by `factor` about a frame point (CSS px; default the centre of the
   * first pane), keeping that point still; clamps so the photos stay in view.
   */
  _zoomBy(factor, at) {
    const pane = this._pane("before");
    const z = this._zoom;
    const s = Math.min(MAX_ZOOM, Math.max(1, z.s * factor));
    const [fx, fy] = at ? [at[0] - (at[0] >= pane.x + pane.w ? this._pane("after").x - pane.x : 0), at[1]] : [pane.x + pane.w / 2, pane.y + pane.h / 2];
    // The pane-local point under (fx, fy) stays there.
    const lx = (fx - pane.x - z.x) / z.s;
    const ly = (fy - pane.y - z.y) / z.s;
    this._setZoom({ s, x: fx - pane.x - lx * s, y: fy - pane.y - ly * s });
  }

  /** Distance and midpoint (frame CSS px) of the two pointers of a pinch. */
  _pinchState() {
    const [[x0, y0], [x1, y1]] = [...this._pointers.values()];
    const r = this._frame.getBoundingClientRect();
    return { d: Math.max(1, Math.hypot(x1 - x0, y1 - y0)), mid: [(x0 + x1) / 2 - r.left, (y0 + y1) / 2 - r.top] };
  }

  _panBy(dx, dy) {
    this._setZoom({ ...this._zoom, x: this._zoom.x + dx, y: this._zoom.y + dy });
  }

  _setZoom({ s, x, y }) {
    const pane = this._pane("before");
    s = Math.min(MAX_ZOOM, Math.max(1, s));
    x = Math.min(0, Math.max(pane.w * (1 - s), x));
    y = Math.min(0, Math.max(pane.h * (1 - s), y));
    const z = this._zoom;
    if (z.s === s && z.x === x && z.y === y) return;
    this._zoom = { s, x, y };
    this._frame.classList.toggle("zoomed", s > 1);
    this._zoomLabel.textContent = `${Math.round(s * 100)}%`;
    this._zoomReset.hidden = s === 1;
    this._zoomLabel.hidden = s === 1;
    // Said once the zoom rests, not at every step of a pinch or a wheel turn, and only when
    // the level changed (not for a pan).
    clearTimeout(this._zoomSayTimer);
    this._zoomSayTimer = setTimeout(() => {
      const level = Math.round(this._zoom.s * 100);
      if (level === this._zoomSaidLevel) return;
      this._zoomSaidLevel = level;
      this._zoomSaid.textContent = this._t("Zoom {n}%", { n: level });
    }, ZOOM_SAY_MS);
    // While the view moves, draw fast (bilinear, AFTER's pixels kept and scaled by
    // its transform); once it rests, redraw at full quality and resolution.
    this._drawAll(true);
    clearTimeout(this._settleTimer);
    this._settleTimer = setTimeout(() => {
      this._drawAll();
      this._fullResolution();
    }, 150);
  }

  /**
   * Zoomed past the display copies' resolution: decode the photos whole (once,
   * in the worker) so zoom reaches their full resolution; back at 1x, let go.
   */
  _fullResolution() {
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    for (const side of SIDES) {
      const p = this._photos[side];
      if (!p) continue;
      if (this._zoom.s === 1) {
        if (p.full) {
          p.full.close();
          p.full = null;
          this._draw(side);
        }
        continue;
      }
      const toCss = side === "before" ? this._beforeToCss() : null;
      if (side === "before" && !toCss) continue; // not laid out (taken off the page)
      const shownPx = p.width * (toCss ? toCss.s : this._afterScale() * this._zoom.s) * dpr;
      if (p.full || p.fullPending || p.bitmap.width >= p.width || shownPx <= p.bitmap.width * 1.05) continue;
      p.fullPending = true;
      requestPhoto(p.source, { full: true }).then((reply) => {
        p.fullPending = false;
        if (!reply.ok) return; // the display copy stays; nothing is lost
        if (this._photos[side] !== p || this._zoom.s === 1) {
          reply.bitmap.close();
          return;
        }
        p.full = reply.bitmap;
        this._draw(side);
      });
    }
  }

  /** The zoom: `{scale, x, y}` (scale 1 = fitted; x, y the pan in CSS px). Set it to restore one. */
  get zoom() {
    return { scale: this._zoom.s, x: this._zoom.x, y: this._zoom.y };
  }

  set zoom(v) {
    if (!v) this._setZoom({ s: 1, x: 0, y: 0 });
    else this._setZoom({ s: Number(v.scale) || 1, x: Number(v.x) || 0, y: Number(v.y) || 0 });
  }

  /** The box (frame CSS px) a photo is shown in: the whole frame, or its half side by side. */
  _pane(side) {
    const W = this._frame.clientWidth;
    const H = this._frame.clientHeight;
    if (this._mode !== "side-by-side") return { x: 0, y: 0, w: W, h: H };
    const w = Math.max(1, (W - SIDE_GAP) / 2);
    return { x: side === "before" ? 0 : W - w, y: 0, w, h: H };
  }

  /** BEFORE pixels -> frame CSS px, as a matrix, for BEFORE laid into a pane. */
  _beforeMatrix(pane) {
    const m = this._beforeToCss(pane);
    return m && [
      [m.s, 0, m.ox],
      [0, m.s, m.oy],
      [0, 0, 1],
    ];
  }

  /** CSS px of the AFTER canvas per AFTER photo pixel. */
  _afterScale() {
    const a = this._photos.after;
    const pane = this._pane("after");
    return Math.min(pane.w / a.width, pane.h / a.height);
  }

  /**
   * Where annotations are drawn: one panel (the frame) in most views, two side
   * by side. Each maps either photo into it (null when it cannot: unaligned).
   */
  _panels() {
    const whole = { clip: null, primary: ["before", "after"], map: (photo) => this._photoToFrame(photo) };
    if (this._mode !== "side-by-side") return [whole];
    const M = this._alignment && this._alignment.matrix;
    const left = this._pane("before");
    const right = this._pane("after");
    const toLeft = this._beforeMatrix(left);
    const toRight = this._beforeMatrix(right);
    return [
      {
        clip: left,
        primary: ["before"],
        map: (photo) => (photo === "before" ? toLeft : M && toLeft && mul3(toLeft, M)),
      },
      {
        clip: right,
        primary: ["after"],
        map: (photo) => (photo === "after" ? this._photoToFrame("after") : M && toRight),
      },
    ];
  }

  /** The change map, the measured region and a region being drawn, over the photos. */
  _drawOverlay() {
    const canvas = this._overlay;
    const m = this._beforeToCss();
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    if (!m) return;
    const bw = Math.round(m.W * dpr);
    const bh = Math.round(m.H * dpr);
    if (canvas.width !== bw || canvas.height !== bh) {
      canvas.width = bw;
      canvas.height = bh;
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, bw, bh);
    ctx.setTransform(dpr * m.s, 0, 0, dpr * m.s, dpr * m.ox, dpr * m.oy);
    const a = this._analysis;
    if (this._heat && a) {
      const c = a.cells;
      for (let row = 0; row < c.rows; row++) {
        for (let col = 0; col < c.cols; col++) {
          const d = c.change_pp[row * c.cols + col];
          if (d === null || d === undefined) continue;
          const alpha = Math.min(Math.abs(d) / 30, 1) * 0.7;
          if (alpha < 0.02) continue;
          ctx.fillStyle = d > 0 ? `rgba(0, 114, 178, ${alpha})` : `rgba(230, 159, 0, ${alpha})`;
          ctx.fillRect(c.x0 + col * c.cell_w, c.y0 + row * c.cell_h, c.cell_w + 0.5, c.cell_h + 0.5);
        }
      }
    }
    if (this._drawing && this._regionCursor) {
      const [x, y] = this._regionCursor;
      const r = 10 / m.s;
      ctx.lineWidth = 3 / m.s;
      ctx.strokeStyle = "#000000";
      ctx.beginPath();
      ctx.moveTo(x - r, y);
      ctx.lineTo(x + r, y);
      ctx.moveTo(x, y - r);
      ctx.lineTo(x, y + r);
      ctx.stroke();
      ctx.lineWidth = 1.5 / m.s;
      ctx.strokeStyle = "#ffffff";
      ctx.stroke();
    }
    const outline = this._drawing ? this._draft : this._region;
    if (outline && outline.length) {
      ctx.lineWidth = 2 / m.s;
      ctx.strokeStyle = "#ffffff";
      ctx.setLineDash([6 / m.s, 4 / m.s]);
      ctx.beginPath();
      outline.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      if (!this._drawing || this._editing) ctx.closePath();
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = "#ffffff";
      outline.forEach(([x, y], i) => {
        // Corners are grips while drawing; the one held is larger.
        const r = this._drawing ? (i === this._held ? 7 : 5) : 3;
        ctx.beginPath();
        ctx.arc(x, y, r / m.s, 0, Math.PI * 2);
        ctx.fill();
        if (this._drawing) {
          ctx.lineWidth = 1.5 / m.s;
          ctx.strokeStyle = "#000000";
          ctx.stroke();
        }
      });
    }
  }

  _setDrawing(on) {
    on = Boolean(on && this._photos.before && !this.hasAttribute("readonly"));
    if (on) {
      this._setAdjusting(false);
      this._annotator.setTool(null);
    }
    this._drawing = on;
    // With a region drawn before, its corners are edited (the outline stays closed).
    this._editing = Boolean(on && this._region);
    this._draft = this._editing ? this._region.map((p) => p.slice()) : [];
    this._held = null;
    this._heldPointer = null;
    this._justAdded = null;
    this._drawTouch = null;
    this._regionCursor = null;
    this._frame.classList.toggle("drawing", on);
    this._renderDrawButton();
    if (on) {
      this._frame.tabIndex = 0;
      this._frame.setAttribute("role", "application");
      this._frame.setAttribute(
        "aria-label",
        this._t(
          this._editing
            ? "Edit the scalp region: drag a corner to move it, click beside an edge to add a corner there (or move the cross with the arrow keys; Space picks up or drops the corner under it, or adds one); Backspace removes the corner under the cross; Enter or double-click finishes; Escape cancels"
            : "Draw the scalp region: click its corners (or move the cross with the arrow keys and press Space), then Enter or double-click to finish; Backspace removes a corner; Escape cancels",
        ),
      );
      this._frame.focus({ preventScroll: true });
    } else if (!this._adjusting) {
      // The keyboard stays in the widget: on the button that starts drawing again.
      if (this.shadowRoot.activeElement === this._frame) this._drawButton.focus({ preventScroll: true });
      this._frame.removeAttribute("tabindex");
      this._frame.removeAttribute("role");
      this._frame.removeAttribute("aria-label");
    }
    this._drawOverlay();
  }

  /** Says what a key did to the region being drawn (screen readers; `news` is English). */
  _announceRegion(news) {
    this._regionNews.textContent = this._t(news);
  }

  _renderDrawButton() {
    this._drawButton.setAttribute("aria-pressed", String(Boolean(this._drawing)));
    this._drawButton.textContent = this._t(
      this._drawing ? "Finish region" : this._region ? "Edit scalp region" : "Draw scalp region",
    );
  }

  /** The index of the draft corner within `reach` BEFORE pixels of `p`, or null. */
  _cornerNear(p, reach) {
    let best = null;
    let bestD = reach;
    this._draft.forEach((q, i) => {
      const d = Math.hypot(q[0] - p[0], q[1] - p[1]);
      if (d <= bestD) {
        best = i;
        bestD = d;
      }
    });
    return best;
  }

  /**
   * Adds a corner at `p` (BEFORE pixels): at the end while drawing, into the nearest
   * edge while editing a closed region. Not on top of a corner already there.
   */
  _addCorner(p) {
    const d = this._draft;
    if (this._cornerNear(p, 3 * this._beforePerCss()) !== null) return null;
    if (!this._editing || d.length < 3) {
      d.push(p);
      return d.length - 1;
    }
    let at = 0;
    let best = Infinity;
    d.forEach((a, i) => {
      const b = d[(i + 1) % d.length];
      const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
      const t = Math.min(1, Math.max(0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
      const dist = Math.hypot(a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
      if (dist < best) {
        best = dist;
        at = i + 1;
      }
    });
    d.splice(at, 0, p);
    if (this._held !== null && this._held >= at) this._held += 1;
    return at;
  }

  /**
   * A second finger came down while the first one, `first`, draws the region:
   * the two pinch to zoom and move the photos instead. The corner the first
   * finger added goes again, and a corner it picked up but has not yet moved
   * goes back where it was.
   */
  _pinchWhileDrawing(first, event) {
    this._drawTouch = null;
    if (first.added !== null) {
      this._draft.splice(first.added, 1);
      // A corner held from the keyboard moved up one when this one went in.
      if (this._held !== null && this._held > first.added) this._held -= 1;
    }
    if (first.held !== null && this._heldPointer === first.id) {
      if (!first.moved && first.from) this._draft[first.held] = first.from;
      this._heldPointer = null;
      this._held = null;
    }
    this._justAdded = null;
    this._startPinch(first, event);
    this._drawOverlay();
  }

  /**
   * A finger that comes down while another from a pinch is still down (one was
   * lifted and put back) rejoins the pinch; false when no pinch finger is down.
   */
  _joinPinch(event) {
    if (!this._pointers.size || this._pointers.has(event.pointerId)) return false;
    this._pointers.set(event.pointerId, [event.clientX, event.clientY]);
    try {
      this._frame.setPointerCapture(event.pointerId);
    } catch {
      // the pointer of the event being handled is down; nothing to do if not
    }
    this._setPan(null);
    this._pinch = this._pointers.size === 2 ? this._pinchState() : null;
    return true;
  }

  /**
   * Two fingers now pinch the photos: `first` ({id, x, y} where it came down,
   * {cx, cy} where it is now) and the pointer of `event`, whatever either was
   * doing before (a tap, drawing the region, an annotation).
   */
  _startPinch(first, event) {
    this._pointers.clear();
    this._pointers.set(first.id, [first.cx ?? first.x, first.cy ?? first.y]);
    this._pointers.set(event.pointerId, [event.clientX, event.clientY]);
    for (const id of [...this._pointers.keys()]) {
      try {
        this._frame.setPointerCapture(id);
      } catch {
        this._pointers.delete(id); // the first finger is gone already: no pinch to join
      }
    }
    this._setPan(null);
    this._pinch = this._pointers.size === 2 ? this._pinchState() : null;
  }

  /**
   * The pointer that pans a zoomed view ({id, x, y, moved, middle}), or null; a
   * middle-button pan shows the grabbing cursor while it lasts.
   */
  _setPan(pan) {
    this._pan = pan;
    this._frame.classList.toggle("panning", Boolean(pan && pan.middle));
  }

  /** Ends drawing: three or more corners become the region. */
  _finishRegion() {
    const pts = this._draft || [];
    if (pts.length > 0 && pts.length < 3 && this._shortFinish !== pts.length) {
      // Kept, and still drawing: the corners placed are not thrown away. Asked again with no
      // corner added, drawing stops (a touch screen has no Escape).
      this._shortFinish = pts.length;
      this._annotateStatus.textContent = this._t(
        "A region needs at least three corners; {n} placed. Add another, or press Finish region again to stop without one.",
        { n: pts.length },
      );
      return;
    }
    this._shortFinish = null;
    this._setDrawing(false);
    if (pts.length >= 3) this.setRegion(pts);
  }

  // ----- visits over time -----

  /**
   * The patient's visits, oldest first: `[{src, date, label}]`. Setting shows the
   * first and last as BEFORE and AFTER, aligns every visit to the first (once,
   * cached) and measures its coverage for the chart. Child `<img data-date>`
   * elements set it too.
   */
  get visits() {
    return this._visits.map((v) => ({ ...v }));
  }

  set visits(list) {
    if (!Array.isArray(list)) throw new TypeError("visits must be an array of {src, date, label}");
    const visits = list.map((v, i) => {
      if (!v || typeof v.src !== "string" || !v.src) throw new TypeError(`visit ${i + 1} needs a src URL`);
      const date = v.date ? String(v.date) : "";
      const label = v.label ? String(v.label) : date;
      return { src: new URL(v.src, document.baseURI).href, date, label };
    });
    // Oldest first (undated visits keep their place after the dated ones), and a visit
    // with neither label nor date named by its place on the timeline.
    visits.sort((a, b) => (a.date && b.date ? a.date.localeCompare(b.date) : a.date ? -1 : b.date ? 1 : 0));
    visits.forEach((v, i) => {
      if (!v.label) v.label = this._t("Visit {n}", { n: i + 1 });
    });
    this._visits = visits;
    this._progress = visits.map(() => null);
    this._picks = visits.length >= 2 ? [0, visits.length - 1] : [];
    this._visitsBox.hidden = visits.length < 2;
    this._renderTimeline();
    if (visits.length >= 2) this._showPicked();
    // A hand alignment already shown for the first visit and a later one (restored before
    // the page set its visits) is the one the chart measures that visit through.
    this._chartHandAlignment(false);
    this._measureVisits();
  }

  /** Coverage measured at each visit (over the first visit's scalp region): `[{date, label, coverage, uncertainty} | null]`. */
  get progress() {
    return this._visits.map((v, i) => {
      const p = this._progress[i];
      if (!p) return null;
      const out = { date: v.date, label: v.label, coverage: p.coverage, uncertainty: p.uncertainty };
      // Measured through an alignment made or set by hand: how well the photos' detail
      // confirms it (0..1, null when it could not be judged).
      if (p.hand) {
        out.alignment_confidence = Number.isFinite(p.hand.confidence) ? p.hand.confidence : null;
        out.alignment_locked = Boolean(p.hand.locked); // checked by the specialist
      }
      return out;
    });
  }

  _readChildVisits() {
    const imgs = [...this.querySelectorAll("img[data-date]")];
    if (imgs.length < 2) return;
    const list = imgs.map((img) => ({ src: img.getAttribute("src"), date: img.dataset.date, label: img.alt || img.dataset.date }));
    const same = JSON.stringify(list.map((v) => [new URL(v.src, document.baseURI).href, v.date])) ===
      JSON.stringify(this._visits.map((v) => [v.src, v.date]));
    if (!same) this.visits = list;
  }

  /** Picks a visit on the timeline: the last two picked are compared, older as BEFORE. */
  pickVisit(index) {
    if (!this._visits[index]) return;
    if (this._picks.includes(index)) return;
    this._picks = [this._picks[this._picks.length - 1], index].filter((i) => i !== undefined);
    this._renderTimeline();
    this._showPicked();
  }

  /**
   * Shows the picked pair. A visit's label and date go on a side once its photo is
   * there: a visit whose photo cannot be loaded is not picked (the message says why),
   * and the photo shown keeps its own label and date.
   */
  _showPicked() {
    if (this._picks.length < 2) return;
    const picks = this._picks;
    const [i, j] = [...picks].sort((a, b) => a - b);
    const loads = [["before", this._visits[i]], ["after", this._visits[j]]].map(([side, v]) => {
      const label = () => {
        this.setAttribute(`${side}-label`, v.label);
        if (v.date) this.setAttribute(`${side}-date`, v.date);
        else this.removeAttribute(`${side}-date`);
      };
      const shown = this._photos[side];
      if (shown && shown.src === v.src) {
        this._cancelLoad(side); // an earlier pick's photo still on its way must not replace it
        this._fromAttr[side] = false; // the visit's now
        label();
        return Promise.resolve(true);
      }
      return this.load(side, v.src).then((loaded) => {
        const now = this._photos[side];
        if (loaded && now && now.src === v.src) label();
        return loaded;
      });
    });
    Promise.all(loads).then((loaded) => {
      if (this._picks !== picks || loaded.every(Boolean)) return; // done, or picked again since
      // A photo could not be loaded: the visits shown stay picked (the message says why).
      const showing = SIDES.map((s) => this._photos[s] && this._visits.findIndex((w) => w.src === this._photos[s].src));
      this._picks = showing.filter((k) => Number.isInteger(k) && k >= 0);
      this._renderTimeline();
    });
  }

  /** Forgets the photo still being loaded on a side, if any: its reply will be dropped. */
  _cancelLoad(side) {
    if (!this._loading[side]) return;
    ++this._loadSeq[side];
    this._loading[side] = 0;
    this._renderMessage();
  }

  _renderTimeline() {
    const [i, j] = [...this._picks].sort((a, b) => a - b);
    this._timeline.replaceChildren();
    this._visits.forEach((v, k) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "visit";
      const role = k === i ? "BEFORE" : k === j ? "AFTER" : "";
      b.setAttribute("aria-pressed", String(Boolean(role)));
      const label = document.createElement("span");
      label.dir = "auto"; // a page's own name for the visit, in its own script
      label.textContent = v.label;
      b.append(label);
      if (role) {
        const badge = document.createElement("span");
        badge.className = "badge";
        badge.textContent = this._t(role);
        b.append(badge);
      }
      b.setAttribute("aria-label", role ? this._t("{label}, shown as {role}", { label: v.label, role: this._t(role) }) : v.label);
      b.addEventListener("click", () => {
        this.pickVisit(k);
        const again = this._timeline.children[k];
        if (again) again.focus();
      });
      this._timeline.append(b);
    });
  }

  /** An alignment known for this pair: measured before, or composed through the first visit. */
  _cachedAlignment(beforeSrc, afterSrc) {
    if (!beforeSrc || !afterSrc) return null;
    const direct = this._alignCache.get(`${beforeSrc}|${afterSrc}`);
    if (direct) return direct;
    const first = this._visits[0] && this._visits[0].src;
    if (!first) return null;
    const toFirst = (src) =>
      src === first ? { matrix: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], confidence: 1 } : this._alignCache.get(`${first}|${src}`);
    const b = toFirst(beforeSrc);
    const a = toFirst(afterSrc);
    const inv = b && inv3(b.matrix);
    if (!a || !inv) return null;
    const m = mul3(inv, a.matrix);
    const k = m[2][2];
    const matrix = m.map((r) => r.map((x) => x / k));
    return { matrix, model: modelOf(matrix), confidence: Math.min(a.confidence, b.confidence) };
  }

  /**
   * Aligns every visit to the first (once) and measures each one's coverage, in the
   * background. A visit that cannot be measured is noted with the reason, for the chart.
   */
  async _measureVisits() {
    const token = (this._visitsToken = (this._visitsToken || 0) + 1);
    // A report waits for the chart (`_settled`).
    this._visitsBusy = this._visits.length >= 2;
    try {
      await this._measureVisitsNow(token);
    } finally {
      if (token === this._visitsToken) this._visitsBusy = false;
    }
  }

  /** [`_measureVisits`] under its `token` (a newer call makes this one stop). */
  async _measureVisitsNow(token) {
    const visits = this._visits;
    // (In English; translated when drawn, so a change of language reaches them.)
    this._visitNotes = visits.map(() => null);
    this._renderChart(); // the last visits' points and notes go at once
    if (visits.length < 2) return;
    const current = () => token === this._visitsToken;
    const note = (i, reason) => {
      if (!current()) return;
      this._visitNotes[i] = reason;
      // The point measured before (another alignment) goes: the reason is what holds now.
      const had = Boolean(this._progress[i]);
      this._progress[i] = null;
      this._renderChart();
      if (had) this._emit("progress", { progress: this.progress });
    };
    const shown = {}; // each visit's photo as loaded here (its size and bytes key its saved work)
    const copy = async (i) => {
      const reply = await requestPhoto(visits[i].src);
      if (reply.bitmap) reply.bitmap.close(); // only the working copy is needed here
      if (!reply.ok) note(i, reply.message);
      shown[i] = reply.ok ? { ...reply, ...namesOfUrl(new URL(visits[i].src)) } : null;
      return reply.ok ? reply.photoId : null;
    };
    const first = await copy(0);
    // Every later visit is measured over the first one's region, through the alignment.
    const FIRST_NOT_MEASURED = "the first visit, which every visit is measured against, could not be measured";
    let firstMeasured = false;
    if (first && current()) {
      // The first visit over its own whole scalp region.
      const reply = await ask("analysis", { kind: "measure", photo: first, roi: null });
      if (reply.ok && current()) {
        firstMeasured = true;
        this._progress[0] = { coverage: reply.result.coverage, uncertainty: reply.result.uncertainty };
        this._renderChart();
      } else if (!reply.ok) note(0, reply.message);
    }
    if (!first) {
      for (let i = 1; i < visits.length; i++) note(i, FIRST_NOT_MEASURED);
      return;
    }
    for (let i = 1; i < visits.length; i++) {
      if (!current()) break;
      const other = await copy(i);
      if (!other) continue;
      const key = `${visits[0].src}|${visits[i].src}`;
      // Aligned even when the first visit cannot be measured: pairs of later visits are
      // aligned through the first.
      // A hand alignment: the one made here for that pair, else one saved with the pair's
      // work in this browser (made when it was shown, perhaps before a reload).
      let known = this._handAlign.get(key);
      if (!known && key !== this._shownVisitKey()) {
        known = this._savedHandAlignment(shown[0], shown[i]);
        if (known) this._handAlign.set(key, known);
      }
      known ||= this._alignCache.get(key);
      if (known && known.hand && !Number.isFinite(known.confidence)) {
        // Made or set by hand: the photos' own detail says whether it lines them up (as
        // for the comparison's own figures).
        const scored = await ask("analysis", { kind: "score", before: first, after: other, matrix: known.matrix });
        if (scored.ok) known.confidence = scored.result;
      }
      if (!known) {
        const reply = await ask("analysis", { kind: "align", before: first, after: other, request: { model: this._alignModel() } });
        if (reply.ok && reply.result.reliable) {
          const r = reply.result;
          known = { matrix: r.matrix, model: r.model, confidence: r.confidence };
          this._alignCache.set(key, known);
        }
      }
      if (!firstMeasured) note(i, FIRST_NOT_MEASURED);
      else if (!known) note(i, "it could not be aligned with the first visit");
      else if (current()) {
        const reply = await ask("analysis", { kind: "analyze", before: first, after: other, matrix: known.matrix, roi: null, whole: true });
        if (reply.ok && current()) {
          // The first visit's coverage plus the change measured where both photos show the
          // scalp: a visit framed tighter or wider is not read as hair gained or lost (its
          // own coverage is over less of the scalp than the first visit's whole region), and
          // the chart's step from the first visit is the comparison's change for that pair.
          // Its uncertainty: the first visit's and the change's together.
          const { coverage: start, uncertainty: u0 } = this._progress[0];
          const coverage = Math.min(1, Math.max(0, start + reply.result.change_pp / 100));
          const uncertainty = Math.hypot(u0, reply.result.change_uncertainty_pp / 100);
          this._progress[i] = { coverage, uncertainty };
          // (The alignment itself: a lock set on it later still reaches the point.)
          if (known.hand) this._progress[i].hand = known;
          this._renderChart();
          this._emit("progress", { progress: this.progress });
        } else if (!reply.ok) note(i, reply.message);
      }
      freePhoto(other);
    }
    freePhoto(first);
  }

  /**
   * Each visit as the chart and the report show it: `{label, coverage, uncertainty}`
   * once measured, `{label, note}` (the reason, translated) when it cannot be, else
   * `{label, pending: true}`.
   */
  _visitStates() {
    const notes = this._visitNotes || [];
    return this._visits.map((v, i) => {
      const p = this._progress[i];
      // `unconfirmed`: measured through a hand alignment the photos' detail does not
      // confirm (a locked one the specialist has checked).
      if (p) return { label: v.label, coverage: p.coverage, uncertainty: p.uncertainty, unconfirmed: unconfirmedPct(p.hand && !p.hand.locked ? p.hand.confidence : null) };
      return notes[i] ? { label: v.label, note: this._t.message(notes[i]) } : { label: v.label, pending: true };
    });
  }

  /** The coverage-over-time chart, with a table for screen readers. */
  _renderChart() {
    const points = this._visitStates();
    const measured = (p) => !p.note && !p.pending;
    // Shown once two visits are measured, or as soon as one cannot be: then it says why.
    this._chart.hidden = points.length < 2 || (points.filter(measured).length < 2 && !points.some((p) => p.note));
    const svgEl = this._chart.querySelector("svg");
    const body = this._chart.querySelector("tbody");
    const list = this._chart.querySelector(".chart-notes");
    svgEl.replaceChildren();
    body.replaceChildren();
    list.replaceChildren();
    if (this._chart.hidden) return;
    for (const p of points) {
      if (!p.note && !Number.isFinite(p.unconfirmed)) continue;
      const item = document.createElement("li");
      item.textContent = p.note
        ? this._t("{visit}: not measured: {reason}", { visit: p.label, reason: p.note })
        : this._t(UNCONFIRMED_VISIT, { visit: p.label, pct: p.unconfirmed });
      list.append(item);
    }
    list.hidden = !list.children.length;
    const NS = "http://www.w3.org/2000/svg";
    const el = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      svgEl.append(e);
      return e;
    };
    // Drawn at the chart's own width, one unit a CSS pixel, so its text stays readable
    // on a phone (a fixed drawing scaled down to a phone's width shrank it to 6 px).
    const width = chartWidth(this._chart);
    this._chartWidth = width;
    svgEl.setAttribute("viewBox", `0 0 ${width} 180`);
    const ctx = (this._measure ||= document.createElement("canvas").getContext("2d"));
    ctx.font = CHART_FONT;
    const { L, R, B, px: x, py: y, labels } = chartLayout(
      points.map((p) => p.label),
      { x: 0, w: width, top: 14, bottom: 150 },
      { left: 44, right: 20 },
      (text) => ctx.measureText(text).width,
    );
    for (const pct of CHART_GRID) {
      el("line", { x1: L, x2: R, y1: y(pct), y2: y(pct), class: "grid" });
      el("text", { x: L - 6, y: y(pct) + 4, class: "tick", "text-anchor": "end" }, `${pct * 100}%`);
    }
    for (const label of labels) {
      const text = el("text", { x: label.x, y: B + 20, class: "tick", "text-anchor": "middle" }, label.text);
      const whole = points[label.index].label;
      if (label.text !== whole) {
        // Shortened to fit: the whole label on hover (the table below has it for screen readers).
        const title = document.createElementNS(NS, "title");
        title.textContent = whole;
        text.append(title);
      }
    }
    let path = "";
    points.forEach((p, i) => {
      const row = document.createElement("tr");
      const th = document.createElement("th");
      th.textContent = p.label;
      const td = document.createElement("td");
      td.textContent = measured(p)
        ? `${Math.round(p.coverage * 100)}% \u00b1 ${this._t.num1(p.uncertainty * 100)}` +
          (Number.isFinite(p.unconfirmed) ? ` (${this._t("alignment not confirmed")})` : "")
        : p.note
          ? this._t("not measured: {reason}", { reason: p.note })
          : this._t("not measured");
      row.append(th, td);
      body.append(row);
      if (!measured(p)) return;
      path += `${path ? "L" : "M"}${x(i).toFixed(1)},${y(p.coverage).toFixed(1)}`;
      const [lo, hi] = [y(p.coverage - p.uncertainty), y(p.coverage + p.uncertainty)];
      el("line", { x1: x(i), x2: x(i), y1: lo, y2: hi, class: "bar" });
      for (const yy of [lo, hi]) el("line", { x1: x(i) - 7, x2: x(i) + 7, y1: yy, y2: yy, class: "cap" });
      // A point the alignment's detail does not confirm is drawn hollow (its note says why).
      const cls = Number.isFinite(p.unconfirmed) ? "point unconfirmed" : "point";
      el("circle", { cx: x(i), cy: y(p.coverage), r: 3.5, class: cls, "data-coverage": p.coverage });
    });
    svgEl.prepend(el("path", { d: path, class: "trend" })); // behind the points
  }

  // ----- SALT-style estimate from four views -----

  /** The last SALT-style estimate made (`saltEstimate`), or null. */
  get salt() {
    return this._salt ? structuredClone(this._salt) : null;
  }

  /**
   * A SALT-style estimate of hair loss from four views of one visit,
   * `{top, back, left, right}`, each a URL or a Blob. Each view is measured over its
   * automatically found scalp in the analysis worker, then weighted 40/24/18/18.
   * Resolves with `{label, loss_percent, uncertainty_pp, views}` (also the `salt`
   * property and a `salt` event). Rejects with an Error naming the view that could
   * not be measured; the estimate made before is kept.
   */
  async saltEstimate(views) {
    if (!views || typeof views !== "object") {
      throw new TypeError("saltEstimate needs the four views: {top, back, left, right}");
    }
    const sources = {};
    for (const view of SALT_VIEWS) {
      const v = views[view];
      if (v instanceof Blob) sources[view] = v;
      else if (typeof v === "string" && v) {
        try {
          sources[view] = new URL(v, document.baseURI).href;
        } catch {
          throw new TypeError(`saltEstimate: the ${view} view's URL is not valid: ${v}`);
        }
      } else throw new TypeError(`saltEstimate needs the ${view} view (a URL or a file)`);
    }
    const token = (this._saltToken = (this._saltToken || 0) + 1);
    const line = this._saltLine;
    const current = () => token === this._saltToken;
    // A newer call takes over: this one stops at its next step.
    const superseded = () => new Error("replaced by a newer SALT-style estimate");
    this._saltBusy = true;
    // The pictures shown are the last estimate's until this one is made.
    this._saltFigures.setAttribute("aria-busy", "true");
    this._saltFigures.classList.add("stale");
    const readings = {};
    const thumbs = {};
    // The next view decodes in the loading worker while this one is measured (one at a
    // time ahead: four 12 MP photos at once would be too much for a phone's memory).
    const load = async (view) => {
      const loaded = await requestPhoto(sources[view]);
      if (loaded.bitmap) {
        // Only the working copy is measured; a small copy is kept to show the view
        // (without it, when the browser cannot make one, the view is named only).
        try {
          thumbs[view] = thumbnail(loaded.bitmap, THUMB_SIDE);
        } catch {
          thumbs[view] = null;
        } finally {
          loaded.bitmap.close();
        }
      }
      return loaded;
    };
    const free = (loaded) => {
      if (loaded.ok) freePhoto(loaded.photoId);
    };
    let next = load(SALT_VIEWS[0]);
    try {
      for (const [k, view] of SALT_VIEWS.entries()) {
        if (current()) line.textContent = this._t("Measuring the four views\u2026 ({n} of 4)", { n: k + 1 });
        const loaded = await next;
        if (!current()) {
          free(loaded);
          next = null;
          throw superseded();
        }
        next = k + 1 < SALT_VIEWS.length ? load(SALT_VIEWS[k + 1]) : null;
        if (!loaded.ok) throw this._viewError(view, loaded.message);
        const reply = await ask("analysis", { kind: "measure", photo: loaded.photoId, roi: null });
        free(loaded);
        if (!current()) throw superseded();
        if (!reply.ok) throw this._viewError(view, reply.message);
        readings[view] = { coverage: reply.result.coverage, uncertainty: reply.result.uncertainty };
      }
      // In the order the core weighs them: coverage and uncertainty of each view.
      const flat = SALT_VIEWS.flatMap((view) => [readings[view].coverage, readings[view].uncertainty]);
      const reply = await ask("analysis", { kind: "salt", readings: flat });
      if (!reply.ok) throw new Error(reply.message);
      if (!current()) throw superseded();
      this._saltBusy = false;
      this._salt = reply.result;
      this._saltThumbs = thumbs;
      this._saltError = null;
      this._renderSaltLine();
      this._saltKey = this._storageKey(); // it is kept with the pair it was made beside
      this._autosave();
      this._emit("salt", this.salt);
      return structuredClone(reply.result);
    } catch (error) {
      if (next) next.then(free); // a view already on its way is not kept
      if (current()) {
        this._saltBusy = false;
        this._saltError = error.message;
        this._renderSaltLine();
        this._emit("salt", { error: error.message, text: this._saltLine.textContent });
      }
      throw error;
    }
  }

  /**
   * The line under the comparison: the last estimate, or why the last attempt failed;
   * under it, the four views of the last estimate made here, each with its reading.
   */
  _renderSaltLine() {
    this._renderSaltViews();
    const est = this._salt ? this._saltText(this._salt) : "";
    if (this._saltError === null) {
      this._saltLine.textContent = est;
      return;
    }
    const kept = est ? ` ${this._t("The last estimate stands: {text}", { text: est })}` : "";
    this._saltLine.textContent = `${this._t("No SALT-style estimate: {message}", { message: this._saltError })}${kept}`;
  }

  /** Each view's caption: its name and weight, and its reading. */
  _saltCaption(view) {
    const r = this._salt.views[view];
    return {
      title: this._t("{view}, weight {weight}%", { view: this._t(VIEW_NAMES[view]), weight: Math.round(r.weight * 100) }),
      reading: this._t("{coverage}% hair coverage \u00b1 {unc} points", {
        coverage: Math.round(r.coverage * 100),
        unc: this._t.num1(r.uncertainty * 100),
      }),
    };
  }

  /** The four views of the last estimate made here for the report (a picture may be missing), or null. */
  _saltViewsForReport() {
    const thumbs = this._salt && this._saltThumbs;
    if (!thumbs) return null;
    return SALT_VIEWS.map((view) => ({ image: thumbs[view] || null, ...this._saltCaption(view) }));
  }

  /** The four views of the last estimate made here (not of one opened from a session). */
  _renderSaltViews() {
    const est = this._salt;
    const thumbs = est && this._saltThumbs;
    this._saltFigures.removeAttribute("aria-busy");
    this._saltFigures.classList.remove("stale");
    this._saltFigures.hidden = !thumbs;
    this._saltFigures.setAttribute("aria-label", this._t("The four views"));
    if (!thumbs) {
      this._saltFigures.replaceChildren();
      return;
    }
    this._saltFigures.replaceChildren(
      ...SALT_VIEWS.map((view) => {
        const figure = document.createElement("figure");
        const name = this._t(VIEW_NAMES[view]);
        const canvas = thumbs[view];
        if (canvas) {
          canvas.setAttribute("role", "img");
          canvas.setAttribute("aria-label", name);
          figure.append(canvas);
        }
        const text = this._saltCaption(view);
        const caption = document.createElement("figcaption");
        const title = document.createElement("strong");
        title.textContent = text.title;
        const reading = document.createElement("span");
        reading.textContent = text.reading;
        caption.append(title, reading);
        figure.append(caption);
        return figure;
      }),
    );
  }

  /** An Error for a view that could not be loaded or measured, naming the view. */
  _viewError(view, message) {
    return new Error(this._t("{view}: {message}", { view: this._t(`${view} view`), message: this._t.message(message) }));
  }

  _saltText(est) {
    const pct = (view) => Math.round(est.views[view].coverage * 100);
    return this._t(
      "{label}: {loss}% of the scalp without visible hair \u00b1 {unc} points (hair coverage: top {top}%, back {back}%, left {left}%, right {right}%).",
      {
        label: this._t(est.label),
        loss: this._t.num1(est.loss_percent),
        unc: this._t.num1(est.uncertainty_pp),
        top: pct("top"),
        back: pct("back"),
        left: pct("left"),
        right: pct("right"),
      },
    );
  }

  /** Child `<img data-view="top|back|left|right">`: with all four, they are estimated. */
  _readChildViews() {
    const srcs = SALT_VIEWS.map((view) => {
      const img = this.querySelector(`img[data-view="${view}"]`);
      // The resolved URL (a src that is not a valid URL is named by saltEstimate).
      return img && img.getAttribute("src") ? img.src : null;
    });
    if (srcs.includes(null)) return;
    const key = JSON.stringify(srcs);
    if (key === this._saltViews) return;
    this._saltViews = key;
    const [top, back, left, right] = srcs;
    // A failure is shown in the widget and sent as a `salt` event.
    this.saltEstimate({ top, back, left, right }).catch(() => {});
  }

  // ----- annotations, sessions, reports -----

  /** Photo pixels -> frame CSS pixels for one photo (null when it is not loaded). */
  _photoToFrame(photo) {
    const p = this._photos[photo];
    const W = this._frame.clientWidth;
    const H = this._frame.clientHeight;
    if (!p || !W || !H) return null;
    if (photo === "before") {
      const m = this._beforeToCss();
      return [
        [m.s, 0, m.ox],
        [0, m.s, m.oy],
        [0, 0, 1],
      ];
    }
    return this._afterPhotoToFrame();
  }

  /** Which photo is seen at a frame point: the split decides. */
  _photoAt(x, y) {
    const { before, after } = this._photos;
    if (!after) return "before";
    if (!before) return "after";
    switch (this._mode) {
      case "side-by-side":
        return x < this._frame.clientWidth / 2 ? "before" : "after";
      case "fade":
        return this._fade >= 50 ? "before" : "after";
      case "heatmap":
        return "after";
      case "slider": {
        const vertical = this.direction === "vertical";
        const f = vertical ? y / this._frame.clientHeight : x / this._frame.clientWidth;
        return f * 100 < this._value ? "before" : "after";
      }
      default:
        return "before";
    }
  }

  _coreStarted() {
    const pending = this._pendingSession;
    this._pendingSession = null;
    if (pending && pending.raw !== undefined) {
      try {
        this.loadSession(pending.raw);
      } catch (error) {
        this._showError(this._t("The session was not opened: {message}", { message: error.message }));
      }
    }
    this._restoreForPhotos(null);
  }

  /** Resolves when the annotation and session tools have started. */
  get ready() {
    return loadCore().then(() => undefined);
  }

  /** Photo names as the annotations' W3C `target.source`. */
  _sources() {
    const { before, after } = this._photos;
    return [before ? before.name : "before", after ? after.name : "after"];
  }

  _annotationsChanged() {
    this._autosave();
    if (this._core) this._emit("annotation-change", { annotations: this.annotations });
  }

  /**
   * The annotations as W3C Web Annotation JSON (an array). Setting replaces them
   * (one undo step); a bad list throws with a message and changes nothing.
   */
  get annotations() {
    if (!this._core) return [];
    const [b, a] = this._sources();
    return JSON.parse(this._core.annotationsToW3c(JSON.stringify(this._annotator.items), b, a));
  }

  set annotations(value) {
    if (!this._core) throw new Error("scalp-compare is still starting; try again in a moment.");
    const [b, a] = this._sources();
    const text = typeof value === "string" ? value : JSON.stringify(value ?? []);
    const items = JSON.parse(this._core.annotationsFromW3c(text, b, a));
    this._annotator.reset(items, this._annotator.calibration, { undoable: true });
    this._annotationsChanged();
  }

  /** Undoes the last annotation change (also Ctrl/Cmd+Z). */
  undo() {
    return this._annotator.undo();
  }

  /** Redoes the last undone annotation change (also Ctrl+Y, Shift+Cmd+Z). */
  redo() {
    return this._annotator.redo();
  }

  /** The visit date shown for a photo: attribute, then session, then the photo's EXIF date. */
  _dateOf(side) {
    const attr = this.getAttribute(`${side}-date`);
    if (attr) return attr;
    if (this._dates[side]) return this._dates[side];
    const p = this._photos[side];
    return takenDay(p);
  }

  /**
   * The whole comparison as a versioned JSON document: the photos' names, sizes
   * and dates, the alignment, region, annotations, calibrations and results.
   * Photos themselves are never included. Setting it checks the document
   * (throws with a message, changing nothing, when it is malformed, foreign,
   * newer, or for other photos) and applies it.
   */
  get session() {
    const photo = (side) => {
      const p = this._photos[side];
      if (!p) return null;
      const meta = { name: p.name, width: p.width, height: p.height };
      if (p.bytes) meta.bytes = p.bytes;
      const date = this._dateOf(side);
      if (date) meta.date = date;
      const cal = this._annotator.calibration[side];
      if (cal) meta.calibration = cal;
      return meta;
    };
    const a = this._alignment;
    let analysis = null;
    // While a new region or alignment is being measured the figures shown are the last
    // ones, of the old region: they are not saved beside the new one.
    if (this._analysis && !this._analysisPending) {
      const { cells: _cells, ...rest } = this._analysis;
      analysis = rest;
    }
    // The last SALT-style estimate travels with the session (its photos are not in it).
    if (this._salt) analysis = { ...(analysis || {}), salt: structuredClone(this._salt) };
    return {
      format: "scalp-compare-session",
      version: 1,
      saved_at: new Date().toISOString(),
      photos: { before: photo("before"), after: photo("after") },
      alignment: a
        ? {
            matrix: a.matrix.map((r) => r.slice()),
            model: a.model,
            confidence: Number.isFinite(a.confidence) ? a.confidence : null,
            source: a.source,
            locked: this._locked,
          }
        : null,
      region: this.region,
      annotations: this._annotator.list,
      analysis,
      view: { value: this._value },
    };
  }

  set session(doc) {
    this.loadSession(doc);
  }

  /**
   * Opens a session document (object or JSON text). Returns "applied", or
   * "pending" when its photos are not loaded yet (it applies when they are).
   * Throws an Error with a message for people, and changes nothing, when the
   * document cannot be used.
   */
  loadSession(doc) {
    const text = typeof doc === "string" ? doc : JSON.stringify(doc);
    if (!this._core) {
      this._pendingSession = { raw: text };
      return "pending";
    }
    const session = JSON.parse(this._core.checkSession(text));
    this._checkSessionPhotos(session);
    const { before: b, after: a } = this._photos;
    const wanted = session.photos || {};
    if ((wanted.before && !b) || (wanted.after && !a)) {
      this._pendingSession = { session };
      const names = ["before", "after"].filter((s) => wanted[s] && !this._photos[s]).map((s) => wanted[s].name);
      this._annotateStatus.textContent = this._t("Session opened: load {names} to see it.", {
        names: names.length > 1 ? this._t("{a} and {b}", { a: names[0], b: names[1] }) : names[0],
      });
      return "pending";
    }
    this._applySession(session, true);
    return "applied";
  }

  /** A warning when a session was saved with photos of other names or file sizes, else "". */
  _otherPhotosWarning(session) {
    const { saved, shown } = this._otherPhotos(session);
    if (!saved.length) return "";
    const list = (names) => (names.length > 1 ? this._t("{a} and {b}", { a: names[0], b: names[1] }) : names[0]);
    const check = this._t("This session was saved with {saved}, not the photos shown ({shown}): check that it is this patient's.", {
      saved: list(saved),
      shown: list(shown),
    });
    // Not applied then (see `_applySession`).
    return session.alignment ? `${check} ${this._t("Its alignment was not used: it was made for other photos.")}` : check;
  }

  /** The names saved in `session` and shown here, and the sides, where the photos differ. */
  _otherPhotos(session) {
    const saved = [];
    const shown = [];
    const sides = [];
    // A signed link's query (which changes at every visit) is not part of the name (names
    // saved before signatures were left out have it); the same file size with the same pixel
    // size is taken as the same photo renamed.
    const bare = (name) => {
      const [file, ...rest] = String(name).split("?");
      return publicName(file, rest.join("?"));
    };
    for (const side of SIDES) {
      const want = session.photos && session.photos[side];
      const have = this._photos[side];
      if (!want || !have) continue;
      const bytesKnown = want.bytes && have.bytes;
      const otherName = want.name && bare(want.name) !== bare(have.name);
      if ((bytesKnown && want.bytes !== have.bytes) || (otherName && !bytesKnown)) {
        saved.push(JSON.stringify(want.name));
        shown.push(JSON.stringify(have.name));
        sides.push(side);
      }
    }
    return { saved, shown, sides };
  }

  /** The region, alignment and visit dates: what opening a session changes besides the annotations. */
  _sessionState() {
    return { region: this._region, alignment: this.alignment, dates: this._dates, value: this._value };
  }

  /** Gives back what `_sessionState` took (undo or redo of opening a session). */
  _setSessionState(state) {
    this._setDrawing(false); // a region being drawn would write the other one back
    this._dates = { ...state.dates };
    // The split as it was (a session sets it too).
    if (Number.isFinite(state.value)) {
      this._value = clamp(state.value);
      this._renderValue();
    }
    this._region = state.region ? state.region.map((p) => p.slice()) : null;
    this._clearRegionButton.disabled = !this._region;
    this._renderDrawButton();
    const a = state.alignment;
    if (a) {
      this._setLocked(Boolean(a.locked));
      this._notice.hidden = true;
      this._cancelAutoAlign();
      this._setAlignment({ matrix: a.matrix, model: a.model, confidence: a.confidence, source: a.source }, false);
    } else {
      // None then (not aligned yet, or not alignable): aligned afresh, which uses the
      // cache or says again why it cannot.
      this.alignment = null;
      this._setLocked(false);
      this._autoAlign();
    }
    this._autosave();
  }

  /** Throws (with the core's message) when a session names photos of other sizes than those loaded. */
  _checkSessionPhotos(session) {
    const { before: b, after: a } = this._photos;
    this._core.checkSessionPhotos(JSON.stringify(session), b ? b.width : 0, b ? b.height : 0, a ? a.width : 0, a ? a.height : 0);
  }

  _applySession(s, undoable) {
    this._pendingSession = null;
    const prior = undoable ? this._sessionState() : undefined; // for its undo step
    const photos = s.photos || {};
    const cal = {
      before: (photos.before && photos.before.calibration) || null,
      after: (photos.after && photos.after.calibration) || null,
    };
    this._dates = {
      before: (photos.before && photos.before.date) || null,
      after: (photos.after && photos.after.date) || null,
    };
    this._annotator.reset(s.annotations || [], cal, { undoable, state: prior });
    // The session's SALT-style estimate replaces the one shown; a session opened without
    // one clears it (it was another comparison's). What the browser kept for these photos
    // (`undoable` false) brings its estimate back only when none is shown: one made here
    // since stays. The pictures of the estimate made here stay when the session's is that
    // same estimate.
    const salt = s.analysis && s.analysis.salt;
    const stored = isSaltEstimate(salt) && !this._salt && this._saltError === null;
    if (!this._saltBusy && (undoable || stored)) {
      if (!sameSaltEstimate(salt, this._salt)) {
        this._salt = isSaltEstimate(salt) ? structuredClone(salt) : null;
        this._saltThumbs = null; // its photos are not in the session
        this._saltError = null;
        this._renderSaltLine();
      }
      this._saltKey = this._salt ? this._storageKey() : null;
    }
    this._region = s.region ? s.region.map((p) => p.slice()) : null;
    this._clearRegionButton.disabled = !this._region;
    this._renderDrawButton();
    if (s.view && Number.isFinite(s.view.value)) {
      this._value = clamp(s.view.value);
      this._renderValue();
    }
    // An alignment maps one photo onto the other: an opened session's, saved with another
    // photo on either side, would put this pair out of register with a confident figure
    // (another visit of the same patient is the same size). These photos keep their own.
    const keepOwnAlignment = Boolean(s.alignment) && undoable && this._otherPhotos(s).sides.length > 0;
    if (s.alignment && !keepOwnAlignment) {
      this.alignment = s.alignment;
      this._renderChip();
    } else {
      this._drawOverlay();
      this._scheduleAnalysis(0);
    }
    this._annotationsChanged();
    // An opened session (`undoable`): photos of the same size are not always the same
    // photos, so say when the names or file sizes differ (another patient's session on
    // these photos would look the same).
    const warning = undoable ? this._otherPhotosWarning(s) : "";
    if (warning) this._annotateStatus.textContent = warning;
  }

  /** The browser-storage key for the photos now loaded ("-" for a missing one). */
  _storageKey(legacy = false) {
    const { before, after } = this._photos;
    return before || after ? pairStorageKey(before, after, legacy) : null;
  }

  /** What this browser stored for photo `p` (under its key, else the older form), through `check`. */
  _readPhotoEntry(p, check) {
    return readFirst([this._photoStorageKey(p), this._photoStorageKey(p, true)], check);
  }

  /** The browser-storage key of one photo's own annotations and calibration. */
  _photoStorageKey(p, legacy = false) {
    return `${PHOTO_PREFIX}${photoKeyPart(p, legacy)}`;
  }

  /**
   * Saves the work to this browser's storage (unless autosave="off"): each
   * photo's annotations and calibration under that photo, so every comparison
   * that shows it shows them; the drawn region, a hand-made alignment and the
   * last SALT-style estimate (its numbers) under the pair.
   */
  _autosave() {
    if (this._restoring || this._noAutosave() || this.hasAttribute("readonly")) return;
    const key = this._storageKey();
    if (!key) return;
    const s = this.session;
    try {
      for (const side of SIDES) {
        const p = this._photos[side];
        if (!p) continue;
        const annotations = s.annotations.filter((a) => a.photo === side).map((a) => ({ ...a, photo: "before" }));
        const calibration = this._annotator.calibration[side];
        const photoKey = this._photoStorageKey(p);
        // Another comparison showing this photo (on this page, or in another tab) may have
        // saved annotations on it since this one read them: those are kept beside these.
        const known = this._storedIds.get(photoKey) || new Set();
        const ours = new Set(annotations.map((a) => a.id));
        const stored = readStored(photoKey, (text) => JSON.parse(text));
        const others = (stored && Array.isArray(stored.annotations) ? stored.annotations : []).filter(
          (a) => a && typeof a.id === "string" && !ours.has(a.id) && !known.has(a.id),
        );
        const list = [...annotations, ...others];
        // The visit date a session gave the photo goes with the photo too: shown beside
        // another photo later, it keeps it.
        const date = this._dates[side] || null;
        if (list.length || calibration || date) {
          localStorage.setItem(photoKey, JSON.stringify({ annotations: list, calibration: calibration || null, date, saved_at: s.saved_at }));
        } else {
          localStorage.removeItem(photoKey);
        }
        // Only this element's own: another's, merged in above, are never taken for deleted here.
        this._storedIds.set(photoKey, ours);
      }
      // The SALT-style estimate shown is saved only under the pair it was made beside (or
      // opened with); another pair keeps the one it has saved.
      const salt = s.analysis && s.analysis.salt && key === this._saltKey ? s.analysis.salt : this._storedSalt(key);
      const pairWork = s.region || (s.alignment && (s.alignment.source !== "auto" || s.alignment.locked)) || salt;
      if (pairWork) {
        const pair = { ...s, annotations: [] };
        const { salt: _shown, ...analysis } = pair.analysis || {};
        pair.analysis = salt ? { ...analysis, salt } : Object.keys(analysis).length ? analysis : null;
        for (const side of SIDES) if (pair.photos[side]) delete pair.photos[side].calibration;
        localStorage.setItem(key, JSON.stringify(pair));
      } else {
        localStorage.removeItem(key);
      }
      // Saving works again: the message goes (and only it, when it was beside another).
      const shown = this._alert.querySelector("p");
      if (this._storageMessage && !this._alert.hidden && shown.textContent.includes(this._storageMessage)) {
        const rest = shown.textContent.replace(this._storageMessage, "").trim();
        if (rest) shown.textContent = rest;
        else this._hideError();
      }
      this._storageMessage = null;
    } catch (error) {
      // Shown until dismissed (the status line is overwritten by the next action's news):
      // the work on screen is not lost, but a reload would lose it. Beside a message
      // already shown (a photo that did not load), not instead of it.
      const message = this._t("Could not save to this browser's storage ({error}); use Save session.", { error: error.name });
      const shown = this._alert.querySelector("p");
      if (this._alert.hidden) this._showError(message);
      else if (!shown.textContent.includes(message)) shown.textContent = `${shown.textContent} ${message}`;
      this._storageMessage = message;
    }
  }

  /** `autosave="off"` (or "false", "no", "0", in any case): nothing is kept in this browser. */
  _noAutosave() {
    return /^(off|false|no|0)$/i.test((this.getAttribute("autosave") || "").trim());
  }

  /** The SALT-style estimate saved in this browser under a pair's key, or null. */
  _storedSalt(key) {
    return readStored(key, (text) => {
      const saved = JSON.parse(text);
      const salt = saved && saved.analysis && saved.analysis.salt;
      return isSaltEstimate(salt) ? salt : null;
    });
  }

  /**
   * A photo changed (or the core just started): open a session waiting for
   * these photos, else the work saved in this browser for them. Returns the
   * applied document, or null.
   */
  _restoreForPhotos(side) {
    if (!this._core) return null;
    const pending = this._pendingSession && this._pendingSession.session;
    if (pending) {
      const wanted = pending.photos || {};
      const ready = (!wanted.before || this._photos.before) && (!wanted.after || this._photos.after);
      if (ready) {
        try {
          this._checkSessionPhotos(pending);
          // The notes stored for these photos are replaced by the session's: the next save
          // must not keep them as another comparison's.
          for (const s of SIDES) {
            const p = this._photos[s];
            if (!p) continue;
            const entry = this._readPhotoEntry(p, (text) => JSON.parse(text));
            const ids = entry && Array.isArray(entry.annotations) ? entry.annotations.map((a) => a && a.id) : [];
            this._storedIds.set(this._photoStorageKey(p), new Set(ids));
          }
          // The line asked for these photos; it says the session is shown now (or, below,
          // that the photos are not the session's).
          this._annotateStatus.textContent = this._t("Session opened on its photos.");
          this._applySession(pending, true);
          this._pairRegionRestored = true; // an opened session's region (or none) is what was asked for
          return pending;
        } catch (error) {
          this._pendingSession = null;
          this._annotateStatus.textContent = "";
          this._showError(this._t("The session was not opened: {message}", { message: error.message }));
        }
      }
    }
    if (this._noAutosave() || this.hasAttribute("readonly")) {
      if (side) {
        // Nothing is stored (or, read-only, what the page set is kept): the photo
        // that stayed keeps its annotations.
        const keep = this._annotator.items.filter((i) => i.photo !== side);
        this._dates[side] = null;
        this._annotator.reset(keep, { ...this._annotator.calibration, [side]: null });
      }
      return null;
    }
    // Unreadable storage or an old broken entry counts as nothing saved (readStored).
    // (Work saved before the query was left out of the key is found under the old key.)
    const key = this._storageKey();
    const saved = readFirst([key, this._storageKey(true)], (text) => JSON.parse(this._core.checkSession(text)));
    const doc = saved || { photos: {}, alignment: null, region: null, annotations: [] };
    doc.annotations = [];
    let when = saved && saved.saved_at;
    let found = Boolean(saved);
    const used = new Set();
    for (const s of SIDES) {
      const p = this._photos[s];
      if (!p) continue;
      const entry = this._readPhotoEntry(p, (text) => {
        const e = JSON.parse(text);
        const list = JSON.parse(this._core.checkAnnotations(JSON.stringify(e.annotations || [])));
        const cal = e.calibration;
        const calOk = cal && Number(cal.mm) > 0 && Array.isArray(cal.points) && cal.points.length === 2;
        const date = typeof e.date === "string" && /^\d{4}-\d{2}-\d{2}/.test(e.date) ? e.date : null;
        return { list, calibration: calOk ? cal : null, date, saved_at: e.saved_at };
      });
      // What this browser holds for the photo now: a later save keeps what others add.
      this._storedIds.set(this._photoStorageKey(p), new Set(entry ? entry.list.map((a) => a.id) : []));
      if (!entry) continue;
      found = true;
      if (entry.saved_at && (!when || entry.saved_at > when)) when = entry.saved_at;
      for (const a of entry.list) {
        let id = a.id;
        for (let n = 2; used.has(id); n++) id = `${a.id}-${n}`;
        used.add(id);
        doc.annotations.push({ ...a, id, photo: s });
      }
      const pairDate = doc.photos[s] && doc.photos[s].date;
      doc.photos[s] = { ...(doc.photos[s] || {}), calibration: entry.calibration || undefined, date: pairDate || entry.date || undefined };
    }
    if (!found) {
      this._dates.before = this._dates.after = null;
      this._annotator.reset([], { before: null, after: null });
      return null;
    }
    this._pairRegionRestored = Boolean(saved && saved.region); // this very pair's own region
    if (doc.alignment && doc.alignment.source === "auto" && !doc.alignment.locked) {
      doc.alignment = null; // recomputed; only hand-made alignments are work to keep
    }
    this._restoring = true;
    const waiting = this._pendingSession; // a session file still waiting for its photos
    try {
      this._applySession(doc, false);
    } finally {
      this._restoring = false;
      this._pendingSession = waiting;
    }
    const date = when ? new Date(when) : null;
    this._annotateStatus.textContent = date
      ? this._t("Restored your work on these photos from {when}.", { when: date.toLocaleString(this._t.lang) })
      : this._t("Restored your work on these photos.");
    return doc;
  }

  async _logo() {
    const src = this.getAttribute("clinic-logo");
    if (!src) return null;
    try {
      const response = await fetch(new URL(src, document.baseURI));
      if (!response.ok) return null;
      return await createImageBitmap(await response.blob());
    } catch {
      return null; // a missing or foreign logo never blocks the report
    }
  }

  /** The report as a PNG Blob: both photos aligned side by side, annotations, figures, dates. */
  async exportReport() {
    return toPng(await this._reportCanvas());
  }

  /**
   * Resolves once no photo is loading and nothing is being aligned or measured, so a
   * report or session shows the figures of what is on screen; with `chart`, also until the
   * visits chart is measured (a report draws it). Throws after `ms`.
   */
  async _settled(ms = 120000, chart = false) {
    const waiting = () => this.busy || this._saltBusy || (chart && this._visitsBusy);
    if (!waiting()) return;
    const end = Date.now() + ms;
    const status = this._annotateStatus;
    const before = status.textContent;
    const note = this._t("Waiting for the measurement to finish\u2026");
    status.textContent = note;
    try {
      while (waiting()) {
        if (Date.now() > end) {
          throw new Error(
            this._t(
              this._loading.before || this._loading.after
                ? "The photos are still loading; try again in a moment."
                : "The photos are still being measured; try again in a moment.",
            ),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      if (status.textContent === note) status.textContent = before;
    }
  }

  /** The coverage at each visit for the report (a visit not measured carries its reason), or null. */
  _visitsForReport() {
    const list = this._visitStates();
    // Once a visit is measured, or one cannot be (the reason is part of the record).
    return list.length >= 2 && list.some((v) => !v.pending) ? list : null;
  }

  /** The report's text: the pair's coverage and the last SALT-style estimate. */
  _reportSummary() {
    return [
      this._analysis
        ? this._summaryText(this._analysis)
        : this._summary.textContent || this._t("Hair coverage has not been measured."),
      this._salt ? this._saltText(this._salt) : "",
    ]
      .join(" ")
      .trim();
  }

  async _reportCanvas() {
    // A report asked for while a new region or alignment is measured waits for its figures,
    // and for the visits chart it shows.
    await this._settled(120000, true);
    const { before, after } = this._photos;
    if (!before || !after) throw new Error(this._t("Load a BEFORE and an AFTER photo first."));
    return renderReport({
      before: { ...before, date: this._dateOf("before") },
      after: { ...after, date: this._dateOf("after") },
      matrix: this._alignment ? this._alignment.matrix : null,
      annotations: this._annotator.items,
      calibration: this._annotator.calibration,
      numbers: this._annotator.numbering(),
      summary: this._reportSummary(),
      views: this._saltViewsForReport(),
      visits: this._visitsForReport(),
      labels: {
        before: this._labelOf("before"),
        after: this._labelOf("after"),
      },
      clinic: this.getAttribute("clinic") || "",
      region: this._region,
      credit: (this.getAttribute("credit") || "").trim(),
      logo: await this._logo(),
      generated: new Date(),
      t: this._t,
    });
  }

  /** Opens the report in a print-friendly page and the browser's print dialog. */
  async printReport() {
    const win = window.open("", "_blank");
    if (!win) {
      this._showError(this._t("The print page was blocked by the browser; allow pop-ups, or use Export report."));
      return false;
    }
    // The page is opened at once (later, pop-up blockers refuse it) and says what it waits for.
    win.document.title = this._t("Preparing the report\u2026");
    win.document.body.textContent = this._t("Preparing the report\u2026");
    // The report canvas itself goes to the print page: no image URL to load, so
    // it prints under a strict Content-Security-Policy too.
    let canvas;
    try {
      canvas = await this._reportCanvas();
    } catch (error) {
      win.close();
      this._showError(this._t("The report could not be made: {message}", { message: error.message }));
      return false;
    }
    const doc = win.document;
    doc.body.textContent = "";
    const title = this._t("Scalp comparison report");
    doc.title = `${title}${this.getAttribute("clinic") ? ` \u2014 ${this.getAttribute("clinic")}` : ""}`;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${title}. ${this._reportSummary()}`);
    canvas.style.display = "block";
    canvas.style.width = "100%";
    canvas.style.maxWidth = "1600px";
    canvas.style.margin = "0 auto";
    doc.body.style.margin = "0";
    doc.body.append(doc.adoptNode(canvas));
    win.focus();
    win.print();
    return true;
  }

  _bindFiles() {
    const root = this.shadowRoot;
    const input = root.querySelector("[data-file-input]");
    const base = () => {
      const { before, after } = this._photos;
      return `${stem(before && before.name)}-vs-${stem(after && after.name)}`;
    };
    const actions = {
      import: () => input.click(),
      session: async () => {
        try {
          await this._settled(); // the figures of what is on screen, not the last ones
          const blob = new Blob([JSON.stringify(this.session, null, 2)], { type: "application/json" });
          download(blob, `${base()}.scalp-session.json`);
        } catch (error) {
          this._showError(error.message);
        }
      },
      w3c: () => {
        const blob = new Blob([JSON.stringify(this.annotations, null, 2)], { type: "application/ld+json" });
        download(blob, `${base()}.annotations.jsonld`);
      },
      report: async () => {
        try {
          download(await this.exportReport(), `${base()}.report.png`);
        } catch (error) {
          this._showError(error.message);
        }
      },
      print: () => this.printReport(),
    };
    for (const button of root.querySelectorAll("[data-file]")) {
      button.addEventListener("click", () => actions[button.dataset.file]());
    }
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      input.value = "";
      if (file) await this.importFile(file);
    });
    this.addEventListener("keydown", (event) => {
      const target = event.composedPath()[0];
      if (target && ["TEXTAREA", "INPUT", "SELECT"].includes(target.tagName)) return;
      if (this._zoomKey(event)) {
        event.preventDefault();
        return;
      }
      if (this.hasAttribute("readonly")) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (mod && !event.altKey && key === "z") {
        if (event.shiftKey) this.redo();
        else this.undo();
      } else if (mod && !event.altKey && key === "y") {
        this.redo();
      } else if (!this._annotator.handleKey(event)) {
        return;
      }
      event.preventDefault();
    });
  }

  /** + / - / 0 zoom (about the centre), Alt+arrows pan; true when handled. */
  _zoomKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || !this._photos.before) return false;
    const pan = { ArrowLeft: [40, 0], ArrowRight: [-40, 0], ArrowUp: [0, 40], ArrowDown: [0, -40] };
    if (event.altKey) {
      if (!pan[event.key]) return false;
      this._panBy(...pan[event.key]);
      return true;
    }
    if (event.key === "+" || event.key === "=") this._zoomBy(1.5);
    else if (event.key === "-" || event.key === "_") this._zoomBy(1 / 1.5);
    else if (event.key === "0") this._setZoom({ s: 1, x: 0, y: 0 });
    else return false;
    return true;
  }

  /**
   * Opens a session or W3C annotations file chosen by the person. A bad file
   * gets a message and changes nothing. Resolves true when it was applied.
   */
  async importFile(file) {
    const name = file.name || "file";
    try {
      const core = await loadCore();
      const text = await file.text();
      const [b, a] = this._sources();
      const result = JSON.parse(core.readImport(text, b, a));
      if (result.kind === "session") {
        const how = this.loadSession(result.session);
        const warning = how === "applied" ? this._otherPhotosWarning(result.session) : "";
        this._annotateStatus.textContent =
          how === "applied" ? `${this._t("Opened session {name}.", { name })}${warning ? ` ${warning}` : ""}` : this._annotateStatus.textContent;
      } else {
        this._annotator.reset(result.annotations, this._annotator.calibration, { undoable: true });
        this._annotationsChanged();
        // Kept (nothing is lost), but said: shapes wholly outside their photo are not seen.
        const outside = this._outsidePhoto(result.annotations);
        this._annotateStatus.textContent = `${this._t("Opened {n} annotation(s) from {name}.", {
          n: result.annotations.length,
          name,
        })}${outside ? ` ${this._t("{n} of them lie outside their photo (made on a photo of another size?).", { n: outside })}` : ""}`;
      }
      this._hideError();
      return true;
    } catch (error) {
      this._showError(this._t("{name} was not opened: {message}", { name: JSON.stringify(name), message: error.message || error }));
      return false;
    }
  }

  /** How many of `annotations` lie wholly outside the photo they are on, as loaded now. */
  _outsidePhoto(annotations) {
    let n = 0;
    for (const a of annotations) {
      const p = this._photos[a.photo];
      if (!p || !a.points.length) continue;
      const xs = a.points.map((q) => q[0]);
      const ys = a.points.map((q) => q[1]);
      const apart =
        Math.max(...xs) < 0 || Math.min(...xs) > p.width || Math.max(...ys) < 0 || Math.min(...ys) > p.height;
      if (apart) n += 1;
    }
    return n;
  }

  // ----- rendering -----

  _applyAspect() {
    const raw = (this.getAttribute("aspect-ratio") || "").trim();
    const m = raw.match(/^(\d+(?:\.\d+)?)\s*(?:[/:]\s*(\d+(?:\.\d+)?))?$/);
    if (m && parseFloat(m[1]) > 0 && (!m[2] || parseFloat(m[2]) > 0)) {
      this._frame.style.setProperty("--_aspect", `${m[1]} / ${m[2] || 1}`);
    } else {
      this._frame.style.removeProperty("--_aspect");
    }
  }

  _drawAll(fast = false) {
    for (const side of SIDES) this._draw(side, fast, false);
    this._annotator.render();
    this._drawOverlay();
  }

  /**
   * Draws one photo into its layer. BEFORE fills the frame, contained (never
   * stretched). AFTER is drawn at its own proportions and placed by a CSS
   * transform: centred when there is no alignment, otherwise mapped through the
   * alignment (AFTER pixels -> BEFORE pixels -> frame), perspective included.
   */
  _draw(side, fast = false, annotations = true) {
    const canvas = this._canvas[side];
    const photo = this._photos[side];
    const cssW = this._frame.clientWidth;
    const cssH = this._frame.clientHeight;
    if (!cssW || !cssH) return;
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    let w = cssW;
    let h = cssH;
    if (side === "after" && photo) {
      const k = this._afterScale();
      w = photo.width * k;
      h = photo.height * k;
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
      const t = this._afterToFrame(k);
      canvas.style.transform = cssTransform(t);
      // Side by side, AFTER keeps to its half: clip to that box, in the canvas's own coordinates.
      const inv = this._mode === "side-by-side" && inv3(t);
      if (inv) {
        const p = this._pane("after");
        const corners = [[p.x, p.y], [p.x + p.w, p.y], [p.x + p.w, p.y + p.h], [p.x, p.y + p.h]];
        canvas.style.clipPath = `polygon(${corners
          .map((c) => apply3(inv, c).map((v) => `${v.toFixed(2)}px`).join(" "))
          .join(", ")})`;
      } else {
        canvas.style.clipPath = "";
      }
    }
    if (side === "after") {
      // AFTER's pixels only change with the photo or the zoom's resolution (up to
      // the display copy's); panning, zooming and alignment move it by transform.
      const source = photo && (photo.full || photo.bitmap);
      const res = photo ? dpr * Math.max(1, Math.min(this._zoom.s, source.width / w)) : dpr;
      const bw = Math.max(1, Math.round(w * res));
      const bh = Math.max(1, Math.round(h * res));
      const stale = canvas.width !== bw || canvas.height !== bh;
      if ((stale && !(fast && canvas._source === source)) || canvas._source !== source) {
        canvas.width = bw;
        canvas.height = bh;
        const ctx = canvas.getContext("2d");
        ctx.clearRect(0, 0, bw, bh);
        ctx.imageSmoothingQuality = "high";
        if (photo) ctx.drawImage(source, 0, 0, bw, bh);
        canvas._source = source;
      }
      if (annotations) this._annotator.render();
      return;
    }
    const bw = Math.max(1, Math.round(w * dpr));
    const bh = Math.max(1, Math.round(h * dpr));
    if (canvas.width !== bw || canvas.height !== bh) {
      canvas.width = bw;
      canvas.height = bh;
    }
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, bw, bh);
    if (annotations) this._annotator.render();
    if (!photo) return;
    ctx.imageSmoothingQuality = fast ? "low" : "high";
    const m = this._beforeToCss();
    const k = bw / cssW;
    ctx.drawImage(photo.full || photo.bitmap, m.ox * k, m.oy * k, photo.width * m.s * k, photo.height * m.s * k);
  }

  /** AFTER photo pixels -> frame CSS px: through the alignment, else centred as taken (zoom included). */
  _afterPhotoToFrame() {
    const a = this._photos.after;
    const b = this._photos.before;
    const pane = this._pane("after");
    if (!this._alignment || !b) {
      const k = this._afterScale();
      return mul3(this._zoomMatrix(pane), [
        [k, 0, pane.x + (pane.w - a.width * k) / 2],
        [0, k, pane.y + (pane.h - a.height * k) / 2],
        [0, 0, 1],
      ]);
    }
    return mul3(this._beforeMatrix(pane), this._alignment.matrix);
  }

  /** 3x3 map from the AFTER canvas (CSS px, `k` per photo pixel) to the frame. */
  _afterToFrame(k) {
    return mul3(this._afterPhotoToFrame(), [
      [1 / k, 0, 0],
      [0, 1 / k, 0],
      [0, 0, 1],
    ]);
  }


  /** A side's label: its attribute, else BEFORE / AFTER in the UI language. */
  _labelOf(side) {
    return this.getAttribute(`${side}-label`) || this._t(side.toUpperCase());
  }

  _renderLabels() {
    this._label.before.textContent = this._labelOf("before");
    this._label.after.textContent = this._labelOf("after");
    // Each photo is named for a screen reader, as its label names it on screen.
    for (const side of SIDES) {
      this._canvas[side].setAttribute("role", "img");
      this._canvas[side].setAttribute("aria-label", this._t("{label} photo", { label: this._labelOf(side) }));
    }
  }

  _renderValue() {
    const v = Math.round(this._value * 10) / 10;
    this._frame.style.setProperty("--_split", `${v}%`);
    const before = this.getAttribute("before-label") || this._t("Before");
    const after = this.getAttribute("after-label") || this._t("After");
    this._handle.setAttribute("aria-valuenow", String(Math.round(v)));
    this._handle.setAttribute(
      "aria-valuetext",
      this._t("{b}% {before} shown, {a}% {after} shown", { b: Math.round(v), a: 100 - Math.round(v), before, after }),
    );
    this._handle.setAttribute("aria-label", this._t("Comparison split between {before} and {after}", { before, after }));
  }

  _renderMessage() {
    const loading = SIDES.filter((s) => this._loading[s]);
    const missing = SIDES.filter((s) => !this._photos[s]);
    let text = "";
    if (loading.length) {
      const names = loading.map((s) => this._t(s.toUpperCase()));
      const which = names.length > 1 ? this._t("{a} and {b}", { a: names[0], b: names[1] }) : names[0];
      text = this._t(loading.length > 1 ? "Loading {which} photos\u2026" : "Loading {which} photo\u2026", { which });
    } else if (missing.length === 2) {
      text = this._t(
        this.hasAttribute("readonly")
          ? "No photos to compare yet."
          : "Drop a BEFORE and an AFTER photo here, or choose them below.",
      );
    }
    this._message.hidden = !text;
    this._frame.classList.toggle("empty", missing.length === 2);
    const line = document.createElement("div");
    line.textContent = text;
    if (loading.length) {
      const bar = document.createElement("span");
      bar.className = "progress";
      line.append(bar);
    }
    this._message.replaceChildren(...(text ? [line] : []));
  }

  _showError(text) {
    this._alert.querySelector("p").textContent = text;
    this._alert.hidden = false;
  }

  /**
   * Says that the photo `name` was not loaded on `side`, and why (`message`, in English):
   * in the alert, beside the other side's reason, and to the page as `photo-error`.
   */
  _notLoaded(side, name, message) {
    // (Made again in the language of the moment when it is shown again.)
    this._loadErrors[side] = () => this._notLoadedText(side, name, this._t.message(message));
    this._showLoadErrors();
    // `message` in English (for logs); `text` as the person reads it, in the widget's language.
    this._emit("photo-error", { side, message, text: this._loadErrors[side]() });
  }

  /** Shows why each side's last photo was not loaded (both, when both were not), or nothing. */
  _showLoadErrors() {
    const texts = SIDES.map((s) => this._loadErrors[s] && this._loadErrors[s]()).filter(Boolean);
    if (texts.length) this._showError(texts.join(" "));
    else this._hideError();
  }

  _hideError() {
    this._alert.hidden = true;
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  _setFromUser(v) {
    const n = Math.round(clamp(v) * 10) / 10;
    if (n === this._value) return;
    this._value = n;
    this.setAttribute("value", String(n));
    this._renderValue();
    this._emit("slide", { value: n });
  }

  // ----- input -----

  /**
   * A click or tap on the photos jumps the split there; where it was before is kept for a
   * moment, for a double-click or double-tap (which zooms) to put it back.
   */
  _jumpTo(event) {
    // The third click or tap of a triple one belongs to the double-click's zoom.
    if (this._zoomedAt !== undefined && event.timeStamp - this._zoomedAt < DOUBLE_CLICK_MS) return;
    const last = this._jumpFrom;
    // (A person's double-click can be slower than DOUBLE_CLICK_MS: the chain allows a second.)
    if (last && event.timeStamp - last.t < 1000) last.t = event.timeStamp;
    else this._jumpFrom = { value: this._value, t: event.timeStamp };
    this._setFromUser(this._valueAt(event));
  }

  /** Where a pointer event is, in BEFORE pixels. */
  _beforePointAt(event) {
    const m = this._beforeToCss();
    const r = this._frame.getBoundingClientRect();
    return [(event.clientX - r.left - m.ox) / m.s, (event.clientY - r.top - m.oy) / m.s];
  }

  _valueAt(event) {
    const r = this._frame.getBoundingClientRect();
    return this.direction === "vertical"
      ? ((event.clientY - r.top) / r.height) * 100
      : ((event.clientX - r.left) / r.width) * 100;
  }

  _bindPointer() {
    const frame = this._frame;
    frame.addEventListener("pointerdown", (event) => {
      const fingers = this._pointers.size || this._drawTouch || this._tap;
      if (event.button === 1 && this._zoom.s > 1 && !fingers && !this._alert.contains(event.target)) {
        // The middle button pans a zoomed view whatever the left button does (drawing
        // the region, an annotation tool, adjusting the alignment); not while fingers
        // are at work on the photos.
        event.preventDefault();
        frame.setPointerCapture(event.pointerId);
        this._pointers.set(event.pointerId, [event.clientX, event.clientY]);
        this._setPan({ id: event.pointerId, x: event.clientX, y: event.clientY, moved: false, middle: true });
        this._pinch = null;
        return;
      }
      if (event.button !== 0 || this._alert.contains(event.target)) return;
      if (this._notice.contains(event.target) || this._nudge.contains(event.target)) return;
      if (frame.classList.contains("empty")) return; // no photo: no split to move
      if (this._drawing) {
        event.preventDefault();
        if (event.pointerType === "touch" && this._joinPinch(event)) return;
        const first = this._drawTouch;
        if (event.pointerType === "touch" && first && first.id !== event.pointerId) {
          this._pinchWhileDrawing(first, event);
          return;
        }
        const p = this._beforePointAt(event);
        // On a corner: drag it; elsewhere: a new corner. A finger gets a wider reach.
        const reach = (event.pointerType === "touch" ? 24 : 12) * this._beforePerCss();
        const near = this._cornerNear(p, reach);
        let added = null;
        if (near !== null) {
          if (!this._justAdded || near !== this._justAdded.i) this._justAdded = null;
          this._held = near;
          this._heldPointer = event.pointerId;
          frame.setPointerCapture(event.pointerId);
        } else {
          // Remembered while editing: the first click of a double-click that finishes
          // adds no corner.
          added = this._addCorner(p);
          this._justAdded = this._editing && added !== null ? { i: added, t: event.timeStamp } : null;
        }
        if (event.pointerType === "touch") {
          // Kept until the finger lifts: a second finger turns the gesture into a pinch.
          const from = near !== null ? this._draft[near].slice() : null;
          this._drawTouch = { id: event.pointerId, x: event.clientX, y: event.clientY, added, held: near, from };
        }
        this._drawOverlay();
        return;
      }
      if (this._adjusting) {
        event.preventDefault();
        frame.setPointerCapture(event.pointerId);
        this._shift = { id: event.pointerId, x: event.clientX, y: event.clientY, m: this._alignment.matrix };
        return;
      }
      const onHandle = this._handle.contains(event.target);
      if (this._zoom.s > 1 && !onHandle) {
        // Zoomed: one pointer pans, two pinch; a click without moving still jumps the split.
        event.preventDefault();
        frame.setPointerCapture(event.pointerId);
        this._pointers.set(event.pointerId, [event.clientX, event.clientY]);
        this._setPan({ id: event.pointerId, x: event.clientX, y: event.clientY, moved: false });
        this._pinch = this._pointers.size === 2 ? this._pinchState() : null;
        return;
      }
      if (event.pointerType === "touch" && !onHandle && this._tap && this._tap.id !== event.pointerId) {
        // A second finger: pinch to zoom the photos; both fingers are ours now.
        event.preventDefault();
        this._startPinch(this._tap, event);
        this._tap = null;
        return;
      }
      if (this._mode !== "slider" && event.pointerType !== "touch") return; // no split to move
      // On touch only the handle drags, so the page still scrolls; a tap jumps.
      if (event.pointerType === "touch" && !onHandle) {
        this._tap = { x: event.clientX, y: event.clientY, id: event.pointerId };
        return;
      }
      event.preventDefault();
      this._handle.focus({ preventScroll: true });
      this._drag = event.pointerId;
      frame.setPointerCapture(event.pointerId);
      frame.classList.add("dragging");
      if (!onHandle) this._jumpTo(event);
    });
    frame.addEventListener("pointermove", (event) => {
      const touch = this._drawTouch;
      if (touch && touch.id === event.pointerId) {
        touch.cx = event.clientX;
        touch.cy = event.clientY;
        touch.moved = touch.moved || Math.hypot(event.clientX - touch.x, event.clientY - touch.y) > 10;
      }
      if (this._heldPointer === event.pointerId && this._held !== null) {
        this._justAdded = null; // dragged: a corner placed on purpose
        this._draft[this._held] = this._beforePointAt(event);
        this._drawOverlay();
        return;
      }
      if (this._tap && this._tap.id === event.pointerId) {
        this._tap.cx = event.clientX;
        this._tap.cy = event.clientY;
      }
      if (this._pointers.has(event.pointerId)) {
        this._pointers.set(event.pointerId, [event.clientX, event.clientY]);
        if (this._pinch && this._pointers.size === 2) {
          const now = this._pinchState();
          this._zoomBy(now.d / this._pinch.d, now.mid);
          this._panBy(now.mid[0] - this._pinch.mid[0], now.mid[1] - this._pinch.mid[1]);
          this._pinch = now;
        } else if (this._pan && this._pan.id === event.pointerId) {
          const dx = event.clientX - this._pan.x;
          const dy = event.clientY - this._pan.y;
          if (this._pan.moved || Math.hypot(dx, dy) > 4) {
            this._pan.moved = true;
            this._panBy(dx, dy);
            this._pan.x = event.clientX;
            this._pan.y = event.clientY;
          }
        }
        return;
      }
      if (this._shift && this._shift.id === event.pointerId) {
        const k = this._beforePerCss();
        const dx = (event.clientX - this._shift.x) * k;
        const dy = (event.clientY - this._shift.y) * k;
        const m = mul3([[1, 0, dx], [0, 1, dy], [0, 0, 1]], this._shift.m);
        this._setAlignment({ matrix: m, model: modelOf(m), confidence: null, source: "manual" }, false);
      }
      if (this._drag === event.pointerId) this._setFromUser(this._valueAt(event));
    });
    const end = (event) => {
      if (this._drawTouch && this._drawTouch.id === event.pointerId) this._drawTouch = null;
      if (this._heldPointer === event.pointerId) {
        this._heldPointer = null;
        this._held = null;
        this._drawOverlay();
        return;
      }
      if (this._pointers.delete(event.pointerId)) {
        const pan = this._pan;
        if (pan && pan.id === event.pointerId) {
          this._setPan(null);
          if (!pan.middle && !pan.moved && !this._pinch && event.type === "pointerup" && this._mode === "slider") {
            this._jumpTo(event);
          }
        }
        if (this._pointers.size < 2) this._pinch = null;
        return;
      }
      if (this._shift && this._shift.id === event.pointerId) {
        this._shift = null;
        this._setAlignment(this._alignment);
      }
      if (this._tap && this._tap.id === event.pointerId) {
        const moved = Math.hypot(event.clientX - this._tap.x, event.clientY - this._tap.y);
        if (event.type === "pointerup" && moved < 10 && this._mode === "slider") this._jumpTo(event);
        this._tap = null;
      }
      if (this._drag === event.pointerId) {
        this._drag = null;
        frame.classList.remove("dragging");
      }
    };
    frame.addEventListener("pointerup", end);
    frame.addEventListener("dblclick", (event) => {
      if (this._drawing) {
        const added = this._justAdded;
        if (this._editing && added && event.timeStamp - added.t < DOUBLE_CLICK_MS) this._draft.splice(added.i, 1);
        this._finishRegion();
        return;
      }
      if (this._adjusting || this._annotator.tool) return;
      // Double-click or double-tap: zoom in there, or back out. The split goes back where
      // it was before the first click or tap jumped it; the handle it brought under the
      // pointer does not stop the zoom (a double-click that began on the handle does).
      const jump = this._jumpFrom;
      this._jumpFrom = null;
      const jumped = Boolean(jump) && event.timeStamp - jump.t < DOUBLE_CLICK_MS;
      if (!jumped && this._handle.contains(event.target)) return;
      if (jumped) this._setFromUser(jump.value);
      this._zoomedAt = event.timeStamp;
      const r = frame.getBoundingClientRect();
      if (this._zoom.s > 1) this._setZoom({ s: 1, x: 0, y: 0 });
      else this._zoomBy(2.5, [event.clientX - r.left, event.clientY - r.top]);
    });
    frame.addEventListener(
      "wheel",
      (event) => {
        // Ctrl+wheel (and a trackpad pinch) zooms; once zoomed, the wheel keeps zooming.
        if (!this._photos.before || !(event.ctrlKey || this._zoom.s > 1)) return;
        event.preventDefault();
        const r = frame.getBoundingClientRect();
        const step = event.deltaMode === 1 ? 0.05 : 0.002;
        this._zoomBy(Math.exp(-event.deltaY * step), [event.clientX - r.left, event.clientY - r.top]);
      },
      { passive: false },
    );
    frame.addEventListener("pointercancel", end);
    // No autoscroll from the middle button over a zoomed view: it pans.
    // (Kept although the pan's pointerdown is cancelled, which should already stop it.)
    frame.addEventListener("mousedown", (event) => {
      if (event.button === 1 && this._zoom.s > 1 && !this._alert.contains(event.target)) event.preventDefault();
    });
  }

  _bindKeyboard() {
    this._frame.addEventListener("keydown", (event) => {
      if (this._drawing && event.target === this._frame) {
        const step = (event.shiftKey ? 25 : 5) * this._beforePerCss();
        const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        const b = this._photos.before;
        // Keyboard: a cross (in BEFORE pixels), in the middle until moved, where Space and
        // Backspace act on the corner within reach.
        const cursor = (this._regionCursor || [b.width / 2, b.height / 2]).slice();
        const reach = 12 * this._beforePerCss();
        if (moves[event.key]) {
          const [x, y] = cursor;
          const [dx, dy] = moves[event.key];
          this._regionCursor = [Math.min(b.width, Math.max(0, x + dx)), Math.min(b.height, Math.max(0, y + dy))];
          if (this._held !== null) this._draft[this._held] = this._regionCursor.slice();
          this._drawOverlay();
        } else if (event.key === " ") {
          // Space drops a corner held, picks up the one under the cross, or adds one.
          const near = this._cornerNear(cursor, reach);
          let news;
          if (this._held !== null) {
            this._held = null;
            news = "Corner dropped.";
          } else if (near !== null) {
            this._held = near;
            cursor.splice(0, 2, ...this._draft[near]);
            news = "Corner picked up: move it with the arrow keys, Space drops it.";
          } else {
            news = this._addCorner(cursor.slice()) === null ? "A corner is already there." : "Corner added.";
          }
          this._regionCursor = cursor; // the cross shows where Space acted
          this._justAdded = null;
          this._announceRegion(news);
          this._drawOverlay();
        } else if (event.key === "Enter") this._finishRegion();
        else if (event.key === "Escape") this._setDrawing(false);
        else if (event.key === "Backspace") {
          // The corner held or under the cross; while drawing, else the last one.
          const near = this._held ?? this._cornerNear(cursor, reach);
          // An edited region keeps at least three corners.
          let news = "No corner under the cross.";
          if (near !== null && (!this._editing || this._draft.length > 3)) {
            this._draft.splice(near, 1);
            news = "Corner removed.";
          } else if (near !== null) news = "A region keeps at least three corners.";
          else if (!this._editing && this._draft.length) {
            this._draft.pop();
            news = "Corner removed.";
          }
          this._announceRegion(news);
          this._held = null;
          this._justAdded = null;
          this._drawOverlay();
        } else return;
        event.preventDefault();
        return;
      }
      if (!this._adjusting || event.target !== this._frame) return;
      const keys = {
        ArrowLeft: "left",
        ArrowRight: "right",
        ArrowUp: "up",
        ArrowDown: "down",
        "[": "ccw",
        "]": "cw",
        "{": "ccw",
        "}": "cw",
        "-": "smaller",
        _: "smaller",
        "+": "larger",
        "=": "larger",
      };
      if (event.key === "Escape") {
        this._setAdjusting(false);
        this._adjustButton.focus();
      } else if (keys[event.key]) {
        this._nudgeBy(keys[event.key], event.shiftKey);
      } else {
        return;
      }
      event.preventDefault();
    });
    this._handle.addEventListener("keydown", (event) => {
      if (event.altKey) return; // Alt+arrows pan a zoomed view
      const vertical = this.direction === "vertical";
      const step = event.shiftKey ? 10 : 1;
      let v = null;
      switch (event.key) {
        case "ArrowLeft":
          v = this._value - step;
          break;
        case "ArrowRight":
          v = this._value + step;
          break;
        case "ArrowUp":
          v = vertical ? this._value - step : this._value + step;
          break;
        case "ArrowDown":
          v = vertical ? this._value + step : this._value - step;
          break;
        // Page keys move the split as the arrows do, ten times as far (down is down).
        case "PageUp":
          v = vertical ? this._value - 10 : this._value + 10;
          break;
        case "PageDown":
          v = vertical ? this._value + 10 : this._value - 10;
          break;
        case "Home":
          v = 0;
          break;
        case "End":
          v = 100;
          break;
        default:
          return;
      }
      event.preventDefault();
      this._setFromUser(Math.round(v));
    });
  }

  _bindDrop() {
    const frame = this._frame;
    const sideAt = (event) => (this._valueAt(event) < this._value ? "before" : "after");
    frame.addEventListener("dragover", (event) => {
      if (this.hasAttribute("readonly") || !event.dataTransfer) return;
      if (![...event.dataTransfer.types].includes("Files")) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      const count = event.dataTransfer.items ? event.dataTransfer.items.length : 1;
      this._showDropHint(count > 1 ? "both" : sideAt(event));
    });
    frame.addEventListener("dragleave", (event) => {
      if (!frame.contains(event.relatedTarget)) this._drop.hidden = true;
    });
    frame.addEventListener("drop", (event) => {
      if (this.hasAttribute("readonly") || !event.dataTransfer) return;
      event.preventDefault();
      this._drop.hidden = true;
      const files = [...event.dataTransfer.files];
      if (files.length >= 2) {
        this._loadInDateOrder(files[0], files[1]).catch((error) => this._showError(error.message));
      } else if (files.length === 1) {
        this.load(sideAt(event), files[0]);
      }
    });
  }

  /**
   * Two photos given together (dropped at once): BEFORE is the one taken first, by the
   * dates the cameras wrote in them. In the order they happened to be dropped, a later
   * visit could be BEFORE, and hair that came back would read as lost.
   */
  async _loadInDateOrder(first, second) {
    const seq = (this._dropSeq = (this._dropSeq || 0) + 1);
    this._annotateStatus.textContent = ""; // nothing said of the photos dropped before
    // Both are decoded first, and each is shown once, on its side.
    const both = Promise.all([requestPhoto(first), requestPhoto(second)]).then(([r1, r2]) => {
      const swap = r1.ok && r2.ok && r1.taken && r2.taken && String(r1.taken) > String(r2.taken);
      const one = { source: first, reply: r1 };
      const two = { source: second, reply: r2 };
      return swap ? [two, one, true] : [one, two, false];
    });
    const shown = await Promise.all([
      this._load("before", null, both.then((x) => x[0])),
      this._load("after", null, both.then((x) => x[1])),
    ]);
    const [, , swapped] = await both;
    const { before, after } = this._photos;
    if (!swapped || !shown[0] || !shown[1] || seq !== this._dropSeq) return;
    if (before.source !== second || after.source !== first) return; // replaced meanwhile
    this._orderSaid = true; // (taken back when either photo is replaced)
    this._annotateStatus.textContent = this._t("Put in the order they were taken: {before} is BEFORE ({bd}), {after} is AFTER ({ad}).", {
      before: before.name,
      bd: takenDay(before),
      after: after.name,
      ad: takenDay(after),
    });
  }

  _showDropHint(side) {
    const drop = this._drop;
    const vertical = this.direction === "vertical";
    const v = this._value;
    const [start, size] =
      side === "both" ? [0, 100] : side === "before" ? [0, v] : [v, 100 - v];
    drop.style.left = vertical ? "0" : `${start}%`;
    drop.style.width = vertical ? "100%" : `${size}%`;
    drop.style.top = vertical ? `${start}%` : "0";
    drop.style.height = vertical ? `${size}%` : "100%";
    drop.textContent =
      side === "both"
        ? this._t("Drop to set BEFORE and AFTER")
        : this._t("Drop to replace the {side} photo", { side: this._t(side.toUpperCase()) });
    drop.hidden = false;
  }
}

if (!customElements.get("scalp-compare")) {
  customElements.define("scalp-compare", ScalpCompare);
}
