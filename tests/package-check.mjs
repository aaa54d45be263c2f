// Checks the npm package folder written by `cargo xtask package`:
// every `exports` target exists, every relative module import and
// `new URL("...", import.meta.url)` in its JavaScript resolves to a file that is
// in the package, `npm pack` would ship them all, and the types name the element.
// Usage: node tests/package-check.mjs target/npm/scalp-compare
import { readFileSync, existsSync } from "node:fs";
import { join, dirname, normalize } from "node:path";
import { execFileSync } from "node:child_process";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node tests/package-check.mjs PACKAGE_DIR");
const problems = [];
const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

const targets = [];
const walk = (v) => (typeof v === "string" ? targets.push(v) : Object.values(v).forEach(walk));
walk(manifest.exports);
targets.push(manifest.main, manifest.types);
for (const t of targets) if (!existsSync(join(dir, t))) problems.push(`exports/main/types target ${t} is missing`);

const packed = JSON.parse(
  execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: dir, encoding: "utf8" }),
)[0].files.map((f) => normalize(f.path));
for (const t of targets) {
  if (!packed.includes(normalize(t))) problems.push(`${t} would not be in the published tarball`);
}

for (const file of packed.filter((f) => f.endsWith(".js"))) {
  const text = readFileSync(join(dir, file), "utf8");
  const refs = [
    ...text.matchAll(/(?:import|export)[^'"]*?from\s*["'](\.[^"']+)["']/g),
    ...text.matchAll(/import\s*["'](\.[^"']+)["']/g),
    ...text.matchAll(/new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g),
  ].map((m) => m[1]);
  for (const ref of refs) {
    const resolved = normalize(join(dirname(file), ref));
    if (!packed.includes(resolved)) problems.push(`${file} refers to ${ref}, which is not in the package`);
  }
}

const types = readFileSync(join(dir, manifest.types), "utf8");
for (const needle of ['"scalp-compare": ScalpCompare', "exportReport(): Promise<Blob>", "annotations: WebAnnotation[]"]) {
  if (!types.includes(needle)) problems.push(`types do not declare ${needle}`);
}
if (!manifest.version || manifest.name !== "scalp-compare" || manifest.type !== "module") {
  problems.push("package.json must name scalp-compare, a version and type module");
}

if (problems.length) {
  console.error(`npm package check failed:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`npm package ok: ${packed.length} files, exports ${Object.keys(manifest.exports).join(", ")}`);
