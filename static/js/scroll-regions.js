// A table wider than the screen scrolls inside its own box (.table-responsive) so that the page
// never scrolls sideways. Keyboard users can only scroll a box that takes focus, so a box that
// does scroll becomes a named, focusable region; one that fits adds no Tab stop.
(function () {
  "use strict";

  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        // The words come from the page (base.html), in its language.
        var label = box.dataset.label || document.body.dataset.scrollLabel;
        box.setAttribute("aria-label", label || "Table (scrolls sideways)");
      } else if (box.hasAttribute("tabindex")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", update);
})();
