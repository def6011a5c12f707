// Small behaviours without inline scripts, so a strict Content-Security-Policy can forbid them.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("[data-autosubmit]")) { el.form.submit(); }
});

// An action that cannot be undone asks first (issue 19). Without JavaScript its POST shows the
// confirmation page (proposals/view_actions.py). With it, a form marked data-confirm-dialog asks
// the server for that same confirmation (header X-Confirm-Preview: the server never acts on it)
// and shows it in a <dialog> on the page; the dialog's button posts with confirm=1 as the page's
// would. When the answer holds no confirmation (a form error, a refusal), the form is posted as
// without JavaScript, so the user sees the same page they would have.
(function () {
  var PANEL = "#confirm-panel";

  function postNormally(form, submitter) {
    form.setAttribute("data-confirm-skip", "1");
    if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
  }

  function showDialog(form, panel) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-heading");
    dialog.appendChild(document.importNode(panel, true));
    document.body.appendChild(dialog);
    var cancel = dialog.querySelector("a.btn-link");
    if (cancel) {
      cancel.setAttribute("role", "button");
      cancel.addEventListener("click", function (event) { event.preventDefault(); dialog.close(); });
    }
    dialog.addEventListener("close", function () { dialog.remove(); form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = false; }); });
    dialog.showModal();
    var submit = dialog.querySelector("button[type=submit]");
    if (submit) { submit.focus(); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-confirm-dialog]")) { return; }
    if (form.getAttribute("data-confirm-skip")) { form.removeAttribute("data-confirm-skip"); return; }
    if (!window.fetch || !window.HTMLDialogElement) { return; }
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    var action = (event.submitter && event.submitter.getAttribute("formaction")) || form.action;
    form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = true; });
    fetch(action, { method: "POST", body: data, credentials: "same-origin", headers: { "X-Confirm-Preview": "1" } })
      .then(function (response) {
        return response.text().then(function (text) { return { ok: response.status === 200 && !response.redirected, text: text }; });
      })
      .then(function (answer) {
        var panel = answer.ok ? new DOMParser().parseFromString(answer.text, "text/html").querySelector(PANEL) : null;
        if (panel) { showDialog(form, panel); } else { form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = false; }); postNormally(form, event.submitter); }
      })
      .catch(function () { form.querySelectorAll("[type=submit]").forEach(function (b) { b.disabled = false; }); postNormally(form, event.submitter); });
  });
})();
