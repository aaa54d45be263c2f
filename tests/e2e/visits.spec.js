// Many visits: a timeline picks any two, every visit is aligned to the first
// (pairs between later visits are composed through it), and a chart shows the
// coverage at each visit with its uncertainty, matching the analysis.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { waitForPhotos, transformedSample, reportPng } from "./helpers.js";

test.use({ viewport: { width: 900, height: 1700 } });

/** Three visits, the middle one BEFORE turned 12° and shrunk 10% (a known pose);
 *  returns the true matrix from the middle visit's pixels to the first visit's. */
async function setThreeVisits(page) {
  const { url, truth } = await transformedSample(page, { angle: 12, scale: 0.9 });
  await page.evaluate((middle) => {
    document.querySelector("scalp-compare").visits = [
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
      { src: middle, date: "2026-04-02", label: "Apr 2026" },
    ];
  }, url);
  return truth;
}

/** The demo pair as two visits, Jan 2026 and Sep 2026, once both have their points on the chart. */
async function setDemoVisits(page) {
  await page.evaluate(() => {
    document.querySelector("scalp-compare").visits = [
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
    ];
  });
  await waitForPhotos(page);
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 30000 });
}

/** Sets the alignment shown by hand: the current one moved by (dx, dy) photo pixels. Returns its matrix. */
function shiftByHand(page, dx, dy = dx) {
  return page.evaluate(
    ([dx, dy]) => {
      const el = document.querySelector("scalp-compare");
      const m = el.alignment.matrix.map((r, i) => r.map((v, j) => (j === 2 ? v + [dx, dy, 0][i] : v)));
      el.alignment = { matrix: m, source: "manual" };
      return m;
    },
    [dx, dy],
  );
}

test("a timeline of visits picks the pair; later pairs are aligned through the first visit", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const middleToFirst = await setThreeVisits(page);
  const el = page.locator("scalp-compare");
  const chips = el.locator(".timeline .visit");
  await expect(chips).toHaveText(["Jan 2026BEFORE", "Apr 2026", "Sep 2026AFTER"]);
  await expect(chips.nth(0)).toHaveAttribute("aria-pressed", "true");
  await waitForPhotos(page);
  await expect(el.locator(".label.before")).toHaveText("Jan 2026");
  await expect(el.locator(".label.after")).toHaveText("Sep 2026");
  // Wait until every visit is aligned to the first and measured.
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 30000 });
  // Pick April: the last two picked (Sep, Apr) are compared, the older as BEFORE.
  await chips.nth(1).click();
  await expect(chips.nth(1)).toHaveAttribute("aria-label", "Apr 2026, shown as BEFORE");
  await expect(chips.nth(2)).toHaveAttribute("aria-label", "Sep 2026, shown as AFTER");
  await waitForPhotos(page);
  await expect(el.locator(".label.before")).toHaveText("Apr 2026");
  // Apr -> Sep composed through January: Sep->Jan (measured) then Jan->Apr (inverse of Apr->Jan).
  const got = await page.evaluate(() => document.querySelector("scalp-compare").alignment);
  expect(got.source).toBe("auto");
  const sepToJan = await page.evaluate(async () => {
    const truth = await (await fetch("samples/pair.json")).json();
    return truth.after_to_before;
  });
  const apply = (m, [x, y]) => {
    const w = m[2][0] * x + m[2][1] * y + m[2][2];
    return [(m[0][0] * x + m[0][1] * y + m[0][2]) / w, (m[1][0] * x + m[1][1] * y + m[1][2]) / w];
  };
  // Check on AFTER's corners: Apr-pixels(got(p)) mapped to Jan must equal sepToJan(p).
  for (const p of [[0, 0], [640, 0], [640, 640], [0, 640]]) {
    const viaApr = apply(middleToFirst, apply(got.matrix, p));
    const truth = apply(sepToJan, p);
    expect(Math.hypot(viaApr[0] - truth[0], viaApr[1] - truth[1])).toBeLessThan(2);
  }
  // Keyboard: the chips are buttons.
  await chips.nth(0).focus();
  await page.keyboard.press("Enter");
  await expect(chips.nth(0)).toHaveAttribute("aria-label", "Jan 2026, shown as BEFORE");
  await expect(chips.nth(1)).toHaveAttribute("aria-label", "Apr 2026, shown as AFTER");
});

