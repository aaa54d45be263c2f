// Playwright end-to-end tests, run by `cargo xtask test` against its own static
// server (BASE_URL) in Debian's Chromium; no browser is ever downloaded.
import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.js",
  timeout: 60_000,
  workers: 1,
  reporter: [["list"]],
  outputDir: "../../test-results",
  use: {
    baseURL: process.env.BASE_URL || "http://127.0.0.1:8080/",
    viewport: { width: 900, height: 1000 },
    launchOptions: {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // window.gc() for the test that a dropped comparison's photos are freed.
        "--js-flags=--expose-gc",
      ],
    },
  },
});
