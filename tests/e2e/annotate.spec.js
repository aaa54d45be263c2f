// Specialist annotations in the widget: every drawing tool, editing, undo/redo,
// keyboard nudging, annotations following the alignment onto AFTER, autosave
// across a reload, readonly patients, the PNG report, notes that stay text, and
// imports that fail without touching what is there.
import { test, expect } from "@playwright/test";
import { waitForPhotos, frameShot, regionDiff, setValue, reportPng, transformedSample } from "./helpers.js";

// Tall enough that the frame and every toolbar fit without scrolling.
test.use({ viewport: { width: 900, height: 1700 } });

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    window.changes = [];
    document.addEventListener("annotation-change", (e) => window.changes.push(e.detail));
  });
  await page.goto("/");
  await waitForPhotos(page);
  await page.evaluate(() => document.querySelector("scalp-compare").ready);
});

const annotations = (page) => page.evaluate(() => document.querySelector("scalp-compare").annotations);
const session = (page) => page.evaluate(() => document.querySelector("scalp-compare").session);

/** Picks an annotation tool by its button name. */
async function tool(page, name) {
  await page.locator("scalp-compare").getByRole("button", { name, exact: true }).click();
}

/** Frame-relative fractions -> page coordinates. */
async function at(page, fx, fy) {
  await page.locator("scalp-compare .frame").scrollIntoViewIfNeeded();
  const box = await page.locator("scalp-compare .frame").boundingBox();
  return [box.x + fx * box.width, box.y + fy * box.height];
}

async function drag(page, from, to, steps = 8) {
  const [x0, y0] = await at(page, ...from);
  const [x1, y1] = await at(page, ...to);
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x1, y1, { steps });
  await page.mouse.up();
}

async function click(page, fx, fy, options = {}) {
  const [x, y] = await at(page, fx, fy);
  await page.mouse.click(x, y, options);
}

/** Places a pin at a fraction of the frame and types its note. */
async function pin(page, fx, fy, note) {
  await tool(page, "Pin with note");
  await click(page, fx, fy);
  await page.keyboard.type(note);
  await page.keyboard.press("Enter");
}

/** Where a BEFORE or AFTER photo pixel appears in the frame (CSS px from its top-left). */
function photoToFrame(page, photo, point) {
  return page.evaluate(
    ([photo, point]) => {
      const el = document.querySelector("scalp-compare");
      const m = el._photoToFrame(photo);
      const [x, y] = point;
      const w = m[2][0] * x + m[2][1] * y + m[2][2];
      return [(m[0][0] * x + m[0][1] * y + m[0][2]) / w, (m[1][0] * x + m[1][1] * y + m[1][2]) / w];
    },
    [photo, point],
  );
}

/** Centre of the rendered pin of an annotation, in frame CSS px. */
function pinCentre(page, id) {
  return page.evaluate((id) => {
    const el = document.querySelector("scalp-compare");
    const c = el.shadowRoot.querySelector(`g[data-id="${id}"] circle.pin`);
    return [Number(c.getAttribute("cx")), Number(c.getAttribute("cy"))];
  }, id);
}

const internal = (page) => page.evaluate(() => document.querySelector("scalp-compare").session.annotations);

test("every tool draws its shape, in photo pixels, as W3C annotations", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const plain = await frameShot(page);
  await tool(page, "Rectangle");
  await drag(page, [0.1, 0.1], [0.25, 0.2]);
  await tool(page, "Ellipse");
  await drag(page, [0.1, 0.3], [0.25, 0.4]);
  await tool(page, "Arrow");
  await drag(page, [0.1, 0.5], [0.25, 0.55]);
  await tool(page, "Ruler");
  await drag(page, [0.1, 0.65], [0.3, 0.65]);
  await tool(page, "Freehand");
  await drag(page, [0.1, 0.8], [0.3, 0.9], 12);
  await tool(page, "Polygon");
  await click(page, 0.6, 0.1);
  await click(page, 0.75, 0.12);
  await click(page, 0.7, 0.25);
  await page.keyboard.press("Enter");
  await tool(page, "Pin with note");
  await click(page, 0.65, 0.5);
  await expect(el.locator(".note-editor textarea")).toBeFocused();
  await page.keyboard.type("Regrowth here");
  await page.keyboard.press("Enter");
  await tool(page, "Text label");
  await click(page, 0.6, 0.7);
  await page.keyboard.type("Crown");
  await el.getByRole("button", { name: "Save", exact: true }).click();

  const list = await internal(page);
  expect(list.map((a) => a.kind)).toEqual(["rect", "ellipse", "arrow", "ruler", "freehand", "polygon", "pin", "text"]);
  // The split is at 50%: shapes on the left are on BEFORE, on the right on AFTER.
  expect(list.slice(0, 5).every((a) => a.photo === "before")).toBe(true);
  expect(list.slice(5).every((a) => a.photo === "after")).toBe(true);
  expect(list.find((a) => a.kind === "polygon").points).toHaveLength(3);
  expect(list.find((a) => a.kind === "freehand").points.length).toBeGreaterThan(4);
  expect(list.find((a) => a.kind === "pin").note).toBe("Regrowth here");
  expect(list.find((a) => a.kind === "text").note).toBe("Crown");
  // The rectangle's corners are BEFORE pixels under the dragged corners.
  const rect = list[0];
  const c0 = await photoToFrame(page, "before", rect.points[0]);
  const box = await el.locator(".frame").boundingBox();
  expect(Math.abs(c0[0] - 0.1 * box.width)).toBeLessThan(1.5);
  expect(Math.abs(c0[1] - 0.1 * box.height)).toBeLessThan(1.5);

  const w3c = await annotations(page);
  expect(w3c).toHaveLength(8);
  expect(w3c[0].type).toBe("Annotation");
  expect(w3c[0].target.selector.type).toBe("FragmentSelector");
  expect(w3c[0].target.selector.value).toMatch(/^xywh=pixel:/);
  expect(w3c.slice(1).every((a) => a.target.selector.type === "SvgSelector")).toBe(true);
  const pin = w3c.find((a) => a.body && a.body.value === "Regrowth here");
  expect(pin.body.type).toBe("TextualBody");
  // Every change was announced with the W3C list.
  const changes = await page.evaluate(() => window.changes);
  expect(changes.at(-1).annotations).toHaveLength(8);
  // And they are visible: the pixels under the shapes changed, the ruler reads px.
  await el.getByRole("button", { name: "Slide", exact: true }).click();
  const drawn = await frameShot(page);
  expect(regionDiff(drawn, plain, { x0: 0.09, x1: 0.26, y0: 0.09, y1: 0.11 })).toBeGreaterThan(20);
  await expect(el.locator(".notes")).toContainText("Regrowth here");
  await expect(el.locator(".notes")).toContainText(/Ruler \d+ px on BEFORE/);
});