test("the coverage chart shows every visit with its uncertainty, matching the analysis", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await setThreeVisits(page);
  await waitForPhotos(page);
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 30000 });
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  const el = page.locator("scalp-compare");
  const progress = await page.evaluate(() => document.querySelector("scalp-compare").progress);
  expect(progress.map((p) => p.label)).toEqual(["Jan 2026", "Apr 2026", "Sep 2026"]);
  for (const p of progress) {
    expect(p.coverage).toBeGreaterThan(0);
    expect(p.coverage).toBeLessThan(1);
    expect(p.uncertainty).toBeGreaterThan(0);
  }
  const chart = el.locator(".coverage-chart");
  await expect(chart).toBeVisible();
  expect((await chart.locator("svg").boundingBox()).height).toBeGreaterThan(100);
  const points = await chart.locator("circle.point").evaluateAll((cs) => cs.map((c) => Number(c.dataset.coverage)));
  expect(points).toEqual(progress.map((p) => p.coverage));
  await expect(chart.locator("line.bar")).toHaveCount(3);
  // The shown pair is January vs September: the chart's step from January to September is
  // that comparison's change (January in the chart is its whole region, in the pair only
  // where September overlaps it, so the two agree within the stated uncertainty).
  const a = await page.evaluate(() => document.querySelector("scalp-compare").analysis);
  expect((progress[2].coverage - progress[0].coverage) * 100).toBeCloseTo(a.change_pp, 1);
  expect(Math.abs(a.before.coverage - progress[0].coverage)).toBeLessThan(progress[0].uncertainty);
  // Screen readers get the numbers as a table.
  const rows = await chart.locator("tbody tr").allTextContents();
  expect(rows[2]).toContain(`${Math.round(progress[2].coverage * 100)}%`);
  // The chart names the region its points are measured over.
  await expect(el.locator(".coverage-chart figcaption")).toContainText("over the first visit's scalp region");
  // The report draws the same chart: each visit's point at its coverage on the 0-100% grid.
  const drawn = reportChart(await reportPng(page));
  expect(drawn.length).toBe(3);
  for (const [k, c] of drawn.entries()) expect(Math.abs(c - progress[k].coverage)).toBeLessThan(0.015);
});

test("a visit framed otherwise than the first, with no change in hair, is charted level with it", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  // The first visit again, framed 260 px right and 200 px down: it shows only part of the
  // scalp (the crown and the hair beside it), but the hair is the same. Its own coverage
  // over that part reads 3 points under the first visit's whole region.
  const { url } = await transformedSample(page, { angle: 0, scale: 1, dx: 260, dy: 200 });
  await page.evaluate((closer) => {
    document.querySelector("scalp-compare").visits = [
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
      { src: closer, date: "2026-04-02", label: "Apr 2026" },
    ];
  }, url);
  await waitForPhotos(page);
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 30000 });
  const [jan, apr] = await page.evaluate(() => document.querySelector("scalp-compare").progress);
  expect(Math.abs(apr.coverage - jan.coverage) * 100).toBeLessThan(1.5);
});

test("a page that moves from a pair to visits and takes the before/after attributes away keeps the visits' photos", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await page.evaluate(() => {
    const el = document.querySelector("scalp-compare");
    el.visits = [
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
    ];
    el.removeAttribute("before");
    el.removeAttribute("after");
  });
  await waitForPhotos(page);
  await expect
    .poll(() => page.evaluate(() => document.querySelector("scalp-compare").photos), { timeout: 30000 })
    .toEqual(expect.objectContaining({ before: expect.objectContaining({ name: "before.jpg" }), after: expect.objectContaining({ name: "after.jpg" }) }));
  await expect(page.locator("scalp-compare .label.before")).toHaveText("Jan 2026");
});

test("a report asked for as soon as the photos show waits for the visits chart", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await setThreeVisits(page);
  await waitForPhotos(page);
  // The pair is measured; the chart's visits may not be yet.
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis, null, { timeout: 30000 });
  const drawn = reportChart(await reportPng(page));
  expect(drawn.length).toBe(3);
  const progress = await page.evaluate(() => document.querySelector("scalp-compare").progress);
  expect(progress.every(Boolean)).toBe(true);
});

