// Specialist annotations for <scalp-compare>: the drawing tools, selection,
// editing, undo/redo and the on-screen rendering of shapes.
//
// Annotations live in photo pixels (`photo: "before" | "after"`), so one drawn on
// BEFORE sits on the same scalp spot over AFTER through the alignment, and moves
// with it when the alignment is corrected. The model (validation, W3C Web
// Annotation export/import, sessions) is the Rust core's (src/annotation.rs);
// this module is the interaction layer. Note text is only ever set as text
// (textContent / value), never parsed as HTML.

import { fill } from "./i18n.js";

/** Each kind: how many points it needs (min, max) and its name in the UI. */
export const KINDS = {
  pin: { min: 1, max: 1, label: "Pin with note" },
  arrow: { min: 2, max: 2, label: "Arrow" },
  ellipse: { min: 2, max: 2, label: "Ellipse" },
  rect: { min: 2, max: 2, label: "Rectangle" },
  polygon: { min: 3, max: Infinity, label: "Polygon" },
  freehand: { min: 2, max: Infinity, label: "Freehand" },
  text: { min: 1, max: 1, label: "Text label" },
  ruler: { min: 2, max: 2, label: "Ruler" },
};

/** The default stroke colour: bright and readable on skin and hair alike. */
export const DEFAULT_COLOR = "#ffd23f";

const SVG_NS = "http://www.w3.org/2000/svg";
const HISTORY_LIMIT = 200;

/** Applies a 3x3 matrix to a point (with the perspective divide). */
export function apply3(m, [x, y]) {
  const w = m[2][0] * x + m[2][1] * y + m[2][2];
  return [(m[0][0] * x + m[0][1] * y + m[0][2]) / w, (m[1][0] * x + m[1][1] * y + m[1][2]) / w];
}

/** The product of two 3x3 matrices. */
export function mul3(a, b) {
  return a.map((row) => [0, 1, 2].map((j) => row[0] * b[0][j] + row[1] * b[1][j] + row[2] * b[2][j]));
}

/** The inverse of a 3x3 matrix (null when singular). */
export function inv3(m) {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

const round2 = (v) => Math.round(v * 100) / 100;

/** Photo millimetres per photo pixel from a calibration `{points, mm}`, or null. */
export function mmPerPixel(calibration) {
  if (!calibration) return null;
  const [[x0, y0], [x1, y1]] = calibration.points;
  const d = Math.hypot(x1 - x0, y1 - y0);
  return d > 0 && calibration.mm > 0 ? calibration.mm / d : null;
}

/**
 * A length as typed: digits with one decimal point or comma ("10.5", "10,5", ",5"); NaN
 * for anything else (a second separator, "1.000,5", is not guessed at).
 */
export function parseLength(text) {
  const m = /^\s*(\d*)(?:[.,](\d*))?\s*$/.exec(String(text));
  if (!m || !(m[1] || m[2])) return NaN;
  return Number(`${m[1] || "0"}.${m[2] || "0"}`);
}

/**
 * Millimetres as `lang` writes them ("5.25" in English, "5,25" in Spanish), with up to
 * `digits` decimals (at least `least`).
 */
function mmFigure(v, digits, lang = "en", least = 0) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: least, maximumFractionDigits: digits, useGrouping: false }).format(v);
}

/**
 * A ruler's reading: "12.3 mm" once that photo is calibrated, else "245 px"; the figure as
 * `lang` writes it ("5,25 mm" in Spanish).
 */
export function rulerText(item, calibration, lang = "en") {
  const [[x0, y0], [x1, y1]] = item.points;
  const px = Math.hypot(x1 - x0, y1 - y0);
  const k = mmPerPixel(calibration);
  if (!k) return `${Math.round(px)} px`;
  const digits = px * k < 10 ? 2 : 1;
  return `${mmFigure(px * k, digits, lang, digits)} mm`;
}

/**
 * What to draw for one annotation, in frame coordinates given the photo->frame
 * matrix `m`: `{paths: [{points, closed}], head, marker, label}`. Shared by the
 * on-screen SVG and the report's canvas so both show the same thing.
 */
export function geometry(item, m, { number, calibration, lang } = {}) {
  const P = item.points.map((p) => apply3(m, p));
  const out = { paths: [], head: null, marker: null, label: null };
  switch (item.kind) {
    case "pin":
      out.marker = { at: P[0], number };
      break;
    case "text":
      out.label = { at: P[0], text: item.note, anchor: "start" };
      out.marker = { at: P[0], dot: true };
      break;
    case "arrow":
    case "ruler": {
      out.paths.push({ points: P, closed: false });
      const [a, b] = P;
      const len = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
      const ux = (b[0] - a[0]) / len;
      const uy = (b[1] - a[1]) / len;
      if (item.kind === "arrow") {
        const s = Math.min(14, len / 2);
        out.head = [
          b,
          [b[0] - ux * s - uy * s * 0.55, b[1] - uy * s + ux * s * 0.55],
          [b[0] - ux * s + uy * s * 0.55, b[1] - uy * s - ux * s * 0.55],
        ];
      } else {
        for (const p of P) {
          out.paths.push({ points: [[p[0] - uy * 7, p[1] + ux * 7], [p[0] + uy * 7, p[1] - ux * 7]], closed: false });
        }
        out.label = {
          at: [(a[0] + b[0]) / 2 - uy * 14, (a[1] + b[1]) / 2 + ux * 14],
          text: rulerText(item, calibration, lang),
          anchor: "middle",
        };
      }
      break;
    }
    case "rect": {
      const [[x0, y0], [x1, y1]] = item.points;
      out.paths.push({ points: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map((p) => apply3(m, p)), closed: true });
      break;
    }
    case "ellipse": {
      const [[x0, y0], [x1, y1]] = item.points;
      const cx = (x0 + x1) / 2;
      const cy = (y0 + y1) / 2;
      const pts = [];
      for (let i = 0; i < 48; i++) {
        const t = (i / 48) * Math.PI * 2;
        pts.push(apply3(m, [cx + (Math.abs(x1 - x0) / 2) * Math.cos(t), cy + (Math.abs(y1 - y0) / 2) * Math.sin(t)]));
      }
      out.paths.push({ points: pts, closed: true });
      break;
    }
    case "polygon":
      out.paths.push({ points: P, closed: true });
      break;
    case "freehand":
      out.paths.push({ points: P, closed: false });
      break;
  }
  if (item.note && item.kind !== "text" && item.kind !== "pin" && number) {
    // Shapes with a note carry its number, like pins, so the notes list maps to them.
    out.marker = { at: P[0], number, small: true };
  }
  return out;
}

