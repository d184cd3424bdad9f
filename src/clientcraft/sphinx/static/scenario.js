/* clientcraft practice exercises: turn each option's <details> into a button.
 *
 * Without JavaScript every option is a <details> element with its feedback inside. This script
 * replaces them with real <button>s (aria-pressed) and moves the feedback into one
 * aria-live="polite" area, so choosing an option shows its feedback, credit and consequence plus
 * the takeaway, and the learner can choose another option to compare.
 *
 * Inside a SCORM package the module page is shown in a frame of its SCO's launch page, whose
 * clientcraft-sco.js holds the LMS session (window.clientcraftSco, see that file). Then each
 * choice is also reported to it, and the options chosen in an earlier visit are shown chosen
 * again. Without that session (the normal book) nothing else happens.
 */
(function () {
  "use strict";

  function lmsSession() {
    try {
      return (window.parent !== window && window.parent.clientcraftSco) || null;
    } catch (e) {
      return null; // the book framed by a page of another origin: not our SCO
    }
  }

  function enhance(exercise, sco) {
    var group = exercise.querySelector(".cc-options");
    var takeaway = exercise.querySelector("details.cc-takeaway");
    if (!group || exercise.classList.contains("cc-enhanced")) {
      return;
    }
    var id = exercise.getAttribute("data-scenario-id");
    var panel = document.createElement("div");
    panel.className = "cc-panel";
    panel.id = "cc-panel-" + id;
    panel.setAttribute("aria-live", "polite");

    var chosen = document.createElement("p");
    chosen.className = "cc-chosen";
    chosen.hidden = true;
    panel.appendChild(chosen);

    var choices = Array.prototype.map.call(group.querySelectorAll("details.cc-option"), function (details) {
      var button = document.createElement("button");
      var summary = details.querySelector("summary");
      var feedback = details.querySelector(".cc-feedback");
      button.type = "button";
      button.className = "cc-choice";
      button.setAttribute("data-key", details.getAttribute("data-key"));
      button.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-controls", panel.id);
      while (summary.firstChild) {
        button.appendChild(summary.firstChild);
      }
      feedback.hidden = true;
      panel.appendChild(feedback);
      details.parentNode.replaceChild(button, details);
      return { key: button.getAttribute("data-key"), button: button, feedback: feedback };
    });

    var takeawayBody = null;
    if (takeaway) {
      takeawayBody = takeaway.querySelector(".cc-takeaway-text");
      takeawayBody.classList.add("cc-takeaway");
      takeawayBody.hidden = true;
      var label = document.createElement("strong");
      label.textContent = "Takeaway: ";
      var first = takeawayBody.querySelector("p");
      (first || takeawayBody).insertBefore(label, (first || takeawayBody).firstChild);
      panel.appendChild(takeawayBody);
      takeaway.parentNode.removeChild(takeaway);
    }

    var retry = document.createElement("button");
    retry.type = "button";
    retry.className = "cc-retry";
    retry.textContent = "Try another option";
    retry.hidden = true;
    panel.appendChild(retry);

    group.parentNode.insertBefore(panel, group.nextSibling);

    function choose(index) {
      choices.forEach(function (choice, i) {
        var on = i === index;
        choice.button.setAttribute("aria-pressed", on ? "true" : "false");
        choice.feedback.hidden = !on;
      });
      var none = index < 0;
      chosen.hidden = none;
      chosen.textContent = none ? "" : "You chose option " + choices[index].key + ".";
      if (takeawayBody) {
        takeawayBody.hidden = none;
      }
      retry.hidden = none;
      exercise.classList.toggle("cc-answered", !none);
    }

    choices.forEach(function (choice, i) {
      choice.button.addEventListener("click", function () {
        choose(i);
        if (sco) {
          sco.record(id, choice.key);
        }
      });
    });
    retry.addEventListener("click", function () {
      choose(-1);
      choices[0].button.focus();
    });
    exercise.classList.add("cc-enhanced");
    var earlier = sco && sco.answer(id);
    if (earlier) {
      choose(choices.findIndex(function (choice) {
        return choice.key === earlier;
      }));
    }
  }

  function enhanceAll() {
    var sco = lmsSession();
    Array.prototype.forEach.call(document.querySelectorAll(".cc-scenario"), function (exercise) {
      enhance(exercise, sco);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
