// Demo page wiring only: the direction radio buttons and the four-view form.
const demo = document.getElementById("demo");
for (const radio of document.querySelectorAll('input[name="direction"]')) {
  radio.addEventListener("change", () => {
    if (radio.checked) demo.setAttribute("direction", radio.value);
  });
}

// Four photos of one visit -> the element's SALT-style estimate (shown in the element;
// a photo that cannot be measured is named there, and the last estimate is kept).
document.getElementById("salt-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const views = {};
  for (const view of ["top", "back", "left", "right"]) views[view] = form.elements[view].files[0];
  demo.saltEstimate(views).catch(() => {});
});

// The demo's labels and credit line describe its own two photos: a photo of your own in
// their place takes "(simulated)" off the label, and the credit names only the demo
// photos still shown (a report exported then carries the right one).
const SAMPLES = { before: "before.jpg", after: "after.jpg" };
const SOURCE = '"hair-loss" data set by uze, Roboflow Universe, CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)';
const CREDITS = {
  both: demo.getAttribute("credit"),
  before: `Photo (BEFORE): ${SOURCE}.`,
  after: `Photo (AFTER): simulated from a photo of the ${SOURCE}; not a real visit.`,
};
demo.addEventListener("photo-load", (event) => {
  const photos = demo.photos;
  // (A side not loaded yet is still the demo's.)
  const sample = (side) => !photos[side] || photos[side].name === SAMPLES[side];
  if (event.detail.side === "after" && !sample("after")) demo.removeAttribute("after-label");
  const credit = sample("before") && sample("after") ? CREDITS.both : sample("before") ? CREDITS.before : sample("after") ? CREDITS.after : null;
  if (credit) demo.setAttribute("credit", credit);
  else demo.removeAttribute("credit");
});