test("an alignment made by hand for the first visit and a later one is the one the chart measures that visit through", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await setDemoVisits(page);
  const progress = () => page.evaluate(() => document.querySelector("scalp-compare").progress);
  const auto = (await progress())[1].coverage;
  // The pair shown is the first and the later visit: set its alignment 60 px off by hand.
  const shifted = await shiftByHand(page, 60);
  expect(shifted).toBeTruthy();
  // The chart's point for that visit follows the pair's own figure under it.
  await expect.poll(async () => (await progress())[1]?.coverage ?? auto, { timeout: 30000 }).not.toBe(auto);
  // (The pair's own figures under the new alignment come after a short pause, and may come
  // after the chart's.)
  const gap = () =>
    page.evaluate(() => {
      const el = document.querySelector("scalp-compare");
      const [first, later] = el.progress;
      const pair = el.analysis;
      return pair && first && later ? Math.abs(later.coverage - first.coverage - pair.change_pp / 100) : 1;
    });
  await expect.poll(gap, { timeout: 30000 }).toBeLessThan(0.005);
  // 60 px off, the photos' detail does not confirm it: the point is marked and says so,
  // on the chart, in its table and in the progress property.
  const chart = page.locator("scalp-compare .coverage-chart");
  await expect(chart.locator(".chart-notes li")).toHaveText([/^Sep 2026: its photo may not be lined up well with the first visit's \(its alignment was not made automatically, and the photos' detail does not confirm it: confidence \d+%\), so its point may be off\.$/]);
  await expect(chart.locator("circle.point.unconfirmed")).toHaveCount(1);
  await expect(chart.locator("tbody tr").nth(1)).toContainText("(alignment not confirmed)");
  await expect(chart.locator("tbody tr").nth(0)).not.toContainText("not confirmed");
  expect((await progress())[1].alignment_confidence).toBeLessThan(0.5);
  expect((await progress())[0].alignment_confidence).toBeUndefined();
  // The report draws both points (the unconfirmed one hollow) and grows by the caution's lines.
  const cautioned = await reportPng(page);
  expect(reportChart(cautioned)).toHaveLength(2);
  // Locked, the specialist has checked it: the caution goes, the point stays.
  await page.locator("scalp-compare").getByLabel("Lock alignment").check();
  await expect(chart.locator(".chart-notes li")).toHaveCount(0);
  await expect(chart.locator("circle.point.unconfirmed")).toHaveCount(0);
  await expect(chart.locator("circle.point")).toHaveCount(2);
  expect((await reportPng(page)).height).toBeLessThan(cautioned.height);
  // Unlocked and set back to where the detail lines up: no caution either.
  await page.locator("scalp-compare").getByLabel("Lock alignment").uncheck();
  await expect(chart.locator(".chart-notes li")).toHaveCount(1);
  await shiftByHand(page, -60);
  await expect.poll(async () => (await progress())[1]?.alignment_confidence ?? 0, { timeout: 30000 }).toBeGreaterThan(0.5);
  await expect(chart.locator(".chart-notes li")).toHaveCount(0);
  await expect(chart.locator("circle.point.unconfirmed")).toHaveCount(0);
});

test("a chart point measured through an alignment no longer usable goes, with the reason", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await setDemoVisits(page);
  const progress = () => page.evaluate(() => document.querySelector("scalp-compare").progress);
  await shiftByHand(page, 60, 0);
  await expect.poll(async () => (await progress())[1]?.alignment_confidence ?? 1, { timeout: 30000 }).toBeLessThan(0.5);
  // So far off that the photos no longer overlap enough: no point, and why.
  await shiftByHand(page, 900, 0);
  const chart = page.locator("scalp-compare .coverage-chart");
  await expect(chart.locator(".chart-notes li")).toHaveText(["Sep 2026: not measured: the two photos do not show enough of the same region to compare coverage"], { timeout: 30000 });
  expect((await progress())[1]).toBeNull();
  await expect(chart.locator("circle.point")).toHaveCount(1);
});

test("a hand alignment restored with the page's photos before it sets its visits is the one the chart uses", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await setDemoVisits(page);
  const progress = () => page.evaluate(() => document.querySelector("scalp-compare").progress);
  await shiftByHand(page, 60);
  await expect.poll(async () => (await progress())[1]?.alignment_confidence ?? 1, { timeout: 30000 }).toBeLessThan(0.5);
  const handPoint = (await progress())[1].coverage;
  // Reloaded: the demo page shows its two photos (the hand alignment comes back with their
  // saved work), then sets the visits.
  await page.reload();
  await waitForPhotos(page);
  await page.waitForFunction(() => document.querySelector("scalp-compare").alignment?.source === "manual", null, { timeout: 30000 });
  await setDemoVisits(page);
  await expect.poll(async () => (await progress())[1].alignment_confidence ?? 1, { timeout: 30000 }).toBeLessThan(0.5);
  expect((await progress())[1].coverage).toBeCloseTo(handPoint, 6);
  await expect(page.locator("scalp-compare .coverage-chart circle.point.unconfirmed")).toHaveCount(1);
});

