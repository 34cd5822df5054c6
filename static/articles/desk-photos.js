/* The lead photo on the story form: drop a file onto the photo box (or anywhere on the lead-photo
 * panel) and see it at once; choose a stored photo from a searchable grid of thumbnails.
 * Without JavaScript the file box and the autocomplete box do the same job.
 */
(function () {
  "use strict";

  function setUpDrop(drop) {
    var input = drop.querySelector('input[type="file"]');
    var preview = drop.querySelector("[data-photo-drop-preview]");
    var hint = drop.querySelector("[data-photo-drop-hint]");
    var zone = drop.closest("fieldset") || drop;
    if (!input) return;
    if (hint) hint.hidden = false;

    function show(file) {
      if (!preview || !file || !/^image\//.test(file.type)) return;
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
    }
    input.addEventListener("change", function () { show(input.files[0]); });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        if (!event.dataTransfer || Array.prototype.indexOf.call(event.dataTransfer.types, "Files") < 0) return;
        event.preventDefault();
        zone.classList.add("is-dropping");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-dropping"); });
    });
    zone.addEventListener("drop", function (event) {
      if (!event.dataTransfer || !event.dataTransfer.files.length) return;
      event.preventDefault();
      var transfer = new DataTransfer();
      transfer.items.add(event.dataTransfer.files[0]);
      input.files = transfer.files;
      input.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function chooseLeadImage(button) {
    var select = document.getElementById("id_lead_image");
    if (!select) return;
    var id = button.dataset.photoId;
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === id; });
    if (!option) {
      option = new Option(button.dataset.photoLabel, id, true, true);
      select.appendChild(option);
    }
    select.value = id;
    if (window.django && window.django.jQuery) window.django.jQuery(select).trigger("change");
    else select.dispatchEvent(new Event("change", { bubbles: true }));
    var panel = document.querySelector("[data-lead-photo]");
    if (!panel) return;
    var picture = panel.querySelector("[data-lead-photo-picture]");
    if (picture) {
      var img = document.createElement("img");
      img.src = button.dataset.photoThumb;
      img.alt = "";
      img.width = 160;
      img.height = 160;
      img.className = "lead-photo__thumb";
      picture.replaceChildren(img);
    }
    var details = panel.querySelector("[data-lead-photo-details]");
    if (details) details.hidden = false;
    var caption = panel.querySelector("[data-lead-photo-caption]");
    var credit = panel.querySelector("[data-lead-photo-credit]");
    if (caption) caption.textContent = button.dataset.photoCaption || "—";
    if (credit) credit.textContent = button.dataset.photoCredit || "—";
    var alt = document.getElementById("id_lead_photo_alt");
    if (alt) alt.value = button.dataset.photoAlt || "";
    var edit = panel.querySelector("[data-lead-photo-edit]");
    if (edit) edit.hidden = true; // it points at the previous photo until the story is saved
  }

  function setUpChooser(link) {
    var dialog = document.createElement("dialog");
    dialog.className = "photo-chooser-dialog";
    dialog.setAttribute("aria-labelledby", "photo-chooser-title");
    dialog.innerHTML =
      '<div class="photo-chooser__head"><h2 id="photo-chooser-title">Choose a lead photo</h2>' +
      '<button type="button" class="button" data-close>Close</button></div>' +
      '<form class="photo-chooser__search" role="search"><label for="photo-chooser-search">Search photos</label> ' +
      '<input type="search" id="photo-chooser-search" name="q"> <button type="submit" class="button">Search</button></form>' +
      '<div class="photo-chooser__results" data-results aria-live="polite"></div>';
    document.body.appendChild(dialog);
    var results = dialog.querySelector("[data-results]");
    var search = dialog.querySelector("input[name=q]");
    var base = link.getAttribute("href");

    function load(url) {
      results.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) { results.innerHTML = html; })
        .catch(function () { results.textContent = "The photo library could not be loaded; try again."; })
        .finally(function () { results.removeAttribute("aria-busy"); });
    }
    function query(extra) {
      var params = new URLSearchParams(extra || "");
      params.set("fragment", "1");
      if (!params.has("q")) params.set("q", search.value);
      return base + "?" + params.toString();
    }
    var timer;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { load(query()); }, 250);
    });
    dialog.querySelector("form").addEventListener("submit", function (event) {
      event.preventDefault();
      load(query());
    });
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
    results.addEventListener("click", function (event) {
      var page = event.target.closest("[data-photo-chooser-page]");
      if (page) {
        event.preventDefault();
        load(query(page.getAttribute("href").replace(/^\?/, "")));
        return;
      }
      var choice = event.target.closest("[data-photo-id]");
      if (!choice) return;
      chooseLeadImage(choice);
      dialog.close();
      link.focus();
    });
    link.addEventListener("click", function (event) {
      event.preventDefault();
      dialog.showModal();
      search.focus();
      load(query());
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-photo-drop]").forEach(setUpDrop);
    document.querySelectorAll("[data-photo-chooser]").forEach(setUpChooser);
  });
})();
