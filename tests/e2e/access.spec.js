// Reading and using the comparison whatever the page and the reader: a dark page, a
// larger text size, high-contrast mode, less motion, a right-to-left page, a phone held
// sideways, and the keyboard alone.
import { test, expect } from "@playwright/test";
import { PNG } from "pngjs";
import { waitForPhotos, frameShot, regionDiff, setValue } from "./helpers.js";

/** Brightest and darkest grey level in a screenshot of `locator`. */
async function lightRange(locator) {
  const img = PNG.sync.read(await locator.screenshot());
  let lo = 255;
  let hi = 0;
  for (let i = 0; i < img.data.length; i += 4) {
    const y = 0.2126 * img.data[i] + 0.7152 * img.data[i + 1] + 0.0722 * img.data[i + 2];
    lo = Math.min(lo, y);
    hi = Math.max(hi, y);
  }
  return { lo, hi };
}

test("on a dark page the figures and the chart are drawn light, and focus shows", async ({ page }) => {
  await page.goto("/");
  await page.evaluate(() => Object.assign(document.body.style, { background: "#121417", color: "#e8eaed" }));
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  // The summary's text is light on the dark page (it was near-black on it).
  const summary = await lightRange(el.locator(".summary"));
  expect(summary.lo).toBeLessThan(40); // the page behind it
  expect(summary.hi).toBeGreaterThan(170); // the letters
  const chip = await lightRange(el.locator(".chip"));
  expect(chip.hi).toBeGreaterThan(140); // quieter text, still readable
  // The visits chart's uncertainty bars follow the text colour.
  await page.evaluate(() => {
    document.querySelector("scalp-compare").visits = [
      { src: "samples/before.jpg", date: "2026-01-10", label: "Jan 2026" },
      { src: "samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
    ];
  });
  await expect(el.locator(".coverage-chart .bar").first()).toBeAttached({ timeout: 30_000 });
  const bar = await el.locator(".coverage-chart .bar").first().evaluate((n) => getComputedStyle(n).stroke);
  expect(bar).toBe("rgb(232, 234, 237)");
  // A focused button has a light ring beside the accent one.
  await el.getByRole("button", { name: "Save session" }).focus();
  await page.keyboard.press("Shift+Tab");
  await page.keyboard.press("Tab");
  const ring = await el.getByRole("button", { name: "Save session" }).evaluate((n) => getComputedStyle(n).boxShadow);
  expect(ring).toContain("rgb(255, 255, 255)");
  // The landmarks panel, on its own white, keeps its own dark text.
  await el.getByRole("button", { name: "Align by landmarks…" }).click();
  await expect(el.locator("scalp-landmarks")).toBeVisible();
  const panel = await el.locator("scalp-landmarks h2").evaluate((n) => getComputedStyle(n).color);
  expect(panel).toBe("rgb(27, 31, 36)");
});

test("the text grows with the reader's text size and the page's font size", async ({ page }) => {
  await page.goto("/__tests__/embed.html");
  await waitForPhotos(page, "#patient");
  const el = page.locator("#patient");
  const size = (sel) => el.locator(sel).evaluate((n) => parseFloat(getComputedStyle(n).fontSize));
  expect(await size(".summary")).toBe(14);
  await page.addStyleTag({ content: "html { font-size: 200%; }" });
  expect(await size(".summary")).toBe(28);
  expect(await size(".label.before")).toBeGreaterThan(25);
  await page.addStyleTag({ content: "#patient { font-size: 21px; }" });
  expect(await size(".summary")).toBe(21);
  expect(await size(".chip")).toBeGreaterThan(19);
});

test("at either end of the slider only the photo shown is labelled", async ({ page }) => {
  await page.goto("/__tests__/embed.html");
  await waitForPhotos(page, "#patient");
  const TOP_LEFT = { x0: 0, x1: 0.45, y0: 0, y1: 0.2 };
  const TOP_RIGHT = { x0: 0.55, x1: 1, y0: 0, y1: 0.2 };
  const hideLabels = "#patient::part(label) { visibility: hidden; }";
  for (const [value, corner] of [
    [0, TOP_LEFT],
    [100, TOP_RIGHT],
  ]) {
    await setValue(page, value, "#patient");
    const shown = await frameShot(page, "#patient");
    const style = await page.addStyleTag({ content: hideLabels });
    const bare = await frameShot(page, "#patient");
    await style.evaluate((n) => n.remove());
    // The corner where the hidden photo's label sat shows the photo, nothing over it.
    expect(regionDiff(shown, bare, corner)).toBeLessThan(1);
  }
  // In the other views both show whatever the split, the vertical slider's too.
  await page.evaluate(() => {
    const el = document.getElementById("patient");
    el.setAttribute("direction", "vertical");
    el.mode = "fade";
  });
  await setValue(page, 100, "#patient");
  const clip = (side) =>
    page.evaluate((s) => getComputedStyle(document.getElementById("patient").shadowRoot.querySelector(`.label-side.${s}`)).clipPath, side);
  expect(await clip("after")).toBe("none");
  expect(await clip("before")).toBe("none");
  await page.evaluate(() => {
    const el = document.getElementById("patient");
    el.removeAttribute("direction");
    el.mode = "slider";
  });
  // In the middle both labels show.
  await setValue(page, 50, "#patient");
  const shown = await frameShot(page, "#patient");
  const style = await page.addStyleTag({ content: hideLabels });
  const bare = await frameShot(page, "#patient");
  await style.evaluate((n) => n.remove());
  expect(regionDiff(shown, bare, TOP_LEFT)).toBeGreaterThan(3);
  expect(regionDiff(shown, bare, TOP_RIGHT)).toBeGreaterThan(3);
});

test("the first Tab stop in a patient's view is the slider, and the photos are named", async ({ page }) => {
  await page.goto("/__tests__/embed.html");
  await waitForPhotos(page, "#patient");
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const inner = el && el.shadowRoot && el.shadowRoot.activeElement;
    return inner && inner.className;
  });
  expect(focused).toBe("handle");
  const el = page.locator("#patient");
  await expect(el.getByRole("img", { name: "Jan 2026 photo" })).toHaveCount(1);
  await expect(el.getByRole("img", { name: "Oct 2026 photo" })).toHaveCount(1);
});

