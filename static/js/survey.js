// Progressive enhancement only: the survey works without this file.
//
// With it, a screen is sent with fetch and the server answers with the next page itself (header
// X-Bypuls-Inline, see surveys/public.py), which replaces this one: one request per screen instead of a
// post and a redirect, which on a slow phone is most of the wait. The address bar and Back follow
// (X-Bypuls-Location). Anything unexpected (no network, an old browser, a page that is not ours) falls
// back to sending the form the ordinary way; the response key makes a resend harmless.
(function () {
  "use strict";

  function focusPage() {
    // The error summary if there is one, so screen readers announce what went wrong; else the page.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); return true; }
    return false;
  }
  focusPage();

  var inline = !!(window.fetch && window.FormData && window.DOMParser && window.URL && window.history &&
                  history.pushState);

  function withoutHash(url) { return url.split("#")[0]; }
  var shownAt = withoutHash(window.location.href);  // the address of the screen shown now

  function show(html, url, sameScreen) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var main = next.getElementById("main");
    if (!main) { return false; }
    document.title = next.title;
    document.getElementById("main").replaceWith(main);
    // For the scripts that enhance parts of a screen (static/js/map.js): a new screen has arrived.
    document.dispatchEvent(new CustomEvent("bypuls:screen", {detail: {main: main}}));
    shownAt = withoutHash(url);
    if (sameScreen) {
      history.replaceState(null, "", url);
    } else {
      history.pushState(null, "", url);
      window.scrollTo(0, 0);
    }
    if (!focusPage()) {
      var heading = main.querySelector("h1");
      (heading || main).setAttribute("tabindex", "-1");
      (heading || main).focus({preventScroll: true});
    }
    return true;
  }

  function sendInline(form) {
    var fallback = function () { form.dataset.inline = "off"; form.submit(); };
    fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                        headers: {"X-Bypuls-Inline": "1"}})
      .then(function (response) {
        var url = new URL(response.headers.get("X-Bypuls-Location") || response.url, window.location.href).href;
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") !== 0) { throw new Error("not a page"); }
        return response.text().then(function (html) {
          if (!show(html, url, url === window.location.href || response.status === 422)) { fallback(); }
        });
      })
      .catch(fallback);
  }

  // A double tap sends the form once (the server would store it once anyway). After a few
  // seconds a tap goes through again, so a post lost on a weak signal can be retried.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form.screen")) { return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    window.setTimeout(function () { delete form.dataset.sent; }, 4000);
    // A named button (a map's "Remove point 1" on a screen without its script) must be sent with the
    // form, which FormData(form) leaves out: the ordinary way sends it.
    var named = event.submitter && event.submitter.name;
    if (inline && form.dataset.inline !== "off" && !named) {
      event.preventDefault();
      sendInline(form);
    }
  });

  // Back and Forward between screens shown in place: show the screen of that address (with the answer
  // already given), also in place; if that fails, load it the ordinary way.
  window.addEventListener("popstate", function () {
    if (withoutHash(window.location.href) === shownAt) { return; }  // a link within the page (#field)
    var reload = function () { window.location.reload(); };
    fetch(window.location.href, {credentials: "same-origin"})
      .then(function (response) {
        return response.text().then(function (html) { if (!show(html, response.url, true)) { reload(); } });
      })
      .catch(reload);
  });

  // A page restored from the back/forward cache must take a tap again at once.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form.screen").forEach(function (form) { delete form.dataset.sent; });
  });
})();
