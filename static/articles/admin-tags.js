/* The story's tags as chips, with keyboard-usable suggestions of existing tags.
 *
 * The server renders a plain comma-separated text box (it works without JavaScript, in taggit's
 * syntax: names with a space or comma in double quotes). This hides that box and shows each tag as
 * a chip with a remove button, and a combobox to add more: typing looks up existing tags (after a
 * short pause), ArrowUp/ArrowDown move through them, Enter or a comma adds the highlighted one (or
 * what was typed), Backspace in the empty box removes the last chip, Escape closes the list. The
 * hidden box is rewritten after every change, so the form sends exactly the chips shown.
 */
(function () {
  "use strict";

  function parse(value) {
    var names = [];
    var pattern = /"([^"]*)"|([^,"]+)/g;
    var match;
    while ((match = pattern.exec(value)) !== null) {
      var name = (match[1] !== undefined ? match[1] : match[2]).trim();
      if (name) names.push(name);
    }
    return names;
  }

  function key(name) {
    return name.normalize("NFKC").replace(/\s+/g, " ").trim().toLowerCase();
  }

  function enhance(input) {
    if (input.dataset.tagChips) return;
    input.dataset.tagChips = "on";
    var names = parse(input.value);
    var label = document.querySelector('label[for="' + input.id + '"]');
    var listId = input.id + "-options";

    var box = document.createElement("div");
    box.className = "tag-chips";
    var chips = document.createElement("ul");
    chips.className = "tag-chips__list";
    chips.setAttribute("aria-label", "Tags on this story");
    var entry = document.createElement("input");
    entry.type = "text";
    entry.id = input.id + "-entry";
    entry.className = "tag-chips__entry";
    entry.autocomplete = "off";
    entry.placeholder = "Add a tag…";
    entry.setAttribute("role", "combobox");
    entry.setAttribute("aria-autocomplete", "list");
    entry.setAttribute("aria-expanded", "false");
    entry.setAttribute("aria-controls", listId);
    var options = document.createElement("ul");
    options.id = listId;
    options.className = "tag-chips__options";
    options.setAttribute("role", "listbox");
    options.hidden = true;
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    box.append(chips, entry, options, status);
    input.after(box);
    input.hidden = true;
    if (label) {
      label.htmlFor = entry.id;
      options.setAttribute("aria-label", "Suggested tags");
    }

    var active = -1;
    var timer = null;

    function sync() {
      input.value = names.map(function (name) {
        return '"' + name.replace(/"/g, "") + '"';
      }).join(", ");
      chips.replaceChildren.apply(chips, names.map(function (name, index) {
        var chip = document.createElement("li");
        chip.className = "tag-chip";
        var text = document.createElement("span");
        text.textContent = name;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "tag-chip__remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Remove tag " + name);
        remove.addEventListener("click", function () {
          names.splice(index, 1);
          sync();
          status.textContent = "Removed " + name;
          entry.focus();
        });
        chip.append(text, remove);
        return chip;
      }));
    }

    function add(name) {
      name = name.replace(/[",]/g, " ").replace(/\s+/g, " ").trim();
      if (!name) return;
      var known = names.map(key);
      if (known.indexOf(key(name)) === -1) {
        names.push(name);
        status.textContent = "Added " + name;
      }
      entry.value = "";
      close();
      sync();
    }

    function close() {
      options.hidden = true;
      options.replaceChildren();
      entry.setAttribute("aria-expanded", "false");
      entry.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options.querySelectorAll("[role=option]");
      if (!items.length) return;
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      entry.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function show(results) {
      var known = names.map(key);
      results = results.filter(function (name) { return known.indexOf(key(name)) === -1; });
      if (!results.length || !entry.value.trim()) return close();
      options.replaceChildren.apply(options, results.map(function (name, index) {
        var item = document.createElement("li");
        item.id = listId + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = name;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box
          add(name);
        });
        return item;
      }));
      options.hidden = false;
      entry.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function suggest() {
      var term = entry.value.trim();
      if (!term) return close();
      var url = input.dataset.tagAutocomplete + "?q=" + encodeURIComponent(term);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (entry.value.trim() === term) show(data.results); })
        .catch(close);
    }

    entry.addEventListener("input", function () {
      if (entry.value.indexOf(",") !== -1) {
        entry.value.split(",").forEach(add);
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
    entry.addEventListener("keydown", function (event) {
      var open = !options.hidden;
      if (event.key === "ArrowDown" && open) {
        event.preventDefault();
        highlight(active + 1);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        if (!entry.value.trim() && active < 0) return; // an empty box lets Enter submit the form
        event.preventDefault();
        var items = options.querySelectorAll("[role=option]");
        add(open && active >= 0 ? items[active].textContent : entry.value);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      } else if (event.key === "Backspace" && !entry.value && names.length) {
        status.textContent = "Removed " + names.pop();
        sync();
      }
    });
    entry.addEventListener("blur", function () { setTimeout(close, 100); });
    if (input.form) {
      // Words typed but not yet turned into a chip are still saved.
      input.form.addEventListener("submit", function () { add(entry.value); }, true);
    }
    sync();
  }

  function enhanceAll() {
    document.querySelectorAll("input[data-tag-autocomplete]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
