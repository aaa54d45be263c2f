// UI language: English by default, Spanish with lang="es" (on the element, an
// ancestor or the page); every string the widget shows while it is used has a
// translation.
import { test, expect } from "@playwright/test";
import { waitForPhotos, loadUnmeasurablePair } from "./helpers.js";

test.use({ viewport: { width: 900, height: 1700 } });

/** The demo page with its photos shown, switched to Spanish. */
async function openInSpanish(page) {
  await page.goto("/");
  await waitForPhotos(page);
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("lang", "es"));
}

/** Nothing the widget showed so far lacked a translation. */
async function expectNothingMissing(page) {
  const missing = await page.evaluate(() => [...document.querySelector("scalp-compare")._t.missing]);
  expect(missing).toEqual([]);
}

test("lang=es turns the whole interface Spanish, and back", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  await page.waitForFunction(() => document.querySelector("scalp-compare").analysis);
  const el = page.locator("scalp-compare");
  await expect(el.getByRole("button", { name: "Save session" })).toBeVisible();
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("lang", "es"));
  await expect(el.getByRole("button", { name: "Guardar sesión" })).toBeVisible();
  await expect(el.getByRole("button", { name: "Rectángulo", exact: true })).toBeVisible();
  await expect(el.getByRole("button", { name: "Mostrar mapa de cambios" })).toBeVisible();
  await expect(el.getByRole("combobox", { name: "Vista" })).toBeVisible();
  await expect(el.locator(".summary")).toContainText("Cobertura de pelo");
  await expect(el.locator(".summary")).toContainText("no un diagnóstico");
  await expect(el.locator(".handle")).toHaveAttribute("aria-valuetext", /de BEFORE visible/);
  // Use it in Spanish: a pin with a note, the change map, every view, the report.
  await el.getByRole("button", { name: "Marcador con nota" }).click();
  const box = await el.locator(".frame").boundingBox();
  await page.mouse.click(box.x + box.width * 0.4, box.y + box.height * 0.4);
  await expect(el.locator(".note-editor")).toContainText("Nota");
  await page.keyboard.type("Zona de la coronilla");
  await page.keyboard.press("Enter");
  await expect(el.locator(".annotate-status")).toContainText("Nota guardada");
  await expect(el.locator(".notes")).toContainText("1. Marcador con nota en ANTES: Zona de la coronilla");
  await el.getByRole("button", { name: "Mostrar mapa de cambios" }).click();
  await expect(el.getByRole("button", { name: "Ocultar mapa de cambios" })).toBeVisible();
  for (const mode of ["fade", "side-by-side", "difference", "blink", "heatmap", "slider"]) {
    await page.evaluate((m) => (document.querySelector("scalp-compare").mode = m), mode);
  }
  await page.evaluate(() => document.querySelector("scalp-compare").exportReport());
  // The landmarks panel too.
  await el.locator(".toolbar").getByRole("button", { name: "Alinear por puntos de referencia…" }).click();
  await expect(el.locator("scalp-landmarks h2")).toHaveText("Alinear por puntos de referencia");
  await expect(el.locator("scalp-landmarks .status")).toContainText("0 pares colocados");
  await el.locator("scalp-landmarks").getByRole("button", { name: "Cerrar" }).click();
  // Nothing shown on the way lacked a translation.
  await expectNothingMissing(page);
  // And back to English.
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("lang", "en"));
  await expect(el.getByRole("button", { name: "Save session" })).toBeVisible();
  await expect(el.locator(".summary")).toContainText("Hair coverage");
});

test("the page's language is inherited", async ({ page }) => {
  await page.goto("/");
  await page.evaluate(() => {
    document.documentElement.lang = "es-MX";
    document.body.insertAdjacentHTML("beforeend", '<scalp-compare id="es"></scalp-compare>');
  });
  await expect(page.locator("#es .message")).toContainText("Suelte aquí una foto ANTES y una DESPUÉS");
  await expect(page.locator("#es").getByRole("button", { name: "Elegir foto ANTES…" })).toBeVisible();
});

test("a pair that cannot be measured is explained in Spanish", async ({ page }) => {
  await openInSpanish(page);
  await loadUnmeasurablePair(page);
  const summary = page.locator("scalp-compare .summary");
  await expect(summary).toContainText("No se pudo medir la cobertura de pelo", { timeout: 30000 });
  await expect(summary).toContainText("no se distingue con fiabilidad el pelo de la piel");
  await expectNothingMissing(page);
});

