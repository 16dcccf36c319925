/* 用户与角色: show the unit fields the chosen role needs; the registry's print button. */
(function () {
  "use strict";

  var form = document.querySelector("[data-user-form]");
  var role = form && form.querySelector("select[name=role]");
  if (role) {
    var showUnits = function () {
      form.querySelectorAll("[data-unit-for]").forEach(function (block) {
        block.hidden = block.dataset.unitFor.split(" ").indexOf(role.value) === -1;
      });
    };
    role.addEventListener("change", showUnits);
    showUnits();
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
