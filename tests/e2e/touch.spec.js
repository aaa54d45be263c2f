// Touch, as on a phone: only the handle drags (so the page still scrolls over
// the photos), and a tap jumps the split.
import { test, expect } from "@playwright/test";
import { waitForPhotos, setValue } from "./helpers.js";

test.use({ hasTouch: true, isMobile: true, viewport: { width: 390, height: 700 } });

async function touchDrag(page, from, to) {
  const cdp = await page.context().newCDPSession(page);
  const point = (p) => [{ x: p.x, y: p.y, id: 1 }];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: point(from) });
  for (let i = 1; i <= 8; i++) {
    const p = { x: from.x + ((to.x - from.x) * i) / 8, y: from.y + ((to.y - from.y) * i) / 8 };
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: point(p) });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

/**
 * Where a point of the photos' frame (in fractions of it) is on the screen now: tapping a
 * button below the photos may have scrolled the page.
 */
function frameAt(page) {
  const frame = page.locator("scalp-compare .frame");
  return async (fx, fy) => {
    await frame.scrollIntoViewIfNeeded();
    const box = await frame.boundingBox();
    return { x: box.x + box.width * fx, y: box.y + box.height * fy };
  };
}

/** The photos' zoom factor. */
function zoomOf(page) {
  return page.evaluate(() => document.querySelector("scalp-compare").zoom.scale);
}

/**
 * Two fingers: the first comes down at `from` and stays a moment, then the second 60 px
 * to its right, and they spread apart to 2 x `spread` px. With `again`, the second finger
 * lifts half-way and comes down again to spread on. With `wobble`, the first finger slides
 * that many px down before the second lands.
 */
async function pinchAt(page, cdp, from, { again = false, spread = 80, wobble = 0 } = {}) {
  // A finger is never quite still: the first one may slide a little before the second lands.
  const y = from.y + wobble;
  const two = (d) => [
    { x: from.x - d + 30, y, id: 1 },
    { x: from.x + d + 30, y, id: 2 },
  ];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [{ ...two(30)[0], y: from.y }] });
  if (wobble) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [two(30)[0]] });
  await page.waitForTimeout(50);
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: two(30) });
  for (let d = 35; d <= spread; d += 5) {
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: two(d) });
    if (again && d === 50) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [two(d)[0]] });
      await page.waitForTimeout(50);
      await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: two(d) });
    }
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await page.waitForTimeout(600); // as a person would before the next tap
}

test.beforeEach(async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await page.evaluate(() => document.querySelector("scalp-compare").ready);
});

test("touch drags the handle, a tap jumps, and the photos leave scrolling to the page", async ({ page }) => {
  await setValue(page, 50);
  const handle = page.locator("scalp-compare .handle");
  const frame = await page.locator("scalp-compare .frame").boundingBox();
  const box = await handle.boundingBox();

  // The frame lets the page pan vertically; the handle takes the gesture.
  expect(await page.locator("scalp-compare .frame").evaluate((el) => getComputedStyle(el).touchAction)).toBe("pan-y");
  expect(await handle.evaluate((el) => getComputedStyle(el).touchAction)).toBe("none");

  await touchDrag(
    page,
    { x: box.x + box.width / 2, y: box.y + box.height / 2 },
    { x: frame.x + frame.width * 0.2, y: box.y + box.height / 2 },
  );
  const dragged = Number(await handle.getAttribute("aria-valuenow"));
  expect(Math.abs(dragged - 20)).toBeLessThanOrEqual(2);

  // A horizontal swipe that starts on the photo, not the handle, does not move the split.
  await touchDrag(
    page,
    { x: frame.x + frame.width * 0.7, y: frame.y + frame.height * 0.3 },
    { x: frame.x + frame.width * 0.9, y: frame.y + frame.height * 0.3 },
  );
  expect(Number(await handle.getAttribute("aria-valuenow"))).toBe(dragged);

  // A tap jumps there.
  await page.touchscreen.tap(frame.x + frame.width * 0.75, frame.y + frame.height * 0.5);
  const tapped = Number(await handle.getAttribute("aria-valuenow"));
  expect(Math.abs(tapped - 75)).toBeLessThanOrEqual(2);
});

