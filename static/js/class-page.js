// The pupils' class page follows the lesson by itself. Now and then it asks /join/<CODE>/state for the
// class's phase; when the teacher opens or closes the class vote, the competition closes or the session
// ends, it loads the page again. New ideas during the vote only bring a note with a link, so a reload
// never moves a button under a pupil's thumb. It asks politely: every 10 s at first, less often while
// nothing changes or the network fails, and not at all while the tab is hidden.
(function () {
  "use strict";
  var root = document.getElementById("class-page");
  if (!root) { return; }
  var FIRST = 10000, CALM = 30000, LONGEST = 60000;
  var pageUrl = root.dataset.pageUrl;
  var wait = FIRST;
  var timer = null;

  function reload() { window.location.replace(pageUrl); }

  if (!window.fetch) {
    // An old browser: the server's refresh, as without JavaScript.
    if (root.dataset.phase !== "voting" || root.dataset.ideas === "0") { timer = window.setTimeout(reload, 20000); }
    return;
  }

  function schedule() {
    window.clearTimeout(timer);
    if (!document.hidden) { timer = window.setTimeout(poll, wait); }
  }

  function changed(state) {
    if (state.phase !== root.dataset.phase) { reload(); return; }
    if (state.phase === "voting" && String(state.ideas) !== root.dataset.ideas) {
      var note = document.getElementById("new-ideas");
      if (note) { note.hidden = false; } else { reload(); }  // nothing on the page to tap yet
    }
  }

  function poll() {
    fetch(root.dataset.stateUrl, {credentials: "same-origin", cache: "no-store", headers: {"Accept": "application/json"}})
      .then(function (response) {
        // 410: the session has ended; the page itself says so.
        if (response.status === 410) { reload(); return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        if (!state) { return; }
        changed(state);
        wait = Math.min(wait * 1.25, CALM);
        schedule();
      })
      .catch(function () {
        wait = Math.min(wait * 2, LONGEST);
        schedule();
      });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      window.clearTimeout(timer);
    } else {
      // Back in view (the phone was in a pocket): ask at once, the lesson may have moved on.
      wait = FIRST;
      poll();
    }
  });
  schedule();
})();
