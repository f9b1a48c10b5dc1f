// Draws the results page's charts from the JSON data block; the tables carry the same figures.
(function () {
  "use strict";
  var block = document.getElementById("figures");
  if (!block || !window.Plotly) { return; }
  var figures = JSON.parse(block.textContent);
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = figures[element.dataset.figure];
    if (!figure) { return; }
    window.Plotly.newPlot(element, figure.data, figure.layout,
                          {displayModeBar: false, responsive: true, locale: document.documentElement.lang});
  });
})();
