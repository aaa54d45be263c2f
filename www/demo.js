// Demo page wiring only: the direction radio buttons.
const demo = document.getElementById("demo");
for (const radio of document.querySelectorAll('input[name="direction"]')) {
  radio.addEventListener("change", () => {
    if (radio.checked) demo.setAttribute("direction", radio.value);
  });
}
