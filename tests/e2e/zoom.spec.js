// Synchronized zoom and pan: both photos (and the annotations) zoom and pan
// together and stay aligned; wheel, double-click, keyboard and drag; a reset.
import { test, expect } from "@playwright/test";
import { waitForPhotos, frameShot, setValue, structureNcc } from "./helpers.js";

test.use({ viewport: { width: 900, height: 1700 } });

test.beforeEach(async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await page.evaluate(() => document.querySelector("scalp-compare").ready);
});

const zoom = (page) => page.evaluate(() => document.querySelector("scalp-compare").zoom);

/** The BEFORE and AFTER photo pixels under a frame point. */
const pixelsUnder = (page, at) =>
  page.evaluate((at) => {
    const el = document.querySelector("scalp-compare");
    return ["before", "after"].map((photo) => {
      const m = el._photoToFrame(photo);
      // Invert by solving the 2x2 (the demo alignment is a similarity).
      const [[a, b, c], [d, e, f]] = m;
      const det = a * e - b * d;
      const x = at[0] - c;
      const y = at[1] - f;
      return [(e * x - b * y) / det, (a * y - d * x) / det];
    });
  }, at);

test("keyboard zoom keeps BEFORE and AFTER aligned, and resets", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await el.locator(".handle").focus();
  await page.keyboard.press("+");
  await page.keyboard.press("+");
  expect((await zoom(page)).scale).toBeCloseTo(2.25, 5);
  await expect(el.locator(".zoom-level")).toHaveText("225%");
  await expect(el.getByRole("button", { name: "Reset zoom" })).toBeVisible();
  // The photos really are magnified: BEFORE pixels per CSS pixel shrank.
  const perCss = await page.evaluate(() => document.querySelector("scalp-compare")._beforePerCss());
  await el.getByRole("button", { name: "Reset zoom" }).click();
  const perCss1 = await page.evaluate(() => document.querySelector("scalp-compare")._beforePerCss());
  expect(perCss1 / perCss).toBeCloseTo(2.25, 3);
  expect((await zoom(page)).scale).toBe(1);
  await expect(el.locator(".zoom-level")).toBeHidden();
  // "0" resets too; "-" never goes below the fitted view.
  await el.locator(".handle").focus();
  await page.keyboard.press("+");
  await page.keyboard.press("0");
  expect((await zoom(page)).scale).toBe(1);
  await page.keyboard.press("-");
  expect((await zoom(page)).scale).toBe(1);
});

test("zoomed in, the same scalp structure sits at the same place in both photos", async ({ page }) => {
  // The lower-left of the head at 225%: hair the simulated AFTER did not repaint.
  const look = (alignment) =>
    page.evaluate((al) => {
      const el = document.querySelector("scalp-compare");
      el.alignment = al;
      el.zoom = { scale: 2.25, x: 0, y: -1.25 * el.shadowRoot.querySelector(".frame").clientHeight };
    }, alignment);
  const ncc = async () => {
    await setValue(page, 100);
    const b = await frameShot(page);
    await setValue(page, 0);
    const a = await frameShot(page);
    return structureNcc(a, b, { x0: 0.1, x1: 0.9, y0: 0.1, y1: 0.9 });
  };
  const matrix = await page.evaluate(() => document.querySelector("scalp-compare").alignment.matrix);
  await look(matrix);
  const aligned = await ncc();
  await look(null);
  const raw = await ncc();
  // (Measured: 0.23 aligned, -0.01 as taken.)
  expect(aligned).toBeGreaterThan(0.15);
  expect(aligned).toBeGreaterThan(raw + 0.15);
});