test("select, move, resize, edit, delete, undo and redo (buttons and keys)", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await tool(page, "Rectangle");
  await drag(page, [0.2, 0.2], [0.35, 0.3]);
  const [drawn] = await internal(page);
  // Move it by dragging its edge in Select mode.
  await tool(page, "Select");
  await drag(page, [0.2, 0.25], [0.3, 0.35]);
  const [moved] = await internal(page);
  expect(moved.points[0][0]).toBeGreaterThan(drawn.points[0][0] + 10);
  expect(moved.points[1][0] - moved.points[0][0]).toBeCloseTo(drawn.points[1][0] - drawn.points[0][0], 0);
  // Resize by its corner grip.
  const grip = await photoToFrame(page, "before", moved.points[1]);
  const box = await el.locator(".frame").boundingBox();
  await drag(page, [grip[0] / box.width, grip[1] / box.height], [grip[0] / box.width + 0.05, grip[1] / box.height + 0.05]);
  const [resized] = await internal(page);
  expect(resized.points[1][0]).toBeGreaterThan(moved.points[1][0] + 5);
  expect(resized.points[0]).toEqual(moved.points[0]);
  // Edit its note.
  await el.getByRole("button", { name: "Edit note" }).click();
  await page.keyboard.type("Scar, 2019");
  await page.keyboard.press("Enter");
  expect((await internal(page))[0].note).toBe("Scar, 2019");
  // Undo back through edit, resize, move; redo forward again.
  await el.getByRole("button", { name: "Undo" }).click();
  expect((await internal(page))[0].note).toBe("");
  await page.keyboard.press("Control+z");
  expect((await internal(page))[0].points).toEqual(moved.points);
  await page.keyboard.press("Control+z");
  expect((await internal(page))[0].points).toEqual(drawn.points);
  await page.keyboard.press("Control+y");
  expect((await internal(page))[0].points).toEqual(moved.points);
  await el.getByRole("button", { name: "Redo" }).click();
  expect((await internal(page))[0].points).toEqual(resized.points);
  // History survives a re-render (a resize of the page redraws everything).
  await page.setViewportSize({ width: 700, height: 1700 });
  await page.waitForTimeout(200);
  await page.keyboard.press("Control+Shift+z");
  expect((await internal(page))[0].note).toBe("Scar, 2019");
  await page.keyboard.press("Control+z");
  expect((await internal(page))[0].note).toBe("");
  // Keyboard: Tab to the shape, arrows nudge, Delete removes, undo restores.
  await el.getByRole("button", { name: "Slide", exact: true }).focus();
  const shape = el.locator("svg.annotations g.shape").first();
  await shape.focus();
  const before = (await internal(page))[0].points;
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Shift+ArrowDown");
  const after = (await internal(page))[0].points;
  const k = (await page.evaluate(() => document.querySelector("scalp-compare")._beforePerCss()));
  expect(after[0][0] - before[0][0]).toBeCloseTo(k, 1);
  expect(after[0][1] - before[0][1]).toBeCloseTo(10 * k, 1);
  await page.keyboard.press("Delete");
  expect(await internal(page)).toHaveLength(0);
  await page.keyboard.press("Control+z");
  expect(await internal(page)).toHaveLength(1);
});

test("a polygon drawn with the mouse is finished by Enter or a double-click, with no extra corner", async ({ page }) => {
  await tool(page, "Polygon");
  for (const [x, y] of [[0.15, 0.7], [0.25, 0.68], [0.27, 0.8]]) {
    await click(page, x, y);
    await page.waitForTimeout(100);
  }
  await page.keyboard.press("Enter");
  let list = await internal(page);
  expect(list).toHaveLength(1);
  expect(list[0].points).toHaveLength(3);
  // Finished by a double-click on the last corner: that corner once.
  await click(page, 0.15, 0.2);
  await click(page, 0.25, 0.18);
  await click(page, 0.27, 0.3);
  await page.waitForTimeout(100);
  const [x, y] = await at(page, 0.27, 0.3);
  await page.mouse.dblclick(x, y);
  list = await internal(page);
  expect(list).toHaveLength(2);
  expect(list[1].points).toHaveLength(3);
});

test("Escape cancels a drawing; a polygon needs three corners", async ({ page }) => {
  await tool(page, "Polygon");
  await click(page, 0.3, 0.3);
  await click(page, 0.4, 0.3);
  await page.keyboard.press("Enter");
  expect(await internal(page)).toHaveLength(0);
  await expect(page.locator("scalp-compare .annotate-status")).toContainText("at least 3 corners");
  await page.keyboard.press("Escape");
  await click(page, 0.3, 0.3);
  await click(page, 0.4, 0.3);
  await click(page, 0.35, 0.4);
  await page.keyboard.press("Escape");
  expect(await internal(page)).toHaveLength(0);
  const svgShapes = await page.locator("scalp-compare svg.annotations g").count();
  expect(svgShapes).toBe(0);
});

test("an annotation on BEFORE marks the same scalp spot on the rotated AFTER, and follows the alignment", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const truth = await (await page.request.get("/samples/pair.json")).json();
  const M = truth.after_to_before;
  // Pin on AFTER (split at 0: all AFTER is shown).
  await setValue(page, 0);
  await tool(page, "Pin with note");
  // Far from the pose's fixed point (near the middle), so the two pixels differ.
  await click(page, 0.15, 0.85);
  await page.keyboard.press("Escape");
  const [pin] = await internal(page);
  expect(pin.photo).toBe("after");
  // Its AFTER pixel, sent through the true pose, lands where the pin is drawn:
  // the same scalp spot in BEFORE's frame.
  const [x, y] = pin.points[0];
  const w = M[2][0] * x + M[2][1] * y + M[2][2];
  const inBefore = [(M[0][0] * x + M[0][1] * y + M[0][2]) / w, (M[1][0] * x + M[1][1] * y + M[1][2]) / w];
  const expected = await photoToFrame(page, "before", inBefore);
  const shown = await pinCentre(page, pin.id);
  expect(Math.hypot(shown[0] - expected[0], shown[1] - expected[1])).toBeLessThan(2);
  // The AFTER pixel is not the BEFORE pixel at that place: the photos are rotated and scaled.
  expect(Math.hypot(x - inBefore[0], y - inBefore[1])).toBeGreaterThan(20);
  // Correct the alignment: the pin follows (it stays on its AFTER spot).
  const setAlignment = (m) => page.evaluate((m) => (document.querySelector("scalp-compare").alignment = m), m);
  await setAlignment(M);
  const onTruth = await pinCentre(page, pin.id);
  const corrected = M.map((r) => r.slice());
  corrected[0][2] += 40;
  await setAlignment(corrected);
  const moved = await pinCentre(page, pin.id);
  const k = await page.evaluate(() => document.querySelector("scalp-compare")._beforePerCss());
  expect(Math.abs(moved[0] - onTruth[0] - 40 / k)).toBeLessThan(0.05);
  expect(Math.abs(moved[1] - onTruth[1])).toBeLessThan(0.05);
});

