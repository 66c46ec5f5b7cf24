// The municipality profile form: "Add another volunteer centre" adds a row from the
// <template> (without JavaScript, the form has one spare row already).
(function () {
  "use strict";
  var button = document.getElementById("add-centre");
  var template = document.getElementById("centre-template");
  var rows = document.getElementById("centre-rows");
  if (!button || !template || !rows) { return; }
  var total = document.getElementById("id_" + button.dataset.prefix + "-TOTAL_FORMS");
  if (!total) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    rows.insertAdjacentHTML("beforeend", template.innerHTML
      .replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1)));
    total.value = String(index + 1);
    rows.lastElementChild.querySelector("input").focus();
  });
}());
