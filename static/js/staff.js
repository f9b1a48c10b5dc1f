// Progressive enhancement for staff pages; every action also works without it.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  document.documentElement.classList.add("js");
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // Ask before destructive actions; the form carries its question in data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  // A file bigger than the server takes would end on the "file is too big" page and lose what was typed:
  // it is refused here, with the field's own message (data-too-big).
  var FORM_ALLOWANCE = 64 * 1024;
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    var box = document.createElement("p");
    box.id = input.id + "-size-error";
    box.className = "field-error";
    box.setAttribute("aria-live", "polite");
    input.parentNode.appendChild(box);
    function tooBig() {
      var file = input.files && input.files[0];
      var big = Boolean(file && file.size > parseInt(input.dataset.maxBytes, 10) - FORM_ALLOWANCE);
      box.textContent = big ? input.dataset.tooBig : "";
      if (big) { input.setAttribute("aria-invalid", "true"); }
      return big;
    }
    input.addEventListener("change", tooBig);
    input.form.addEventListener("submit", function (event) {
      if (tooBig()) { event.preventDefault(); input.focus(); }
    });
  });

  // Maps: a click on a map fills in where it was, in percent of the map's width and height (what staff
  // would otherwise read off the grid and type), and the drawing over the map follows what is typed.
  function percent(share) { return String(Math.round(share * 1000) / 10); }

  function clickedShare(event, frame) {
    var box = frame.querySelector("svg").getBoundingClientRect();  // the picture's box, inside the frame's border
    var x = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
    var y = Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1);
    return [x, y];
  }

  function number(text) {
    var value = parseFloat(String(text).replace("%", "").replace(",", ".").replace("\u2212", "-"));
    return isFinite(value) ? value : null;
  }

  function svgElement(name, attributes, parent) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    if (parent) { parent.appendChild(element); }
    return element;
  }

  function drawing(svg, layer, row) {
    var group = svg.querySelector("." + layer + " [data-row='" + row + "']");
    if (group) { group.textContent = ""; return group; }
    return svgElement("g", {"data-row": row}, svg.querySelector("." + layer));
  }

  function say(text) {
    var status = document.getElementById("map-pick-status");
    if (status) { status.textContent = text; }
  }

  // The georeference form: rows of x, y, latitude and longitude.
  document.querySelectorAll("[data-pick=points]").forEach(function (frame) {
    var svg = frame.querySelector("svg");
    var rows = Array.prototype.slice.call(document.querySelectorAll(".point-row"));
    var current = null;
    function field(row, name) { return row.querySelector("[data-coordinate=" + name + "]"); }
    function draw(row) {
      var group = drawing(svg, "map-points", row.dataset.row);
      var x = number(field(row, "x").value), y = number(field(row, "y").value);
      if (x === null || y === null || x < 0 || x > 100 || y < 0 || y > 100) { group.remove(); return; }
      var cx = x * 10, cy = y / 100 * svg.viewBox.baseVal.height;
      svgElement("circle", {cx: cx, cy: cy, r: 14}, group);
      svgElement("text", {x: cx, y: cy, dy: 7, "text-anchor": "middle"}, group).textContent =
        Number(row.dataset.row) + 1;
    }
    function empty(row) { return !field(row, "x").value.trim() && !field(row, "y").value.trim(); }
    rows.forEach(function (row) {
      row.addEventListener("focusin", function (event) { current = event.target; });
      row.addEventListener("input", function () { draw(row); });
    });
    // The row staff are on, while they are on its x or y or it has no place yet; else the next empty row.
    frame.addEventListener("click", function (event) {
      var on = current && current.closest(".point-row");
      var row = on && (current.dataset.coordinate === "x" || current.dataset.coordinate === "y" || empty(on)) ?
        on : rows.filter(empty)[0];
      if (!row) { return; }
      var share = clickedShare(event, frame);
      field(row, "x").value = percent(share[0]);
      field(row, "y").value = percent(share[1]);
      draw(row);
      say(row.querySelector("legend").textContent + ": x " + percent(share[0]) + " %, y " + percent(share[1]) + " %");
      field(row, "lat").focus();
    });
  });

  // The question editor: named areas typed as corners "x y, x y, …" (two corners: a rectangle).
  function corners(text) {
    var points = [];
    var ok = String(text).split(",").every(function (pair) {
      var values = pair.trim().split(/\s+/).map(number);
      if (!pair.trim()) { return true; }
      if (values.length !== 2 || values[0] === null || values[1] === null) { return false; }
      points.push([values[0] / 100, values[1] / 100]);
      return true;
    });
    if (!ok || points.some(function (p) { return p[0] < 0 || p[0] > 1 || p[1] < 0 || p[1] > 1; })) { return []; }
    if (points.length === 2) {
      points = [points[0], [points[1][0], points[0][1]], points[1], [points[0][0], points[1][1]]];
    }
    return points;
  }

  document.querySelectorAll("[data-pick=areas]").forEach(function (frame) {
    var svg = frame.querySelector("svg");
    var figure = frame.closest("figure");
    var fields = Array.prototype.slice.call(document.querySelectorAll("input[data-area]"));
    var current = null;
    function rowOf(field) { return field.closest(".option-row"); }
    function draw(field) {
      var row = rowOf(field);
      var group = drawing(svg, "map-areas", row.dataset.row);
      var points = corners(field.value);
      var height = svg.viewBox.baseVal.height;
      var xy = points.map(function (p) { return [p[0] * 1000, p[1] * height]; });
      if (!xy.length) { group.remove(); return; }
      if (xy.length === 1) {
        svgElement("circle", {cx: xy[0][0], cy: xy[0][1], r: 8}, group);
        return;
      }
      svgElement("polygon", {points: xy.map(function (p) { return p.join(","); }).join(" ")}, group);
      var cx = xy.reduce(function (sum, p) { return sum + p[0]; }, 0) / xy.length;
      var cy = xy.reduce(function (sum, p) { return sum + p[1]; }, 0) / xy.length;
      svgElement("text", {x: cx, y: cy, dy: 7, "text-anchor": "middle"}, group).textContent =
        row.querySelector("input[name$='-label']").value;
    }
    fields.forEach(function (field) {
      field.addEventListener("focus", function () { current = field; });
      rowOf(field).addEventListener("input", function () { draw(field); });
    });
    frame.addEventListener("click", function (event) {
      var field = current || fields.filter(function (each) { return !each.value.trim(); })[0];
      if (!field) { return; }
      var share = clickedShare(event, frame);
      var corner = percent(share[0]) + " " + percent(share[1]);
      field.value = field.value.trim() ? field.value.replace(/[\s,]*$/, "") + ", " + corner : corner;
      draw(field);
      say(document.querySelector("label[for='" + field.id + "']").textContent + ": " + field.value);
      field.focus();
      field.setSelectionRange(field.value.length, field.value.length);
    });
    // Another map picked: show it, and the areas on it, before the question is saved.
    var picker = document.querySelector("select[data-map-picker]");
    if (!picker) { return; }
    picker.addEventListener("change", function () {
      var option = picker.selectedOptions[0];
      var waiting = document.getElementById("areas-map-waiting");
      if (!option || !option.dataset.src) { figure.hidden = true; return; }
      var image = frame.querySelector("img");
      image.src = option.dataset.src;
      image.width = Number(option.dataset.width);
      image.height = Number(option.dataset.height);
      image.alt = image.alt.replace(/:.*$/, ": " + option.dataset.name);
      var height = 1000 * option.dataset.height / option.dataset.width;
      svg.setAttribute("viewBox", "0 0 1000 " + height);
      svg.querySelectorAll(".map-grid line").forEach(function (line, index) {
        if (index % 2) { line.setAttribute("y1", (Math.floor(index / 2) + 1) * height / 10); }
        if (index % 2) { line.setAttribute("y2", (Math.floor(index / 2) + 1) * height / 10); }
        if (!(index % 2)) { line.setAttribute("y2", height); }
      });
      svg.querySelectorAll(".map-grid text").forEach(function (text, index) {
        if (index % 2) { text.setAttribute("y", (Math.floor(index / 2) + 1) * height / 10); }
      });
      fields.forEach(draw);
      figure.hidden = false;
      if (waiting) { waiting.hidden = true; }
    });
  });
})();

