// 0–10 scales: a native slider (keyboard: arrows, Home, End; announced by screen readers) kept in step
// with the radio buttons that are actually submitted. Without this script the radio buttons show.
// An untouched slider is "not answered yet", never a silent middle value.
(function () {
  "use strict";
  // --- 0–10 sliders, kept in step with the radio buttons that are actually submitted ---------------
  function describe(slider, low, high) {
    const v = Number(slider.value);
    if (v === Number(slider.min) && low) return v + ", " + low;
    if (v === Number(slider.max) && high) return v + ", " + high;
    return String(v);
  }

  document.querySelectorAll("fieldset.q-scale").forEach(function (fieldset) {
    const scale = fieldset.querySelector(".scale");
    const radios = Array.from(fieldset.querySelectorAll("input[type=radio]"));
    const values = radios.map(function (r) { return Number(r.value); });
    const low = scale.dataset.low, high = scale.dataset.high;
    const slider = document.createElement("input");
    slider.type = "range";
    slider.className = "slider untouched";
    slider.min = Math.min.apply(null, values);
    slider.max = Math.max.apply(null, values);
    slider.step = 1;
    slider.id = fieldset.id + "-slider";
    slider.setAttribute("aria-labelledby", fieldset.id + "-label");
    const output = document.createElement("output");
    output.className = "slider-value";
    output.htmlFor = slider.id;
    output.setAttribute("aria-hidden", "true");
    const checked = radios.find(function (r) { return r.checked; });

    function show(touched) {
      if (touched) {
        slider.classList.remove("untouched");
        slider.setAttribute("aria-valuetext", describe(slider, low, high));
        output.textContent = slider.value;
      } else {
        slider.setAttribute("aria-valuetext", fieldset.closest("form").dataset.unansweredText);
        output.textContent = "–";
      }
    }
    function choose() {
      const radio = radios.find(function (r) { return r.value === slider.value; });
      if (radio) radio.checked = true;
      show(true);
      fieldset.classList.remove("has-error");
      fieldset.querySelector(".field-error").hidden = true;
    }
    slider.value = checked ? checked.value : Math.round((Number(slider.min) + Number(slider.max)) / 2);
    show(Boolean(checked));
    slider.addEventListener("input", choose);
    slider.addEventListener("change", choose);
    // A tap or a click on the untouched slider's own thumb still counts as an answer.
    slider.addEventListener("pointerup", choose);
    const row = document.createElement("div");
    row.className = "slider-row";
    row.append(slider, output);
    scale.querySelector(".scale-options").hidden = true;
    scale.prepend(row);
  });

})();
