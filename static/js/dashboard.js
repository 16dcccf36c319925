/* The leaders' dashboard charts (ECharts, served from the app). The data, the labels in the user's
 * language and the links come from the json_script block "dashboard-data"; nothing inline. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var FONT = getComputedStyle(document.body).fontFamily;
  var BLUE = "#0b4aa2";
  var GREY = "#8a94a3";
  var GREEN = "#1e8449";
  var RED = "#c62828";
  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry inline style attributes, which the
  // pages' Content-Security-Policy (style-src 'self') refuses, leaving them without their colour marks.
  var TOOLTIP_MODE = "richText";
  var charts = [];

  function makeChart(id, height) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    if (height) {
      element.style.height = height + "px"; // CSSOM, allowed by the Content-Security-Policy
    }
    // Canvas at twice the screen's resolution stays sharp on a projector and on paper.
    var chart = echarts.init(element, null, { renderer: "canvas", devicePixelRatio: Math.max(2, window.devicePixelRatio || 1) });
    charts.push(chart);
    return chart;
  }

  function formatNumber(value) {
    if (value === null || value === undefined) {
      return "—";
    }
    var digits = Math.abs(value) >= 10000 ? 0 : 2;
    return Number(value).toLocaleString("zh-CN", { minimumFractionDigits: 0, maximumFractionDigits: digits });
  }

  function partial(month) {
    var c = data.coverage[month];
    // Reports still to come or to accept; a missing one will not come.
    return c !== null && c !== undefined && c.expected > 0 && c.accepted + c.missing < c.expected;
  }

  function partialMonths() {
    return data.coverage.map(function (c, month) { return month; }).filter(partial);
  }

  function noData(series) {
    return series.every(function (value) { return value === null; });
  }

  // --- Monthly trend: this year against last year -------------------------------------------------
  var trendChart = makeChart("chart-trend");

  function drawTrend(index) {
    var item = data.trend[index];
    if (!trendChart || !item) {
      return;
    }
    var empty = noData(item.this_year) && noData(item.last_year);
    trendChart.setOption({
      textStyle: { fontFamily: FONT, fontSize: 14 },
      title: empty ? { text: data.labels.no_data, left: "center", top: "middle", textStyle: { color: GREY, fontSize: 18 } } : { show: false },
      tooltip: {
        trigger: "axis",
        renderMode: TOOLTIP_MODE,
        valueFormatter: function (value) { return formatNumber(value) + " " + item.unit; },
        formatter: function (params) {
          var month = params[0].dataIndex;
          var lines = [params[0].axisValueLabel];
          params.forEach(function (p) {
            // This year's month is either complete (the solid line) or being accepted (the hollow point).
            if ((p.seriesIndex === 0 && partial(month)) || (p.seriesIndex === 1 && !partial(month))) {
              return;
            }
            lines.push(p.marker + p.seriesName + "：" + formatNumber(p.value) + " " + item.unit);
          });
          var c = data.coverage[month];
          if (c) {
            lines.push(data.labels.coverage.replace("%(accepted)s", c.accepted).replace("%(expected)s", c.expected).replace("%(missing)s", c.missing));
          }
          return lines.join("\n");
        }
      },
      legend: { top: 0, textStyle: { fontSize: 14 }, data: [data.labels.this_year, data.labels.last_year] },
      grid: { left: 12, right: 24, top: 44, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months, axisLabel: { fontSize: 14 }, axisTick: { alignWithLabel: true } },
      yAxis: {
        type: "value",
        name: item.name + "（" + item.unit + "）",
        nameTextStyle: { fontSize: 13, align: "left" },
        axisLabel: { fontSize: 13, formatter: formatNumber },
        splitLine: { lineStyle: { color: "#e9edf3" } }
      },
      series: [
        {
          name: data.labels.this_year,
          type: "line",
          // Complete months only: a month whose reports are still coming in or being accepted is not
          // part of the solid line, or its partial sum would read as a fall.
          data: item.this_year.map(function (value, month) { return partial(month) ? null : value; }),
          markArea: partialMonths().length ? {
            silent: true,
            itemStyle: { color: "rgba(194, 124, 14, .08)" },
            label: { color: "#8a5a00", fontSize: 13, position: "insideTop" },
            // The label alone fits a month's width; the tooltip gives the counts.
            data: partialMonths().map(function (month) {
              return [{ name: data.labels.accepting, xAxis: data.months[month] }, { xAxis: data.months[month] }];
            })
          } : undefined,
          symbolSize: 8,
          lineStyle: { width: 3.5, color: BLUE },
          itemStyle: { color: BLUE },
          areaStyle: { color: "rgba(11, 74, 162, .08)" },
          label: { show: true, position: "top", fontSize: 12, color: "#1c2733", formatter: function (p) { return formatNumber(p.value); } },
          labelLayout: { hideOverlap: true }
        },
        {
          // The months being accepted: hollow points, not joined to the solid line, labelled with how
          // many reports are in rather than with their partial sum.
          name: data.labels.accepting_series,
          type: "line",
          data: item.this_year.map(function (value, month) { return partial(month) ? value : null; }),
          symbol: "emptyCircle",
          symbolSize: 11,
          showAllSymbol: true,
          lineStyle: { width: 2, type: "dotted", color: BLUE },
          itemStyle: { color: BLUE, borderWidth: 2.5 },
          label: {
            show: true,
            position: "bottom",
            fontSize: 12,
            color: "#8a5a00",
            formatter: function (p) {
              var c = data.coverage[p.dataIndex];
              return partial(p.dataIndex) && c ? data.labels.accepted_short.replace("%(accepted)s", c.accepted).replace("%(expected)s", c.expected) : "";
            }
          },
          labelLayout: { hideOverlap: true },
          z: 1
        },
        {
          name: data.labels.last_year,
          type: "line",
          data: item.last_year,
          symbolSize: 6,
          lineStyle: { width: 2.5, type: "dashed", color: GREY },
          itemStyle: { color: GREY }
        }
      ]
    }, true);
    trendChart.off("click");
    if (item.link) {
      trendChart.on("click", function () { window.location.href = item.link; });
    }
  }

  // --- Completion per district or town, against the completion due by now ---------------------------
  var rows = data.children.names.length;
  var childrenChart = rows ? makeChart("chart-children", Math.max(300, rows * 34 + 70)) : null;

  function drawChildren(index) {
    var item = data.children.indicators[index];
    if (!childrenChart || !item) {
      return;
    }
    var values = item.completion.map(function (value, i) {
      return {
        value: value,
        itemStyle: { color: item.lagging[i] ? RED : GREEN }
      };
    });
    var top = Math.max.apply(null, [110, item.expected + 10].concat(item.completion.filter(function (v) { return v !== null; })));
    childrenChart.setOption({
      textStyle: { fontFamily: FONT, fontSize: 14 },
      title: noData(item.completion) ? { text: data.labels.no_data, left: "center", top: "middle", textStyle: { color: GREY, fontSize: 18 } } : { show: false },
      tooltip: {
        trigger: "axis",
        renderMode: TOOLTIP_MODE,
        axisPointer: { type: "shadow" },
        valueFormatter: function (value) { return value === null ? "—" : value + "%"; }
      },
      grid: { left: 12, right: 56, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: Math.ceil(top / 10) * 10, axisLabel: { formatter: "{value}%", fontSize: 13 }, splitLine: { lineStyle: { color: "#e9edf3" } } },
      yAxis: { type: "category", inverse: true, data: data.children.names, axisLabel: { fontSize: 14, color: "#1c2733" }, triggerEvent: true },
      series: [{
        name: item.name + " · " + data.labels.completion,
        type: "bar",
        barMaxWidth: 22,
        data: values,
        label: { show: true, position: "right", fontSize: 13, formatter: function (p) { return p.value === null ? "—" : p.value + "%"; } },
        markLine: {
          symbol: "none",
          silent: true,
          lineStyle: { color: "#1c2733", width: 2, type: "solid" },
          label: { formatter: data.labels.expected + " " + item.expected + "%", fontSize: 13, position: "start" },
          data: [{ xAxis: item.expected }]
        }
      }]
    }, true);
  }

  if (childrenChart) {
    childrenChart.on("click", function (params) {
      var index = params.componentType === "yAxis" ? data.children.names.indexOf(params.value) : params.dataIndex;
      var link = data.children.links[index];
      if (link) {
        window.location.href = link;
      }
    });
  }

  // --- Reports per month by timeliness (stacked) --------------------------------------------------
  var timelinessChart = data.timeliness.months.length ? makeChart("chart-timeliness") : null;
  if (timelinessChart) {
    var colours = { on_time: "#5fb97e", late: "#f0b43c", missing: "#e06666", pending: "#9bbbe6" };
    timelinessChart.setOption({
      textStyle: { fontFamily: FONT, fontSize: 13 },
      tooltip: { trigger: "axis", renderMode: TOOLTIP_MODE, axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + " " + data.labels.reports; } },
      legend: { show: false },
      grid: { left: 4, right: 8, top: 8, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: data.timeliness.months, axisLabel: { fontSize: 12 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 12 }, splitLine: { lineStyle: { color: "#e9edf3" } } },
      series: data.timeliness.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "reports", data: s.data, itemStyle: { color: colours[s.key] }, barMaxWidth: 26 };
      })
    });
  }

  // --- Indicator switches ----------------------------------------------------------------------------
  var draw = { trend: drawTrend, children: drawChildren };
  document.querySelectorAll("[data-chart-switch]").forEach(function (group) {
    group.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-indicator]");
      if (!button) {
        return;
      }
      group.querySelectorAll("button").forEach(function (other) {
        other.classList.toggle("active", other === button);
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      var name = group.dataset.chartSwitch;
      draw[name](Number(button.dataset.indicator));
      // The chart's label and its table of figures (查看数据) follow the indicator shown.
      var chart = document.getElementById("chart-" + name);
      chart.setAttribute("aria-label", chart.dataset.label + "：" + button.textContent.trim());
      document.querySelectorAll("[data-chart-table='" + name + "']").forEach(function (table) {
        table.hidden = table.dataset.indicator !== button.dataset.indicator;
      });
    });
  });

  drawTrend(0);
  drawChildren(0);

  function resizeAll() {
    charts.forEach(function (chart) { chart.resize(); });
  }
  window.addEventListener("resize", resizeAll);
  // Printing redraws the charts at the paper's size: static/js/chart_print.js.

  var printButton = document.querySelector("[data-dashboard-print]");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
})();