test("Ctrl+wheel zooms about the pointer; dragging pans both photos together", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const box = await el.locator(".frame").boundingBox();
  const at = [box.width * 0.3, box.height * 0.4];
  const before = await pixelsUnder(page, at);
  await page.mouse.move(box.x + at[0], box.y + at[1]);
  await page.keyboard.down("Control");
  await page.mouse.wheel(0, -400);
  await page.keyboard.up("Control");
  await page.waitForTimeout(100);
  expect((await zoom(page)).scale).toBeGreaterThan(1.5);
  // The photo pixels under the pointer did not move (both photos).
  const after = await pixelsUnder(page, at);
  for (const i of [0, 1]) {
    expect(Math.hypot(after[i][0] - before[i][0], after[i][1] - before[i][1])).toBeLessThan(0.5);
  }
  // Drag pans: what was under the pointer follows it, in both photos; the split stays.
  const value = await page.evaluate(() => document.querySelector("scalp-compare").value);
  await page.mouse.down();
  await page.mouse.move(box.x + at[0] + 60, box.y + at[1] + 30, { steps: 6 });
  await page.mouse.up();
  const moved = await pixelsUnder(page, [at[0] + 60, at[1] + 30]);
  for (const i of [0, 1]) {
    expect(Math.hypot(moved[i][0] - before[i][0], moved[i][1] - before[i][1])).toBeLessThan(0.5);
  }
  expect(await page.evaluate(() => document.querySelector("scalp-compare").value)).toBe(value);
});

test("the middle button pans a zoomed view while the region or an annotation is drawn; the left button still draws", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const box = await el.locator(".frame").boundingBox();
  const at = [box.width * 0.4, box.height * 0.4];
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.down("Control");
  await page.mouse.wheel(0, -400);
  await page.keyboard.up("Control");
  await expect.poll(async () => (await zoom(page)).scale).toBeGreaterThan(1.5);
  const corners = () => page.evaluate(() => (document.querySelector("scalp-compare")._draft || []).length);
  const count = () => page.evaluate(() => document.querySelector("scalp-compare").annotations.length);
  /** A middle-button drag from `at` by (60, 30): what was under it follows it, in both photos. */
  const middleDrag = async () => {
    const start = await pixelsUnder(page, at);
    await page.mouse.move(box.x + at[0], box.y + at[1]);
    await page.mouse.down({ button: "middle" });
    await page.mouse.move(box.x + at[0] + 60, box.y + at[1] + 30, { steps: 6 });
    await page.mouse.up({ button: "middle" });
    const moved = await pixelsUnder(page, [at[0] + 60, at[1] + 30]);
    for (const i of [0, 1]) {
      expect(Math.hypot(moved[i][0] - start[i][0], moved[i][1] - start[i][1])).toBeLessThan(0.5);
    }
  };

  // A middle click (no drag) on the zoomed slider does not move the split.
  const value = await page.evaluate(() => document.querySelector("scalp-compare").value);
  await page.mouse.click(box.x + box.width * 0.8, box.y + box.height * 0.5, { button: "middle" });
  expect(await page.evaluate(() => document.querySelector("scalp-compare").value)).toBe(value);

  await el.getByRole("button", { name: "Draw scalp region" }).click();
  await middleDrag();
  expect(await corners()).toBe(0);
  await page.mouse.click(box.x + at[0], box.y + at[1]);
  expect(await corners()).toBe(1);
  await page.keyboard.press("Escape");

  await el.getByRole("button", { name: "Rectangle", exact: true }).click();
  await middleDrag();
  expect(await count()).toBe(0);
  await page.mouse.move(box.x + at[0], box.y + at[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + at[0] + 80, box.y + at[1] + 50, { steps: 4 });
  await page.mouse.up();
  expect(await count()).toBe(1);
});

