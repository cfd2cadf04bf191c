// Flag actions without a full page reload. Without this script the forms post and redirect back.
(function () {
  "use strict";

  function announce(text) {
    var status = document.getElementById("flag-status");
    if (status) { status.textContent = text; }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-flag-action]")) { return; }
    var card = form.closest("[data-flag-card]");
    if (!card || !window.fetch) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status !== 200 && response.status !== 400) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var fresh = holder.firstElementChild;
      card.replaceWith(fresh);
      var message = fresh.querySelector(".message, .error");
      announce(message ? message.textContent : "");
      var title = fresh.querySelector("h3");
      if (title) { title.focus(); }
    }).catch(function () {
      // Fall back to the ordinary post so nothing the clinician typed is lost.
      form.removeAttribute("data-flag-action");
      form.submit();
    });
  });
})();