test("a drawing tool chosen by keyboard shows its cross clear of the handle; Escape returns to the tool", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  const pin = el.getByRole("button", { name: "Pin with note" });
  await pin.focus();
  await page.keyboard.press("Enter");
  const cross = el.locator("svg.annotations g.cursor");
  await expect(cross).toHaveCount(1); // at once, before any arrow key
  const c = await cross.boundingBox();
  const h = await el.locator(".handle").boundingBox();
  const apart = Math.abs(c.x + c.width / 2 - (h.x + h.width / 2));
  expect(apart).toBeGreaterThan(h.width);
  // The layer shows it has the focus.
  const outline = await el.locator("svg.annotations").evaluate((n) => getComputedStyle(n).outlineStyle);
  expect(outline).toBe("solid");
  await page.keyboard.press("Escape");
  await expect(pin).toBeFocused();
  await expect(pin).toHaveAttribute("aria-pressed", "false");
  // Escape while a shape is being drawn cancels that shape and says so.
  await page.keyboard.press("Enter"); // pin tool again
  await el.getByRole("button", { name: "Polygon" }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter"); // first corner
  await page.keyboard.press("Escape");
  await expect(el.locator(".annotate-status")).toHaveText("Drawing cancelled");
});

test("a long visit name wraps on a phone instead of widening the page", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await page.goto("/__tests__/embed.html");
  await waitForPhotos(page, "#patient");
  await page.evaluate(() => {
    document.getElementById("box").style.width = "auto";
    document.getElementById("patient").visits = [
      { src: "/samples/before.jpg", date: "2026-01-10", label: "Supercalifragilisticexpialidocious_IMG_000123456789.jpg" },
      { src: "/samples/after.jpg", date: "2026-09-01", label: "Sep 2026" },
    ];
  });
  await expect(page.locator("#patient .timeline .visit")).toHaveCount(2);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(wide).toBeLessThanOrEqual(320);
});

test("a phone held sideways shows the whole comparison within the screen's height", async ({ page }) => {
  await page.setViewportSize({ width: 740, height: 360 });
  await page.goto("/");
  await waitForPhotos(page);
  const frame = await page.locator("scalp-compare .frame").boundingBox();
  expect(frame.height).toBeLessThanOrEqual(360);
  expect(frame.width).toBeGreaterThan(200);
});

