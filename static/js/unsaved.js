// Nothing typed is lost (issue 19). A form marked data-unsaved-warning="<reason>" is watched: once
// it holds unsaved changes, leaving the page asks first, and the page's other forms (which act on
// the saved version: issue, return, submit) wait, their buttons disabled with the reason shown,
// until the form is saved. Without JavaScript the edit form carries its own submit button instead.
(function () {
  "use strict";
  var watched = document.querySelectorAll("form[data-unsaved-warning]");
  if (!watched.length) { return; }
  var dirty = null;
  var leaving = false;

  function otherForms(form) {
    var main = document.getElementById("main") || document;
    return Array.prototype.filter.call(main.querySelectorAll("form"), function (f) {
      return f !== form && (f.getAttribute("method") || "").toLowerCase() === "post";
    });
  }

  function markDirty(form) {
    if (dirty) { return; }
    dirty = form;
    var reason = form.getAttribute("data-unsaved-warning");
    otherForms(form).forEach(function (other) {
      Array.prototype.forEach.call(other.querySelectorAll("button, input[type=submit]"), function (b) {
        b.disabled = true;
      });
      var note = document.createElement("p");
      note.className = "small text-danger mb-1";
      note.setAttribute("data-unsaved-note", "");
      note.textContent = reason;
      other.insertBefore(note, other.firstChild);
    });
  }

  Array.prototype.forEach.call(watched, function (form) {
    form.addEventListener("input", function () { markDirty(form); });
    form.addEventListener("change", function () { markDirty(form); });
    form.addEventListener("submit", function () { leaving = true; });
    // A form shown again with the text of a refused or interrupted save holds unsaved text already.
    if (form.hasAttribute("data-unsaved-now")) { markDirty(form); }
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !leaving) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
