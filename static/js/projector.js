// The projector view refreshes itself: every few seconds it asks /live for the session's state and updates
// the counts, the charts (Plotly.react) and the idea lists in place. A failed fetch shows a quiet
// "reconnecting" note and retries with growing pauses; the page never reloads. When the session has
// ended (live: false), the join code and QR code give way to a panel that says so, and the asking stops.
// The teacher's buttons are sent with fetch, so approving an idea does not reload the page either.
(function () {
  "use strict";
  var root = document.getElementById("projector");
  if (!root || !window.fetch) { return; }
  document.documentElement.classList.add("js");
  var url = root.dataset.liveUrl;
  var every = (parseInt(root.dataset.refresh, 10) || 3) * 1000;
  var note = document.getElementById("reconnecting");
  var refused = document.getElementById("refused");
  var joinPanel = document.getElementById("join-panel");
  var ended = false;
  var failures = 0;
  var timer = null;
  var shownHtml = {};
  var drawn = {};
  var config = {displayModeBar: false, responsive: true, staticPlot: true};

  function drawFigures(figures) {
    if (!window.Plotly || !figures) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var figure = figures[element.dataset.figure];
      if (!figure) { return; }
      var text = JSON.stringify(figure);
      if (drawn[element.dataset.figure] === text) { return; }
      drawn[element.dataset.figure] = text;
      window.Plotly.react(element, figure.data, figure.layout, config);
    });
  }

  function setText(selector, value) {
    document.querySelectorAll(selector).forEach(function (element) {
      if (element.textContent !== String(value)) { element.textContent = value; }
    });
  }

  function update(state) {
    setText('[data-live="count"]', state.count);
    document.querySelectorAll('[data-live-label="count"]').forEach(function (element) {
      var word = state.count === 1 ? element.dataset.one : element.dataset.other;
      if (element.textContent !== word) { element.textContent = word; }
    });
    if (state.voters !== undefined) { setText('[data-live="voters"]', state.voters); }
    Object.keys(state.answered || {}).forEach(function (key) {
      setText('[data-live-answered="' + key + '"]', state.answered[key]);
    });
    document.querySelectorAll("[data-live-html]").forEach(function (element) {
      var html = state[element.dataset.liveHtml];
      // Only when it changed: the teacher may be about to press a button in it.
      if (typeof html === "string" && shownHtml[element.dataset.liveHtml] !== html) {
        shownHtml[element.dataset.liveHtml] = html;
        element.innerHTML = html;
      }
    });
    drawFigures(state.figures);
    if (state.live === false && typeof state.join_html === "string") {
      // Nobody can join any more: take the code off the wall and say the session has ended.
      ended = true;
      joinPanel.innerHTML = state.join_html;
    }
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, delay);
  }

  function poll() {
    fetch(url, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        note.hidden = true;
        update(state);
        if (!ended) { schedule(every); }
      })
      .catch(function () {
        failures += 1;
        note.hidden = false;
        schedule(Math.min(every * Math.pow(2, failures), 30000));
      });
  }

  // The teacher's buttons (approve, hide, open voting): sent in the background, then the view refreshes.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("quick") || form.dataset.plain) { return; }
    event.preventDefault();
    var button = event.submitter;
    var data = new FormData(form);
    if (button && button.name) { data.append(button.name, button.value); }
    // getAttribute: a button named "action" would shadow form.action.
    fetch(form.getAttribute("action"), {method: "POST", body: data, credentials: "same-origin",
                                        headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        if (response.status === 409) {
          // Refused, nothing changed (someone else decided first): say why and show the list as it is now.
          return response.json().then(function (answer) {
            refused.textContent = answer.error;
            refused.hidden = false;
            poll();
          });
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        refused.hidden = true;
        poll();
      })
      .catch(function () {
        // Let the browser send it the plain way: it shows what went wrong.
        form.dataset.plain = "1";
        if (form.requestSubmit) { form.requestSubmit(button || undefined); } else { form.submit(); }
      });
  });

  var block = document.getElementById("figures");
  if (block) {
    window.addEventListener("load", function () { drawFigures(JSON.parse(block.textContent)); });
  }
  schedule(every);
})();
