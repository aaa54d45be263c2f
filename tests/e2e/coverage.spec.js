// Hair coverage in the widget: numbers with their uncertainty and a plain
// summary for the demo pair, the change map toggling on and off, and a region
// drawn by the specialist changing what is measured.
import { readFileSync } from "node:fs";
import { test, expect } from "@playwright/test";
import { waitForPhotos, frameShot, regionDiff, loadUnmeasurablePair } from "./helpers.js";

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    window.analyses = [];
    document.addEventListener("analysis", (e) => window.analyses.push(e.detail));
  });
  await page.goto("/");
  await waitForPhotos(page);
});

const analysis = (page) => page.evaluate(() => document.querySelector("scalp-compare").analysis);

test("the demo pair gets coverage numbers, uncertainties and a readable summary", async ({ page }) => {
  const a = await analysis(page);
  for (const side of [a.before, a.after]) {
    expect(side.coverage).toBeGreaterThan(0);
    expect(side.coverage).toBeLessThan(1);
    expect(side.uncertainty).toBeGreaterThan(0);
  }
  expect(a.change_pp).toBeCloseTo((a.after.coverage - a.before.coverage) * 100, 6);
  expect(a.change_uncertainty_pp).toBeGreaterThan(0);
  expect(a.roi.source).toBe("auto");
  const summary = page.locator("scalp-compare .summary");
  await expect(summary).toHaveAttribute("role", "status");
  await expect(summary).toContainText(`${Math.round(a.before.coverage * 100)}%`);
  await expect(summary).toContainText(`${Math.round(a.after.coverage * 100)}%`);
  await expect(summary).toContainText("not a diagnosis");
  // It says what the numbers are measured over (the visits chart uses another region).
  await expect(summary).toContainText("where both photos show the scalp");
  const events = await page.evaluate(() => window.analyses);
  expect(events.at(-1).change_pp).toBe(a.change_pp);
});

test("the change map toggles on and off, with a legend", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const plain = await frameShot(page);
  const toggle = el.getByRole("button", { name: "Show change map" });
  await toggle.click();
  await expect(el.getByRole("button", { name: "Hide change map" })).toHaveAttribute("aria-pressed", "true");
  await expect(el.locator(".legend")).toBeVisible();
  await expect(el.locator(".legend")).toContainText("hair came back");
  const heat = await frameShot(page);
  // The map colours the scalp region (the middle), not the background corners.
  expect(regionDiff(heat, plain, { x0: 0.3, x1: 0.7, y0: 0.3, y1: 0.7 })).toBeGreaterThan(8);
  expect(regionDiff(heat, plain, { x0: 0, x1: 0.08, y0: 0.9, y1: 1 })).toBeLessThan(1);
  await el.getByRole("button", { name: "Hide change map" }).click();
  await expect(el.locator(".legend")).toBeHidden();
  const off = await frameShot(page);
  expect(regionDiff(off, plain, { x0: 0, x1: 1, y0: 0, y1: 1 })).toBeLessThan(1);
});

test("a region drawn by the specialist is measured instead of the automatic one", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const auto = await analysis(page);
  await el.getByRole("button", { name: "Draw scalp region" }).click();
  const frame = el.locator(".frame");
  const box = await frame.boundingBox();
  // A square over the crown, from 30% to 60% of the frame (BEFORE is 640x640 in a square frame).
  for (const [fx, fy] of [[0.3, 0.3], [0.6, 0.3], [0.6, 0.6], [0.3, 0.6]]) {
    await frame.click({ position: { x: box.width * fx, y: box.height * fy } });
  }
  await page.keyboard.press("Enter");
  await waitForPhotos(page);
  const drawn = await analysis(page);
  expect(drawn.roi.source).toBe("given");
  const expected = (0.3 * 640) ** 2;
  expect(Math.abs(drawn.roi.area_px - expected) / expected).toBeLessThan(0.1);
  expect(drawn.before.coverage).not.toBeCloseTo(auto.before.coverage, 3);
  await expect(page.locator("scalp-compare .summary")).toContainText("in the drawn region");
  await expect(page.locator("scalp-compare .summary")).not.toContainText("where both photos show");
  const region = await page.evaluate(() => document.querySelector("scalp-compare").region);
  expect(region).toHaveLength(4);
  expect(region[0][0]).toBeCloseTo(0.3 * 640, -1);

  // Back to the automatic region.
  await el.getByRole("button", { name: "Automatic region" }).click();
  await waitForPhotos(page);
  const again = await analysis(page);
  expect(again.roi.source).toBe("auto");
  expect(again.before.coverage).toBeCloseTo(auto.before.coverage, 6);
});

