// <scalp-landmarks>: the specialist's manual alignment panel inside
// <scalp-compare>. Shows BEFORE and AFTER side by side; the specialist clicks
// (or, by keyboard, moves a cross with the arrow keys and presses Enter) the
// same features on both photos. Points are kept in each photo's original
// pixels. "Apply" fires `landmarks-apply` with {before, after, model}; the
// fitting itself happens in the wasm core.

const STYLE = `
:host { display: block; margin-top: 10px; }
:host([hidden]) { display: none; }
section {
  border: 1px solid #9aa4ae;
  border-radius: 8px;
  padding: 10px 12px;
  background: #fff;
  color: #1b1f24; /* its own, on its white: not a dark page's light text */
}
h2 { font-size: 15px; margin: 0 0 6px; }
p { margin: 4px 0; }
.views { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
figure { margin: 0; flex: 1 1 220px; min-width: 0; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 4px; }
.view {
  position: relative;
  aspect-ratio: 1 / 1;
  background: #1d2126;
  border-radius: 6px;
  cursor: crosshair;
  outline: none;
}
.view:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
canvas { position: absolute; inset: 0; width: 100%; height: 100%; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 6px; }
button, select {
  font: inherit;
  min-height: 40px;
  padding: 6px 12px;
  border-radius: 6px;
  border: 1px solid #6b7480;
  background: #fff;
  color: #1b1f24;
}
button:focus-visible, select:focus-visible { outline: 3px solid #0b5cad; outline-offset: 2px; }
button[disabled] { opacity: 0.55; }
.primary { background: #0b5cad; color: #fff; border-color: #0b5cad; }
ol { margin: 6px 0; padding-left: 22px; font-variant-numeric: tabular-nums; }
.error { color: #9b1c07; }
`;

const COLORS = ["#ffd400", "#00e0ff", "#ff5cf4", "#7dff5c", "#ff8a3d", "#b89cff", "#ffffff", "#ff4d6d"];

import { translator, markTexts, relabel } from "./i18n.js";

