// Progress of a workbook import (Excel 导入): polls the job's status while the worker checks or
// imports the file, then reloads the page to show the preview or the result.
// A static file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var box = document.getElementById("workbook-progress");
  if (!box || box.getAttribute("data-active") !== "1" || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");

  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        field("step_label").textContent = data.step_label;
        field("done").textContent = data.done;
        field("total").textContent = data.total;
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        if (data.active) { window.setTimeout(poll, 1500); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
