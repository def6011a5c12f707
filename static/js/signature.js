// Signature pad for the consultation sign page: draw with a finger or mouse; on submit the drawing
// goes into the hidden field as a PNG data URL (left empty when nothing was drawn). No inline
// script, so a strict Content-Security-Policy can forbid them.
(function () {
  "use strict";
  var canvas = document.querySelector("[data-signature-pad]");
  if (!canvas) { return; }
  var form = canvas.closest("form");
  var input = form && form.querySelector("[data-signature-input]");
  var clearButton = form && form.querySelector("[data-signature-clear]");
  var ctx = canvas.getContext("2d");
  var drawing = false;
  var drawn = false;
  var last = null;

  function resize() {
    // Internal size follows the displayed size (no device-pixel scaling keeps the PNG small).
    var width = Math.min(Math.round(canvas.getBoundingClientRect().width) || 480, 1200);
    if (canvas.width !== width) {
      canvas.width = width;
      canvas.height = 180;
      drawn = false;
    }
    ctx.lineWidth = 2.5;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    ctx.strokeStyle = "#000";
  }

  function point(event) {
    var rect = canvas.getBoundingClientRect();
    return {
      x: (event.clientX - rect.left) * (canvas.width / rect.width),
      y: (event.clientY - rect.top) * (canvas.height / rect.height)
    };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    drawing = true;
    last = point(event);
    if (canvas.setPointerCapture) { canvas.setPointerCapture(event.pointerId); }
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    event.preventDefault();
    var p = point(event);
    ctx.beginPath();
    ctx.moveTo(last.x, last.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
    drawn = true;
  });
  function stop() { drawing = false; last = null; }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  canvas.addEventListener("pointerleave", stop);

  if (clearButton) {
    clearButton.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      if (input) { input.value = ""; }
    });
  }
  if (form && input) {
    form.addEventListener("submit", function () {
      input.value = drawn ? canvas.toDataURL("image/png") : "";
    });
  }
  window.addEventListener("resize", function () { if (!drawn) { resize(); } });
  resize();
}());
