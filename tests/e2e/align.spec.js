// Alignment in the widget, as a specialist and a patient meet it: a rotated and
// scaled visit is laid onto the first automatically; a pair the automatic path
// refuses is aligned from clicked landmarks; fine adjustment, lock and reset;
// and a patient (readonly) sees none of the tools.
import { test, expect } from "@playwright/test";
import { waitForPhotos, referenceShots, structureNcc, transformedSample } from "./helpers.js";

/** Mean distance over AFTER's corners between two AFTER->BEFORE matrices, in BEFORE pixels. */
function cornerError(m, truth, w, h) {
  const apply = (t, x, y) => {
    const d = t[2][0] * x + t[2][1] * y + t[2][2];
    return [(t[0][0] * x + t[0][1] * y + t[0][2]) / d, (t[1][0] * x + t[1][1] * y + t[1][2]) / d];
  };
  let sum = 0;
  for (const [x, y] of [[0, 0], [w, 0], [w, h], [0, h]]) {
    const [a, b] = apply(m, x, y);
    const [c, d] = apply(truth, x, y);
    sum += Math.hypot(a - c, b - d);
  }
  return sum / 4;
}

/** Loads a transformed BEFORE (see `transformedSample`) as AFTER; returns the true AFTER->BEFORE matrix. */
async function loadTransformedAfter(page, change) {
  const { url, truth } = await transformedSample(page, change);
  await page.evaluate(async (url) => {
    const el = document.querySelector("scalp-compare");
    await el.load("after", new File([window.samples.get(url)], "follow-up.jpg", { type: "image/jpeg" }));
  }, url);
  return truth;
}

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    window.events = [];
    for (const type of ["aligned", "align-failed"]) {
      document.addEventListener(type, (e) => window.events.push({ type, detail: e.detail }));
    }
  });
  await page.goto("/");
  await waitForPhotos(page);
});

test("the demo pair is aligned automatically, with a confidence and an event", async ({ page }) => {
  const truth = await page.evaluate(async () => (await (await fetch("samples/pair.json")).json()).after_to_before);
  const a = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(a.source).toBe("auto");
  expect(a.model).toBe("similarity");
  expect(a.confidence).toBeGreaterThan(0.7);
  // Within 0.25% of the diagonal (2.3 px on 640x640) of the true pose.
  expect(cornerError(a.matrix, truth, 640, 640)).toBeLessThan(2.3);
  const events = await page.evaluate(() => window.events);
  expect(events.map((e) => e.type)).toContain("aligned");
  expect(events.find((e) => e.type === "aligned").detail.matrix).toEqual(a.matrix);
  await expect(page.locator("scalp-compare .chip")).toContainText("Aligned automatically");
});

test("a rotated, scaled, shifted and relit visit becomes aligned", async ({ page }) => {
  const truth = await loadTransformedAfter(page, {
    angle: -22,
    scale: 0.8,
    dx: 40,
    dy: -30,
    filter: "brightness(1.25) contrast(0.8) sepia(0.3)",
  });
  await waitForPhotos(page);
  const a = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(a && a.source).toBe("auto");
  expect(cornerError(a.matrix, truth, 640, 640)).toBeLessThan(1.6);
  // Pixels agree across the split: the same fine structure at the same places.
  const inside = { x0: 0.2, x1: 0.8, y0: 0.2, y1: 0.8 };
  const aligned = await referenceShots(page);
  await page.evaluate(() => (document.querySelector("scalp-compare").alignment = null));
  const raw = await referenceShots(page);
  const alignedScore = structureNcc(aligned.before, aligned.after, inside);
  expect(alignedScore).toBeGreaterThan(0.6);
  expect(alignedScore).toBeGreaterThan(structureNcc(raw.before, raw.after, inside) + 0.4);
});