function svg(tag, attrs = {}, parent = null) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

const pointsAttr = (pts) => pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");

/** The line saying how a photo's rulers were calibrated: "BEFORE calibrated: 10 mm = 100 px". */
export function calibrationText(photo, cal, t = fill) {
  const d = Math.hypot(cal.points[1][0] - cal.points[0][0], cal.points[1][1] - cal.points[0][1]);
  return t("{photo} calibrated: {mm} mm = {px} px", { photo: t(photo.toUpperCase()), mm: mmFigure(cal.mm, 4, t.lang), px: Math.round(d) });
}

/** A short spoken description of one annotation (`t` translates the UI words). */
export function describe(item, number, calibration, t = fill) {
  const photo = t(item.photo === "before" ? "BEFORE" : "AFTER", {});
  const what = t(KINDS[item.kind].label, {});
  const extra = item.kind === "ruler" ? ` ${rulerText(item, calibration, t.lang)}` : "";
  const note = item.note ? `: ${item.note}` : "";
  return t("{n}. {what}{extra} on {photo}{note}", { n: number, what, extra, photo, note });
}

/**
 * The annotation layer of one <scalp-compare>. `host` supplies the coordinate
 * maps and tells the element about changes:
 *   host.photoToFrame(photo) -> 3x3 matrix (photo px -> frame CSS px) or null
 *   host.photoAt(x, y)       -> "before" | "after", the photo seen at a frame point
 *   host.readonly()          -> boolean
 *   host.changed()           -> the annotations or calibrations changed (saved, announced)
 *   host.status(text)        -> a short polite status message
 *   host.toolChanged(tool)   -> a tool was picked (so the element can stop other modes)
 */
export class Annotator {
  constructor(host, { frame, before, toolbar, notes }) {
    this.host = host;
    this.t = host.t || fill;
    this.frame = frame;
    this.items = [];
    this.calibration = { before: null, after: null };
    this.undoStack = [];
    this.redoStack = [];
    this.selected = null;
    this.tool = null; // null: the slider has the pointer; "select" or a kind or "calibrate"
    this.draft = null;
    this._touch = null; // the finger that pressed last, while it is down
    this.svg = svg("svg", { class: "annotations", part: "annotations", "aria-label": "Annotations" });
    this.svg.setAttribute("role", "group");
    frame.insertBefore(this.svg, before);
    this.editor = this._buildEditor();
    frame.append(this.editor);
    this.toolbar = this._buildToolbar();
    toolbar.append(this.toolbar);
    this.notes = notes;
    this._bindPointer();
    this._bindKeys();
    this._renderButtons();
  }

  // ----- state -----

  /** A deep copy of the annotations (internal model). */
  get list() {
    return JSON.parse(JSON.stringify(this.items));
  }

  /**
   * Replaces everything (a restored session or a new photo pair); no undo step unless
   * asked. `state` is the host's own state before the change (an opened session's region
   * and alignment): undoing the step gives it back through `host.setState`, and redoing
   * it takes `host.state()` back.
   */
  reset(items = [], calibration = { before: null, after: null }, { undoable = false, state } = {}) {
    if (undoable) this._remember(state);
    else {
      this.undoStack = [];
      this.redoStack = [];
    }
    this.items = JSON.parse(JSON.stringify(items));
    this.calibration = JSON.parse(JSON.stringify({ before: null, after: null, ...calibration }));
    this.selected = null;
    this.cancelDraft();
    this._closeEditor(false);
    this.render();
    this._renderButtons();
  }

  /** Adds items (an import), one undo step. Ids already in use get a suffix. */
  add(items) {
    this._remember();
    const used = new Set(this.items.map((i) => i.id));
    for (const item of items) {
      let id = item.id;
      for (let n = 2; used.has(id); n++) id = `${item.id}-${n}`;
      used.add(id);
      this.items.push({ ...item, id });
    }
    this._changed();
  }

  /** The annotations, calibration and (for a step that changed it) the host's state. */
  _snapshot(state) {
    return JSON.stringify({ items: this.items, calibration: this.calibration, ...(state === undefined ? {} : { state }) });
  }

  /** Records the state before a change, for undo. */
  _remember(state) {
    this.undoStack.push(this._snapshot(state));
    if (this.undoStack.length > HISTORY_LIMIT) this.undoStack.shift();
    this.redoStack = [];
  }

  /**
   * Moves one step from the stack `from` to the stack `to` (undo: from undo to redo):
   * what is shown now goes on `to`, with the host's state when the step carries the
   * host's (an opened session), and the step is shown.
   */
  _step(from, to) {
    const s = JSON.parse(from.pop());
    to.push(this._snapshot(s.state === undefined ? undefined : this.host.state()));
    this.items = s.items;
    this.calibration = s.calibration;
    if (s.state !== undefined) this.host.setState(s.state);
    if (!this.items.some((i) => i.id === this.selected)) this.selected = null;
    this._closeEditor(false);
    this._changed();
  }

