// Embedding in someone else's page with one script tag: the element reserves
// its box before photos arrive, follows its container, and a readonly
// (patient) view shows the comparison without the editing tools.
import { test, expect } from "@playwright/test";
import { waitForPhotos, frameShot, regionStats } from "./helpers.js";

test("one script tag: reserved box, container-sized, readonly, labels", async ({ page }) => {
  // Hold the photos back so we can see the layout before they arrive.
  let release;
  const gate = new Promise((r) => (release = r));
  await page.route("**/samples/*.jpg", async (route) => {
    await gate;
    await route.continue();
  });
  await page.goto("/__tests__/embed.html");
  const el = page.locator("#patient");
  await expect(el.locator(".frame")).toBeVisible();
  const early = await el.locator(".frame").boundingBox();
  const belowEarly = await page.locator("#below").boundingBox();
  expect(Math.round(early.width)).toBe(320);
  expect(Math.round(early.height)).toBe(240); // 4:3 reserved before any photo
  await expect(el.locator(".message")).toContainText("Loading");

  release();
  await waitForPhotos(page, "#patient");
  const loaded = await el.locator(".frame").boundingBox();
  const belowLoaded = await page.locator("#below").boundingBox();
  expect(loaded.height).toBe(early.height);
  expect(belowLoaded.y).toBe(belowEarly.y); // no layout shift
  await expect(el.locator(".message")).toBeHidden();

  // Attributes: initial value, date labels, readonly hides the file tools.
  await expect(el.locator(".handle")).toHaveAttribute("aria-valuenow", "30");
  await expect(el.locator(".label.before")).toHaveText("Jan 2026");
  await expect(el.locator(".label.after")).toHaveText("Oct 2026");
  await expect(el.locator(".handle")).toHaveAttribute("aria-valuetext", /30% Jan 2026 shown, 70% Oct 2026 shown/);
  for (const toolbar of await el.locator(".toolbar").all()) await expect(toolbar).toBeHidden();

  // Follows its container's size and redraws at the new size.
  await page.evaluate(() => (document.getElementById("box").style.width = "600px"));
  await expect
    .poll(async () => Math.round((await el.locator(".frame").boundingBox()).width))
    .toBe(600);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const shot = await frameShot(page, "#patient");
  expect(shot.width).toBeGreaterThanOrEqual(600);
  const stats = regionStats(shot, { x0: 0.3, x1: 0.7, y0: 0.2, y1: 0.8 });
  expect(stats.sd).toBeGreaterThan(15); // a photo, not an empty canvas
});

test("a label with markup is shown as text", async ({ page }) => {
  await page.goto("/__tests__/embed.html");
  await page.evaluate(() => {
    window.hacked = false;
    document
      .getElementById("patient")
      .setAttribute("before-label", '<img src=x onerror="window.hacked = true">');
  });
  await expect(page.locator("#patient .label.before")).toHaveText('<img src=x onerror="window.hacked = true">');
  await page.waitForTimeout(200);
  expect(await page.evaluate(() => window.hacked)).toBe(false);
});

