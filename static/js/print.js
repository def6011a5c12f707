// The 打印 button ([data-print]) and printing folded sections open. No inline script: the
// Content-Security-Policy (script-src 'self') forbids it. Without JavaScript the button stays
// hidden (it could do nothing) and the browser's own print command still uses print.css.
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) { buttons[i].hidden = false; }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest && target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  });
  // Open every closed <details> for the printout and close them again afterwards.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    var closed = document.querySelectorAll("details:not([open])");
    for (var j = 0; j < closed.length; j++) { closed[j].open = true; opened.push(closed[j]); }
  });
  window.addEventListener("afterprint", function () {
    while (opened.length) { opened.pop().open = false; }
  });
})();
