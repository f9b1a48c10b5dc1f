// Draws the results page's charts from the JSON data block; the tables carry the same figures.
(function () {
  "use strict";
  var block = document.getElementById("figures");
  if (!block || !window.Plotly) { return; }
  var figures = JSON.parse(block.textContent);
  var maps = [];

  // A figure drawn over a map picture keeps the map's aspect (its y axis is anchored to x): it is made as
  // tall as the width it gets needs, so the map fills it at any width.
  function mapHeight(element, layout) {
    return Math.round(element.clientWidth * layout.yaxis.scaleratio) + layout.margin.t + layout.margin.b;
  }

  // A place question's density is drawn as squares, one per cell of the map's grid (trace.meta.cells
  // across). Plotly sizes markers in pixels, so each time the chart is drawn at a new width the squares
  // are made as wide as a cell is there; the check keeps the redraw this causes from repeating.
  function fitCells(element) {
    var width = element._fullLayout && element._fullLayout.xaxis && element._fullLayout.xaxis._length;
    if (!width) { return; }
    element.data.forEach(function (trace, index) {
      if (!trace.meta || !trace.meta.cells) { return; }
      var size = Math.ceil(width / trace.meta.cells * 10) / 10 + 0.5;
      if (Math.abs(trace.marker.size - size) > 0.25) {
        window.Plotly.restyle(element, {"marker.size": size}, [index]);
      }
    });
  }

  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = figures[element.dataset.figure];
    if (!figure) { return; }
    var onMap = figure.layout.images && figure.layout.yaxis && figure.layout.yaxis.scaleratio;
    if (onMap) {
      figure.layout.height = mapHeight(element, figure.layout);
      maps.push(element);
    }
    window.Plotly.newPlot(element, figure.data, figure.layout,
                          {displayModeBar: false, responsive: true, locale: document.documentElement.lang})
      .then(function () {
        if (figure.data.some(function (trace) { return trace.meta && trace.meta.cells; })) {
          fitCells(element);
          element.on("plotly_afterplot", function () { fitCells(element); });
        }
      });
  });

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending || !maps.length) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      maps.forEach(function (element) {
        var height = mapHeight(element, element.layout);
        if (element.layout && Math.abs(element.layout.height - height) > 2) {
          window.Plotly.relayout(element, {height: height});
        }
      });
    });
  });
})();
