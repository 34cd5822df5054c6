// A live page asks for its updates every few seconds (one cached address per story: the page
// cache and Varnish answer, with a 304 when nothing changed). New updates wait behind a
// "3 new updates" button so nothing moves under the reader; edits replace an update in place,
// deleted updates leave the page at once and the key events box follows pins and unpins.
// Without this script the page shows everything anyway.
(function () {
  "use strict";
  var section = document.getElementById("live");
  if (!section || !window.fetch || !section.dataset.updatesUrl) return;

  var INTERVAL_MS = 5000;
  var url = section.dataset.updatesUrl;
  var oldestFirst = section.dataset.order === "oldest";
  var stream = document.getElementById("live-stream");
  var announcer = document.getElementById("live-announcer");
  var status = document.getElementById("live-status");
  var boxes = section.querySelectorAll(".live__new");
  var box = oldestFirst ? boxes[boxes.length - 1] : boxes[0];
  var button = box.querySelector("button");
  var pendingIds = [];
  var latest = null;
  var timer = null;
  var stopped = false;

  function idOf(element) {
    return Number(element.id.replace("update-", ""));
  }

  function shownUpdates() {
    var found = {};
    stream.querySelectorAll(".live-update").forEach(function (element) {
      found[idOf(element)] = element;
    });
    return found;
  }

  function fromHtml(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  // The words come from the page, one per plural form of the reader's language (data-new-one,
  // data-new-few…: Arabic has six), and the language's rules pick the form for the count.
  var plurals = window.Intl && Intl.PluralRules
    ? new Intl.PluralRules(document.documentElement.lang)
    : null;

  function text(name, count) {
    var category = plurals ? plurals.select(count) : (count === 1 ? "one" : "other");
    var key = name + category.charAt(0).toUpperCase() + category.slice(1);
    var phrase = section.dataset[key] || section.dataset[name + "Other"];
    return phrase.replace("{count}", String(count));
  }

  // The key events box follows pins and unpins: the poll sends it whole ("" when there are none).
  function applyKeyEvents(html) {
    if (typeof html !== "string") return;
    var current = section.querySelector(".live__key-events");
    var fresh = html ? fromHtml(html) : null;
    if (current && fresh && current.isEqualNode(fresh)) return;
    if (current) current.remove();
    if (fresh) section.insertBefore(fresh, section.querySelector(".live__order"));
  }

  function apply(data) {
    latest = data;
    applyKeyEvents(data.key_events_html);
    var visible = {};
    data.ids.forEach(function (id) { visible[id] = true; });
    var shown = shownUpdates();
    Object.keys(shown).forEach(function (id) {
      if (!visible[id]) shown[id].remove();
    });
    data.updates.forEach(function (item) {
      var element = shown[item.id];
      if (element && visible[item.id] && element.dataset.modified !== item.modified) {
        element.replaceWith(fromHtml(item.html));
      }
    });
    var before = pendingIds.length;
    pendingIds = data.ids.filter(function (id) { return !shown[id]; });
    if (pendingIds.length) {
      button.textContent = text("show", pendingIds.length);
      box.hidden = false;
      if (pendingIds.length !== before) announcer.textContent = text("new", pendingIds.length);
    } else {
      box.hidden = true;
    }
    if (!data.live) {
      status.textContent = section.dataset.endedText;
      var badge = section.querySelector(".live__badge");
      if (badge) badge.remove();
      stopped = true;
    }
  }

  function showPending() {
    if (!latest || !pendingIds.length) return;
    var byId = {};
    latest.updates.forEach(function (item) { byId[item.id] = item; });
    if (pendingIds.some(function (id) { return !byId[id]; })) {
      window.location.reload();  // more arrived than one poll carries
      return;
    }
    var empty = stream.querySelector(".live__empty");
    if (empty) empty.remove();
    // pendingIds are newest first, like every list the endpoint sends.
    var ordered = oldestFirst ? pendingIds.slice().reverse() : pendingIds;
    var fragment = document.createDocumentFragment();
    ordered.forEach(function (id) { fragment.appendChild(fromHtml(byId[id].html)); });
    var first = fragment.firstElementChild;
    if (oldestFirst) stream.appendChild(fragment);
    else stream.insertBefore(fragment, stream.firstChild);
    announcer.textContent = text("shown", pendingIds.length);
    pendingIds = [];
    box.hidden = true;
    if (first) {
      first.setAttribute("tabindex", "-1");
      first.focus({ preventScroll: false });
    }
  }

  function schedule() {
    if (stopped) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(poll, INTERVAL_MS * (0.8 + Math.random() * 0.4));
  }

  function poll() {
    if (document.hidden) return;  // resumed by visibilitychange
    window.fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) apply(data); })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(schedule);
  }

  button.addEventListener("click", showPending);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !stopped) poll();
  });
  schedule();
})();
