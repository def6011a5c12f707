// The assignment form shows the fields of the chosen mode only (issue 20): 主办 + 会办, or 分办 with
// a scope per agency. Without JavaScript both sets show and the server reads the chosen mode's.
// The other mode's fieldset is hidden and disabled, so what it holds is neither seen nor sent.
(function () {
  "use strict";
  var form = document.querySelector("form[data-assign-form]");
  if (!form) { return; }
  var radios = form.querySelectorAll("input[type=radio][data-assign-mode]");
  var sections = form.querySelectorAll("[data-mode-section]");

  function chosen() {
    var value = null;
    Array.prototype.forEach.call(radios, function (radio) { if (radio.checked) { value = radio.value; } });
    return value;
  }

  function apply() {
    var mode = chosen();
    Array.prototype.forEach.call(sections, function (section) {
      var shown = mode === null || section.getAttribute("data-mode-section") === mode;
      section.hidden = !shown;
      section.disabled = !shown;
    });
  }

  Array.prototype.forEach.call(radios, function (radio) {
    var section = form.querySelector('[data-mode-section="' + radio.value + '"]');
    if (section && section.id) { radio.setAttribute("aria-controls", section.id); }
    radio.addEventListener("change", apply);
  });
  apply();
})();
