// Apply caseload filters as soon as they change; the Apply button stays for keyboard and no-JS use.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () { form.requestSubmit(); });
  });
})();
