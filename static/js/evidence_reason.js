/* The reason why a report has no evidence is asked only while no file is chosen: a wrapper
   [data-no-evidence-reason] names its file inputs by id in data-files (space-separated) and hides
   while any of them holds a file. Without JavaScript the reason field simply stays visible. */
(function () {
  "use strict";

  document.querySelectorAll("[data-no-evidence-reason]").forEach(function (wrapper) {
    var inputs = (wrapper.dataset.files || "").split(/\s+/).map(function (id) {
      return document.getElementById(id);
    }).filter(Boolean);
    if (!inputs.length) { return; }
    var update = function () {
      wrapper.hidden = inputs.some(function (input) { return input.files && input.files.length > 0; });
    };
    inputs.forEach(function (input) { input.addEventListener("change", update); });
    update();
  });
})();