  /** Steps back one change; false when there is none. */
  undo() {
    if (this.draft) {
      this.cancelDraft();
      return true;
    }
    if (!this.undoStack.length) return false;
    this._step(this.undoStack, this.redoStack);
    this.host.status(this.t("Undone"));
    return true;
  }

  /** Re-applies the last undone change; false when there is none. */
  redo() {
    if (!this.redoStack.length) return false;
    this._step(this.redoStack, this.undoStack);
    this.host.status(this.t("Redone"));
    return true;
  }

  _changed() {
    this.render();
    this._renderButtons();
    this.host.changed();
  }

  _newId() {
    this._counter = (this._counter || 0) + 1;
    return `a${Date.now().toString(36)}${this._counter.toString(36)}`;
  }

  _find(id) {
    return this.items.find((i) => i.id === id) || null;
  }

  /** Removes the selected annotation. */
  deleteSelected() {
    const item = this._find(this.selected);
    if (!item || this.host.readonly()) return false;
    this._remember();
    this.items = this.items.filter((i) => i !== item);
    this.selected = null;
    this._closeEditor(false);
    this._changed();
    this.host.status(this.t("{what} deleted", { what: this.t(KINDS[item.kind].label) }));
    return true;
  }

  // ----- tools -----

  /** Picks a tool: null (slider), "select", a kind, or "calibrate". */
  setTool(tool) {
    if (this.host.readonly()) {
      tool = null;
      if (this.editing) {
        // Nothing is edited in a read-only view; what was being typed is said to be lost.
        this._closeEditor(false);
        this.host.status(this.t("The note being edited was not saved: this view is now read-only."));
      }
    }
    this.cancelDraft();
    this.tool = tool;
    if (tool && tool !== "select") this.selected = null;
    this.frame.classList.toggle("annotating", Boolean(tool));
    this.frame.classList.toggle("annotate-draw", Boolean(tool && tool !== "select"));
    for (const b of this.toolbar.querySelectorAll("[data-tool]")) {
      b.setAttribute("aria-pressed", String(b.dataset.tool === (tool || "")));
    }
    this.host.toolChanged(tool);
    // Keyboard drawing: the layer takes focus and a cross moves with the arrows.
    this.cursor = null;
    if (tool && tool !== "select") {
      this.svg.setAttribute("tabindex", "0");
      this.svg.setAttribute(
        "aria-label",
        this.t("Drawing {what}: arrow keys move the cross (Shift: faster), Enter places a point, Escape cancels", {
          what: this.t(tool === "calibrate" ? "Calibrate mm" : KINDS[tool].label),
        }),
      );
    } else {
      // Out of the Tab order, but said so: Chromium makes an SVG with focus listeners a
      // Tab stop of its own, an empty one before the slider.
      this.svg.setAttribute("tabindex", "-1");
      this.svg.setAttribute("aria-label", this.t("Annotations"));
    }
    this.render();
  }

  /** Arrow keys and Enter on the focused drawing layer: draw without a pointer. */
  _keyDraw(event) {
    const step = event.shiftKey ? 25 : 5;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    const W = this.frame.clientWidth;
    const H = this.frame.clientHeight;
    this.cursor ||= this._startCursor();
    if (moves[event.key]) {
      const [dx, dy] = moves[event.key];
      this.cursor = [Math.min(W, Math.max(0, this.cursor[0] + dx)), Math.min(H, Math.max(0, this.cursor[1] + dy))];
      // The cross moved: Enter places a corner there (it finishes only where one is).
      if (this.draft && this.draft.kind === "polygon") this.draft.byKeys = true;
      if (this.dragging && this.dragging.id === "keyboard") this._dragDraw(this.cursor);
      else this.render();
      return true;
    }
    if (event.key !== "Enter" && event.key !== " ") return false;
    const kind = this.tool;
    if (this.dragging && this.dragging.id === "keyboard") {
      this.dragging = null;
      this._releaseDraw(false);
      return true;
    }
    if (kind === "polygon" && this.draft && this.draft.points.length >= 3) {
      const last = this._toFrame(this.draft.photo, this.draft.points[this.draft.points.length - 1]);
      // Enter again without moving, or after corners placed with the pointer: done.
      if (!this.draft.byKeys || Math.hypot(last[0] - this.cursor[0], last[1] - this.cursor[1]) < 1) {
        this._finishPolygon();
        return true;
      }
    }
    this._pressDraw({ pointerId: "keyboard" }, this.cursor);
    return true;
  }

  /**
   * Where the keyboard's cross starts: the middle of the frame, or, when the slider's
   * handle is there (it stays on top), the middle of the wider side of it.
   */
  _startCursor() {
    const W = this.frame.clientWidth;
    const H = this.frame.clientHeight;
    const handle = this.frame.querySelector(".handle");
    const h = handle && handle.getClientRects().length ? handle.getBoundingClientRect() : null;
    if (!h) return [W / 2, H / 2];
    const f = this.frame.getBoundingClientRect();
    const hx = h.left + h.width / 2 - f.left;
    const hy = h.top + h.height / 2 - f.top;
    if (Math.abs(hx - W / 2) > h.width || Math.abs(hy - H / 2) > h.height) return [W / 2, H / 2];
    // Across the split, not along it (on it, which photo a point lands on is a toss-up).
    const host = this.frame.getRootNode().host;
    if (host && host.getAttribute("direction") === "vertical") return [W / 2, hy < H / 2 ? (hy + H) / 2 : hy / 2];
    return [hx < W / 2 ? (hx + W) / 2 : hx / 2, H / 2];
  }

