// The demo runs under a strict Content-Security-Policy (set by its <meta> tag):
// default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'.
// Everything a specialist does (load, align, measure, annotate, every view,
// report, print) must cause no violation.
import { test, expect } from "@playwright/test";
import { waitForPhotos } from "./helpers.js";

test.use({ viewport: { width: 900, height: 1700 } });

test("the demo works under a strict CSP with zero violations", async ({ page, context }) => {
  const violations = [];
  await context.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.goto("/");
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  expect(policy).toBe("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'");
  await waitForPhotos(page);
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  const el = page.locator("scalp-compare");
  await page.evaluate(() => document.querySelector("scalp-compare").ready);
  // Annotate, look in every view, export and print the report.
  await el.getByRole("button", { name: "Pin with note", exact: true }).click();
  const box = await el.locator(".frame").boundingBox();
  await page.mouse.click(box.x + box.width * 0.4, box.y + box.height * 0.4);
  await page.keyboard.type("Under CSP");
  await page.keyboard.press("Enter");
  for (const mode of ["fade", "side-by-side", "difference", "blink", "heatmap", "slider"]) {
    await page.evaluate((m) => (document.querySelector("scalp-compare").mode = m), mode);
  }
  const size = await page.evaluate(async () => (await document.querySelector("scalp-compare").exportReport()).size);
  expect(size).toBeGreaterThan(10000);
  const [popup] = await Promise.all([
    context.waitForEvent("page"),
    el.getByRole("button", { name: "Print report" }).click(),
  ]);
  await expect(popup.locator("canvas")).toHaveCount(1);
  expect(await popup.locator("canvas").evaluate((c) => c.width)).toBe(1600);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => window.cspViolations)).toEqual([]);
  expect(violations).toEqual([]);
});

test("on a page whose policy forbids WebAssembly the photos still compare, and the tools that need it say why and cannot be pressed", async ({ page, baseURL }) => {
  // The demo page with 'wasm-unsafe-eval' taken out of its policy.
  await page.route(new URL("/", baseURL).href, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(" 'wasm-unsafe-eval'", "");
    await route.fulfill({ response, body });
  });
  await page.goto("/");
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  expect(policy).not.toContain("wasm-unsafe-eval");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  // The photos load and are aligned in the worker (its own policy allows it).
  await page.waitForFunction(() => document.querySelector("scalp-compare").alignment);
  await expect(el.locator(".annotate-status")).toContainText("a Content-Security-Policy needs 'wasm-unsafe-eval'");
  await expect(el.getByRole("button", { name: "Rectangle", exact: true })).toBeDisabled();
  await expect(el.getByRole("button", { name: "Save session", exact: true })).toBeDisabled();
});
