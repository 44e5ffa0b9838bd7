/* Registerwijzer page: starts rasa-webchat (served locally, no CDN) and passes the portal token.
 *
 * The register's portal hands a logged-in leader's signed token to this page as a URL fragment
 * (#token=...), which never reaches a server log; the page keeps it in sessionStorage only and removes
 * it from the address bar. Every message carries it in customData.token; the server verifies it.
 * The conversation is kept in sessionStorage too: a reload keeps it, closing the tab forgets it
 * (school computers are often shared). Logging out forgets both.
 */
(function () {
  "use strict";
  var TOKEN_KEY = "registerwijzer.token";
  var SESSION_KEY = "chat_session";

  var TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;  // a JWT, at most 4096 characters

  function takeTokenFromFragment() {
    var match = /(?:^|[#&])token=([^&]*)/.exec(window.location.hash);
    if (!match) return;
    var token = null;
    try {
      token = decodeURIComponent(match[1]);
    } catch (e) {
      token = null;  // a malformed fragment (%E0%A4%A...) must not stop the page
    }
    if (!token || token.length > 4096 || !TOKEN_SHAPE.test(token)) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
      var notice = document.getElementById("token-error");
      if (notice) notice.hidden = false;
      return;
    }
    var previous = window.sessionStorage.getItem(TOKEN_KEY);
    if (previous !== token) {
      // Another identity: start a new conversation, so no answer meant for someone else stays visible.
      window.sessionStorage.removeItem(SESSION_KEY);
    }
    window.sessionStorage.setItem(TOKEN_KEY, token);
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  /* Logging out ends the leader's conversation on the server too (POST /webhooks/socketio/end). */
  function endConversation(config, token) {
    var session = null;
    try { session = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) || "null"); } catch (e) { session = null; }
    if (!token || !session || !session.session_id || !navigator.sendBeacon) return;
    var body = JSON.stringify({ session_id: session.session_id, token: token });
    navigator.sendBeacon(config.socketUrl.replace(/\/$/, "") + "/webhooks/socketio/end",
                         new Blob([body], { type: "text/plain" }));
  }

  function showLoginState(token, config) {
    var state = document.getElementById("login-state");
    var logout = document.getElementById("logout");
    state.textContent = token ? "Je bent ingelogd. Registerwijzer kan je eigen dossier gebruiken." : "Je bent niet ingelogd.";
    logout.hidden = !token;
    logout.onclick = function () {
      endConversation(config, token);
      window.sessionStorage.removeItem(TOKEN_KEY);
      window.sessionStorage.removeItem(SESSION_KEY);
      window.location.reload();
    };
  }

  /* rasa-webchat renders without labels; give its controls names and announce new messages. */
  function label(root) {
    var input = root.querySelector(".rw-new-message");
    if (input && !input.getAttribute("aria-label")) input.setAttribute("aria-label", "Je vraag");
    var send = root.querySelector(".rw-send");
    if (send && !send.getAttribute("aria-label")) send.setAttribute("aria-label", "Verstuur");
    var log = root.querySelector(".rw-messages-container");
    if (log && !log.getAttribute("role")) {
      log.setAttribute("role", "log");
      log.setAttribute("aria-live", "polite");
      log.setAttribute("aria-label", "Gesprek");
      log.setAttribute("tabindex", "0");
    }
    root.querySelectorAll("button:not([type])").forEach(function (b) { b.setAttribute("type", "button"); });
  }

  /* The personal overview (bot/cards.py, attachment type "registerwijzer_overzicht"): a progress bar
   * and a timeline to the deadline, drawn below the text answer, which says the same in words. Every
   * text comes from the server. rasa-webchat hands messages it does not know to `customComponent`, a
   * React component; its bundle does not export React, so the elements are written out as React 16
   * builds them (`h`). React still escapes every text. */
  var OVERVIEW = "registerwijzer_overzicht";
  var REACT_ELEMENT = typeof Symbol === "function" && Symbol.for ? Symbol.for("react.element") : 0xeac7;

  function h(type, props) {
    var all = {};
    Object.keys(props || {}).forEach(function (k) { if (k !== "key") all[k] = props[k]; });
    var children = Array.prototype.slice.call(arguments, 2).filter(function (c) { return c !== null; });
    if (children.length) all.children = children.length === 1 ? children[0] : children;
    return { $$typeof: REACT_ELEMENT, type: type, key: props && props.key != null ? String(props.key) : null,
             ref: null, props: all, _owner: null };
  }

  function text(value) { return typeof value === "string" ? value : ""; }
  function percent(fraction) { return Math.max(0, Math.min(100, Math.round(fraction * 1000) / 10)) + "%"; }

  function progressBar(bar, id) {
    var max = Number(bar.max), value = Number(bar.value);
    if (!(max > 0) || !(value >= 0)) return null;
    return h("div", { className: "rw-ov-block", key: "bar" },
      h("p", { className: "rw-ov-label", id: id + "-bar" }, text(bar.label)),
      h("div", { className: "rw-ov-bar", role: "progressbar", "aria-labelledby": id + "-bar",
                 "aria-valuemin": 0, "aria-valuemax": max, "aria-valuenow": Math.min(value, max),
                 "aria-valuetext": text(bar.text) },
        h("div", { className: "rw-ov-fill", style: { width: percent(value / max) } })),
      h("p", { className: "rw-ov-value" }, text(bar.text)),
      bar.status ? h("p", { className: "rw-ov-status" }, text(bar.status)) : null);
  }

  function timeline(period) {
    var at = Number(period.elapsed);
    if (!(at >= 0)) at = 0;
    var mark = Math.max(0.1, Math.min(0.9, at));  // the word "vandaag" stays inside the line's width
    return h("div", { className: "rw-ov-block", key: "period" },
      h("p", { className: "rw-ov-label" }, text(period.label)),
      h("div", { className: "rw-ov-line", "aria-hidden": "true" },
        h("span", { className: "rw-ov-mark", style: { left: percent(mark) } }, text(period.today_mark)),
        h("div", { className: "rw-ov-track" },
          h("div", { className: "rw-ov-elapsed", style: { width: percent(at) } }),
          h("div", { className: "rw-ov-today", style: { left: percent(at) } }))),
      h("ul", { className: "rw-ov-dates" },
        h("li", { key: "start" }, text(period.start_text)),
        h("li", { key: "today", className: "rw-ov-now" }, text(period.today_text)),
        h("li", { key: "end" }, text(period.end_text))),
      h("p", { className: "rw-ov-remaining" }, text(period.remaining)));
  }

  function Overview(props) {
    var attachment = props && props.attachment;
    if (!attachment || attachment.type !== OVERVIEW || !attachment.payload || !attachment.payload.period) return null;
    var payload = attachment.payload, id = "rw-ov-" + String(props.id).replace(/[^A-Za-z0-9_-]/g, "");
    return h("section", { className: "rw-overview", "aria-labelledby": id + "-title" },
      h("p", { className: "rw-ov-title", id: id + "-title", key: "title" }, text(payload.title)),
      payload.progress ? progressBar(payload.progress, id) : null,
      timeline(payload.period));
  }

  function start(config) {
    var token = window.sessionStorage.getItem(TOKEN_KEY);
    showLoginState(token, config);
    var root = document.getElementById("chat");
    new MutationObserver(function () { label(root); }).observe(root, { childList: true, subtree: true });
    window.WebChat.default({
      socketUrl: config.socketUrl,
      socketPath: "/socket.io/",
      customData: token ? { token: token } : {},
      embedded: true,
      initPayload: "/greet",
      title: "Registerwijzer",
      subtitle: "Vragen over het Schoolleidersregister PO",
      inputTextFieldHint: "Typ je vraag…",
      hideWhenNotConnected: false,
      showMessageDate: false,
      customMessageDelay: function () { return 0; },
      customComponent: Overview,
      params: { storage: "session" }
    }, root);
  }

  takeTokenFromFragment();
  fetch("config.json", { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(start)
    .catch(function () { document.getElementById("chat-error").hidden = false; });
})();
