// The scheme editor's weight total: updated as weights are typed or rows marked for deletion.
(function () {
  "use strict";
  var form = document.querySelector("[data-weight-form]");
  if (!form) {
    return;
  }
  var box = form.querySelector("[data-weight-total]");
  var sum = form.querySelector("[data-weight-sum]");
  var hint = form.querySelector("[data-weight-hint]");
  var complete = hint ? hint.getAttribute("data-complete") : "";

  function update() {
    var total = 0;
    form.querySelectorAll("[data-item-row]").forEach(function (row) {
      var weight = row.querySelector("[data-weight]");
      var remove = row.querySelector("input[type=checkbox][name$='-DELETE']");
      var value = weight ? parseFloat(weight.value) : NaN;
      if (!isNaN(value) && !(remove && remove.checked)) {
        total += value;
      }
    });
    total = Math.round(total * 10) / 10;
    sum.textContent = String(total);
    var ok = total === 100;
    box.classList.toggle("is-complete", ok);
    box.classList.toggle("is-incomplete", !ok);
    if (hint) {
      hint.textContent = ok ? complete : hint.getAttribute("data-incomplete");
    }
  }

  form.addEventListener("input", update);
  form.addEventListener("change", update);
})();
