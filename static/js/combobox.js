// The municipality and organisation pickers (registry.widgets, templates/widgets/combobox.html).
//
// Each <select data-combobox="multiple|single"> stays in the form, hidden, and keeps the
// chosen values: without JavaScript it is the picker itself. With it, a text box in the
// WAI-ARIA 1.2 combobox pattern searches as you type (the API endpoint in data-endpoint, its
// ?q= filter, after a pause in the typing; without an endpoint, the select's own options),
// the matches are a listbox (arrow keys, Enter to choose, Escape to close), the chosen items
// are chips (buttons: "Remove <name>"), and Backspace in the empty box removes the last one.
// Only matches that are among the select's options are offered, so the form's choices stay
// the one truth. A live region says how many matches there are. No framework, no inline
// script or style (the Content Security Policy allows neither).
(function () {
  "use strict";

  var DEBOUNCE_MS = 250;
  var counter = 0;

  function normalise(text) {
    return text.toLocaleLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").trim();
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function enhance(select) {
    if (select.dataset.comboboxReady || select.disabled) { return; }
    select.dataset.comboboxReady = "1";
    var multiple = select.dataset.combobox === "multiple";
    var text = select.dataset;
    var pageSize = parseInt(text.pageSize || "20", 10);
    counter += 1;
    var id = select.id || "combobox-" + counter;

    // The text box takes the select's id, so that its <label for> and the error summary's
    // link lead to the box; the select keeps its name and values.
    select.id = id + "-select";
    select.hidden = true;
    select.tabIndex = -1;
    var required = select.required;
    select.required = false;

    var chips = element("ul", {"class": "combobox-chips", "aria-label": text.textChosen});
    var box = element("div", {"class": "combobox"});
    var input = element("input", {
      "type": "text",
      "id": id,
      "class": "combobox-input",
      "role": "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": id + "-listbox",
      "autocomplete": "off",
      "autocapitalize": "off",
      "spellcheck": "false"
    });
    var listbox = element("ul", {
      "class": "combobox-listbox",
      "id": id + "-listbox",
      "role": "listbox",
      "aria-label": text.textSuggestions
    });
    listbox.hidden = true;
    var hint = element("span", {"id": id + "-hint", "class": "visually-hidden"}, text.textHint);
    var status = element("div", {"class": "visually-hidden", "role": "status"});
    var describedBy = (select.getAttribute("aria-describedby") || "").trim();
    input.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + hint.id);
    if (select.getAttribute("aria-invalid")) {
      input.setAttribute("aria-invalid", select.getAttribute("aria-invalid"));
    }
    if (required) { input.setAttribute("aria-required", "true"); }
    box.appendChild(input);
    box.appendChild(listbox);
    select.insertAdjacentElement("afterend", status);
    select.insertAdjacentElement("afterend", hint);
    select.insertAdjacentElement("afterend", box);
    select.insertAdjacentElement("afterend", chips);

    // The options to choose from (not the empty one), with the group each is in.
    var options = [];
    var byValue = {};
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.value === "") { return; }
      var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.label : "";
      var entry = {option: option, value: option.value, label: option.text, group: group,
                   key: normalise(option.text)};
      options.push(entry);
      byValue[option.value] = entry;
    });
    // The chosen ones in the order they were chosen (the page's own first).
    var chosen = options.filter(function (entry) { return entry.option.selected; });

    var matches = [];
    var active = -1;
    var timer = null;
    var sequence = 0;

    function announce(message) {
      // Emptied first, so that the same words said twice are read twice.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 50);
    }

    function isChosen(entry) {
      return chosen.indexOf(entry) !== -1;
    }

    function renderChips() {
      chips.textContent = "";
      chosen.forEach(function (entry) {
        var item = element("li");
        var button = element("button", {
          "type": "button",
          "class": "combobox-chip",
          "aria-label": fill(text.textRemove, {name: entry.label}),
          "data-value": entry.value
        });
        button.appendChild(element("span", {"class": "combobox-chip-name"}, entry.label));
        button.appendChild(element("span", {"class": "combobox-chip-x", "aria-hidden": "true"}, "×"));
        item.appendChild(button);
        chips.appendChild(item);
      });
      chips.hidden = chosen.length === 0;
    }

    function setActive(index) {
      var items = listbox.children;
      if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
      active = index;
      if (active >= 0 && items[active]) {
        items[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[active].id);
        var item = items[active];
        if (item.offsetTop < listbox.scrollTop) {
          listbox.scrollTop = item.offsetTop;
        } else if (item.offsetTop + item.offsetHeight > listbox.scrollTop + listbox.clientHeight) {
          listbox.scrollTop = item.offsetTop + item.offsetHeight - listbox.clientHeight;
        }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function show(found, more, activate) {
      matches = found.filter(function (entry) { return !multiple || !isChosen(entry); });
      listbox.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      matches.forEach(function (entry, index) {
        var item = element("li", {
          "id": id + "-option-" + index,
          "role": "option",
          "class": "combobox-option",
          "aria-selected": "false"
        }, entry.label);
        if (entry.group) {
          item.appendChild(element("span", {"class": "combobox-group"}, entry.group));
        }
        listbox.appendChild(item);
      });
      if (!matches.length) {
        close();
        announce(text.textNone);
        return;
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      if (activate === "first") { setActive(0); }
      if (activate === "last") { setActive(matches.length - 1); }
      var count = matches.length;
      announce(more ? fill(text.textMore, {count: count})
                    : count === 1 ? text.textOne : fill(text.textMany, {count: count}));
    }

    // Matches that start with what was typed first, then those that contain it.
    function ranked(entries, query) {
      var key = normalise(query);
      var starts = [];
      var contains = [];
      entries.forEach(function (entry) {
        (entry.key.indexOf(key) === 0 ? starts : contains).push(entry);
      });
      return starts.concat(contains);
    }

    function searchLocally(query, activate) {
      var key = normalise(query);
      var found = options.filter(function (entry) {
        return (!multiple || !isChosen(entry)) && entry.key.indexOf(key) !== -1;
      });
      found = key ? ranked(found, query) : found;
      show(found.slice(0, pageSize), found.length > pageSize, activate);
    }

    function search(query, activate) {
      var mine = ++sequence;
      if (!text.endpoint || !query.trim()) {
        searchLocally(query, activate);
        return;
      }
      var url = new URL(text.endpoint, window.location.href);
      url.searchParams.set("q", query.trim());
      url.searchParams.set("page_size", String(pageSize));
      url.searchParams.set("ordering", "name");
      window.fetch(url.toString(), {
        credentials: "same-origin",
        headers: {"Accept": "application/json"}
      }).then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      }).then(function (data) {
        if (mine !== sequence) { return; }  // a later search has started
        var found = [];
        (data.results || []).forEach(function (row) {
          var entry = byValue[String(row.id)];
          if (entry && found.indexOf(entry) === -1) { found.push(entry); }
        });
        var more = Boolean(data.next) || (typeof data.count === "number" &&
                                          data.count > (data.results || []).length);
        show(ranked(found, query), more, activate);
      }).catch(function () {
        // The API did not answer: search the options in the page instead.
        if (mine === sequence) { searchLocally(query, activate); }
      });
    }

    function choose(entry) {
      if (multiple) {
        entry.option.selected = true;
        if (!isChosen(entry)) { chosen.push(entry); }
      } else {
        select.value = entry.value;
        chosen = [entry];
      }
      select.dispatchEvent(new Event("change", {bubbles: true}));
      input.value = "";
      sequence += 1;
      close();
      renderChips();
      announce(fill(text.textAdded, {name: entry.label}));
    }

    function remove(entry, focusAfter) {
      var index = chosen.indexOf(entry);
      if (index === -1) { return; }
      chosen.splice(index, 1);
      if (multiple) {
        entry.option.selected = false;
      } else {
        var empty = select.querySelector("option[value='']");
        if (empty) { empty.selected = true; } else { select.selectedIndex = -1; }
      }
      select.dispatchEvent(new Event("change", {bubbles: true}));
      renderChips();
      announce(fill(text.textRemoved, {name: entry.label}));
      if (focusAfter) {
        var buttons = chips.querySelectorAll("button");
        (buttons[Math.min(index, buttons.length - 1)] || input).focus();
      }
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      var query = input.value;
      if (!query.trim()) {
        sequence += 1;
        close();
        return;
      }
      announce(text.textSearching);
      timer = window.setTimeout(function () { search(query, null); }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!open) {
            window.clearTimeout(timer);
            search(input.value, event.altKey ? null : "first");
          } else if (matches.length) {
            setActive(active + 1 >= matches.length ? 0 : active + 1);
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!open) {
            window.clearTimeout(timer);
            search(input.value, "last");
          } else if (matches.length) {
            setActive(active <= 0 ? matches.length - 1 : active - 1);
          }
          break;
        case "Enter":
          // Enter in the box chooses; it never sends the form half filled in.
          event.preventDefault();
          if (open && active >= 0) { choose(matches[active]); }
          break;
        case "Escape":
          if (open) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
          }
          break;
        case "Backspace":
          if (!input.value && chosen.length) {
            event.preventDefault();
            remove(chosen[chosen.length - 1], false);
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (document.activeElement !== input) { close(); }
      }, 150);
    });

    // A click on an option chooses it; the text box keeps the focus.
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    listbox.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (!item) { return; }
      var index = Array.prototype.indexOf.call(listbox.children, item);
      if (matches[index]) {
        choose(matches[index]);
        input.focus();
      }
    });

    chips.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-value]");
      if (button && byValue[button.dataset.value]) {
        remove(byValue[button.dataset.value], true);
      }
    });

    renderChips();
  }

  function enhanceWithin(root) {
    if (root.matches && root.matches("select[data-combobox]")) { enhance(root); }
    if (root.querySelectorAll) {
      Array.prototype.forEach.call(root.querySelectorAll("select[data-combobox]"), enhance);
    }
  }

  function start() {
    enhanceWithin(document);
    // Rows added later (a formset's "add another", an htmx swap) are enhanced too.
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        Array.prototype.forEach.call(record.addedNodes, function (node) {
          if (node.nodeType === 1) { enhanceWithin(node); }
        });
      });
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
