// Progressive enhancement of the agency and area boxes of the agreement list.
// Without JavaScript the typed name is sent and matched on the server. With it, the
// box asks /agreements/filter-options/<field>/?q=… as the user types, offers the
// answers in its <datalist>, and a picked answer fills in the hidden id, so that
// the list is filtered by exactly that agency or area.
(function () {
  "use strict";
  var DELAY_MS = 200;

  function enhance(input) {
    var url = input.getAttribute("data-autocomplete");
    var hidden = document.getElementById(input.getAttribute("data-autocomplete-target"));
    var list = document.getElementById(input.getAttribute("list"));
    if (!url || !hidden || !list) return;
    var ids = {};  // label -> id of the answers on offer
    ids[input.value] = hidden.value;  // the name the server showed for the chosen id
    var timer = null;
    var pending = null;

    function show(results) {
      ids = {};
      list.textContent = "";
      results.forEach(function (result) {
        ids[result.label] = String(result.id);
        var option = document.createElement("option");
        option.value = result.label;
        list.appendChild(option);
      });
    }

    function ask() {
      if (pending) pending.abort();
      pending = new AbortController();
      var query = url + "?q=" + encodeURIComponent(input.value.trim());
      fetch(query, { credentials: "same-origin", signal: pending.signal,
                     headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { show(data.results || []); })
        .catch(function () { /* aborted by a newer request, or offline: keep the box as is */ });
    }

    input.addEventListener("input", function () {
      // A picked answer sets the id; anything else typed is sent as a name.
      var id = Object.prototype.hasOwnProperty.call(ids, input.value) ? ids[input.value] : "";
      hidden.value = id;
      if (id) return;
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY_MS);
    });
  }

  document.querySelectorAll("input[data-autocomplete]").forEach(enhance);
})();