/** Serves `file`'s bytes at /__visits__/`name` (a URL that stays the same over a reload). */
async function serveAs(page, name, file) {
  const body = readFileSync(file);
  await page.route(`**/__visits__/${name}`, (route) => route.fulfill({ body, contentType: "image/jpeg" }));
  return `/__visits__/${name}`;
}

test("a hand alignment saved with another pair's work is the one the chart measures that visit through after a reload", async ({ page }) => {
  const apr = await serveAs(page, "apr.jpg", "www/samples/after.jpg");
  await page.goto("/");
  await waitForPhotos(page);
  const setVisits = () =>
    page.evaluate((apr) => {
      document.querySelector("scalp-compare").visits = [
        { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
        { src: apr, date: "2026-04-02", label: "Apr 2026" },
        { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
      ];
    }, apr);
  const progress = () => page.evaluate(() => document.querySelector("scalp-compare").progress);
  const shows = (name) =>
    page.waitForFunction((name) => {
      const el = document.querySelector("scalp-compare");
      return el.photos.before?.name === "before.jpg" && el.photos.after?.name === name && !el.busy;
    }, name, { timeout: 30000 });
  await setVisits();
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 60000 });
  const auto = (await progress())[1].coverage;
  // Jan and Apr shown: aligned 60 px off by hand, and locked.
  await page.evaluate(() => {
    const el = document.querySelector("scalp-compare");
    el.pickVisit(1);
    el.pickVisit(0);
  });
  await shows("apr.jpg");
  await shiftByHand(page, 60);
  await expect.poll(async () => (await progress())[1]?.alignment_confidence ?? 1, { timeout: 30000 }).toBeLessThan(0.5);
  await page.locator("scalp-compare").getByLabel("Lock alignment").check();
  const hand = (await progress())[1];
  expect(hand.coverage).not.toBeCloseTo(auto, 3);
  expect(hand.alignment_locked).toBe(true);
  // Back to Jan and Sep, then a reload: the page shows its own pair and sets the visits.
  await page.evaluate(() => document.querySelector("scalp-compare").pickVisit(2));
  await shows("after.jpg");
  await page.reload();
  await waitForPhotos(page);
  await setVisits();
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 60000 });
  const after = (await progress())[1];
  expect(after.coverage).toBeCloseTo(hand.coverage, 6);
  expect(after.alignment_locked).toBe(true);
  await expect(page.locator("scalp-compare .coverage-chart .chart-notes li")).toHaveCount(0);
});

test("Reset to automatic that cannot align takes the hand alignment off the chart and out of what is saved", async ({ page }) => {
  const other = await serveAs(page, "other.jpg", "../shared/photos/uze-hair-loss/topdown-stage3-2.jpg");
  await page.goto("/");
  await waitForPhotos(page);
  const setVisits = () =>
    page.evaluate((other) => {
      const el = document.querySelector("scalp-compare");
      window.progressEvents = [];
      el.addEventListener("progress", (e) => window.progressEvents.push(e.detail.progress));
      el.visits = [
        { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
        { src: other, date: "2026-09-01", label: "Sep 2026" },
      ];
    }, other);
  await setVisits();
  const notes = page.locator("scalp-compare .coverage-chart .chart-notes li");
  // Another head: it cannot be aligned with the first visit.
  await expect(notes).toHaveText(["Sep 2026: not measured: it could not be aligned with the first visit"], { timeout: 60000 });
  // Aligned by hand (as taken): the visit gets a point.
  await page.evaluate(() => (document.querySelector("scalp-compare").alignment = { matrix: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], source: "manual" }));
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress[1], null, { timeout: 30000 });
  // Reset to automatic, which cannot align them: the point goes, with the reason, and the page hears.
  await page.locator("scalp-compare").getByRole("button", { name: "Reset to automatic" }).click();
  await expect(notes).toHaveText(["Sep 2026: not measured: it could not be aligned with the first visit"], { timeout: 30000 });
  expect((await page.evaluate(() => document.querySelector("scalp-compare").progress))[1]).toBeNull();
  expect((await page.evaluate(() => window.progressEvents)).at(-1)[1]).toBeNull();
  // And after a reload the hand alignment is not back.
  await page.reload();
  await waitForPhotos(page);
  await setVisits();
  await expect(notes).toHaveText(["Sep 2026: not measured: it could not be aligned with the first visit"], { timeout: 60000 });
  await page.waitForFunction(() => !document.querySelector("scalp-compare").busy, null, { timeout: 30000 });
  expect(await page.evaluate(() => document.querySelector("scalp-compare").alignment)).toBeNull();
});

