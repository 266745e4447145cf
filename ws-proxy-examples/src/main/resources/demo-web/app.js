// The demo page: plain browser WebSocket API, no build step. Every URL is on this page's own server;
// ws-proxy forwards /ws/... to the backend.
"use strict";

const wsBase = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;

function log(list, cls, text) {
  const item = document.createElement("li");
  item.className = cls;
  item.textContent = text;
  list.appendChild(item);
  list.scrollTop = list.scrollHeight;
}

function showStatus(element, open, text) {
  element.className = "status " + (open ? "open" : "closed");
  element.textContent = text;
}

function describeClose(event) {
  return "closed: code " + event.code + (event.reason ? " \u201c" + event.reason + "\u201d" : "");
}

// ---- echo ------------------------------------------------------------------------------------

const echoLog = document.getElementById("echo-log");
const echoStatus = document.getElementById("echo-status");
const echoInput = document.getElementById("echo-input");
let echoSocket = null;

function connectEcho() {
  if (echoSocket) {
    echoSocket.close(1000, "reconnecting");
  }
  const url = wsBase + "/ws/echo";
  const socket = new WebSocket(url);
  socket.binaryType = "arraybuffer";
  echoSocket = socket;
  echoStatus.className = "status";
  echoStatus.textContent = "connecting to " + url + " \u2026";
  socket.onopen = () => showStatus(echoStatus, true, "open: " + url);
  socket.onmessage = (event) => {
    if (typeof event.data === "string") {
      log(echoLog, "recv", "\u2190 " + event.data);
    } else {
      const text = new TextDecoder().decode(event.data);
      log(echoLog, "recv", "\u2190 binary, " + event.data.byteLength + " bytes: " + text);
    }
  };
  socket.onclose = (event) => {
    if (socket === echoSocket) {
      showStatus(echoStatus, false, describeClose(event));
      log(echoLog, "info", describeClose(event));
    }
  };
}

function sendEcho(binary) {
  const text = echoInput.value;
  if (!text || !echoSocket || echoSocket.readyState !== WebSocket.OPEN) {
    return;
  }
  if (binary) {
    const bytes = new TextEncoder().encode(text);
    echoSocket.send(bytes);
    log(echoLog, "sent", "\u2192 binary, " + bytes.byteLength + " bytes: " + text);
  } else {
    echoSocket.send(text);
    log(echoLog, "sent", "\u2192 " + text);
  }
  echoInput.value = "";
  echoInput.focus();
}

document.getElementById("echo-form").addEventListener("submit", (e) => { e.preventDefault(); sendEcho(false); });
document.getElementById("echo-binary").addEventListener("click", () => sendEcho(true));
document.getElementById("echo-reconnect").addEventListener("click", connectEcho);
connectEcho();

// ---- chat ------------------------------------------------------------------------------------

const chatLog = document.getElementById("chat-log");
const chatStatus = document.getElementById("chat-status");
const chatInput = document.getElementById("chat-input");
const chatSend = document.getElementById("chat-send");
const joinButton = document.getElementById("chat-join-button");
let chatSocket = null;

function setJoined(joined) {
  chatInput.disabled = !joined;
  chatSend.disabled = !joined;
  joinButton.textContent = joined ? "Leave" : "Join";
}

document.getElementById("chat-join").addEventListener("submit", (e) => {
  e.preventDefault();
  if (chatSocket) {
    chatSocket.close(1000, "left");
    return;
  }
  const name = document.getElementById("chat-name").value.trim();
  const room = document.getElementById("chat-room").value.trim() || "lobby";
  const query = "?room=" + encodeURIComponent(room) + (name ? "&name=" + encodeURIComponent(name) : "");
  const url = wsBase + "/ws/chat" + query;
  const socket = new WebSocket(url);
  chatSocket = socket;
  chatStatus.className = "status";
  chatStatus.textContent = "joining " + url + " \u2026";
  socket.onopen = () => {
    showStatus(chatStatus, true, "in room \u201c" + room + "\u201d via " + url);
    setJoined(true);
    chatInput.focus();
  };
  socket.onmessage = (event) => log(chatLog, event.data.startsWith("* ") ? "info" : "recv", event.data);
  socket.onclose = (event) => {
    chatSocket = null;
    setJoined(false);
    showStatus(chatStatus, false, describeClose(event));
    log(chatLog, "info", describeClose(event));
  };
});

document.getElementById("chat-form").addEventListener("submit", (e) => {
  e.preventDefault();
  if (chatSocket && chatSocket.readyState === WebSocket.OPEN && chatInput.value) {
    chatSocket.send(chatInput.value);
    chatInput.value = "";
  }
});

// ---- a down upstream -------------------------------------------------------------------------
// Browsers do not expose the HTTP status of a refused WebSocket handshake: the socket just fails (onerror,
// then close code 1006). The status and reason are in the proxy's log line (and in the response body, which
// curl shows: see the README).

const downLog = document.getElementById("down-log");

document.getElementById("down-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const url = wsBase + "/ws/down/";
  log(downLog, "sent", "\u2192 connecting to " + url);
  const socket = new WebSocket(url);
  socket.onopen = () => log(downLog, "recv", "unexpectedly open");
  socket.onerror = () => log(downLog, "info", "handshake refused (the proxy answered 502: see its console)");
  socket.onclose = (event) => log(downLog, "info", describeClose(event));
});
