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

  // On a narrow screen the navigation is one row that scrolls sideways: bring the current
  // page's link (or the work waiting: the inbox, the proposals) into view.
  function showCurrent() {
    if (!NARROW.matches) return;
    var nav = document.querySelector(".main-nav");
    var link = nav && (nav.querySelector("a[aria-current=page]") || nav.querySelector("a[aria-current]") || nav.querySelector("a .count"));
    if (link && link.closest("a")) {
      var a = link.closest("a");
      var left = a.getBoundingClientRect().left - nav.getBoundingClientRect().left + nav.scrollLeft;
      if (left + a.offsetWidth > nav.clientWidth) nav.scrollLeft = left - 16;
    }
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("details.site-menu"), setUp);
    showCurrent();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
