/* Charts on paper (issue 19). An ECharts canvas keeps the size it was drawn at, so a chart drawn for the screen
 * is cut at the right edge of a narrower printed panel. When the page is laid out for print, and again when it
 * is back on the screen, every chart on the page is resized to its box and painted at once: the browser prints
 * without waiting for the next animation frame, which is when ECharts would paint. Chromium announces the print
 * layout through the print media query (beforeprint comes before it, with the screen's sizes still in place);
 * static/css/app.css scales down a chart that a browser printed without telling the page. */
(function () {
  "use strict";

  if (typeof echarts === "undefined") {
    return;
  }

  function redrawCharts() {
    document.querySelectorAll("[_echarts_instance_]").forEach(function (element) {
      var chart = echarts.getInstanceByDom(element);
      if (chart) {
        chart.resize();
        chart.getZr().flush();
      }
    });
  }

  window.addEventListener("beforeprint", redrawCharts);
  window.addEventListener("afterprint", redrawCharts);
  window.matchMedia("print").addEventListener("change", redrawCharts);
})();
