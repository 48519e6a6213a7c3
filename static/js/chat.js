// Resume chat page: Enter sends (Shift+Enter breaks a line), suggested questions, Copy, the
// address follows the conversation (so a reload resumes it), and after a dropped socket
// reconnects the log is reloaded from the server (answers are stored however they ended).
(function () {
  "use strict";

  function question() { return document.getElementById("chat-question"); }
  function form() { return document.getElementById("chat-form"); }

  function send() {
    var box = question();
    if (!box || !box.value.trim()) { return; }
    form().requestSubmit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.target === question() && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      send();
    }
  });

  document.addEventListener("click", function (event) {
    var suggestion = event.target.closest("[data-suggestion]");
    if (suggestion) {
      question().value = suggestion.dataset.suggestion;
      send();
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var source = document.querySelector(copy.dataset.copy);
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.innerText).then(function () {
          copy.textContent = "Copied";
          setTimeout(function () { copy.textContent = "Copy"; }, 1500);
        });
      }
    }
  });

  document.addEventListener("htmx:wsAfterSend", function (event) {
    if (event.target === form()) { question().value = ""; }
  });

  function scrollLog() {
    var log = document.getElementById("chat-log");
    if (log) { log.scrollTop = log.scrollHeight; }
  }

  // After every socket message: follow a newly created conversation in the address bar.
  document.addEventListener("htmx:wsAfterMessage", function () {
    var conversation = document.getElementById("chat-conversation");
    var url = conversation && conversation.dataset.url;
    if (url && window.location.pathname !== url) {
      window.history.replaceState(null, "", url);
    }
    scrollLog();
  });

  var opened = false;
  document.addEventListener("htmx:wsOpen", function () {
    if (opened) {
      // A reconnect: whatever happened while offline is in the database.
      var conversation = document.getElementById("chat-conversation");
      if (conversation && conversation.dataset.logUrl) {
        htmx.ajax("GET", conversation.dataset.logUrl, { target: "#chat-log", swap: "innerHTML" });
      }
    }
    opened = true;
  });

  document.addEventListener("htmx:wsClose", function () {
    var status = document.getElementById("chat-status");
    if (status) {
      status.dataset.state = "connecting";
      status.textContent = "Connection lost, reconnecting…";
    }
  });

  document.addEventListener("DOMContentLoaded", scrollLog);
})();