  cancelDraft() {
    if (this.dragging && (this.dragging.type === "draw" || this.dragging.type === "close")) this.dragging = null;
    if (!this.draft) return;
    this.draft = null;
    this.render();
  }

  _buildToolbar() {
    const bar = document.createElement("span");
    bar.className = "annotate-tools";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Annotations");
    const tools = [
      ["", "Slide"],
      ["select", "Select"],
      ...Object.entries(KINDS).map(([k, v]) => [k, v.label]),
      ["calibrate", "Calibrate mm"],
    ];
    for (const [tool, label] of tools) {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.tool = tool;
      b.textContent = label;
      b.setAttribute("aria-pressed", String(tool === ""));
      b.addEventListener("click", (event) => {
        this.setTool(tool || null);
        // Picked from the keyboard (a click with no pointer): go on drawing by keyboard.
        if (event.detail === 0 && tool && tool !== "select") {
          // Chosen from the keyboard: the cross shows at once, where it can be seen.
          this.svg.focus({ preventScroll: true });
          this.cursor = this._startCursor();
          this.render();
        }
      });
      bar.append(b);
    }
    const actions = [
      ["undo", "Undo", () => this.undo()],
      ["redo", "Redo", () => this.redo()],
      ["edit", "Edit note", () => this.editSelected()],
      ["delete", "Delete", () => this.deleteSelected()],
    ];
    for (const [name, label, fn] of actions) {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.annotate = name;
      b.textContent = label;
      b.addEventListener("click", fn);
      bar.append(b);
    }
    return bar;
  }

  _renderButtons() {
    // aria-disabled, not disabled: a focused button that becomes unavailable
    // keeps the focus, so the keyboard user is not thrown out of the widget.
    const off = (n, v) => this.toolbar.querySelector(`[data-annotate="${n}"]`).setAttribute("aria-disabled", String(v));
    off("undo", !this.undoStack.length && !this.draft);
    off("redo", !this.redoStack.length);
    const sel = this._find(this.selected);
    off("delete", !sel);
    off("edit", !sel);
  }

  // ----- coordinates -----

  _framePoint(event) {
    const r = this.frame.getBoundingClientRect();
    return [event.clientX - r.left, event.clientY - r.top];
  }

  _toPhoto(photo, f) {
    const m = this.host.photoToFrame(photo);
    const inv = m && inv3(m);
    return inv ? apply3(inv, f).map(round2) : null;
  }

  _toFrame(photo, p) {
    const m = this.host.photoToFrame(photo);
    return m ? apply3(m, p) : null;
  }

  // ----- pointer -----

  _bindPointer() {
    const s = this.svg;
    s.addEventListener("pointerdown", (event) => {
      if (!this.tool || event.button !== 0) return;
      event.stopPropagation();
      event.preventDefault();
      // A finger put back down during a pinch goes on pinching.
      if (event.pointerType === "touch" && this.host.joinPinch && this.host.joinPinch(event)) return;
      const first = this._touch;
      if (event.pointerType === "touch" && first && first.id !== event.pointerId) {
        // A second finger: the two pinch to zoom and move the photos instead.
        this._touch = null;
        this._takeBackPress(first);
        if (this.host.pinch) this.host.pinch(first, event);
        return;
      }
      const f = this._framePoint(event);
      if (event.pointerType === "touch") {
        const corners = this.draft && this.draft.kind === "polygon" ? this.draft.points.length : 0;
        this._touch = { id: event.pointerId, x: event.clientX, y: event.clientY, corners };
      }
      if (this.tool === "select") {
        this._pressSelect(event, f);
        return;
      }
      s.setPointerCapture(event.pointerId);
      this._pressDraw(event, f);
    });
    s.addEventListener("pointermove", (event) => {
      const t = this._touch;
      if (t && t.id === event.pointerId) {
        t.cx = event.clientX;
        t.cy = event.clientY;
      }
      const d = this.dragging;
      if (!d || d.id !== event.pointerId) {
        if (this.draft && this.draft.kind === "polygon") {
          this.draft.hover = this._framePoint(event);
          this.render();
        }
        return;
      }
      event.stopPropagation();
      const f = this._framePoint(event);
      if (d.type === "draw") this._dragDraw(f);
      else if (d.type !== "close") this._dragEdit(d, f);
    });
    const end = (event) => {
      if (this._touch && this._touch.id === event.pointerId) this._touch = null;
      const d = this.dragging;
      if (!d || d.id !== event.pointerId) return;
      event.stopPropagation();
      this.dragging = null;
      if (d.type === "draw") this._releaseDraw(event.type === "pointercancel");
      else if (d.type === "close") {
        // (Unless the polygon was finished or cancelled meanwhile, by a key.)
        if (event.type !== "pointercancel" && this.draft && this.draft.kind === "polygon") this._finishPolygon();
      } else if (d.moved) this._changed();
    };
    s.addEventListener("pointerup", end);
    s.addEventListener("pointercancel", end);
    s.addEventListener("dblclick", (event) => {
      if (!this.tool) return;
      event.stopPropagation();
      if (this.draft && this.draft.kind === "polygon") this._finishPolygon();
      else if (this.tool === "select" && this.selected) this.editSelected();
    });
  }

