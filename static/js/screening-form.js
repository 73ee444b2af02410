// The screening form's helpers. None of them decides anything: the server checks every
// answer, treats the criteria of hidden questions as not applicable whatever is posted, and
// saves only what the nurse sees in the fields.
// - Shows a question only while the answers it depends on say it applies (data-shown-if).
// - "None of these" / "Yes to all of these" answer each unanswered question of their
//   checklist with its own answer, visibly; an unanswered question stays unanswered.
// - Moves focus to the error summary, and from a link in it to the field.
// - Asks the reason for a change next to the saved answer that was changed.
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

  function unanswered(question) {
    const key = question.dataset.variable;
    const never = form.querySelector(`[name="${key}__never"]`);
    return answer(key) === "" && !(never && never.checked);
  }

  function give(question, value) {
    const key = question.dataset.variable;
    if (value === "never") {
      form.querySelector(`[name="${key}__never"]`).checked = true;
      return;
    }
    const radio = form.querySelector(`[name="${key}"][value="${value}"]`);
    if (radio) {
      radio.checked = true;
    } else {
      form.querySelector(`[name="${key}"]`).value = value;
    }
  }

  function firstInput(container) {
    return container.querySelector("input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea");
  }

  // After a checklist is answered, the next question to answer gets the focus.
  function focusNextAfter(block) {
    const questions = Array.from(form.querySelectorAll(".question"));
    const inBlock = block.querySelectorAll(".question");
    const last = inBlock[inBlock.length - 1];
    const after = questions.slice(questions.indexOf(last) + 1);
    const next = after.find(function (q) { return !q.hidden && unanswered(q); });
    const target = next ? firstInput(next) : form.querySelector("[data-testid=record-decision], [name=save]");
    if (target) target.focus();
  }

  form.querySelectorAll("[data-answer-all]").forEach(function (button) {
    const block = button.closest("[data-checklist]");
    button.hidden = false;
    button.addEventListener("click", function () {
      const kind = button.dataset.answerAll;
      block.querySelectorAll(`[data-member="${kind}"]`).forEach(function (question) {
        if (question.hidden || !unanswered(question)) return;
        give(question, kind === "yes" ? "yes" : question.dataset.noneValue);
      });
      refresh();
      focusNextAfter(block);
    });
  });

  // A date typed where "Never" was ticked means the date: the tick goes.
  form.addEventListener("input", function (event) {
    const name = event.target.name || "";
    const never = form.querySelector(`[name="${name}__never"]`);
    if (never && event.target.value !== "") never.checked = false;
  });

  // The reason for changing a saved answer is asked right below that answer.
  const reason = document.getElementById("change-reason");
  if (reason && !("open" in reason.dataset) && !reason.querySelector("input, textarea").value) {
    reason.hidden = true;
  }
  function askReason(event) {
    const question = event.target.closest("[data-saved]");
    if (!reason || !question || question.nextElementSibling === reason) return;
    question.after(reason);
    reason.hidden = false;
  }
  form.addEventListener("input", askReason);
  form.addEventListener("change", function (event) {
    refresh();
    askReason(event);
  });

  // Links to a field (error summary, "Still needed") move the focus into it.
  function focusLink(event) {
    const target = document.getElementById(event.currentTarget.hash.slice(1));
    if (!target) return;
    const container = target.closest(".question") || target;
    const input = target.matches("input, select, textarea") ? target : firstInput(container);
    if (!input) return;
    event.preventDefault();
    container.scrollIntoView({ block: "center" });
    input.focus({ preventScroll: true });
  }
  document.querySelectorAll(".error-summary a[href^='#'], [data-testid=still-needed] a").forEach(function (link) {
    link.addEventListener("click", focusLink);
  });
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  refresh();
})();
