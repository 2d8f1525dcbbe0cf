// Progressive enhancement: "Thêm dòng" adds a row in the page instead of a round trip.
// Without JavaScript the same button posts the form and the server adds the row.
document.addEventListener("click", function (event) {
  var button = event.target.closest("button.add-row");
  if (!button) return;
  var fieldset = button.closest("fieldset.formset");
  var template = fieldset && fieldset.querySelector("template.formset-empty");
  var total = fieldset && fieldset.querySelector('input[name$="-TOTAL_FORMS"]');
  if (!template || !total) return;
  event.preventDefault();
  var index = parseInt(total.value, 10);
  var html = template.innerHTML.replace(/__prefix__/g, String(index));
  fieldset.querySelector(".formset-rows").insertAdjacentHTML("beforeend", html);
  total.value = String(index + 1);
  var first = fieldset.querySelectorAll(".formset-row")[index];
  var input = first && first.querySelector("input:not([type=hidden]), select, textarea");
  if (input) input.focus();
});
