// The page of a download made in the background (templates/engagement/prepared/staff/show.html): about once a
// second it asks how far the file has come, moves the bar and its words, and when the file is ready (or could
// not be made) puts in what the page shows then – the download link, or "try again" – where screen readers
// hear it (aria-live="polite"). Without JavaScript the page has a "Check again" link instead.
(function () {
  "use strict";
  var root = document.getElementById("download");
  if (!root || !window.fetch || root.dataset.status === "ready" || root.dataset.status === "failed") { return; }
  var EVERY = 1000;
  var failures = 0;
  var bar = document.getElementById("download-bar");
  var count = document.getElementById("download-count");

  function show(state) {
    if (state.status === "ready" || state.status === "failed") {
      root.dataset.status = state.status;
      var working = document.getElementById("download-working");
      if (working) { working.remove(); }
      document.getElementById("download-news").innerHTML = state.html;
      return true;
    }
    if (state.total) {
      bar.max = state.total;
      bar.value = state.done;
    }
    if (count.textContent !== state.text) { count.textContent = state.text; }
    root.dataset.status = state.status;
    return false;
  }

  function poll() {
    fetch(root.dataset.progressUrl, {credentials: "same-origin", cache: "no-store",
                                     headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (!show(state)) { window.setTimeout(poll, EVERY); }
      })
      .catch(function () {
        // The network or an app server went away for a moment: ask again, less often the longer it lasts.
        failures += 1;
        window.setTimeout(poll, Math.min(EVERY * Math.pow(2, failures), 15000));
      });
  }

  window.setTimeout(poll, EVERY);
})();