test("the length typed for a calibration is the length saved, the first time and when calibrating again", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await tool(page, "Calibrate mm");
  await drag(page, [0.1, 0.2], [0.3, 0.2]);
  const input = el.locator(".note-editor input");
  await expect(input).toBeFocused();
  await expect(input).toHaveValue(""); // no preset length a quick Enter would save
  await page.keyboard.type("5");
  await page.keyboard.press("Enter");
  await expect(el.locator(".notes")).toContainText(/BEFORE calibrated: 5 mm = \d+ px/);
  // Again: the last length is offered, and typing replaces it (it was appended: 57).
  await tool(page, "Calibrate mm");
  await drag(page, [0.1, 0.25], [0.3, 0.25]);
  await expect(input).toHaveValue("5");
  await page.keyboard.type("7");
  await page.keyboard.press("Enter");
  await expect(el.locator(".notes")).toContainText(/BEFORE calibrated: 7 mm = \d+ px/);
  // More than a metre is no scalp: said, and the calibration stays.
  await tool(page, "Calibrate mm");
  await drag(page, [0.1, 0.3], [0.3, 0.3]);
  await page.keyboard.type("5000");
  await page.keyboard.press("Enter");
  await expect(el.locator(".annotate-status")).toHaveText("Enter the line's real length in millimetres, more than 0 and at most 1000");
  await page.keyboard.press("Escape");
  await expect(el.locator(".notes")).toContainText(/BEFORE calibrated: 7 mm = \d+ px/);
});

test("a reload keeps annotations, notes, calibration and the drawn region", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await pin(page, 0.3, 0.4, "Check at next visit");
  await tool(page, "Calibrate mm");
  await drag(page, [0.1, 0.2], [0.3, 0.2]);
  const input = el.locator(".note-editor input");
  await expect(input).toBeFocused();
  await input.fill("20");
  await page.keyboard.press("Enter");
  await tool(page, "Ruler");
  await drag(page, [0.1, 0.3], [0.2, 0.3]);
  await expect(el.locator(".notes")).toContainText(/Ruler \d+\.\d+ mm/);
  const saved = await session(page);
  await page.reload();
  await waitForPhotos(page);
  await page.evaluate(() => document.querySelector("scalp-compare").ready);
  await expect(el.locator(".notes")).toContainText("Check at next visit");
  const restored = await session(page);
  expect(restored.annotations).toEqual(saved.annotations);
  expect(restored.photos.before.calibration).toEqual(saved.photos.before.calibration);
  await expect(el.locator(".notes")).toContainText(/Ruler \d+\.\d+ mm/);
  await expect(el.locator(".annotate-status")).toContainText("Restored your work");
  // Deleting everything is saved too: a reload does not bring it back.
  await page.evaluate(() => {
    const el = document.querySelector("scalp-compare");
    el.annotations = [];
  });
  await page.reload();
  await waitForPhotos(page);
  await page.evaluate(() => document.querySelector("scalp-compare").ready);
  expect(await internal(page)).toHaveLength(0);
  // An alignment locked through the property is kept as the checkbox's lock is.
  await page.evaluate(() => {
    const sc = document.querySelector("scalp-compare");
    sc.alignment = { matrix: sc.alignment.matrix, locked: true };
  });
  await page.reload();
  await waitForPhotos(page);
  await page.evaluate(() => document.querySelector("scalp-compare").ready);
  expect((await session(page)).alignment.locked).toBe(true);
  // autosave="OFF" (any spelling of off) keeps nothing, as "off" does.
  await page.evaluate(() => {
    localStorage.clear();
    document.querySelector("scalp-compare").setAttribute("autosave", "OFF");
  });
  await pin(page, 0.3, 0.4, "Shared computer");
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("scalp-compare:")))).toEqual([]);
});

test("work on photos from signed links is found again when the link's query has changed", async ({ page }) => {
  const el = page.locator("scalp-compare");
  /** Loads the demo pair through links signed with `sig`. */
  const signed = (sig) =>
    page.evaluate(async (sig) => {
      const sc = document.querySelector("scalp-compare");
      await sc.load("before", `samples/before.jpg?X-Signature=${sig}`);
      await sc.load("after", `samples/after.jpg?X-Signature=${sig}`);
    }, sig);
  /** Reloads the page and opens the pair again through links signed with `sig`. */
  const reopen = async (sig) => {
    await page.reload();
    await waitForPhotos(page);
    await page.evaluate(() => document.querySelector("scalp-compare").ready);
    await signed(sig);
    await waitForPhotos(page);
  };
  await signed("first-visit");
  await waitForPhotos(page);
  // The photo is named by its file name: the signature is in no name, nor in the session.
  const names = await page.evaluate(() => {
    const sc = document.querySelector("scalp-compare");
    return [sc.photos.before.name, sc.photos.after.name, JSON.stringify(sc.session)];
  });
  expect(names.slice(0, 2)).toEqual(["before.jpg", "after.jpg"]);
  expect(names[2]).not.toContain("X-Signature");
  // A link signed as the clouds do keeps only what tells the photo apart; the same short
  // names in a link without a signature are the clinic's own, and kept.
  const cloud = await page.evaluate(async () => {
    const sc = document.querySelector("scalp-compare");
    const names = [];
    for (const query of [
      "visit=3&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=abc123&access_token=t0k",
      "visit=3&sv=2022-11-02&st=2026-11-29&se=2026-12-01&sp=r&sig=zz",
      "visit=3&Expires=1767225600&Key-Pair-Id=K2&Signature=qq",
      "patient=17&st=frontal&key=p17-v3",
    ]) {
      await sc.load("after", `samples/after.jpg?${query}`);
      names.push(sc.photos.after.name);
    }
    return names;
  });
  expect(cloud).toEqual(["after.jpg?visit=3", "after.jpg?visit=3", "after.jpg?visit=3", "after.jpg?patient=17&st=frontal&key=p17-v3"]);
  await signed("first-visit");
  await waitForPhotos(page);
  await pin(page, 0.3, 0.4, "Signed link note");
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion([[100, 100], [520, 120], [460, 520]]));
  await reopen("next-day");
  await expect(el.locator(".notes")).toContainText("Signed link note");
  expect(await page.evaluate(() => document.querySelector("scalp-compare").region)).toEqual([[100, 100], [520, 120], [460, 520]]);
  // Work saved before the query was left out of the key (under the name with the query)
  // is still found: move this photo's entry to the old key and reload.
  const moved = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("scalp-compare:photo:before.jpg|"));
    const old = key.replace("before.jpg|", "before.jpg?X-Signature=next-day|");
    localStorage.setItem(old, localStorage.getItem(key));
    localStorage.removeItem(key);
    return old;
  });
  expect(moved).toContain("?X-Signature=next-day|");
  await reopen("next-day");
  await expect(el.locator(".notes")).toContainText("Signed link note");
  // A signed link that fails is named without its signature too, even with no file name.
  await page.evaluate(() => document.querySelector("scalp-compare").load("before", "samples/gone.jpg?X-Signature=old"));
  await expect(el.locator(".alert")).toContainText('BEFORE photo "gone.jpg" was not loaded');
  await expect(el.locator(".alert")).not.toContainText("X-Signature");
  await page.evaluate(() => document.querySelector("scalp-compare").load("before", "samples/?X-Amz-Signature=SECRET&X-Amz-Credential=AKIA"));
  await expect(el.locator(".alert")).toContainText('BEFORE photo "samples" was not loaded');
  await expect(el.locator(".alert")).not.toContainText("SECRET");
});

