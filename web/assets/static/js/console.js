// The console's live message count: the header's badge follows the server's count of unread
// messages (server-sent events; EventSource reconnects by itself). Without this file the count
// is the one the page was rendered with.
(function () {
  "use strict";
  var badge = document.getElementById("unread-count");
  if (!badge || !window.EventSource) { return; }
  var events = new EventSource(badge.dataset.live);
  events.addEventListener("unread", function (ev) {
    var n = parseInt(ev.data, 10) || 0;
    badge.textContent = String(n);
    badge.hidden = n === 0;
    document.documentElement.dataset.unread = String(n); // for the tests, and for styles
  });
})();
