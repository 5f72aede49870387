// Returning a record: choosing a common reason fills the reason field, which stays editable.
// Listens on the document, so rows htmx swaps in (the review queue's return form) work too.
// Without this script the chosen reason is sent as it is and the server uses it.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("[data-return-preset]") || !select.value) return;
    var input = document.getElementById(select.dataset.target);
    if (!input) return;
    input.value = select.value;
    input.focus();
  });
})();
