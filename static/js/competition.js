// Progressive enhancement only: the competition pages work without this file.
(function () {
  "use strict";
  // Move focus to the error summary so screen readers announce what went wrong.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  // A double tap sends the idea once (the server would store it once anyway). After a few
  // seconds a tap goes through again, so a post lost on a weak signal can be retried.
  document.querySelectorAll("form.idea-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      window.setTimeout(function () { delete form.dataset.sent; }, 4000);
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("form.idea-form").forEach(function (form) { delete form.dataset.sent; });
  });
})();
