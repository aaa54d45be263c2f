// <scalp-compare>: a before/after scalp photo comparison, as a custom element.
//
// A thin shim: it wires the page (DOM, pointer, keyboard, drag & drop) to a Web
// Worker that runs the wasm core (photo checks and decoding). Photos never leave
// the browser. Usage:
//
//   <script type="module" src="scalp-compare.js"></script>
//   <scalp-compare before="a.jpg" after="b.jpg"></scalp-compare>
//
// Attributes: before, after, value (0-100), direction (horizontal|vertical),
// before-label, after-label, aspect-ratio (e.g. "4/3"), readonly.
// Events (bubbling, composed): slide {value}, photo-load {side, width, height,
// orientation}, photo-error {side, message}.

const SIDES = ["before", "after"];
// Display copies are capped; analysis keeps original-pixel coordinates.
const DISPLAY_MAX_SIDE = 2560;

let sharedWorker = null;
let nextRequest = 1;
const pending = new Map();

function worker() {
  if (!sharedWorker) {
    sharedWorker = new Worker(new URL("./scalp-compare.worker.js", import.meta.url), {
      type: "module",
    });
    sharedWorker.onmessage = (event) => {
      const handler = pending.get(event.data.id);
      if (handler) {
        pending.delete(event.data.id);
        handler(event.data);
      }
    };
    sharedWorker.onerror = () => {
      const waiting = [...pending.values()];
      pending.clear();
      sharedWorker = null;
      for (const handler of waiting) {
        handler({ ok: false, message: "The photo loader could not start in this browser." });
      }
    };
  }
  return sharedWorker;
}

function requestPhoto(source) {
  return new Promise((resolve) => {
    const id = nextRequest++;
    pending.set(id, resolve);
    const message = { id, maxSide: DISPLAY_MAX_SIDE };
    if (typeof source === "string") message.url = source;
    else message.file = source;
    worker().postMessage(message);
  });
}

