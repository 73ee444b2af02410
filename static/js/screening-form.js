// Shows a question only while the answers it depends on say it applies (data-shown-if).
// The server treats the criteria of hidden questions as not applicable whatever is posted,
// so this script only spares the nurse irrelevant questions; it decides nothing.
(function () {
  "use strict";
  const form = document.getElementById("screening-form");
  if (!form) return;

  function answer(key) {
    const checked = form.querySelector(`[name="${key}"]:checked`);
    if (checked) return checked.value;
    const field = form.querySelector(`[name="${key}"]:not([type=radio])`);
    return field ? field.value : "";
  }

  function holds(condition) {
    const value = answer(condition.variable);
    switch (condition.operator) {
      case "is_true": return value === "yes";
      case "is_false": return value === "no";
      case "eq": return value === condition.value;
      case "ne": return value !== "" && value !== condition.value;
      case "in": return condition.value.includes(value);
      case "not_in": return value !== "" && !condition.value.includes(value);
      default: return true; // unknown to the script: show rather than hide
    }
  }

  function refresh() {
    form.querySelectorAll("[data-shown-if]").forEach(function (question) {
      const conditions = JSON.parse(question.dataset.shownIf);
      question.hidden = !conditions.every(holds);
    });
  }

  form.addEventListener("change", refresh);
  refresh();
})();