test("a missing photo URL gives a message inside the widget, and the old photo is not left under the page's new label", async ({ page }) => {
  await page.goto("/__tests__/embed.html");
  await waitForPhotos(page, "#patient");
  // The page moves on to another patient's visit, whose photo is missing.
  await page.evaluate(() => {
    const el = document.getElementById("patient");
    el.setAttribute("after-label", "Patient B, Feb");
    el.setAttribute("after", "/samples/nope.jpg");
  });
  const alert = page.locator("#patient .alert");
  await expect(alert).toContainText("nope.jpg");
  await expect(alert).toContainText("404");
  let photos = await page.evaluate(() => document.getElementById("patient").photos);
  expect(photos.after).toBeNull();
  expect(photos.before.name).toBe("before.jpg");
  // Nothing of the old AFTER is drawn (the frame shows BEFORE alone).
  const drawn = await page.evaluate(() => {
    const c = document.getElementById("patient").shadowRoot.querySelector("canvas.layer.after");
    if (!c) return null;
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) n += d[i] > 0;
    return n;
  });
  expect(drawn).toBe(0);
  expect(await page.evaluate(() => document.getElementById("patient").analysis)).toBeNull();
  // Named again, it comes back.
  await page.evaluate(() => document.getElementById("patient").setAttribute("after", "/samples/after.jpg"));
  await expect.poll(async () => (await page.evaluate(() => document.getElementById("patient").photos)).after?.name).toBe("after.jpg");
  // The attribute taken away empties the side too.
  await page.evaluate(() => document.getElementById("patient").removeAttribute("after"));
  await expect.poll(async () => (await page.evaluate(() => document.getElementById("patient").photos)).after).toBeNull();
  await page.evaluate(() => document.getElementById("patient").setAttribute("after", "/samples/after.jpg"));
  await expect.poll(async () => (await page.evaluate(() => document.getElementById("patient").photos)).after?.name).toBe("after.jpg");
  photos = await page.evaluate(() => document.getElementById("patient").photos);
  expect(photos.before.name).toBe("before.jpg");
  // A URL ending in "/" still names what could not be downloaded.
  await page.evaluate(() => document.getElementById("patient").setAttribute("after", "/visits/2026-09/"));
  await expect(alert).toContainText('Could not download the photo "2026-09" (HTTP 404).');
  // Dismissed from the keyboard, the message goes and focus stays in the widget: on the
  // handle, or in a view without one (this patient's view is read-only) on a control left.
  await alert.getByRole("button").focus();
  await page.keyboard.press("Enter");
  await expect(alert).toBeHidden();
  await expect(page.locator("#patient .handle")).toBeFocused();
  await page.evaluate(() => {
    const el = document.getElementById("patient");
    el.mode = "side-by-side";
    el.setAttribute("after", "/samples/nope.jpg");
  });
  await alert.getByRole("button").focus();
  await page.keyboard.press("Enter");
  await expect(alert).toBeHidden();
  expect(await page.evaluate(() => document.activeElement.id)).toBe("patient");
  const focused = await page.evaluate(() => {
    const a = document.getElementById("patient").shadowRoot.activeElement;
    return a && a.getClientRects().length > 0 && !a.closest(".alert");
  });
  expect(focused).toBe(true);
});

test("the element loaded from another origin (a CDN) starts its workers and measures", async ({ page, baseURL }) => {
  // The page on localhost, the element's files on 127.0.0.1: two origins.
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The workers' same-origin starter scripts (blob URLs): made, and let go once started.
  await page.addInitScript(() => {
    window.starters = { made: [], revoked: [] };
    const create = URL.createObjectURL;
    const revoke = URL.revokeObjectURL;
    URL.createObjectURL = (blob) => {
      const url = create(blob);
      if (blob.type === "text/javascript") window.starters.made.push(url);
      return url;
    };
    URL.revokeObjectURL = (url) => {
      window.starters.revoked.push(url);
      return revoke(url);
    };
  });
  await page.goto(`http://localhost:${new URL(baseURL).port}/__tests__/cdn.html`);
  await expect
    .poll(() => page.evaluate(() => document.getElementById("patient")?.analysis?.change_pp ?? null), { timeout: 60000 })
    .not.toBeNull();
  expect(await page.evaluate(() => document.getElementById("patient").alignment.source)).toBe("auto");
  expect(errors).toEqual([]);
  const starters = await page.evaluate(() => window.starters);
  expect(starters.made).toHaveLength(2); // the loading and the analysis worker
  expect(starters.made.every((url) => starters.revoked.includes(url))).toBe(true);
});