test("patients see the numbers and the change map but cannot draw regions", async ({ page }) => {
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  const el = page.locator("scalp-compare");
  await expect(el.getByRole("button", { name: "Draw scalp region" })).toBeHidden();
  await expect(el.getByRole("button", { name: "Show change map" })).toBeVisible();
  // The patient's sentence says the same numbers in plain words: no "±", no jargon.
  const a = await analysis(page);
  const summary = el.locator(".summary");
  const one = (v) => (Math.round(Math.abs(v) * 10) / 10).toFixed(1);
  const change =
    a.change_pp > a.change_uncertainty_pp
      ? `more hair, up by about ${one(a.change_pp)} percentage points (give or take ${one(a.change_uncertainty_pp)})`
      : a.change_pp < -a.change_uncertainty_pp
        ? `less hair, down by about ${one(a.change_pp)} percentage points (give or take ${one(a.change_uncertainty_pp)})`
        : `no clear change (the photos cannot show a change smaller than about ${one(a.change_uncertainty_pp)} percentage points)`;
  const [before, after] = await page.evaluate(() => {
    const sc = document.querySelector("scalp-compare");
    return [sc.getAttribute("before-label") || "BEFORE", sc.getAttribute("after-label") || "AFTER"];
  });
  await expect(summary).toHaveText(
    `In these photos hair covers about ${Math.round(a.before.coverage * 100)}% of the scalp at ${before} and about ` +
      `${Math.round(a.after.coverage * 100)}% at ${after}: ${change}. An estimate from photos, not a diagnosis: ` +
      "your specialist can tell you what it means.",
  );
  // A region the specialist drew is named as theirs.
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion([[150, 150], [450, 150], [450, 450], [150, 450]]));
  await expect(summary).toContainText(`of the scalp in the area your specialist marked at ${before}`);
  // The specialist's own view keeps the figures with their uncertainties.
  await page.evaluate(() => document.querySelector("scalp-compare").removeAttribute("readonly"));
  await expect(summary).toContainText("\u00b1");
});

