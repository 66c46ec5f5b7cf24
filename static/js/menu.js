// The header's "Menu" (a <details> holding the account links and the language form): on a
// narrow screen it starts closed so the header stays short; on a wide screen it is always
// open and its button hidden (site.css). Without JavaScript it is simply open. Escape closes it.
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 48rem)");

  function setUp(menu) {
    function fit() {
      menu.open = !NARROW.matches;
    }
    fit();
    NARROW.addEventListener("change", fit);
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && NARROW.matches && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("details.site-menu"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