test("a pair the automatic path refuses is aligned from clicked landmarks", async ({ page }) => {
  const truth = await loadTransformedAfter(page, { angle: 12, scale: 1.05, dx: 10, dy: 5, blobs: 160 });
  await waitForPhotos(page);
  // Refused: no overlay is shown as aligned, and the specialist is offered landmarks.
  expect(await page.evaluate(() => document.querySelector("scalp-compare").alignment)).toBeNull();
  const notice = page.locator("scalp-compare .notice");
  await expect(notice).toContainText("could not align");
  expect((await page.evaluate(() => window.events)).some((e) => e.type === "align-failed")).toBe(true);

  await notice.getByRole("button", { name: "Align by landmarks" }).click();
  const panel = page.locator("scalp-compare scalp-landmarks");
  await expect(panel).toBeVisible();
  const apply = panel.getByRole("button", { name: "Apply" });
  await expect(apply).toBeDisabled();

  // Three features on BEFORE and where the camera change put them on AFTER.
  const beforePts = [[180, 200], [470, 240], [300, 500]];
  const inv = (m, [x, y]) => {
    // truth maps AFTER->BEFORE; invert the similarity to place AFTER points.
    const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    const [u, v] = [x - m[0][2], y - m[1][2]];
    return [(m[1][1] * u - m[0][1] * v) / det, (-m[1][0] * u + m[0][0] * v) / det];
  };
  const clickAt = async (side, [x, y]) => {
    const view = panel.locator(`.view[data-side="${side}"]`);
    const box = await view.boundingBox();
    const s = Math.min(box.width / 640, box.height / 640);
    await page.mouse.click(box.x + (box.width - 640 * s) / 2 + x * s, box.y + (box.height - 640 * s) / 2 + y * s);
  };
  for (const p of beforePts) {
    await clickAt("before", p);
    await clickAt("after", inv(truth, p));
  }
  await expect(panel.locator(".status")).toContainText("3 pairs placed");
  await expect(apply).toBeEnabled();
  await apply.click();
  await expect(panel.locator(".residuals li")).toHaveCount(3);
  const a = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(a.source).toBe("manual");
  // Clicks land on CSS pixels (~1.5 photo pixels here): within 0.5% of the diagonal.
  expect(cornerError(a.matrix, truth, 640, 640)).toBeLessThan(4.5);
  await expect(notice).toBeHidden();
  await expect(page.locator("scalp-compare .chip")).toContainText(`Aligned by hand \u00b7 confidence ${Math.round(a.confidence * 100)}%`);
  // The painted blobs change the fine detail the automatic alignment refused on: the fit is
  // not confirmed by it, and the summary says so until the specialist locks the alignment.
  expect(a.confidence).toBeLessThan(0.5);
  const summary = page.locator("scalp-compare .summary");
  await expect(summary).toContainText("The photos' detail does not confirm this alignment");
  // A point taken back after Apply: the panel counts the pairs again (the residuals were
  // the applied fit's) and the alignment stays as applied.
  await panel.getByRole("button", { name: "Remove last point" }).click();
  await expect(panel.locator(".residuals li")).toHaveCount(0);
  await expect(panel.locator(".status")).toContainText("2 pairs placed (3 on BEFORE, 2 on AFTER)");
  expect((await page.evaluate(() => document.querySelector("scalp-compare").alignment)).source).toBe("manual");
  // Closed from the keyboard: focus goes back to a button that opens the panel (the
  // notice's is gone with the notice), not to the page.
  await panel.getByRole("button", { name: "Close" }).focus();
  await page.keyboard.press("Enter");
  await expect(panel).toBeHidden();
  await expect(page.locator('scalp-compare .toolbar button[data-action="landmarks"]')).toBeFocused();
  // Checked and locked by the specialist: the caution goes.
  await page.locator("scalp-compare").getByLabel("Lock alignment").check();
  await expect(summary).toContainText("Hair coverage");
  await expect(summary).not.toContainText("does not confirm");
});

test("fine adjustment by keyboard, lock, and reset to automatic", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const auto = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  await el.getByRole("button", { name: "Adjust alignment" }).click();
  await expect(el.getByRole("button", { name: "Adjust alignment" })).toHaveAttribute("aria-pressed", "true");
  await expect(el.locator(".nudge")).toBeVisible();
  // The frame has focus: arrows move AFTER by one screen pixel in BEFORE pixels.
  const perCss = await page.evaluate(() => {
    const f = document.querySelector("scalp-compare").shadowRoot.querySelector(".frame");
    return 640 / f.clientWidth;
  });
  for (let i = 0; i < 5; i++) await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Shift+ArrowDown");
  let a = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(a.matrix[0][2] - auto.matrix[0][2]).toBeCloseTo(5 * perCss, 6);
  expect(a.matrix[1][2] - auto.matrix[1][2]).toBeCloseTo(10 * perCss, 6);
  expect(a.source).toBe("manual");
  // Rotate a degree clockwise with Shift+].
  const before = Math.atan2(a.matrix[1][0], a.matrix[0][0]);
  await page.keyboard.press("Shift+BracketRight");
  a = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(((Math.atan2(a.matrix[1][0], a.matrix[0][0]) - before) * 180) / Math.PI).toBeCloseTo(1, 6);
  await page.keyboard.press("Escape");
  await expect(el.locator(".nudge")).toBeHidden();

  // Lock: the tools that change the alignment are disabled.
  await el.getByLabel("Lock alignment").check();
  await expect(el.getByRole("button", { name: "Adjust alignment" })).toBeDisabled();
  expect((await page.evaluate(() => document.querySelector("scalp-compare").alignment)).locked).toBe(true);

  // Reset to automatic: unlocks and aligns afresh.
  await el.getByRole("button", { name: "Reset to automatic" }).click();
  await waitForPhotos(page);
  a = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(a.source).toBe("auto");
  expect(a.locked).toBe(false);
  expect(a.matrix).toEqual(auto.matrix);
  // And so it stays after a reload: the hand alignment taken back is not restored.
  await page.reload();
  await waitForPhotos(page);
  a = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(a.source).toBe("auto");
  expect(a.locked).toBe(false);
});