test("why a photo was not loaded or not aligned is said in Spanish, with its name and numbers", async ({ page }) => {
  await openInSpanish(page);
  const el = page.locator("scalp-compare");
  // The page hears each event with the English reason and the text shown.
  await page.evaluate(() => {
    window.heard = [];
    const sc = document.querySelector("scalp-compare");
    for (const type of ["photo-error", "align-failed"]) sc.addEventListener(type, (e) => window.heard.push({ type, ...e.detail }));
  });
  // A file that is not a photo: the comparison stays, the reason is Spanish.
  await el.locator('input[data-side="after"]').setInputFiles({ name: "notas.jpg", mimeType: "image/jpeg", buffer: Buffer.from("no es una foto") });
  await expect(el.locator(".alert")).toContainText(
    'La foto DESPUÉS "notas.jpg" no se cargó. Este archivo no es una foto: se esperaba una imagen JPEG o PNG.',
  );
  // A whole 1x1 PNG: too small to compare, with its size.
  const dot = Buffer.from(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de" +
      "0000000c49444154789c63f8dfe00000044101c00cd1ed91" +
      "0000000049454e44ae426082",
    "hex",
  );
  await el.locator('input[data-side="after"]').setInputFiles({ name: "punto.png", mimeType: "image/png", buffer: dot });
  await expect(el.locator(".alert")).toContainText("Esta foto es demasiado pequeña para comparar (1\u00d71 píxeles; se necesitan al menos 32\u00d732).");
  // A damaged PNG (its header's checksum is wrong): what is damaged is said in Spanish too.
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
    Buffer.from("IHDR"),
    Buffer.from([0, 0, 0, 64, 0, 0, 0, 64, 8, 6, 0, 0, 0, 1, 2, 3, 4]),
  ]);
  await el.locator('input[data-side="after"]').setInputFiles({ name: "roto.png", mimeType: "image/png", buffer: png });
  await expect(el.locator(".alert")).toContainText("El archivo PNG está dañado: la suma de comprobación de su bloque IHDR no coincide.");
  // A photo that cannot be downloaded: its name and the HTTP status are kept.
  await page.evaluate(() => document.querySelector("scalp-compare").load("after", "samples/missing.jpg"));
  await expect(el.locator(".alert")).toContainText('No se pudo descargar la foto "missing.jpg" (HTTP 404).');
  // Another person's head: not aligned, with the confidence.
  await el.locator('input[data-side="after"]').setInputFiles("../shared/photos/uze-hair-loss/topdown-stage2-1.jpg");
  await expect(el.locator(".notice")).toContainText(/no se pudieron alinear estas fotos con fiabilidad \(confianza \d+ %\)/, {
    timeout: 30000,
  });
  const heard = await page.evaluate(() => window.heard);
  expect(heard[0]).toMatchObject({
    type: "photo-error",
    side: "after",
    message: "This file is not a photo: expected a JPEG or PNG image.",
    text: 'La foto DESPUÉS "notas.jpg" no se cargó. Este archivo no es una foto: se esperaba una imagen JPEG o PNG.',
  });
  const failed = heard.find((h) => h.type === "align-failed");
  expect(failed.message).toMatch(/could not align these photos reliably/);
  expect(failed.text).toMatch(/no se pudieron alinear estas fotos con fiabilidad/);
  await expectNothingMissing(page);
});

test("a change of language reaches the reason the photos were not aligned, and the chip", async ({ page }) => {
  await page.goto("/");
  await waitForPhotos(page);
  const el = page.locator("scalp-compare");
  await el.locator('input[data-side="after"]').setInputFiles("../shared/photos/uze-hair-loss/topdown-stage2-1.jpg");
  await expect(el.locator(".notice")).toContainText("could not align these photos reliably", { timeout: 30000 });
  await expect(el.locator(".chip")).toHaveText("Not aligned");
  await page.evaluate(() => document.querySelector("scalp-compare").setAttribute("lang", "es"));
  await expect(el.locator(".notice")).toContainText(/no se pudieron alinear estas fotos con fiabilidad \(confianza \d+ %\)/);
  await expect(el.locator(".chip")).toHaveText("Sin alinear");
});

test("landmarks that cannot be used are explained in Spanish", async ({ page }) => {
  await openInSpanish(page);
  const el = page.locator("scalp-compare");
  await el.locator(".toolbar").getByRole("button", { name: "Alinear por puntos de referencia…" }).click();
  const panel = el.locator("scalp-landmarks");
  // Two pairs on the same spot pin no alignment down.
  for (let k = 0; k < 2; k++) {
    for (const side of ["before", "after"]) {
      const box = await panel.locator(`.view[data-side="${side}"]`).boundingBox();
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    }
  }
  await panel.getByRole("button", { name: "Aplicar" }).click();
  await expect(panel.locator(".status")).toHaveText(
    "no se pudieron usar los puntos de referencia: los puntos de referencia están demasiado juntos o en una línea; repártalos por la foto",
  );
  await expectNothingMissing(page);
});
