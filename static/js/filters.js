// The list pages' filters: on a narrow screen they start folded behind a "Filter" button
// (a <details>), so that the first results show without scrolling past every checkbox; on a
// wide screen they stay open beside the results. The button says how many filters are set.
// Without JavaScript the filters are simply open.
(function () {
  "use strict";
  var NARROW = window.matchMedia("(max-width: 48rem)");
  // Not filters: the page, its size and the order.
  var NOT_FILTERS = ["page", "per_page", "sort", "cursor"];

  function activeCount(form) {
    var count = 0;
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || NOT_FILTERS.indexOf(element.name) !== -1) return;
      if (element.type === "submit" || element.type === "button") return;
      if (element.type === "checkbox" || element.type === "radio") {
        if (element.checked && element.value !== "") count += 1;
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.selectedOptions, function (option) {
          if (option.value !== "") count += 1;
        });
      } else if (element.value.trim() !== "") {
        count += 1;
      }
    });
    return count;
  }

  function setUp(panel) {
    var form = panel.querySelector("form");
    var status = panel.querySelector("[data-filter-count]");
    function update() {
      var count = activeCount(form);
      status.textContent = count ? status.dataset.template.replace("%(count)s", count) : "";
    }
    function fit() {
      panel.open = !NARROW.matches;
    }
    fit();
    update();
    NARROW.addEventListener("change", fit);
    form.addEventListener("change", update);
    form.addEventListener("input", update);
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("details.filter-panel"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
