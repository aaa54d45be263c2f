// Types for the <scalp-compare> custom element (the npm package's entry point).
// Importing the module defines the element; nothing else needs to be called.

/** A row-major 3x3 matrix mapping AFTER pixels to BEFORE pixels. */
export type Matrix3 = [[number, number, number], [number, number, number], [number, number, number]];

/** How the pair is shown. */
export type ViewMode = "slider" | "fade" | "side-by-side" | "difference" | "blink" | "heatmap";

export interface PhotoFacts {
  width: number;
  height: number;
  /** EXIF orientation (1-8) that was applied. */
  orientation: number;
  name: string;
}

export interface Alignment {
  matrix: Matrix3;
  model: "similarity" | "affine" | "homography";
  /** 0..1, or null for an alignment made or set by hand. */
  confidence: number | null;
  source: "auto" | "manual" | "set";
  locked: boolean;
}

export interface Coverage {
  /** Fraction 0..1 of the scalp region covered by hair. */
  coverage: number;
  /** Uncertainty of `coverage`, as a fraction. */
  uncertainty: number;
}

export interface Analysis {
  before: Coverage;
  after: Coverage;
  /** AFTER minus BEFORE, in percentage points. */
  change_pp: number;
  change_uncertainty_pp: number;
  roi: { source: "auto" | "given"; area_px: number; polygon: [number, number][] };
  cells?: unknown;
  /** Confidence (0-1) of the alignment measured through; below 0.5 the photos do not confirm it. */
  alignment_confidence?: number | null;
  timing_ms?: Record<string, number>;
}

/** The four views of one visit a SALT-style estimate weighs (top 40 %, back 24 %, left 18 %, right 18 %). */
export type SaltView = "top" | "back" | "left" | "right";

/** A SALT-style estimate of hair loss from four views (an estimate from photos, not a clinical SALT score). */
export interface SaltEstimate {
  /** "SALT-style estimate from photos, not a clinical SALT score". */
  label: string;
  /** Percentage 0-100 of the scalp without visible hair, weighted over the views. */
  loss_percent: number;
  /** Uncertainty of `loss_percent` in percentage points. */
  uncertainty_pp: number;
  views: Record<SaltView, Coverage & { weight: number }>;
}

/** A W3C Web Annotation as the element exports it. */
export interface WebAnnotation {
  "@context": "http://www.w3.org/ns/anno.jsonld";
  id: string;
  type: "Annotation";
  motivation: "commenting" | "highlighting";
  created?: string;
  modified?: string;
  body?: { type: "TextualBody"; value: string; format: "text/plain"; purpose: "commenting" };
  target: {
    source: string;
    selector: WebAnnotationSelector | WebAnnotationSelector[];
  };
}

export type WebAnnotationSelector =
  | { type: "FragmentSelector"; conformsTo: "http://www.w3.org/TR/media-frags/"; value: string }
  | { type: "SvgSelector"; value: string };

/** One annotation in the session document (photo pixels). */
export interface SessionAnnotation {
  id: string;
  kind: "pin" | "arrow" | "ellipse" | "rect" | "polygon" | "freehand" | "text" | "ruler";
  photo: "before" | "after";
  points: [number, number][];
  note: string;
  color?: string;
  created?: string;
  modified?: string;
}

export interface SessionPhoto {
  name: string;
  width: number;
  height: number;
  bytes?: number;
  checksum?: string;
  date?: string;
  calibration?: { points: [[number, number], [number, number]]; mm: number };
}

/** The versioned session document (`session` property, "Save session"). */
export interface Session {
  format: "scalp-compare-session";
  version: 1;
  saved_at?: string;
  photos: { before: SessionPhoto | null; after: SessionPhoto | null };
  alignment: Alignment | null;
  region: [number, number][] | null;
  annotations: SessionAnnotation[];
  /** The pair's analysis and/or the last SALT-style estimate (`salt`). */
  analysis: (Partial<Omit<Analysis, "cells">> & { salt?: SaltEstimate }) | null;
  view?: { value: number } | null;
}

/** One visit of a patient (the `visits` property; child `<img src data-date alt>` elements). */
export interface Visit {
  src: string;
  /** The visit's date, YYYY-MM-DD. */
  date?: string;
  label?: string;
}

/**
 * The coverage at one visit over the first visit's scalp region (a later visit's: the
 * first visit's plus the change measured where both photos show the scalp).
 */