test("a region drawn on BEFORE stays when only AFTER changes, unless the new pair has its own saved region", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const state = () =>
    page.evaluate(() => {
      const sc = document.querySelector("scalp-compare");
      return { region: sc.region, source: sc.analysis && sc.analysis.roi.source, after: sc.photos.after.name };
    });
  const settled = () =>
    page.waitForFunction(() => {
      const sc = document.querySelector("scalp-compare");
      return sc.photos.after && sc.analysis && !sc.busy;
    });
  // The next visit, under a name of its own (its work is stored under it).
  const loadAfter = (name) =>
    page.evaluate(async (name) => {
      const blob = await (await fetch("samples/after.jpg")).blob();
      await document.querySelector("scalp-compare").load("after", new File([blob], name, { type: "image/jpeg" }));
    }, name);
  const square = [[150, 150], [450, 150], [450, 450], [150, 450]];
  await page.evaluate((sq) => document.querySelector("scalp-compare").setRegion(sq), square);
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis?.roi.source === "given");
  await loadAfter("visit-3.jpg");
  await settled();
  expect(await state()).toEqual({ region: square, source: "given", after: "visit-3.jpg" });
  await expect(el.getByRole("button", { name: "Automatic region" })).toBeEnabled();
  await expect(el.locator(".summary")).toContainText("in the drawn region");
  // This pair gets a region of its own; the first pair keeps its square.
  const triangle = [[100, 100], [500, 120], [300, 500]];
  await page.evaluate((t) => document.querySelector("scalp-compare").setRegion(t), triangle);
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis?.roi.polygon.length === 3);
  await loadAfter("after.jpg");
  await settled();
  expect(await state()).toEqual({ region: square, source: "given", after: "after.jpg" });
  // Back to the third visit: the region saved for that pair, not the one shown before.
  await loadAfter("visit-3.jpg");
  await settled();
  expect(await state()).toEqual({ region: triangle, source: "given", after: "visit-3.jpg" });
  // Work saved for a pair without a region of its own (a locked alignment) does not stop
  // the region shown from carrying over to it.
  await loadAfter("visit-4.jpg");
  await settled();
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion(null));
  await el.getByLabel("Lock alignment").check();
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis?.roi.source === "auto");
  await loadAfter("after.jpg");
  await settled();
  await loadAfter("visit-4.jpg");
  await settled();
  expect(await state()).toEqual({ region: square, source: "given", after: "visit-4.jpg" });
  expect((await page.evaluate(() => document.querySelector("scalp-compare").alignment)).locked).toBe(true);
  // A region is drawn in BEFORE's pixels: another BEFORE does not inherit it.
  await page.evaluate((sq) => document.querySelector("scalp-compare").setRegion(sq), square);
  await page.evaluate(async () => {
    const blob = await (await fetch("samples/before.jpg")).blob();
    await document.querySelector("scalp-compare").load("before", new File([blob], "visit-0.jpg", { type: "image/jpeg" }));
  });
  await settled();
  expect((await state()).region).toBeNull();
});

test("the region can be drawn by keyboard alone", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const auto = await analysis(page);
  await el.getByRole("button", { name: "Draw scalp region" }).focus();
  await page.keyboard.press("Enter");
  await expect(el.locator(".frame")).toBeFocused();
  // A triangle around the crown: Space drops each corner where the cross is.
  const press = async (key, n) => {
    for (let i = 0; i < n; i++) await page.keyboard.press(key);
  };
  await press("Shift+ArrowUp", 4);
  await page.keyboard.press("Space");
  await press("Shift+ArrowDown", 8);
  await press("Shift+ArrowRight", 6);
  await page.keyboard.press("Space");
  // Enter with two corners keeps them and says what is missing; drawing goes on.
  await page.keyboard.press("Enter");
  await expect(el.locator(".annotate-status")).toHaveText(
    "A region needs at least three corners; 2 placed. Add another, or press Finish region again to stop without one.",
  );
  await expect(el.locator(".frame")).toBeFocused();
  await press("Shift+ArrowLeft", 12);
  await page.keyboard.press("Space");
  await page.keyboard.press("Enter");
  const region = await page.evaluate(() => document.querySelector("scalp-compare").region);
  expect(region).toHaveLength(3);
  // The keyboard is not dropped on the page: it is on the button that edits the region.
  await expect(el.getByRole("button", { name: "Edit scalp region" })).toBeFocused();
  await page.waitForFunction((before) => {
    const a = document.querySelector("scalp-compare").analysis;
    return a && a.roi.source === "given" && a.roi.area_px !== before;
  }, auto.roi.area_px);
  const a = await analysis(page);
  expect(a.roi.source).toBe("given");
  expect(a.roi.area_px).toBeLessThan(auto.roi.area_px);
  // Back to the automatic region by keyboard: that button turns itself off, and the
  // keyboard goes on to the one that draws a region.
  await el.getByRole("button", { name: "Automatic region" }).focus();
  await page.keyboard.press("Enter");
  await expect(el.getByRole("button", { name: "Draw scalp region" })).toBeFocused();
  expect(await page.evaluate(() => document.querySelector("scalp-compare").region)).toBeNull();
  // One corner, then Finish twice (as on a touch screen, with no Escape): drawing stops
  // without a region.
  await page.keyboard.press("Enter");
  await page.keyboard.press("Space");
  await el.getByRole("button", { name: "Finish region" }).click();
  await expect(el.locator(".annotate-status")).toContainText("1 placed");
  await el.getByRole("button", { name: "Finish region" }).click();
  await expect(el.getByRole("button", { name: "Draw scalp region" })).toBeVisible();
  expect(await page.evaluate(() => document.querySelector("scalp-compare").region)).toBeNull();
});