  /**
   * Takes back what the finger `first` started when a second finger turns the
   * gesture into a pinch: a shape being drawn, a polygon corner it added or the
   * polygon it was about to close, a pin or label not yet placed. A shape it
   * already moved stays moved.
   */
  _takeBackPress(first) {
    const d = this.dragging;
    if (d && d.id === first.id) {
      this.dragging = null;
      if (d.type === "draw") this.cancelDraft();
      else if (d.moved) this._changed();
    }
    const draft = this.draft;
    if (draft && draft.kind === "polygon" && draft.points.length > first.corners) {
      draft.points.length = first.corners;
      if (!draft.points.length) this.cancelDraft();
    }
    this.render();
  }

  _pressDraw(event, f) {
    const kind = this.tool;
    const photo = this.draft ? this.draft.photo : this.host.photoAt(f[0], f[1]);
    const p = this._toPhoto(photo, f);
    if (!p) return;
    if (kind === "polygon") {
      if (!this.draft) this.draft = { kind, photo, points: [] };
      const first = this.draft.points[0] && this._toFrame(photo, this.draft.points[0]);
      if (first && this.draft.points.length >= 3 && Math.hypot(first[0] - f[0], first[1] - f[1]) < 10) {
        // On touch it closes when the finger lifts, so a second finger can still make
        // the press a pinch.
        if (event.pointerType === "touch") this.dragging = { id: event.pointerId, type: "close" };
        else this._finishPolygon();
        return;
      }
      // By the pointer or by the keyboard: Enter finishes a polygon drawn with the pointer.
      this.draft.byKeys = event.pointerId === "keyboard";
      // A press on the corner just placed (a double-click's second press) adds none.
      const last = this.draft.points.length && this._toFrame(photo, this.draft.points[this.draft.points.length - 1]);
      if (!last || Math.hypot(last[0] - f[0], last[1] - f[1]) >= 4) this.draft.points.push(p);
      this.render();
      return;
    }
    this.dragging = { id: event.pointerId, type: "draw" };
    this.draft = { kind, photo, points: [p], start: f };
    if (kind === "pin" || kind === "text") {
      if (event.pointerType === "touch") {
        // Placed when the finger lifts (it may slide to the spot first), so a
        // second finger can still make it a pinch.
        this.render();
        return;
      }
      this.dragging = null;
      this._commitDraft();
    } else {
      this.render();
    }
  }

  _dragDraw(f) {
    const d = this.draft;
    if (!d) return;
    const p = this._toPhoto(d.photo, f);
    if (!p) return;
    if (d.kind === "pin" || d.kind === "text") {
      d.points[0] = p;
    } else if (d.kind === "freehand") {
      const last = this._toFrame(d.photo, d.points[d.points.length - 1]);
      if (Math.hypot(last[0] - f[0], last[1] - f[1]) >= 2 && d.points.length < 5000) d.points.push(p);
    } else {
      d.points[1] = p;
    }
    d.end = f;
    this.render();
  }

  _releaseDraw(cancelled) {
    const d = this.draft;
    if (!d) return;
    if (d.kind === "pin" || d.kind === "text") {
      if (cancelled) this.cancelDraft();
      else this._commitDraft();
      return;
    }
    const size = d.end ? Math.hypot(d.end[0] - d.start[0], d.end[1] - d.start[1]) : 0;
    if (cancelled || size < 4 || d.points.length < 2) {
      this.cancelDraft();
      this.host.status(this.t("Drag to draw the shape"));
      return;
    }
    this._commitDraft();
  }

  _finishPolygon() {
    const d = this.draft;
    if (!d || d.points.length < 3) {
      this.host.status(this.t("A polygon needs at least 3 corners"));
      return;
    }
    this._commitDraft();
  }

  _commitDraft() {
    const d = this.draft;
    this.draft = null;
    if (d.kind === "calibrate") {
      this._askCalibration(d);
      return;
    }
    const now = new Date().toISOString();
    const item = { id: this._newId(), kind: d.kind, photo: d.photo, points: d.points, note: "", created: now, modified: now };
    if (item.kind === "rect" || item.kind === "ellipse") {
      const [[x0, y0], [x1, y1]] = item.points;
      item.points = [
        [Math.min(x0, x1), Math.min(y0, y1)],
        [Math.max(x0, x1), Math.max(y0, y1)],
      ];
    }
    if (item.kind === "text") {
      // A label exists only with its text: ask first, add on Save.
      this._openEditor(item, { fresh: true });
      return;
    }
    this._remember();
    this.items.push(item);
    this.selected = item.id;
    this._changed();
    this.host.status(
      this.t("{what} added on {photo}", { what: this.t(KINDS[item.kind].label), photo: this.t(d.photo.toUpperCase()) }),
    );
    if (item.kind === "pin") this._openEditor(item, { fresh: false });
  }

  _pressSelect(event, f) {
    const target = event.target.closest && event.target.closest("[data-id],[data-handle]");
    if (!target) {
      this.selected = null;
      this._closeEditor(false);
      this.render();
      this._renderButtons();
      return;
    }
    const id = target.dataset.id || target.dataset.owner;
    const item = this._find(id);
    if (!item) return;
    this.selected = id;
    this.svg.setPointerCapture(event.pointerId);
    this.dragging = {
      id: event.pointerId,
      type: target.dataset.handle !== undefined ? "handle" : "move",
      index: Number(target.dataset.handle),
      item,
      origin: f,
      points: item.points.map((p) => this._toFrame(item.photo, p)),
      moved: false,
    };
    this.render();
    this._renderButtons();
  }