export interface VisitProgress {
  date?: string;
  label?: string;
  coverage: number;
  uncertainty: number;
  /** Measured through an alignment made or set by hand: how well the photos' detail confirms it (0..1; null when it could not be judged). */
  alignment_confidence?: number | null;
  /** With `alignment_confidence`: the specialist locked (checked) that alignment. */
  alignment_locked?: boolean;
}

/** The zoom: scale 1 is the fitted view; x, y the pan in CSS pixels. */
export interface Zoom {
  scale: number;
  x: number;
  y: number;
}

export interface ScalpCompareEventMap {
  slide: CustomEvent<{ value: number }>;
  "photo-load": CustomEvent<{ side: "before" | "after"; width: number; height: number; orientation: number }>;
  /** `message` in English; `text` as the widget shows it, in its language. */
  "photo-error": CustomEvent<{ side: "before" | "after"; message: string; text: string }>;
  /** `timing` (milliseconds per step, and the wasm memory used) for an automatic alignment measured just now. */
  aligned: CustomEvent<{
    matrix: Matrix3;
    model: Alignment["model"];
    confidence: number | null;
    source: string;
    timing?: Record<string, number>;
  }>;
  /** The visits chart gained a figure (`progress` as the property gives it). */
  progress: CustomEvent<{ progress: (VisitProgress | null)[] }>;
  "align-failed": CustomEvent<{ message: string; text: string; confidence: number }>;
  analysis: CustomEvent<Analysis | { error: string; text: string }>;
  salt: CustomEvent<SaltEstimate | { error: string; text: string }>;
  "annotation-change": CustomEvent<{ annotations: WebAnnotation[] }>;
}

/** `<scalp-compare>`: a before/after scalp photo comparison. */
export class ScalpCompare extends HTMLElement {
  /** Split position 0 (all AFTER) to 100 (all BEFORE). */
  value: number;
  direction: "horizontal" | "vertical";
  mode: ViewMode;
  /** BEFORE's opacity in the fade view, 0-100. */
  fade: number;
  /** The zoom; set one to restore it (null or scale 1 shows the photos fitted). */
  get zoom(): Zoom;
  set zoom(v: Zoom | null);
  /** A patient's visits, oldest first after sorting by date; the timeline shows them. */
  visits: Visit[];
  /** Coverage at each visit (null where not measured, or not yet). */
  readonly progress: (VisitProgress | null)[];
  readonly photos: { before: PhotoFacts | null; after: PhotoFacts | null };
  /** Set a matrix (or `{matrix, locked}`) to restore an alignment; null shows the photos as taken. */
  alignment: Alignment | null;
  readonly analysis: Analysis | null;
  /** The last SALT-style estimate made, or null. */
  readonly salt: SaltEstimate | null;
  /** The measured region in BEFORE pixels, or null for the automatic one. */
  region: [number, number][] | null;
  readonly busy: boolean;
  /** Resolves when the annotation and session tools have started. */
  readonly ready: Promise<void>;
  /** W3C Web Annotations; setting replaces them (throws with a message on a bad list). */
  annotations: WebAnnotation[];
  /** The whole comparison; setting checks it first (throws with a message, changing nothing). */
  session: Session;
  load(side: "before" | "after", source: string | Blob): Promise<boolean>;
  /** Picks a visit on the timeline: the last two picked are compared, the older as BEFORE. */
  pickVisit(index: number): void;
  setRegion(points: [number, number][] | null): void;
  /**
   * Measures four views of one visit (URLs or files) in the worker and weighs them into a
   * SALT-style estimate. Rejects naming the view that could not be measured (the last
   * estimate is kept). Child `<img data-view="top|back|left|right">` elements start it too.
   */
  saltEstimate(views: Record<SaltView, string | Blob>): Promise<SaltEstimate>;
  loadSession(doc: Session | string): "applied" | "pending";
  importFile(file: Blob & { name?: string }): Promise<boolean>;
  undo(): boolean;
  redo(): boolean;
  exportReport(): Promise<Blob>;
  printReport(): Promise<boolean>;
  addEventListener<K extends keyof ScalpCompareEventMap>(
    type: K,
    listener: (this: ScalpCompare, ev: ScalpCompareEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

declare global {
  interface HTMLElementTagNameMap {
    "scalp-compare": ScalpCompare;
  }
  interface HTMLElementEventMap extends ScalpCompareEventMap {}
}
