/* The navigation bar's badges (待我处理, 信息报送, 问题整改, 通知中心). The server counts them apart from the page
 * (GET /nav/counts/, tianjin_towns.inbox.navigation_counts), so that no page waits for the counting: asked
 * for once the page is shown, and again when the user comes back to the tab after a while. Each element
 * with data-nav-count="name" shows that count (99+ past two digits) and is hidden while it is 0; the bell
 * (data-nav-bell, its label with {n}) is named with the unread count and filled when there is one. */
(function () {
  "use strict";
  var url = document.body.getAttribute("data-nav-counts-url");
  if (!url || !window.fetch) return;
  var AGAIN_AFTER = 60 * 1000;
  var askedAt = 0;

  function show(counts) {
    document.querySelectorAll("[data-nav-count]").forEach(function (badge) {
      var count = counts[badge.getAttribute("data-nav-count")] || 0;
      badge.textContent = count > 99 ? "99+" : String(count);
      badge.classList.toggle("d-none", !count);
    });
    var bell = document.querySelector("[data-nav-bell]");
    if (!bell) return;
    var unread = counts.unread || 0;
    bell.setAttribute("aria-label", bell.getAttribute("data-nav-bell").replace("{n}", String(unread)));
    var icon = bell.querySelector(".bi");
    icon.classList.toggle("bi-bell", !unread);
    icon.classList.toggle("bi-bell-fill", unread > 0);
  }

  function ask() {
    askedAt = Date.now();
    fetch(url, { credentials: "same-origin", cache: "no-store", redirect: "manual", headers: { Accept: "application/json" } })
      .then(function (response) { return response.status === 200 ? response.json() : null; })
      .then(function (counts) { if (counts) show(counts); })
      .catch(function () { /* offline for a moment: the badges stay as they are */ });
  }

  ask();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && Date.now() - askedAt >= AGAIN_AFTER) ask();
  });
})();