test("an alignment nudged off the photos is not vouched for: its confidence and a caution with the change", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const sc = () => page.evaluate(() => {
    const e = document.querySelector("scalp-compare");
    return { alignment: e.alignment, analysis: e.analysis, busy: e.busy };
  });
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  const auto = await sc();
  expect(auto.analysis.alignment_confidence).toBe(auto.alignment.confidence);
  await expect(el.locator(".summary")).not.toContainText("does not confirm");
  await el.getByRole("button", { name: "Adjust alignment" }).click();
  // Five big steps: 50 screen pixels, several percent of the photo.
  for (let i = 0; i < 5; i++) await page.keyboard.press("Shift+ArrowRight");
  await expect(el.locator(".summary")).toContainText("The photos' detail does not confirm this alignment");
  await expect(el.locator(".summary")).toContainText("check the overlay, and lock it once it is right.");
  const off = await sc();
  expect(off.alignment.source).toBe("manual");
  expect(off.alignment.confidence).toBeLessThan(0.5);
  expect(off.analysis.alignment_confidence).toBe(off.alignment.confidence);
  await expect(el.locator(".chip")).toContainText(`Aligned by hand \u00b7 confidence ${Math.round(off.alignment.confidence * 100)}%`);
  // Back where the photos line up: confirmed again, and the caution goes.
  for (let i = 0; i < 5; i++) await page.keyboard.press("Shift+ArrowLeft");
  await expect(el.locator(".summary")).not.toContainText("does not confirm");
  await expect(el.locator(".summary")).toContainText("Hair coverage");
  const back = await sc();
  expect(back.alignment.confidence).toBeGreaterThanOrEqual(0.5);
  expect(back.analysis.change_pp).toBeCloseTo(auto.analysis.change_pp, 0);
  // The patient is told in plain words.
  for (let i = 0; i < 5; i++) await page.keyboard.press("Shift+ArrowRight");
  await expect(el.locator(".summary")).toContainText("does not confirm");
  await page.keyboard.press("Escape");
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  await expect(el.locator(".summary")).toContainText("These photos may not be lined up well, so the change may be off.");
  // Locked by the specialist (who has checked it): no caution, for either of them.
  await page.evaluate(() => document.querySelector("scalp-compare").removeAttribute("readonly"));
  await el.getByLabel("Lock alignment").check();
  await expect(el.locator(".summary")).toContainText("Hair coverage");
  await expect(el.locator(".summary")).not.toContainText("does not confirm");
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  await expect(el.locator(".summary")).not.toContainText("may not be lined up");
});

test("a nudge is announced once, with the alignment's confidence, not first without it", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  // What a screen reader reads of the chip: its text whenever it is not busy.
  await page.evaluate(() => {
    const chip = document.querySelector("scalp-compare").shadowRoot.querySelector(".chip");
    window.spoken = [];
    new MutationObserver(() => {
      if (chip.getAttribute("aria-busy") !== "true" && chip.textContent !== window.spoken.at(-1)) window.spoken.push(chip.textContent);
    }).observe(chip, { childList: true, characterData: true, subtree: true, attributes: true });
  });
  await el.getByRole("button", { name: "Adjust alignment" }).click();
  await page.keyboard.press("Shift+ArrowRight");
  await expect(el.locator(".chip")).toContainText("Aligned by hand \u00b7 confidence");
  await expect(el.locator(".chip")).toHaveAttribute("aria-busy", "false");
  const spoken = await page.evaluate(() => window.spoken);
  expect(spoken).toHaveLength(1);
  expect(spoken[0]).toMatch(/^Aligned by hand \u00b7 confidence \d+%$/);
});

test("readonly (patient) view shows the comparison without alignment tools", async ({ page }) => {
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  await loadTransformedAfter(page, { angle: 5, scale: 1, dx: 0, dy: 0, blobs: 160 });
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  for (const toolbar of await el.locator(".toolbar").all()) await expect(toolbar).toBeHidden();
  await expect(el.locator(".notice")).toContainText("shown as taken");
  await expect(el.locator(".notice button")).toBeHidden();
  await expect(el.locator("scalp-landmarks")).toBeHidden();
  await expect(el.locator(".nudge")).toBeHidden();
  // The slider still works for the patient.
  await el.locator(".handle").focus();
  await page.keyboard.press("End");
  await expect(el.locator(".handle")).toHaveAttribute("aria-valuenow", "100");
});
