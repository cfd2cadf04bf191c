// Export progress: each running export on the page asks its status endpoint once a second and moves its
// progress bar (percentage and rows done); when it is done, the download link appears. No inline script:
// the page's CSP allows only files like this one.
(function () {
  "use strict";
  var ACTIVE = { queued: true, running: true };

  function set(item, selector, text) {
    var node = item.querySelector(selector);
    if (node) node.textContent = text;
  }

  function show(item, data) {
    item.setAttribute("data-status", data.status);
    set(item, "[data-job-label]", data.status_label);
    set(item, "[data-job-percent]", String(data.percent));
    set(item, "[data-job-rows]", String(data.rows_done));
    if (data.rows_total !== null) set(item, "[data-job-total]", String(data.rows_total));
    var bar = item.querySelector("[data-job-bar]");
    if (bar) {
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
    }
    if (ACTIVE[data.status]) return;
    var actions = item.querySelector("[data-job-actions]");
    if (!actions) return;
    actions.textContent = "";
    if (data.download_url) {
      var link = document.createElement("a");
      link.className = "button small";
      link.href = data.download_url;
      link.setAttribute("data-job-download", "");
      link.textContent = item.getAttribute("data-download-text") || "Download";
      actions.appendChild(link);
    }
  }

  function follow(item) {
    var url = item.getAttribute("data-job-status");
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          show(item, data);
          if (ACTIVE[data.status]) window.setTimeout(tick, 1000);
        })
        .catch(function () {
          window.setTimeout(tick, 5000); // the server is busy or away: ask again, less often
        });
    }
    tick();
  }

  function start() {
    var items = document.querySelectorAll("[data-job-status]");
    for (var i = 0; i < items.length; i++) {
      if (ACTIVE[items[i].getAttribute("data-status")]) follow(items[i]);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
