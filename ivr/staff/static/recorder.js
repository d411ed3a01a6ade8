/* Recording a prompt in the browser, on its page in the admin (#recorder).
 *
 * Record / Stop with a running time (it stops by itself before the line's limit),
 * a preview of the take, "Keep this recording" and "Record again". A kept take is
 * put into the page's own upload form (a file input filled through DataTransfer) and
 * that form is submitted: the same CSRF token, the same checks, normalisation and
 * audit as an uploaded file, and the server's page says what it made of it.
 * Without a microphone, MediaRecorder or permission the page says why, and the
 * upload form below works as before. The state is in #recorder's data-state.
 */
(function () {
  "use strict";

  var box = document.getElementById("recorder");
  if (!box) {
    return;
  }
  var why = box.querySelector("[data-why]");
  var controls = box.querySelector("[data-controls]");
  var button = box.querySelector("[data-record]");
  var elapsed = box.querySelector("[data-elapsed]");
  var take = box.querySelector("[data-take]");
  var preview = box.querySelector("[data-preview]");
  var form = box.querySelector("[data-keep]");
  var input = form.querySelector("input[type=file]");
  var send = box.querySelector("[data-send]");
  var again = box.querySelector("[data-again]");

  var limit = Number(box.getAttribute("data-max-seconds")) || 90;
  // The take is encoded a little longer than the clock ran: stop early enough that
  // the server's "at most `limit` seconds" never refuses a take stopped by the clock.
  var MARGIN = 0.5;
  var TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/ogg", "audio/mp4"];
  var EXTENSIONS = { "audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a" };
  var UPLOAD_INSTEAD = " You can upload a file below instead.";

  var recorder = null;
  var stream = null;
  var chunks = [];
  var started = 0;
  var timer = 0;
  var stoppedByClock = false;
  var previewUrl = null;

  function setState(state, message, problem) {
    box.setAttribute("data-state", state);
    if (message !== undefined) {
      why.textContent = message;
      why.classList.toggle("problem", Boolean(problem));
    }
  }

  function clock(seconds) {
    var whole = Math.floor(seconds);
    var rest = whole % 60;
    return Math.floor(whole / 60) + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function unsupported() {
    if (!window.isSecureContext) {
      return "Recording in the browser needs a secure (https) address, and this page was not opened on one.";
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return "This browser does not give web pages a microphone.";
    }
    if (typeof window.MediaRecorder !== "function") {
      return "This browser cannot record audio (it has no MediaRecorder): use a recent Chrome, Edge, Firefox or Safari.";
    }
    if (typeof window.DataTransfer !== "function") {
      return "This browser cannot send a recording from the page: use a recent Chrome, Edge, Firefox or Safari.";
    }
    return null;
  }

  function refusal(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "The microphone is blocked for this page. Allow it in the browser (the icon in the address bar) and press Record again.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No microphone was found. Connect one and press Record again.";
    }
    if (name === "NotReadableError" || name === "AbortError") {
      return "The microphone could not be started: another program may be using it. Close it there and press Record again.";
    }
    return "The microphone could not be used" + (name ? " (" + name + ")" : "") + ".";
  }

  function release() {
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
  }

  function forgetTake() {
    if (previewUrl) {
      URL.revokeObjectURL(previewUrl);
      previewUrl = null;
    }
    preview.removeAttribute("src");
    preview.load();
    input.value = "";
    take.hidden = true;
  }

  function tick() {
    var seconds = (performance.now() - started) / 1000;
    elapsed.textContent = clock(seconds) + " of " + clock(limit);
    if (seconds >= limit - MARGIN) {
      stoppedByClock = true;
      stop();
    }
  }

  function stop() {
    clearInterval(timer);
    if (recorder && recorder.state !== "inactive") {
      button.disabled = true;
      recorder.stop(); // "stop" comes after the last "dataavailable"
    }
    release();
  }

  function stopped() {
    var type = recorder.mimeType || (chunks[0] && chunks[0].type) || "audio/webm";
    var blob = new Blob(chunks, { type: type });
    recorder = null;
    chunks = [];
    button.textContent = "Record";
    button.disabled = false;
    if (!blob.size) {
      setState("ready", "Nothing was recorded: press Record and speak.", true);
      return;
    }
    var file = new File([blob], "recording." + (EXTENSIONS[type.split(";")[0]] || "webm"), { type: type });
    var files = new DataTransfer();
    files.items.add(file);
    input.files = files.files;
    previewUrl = URL.createObjectURL(blob);
    preview.src = previewUrl;
    take.hidden = false;
    controls.hidden = true;
    setState("recorded", (stoppedByClock ? "It stopped by itself at " + clock(limit) + ". " : "") +
      "Listen to it, then keep it or record again.");
    send.focus();
  }

  function start() {
    forgetTake();
    controls.hidden = false;
    button.disabled = true;
    setState("asking", "Allow the microphone if the browser asks.");
    navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false } }).then(function (got) {
      var type = TYPES.filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0];
      stream = got;
      try {
        recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
      } catch (error) {
        release();
        button.disabled = false;
        setState("ready", "This browser could not record from the microphone." + UPLOAD_INSTEAD, true);
        return;
      }
      chunks = [];
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) {
          chunks.push(event.data);
        }
      });
      recorder.addEventListener("stop", stopped);
      stoppedByClock = false;
      recorder.start();
      started = performance.now();
      elapsed.textContent = clock(0) + " of " + clock(limit);
      timer = setInterval(tick, 200);
      button.textContent = "Stop";
      button.disabled = false;
      button.focus();
      setState("recording", "Recording: say the text, then press Stop.");
    }, function (error) {
      button.disabled = false;
      setState("ready", refusal(error) + UPLOAD_INSTEAD, true);
    });
  }

  var missing = unsupported();
  if (missing) {
    setState("unsupported", missing + UPLOAD_INSTEAD, true);
    return;
  }
  controls.hidden = false;
  setState("ready", "Press Record, say the text, then press Stop. You can listen before you keep it.");

  button.addEventListener("click", function () {
    if (recorder) {
      stop();
    } else {
      start();
    }
  });
  again.addEventListener("click", start);
  form.addEventListener("submit", function (event) {
    if (!input.files.length) {
      event.preventDefault();
      setState("ready", "Record something first.", true);
      return;
    }
    send.disabled = true;
    again.disabled = true;
    setState("sending", "Sending: the line checks the recording and brings it to its loudness…");
  });
  // Leaving the page (or the page being hidden away) ends a recording in progress.
  window.addEventListener("pagehide", stop);
}());