test("a lock on a visit's hand alignment keeps its chart point free of the caution while another pair is shown", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await setThreeVisits(page);
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  const chart = el.locator(".coverage-chart");
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 60000 });
  // The pair shown: the first visit (Jan) and the last (Sep). Set it off by hand, then lock it.
  await shiftByHand(page, 60);
  await expect(chart.locator(".chart-notes li")).toHaveCount(1, { timeout: 30000 });
  await el.getByLabel("Lock alignment").check();
  await expect(chart.locator(".chart-notes li")).toHaveCount(0);
  // Another pair on the timeline: Jan and Apr.
  await page.evaluate(() => document.querySelector("scalp-compare").pickVisit(1));
  await page.waitForFunction(() => document.querySelector("scalp-compare").photos.after?.name !== "after.jpg" || document.querySelector("scalp-compare").photos.before?.name !== "before.jpg", null, { timeout: 30000 });
  await page.waitForFunction(() => !document.querySelector("scalp-compare").busy, null, { timeout: 30000 });
  await page.waitForTimeout(500);
  await expect(chart.locator(".chart-notes li")).toHaveCount(0);
  await expect(chart.locator("circle.point.unconfirmed")).toHaveCount(0);
  expect((await page.evaluate(() => document.querySelector("scalp-compare").progress))[2].alignment_confidence).toBeLessThan(0.5);
});

/**
 * The coverage of each point of a report's visits chart: the plot's 0% and 100% grid lines
 * are the lowest and highest long light-grey rows; the points are the blue dots between,
 * from left to right.
 */
function reportChart(png) {
  const { width: W, height: H, data } = png;
  const near = (i, rgb, tol) => rgb.every((v, j) => Math.abs(data[i + j] - v) <= tol);
  const grid = [];
  for (let y = 0; y < H; y++) {
    let run = 0;
    for (let x = 0; x < W; x++) run += near((y * W + x) * 4, [213, 219, 225], 6) ? 1 : 0;
    if (run > W / 2) grid.push(y);
  }
  if (grid.length < 2) return [];
  const [top, bottom] = [Math.min(...grid), Math.max(...grid)];
  const dots = new Map(); // x -> [sum y, n]
  for (let y = top - 10; y <= bottom + 10; y++) {
    for (let x = 0; x < W; x++) {
      if (!near((y * W + x) * 4, [11, 92, 173], 12)) continue;
      const d = dots.get(x) || [0, 0];
      dots.set(x, [d[0] + y, d[1] + 1]);
    }
  }
  // Columns of blue, grouped into dots where they are more than 10 px apart.
  const groups = [];
  for (const x of [...dots.keys()].sort((a, b) => a - b)) {
    const last = groups.at(-1);
    if (last && x - last.x1 <= 10) {
      last.x1 = x;
      last.sy += dots.get(x)[0];
      last.n += dots.get(x)[1];
    } else groups.push({ x1: x, sy: dots.get(x)[0], n: dots.get(x)[1] });
  }
  return groups.map((g) => (bottom - g.sy / g.n) / (bottom - top));
}

/** A blob URL in the page for these bytes (a file's, or a text's). */
function blobUrl(page, bytes, type) {
  return page.evaluate(
    ([b64, type]) => URL.createObjectURL(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type })),
    [Buffer.from(bytes).toString("base64"), type],
  );
}

/** The chart's visible notes and its table's rows, once `n` notes are shown. */
async function chartNotes(page, n) {
  const chart = page.locator("scalp-compare .coverage-chart");
  await expect(chart.locator(".chart-notes li")).toHaveCount(n, { timeout: 30000 });
  await expect(chart).toBeVisible();
  return { notes: await chart.locator(".chart-notes li").allTextContents(), rows: await chart.locator("tbody tr").allTextContents() };
}

