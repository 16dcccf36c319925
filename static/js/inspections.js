/* Inspection forms: show only the chosen district's towns; hide the deadline of a problem solved on the spot. */
(function () {
  "use strict";

  var district = document.getElementById("id_district");
  var groups = document.querySelectorAll("[data-town-groups] .town-group");
  if (district && groups.length) {
    var showTowns = function () {
      groups.forEach(function (group) {
        var visible = !district.value || group.dataset.district === district.value;
        group.hidden = !visible;
        if (!visible) {
          group.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
        }
      });
    };
    district.addEventListener("change", showTowns);
    showTowns();
  }

  var dueField = document.querySelector("[data-due-field]");
  var outcomes = document.querySelectorAll("input[name=outcome]");
  if (dueField && outcomes.length) {
    var showDue = function () {
      var chosen = document.querySelector("input[name=outcome]:checked");
      dueField.hidden = chosen && chosen.value !== "open";
    };
    outcomes.forEach(function (radio) { radio.addEventListener("change", showDue); });
    showDue();
  }

  /* Closing a problem on the spot cannot be undone: ask once before the form goes. */
  document.querySelectorAll("form[data-confirm-solved]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("input[name=outcome]:checked");
      if (chosen && chosen.value !== "open" && !window.confirm(form.dataset.confirmSolved)) {
        event.preventDefault();
      }
    });
  });

  /* Name the chosen files under each upload button, so a photo taken with the camera shows it was attached. */
  document.querySelectorAll("input[type=file][data-file-list]").forEach(function (input) {
    var list = document.getElementById(input.id + "-list");
    if (!list) { return; }
    input.addEventListener("change", function () {
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var item = document.createElement("li");
        item.textContent = file.name + "（" + Math.max(1, Math.round(file.size / 1024)) + " KB）";
        list.appendChild(item);
      });
    });
  });
})();