test("readonly patients see annotations and notes but no tools", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await pin(page, 0.3, 0.4, "Doing well");
  const saved = await session(page);
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  await expect(el.getByRole("button", { name: "Rectangle", exact: true })).toBeHidden();
  await expect(el.getByRole("button", { name: "Export report (PNG)" })).toBeHidden();
  await expect(el.locator(".notes")).toContainText("Doing well");
  await expect(el.locator("svg.annotations circle.pin")).toHaveCount(1);
  expect(await el.locator("svg.annotations g[tabindex]").count()).toBe(0);
  // Keys do nothing to the annotations.
  await page.keyboard.press("Control+z");
  expect((await session(page)).annotations).toEqual(saved.annotations);
  // A note editor left open when the page turns read-only is closed: nothing typed is saved.
  await page.evaluate(() => document.querySelector("scalp-compare").removeAttribute("readonly"));
  await el.locator("svg.annotations g.shape").first().focus();
  await page.keyboard.press("Enter");
  await expect(el.locator(".note-editor textarea")).toBeFocused();
  await page.keyboard.type(" CHANGED");
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("readonly", ""));
  await expect(el.locator(".note-editor")).toBeHidden();
  await expect(el.locator(".annotate-status")).toHaveText("The note being edited was not saved: this view is now read-only.");
  await page.keyboard.press("Enter");
  expect((await session(page)).annotations.map((a) => a.note)).toEqual(["Doing well"]);
});

test("the exported report PNG contains the photos, the annotation and the figures", async ({ page }) => {
  const yellowPixels = (png) => {
    let n = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (r > 235 && g > 195 && g < 225 && b < 90) n++;
    }
    return n;
  };
  const report = () => reportPng(page);
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  const empty = await report();
  expect(empty.width).toBe(1600);
  await tool(page, "Rectangle");
  await drag(page, [0.3, 0.3], [0.6, 0.6]);
  const annotated = await report();
  // The rectangle appears in both panels (BEFORE and the aligned AFTER).
  const added = yellowPixels(annotated) - yellowPixels(empty);
  expect(added).toBeGreaterThan(1500);
  let left = 0;
  let right = 0;
  for (let y = 0; y < annotated.height; y++) {
    for (let x = 0; x < annotated.width; x++) {
      const i = (y * annotated.width + x) * 4;
      const [r, g, b] = [annotated.data[i], annotated.data[i + 1], annotated.data[i + 2]];
      if (r > 235 && g > 195 && g < 225 && b < 90) x < 800 ? left++ : right++;
    }
  }
  expect(left).toBeGreaterThan(500);
  expect(right).toBeGreaterThan(500);
});

test("rulers and calibrations write their millimetres as the language does", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await tool(page, "Ruler");
  await drag(page, [0.1, 0.65], [0.3, 0.65]);
  // A 50 px ruler on a photo calibrated at 10.5 mm per 100 px: 5.25 mm.
  const doc = await session(page);
  doc.annotations[0].points = [[100, 300], [150, 300]];
  doc.photos.before.calibration = { points: [[100, 100], [200, 100]], mm: 10.5 };
  await page.evaluate((d) => document.querySelector("scalp-compare").loadSession(d), doc);
  const label = el.locator("svg.annotations text").filter({ hasText: "mm" });
  await expect(el.locator(".notes")).toContainText("BEFORE calibrated: 10.5 mm = 100 px");
  await expect(el.locator(".notes")).toContainText("Ruler 5.25 mm on BEFORE");
  await expect(label).toHaveText("5.25 mm");
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("lang", "es"));
  await expect(el.locator(".notes")).toContainText("10,5 mm = 100 px");
  await expect(el.locator(".notes")).toContainText("5,25 mm");
  await expect(el.locator(".notes")).not.toContainText("5.25");
  await expect(label).toHaveText("5,25 mm");
  // Calibrating again in Spanish: the last length is offered as Spanish writes it, and a
  // length typed with a decimal comma is that length (not 105 mm).
  await tool(page, "Calibrar mm");
  await drag(page, [0.1, 0.3], [0.3, 0.3]);
  const input = el.locator(".note-editor input");
  await expect(input).toHaveValue("10,5");
  await page.keyboard.type("12,5");
  await page.keyboard.press("Enter");
  const cal = await page.evaluate(() => document.querySelector("scalp-compare").session.photos.before.calibration);
  expect(cal.mm).toBe(12.5);
  await expect(el.locator(".notes")).toContainText(/ANTES calibrada: 12,5 mm = \d+ px/);
  // Something that is not one length is refused, and the calibration stays.
  await tool(page, "Calibrar mm");
  await drag(page, [0.1, 0.35], [0.3, 0.35]);
  await page.keyboard.type("1.000,5");
  await page.keyboard.press("Enter");
  await expect(el.locator(".note-editor")).toBeVisible();
  // Nor is a length that would be kept as 0 mm (it is kept to 4 decimals).
  await page.keyboard.press("Control+a");
  await page.keyboard.type("0,00004");
  await page.keyboard.press("Enter");
  await expect(el.locator(".note-editor")).toBeVisible();
  await page.keyboard.press("Escape");
  expect((await page.evaluate(() => document.querySelector("scalp-compare").session.photos.before.calibration)).mm).toBe(12.5);
});

