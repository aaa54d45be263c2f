// The widget's Web Worker: turns photo files (or URLs) into upright, display-sized
// ImageBitmaps with the wasm core, so the page never decodes on its main thread.
// A thin shim: the checks and messages live in Rust (src/web, src/probe.rs).
import init, { loadPhoto } from "./pkg/scalp_compare.js";

const ready = init();

self.onmessage = async (event) => {
  const { id, url, file, maxSide } = event.data;
  try {
    await ready;
    let blob = file;
    if (!blob) {
      let response;
      try {
        response = await fetch(url);
      } catch {
        throw new Error(`Could not download the photo ${shortName(url)}.`);
      }
      if (!response.ok) {
        throw new Error(
          `Could not download the photo ${shortName(url)} (HTTP ${response.status}).`,
        );
      }
      blob = await response.blob();
    }
    const photo = await loadPhoto(blob, maxSide || 0);
    const reply = {
      id,
      ok: true,
      width: photo.width,
      height: photo.height,
      orientation: photo.orientation,
      format: photo.format,
      bytes: blob.size,
      bitmap: photo.bitmap,
    };
    photo.free();
    self.postMessage(reply, [reply.bitmap]);
  } catch (error) {
    const message = error && error.message ? error.message : String(error);
    self.postMessage({ id, ok: false, message });
  }
};

function shortName(url) {
  try {
    const path = new URL(url).pathname;
    return `"${decodeURIComponent(path.slice(path.lastIndexOf("/") + 1))}"`;
  } catch {
    return "";
  }
}