test("a report that cannot be made closes its print page and says why in the widget", async ({ page }) => {
  await page.goto("/__tests__/embed.html");
  await waitForPhotos(page, "#patient");
  const [popup, printed] = await Promise.all([
    page.waitForEvent("popup"),
    page.evaluate(() => {
      const empty = document.createElement("scalp-compare");
      empty.id = "empty";
      document.body.append(empty);
      return empty.printReport();
    }),
  ]);
  expect(printed).toBe(false);
  await expect.poll(() => popup.isClosed()).toBe(true);
  await expect(page.locator("#empty .alert")).toContainText("The report could not be made: Load a BEFORE and an AFTER photo first.");
});

test("a photo that loads on one side does not hide why the other side's was not loaded", async ({ page }) => {
  // AFTER arrives after BEFORE has failed.
  await page.route("**/samples/after.jpg", async (route) => {
    await new Promise((r) => setTimeout(r, 600));
    await route.continue();
  });
  await page.goto("/__tests__/embed.html");
  await page.evaluate(() =>
    document.body.insertAdjacentHTML("beforeend", '<scalp-compare id="half" before="/samples/nope.jpg" after="/samples/after.jpg"></scalp-compare>'),
  );
  const el = page.locator("#half");
  await expect(el.locator(".alert")).toContainText('BEFORE photo "nope.jpg" was not loaded');
  await page.waitForFunction(() => document.getElementById("half").photos.after !== null);
  await page.waitForTimeout(300);
  await expect(el.locator(".alert")).toBeVisible();
  await expect(el.locator(".alert")).toContainText('BEFORE photo "nope.jpg" was not loaded');
  // Once BEFORE loads, the message goes.
  await page.evaluate(() => document.getElementById("half").load("before", "/samples/before.jpg"));
  await expect(el.locator(".alert")).toBeHidden();
});

test("when both photos fail, the message says why for each", async ({ page }) => {
  await page.goto("/__tests__/embed.html");
  await page.evaluate(() =>
    document.body.insertAdjacentHTML("beforeend", '<scalp-compare id="none" before="/samples/nope.jpg" after="/samples/gone.jpg"></scalp-compare>'),
  );
  const alert = page.locator("#none .alert");
  await expect(alert).toContainText('BEFORE photo "nope.jpg" was not loaded');
  await expect(alert).toContainText('AFTER photo "gone.jpg" was not loaded');
  // One side loads: the other's reason stays.
  await page.evaluate(() => document.getElementById("none").load("before", "/samples/before.jpg"));
  await page.waitForFunction(() => document.getElementById("none").photos.before !== null);
  await expect(alert).toBeVisible();
  await expect(alert).not.toContainText("BEFORE photo");
  await expect(alert).toContainText('AFTER photo "gone.jpg" was not loaded');
});

test("a photo address that is not a URL at all is said on screen and to the page", async ({ page }) => {
  await page.goto("/__tests__/embed.html");
  await page.evaluate(() => {
    window.errors = [];
    document.addEventListener("photo-error", (e) => window.errors.push(e.detail));
    document.body.insertAdjacentHTML(
      "beforeend",
      '<scalp-compare id="bad" before="/samples/before.jpg" after="https://[bucket.s3/p.jpg?X-Amz-Credential=AKIASECRET&X-Amz-Signature=deadbeef"></scalp-compare>',
    );
  });
  const alert = page.locator("#bad .alert");
  // Named by its file, without what a signed link carries after "?".
  await expect(alert).toHaveText(/AFTER photo "p\.jpg" was not loaded\. This is not a valid web address\./);
  await expect(alert).not.toContainText("AKIASECRET");
  const errors = await page.evaluate(() => window.errors);
  expect(errors).toHaveLength(1);
  expect(errors[0].side).toBe("after");
  expect(errors[0].text).toBe('AFTER photo "p.jpg" was not loaded. This is not a valid web address.');
  expect(JSON.stringify(errors[0])).not.toContain("AKIASECRET");
  // The same address given to load() is the page's mistake: it rejects, and what is
  // shown stays as it was.
  await page.waitForFunction(() => document.querySelector("#bad").photos.before);
  const before = await page.evaluate(() => document.querySelector("#bad").photos.before);
  const outcome = await page.evaluate(() =>
    document
      .querySelector("#bad")
      .load("before", "https://[bucket.s3/p.jpg")
      .then(
        (ok) => `resolved ${ok}`,
        (e) => `rejected ${e.name}`,
      ),
  );
  expect(outcome).toBe("rejected TypeError");
  expect(await page.evaluate(() => document.querySelector("#bad").photos.before)).toEqual(before);
  expect(before.name).toBe("before.jpg");
});

