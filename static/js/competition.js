// Progressive enhancement only: the competition pages work without this file.
(function () {
  "use strict";
  // Room left in the request for the typed text and the form's own bytes.
  var FORM_ALLOWANCE = 64 * 1024;

  // Move focus to the error summary so screen readers announce what went wrong.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  // A photo bigger than the server takes would end on the "file is too big" page, and the typed
  // idea would be lost. So the size is checked here, and the idea stays on the page.
  function sizeMessage(input) {
    var box = document.getElementById(input.id + "-size-error");
    if (!box) {
      box = document.createElement("p");
      box.id = input.id + "-size-error";
      box.className = "field-error";
      box.setAttribute("aria-live", "polite");
      input.parentNode.appendChild(box);
    }
    return box;
  }

  function describedBy(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (each) {
      return each && each !== id;
    });
    if (on) { ids.push(id); }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  // True, with the message shown, when the chosen photo is too big; false (message cleared) otherwise.
  function photoTooBig(input) {
    var limit = parseInt(input.dataset.maxBytes, 10) - FORM_ALLOWANCE;
    var file = input.files && input.files[0];
    var tooBig = Boolean(file && limit > 0 && file.size > limit);
    var box = sizeMessage(input);
    box.textContent = tooBig ? input.dataset.tooBig : "";
    describedBy(input, box.id, tooBig);
    if (tooBig) {
      input.setAttribute("aria-invalid", "true");
    } else if (!input.dataset.serverError) {  // the server's own error on the field stays marked
      input.removeAttribute("aria-invalid");
    }
    return tooBig;
  }

  document.querySelectorAll("form.idea-form").forEach(function (form) {
    var photo = form.querySelector("input[type=file][data-max-bytes]");
    if (photo) {
      photo.dataset.serverError = photo.getAttribute("aria-invalid") ? "1" : "";
      sizeMessage(photo);  // the live region exists before anything is said in it
      photo.addEventListener("change", function () { photoTooBig(photo); });
    }
    // A double tap sends the idea once (the server would store it once anyway). After a few
    // seconds a tap goes through again, so a post lost on a weak signal can be retried.
    form.addEventListener("submit", function (event) {
      if (photo && photoTooBig(photo)) {
        event.preventDefault();
        photo.focus();
        return;
      }
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