  _dragEdit(d, f) {
    const dx = f[0] - d.origin[0];
    const dy = f[1] - d.origin[1];
    if (!d.moved) {
      if (Math.hypot(dx, dy) < 2) return;
      this._remember();
      d.moved = true;
    }
    const item = d.item;
    const moved = (i) => {
      const q = d.points[i];
      return this._toPhoto(item.photo, [q[0] + dx, q[1] + dy]);
    };
    if (d.type === "move") item.points = item.points.map((_, i) => moved(i));
    else item.points[d.index] = moved(d.index);
    if ((item.kind === "rect" || item.kind === "ellipse") && d.type === "handle") {
      const [[x0, y0], [x1, y1]] = item.points;
      if (x0 === x1 || y0 === y1) return;
    }
    item.modified = new Date().toISOString();
    this.render();
  }

  /** Moves the selected annotation by (dx, dy) frame pixels. */
  nudgeSelected(dx, dy) {
    const item = this._find(this.selected);
    if (!item || this.host.readonly()) return;
    this._remember();
    item.points = item.points.map((p) => {
      const q = this._toFrame(item.photo, p);
      return this._toPhoto(item.photo, [q[0] + dx, q[1] + dy]);
    });
    item.modified = new Date().toISOString();
    this._changed();
  }

  // ----- keyboard -----

  _bindKeys() {
    this.svg.addEventListener("focusin", (event) => {
      if (this._quietFocus) return; // focus given back by render: it selects nothing
      const id = event.target.dataset && event.target.dataset.id;
      if (id && id !== this.selected) {
        this.selected = id;
        this.render();
        this._renderButtons();
        this._focus(id);
      }
    });
    this.svg.addEventListener("focus", () => this.render());
    this.svg.addEventListener("blur", () => this.render());
    this.svg.addEventListener("keydown", (event) => {
      if (event.target === this.svg && this.tool && this.tool !== "select" && !this.host.readonly()) {
        if (this._keyDraw(event)) {
          event.preventDefault();
          event.stopPropagation();
        }
        return;
      }
      const id = event.target.dataset && event.target.dataset.id;
      if (!id || this.host.readonly()) return;
      // Keys act on the focused shape (focus given back after Escape selects nothing).
      if (["Delete", "Backspace", "Enter", "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown"].includes(event.key)) this.selected = id;
      const step = event.shiftKey ? 10 : 1;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[event.key]) {
        this.nudgeSelected(...moves[event.key]);
        this._focus(id);
      } else if (event.key === "Delete" || event.key === "Backspace") {
        const index = this.items.findIndex((i) => i.id === id);
        this.deleteSelected();
        // Keep the keyboard in the widget: on to the next shape, else to Undo.
        const next = this.items[Math.min(index, this.items.length - 1)];
        if (next) this._focus(next.id);
        else this.toolbar.querySelector('[data-annotate="undo"]').focus();
      } else if (event.key === "Enter") {
        this.editSelected();
      } else if (event.key === "Escape") {
        this.selected = null;
        this.render();
        this._renderButtons();
      } else {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
    });
  }

  /** Keys that apply while a drawing tool is active (from the element). */
  handleKey(event) {
    if (event.key === "Escape" && (this.draft || this.tool)) {
      const drafting = Boolean(this.draft);
      if (drafting) this.cancelDraft();
      else {
        // The tool goes off; the keyboard goes back to its button, not to the page.
        const button = this.toolbar.querySelector(`[data-tool="${CSS.escape(this.tool)}"]`);
        const onLayer = this.svg.getRootNode().activeElement === this.svg;
        this.setTool(null);
        if (onLayer && button) button.focus({ preventScroll: true });
      }
      this.host.status(this.t(drafting ? "Drawing cancelled" : "Annotation tool off"));
      return true;
    }
    if (this.draft && this.draft.kind === "polygon") {
      if (event.key === "Enter") {
        this._finishPolygon();
        return true;
      }
      if (event.key === "Backspace") {
        this.draft.points.pop();
        if (!this.draft.points.length) this.draft = null;
        this.render();
        return true;
      }
    }
    return false;
  }

  _focus(id) {
    const g = this.svg.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (g) g.focus({ preventScroll: true });
  }

  /**
   * Gives the keyboard back after the shapes were drawn afresh: to the shape `id` had
   * (without selecting it), or, when it is gone (undone, deleted), to Undo or Redo, so
   * the next Ctrl+Z / Ctrl+Y still reaches the widget.
   */
  _keepFocus(id) {
    const g = id && this.svg.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (g) {
      this._quietFocus = true;
      g.focus({ preventScroll: true });
      this._quietFocus = false;
      return;
    }
    // After the buttons' states are brought up to date by whoever drew.
    queueMicrotask(() => {
      const root = this.svg.getRootNode();
      const here = root.activeElement;
      if (here && here.isConnected) return; // put somewhere meanwhile (the next shape, after Delete)
      const buttons = ["undo", "redo"].map((k) => this.toolbar.querySelector(`[data-annotate="${k}"]`));
      const target = buttons.find((b) => b && !b.disabled && b.getClientRects().length);
      if (target) target.focus({ preventScroll: true });
      else if (this.svg.getAttribute("tabindex") === "0") this.svg.focus({ preventScroll: true });
    });
  }

  // ----- note editor -----

