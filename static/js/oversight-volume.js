// Progress of a compiled volume (答复汇编): polls the status endpoint while the worker builds it.
// A static file because the Content-Security-Policy forbids inline scripts.
(function () {
  "use strict";
  var box = document.getElementById("volume-progress");
  if (!box || box.getAttribute("data-active") !== "1" || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var bar = box.querySelector("progress");

  function field(name) { return box.querySelector('[data-field="' + name + '"]'); }

  function show(data) {
    field("status_label").textContent = data.status_label;
    field("done").textContent = data.done;
    field("total").textContent = data.total;
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    var error = field("error");
    error.textContent = data.error || "";
    error.classList.toggle("d-none", !data.error);
    var download = field("download");
    if (data.download) {
      download.querySelector("a").setAttribute("href", data.download);
      download.classList.remove("d-none");
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        show(data);
        if (data.active) { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
