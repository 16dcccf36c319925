/* Keep a session alive while someone is typing into a form (long monthly reports, minutes, work
 * information): at most one ping every 5 minutes, and only after input since the last one. If the
 * session has ended anyway, say so before the user presses 提交 and loses what was typed. */
(function () {
  "use strict";
  var url = document.body.getAttribute("data-keepalive-url");
  if (!url) return;
  var EVERY = 5 * 60 * 1000;
  var typed = false;
  var lastPing = Date.now();
  var warned = false;

  function warn() {
    if (warned) return;
    warned = true;
    var box = document.createElement("div");
    box.className = "alert alert-warning keepalive-warning shadow";
    box.setAttribute("role", "alert");
    box.textContent = "登录已超时。请先复制已填写的内容，在新标签页重新登录后再提交。";
    document.body.appendChild(box);
  }

  function ping() {
    typed = false;
    lastPing = Date.now();
    fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) { if (response.type === "opaqueredirect" || response.status >= 300) warn(); })
      .catch(function () { /* offline for a moment: the next input tries again */ });
  }

  document.addEventListener("input", function (event) {
    if (!event.target.form) return;
    typed = true;
    if (Date.now() - lastPing >= EVERY) ping();
  }, true);
  window.setInterval(function () { if (typed && Date.now() - lastPing >= EVERY) ping(); }, 60 * 1000);
})();