test("double-click zooms in there and back out; annotations zoom with the photos", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await el.getByRole("button", { name: "Pin with note", exact: true }).click();
  const box = await el.locator(".frame").boundingBox();
  await page.mouse.click(box.x + box.width * 0.6, box.y + box.height * 0.6);
  await page.keyboard.press("Escape");
  await el.getByRole("button", { name: "Slide", exact: true }).click();
  const [pin] = await page.evaluate(() => document.querySelector("scalp-compare").session.annotations);
  await setValue(page, 30);
  await page.mouse.dblclick(box.x + box.width * 0.5, box.y + box.height * 0.5);
  expect((await zoom(page)).scale).toBeCloseTo(2.5, 5);
  // The double-click's first click does not leave the split where it jumped.
  await expect(el.locator(".handle")).toHaveAttribute("aria-valuenow", "30");
  // The pin is drawn where its photo pixel now is.
  const [shown, expected] = await page.evaluate((pin) => {
    const el = document.querySelector("scalp-compare");
    const c = el.shadowRoot.querySelector(`g[data-id="${pin.id}"] circle.pin`);
    const m = el._photoToFrame(pin.photo);
    const [x, y] = pin.points[0];
    return [
      [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))],
      [m[0][0] * x + m[0][1] * y + m[0][2], m[1][0] * x + m[1][1] * y + m[1][2]],
    ];
  }, pin);
  expect(Math.hypot(shown[0] - expected[0], shown[1] - expected[1])).toBeLessThan(0.5);
  expect(shown[0]).toBeGreaterThan(box.width * 0.6 + 50); // pushed outwards by the zoom
  await page.mouse.dblclick(box.x + box.width * 0.5, box.y + box.height * 0.5);
  expect((await zoom(page)).scale).toBe(1);
});

test("a triple click zooms like a double click and leaves the split where it was", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const box = await el.locator(".frame").boundingBox();
  await setValue(page, 30);
  await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.5, { clickCount: 3 });
  expect((await zoom(page)).scale).toBeCloseTo(2.5, 5);
  await expect(el.locator(".handle")).toHaveAttribute("aria-valuenow", "30");
  // A click a moment later is a click again: it moves the split.
  await page.waitForTimeout(700);
  await page.mouse.click(box.x + box.width * 0.7, box.y + box.height * 0.5);
  await expect(el.locator(".handle")).not.toHaveAttribute("aria-valuenow", "30");
});

test("patients can zoom too", async ({ page }) => {
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  const el = page.locator("scalp-compare");
  await el.locator(".handle").focus();
  await page.keyboard.press("=");
  expect((await zoom(page)).scale).toBeCloseTo(1.5, 5);
  await page.keyboard.press("Alt+ArrowLeft");
  expect((await zoom(page)).x).toBeLessThan(0);
});

test("deep zoom on a 12 MP photo reaches its full resolution, and lets it go at 1x", async ({ page }) => {
  await page.evaluate(async () => {
    const source = await createImageBitmap(await (await fetch("samples/before.jpg")).blob());
    const canvas = new OffscreenCanvas(4000, 3000);
    const ctx = canvas.getContext("2d");
    ctx.drawImage(source, 500, 0, 3000, 3000);
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 });
    await document.querySelector("scalp-compare").load("after", new File([blob], "big.jpg"));
  });
  await waitForPhotos(page);
  const state = () =>
    page.evaluate(() => {
      const el = document.querySelector("scalp-compare");
      const a = el._photos.after;
      return { display: a.bitmap.width, full: a.full ? a.full.width : 0, canvas: el.shadowRoot.querySelector("canvas.after").width };
    });
  expect((await state()).display).toBe(2560);
  await page.evaluate(() => (document.querySelector("scalp-compare").zoom = { scale: 12, x: 0, y: 0 }));
  await page.waitForFunction(() => document.querySelector("scalp-compare")._photos.after.full, null, { timeout: 15000 });
  await page.waitForTimeout(300);
  const deep = await state();
  expect(deep.full).toBe(4000);
  expect(deep.canvas).toBeGreaterThan(2560); // drawn from the whole-resolution photo
  await page.evaluate(() => (document.querySelector("scalp-compare").zoom = null));
  await page.waitForTimeout(400);
  expect((await state()).full).toBe(0);
});