// --- Touchpoint form: its place on a map (templates/engagement/touchpoints/staff/_map.html) -----------
// Self-contained. A click on the map fills in x and y (in percent, as the server reads them), typing x and
// y moves the marker, and choosing another map shows it at once, so "Show the map" is only needed without
// JavaScript. The server checks everything again when the form is saved.
(function () {
  "use strict";
  var place = document.querySelector("fieldset.touchpoint-place");
  var svg = place && place.querySelector("svg.touchpoint-map");
  var select = place && place.querySelector("select[name=map_id]");
  var fieldX = place && place.querySelector("input[name=map_x]");
  var fieldY = place && place.querySelector("input[name=map_y]");
  if (!svg || !select || !fieldX || !fieldY) { return; }
  var figure = svg.closest("figure");
  var marker = svg.querySelector(".touchpoint-map-marker");
  var picture = svg.querySelector(".touchpoint-map-picture");
  var title = svg.querySelector("title");
  var offer = place.querySelector(".touchpoint-map-offer");
  var show = place.querySelector(".touchpoint-map-show");
  var maps = JSON.parse(place.getAttribute("data-maps") || "{}");
  var comma = (document.documentElement.lang || "").indexOf("da") === 0;
  if (show) { show.hidden = true; }
  // How to place it: by clicking now, not only by reading the grid.
  place.querySelectorAll(".touchpoint-map-how").forEach(function (how) { how.hidden = !how.hidden; });

  function percent(text) {
    var trimmed = String(text).replace("%", "").replace(",", ".").trim();
    var value = trimmed === "" ? NaN : Number(trimmed);
    return isFinite(value) && value >= 0 && value <= 100 ? value : null;
  }
  function written(value) {
    var text = String(Math.round(value * 10) / 10);
    return comma ? text.replace(".", ",") : text;
  }
  function moveMarker() {
    var x = percent(fieldX.value), y = percent(fieldY.value), box = svg.viewBox.baseVal;
    if (x === null || y === null) { marker.setAttribute("visibility", "hidden"); return; }
    marker.setAttribute("transform", "translate(" + x * box.width / 100 + " " + y * box.height / 100 + ")");
    marker.removeAttribute("visibility");
  }
  svg.addEventListener("click", function (event) {
    var box = svg.getBoundingClientRect();
    if (!box.width || !box.height) { return; }
    var x = (event.clientX - box.left) / box.width * 100, y = (event.clientY - box.top) / box.height * 100;
    fieldX.value = written(Math.min(Math.max(x, 0), 100));
    fieldY.value = written(Math.min(Math.max(y, 0), 100));
    moveMarker();
  });
  fieldX.addEventListener("input", moveMarker);
  fieldY.addEventListener("input", moveMarker);
  select.addEventListener("change", function () {
    var chosen = maps[select.value];
    figure.hidden = !chosen;
    // The offer to place it from its coordinates was worked out for the map the page came with.
    if (offer) { offer.hidden = select.value !== place.getAttribute("data-offer-map"); }
    if (!chosen) { return; }
    svg.setAttribute("viewBox", "0 0 1000 " + Math.round(1000 * chosen.height / chosen.width * 10) / 10);
    svg.setAttribute("width", chosen.width);
    svg.setAttribute("height", chosen.height);
    picture.setAttribute("href", chosen.src);
    title.textContent = chosen.label;
    moveMarker();
  });
})();
