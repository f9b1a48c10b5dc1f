// Progressive enhancement of a place question (templates/surveys/kinds/_map_point.html); the question
// works without this file.
//
// With it the whole map is shown across the column instead of the tap picture: a tap places a pin, a
// pin can be dragged, the map zooms with the buttons or two fingers (and pans when zoomed), and each pin
// is a button the arrow keys move. The form sends the same fields as the page without JavaScript
// (`<field>_point` "x y" as shares of the map's width and height, `<field>_comment` beside each, the
// list's `<field>_area`), so the server gets the same answer either way. Every word shown or announced
// comes translated from the partial's <template> (its data-* attributes).
(function () {
  "use strict";

  var MOST_ZOOM = 8;
  var SLOP = 8;  // CSS pixels a finger may wander and still be a tap, not a pan or a drag

  function clamp(value, low, high) { return Math.min(Math.max(value, low), high); }
  function fill(text, n, area) { return (text || "").replace("{n}", n).replace("{area}", area || ""); }
  function share(value) { return String(Number(clamp(value, 0, 1).toFixed(4))); }

  // The same rule as surveys.maps.inside, so a pin is named after the area the server will count it in.
  function inside(x, y, polygon) {
    var result = false;
    for (var i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
      var x1 = polygon[i][0], y1 = polygon[i][1], x2 = polygon[j][0], y2 = polygon[j][1];
      if ((y1 > y) !== (y2 > y) && x < (x2 - x1) * (y - y1) / (y2 - y1) + x1) { result = !result; }
    }
    return result;
  }

  function enhance(fieldset) {
    var template = fieldset.querySelector("template.map-widget-template");
    var itemTemplate = fieldset.querySelector("template.map-point-template");
    if (!template || !itemTemplate || !template.content || !window.PointerEvent) { return; }
    fieldset.dataset.enhanced = "1";

    var words = template.dataset;
    var field = fieldset.dataset.field;
    var most = parseInt(fieldset.dataset.most, 10) || 1;
    var areas = [];
    try { areas = JSON.parse(fieldset.dataset.areas || "[]"); } catch (ignored) { areas = []; }
    var how = fieldset.querySelector(".map-how");
    var tap = fieldset.querySelector("input.map-tap");
    var error = document.getElementById(field + "-error");

    var widget = template.content.firstElementChild.cloneNode(true);
    var stage = widget.querySelector(".map-stage");
    var image = widget.querySelector(".map-image");
    var layer = widget.querySelector(".map-pins");
    var say = widget.querySelector(".map-say");
    var addButton = widget.querySelector(".map-add");
    var zoomIn = widget.querySelector(".map-zoom-in");
    var zoomOut = widget.querySelector(".map-zoom-out");
    var list = document.createElement("ol");
    list.className = "map-points";
    list.setAttribute("aria-label", words.list || "");

    // What the page without JavaScript holds (after a refused answer, or coming back to the screen).
    var given = [];
    fieldset.querySelectorAll("ol.map-points > li").forEach(function (item) {
      var point = item.querySelector("input[name='" + field + "_point']");
      var comment = item.querySelector("input[name='" + field + "_comment']");
      var xy = point ? point.value.split(" ").map(Number) : [];
      if (xy.length === 2 && xy.every(isFinite)) { given.push({x: xy[0], y: xy[1], comment: comment ? comment.value : ""}); }
    });

    // Out go the tap picture and its buttons: also so that Enter in a comment field sends the screen
    // (the first submit button is then Next, not the picture).
    fieldset.querySelectorAll(".map-tap-frame, .map-whole, ol.map-points, input[name='" + field + "_view'], " +
                              "input[name='" + field + "_height'], input[name='" + field + "_moving']")
      .forEach(function (element) { element.remove(); });
    how.textContent = words.how;
    how.after(widget);
    widget.after(list);
    stage.id = field;  // the error summary's link leads here
    stage.setAttribute("aria-describedby", how.id + (error ? " " + error.id : ""));
    if (tap && tap.getAttribute("aria-invalid") === "true") { stage.classList.add("map-invalid"); }
    stage.style.aspectRatio = fieldset.dataset.width + " / " + fieldset.dataset.height;
    image.src = fieldset.dataset.map;

    var points = [];  // {x, y, pin, item}, numbered from 1 in this order, as on the page without JavaScript
    var zoom = {s: 1, ox: 0, oy: 0};  // magnification, and the map's share at the view's top left

    function areaOf(x, y) {
      for (var i = 0; i < areas.length; i++) {
        if (areas[i].shape && inside(x, y, areas[i].shape)) { return areas[i].label; }
      }
      return "";
    }

    function said(plain, inArea, point) {
      var area = areaOf(point.x, point.y);
      return area ? fill(inArea, points.indexOf(point) + 1, area) : fill(plain, points.indexOf(point) + 1);
    }

    var pending = null;
    function announce(text, later) {
      window.clearTimeout(pending);
      var show = function () { say.textContent = say.textContent === text ? text + "\u00a0" : text; };
      if (later) { pending = window.setTimeout(show, 600); } else { show(); }  // arrow keys: once they rest
    }

    function away(point) {
      var size = 1 / zoom.s, margin = 0.0001;
      return point.x < zoom.ox - margin || point.x > zoom.ox + size + margin ||
             point.y < zoom.oy - margin || point.y > zoom.oy + size + margin;
    }

    function draw(point) {
      point.pin.style.left = ((point.x - zoom.ox) * zoom.s * 100) + "%";
      point.pin.style.top = ((point.y - zoom.oy) * zoom.s * 100) + "%";
      point.pin.classList.toggle("map-pin-away", away(point));
    }

    function update(point) {
      var name = said(words.name, words.nameIn, point);
      point.item.querySelector("input[type=hidden]").value = share(point.x) + " " + share(point.y);
      point.item.querySelector(".map-point-label").textContent = name;
      point.pin.setAttribute("aria-label", name);
      draw(point);
    }

    function renumber() {
      points.forEach(function (point, index) {
        var n = index + 1, id = field + "-comment-" + n;
        point.pin.firstChild.textContent = n;
        point.item.querySelector(".map-pin").textContent = n;
        var label = point.item.querySelector("label"), comment = point.item.querySelector("input[type=text]");
        if (label && comment) {
          label.textContent = fill(label.dataset.text, n);
          label.htmlFor = comment.id = id;
        }
        var remove = point.item.querySelector(".map-remove");
        remove.textContent = fill(remove.dataset.text, n);
        update(point);
      });
      list.hidden = !points.length;
    }

    function render() {
      var size = zoom.s * 100;
      image.style.width = image.style.height = size + "%";
      image.style.left = (-zoom.ox * size) + "%";
      image.style.top = (-zoom.oy * size) + "%";
      points.forEach(draw);
      stage.classList.toggle("map-zoomed", zoom.s > 1.001);
      zoomOut.setAttribute("aria-disabled", String(zoom.s <= 1.001));
      zoomIn.setAttribute("aria-disabled", String(zoom.s >= MOST_ZOOM - 0.001));
    }

    // Magnification s with the map's share (x, y) at (fx, fy) of the view, kept inside the map.
    function setView(s, x, y, fx, fy) {
      s = clamp(s, 1, MOST_ZOOM);
      zoom = {s: s, ox: clamp(x - fx / s, 0, 1 - 1 / s), oy: clamp(y - fy / s, 0, 1 - 1 / s)};
      render();
    }

    function centreOn(point) { setView(zoom.s, point.x, point.y, 0.5, 0.5); }

    // Where a pointer is, as shares of the view (fx, fy) and of the map (x, y).
    function at(event) {
      var box = stage.getBoundingClientRect();
      var fx = (event.clientX - box.left - stage.clientLeft) / stage.clientWidth;
      var fy = (event.clientY - box.top - stage.clientTop) / stage.clientHeight;
      return {fx: fx, fy: fy, x: zoom.ox + fx / zoom.s, y: zoom.oy + fy / zoom.s};
    }

    function apart(a, b) {
      return Math.hypot((a.fx - b.fx) * stage.clientWidth, (a.fy - b.fy) * stage.clientHeight);
    }

    function picked() { return fieldset.querySelectorAll("input[name='" + field + "_area']:checked"); }

    function addPoint(x, y, comment) {
      var pin = document.createElement("button");
      pin.type = "button";
      pin.className = "map-pin-button";
      pin.setAttribute("aria-describedby", field + "-keys");
      var dot = document.createElement("span");
      dot.className = "map-pin";
      dot.setAttribute("aria-hidden", "true");
      pin.appendChild(dot);
      var item = itemTemplate.content.firstElementChild.cloneNode(true);
      var point = {x: clamp(x, 0, 1), y: clamp(y, 0, 1), pin: pin, item: item};
      var commentField = item.querySelector("input[type=text]");
      if (commentField) { commentField.value = comment || ""; }
      layer.appendChild(pin);
      list.appendChild(item);
      points.push(point);
      wire(point);
      renumber();
      return point;
    }

    function movePoint(point, x, y) {
      point.x = clamp(x, 0, 1);
      point.y = clamp(y, 0, 1);
      update(point);
    }

    function removePoint(point, focusAfter) {
      var index = points.indexOf(point);
      points.splice(index, 1);
      point.pin.remove();
      point.item.remove();
      renumber();
      announce(fill(words.removed, index + 1));
      if (focusAfter) {
        var next = points[Math.min(index, points.length - 1)];
        (next ? focusAfter(next) : addButton).focus();
      }
    }

    // A tap on the map, or "Add a point" (in the middle of what is shown).
    function place(x, y) {
      var chosen = picked();
      var cleared = "";
      if (points.length + chosen.length >= most) {
        if (most === 1 && points.length) {  // one place: a tap moves it, as without JavaScript
          movePoint(points[0], x, y);
          announce(said(words.moved, words.movedIn, points[0]));
          return points[0];
        }
        if (most > 1) { announce(words.full); return null; }
        chosen.forEach(function (box) { box.checked = false; });
        cleared = " " + words.listCleared;
      }
      var point = addPoint(x, y, "");
      announce(said(words.placed, words.placedIn, point) + cleared);
      return point;
    }

    function wire(point) {
      var pin = point.pin, drag = null;
      pin.addEventListener("pointerdown", function (event) {
        if (event.pointerType === "mouse" && event.button !== 0) { return; }
        event.stopPropagation();  // not a tap on the map
        var where = at(event);
        drag = {id: event.pointerId, start: where, dx: where.x - point.x, dy: where.y - point.y, moved: false};
        pin.setPointerCapture(event.pointerId);
      });
      pin.addEventListener("pointermove", function (event) {
        if (!drag || event.pointerId !== drag.id) { return; }
        var where = at(event);
        if (!drag.moved && apart(where, drag.start) < SLOP) { return; }
        drag.moved = true;
        var size = 1 / zoom.s;  // kept within what is shown, so it cannot be lost off the edge
        movePoint(point, clamp(where.x - drag.dx, zoom.ox, zoom.ox + size), clamp(where.y - drag.dy, zoom.oy, zoom.oy + size));
      });
      pin.addEventListener("pointerup", function (event) {
        if (!drag || event.pointerId !== drag.id) { return; }
        if (drag.moved) { announce(said(words.moved, words.movedIn, point)); }
        drag = null;
        pin.focus({preventScroll: true});
      });
      pin.addEventListener("pointercancel", function () { drag = null; });
      pin.addEventListener("focus", function () { if (away(point)) { centreOn(point); } });
      pin.addEventListener("keydown", function (event) {
        var dx = {ArrowLeft: -1, ArrowRight: 1}[event.key] || 0, dy = {ArrowUp: -1, ArrowDown: 1}[event.key] || 0;
        if (dx || dy) {
          event.preventDefault();  // not scroll the page
          var step = (event.shiftKey ? 0.1 : 0.01) / zoom.s;  // finer when zoomed in
          movePoint(point, point.x + dx * step, point.y + dy * step);
          if (away(point)) { centreOn(point); }
          announce(said(words.moved, words.movedIn, point), true);
        } else if (event.key === "Delete" || event.key === "Backspace") {
          event.preventDefault();
          removePoint(point, function (next) { return next.pin; });
        }
      });
      point.item.querySelector(".map-remove").addEventListener("click", function () {
        removePoint(point, function (next) { return next.item.querySelector(".map-remove"); });
      });
    }

    // Taps, pans and pinches on the map (pins handle their own pointers).
    var pointers = {}, gesture = null;
    function twoPointers() {
      var ids = Object.keys(pointers);
      return [pointers[ids[0]], pointers[ids[1]]];
    }
    stage.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "mouse" && event.button !== 0) { return; }
      pointers[event.pointerId] = at(event);
      var count = Object.keys(pointers).length;
      if (count === 1) {
        gesture = {kind: "tap", start: at(event), zoom: zoom};
        try { stage.setPointerCapture(event.pointerId); } catch (ignored) { /* already gone */ }
      } else if (count === 2) {
        var two = twoPointers();
        var middle = {fx: (two[0].fx + two[1].fx) / 2, fy: (two[0].fy + two[1].fy) / 2};
        gesture = {kind: "pinch", apart: Math.max(apart(two[0], two[1]), 1), s: zoom.s,
                   x: zoom.ox + middle.fx / zoom.s, y: zoom.oy + middle.fy / zoom.s};
      }
    });
    stage.addEventListener("pointermove", function (event) {
      if (!(event.pointerId in pointers) || !gesture) { return; }
      var where = pointers[event.pointerId] = at(event);
      if (gesture.kind === "tap" && apart(where, gesture.start) >= SLOP) {
        gesture.kind = zoom.s > 1.001 ? "pan" : "none";  // unzoomed, a swipe scrolls the page instead
      }
      if (gesture.kind === "pan") {
        var from = gesture.zoom;
        setView(from.s, from.ox - (where.fx - gesture.start.fx) / from.s,
                from.oy - (where.fy - gesture.start.fy) / from.s, 0, 0);
      } else if (gesture.kind === "pinch" && Object.keys(pointers).length === 2) {
        var two = twoPointers();
        setView(gesture.s * apart(two[0], two[1]) / gesture.apart, gesture.x, gesture.y,
                (two[0].fx + two[1].fx) / 2, (two[0].fy + two[1].fy) / 2);
      }
    });
    function lift(event, tapped) {
      if (!(event.pointerId in pointers)) { return; }
      delete pointers[event.pointerId];
      if (tapped && gesture && gesture.kind === "tap") {
        var where = at(event);
        if (where.fx >= 0 && where.fx <= 1 && where.fy >= 0 && where.fy <= 1) {
          var point = place(where.x, where.y);
          if (point) { point.pin.focus({preventScroll: true}); }
        }
      }
      // A finger lifted from a pinch, or a cancelled gesture, places nothing.
      gesture = Object.keys(pointers).length ? {kind: "none"} : null;
    }
    stage.addEventListener("pointerup", function (event) { lift(event, true); });
    stage.addEventListener("pointercancel", function (event) { lift(event, false); });

    function zoomBy(factor) {
      var s = clamp(zoom.s * factor, 1, MOST_ZOOM);
      if (Math.abs(s - zoom.s) < 0.001) { return; }
      var message = s > zoom.s ? words.zoomedIn : words.zoomedOut;
      setView(s, zoom.ox + 0.5 / zoom.s, zoom.oy + 0.5 / zoom.s, 0.5, 0.5);
      announce(message);
    }
    zoomIn.addEventListener("click", function () { zoomBy(2); });
    zoomOut.addEventListener("click", function () { zoomBy(0.5); });
    addButton.addEventListener("click", function () {
      if (points.length >= most || (most > 1 && points.length + picked().length >= most)) {
        announce(words.full);  // and to the last pin, which the arrow keys can move
        if (points.length) { points[points.length - 1].pin.focus(); }
        return;
      }
      var point = place(zoom.ox + 0.5 / zoom.s, zoom.oy + 0.5 / zoom.s);
      if (point) { point.pin.focus(); }
    });

    // One place only: picking it from the list takes the pin away, so the answer is not two places.
    fieldset.addEventListener("change", function (event) {
      var box = event.target;
      if (most !== 1 || box.name !== field + "_area" || !box.checked || !points.length) { return; }
      points.slice().forEach(function (point) { removePoint(point, null); });
      announce(words.pointsCleared);
    });

    given.forEach(function (point) { addPoint(point.x, point.y, point.comment); });
    renumber();
    render();
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("fieldset.map-question[data-map]").forEach(function (fieldset) {
      if (!fieldset.dataset.enhanced) { enhance(fieldset); }
    });
  }
  enhanceAll(document);
  // A screen that static/js/survey.js shows in place of the last one.
  document.addEventListener("bypuls:screen", function (event) { enhanceAll(event.detail && event.detail.main); });
})();
