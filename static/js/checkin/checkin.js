// The client's check-in: one short step at a time, 0–10 sliders, conditional follow-ups, one submit.
// Without this script the form still works: every step shows at once. Sliders come from slider.js.
(function () {
  "use strict";
  const form = document.querySelector("form.checkin");
  if (!form) return;

  // --- Follow-up questions shown only after a particular answer -----------------------------------
  const conditional = Array.from(form.querySelectorAll("[data-show-if]"));
  function updateConditional() {
    conditional.forEach(function (el) {
      const chosen = form.querySelector('input[name="' + el.dataset.showIf + '"]:checked');
      el.hidden = !(chosen && chosen.value === el.dataset.showValue);
    });
  }
  form.addEventListener("change", updateConditional);
  updateConditional();

  // Typing in a text box is never an answer to a question elsewhere; clear errors as people answer.
  form.addEventListener("change", function (event) {
    const fieldset = event.target.closest("fieldset.q");
    if (fieldset && event.target.type === "radio") {
      fieldset.classList.remove("has-error");
      fieldset.querySelector(".field-error").hidden = true;
    }
  });

  // --- Steps ------------------------------------------------------------------------------------
  const steps = Array.from(form.querySelectorAll("section.step"));
  const progress = form.querySelector(".progress");
  const progressText = form.querySelector(".progress-text");
  const progressFill = form.querySelector(".progress-fill");
  let current = 0;

  function unanswered(step) {
    return Array.from(step.querySelectorAll('fieldset.q[data-required="1"]')).filter(function (fs) {
      return !fs.hidden && !fs.querySelector("input[type=radio]:checked");
    });
  }

  function go(index, focus) {
    current = index;
    steps.forEach(function (step, i) { step.hidden = i !== index; });
    progressText.textContent = form.dataset.stepText
      .replace("%(n)s", index + 1).replace("%(total)s", steps.length);
    progressFill.style.width = Math.round(((index + 1) / steps.length) * 100) + "%";
    if (focus) {
      steps[index].querySelector("h2").focus();
      window.scrollTo(0, 0);
    }
  }

  if (steps.length > 1) {
    form.classList.add("stepped");
    progress.hidden = false;
    form.querySelectorAll(".step-nav button[hidden]").forEach(function (b) { b.hidden = false; });
    form.addEventListener("click", function (event) {
      const button = event.target.closest(".step-nav button");
      if (!button) return;
      if (button.classList.contains("back")) {
        go(current - 1, true);
      } else if (button.classList.contains("next")) {
        const missing = unanswered(steps[current]);
        if (missing.length) {
          missing.forEach(function (fs) {
            fs.classList.add("has-error");
            const message = fs.querySelector(".field-error");
            message.textContent = form.dataset.requiredText;
            message.hidden = false;
          });
          const first = missing[0].querySelector(".slider, input[type=radio]");
          if (first) first.focus();
          return;
        }
        go(current + 1, true);
      }
    });
    const firstError = form.querySelector(".has-error");
    const start = firstError ? steps.indexOf(firstError.closest("section.step")) : 0;
    go(Math.max(start, 0), false);
  }

  const summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    // A link in the summary may point into a step that is hidden: open that step first.
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[href^='#']");
      const target = link && document.getElementById(link.getAttribute("href").slice(1));
      const step = target && target.closest("section.step");
      if (!step || steps.length < 2) return;
      event.preventDefault();
      go(steps.indexOf(step), false);
      (target.querySelector(".slider, input, textarea") || target).focus();
    });
  }

  // --- One submit: a second tap while the first is on its way does nothing -----------------------
  let sending = false;
  const sendButton = form.querySelector("button.send");
  const sendText = sendButton.textContent;
  form.addEventListener("submit", function (event) {
    if (sending) {
      event.preventDefault();
      return;
    }
    sending = true;
    sendButton.setAttribute("aria-disabled", "true");
    sendButton.textContent = form.dataset.sendingText;
  });
  // Coming back with the back button restores the page from cache: allow sending again.
  window.addEventListener("pageshow", function () {
    sending = false;
    sendButton.removeAttribute("aria-disabled");
    sendButton.textContent = sendText;
  });
})();
