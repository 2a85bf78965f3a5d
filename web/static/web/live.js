/* Live updates: the Mastodon-compatible stream (DESIGN.md section 10) over a WebSocket.
 *
 * The page says where the stream is and gives a short-lived token (data-stream-url,
 * data-stream-token on <body>). New posts in the home timeline are counted under a
 * "Show N new posts" button; pressing it puts them on top (the page never moves by
 * itself). Notifications raise the count in the navigation. When the stream is not
 * there, or goes away, this stays quiet and tries again later with a fresh token. */
(function () {
  "use strict";

  var body = document.body;
  var base = body.dataset.streamUrl;
  var token = body.dataset.streamToken;
  if (!base || !token || !("WebSocket" in window)) return;

  var timeline = document.getElementById("timeline");
  var bar = document.getElementById("live-bar");
  var pending = [];
  var retryMs = 2000;
  var MAX_RETRY_MS = 60000;
  var socket = null;

  function onPage(id) {
    return !!(timeline && timeline.querySelector('article.post[data-id="' + id + '"]'));
  }

  function render() {
    if (!bar) return;
    pending = pending.filter(function (id) { return !onPage(id); });
    var button = bar.querySelector("button");
    if (!pending.length) {
      if (button) button.remove();
      return;
    }
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.addEventListener("click", showNew);
      bar.appendChild(button);
    }
    var n = pending.length;
    button.textContent = "Show " + n + " new post" + (n === 1 ? "" : "s");
  }

  function showNew() {
    var top = timeline.querySelector(":scope > article.post");
    var url = "/timeline/new" + (top ? "?top=" + encodeURIComponent(top.dataset.id) : "");
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html;
        // What is on the page already (one's own post, a post shown twice) stays where it is.
        holder.content.querySelectorAll("article.post").forEach(function (article) {
          if (onPage(article.dataset.id)) {
            var slot = article.nextElementSibling;
            if (slot && slot.classList.contains("reply-slot")) slot.remove();
            article.remove();
          }
        });
        var first = holder.content.querySelector("article.post");
        timeline.prepend(holder.content);
        if (window.htmx) window.htmx.process(timeline);
        pending = [];
        render();
        if (first) {
          first.focus({ preventScroll: true });
          first.scrollIntoView({ block: "start" });
        }
      })
      .catch(function () { /* stays as it is; the next press tries again */ });
  }

  function bumpUnread() {
    var count = document.getElementById("unread-count");
    var badge = document.getElementById("unread-badge");
    if (!count || !badge) return;
    count.textContent = String((parseInt(count.textContent, 10) || 0) + 1);
    badge.hidden = false;
  }

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  function onMessage(event) {
    var message = parse(event.data);
    if (!message || !message.event) return;
    var payload = typeof message.payload === "string" ? parse(message.payload) : message.payload;
    if (message.event === "update" && timeline && payload) {
      var status = payload.reblog || payload;
      var id = String(status.id);
      if (!onPage(id) && pending.indexOf(id) === -1) pending.push(id);
      render();
    } else if (message.event === "delete") {
      var gone = String(payload === null ? message.payload : payload);
      pending = pending.filter(function (id) { return id !== gone; });
      render();
    } else if (message.event === "notification") {
      bumpUnread();
    }
  }

  function connect() {
    var url = base + "/api/v1/streaming?stream=user&access_token=" + encodeURIComponent(token);
    try {
      socket = new WebSocket(url);
    } catch (e) {
      return; // refused outright (a bad address, or the page's policy): live updates stay off
    }
    var opened = false;
    socket.addEventListener("open", function () {
      opened = true;
      retryMs = 2000;
    });
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", function () {
      socket = null;
      var wait = retryMs;
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      window.setTimeout(reconnect, opened ? 1000 : wait);
    });
  }

  function reconnect() {
    if (document.hidden) {
      document.addEventListener("visibilitychange", function again() {
        if (!document.hidden) {
          document.removeEventListener("visibilitychange", again);
          reconnect();
        }
      });
      return;
    }
    var fresh = window.chirpFreshStreamToken ? window.chirpFreshStreamToken() : Promise.reject(new Error("no app.js"));
    fresh
      .then(function (answer) {
        token = answer.token;
        base = answer.url || base;
        connect();
      })
      .catch(function () {
        window.setTimeout(reconnect, MAX_RETRY_MS); // signed out, or offline: much later
      });
  }

  window.addEventListener("pagehide", function () {
    if (socket) socket.close();
  });

  connect();
})();