test("a visit that cannot be opened, aligned or measured is named on the chart with the reason; the others keep their points", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const notPhoto = await blobUrl(page, "meeting notes", "image/jpeg");
  // Another person's head: it cannot be aligned with the first visit.
  const other = await blobUrl(page, readFileSync("../shared/photos/uze-hair-loss/topdown-stage2-1.jpg"), "image/jpeg");
  // A visit taken in dim light: aligned, but refused (not as underexposed: hair and skin
  // cannot be told apart).
  const { url: dark } = await transformedSample(page, { angle: 0, scale: 1, filter: "brightness(0.15)" });
  await page.evaluate(([bad, other, dark]) => {
    document.querySelector("scalp-compare").visits = [
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
      { src: bad, date: "2026-04-02", label: "Apr 2026" },
      { src: other, date: "2026-06-20", label: "Jun 2026" },
      { src: dark, date: "2026-07-20", label: "Jul 2026" },
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
    ];
  }, [notPhoto, other, dark]);
  await page.waitForFunction(() => document.querySelector("scalp-compare").progress.filter(Boolean).length === 2, null, {
    timeout: 30000,
  });
  const { notes, rows } = await chartNotes(page, 3);
  expect(notes).toEqual([
    "Apr 2026: not measured: This file is not a photo: expected a JPEG or PNG image.",
    "Jun 2026: not measured: it could not be aligned with the first visit",
    // No region is drawn on the chart's visits: the advice is to retake the photo.
    "Jul 2026: not measured: hair and skin cannot be told apart reliably in this photo (equally plausible readings differ by more than 30 points); retake the photo evenly lit and in focus",
  ]);
  expect(rows[1]).toBe("Apr 2026not measured: This file is not a photo: expected a JPEG or PNG image.");
  expect(rows[2]).toBe("Jun 2026not measured: it could not be aligned with the first visit");
  const chart = page.locator("scalp-compare .coverage-chart");
  await expect(chart.locator("circle.point")).toHaveCount(2);
  const progress = await page.evaluate(() => document.querySelector("scalp-compare").progress);
  expect(progress.map((p) => Boolean(p))).toEqual([true, false, false, false, true]);
  expect(rows[4]).toContain(`${Math.round(progress[4].coverage * 100)}%`);
  // The report shows the two measured visits' points.
  const drawn = reportChart(await reportPng(page));
  expect(drawn.length).toBe(2);
  expect(Math.abs(drawn[0] - progress[0].coverage)).toBeLessThan(0.015);
  expect(Math.abs(drawn[1] - progress[4].coverage)).toBeLessThan(0.015);
  // New visits: the last ones' notes and points go at once.
  const left = await page.evaluate(() => {
    const el = document.querySelector("scalp-compare");
    el.visits = [
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
    ];
    return el.shadowRoot.querySelectorAll(".coverage-chart li, .coverage-chart circle.point").length;
  });
  expect(left).toBe(0);
});

test("a first visit that cannot be measured is named with advice to retake it, and the others say why they have no point", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  // Stage 6-1 of the shared photos (a tanned bald crown with a white rim) is refused.
  const crown = await blobUrl(page, readFileSync("../shared/photos/uze-hair-loss/topdown-stage6-1.jpg"), "image/jpeg");
  await page.evaluate((crown) => {
    document.querySelector("scalp-compare").visits = [
      { src: crown, date: "2026-01-10", label: "Jan 2026" },
      { src: "samples/before.jpg", date: "2026-04-02", label: "Apr 2026" },
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
    ];
  }, crown);
  const { notes, rows } = await chartNotes(page, 3);
  expect(notes[0]).toContain("Jan 2026: not measured: hair and skin cannot be told apart");
  expect(notes[0]).toContain("retake the photo evenly lit and in focus");
  expect(notes[0]).not.toContain("region"); // none is drawn on the chart's visits
  for (const [k, label] of [[1, "Apr 2026"], [2, "Sep 2026"]]) {
    expect(notes[k]).toBe(`${label}: not measured: the first visit, which every visit is measured against, could not be measured`);
  }
  expect(rows[0]).toContain("hair and skin cannot be told apart");
  await expect(page.locator("scalp-compare .coverage-chart circle.point")).toHaveCount(0);
  // In Spanish, as soon as the language changes.
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("lang", "es"));
  const spanish = page.locator("scalp-compare .coverage-chart .chart-notes li");
  await expect(spanish.first()).toHaveText(
    "Jan 2026: sin medir: en esta foto no se distingue con fiabilidad el pelo de la piel (lecturas igual de plausibles difieren en más de 30 puntos); repita la foto con luz uniforme y enfocada",
  );
  await expect(spanish.nth(1)).toHaveText("Apr 2026: sin medir: no se pudo medir la primera visita, con la que se mide cada visita");
  // The timeline too: which visit is shown as BEFORE and which as AFTER.
  const first = page.locator("scalp-compare .timeline .visit").first();
  await expect(first).toHaveAttribute("aria-label", "Jan 2026, mostrada como ANTES");
  await expect(first.locator(".badge")).toHaveText("ANTES");
});

