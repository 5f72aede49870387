// "Select all on this page" for the graduates list's bulk mentor assignment.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (master) {
    var name = master.getAttribute("data-select-all");
    var boxes = function () {
      return document.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    };
    master.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = master.checked; });
    });
    document.addEventListener("change", function (event) {
      if (event.target.name !== name) { return; }
      var all = Array.prototype.slice.call(boxes());
      var checked = all.filter(function (box) { return box.checked; }).length;
      master.checked = checked === all.length && all.length > 0;
      master.indeterminate = checked > 0 && checked < all.length;
    });
  });
})();
