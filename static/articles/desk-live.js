/* The story editor while it is open (articles/desk/live_editing.py is the server side):
 *  - autosave: 500 ms after the last keystroke the form is posted to the editor's own autosave
 *    slot (never to the story), and the status line says "Saved 10:42";
 *  - presence: a heartbeat every 20 s says who else has the story open, and whether someone
 *    saved a newer version since this form was opened;
 *  - live preview: the reader's page rendered from the unsaved form, at three widths, refreshed
 *    (debounced) after edits, in a sandboxed frame where no script runs.
 */
(function () {
  "use strict";

  var AUTOSAVE_DELAY = 500;
  var PREVIEW_DELAY = 800;
  var HEARTBEAT_EVERY = 20000;

  function formBody(form) {
    var data = new FormData(form);
    data.delete("lead_photo_file");
    data.delete("_preview");
    return data;
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      cache: "no-store",
    });
  }

  function setUp(live) {
    var form = live.closest("form");
    if (!form) return;
    var status = live.querySelector("[data-autosave-status]");
    var presence = live.querySelector("[data-presence]");
    var state = { dirty: false, saving: false, submitting: false, newer: null, others: [] };

    function say(text, kind) {
      if (!status) return;
      status.textContent = text;
      status.dataset.state = kind || "";
    }

    function showPresence() {
      if (!presence) return;
      presence.replaceChildren();
      state.others.forEach(function (other) {
        var p = document.createElement("p");
        p.className = "desk-notice desk-notice--presence";
        p.textContent = other.name + " is also editing this story (since " + other.since + ").";
        presence.appendChild(p);
      });
      if (state.newer) {
        var p = document.createElement("p");
        p.className = "desk-notice desk-notice--newer";
        p.textContent = state.newer.by + " saved a newer version at " + state.newer.at + ". ";
        var reload = document.createElement("a");
        reload.href = window.location.pathname;
        reload.textContent = "Reload to see it";
        p.appendChild(reload);
        p.appendChild(document.createTextNode(" (your typing stays in your autosave)."));
        presence.appendChild(p);
      }
    }

    // ---- Autosave --------------------------------------------------------------------------
    var autosaveUrl = live.dataset.autosaveUrl;
    var autosaveTimer = null;

    function autosave() {
      autosaveTimer = null;
      if (!state.dirty || state.submitting) return;
      if (state.saving) { schedule(AUTOSAVE_DELAY); return; }
      state.saving = true;
      state.dirty = false;
      say("Saving…", "saving");
      post(autosaveUrl, formBody(form))
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (response.status === 429) {
              state.dirty = true;
              schedule(1000 * (parseInt(response.headers.get("Retry-After"), 10) || 1));
              return;
            }
            if (response.status === 409 && data.newer) {
              state.newer = data.newer;
              showPresence();
              say("Saved " + data.saved_at + " (for you only — " + data.newer.by + " saved a newer version)", "conflict");
              return;
            }
            if (!response.ok) throw new Error(data.error || "HTTP " + response.status);
            say("Saved " + data.saved_at, "saved");
          });
        })
        .catch(function () {
          state.dirty = true;
          say("Not saved — connection lost; retrying…", "error");
          schedule(5000);
        })
        .finally(function () { state.saving = false; });
    }

    function schedule(delay) {
      clearTimeout(autosaveTimer);
      autosaveTimer = setTimeout(autosave, delay);
    }

    // ---- Live preview ----------------------------------------------------------------------
    var panel = document.querySelector("[data-live-preview]");
    var toggle = live.querySelector("[data-live-preview-toggle]");
    var frame = panel && panel.querySelector("[data-preview-frame]");
    var viewport = panel && panel.querySelector("[data-preview-viewport]");
    var previewState = panel && panel.querySelector("[data-preview-state]");
    var previewUrl = live.dataset.previewUrl;
    var previewTimer = null;
    var previewWidth = 1280;
    var previewRequest = 0;

    function fit() {
      if (!frame || panel.hidden) return;
      var scale = Math.min(1, viewport.clientWidth / previewWidth);
      frame.style.width = previewWidth + "px";
      frame.style.height = Math.round(viewport.clientHeight / scale) + "px";
      frame.style.transform = "scale(" + scale + ")";
    }

    function refreshPreview() {
      previewTimer = null;
      if (!frame || panel.hidden) return;
      var ticket = ++previewRequest;
      previewState.textContent = "Updating…";
      post(previewUrl, formBody(form))
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) {
          if (ticket !== previewRequest) return; // a newer one is on its way
          frame.srcdoc = html;
          var now = new Date();
          previewState.textContent = "Updated " + now.toTimeString().slice(0, 5);
          panel.dataset.updatedAt = String(now.getTime());
        })
        .catch(function () { previewState.textContent = "The preview could not be updated."; });
    }

    function schedulePreview() {
      if (!frame || panel.hidden) return;
      clearTimeout(previewTimer);
      previewTimer = setTimeout(refreshPreview, PREVIEW_DELAY);
    }

    function openPreview(open) {
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      document.body.classList.toggle("has-live-preview", open);
      if (open) { fit(); refreshPreview(); }
    }

    if (panel && toggle && previewUrl) {
      toggle.hidden = false;
      toggle.addEventListener("click", function () { openPreview(panel.hidden); });
      panel.querySelector("[data-live-preview-close]").addEventListener("click", function () {
        openPreview(false);
        toggle.focus();
      });
      panel.querySelectorAll("[data-preview-width]").forEach(function (button) {
        button.addEventListener("click", function () {
          previewWidth = parseInt(button.dataset.previewWidth, 10);
          panel.querySelectorAll("[data-preview-width]").forEach(function (other) {
            other.setAttribute("aria-pressed", String(other === button));
          });
          panel.dataset.width = String(previewWidth);
          fit();
        });
      });
      window.addEventListener("resize", fit);
    }

    // ---- Edits -----------------------------------------------------------------------------
    function edited(event) {
      if (event.target && event.target.type === "file") return;
      if (autosaveUrl) {
        state.dirty = true;
        say("Unsaved changes…", "dirty");
        schedule(AUTOSAVE_DELAY);
      }
      schedulePreview();
    }
    form.addEventListener("input", edited);
    form.addEventListener("change", edited);
    form.addEventListener("submit", function () {
      state.submitting = true;
      clearTimeout(autosaveTimer);
    });

    var discard = document.querySelector("[data-discard-autosave]");
    if (discard) {
      discard.addEventListener("click", function () {
        post(discard.dataset.discardAutosave, new FormData(form)).then(function (response) {
          if (!response.ok && !response.redirected) return;
          var offer = discard.closest("[data-autosave-offer]");
          if (offer) offer.remove();
          say("Discarded your unsaved changes.", "");
        });
      });
    }

    // ---- Presence --------------------------------------------------------------------------
    var presenceUrl = live.dataset.presenceUrl;
    function heartbeat() {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      var opened = form.querySelector("[name=opened_version]");
      if (opened) body.append("opened_version", opened.value);
      post(presenceUrl, body)
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data) return;
          state.others = data.others || [];
          state.newer = data.newer || state.newer;
          showPresence();
        })
        .catch(function () { /* offline: try again at the next beat */ });
    }
    if (presenceUrl) {
      heartbeat();
      setInterval(heartbeat, HEARTBEAT_EVERY);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-desk-live]").forEach(setUp);
  });
})();