test("on touch, an annotation tool draws with a finger instead of scrolling", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await el.getByRole("button", { name: "Rectangle", exact: true }).tap();
  const frame = page.locator("scalp-compare .frame");
  await frame.scrollIntoViewIfNeeded();
  expect(await frame.evaluate((f) => getComputedStyle(f).touchAction)).toBe("none");
  const box = await frame.boundingBox();
  const scrollBefore = await page.evaluate(() => window.scrollY);
  await touchDrag(
    page,
    { x: box.x + box.width * 0.2, y: box.y + box.height * 0.2 },
    { x: box.x + box.width * 0.4, y: box.y + box.height * 0.5 },
  );
  expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore);
  const list = await page.evaluate(() => document.querySelector("scalp-compare").session.annotations);
  expect(list).toHaveLength(1);
  expect(list[0].kind).toBe("rect");
  // Back to the slider: the photos leave scrolling to the page again.
  // (Chromium's gesture detector swallows a synthetic tap that follows a synthetic
  // drag too closely, as a person never would.)
  await page.waitForTimeout(600);
  await el.getByRole("button", { name: "Slide", exact: true }).tap();
  expect(await frame.evaluate((f) => getComputedStyle(f).touchAction)).toBe("pan-y");
});

test("a two-finger pinch on the photos zooms both together", async ({ page }) => {
  const frame = page.locator("scalp-compare .frame");
  await frame.scrollIntoViewIfNeeded();
  const box = await frame.boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height * 0.75; // below the handle
  const cdp = await page.context().newCDPSession(page);
  const two = (d) => [
    { x: cx - d, y: cy, id: 1 },
    { x: cx + d, y: cy, id: 2 },
  ];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [two(30)[0]] });
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: two(30) });
  for (let d = 35; d <= 90; d += 5) {
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: two(d) });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
  const zoom = await page.evaluate(() => document.querySelector("scalp-compare").zoom.scale);
  expect(zoom).toBeGreaterThan(2.5);
  expect(zoom).toBeLessThan(3.5); // fingers went from 60 to 180 px apart
  // The page itself did not zoom.
  expect(await page.evaluate(() => window.visualViewport.scale)).toBe(1);
});

test("drawing the region with a finger, a second finger pinches to zoom instead of adding or moving a corner", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const at = frameAt(page);
  const region = () => page.evaluate(() => document.querySelector("scalp-compare").region);
  const zoom = () => zoomOf(page);
  const cdp = await page.context().newCDPSession(page);
  const pinch = (from, again = false, wobble = 0) => pinchAt(page, cdp, from, { again, wobble });

  // Three corners tapped, then Finish.
  await el.getByRole("button", { name: "Draw scalp region" }).tap();
  const corners = [
    [0.3, 0.3],
    [0.7, 0.35],
    [0.5, 0.75],
  ];
  for (const [fx, fy] of corners) {
    const c = await at(fx, fy);
    await page.touchscreen.tap(c.x, c.y);
    await page.waitForTimeout(400);
  }
  await el.getByRole("button", { name: "Finish region" }).tap();
  const drawn = await region();
  expect(drawn).toHaveLength(3);
  expect(await zoom()).toBe(1);

  // Editing: a pinch whose first finger lands on a corner (picking it up) zooms and
  // leaves the corner where it was.
  await page.waitForTimeout(600);
  await el.getByRole("button", { name: "Edit scalp region" }).tap();
  await pinch(await at(...corners[0]), false, 6);
  expect(await zoom()).toBeGreaterThan(1.5);
  await el.getByRole("button", { name: "Finish region" }).tap();
  expect(await region()).toEqual(drawn);

  // A pinch whose first finger lands on bare photo adds no corner, nor does a finger
  // lifted and put down again during it.
  const zoomed = await zoom();
  await page.waitForTimeout(600);
  await el.getByRole("button", { name: "Edit scalp region" }).tap();
  await pinch(await at(0.2, 0.6), true);
  expect(await zoom()).toBeGreaterThan(zoomed);
  await el.getByRole("button", { name: "Finish region" }).tap();
  expect(await region()).toEqual(drawn);
  await cdp.detach();
});

