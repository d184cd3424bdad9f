/* clientcraft SCORM 1.2 session: loaded only by the launch pages of a SCORM package
 * (lms/<topic>.html, written by `clientcraft export scorm`), never by the book's own pages.
 *
 * One SCO per module. The launch page owns the LMS session and shows the module page of the book
 * in a frame, so the learner can follow the book's links without ending the session:
 *   - on load: find the LMS's SCORM 1.2 API (window.API in a parent or opener window), call
 *     LMSInitialize once, read cmi.suspend_data (the learner's earlier answers);
 *   - per answer (scenario.js in the frame calls record()): append cmi.interactions.n (id = the
 *     scenario id, type choice, the chosen key, result, weighting 1, the best key as the correct
 *     response), update cmi.core.score.raw/min/max (0-100: the mean credit of the *first* answer
 *     to each scenario, so trying other options after seeing the feedback does not raise it),
 *     cmi.core.lesson_status (incomplete until every scenario is answered, then passed at the
 *     mastery score or above, else completed), cmi.suspend_data, then LMSCommit;
 *   - when the LMS unloads the launch page (pagehide): session time, exit "suspend" (so
 *     the LMS resumes with the answers), LMSCommit and LMSFinish, once.
 * The mastery score is the LMS's cmi.student_data.mastery_score if it sets one, else the
 * package's (80). The API discovery is the usual ADL walk up the parent and opener windows,
 * written here (a few lines) instead of vendoring a wrapper library: it is all a SCO needs.
 * Without an LMS nothing is exposed and the book works as it always does, with nothing logged.
 * Suspend data: {"v":1,"a":{"<scenario id>":"<first key><last key>"}}.
 */
(function () {
  "use strict";

  var MAX_PARENTS = 10;

  function apiIn(win) {
    for (var depth = 0; win && depth <= MAX_PARENTS; depth += 1) {
      try {
        if (win.API && typeof win.API.LMSInitialize === "function") {
          return win.API;
        }
      } catch (e) {
        return null; // a window of another origin: no API we may use
      }
      if (win.parent === win) {
        break;
      }
      win = win.parent;
    }
    return null;
  }

  function findAPI() {
    var api = apiIn(window);
    if (!api && window.opener) {
      api = apiIn(window.opener);
    }
    return api;
  }

  function readConfig() {
    var node = document.getElementById("cc-sco-config");
    return node ? JSON.parse(node.textContent) : null;
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) {
      s = "0" + s;
    }
    return s;
  }

  function clock(date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  function timespan(ms) {
    var seconds = Math.floor(ms / 1000);
    return (
      pad(Math.floor(seconds / 3600), 4) + ":" + pad(Math.floor((seconds % 3600) / 60), 2) + ":" +
      pad(seconds % 60, 2)
    );
  }

  function Session(api, config) {
    this.api = api;
    this.config = config;
    this.started = new Date();
    this.finished = false;
    this.answers = {};
    this.mastery = config.mastery;
  }

  Session.prototype.get = function (element) {
    return String(this.api.LMSGetValue(element));
  };

  Session.prototype.set = function (element, value) {
    return String(this.api.LMSSetValue(element, String(value))) === "true";
  };

  Session.prototype.start = function () {
    if (String(this.api.LMSInitialize("")) !== "true") {
      return false;
    }
    var saved = this.get("cmi.suspend_data");
    if (saved) {
      try {
        var data = JSON.parse(saved);
        if (data && data.v === 1 && data.a) {
          this.answers = data.a;
        }
      } catch (e) {
        this.answers = {}; // not ours (or damaged): start the module afresh
      }
    }
    var mastery = parseFloat(this.get("cmi.student_data.mastery_score"));
    if (!isNaN(mastery)) {
      this.mastery = mastery;
    }
    var status = this.get("cmi.core.lesson_status");
    if (status === "not attempted" || status === "") {
      this.set("cmi.core.lesson_status", "incomplete");
      this.api.LMSCommit("");
    }
    return true;
  };

  /* The option the learner last chose for a scenario of this module, or null. */
  Session.prototype.answer = function (scenarioId) {
    var entry = this.answers[scenarioId];
    return this.config.scenarios[scenarioId] && entry ? entry.charAt(1) : null;
  };

  Session.prototype.score = function () {
    var ids = Object.keys(this.config.scenarios);
    var total = 0;
    var answered = 0;
    var self = this;
    ids.forEach(function (id) {
      var entry = self.answers[id];
      if (entry) {
        answered += 1;
        total += self.config.scenarios[id].credits[entry.charAt(0)] || 0;
      }
    });
    return { percent: Math.round((10000 * total) / ids.length) / 100, complete: answered === ids.length };
  };

  /* Report one answer; returns false for scenarios of other modules (the learner followed a link
   * to another page of the book inside this module's frame) and when the session is over. */
  Session.prototype.record = function (scenarioId, key) {
    var scenario = this.config.scenarios[scenarioId];
    if (!scenario || this.finished || !(key in scenario.credits)) {
      return false;
    }
    var credit = scenario.credits[key];
    var n = parseInt(this.get("cmi.interactions._count"), 10) || 0;
    var prefix = "cmi.interactions." + n + ".";
    this.set(prefix + "id", scenarioId);
    this.set(prefix + "type", "choice");
    this.set(prefix + "time", clock(new Date()));
    this.set(prefix + "weighting", 1);
    this.set(prefix + "correct_responses.0.pattern", scenario.best.toLowerCase());
    this.set(prefix + "student_response", key.toLowerCase());
    this.set(prefix + "result", credit === 1 ? "correct" : credit === 0 ? "wrong" : credit);

    var previous = this.answers[scenarioId];
    this.answers[scenarioId] = (previous ? previous.charAt(0) : key) + key;
    var score = this.score();
    this.set("cmi.core.score.min", 0);
    this.set("cmi.core.score.max", 100);
    this.set("cmi.core.score.raw", score.percent);
    var status = "incomplete";
    if (score.complete) {
      status = score.percent >= this.mastery ? "passed" : "completed";
    }
    this.set("cmi.core.lesson_status", status);
    this.set("cmi.suspend_data", JSON.stringify({ v: 1, a: this.answers }));
    this.api.LMSCommit("");
    return true;
  };

  Session.prototype.finish = function () {
    if (this.finished) {
      return;
    }
    this.finished = true;
    this.set("cmi.core.session_time", timespan(new Date() - this.started));
    this.set("cmi.core.exit", "suspend");
    this.api.LMSCommit("");
    this.api.LMSFinish("");
  };

  var config = readConfig();
  var api = config && findAPI();
  if (!api) {
    return; // no LMS: the frame shows the book page, which works as it always does
  }
  var session = new Session(api, config);
  if (!session.start()) {
    return;
  }
  window.clientcraftSco = session;
  var end = function () {
    session.finish();
  };
  window.addEventListener("pagehide", end);
})();