test("the report draws the measured region, says how rulers were calibrated and ends with the credit line", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  /** Pure white pixels over the two photo panels (the region's dashed outline is white on black). */
  const whiteInPanels = (png) => {
    let n = 0;
    for (let y = 150; y < 900; y++) {
      for (let x = 0; x < png.width; x++) {
        const i = (y * png.width + x) * 4;
        if (png.data[i] === 255 && png.data[i + 1] === 255 && png.data[i + 2] === 255) n++;
      }
    }
    return n;
  };
  // (The demo page gives its photos' credit; this test sets its own.)
  await page.evaluate(() => document.querySelector("scalp-compare").removeAttribute("credit"));
  const plain = await reportPng(page);
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion([[100, 100], [520, 120], [460, 520]]));
  const withRegion = await reportPng(page);
  // Drawn on both panels (AFTER through the alignment): a few thousand outline pixels.
  expect(whiteInPanels(withRegion) - whiteInPanels(plain)).toBeGreaterThan(1500);
  // A calibration is listed as on screen.
  const doc = await session(page);
  doc.photos.before.calibration = { points: [[100, 100], [200, 100]], mm: 10 };
  await page.evaluate((d) => document.querySelector("scalp-compare").loadSession(d), doc);
  await expect(el.locator(".notes")).toContainText("BEFORE calibrated: 10 mm = 100 px");
  const calibrated = await reportPng(page);
  expect(calibrated.height).toBe(withRegion.height + 30 + 21); // the heading and its line
  // The credit line goes at the foot.
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("credit", "Photos: example clinic, CC BY 4.0"));
  const credited = await reportPng(page);
  expect(credited.height).toBe(calibrated.height + 20);
  let ink = 0;
  for (let y = credited.height - 80; y < credited.height; y++) {
    for (let x = 0; x < 600; x++) if (credited.data[(y * credited.width + x) * 4] < 128) ink++;
  }
  expect(ink).toBeGreaterThan(100);
});

test("two comparisons showing one photo each keep what the other saved on it", async ({ page }) => {
  // A clinic page with two comparisons of one patient: both read this browser's storage
  // before either saves anything.
  await page.evaluate(() =>
    document.body.insertAdjacentHTML(
      "beforeend",
      '<scalp-compare id="second" before="samples/before.jpg" after="samples/after.jpg" aspect-ratio="1/1"></scalp-compare>',
    ),
  );
  await waitForPhotos(page, "#second");
  // The first comparison's note, placed by hand.
  const first = page.locator("#demo");
  await first.getByRole("button", { name: "Pin with note", exact: true }).click();
  const box = await first.locator(".frame").boundingBox();
  await page.mouse.click(box.x + 0.3 * box.width, box.y + 0.4 * box.height);
  await page.keyboard.type("A on Jan");
  await page.keyboard.press("Enter");
  // The second comparison adds its own note on the same BEFORE photo.
  await page.evaluate(() => {
    const [first, second] = document.querySelectorAll("scalp-compare");
    const mine = JSON.parse(JSON.stringify(first.annotations[0]).replace(/A on Jan/g, "B on Jan").replace(/"id":"[^"]*"/, '"id":"b-note"'));
    second.annotations = [mine];
  });
  // Each goes on working: a second edit on either side keeps the other's note.
  await page.evaluate(() => {
    const [first, second] = document.querySelectorAll("scalp-compare");
    const again = (el, note, id) =>
      JSON.parse(JSON.stringify(el.annotations[0]).replace(/"value":"[^"]*"/, `"value":"${note}"`).replace(/"id":"[^"]*"/, `"id":"${id}"`));
    second.annotations = [...second.annotations, again(second, "B2 on Jan", "b2-note")];
    first.annotations = [...first.annotations, again(first, "A2 on Jan", "a2-note")];
    first.annotations = [...first.annotations, again(first, "A3 on Jan", "a3-note")];
  });
  await page.reload();
  await waitForPhotos(page);
  for (const note of ["A on Jan", "B on Jan", "B2 on Jan", "A2 on Jan", "A3 on Jan"]) {
    await expect(page.locator("#demo .notes")).toContainText(note);
  }
});

test("when this browser's storage is full the widget says so until dismissed, and keeps the work", async ({ page }) => {
  const el = page.locator("scalp-compare");
  // Fill the storage to the last few bytes (about 5 MB in Chromium).
  await page.evaluate(() => {
    let n = 0;
    for (const size of [512 * 1024, 1024, 32, 1]) {
      try {
        for (;;) localStorage.setItem(`filler-${n++}`, "x".repeat(size));
      } catch {
        // full at this size: on to a smaller one
      }
    }
  });
  await pin(page, 0.3, 0.4, "Kept on screen");
  await expect(el.locator(".alert")).toBeVisible();
  await expect(el.locator(".alert p")).toContainText("Could not save to this browser's storage (QuotaExceededError); use Save session.");
  await expect(el.locator(".notes")).toContainText("Kept on screen");
  // Room again: the next change is saved and the message goes.
  await page.evaluate(() => {
    for (const k of Object.keys(localStorage)) if (k.startsWith("filler-")) localStorage.removeItem(k);
  });
  await el.getByRole("button", { name: "Undo", exact: true }).click();
  await el.getByRole("button", { name: "Redo", exact: true }).click();
  await expect(el.locator(".alert")).toBeHidden();
  await expect(el.locator(".notes")).toContainText("Kept on screen");
  expect(await page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith("scalp-compare:photo:")))).toBe(true);
});

test("a note with markup is shown as text and runs nothing", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await tool(page, "Pin with note");
  await click(page, 0.3, 0.4);
  await el.locator(".note-editor textarea").fill(payload);
  await page.keyboard.press("Enter");
  await tool(page, "Text label");
  await click(page, 0.3, 0.6);
  await el.locator(".note-editor textarea").fill(payload);
  await page.keyboard.press("Enter");
  await expect(el.locator(".notes")).toContainText(payload);
  await page.evaluate(() => document.querySelector("scalp-compare").exportReport());
  // Also through an import of the W3C list.
  const w3c = await annotations(page);
  await page.evaluate((w) => (document.querySelector("scalp-compare").annotations = w), w3c);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
  expect(await el.locator("img").count()).toBe(0);
  expect(await page.evaluate(() => document.querySelector("scalp-compare").shadowRoot.querySelectorAll("img, script").length)).toBe(0);
  expect(await el.locator("svg.annotations text.label-text").first().textContent()).toBe(payload);
});