test("a drawn region is edited: a corner dragged, a corner added on an edge, Escape keeps it", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const frame = el.locator(".frame");
  // Where a point of the frame is on the page now (a button's click may scroll it).
  const at = async (fx, fy) => {
    await frame.scrollIntoViewIfNeeded();
    const box = await frame.boundingBox();
    return [box.x + box.width * fx, box.y + box.height * fy];
  };
  await el.getByRole("button", { name: "Draw scalp region" }).click();
  for (const [fx, fy] of [[0.3, 0.3], [0.6, 0.3], [0.6, 0.6], [0.3, 0.6]]) await page.mouse.click(...await at(fx, fy));
  await page.keyboard.press("Enter");
  await waitForPhotos(page);
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis?.roi.source === "given");
  const square = await analysis(page);

  await el.getByRole("button", { name: "Edit scalp region" }).click();
  // Drag the lower right corner out to 70 %, then click just above the top edge's middle.
  await page.mouse.move(...await at(0.6, 0.6));
  await page.mouse.down();
  await page.mouse.move(...await at(0.65, 0.65), { steps: 4 });
  await page.mouse.move(...await at(0.7, 0.7), { steps: 4 });
  await page.mouse.up();
  await page.mouse.click(...await at(0.45, 0.28));
  await page.keyboard.press("Enter");
  await page.waitForFunction((area) => {
    const a = document.querySelector("scalp-compare").analysis;
    return a && a.roi.source === "given" && a.roi.area_px !== area;
  }, square.roi.area_px);
  const region = await page.evaluate(() => document.querySelector("scalp-compare").region);
  const expected = [[0.3, 0.3], [0.45, 0.28], [0.6, 0.3], [0.7, 0.7], [0.3, 0.6]].map(([x, y]) => [x * 640, y * 640]);
  expect(region).toHaveLength(5);
  region.forEach(([x, y], i) => {
    expect(Math.abs(x - expected[i][0])).toBeLessThan(8);
    expect(Math.abs(y - expected[i][1])).toBeLessThan(8);
  });
  // The measured area follows the edited outline (shoelace formula).
  const shoelace = Math.abs(expected.reduce((s, [x, y], i) => {
    const [nx, ny] = expected[(i + 1) % expected.length];
    return s + x * ny - nx * y;
  }, 0)) / 2;
  const edited = await analysis(page);
  expect(Math.abs(edited.roi.area_px - shoelace) / shoelace).toBeLessThan(0.1);
  expect(edited.roi.area_px).toBeGreaterThan(square.roi.area_px * 1.2);

  // A double-click finishes without adding the corner its first click would add.
  await el.getByRole("button", { name: "Edit scalp region" }).click();
  await page.mouse.dblclick(...(await at(0.5, 0.62)));
  await expect(el.getByRole("button", { name: "Edit scalp region" })).toBeVisible();
  expect(await page.evaluate(() => document.querySelector("scalp-compare").region)).toEqual(region);

  // Escape leaves the region as it was.
  await el.getByRole("button", { name: "Edit scalp region" }).click();
  await page.mouse.move(...await at(0.3, 0.3));
  await page.mouse.down();
  await page.mouse.move(...await at(0.1, 0.1), { steps: 4 });
  await page.mouse.up();
  await page.keyboard.press("Escape");
  expect(await page.evaluate(() => document.querySelector("scalp-compare").region)).toEqual(region);
  await expect(el.getByRole("button", { name: "Edit scalp region" })).toBeVisible();
});

