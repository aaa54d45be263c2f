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

test("touch drags the handle, a tap jumps, and the photos leave scrolling to the page", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await setValue(page, 50);
  const handle = page.locator("scalp-compare .handle");
  const frame = await page.locator("scalp-compare .frame").boundingBox();
  const box = await handle.boundingBox();

  // The frame lets the page pan vertically and zoom; the handle takes the gesture.
  expect(await page.locator("scalp-compare .frame").evaluate((el) => getComputedStyle(el).touchAction)).toBe(
    "pan-y pinch-zoom",
  );
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