// When the browser collects a dropped element is its own choice, even with gc() asked for:
// this test may be tried again.
test.describe(() => {
  test.describe.configure({ retries: 2 });
  test("a comparison taken off the page and dropped has its photos freed in the shared worker; one moved keeps them", async ({ page }) => {
    // What the page asks the workers to free, as it asks.
    await page.addInitScript(() => {
      window.freed = [];
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message, ...rest) {
        if (message && message.kind === "free") window.freed.push(message.photoId);
        return post.call(this, message, ...rest);
      };
    });
    await page.goto("/");
    await waitForPhotos(page);
    /** Adds a comparison of the demo pair, waits for its figures, and gives its photos' ids. */
    const add = (id) =>
      page.evaluate(async (id) => {
        document.body.insertAdjacentHTML(
          "beforeend",
          `<scalp-compare id="${id}" before="samples/before.jpg" after="samples/after.jpg"></scalp-compare>`,
        );
        const ready = () => {
          const e = document.getElementById(id);
          return e.photos.before && e.photos.after && !e.busy && e.analysis;
        };
        while (!ready()) await new Promise((r) => setTimeout(r, 100));
        const e = document.getElementById(id);
        return [e._photos.before.photoId, e._photos.after.photoId];
      }, id);
    const gone = await add("gone");
    const moved = await add("moved");
    await page.evaluate(() => {
      document.getElementById("gone").remove(); // and nothing keeps it
      const m = document.getElementById("moved");
      m.remove();
      document.querySelector("main").prepend(m); // a move: still on the page
    });
    await expect
      .poll(
        () =>
          page.evaluate(async () => {
            window.gc();
            await new Promise((r) => setTimeout(r, 500));
            return window.freed;
          }),
        { timeout: 45000 },
      )
      .toEqual(expect.arrayContaining(gone));
    const freed = await page.evaluate(() => window.freed);
    expect(freed).not.toContain(moved[0]);
    expect(freed).not.toContain(moved[1]);
    // The moved one still measures: a drawn region on its photos.
    await page.evaluate(() => document.getElementById("moved").setRegion([[100, 100], [520, 120], [460, 520]]));
    await page.waitForFunction(() => {
      const e = document.getElementById("moved");
      return !e.busy && e.analysis && e.analysis.roi.source === "given";
    });
  });
});

test("a photo load overtaken by a newer one is let go in the shared worker", async ({ page }) => {
  await page.addInitScript(() => {
    window.kept = [];
    window.freed = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      if (message && message.kind === "keep") window.kept.push(message.photoId);
      if (message && message.kind === "free") window.freed.push(message.photoId);
      return post.call(this, message, ...rest);
    };
  });
  // The first AFTER is slow to arrive; a second is asked for meanwhile and wins.
  await page.route(/after\.jpg\?slow/, async (route) => {
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  await page.goto("/");
  await waitForPhotos(page);
  const shown = await page.evaluate(async () => {
    const sc = document.querySelector("scalp-compare");
    const slow = sc.load("after", "samples/after.jpg?slow");
    await new Promise((r) => setTimeout(r, 100));
    await sc.load("after", "samples/after.jpg?fast");
    await slow;
    return [sc._photos.before.photoId, sc._photos.after.photoId];
  });
  // Every working copy kept in the worker is either shown or freed.
  await expect
    .poll(() => page.evaluate((shown) => window.kept.filter((id) => !shown.includes(id) && !window.freed.includes(id)), shown))
    .toEqual([]);
});