test("a region's corner is moved by keyboard alone", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion([[320, 320], [500, 150], [500, 500]]));
  await el.getByRole("button", { name: "Edit scalp region" }).focus();
  await page.keyboard.press("Enter");
  await expect(el.locator(".frame")).toBeFocused();
  // The cross starts in the middle, on the first corner: Space picks it up, the arrows
  // move it, Space drops it, Enter finishes. Each step is said to screen readers.
  const news = el.locator(".region-news");
  await expect(news).toHaveAttribute("role", "status");
  await page.keyboard.press("Space");
  await expect(news).toHaveText("Corner picked up: move it with the arrow keys, Space drops it.");
  for (let i = 0; i < 4; i++) await page.keyboard.press("Shift+ArrowLeft");
  await page.keyboard.press("Space");
  await expect(news).toHaveText("Corner dropped.");
  await page.keyboard.press("Enter");
  const region = await page.evaluate(() => document.querySelector("scalp-compare").region);
  expect(region).toHaveLength(3);
  expect(region[0][0]).toBeLessThan(320 - 50);
  expect(region[0][1]).toBe(320);
  expect(region.slice(1)).toEqual([[500, 150], [500, 500]]);

  // Space beside the corners adds one where the cross is, Backspace takes it away again;
  // a region keeps at least three corners, so Backspace on one of three does nothing.
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion([[320, 320], [500, 150], [500, 500]]));
  await el.getByRole("button", { name: "Edit scalp region" }).focus();
  await page.keyboard.press("Enter");
  for (let i = 0; i < 4; i++) await page.keyboard.press("Shift+ArrowRight");
  await page.keyboard.press("Space");
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => document.querySelector("scalp-compare").region)).toHaveLength(4);
  await el.getByRole("button", { name: "Edit scalp region" }).focus();
  await page.keyboard.press("Enter");
  for (let i = 0; i < 4; i++) await page.keyboard.press("Shift+ArrowRight");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Enter");
  const three = await page.evaluate(() => document.querySelector("scalp-compare").region);
  expect(three).toEqual([[320, 320], [500, 150], [500, 500]]);
  await el.getByRole("button", { name: "Edit scalp region" }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Backspace"); // the cross is on the first corner
  await expect(news).toHaveText("A region keeps at least three corners.");
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => document.querySelector("scalp-compare").region)).toEqual(three);
});

test("the summary names the photos as their labels do, when the labels change after it", async ({ page }) => {
  const summary = page.locator("scalp-compare .summary");
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  await page.evaluate(() => {
    const el = document.querySelector("scalp-compare");
    el.setAttribute("before-label", "Jan 2026");
    el.setAttribute("after-label", "Sep 2026");
  });
  await expect(summary).toContainText("Jan 2026");
  await expect(summary).toContainText("Sep 2026");
});

test("a pair that cannot support a number says why and keeps the comparison", async ({ page }) => {
  await loadUnmeasurablePair(page);
  const summary = page.locator("scalp-compare .summary");
  await expect(summary).toContainText("could not be measured", { timeout: 30000 });
  await expect(summary).toContainText("cannot be told apart");
  // Here a region can be drawn, and the advice says so.
  await expect(summary).toContainText("draw a region over the area that matters");
  const state = await page.evaluate(() => {
    const el = document.querySelector("scalp-compare");
    return { photos: el.photos, alignment: el.alignment, analysis: el.analysis };
  });
  // No number is shown, but both photos stay loaded and aligned.
  expect(state.analysis).toBeNull();
  expect(state.photos.before.name).toBe("topdown-stage6-1.jpg");
  expect(state.photos.after.name).toBe("topdown-stage6-1.jpg");
  expect(state.alignment.confidence).toBeGreaterThan(0.5);
  const events = await page.evaluate(() => window.analyses);
  expect(events.at(-1).error).toContain("cannot be told apart");
});

