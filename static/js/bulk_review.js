/* 批量审核: the header box chooses every report; the button counts the chosen ones and opens the confirmation,
   which names them. The form posts only from the confirmation's button. */
(function () {
  "use strict";

  var form = document.querySelector("[data-bulk-form]");
  if (!form) { return; }
  var all = form.querySelector("[data-bulk-all]");
  var choices = Array.prototype.slice.call(form.querySelectorAll("[data-bulk-choice]"));
  var opener = form.querySelector("[data-bulk-open]");
  var dialog = document.getElementById("confirm-bulk");
  var chosenList = dialog && dialog.querySelector("[data-bulk-chosen]");

  var chosen = function () {
    return choices.filter(function (box) { return box.checked; });
  };

  var refresh = function () {
    var count = chosen().length;
    document.querySelectorAll("[data-bulk-count]").forEach(function (label) { label.textContent = count; });
    if (opener) { opener.disabled = count === 0; }
    if (all) {
      all.checked = count > 0 && count === choices.length;
      all.indeterminate = count > 0 && count < choices.length;
    }
  };

  if (all) {
    all.addEventListener("change", function () {
      choices.forEach(function (box) { box.checked = all.checked; });
      refresh();
    });
  }
  choices.forEach(function (box) { box.addEventListener("change", refresh); });

  if (dialog && chosenList) {
    dialog.addEventListener("show.bs.modal", function () {
      chosenList.textContent = "";
      chosen().forEach(function (box) {
        var item = document.createElement("li");
        item.textContent = box.dataset.label;
        chosenList.appendChild(item);
      });
    });
  }

  refresh();
})();
