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