test("a patient whose pair cannot support a number is told to retake it, not to draw a region they cannot draw", async ({ page }) => {
  await loadUnmeasurablePair(page);
  const summary = page.locator("scalp-compare .summary");
  await expect(summary).toContainText("draw a region over the area that matters", { timeout: 30000 });
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  await expect(summary).toContainText("than 30 points); retake the photo evenly lit and in focus", { timeout: 30000 });
  await expect(summary).not.toContainText("draw");
  // In another language the reason follows too.
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("lang", "es"));
  await expect(summary).toContainText("No se pudo medir");
  await expect(summary).not.toContainText("cannot be told apart");
  // The specialist's view gives the advice to draw again.
  await page.evaluate(() => {
    const el = document.querySelector("scalp-compare");
    el.removeAttribute("lang");
    el.removeAttribute("readonly");
  });
  await expect(summary).toContainText("draw a region over the area that matters", { timeout: 30000 });
  expect(await page.evaluate(() => document.querySelector("scalp-compare").photos.after.name)).toBe("topdown-stage6-1.jpg");
  // A region the specialist marked that is too small: the patient is not told to retake a
  // photo that is fine.
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion([[300, 300], [330, 300], [315, 325]]));
  await expect(summary).toContainText("the region is too small to measure hair coverage; draw a larger area of scalp", { timeout: 30000 });
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  await expect(summary).toContainText("the region marked on the photo is too small to measure hair coverage; your specialist can mark a larger one", { timeout: 30000 });
  await page.evaluate(() => {
    const el = document.querySelector("scalp-compare");
    el.removeAttribute("readonly");
    el.setRegion(null);
  });
  await expect(summary).toContainText("draw a region over the area that matters", { timeout: 30000 });
  // The reader changed while the pair is measured: the advice is for the one reading at the end.
  for (const [toggles, advice] of [
    [["add"], "than 30 points); retake the photo"],
    [["remove", "add", "remove"], "draw a region over the area that matters"],
  ]) {
    await page.evaluate(async (toggles) => {
      const el = document.querySelector("scalp-compare");
      el.setRegion(null); // measured again
      for (const t of toggles) {
        await new Promise((r) => setTimeout(r, 150));
        el.toggleAttribute("readonly", t === "add");
      }
    }, toggles);
    await expect(summary).toContainText(advice, { timeout: 30000 });
    await page.waitForFunction(() => !document.querySelector("scalp-compare").busy);
    await page.waitForTimeout(300);
    await expect(summary).toContainText(advice);
  }
});

test("a report or session taken while a new region is measured carries that region's figures, not the last ones", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  // (The demo's BEFORE is 640 x 640.)
  const region = [[100, 100], [520, 120], [460, 520]];
  const taken = await page.evaluate(async (region) => {
    const sc = document.querySelector("scalp-compare");
    sc.setRegion(region);
    // At once: the figures on screen are still the automatic region's.
    const meanwhile = sc.session.analysis;
    await sc.exportReport();
    return { meanwhile, busy: sc.busy, roi: sc.analysis && sc.analysis.roi.polygon };
  }, region);
  expect(taken.meanwhile).toBeNull();
  // The report was made once the drawn region was measured.
  expect(taken.busy).toBe(false);
  expect(taken.roi).toEqual(region);
  // Save session pressed while measuring saves the new region's figures beside it.
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion([[120, 100], [540, 140], [440, 540]]));
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    el.getByRole("button", { name: "Save session" }).click(),
  ]);
  const saved = JSON.parse(readFileSync(await download.path(), "utf8"));
  expect(saved.region).toEqual([[120, 100], [540, 140], [440, 540]]);
  expect(saved.analysis.roi.polygon).toEqual(saved.region);
});