test("with an annotation tool, a second finger pinches to zoom instead of drawing; a pin is placed when the finger lifts", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const at = frameAt(page);
  const annotations = () => page.evaluate(() => document.querySelector("scalp-compare").session.annotations);
  const zoom = () => zoomOf(page);
  const cdp = await page.context().newCDPSession(page);
  const pinch = (from, again = false) => pinchAt(page, cdp, from, { again, spread: 70 });

  await el.getByRole("button", { name: "Pin with note", exact: true }).tap();
  await pinch(await at(0.3, 0.6));
  const zoomed = await zoom();
  expect(zoomed).toBeGreaterThan(1.5);
  expect(await annotations()).toHaveLength(0);
  const spot = await at(0.5, 0.4);
  await page.touchscreen.tap(spot.x, spot.y);
  const pins = await annotations();
  expect(pins).toHaveLength(1);
  expect(pins[0].kind).toBe("pin");
  await page.keyboard.press("Escape"); // the pin's note editor

  await page.waitForTimeout(600);
  await el.getByRole("button", { name: "Rectangle", exact: true }).tap();
  await pinch(await at(0.3, 0.7), true);
  expect(await zoom()).toBeGreaterThan(zoomed);
  expect(await annotations()).toEqual(pins);
  await cdp.detach();
});

test("a finger on a polygon's first corner closes it when it lifts, so a second finger can still pinch instead", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const at = frameAt(page);
  const annotations = () => page.evaluate(() => document.querySelector("scalp-compare").session.annotations);
  const cdp = await page.context().newCDPSession(page);
  await el.getByRole("button", { name: "Polygon", exact: true }).tap();
  const corners = [await at(0.3, 0.3), await at(0.6, 0.3), await at(0.45, 0.6)];
  for (const c of corners) {
    await page.touchscreen.tap(c.x, c.y);
    await page.waitForTimeout(400); // not a double tap
  }
  // The first finger lands on the first corner, then a second one: a pinch, and the
  // polygon is still open with its three corners.
  await pinchAt(page, cdp, corners[0], { spread: 70 });
  expect(await zoomOf(page)).toBeGreaterThan(1.5);
  expect(await annotations()).toHaveLength(0);
  await page.keyboard.press("Enter");
  const shapes = await annotations();
  expect(shapes).toHaveLength(1);
  expect(shapes[0].kind).toBe("polygon");
  expect(shapes[0].points).toHaveLength(3);
  // A tap on the first corner closes a polygon, as before.
  await page.evaluate(() => (document.querySelector("scalp-compare").zoom = { scale: 1 }));
  await el.getByRole("button", { name: "Polygon", exact: true }).tap();
  const more = [await at(0.2, 0.7), await at(0.4, 0.7), await at(0.3, 0.9)];
  for (const c of [...more, more[0]]) {
    await page.touchscreen.tap(c.x, c.y);
    await page.waitForTimeout(400);
  }
  const closed = await annotations();
  expect(closed).toHaveLength(2);
  expect(closed[1].points).toHaveLength(3);
  await cdp.detach();
});

test("a double tap zooms there and leaves the split where it was", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const at = frameAt(page);
  await setValue(page, 30);
  const p = await at(0.7, 0.5);
  await page.touchscreen.tap(p.x, p.y);
  await page.waitForTimeout(80);
  await page.touchscreen.tap(p.x, p.y);
  await expect.poll(() => zoomOf(page)).toBeCloseTo(2.5, 5);
  await expect(el.locator(".handle")).toHaveAttribute("aria-valuenow", "30");
  // One tap, later, still jumps the split.
  await page.evaluate(() => (document.querySelector("scalp-compare").zoom = { scale: 1 }));
  await page.waitForTimeout(700);
  const q = await at(0.6, 0.5);
  await page.touchscreen.tap(q.x, q.y);
  await expect.poll(async () => Number(await el.locator(".handle").getAttribute("aria-valuenow"))).toBeGreaterThan(55);
});