class ScalpLandmarks extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: "open" });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = `
      <section aria-labelledby="title">
        <h2 id="title">Align by landmarks</h2>
        <p>Click the same feature (a mole, a scar, the ear, a hairline mark) on BEFORE and on AFTER, pair by pair. Two pairs give a similarity; three or more a least-squares fit. With the keyboard, focus a photo, move the cross with the arrow keys (Shift: faster) and press Enter.</p>
        <div class="views">
          <figure><figcaption>BEFORE</figcaption>
            <div class="view" data-side="before" tabindex="0" role="application"
                 aria-label="BEFORE photo: arrow keys move the cross, Enter places a landmark"><canvas></canvas></div>
          </figure>
          <figure><figcaption>AFTER</figcaption>
            <div class="view" data-side="after" tabindex="0" role="application"
                 aria-label="AFTER photo: arrow keys move the cross, Enter places a landmark"><canvas></canvas></div>
          </figure>
        </div>
        <div class="controls">
          <label>Model
            <select>
              <option value="similarity">Similarity (2+ pairs)</option>
              <option value="affine">Affine (3+ pairs)</option>
              <option value="homography">Homography (4+ pairs)</option>
            </select>
          </label>
          <button type="button" data-do="undo">Remove last point</button>
          <button type="button" data-do="clear">Clear</button>
          <button type="button" data-do="apply" class="primary" disabled>Apply</button>
          <button type="button" data-do="close">Close</button>
        </div>
        <p class="status" role="status" aria-live="polite"></p>
        <ol class="residuals" aria-label="Landmark residuals"></ol>
      </section>`;
    this._t = translator("en");
    markTexts(root);
    this._status = root.querySelector(".status");
    this._list = root.querySelector(".residuals");
    this._select = root.querySelector("select");
    this._apply = root.querySelector('[data-do="apply"]');
    this._views = {};
    for (const view of root.querySelectorAll(".view")) {
      const side = view.dataset.side;
      this._views[side] = { el: view, canvas: view.querySelector("canvas"), cross: null };
      view.addEventListener("click", (e) => this._place(side, this._toPhoto(side, e)));
      view.addEventListener("keydown", (e) => this._key(side, e));
      view.addEventListener("focus", () => this._draw(side));
      view.addEventListener("blur", () => this._draw(side));
    }
    root.querySelector('[data-do="undo"]').addEventListener("click", () => this._undo());
    root.querySelector('[data-do="clear"]').addEventListener("click", () => this._reset());
    this._apply.addEventListener("click", () => this._submit());
    root.querySelector('[data-do="close"]').addEventListener("click", () => this.close());
    // Escape closes the panel, as it ends the other modes (the points are kept).
    root.querySelector("section").addEventListener("keydown", (e) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      e.preventDefault();
      e.stopPropagation();
      this.close();
    });
    this._select.addEventListener("change", () => this._changed());
    this._resize = new ResizeObserver(() => this._drawAll());
    this._photos = null;
    this._points = { before: [], after: [] };
    this._order = [];
  }

  connectedCallback() {
    for (const v of Object.values(this._views)) this._resize.observe(v.el);
  }

  disconnectedCallback() {
    this._resize.disconnect();
  }

  /** Shows the panel for two photos: `{before: {bitmap, width, height}, after: {...}}`. */
  open(photos) {
    const same =
      this._photos &&
      this._photos.before.bitmap === photos.before.bitmap &&
      this._photos.after.bitmap === photos.after.bitmap;
    this._photos = photos;
    if (!same) this._reset();
    this.hidden = false;
    this._drawAll();
    this._update();
    this._views.before.el.focus();
  }

  /** Hides the panel (points are kept until the photos change). */
  close() {
    this.hidden = true;
    this.dispatchEvent(new CustomEvent("landmarks-close"));
  }

  /** Sets the UI language (a translate function from i18n.js) and relabels the panel. */
  setTranslator(t) {
    this._t = t;
    relabel(this.shadowRoot, t);
    if (!this._list.childElementCount) this._update();
  }

  /** Shows the result of an applied fit. */
  showResult({ residuals, confidence, model }) {
    const t = this._t;
    const conf = Number.isFinite(confidence)
      ? t(", confidence {pct}%", { pct: Math.round(confidence * 100) })
      : "";
    this._status.className = "status";
    // "an affine", "a similarity" (a homography: "a").
    const fit = t(model === "affine" ? "Applied an {model} fit from {n} pairs{conf}." : "Applied a {model} fit from {n} pairs{conf}.", { model: t(model), n: residuals.length, conf });
    this._status.textContent = fit;
    this._list.innerHTML = "";
    residuals.forEach((r, i) => {
      const li = document.createElement("li");
      li.textContent = this._t("Pair {n}: {px} px from its partner", { n: i + 1, px: this._t.num1(r) });
      this._list.append(li);
    });
  }

  /** Shows why a fit failed. */
  showError(message) {
    this._status.className = "status error";
    this._status.textContent = message;
  }

  /** The placed points, `{before: [[x, y]...], after: [...]}` in photo pixels. */
  get points() {
    return { before: this._points.before.map((p) => p.slice()), after: this._points.after.map((p) => p.slice()) };
  }

  _reset() {
    this._points = { before: [], after: [] };
    this._order = [];
    this._list.innerHTML = "";
    this._status.textContent = "";
    for (const v of Object.values(this._views)) v.cross = null;
    this._drawAll();
    this._update();
  }

  _layout(side) {
    const { canvas } = this._views[side];
    const photo = this._photos && this._photos[side];
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    if (!photo || !w || !h) return null;
    const s = Math.min(w / photo.width, h / photo.height);
    return { s, ox: (w - photo.width * s) / 2, oy: (h - photo.height * s) / 2, w, h, photo };
  }

  _toPhoto(side, event) {
    const l = this._layout(side);
    if (!l) return null;
    const r = this._views[side].canvas.getBoundingClientRect();
    const x = (event.clientX - r.left - l.ox) / l.s;
    const y = (event.clientY - r.top - l.oy) / l.s;
    if (x < 0 || y < 0 || x > l.photo.width || y > l.photo.height) return null;
    return [x, y];
  }

  _place(side, point) {
    if (!point) return;
    this._points[side].push(point);
    this._order.push(side);
    this._draw(side);
    this._changed();
  }

  _undo() {
    const side = this._order.pop();
    if (!side) return;
    this._points[side].pop();
    this._draw(side);
    this._changed();
  }

  _key(side, event) {
    const l = this._layout(side);
    if (!l) return;
    const view = this._views[side];
    if (!view.cross) view.cross = [l.photo.width / 2, l.photo.height / 2];
    const step = (event.shiftKey ? 0.05 : 0.005) * Math.max(l.photo.width, l.photo.height);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      const [dx, dy] = moves[event.key];
      view.cross = [
        Math.min(l.photo.width, Math.max(0, view.cross[0] + dx)),
        Math.min(l.photo.height, Math.max(0, view.cross[1] + dy)),
      ];
      this._draw(side);
    } else if (event.key === "Enter" || event.key === " ") {
      this._place(side, view.cross.slice());
    } else {
      return;
    }
    event.preventDefault();
  }

  _pairs() {
    return Math.min(this._points.before.length, this._points.after.length);
  }

  /** The points or the model changed: the last fit's residuals no longer describe them. */
  _changed() {
    this._list.innerHTML = "";
    this._update();
  }

  _update() {
    const pairs = this._pairs();
    const need = { similarity: 2, affine: 3, homography: 4 }[this._select.value];
    this._apply.disabled = pairs < need;
    if (!this._list.childElementCount) {
      this._status.className = "status";
      const b = this._points.before.length;
      const a = this._points.after.length;
      const t = this._t;
      this._status.textContent =
        t(pairs === 1 ? "1 pair placed ({b} on BEFORE, {a} on AFTER); " : "{n} pairs placed ({b} on BEFORE, {a} on AFTER); ", {
          n: pairs,
          b,
          a,
        }) + (pairs < need ? t("{k} more needed for this model.", { k: need - pairs }) : t("ready to apply."));
    }
  }

  _submit() {
    const n = this._pairs();
    this._list.innerHTML = "";
    this._status.textContent = this._t("Aligning…");
    this.dispatchEvent(
      new CustomEvent("landmarks-apply", {
        detail: {
          before: this._points.before.slice(0, n),
          after: this._points.after.slice(0, n),
          model: this._select.value,
        },
      }),
    );
  }

  _drawAll() {
    this._draw("before");
    this._draw("after");
  }

  _draw(side) {
    const view = this._views[side];
    const canvas = view.canvas;
    const l = this._layout(side);
    if (!l) return;
    const dpr = Math.min(window.devicePixelRatio || 1, 3);
    canvas.width = Math.round(l.w * dpr);
    canvas.height = Math.round(l.h * dpr);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.drawImage(l.photo.bitmap, l.ox, l.oy, l.photo.width * l.s, l.photo.height * l.s);
    const pairs = this._pairs();
    this._points[side].forEach(([x, y], i) => {
      const cx = l.ox + x * l.s;
      const cy = l.oy + y * l.s;
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#000";
      ctx.fillStyle = i < pairs ? COLORS[i % COLORS.length] : "#ffffff";
      ctx.beginPath();
      ctx.arc(cx, cy, 7, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
      ctx.fillStyle = "#000";
      ctx.font = "bold 10px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(String(i + 1), cx, cy + 0.5);
    });
    if (view.cross && this.shadowRoot.activeElement === view.el) {
      const cx = l.ox + view.cross[0] * l.s;
      const cy = l.oy + view.cross[1] * l.s;
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(cx - 12, cy);
      ctx.lineTo(cx + 12, cy);
      ctx.moveTo(cx, cy - 12);
      ctx.lineTo(cx, cy + 12);
      ctx.stroke();
    }
  }
}

if (!customElements.get("scalp-landmarks")) {
  customElements.define("scalp-landmarks", ScalpLandmarks);
}