  _buildEditor() {
    const form = document.createElement("form");
    form.className = "note-editor";
    form.setAttribute("part", "note-editor");
    form.hidden = true;
    const label = document.createElement("label");
    const caption = document.createElement("span");
    const input = document.createElement("textarea");
    input.rows = 3;
    input.maxLength = 5000;
    label.append(caption, input);
    // A text field with the decimal keypad, not type="number": that one dropped a decimal
    // comma as a thousands sign, so "10,5" typed in Spanish was saved as 105 mm.
    const number = document.createElement("input");
    number.type = "text";
    number.inputMode = "decimal";
    number.autocomplete = "off";
    const row = document.createElement("div");
    row.className = "row";
    const save = document.createElement("button");
    save.type = "submit";
    save.textContent = "Save";
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "Cancel";
    row.append(save, cancel);
    form.append(label, row);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this._saveEditor();
    });
    cancel.addEventListener("click", () => this._closeEditor(true));
    form.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key === "Escape") {
        event.preventDefault();
        this._closeEditor(true);
      } else if (event.key === "Enter" && !event.shiftKey && event.target === input) {
        event.preventDefault();
        this._saveEditor();
      }
    });
    for (const type of ["pointerdown", "dblclick"]) form.addEventListener(type, (e) => e.stopPropagation());
    this._editorParts = { caption, input, number, label };
    return form;
  }

  /** Opens the note editor for the selected annotation. */
  editSelected() {
    const item = this._find(this.selected);
    if (item && !this.host.readonly()) this._openEditor(item, { fresh: false });
  }

  _openEditor(item, { fresh, calibrate = null }) {
    const { caption, input, number, label } = this._editorParts;
    this.editing = { item, fresh, calibrate };
    if (calibrate) {
      caption.textContent = this.t("Real length of this line on {photo}, in millimetres", {
        photo: this.t(calibrate.photo.toUpperCase()),
      });
      input.replaceWith(number);
      // Empty for a first calibration (a preset length would be saved by a quick Enter, or
      // typed after: "10" then 5 gave 105 mm); the last length again, selected, so typing
      // replaces it.
      const last = this.calibration[calibrate.photo];
      number.value = last ? mmFigure(last.mm, 4, this.t.lang) : "";
    } else {
      caption.textContent = this.t(item.kind === "text" ? "Label text" : "Note");
      if (number.isConnected) number.replaceWith(input);
      input.value = item.note || "";
    }
    const W = this.frame.clientWidth;
    const H = this.frame.clientHeight;
    // A short frame (a wide aspect ratio on a phone) gets a one-line box, so Save and Cancel fit.
    input.rows = H < 240 ? 1 : 3;
    this.editor.hidden = false;
    const anchor = this._toFrame(item.photo, item.points[item.points.length - 1]) || [0, 0];
    const w = Math.min(280, W - 20);
    this.editor.style.width = `${w}px`;
    this.editor.style.left = `${Math.max(10, Math.min(anchor[0] + 12, W - w - 10))}px`;
    this.editor.style.top = `${Math.max(10, Math.min(anchor[1] + 12, H - this.editor.offsetHeight - 10))}px`;
    const field = label.querySelector("textarea, input") || input;
    field.focus({ preventScroll: true });
    if (calibrate) field.select();
  }

  _saveEditor() {
    const e = this.editing;
    if (!e) return;
    if (this.host.readonly()) {
      this._closeEditor(false); // the page became read-only while it was open
      return;
    }
    if (e.calibrate) {
      // (Kept to 4 decimals; at most a metre: the session file refuses more, and a scalp
      // photo holds less.)
      const mm = round2(parseLength(this._editorParts.number.value) * 100) / 100;
      if (!(mm > 0 && mm <= 1000)) {
        this.host.status(this.t("Enter the line's real length in millimetres, more than 0 and at most 1000"));
        return;
      }
      this._remember();
      this.calibration[e.calibrate.photo] = { points: e.calibrate.points, mm };
      this._closeEditor(false);
      this._changed();
      this.host.status(
        this.t("{photo} calibrated: rulers on it now read millimetres", { photo: this.t(e.calibrate.photo.toUpperCase()) }),
      );
      return;
    }
    const text = this._editorParts.input.value;
    const item = e.item;
    if (item.kind === "text" && !text.trim()) {
      this.host.status(this.t("A text label needs some text"));
      return;
    }
    if (text === item.note && !e.fresh) {
      this._closeEditor(false);
      return;
    }
    this._remember();
    if (e.fresh) {
      this.items.push(item);
      this.selected = item.id;
    }
    item.note = text;
    item.modified = new Date().toISOString();
    this._closeEditor(false);
    this._changed();
    this.host.status(e.fresh ? this.t("{what} added", { what: this.t(KINDS[item.kind].label) }) : this.t("Note saved"));
    this._focus(item.id);
  }

  _closeEditor(cancelled) {
    if (!this.editing) return;
    const { item } = this.editing;
    const root = this.editor.getRootNode();
    const hadFocus = this.editor.contains(root.activeElement);
    this.editing = null;
    this.editor.hidden = true;
    if (cancelled) this.host.status(this.t("Edit cancelled"));
    // The keyboard goes back to the shape whose note it was (or on to Undo).
    if (hadFocus) this._keepFocus(item && this.items.includes(item) ? item.id : "");
  }

  _askCalibration(d) {
    const item = { kind: "ruler", photo: d.photo, points: d.points };
    this._openEditor(item, { fresh: false, calibrate: { photo: d.photo, points: d.points } });
  }

  // ----- rendering -----

  /** Numbers shown on pins and in the notes list: every pin, and shapes with notes. */
  numbering() {
    const numbers = new Map();
    let n = 0;
    for (const item of this.items) {
      if (item.kind === "pin" || (item.note && item.kind !== "text")) numbers.set(item.id, ++n);
    }
    return numbers;
  }

  /** Redraws every shape from the model (cheap; called on any change or resize). */
  render() {
    const s = this.svg;
    // The shapes are drawn afresh: the keyboard's place among them is kept.
    const active = s.getRootNode().activeElement;
    const kept = active && active !== s && s.contains(active) ? active.dataset.id || "" : null;
    s.replaceChildren();
    const W = this.frame.clientWidth;
    const H = this.frame.clientHeight;
    s.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const readonly = this.host.readonly();
    const numbers = this.numbering();
    // One panel in most views; side by side, each photo's panel holds its own
    // shapes (focusable, editable) and a mirror of the other photo's.
    const panels = this.host.panels ? this.host.panels() : [{ clip: null, primary: ["before", "after"], map: (p) => this.host.photoToFrame(p) }];
    for (const panel of panels) {
      let parent = s;
      if (panel.clip) {
        const { x, y, w, h } = panel.clip;
        parent = svg("svg", { x, y, width: w, height: h, viewBox: `${x} ${y} ${w} ${h}`, overflow: "hidden" }, s);
      }
      for (const item of this.items) {
        const m = panel.map(item.photo);
        if (!m) continue;
        const primary = panel.primary.includes(item.photo);
        const number = numbers.get(item.id);
        const cal = this.calibration[item.photo];
        const g = svg("g", { class: primary ? "shape" : "shape mirror" }, parent);
        if (primary) {
          g.dataset.id = item.id;
          if (!readonly) g.setAttribute("tabindex", "0");
          g.setAttribute("role", readonly ? "img" : "button");
          g.setAttribute("aria-label", describe(item, number || "", cal, this.t).replace(/^\. /, ""));
          if (this.selected === item.id) g.classList.add("selected");
        } else {
          g.setAttribute("aria-hidden", "true");
        }
        drawGeometry(g, geometry(item, m, { number, calibration: cal, lang: this.t.lang }), item.color || DEFAULT_COLOR);
        if (primary) {
          const title = svg("title", {}, g);
          title.textContent = describe(item, number || "", cal, this.t).replace(/^\. /, "");
        }
      }
    }
    const sel = this._find(this.selected);
    if (sel && this.tool === "select" && !readonly) {
      const m = this.host.photoToFrame(sel.photo);
      if (m && sel.kind !== "freehand") {
        sel.points.forEach((p, i) => {
          const [x, y] = apply3(m, p);
          svg("circle", { class: "grip", cx: x, cy: y, r: 7, "data-handle": i, "data-owner": sel.id }, s);
        });
      }
    }
    if (this.draft) {
      const d = this.draft;
      const m = this.host.photoToFrame(d.photo);
      if (m && d.points.length) {
        const kind = d.kind === "calibrate" ? "ruler" : d.kind;
        const pts = d.kind === "polygon" && d.hover ? [...d.points, this._toPhoto(d.photo, d.hover)] : d.points;
        const ok = pts.length >= KINDS[kind].min && pts.every(Boolean);
        const g = svg("g", { class: "shape draft" }, s);
        if (ok) {
          drawGeometry(g, geometry({ kind: kind === "polygon" ? "freehand" : kind, points: pts, note: "" }, m, {}), DEFAULT_COLOR);
        }
        for (const p of d.points) {
          const [x, y] = apply3(m, p);
          svg("circle", { class: "vertex", cx: x, cy: y, r: 4 }, g);
        }
      }
    }
    if (this.cursor && this.tool && this.tool !== "select" && this.svg.matches(":focus")) {
      const [x, y] = this.cursor;
      const g = svg("g", { class: "cursor", "aria-hidden": "true" }, s);
      for (const [x1, y1, x2, y2] of [[x - 12, y, x + 12, y], [x, y - 12, x, y + 12]]) {
        svg("line", { x1, y1, x2, y2, class: "casing" }, g);
        svg("line", { x1, y1, x2, y2, class: "ink", stroke: "#ffffff" }, g);
      }
    }
    this._renderNotes(numbers);
    if (kept !== null) this._keepFocus(kept);
  }

  _renderNotes(numbers) {
    const list = this.notes;
    if (!list) return;
    list.replaceChildren();
    const rows = this.items.filter((i) => numbers.has(i.id) || i.kind === "text" || i.kind === "ruler");
    for (const [photo, cal] of Object.entries(this.calibration)) {
      if (!cal) continue;
      const li = document.createElement("li");
      li.className = "calibration";
      li.textContent = calibrationText(photo, cal, this.t);
      list.append(li);
    }
    for (const item of rows) {
      const li = document.createElement("li");
      const n = numbers.get(item.id);
      li.textContent = describe(item, n || "\u2022", this.calibration[item.photo], this.t).replace(/^\u2022\. /, "\u2022 ");
      li.dataset.id = item.id;
      list.append(li);
    }
    list.hidden = !list.children.length;
  }
}