const STYLE = `
:host {
  display: block;
  position: relative;
  width: 100%;
  max-width: 100%;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--scalp-compare-text, #1b1f24);
  --_accent: var(--scalp-compare-accent, #0b5cad);
}
:host([hidden]) { display: none; }
.frame {
  position: relative;
  width: 100%;
  aspect-ratio: var(--_aspect, 4 / 3);
  overflow: hidden;
  background: var(--scalp-compare-background, #1d2126);
  border-radius: var(--scalp-compare-radius, 8px);
  touch-action: pan-y pinch-zoom;
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
  font-size: 13px;
  letter-spacing: 0.03em;
  pointer-events: none;
  max-width: 45%;
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
}
.label.before { left: 10px; }
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
  font-size: 20px;
  line-height: 1;
  cursor: pointer;
  padding: 0 4px;
}
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
.toolbar {
  display: flex;
  flex-wrap: wrap;
  gap: 8px;
  margin-top: 8px;
}
:host([readonly]) .toolbar { display: none; }
.toolbar button {
  font: inherit;
  padding: 8px 14px;
  min-height: 44px;
  border-radius: 6px;
  border: 1px solid #6b7480;
  background: #fff;
  color: #1b1f24;
  cursor: pointer;
}
.toolbar button:hover { background: #eef3f8; }
.toolbar button:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
}
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
    ];
  }

  constructor() {
    super();
    this._value = 50;
    this._photos = { before: null, after: null };
    this._loading = { before: 0, after: 0 };
    this._drag = null;
    const root = this.attachShadow({ mode: "open" });
    root.adoptedStyleSheets = [styleSheet()];
    root.innerHTML = `
      <div class="frame" part="frame">
        <canvas class="layer after" part="after"></canvas>
        <canvas class="layer before" part="before"></canvas>
        <div class="divider" part="divider"></div>
        <div class="handle" part="handle" role="slider" tabindex="0"
             aria-valuemin="0" aria-valuemax="100">${ARROWS}</div>
        <span class="label before" part="label before-label"></span>
        <span class="label after" part="label after-label"></span>
        <div class="message" part="message" role="status" aria-live="polite"></div>
        <div class="drop" hidden></div>
        <div class="alert" part="alert" role="alert" hidden>
          <p></p><button type="button" aria-label="Dismiss message">&times;</button>
        </div>
      </div>
      <div class="toolbar" part="toolbar">
        <button type="button" data-pick="before">Choose BEFORE photo&hellip;</button>
        <button type="button" data-pick="after">Choose AFTER photo&hellip;</button>
        <input type="file" accept="image/*" data-side="before" hidden>
        <input type="file" accept="image/*" data-side="after" hidden>
      </div>`;
    const $ = (s) => root.querySelector(s);
    this._frame = $(".frame");
    this._canvas = { before: $("canvas.before"), after: $("canvas.after") };
    this._handle = $(".handle");
    this._label = { before: $(".label.before"), after: $(".label.after") };
    this._message = $(".message");
    this._alert = $(".alert");
    this._drop = $(".drop");

    this._alert.querySelector("button").addEventListener("click", () => this._hideError());
    for (const button of root.querySelectorAll("[data-pick]")) {
      button.addEventListener("click", () =>
        root.querySelector(`input[data-side="${button.dataset.pick}"]`).click(),
      );
    }
    for (const input of root.querySelectorAll("input[type=file]")) {
      input.addEventListener("change", () => {
        const file = input.files && input.files[0];
        if (file) this.load(input.dataset.side, file);
        input.value = "";
      });
    }
    this._bindPointer();
    this._bindKeyboard();
    this._bindDrop();
    this._resizeObserver = new ResizeObserver(() => this._drawAll());
    this._renderLabels();
    this._renderValue();
    this._renderMessage();
  }

  connectedCallback() {
    this._resizeObserver.observe(this._frame);
    this._applyAspect();
  }

  disconnectedCallback() {
    this._resizeObserver.disconnect();
  }

  attributeChangedCallback(name, _old, value) {
    switch (name) {
      case "before":
      case "after":
        if (value) this.load(name, value);
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
        break;
      case "aspect-ratio":
        this._applyAspect();
        break;
      case "readonly":
        this._renderMessage();
        break;
    }
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
  async load(side, source) {
    if (!SIDES.includes(side)) throw new RangeError(`side must be "before" or "after"`);
    const url = typeof source === "string" ? new URL(source, document.baseURI).href : null;
    const name = url ? decodeURIComponent(url.split("/").pop() || url) : source.name || "photo";
    const token = ++this._loading[side];
    this._renderMessage();
    const reply = await requestPhoto(url || source);
    if (token !== this._loading[side]) {
      if (reply.bitmap) reply.bitmap.close();
      return false; // a newer photo was asked for meanwhile
    }
    this._loading[side] = 0;
    if (!reply.ok) {
      const what = side === "before" ? "BEFORE" : "AFTER";
      this._showError(`${what} photo ${JSON.stringify(name)} was not loaded. ${reply.message}`);
      this._renderMessage();
      this._emit("photo-error", { side, message: reply.message });
      return false;
    }
    const old = this._photos[side];
    if (old) old.bitmap.close();
    this._photos[side] = { ...reply, name };
    this._hideError();
    this._draw(side);
    this._renderMessage();
    this._emit("photo-load", {
      side,
      width: reply.width,
      height: reply.height,
      orientation: reply.orientation,
    });
    return true;
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

  _drawAll() {
    for (const side of SIDES) this._draw(side);
  }

  /** Draws one photo into its layer, contained in the frame (never stretched). */
  _draw(side) {
    const canvas = this._canvas[side];
    const photo = this._photos[side];
    const cssW = this._frame.clientWidth;
    const cssH = this._frame.clientHeight;
    if (!cssW || !cssH) return;
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    const w = Math.round(cssW * dpr);
    const h = Math.round(cssH * dpr);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    if (!photo) return;
    const scale = Math.min(w / photo.width, h / photo.height);
    const dw = photo.width * scale;
    const dh = photo.height * scale;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(photo.bitmap, (w - dw) / 2, (h - dh) / 2, dw, dh);
  }

  _renderLabels() {
    this._label.before.textContent = this.getAttribute("before-label") || "BEFORE";
    this._label.after.textContent = this.getAttribute("after-label") || "AFTER";
  }

  _renderValue() {
    const v = Math.round(this._value * 10) / 10;
    this._frame.style.setProperty("--_split", `${v}%`);
    const before = this.getAttribute("before-label") || "Before";
    const after = this.getAttribute("after-label") || "After";
    this._handle.setAttribute("aria-valuenow", String(Math.round(v)));
    this._handle.setAttribute(
      "aria-valuetext",
      `${Math.round(v)}% ${before} shown, ${100 - Math.round(v)}% ${after} shown`,
    );
    this._handle.setAttribute(
      "aria-label",
      `Comparison split between ${before} and ${after}`,
    );
  }

  _renderMessage() {
    const loading = SIDES.filter((s) => this._loading[s]);
    const missing = SIDES.filter((s) => !this._photos[s]);
    let html = "";
    if (loading.length) {
      const which = loading.map((s) => s.toUpperCase()).join(" and ");
      html = `<div>Loading ${which} photo${loading.length > 1 ? "s" : ""}&hellip;<span class="progress"></span></div>`;
    } else if (missing.length === 2) {
      html = this.hasAttribute("readonly")
        ? "<div>No photos to compare yet.</div>"
        : "<div>Drop a BEFORE and an AFTER photo here, or choose them below.</div>";
    }
    this._message.hidden = !html;
    this._message.innerHTML = html;
  }

  _showError(text) {
    this._alert.querySelector("p").textContent = text;
    this._alert.hidden = false;
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

  _valueAt(event) {
    const r = this._frame.getBoundingClientRect();
    return this.direction === "vertical"
      ? ((event.clientY - r.top) / r.height) * 100
      : ((event.clientX - r.left) / r.width) * 100;
  }

  _bindPointer() {
    const frame = this._frame;
    frame.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || this._alert.contains(event.target)) return;
      const onHandle = this._handle.contains(event.target);
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
      if (!onHandle) this._setFromUser(this._valueAt(event));
    });
    frame.addEventListener("pointermove", (event) => {
      if (this._drag === event.pointerId) this._setFromUser(this._valueAt(event));
    });
    const end = (event) => {
      if (this._tap && this._tap.id === event.pointerId) {
        const moved = Math.hypot(event.clientX - this._tap.x, event.clientY - this._tap.y);
        if (event.type === "pointerup" && moved < 10) this._setFromUser(this._valueAt(event));
        this._tap = null;
      }
      if (this._drag === event.pointerId) {
        this._drag = null;
        frame.classList.remove("dragging");
      }
    };
    frame.addEventListener("pointerup", end);
    frame.addEventListener("pointercancel", end);
  }

  _bindKeyboard() {
    this._handle.addEventListener("keydown", (event) => {
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
        case "PageUp":
          v = this._value + 10;
          break;
        case "PageDown":
          v = this._value - 10;
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
        this.load("before", files[0]);
        this.load("after", files[1]);
      } else if (files.length === 1) {
        this.load(sideAt(event), files[0]);
      }
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
        ? "Drop to set BEFORE and AFTER"
        : `Drop to replace the ${side.toUpperCase()} photo`;
    drop.hidden = false;
  }
}

if (!customElements.get("scalp-compare")) {
  customElements.define("scalp-compare", ScalpCompare);
}