test("a visit whose photo cannot be loaded is not picked: the photo shown keeps its own label and date", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const bad = await blobUrl(page, "meeting notes", "image/jpeg");
  await page.evaluate((bad) => {
    document.querySelector("scalp-compare").visits = [
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
      { src: bad, date: "2026-06-02", label: "Jun 2026" },
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
    ];
  }, bad);
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  await expect(el.locator(".label.before")).toHaveText("Jan 2026");
  // June would be BEFORE (the older of the last two picked), but its photo is not one.
  await page.evaluate(() => document.querySelector("scalp-compare").pickVisit(1));
  await expect(el.locator(".alert")).toContainText("This file is not a photo");
  const chips = el.locator(".timeline .visit");
  await expect(chips.nth(1)).toHaveAttribute("aria-pressed", "false");
  await expect(chips.nth(0)).toHaveAttribute("aria-label", "Jan 2026, shown as BEFORE");
  await expect(el.locator(".label.before")).toHaveText("Jan 2026");
  const session = await page.evaluate(() => document.querySelector("scalp-compare").session);
  expect(session.photos.before.name).toBe("before.jpg");
  expect(session.photos.before.date).toBe("2026-01-10");
});

test("a visit picked while an earlier pick's photo is still on its way: the last pick wins on both sides", async ({ page }) => {
  await page.route(/after\.jpg\?slow/, async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.goto("/");
  await waitForPhotos(page);
  await page.evaluate(() => {
    document.querySelector("scalp-compare").visits = [
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
      { src: "samples/after.jpg?slow", date: "2026-04-02", label: "Apr 2026" },
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
    ];
  });
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  await expect(el.locator(".label.before")).toHaveText("Jan 2026");
  // April would be BEFORE beside September; then January is picked while April is on its way.
  await page.evaluate(() => {
    const sc = document.querySelector("scalp-compare");
    sc.pickVisit(1);
    sc.pickVisit(0);
  });
  await page.waitForTimeout(2500);
  await waitForPhotos(page);
  const chips = el.locator(".timeline .visit");
  await expect(chips.nth(0)).toHaveAttribute("aria-label", "Jan 2026, shown as BEFORE");
  await expect(chips.nth(1)).toHaveAttribute("aria-label", "Apr 2026, shown as AFTER");
  await expect(el.locator(".label.before")).toHaveText("Jan 2026");
  await expect(el.locator(".label.after")).toHaveText("Apr 2026");
  const session = await page.evaluate(() => document.querySelector("scalp-compare").session);
  expect(session.photos.before.name).toBe("before.jpg");
  expect(session.photos.after.name).toBe("after.jpg?slow");
});

test("child <img data-date> elements are the visits", async ({ page }) => {
  await page.goto("/");
  await page.evaluate(() => {
    document.body.insertAdjacentHTML(
      "beforeend",
      `<scalp-compare id="kids" aspect-ratio="1/1">
         <img src="samples/after.jpg" data-date="2026-09-01" alt="September">
         <img src="samples/before.jpg" data-date="2026-01-10" alt="January">
       </scalp-compare>`,
    );
  });
  await waitForPhotos(page, "#kids");
  const visits = await page.evaluate(() => document.getElementById("kids").visits);
  expect(visits.map((v) => v.label)).toEqual(["January", "September"]);
  await expect(page.locator("#kids .label.before")).toHaveText("January");
  expect(await page.evaluate(() => document.getElementById("kids").photos.before.name)).toBe("before.jpg");
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 1400 } });

  test("the chart's text stays readable and each visit's label fits beside its neighbours", async ({ page }) => {
    await page.goto("/");
    await waitForPhotos(page);
    const long = "Sep 2026, after six months of treatment";
    await page.evaluate((long) => {
      document.querySelector("scalp-compare").visits = [
        { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026 (baseline)" },
        { src: "samples/after.jpg", date: "2026-04-02", label: "Apr 2026" },
        { src: "samples/after.jpg", date: "2026-06-02", label: "Jun 2026 follow-up" },
        { src: "samples/after.jpg", date: "2026-07-02", label: "Jul 2026" },
        { src: "samples/after.jpg", date: "2026-09-01", label: long },
      ];
    }, long);
    await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 60000 });
    /** The chart's drawn width and, for each tick and label, its text and on-screen box. */
    const drawn = () =>
      page.evaluate(() => {
        const svg = document.querySelector("scalp-compare").shadowRoot.querySelector(".coverage-chart svg");
        const box = svg.getBoundingClientRect();
        const texts = [...svg.querySelectorAll("text")].map((t) => {
          const r = t.getBoundingClientRect();
          const title = t.querySelector("title");
          return { text: t.firstChild.textContent, title: title && title.textContent, left: r.left, right: r.right, top: r.top, height: r.height };
        });
        return { viewBox: svg.viewBox.baseVal.width, box: { left: box.left, right: box.right, width: box.width }, texts };
      });
    const check = (chart) => {
      // Drawn at its own width: text at its CSS size, not a desktop drawing scaled down.
      expect(Math.abs(chart.viewBox - chart.box.width)).toBeLessThan(1.5);
      for (const t of chart.texts) expect(t.height, t.text).toBeGreaterThanOrEqual(12);
      const labels = chart.texts.filter((t) => !t.text.endsWith("%"));
      for (const [k, t] of labels.entries()) {
        expect(t.left, t.text).toBeGreaterThanOrEqual(chart.box.left - 0.5);
        expect(t.right, t.text).toBeLessThanOrEqual(chart.box.right + 0.5);
        if (k) expect(t.left, `${labels[k - 1].text} | ${t.text}`).toBeGreaterThan(labels[k - 1].right);
        if (t.title) expect(t.text.length, t.text).toBeGreaterThanOrEqual(9); // 8 characters and "..."
      }
      // The first visit and the last are always labelled.
      expect(labels[0].text).toMatch(/^Jan 2026/);
      expect(labels.at(-1).text).toMatch(/^Sep 2026/);
      return labels;
    };
    const phone = check(await drawn());
    // Nothing widens the page (the screen-reader table with the long labels did).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // The long label is shortened, with the whole label on hover.
    expect(phone.at(-1).text).toMatch(/\u2026$/);
    expect(phone.at(-1).title).toBe(long);
    // Wider: drawn again at the new width, every visit labelled, with room for more of each.
    await page.setViewportSize({ width: 1000, height: 1400 });
    await expect.poll(async () => (await drawn()).viewBox).toBe(640);
    const desk = check(await drawn());
    expect(desk.map((t) => t.text.slice(0, 8))).toEqual(["Jan 2026", "Apr 2026", "Jun 2026", "Jul 2026", "Sep 2026"]);
    expect(desk[1].text).toBe("Apr 2026");
    expect(desk[2].text).toBe("Jun 2026 follow-up");
    expect(desk.length).toBeGreaterThanOrEqual(phone.length);
  });

  test("with many visits, every second (third, ...) one is labelled so that each label can be read", async ({ page }) => {
    await page.goto("/");
    await waitForPhotos(page);
    // Twelve monthly visits labelled by their dates (the label when none is given).
    await page.evaluate(() => {
      document.querySelector("scalp-compare").visits = Array.from({ length: 12 }, (_, m) => ({
        src: m ? "samples/after.jpg" : "samples/before.jpg",
        date: `2026-${String(m + 1).padStart(2, "0")}-15`,
      }));
    });
    await page.waitForFunction(() => document.querySelector("scalp-compare").progress.every(Boolean), null, { timeout: 90000 });
    const labels = await page.evaluate(() =>
      [...document.querySelector("scalp-compare").shadowRoot.querySelectorAll(".coverage-chart svg text")]
        .filter((t) => !t.firstChild.textContent.endsWith("%"))
        .map((t) => {
          const r = t.getBoundingClientRect();
          return { text: t.firstChild.textContent, left: r.left, right: r.right };
        }),
    );
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(labels.length).toBeLessThan(12);
    // The first and the last are labelled, each with at least its year and month.
    expect(labels[0].text).toMatch(/^2026-01/);
    expect(labels.at(-1).text).toMatch(/^2026-12/);
    for (const [k, t] of labels.entries()) {
      expect(t.text.replace("\u2026", "").length, t.text).toBeGreaterThanOrEqual(8);
      if (k) expect(t.left, `${labels[k - 1].text} | ${t.text}`).toBeGreaterThan(labels[k - 1].right);
    }
    // Every visit keeps its point.
    await expect(page.locator("scalp-compare .coverage-chart circle.point")).toHaveCount(12);
  });
});
