// Review queue: "select all" for the bulk approval, a live count of the selection, and a
// confirmation naming how many records a batch approval is about to make official.
// Row actions are htmx attributes in the markup; rows swapped by htmx keep working because the
// listeners are on the table, not on the rows.
(function () {
  "use strict";
  var table = document.getElementById("queue-table");
  var all = document.getElementById("select-all");
  var count = document.getElementById("bulk-count");
  if (!table || !all) return;

  function boxes() {
    return Array.prototype.slice.call(table.querySelectorAll("input.row-select"));
  }

  function refresh() {
    var list = boxes();
    var checked = list.filter(function (b) { return b.checked; }).length;
    all.checked = list.length > 0 && checked === list.length;
    all.indeterminate = checked > 0 && checked < list.length;
    if (count) count.textContent = checked ? count.dataset.label.replace("{n}", checked) : "";
  }

  all.addEventListener("change", function () {
    boxes().forEach(function (b) { b.checked = all.checked; });
    refresh();
  });
  table.addEventListener("change", function (event) {
    if (event.target.classList.contains("row-select")) refresh();
  });
  document.body.addEventListener("htmx:afterSwap", refresh);
  var bulk = document.getElementById("bulk-form");
  if (bulk) {
    bulk.addEventListener("submit", function (event) {
      var checked = boxes().filter(function (b) { return b.checked; }).length;
      // Nothing selected: the server says so; otherwise ask before approving them all.
      if (checked && !window.confirm(bulk.dataset.confirm.replace("{n}", checked))) {
        event.preventDefault();
      }
    });
  }
  refresh();
})();