/** Draws the shared geometry into an SVG group (a dark casing under the colour). */
function drawGeometry(g, geo, color) {
  for (const path of geo.paths) {
    const tag = path.closed ? "polygon" : "polyline";
    const points = pointsAttr(path.points);
    svg(tag, { class: "hit", points }, g);
    svg(tag, { class: "casing", points }, g);
    svg(tag, { class: "ink", points, stroke: color }, g);
  }
  if (geo.head) {
    svg("polygon", { class: "head", points: pointsAttr(geo.head), fill: color }, g);
  }
  if (geo.marker) {
    const [x, y] = geo.marker.at;
    if (geo.marker.dot) {
      svg("circle", { class: "dot", cx: x, cy: y, r: 3.5, fill: color }, g);
    } else {
      const r = geo.marker.small ? 8 : 11;
      svg("circle", { class: "pin", cx: x, cy: y, r, fill: color }, g);
      if (geo.marker.number) {
        const t = svg("text", { class: "pin-number", x, y: y + 0.5 }, g);
        t.textContent = String(geo.marker.number);
      }
    }
  }
  if (geo.label) {
    const [x, y] = geo.label.at;
    const t = svg("text", { class: "label-text", x: geo.label.anchor === "start" ? x + 8 : x, y: y + 5, "text-anchor": geo.label.anchor }, g);
    t.textContent = geo.label.text;
  }
}