test("opening a bad file says why and leaves the annotations as they were", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await tool(page, "Rectangle");
  await drag(page, [0.2, 0.2], [0.35, 0.3]);
  const kept = await internal(page);
  const good = await session(page);
  const input = el.locator("input[data-file-input]");
  const cases = [
    ["broken.json", '{"format": "scalp-compare-session", "version": 1, "photos": ', /not valid JSON/],
    ["newer.json", JSON.stringify({ ...good, version: 2 }), /newer version/],
    ["foreign.json", JSON.stringify({ hello: "world" }), /neither a scalp-compare session nor W3C/],
    [
      "bad-w3c.json",
      JSON.stringify([{ type: "Annotation", target: { source: "before.jpg", selector: { type: "SvgSelector", value: "<svg><image href='x'/></svg>" } } }]),
      /annotation 1/i,
    ],
  ];
  for (const [name, text, message] of cases) {
    await input.setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(text) });
    await expect(el.locator(".alert")).toBeVisible();
    await expect(el.locator(".alert p")).toContainText(message);
    expect(await internal(page)).toEqual(kept);
  }
  // A good session file opens.
  const other = { ...good, annotations: [{ ...good.annotations[0], id: "imported", note: "from file" }] };
  await input.setInputFiles({ name: "good.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(other)) });
  await expect(el.locator(".alert")).toBeHidden();
  expect((await internal(page)).map((a) => a.note)).toEqual(["from file"]);
});

test("undo after opening a session gives back the region, the alignment and the annotations there before; redo opens it again", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await tool(page, "Arrow");
  await drag(page, [0.2, 0.2], [0.3, 0.3]);
  // (The demo's BEFORE is 640 x 640.)
  const regionA = [[100, 100], [520, 120], [460, 520]];
  await page.evaluate((r) => document.querySelector("scalp-compare").setRegion(r), regionA);
  await waitForPhotos(page);
  const measured = () => page.evaluate(() => document.querySelector("scalp-compare").analysis?.roi.polygon ?? null);
  await expect.poll(measured, { timeout: 30000 }).toEqual(regionA);
  const before = await session(page);
  expect(before.alignment.source).toBe("auto");
  // Another session for these photos: its own region, a locked alignment set by hand, another note.
  const regionB = [[150, 150], [600, 160], [560, 600], [140, 560]];
  const shifted = before.alignment.matrix.map((row, i) => row.map((v, j) => (j === 2 && i < 2 ? v + 15 : v)));
  const other = {
    ...before,
    region: regionB,
    alignment: { ...before.alignment, matrix: shifted, source: "manual", locked: true },
    photos: { ...before.photos, before: { ...before.photos.before, date: "2001-01-01" } },
    annotations: [{ ...before.annotations[0], id: "opened", note: "from the other session" }],
    view: { value: 80 },
  };
  const split = () => el.locator(".handle").getAttribute("aria-valuenow");
  expect(await split()).toBe(String(Math.round(before.view.value)));
  expect(await page.evaluate((doc) => document.querySelector("scalp-compare").loadSession(doc), other)).toBe("applied");
  await waitForPhotos(page);
  let now = await session(page);
  expect(now.region).toEqual(regionB);
  expect(now.alignment.locked).toBe(true);
  expect(now.photos.before.date).toBe("2001-01-01");
  // One undo: everything as it was before the session was opened.
  await el.getByRole("button", { name: "Undo", exact: true }).click();
  await waitForPhotos(page);
  now = await session(page);
  expect(now.region).toEqual(regionA);
  expect(now.alignment.matrix).toEqual(before.alignment.matrix);
  expect(now.alignment.source).toBe("auto");
  expect(now.alignment.locked).toBe(false);
  expect(now.photos.before.date).toBe(before.photos.before.date);
  expect(now.annotations.map((a) => a.id)).toEqual(before.annotations.map((a) => a.id));
  expect(await split()).toBe(String(Math.round(before.view.value))); // the split too
  await expect(el.locator('input[data-action="lock"]')).not.toBeChecked();
  // And measured over that region again.
  await expect.poll(measured, { timeout: 30000 }).toEqual(regionA);
  // Redo: the session's again.
  await el.getByRole("button", { name: "Redo", exact: true }).click();
  await waitForPhotos(page);
  now = await session(page);
  expect(now.region).toEqual(regionB);
  expect(now.alignment.matrix).toEqual(shifted);
  expect(now.alignment.locked).toBe(true);
  expect(now.photos.before.date).toBe("2001-01-01");
  expect(now.annotations.map((a) => a.id)).toEqual(["opened"]);
  expect(await split()).toBe("80");
});

test("a visit date from a session stays with its photo when the other photo is changed", async ({ page }) => {
  const doc = await session(page);
  doc.photos.before.date = "2026-01-10";
  doc.photos.after.date = "2026-10-02";
  expect(await page.evaluate((d) => document.querySelector("scalp-compare").loadSession(d), doc)).toBe("applied");
  await waitForPhotos(page);
  // Another BEFORE: AFTER is the same photo, taken the same day.
  const { url } = await transformedSample(page, { angle: 5, scale: 0.95 });
  await page.evaluate((u) => document.querySelector("scalp-compare").load("before", u), url);
  await waitForPhotos(page);
  let now = await session(page);
  expect(now.photos.after.date).toBe("2026-10-02");
  expect(now.photos.before.date ?? null).toBeNull();
  // And the first BEFORE back: its date is back too.
  await page.evaluate(() => document.querySelector("scalp-compare").load("before", "samples/before.jpg"));
  await waitForPhotos(page);
  now = await session(page);
  expect([now.photos.before.date, now.photos.after.date]).toEqual(["2026-01-10", "2026-10-02"]);
});

/**
 * The session `doc` as if saved with another visit's BEFORE of the same pixel size
 * ("patient-B-jan.jpg"), with an alignment made by hand for those photos, 40 px out on
 * these; and the alignment these photos have (`own`).
 */
async function sessionOfOtherPhotos(page, doc, locked) {
  const own = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  const shifted = own.matrix.map((row, i) => row.map((v, j) => (j === 2 && i < 2 ? v + 40 : v)));
  const other = {
    ...doc,
    alignment: { ...own, matrix: shifted, source: "manual", locked },
    photos: { ...doc.photos, before: { ...doc.photos.before, name: "patient-B-jan.jpg", bytes: 12345 } },
  };
  return { own, other };
}

