/* The focal point of a photo, set by clicking or dragging on it (or with the arrow keys on the
 * marker). It writes the "focal point across/down" number boxes, which remain the way to set it
 * without JavaScript, and shows the crops that point gives: card 3:2, thumbnail 1:1, link 1.91:1.
 */
(function () {
  "use strict";

  function clamp(value) {
    return Math.min(1, Math.max(0, Math.round(value * 1000) / 1000));
  }

  function setUp(box) {
    var image = box.querySelector("[data-focal-point-image]");
    var inputX = document.getElementById("id_focal_x");
    var inputY = document.getElementById("id_focal_y");
    if (!image || !inputX || !inputY) return;

    var marker = document.createElement("button");
    marker.type = "button";
    marker.className = "focal-point__marker";
    marker.setAttribute("aria-label", "Focal point: drag, or use the arrow keys");
    box.appendChild(marker);

    var crops = document.createElement("div");
    crops.className = "focal-point__crops";
    crops.setAttribute("aria-label", "The crops this focal point gives");
    [["card", "Card 3:2"], ["thumb", "Thumbnail 1:1"], ["social", "Link preview 1.91:1"]].forEach(function (crop) {
      var figure = document.createElement("figure");
      figure.className = "focal-point__crop focal-point__crop--" + crop[0];
      var img = document.createElement("img");
      img.src = image.currentSrc || image.src;
      img.alt = "";
      var caption = document.createElement("figcaption");
      caption.textContent = crop[1];
      figure.append(img, caption);
      crops.appendChild(figure);
    });
    box.after(crops);

    function current() {
      var x = parseFloat(inputX.value);
      var y = parseFloat(inputY.value);
      return { x: isNaN(x) ? 0.5 : x, y: isNaN(y) ? 0.5 : y };
    }
    function draw() {
      var point = current();
      marker.style.left = point.x * 100 + "%";
      marker.style.top = point.y * 100 + "%";
      crops.querySelectorAll("img").forEach(function (img) {
        img.style.objectPosition = point.x * 100 + "% " + point.y * 100 + "%";
      });
    }
    function set(x, y) {
      inputX.value = clamp(x);
      inputY.value = clamp(y);
      inputX.dispatchEvent(new Event("change", { bubbles: true }));
      draw();
    }
    function fromEvent(event) {
      var rect = image.getBoundingClientRect();
      set((event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height);
    }
    var dragging = false;
    box.addEventListener("pointerdown", function (event) {
      dragging = true;
      box.setPointerCapture(event.pointerId);
      fromEvent(event);
      event.preventDefault();
    });
    box.addEventListener("pointermove", function (event) { if (dragging) fromEvent(event); });
    box.addEventListener("pointerup", function () { dragging = false; });
    box.addEventListener("pointercancel", function () { dragging = false; });
    marker.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? 0.1 : 0.01;
      var point = current();
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (!moves[event.key]) return;
      event.preventDefault();
      set(point.x + moves[event.key][0], point.y + moves[event.key][1]);
    });
    inputX.addEventListener("input", draw);
    inputY.addEventListener("input", draw);
    box.classList.add("is-active");
    draw();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-focal-point]").forEach(setUp);
  });
})();
