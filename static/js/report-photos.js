/* The report form on a slow link (issue 18 item 1). Each chosen photo is made smaller in the browser first
   (longest side at most 1600 px, re-compressed to JPEG until it is about 300 KB: a 5 MB phone photo
   becomes a few hundred KB), then the form is sent with a progress bar. The server still checks and
   re-encodes every photo (portal/uploads/images.py), so nothing here is trusted.

   Without this script (JavaScript off, or no canvas/XMLHttpRequest), the browser sends the originals and
   the server accepts them within its size limit. A photo the browser cannot decode is sent as it is.
   The answer is shown like a normal form post: a redirect (the receipt) is followed, any other page
   (the form with its errors and kept photos, or the portal's error page) replaces this one. */
(function () {
  "use strict";
  var block = document.getElementById("report-photos");
  if (!block || !window.FormData || !window.XMLHttpRequest || !window.Promise ||
      !HTMLCanvasElement.prototype.toBlob || !window.URL) { return; }
  var form = block.closest("form");
  var input = block.querySelector("input[type=file]");
  var progress = document.getElementById("upload-progress");
  var bar = progress.querySelector("progress");
  var status = progress.querySelector("[role=status]");
  var maxSide = Number(block.dataset.maxSide) || 1600;
  var target = Number(block.dataset.targetBytes) || 300000;
  var busy = false;
  // The progress shows where the citizen just pressed: above the form's last button (Send report).
  var buttons = form.querySelectorAll("button[type=submit]");
  var sendButton = buttons[buttons.length - 1];
  sendButton.parentNode.insertBefore(progress, sendButton);

  function say(text, percent) {
    progress.hidden = false;
    status.textContent = text;
    if (percent === null) { bar.removeAttribute("value"); } else { bar.value = percent; }
  }

  function decode(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var image = new Image();
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("undecodable")); };
      image.src = url;  // CSP: img-src allows blob:
    });
  }

  function encode(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); })
      .then(function (blob) {
        if (!blob) { throw new Error("no blob"); }
        return blob.size > target && quality > 0.45 ? encode(canvas, quality - 0.1) : blob;
      });
  }

  function shrink(file) {
    if (!/^image\//.test(file.type)) { return Promise.resolve(file); }
    return decode(file).then(function (image) {
      var width = image.naturalWidth, height = image.naturalHeight;
      var scale = Math.min(1, maxSide / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a transparent PNG gets a white background, as on the server
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      return encode(canvas, 0.82);
    }).then(function (blob) {
      return new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" });
    }).catch(function () { return file; });
  }

  function show(xhr, sent) {
    var url = xhr.responseURL || "";
    if (url && url !== sent) { window.location.assign(url); return; }  // a redirect: the receipt
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  function send(data) {
    var xhr = new XMLHttpRequest();
    var sent = form.action;
    xhr.open("POST", sent);
    xhr.upload.onprogress = function (event) {
      if (!event.lengthComputable) { return; }
      var percent = Math.round(event.loaded * 100 / event.total);
      say(block.dataset.sending.replace("{percent}", percent), percent);
    };
    xhr.upload.onload = function () { say(block.dataset.waiting, null); };
    xhr.onload = function () { show(xhr, sent); };
    xhr.onerror = xhr.onabort = function () {
      busy = false;
      say(block.dataset.failed, 0);
    };
    xhr.send(data);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    var submitter = event.submitter;
    var files = Array.prototype.slice.call(input.files || []);
    say(block.dataset.preparing, null);
    Promise.all(files.map(shrink)).then(function (smaller) {
      var data = new FormData(form);
      data.delete(input.name);
      smaller.forEach(function (file) { data.append(input.name, file, file.name); });
      if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
      send(data);
    });
  });
}());