test("a session saved with other photos of the same size opens with a warning to check the patient, without its alignment", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const doc = await session(page);
  // The same session opens quietly.
  await page.evaluate((doc) => document.querySelector("scalp-compare").loadSession(doc), doc);
  await expect(el.locator(".annotate-status")).not.toContainText("check that it is this patient's");
  // Another visit's photos, saved at the same pixel size, with an alignment made by hand
  // for them: on these photos it would be 40 px out.
  const { own, other } = await sessionOfOtherPhotos(page, doc, true);
  const input = el.locator("input[data-file-input]");
  await input.setInputFiles({ name: "patient-b.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(other)) });
  await expect(el.locator(".annotate-status")).toHaveText(
    'Opened session patient-b.json. This session was saved with "patient-B-jan.jpg", not the photos shown ("before.jpg"): check that it is this patient\'s. Its alignment was not used: it was made for other photos.',
  );
  // These photos keep their own alignment.
  const now = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(now.matrix).toEqual(own.matrix);
  expect(now.source).toBe(own.source);
  // Opened all the same (the names may simply differ): it can be undone.
  await expect(el.getByRole("button", { name: "Undo", exact: true })).toBeEnabled();
});

test("a session waiting for its photos that turn out to be others is opened without its alignment, and these photos are aligned", async ({ page }) => {
  const { own, other } = await sessionOfOtherPhotos(page, await session(page), false);
  // A second element with no photos yet: the session waits for them.
  const how = await page.evaluate((d) => {
    const el = document.createElement("scalp-compare");
    el.id = "second";
    document.body.append(el);
    return el.loadSession(d);
  }, other);
  expect(how).toBe("pending");
  await page.evaluate(async () => {
    const el = document.getElementById("second");
    await el.load("before", "samples/before.jpg");
    await el.load("after", "samples/after.jpg");
  });
  const second = page.locator("#second");
  await expect(second.locator(".annotate-status")).toContainText("Its alignment was not used");
  await expect
    .poll(() => page.evaluate(() => document.getElementById("second").alignment?.source ?? null), { timeout: 30000 })
    .toBe("auto");
  const m = await page.evaluate(() => document.getElementById("second").alignment.matrix);
  expect(Math.abs(m[0][2] - own.matrix[0][2])).toBeLessThan(2);
  await expect
    .poll(() => page.evaluate(() => document.getElementById("second").analysis?.change_pp ?? null), { timeout: 30000 })
    .not.toBeNull();
});

test("annotations opened from a file that lie outside their photo are kept, with a word on why they are not seen", async ({ page }) => {
  const el = page.locator("scalp-compare");
  await tool(page, "Rectangle");
  await drag(page, [0.2, 0.2], [0.35, 0.3]);
  const w3c = await page.evaluate(() => document.querySelector("scalp-compare").annotations);
  expect(w3c).toHaveLength(1);
  // The same rectangle, and one made on a photo four times the size (far beyond this 640 px one).
  const far = JSON.parse(JSON.stringify(w3c[0]).replace(/"id":"[^"]*"/, '"id":"far"'));
  const selectors = Array.isArray(far.target.selector) ? far.target.selector : [far.target.selector];
  for (const sel of selectors) {
    if (sel.type === "FragmentSelector") sel.value = "xywh=pixel:2000,2100,300,200";
    if (sel.type === "SvgSelector") sel.value = "<svg><rect x='2000' y='2100' width='300' height='200'/></svg>";
  }
  const input = el.locator("input[data-file-input]");
  await input.setInputFiles({ name: "big.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify([w3c[0], far])) });
  await expect(el.locator(".annotate-status")).toHaveText(
    "Opened 2 annotation(s) from big.json. 1 of them lie outside their photo (made on a photo of another size?).",
  );
  expect((await internal(page)).length).toBe(2);
  // A file whose shapes are all on the photo says nothing more.
  await input.setInputFiles({ name: "fits.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify([w3c[0]])) });
  await expect(el.locator(".annotate-status")).toHaveText("Opened 1 annotation(s) from fits.json.");
});

test("a session opened before its photos says so, then says it is shown once they load", async ({ page, browser }) => {
  await pin(page, 0.3, 0.4, "Look here next time");
  const doc = await session(page);
  const fresh = await browser.newPage();
  await fresh.goto("/__tests__/embed.html");
  const el = fresh.locator("#empty");
  await fresh.evaluate(async (doc) => {
    const el = document.createElement("scalp-compare");
    el.id = "empty";
    el.setAttribute("autosave", "off");
    document.body.append(el);
    await el.ready;
    window.__how = el.loadSession(doc);
  }, doc);
  expect(await fresh.evaluate(() => window.__how)).toBe("pending");
  await expect(el.locator(".annotate-status")).toHaveText("Session opened: load before.jpg and after.jpg to see it.");
  await fresh.evaluate(async () => {
    const el = document.getElementById("empty");
    await Promise.all([el.load("before", "/samples/before.jpg"), el.load("after", "/samples/after.jpg")]);
  });
  await expect(el.locator(".annotate-status")).toHaveText("Session opened on its photos.");
  await expect(el.locator(".notes")).toContainText("Look here next time");
  await fresh.close();
});

test("the session property round-trips into a fresh page", async ({ page, browser }) => {
  await tool(page, "Arrow");
  await drag(page, [0.2, 0.2], [0.3, 0.3]);
  await page.evaluate(() => document.querySelector("scalp-compare").setRegion([[200, 200], [900, 220], [800, 900]]));
  const doc = await session(page);
  const fresh = await browser.newPage();
  await fresh.goto("/");
  await waitForPhotos(fresh);
  await fresh.evaluate(async (doc) => {
    const el = document.querySelector("scalp-compare");
    await el.ready;
    el.session = doc;
  }, doc);
  const back = await fresh.evaluate(() => document.querySelector("scalp-compare").session);
  expect(back.annotations).toEqual(doc.annotations);
  expect(back.region).toEqual(doc.region);
  expect(back.alignment.matrix).toEqual(doc.alignment.matrix);
  await fresh.close();
});

test("keyboard alone: pick a tool, move the cross, place points", async ({ page }) => {
  const el = page.locator("scalp-compare");
  const press = async (key, times = 1) => {
    for (let i = 0; i < times; i++) await page.keyboard.press(key);
  };
  // Rectangle: Enter on the tool moves focus to the photos; Enter, arrows, Enter draws it.
  await el.getByRole("button", { name: "Rectangle", exact: true }).focus();
  await press("Enter");
  await expect(el.locator("svg.annotations")).toBeFocused();
  await press("Shift+ArrowLeft", 2);
  await press("Enter");
  await press("Shift+ArrowRight", 3);
  await press("Shift+ArrowDown", 2);
  await press("Enter");
  let list = await internal(page);
  expect(list.map((a) => a.kind)).toEqual(["rect"]);
  const [[x0, y0], [x1, y1]] = list[0].points;
  const k = await page.evaluate(() => document.querySelector("scalp-compare")._beforePerCss());
  expect((x1 - x0) / k).toBeCloseTo(75, 0);
  expect((y1 - y0) / k).toBeCloseTo(50, 0);
  // Polygon: Enter at three places, Enter again to finish.
  await el.getByRole("button", { name: "Polygon", exact: true }).focus();
  await press("Enter");
  await press("Enter");
  await press("Shift+ArrowRight", 2);
  await press("Enter");
  await press("Shift+ArrowDown", 2);
  await press("Enter");
  await press("Enter");
  list = await internal(page);
  expect(list.map((a) => a.kind)).toEqual(["rect", "polygon"]);
  expect(list[1].points).toHaveLength(3);
  // Pin: Enter places it and opens its note.
  await el.getByRole("button", { name: "Pin with note", exact: true }).focus();
  await press("Enter");
  await press("ArrowUp", 4);
  await press("Enter");
  await expect(el.locator(".note-editor textarea")).toBeFocused();
  await page.keyboard.type("Typed without a mouse");
  await press("Enter");
  list = await internal(page);
  expect(list[2].note).toBe("Typed without a mouse");
  // The keyboard never falls out of the widget (the next key would go nowhere):
  const pin = el.locator('svg.annotations g.shape[data-id="' + list[2].id + '"]');
  await expect(pin).toBeFocused();
  // Escape on the pin deselects it and keeps focus there; Delete then deletes it, and
  // Undo gives it back...
  await press("Escape");
  await expect(pin).toBeFocused();
  await expect(pin).not.toHaveClass(/selected/);
  // ...its note editor closed with Escape gives focus back to the pin...
  await press("Enter");
  await expect(el.locator(".note-editor textarea")).toBeFocused();
  await press("Escape");
  await expect(pin).toBeFocused();
  // ...Ctrl+Z takes its note back and leaves it focused; Ctrl+Z again takes the pin away and
  // leaves the keyboard on Undo, so Ctrl+Y still reaches the widget.
  await press("Control+z");
  expect((await internal(page)).map((a) => a.note)).toEqual(["", "", ""]);
  await expect(pin).toBeFocused();
  await press("Control+z");
  expect(await internal(page)).toHaveLength(2);
  await expect(el.getByRole("button", { name: "Undo", exact: true })).toBeFocused();
  await press("Control+y");
  await press("Control+y");
  expect((await internal(page)).map((a) => a.note)).toEqual(["", "", "Typed without a mouse"]);
  // Delete on a shape moves the keyboard on to the next shape, so marks go one after another.
  list = await internal(page);
  const shape = (id) => el.locator('svg.annotations g.shape[data-id="' + id + '"]');
  await shape(list[0].id).focus();
  await press("Delete");
  expect((await internal(page)).map((a) => a.id)).toEqual([list[1].id, list[2].id]);
  await expect(shape(list[1].id)).toBeFocused();
  await press("Delete");
  await expect(shape(list[2].id)).toBeFocused();
  await press("Control+z");
  await press("Control+z");
  expect(await internal(page)).toHaveLength(3);
  // Escape leaves the tool.
  await el.locator("svg.annotations").focus();
  await press("Escape");
  await expect(el.getByRole("button", { name: "Slide", exact: true })).toHaveAttribute("aria-pressed", "true");
});

test("a photo's annotations follow it into any comparison that shows it", async ({ page }) => {
  const el = page.locator("scalp-compare");
  // One pin on each photo.
  await pin(page, 0.25, 0.5, "on the first visit");
  await pin(page, 0.75, 0.5, "on the second visit");
  // Replace AFTER with another photo: BEFORE's pin stays, AFTER's goes with its photo.
  await page.evaluate(async () => {
    const blob = await (await fetch("samples/before.jpg")).blob();
    await document.querySelector("scalp-compare").load("after", new File([blob], "third-visit.jpg", { type: "image/jpeg" }));
  });
  await waitForPhotos(page);
  let notes = (await internal(page)).map((a) => `${a.photo}: ${a.note}`);
  expect(notes).toEqual(["before: on the first visit"]);
  // The first visit's photo shown as AFTER of another pair brings its pin along, on that side.
  await page.evaluate(async () => {
    const el = document.querySelector("scalp-compare");
    await el.load("after", "samples/before.jpg");
    await el.load("before", "samples/after.jpg");
  });
  await waitForPhotos(page);
  notes = (await internal(page)).map((a) => `${a.photo}: ${a.note}`).sort();
  expect(notes).toEqual(["after: on the first visit", "before: on the second visit"]);
  await expect(el.locator(".notes")).toContainText("on the second visit");
});

test("on a phone, a note's editor fits its frame, even a short one: Save and Cancel can be reached", async ({ page }) => {
  const el = page.locator("scalp-compare");
  for (const aspect of ["1/1", "3/1"]) {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate((a) => document.querySelector("scalp-compare").setAttribute("aspect-ratio", a), aspect);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await tool(page, "Pin with note");
    await click(page, 0.8, 0.7);
    const editor = el.locator(".note-editor");
    await expect(editor).toBeVisible();
    const frame = await el.locator(".frame").boundingBox();
    const box = await editor.boundingBox();
    expect(box.x + box.width).toBeLessThanOrEqual(frame.x + frame.width + 0.5);
    expect(box.y + box.height).toBeLessThanOrEqual(frame.y + frame.height + 0.5);
    // The buttons are inside the frame's visible box (scrolled into the editor's view if need be).
    const save = el.locator(".note-editor").getByRole("button", { name: "Save" });
    await save.scrollIntoViewIfNeeded();
    const s = await save.boundingBox();
    expect(s.y).toBeGreaterThanOrEqual(frame.y - 0.5);
    expect(s.y + s.height).toBeLessThanOrEqual(frame.y + frame.height + 0.5);
    await page.keyboard.type(`Note at ${aspect}`);
    await save.click();
    await expect(el.locator(".notes")).toContainText(`Note at ${aspect}`);
  }
});