test("high-contrast mode keeps the change map's colour key and marks the chosen tool", async ({ page }) => {
  await page.emulateMedia({ forcedColors: "active" });
  await page.goto("/");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  const bg = (sel) => el.locator(sel).evaluate((n) => getComputedStyle(n).backgroundColor);
  expect(await bg(".swatch.gain")).toBe("rgb(0, 114, 178)");
  expect(await bg(".swatch.loss")).toBe("rgb(230, 159, 0)");
  const pressed = await bg('.toolbar button[aria-pressed="true"]');
  const plain = await bg('.toolbar button[data-tool="select"]');
  expect(pressed).not.toBe(plain);
  // In the system's own highlight colour, not the widget's blue.
  const highlight = await page.evaluate(() => {
    const probe = document.createElement("div");
    Object.assign(probe.style, { background: "Highlight", forcedColorAdjust: "none" });
    document.body.append(probe);
    const c = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return c;
  });
  expect(pressed).toBe(highlight);
});

test("blinking waits for the reader when the system asks for less motion", async ({ page }) => {
  await page.emulateMedia({ reducedMotion: "reduce" });
  await page.goto("/");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  await page.evaluate(() => (document.querySelector("scalp-compare").mode = "blink"));
  const button = el.locator('button[data-action="blink-pause"]');
  await expect(button).toHaveText("Resume blinking");
  await page.waitForTimeout(2000);
  await expect(el.locator(".frame")).not.toHaveClass(/blink-after/);
  await button.click();
  await expect(el.locator(".frame")).toHaveClass(/blink-after/, { timeout: 3000 });
});

test("the zoom level is said once it rests, not at every step", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  await page.evaluate(() => {
    const said = document.querySelector("scalp-compare").shadowRoot.querySelector(".zoom-said");
    window.__said = [];
    new MutationObserver(() => window.__said.push(said.textContent)).observe(said, { childList: true, characterData: true, subtree: true });
  });
  const box = await el.locator(".frame").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.down("Control");
  for (let i = 0; i < 8; i++) {
    await page.mouse.wheel(0, -100);
    await page.waitForTimeout(40);
  }
  await page.keyboard.up("Control");
  await expect(el.locator(".zoom-level")).toBeVisible();
  await expect.poll(() => page.evaluate(() => window.__said.length)).toBe(1);
  const level = await el.locator(".zoom-level").textContent();
  expect(await page.evaluate(() => window.__said[0])).toBe(`Zoom ${level}`);
});

test("in Spanish the figures have a decimal comma; on a French right-to-left page the widget is marked English, left to right", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("lang", "es"));
  await expect(el.locator(".summary")).toContainText(/\u00b1 \d+,\d/);
  await expect(el.locator(".summary")).not.toContainText(/\u00b1 \d+\.\d/);
  await expect(el.locator(".frame")).toHaveAttribute("lang", "es");
  await page.evaluate(() => {
    document.querySelector("scalp-compare").removeAttribute("lang");
    document.documentElement.lang = "fr";
    document.documentElement.dir = "rtl";
    document.querySelector("scalp-compare").setAttribute("lang", "fr");
  });
  await expect(el.locator(".summary")).toContainText(/\u00b1 \d+\.\d/);
  for (const sel of [".frame", ".analysis", ".toolbar >> nth=0"]) {
    await expect(el.locator(sel)).toHaveAttribute("lang", "en");
    await expect(el.locator(sel)).toHaveAttribute("dir", "ltr");
  }
});

test("Escape closes the landmarks panel and gives the keyboard back to its button", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  const open = el.getByRole("button", { name: "Align by landmarks…" });
  await open.click();
  const panel = el.locator("scalp-landmarks");
  await expect(panel).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(panel).toBeHidden();
  await expect(open).toBeFocused();
});

test("in a vertical slider Page Down moves the split down, as the down arrow does", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("direction", "vertical"));
  await setValue(page, 40);
  const handle = el.locator(".handle");
  await handle.focus();
  await page.keyboard.press("ArrowDown");
  await expect(handle).toHaveAttribute("aria-valuenow", "41");
  await page.keyboard.press("PageDown");
  await expect(handle).toHaveAttribute("aria-valuenow", "51");
  await page.keyboard.press("PageUp");
  await expect(handle).toHaveAttribute("aria-valuenow", "41");
});
