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

// A second click on "Lưu" while the first save is on its way would post the page
// twice; the server refuses the duplicate anyway (the page's one-time token), this
// only spares the round trip. Buttons are not disabled: their name/value must post.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if ((form.getAttribute("method") || "").toLowerCase() !== "post") return;
  if (form.dataset.submitted) {
    event.preventDefault();
    return;
  }
  form.dataset.submitted = "1";
});
// Back to a page kept in the browser's cache: it may be posted again.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-submitted]").forEach(function (form) {
    delete form.dataset.submitted;
  });
});
