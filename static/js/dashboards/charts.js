// Draw every chart on the page from its json_script figure. Data arrives as JSON, never as code.
(function () {
  "use strict";
  var NARROW = 560;

  // On a phone, panels stack in one column and session ticks thin out, so labels stay readable.
  function fitToWidth(layout, width) {
    if (width >= NARROW) { return layout; }
    if (layout.grid && layout.grid.columns > 1) {
      var panels = layout.grid.rows * layout.grid.columns;
      layout.grid = { rows: panels, columns: 1, pattern: "independent", ygap: 0.22 };
      layout.height = 200 * panels + 140;
      // The chart's own title needs room above the first panel's title once panels stack.
      layout.margin = Object.assign({}, layout.margin, { t: ((layout.margin && layout.margin.t) || 40) + 28 });
    }
    // A note under the chart (the cutoff) drops below the legend instead of sharing its line.
    (layout.annotations || []).forEach(function (note) {
      if (note.xref === "paper" && note.yref === "paper" && note.y < 0) {
        note.x = 0;
        note.xanchor = "left";
        note.yshift = (note.yshift || 0) - 24;
        layout.margin = Object.assign({}, layout.margin, { b: ((layout.margin && layout.margin.b) || 40) + 24 });
      }
    });
    Object.keys(layout).forEach(function (key) {
      if (key.indexOf("xaxis") === 0 && layout[key].tickmode === "linear") {
        // Sessions are whole numbers: thin the ticks by a whole step, never to fractions.
        var range = layout[key].range || [0.5, 12.5];
        layout[key].tick0 = 1;
        layout[key].dtick = Math.max(1, Math.ceil((range[1] - range[0]) / 6));
      }
    });
    return layout;
  }

  var CONFIG = { responsive: true, displaylogo: false, displayModeBar: false, scrollZoom: false };
  var drawn = [];

  function plot(el, figure, first) {
    // fitToWidth changes the layout it is given: always start again from the figure as it came.
    var layout = fitToWidth(JSON.parse(JSON.stringify(figure.layout)), el.clientWidth);
    var done = first ? window.Plotly.newPlot(el, figure.data, layout, CONFIG)
      : window.Plotly.react(el, figure.data, layout, CONFIG);
    done.then(function () { el.setAttribute("data-drawn", "true"); });
  }

  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      drawn.push({ el: el, figure: figure, narrow: el.clientWidth < NARROW });
      plot(el, figure, true);
    });
  }

  // A phone turned sideways or a window made narrow: re-lay the charts that crossed the threshold.
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      drawn.forEach(function (chart) {
        var narrow = chart.el.clientWidth < NARROW;
        if (narrow !== chart.narrow) {
          chart.narrow = narrow;
          plot(chart.el, chart.figure, false);
        }
      });
    }, 150);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
